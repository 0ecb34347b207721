//! Cost limits that hold against amplification: introspection multiplied by the lists it walks,
//! `nodes(ids:)` by its ids, aliases in fragments by their spreads; introspection switchable off.
use crate::helpers::TestApp;
use crate::process::ServerProcess;
use cosell::graphql::policy::introspection_bounds;
use serde_json::{Value, json};

/// graphql-js's `getIntrospectionQuery()`, as GraphiQL, Apollo and codegen send it.
const FULL_INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}"#;

#[tokio::test]
async fn the_full_introspection_query_runs_and_the_bounds_cover_the_schema() {
    let app = TestApp::spawn().await;
    let r = app.gql(&app.admin(), FULL_INTROSPECTION, json!({})).await;
    let schema = &r.data()["__schema"];
    let types = schema["types"].as_array().unwrap();
    let len = |v: &Value| v.as_array().map_or(0, Vec::len);
    assert!(
        types.len() <= introspection_bounds::TYPES,
        "{} types",
        types.len()
    );
    for t in types {
        for list in ["fields", "inputFields", "enumValues"] {
            assert!(
                len(&t[list]) <= introspection_bounds::MEMBERS,
                "{}.{list}",
                t["name"]
            );
        }
        for list in ["interfaces", "possibleTypes"] {
            assert!(
                len(&t[list]) <= introspection_bounds::OTHER,
                "{}.{list}",
                t["name"]
            );
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            assert!(
                len(&f["args"]) <= introspection_bounds::ARGS,
                "{}.{}",
                t["name"],
                f["name"]
            );
        }
    }
    assert!(len(&schema["directives"]) <= introspection_bounds::OTHER);
}

#[tokio::test]
async fn introspection_that_multiplies_its_answer_is_refused() {
    let app = TestApp::spawn().await;
    // 800 bytes that asked for 12 MB: every field's type's fields' types' fields...
    let bomb = "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }";
    let r = app.gql(&app.admin(), bomb, json!({})).await;
    assert_eq!(r.code(), "QUERY_TOO_COMPLEX", "{}", r.body);
    let message = r.error()["message"].as_str().unwrap();
    assert!(
        message.contains("introspection") && message.contains("5000000"),
        "{message}"
    );
    // Without the multiplying nesting it is fine.
    let plain = "{ __type(name: \"Opportunity\") { fields { name type { name } } } }";
    assert!(app.gql(&app.admin(), plain, json!({})).await.data()["__type"]["fields"].is_array());
}

#[tokio::test]
async fn nodes_costs_its_children_once_per_id() {
    let app = TestApp::spawn().await;
    let ids: Vec<String> = (0..100).map(|i| format!("opp_{i:032x}")).collect();
    // attack.py's amplification: 6 aliases × 100 ids × 4 aliases × 100 asks.
    let spreads: String = (0..6)
        .map(|i| format!("a{i}: nodes(ids: $ids) {{ ... on Opportunity {{ ...F }} }} "))
        .collect();
    let asks: String = (0..4)
        .map(|i| format!("x{i}: asks(first: 100) {{ nodes {{ id }} }} "))
        .collect();
    let query =
        format!("query($ids: [ID!]!) {{ {spreads} }} fragment F on Opportunity {{ {asks} }}");
    let r = app.gql(&app.admin(), &query, json!({ "ids": ids })).await;
    assert_eq!(r.code(), "QUERY_TOO_COMPLEX", "{}", r.body);
    assert!(
        r.error()["message"].as_str().unwrap().contains("costs 48"),
        "{}",
        r.body
    );
    // The same with one id and one alias is an ordinary request.
    let one = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Opportunity { asks(first: 100) { nodes { id } } } } }";
    let r = app
        .gql(&app.admin(), one, json!({ "ids": &ids[..1] }))
        .await;
    assert_eq!(r.data()["nodes"], json!([null]));
}

#[tokio::test]
async fn aliases_count_every_time_their_fragment_is_spread() {
    let app = TestApp::spawn().await;
    let aliases: String = (0..10).map(|i| format!("a{i}: role ")).collect();
    let spreads: String = (0..4)
        .map(|i| format!("s{i}: viewer {{ ...F }} "))
        .collect();
    let query = format!("{{ {spreads} }} fragment F on Viewer {{ {aliases} }}");
    let r = app.gql(&app.admin(), &query, json!({})).await;
    assert_eq!(
        r.code(),
        "QUERY_TOO_COMPLEX",
        "4 spreads x 10 aliases + 4 = 44 > 30"
    );
    let query = format!(
        "{{ s0: viewer {{ ...F }} s1: viewer {{ ...F }} }} fragment F on Viewer {{ {aliases} }}"
    );
    assert!(app.gql(&app.admin(), &query, json!({})).await.body["errors"].is_null());
}

#[tokio::test]
async fn introspection_can_be_switched_off() {
    let (url, _dir) = crate::helpers::fresh_database().await;
    let server = ServerProcess::start(&url, &[("COSELL_INTROSPECTION", "false")]).await;
    let (_, body) = server
        .gql("{ __schema { types { name } } }", json!({}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    assert!(body["data"].is_null());
    let (status, body) = server.gql("{ viewer { role } }", json!({})).await;
    assert_eq!(
        (status, &body["data"]["viewer"]["role"]),
        (200, &json!("ADMIN"))
    );
}

/// A nested page after a cursor is a statement per parent (first pages share one), and is
/// priced so: under 100 partners it is refused, under one it is an ordinary request.
#[tokio::test]
async fn nested_pages_after_a_cursor_cost_a_statement_per_parent() {
    let app = TestApp::spawn().await;
    let query = |partners: usize| {
        format!(
            "{{ partners(first: {partners}) {{ nodes {{ opportunities(first: 1, after: \"eyJ4IjoxfQ\") {{ nodes {{ id }} }} }} }} }}"
        )
    };
    let r = app.gql(&app.admin(), &query(100), json!({})).await;
    assert_eq!(r.code(), "QUERY_TOO_COMPLEX", "{}", r.body);
    // Without the cursor the same shape is cheap.
    let first_pages =
        "{ partners(first: 100) { nodes { opportunities(first: 1) { nodes { id } } } } }";
    assert!(app.gql(&app.admin(), first_pages, json!({})).await.body["errors"].is_null());
    let r = app.gql(&app.admin(), &query(1), json!({})).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
}
