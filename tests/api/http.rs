//! Transport rules of the endpoint and the probes.
use crate::helpers::TestApp;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn probes_and_graphiql_answer() {
    let app = TestApp::spawn().await;
    let live = app.get("/healthz").await;
    assert_eq!(live.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
    let ide = app.get("/").await;
    assert_eq!(ide.status(), 200);
    assert!(
        ide.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = ide.text().await.unwrap();
    // Every asset from the server itself, none from a CDN.
    assert!(!page.contains("https://"), "{page}");
    let asset = app
        .get(&format!(
            "/graphiql/{}/graphiql.min.js",
            cosell::http::graphiql::VERSION
        ))
        .await;
    assert_eq!(asset.status(), 200);
    assert!(
        asset.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(
        app.get("/graphiql/0.0.1/graphiql.min.js").await.status(),
        404
    );
    assert_eq!(
        app.get("/graphiql/3.8.3/../../etc/passwd").await.status(),
        404
    );
}

/// GraphiQL in a real headless Chromium that can reach nothing but this server: the page
/// loads, a query runs and its result shows, the docs explorer opens.
#[tokio::test]
async fn graphiql_works_offline_in_a_headless_browser() {
    let app = TestApp::spawn().await;
    let token = app.admin();
    let (ok, output) = crate::node::run(
        "graphiql-offline.mjs",
        &[("COSELL_URL", &app.base), ("COSELL_TOKEN", &token)],
    )
    .await;
    assert!(ok, "{output}");
    assert!(output.contains("\"ADMIN\""), "{output}");
    assert!(output.contains("subscription shown:"), "{output}");
    assert!(output.contains("CREATED"), "{output}");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.db.clone().close().await.unwrap();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let live = app.get("/healthz").await;
    assert_eq!(live.status(), 200, "the process is still up");
}

#[tokio::test]
async fn only_json_posts_execute() {
    let app = TestApp::spawn().await;
    let r = app
        .post_raw(
            "text/plain",
            json!({ "query": "{ viewer { role } }" })
                .to_string()
                .to_string(),
        )
        .await;
    assert_eq!(r.status(), 415);
    let with_charset = app
        .post_raw(
            "application/json; charset=utf-8",
            json!({ "query": "{ viewer { role } }" })
                .to_string()
                .to_string(),
        )
        .await;
    assert_eq!(with_charset.status(), 200);
    assert!(with_charset.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn malformed_bodies_and_batches_are_bad_requests() {
    let app = TestApp::spawn().await;
    for body in [
        "{not json",
        "[{\"query\":\"{ viewer { role } }\"}]",
        "{\"variables\":{}}",
    ] {
        let r = app.post_raw("application/json", body.to_string()).await;
        assert_eq!(r.status(), 400, "{body}");
        assert_eq!(
            r.json::<Value>().await.unwrap()["errors"][0]["extensions"]["code"],
            "BAD_USER_INPUT"
        );
    }
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_refused() {
    let app = TestApp::spawn().await;
    let padding = "x".repeat(1024 * 1024);
    let r = app
        .post_raw(
            "application/json",
            json!({ "query": "{ viewer { role } }", "extensions": { "pad": padding } }).to_string(),
        )
        .await;
    assert_eq!(r.status(), 413);
    // Just under the limit still executes.
    let under = "x".repeat(1024 * 1024 - 200);
    let ok = app
        .post_raw(
            "application/json",
            json!({ "query": "{ viewer { role } }", "extensions": { "pad": under } })
                .to_string()
                .to_string(),
        )
        .await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn chunked_bodies_over_the_limit_are_refused() {
    let app = TestApp::spawn().await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        app.admin()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = "y".repeat(64 * 1024);
    for _ in 0..20 {
        let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
        if stream.write_all(framed.as_bytes()).await.is_err() {
            break; // the server may close as soon as the limit is passed
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut reply = vec![0u8; 64];
    let n = stream.read(&mut reply).await.unwrap();
    let status_line = String::from_utf8_lossy(&reply[..n]);
    assert!(
        status_line.starts_with("HTTP/1.1 413"),
        "got {status_line:?}"
    );
}

#[tokio::test]
async fn get_runs_queries_but_never_mutations() {
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.base);
    let query = app
        .client
        .get(&url)
        .query(&[("query", "{ viewer { role } }")])
        .bearer_auth(app.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), 200);
    assert_eq!(
        query.json::<Value>().await.unwrap()["data"]["viewer"]["role"],
        "ADMIN"
    );

    let mutation = app
        .client
        .get(&url)
        .query(&[(
            "query",
            "mutation { createPartner(input: { name: \"Via GET\" }) { id } }",
        )])
        .bearer_auth(app.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(mutation.status(), 405);
    let listed = app
        .gql(&app.admin(), "{ partners { totalCount } }", json!({}))
        .await;
    assert_eq!(
        listed.data()["partners"]["totalCount"],
        0,
        "the GET mutation wrote nothing"
    );

    let chosen = app
        .client
        .get(&url)
        .query(&[
            ("query", "query Q { viewer { role } } mutation M { createPartner(input: { name: \"X\" }) { id } }"),
            ("operationName", "M"),
        ])
        .bearer_auth(app.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(
        chosen.status(),
        405,
        "the named mutation of a document is refused too"
    );

    let put = app
        .client
        .put(&url)
        .bearer_auth(app.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 405);
}

#[tokio::test]
async fn browsers_may_call_from_configured_origins_and_the_server_itself() {
    use crate::helpers::ALLOWED_ORIGIN;
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.base);
    let preflight = |origin: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, &url)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight(ALLOWED_ORIGIN).await.unwrap();
    assert!(allowed.status().is_success());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        ALLOWED_ORIGIN
    );
    let evil = preflight("https://evil.example").await.unwrap();
    assert!(evil.headers().get("access-control-allow-origin").is_none());

    let post = |origin: String| {
        app.client
            .post(&url)
            .bearer_auth(app.admin())
            .header("Origin", origin)
            .json(&json!({ "query": "mutation { createPartner(input: { name: \"Cross Origin\" }) { id } }" }))
            .send()
    };
    let same_origin = post(app.base.clone()).await.unwrap();
    assert_eq!(
        same_origin.status(),
        200,
        "GraphiQL on the server's own origin works"
    );
    // The server's own origin comes from its listen address, not from the Host header.
    let forged = app
        .client
        .post(&url)
        .bearer_auth(app.admin())
        .header("Origin", "http://rebound.example:8080")
        .header("Host", "rebound.example:8080")
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        400,
        "a Host header matching the Origin is no pass"
    );
    let refused = post("https://evil.example".into()).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let from_app = post(ALLOWED_ORIGIN.into()).await.unwrap();
    let exposed = from_app.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(exposed.contains("x-request-id") && exposed.contains("retry-after"));
    let body: Value = from_app.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "duplicate name: the evil request wrote nothing, the same-origin one did"
    );
}

#[test]
fn configured_origins_must_be_origins() {
    assert_eq!(
        cosell::http::parse_origin("https://app.example/").unwrap(),
        "https://app.example"
    );
    assert!(cosell::http::parse_origin("http://localhost:3000").is_ok());
    for bad in [
        "app.example",
        "https://app.example/path",
        "ftp://x",
        "https://",
    ] {
        assert!(cosell::http::parse_origin(bad).is_err(), "{bad}");
    }
}

/// The response carries the fields in the order the request asked for them (GraphQL spec,
/// "Serialization"), aliases included.
#[tokio::test]
async fn response_fields_come_in_the_requests_order() {
    let app = TestApp::spawn().await;
    for (query, order) in [
        ("{ viewer { subject role } }", ["\"subject\"", "\"role\""]),
        ("{ viewer { role subject } }", ["\"role\"", "\"subject\""]),
        (
            "{ z: viewer { role } a: viewer { role } }",
            ["\"z\"", "\"a\""],
        ),
    ] {
        let text = app
            .client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(app.admin())
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let first = text.find(order[0]).expect(order[0]);
        let second = text.find(order[1]).expect(order[1]);
        assert!(first < second, "{query}: {text}");
    }
}

/// The GraphQL-over-HTTP conformance audits of the `graphql-http` package, run by Node
/// against this server: every MUST, SHOULD and MAY it checks passes.
#[tokio::test]
async fn graphql_over_http_audits_pass() {
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.base);
    let token = app.admin();
    let (ok, output) = crate::node::run(
        "graphql-http-audits.mjs",
        &[("COSELL_URL", &url), ("COSELL_TOKEN", &token)],
    )
    .await;
    assert!(ok, "{output}");
    assert!(output.contains(" audits, 0 not ok"), "{output}");
}

/// `application/graphql-response+json` when the client accepts it: 400 and no `data` for a
/// request that fails before execution, 200 with data and errors for a field error.
#[tokio::test]
async fn the_graphql_response_media_type_is_answered_when_accepted() {
    let app = TestApp::spawn().await;
    let post = |query: &str, accept: &str| {
        app.client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(app.admin())
            .header("accept", accept)
            .json(&json!({ "query": query }))
            .send()
    };
    let media = "application/graphql-response+json";
    let invalid = post("{ viewer { nope } }", media).await.unwrap();
    assert_eq!(invalid.status(), 400);
    assert!(
        invalid.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(media)
    );
    let body: Value = invalid.json().await.unwrap();
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    let legacy = post("{ viewer { nope } }", "application/json")
        .await
        .unwrap();
    assert_eq!(legacy.status(), 200);
    assert_eq!(legacy.headers()["content-type"], "application/json");
    let body: Value = legacy.json().await.unwrap();
    assert!(
        body.get("data").is_none(),
        "no execution, no data entry: {body}"
    );

    let partial = post(
        r#"{ opportunity(id: "opp_nothing") { id } viewer { role } }"#,
        media,
    )
    .await
    .unwrap();
    assert_eq!(
        partial.status(),
        200,
        "a field error is not a request error"
    );
    let body: Value = partial.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    assert_eq!(body["errors"][0]["path"], json!(["opportunity"]));
}

/// A nullable field that errors is `null` with its key present (not missing), and the keys of
/// every object come back in the order the request asked for them, not the order in which
/// their resolvers finished (async-graphql is patched for both: vendor/async-graphql).
#[tokio::test]
async fn a_failed_field_is_null_and_keys_keep_the_request_order() {
    let app = TestApp::spawn().await;
    let partner = app.create_partner("Ordered").await;
    let query = r#"{
        slow: opportunities(first: 5) { totalCount pageInfo { hasNextPage } }
        missing: opportunity(id: "opp_nothing") { id }
        viewer { role subject }
        partner(id: "PARTNER") { name id }
        segments { name code }
    }"#
    .replace("PARTNER", &partner);
    let r = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(app.admin())
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    // Read the raw text: key order is what is tested, and serde_json's map would sort it.
    let text = r.text().await.unwrap();
    let order = [
        "\"slow\"",
        "\"missing\":null",
        "\"viewer\"",
        "\"partner\"",
        "\"segments\"",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|k| text.find(k).unwrap_or_else(|| panic!("{k} in {text}")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    for inner in [
        ["\"totalCount\"", "\"pageInfo\""],
        ["\"role\"", "\"subject\""],
        ["\"name\":\"Ordered\"", "\"id\""],
    ] {
        assert!(
            text.find(inner[0]).unwrap() < text.find(inner[1]).unwrap(),
            "{text}"
        );
    }
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["errors"].as_array().unwrap().len(), 1);
    assert_eq!(body["errors"][0]["path"], json!(["missing"]));
    assert!(body["errors"][0]["locations"][0]["line"].as_u64().unwrap() > 0);
}

/// A browser front-end's preflight with the headers common clients add (Apollo's client
/// awareness, W3C trace context, a request id) and a configured extra one is allowed; a header
/// nobody configured is not.
#[tokio::test]
async fn preflights_allow_the_headers_common_clients_send() {
    let app = TestApp::spawn().await;
    let preflight = |headers: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.base))
            .header("origin", crate::helpers::ALLOWED_ORIGIN)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", headers)
            .send()
    };
    let ok = preflight(
        "authorization,content-type,apollographql-client-name,apollographql-client-version,traceparent,tracestate,x-request-id,x-tenant-hint",
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    let allowed = ok.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for h in ["apollographql-client-name", "traceparent", "x-tenant-hint"] {
        assert!(allowed.contains(h), "{allowed}");
    }
    let refused = preflight("authorization,x-unheard-of").await.unwrap();
    assert_ne!(refused.status(), 200);
}

/// Responses are compressed with gzip or Brotli when the client accepts it.
#[tokio::test]
async fn large_responses_are_compressed_when_the_client_accepts_it() {
    let app = TestApp::spawn().await;
    let query = json!({ "query": "{ __schema { types { name description fields { name description } } } }" });
    let plain = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(app.admin())
        .json(&query)
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_len = plain.bytes().await.unwrap().len();
    for encoding in ["gzip", "br"] {
        let r = app
            .client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(app.admin())
            .header("accept-encoding", encoding)
            .json(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-encoding"], encoding);
        let len = r.bytes().await.unwrap().len();
        assert!(
            len * 3 < plain_len,
            "{encoding}: {len} of {plain_len} bytes"
        );
    }
}

/// A caller's X-Request-Id is kept (and answered) when it is a plain token; anything else is
/// replaced with a fresh id.
#[tokio::test]
async fn a_callers_request_id_is_kept_when_it_is_a_plain_token() {
    let app = TestApp::spawn().await;
    let send = |id: &'static str| {
        app.client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(app.admin())
            .header("x-request-id", id)
            .json(&json!({ "query": "{ viewer { role } }" }))
            .send()
    };
    let kept = send("web-7f3a.42_b").await.unwrap();
    assert_eq!(kept.headers()["x-request-id"], "web-7f3a.42_b");
    for bad in ["has space", "quote\"d", "<script>"] {
        let r = send(bad).await.unwrap();
        let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_ne!(id, bad);
        assert_eq!(id.len(), 32, "a fresh id: {id}");
    }
    let long: &'static str = Box::leak("a".repeat(65).into_boxed_str());
    let r = send(long).await.unwrap();
    assert_eq!(r.headers()["x-request-id"].to_str().unwrap().len(), 32);
}
