//! Real JavaScript clients and conformance suites (tests/js) run against a test server. Their
//! npm packages are installed once per checkout from tests/js/package-lock.json (`npm ci`);
//! Node 20 and npm must be on the PATH.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js")
}

static INSTALL: Mutex<bool> = Mutex::new(false);

/// `npm ci` unless node_modules matches the lock file already.
fn install() {
    let mut done = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if *done {
        return;
    }
    let dir = js_dir();
    let lock = std::fs::read(dir.join("package-lock.json")).expect("tests/js/package-lock.json");
    let stamp = dir.join("node_modules/.cosell-lock");
    if std::fs::read(&stamp).ok().as_deref() != Some(&lock[..]) {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm must be installed (Node 20) to run the client tests");
        assert!(status.success(), "npm ci in tests/js failed");
        std::fs::write(&stamp, &lock).unwrap();
    }
    *done = true;
}

/// `node tests/js/<script>` with `env`, once the packages are installed.
async fn command(script: &str, env: &[(&str, &str)]) -> Command {
    tokio::task::spawn_blocking(install).await.unwrap();
    let mut command = Command::new("node");
    command
        .arg(script)
        .envs(env.iter().copied())
        .current_dir(js_dir());
    command
}

/// Runs `tests/js/<script>` with `env`; returns its exit status and output.
pub async fn run(script: &str, env: &[(&str, &str)]) -> (bool, String) {
    let mut command = command(script, env).await;
    tokio::task::spawn_blocking(move || {
        let output = command.output().expect("node must be installed (Node 20)");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    })
    .await
    .unwrap()
}

/// A script running beside the test, its output read line by line.
pub struct Running {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

/// Starts `tests/js/<script>` with `env`, its stdout read line by line.
pub async fn spawn(script: &str, env: &[(&str, &str)]) -> Running {
    let mut child = command(script, env)
        .await
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("node must be installed (Node 20)");
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Running {
        child,
        lines,
        seen: Vec::new(),
    }
}

impl Running {
    /// The next line of output, waiting at most `wait`; panics with what was seen otherwise.
    pub async fn line(&mut self, wait: std::time::Duration) -> String {
        let deadline = std::time::Instant::now() + wait;
        loop {
            match self.lines.try_recv() {
                Ok(line) => {
                    self.seen.push(line.clone());
                    return line;
                }
                Err(std::sync::mpsc::TryRecvError::Empty)
                    if std::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(_) => panic!("no line from the script; its output: {:?}", self.seen),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
