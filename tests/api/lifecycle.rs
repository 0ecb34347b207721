//! The review workflow, readiness, field locks and history of an opportunity.
use crate::helpers::TestApp;
use cosell::domain::enums::SegmentCode;
use serde_json::{Value, json};

const READINESS: &str = "query($id: ID!) { opportunity(id: $id) { readiness { ready checks { name passed message } } } }";

async fn failed_checks(app: &TestApp, id: &str) -> Vec<String> {
    let r = app.gql(&app.admin(), READINESS, json!({ "id": id })).await;
    let readiness = r.data()["opportunity"]["readiness"].clone();
    assert_eq!(readiness["checks"].as_array().unwrap().len(), 7);
    let failed: Vec<String> = readiness["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| {
            assert!(
                c["message"].as_str().unwrap().len() > 20,
                "an actionable message: {c}"
            );
            c["name"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(readiness["ready"], json!(failed.is_empty()));
    failed
}

fn actions(history: &Value) -> Vec<String> {
    history["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_opportunity_walks_from_prospect_to_launched_through_the_review_workflow() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let ready = app.ready_opportunity(&p, "Core banking migration").await;
    let id = ready.opportunity.as_str();
    let user = app.partner_user(&p);
    let manager = app.manager(&[&p]);
    app.update_opportunity(&user, id, json!({ "stage": "PROSPECT" }))
        .await
        .data();
    assert_eq!(failed_checks(&app, id).await, ["SPECIFIC_DETAILS"]);

    let submit = "mutation($id: ID!, $v: Int!) { submitOpportunity(id: $id, expectedVersion: $v, involvementType: CO_SELL) { reviewStatus involvementType version } }";
    let v = app.version_of(id).await;
    let r = app.gql(&user, submit, json!({ "id": id, "v": v })).await;
    assert_eq!(r.code(), "NOT_READY");
    assert_eq!(
        r.error()["extensions"]["failedChecks"][0]["name"],
        "SPECIFIC_DETAILS"
    );
    assert_eq!(
        app.opportunity(id).await["reviewStatus"],
        "PENDING_SUBMISSION"
    );

    app.update_opportunity(&user, id, json!({ "stage": "QUALIFIED" }))
        .await
        .data();
    let v = app.version_of(id).await;
    let r = app.gql(&user, submit, json!({ "id": id, "v": v })).await;
    assert_eq!(r.data()["submitOpportunity"]["reviewStatus"], "SUBMITTED");
    assert_eq!(r.data()["submitOpportunity"]["involvementType"], "CO_SELL");

    let review = "mutation($id: ID!, $d: ReviewDecision!, $c: String, $r: String) { reviewOpportunity(id: $id, decision: $d, comments: $c, reason: $r) { reviewStatus reviewComments reviewStatusReason } }";
    let r = app
        .gql(&manager, review, json!({ "id": id, "d": "APPROVE" }))
        .await;
    assert_eq!(
        r.code(),
        "INVALID_STATE",
        "approval needs START_REVIEW first"
    );
    let r = app
        .gql(&manager, review, json!({ "id": id, "d": "START_REVIEW" }))
        .await;
    assert_eq!(r.data()["reviewOpportunity"]["reviewStatus"], "IN_REVIEW");
    let r = app
        .gql(&manager, review, json!({ "id": id, "d": "REQUEST_ACTION" }))
        .await;
    assert_eq!(
        r.fields(),
        [("comments".to_string(), "REQUIRED_FIELD_MISSING".to_string())]
    );
    let r = app
        .gql(&manager, review, json!({ "id": id, "d": "REQUEST_ACTION", "c": "Describe the workloads in scope.", "r": "Customer problem unclear" }))
        .await;
    assert_eq!(
        r.data()["reviewOpportunity"],
        json!({ "reviewStatus": "ACTION_REQUIRED", "reviewComments": "Describe the workloads in scope.", "reviewStatusReason": "Customer problem unclear" })
    );

    app.update_opportunity(&user, id, json!({ "customerBusinessProblem": "1,200 COBOL batch jobs on a mainframe whose lease ends in June." }))
        .await
        .data();
    let v = app.version_of(id).await;
    let r = app.gql(&user, submit, json!({ "id": id, "v": v })).await;
    assert_eq!(
        r.data()["submitOpportunity"]["reviewStatus"],
        "SUBMITTED",
        "resubmitted from ACTION_REQUIRED"
    );
    app.gql(&manager, review, json!({ "id": id, "d": "START_REVIEW" }))
        .await
        .data();
    let r = app
        .gql(
            &manager,
            review,
            json!({ "id": id, "d": "APPROVE", "c": "Welcome to the AWS pipeline." }),
        )
        .await;
    assert_eq!(r.data()["reviewOpportunity"]["reviewStatus"], "APPROVED");

    for stage in ["TECHNICAL_VALIDATION", "BUSINESS_VALIDATION", "COMMITTED"] {
        let r = app
            .update_opportunity(&user, id, json!({ "stage": stage }))
            .await;
        assert_eq!(r.data()["updateOpportunity"]["stage"], stage);
    }
    let v = app.version_of(id).await;
    let r = app
        .gql(&user, "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, expectedVersion: $v, outcome: LAUNCHED) { stage reviewStatus } }", json!({ "id": id, "v": v }))
        .await;
    assert_eq!(
        r.data()["closeOpportunity"],
        json!({ "stage": "LAUNCHED", "reviewStatus": "APPROVED" })
    );

    let r = app
        .gql(&user, "query($id: ID!) { opportunity(id: $id) { history(first: 100) { totalCount nodes { action actor changes at } } } }", json!({ "id": id }))
        .await;
    let history = &r.data()["opportunity"]["history"];
    assert_eq!(
        actions(history),
        [
            "STAGE_CHANGED",
            "STAGE_CHANGED",
            "STAGE_CHANGED",
            "STAGE_CHANGED",
            "REVIEWED",
            "REVIEWED",
            "SUBMITTED",
            "UPDATED",
            "REVIEWED",
            "REVIEWED",
            "SUBMITTED",
            "STAGE_CHANGED",
            "STAGE_CHANGED",
            "SOLUTION_ASSOCIATED",
            "CREATED"
        ],
        "newest first"
    );
    assert_eq!(
        history["nodes"][0]["changes"]["stage"],
        json!(["Committed", "Launched"])
    );
    assert_eq!(
        history["nodes"][4]["actor"], "pdm@aws.example",
        "the reviewer is the actor"
    );
    assert_eq!(
        history["nodes"][4]["changes"]["reviewStatus"],
        json!(["In review", "Approved"])
    );
    let times: Vec<&str> = history["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);

    // A sibling opportunity ends REJECTED, which is read-only.
    let rejected = app.ready_opportunity(&p, "Data lake").await;
    app.bring_to(&rejected.opportunity, "REJECTED").await;
    let r = app
        .update_opportunity(
            &user,
            &rejected.opportunity,
            json!({ "nextSteps": "Try again" }),
        )
        .await;
    assert_eq!(r.code(), "INVALID_STATE");
    let v = app.version_of(&rejected.opportunity).await;
    let r = app
        .gql(&user, submit, json!({ "id": rejected.opportunity, "v": v }))
        .await;
    assert_eq!(r.code(), "INVALID_STATE");
    assert_eq!(r.error()["extensions"]["field"], "reviewStatus");
}

#[tokio::test]
async fn each_readiness_check_fails_alone() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let user = app.partner_user(&p);
    let baseline = app.ready_opportunity(&p, "Baseline").await;
    assert!(failed_checks(&app, &baseline.opportunity).await.is_empty());
    let cases = [
        ("CUSTOMER_CONSENT", json!({ "customerConsent": false })),
        ("PARTNER_ORIGINATED_AND_LED", json!({ "partnerLed": false })),
        (
            "ACTIVE_WITH_TARGET_CLOSE_DATE",
            json!({ "targetCloseDate": null }),
        ),
        ("NET_NEW_FOR_AWS", json!({ "netNewForAws": false })),
        (
            "CLEAR_PROJECT_DESCRIPTION",
            json!({ "customerBusinessProblem": "Too short." }),
        ),
        (
            "SPECIFIC_DETAILS",
            json!({ "salesActivities": ["INITIALIZED_DISCUSSIONS_WITH_CUSTOMER"] }),
        ),
    ];
    for (check, patch) in cases {
        let ready = app.ready_opportunity(&p, &format!("Case {check}")).await;
        app.update_opportunity(&user, &ready.opportunity, patch)
            .await
            .data();
        assert_eq!(failed_checks(&app, &ready.opportunity).await, [check]);
        let r = app.submit(&ready.opportunity).await;
        assert_eq!(r.code(), "NOT_READY", "{check}");
        let failed = &r.error()["extensions"]["failedChecks"];
        assert_eq!(failed.as_array().unwrap().len(), 1, "{failed}");
        assert_eq!(failed[0]["name"], check);
    }
    // No solution associated: the project is not clearly described.
    let c = app.create_customer(&p, "Solo Corp").await;
    let bare = app.create_opportunity(&c, "No solution yet").await;
    assert_eq!(
        failed_checks(&app, &bare).await,
        ["CLEAR_PROJECT_DESCRIPTION"]
    );

    // The same normalised title for the same customer is a duplicate, while both are open.
    let first = app.ready_opportunity(&p, "Core Banking Migration").await;
    let second = app
        .create_opportunity(&first.customer, "core banking -- MIGRATION!")
        .await;
    app.associate(&second, &first.solution).await;
    assert_eq!(
        failed_checks(&app, &first.opportunity).await,
        ["NOT_DUPLICATE"]
    );
    let r = app.submit(&first.opportunity).await;
    assert_eq!(
        r.error()["extensions"]["failedChecks"][0]["name"],
        "NOT_DUPLICATE"
    );
    let v = app.version_of(&second).await;
    app.gql(&user, "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, expectedVersion: $v, outcome: CLOSED_LOST, closedLostReason: NO_OPPORTUNITY) { id } }", json!({ "id": second, "v": v }))
        .await
        .data();
    assert!(
        failed_checks(&app, &first.opportunity).await.is_empty(),
        "a closed twin is no duplicate"
    );
}

#[tokio::test]
async fn submission_enforces_aces_conditional_requirements() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let user = app.partner_user(&p);
    let ready = app.ready_opportunity(&p, "Core banking migration").await;
    app.gql(&user, "mutation($id: ID!) { updateCustomer(id: $id, input: { address: { countryCode: \"US\" } }) { id } }", json!({ "id": ready.customer }))
        .await
        .data();
    let contact = app
        .gql(
            &user,
            "query($id: ID!) { customer(id: $id) { contacts { id } } }",
            json!({ "id": ready.customer }),
        )
        .await
        .data()["customer"]["contacts"][0]["id"]
        .clone();
    app.gql(
        &user,
        "mutation($id: ID!) { removeContact(id: $id) }",
        json!({ "id": contact }),
    )
    .await
    .data();
    app.update_opportunity(
        &user,
        &ready.opportunity,
        json!({ "primaryNeedsFromAws": null, "competitorName": "OTHER", "nextSteps": null }),
    )
    .await
    .data();
    let r = app.submit(&ready.opportunity).await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    let mut fields = r.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("customer.address.postalCode", "REQUIRED_FIELD_MISSING"),
            ("customer.address.stateOrRegion", "REQUIRED_FIELD_MISSING"),
            ("customer.contacts", "REQUIRED_FIELD_MISSING"),
            ("opportunity.nextSteps", "REQUIRED_FIELD_MISSING"),
            ("opportunity.otherCompetitorNames", "REQUIRED_FIELD_MISSING"),
            ("opportunity.primaryNeedsFromAws", "REQUIRED_FIELD_MISSING"),
        ]
        .map(|(f, c)| (f.to_string(), c.to_string()))
    );
    assert_eq!(
        app.opportunity(&ready.opportunity).await["reviewStatus"],
        "PENDING_SUBMISSION"
    );
    // Visibility-only sharing does not need next steps or a contact.
    app.update_opportunity(
        &user,
        &ready.opportunity,
        json!({ "primaryNeedsFromAws": ["DEAL_SUPPORT"], "otherCompetitorNames": "Rackspace" }),
    )
    .await
    .data();
    app.gql(&user, "mutation($id: ID!) { updateCustomer(id: $id, input: { address: { countryCode: \"US\", postalCode: \"10001\", stateOrRegion: \"New York\" } }) { id } }", json!({ "id": ready.customer }))
        .await
        .data();
    let v = app.version_of(&ready.opportunity).await;
    let submit = "mutation($id: ID!, $v: Int!, $t: InvolvementType!) { submitOpportunity(id: $id, expectedVersion: $v, involvementType: $t) { reviewStatus involvementType } }";
    let r = app
        .gql(
            &user,
            submit,
            json!({ "id": ready.opportunity, "v": v, "t": "FOR_VISIBILITY_ONLY" }),
        )
        .await;
    assert_eq!(
        r.data()["submitOpportunity"]["involvementType"],
        "FOR_VISIBILITY_ONLY"
    );
}

#[tokio::test]
async fn co_sell_cannot_go_back_to_visibility_only() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let ready = app.ready_opportunity(&p, "Core banking migration").await;
    app.bring_to(&ready.opportunity, "ACTION_REQUIRED").await;
    let v = app.version_of(&ready.opportunity).await;
    let r = app
        .gql(&app.partner_user(&p), "mutation($id: ID!, $v: Int!) { submitOpportunity(id: $id, expectedVersion: $v, involvementType: FOR_VISIBILITY_ONLY) { id } }", json!({ "id": ready.opportunity, "v": v }))
        .await;
    assert_eq!(r.code(), "INVALID_STATE");
    assert_eq!(r.error()["extensions"]["field"], "involvementType");
}

/// (review status, field patch, refused field or None when allowed)
fn lock_cases() -> Vec<(&'static str, Value, Option<&'static str>)> {
    let future = (chrono::Utc::now().date_naive() + chrono::Duration::days(120)).to_string();
    vec![
        ("SUBMITTED", json!({ "title": "Renamed" }), Some("title")),
        (
            "SUBMITTED",
            json!({ "targetCloseDate": future }),
            Some("targetCloseDate"),
        ),
        ("SUBMITTED", json!({ "internalNotes": "ours" }), None),
        (
            "IN_REVIEW",
            json!({ "nextSteps": "Call" }),
            Some("nextSteps"),
        ),
        ("IN_REVIEW", json!({ "stage": "COMMITTED" }), Some("stage")),
        (
            "ACTION_REQUIRED",
            json!({ "targetCloseDate": future }),
            None,
        ),
        (
            "ACTION_REQUIRED",
            json!({ "expectedMonthlySpend": { "amount": "9000", "currencyCode": "USD" } }),
            None,
        ),
        (
            "ACTION_REQUIRED",
            json!({ "customerBusinessProblem": "A much clearer business problem statement." }),
            None,
        ),
        (
            "ACTION_REQUIRED",
            json!({ "partnerOpportunityIdentifier": "CRM-9" }),
            None,
        ),
        (
            "ACTION_REQUIRED",
            json!({ "title": "Renamed" }),
            Some("title"),
        ),
        (
            "ACTION_REQUIRED",
            json!({ "deliveryModels": ["RESELL"] }),
            Some("deliveryModels"),
        ),
        ("APPROVED", json!({ "title": "Renamed" }), Some("title")),
        (
            "APPROVED",
            json!({ "customerBusinessProblem": "A much clearer business problem statement." }),
            Some("customerBusinessProblem"),
        ),
        (
            "APPROVED",
            json!({ "partnerOpportunityIdentifier": "CRM-9" }),
            Some("partnerOpportunityIdentifier"),
        ),
        (
            "APPROVED",
            json!({ "stage": "COMMITTED", "nextSteps": "Sign" }),
            None,
        ),
        (
            "REJECTED",
            json!({ "additionalComments": "Please reconsider" }),
            Some("additionalComments"),
        ),
    ]
}

#[tokio::test]
async fn every_lock_rule_refuses_with_invalid_state_naming_the_field() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let user = app.partner_user(&p);
    for (i, (status, patch, refused)) in lock_cases().into_iter().enumerate() {
        let ready = app.ready_opportunity(&p, &format!("Lock case {i}")).await;
        app.bring_to(&ready.opportunity, status).await;
        let before = app.version_of(&ready.opportunity).await;
        let r = app
            .update_opportunity(&user, &ready.opportunity, patch.clone())
            .await;
        match refused {
            Some(field) => {
                assert_eq!(r.code(), "INVALID_STATE", "{status} {patch}");
                assert_eq!(r.error()["extensions"]["field"], field, "{status} {patch}");
                assert_eq!(
                    app.version_of(&ready.opportunity).await,
                    before,
                    "nothing written"
                );
            }
            None => assert!(r.body["errors"].is_null(), "{status} {patch}: {}", r.body),
        }
    }
    // Solutions and stage changes obey the same locks.
    let ready = app.ready_opportunity(&p, "Locked solutions").await;
    app.bring_to(&ready.opportunity, "IN_REVIEW").await;
    let other = app.create_solution(&p, "Second", "ACTIVE").await;
    let r = app
        .gql(&user, "mutation($o: ID!, $s: ID!) { associateSolution(opportunityId: $o, solutionId: $s) { id } }", json!({ "o": ready.opportunity, "s": other }))
        .await;
    assert_eq!(r.error()["extensions"]["field"], "solutions");
    let v = app.version_of(&ready.opportunity).await;
    let r = app
        .gql(&user, "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, expectedVersion: $v, outcome: CLOSED_LOST, closedLostReason: PRICE) { id } }", json!({ "id": ready.opportunity, "v": v }))
        .await;
    assert_eq!(r.error()["extensions"]["field"], "stage");
}

#[tokio::test]
async fn an_aws_seller_may_change_only_next_steps_of_a_shared_opportunity() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let ready = app.ready_opportunity(&p, "Core banking migration").await;
    app.bring_to(&ready.opportunity, "APPROVED").await;
    let seller = app.seller(&[SegmentCode::Enterprise]);
    let r = app
        .update_opportunity(
            &seller,
            &ready.opportunity,
            json!({ "nextSteps": "AWS SA joins the workshop." }),
        )
        .await;
    assert_eq!(
        r.data()["updateOpportunity"]["nextSteps"],
        "AWS SA joins the workshop."
    );
    let r = app
        .update_opportunity(&seller, &ready.opportunity, json!({ "stage": "COMMITTED" }))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql(&seller, "query($id: ID!) { opportunity(id: $id) { internalNotes history(first: 1) { nodes { actor changes } } } }", json!({ "id": ready.opportunity }))
        .await;
    assert_eq!(r.data()["opportunity"]["internalNotes"], Value::Null);
    assert_eq!(
        r.data()["opportunity"]["history"]["nodes"][0]["actor"],
        "seller@aws.example"
    );
}

#[tokio::test]
async fn a_change_is_a_node_visible_with_its_object_and_hides_partner_notes_from_aws() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let ready = app.ready_opportunity(&p, "Core banking migration").await;
    let user = app.partner_user(&p);
    app.update_opportunity(
        &user,
        &ready.opportunity,
        json!({ "internalNotes": "Margin 28%", "title": "Core banking migration wave 1" }),
    )
    .await
    .data();
    let latest = app
        .gql(
            &user,
            "query($id: ID!) { opportunity(id: $id) { history(first: 1) { nodes { id } } } }",
            json!({ "id": ready.opportunity }),
        )
        .await
        .data()["opportunity"]["history"]["nodes"][0]["id"]
        .clone();
    let node = "query($id: ID!) { node(id: $id) { ... on Change { action changes } } }";
    let r = app.gql(&user, node, json!({ "id": latest })).await;
    assert_eq!(
        r.data()["node"]["changes"]["internalNotes"][1],
        "Margin 28%"
    );
    let manager = app.manager(&[&p]);
    let r = app.gql(&manager, node, json!({ "id": latest })).await;
    assert!(r.data()["node"].is_null(), "not shared yet");
    app.bring_to(&ready.opportunity, "SUBMITTED").await;
    let r = app.gql(&manager, node, json!({ "id": latest })).await;
    let changes = &r.data()["node"]["changes"];
    assert!(changes.get("internalNotes").is_none(), "{changes}");
    assert_eq!(changes["title"][1], "Core banking migration wave 1");
    let other = app.create_partner("Southwind").await;
    let r = app
        .gql(&app.partner_user(&other), node, json!({ "id": latest }))
        .await;
    assert!(r.data()["node"].is_null());
}
