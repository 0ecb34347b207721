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

/// Runs `tests/js/<script>` with `env`; returns its exit status and output.
pub async fn run(script: &str, env: &[(&str, &str)]) -> (bool, String) {
    let script = script.to_string();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        install();
        let output = Command::new("node")
            .arg(&script)
            .envs(env)
            .current_dir(js_dir())
            .output()
            .expect("node must be installed (Node 20)");
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
