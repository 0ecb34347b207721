//! Rules that must hold against guesses and races: an AWS seller's input names nextSteps only,
//! partner-private changes leave no trace for the AWS side, company names are unique ignoring
//! case and count limits hold however many requests arrive at once.
use crate::helpers::TestApp;
use cosell::domain::enums::SegmentCode;
use serde_json::{Value, json};

const HISTORY: &str = "query($id: ID!) { opportunity(id: $id) { version lastModifiedAt history(first: 50) { totalCount nodes { id action changes } } } }";

async fn history(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(token, HISTORY, json!({ "id": id })).await.data()["opportunity"].clone()
}

#[tokio::test]
async fn a_seller_cannot_confirm_a_guess_of_internal_notes() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Guarded").await;
    let ready = app.shared_opportunity(&p, "Guarded deal").await;
    for decision in ["START_REVIEW", "APPROVE"] {
        assert!(app.review(&ready.opportunity, decision).await.body["errors"].is_null());
    }
    let seller = app.seller(&[SegmentCode::Enterprise]);
    // The fixture's notes, guessed right and wrong: the same answer both times.
    let right = app
        .update_opportunity(
            &seller,
            &ready.opportunity,
            json!({ "internalNotes": "Partner-only: 30% margin." }),
        )
        .await;
    let wrong = app
        .update_opportunity(
            &seller,
            &ready.opportunity,
            json!({ "internalNotes": "Partner-only: 10% margin." }),
        )
        .await;
    assert_eq!(right.code(), "FORBIDDEN");
    assert_eq!(
        right.body["errors"][0]["message"],
        wrong.body["errors"][0]["message"]
    );
    assert_eq!(wrong.code(), "FORBIDDEN");
    // Any other field, even at its stored value, and even beside nextSteps.
    let same_title = app
        .update_opportunity(
            &seller,
            &ready.opportunity,
            json!({ "title": "Guarded deal", "nextSteps": "Call" }),
        )
        .await;
    assert_eq!(same_title.code(), "FORBIDDEN");
    let cleared = app
        .update_opportunity(
            &seller,
            &ready.opportunity,
            json!({ "additionalComments": null }),
        )
        .await;
    assert_eq!(cleared.code(), "FORBIDDEN");
    let steps = app
        .update_opportunity(
            &seller,
            &ready.opportunity,
            json!({ "nextSteps": "Joint call with the AWS account team." }),
        )
        .await;
    assert_eq!(
        steps.data()["updateOpportunity"]["nextSteps"],
        "Joint call with the AWS account team."
    );
}

#[tokio::test]
async fn a_notes_only_edit_leaves_no_trace_for_the_aws_side() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Private").await;
    let ready = app.shared_opportunity(&p, "Private notes").await;
    let id = &ready.opportunity;
    let partner = app.partner_user(&p);
    let seller = app.seller(&[SegmentCode::Enterprise]);
    let before = history(&app, &seller, id).await;

    let r = app
        .update_opportunity(
            &partner,
            id,
            json!({ "internalNotes": "Partner-only: CFO is sceptical." }),
        )
        .await;
    assert!(
        r.body["errors"].is_null(),
        "notes stay editable while submitted: {}",
        r.body
    );

    let seen = history(&app, &seller, id).await;
    assert_eq!(
        seen, before,
        "version, lastModifiedAt and history unchanged for the seller"
    );
    let own = history(&app, &partner, id).await;
    assert_eq!(own["version"], before["version"]);
    let latest = &own["history"]["nodes"][0];
    assert_eq!(latest["action"], "NOTES_UPDATED");
    assert_eq!(
        latest["changes"]["internalNotes"][1],
        "Partner-only: CFO is sceptical."
    );
    // Not by id either.
    let by_id = app
        .gql(
            &seller,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": latest["id"] }),
        )
        .await;
    assert!(by_id.data()["node"].is_null());
    let by_partner = app
        .gql(
            &partner,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": latest["id"] }),
        )
        .await;
    assert_eq!(by_partner.data()["node"]["id"], latest["id"]);
    // A stale version is still refused.
    let stale = app
        .gql(
            &partner,
            "mutation($id: ID!) { updateOpportunity(id: $id, expectedVersion: 1, input: { internalNotes: \"x\" }) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(stale.code(), "CONFLICT");
}

#[tokio::test]
async fn company_names_stay_unique_ignoring_case_under_concurrent_creates() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Racer").await;
    let token = app.partner_user(&p);
    let names: Vec<String> = (0..30)
        .map(|i| {
            "acme corp"
                .chars()
                .enumerate()
                .map(|(j, c)| {
                    if (i >> (j % 5)) & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect();
    let requests = names.iter().map(|name| {
        app.gql(
            &token,
            "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
            json!({ "input": crate::fixtures::customer_input(&p, name) }),
        )
    });
    let results = futures_util::future::join_all(requests).await;
    let created = results
        .iter()
        .filter(|r| r.body["errors"].is_null())
        .count();
    assert_eq!(
        created, 1,
        "one customer, whatever the case: {}",
        results[0].body
    );
    for r in results.iter().filter(|r| !r.body["errors"].is_null()) {
        assert_eq!(r.code(), "BAD_USER_INPUT", "{}", r.body);
        assert_eq!(r.fields()[0].1, "DUPLICATE_KEY_VALUE");
    }
    let count = app
        .gql(&token, "{ customers(first: 10) { totalCount } }", json!({}))
        .await;
    assert_eq!(count.data()["customers"]["totalCount"], 1);
}

#[tokio::test]
async fn count_limits_hold_under_concurrent_writes() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Chatty").await;
    let ready = app.ready_opportunity(&p, "Chatty deal").await;
    let token = app.partner_user(&p);
    let ask = app
        .create_ask(&token, &ready.opportunity, "SOLUTION_ARCHITECTURE")
        .await;
    let comment = "mutation($id: ID!, $b: String!) { commentOnAsk(id: $id, body: $b) { id } }";
    for i in 0..195 {
        let r = app
            .gql(
                &token,
                comment,
                json!({ "id": ask, "b": format!("note {i}") }),
            )
            .await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
    }
    let burst = (0..20).map(|i| {
        app.gql(
            &token,
            comment,
            json!({ "id": ask, "b": format!("burst {i}") }),
        )
    });
    let results = futures_util::future::join_all(burst).await;
    let accepted = results
        .iter()
        .filter(|r| r.body["errors"].is_null())
        .count();
    assert_eq!(accepted, 5, "exactly up to the limit of 200");
    let stored = app
        .gql(
            &token,
            "query($id: ID!) { ask(id: $id) { comments { body } } }",
            json!({ "id": ask }),
        )
        .await;
    assert_eq!(
        stored.data()["ask"]["comments"].as_array().unwrap().len(),
        200
    );

    // Contacts: the fixture's customer has one; 49 more fit.
    let add =
        "mutation($c: ID!, $i: ContactInput!) { addContact(customerId: $c, input: $i) { id } }";
    for i in 0..44 {
        let r = app
            .gql(&token, add, json!({ "c": ready.customer, "i": { "firstName": "C", "lastName": "D", "email": format!("c{i}@x.example") } }))
            .await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
    }
    let burst = (0..20).map(|i| {
        app.gql(&token, add, json!({ "c": ready.customer, "i": { "firstName": "B", "lastName": "D", "email": format!("b{i}@x.example") } }))
    });
    let results = futures_util::future::join_all(burst).await;
    assert_eq!(
        results
            .iter()
            .filter(|r| r.body["errors"].is_null())
            .count(),
        5
    );
    let contacts = app
        .gql(
            &token,
            "query($id: ID!) { customer(id: $id) { contacts { id } } }",
            json!({ "id": ready.customer }),
        )
        .await;
    assert_eq!(
        contacts.data()["customer"]["contacts"]
            .as_array()
            .unwrap()
            .len(),
        50
    );
}
