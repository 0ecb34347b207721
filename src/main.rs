// mimalloc: with the glibc allocator a third of a nested list's CPU samples were malloc, free
// and memmove; mimalloc is faster on the many small objects a response allocates. RSS still
// stays near its peak after a burst (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cosell::cli::main()
}
