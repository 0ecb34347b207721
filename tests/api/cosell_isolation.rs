//! Isolation of asks and referrals across partners, segments and managed partners: an object
//! outside the viewer's scope is NOT_FOUND on every path (by id, `node`, lists, nested lists,
//! mutations), and AWS-side viewers see an ask only once its opportunity is submitted.
use crate::helpers::TestApp;
use cosell::domain::enums::SegmentCode;
use serde_json::{Value, json};

async fn ask_visible(app: &TestApp, token: &str, id: &str) -> bool {
    let by_id = app
        .gql(
            token,
            "query($id: ID!) { ask(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    let node = app
        .gql(
            token,
            "query($id: ID!) { nodes(ids: [$id]) { id } }",
            json!({ "id": id }),
        )
        .await;
    let listed = app
        .gql(token, "{ asks(first: 100) { nodes { id } } }", json!({}))
        .await;
    let in_list = listed.data()["asks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["id"] == id);
    let found = by_id.body["errors"].is_null();
    if !found {
        assert_eq!(by_id.code(), "NOT_FOUND", "{}", by_id.body);
    }
    // Every path agrees.
    assert_eq!(node.data()["nodes"][0].is_null(), !found, "node path");
    assert_eq!(in_list, found, "list path");
    found
}

async fn referral_visible(app: &TestApp, token: &str, id: &str) -> bool {
    let by_id = app
        .gql(
            token,
            "query($id: ID!) { referral(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    let node = app
        .gql(
            token,
            "query($id: ID!) { nodes(ids: [$id]) { id } }",
            json!({ "id": id }),
        )
        .await;
    let listed = app
        .gql(
            token,
            "{ referrals(first: 100) { nodes { id } } }",
            json!({}),
        )
        .await;
    let in_list = listed.data()["referrals"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["id"] == id);
    let found = by_id.body["errors"].is_null();
    if !found {
        assert_eq!(by_id.code(), "NOT_FOUND", "{}", by_id.body);
    }
    assert_eq!(node.data()["nodes"][0].is_null(), !found, "node path");
    assert_eq!(in_list, found, "list path");
    found
}

#[tokio::test]
async fn asks_are_seen_by_their_partner_and_by_aws_in_scope_once_submitted() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Isolated One").await;
    let p2 = app.create_partner("Isolated Two").await;
    let ready = app.ready_opportunity(&p1, "Private deal").await;
    let ask = app
        .create_ask(&app.partner_user(&p1), &ready.opportunity, "FUNDING")
        .await;
    let viewers: Vec<(&str, String, bool, bool)> = vec![
        // (who, token, sees before submission, sees after)
        ("own partner user", app.partner_user(&p1), true, true),
        ("own partner admin", app.partner_admin(&p1), true, true),
        ("other partner", app.partner_user(&p2), false, false),
        (
            "seller of the segment",
            app.seller(&[SegmentCode::Enterprise]),
            false,
            true,
        ),
        (
            "seller of other segments",
            app.seller(&[SegmentCode::Smb, SegmentCode::Isv]),
            false,
            false,
        ),
        ("manager of the partner", app.manager(&[&p1]), false, true),
        (
            "manager of another partner",
            app.manager(&[&p2]),
            false,
            false,
        ),
        ("admin", app.admin(), true, true),
    ];
    for (who, token, before, _) in &viewers {
        assert_eq!(
            ask_visible(&app, token, &ask).await,
            *before,
            "{who} before submit"
        );
    }
    app.bring_to(&ready.opportunity, "SUBMITTED").await;
    for (who, token, _, after) in &viewers {
        assert_eq!(
            ask_visible(&app, token, &ask).await,
            *after,
            "{who} after submit"
        );
        // Writes follow reads: an invisible ask is NOT_FOUND, never FORBIDDEN.
        let r = app
            .gql(
                token,
                "mutation($id: ID!) { commentOnAsk(id: $id, body: \"hello\") { id } }",
                json!({ "id": ask }),
            )
            .await;
        let outcome = if r.body["errors"].is_null() {
            "ok"
        } else {
            r.code()
        };
        assert_eq!(
            outcome,
            if *after { "ok" } else { "NOT_FOUND" },
            "{who} comment"
        );
    }

    // Nested lists: another partner's asks never appear under a partner or opportunity.
    let other = app.partner_user(&p2);
    let r = app
        .gql(&other, "query($p: ID!, $o: ID!) { partner(id: $p) { asks { totalCount } } opportunity(id: $o) { id } }", json!({ "p": p2, "o": ready.opportunity }))
        .await;
    assert_eq!(r.body["data"]["partner"]["asks"]["totalCount"], 0);
    assert_eq!(r.code(), "NOT_FOUND");
    let r = app
        .gql(&other, "{ all: asks { totalCount } }", json!({}))
        .await;
    assert_eq!(r.data()["all"]["totalCount"], 0);
    // A seller's asks list holds only asks of its segments' submitted opportunities.
    let seller = app.seller(&[SegmentCode::Enterprise]);
    let p2_draft = app.ready_opportunity(&p2, "Other draft").await;
    app.create_ask(&app.admin(), &p2_draft.opportunity, "FUNDING")
        .await;
    let r = app
        .gql(
            &seller,
            "{ asks { totalCount nodes { partner { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["asks"]["totalCount"], 1);
    assert_eq!(r.data()["asks"]["nodes"][0]["partner"]["id"], json!(p1));
}

#[tokio::test]
async fn referrals_are_seen_by_their_partner_their_sender_and_aws_in_scope() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Referral One").await;
    let p2 = app.create_partner("Referral Two").await;
    // Sent by a seller who covers ENTERPRISE and SMB.
    let mut sender = cosell::auth::MintRequest::new(
        cosell::domain::enums::Role::AwsSeller,
        "sender@aws.example",
    );
    sender.segments = vec![SegmentCode::Enterprise, SegmentCode::Smb];
    let sender = app.mint(&sender);
    let referral = app.send_referral(&sender, &p1, "Woodgrove Bank").await;
    let viewers: Vec<(&str, String, bool)> = vec![
        ("receiving partner user", app.partner_user(&p1), true),
        ("receiving partner admin", app.partner_admin(&p1), true),
        ("other partner", app.partner_user(&p2), false),
        ("sender", sender.clone(), true),
        (
            "seller of the segment",
            app.seller(&[SegmentCode::Enterprise]),
            true,
        ),
        (
            "seller of other segments",
            app.seller(&[SegmentCode::Startup]),
            false,
        ),
        ("manager of the partner", app.manager(&[&p1]), true),
        ("manager of another partner", app.manager(&[&p2]), false),
        ("admin", app.admin(), true),
    ];
    for (who, token, sees) in &viewers {
        assert_eq!(
            referral_visible(&app, token, &referral).await,
            *sees,
            "{who}"
        );
    }
    // Another partner can neither accept nor reject it, and learns nothing from trying.
    let other = app.partner_user(&p2);
    for query in [
        "mutation($id: ID!) { acceptReferral(id: $id) { id } }",
        "mutation($id: ID!) { rejectReferral(id: $id, reason: \"Other\") { id } }",
    ] {
        let r = app.gql(&other, query, json!({ "id": referral })).await;
        assert_eq!(r.code(), "NOT_FOUND");
    }
    // Filtering by another partner shows nothing of theirs.
    let r = app
        .gql(
            &other,
            "query($p: ID!) { referrals(filter: { partnerId: $p }) { totalCount } }",
            json!({ "p": p1 }),
        )
        .await;
    assert_eq!(r.data()["referrals"]["totalCount"], 0);

    // Once accepted, AWS-side viewers see the opportunity it became only when it is shared.
    let opportunity = app
        .gql(
            &app.partner_user(&p1),
            "mutation($id: ID!) { acceptReferral(id: $id) { id } }",
            json!({ "id": referral }),
        )
        .await
        .data()["acceptReferral"]["id"]
        .clone();
    let opportunity_of = |token: String| {
        let app = &app;
        let referral = referral.clone();
        async move {
            app.gql(
                &token,
                "query($id: ID!) { referral(id: $id) { opportunity { id } } }",
                json!({ "id": referral }),
            )
            .await
            .data()["referral"]["opportunity"]
                .clone()
        }
    };
    assert_eq!(
        opportunity_of(app.partner_user(&p1)).await["id"],
        opportunity
    );
    assert_eq!(opportunity_of(sender.clone()).await, Value::Null);
}
