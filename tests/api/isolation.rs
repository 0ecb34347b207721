//! Tenant isolation: another tenant's objects are NOT_FOUND on every path, byte for byte like
//! an id that does not exist.
use crate::helpers::TestApp;
use cosell::domain::enums::SegmentCode;
use serde_json::{Value, json};

struct World {
    app: TestApp,
    p1: String,
    p2: String,
    s2: String,
    r2: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Partner One").await;
    let p2 = app.create_partner("Partner Two").await;
    app.create_solution(&p1, "S1", "ACTIVE").await;
    let s2 = app.create_solution(&p2, "S2", "ACTIVE").await;
    let r2 = app.add_reference(&p2, "R2").await;
    World {
        app,
        p1,
        p2,
        s2,
        r2,
    }
}

fn without_request_noise(mut body: Value) -> Value {
    body.as_object_mut().map(|o| o.remove("extensions"));
    body
}

#[tokio::test]
async fn partner_one_cannot_read_partner_two() {
    let w = world().await;
    let u1 = w.app.partner_user(&w.p1);
    let missing = "ptr_00000000000000000000000000000000";
    let theirs = w
        .app
        .gql(
            &u1,
            "query($id: ID!) { partner(id: $id) { name } }",
            json!({ "id": w.p2 }),
        )
        .await;
    let nobody = w
        .app
        .gql(
            &u1,
            "query($id: ID!) { partner(id: $id) { name } }",
            json!({ "id": missing }),
        )
        .await;
    assert_eq!(theirs.code(), "NOT_FOUND");
    assert_eq!(theirs.body["data"]["partner"], json!(null));
    assert_eq!(
        without_request_noise(theirs.body),
        without_request_noise(nobody.body),
        "existence does not leak"
    );

    for id in [&w.p2, &w.s2, &w.r2] {
        let node = w
            .app
            .gql(
                &u1,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        // Relay's refetch: null, no error, the same as for an id that never existed.
        assert_eq!(node.data()["node"], serde_json::Value::Null, "node {id}");
    }
    let nodes = w
        .app
        .gql(
            &u1,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [w.p1, w.p2, w.s2, "garbage"] }),
        )
        .await;
    assert_eq!(
        nodes.data()["nodes"],
        json!([{ "id": w.p1 }, null, null, null])
    );

    let list = w
        .app
        .gql(&u1, "{ partners { totalCount nodes { id } } }", json!({}))
        .await;
    assert_eq!(
        list.data()["partners"],
        json!({ "totalCount": 1, "nodes": [{ "id": w.p1 }] })
    );
    let aliased = w
        .app
        .gql(
            &u1,
            "query($a: ID!, $b: ID!) { a: partner(id: $a) { id } b: partner(id: $b) { id } }",
            json!({ "a": w.p1, "b": w.p2 }),
        )
        .await;
    assert_eq!(aliased.body["data"]["a"], json!({ "id": w.p1 }));
    assert!(aliased.body["data"]["b"].is_null());
    assert_eq!(aliased.code(), "NOT_FOUND");
}

#[tokio::test]
async fn partner_one_cannot_change_partner_two() {
    let w = world().await;
    let a1 = w.app.partner_admin(&w.p1);
    let attempts = [
        (
            "updatePartner",
            "mutation($id: ID!) { updatePartner(id: $id, input: { name: \"Hijacked\" }) { id } }",
            json!({ "id": w.p2 }),
        ),
        (
            "updateSolution",
            "mutation($id: ID!) { updateSolution(id: $id, input: { name: \"Hijacked\" }) { id } }",
            json!({ "id": w.s2 }),
        ),
        (
            "removeCustomerReference",
            "mutation($id: ID!) { removeCustomerReference(id: $id) }",
            json!({ "id": w.r2 }),
        ),
        (
            "addCustomerReference",
            "mutation($p: ID!) { addCustomerReference(input: { partnerId: $p, title: \"T\", customerName: \"C\", summary: \"S\" }) { id } }",
            json!({ "p": w.p2 }),
        ),
    ];
    for (name, query, vars) in attempts {
        assert_eq!(
            w.app.gql(&a1, query, vars).await.code(),
            "NOT_FOUND",
            "{name}"
        );
    }
    let check = w
        .app
        .gql(
            &w.app.admin(),
            "query($id: ID!) { partner(id: $id) { name solutions { name } references { title } } }",
            json!({ "id": w.p2 }),
        )
        .await;
    assert_eq!(
        check.data()["partner"],
        json!({ "name": "Partner Two", "solutions": [{ "name": "S2" }], "references": [{ "title": "R2" }] })
    );
}

#[tokio::test]
async fn aws_side_roles_see_what_their_claims_allow() {
    let w = world().await;
    let manager = w.app.manager(&[&w.p1]);
    let managed = w
        .app
        .gql(
            &manager,
            "{ partners { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        managed.data()["partners"],
        json!({ "totalCount": 1, "nodes": [{ "id": w.p1 }] })
    );
    let other = w
        .app
        .gql(
            &manager,
            "query($id: ID!) { partner(id: $id) { id } }",
            json!({ "id": w.p2 }),
        )
        .await;
    assert_eq!(other.code(), "NOT_FOUND");
    let other_solution = w
        .app
        .gql(
            &manager,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": w.s2 }),
        )
        .await;
    assert!(other_solution.data()["node"].is_null());

    // Sellers pick partners to refer customers to, so the partner directory is open to them.
    let seller = w.app.seller(&[SegmentCode::Enterprise]);
    let directory = w
        .app
        .gql(&seller, "{ partners { totalCount } }", json!({}))
        .await;
    assert_eq!(directory.data()["partners"]["totalCount"], 2);

    let admin = w
        .app
        .gql(&w.app.admin(), "{ partners { totalCount } }", json!({}))
        .await;
    assert_eq!(admin.data()["partners"]["totalCount"], 2);
}

#[tokio::test]
async fn the_tenant_comes_only_from_the_token() {
    let w = world().await;
    let reply: Value = w
        .app
        .client
        .post(format!("{}/graphql", w.app.base))
        .bearer_auth(w.app.partner_user(&w.p1))
        .header("X-Partner-Id", &w.p2)
        .json(&json!({ "query": "{ viewer { partner { id } } partners { nodes { id } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["data"]["viewer"]["partner"]["id"], w.p1.as_str());
    assert_eq!(reply["data"]["partners"]["nodes"], json!([{ "id": w.p1 }]));
}
