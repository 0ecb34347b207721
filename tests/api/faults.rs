//! Faults of the database: a disk that cannot take writes, a server that is gone. No write is
//! confirmed that did not commit, and the server recovers by itself when the fault clears.
use crate::process::{ServerProcess, set_file_size_limit};
use serde_json::{Value, json};

const CREATE: &str = "mutation($name: String!) { createPartner(input: { name: $name }) { id } }";

async fn create(server: &ServerProcess, name: &str) -> (u16, Value) {
    server.gql(CREATE, json!({ "name": name })).await
}

async fn readable(server: &ServerProcess, id: &str) -> bool {
    let (_, body) = server
        .gql(
            "query($id: ID!) { partner(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    body["data"]["partner"]["id"] == id
}

/// SQLite past the file-size limit (`ulimit -f`): the same failure as a full disk. Before the
/// fix, writes answered 200 with an id that was never committed, and kept doing so after the
/// limit was lifted.
#[tokio::test]
async fn no_write_is_confirmed_that_a_full_disk_did_not_commit() {
    if crate::helpers::on_postgres() {
        return; // the file is SQLite's; PostgreSQL's disk belongs to its server
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cosell.db?mode=rwc", dir.path().display());
    let server = ServerProcess::start(&url, &[]).await;
    let (status, _) = create(&server, "Before the fault").await;
    assert_eq!(status, 200);

    // Every database file is already larger than this: no write that grows or appends lands.
    set_file_size_limit(server.pid(), Some(1024));
    let mut confirmed = Vec::new();
    let mut refused = 0;
    for i in 0..12 {
        let (status, body) = create(&server, &format!("During the fault {i}")).await;
        match body["data"]["createPartner"]["id"].as_str() {
            Some(id) => confirmed.push(id.to_string()),
            None => {
                refused += 1;
                assert_eq!(status, 503, "{body}");
                assert_eq!(body["errors"][0]["extensions"]["code"], "UNAVAILABLE");
                let message = body["errors"][0]["message"].as_str().unwrap();
                assert!(!message.contains("disk"), "no driver text: {message}");
            }
        }
    }
    assert!(refused > 0, "the fault reached the writes");
    assert_eq!(server.status_of("/readyz").await, 503, "readiness sees it");
    assert_eq!(server.status_of("/healthz").await, 200);

    set_file_size_limit(server.pid(), None);
    let mut after = Vec::new();
    for i in 0..12 {
        let (status, body) = create(&server, &format!("After the fault {i}")).await;
        assert_eq!(status, 200, "recovered without a restart: {body}");
        after.push(
            body["data"]["createPartner"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(server.status_of("/readyz").await, 200);
    for id in confirmed.iter().chain(&after) {
        assert!(readable(&server, id).await, "confirmed write {id} is there");
    }
    drop(server);

    // And they are on disk, not only in a connection's open transaction.
    let server = ServerProcess::start(&url, &[]).await;
    for id in confirmed.iter().chain(&after) {
        assert!(readable(&server, id).await, "{id} survives a restart");
    }
}
