//! Query limits, error masking and panic containment.
use crate::helpers::TestApp;
use cosell::auth::MintRequest;
use cosell::domain::enums::Role;
use cosell::graphql::query::TestHooks;
use sea_orm::ConnectionTrait;
use serde_json::json;

#[tokio::test]
async fn queries_deeper_than_ten_levels_are_refused() {
    let app = TestApp::spawn().await;
    // partners > nodes > solutions > partner > solutions > partner > solutions > partner > solutions > partner > name
    let deep = "{ partners { nodes { solutions { partner { solutions { partner { solutions { partner { solutions { partner { name } } } } } } } } } } }";
    let r = app.gql(&app.admin(), deep, json!({})).await;
    assert_eq!(r.code(), "QUERY_TOO_COMPLEX");
    assert!(
        r.error()["message"]
            .as_str()
            .unwrap()
            .contains("levels deep")
    );
    let fits = "{ partners { nodes { solutions { partner { solutions { partner { solutions { partner { name } } } } } } } } }";
    app.gql(&app.admin(), fits, json!({})).await.data();
}

#[tokio::test]
async fn depth_counts_through_fragments() {
    let app = TestApp::spawn().await;
    let q = "fragment P on Partner { solutions { partner { solutions { partner { solutions { partner { solutions { partner { name } } } } } } } } }
             { partners { nodes { ...P } } }";
    assert_eq!(
        app.gql(&app.admin(), q, json!({})).await.code(),
        "QUERY_TOO_COMPLEX"
    );
}

#[tokio::test]
async fn a_full_introspection_query_is_allowed() {
    let app = TestApp::spawn().await;
    // The TypeRef nesting GraphiQL sends is 10+ levels; introspection is not counted as depth.
    let q = "{ __schema { types { name fields { name type { ...T } args { name type { ...T } } } inputFields { name type { ...T } } } } }
             fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";
    let r = app.gql(&app.admin(), q, json!({})).await;
    assert!(r.data()["__schema"]["types"].as_array().unwrap().len() > 20);
}

#[tokio::test]
async fn too_many_aliases_are_refused() {
    let app = TestApp::spawn().await;
    let many: String = (0..31)
        .map(|i| format!("a{i}: viewer {{ role }} "))
        .collect();
    let r = app
        .gql(&app.admin(), &format!("{{ {many} }}"), json!({}))
        .await;
    assert_eq!(r.code(), "QUERY_TOO_COMPLEX");
    let allowed: String = (0..30)
        .map(|i| format!("a{i}: viewer {{ role }} "))
        .collect();
    app.gql(&app.admin(), &format!("{{ {allowed} }}"), json!({}))
        .await
        .data();
}

#[tokio::test]
async fn costly_queries_are_refused_before_running() {
    let app = TestApp::spawn().await;
    // Each alias costs first × node: 20 × 100 partners × 100 opportunities × 2 is far above
    // the budget.
    let heavy: String = (0..20)
        .map(|i| format!("p{i}: partners(first: 100) {{ nodes {{ id opportunities(first: 100) {{ nodes {{ id }} }} }} }} "))
        .collect();
    let r = app
        .gql(&app.admin(), &format!("{{ {heavy} }}"), json!({}))
        .await;
    assert_eq!(r.code(), "QUERY_TOO_COMPLEX");
    let message = r.error()["message"].as_str().unwrap();
    assert!(
        message.starts_with("the query costs ") && message.contains("at most 100000"),
        "the cost and the limit: {message}"
    );
}

#[tokio::test]
async fn too_many_directives_on_a_field_are_refused() {
    let app = TestApp::spawn().await;
    let directives = "@include(if: true) ".repeat(6);
    let r = app
        .gql(
            &app.admin(),
            &format!("{{ viewer {directives} {{ role }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(r.code(), "QUERY_TOO_COMPLEX");
}

#[tokio::test]
async fn page_size_is_capped_at_one_hundred() {
    let app = TestApp::spawn().await;
    let r = app
        .gql(
            &app.admin(),
            "{ partners(first: 101) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    assert_eq!(
        r.fields(),
        vec![("first".to_string(), "VALUE_OUT_OF_RANGE".to_string())]
    );
    let negative = app
        .gql(
            &app.admin(),
            "{ partners(first: -1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(negative.code(), "BAD_USER_INPUT");
    app.gql(
        &app.admin(),
        "{ partners(first: 100) { totalCount } }",
        json!({}),
    )
    .await
    .data();
}

#[tokio::test]
async fn syntax_and_validation_errors_carry_a_code() {
    let app = TestApp::spawn().await;
    let syntax = app.gql(&app.admin(), "{ viewer { role ", json!({})).await;
    assert_eq!(syntax.code(), "BAD_USER_INPUT");
    let unknown = app
        .gql(&app.admin(), "{ partnr(id: \"x\") { id } }", json!({}))
        .await;
    assert_eq!(unknown.code(), "BAD_USER_INPUT");
    let bad_enum = app
        .gql(
            &app.admin(),
            "mutation { createPartner(input: { name: \"X\", segments: [MARS] }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(bad_enum.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_panicking_resolver_yields_internal_and_the_server_lives_on() {
    let app = TestApp::spawn().await;
    let token = app.mint(&MintRequest::new(Role::Admin, TestHooks::PANIC_SUBJECT));
    let r = app.gql(&token, "{ viewer { role } }", json!({})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.code(), "INTERNAL");
    assert_eq!(r.error()["message"], "internal error");
    assert!(
        r.error()["extensions"]["requestId"]
            .as_str()
            .is_some_and(|id| id.len() == 32)
    );
    app.gql(&app.admin(), "{ viewer { role } }", json!({}))
        .await
        .data();
}

#[tokio::test]
async fn database_errors_reach_the_client_as_internal_without_details() {
    let app = TestApp::spawn().await;
    app.db
        .execute_unprepared("ALTER TABLE segment RENAME TO segment_gone")
        .await
        .unwrap();
    let r = app
        .gql(&app.admin(), "{ segments { code } }", json!({}))
        .await;
    assert_eq!(r.code(), "INTERNAL");
    let text = r.body.to_string().to_lowercase();
    for word in [
        "sql",
        "table",
        "relation",
        "database",
        "no such",
        "segment_gone",
    ] {
        assert!(!text.contains(word), "leaked {word:?}: {text}");
    }
    assert!(r.error()["extensions"]["requestId"].is_string());
}
