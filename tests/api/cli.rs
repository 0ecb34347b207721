//! The `cosell` binary: token minting, schema export, refusal of weak keys.
use crate::helpers::{SECRET, TestApp};
use serde_json::json;
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
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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

#[test]
fn without_a_configured_key_one_is_generated_once_and_kept_private() {
    let dir = tempfile::tempdir().unwrap();
    let first = cosell()
        .current_dir(dir.path())
        .args(["token", "--role", "ADMIN"])
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let key_file = dir.path().join("cosell-jwt.key");
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
    let second = cosell()
        .current_dir(dir.path())
        .args(["token", "--role", "ADMIN"])
        .output()
        .unwrap();
    assert!(second.status.success());
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        key,
        "the key is reused, not replaced"
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
        "createPartner(input: CreatePartnerInput!): Partner!",
        "enum SegmentCode",
    ] {
        assert!(sdl.contains(needle), "missing {needle:?}");
    }
}

#[test]
fn seed_demo_fills_partner_profiles_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/demo.db?mode=rwc", dir.path().display());
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
    assert!(String::from_utf8_lossy(&first.stdout).contains("4 partners created"));
    let again = cosell()
        .args(["seed-demo"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 partners created, 4 already present")
    );
}
