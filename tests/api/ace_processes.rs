//! The ACE sync in real `cosell serve` processes: killed between ACE's create and the
//! association, a restarted server resumes and ACE holds one opportunity; two servers on one
//! PostgreSQL share the work without sending anything twice or over the quota.
use crate::fake_ace::{FakeAce, STATIC_ACCOUNT, STATIC_KEY, STATIC_SECRET};
use crate::fixtures::{customer_input, opportunity_input};
use crate::helpers::fresh_database;
use crate::process::ServerProcess;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// A server whose ACE calls go to the fake with the server's own (static) credentials.
async fn server(db: &str, fake: &FakeAce, writes_per_second: &str) -> ServerProcess {
    server_with(db, fake, writes_per_second, &[]).await
}

/// As `server`, with more environment.
pub async fn server_with(
    db: &str,
    fake: &FakeAce,
    writes_per_second: &str,
    extra: &[(&str, &str)],
) -> ServerProcess {
    let env = [
        ("COSELL_ACE_ENDPOINT", fake.url.as_str()),
        ("AWS_ACCESS_KEY_ID", STATIC_KEY),
        ("AWS_SECRET_ACCESS_KEY", STATIC_SECRET),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/nonexistent"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
        ("COSELL_ACE_POLL_INTERVAL", "1s"),
        ("COSELL_ACE_LEASE", "3s"),
        ("COSELL_ACE_WRITES_PER_SECOND", writes_per_second),
        ("COSELL_ACE_READS_PER_SECOND", "100"),
    ];
    let env: Vec<(&str, &str)> = env.iter().chain(extra).copied().collect();
    ServerProcess::start(db, &env).await
}

async fn data(s: &ServerProcess, query: &str, variables: Value) -> Value {
    let (status, body) = s.gql(query, variables).await;
    assert!(
        status == 200 && body["errors"].is_null(),
        "{status}: {body}"
    );
    body["data"].clone()
}

/// A partner connected with the server's credentials, its ACE solution imported, and a
/// customer; returns (partner, solution, customer).
pub async fn connected(s: &ServerProcess, fake: &FakeAce) -> (String, String, String) {
    let partner = data(
        s,
        "mutation { createPartner(input: { name: \"Anycompany\" }) { id } }",
        json!({}),
    )
    .await["createPartner"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    fake.add_solution(
        STATIC_ACCOUNT,
        "S-0000001",
        "Migration Factory",
        "Consulting Service",
    );
    data(
        s,
        "mutation($p: ID!) { connectAce(partnerId: $p, input: { catalog: AWS }) { id } }",
        json!({ "p": partner }),
    )
    .await;
    let solution = data(
        s,
        "mutation($p: ID!) { importAceSolutions(partnerId: $p) { id } }",
        json!({ "p": partner }),
    )
    .await["importAceSolutions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let customer = data(
        s,
        "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
        json!({ "input": customer_input(&partner, "Contoso Bank") }),
    )
    .await["createCustomer"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (partner, solution, customer)
}

/// A ready opportunity, submitted through `s`.
async fn submitted(s: &ServerProcess, customer: &str, solution: &str, title: &str) -> String {
    let id = data(
        s,
        "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id } }",
        json!({ "input": opportunity_input(customer, title, &format!("t-{title}")) }),
    )
    .await["createOpportunity"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let version = data(
        s,
        "mutation($o: ID!, $s: ID!) { associateSolution(opportunityId: $o, solutionId: $s) { version } }",
        json!({ "o": id, "s": solution }),
    )
    .await["associateSolution"]["version"]
        .as_i64()
        .unwrap();
    data(
        s,
        "mutation($id: ID!, $v: Int!) { submitOpportunity(id: $id, expectedVersion: $v, involvementType: CO_SELL) { id } }",
        json!({ "id": id, "v": version }),
    )
    .await;
    id
}

async fn synced_count(s: &ServerProcess, partner: &str) -> i64 {
    data(
        s,
        "query($p: ID!) { opportunities(first: 1, filter: { partnerId: $p, aceSyncStatus: [SYNCED] }) { totalCount } }",
        json!({ "p": partner }),
    )
    .await["opportunities"]["totalCount"]
        .as_i64()
        .unwrap()
}

async fn wait_synced(s: &ServerProcess, partner: &str, n: i64, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let now = synced_count(s, partner).await;
        if now == n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{now} of {n} synced in {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_server_killed_between_create_and_associate_resumes_with_one_ace_opportunity() {
    let fake = FakeAce::start().await;
    let (db, _dir) = fresh_database().await;
    let mut first = server(&db, &fake, "20").await;
    let (partner, solution, customer) = connected(&first, &fake).await;
    // ACE creates the opportunity but answers late: the server dies without the answer.
    fake.stall_next("CreateOpportunity", Duration::from_secs(30));
    let id = submitted(&first, &customer, &solution, "Core banking").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !fake.accepted().iter().any(|o| o == "CreateOpportunity") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no create reached ACE"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    assert_eq!(fake.opportunities().len(), 1);

    // Another server on the same database takes over once the dead one's lease lapses.
    let second = server(&db, &fake, "20").await;
    wait_synced(&second, &partner, 1, Duration::from_secs(30)).await;
    assert_eq!(fake.opportunities().len(), 1, "exactly one ACE opportunity");
    let calls = fake.calls();
    let creates: Vec<&crate::fake_ace::Call> = calls
        .iter()
        .filter(|c| c.operation == "CreateOpportunity")
        .collect();
    assert_eq!(creates.len(), 2, "the create is sent again after the crash");
    assert!(
        creates.iter().all(|c| c.error.is_none()),
        "and ACE replays it"
    );
    assert_eq!(
        creates[0].body, creates[1].body,
        "with the same body and client token"
    );
    assert_eq!(creates[0].body["ClientToken"], format!("cosell-{id}"));
    assert_ne!(creates[0].app, creates[1].app, "from the second server");
    let writes: Vec<String> = fake
        .accepted()
        .into_iter()
        .filter(|o| !o.starts_with("List") && !o.starts_with("Get"))
        .collect();
    assert_eq!(
        writes,
        [
            "CreateOpportunity",
            "CreateOpportunity",
            "AssociateOpportunity",
            "SubmitOpportunity"
        ]
    );
    let ace = fake.opportunities().remove(0);
    assert_eq!(ace.review_status, "Submitted");
    assert_eq!(ace.related["Solutions"], ["S-0000001"]);
}

/// Two servers on PostgreSQL (one on SQLite, which runs a single instance): 200 submits
/// spread over them reach ACE once each, one server at a time syncs the partner, and the
/// account's quota holds.
#[tokio::test]
async fn servers_side_by_side_send_each_submit_once_within_the_quota() {
    let postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    // ACE's quota for this account here: 60 writes a second; each server paces at 50.
    let fake = FakeAce::start_with_quota(60, 200).await;
    let (db, _dir) = fresh_database().await;
    let mut servers = vec![server(&db, &fake, "50").await];
    if postgres {
        servers.push(server(&db, &fake, "50").await);
    }
    let (partner, solution, customer) = connected(&servers[0], &fake).await;
    let n = 200;
    for i in 0..n {
        let s = &servers[i % servers.len()];
        submitted(s, &customer, &solution, &format!("Workload {i:03}")).await;
    }
    wait_synced(&servers[0], &partner, n as i64, Duration::from_secs(180)).await;

    assert_eq!(
        fake.opportunities().len(),
        n,
        "one ACE opportunity per submit"
    );
    let calls = fake.calls();
    let tokens: BTreeSet<&str> = calls
        .iter()
        .filter(|c| c.operation == "CreateOpportunity" && c.error.is_none())
        .map(|c| c.body["ClientToken"].as_str().unwrap())
        .collect();
    assert_eq!(tokens.len(), n);
    let refused: BTreeMap<&str, usize> =
        calls
            .iter()
            .filter_map(|c| c.error.as_deref())
            .fold(BTreeMap::new(), |mut m, e| {
                *m.entry(e).or_default() += 1;
                m
            });
    assert!(refused.is_empty(), "ACE refused: {refused:?}");
    assert_eq!(fake.over_quota(), 0);
    // The partner's sync ran in one server at a time: while both live, the lease holder's.
    let apps: BTreeSet<Option<&str>> = calls
        .iter()
        .filter(|c| c.account == STATIC_ACCOUNT && c.operation != "ListSolutions")
        .map(|c| c.app.as_deref())
        .collect();
    assert_eq!(apps.len(), 1, "calls from {apps:?}");
    assert!(
        apps.iter()
            .all(|a| a.is_some_and(|a| a.starts_with("cosell-")))
    );
}
