//! Several instances on one database: events reach subscribers of any instance, each webhook
//! delivery is sent by exactly one, and a delivery survives the server being killed.
use crate::helpers::{TestApp, fresh_database};
use crate::process::ServerProcess;
use crate::receiver::Receiver;
use crate::ws::Ws;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

#[tokio::test]
async fn a_change_through_one_instance_reaches_a_subscriber_of_another() {
    let (url, dir) = fresh_database().await;
    let one = TestApp::spawn_on(&url, None).await;
    let two = TestApp::spawn_on(&url, dir).await;
    let p1 = one.create_partner("Two instances").await;
    let mut ws = Ws::open(&two.base, &two.partner_user(&p1)).await;
    ws.subscribe(
        "o",
        "subscription { opportunityEvents { action opportunity { id title } } }",
        json!({}),
    )
    .await;
    let customer = one.create_customer(&p1, "Across Co").await;
    let opportunity = one.create_opportunity(&customer, "Made on one").await;
    let event = ws
        .event(Duration::from_secs(5))
        .await
        .expect("the event crosses instances");
    assert_eq!(event["data"]["opportunityEvents"]["action"], "CREATED");
    assert_eq!(
        event["data"]["opportunityEvents"]["opportunity"]["id"],
        json!(opportunity)
    );
    assert!(
        ws.drain(Duration::from_millis(400)).await.is_empty(),
        "once, not once per instance"
    );
}

#[tokio::test]
async fn each_webhook_delivery_is_sent_by_exactly_one_instance() {
    let (url, dir) = fresh_database().await;
    let one = TestApp::spawn_on(&url, None).await;
    let two = TestApp::spawn_on(&url, dir).await;
    let receiver = Receiver::start().await;
    let p1 = one.create_partner("Once").await;
    one.create_webhook(&one.admin(), &p1, &receiver.url, &["OPPORTUNITY"])
        .await;
    let customer = one.create_customer(&p1, "Once Co").await;
    for i in 0..15 {
        let app = if i % 2 == 0 { &one } else { &two };
        app.create_opportunity(&customer, &format!("Deal {i}"))
            .await;
    }
    let hits = receiver.wait_for(15).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for hit in receiver.hits() {
        *per_id
            .entry(hit.headers["cosell-delivery-id"].clone())
            .or_default() += 1;
    }
    assert_eq!(per_id.len(), 15, "{hits:?}");
    assert!(
        per_id.values().all(|n| *n == 1),
        "sent once each: {per_id:?}"
    );
}

#[tokio::test]
async fn a_delivery_survives_the_server_being_killed_after_the_commit() {
    let (url, _dir) = fresh_database().await;
    // The receiver's port is chosen now, but nothing listens on it until after the kill: every
    // attempt before it is refused.
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let hook_url = format!("http://{address}/hook");
    let env = [
        ("COSELL_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("COSELL_WEBHOOK_RETRY_BASE", "1s"),
        ("COSELL_WEBHOOK_TIMEOUT", "1s"),
    ];
    let mut server = ServerProcess::start(&url, &env).await;
    let partner = server
        .create(
            "mutation { createPartner(input: { name: \"Crash\" }) { id } }",
            json!({}),
        )
        .await;
    let (_, r) = server
        .gql(
            "mutation($p: ID!, $u: String!) { createWebhook(partnerId: $p, input: { url: $u, topics: [OPPORTUNITY] }) { secret } }",
            json!({ "p": partner, "u": hook_url }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let customer = server
        .create(
            "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
            json!({ "input": crate::fixtures::customer_input(&partner, "Crash Co") }),
        )
        .await;
    let opportunity = server
        .create(
            "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id } }",
            json!({ "input": crate::fixtures::opportunity_input(&customer, "Committed, then killed", "crash-1") }),
        )
        .await;
    server.signal(libc::SIGKILL);
    server.wait_exit(Duration::from_secs(5)).expect("killed");

    let receiver = Receiver::on(std::net::TcpListener::bind(address).unwrap());
    let _restarted = ServerProcess::start(&url, &env).await;
    // Killed mid-attempt, the delivery waits out its lease (2 × 1 s timeout + 5 s) first.
    let hits = receiver.wait_for_within(1, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.hits().len(), 1, "delivered once: {hits:?}");
    let body = hits[0].json();
    assert_eq!(body["objectId"], json!(opportunity));
    assert_eq!(body["action"], "CREATED");
}

/// The feed survives losing its database connection: on PostgreSQL the listening connection is
/// cut, and events still arrive (those committed meanwhile are read by number on reconnect).
#[tokio::test]
async fn events_keep_coming_after_the_feeds_connection_is_cut() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Cut").await;
    let customer = app.create_customer(&p1, "Cut Co").await;
    app.settle().await;
    let mut ws = Ws::open(&app.base, &app.partner_user(&p1)).await;
    ws.subscribe(
        "o",
        "subscription { opportunityEvents { action opportunity { title } } }",
        json!({}),
    )
    .await;
    if crate::helpers::on_postgres() {
        let cut = app
            .db
            .execute_unprepared(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND query LIKE 'LISTEN%'",
            )
            .await
            .unwrap();
        assert_eq!(
            cut.rows_affected(),
            1,
            "the feed's listening connection was cut"
        );
    }
    for title in ["After the cut", "And again"] {
        app.create_opportunity(&customer, title).await;
    }
    let mut titles = Vec::new();
    while titles.len() < 2 {
        let event = ws
            .event(Duration::from_secs(15))
            .await
            .unwrap_or_else(|| panic!("events after the cut: {titles:?}"));
        titles.push(
            event["data"]["opportunityEvents"]["opportunity"]["title"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(titles, ["After the cut", "And again"]);
}
