//! `/metrics` as Prometheus scrapes it from a running `cosell`: each series named in the README
//! is there and moves with what the server does (requests by operation and outcome, latency,
//! statements, token refusals by reason, rate-limit refusals, live connections, the webhook
//! and ACE queues), and the address and token settings.
use crate::helpers::{SECRET, fresh_database};
use crate::process::ServerProcess;
use crate::ws::Ws;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

/// Every sample of a scrape: `name{labels}` → value.
async fn scrape_at(server: &ServerProcess, url: &str) -> HashMap<String, f64> {
    let r = server.client.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = r.text().await.unwrap();
    assert!(text.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_string(), value.parse::<f64>().unwrap())
        })
        .collect()
}

async fn scrape(server: &ServerProcess) -> HashMap<String, f64> {
    scrape_at(server, &format!("{}/metrics", server.base)).await
}

fn value(samples: &HashMap<String, f64>, series: &str) -> f64 {
    *samples
        .get(series)
        .unwrap_or_else(|| panic!("no {series} in {:#?}", samples.keys().collect::<Vec<_>>()))
}

fn token(sub: &str) -> String {
    let keys = cosell::auth::JwtKeys::new(SECRET.as_bytes(), "cosell", "cosell-api").unwrap();
    keys.mint(&cosell::auth::MintRequest::new(
        cosell::domain::enums::Role::Admin,
        sub,
    ))
    .unwrap()
}

async fn post(server: &ServerProcess, bearer: Option<&str>, query: &str) -> u16 {
    let mut req = server
        .client
        .post(format!("{}/graphql", server.base))
        .json(&json!({ "query": query }));
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn the_series_move_with_requests_refusals_live_connections_and_queues() {
    let (url, _dir) = fresh_database().await;
    let receiver_down = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}/hook", receiver_down.local_addr().unwrap());
    drop(receiver_down);
    let server = ServerProcess::start(
        &url,
        &[
            ("COSELL_WEBHOOK_ALLOW_PRIVATE", "true"),
            ("COSELL_WEBHOOK_RETRY_BASE", "1h"),
            ("COSELL_ACE_SYNC", "off"),
            ("COSELL_RATE_PER_SUBJECT", "10"),
        ],
    )
    .await;
    let before = scrape(&server).await;
    let in_flight = "cosell_requests_in_flight";
    assert_eq!(value(&before, in_flight), 1.0, "the scrape itself");
    let admin = token("metrics-admin");

    // Requests by operation name and outcome; their latency and statements.
    let ok = r#"cosell_requests_total{operation="Partners",type="query",outcome="OK"}"#;
    for _ in 0..3 {
        assert_eq!(
            post(
                &server,
                Some(&admin),
                "query Partners { partners(first: 5) { nodes { id name } } }"
            )
            .await,
            200
        );
    }
    let partner = server
        .create(
            "mutation { createPartner(input: { name: \"Metered\" }) { id } }",
            json!({}),
        )
        .await;
    // A refusal: too many requests for one subject (bursts of 50 at 10 a second).
    let burst = token("metrics-burst");
    let mut limited = 0;
    for _ in 0..70 {
        if post(&server, Some(&burst), "query Burst { viewer { role } }").await == 429 {
            limited += 1;
        }
    }
    assert!(limited > 0);
    // Token refusals by reason.
    assert_eq!(post(&server, None, "{ viewer { role } }").await, 401);
    let mut forged = token("metrics-admin");
    forged.push('x');
    assert_eq!(
        post(&server, Some(&forged), "{ viewer { role } }").await,
        401
    );
    assert_eq!(
        post(&server, Some("not.a.jwt"), "{ viewer { role } }").await,
        401
    );

    // A webhook whose receiver is down: one delivery pending.
    let created = server
        .gql(
            "mutation($p: ID!, $i: WebhookInput!) { createWebhook(partnerId: $p, input: $i) { webhook { id } } }",
            json!({ "p": partner, "i": { "url": dead_url, "topics": ["OPPORTUNITY"] } }),
        )
        .await;
    assert!(
        created.1["data"]["createWebhook"]["webhook"]["id"].is_string(),
        "{created:?}"
    );
    let customer = server
        .create(
            "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id } }",
            json!({ "i": crate::fixtures::customer_input(&partner, "Metered Co") }),
        )
        .await;
    server
        .create(
            "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { id } }",
            json!({ "i": crate::fixtures::opportunity_input(&customer, "Metered deal", "m1") }),
        )
        .await;
    // An ACE outbox job waiting since two minutes ago (the sync is off here).
    let db = cosell::db::connect(&url).await.unwrap();
    {
        use sea_orm::{ActiveModelTrait, Set};
        let two_minutes_ago = chrono::Utc::now() - chrono::Duration::seconds(120);
        entity::ace_job::ActiveModel {
            id: Set("job_metrics".into()),
            partner_id: Set(partner.clone()),
            kind: Set("SUBMIT".into()),
            subject_id: Set("opp_metrics".into()),
            state: Set("WAITING".into()),
            step: Set(None),
            payload: Set(None),
            attempts: Set(0),
            next_attempt_at: Set(two_minutes_ago),
            last_error: Set(None),
            created_at: Set(two_minutes_ago),
            updated_at: Set(two_minutes_ago),
        }
        .insert(&db)
        .await
        .unwrap();
    }

    // A live connection with one subscription.
    let mut ws = Ws::open(&server.base, &admin).await;
    ws.subscribe(
        "o",
        "subscription { opportunityEvents { action } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await; // a delivery attempt fails meanwhile

    let after = scrape(&server).await;
    assert_eq!(value(&after, ok), 3.0);
    assert_eq!(
        value(
            &after,
            r#"cosell_request_duration_seconds_count{operation="Partners",type="query"}"#
        ),
        3.0
    );
    assert!(
        value(&after, "cosell_request_statements_sum")
            > value(&before, "cosell_request_statements_sum")
    );
    assert!(value(&after, "cosell_request_statements_count") >= 7.0);
    assert!(
        value(&after, "cosell_db_statement_duration_seconds_count")
            > value(&before, "cosell_db_statement_duration_seconds_count")
    );
    assert!(
        value(&after, "cosell_db_transaction_wait_seconds_count") >= 4.0,
        "each write began a transaction"
    );
    assert!(
        value(&after, r#"cosell_db_pool_connections{state="idle"}"#)
            + value(&after, r#"cosell_db_pool_connections{state="in_use"}"#)
            >= 1.0
    );
    // Refused before the body is read: the operation is not known yet.
    assert_eq!(
        value(
            &after,
            r#"cosell_requests_total{operation="anonymous",type="unknown",outcome="RATE_LIMITED"}"#
        ),
        limited as f64
    );
    assert_eq!(
        value(&after, r#"cosell_rate_limited_total{limit="request"}"#),
        limited as f64
    );
    assert_eq!(
        value(&after, r#"cosell_token_rejections_total{reason="missing"}"#),
        1.0
    );
    assert_eq!(
        value(
            &after,
            r#"cosell_token_rejections_total{reason="signature"}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            r#"cosell_token_rejections_total{reason="malformed"}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            r#"cosell_requests_total{operation="anonymous",type="unknown",outcome="UNAUTHENTICATED"}"#
        ),
        3.0
    );
    assert_eq!(value(&after, "cosell_ws_connections"), 1.0);
    assert_eq!(value(&after, "cosell_subscriptions"), 1.0);
    assert_eq!(
        value(&after, r#"cosell_webhook_deliveries{state="pending"}"#),
        1.0
    );
    assert!(value(&after, "cosell_webhook_oldest_pending_seconds") > 0.0);
    assert_eq!(
        value(&after, r#"cosell_webhook_attempts_total{result="failed"}"#),
        1.0
    );
    assert_eq!(
        value(&after, r#"cosell_ace_outbox_jobs{state="waiting"}"#),
        1.0
    );
    assert!(value(&after, "cosell_ace_outbox_oldest_seconds") >= 119.0);
    assert_eq!(
        value(&after, in_flight),
        1.0,
        "answered requests left the gauge"
    );

    // Closing the connection gives its places back.
    drop(ws);
    let mut closed = HashMap::new();
    for _ in 0..50 {
        closed = scrape(&server).await;
        if value(&closed, "cosell_ws_connections") == 0.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(value(&closed, "cosell_ws_connections"), 0.0);
    assert_eq!(value(&closed, "cosell_subscriptions"), 0.0);
}

#[tokio::test]
async fn metrics_move_to_their_own_address_behind_a_token() {
    let (url, _dir) = fresh_database().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let server = ServerProcess::start(
        &url,
        &[
            ("COSELL_METRICS_LISTEN", address.as_str()),
            ("COSELL_METRICS_TOKEN", "scrape-secret"),
        ],
    )
    .await;
    assert_eq!(
        server.status_of("/metrics").await,
        404,
        "not on the API port"
    );
    let apart = format!("http://{address}/metrics");
    let refused = server.client.get(&apart).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let wrong = server
        .client
        .get(&apart)
        .bearer_auth("scrape-secreT")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let samples = {
        let r = server
            .client
            .get(&apart)
            .bearer_auth("scrape-secret")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.text().await.unwrap()
    };
    assert!(samples.contains("cosell_requests_in_flight"), "{samples}");
}
