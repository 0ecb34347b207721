//! Who sees which customers and opportunities, on every path: lists, nested lists, `node`,
//! `nodes` and mutations. Another tenant's object is NOT_FOUND like a nonexistent id.
use crate::helpers::TestApp;
use cosell::domain::enums::SegmentCode;
use serde_json::{Value, json};

struct World {
    app: TestApp,
    p1: String,
    p2: String,
    /// P1: a HEALTHCARE customer with one shared and one pending opportunity.
    c1: String,
    shared1: String,
    pending1: String,
    /// P2: an ENTERPRISE customer with one shared and one pending opportunity.
    c2: String,
    contact2: String,
    shared2: String,
    pending2: String,
    solution2: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Partner One").await;
    let p2 = app.create_partner("Partner Two").await;
    let one = app.ready_opportunity(&p1, "One shared").await;
    app.gql(
        &app.admin(),
        "mutation($id: ID!) { updateCustomer(id: $id, input: { segment: HEALTHCARE }) { id } }",
        json!({ "id": one.customer }),
    )
    .await
    .data();
    app.bring_to(&one.opportunity, "SUBMITTED").await;
    let pending1 = app.create_opportunity(&one.customer, "One pending").await;
    let two = app.shared_opportunity(&p2, "Two shared").await;
    let pending2 = app.create_opportunity(&two.customer, "Two pending").await;
    let contact2 = app
        .gql(
            &app.admin(),
            "query($id: ID!) { customer(id: $id) { contacts { id } } }",
            json!({ "id": two.customer }),
        )
        .await
        .data()["customer"]["contacts"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    World {
        app,
        p1,
        p2,
        c1: one.customer,
        shared1: one.opportunity,
        pending1,
        c2: two.customer,
        contact2,
        shared2: two.opportunity,
        pending2,
        solution2: two.solution,
    }
}

async fn visible_opportunities(app: &TestApp, token: &str) -> Vec<String> {
    let r = app
        .gql(token, "{ opportunities(first: 100, orderBy: { field: TITLE, direction: ASC }) { totalCount nodes { title } } }", json!({}))
        .await;
    let c = &r.data()["opportunities"];
    let titles: Vec<String> = c["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(c["totalCount"], json!(titles.len()));
    titles
}

async fn visible_customers(app: &TestApp, token: &str) -> Vec<String> {
    let r = app
        .gql(
            token,
            "{ customers(first: 100) { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    r.data()["customers"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

async fn sees(app: &TestApp, token: &str, id: &str) -> bool {
    let r = app
        .gql(
            token,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    !r.data()["node"].is_null()
}

#[tokio::test]
async fn each_role_sees_exactly_its_opportunities_and_customers() {
    let w = world().await;
    let app = &w.app;
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "partner one",
            app.partner_user(&w.p1),
            vec!["One pending", "One shared"],
        ),
        (
            "partner two admin",
            app.partner_admin(&w.p2),
            vec!["Two pending", "Two shared"],
        ),
        (
            "enterprise seller",
            app.seller(&[SegmentCode::Enterprise]),
            vec!["Two shared"],
        ),
        (
            "healthcare and enterprise seller",
            app.seller(&[SegmentCode::Healthcare, SegmentCode::Enterprise]),
            vec!["One shared", "Two shared"],
        ),
        ("seller without segments", app.seller(&[]), vec![]),
        ("manager of one", app.manager(&[&w.p1]), vec!["One shared"]),
        ("manager of nobody", app.manager(&[]), vec![]),
        (
            "admin",
            app.admin(),
            vec!["One pending", "One shared", "Two pending", "Two shared"],
        ),
    ];
    let ids = [
        ("One pending", &w.pending1),
        ("One shared", &w.shared1),
        ("Two pending", &w.pending2),
        ("Two shared", &w.shared2),
    ];
    for (who, token, expected) in cases {
        assert_eq!(
            visible_opportunities(app, &token).await,
            expected,
            "{who}: opportunities"
        );
        for (title, id) in ids {
            let r = app
                .gql(
                    &token,
                    "query($id: ID!) { opportunity(id: $id) { title } }",
                    json!({ "id": id }),
                )
                .await;
            let visible = expected.contains(&title);
            if visible {
                assert_eq!(r.data()["opportunity"]["title"], title, "{who}");
            } else {
                assert_eq!(r.code(), "NOT_FOUND", "{who} must not see {title}");
            }
            assert_eq!(sees(app, &token, id).await, visible, "{who}: node {title}");
        }
        let mut customers = Vec::new();
        if expected.iter().any(|t| t.starts_with("One")) {
            customers.push(w.c1.clone());
        }
        if expected.iter().any(|t| t.starts_with("Two")) {
            customers.push(w.c2.clone());
        }
        let mut seen = visible_customers(app, &token).await;
        seen.sort();
        customers.sort();
        assert_eq!(seen, customers, "{who}: customers");
        assert_eq!(
            sees(app, &token, &w.contact2).await,
            customers.contains(&w.c2),
            "{who}: contact"
        );
        let r = app
            .gql(
                &token,
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({ "ids": [w.pending2, w.shared2] }),
            )
            .await;
        let got: Vec<bool> = r.data()["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| !n.is_null())
            .collect();
        assert_eq!(
            got,
            [
                expected.contains(&"Two pending"),
                expected.contains(&"Two shared")
            ],
            "{who}: nodes"
        );
    }
}

#[tokio::test]
async fn nested_lists_apply_the_same_scope() {
    let w = world().await;
    let app = &w.app;
    let seller = app.seller(&[SegmentCode::Enterprise]);
    let r = app
        .gql(&seller, "query($p: ID!, $c: ID!) {
            partner(id: $p) { opportunities { totalCount nodes { title } } customers { totalCount } }
            customer(id: $c) { opportunities { totalCount nodes { title } } internalNotes }
            opportunity: opportunities(filter: { reviewStatus: [PENDING_SUBMISSION] }) { totalCount }
        }", json!({ "p": w.p2, "c": w.c2 }))
        .await;
    let d = r.data();
    assert_eq!(
        d["partner"]["opportunities"]["nodes"],
        json!([{ "title": "Two shared" }])
    );
    assert_eq!(d["partner"]["customers"]["totalCount"], 1);
    assert_eq!(
        d["customer"]["opportunities"]["nodes"],
        json!([{ "title": "Two shared" }]),
        "the pending twin stays hidden"
    );
    assert_eq!(d["customer"]["internalNotes"], Value::Null);
    assert_eq!(d["opportunity"]["totalCount"], 0);
    let r = app
        .gql(&seller, "query($id: ID!) { opportunity(id: $id) { partner { opportunities { totalCount } } customer { opportunities { totalCount } } } }", json!({ "id": w.shared2 }))
        .await;
    assert_eq!(
        r.data()["opportunity"]["partner"]["opportunities"]["totalCount"],
        1
    );
    assert_eq!(
        r.data()["opportunity"]["customer"]["opportunities"]["totalCount"],
        1
    );
    // Partner one's user cannot reach partner two's rows through its own partner either.
    let r = app
        .gql(&app.partner_user(&w.p1), "query($p: ID!, $c: ID!) { partner(id: $p) { customers(filter: { partnerId: $c }) { totalCount } opportunities(filter: { customerId: $c }) { totalCount } } }", json!({ "p": w.p1, "c": w.c2 }))
        .await;
    assert_eq!(r.data()["partner"]["opportunities"]["totalCount"], 0);
    assert_eq!(r.data()["partner"]["customers"]["totalCount"], 0);
}

#[tokio::test]
async fn mutations_on_another_partners_objects_are_not_found_and_write_nothing() {
    let w = world().await;
    let app = &w.app;
    let u1 = app.partner_user(&w.p1);
    let v2 = app.version_of(&w.pending2).await;
    let calls: Vec<(&str, Value)> = vec![
        (
            "mutation($id: ID!) { updateCustomer(id: $id, input: { internalNotes: \"x\" }) { id } }",
            json!({ "id": w.c2 }),
        ),
        (
            "mutation($id: ID!) { addContact(customerId: $id, input: { firstName: \"X\", lastName: \"Y\" }) { id } }",
            json!({ "id": w.c2 }),
        ),
        (
            "mutation($id: ID!) { updateContact(id: $id, input: { firstName: \"X\", lastName: \"Y\" }) { id } }",
            json!({ "id": w.contact2 }),
        ),
        (
            "mutation($id: ID!) { removeContact(id: $id) }",
            json!({ "id": w.contact2 }),
        ),
        (
            "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id } }",
            json!({ "input": crate::fixtures::opportunity_input(&w.c2, "Sneaky", "sneaky") }),
        ),
        (
            "mutation($id: ID!, $v: Int!) { updateOpportunity(id: $id, expectedVersion: $v, input: { title: \"x\" }) { id } }",
            json!({ "id": w.pending2, "v": v2 }),
        ),
        // A stale version must not turn NOT_FOUND into a CONFLICT that proves the row exists.
        (
            "mutation($id: ID!, $v: Int!) { updateOpportunity(id: $id, expectedVersion: $v, input: { title: \"x\" }) { id } }",
            json!({ "id": w.pending2, "v": v2 + 7 }),
        ),
        (
            "mutation($id: ID!, $v: Int!) { submitOpportunity(id: $id, expectedVersion: $v, involvementType: CO_SELL) { id } }",
            json!({ "id": w.pending2, "v": v2 }),
        ),
        (
            "mutation($id: ID!) { reviewOpportunity(id: $id, decision: START_REVIEW) { id } }",
            json!({ "id": w.shared2 }),
        ),
        (
            "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, expectedVersion: $v, outcome: CLOSED_LOST, closedLostReason: PRICE) { id } }",
            json!({ "id": w.pending2, "v": v2 }),
        ),
        (
            "mutation($o: ID!, $s: ID!) { associateSolution(opportunityId: $o, solutionId: $s) { id } }",
            json!({ "o": w.pending2, "s": w.solution2 }),
        ),
        (
            "mutation($o: ID!, $s: ID!) { associateSolution(opportunityId: $o, solutionId: $s) { id } }",
            json!({ "o": w.pending1, "s": w.solution2 }),
        ),
        (
            "mutation($o: ID!, $s: ID!) { disassociateSolution(opportunityId: $o, solutionId: $s) { id } }",
            json!({ "o": w.pending2, "s": w.solution2 }),
        ),
    ];
    let snapshot = "query($c: ID!, $o: ID!, $s: ID!) { customer(id: $c) { internalNotes contacts { id firstName } opportunities { totalCount } } o: opportunity(id: $o) { version } s: opportunity(id: $s) { version reviewStatus } }";
    let vars = json!({ "c": w.c2, "o": w.pending2, "s": w.shared2 });
    let before = app.gql(&app.admin(), snapshot, vars.clone()).await.body;
    for (query, variables) in calls {
        let r = app.gql(&u1, query, variables).await;
        assert_eq!(r.code(), "NOT_FOUND", "{query}: {}", r.body);
    }
    assert_eq!(
        app.gql(&app.admin(), snapshot, vars).await.body,
        before,
        "nothing written"
    );

    let missing = "opp_00000000000000000000000000000000";
    let theirs = app
        .gql(
            &u1,
            "query($id: ID!) { opportunity(id: $id) { id } }",
            json!({ "id": w.pending2 }),
        )
        .await;
    let nobody = app
        .gql(
            &u1,
            "query($id: ID!) { opportunity(id: $id) { id } }",
            json!({ "id": missing }),
        )
        .await;
    let strip = |mut b: Value| {
        b.as_object_mut().map(|o| o.remove("extensions"));
        b
    };
    assert_eq!(
        strip(theirs.body),
        strip(nobody.body),
        "existence does not leak"
    );
}
