//! Partners: creation, profile updates, validation, each role's rights.
use crate::helpers::TestApp;
use cosell::domain::enums::{Role, SegmentCode};
use serde_json::json;

const CREATE: &str = "mutation($input: CreatePartnerInput!) { createPartner(input: $input) { id name websiteUrl valueProposition segments industries createdAt updatedAt } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdatePartnerInput!) { updatePartner(id: $id, input: $input) { id name websiteUrl valueProposition segments industries } }";
const READ: &str =
    "query($id: ID!) { partner(id: $id) { name websiteUrl valueProposition segments industries } }";

#[tokio::test]
async fn admin_creates_a_partner_with_its_profile() {
    let app = TestApp::spawn().await;
    let r = app
        .gql(
            &app.admin(),
            CREATE,
            json!({ "input": {
                "name": "  Nimbus Consulting ", "websiteUrl": "https://nimbus.example",
                "valueProposition": "Mainframe-to-AWS migrations with fixed-price guarantees.",
                "segments": ["ENTERPRISE", "GOVERNMENT", "ENTERPRISE"], "industries": ["FINANCIAL_SERVICES"] } }),
        )
        .await;
    let p = &r.data()["createPartner"];
    assert!(p["id"].as_str().unwrap().starts_with("ptr_"));
    assert_eq!(p["name"], "Nimbus Consulting", "names are trimmed");
    assert_eq!(
        p["segments"],
        json!(["ENTERPRISE", "GOVERNMENT"]),
        "duplicates collapse"
    );
    assert_eq!(p["industries"], json!(["FINANCIAL_SERVICES"]));
    assert!(p["createdAt"].as_str().unwrap().ends_with('Z'));
    let read = app.gql(&app.admin(), READ, json!({ "id": p["id"] })).await;
    assert_eq!(
        read.data()["partner"]["websiteUrl"],
        "https://nimbus.example"
    );
}

#[tokio::test]
async fn only_admin_creates_partners() {
    let app = TestApp::spawn().await;
    let own = app.create_partner("Existing").await;
    let tokens = [
        ("partner user", app.partner_user(&own)),
        ("partner admin", app.partner_admin(&own)),
        ("seller", app.seller(&[SegmentCode::Enterprise])),
        ("manager", app.manager(&[&own])),
    ];
    for (who, token) in tokens {
        let r = app
            .gql(
                &token,
                CREATE,
                json!({ "input": { "name": format!("By {who}") } }),
            )
            .await;
        assert_eq!(r.code(), "FORBIDDEN", "{who}");
    }
    let count = app
        .gql(&app.admin(), "{ partners { totalCount } }", json!({}))
        .await;
    assert_eq!(
        count.data()["partners"]["totalCount"],
        1,
        "no partner was created"
    );
}

#[tokio::test]
async fn bad_partner_input_names_every_field() {
    let app = TestApp::spawn().await;
    let r = app
        .gql(
            &app.admin(),
            CREATE,
            json!({ "input": { "name": "   ", "websiteUrl": "nimbus", "valueProposition": "x".repeat(2001) } }),
        )
        .await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    assert_eq!(
        r.fields(),
        vec![
            (
                "input.name".to_string(),
                "REQUIRED_FIELD_MISSING".to_string()
            ),
            (
                "input.websiteUrl".to_string(),
                "INVALID_STRING_FORMAT".to_string()
            ),
            (
                "input.valueProposition".to_string(),
                "VALUE_OUT_OF_RANGE".to_string()
            ),
        ]
    );
}

#[tokio::test]
async fn partner_names_are_unique_ignoring_case() {
    let app = TestApp::spawn().await;
    app.create_partner("Acme Cloud").await;
    let r = app
        .gql(
            &app.admin(),
            CREATE,
            json!({ "input": { "name": "ACME cloud" } }),
        )
        .await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    assert_eq!(
        r.fields(),
        vec![("input.name".to_string(), "DUPLICATE_KEY_VALUE".to_string())]
    );
    let other = app.create_partner("Other").await;
    let rename = app
        .gql(
            &app.admin(),
            UPDATE,
            json!({ "id": other, "input": { "name": "acme CLOUD" } }),
        )
        .await;
    assert_eq!(
        rename.fields(),
        vec![("input.name".to_string(), "DUPLICATE_KEY_VALUE".to_string())]
    );
}

#[tokio::test]
async fn update_is_a_patch() {
    let app = TestApp::spawn().await;
    let r = app
        .gql(
            &app.admin(),
            CREATE,
            json!({ "input": { "name": "Patchy", "websiteUrl": "https://patchy.example", "valueProposition": "We specialise in serverless data platforms.", "segments": ["ISV"] } }),
        )
        .await;
    let id = r.data()["createPartner"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = app.partner_admin(&id);
    // Omitted fields stay; explicit null clears; a list replaces.
    let u = app
        .gql(
            &admin,
            UPDATE,
            json!({ "id": id, "input": { "websiteUrl": null, "segments": ["STARTUP", "SMB"] } }),
        )
        .await;
    let p = &u.data()["updatePartner"];
    assert_eq!(p["name"], "Patchy");
    assert_eq!(p["websiteUrl"], json!(null));
    assert_eq!(
        p["valueProposition"],
        "We specialise in serverless data platforms."
    );
    assert_eq!(p["segments"], json!(["STARTUP", "SMB"]));
    // A required field cannot be cleared, and a refused update writes nothing.
    let refused = app
        .gql(&admin, UPDATE, json!({ "id": id, "input": { "name": null, "valueProposition": "Changed but refused" } }))
        .await;
    assert_eq!(
        refused.fields(),
        vec![(
            "input.name".to_string(),
            "REQUIRED_FIELD_MISSING".to_string()
        )]
    );
    let read = app.gql(&admin, READ, json!({ "id": id })).await;
    assert_eq!(
        read.data()["partner"]["valueProposition"],
        "We specialise in serverless data platforms."
    );
}

#[tokio::test]
async fn each_role_may_or_may_not_update_a_profile() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("P1").await;
    let p2 = app.create_partner("P2").await;
    let rename = |n: &str| json!({ "id": p1, "input": { "valueProposition": n } });
    let cases = [
        ("own PARTNER_ADMIN", app.partner_admin(&p1), "ok"),
        ("ADMIN", app.admin(), "ok"),
        ("own PARTNER_USER", app.partner_user(&p1), "FORBIDDEN"),
        ("AWS_SELLER", app.seller(&[SegmentCode::Isv]), "FORBIDDEN"),
        ("PARTNER_MANAGER of P1", app.manager(&[&p1]), "FORBIDDEN"),
        ("PARTNER_ADMIN of P2", app.partner_admin(&p2), "NOT_FOUND"),
        (
            "PARTNER_MANAGER of P2 only",
            app.manager(&[&p2]),
            "NOT_FOUND",
        ),
    ];
    for (who, token, expected) in cases {
        let r = app
            .gql(
                &token,
                UPDATE,
                rename(&format!("Value proposition written by {who}")),
            )
            .await;
        if expected == "ok" {
            assert_eq!(
                r.data()["updatePartner"]["valueProposition"],
                format!("Value proposition written by {who}")
            );
        } else {
            assert_eq!(r.code(), expected, "{who}");
            assert!(r.body["data"].is_null(), "{who}");
        }
    }
    let read = app.gql(&app.admin(), READ, json!({ "id": p1 })).await;
    assert_eq!(
        read.data()["partner"]["valueProposition"],
        "Value proposition written by ADMIN"
    );
}

#[tokio::test]
async fn a_partner_token_for_a_missing_partner_sees_nothing() {
    let app = TestApp::spawn().await;
    let ghost = app.partner_token(Role::PartnerAdmin, "ptr_00000000000000000000000000000000");
    let r = app
        .gql(
            &ghost,
            "{ viewer { partner { id } } partners { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["viewer"]["partner"], json!(null));
    assert_eq!(r.data()["partners"]["totalCount"], 0);
}

#[tokio::test]
async fn concurrent_creates_never_corrupt_or_fail_internally() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    // Names that differ only in case are the same name.
    let variants = ["Race Inc", "RACE INC", "race inc", "Race INC"];
    let same_name = (0..8).map(|i| {
        let name = variants[i % variants.len()];
        app.gql(&admin, CREATE, json!({ "input": { "name": name } }))
    });
    let results = futures_util::future::join_all(same_name).await;
    let winners = results
        .iter()
        .filter(|r| r.body.get("errors").is_none())
        .count();
    assert_eq!(winners, 1, "exactly one create wins, whatever the case");
    for r in results.iter().filter(|r| r.body.get("errors").is_some()) {
        assert!(
            ["BAD_USER_INPUT", "CONFLICT"].contains(&r.code()),
            "{}",
            r.body
        );
    }
    let distinct = (0..8).map(|i| {
        app.gql(
            &admin,
            CREATE,
            json!({ "input": { "name": format!("Parallel {i}") } }),
        )
    });
    for r in futures_util::future::join_all(distinct).await {
        r.data();
    }
    let count = app
        .gql(&admin, "{ partners { totalCount } }", json!({}))
        .await;
    assert_eq!(count.data()["partners"]["totalCount"], 9);
}
