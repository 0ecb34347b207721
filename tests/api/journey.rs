//! The whole co-sell journey the demo seed tells, as one scenario through the API, each step
//! by the role that takes it in real life: the partner builds its profile, records a customer
//! and an opportunity, checks readiness and submits; its partner manager reviews; the partner
//! asks AWS for help of every kind and an AWS seller works each ask; the deal launches, the
//! partner qualifies for referrals, and AWS sends one that the partner accepts.
use crate::fixtures::{ask_input, customer_input, opportunity_input};
use crate::helpers::TestApp;
use cosell::domain::enums::SegmentCode;
use serde_json::{Value, json};

const KINDS: [&str; 4] = [
    "STAKEHOLDER_ALIGNMENT",
    "MARKETPLACE_PROCUREMENT",
    "FUNDING",
    "SOLUTION_ARCHITECTURE",
];

fn ok(r: &crate::helpers::Gql, step: &str) -> Value {
    assert!(r.body["errors"].is_null(), "{step}: {}", r.body);
    r.body["data"].clone()
}

async fn readiness(app: &TestApp, token: &str, partner: &str) -> Value {
    let r = app
        .gql(
            token,
            "query($id: ID!) { partner(id: $id) { referralReadiness { eligible score checks { name passed message } } } }",
            json!({ "id": partner }),
        )
        .await;
    ok(&r, "referralReadiness")["partner"]["referralReadiness"].clone()
}

fn failed_checks(readiness: &Value) -> Vec<String> {
    readiness["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_co_sell_journey_from_profile_to_launch_and_referral() {
    let app = TestApp::spawn().await;
    let partner = app.create_partner("Northwind Cloud").await;
    let partner_admin = app.partner_admin(&partner);
    let user = app.partner_user(&partner);
    let manager = app.manager(&[&partner]);
    let seller = app.seller(&[SegmentCode::Enterprise, SegmentCode::Isv]);

    // 1. Profile: value proposition, segments, an active solution, a reference.
    let r = app
        .gql(&partner_admin, "mutation($id: ID!) { updatePartner(id: $id, input: { valueProposition: \"Mainframe exits to AWS for regulated banks, with a fixed-price migration factory.\", segments: [ENTERPRISE], industries: [FINANCIAL_SERVICES] }) { id } }", json!({ "id": partner }))
        .await;
    ok(&r, "updatePartner");
    let r = app
        .gql(&partner_admin, "mutation { createSolution(input: { name: \"Migration Factory\", category: CONSULTING_SERVICE, status: ACTIVE }) { id } }", json!({}))
        .await;
    let solution = ok(&r, "createSolution")["createSolution"]["id"].clone();
    let r = app
        .gql(&partner_admin, "mutation { addCustomerReference(input: { title: \"Core banking in 9 months\", customerName: \"Woodgrove\", summary: \"Mainframe exit with zero downtime.\" }) { id } }", json!({}))
        .await;
    ok(&r, "addCustomerReference");
    let before = readiness(&app, &user, &partner).await;
    assert_eq!(before["eligible"], false);
    assert_eq!(
        failed_checks(&before),
        ["LAUNCHED_OPPORTUNITIES", "APPROVAL_RATE"],
        "only the track record is missing"
    );

    // 2. Customer and opportunity, by a partner user.
    let mut customer = customer_input(&partner, "Contoso Bank");
    customer.as_object_mut().unwrap().remove("partnerId");
    let r = app
        .gql(
            &user,
            "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
            json!({ "input": customer }),
        )
        .await;
    let customer = ok(&r, "createCustomer")["createCustomer"]["id"].clone();
    let input = opportunity_input(
        customer.as_str().unwrap(),
        "Core banking migration",
        "journey-1",
    );
    let r = app
        .gql(&user, "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id readiness { ready checks { name passed } } } }", json!({ "input": input }))
        .await;
    let created = ok(&r, "createOpportunity")["createOpportunity"].clone();
    let opportunity = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["readiness"]["ready"], false, "no solution yet");
    let r = app
        .gql(&user, "mutation($o: ID!, $s: ID!) { associateSolution(opportunityId: $o, solutionId: $s) { version readiness { ready } } }", json!({ "o": opportunity, "s": solution }))
        .await;
    let associated = ok(&r, "associateSolution")["associateSolution"].clone();
    assert_eq!(associated["readiness"]["ready"], true);

    // AWS sees nothing before submission.
    let r = app
        .gql(
            &seller,
            "query($id: ID!) { opportunity(id: $id) { id } }",
            json!({ "id": opportunity }),
        )
        .await;
    assert_eq!(r.code(), "NOT_FOUND");

    // 3. Submit, then the partner manager reviews and approves.
    let r = app
        .gql(&user, "mutation($id: ID!, $v: Int!) { submitOpportunity(id: $id, expectedVersion: $v, involvementType: CO_SELL) { reviewStatus } }", json!({ "id": opportunity, "v": associated["version"] }))
        .await;
    assert_eq!(
        ok(&r, "submit")["submitOpportunity"]["reviewStatus"],
        "SUBMITTED"
    );
    for decision in ["START_REVIEW", "APPROVE"] {
        let r = app
            .gql(&manager, "mutation($id: ID!, $d: ReviewDecision!) { reviewOpportunity(id: $id, decision: $d, comments: \"Strong fit.\") { reviewStatus } }", json!({ "id": opportunity, "d": decision }))
            .await;
        ok(&r, decision);
    }

    // 4. One ask of each kind, by the partner user.
    let mut asks = Vec::new();
    for kind in KINDS {
        let r = app
            .gql(
                &user,
                "mutation($input: CreateAskInput!) { createAsk(input: $input) { id status } }",
                json!({ "input": ask_input(&opportunity, kind) }),
            )
            .await;
        let ask = ok(&r, kind)["createAsk"].clone();
        assert_eq!(ask["status"], "OPEN");
        asks.push(ask["id"].as_str().unwrap().to_string());
    }

    // 5. The AWS seller finds them among its open asks and works each to an answer.
    let r = app
        .gql(&seller, "{ asks(filter: { open: true }, orderBy: { field: PRIORITY, direction: DESC }) { totalCount nodes { id kind opportunity { title } } } }", json!({}))
        .await;
    assert_eq!(ok(&r, "seller asks")["asks"]["totalCount"], 4);
    for id in &asks {
        for to in ["ACKNOWLEDGED", "IN_PROGRESS"] {
            let r = app.transition_ask(&seller, id, to, None).await;
            ok(&r, to);
        }
        let r = app
            .gql(&seller, "mutation($id: ID!) { commentOnAsk(id: $id, body: \"Looping in the specialist team.\") { id } }", json!({ "id": id }))
            .await;
        ok(&r, "comment");
        let r = app
            .transition_ask(
                &seller,
                id,
                "FULFILLED",
                Some("Done: see the notes in the comments."),
            )
            .await;
        let done = ok(&r, "FULFILLED")["transitionAsk"].clone();
        assert_eq!(done["status"], "FULFILLED");
        assert_eq!(done["assignee"], "seller@aws.example");
    }
    let r = app
        .gql(&user, "query($id: ID!) { opportunity(id: $id) { asks { nodes { status response comments { author } } } } }", json!({ "id": opportunity }))
        .await;
    for ask in ok(&r, "partner reads answers")["opportunity"]["asks"]["nodes"]
        .as_array()
        .unwrap()
    {
        assert_eq!(ask["status"], "FULFILLED");
        assert_eq!(ask["response"], "Done: see the notes in the comments.");
        assert_eq!(ask["comments"][0]["author"], "seller@aws.example");
    }

    // 6. The deal moves on and launches.
    let r = app
        .update_opportunity(&user, &opportunity, json!({ "stage": "COMMITTED" }))
        .await;
    let committed = ok(&r, "commit")["updateOpportunity"].clone();
    let r = app
        .gql(&user, "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, expectedVersion: $v, outcome: LAUNCHED) { stage } }", json!({ "id": opportunity, "v": committed["version"] }))
        .await;
    assert_eq!(ok(&r, "launch")["closeOpportunity"]["stage"], "LAUNCHED");

    // 7. With a launch and an approval, the partner qualifies for referrals.
    let after = readiness(&app, &manager, &partner).await;
    assert_eq!(after["eligible"], true, "{after}");
    assert_eq!(after["score"], 100);

    // 8. AWS refers a customer; the partner accepts it into its pipeline.
    let referral = app
        .send_referral(&seller, &partner, "Fabrikam Insurance")
        .await;
    let r = app
        .gql(&user, "mutation($id: ID!) { acceptReferral(id: $id) { origin stage customer { companyName } } }", json!({ "id": referral }))
        .await;
    let referred = ok(&r, "acceptReferral")["acceptReferral"].clone();
    assert_eq!(referred["origin"], "AWS_REFERRAL");
    assert_eq!(referred["customer"]["companyName"], "Fabrikam Insurance");

    // 9. The partner manager's dashboard shows the whole story.
    let r = app
        .gql(&manager, "query($p: ID!) { pipeline(filter: { partnerId: $p }) { totalCount byStage { stage count } asksByKind { kind open fulfilled } } }", json!({ "p": partner }))
        .await;
    let p = ok(&r, "pipeline")["pipeline"].clone();
    assert_eq!(
        p["totalCount"], 1,
        "the referral's opportunity is not submitted yet"
    );
    for bucket in p["asksByKind"].as_array().unwrap() {
        assert_eq!(
            (bucket["open"].clone(), bucket["fulfilled"].clone()),
            (json!(0), json!(1))
        );
    }
    let r = app
        .gql(
            &user,
            "{ pipeline { totalCount byStage { stage count } } }",
            json!({}),
        )
        .await;
    let mine = ok(&r, "partner pipeline")["pipeline"].clone();
    assert_eq!(mine["totalCount"], 2);
    let stages: Vec<(String, i64)> = mine["byStage"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["count"] != 0)
        .map(|b| {
            (
                b["stage"].as_str().unwrap().to_string(),
                b["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stages,
        vec![("PROSPECT".to_string(), 1), ("LAUNCHED".to_string(), 1)]
    );

    // Every step left its trace in the opportunity's history, newest first.
    let r = app
        .gql(&user, "query($id: ID!) { opportunity(id: $id) { history(first: 50) { nodes { action actor } } } }", json!({ "id": opportunity }))
        .await;
    let actions: Vec<String> = ok(&r, "history")["opportunity"]["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|n| n["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "CREATED",
            "SOLUTION_ASSOCIATED",
            "SUBMITTED",
            "REVIEWED",
            "REVIEWED",
            "STAGE_CHANGED",
            "STAGE_CHANGED"
        ]
    );
}
