//! Live updates over `/graphql/ws`: who receives which event, in what order, with what hidden;
//! authentication and the connection's limits; OVERDUE asks; one read per event.
use crate::helpers::{LiveOptions, TestApp};
use crate::ws::{Frame, LEGACY_WS, TRANSPORT_WS, Ws};
use cosell::auth::MintRequest;
use cosell::domain::enums::{Role, SegmentCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

const ASK_EVENTS: &str = "subscription($o: ID, $p: ID) { askEvents(opportunityId: $o, partnerId: $p) { action actor at ask { id status opportunity { id } } } }";
const OPPORTUNITY_EVENTS: &str = "subscription { opportunityEvents { action actor opportunity { id reviewStatus internalNotes } } }";

const WAIT: Duration = Duration::from_secs(5);
/// How long "nothing arrives" is waited for once the events that should arrive have.
const QUIET: Duration = Duration::from_millis(400);

fn actions(events: &[Value], root: &str) -> Vec<String> {
    events
        .iter()
        .map(|e| e["data"][root]["action"].as_str().unwrap().to_string())
        .collect()
}

/// A customer of `partner` in `segment` with an opportunity ready to submit (an active solution
/// associated); returns the opportunity.
async fn opportunity_in(app: &TestApp, partner: &str, segment: &str, title: &str) -> String {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let mut input = crate::fixtures::customer_input(partner, &format!("Customer {}", &tag[..8]));
    input["segment"] = json!(segment);
    let customer = app
        .gql(
            &app.admin(),
            "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await
        .data()["createCustomer"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let solution = app
        .create_solution(partner, &format!("Solution {}", &tag[..8]), "ACTIVE")
        .await;
    let opportunity = app.create_opportunity(&customer, title).await;
    app.associate(&opportunity, &solution).await;
    opportunity
}

#[tokio::test]
async fn an_ask_worked_by_aws_reaches_its_partners_subscription_in_order_and_no_one_elses() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Live P1").await;
    let p2 = app.create_partner("Live P2").await;
    let shared = app.shared_opportunity(&p1, "Shared with AWS").await;

    let seller = app.seller(&[SegmentCode::Enterprise]);
    let mut partner = Ws::open(&app.base, &app.partner_user(&p1)).await;
    let mut other_partner = Ws::open(&app.base, &app.partner_user(&p2)).await;
    let mut aws = Ws::open(&app.base, &seller).await;
    let mut other_segment = Ws::open(&app.base, &app.seller(&[SegmentCode::Isv])).await;
    for ws in [
        &mut partner,
        &mut other_partner,
        &mut aws,
        &mut other_segment,
    ] {
        ws.subscribe("asks", ASK_EVENTS, json!({})).await;
    }

    let ask = app
        .create_ask(
            &app.partner_user(&p1),
            &shared.opportunity,
            "SOLUTION_ARCHITECTURE",
        )
        .await;
    for (to, response) in [
        ("ACKNOWLEDGED", None),
        ("IN_PROGRESS", None),
        ("FULFILLED", Some("Architecture reviewed.")),
    ] {
        let r = app.transition_ask(&seller, &ask, to, response).await;
        assert!(r.body["errors"].is_null(), "{to}: {}", r.body);
    }

    let mut received = Vec::new();
    while received.len() < 4 {
        received.push(
            partner
                .event(WAIT)
                .await
                .expect("the partner's events arrive"),
        );
    }
    assert_eq!(
        actions(&received, "askEvents"),
        [
            "CREATED",
            "STATUS_CHANGED",
            "STATUS_CHANGED",
            "STATUS_CHANGED"
        ]
    );
    let statuses: Vec<&str> = received
        .iter()
        .map(|e| e["data"]["askEvents"]["ask"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["OPEN", "ACKNOWLEDGED", "IN_PROGRESS", "FULFILLED"]
    );
    assert_eq!(
        received[0]["data"]["askEvents"]["actor"],
        "partneruser@".to_string() + &p1
    );
    for e in &received[1..] {
        assert_eq!(e["data"]["askEvents"]["actor"], "seller@aws.example");
        assert_eq!(e["data"]["askEvents"]["ask"]["id"], json!(ask));
    }
    assert!(partner.drain(QUIET).await.is_empty(), "each change once");

    let aws_events = aws.drain(QUIET).await;
    assert_eq!(
        aws_events.len(),
        4,
        "the seller in the segment sees the submitted opportunity's ask"
    );
    assert!(
        other_partner.drain(QUIET).await.is_empty(),
        "partner B receives nothing of partner A"
    );
    assert!(
        other_segment.drain(QUIET).await.is_empty(),
        "a seller of another segment receives nothing"
    );
}

#[tokio::test]
async fn aws_side_subscribers_see_only_submitted_opportunities_in_scope_and_never_internal_notes() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Notes P1").await;
    let mut partner = Ws::open(&app.base, &app.partner_user(&p1)).await;
    let mut seller = Ws::open(&app.base, &app.seller(&[SegmentCode::Enterprise])).await;
    let mut manager = Ws::open(&app.base, &app.manager(&[&p1])).await;
    for ws in [&mut partner, &mut seller, &mut manager] {
        ws.subscribe("o", OPPORTUNITY_EVENTS, json!({})).await;
    }

    let ready = app.ready_opportunity(&p1, "Not yet shared").await;
    let notes = app
        .update_opportunity(
            &app.partner_user(&p1),
            &ready.opportunity,
            json!({ "internalNotes": "Margin is thin." }),
        )
        .await;
    assert!(notes.body["errors"].is_null(), "{}", notes.body);
    let partner_events = partner.drain(QUIET).await;
    assert_eq!(
        actions(&partner_events, "opportunityEvents"),
        ["CREATED", "SOLUTION_ASSOCIATED", "NOTES_UPDATED"]
    );
    assert_eq!(
        partner_events[2]["data"]["opportunityEvents"]["opportunity"]["internalNotes"],
        "Margin is thin."
    );
    assert!(
        seller.drain(QUIET).await.is_empty(),
        "nothing before submission"
    );
    assert!(
        manager.drain(QUIET).await.is_empty(),
        "nothing before submission"
    );

    app.bring_to(&ready.opportunity, "SUBMITTED").await;
    for ws in [&mut seller, &mut manager] {
        let event = ws.event(WAIT).await.expect("the submission reaches AWS");
        let event = &event["data"]["opportunityEvents"];
        assert_eq!(event["action"], "SUBMITTED");
        assert_eq!(event["opportunity"]["reviewStatus"], "SUBMITTED");
        assert_eq!(event["opportunity"]["internalNotes"], Value::Null);
    }
    // A notes change after submission is the partner's alone, not even its existence leaks.
    let notes = app
        .gql(
            &app.partner_user(&p1),
            "mutation($id: ID!, $v: Int!) { updateOpportunity(id: $id, expectedVersion: $v, input: { internalNotes: \"Renewal in May.\" }) { id } }",
            json!({ "id": ready.opportunity, "v": app.version_of(&ready.opportunity).await }),
        )
        .await;
    assert!(notes.body["errors"].is_null(), "{}", notes.body);
    let partner_events = partner.drain(QUIET).await;
    assert_eq!(
        actions(&partner_events, "opportunityEvents"),
        ["SUBMITTED", "NOTES_UPDATED"]
    );
    assert!(
        seller.drain(QUIET).await.is_empty(),
        "no NOTES_UPDATED on the AWS side"
    );
    assert!(
        manager.drain(QUIET).await.is_empty(),
        "no NOTES_UPDATED on the AWS side"
    );
}

/// The live scope and the read scope are one rule: for every role, the opportunities it
/// received events about are exactly those its reads list.
#[tokio::test]
async fn live_scope_agrees_with_read_scope_for_every_role() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Scope P1").await;
    let p2 = app.create_partner("Scope P2").await;
    let mut manager_p1 = MintRequest::new(Role::PartnerManager, "pdm1@aws.example");
    manager_p1.partner_ids = vec![p1.clone()];
    let mut manager_p2 = MintRequest::new(Role::PartnerManager, "pdm2@aws.example");
    manager_p2.partner_ids = vec![p2.clone()];
    let viewers = [
        ("PARTNER_USER of P1", app.partner_user(&p1)),
        ("PARTNER_ADMIN of P2", app.partner_admin(&p2)),
        (
            "AWS_SELLER (ENTERPRISE)",
            app.seller(&[SegmentCode::Enterprise]),
        ),
        (
            "AWS_SELLER (ISV, SMB)",
            app.seller(&[SegmentCode::Isv, SegmentCode::Smb]),
        ),
        ("PARTNER_MANAGER of P1", app.mint(&manager_p1)),
        ("PARTNER_MANAGER of P2", app.mint(&manager_p2)),
        ("ADMIN", app.admin()),
    ];
    let mut sockets = Vec::new();
    for (_, token) in &viewers {
        let mut ws = Ws::open(&app.base, token).await;
        ws.subscribe("o", OPPORTUNITY_EVENTS, json!({})).await;
        sockets.push(ws);
    }

    for (partner, segment, submit) in [
        (&p1, "ENTERPRISE", true),
        (&p1, "SMB", true),
        (&p1, "ENTERPRISE", false),
        (&p2, "ENTERPRISE", true),
        (&p2, "ISV", false),
        (&p2, "ISV", true),
    ] {
        let id = opportunity_in(&app, partner, segment, "Scope check").await;
        if submit {
            app.bring_to(&id, "SUBMITTED").await;
        }
    }

    for ((name, token), ws) in viewers.iter().zip(sockets.iter_mut()) {
        let live: BTreeSet<String> = ws
            .drain(QUIET)
            .await
            .iter()
            .map(|e| {
                e["data"]["opportunityEvents"]["opportunity"]["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let read = app
            .gql(
                token,
                "{ opportunities(first: 100) { nodes { id } } }",
                json!({}),
            )
            .await;
        let read: BTreeSet<String> = read.data()["opportunities"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            live, read,
            "{name}: live events and reads cover the same opportunities"
        );
    }
}

#[tokio::test]
async fn a_connection_without_a_valid_token_is_closed_with_the_protocols_code() {
    let app = TestApp::spawn().await;

    let mut ws = Ws::connect(&app.base, TRANSPORT_WS).await;
    ws.send(json!({ "type": "connection_init", "payload": {} }))
        .await;
    assert_eq!(ws.closed(WAIT).await.0, 4403, "no token");

    let mut ws = Ws::connect(&app.base, TRANSPORT_WS).await;
    ws.send(
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer not-a-token" } }),
    )
    .await;
    let (code, reason) = ws.closed(WAIT).await;
    assert_eq!(code, 4403, "bad token");
    assert!(
        !reason.contains("not-a-token"),
        "the reason carries no token"
    );

    let mut ws = Ws::connect(&app.base, TRANSPORT_WS).await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": OPPORTUNITY_EVENTS } }))
        .await;
    assert_eq!(
        ws.closed(WAIT).await.0,
        4401,
        "subscribe before connection_init"
    );

    // The legacy protocol answers connection_error, then closes.
    let mut ws = Ws::connect(&app.base, LEGACY_WS).await;
    ws.send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer nope" } }))
        .await;
    match ws.next(WAIT).await {
        Frame::Json(v) => assert_eq!(v["type"], "connection_error"),
        other => panic!("expected connection_error, got {other:?}"),
    }
    assert_eq!(ws.closed(WAIT).await.0, 4403);

    // A handshake without a GraphQL sub-protocol is refused before the upgrade.
    let response = app
        .client
        .get(format!("{}/graphql/ws", app.base))
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn the_connection_closes_when_its_token_expires() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Expiry").await;
    let mut request = MintRequest::new(Role::PartnerUser, "short-lived@p1");
    request.partner_id = Some(p1);
    request.ttl_seconds = 2;
    let mut ws = Ws::open(&app.base, &app.mint(&request)).await;
    ws.subscribe("o", OPPORTUNITY_EVENTS, json!({})).await;
    let (code, reason) = ws.closed(Duration::from_secs(6)).await;
    assert_eq!((code, reason.as_str()), (4403, "Token expired"));
}

#[tokio::test]
async fn limits_close_the_connection_with_a_clear_reason() {
    let mut options = LiveOptions::default();
    options.live.max_subscriptions = 2;
    options.live.max_connections_per_subject = 2;
    options.live.init_timeout = Duration::from_millis(300);
    let app = TestApp::spawn_with_live(options).await;
    let p1 = app.create_partner("Limits").await;
    let token = app.partner_user(&p1);

    let mut first = Ws::open(&app.base, &token).await;
    first.subscribe("1", OPPORTUNITY_EVENTS, json!({})).await;
    first.subscribe("2", ASK_EVENTS, json!({})).await;
    first
        .send(json!({ "id": "3", "type": "subscribe", "payload": { "query": ASK_EVENTS } }))
        .await;
    let (code, reason) = first.closed(WAIT).await;
    assert_eq!(code, 1008);
    assert!(reason.contains("Too many subscriptions"), "{reason}");

    let _second = Ws::open(&app.base, &token).await;
    let _third = Ws::open(&app.base, &token).await;
    let mut fourth = Ws::connect(&app.base, TRANSPORT_WS).await;
    fourth
        .send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))
        .await;
    let (code, reason) = fourth.closed(WAIT).await;
    assert_eq!(code, 1008);
    assert!(reason.contains("Too many connections"), "{reason}");

    let mut silent = Ws::connect(&app.base, TRANSPORT_WS).await;
    assert_eq!(
        silent.closed(WAIT).await.0,
        4408,
        "no connection_init in time"
    );

    let mut twice = Ws::open(&app.base, &app.admin()).await;
    twice.subscribe("same", OPPORTUNITY_EVENTS, json!({})).await;
    twice
        .send(json!({ "id": "same", "type": "subscribe", "payload": { "query": OPPORTUNITY_EVENTS } }))
        .await;
    assert_eq!(twice.closed(WAIT).await.0, 4409, "an id in use");
}

#[tokio::test]
async fn mutations_go_over_http_and_queries_work_over_the_socket() {
    let app = TestApp::spawn().await;
    let mut ws = Ws::open(&app.base, &app.admin()).await;
    ws.send(json!({ "id": "m", "type": "subscribe", "payload": { "query": "mutation { createPartner(input: { name: \"Over WS\" }) { id } }" } }))
        .await;
    let error = match ws.next(WAIT).await {
        Frame::Json(v) => v,
        other => panic!("{other:?}"),
    };
    assert_eq!(error["type"], "next");
    assert_eq!(
        error["payload"]["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    match ws.next(WAIT).await {
        Frame::Json(v) => assert_eq!(
            (v["type"].as_str(), v["id"].as_str()),
            (Some("complete"), Some("m"))
        ),
        other => panic!("{other:?}"),
    }
    let r = app
        .gql(
            &app.admin(),
            "{ partners(filter: { search: \"Over WS\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["partners"]["totalCount"], 0, "nothing was written");

    ws.send(
        json!({ "id": "q", "type": "subscribe", "payload": { "query": "{ viewer { role } }" } }),
    )
    .await;
    let answer = ws.event(WAIT).await.unwrap();
    assert_eq!(answer["data"]["viewer"]["role"], "ADMIN");
}

#[tokio::test]
async fn the_legacy_graphql_ws_protocol_delivers_events_too() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Legacy").await;
    let mut ws = Ws::connect(&app.base, LEGACY_WS).await;
    ws.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {}", app.partner_user(&p1)) } }))
        .await;
    match ws.next(WAIT).await {
        Frame::Json(v) => assert_eq!(v["type"], "connection_ack"),
        other => panic!("{other:?}"),
    }
    ws.send(json!({ "id": "1", "type": "start", "payload": { "query": OPPORTUNITY_EVENTS } }))
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ready = app.ready_opportunity(&p1, "Legacy client").await;
    let event = ws
        .event(WAIT)
        .await
        .expect("an event over the legacy protocol");
    assert_eq!(event["data"]["opportunityEvents"]["action"], "CREATED");
    assert_eq!(
        event["data"]["opportunityEvents"]["opportunity"]["id"],
        json!(ready.opportunity)
    );
}

#[tokio::test]
async fn an_open_ask_past_its_due_date_is_announced_once() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Overdue").await;
    let ready = app.ready_opportunity(&p1, "Deadline").await;
    let ask = app
        .create_ask(
            &app.partner_user(&p1),
            &ready.opportunity,
            "SOLUTION_ARCHITECTURE",
        )
        .await;
    app.settle().await;
    let mut ws = Ws::open(&app.base, &app.partner_user(&p1)).await;
    ws.subscribe("a", ASK_EVENTS, json!({ "o": ready.opportunity }))
        .await;

    // The due date passes (set in the database: the API refuses dates in the past).
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    app.db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            app.db.get_database_backend(),
            if crate::helpers::on_postgres() {
                "UPDATE ask SET due_date = $1 WHERE id = $2"
            } else {
                "UPDATE ask SET due_date = ? WHERE id = ?"
            },
            [yesterday.into(), ask.clone().into()],
        ))
        .await
        .unwrap();

    let event = ws.event(WAIT).await.expect("OVERDUE arrives");
    assert_eq!(event["data"]["askEvents"]["action"], "OVERDUE");
    assert_eq!(event["data"]["askEvents"]["actor"], "cosell");
    assert!(
        ws.drain(Duration::from_secs(1)).await.is_empty(),
        "once, not at every check"
    );
    let history = app
        .gql(
            &app.admin(),
            "query($id: ID!) { ask(id: $id) { overdue } }",
            json!({ "id": ask }),
        )
        .await;
    assert_eq!(history.data()["ask"]["overdue"], true);
}

#[tokio::test]
async fn an_event_costs_one_read_whatever_the_number_of_subscribers() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Fan-out").await;
    let ready = app.ready_opportunity(&p1, "Many eyes").await;
    app.settle().await;
    let mut sockets = Vec::new();
    for i in 0..20 {
        let mut ws = Ws::open(&app.base, &app.partner_user(&p1)).await;
        ws.subscribe(&format!("s{i}"), OPPORTUNITY_EVENTS, json!({}))
            .await;
        sockets.push(ws);
    }
    let before = app.feed_reads();
    let r = app
        .update_opportunity(
            &app.admin(),
            &ready.opportunity,
            json!({ "internalNotes": "Seen by 20." }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    for ws in &mut sockets {
        let event = ws.event(WAIT).await.expect("every subscriber gets it");
        assert_eq!(
            event["data"]["opportunityEvents"]["action"],
            "NOTES_UPDATED"
        );
    }
    assert_eq!(app.feed_reads() - before, 1, "one read for 20 subscribers");
}

/// The same flow through real clients: the graphql-ws library and Apollo Client's
/// GraphQLWsLink, token in connection_init.
#[tokio::test]
async fn real_graphql_ws_and_apollo_clients_receive_an_asks_events_in_order() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Real clients").await;
    let shared = app.shared_opportunity(&p1, "Worked by AWS").await;
    let url = format!("{}/graphql/ws", app.base.replacen("http://", "ws://", 1));
    let token = app.partner_user(&p1);
    let mut clients = crate::node::spawn(
        "live-clients.mjs",
        &[("URL", &url), ("TOKEN", &token), ("COUNT", "3")],
    )
    .await;
    assert_eq!(clients.line(Duration::from_secs(60)).await, "READY");

    let seller = app.seller(&[SegmentCode::Enterprise]);
    let ask = app
        .create_ask(&token, &shared.opportunity, "SOLUTION_ARCHITECTURE")
        .await;
    for to in ["ACKNOWLEDGED", "IN_PROGRESS"] {
        let r = app.transition_ask(&seller, &ask, to, None).await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
    }
    let out: Value = serde_json::from_str(&clients.line(Duration::from_secs(20)).await).unwrap();
    let expected = json!([
        { "action": "CREATED", "actor": format!("partneruser@{p1}"), "ask": { "id": ask, "status": "OPEN" } },
        { "action": "STATUS_CHANGED", "actor": "seller@aws.example", "ask": { "id": ask, "status": "ACKNOWLEDGED" } },
        { "action": "STATUS_CHANGED", "actor": "seller@aws.example", "ask": { "id": ask, "status": "IN_PROGRESS" } },
    ]);
    assert_eq!(out["graphqlWs"], expected);
    let apollo: Vec<Value> = out["apollo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut e = e.clone();
            // Apollo's cache adds __typename.
            e.as_object_mut().unwrap().remove("__typename");
            e["ask"].as_object_mut().unwrap().remove("__typename");
            e
        })
        .collect();
    assert_eq!(json!(apollo), expected);
    assert_eq!(out["refusedCode"], 4403, "a bad token closes with 4403");
}

/// A subscriber that stops reading is disconnected (1013) once it falls its buffer behind;
/// a subscriber beside it receives every event.
#[tokio::test]
async fn a_subscriber_that_stops_reading_is_disconnected_and_the_others_are_not_slowed() {
    let mut options = LiveOptions::default();
    options.live.buffer = 8;
    // Long enough that the silent client is not dropped for missing pings first.
    options.live.keepalive = Duration::from_secs(4);
    let app = TestApp::spawn_with_live(options).await;
    let p1 = app.create_partner("Slow reader").await;
    let ready = app.ready_opportunity(&p1, "Busy").await;
    let token = app.partner_user(&p1);
    app.settle().await;

    let mut healthy = Ws::open(&app.base, &token).await;
    healthy.subscribe("h", OPPORTUNITY_EVENTS, json!({})).await;
    // Large events (the opportunity's recent history with each change's text) outgrow what
    // the kernel's socket buffers hold for a client that reads nothing.
    let mut slow = Ws::open_with_small_buffer(&app.base, &token).await;
    slow.subscribe(
        "s",
        "subscription { opportunityEvents { action opportunity { history(first: 50) { nodes { changes } } } } }",
        json!({}),
    )
    .await;

    // Many changes while the slow client reads nothing and the other reads as they come.
    let changes = 150;
    let reader = tokio::spawn(async move {
        let mut received = 0;
        while received < changes && healthy.event(Duration::from_secs(10)).await.is_some() {
            received += 1;
        }
        received
    });
    let note = "x".repeat(1900);
    let mut version = app.version_of(&ready.opportunity).await;
    for i in 0..changes {
        let r = app
            .gql(
                &token,
                "mutation($id: ID!, $v: Int!, $n: String!) { updateOpportunity(id: $id, expectedVersion: $v, input: { internalNotes: $n }) { version } }",
                json!({ "id": ready.opportunity, "v": version, "n": format!("{i} {note}") }),
            )
            .await;
        version = r.data()["updateOpportunity"]["version"].as_i64().unwrap();
    }
    assert_eq!(
        reader.await.unwrap(),
        changes,
        "the reader beside it got every event"
    );

    // The close frame queues behind what the client never read: it arrives, or the server's
    // end of the socket is already gone (a reset) by the time the client reads again.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the slow subscriber stays connected"
        );
        match slow.next(Duration::from_secs(5)).await {
            Frame::Close(code, reason) => {
                assert_eq!(code, 1013, "{reason}");
                assert!(reason.contains("too slow"), "{reason}");
                break;
            }
            Frame::Ended => break,
            Frame::Json(_) => continue,
            Frame::Silence => panic!("the slow subscriber stays connected, silent"),
        }
    }
}
