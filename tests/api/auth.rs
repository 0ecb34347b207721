//! Token verification: every malformed or hostile token is a 401 with UNAUTHENTICATED.
use crate::helpers::{AUDIENCE, ISSUER, SECRET, TestApp};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cosell::auth::jwt::now_seconds;
use cosell::domain::enums::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

fn claims() -> Value {
    let now = now_seconds();
    json!({
        "sub": "mallory@example.com", "role": "ADMIN", "scope": "cosell:read cosell:write",
        "iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "iat": now, "nbf": now,
    })
}

fn sign(claims: &Value, key: &[u8], alg: Algorithm) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(key)).unwrap()
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

fn without(mut base: Value, key: &str) -> Value {
    base.as_object_mut().unwrap().remove(key);
    base
}

async fn assert_refused(app: &TestApp, token: &str, case: &str) {
    let r = app.gql(token, "{ viewer { role } }", json!({})).await;
    assert_eq!(r.status, 401, "{case}: {}", r.body);
    assert_eq!(r.code(), "UNAUTHENTICATED", "{case}");
    assert!(r.body.get("data").is_none(), "{case}: no data on 401");
}

#[tokio::test]
async fn a_valid_token_is_accepted() {
    let app = TestApp::spawn().await;
    let r = app
        .gql(
            &sign(&claims(), SECRET.as_bytes(), Algorithm::HS256),
            "{ viewer { role subject } }",
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.data()["viewer"],
        json!({ "role": "ADMIN", "subject": "mallory@example.com" })
    );
}

#[tokio::test]
async fn hostile_and_broken_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let key = SECRET.as_bytes();
    let now = now_seconds();
    let cases: Vec<(&str, String)> = vec![
        (
            "expired beyond leeway",
            sign(
                &with(claims(), "exp", json!(now - 120)),
                key,
                Algorithm::HS256,
            ),
        ),
        (
            "not yet valid",
            sign(
                &with(claims(), "nbf", json!(now + 3600)),
                key,
                Algorithm::HS256,
            ),
        ),
        (
            "issued in the future",
            sign(
                &with(claims(), "iat", json!(now + 86_400)),
                key,
                Algorithm::HS256,
            ),
        ),
        (
            "wrong issuer",
            sign(
                &with(claims(), "iss", json!("someone-else")),
                key,
                Algorithm::HS256,
            ),
        ),
        (
            "missing issuer",
            sign(&without(claims(), "iss"), key, Algorithm::HS256),
        ),
        (
            "wrong audience",
            sign(
                &with(claims(), "aud", json!("other-api")),
                key,
                Algorithm::HS256,
            ),
        ),
        (
            "missing audience",
            sign(&without(claims(), "aud"), key, Algorithm::HS256),
        ),
        (
            "missing exp",
            sign(&without(claims(), "exp"), key, Algorithm::HS256),
        ),
        (
            "exp as a string",
            sign(
                &with(claims(), "exp", json!("tomorrow")),
                key,
                Algorithm::HS256,
            ),
        ),
        (
            "missing sub",
            sign(&without(claims(), "sub"), key, Algorithm::HS256),
        ),
        (
            "unknown role",
            sign(
                &with(claims(), "role", json!("SUPERUSER")),
                key,
                Algorithm::HS256,
            ),
        ),
        (
            "missing role",
            sign(&without(claims(), "role"), key, Algorithm::HS256),
        ),
        (
            "partner role without partner",
            sign(
                &with(claims(), "role", json!("PARTNER_USER")),
                key,
                Algorithm::HS256,
            ),
        ),
        (
            "unknown segment",
            sign(
                &with(
                    with(claims(), "role", json!("AWS_SELLER")),
                    "segments",
                    json!(["MARS"]),
                ),
                key,
                Algorithm::HS256,
            ),
        ),
        (
            "wrong key",
            sign(
                &claims(),
                b"another-secret-another-secret-0123456789",
                Algorithm::HS256,
            ),
        ),
        (
            "other algorithm (HS512)",
            sign(&claims(), key, Algorithm::HS512),
        ),
        ("garbage", "not-a-token".into()),
        ("three dots", "...".into()),
        ("huge", "a".repeat(64 * 1024)),
    ];
    for (case, token) in &cases {
        assert_refused(&app, token, case).await;
    }
}

#[tokio::test]
async fn alg_none_is_refused() {
    let app = TestApp::spawn().await;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims().to_string());
    assert_refused(&app, &format!("{header}.{payload}."), "alg none").await;
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let app = TestApp::spawn().await;
    let partner_claims = with(
        with(claims(), "role", json!("PARTNER_USER")),
        "partner_id",
        json!("ptr_x"),
    );
    let token = sign(&partner_claims, SECRET.as_bytes(), Algorithm::HS256);
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    // Same signature, payload promoted to ADMIN.
    parts[1] = URL_SAFE_NO_PAD.encode(claims().to_string());
    assert_refused(&app, &parts.join("."), "tampered payload").await;
}

#[tokio::test]
async fn requests_without_a_bearer_token_are_refused() {
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.base);
    let body = json!({ "query": "{ viewer { role } }" });
    let no_header = app.client.post(&url).json(&body).send().await.unwrap();
    assert_eq!(no_header.status(), 401);
    assert_eq!(
        no_header.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    let reply: Value = no_header.json().await.unwrap();
    assert_eq!(reply["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    let empty = app
        .client
        .post(&url)
        .header("Authorization", "Bearer ")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 401);
    let basic = app
        .client
        .post(&url)
        .header("Authorization", "Basic YWRtaW46YWRtaW4=")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
    // Tokens are read from the Authorization header only, never from the URL.
    let in_query = app
        .client
        .get(format!(
            "{url}?query={{viewer{{role}}}}&access_token={}",
            app.admin()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(in_query.status(), 401);
}

#[tokio::test]
async fn a_read_only_token_cannot_mutate_but_can_read() {
    let app = TestApp::spawn().await;
    let partner = app.create_partner("Read Only Partner").await;
    let reader = app.read_only(Role::PartnerAdmin, Some(&partner));
    let read = app
        .gql(
            &reader,
            "query($id: ID!) { partner(id: $id) { name } }",
            json!({ "id": partner }),
        )
        .await;
    assert_eq!(read.data()["partner"]["name"], "Read Only Partner");
    let write = app
        .gql(
            &reader,
            "mutation($id: ID!) { updatePartner(id: $id, input: { name: \"Renamed\" }) { name } }",
            json!({ "id": partner }),
        )
        .await;
    assert_eq!(write.code(), "FORBIDDEN");
    let after = app
        .gql(
            &app.admin(),
            "query($id: ID!) { partner(id: $id) { name } }",
            json!({ "id": partner }),
        )
        .await;
    assert_eq!(
        after.data()["partner"]["name"],
        "Read Only Partner",
        "nothing was written"
    );
}

#[tokio::test]
async fn introspection_answers_authenticated_requests() {
    let app = TestApp::spawn().await;
    let r = app
        .gql(
            &app.admin(),
            "{ __schema { queryType { name } } __type(name: \"Partner\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["__schema"]["queryType"]["name"], "Query");
    assert_eq!(r.data()["__type"]["name"], "Partner");
}

#[tokio::test]
async fn queries_need_the_read_scope_and_mutations_the_write_scope() {
    let app = TestApp::spawn().await;
    let key = SECRET.as_bytes();
    let write_only = sign(
        &with(claims(), "scope", json!("cosell:write")),
        key,
        Algorithm::HS256,
    );
    let r = app.gql(&write_only, "{ viewer { role } }", json!({})).await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert!(
        r.error()["message"]
            .as_str()
            .unwrap()
            .contains("cosell:read")
    );
    // A mutation returns what it wrote, without the read scope.
    let r = app
        .gql(
            &write_only,
            "mutation { createPartner(input: { name: \"Writer\" }) { name } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["createPartner"]["name"], "Writer");
    let none = sign(&without(claims(), "scope"), key, Algorithm::HS256);
    assert_eq!(
        app.gql(&none, "{ viewer { role } }", json!({}))
            .await
            .code(),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn an_audience_array_holding_ours_is_accepted() {
    let app = TestApp::spawn().await;
    let key = SECRET.as_bytes();
    let ours = sign(
        &with(claims(), "aud", json!(["other-api", AUDIENCE])),
        key,
        Algorithm::HS256,
    );
    let r = app.gql(&ours, "{ viewer { role } }", json!({})).await;
    assert_eq!(r.data()["viewer"]["role"], "ADMIN");
    let not_ours = sign(
        &with(claims(), "aud", json!(["other-api", "third-api"])),
        key,
        Algorithm::HS256,
    );
    assert_refused(&app, &not_ours, "aud array without ours").await;
    let empty = sign(&with(claims(), "aud", json!([])), key, Algorithm::HS256);
    assert_refused(&app, &empty, "empty aud array").await;
}

#[tokio::test]
async fn a_crit_header_is_refused() {
    let app = TestApp::spawn().await;
    let mut header = Header::new(Algorithm::HS256);
    header.crit = Some(vec!["exp".into()]);
    let token = jsonwebtoken::encode(
        &header,
        &claims(),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    assert_refused(&app, &token, "crit header").await;
}

#[tokio::test]
async fn tokens_living_past_the_maximum_lifetime_are_refused() {
    let app = TestApp::spawn().await;
    let key = SECRET.as_bytes();
    let now = now_seconds();
    let year_9999 = sign(
        &with(claims(), "exp", json!(253_402_300_799u64)),
        key,
        Algorithm::HS256,
    );
    assert_refused(&app, &year_9999, "exp in 9999").await;
    let two_days = sign(
        &with(claims(), "exp", json!(now + 2 * 86_400)),
        key,
        Algorithm::HS256,
    );
    assert_refused(&app, &two_days, "48 h with the default 24 h maximum").await;
    // Without iat the lifetime counts from now.
    let no_iat = sign(
        &with(without(claims(), "iat"), "exp", json!(now + 2 * 86_400)),
        key,
        Algorithm::HS256,
    );
    assert_refused(&app, &no_iat, "48 h from now, no iat").await;
    let a_day = sign(
        &with(claims(), "exp", json!(now + 86_400)),
        key,
        Algorithm::HS256,
    );
    assert_eq!(
        app.gql(&a_day, "{ viewer { role } }", json!({}))
            .await
            .status,
        200
    );
}
