// mimalloc: the glibc allocator spent a third of a nested list's CPU in malloc and free, and
// kept the pages of a burst (RSS stayed at its peak); mimalloc is faster on small objects and
// returns freed memory to the system (see README, "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cosell::cli::main()
}
