//! What a request meets before it costs anything: authentication from the headers, the body's
//! deadline and the process's byte budget, limits per address and per subject, the execution
//! deadline, response headers, and draining on SIGTERM.
use crate::helpers::{TestApp, test_limits};
use crate::process::ServerProcess;
use cosell::auth::MintRequest;
use cosell::domain::enums::Role;
use cosell::graphql::query::TestHooks;
use cosell::http::front_door::Limits;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const QUERY: &str = r#"{"query":"{ viewer { role } }"}"#;

/// Opens a connection and sends a POST's head announcing `length` body bytes, then `sent` of them.
async fn start_post(base: &str, token: Option<&str>, length: usize, sent: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n{auth}Content-Length: {length}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(sent).await.unwrap();
    stream
}

/// The status line and the rest of what the server sends before it closes or goes quiet.
async fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf);
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head.lines().find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length: ")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    });
                    if length.is_some_and(|n| body.len() >= n) {
                        break;
                    }
                }
            }
        }
    }
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

async fn viewer_status(app: &TestApp, token: &str) -> u16 {
    app.gql(token, "{ viewer { role } }", json!({}))
        .await
        .status
}

fn body_of(response: &str) -> Value {
    serde_json::from_str(response.split_once("\r\n\r\n").map_or("", |(_, b)| b))
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_request_without_a_token_is_refused_before_its_body_is_read() {
    let app = TestApp::spawn().await;
    // A mebibyte announced, not one byte of it sent: the answer cannot wait for the body.
    let mut stream = start_post(&app.base, None, 1024 * 1024, b"").await;
    let (status, response) = read_response(&mut stream).await;
    assert_eq!(status, 401, "{response}");
    assert_eq!(
        body_of(&response)["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    // An oversized body is refused from its declared length, also before it is read.
    let mut stream = start_post(&app.base, Some(&app.admin()), 2 * 1024 * 1024, b"").await;
    let (status, _) = read_response(&mut stream).await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_off_at_its_deadline() {
    let app = TestApp::spawn_with_limits(Limits {
        body_timeout: Duration::from_secs(1),
        ..test_limits()
    })
    .await;
    let mut stream = start_post(
        &app.base,
        Some(&app.admin()),
        QUERY.len(),
        &QUERY.as_bytes()[..5],
    )
    .await;
    let (status, response) = read_response(&mut stream).await;
    assert_eq!(status, 408, "{response}");
    assert_eq!(
        body_of(&response)["errors"][0]["extensions"]["code"],
        "TIMEOUT"
    );
    // The server is free for the next request.
    assert_eq!(
        app.gql(&app.admin(), "{ viewer { role } }", json!({}))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn bodies_share_one_byte_budget() {
    let app = TestApp::spawn_with_limits(Limits {
        max_buffered_bytes: 600,
        ..test_limits()
    })
    .await;
    let token = app.admin();
    let padding = format!(
        r#"{{"query":"{{ viewer {{ role }} }}","variables":{{"pad":"{}"}}}}"#,
        "x".repeat(500)
    );
    // One request holds 520 bytes of an unfinished body...
    let mut holder = start_post(
        &app.base,
        Some(&token),
        padding.len() + 10,
        &padding.as_bytes()[..520],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // ...so another one's 500 bytes do not fit.
    let r = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body(padding.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAVAILABLE");
    holder.shutdown().await.ok();
    drop(holder);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Released with the connection: small requests pass again.
    assert_eq!(viewer_status(&app, &token).await, 200);
}

#[tokio::test]
async fn one_address_cannot_hold_every_connection() {
    let app = TestApp::spawn_with_limits(Limits {
        max_in_flight_per_address: 2,
        ..test_limits()
    })
    .await;
    let token = app.admin();
    let _a = start_post(&app.base, Some(&token), 100, b"{").await;
    let _b = start_post(&app.base, Some(&token), 100, b"{").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = app.gql(&token, "{ viewer { role } }", json!({})).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.code(), "RATE_LIMITED");
    drop((_a, _b));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(viewer_status(&app, &token).await, 200);
}

#[tokio::test]
async fn rates_are_limited_per_subject_with_mutations_costing_more() {
    let app = TestApp::spawn_with_limits(Limits {
        // A burst of five (one mutation's cost), one more token every ten seconds.
        subject_rate: 0.1,
        ..test_limits()
    })
    .await;
    let token = app.mint(&MintRequest::new(Role::Admin, "busy@example.com"));
    for _ in 0..5 {
        assert_eq!(
            app.gql(&token, "{ viewer { role } }", json!({}))
                .await
                .status,
            200
        );
    }
    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");

    // Another subject has a bucket of its own; one mutation empties it.
    let other = app.mint(&MintRequest::new(Role::Admin, "calm@example.com"));
    let created = app
        .gql(
            &other,
            r#"mutation { createPartner(input: { name: "Costly" }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(created.status, 200);
    let next = app.gql(&other, "{ viewer { role } }", json!({})).await;
    assert_eq!(next.status, 429, "a mutation costs five requests");
}

#[tokio::test]
async fn rates_are_limited_per_address_whatever_the_token() {
    let app = TestApp::spawn_with_limits(Limits {
        address_rate: 0.1,
        ..test_limits()
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        let token = app.mint(&MintRequest::new(
            Role::Admin,
            &format!("user{i}@example.com"),
        ));
        statuses.push(
            app.gql(&token, "{ viewer { role } }", json!({}))
                .await
                .status,
        );
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
    // Requests without a valid token count too.
    let anonymous = app.get("/graphql?query=%7B__typename%7D").await;
    assert_eq!(anonymous.status(), 429);
}

#[tokio::test]
async fn a_request_past_its_deadline_answers_timeout() {
    let app = TestApp::spawn_with_limits(Limits {
        request_timeout: Duration::from_secs(1),
        ..test_limits()
    })
    .await;
    let slow = app.mint(&MintRequest::new(Role::Admin, TestHooks::SLOW_SUBJECT));
    let r = app.gql(&slow, "{ viewer { role } }", json!({})).await;
    assert_eq!(r.status, 504);
    assert_eq!(r.code(), "TIMEOUT");
}

#[tokio::test]
async fn one_subject_cannot_take_every_execution_slot() {
    let app = TestApp::spawn_with_limits(Limits {
        max_concurrent_per_subject: 1,
        ..test_limits()
    })
    .await;
    let slow = app.mint(&MintRequest::new(Role::Admin, TestHooks::SLOW_SUBJECT));
    let query = "{ viewer { role } }";
    let first = app.gql(&slow, query, json!({}));
    let second = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.gql(&slow, query, json!({})).await
    };
    let other = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.gql(&app.admin(), query, json!({})).await
    };
    let (first, second, other) = tokio::join!(first, second, other);
    assert_eq!(first.status, 200);
    assert_eq!(
        second.status, 429,
        "the subject's one slot was taken: {}",
        second.body
    );
    assert_eq!(second.code(), "RATE_LIMITED");
    assert_eq!(other.status, 200, "another subject is not held up");
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = TestApp::spawn().await;
    let api = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(app.admin())
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .unwrap();
    let unauthenticated = app.get("/graphql?query=%7B__typename%7D").await;
    for response in [&api, &unauthenticated] {
        let h = response.headers();
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(
            h["content-security-policy"],
            "default-src 'none'; frame-ancestors 'none'"
        );
    }
    // GraphiQL's page runs scripts and styles from the server itself, and nothing else.
    let page = app.get("/").await;
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self' ws: wss:",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
}

/// SIGTERM stops new connections and lets the requests in flight finish.
#[tokio::test]
async fn sigterm_drains_requests_in_flight() {
    let (url, _dir) = crate::helpers::fresh_database().await;
    let mut server = ServerProcess::start(&url, &[]).await;
    let token = server.admin();
    let query =
        r#"{"query":"mutation { createPartner(input: { name: \"Drained\" }) { id name } }"}"#;
    let mut stream = start_post(
        &server.base,
        Some(&token),
        query.len(),
        &query.as_bytes()[..10],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.signal(libc::SIGTERM);
    let mut refused = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if TcpStream::connect(server.base.trim_start_matches("http://"))
            .await
            .is_err()
        {
            refused = true;
            break;
        }
    }
    assert!(refused, "no new connections while draining");
    stream.write_all(&query.as_bytes()[10..]).await.unwrap();
    let (status, response) = read_response(&mut stream).await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(
        body_of(&response)["data"]["createPartner"]["name"],
        "Drained"
    );
    let exit = server
        .wait_exit(Duration::from_secs(20))
        .expect("the server exits");
    assert!(exit.success(), "{exit:?}");
}

#[tokio::test]
async fn one_address_cannot_open_every_connection() {
    let app = TestApp::spawn_with_limits(Limits {
        max_connections_per_address: 3,
        ..test_limits()
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_string();
    // Three idle connections: the address's whole share.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(&addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The fourth is shut down as it is accepted: its request fails to write or gets no answer.
    let mut fourth = TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\n\r\n{QUERY}",
        app.admin(),
        QUERY.len()
    );
    let _ = fourth.write_all(request.as_bytes()).await;
    let (status, response) = read_response(&mut fourth).await;
    assert_eq!(status, 0, "closed without an answer: {response}");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut fifth = start_post(&app.base, Some(&app.admin()), QUERY.len(), QUERY.as_bytes()).await;
    let (status, _) = read_response(&mut fifth).await;
    assert_eq!(status, 200, "closed connections free the address's share");
}

/// Behind a trusted reverse proxy, limits apply to the client it names, not to the proxy.
#[tokio::test]
async fn behind_a_trusted_proxy_limits_follow_the_forwarded_client() {
    let app = TestApp::spawn_with_limits(Limits {
        address_rate: 0.1,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..test_limits()
    })
    .await;
    let token = app.admin();
    let from = |forwarded: &'static str| {
        app.client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&token)
            .header("X-Forwarded-For", forwarded)
            .json(&json!({ "query": "{ viewer { role } }" }))
            .send()
    };
    // Client A spends its burst of five; B, through the same proxy, still has its own.
    for _ in 0..5 {
        assert_eq!(from("203.0.113.7").await.unwrap().status(), 200);
    }
    assert_eq!(from("203.0.113.7").await.unwrap().status(), 429);
    assert_eq!(from("198.51.100.9").await.unwrap().status(), 200);
    // What the client itself put in front of the header does not make it someone else.
    assert_eq!(
        from("198.51.100.9, 203.0.113.7").await.unwrap().status(),
        429
    );
}

#[tokio::test]
async fn sigterm_closes_live_connections_so_the_drain_does_not_wait_for_them() {
    let (url, _dir) = crate::helpers::fresh_database().await;
    let mut server = ServerProcess::start(&url, &[]).await;
    let mut ws = crate::ws::Ws::open(&server.base, &server.admin()).await;
    ws.subscribe(
        "o",
        "subscription { opportunityEvents { action } }",
        serde_json::json!({}),
    )
    .await;
    let started = std::time::Instant::now();
    server.signal(libc::SIGTERM);
    let (code, reason) = ws.closed(Duration::from_secs(10)).await;
    assert_eq!((code, reason.as_str()), (1001, "Server shutting down"));
    let exit = server
        .wait_exit(Duration::from_secs(20))
        .expect("the server exits");
    assert!(exit.success(), "{exit:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the drain did not wait its 30 s for the socket"
    );
}
