//! Live updates under load, against the `cosell` binary on a real database, through its public
//! interface only (HTTP and WebSocket).
//!
//! 1. `BENCH_SUBSCRIBERS` (default 10,000) WebSocket clients, each its own subject, subscribe
//!    to one opportunity's events; one change a second for `BENCH_SECONDS` (default 30) reaches
//!    all of them. Reported: delivery latency from the change's recorded time (in its
//!    transaction, just before commit) to the client, server RSS idle, with every connection
//!    open and at the end (bytes per idle connection), and server CPU.
//! 2. Webhooks to a slow receiver (each answer after `BENCH_RECEIVER_DELAY_MS`, default 500):
//!    `BENCH_WEBHOOK_RATE` changes a second (default 17, about 1,000 a minute) for
//!    `BENCH_WEBHOOK_SECONDS` (default 60), while a client reads a list; the read's latency is
//!    compared with the same load without a webhook.
//!
//! SQLite in a temporary file by default; `BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at its first failure

#[allow(dead_code)] // each benchmark uses part of what they share
mod common;
use common::env_usize;
use cosell::auth::{JwtKeys, MintRequest};
use cosell::domain::enums::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const SECRET: &str = "bench-secret-0123456789-abcdefghijklmnop";

struct Server {
    child: Child,
    base: String,
    http: reqwest::Client,
    keys: JwtKeys,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start(url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_cosell"))
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("COSELL_LISTEN", format!("127.0.0.1:{port}"))
            .env("COSELL_JWT_SECRET", SECRET)
            .env("COSELL_WORKERS", "2")
            .env("COSELL_MAX_CONNECTIONS_PER_ADDRESS", "30000")
            .env("COSELL_RATE_PER_ADDRESS", "0")
            .env("COSELL_RATE_PER_SUBJECT", "0")
            .env("COSELL_MAX_IN_FLIGHT_PER_ADDRESS", "10000")
            .env("COSELL_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("COSELL_WS_INIT_TIMEOUT", "60s")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server {
            child,
            base: format!("127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            keys: JwtKeys::new(SECRET.as_bytes(), "cosell", "cosell-api").unwrap(),
        };
        for _ in 0..300 {
            if server
                .http
                .get(format!("http://{}/healthz", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cosell did not start");
    }

    fn token(&self, role: Role, subject: &str, partner: Option<&str>) -> String {
        let mut request = MintRequest::new(role, subject);
        request.partner_id = partner.map(str::to_string);
        self.keys.mint(&request).unwrap()
    }

    async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        let body: Value = self
            .http
            .post(format!("http://{}/graphql", self.base))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(body["errors"].is_null(), "{query}: {body}");
        body["data"].clone()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// The server's resident memory (MB).
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024.0
}

/// The server's CPU time so far (seconds, user and system).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // SAFETY: sysconf only reads a configuration value.
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn raise_open_files() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write the struct passed to them only.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
    }
}

/// One subscriber: connects, initialises, subscribes, then records each event's latency.
async fn subscriber(
    url: String,
    token: String,
    opportunity: String,
    latencies: Arc<Mutex<Vec<(usize, f64)>>>,
    ready: Arc<tokio::sync::Semaphore>,
) {
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    ws.send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": "subscription($o: ID) { opportunityEvents(opportunityId: $o) { action at } }",
        "variables": { "o": opportunity } } });
    let mut subscribed = false;
    let mut mine = Vec::new();
    while let Some(Ok(message)) = ws.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        // Events are timed before anything else is done with them; only the rest is parsed.
        if let Some(at) = text
            .split("\"at\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        {
            let at = chrono::DateTime::parse_from_rfc3339(at).unwrap();
            let ms = (chrono::Utc::now() - at.with_timezone(&chrono::Utc))
                .num_microseconds()
                .unwrap() as f64
                / 1000.0;
            // The stage change only ends the run: subscribers close as it arrives, which would
            // weigh on its own delivery to the others.
            if text.contains("STAGE_CHANGED") {
                break;
            }
            mine.push((mine.len(), ms));
            continue;
        }
        let value: Value = serde_json::from_str(&text).unwrap();
        match value["type"].as_str() {
            Some("connection_ack") if !subscribed => {
                ws.send(Message::Text(subscribe.to_string().into()))
                    .await
                    .unwrap();
                subscribed = true;
                ready.add_permits(1);
            }
            Some("ping") => {
                let _ = ws
                    .send(Message::Text(json!({ "type": "pong" }).to_string().into()))
                    .await;
            }
            _ => {}
        }
    }
    latencies.lock().unwrap().extend(mine);
}

/// An opportunity of a new partner: (partner, customer, opportunity, version).
async fn setup(server: &Server, admin: &str, name: &str) -> (String, String, String, i64) {
    let partner = server
        .gql(
            admin,
            "mutation($n: String!) { createPartner(input: { name: $n }) { id } }",
            json!({ "n": name }),
        )
        .await["createPartner"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let customer = server
        .gql(
            admin,
            "mutation($p: ID!, $n: String!) { createCustomer(input: { partnerId: $p, companyName: $n, industry: FINANCIAL_SERVICES, segment: ENTERPRISE, awsAdoption: ENGAGED, address: { countryCode: \"US\", postalCode: \"10001\" } }) { id } }",
            json!({ "p": partner, "n": format!("{name} customer") }),
        )
        .await["createCustomer"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let created = server
        .gql(
            admin,
            "mutation($c: ID!, $t: String!) { createOpportunity(input: { customerId: $c, clientToken: $t, title: \"Live benchmark\", customerBusinessProblem: \"The customer's batch platform is ageing and costly to run.\", opportunityType: NET_NEW_BUSINESS }) { id version } }",
            json!({ "c": customer, "t": format!("bench-{name}") }),
        )
        .await;
    (
        partner,
        customer,
        created["createOpportunity"]["id"]
            .as_str()
            .unwrap()
            .to_string(),
        created["createOpportunity"]["version"].as_i64().unwrap(),
    )
}

async fn subscribers_phase(server: &Server, admin: &str) {
    let n = env_usize("BENCH_SUBSCRIBERS", 10_000);
    let seconds = env_usize("BENCH_SECONDS", 30);
    let (partner, _, opportunity, mut version) = setup(server, admin, "Live").await;
    let partner_token = server.token(Role::PartnerUser, "bench-driver", Some(&partner));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_mb(server.pid());

    let url = format!("ws://{}/graphql/ws", server.base);
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let ready = Arc::new(tokio::sync::Semaphore::new(0));
    let opened = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..n {
        let token = server.token(Role::PartnerUser, &format!("bench-{i}"), Some(&partner));
        tasks.push(tokio::spawn(subscriber(
            url.clone(),
            token,
            opportunity.clone(),
            latencies.clone(),
            ready.clone(),
        )));
        if i % 200 == 199 {
            // Handshakes in waves, as clients arrive.
            let _ = ready
                .acquire_many(u32::try_from(i + 1).unwrap())
                .await
                .unwrap();
            ready.add_permits(i + 1);
        }
    }
    let _ = ready.acquire_many(u32::try_from(n).unwrap()).await.unwrap();
    println!(
        "{n} subscribers connected and subscribed in {:.1} s",
        opened.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let connected = rss_mb(server.pid());

    let cpu_before = cpu_seconds(server.pid());
    let client_cpu_before = cpu_seconds(std::process::id());
    let started = Instant::now();
    let mut peak = connected;
    for tick in 0..=seconds {
        let next = started + Duration::from_secs(tick as u64 + 1);
        let last = tick == seconds;
        let input = if last {
            json!({ "stage": "QUALIFIED" })
        } else {
            json!({ "internalNotes": format!("tick {tick}") })
        };
        let updated = server
            .gql(
                &partner_token,
                "mutation($id: ID!, $v: Int!, $input: UpdateOpportunityInput!) { updateOpportunity(id: $id, expectedVersion: $v, input: $input) { version } }",
                json!({ "id": opportunity, "v": version, "input": input }),
            )
            .await;
        version = updated["updateOpportunity"]["version"].as_i64().unwrap();
        peak = peak.max(rss_mb(server.pid()));
        tokio::time::sleep_until(next.into()).await;
    }
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(30), task).await;
    }
    let window = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds(server.pid()) - cpu_before;
    let client_cpu = cpu_seconds(std::process::id()) - client_cpu_before;
    let samples = latencies.lock().unwrap().clone();
    let sorted = |keep: &dyn Fn(usize) -> bool| {
        let mut v: Vec<f64> = samples
            .iter()
            .filter(|(i, _)| keep(*i))
            .map(|(_, ms)| *ms)
            .collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v
    };
    let all = sorted(&|_| true);
    if std::env::var("BENCH_PER_EVENT").is_ok() {
        for tick in 0..seconds {
            let one = sorted(&|i| i == tick);
            println!(
                "event {tick}: p50 {:.1}, max {:.1}",
                percentile(&one, 0.5),
                one.last().copied().unwrap_or(f64::NAN)
            );
        }
    }
    let first = sorted(&|i| i == 0);
    let warm = sorted(&|i| i > 0);
    let expected = n * seconds;
    println!(
        "events: {} of {expected} delivered ({} changes × {n} subscribers)",
        all.len(),
        seconds
    );
    for (name, set) in [
        ("every event", &all),
        ("the first event", &first),
        ("after the first", &warm),
    ] {
        println!(
            "latency from commit to client, {name} (ms): p50 {:.1}, p90 {:.1}, p99 {:.1}, max {:.1}",
            percentile(set, 0.50),
            percentile(set, 0.90),
            percentile(set, 0.99),
            set.last().copied().unwrap_or(f64::NAN)
        );
    }
    println!(
        "server RSS (MB): idle {idle:.1}, {n} connections open {connected:.1} ({:.1} KB per idle connection), peak under events {peak:.1}",
        (connected - idle) * 1024.0 / n as f64
    );
    println!(
        "CPU over {window:.0} s: server {:.1} s ({:.0}% of one core), the benchmark's own clients {:.1} s ({:.0}%)",
        cpu,
        100.0 * cpu / window,
        client_cpu,
        100.0 * client_cpu / window
    );
}

/// A receiver that answers every POST after `delay`, recording when each arrived and the
/// event's time from its body.
async fn slow_receiver(delay: Duration) -> (String, Arc<Mutex<Vec<f64>>>) {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let lags = Arc::new(Mutex::new(Vec::new()));
    let data = web::Data::new(lags.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new().app_data(data.clone()).route(
            "/hook",
            web::post().to(
                move |body: String, lags: web::Data<Arc<Mutex<Vec<f64>>>>| async move {
                    let event: Value = serde_json::from_str(&body).unwrap();
                    let at = chrono::DateTime::parse_from_rfc3339(event["at"].as_str().unwrap())
                        .unwrap();
                    let lag = (chrono::Utc::now() - at.with_timezone(&chrono::Utc))
                        .num_milliseconds() as f64;
                    lags.lock().unwrap().push(lag);
                    tokio::time::sleep(delay).await;
                    HttpResponse::Ok().finish()
                },
            ),
        )
    })
    .workers(2)
    .max_connections(10_000)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (url, lags)
}

/// Changes at `rate` a second for `seconds` while a reader times a list; returns the read
/// latencies (ms, sorted).
async fn load(
    server: &Server,
    token: &str,
    customer: &str,
    rate: usize,
    seconds: usize,
    tag: &str,
) -> Vec<f64> {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reads = {
        let stop = stop.clone();
        let http = server.http.clone();
        let base = server.base.clone();
        let token = token.to_string();
        tokio::spawn(async move {
            let mut times = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let started = Instant::now();
                let r = http
                    .post(format!("http://{base}/graphql"))
                    .bearer_auth(&token)
                    .json(&json!({ "query": "{ opportunities(first: 20) { nodes { id title stage } } }" }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let _ = r.bytes().await;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            times
        })
    };
    let started = Instant::now();
    for i in 0..rate * seconds {
        let at = started + Duration::from_secs_f64(i as f64 / rate as f64);
        tokio::time::sleep_until(at.into()).await;
        server
            .gql(
                token,
                "mutation($c: ID!, $t: String!) { createOpportunity(input: { customerId: $c, clientToken: $t, title: \"Webhook load\", customerBusinessProblem: \"The customer's batch platform is ageing and costly to run.\", opportunityType: NET_NEW_BUSINESS }) { id } }",
                json!({ "c": customer, "t": format!("{tag}-{i}") }),
            )
            .await;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut times = reads.await.unwrap();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times
}

async fn webhooks_phase(server: &Server, admin: &str) {
    let rate = env_usize("BENCH_WEBHOOK_RATE", 17);
    let seconds = env_usize("BENCH_WEBHOOK_SECONDS", 60);
    let delay = Duration::from_millis(env_usize("BENCH_RECEIVER_DELAY_MS", 500) as u64);
    let (partner, customer, _, _) = setup(server, admin, "Hooks").await;
    let token = server.token(Role::PartnerAdmin, "bench-hooks", Some(&partner));

    let baseline = load(server, &token, &customer, rate, seconds.min(20), "base").await;
    let (url, lags) = slow_receiver(delay).await;
    server
        .gql(
            &token,
            "mutation($p: ID!, $u: String!) { createWebhook(partnerId: $p, input: { url: $u, topics: [OPPORTUNITY] }) { webhook { id } } }",
            json!({ "p": partner, "u": url }),
        )
        .await;
    let started = Instant::now();
    let with_hooks = load(server, &token, &customer, rate, seconds, "hook").await;
    let expected = rate * seconds;
    while lags.lock().unwrap().len() < expected
        && started.elapsed() < Duration::from_secs(seconds as u64 + 120)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = started.elapsed().as_secs_f64();
    let mut lag = lags.lock().unwrap().clone();
    lag.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "webhooks: {} of {expected} deliveries received by a receiver answering after {} ms, {:.0} a minute; lag from the change to the receiver (ms): p50 {:.0}, p99 {:.0}, max {:.0}",
        lag.len(),
        delay.as_millis(),
        lag.len() as f64 * 60.0 / took,
        percentile(&lag, 0.5),
        percentile(&lag, 0.99),
        lag.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "API reads (20 opportunities) meanwhile (ms): p50 {:.1}, p99 {:.1} ({} reads); without the webhook: p50 {:.1}, p99 {:.1} ({} reads)",
        percentile(&with_hooks, 0.5),
        percentile(&with_hooks, 0.99),
        with_hooks.len(),
        percentile(&baseline, 0.5),
        percentile(&baseline, 0.99),
        baseline.len()
    );
}

#[tokio::main]
async fn main() {
    raise_open_files();
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()));
    let server = Server::start(&url).await;
    println!(
        "database: {}",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let admin = server.token(Role::Admin, "bench-admin", None);
    if std::env::var("BENCH_ONLY").map_or(true, |only| only == "subscribers") {
        subscribers_phase(&server, &admin).await;
    }
    if std::env::var("BENCH_ONLY").map_or(true, |only| only == "webhooks") {
        webhooks_phase(&server, &admin).await;
    }
}
