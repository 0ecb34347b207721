//! Webhooks: signed deliveries of the partner's events, retried and recorded, disabled when
//! they keep failing, never to private addresses unless allowed.
use crate::helpers::{LiveOptions, TestApp};
use crate::receiver::{Receiver, signature_valid};
use serde_json::{Value, json};
use std::time::Duration;

const CREATE: &str = "mutation($p: ID!, $input: WebhookInput!) { createWebhook(partnerId: $p, input: $input) { secret webhook { id url topics enabled disabledReason createdAt partner { id } } } }";
const DELIVERIES: &str = "query($id: ID!) { partner(id: $id) { webhooks { id enabled disabledReason deliveries(first: 50) { nodes { id topic action objectId status attempts lastResponseCode nextAttemptAt createdAt } pageInfo { hasNextPage } } } } }";

async fn deliveries(app: &TestApp, partner: &str) -> Vec<Value> {
    let r = app
        .gql(&app.admin(), DELIVERIES, json!({ "id": partner }))
        .await;
    r.data()["partner"]["webhooks"][0]["deliveries"]["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until every delivery of the partner's first webhook is out of PENDING.
async fn settled(app: &TestApp, partner: &str, n: usize) -> Vec<Value> {
    for _ in 0..300 {
        let all = deliveries(app, partner).await;
        if all.len() >= n && all.iter().all(|d| d["status"] != "PENDING") {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "deliveries did not settle: {:?}",
        deliveries(app, partner).await
    );
}

#[tokio::test]
async fn a_partners_events_arrive_signed_once_each_and_are_recorded() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let p1 = app.create_partner("Hooked").await;
    let p2 = app.create_partner("Other").await;
    let (webhook, secret) = app
        .create_webhook(
            &app.partner_admin(&p1),
            &p1,
            &receiver.url,
            &["OPPORTUNITY", "ASK"],
        )
        .await;

    let ready = app.ready_opportunity(&p1, "Signed").await; // CREATED, SOLUTION_ASSOCIATED
    let ask = app
        .create_ask(
            &app.partner_user(&p1),
            &ready.opportunity,
            "SOLUTION_ARCHITECTURE",
        )
        .await; // ASK CREATED
    app.ready_opportunity(&p2, "Not theirs").await; // partner B: nothing for this webhook
    let seller = app.seller(&[cosell::domain::enums::SegmentCode::Enterprise]);
    app.send_referral(&seller, &p1, "Referred Co").await; // REFERRAL: not among the topics

    let hits = receiver.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hits_after = receiver.hits();
    assert_eq!(
        hits_after.len(),
        3,
        "only this partner's events of its topics: {hits_after:?}"
    );
    let mut seen = Vec::new();
    for hit in &hits {
        assert!(signature_valid(&secret, hit), "signature of {}", hit.body);
        assert!(!signature_valid("whsec_wrong", hit));
        assert_eq!(hit.headers["content-type"], "application/json");
        let body = hit.json();
        assert_eq!(
            hit.headers["cosell-delivery-id"],
            body["id"].as_str().unwrap()
        );
        assert_eq!(body["webhookId"], json!(webhook));
        assert_eq!(body["partnerId"], json!(p1));
        assert_eq!(
            hit.headers["cosell-event"],
            format!(
                "{}.{}",
                body["topic"].as_str().unwrap(),
                body["action"].as_str().unwrap()
            )
        );
        assert_eq!(
            body["data"]["id"], body["objectId"],
            "the object, read as the partner"
        );
        seen.push((
            body["topic"].as_str().unwrap().to_string(),
            body["action"].as_str().unwrap().to_string(),
            body["objectId"].as_str().unwrap().to_string(),
        ));
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            ("ASK".to_string(), "CREATED".to_string(), ask.clone()),
            (
                "OPPORTUNITY".to_string(),
                "CREATED".to_string(),
                ready.opportunity.clone()
            ),
            (
                "OPPORTUNITY".to_string(),
                "SOLUTION_ASSOCIATED".to_string(),
                ready.opportunity.clone()
            ),
        ]
    );
    let opportunity_hit = hits
        .iter()
        .map(|h| h.json())
        .find(|b| b["action"] == "CREATED" && b["topic"] == "OPPORTUNITY")
        .unwrap();
    assert_eq!(opportunity_hit["data"]["title"], "Signed");

    let recorded = settled(&app, &p1, 3).await;
    assert_eq!(recorded.len(), 3);
    for d in &recorded {
        assert_eq!(d["status"], "DELIVERED");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["lastResponseCode"], 200);
        assert_eq!(d["nextAttemptAt"], Value::Null);
    }
    let ids: Vec<&str> = recorded.iter().map(|d| d["id"].as_str().unwrap()).collect();
    for hit in &hits {
        assert!(ids.contains(&hit.headers["cosell-delivery-id"].as_str()));
    }

    // Others see no webhooks; the secret is never readable again.
    for token in [app.partner_user(&p1), app.partner_admin(&p2), seller] {
        let r = app
            .gql(
                &token,
                "query($id: ID!) { partner(id: $id) { webhooks { id } } }",
                json!({ "id": p1 }),
            )
            .await;
        let webhooks = &r.body["data"]["partner"]["webhooks"];
        assert!(webhooks.is_null() || webhooks == &json!([]), "{}", r.body);
    }
    let r = app
        .gql(
            &app.admin(),
            "query($id: ID!) { node(id: $id) { ... on Webhook { url } } }",
            json!({ "id": webhook }),
        )
        .await;
    assert_eq!(r.data()["node"]["url"], json!(receiver.url));
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_the_same_id_and_recorded() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    receiver.answer(&[500, 503, 500]);
    let p1 = app.create_partner("Flaky").await;
    app.create_webhook(&app.admin(), &p1, &receiver.url, &["OPPORTUNITY"])
        .await;
    let customer = app.create_customer(&p1, "Retry Co").await;
    app.create_opportunity(&customer, "Retried").await;

    // Between attempts the failure is on record, with the next attempt's time.
    let mut failure_seen = false;
    for _ in 0..200 {
        let d = &deliveries(&app, &p1).await[0];
        if d["status"] == "PENDING" && d["attempts"].as_i64() >= Some(1) {
            assert!(
                [500, 503].contains(&d["lastResponseCode"].as_i64().unwrap()),
                "{d}"
            );
            assert!(d["nextAttemptAt"].is_string(), "{d}");
            failure_seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        failure_seen,
        "a failed attempt is recorded while the delivery waits"
    );

    let hits = receiver.wait_for(4).await;
    let ids: Vec<&str> = hits
        .iter()
        .map(|h| h.headers["cosell-delivery-id"].as_str())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "every attempt carries one id"
    );
    assert!(
        hits.iter().all(|h| h.body == hits[0].body),
        "every attempt sends the same bytes"
    );
    let recorded = settled(&app, &p1, 1).await;
    assert_eq!(recorded[0]["status"], "DELIVERED");
    assert_eq!(recorded[0]["attempts"], 4);
    assert_eq!(recorded[0]["lastResponseCode"], 200);
}

#[tokio::test]
async fn a_webhook_that_keeps_failing_is_disabled_with_the_reason_and_can_be_enabled_again() {
    let mut options = LiveOptions::default();
    options.webhooks.retry_window = Duration::from_secs(1);
    let app = TestApp::spawn_with_live(options).await;
    let receiver = Receiver::start().await;
    receiver.always(503);
    let p1 = app.create_partner("Down").await;
    let (webhook, _) = app
        .create_webhook(&app.admin(), &p1, &receiver.url, &["OPPORTUNITY"])
        .await;
    let customer = app.create_customer(&p1, "Down Co").await;
    app.create_opportunity(&customer, "Never delivered").await;

    let recorded = settled(&app, &p1, 1).await;
    assert_eq!(recorded[0]["status"], "FAILED");
    assert!(
        recorded[0]["attempts"].as_i64().unwrap() >= 2,
        "retried before giving up"
    );
    assert_eq!(recorded[0]["lastResponseCode"], 503);
    let r = app.gql(&app.admin(), DELIVERIES, json!({ "id": p1 })).await;
    let hook = &r.data()["partner"]["webhooks"][0];
    assert_eq!(hook["enabled"], false);
    assert!(
        hook["disabledReason"]
            .as_str()
            .unwrap()
            .contains("HTTP 503"),
        "{hook}"
    );

    // Disabled, it is owed nothing new.
    let before = receiver.hits().len();
    app.create_opportunity(&customer, "While disabled").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.hits().len(), before);
    assert_eq!(deliveries(&app, &p1).await.len(), 1);

    let r = app
        .gql(
            &app.admin(),
            "mutation($id: ID!, $u: String!) { updateWebhook(id: $id, input: { url: $u, topics: [OPPORTUNITY], enabled: true }) { enabled disabledReason } }",
            json!({ "id": webhook, "u": receiver.url }),
        )
        .await;
    assert_eq!(
        r.data()["updateWebhook"],
        json!({ "enabled": true, "disabledReason": null })
    );
}

#[tokio::test]
async fn webhook_input_is_validated_and_private_receivers_need_the_servers_leave() {
    let mut options = LiveOptions::default();
    options.webhooks.allow_private = false;
    let app = TestApp::spawn_with_live(options).await;
    let p1 = app.create_partner("Guarded").await;
    for url in [
        "http://hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest/meta-data",
        "https://10.1.2.3/x",
        "https://localhost:8443/x",
        "https://user:pass@hooks.example.com/x",
        "hooks.example.com",
    ] {
        let r = app
            .gql(
                &app.admin(),
                CREATE,
                json!({ "p": p1, "input": { "url": url, "topics": ["ASK"] } }),
            )
            .await;
        assert_eq!(r.code(), "BAD_USER_INPUT", "{url}");
        assert_eq!(
            r.fields(),
            [("input.url".to_string(), "INVALID_VALUE".to_string())],
            "{url}"
        );
    }
    let r = app
        .gql(
            &app.admin(),
            CREATE,
            json!({ "p": p1, "input": { "url": "https://hooks.example.com/x", "topics": [] } }),
        )
        .await;
    assert_eq!(
        r.fields(),
        [(
            "input.topics".to_string(),
            "REQUIRED_FIELD_MISSING".to_string()
        )]
    );
    app.create_webhook(
        &app.admin(),
        &p1,
        "https://hooks.example.com/cosell",
        &["ASK", "ASK"],
    )
    .await;
    let r = app
        .gql(
            &app.admin(),
            "query($id: ID!) { partner(id: $id) { webhooks { url topics enabled } } }",
            json!({ "id": p1 }),
        )
        .await;
    assert_eq!(
        r.data()["partner"]["webhooks"],
        json!([{ "url": "https://hooks.example.com/cosell", "topics": ["ASK"], "enabled": true }])
    );
}

#[tokio::test]
async fn deleting_a_webhook_removes_it_and_its_deliveries() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let p1 = app.create_partner("Deleted").await;
    let (webhook, _) = app
        .create_webhook(
            &app.partner_admin(&p1),
            &p1,
            &receiver.url,
            &["OPPORTUNITY"],
        )
        .await;
    let customer = app.create_customer(&p1, "Gone Co").await;
    app.create_opportunity(&customer, "Before delete").await;
    receiver.wait_for(1).await;
    let r = app
        .gql(
            &app.partner_admin(&p1),
            "mutation($id: ID!) { deleteWebhook(id: $id) }",
            json!({ "id": webhook }),
        )
        .await;
    assert_eq!(r.data()["deleteWebhook"], json!(webhook));
    let r = app
        .gql(
            &app.admin(),
            "query($id: ID!) { partner(id: $id) { webhooks { id } } }",
            json!({ "id": p1 }),
        )
        .await;
    assert_eq!(r.data()["partner"]["webhooks"], json!([]));
    app.create_opportunity(&customer, "After delete").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.hits().len(), 1);
}

#[tokio::test]
async fn a_referral_arrives_as_its_partner_reads_it() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let p1 = app.create_partner("Referred").await;
    let (_, secret) = app
        .create_webhook(&app.partner_admin(&p1), &p1, &receiver.url, &["REFERRAL"])
        .await;
    let seller = app.seller(&[cosell::domain::enums::SegmentCode::Enterprise]);
    let referral = app.send_referral(&seller, &p1, "Referred Co").await;
    let hit = receiver.wait_for(1).await.remove(0);
    assert!(signature_valid(&secret, &hit));
    let body = hit.json();
    assert_eq!(body["topic"], "REFERRAL");
    assert_eq!(body["action"], "CREATED");
    assert_eq!(body["actor"], "seller@aws.example");
    assert_eq!(body["data"]["id"], json!(referral));
    assert_eq!(body["data"]["status"], "PENDING");
    assert!(body["data"]["projectTitle"].is_string(), "{body}");
}
