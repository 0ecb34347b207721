//! `viewer` and `segments`.
use crate::helpers::TestApp;
use cosell::auth::MintRequest;
use cosell::domain::enums::{Role, SegmentCode};
use serde_json::json;

const VIEWER: &str =
    "{ viewer { subject role partner { id name } segments managedPartners { id } scopes } }";

#[tokio::test]
async fn each_role_sees_its_own_claims() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("One").await;
    let p2 = app.create_partner("Two").await;

    let user = app.gql(&app.partner_user(&p1), VIEWER, json!({})).await;
    let v = &user.data()["viewer"];
    assert_eq!(v["role"], "PARTNER_USER");
    assert_eq!(v["partner"], json!({ "id": p1, "name": "One" }));
    assert_eq!(v["managedPartners"], json!([]));
    assert_eq!(v["scopes"], json!(["cosell:read", "cosell:write"]));

    let seller = app
        .gql(
            &app.seller(&[SegmentCode::Startup, SegmentCode::Smb]),
            VIEWER,
            json!({}),
        )
        .await;
    assert_eq!(
        seller.data()["viewer"]["segments"],
        json!(["STARTUP", "SMB"])
    );
    assert_eq!(seller.data()["viewer"]["partner"], json!(null));

    let mut req = MintRequest::new(Role::PartnerManager, "pdm@aws.example");
    req.partner_ids = vec![
        p2.clone(),
        p1.clone(),
        "ptr_00000000000000000000000000000000".into(),
    ];
    let manager = app.gql(&app.mint(&req), VIEWER, json!({})).await;
    assert_eq!(manager.data()["viewer"]["subject"], "pdm@aws.example");
    assert_eq!(
        manager.data()["viewer"]["managedPartners"],
        json!([{ "id": p1 }, { "id": p2 }]),
        "existing ones, by name"
    );
}

#[tokio::test]
async fn the_segment_catalogue_has_nine_segments_in_two_groups() {
    let app = TestApp::spawn().await;
    let r = app
        .gql(
            &app.partner_user("ptr_x"),
            "{ segments { code group name abbreviation description } }",
            json!({}),
        )
        .await;
    let segments = r.data()["segments"].as_array().unwrap().clone();
    let codes: Vec<&str> = segments
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "DIGITAL_NATIVE_BUSINESS",
            "ENTERPRISE",
            "ISV",
            "STARTUP",
            "SMB",
            "GOVERNMENT",
            "EDUCATION",
            "NONPROFIT",
            "HEALTHCARE"
        ]
    );
    let public: Vec<&str> = segments
        .iter()
        .filter(|s| s["group"] == "PUBLIC_SECTOR")
        .map(|s| s["abbreviation"].as_str().unwrap())
        .collect();
    assert_eq!(public, ["GOV", "EDU", "NPO", "HCLS"]);
    assert!(
        segments
            .iter()
            .all(|s| s["description"].as_str().unwrap().len() > 10)
    );
}
