//! The `cosell` binary: token minting, schema export, refusal of weak keys, seed-demo, and the
//! ACE commands (check, sync --once) against the fake ACE.
use crate::helpers::{SECRET, TestApp};
use serde_json::{Value, json};
use std::process::Command;

fn cosell() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cosell"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("COSELL_JWT_SECRET")
        .env("RUST_LOG", "error");
    cmd
}

#[tokio::test]
async fn a_minted_token_works_against_the_server() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Minted").await;
    let out = cosell()
        .args([
            "token",
            "--role",
            "PARTNER_ADMIN",
            "--partner",
            &p,
            "--sub",
            "ana@minted.example",
            "--ttl",
            "5m",
        ])
        .env("COSELL_JWT_SECRET", SECRET)
        .env("DATABASE_URL", &app.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("signed with COSELL_JWT_SECRET"));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let r = app
        .gql(
            &token,
            "{ viewer { subject role partner { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.data()["viewer"],
        json!({ "subject": "ana@minted.example", "role": "PARTNER_ADMIN", "partner": { "name": "Minted" } })
    );
}

/// A token for a partner the database does not hold would see nothing: refused, saying how
/// to find the ids. A manager's list is checked too.
#[tokio::test]
async fn token_refuses_partner_ids_the_database_does_not_hold() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Real").await;
    for args in [
        vec![
            "--role",
            "PARTNER_USER",
            "--partner",
            "ptr_0193doesnotexist",
        ],
        vec![
            "--role",
            "PARTNER_MANAGER",
            "--partner-ids",
            &p,
            "--partner-ids",
            "ptr_nope",
        ],
    ] {
        let out = cosell()
            .arg("token")
            .args(&args)
            .env("COSELL_JWT_SECRET", SECRET)
            .env("DATABASE_URL", &app.url)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            err.contains("no partner ptr_") && err.contains("partners(first: 100)"),
            "{err}"
        );
    }
    let ok = cosell()
        .args(["token", "--role", "PARTNER_MANAGER", "--partner-ids", &p])
        .env("COSELL_JWT_SECRET", SECRET)
        .env("DATABASE_URL", &app.url)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn token_refuses_claims_that_do_not_fit_the_role() {
    let out = cosell()
        .args(["token", "--role", "PARTNER_USER"])
        .env("COSELL_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("partner_id"));
    let unknown = cosell()
        .args(["token", "--role", "ROOT"])
        .env("COSELL_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
}

#[test]
fn the_server_refuses_to_start_with_a_short_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = cosell()
        .current_dir(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("COSELL_JWT_SECRET", "secret")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 32 bytes"));
}

/// Without a configured key the server makes one at its first start (mode 0600) and keeps
/// it; `cosell token` signs with that file, and refuses to mint where there is none (a new key
/// there would give tokens the server refuses).
#[tokio::test]
async fn without_a_configured_key_the_server_makes_one_and_token_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = cosell()
        .current_dir(dir.path())
        .args(["token", "--role", "ADMIN"])
        .output()
        .unwrap();
    assert!(!elsewhere.status.success());
    let err = String::from_utf8_lossy(&elsewhere.stderr);
    assert!(err.contains("no signing key at cosell-jwt.key"), "{err}");
    let key_file = dir.path().join("cosell-jwt.key");
    assert!(!key_file.exists(), "no key is made by `token`");

    let mut server = Command::new(env!("CARGO_BIN_EXE_cosell"))
        .current_dir(dir.path())
        .env_remove("COSELL_JWT_SECRET")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/cosell.db?mode=rwc", dir.path().display()),
        )
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if key_file.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.kill().ok();
    server.wait().ok();
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert!(key.trim().len() >= 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let minted = cosell()
        .current_dir(dir.path())
        .args(["token", "--role", "ADMIN"])
        .output()
        .unwrap();
    assert!(
        minted.status.success(),
        "{}",
        String::from_utf8_lossy(&minted.stderr)
    );
    assert!(
        String::from_utf8_lossy(&minted.stderr).contains("signed with the key in cosell-jwt.key")
    );
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        key,
        "the key is kept"
    );
}

#[test]
fn schema_prints_the_served_sdl() {
    let out = cosell().arg("schema").output().unwrap();
    assert!(out.status.success());
    let sdl = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "type Partner implements Node",
        "interface Node",
        "createPartner(",
        "input: CreatePartnerInput!",
        "enum SegmentCode",
    ] {
        assert!(sdl.contains(needle), "missing {needle:?}");
    }
}

#[tokio::test]
async fn seed_demo_fills_every_table_once() {
    let (url, dir) = crate::helpers::fresh_database().await;
    let first = cosell()
        .args(["seed-demo"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let summary = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(summary.contains("4 partners created"), "{summary}");
    assert!(
        summary.contains("11 customers, 13 opportunities, 6 asks, 5 referrals"),
        "{summary}"
    );
    let again = cosell()
        .args(["seed-demo"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 partners created, 4 already present")
    );

    // Customers and opportunities, through the API: the spread the demo promises, each
    // written through the services with its history.
    let app = TestApp::spawn_on(&url, dir).await;
    let r = app
        .gql(
            &app.admin(),
            "{ customers(first: 100) { nodes { segment { code } awsAdoption } }
               opportunities(first: 20) { totalCount nodes { stage reviewStatus origin history(first: 20) { nodes { action actor } } } } }",
            json!({}),
        )
        .await;
    let distinct_of = |list: &Value, pick: &dyn Fn(&Value) -> String| {
        let mut v: Vec<String> = list.as_array().unwrap().iter().map(pick).collect();
        v.sort();
        v.dedup();
        v
    };
    let customers = &r.data()["customers"]["nodes"];
    assert_eq!(
        distinct_of(customers, &|c| c["segment"]["code"].to_string()).len(),
        9,
        "all nine segments"
    );
    assert_eq!(
        distinct_of(customers, &|c| c["awsAdoption"].to_string()),
        ["\"ENGAGED\"", "\"GREENFIELD\""]
    );
    let opportunities = &r.data()["opportunities"]["nodes"];
    assert_eq!(
        distinct_of(opportunities, &|o| o["stage"].to_string()).len(),
        7,
        "every stage"
    );
    assert_eq!(
        distinct_of(opportunities, &|o| o["reviewStatus"].to_string()).len(),
        6,
        "every review status"
    );
    for o in opportunities.as_array().unwrap() {
        let history = o["history"]["nodes"].as_array().unwrap();
        assert_eq!(history.last().unwrap()["action"], "CREATED", "{o}");
        // The seed's ADMIN, or the partner user who accepted an AWS referral.
        assert!(
            history
                .iter()
                .all(|c| c["actor"] == "seed-demo"
                    || c["actor"].as_str().unwrap().starts_with("ana@")),
            "{o}"
        );
    }
    let origins = distinct_of(opportunities, &|o| o["origin"].to_string());
    assert_eq!(origins, ["\"AWS_REFERRAL\"", "\"PARTNER_REFERRAL\""]);

    // Asks and referrals, through the API: every kind and status, worked by both sides.
    let r = app
        .gql(
            &app.admin(),
            "{ asks(first: 100) { nodes { kind status overdue requestedBy assignee comments { author } } }
               referrals(first: 100) { nodes { status opportunity { origin } } } }",
            json!({}),
        )
        .await;
    let asks = &r.data()["asks"]["nodes"];
    assert_eq!(
        distinct_of(asks, &|a| a["kind"].to_string()).len(),
        4,
        "every ask kind"
    );
    assert_eq!(
        distinct_of(asks, &|a| a["status"].to_string()).len(),
        6,
        "every ask status"
    );
    assert!(
        asks.as_array()
            .unwrap()
            .iter()
            .any(|a| a["overdue"] == true),
        "an overdue ask"
    );
    assert!(
        asks.as_array()
            .unwrap()
            .iter()
            .all(|a| a["requestedBy"].as_str().unwrap().starts_with("ana@"))
    );
    assert!(
        asks.as_array()
            .unwrap()
            .iter()
            .any(|a| a["assignee"] == "sam@aws.example")
    );
    let referrals = &r.data()["referrals"]["nodes"];
    assert_eq!(
        distinct_of(referrals, &|r| r["status"].as_str().unwrap().to_string()),
        ["ACCEPTED", "EXPIRED", "PENDING", "REJECTED"],
        "every referral status"
    );
    let accepted = referrals
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "ACCEPTED")
        .unwrap();
    assert_eq!(accepted["opportunity"]["origin"], "AWS_REFERRAL");

    // Through the API: profiles, and a real track record in referral readiness.
    let r = app
        .gql(
            &app.admin(),
            "{ partners { totalCount nodes { name solutions { name } referralReadiness { eligible checks { name passed } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["partners"]["totalCount"], 4);
    let northwind = r.data()["partners"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Northwind Cloud Consulting")
        .unwrap()
        .clone();
    assert_eq!(
        northwind["referralReadiness"]["eligible"], true,
        "{northwind}"
    );
    let harbor = r.data()["partners"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Harbor Retail Systems")
        .unwrap()
        .clone();
    assert_eq!(
        harbor["referralReadiness"]["eligible"], false,
        "no customer reference yet"
    );
}

#[test]
fn token_refuses_a_lifetime_past_the_configured_maximum() {
    let out = cosell()
        .args(["token", "--role", "ADMIN", "--ttl", "2d"])
        .env("COSELL_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("COSELL_JWT_MAX_TTL"));
    let out = cosell()
        .args(["token", "--role", "ADMIN", "--ttl", "2d"])
        .env("COSELL_JWT_SECRET", SECRET)
        .env("COSELL_JWT_MAX_TTL", "7d")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the binary off the test's runtime, which keeps serving the fake ACE meanwhile.
async fn run(mut cmd: Command) -> (bool, String, String) {
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn with_fake_ace(cmd: &mut Command, fake: &crate::fake_ace::FakeAce, url: &str) {
    cmd.env("DATABASE_URL", url)
        .env("COSELL_ACE_ENDPOINT", &fake.url)
        .env("AWS_ACCESS_KEY_ID", crate::fake_ace::STATIC_KEY)
        .env("AWS_SECRET_ACCESS_KEY", crate::fake_ace::STATIC_SECRET)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
}

#[tokio::test]
async fn seed_demo_connects_to_ace_and_the_ace_commands_check_and_sync() {
    let fake = crate::fake_ace::FakeAce::start().await;
    let account = crate::fake_ace::STATIC_ACCOUNT;
    fake.add_solution(
        account,
        "S-0000001",
        "Migration Factory",
        "Consulting Service",
    );
    let invitation = fake.invite_in(
        account,
        "Sandbox",
        "Fabrikam Bank",
        "Payments modernization",
    );
    let (url, dir) = crate::helpers::fresh_database().await;
    let mut seed = cosell();
    seed.args(["seed-demo", "--ace", "sandbox"]);
    with_fake_ace(&mut seed, &fake, &url);
    let (ok, out, err) = run(seed).await;
    assert!(ok, "{err}");
    assert!(
        out.contains("connected to ACE catalog SANDBOX; 1 ACE solution(s) imported"),
        "{out}"
    );
    let partner = out
        .split(['(', ')'])
        .find(|p| p.starts_with("ptr_"))
        .unwrap()
        .to_string();
    // The connection went out with the server's own credentials, in the Sandbox catalog.
    let check = fake
        .calls()
        .into_iter()
        .find(|c| c.operation == "ListSolutions")
        .unwrap();
    assert_eq!(check.account, account);
    assert_eq!(check.body["Catalog"], "Sandbox");

    let mut cmd = cosell();
    cmd.args(["ace", "check", "--partner", &partner]);
    with_fake_ace(&mut cmd, &fake, &url);
    let (ok, out, err) = run(cmd).await;
    assert!(ok, "{err}");
    assert!(out.contains("catalog Sandbox"), "{out}");
    assert!(out.contains("1 ACE solution(s), status CONNECTED"), "{out}");
    let mut cmd = cosell();
    cmd.args(["ace", "check", "--partner", "ptr_unknown"]);
    with_fake_ace(&mut cmd, &fake, &url);
    let (ok, _, err) = run(cmd).await;
    assert!(!ok && err.contains("never connected"), "{err}");

    // One sync pass brings the partner's ACE referral in.
    let mut cmd = cosell();
    cmd.args(["ace", "sync", "--once"]);
    with_fake_ace(&mut cmd, &fake, &url);
    let (ok, out, err) = run(cmd).await;
    assert!(ok && out.contains("ACE sync pass done"), "{out}{err}");
    let app = TestApp::spawn_on(&url, dir).await;
    let r = app
        .gql(
            &app.admin(),
            "query($p: ID!) { referrals(first: 20, filter: { partnerId: $p }) { nodes { aceInvitationId projectTitle status } } }",
            json!({ "p": partner }),
        )
        .await;
    let from_ace: Vec<&Value> = r.data()["referrals"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| !n["aceInvitationId"].is_null())
        .collect();
    assert_eq!(from_ace.len(), 1);
    assert_eq!(from_ace[0]["aceInvitationId"], invitation.as_str());
    assert_eq!(from_ace[0]["status"], "PENDING");
}

/// The server's log, when it is not a terminal, is plain text (no colour codes for the log
/// collector), and the lines written at shutdown are flushed before the process exits.
#[tokio::test]
async fn the_log_is_plain_text_and_flushed_at_exit() {
    let (url, _dir) = crate::helpers::fresh_database().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = cosell()
        .args(["serve"])
        .env("DATABASE_URL", &url)
        .env("COSELL_LISTEN", format!("127.0.0.1:{port}"))
        .env("COSELL_JWT_SECRET", SECRET)
        .env("COSELL_ACE_SYNC", "off")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let up = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200);
        if up {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "server did not start");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // SAFETY: kill only sends a signal to our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("INFO"), "{log}");
    assert!(
        log.contains("method=GET path=/healthz status=200"),
        "the access log: {log}"
    );
    assert!(!log.contains('\u{1b}'), "colour codes in: {log}");
    assert!(
        log.trim_end().ends_with("stopped"),
        "the last line, written at exit: {log}"
    );
}
