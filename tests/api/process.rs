//! The `cosell` binary run as a server process of its own, for what an in-process server cannot
//! show: resource limits set on the process, signals, its exit.
use crate::helpers::{AUDIENCE, ISSUER, SECRET};
use cosell::auth::{JwtKeys, MintRequest};
use cosell::domain::enums::Role;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ServerProcess {
    pub child: Child,
    pub base: String,
    pub client: reqwest::Client,
    keys: JwtKeys,
}

impl ServerProcess {
    /// Starts `cosell serve` on `database_url` with extra environment, and waits until it
    /// answers `/healthz`.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> ServerProcess {
        Self::start_with_stderr(database_url, env, Stdio::null()).await
    }

    /// As `start`, with the server's log (stderr) going to `log`.
    pub async fn start_logged(
        database_url: &str,
        env: &[(&str, &str)],
        log: &std::path::Path,
    ) -> ServerProcess {
        let file = std::fs::File::create(log).unwrap();
        Self::start_with_stderr(database_url, env, Stdio::from(file)).await
    }

    async fn start_with_stderr(
        database_url: &str,
        env: &[(&str, &str)],
        stderr: Stdio,
    ) -> ServerProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let listen = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cosell"));
        cmd.arg("serve")
            .env("DATABASE_URL", database_url)
            .env("COSELL_LISTEN", &listen)
            .env("COSELL_JWT_SECRET", SECRET)
            .env("COSELL_WORKERS", "2")
            .env("RUST_LOG", "error")
            // Tests fire bursts with one token; the limits' own tests set them.
            .env("COSELL_RATE_PER_SUBJECT", "0")
            .stdout(Stdio::null())
            .stderr(stderr);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start cosell");
        let server = ServerProcess {
            child,
            base: format!("http://{listen}"),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            keys: JwtKeys::new(SECRET.as_bytes(), ISSUER, AUDIENCE).unwrap(),
        };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(r) = server
                .client
                .get(format!("{}/healthz", server.base))
                .send()
                .await
                && r.status() == 200
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("cosell did not start on {listen}");
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn admin(&self) -> String {
        self.keys
            .mint(&MintRequest::new(Role::Admin, "admin@example.com"))
            .unwrap()
    }

    /// Status and body of a GraphQL request as ADMIN.
    pub async fn gql(&self, query: &str, variables: Value) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}/graphql", self.base))
            .bearer_auth(self.admin())
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Runs a mutation as ADMIN; returns the id of what its (only) field created.
    pub async fn create(&self, mutation: &str, variables: Value) -> String {
        let (_, r) = self.gql(mutation, variables).await;
        let created = r["data"].as_object().and_then(|d| d.values().next());
        created.unwrap_or_else(|| panic!("{r}"))["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{r}"))
            .to_string()
    }

    pub async fn status_of(&self, path: &str) -> u16 {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }

    pub fn signal(&self, signal: i32) {
        // SAFETY: kill only sends a signal to our own child.
        unsafe {
            libc::kill(self.pid(), signal);
        }
    }

    /// Waits for the process to exit, at most `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sets the file-size limit (RLIMIT_FSIZE, as `ulimit -f`) of a running process.
pub fn set_file_size_limit(pid: i32, bytes: Option<u64>) {
    let value = bytes.unwrap_or(libc::RLIM_INFINITY);
    let limit = libc::rlimit {
        rlim_cur: value,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: prlimit reads the struct passed to it and writes nothing back (old is null).
    let rc = unsafe { libc::prlimit(pid, libc::RLIMIT_FSIZE, &limit, std::ptr::null_mut()) };
    assert_eq!(rc, 0, "prlimit: {}", std::io::Error::last_os_error());
}
