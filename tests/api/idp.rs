//! Tokens from an OpenID Connect identity provider (a loopback provider, `oidc_provider`):
//! RS256, ES256 and EdDSA keys found through discovery and chosen by `kid`; claims mapped the
//! way Cognito, Auth0 and Entra ID name them; rotation, unknown and retired keys, the refresh
//! limit, the RSA-public-key-as-HMAC-secret forgery, and a provider that is down at start.
use crate::helpers::fresh_database;
use crate::oidc_provider::{Provider, Signer, hs256_with, now, public_pem};
use crate::process::ServerProcess;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const VIEWER: &str = "{ viewer { subject role segments scopes partner { id } } }";

async fn start(
    provider: &Provider,
    extra: &[(&'static str, &str)],
) -> (ServerProcess, Option<tempfile::TempDir>) {
    let (url, dir) = fresh_database().await;
    let mut env: Vec<(&str, String)> = provider.env();
    env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    (ServerProcess::start(&url, &env).await, dir)
}

/// Status and body of `query` sent with `token`.
async fn ask(server: &ServerProcess, token: &str, query: &str) -> (u16, Value) {
    let r = server
        .client
        .post(format!("{}/graphql", server.base))
        .bearer_auth(token)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn refused(server: &ServerProcess, token: &str) -> bool {
    let (status, body) = ask(server, token, VIEWER).await;
    status == 401 && body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
}

/// Polls `check` for up to 10 s.
async fn eventually<F: std::future::Future<Output = bool>>(mut check: impl FnMut() -> F) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn cognito_style_tokens_of_each_algorithm_are_accepted_and_forgeries_refused() {
    let (rsa, ec, ed) = (
        Signer::rsa("rsa-a", "rsa-a.pem"),
        Signer::ec("ec-a"),
        Signer::ed("ed-a"),
    );
    let provider = Provider::start(&[&rsa, &ec, &ed]).await;
    let (server, _dir) = start(
        &provider,
        &[
            // A Cognito access token: the app client in `client_id`, groups, a custom attribute
            // and resource-server scopes.
            ("COSELL_OIDC_AUDIENCE_CLAIM", "client_id"),
            ("COSELL_OIDC_AUDIENCE", "app-client-1"),
            ("COSELL_CLAIM_ROLE", "cognito:groups"),
            ("COSELL_CLAIM_PARTNER_ID", "custom:partner_id"),
            (
                "COSELL_ROLE_VALUES",
                "cosell-partner-users=PARTNER_USER,cosell-admins=ADMIN",
            ),
            (
                "COSELL_SCOPE_VALUES",
                "cosell/read=cosell:read,cosell/write=cosell:write",
            ),
            ("COSELL_JWT_LOCAL", "on"),
        ],
    )
    .await;
    let partner = server
        .create(
            "mutation { createPartner(input: { name: \"Anycompany Cloud\" }) { id } }",
            json!({}),
        )
        .await;
    let cognito = |extra: Value| {
        let mut claims = provider.claims(json!({
            "client_id": "app-client-1",
            "cognito:groups": ["everyone", "cosell-partner-users"],
            "custom:partner_id": partner,
            "scope": "openid cosell/read cosell/write",
            "token_use": "access",
        }));
        claims.as_object_mut().unwrap().remove("aud");
        for (k, v) in extra.as_object().unwrap() {
            claims[k] = v.clone();
        }
        claims
    };

    for signer in [&rsa, &ec, &ed] {
        let (status, body) = ask(&server, &signer.sign(&cognito(json!({}))), VIEWER).await;
        assert_eq!(status, 200, "{:?}: {body}", signer.alg);
        assert_eq!(body["data"]["viewer"]["subject"], "idp-user-1");
        assert_eq!(body["data"]["viewer"]["role"], "PARTNER_USER");
        assert_eq!(body["data"]["viewer"]["partner"]["id"], partner);
        let scopes = body["data"]["viewer"]["scopes"].as_array().unwrap();
        assert!(scopes.contains(&json!("cosell:read")) && scopes.contains(&json!("cosell:write")));
    }
    assert_eq!(provider.jwks_fetches(), 1, "three algorithms, one key set");

    // The claims are checked as strictly as the signature.
    let expired = cognito(json!({ "iat": now() - 1200, "exp": now() - 600 }));
    assert!(refused(&server, &rsa.sign(&expired)).await, "expired");
    assert!(
        refused(
            &server,
            &rsa.sign(&cognito(json!({ "client_id": "other-app" })))
        )
        .await,
        "another app client"
    );
    assert!(
        refused(
            &server,
            &rsa.sign(&cognito(json!({ "iss": "https://evil.example" })))
        )
        .await,
        "another issuer"
    );
    assert!(
        refused(
            &server,
            &rsa.sign(&cognito(json!({ "cognito:groups": ["everyone"] })))
        )
        .await,
        "no cosell group"
    );
    assert!(
        refused(
            &server,
            &rsa.sign(&cognito(json!({ "custom:partner_id": null })))
        )
        .await,
        "partner user without partner"
    );

    // The algorithm is the key's, never the token's: an RSA public key used as an HMAC secret
    // (the classic forgery) and a token that names the RSA key but claims ES256 are refused.
    let forged = hs256_with(
        &public_pem("rsa-a.pub.pem"),
        "rsa-a",
        &cognito(json!({ "cognito:groups": ["cosell-admins"] })),
    );
    assert!(
        refused(&server, &forged).await,
        "HS256 with the RSA public key"
    );
    let ec_as_rsa = Signer::ec("rsa-a").sign(&cognito(json!({})));
    assert!(
        refused(&server, &ec_as_rsa).await,
        "ES256 under the RSA key's kid"
    );
    let ec_as_ed = Signer::ec("ed-a").sign(&cognito(json!({})));
    assert!(
        refused(&server, &ec_as_ed).await,
        "ES256 under the EdDSA key's kid"
    );

    // With COSELL_JWT_LOCAL=on, tokens from `cosell token` still work beside the provider's.
    assert_eq!(server.gql("{ viewer { role } }", json!({})).await.0, 200);
}

#[tokio::test]
async fn entra_and_auth0_style_claims_map_and_local_tokens_are_off_beside_a_provider() {
    let rsa = Signer::rsa("entra-1", "rsa-a.pem");
    let provider = Provider::start(&[&rsa]).await;
    let (server, _dir) = start(
        &provider,
        &[
            // Entra ID app roles in `roles`, delegated scopes in `scp`; the segments under an
            // Auth0-style namespaced object, reached by JSON pointer.
            ("COSELL_CLAIM_ROLE", "roles"),
            (
                "COSELL_ROLE_VALUES",
                "Cosell.Admin=ADMIN,Cosell.Seller=AWS_SELLER",
            ),
            ("COSELL_CLAIM_SUBJECT", "oid"),
            (
                "COSELL_CLAIM_SEGMENTS",
                "/https:~1~1cosell.example~1claims/segments",
            ),
        ],
    )
    .await;
    let mut seller = provider.claims(json!({
        "oid": "7d2b1c3e-0000-4000-8000-00000000abcd",
        "roles": ["Cosell.Seller"],
        "scp": "cosell:read",
        "https://cosell.example/claims": { "segments": ["ENTERPRISE", "SMB"] },
    }));
    seller.as_object_mut().unwrap().remove("scope");
    let (status, body) = ask(&server, &rsa.sign(&seller), VIEWER).await;
    assert_eq!(status, 200, "{body}");
    let viewer = &body["data"]["viewer"];
    assert_eq!(viewer["subject"], "7d2b1c3e-0000-4000-8000-00000000abcd");
    assert_eq!(viewer["role"], "AWS_SELLER");
    assert_eq!(viewer["segments"], json!(["ENTERPRISE", "SMB"]));
    assert_eq!(viewer["scopes"], json!(["cosell:read"]));

    // Read scope only: a mutation is refused for want of cosell:write.
    let (_, body) = ask(
        &server,
        &rsa.sign(&seller),
        "mutation { deleteWebhook(id: \"V2ViaG9vazox\") }",
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );

    // The same token opens a live connection.
    let mut ws = crate::ws::Ws::open(&server.base, &rsa.sign(&seller)).await;
    ws.subscribe(
        "o",
        "subscription { opportunityEvents { action } }",
        json!({}),
    )
    .await;

    let mut two_roles = seller.clone();
    two_roles["roles"] = json!(["Cosell.Seller", "Cosell.Admin"]);
    assert!(
        refused(&server, &rsa.sign(&two_roles)).await,
        "two cosell roles are not guessed between"
    );
    let mut wrong_audience = seller.clone();
    wrong_audience["aud"] = json!("api://another-app");
    assert!(refused(&server, &rsa.sign(&wrong_audience)).await);

    // Beside a provider, HS256 tokens are off unless COSELL_JWT_LOCAL=on: the local admin
    // token and the RSA-public-key forgery are both refused.
    assert_eq!(server.gql("{ viewer { role } }", json!({})).await.0, 401);
    let mut admin = seller.clone();
    admin["roles"] = json!(["Cosell.Admin"]);
    let forged = hs256_with(&public_pem("rsa-a.pub.pem"), "entra-1", &admin);
    assert!(refused(&server, &forged).await);
}

#[tokio::test]
async fn keys_rotate_unknown_kids_refresh_at_most_once_per_interval_and_retired_keys_stop_working()
{
    let (old, new) = (
        Signer::rsa("2026-11", "rsa-a.pem"),
        Signer::rsa("2026-12", "rsa-b.pem"),
    );
    let provider = Provider::start(&[&old]).await;
    let (server, _dir) = start(&provider, &[]).await;
    let token = |signer: &Signer| signer.sign(&provider.claims(json!({ "role": "ADMIN" })));
    assert_eq!(ask(&server, &token(&old), VIEWER).await.0, 200);
    assert_eq!(
        ask(&server, &token(&new), VIEWER).await.0,
        401,
        "not published yet"
    );

    // A flood of made-up kids costs the provider one fetch per interval (1 s here).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let before = provider.jwks_fetches();
    let started = Instant::now();
    let flood = (0..40).map(|i| {
        let forged = Signer::rsa(&format!("made-up-{i}"), "rsa-b.pem");
        let server = &server;
        let token = token(&forged);
        async move { refused(server, &token).await }
    });
    let results = futures_util::future::join_all(flood).await;
    let took = started.elapsed();
    assert!(results.iter().all(|r| *r));
    let fetched = provider.jwks_fetches() - before;
    assert!(
        fetched as u64 <= took.as_secs() + 1,
        "{fetched} fetches for 40 unknown kids in {took:?}"
    );

    // Rotation: the provider publishes the new key beside the old; the first token signed
    // with it makes cosell fetch the set again.
    provider.publish(&[&old, &new]);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        ask(&server, &token(&new), VIEWER).await.0,
        200,
        "the new key after rotation"
    );
    assert_eq!(
        ask(&server, &token(&old), VIEWER).await.0,
        200,
        "the old key until retired"
    );

    // Retirement: the old key leaves the set, now served for one second. Once cosell's copy
    // expires it fetches again, and tokens signed with the retired key stop working.
    provider.publish(&[&new]);
    provider.cache_control("public, max-age=1");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // An unknown kid forces the fetch that brings the short lifetime.
    assert!(refused(&server, &token(&Signer::rsa("made-up", "rsa-b.pem"))).await);
    assert!(refused(&server, &token(&old)).await, "the retired key");
    assert_eq!(ask(&server, &token(&new), VIEWER).await.0, 200);

    // The caching headers drive the refresh: a one-second lifetime is refetched by itself.
    let before = provider.jwks_fetches();
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert!(
        provider.jwks_fetches() - before >= 2,
        "kept no longer than max-age"
    );
}

#[tokio::test]
async fn the_server_starts_while_the_provider_is_down_and_readiness_says_so() {
    let rsa = Signer::rsa("k1", "rsa-a.pem");
    let provider = Provider::start(&[&rsa]).await;
    provider.set_down(true);
    let (server, _dir) = start(&provider, &[]).await;
    let token = rsa.sign(&provider.claims(json!({ "role": "ADMIN" })));

    let ready = server
        .client
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["identityProvider"], "unavailable", "{body}");
    assert_eq!(body["database"], "ok");
    // The token may be good: the client is told to retry, not that it is signed out.
    let (status, body) = ask(&server, &token, VIEWER).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAVAILABLE");
    assert!(
        !body.to_string().contains("127.0.0.1"),
        "no internal detail: {body}"
    );

    provider.set_down(false);
    assert!(eventually(|| async { server.status_of("/readyz").await == 200 }).await);
    let (status, body) = ask(&server, &token, VIEWER).await;
    assert_eq!(
        (status, &body["data"]["viewer"]["role"]),
        (200, &json!("ADMIN")),
        "{body}"
    );

    // Down again later: the loaded keys stay in use.
    provider.set_down(true);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(ask(&server, &token, VIEWER).await.0, 200);
    assert_eq!(server.status_of("/readyz").await, 200);
}
