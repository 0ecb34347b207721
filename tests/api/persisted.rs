//! Persisted documents: Apollo's automatic persisted queries, and the trusted-documents mode in
//! which only a manifest's documents run. Checked through HTTP and with Apollo Client's own
//! persisted-query link (tests/js/apollo-persisted-queries.mjs).
use crate::helpers::TestApp;
use serde_json::{Value, json};

const QUERY: &str = "{ viewer { role } }";

fn sha256(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

async fn post(app: &TestApp, body: Value) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(app.admin())
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn hashed(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

#[tokio::test]
async fn automatic_persisted_queries_follow_apollos_protocol() {
    let app = TestApp::spawn().await;
    let hash = sha256(QUERY);

    let (status, unknown) = post(&app, json!({ "extensions": hashed(&hash) })).await;
    assert_eq!(
        status, 200,
        "a GraphQL error the client can read: {unknown}"
    );
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");

    let (_, registered) = post(&app, json!({ "query": QUERY, "extensions": hashed(&hash) })).await;
    assert_eq!(registered["data"]["viewer"]["role"], "ADMIN");
    let (_, by_hash) = post(&app, json!({ "extensions": hashed(&hash) })).await;
    assert_eq!(by_hash["data"]["viewer"]["role"], "ADMIN");

    // Over GET too, with the extensions as a JSON parameter.
    let r = app
        .client
        .get(format!("{}/graphql", app.base))
        .query(&[("extensions", hashed(&hash).to_string())])
        .bearer_auth(app.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["data"]["viewer"]["role"],
        "ADMIN"
    );

    // A text that is not the hash's is refused and not stored under it.
    let other = sha256("{ segments { code } }");
    let (_, lying) = post(
        &app,
        json!({ "query": QUERY, "extensions": hashed(&other) }),
    )
    .await;
    assert_eq!(lying["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let (_, still_unknown) = post(&app, json!({ "extensions": hashed(&other) })).await;
    assert_eq!(
        still_unknown["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );

    for bad in [
        json!({ "persistedQuery": { "version": 2, "sha256Hash": hash } }),
        json!({ "persistedQuery": { "version": 1, "sha256Hash": "abc" } }),
    ] {
        let (_, refused) = post(&app, json!({ "extensions": bad })).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{refused}"
        );
    }
}

#[tokio::test]
async fn trusted_documents_mode_runs_only_the_manifest() {
    let registered = "query Me { viewer { role } }";
    let manifest = json!({ "reg-1": registered }).to_string();
    let app = TestApp::spawn_with_trusted_documents(&manifest).await;

    for named in [
        json!({ "documentId": "reg-1" }),
        json!({ "doc_id": "reg-1" }),
        json!({ "id": "reg-1" }),
        json!({ "query": registered }),
    ] {
        let (status, r) = post(&app, named.clone()).await;
        assert_eq!(status, 200);
        assert_eq!(r["data"]["viewer"]["role"], "ADMIN", "{named}: {r}");
    }
    for refused in [
        json!({ "query": "{ viewer { role } }" }),
        json!({ "documentId": "reg-2" }),
        json!({ "extensions": hashed(&sha256("{ segments { code } }")) }),
        json!({ "documentId": "reg-1", "query": "{ segments { code } }" }),
    ] {
        let (_, r) = post(&app, refused.clone()).await;
        assert_eq!(
            r["errors"][0]["extensions"]["code"], "DOCUMENT_NOT_TRUSTED",
            "{refused}: {r}"
        );
        assert!(r.get("data").is_none());
    }
}

async fn apollo(app: &TestApp, mode: &str) -> String {
    let url = format!("{}/graphql", app.base);
    let token = app.admin();
    let (ok, output) = crate::node::run(
        "apollo-persisted-queries.mjs",
        &[
            ("COSELL_URL", &url),
            ("COSELL_TOKEN", &token),
            ("COSELL_MODE", mode),
        ],
    )
    .await;
    assert!(ok, "{mode}: {output}");
    output
}

#[tokio::test]
async fn apollo_clients_persisted_query_link_works_in_both_modes() {
    let app = TestApp::spawn().await;
    apollo(&app, "automatic").await;

    // The manifest a build step would make from the client's documents.
    let manifest = apollo(&app, "manifest").await;
    let trusted = TestApp::spawn_with_trusted_documents(manifest.trim()).await;
    apollo(&trusted, "trusted").await;
}
