//! The server's log as an operator reads it: one JSON object per line when asked, an access
//! line per request with the GraphQL operation, subject and outcome, no colour codes in a file,
//! and never a token or a customer's data.
use crate::helpers::fresh_database;
use crate::process::ServerProcess;
use serde_json::{Value, json};
use std::time::Duration;

/// The log's lines once `done` holds for them (at most 10 s: a thread writes them).
async fn lines_when(log: &std::path::Path, done: impl Fn(&str) -> bool) -> String {
    for _ in 0..200 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if done(&text) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{}", std::fs::read_to_string(log).unwrap_or_default());
}

/// A log file beside the test's database (or in the temporary folder on PostgreSQL).
fn log_file(dir: &Option<tempfile::TempDir>) -> std::path::PathBuf {
    dir.as_ref()
        .map_or_else(std::env::temp_dir, |d| d.path().to_path_buf())
        .join(format!("cosell-{}.log", uuid::Uuid::new_v4().simple()))
}

#[tokio::test]
async fn json_logs_carry_one_access_line_per_request_with_the_operation_and_outcome() {
    let (url, dir) = fresh_database().await;
    let log = log_file(&dir);
    let server = ServerProcess::start_logged(
        &url,
        &[("COSELL_LOG_FORMAT", "json"), ("RUST_LOG", "info")],
        &log,
    )
    .await;
    let token = server.admin();

    let partner = server
        .create(
            "mutation { createPartner(input: { name: \"Logged\" }) { id } }",
            json!({}),
        )
        .await;
    let customer = server
        .create(
            "mutation AddCustomer($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
            json!({ "input": crate::fixtures::customer_input(&partner, "Secret Customer Ltd") }),
        )
        .await;
    let opportunity = server
        .create(
            "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id } }",
            json!({ "input": crate::fixtures::opportunity_input(&customer, "Logged deal", "log-1") }),
        )
        .await;
    let (_, stale) = server
        .gql(
            "mutation Stale($id: ID!) { updateOpportunity(id: $id, expectedVersion: 99, input: { title: \"Renamed\" }) { id } }",
            json!({ "id": opportunity }),
        )
        .await;
    assert_eq!(stale["errors"][0]["extensions"]["code"], "CONFLICT");
    let anonymous = server
        .client
        .post(format!("{}/graphql", server.base))
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    let text = lines_when(&log, |t| {
        t.contains("UNAUTHENTICATED") && t.contains("\"Stale\"")
    })
    .await;
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    let access: Vec<&Value> = lines
        .iter()
        .filter(|l| l["target"] == "cosell::access")
        .collect();
    let find = |name: &str| {
        access
            .iter()
            .find(|l| l["operation_name"] == name)
            .unwrap_or_else(|| panic!("no access line for {name}: {access:?}"))
    };
    let created = find("AddCustomer");
    assert_eq!(created["operation_type"], "mutation");
    assert_eq!(created["subject"], "admin@example.com");
    assert_eq!(created["outcome"], "OK");
    assert_eq!(created["status"], 200);
    assert_eq!(created["path"], "/graphql");
    assert!(created["duration_ms"].is_number());
    assert_eq!(created["request_id"].as_str().unwrap().len(), 32);
    let conflict = find("Stale");
    assert_eq!(
        conflict["outcome"], "CONFLICT",
        "a CONFLICT is not logged as a plain 200"
    );
    assert_eq!(conflict["status"], 200);
    assert!(
        access
            .iter()
            .any(|l| l["status"] == 401 && l["outcome"] == "UNAUTHENTICATED" && l["subject"] == ""),
        "{access:?}"
    );

    for secret in [
        token.as_str(),
        "Secret Customer Ltd",
        "maria@customer.example",
        "+12125550100",
        "Partner-only",
        "Core banking batch jobs",
    ] {
        assert!(!text.contains(secret), "{secret:?} is in the log");
    }
}

#[tokio::test]
async fn text_logs_written_to_a_file_carry_no_colour_codes() {
    let (url, dir) = fresh_database().await;
    let log = log_file(&dir);
    let server = ServerProcess::start_logged(&url, &[("RUST_LOG", "info")], &log).await;
    server
        .gql("query Plain { viewer { role } }", json!({}))
        .await;
    let text = lines_when(&log, |t| t.contains("operation_name=Plain")).await;
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("outcome=OK"), "{text}");
}
