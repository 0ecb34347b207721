//! Solutions, customer references and referral readiness.
use crate::helpers::TestApp;
use cosell::domain::enums::SegmentCode;
use serde_json::json;

const CREATE_SOLUTION: &str = "mutation($input: CreateSolutionInput!) { createSolution(input: $input) { id name description category status awsMarketplaceSolutionArn partner { id } createdAt } }";
const UPDATE_SOLUTION: &str = "mutation($id: ID!, $input: UpdateSolutionInput!) { updateSolution(id: $id, input: $input) { id name description category status } }";
const ADD_REFERENCE: &str = "mutation($input: CustomerReferenceInput!) { addCustomerReference(input: $input) { id title customerName segment summary url publishedOn } }";
const REMOVE_REFERENCE: &str = "mutation($id: ID!) { removeCustomerReference(id: $id) }";
const READINESS: &str = "query($id: ID!) { partner(id: $id) { referralReadiness { eligible score checks { name passed message } } } }";

#[tokio::test]
async fn a_partner_admin_builds_its_solution_catalogue() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Catalogue Co").await;
    let admin = app.partner_admin(&p);
    let r = app
        .gql(
            &admin,
            CREATE_SOLUTION,
            json!({ "input": { "name": "DataLake Accelerator", "description": "Lake house in 6 weeks", "category": "PROFESSIONAL_SERVICE",
                    "awsMarketplaceSolutionArn": "arn:aws:aws-marketplace:us-east-1:123456789012:AWSMarketplace/SaaSProduct/prod-abc" } }),
        )
        .await;
    let s = &r.data()["createSolution"];
    assert!(s["id"].as_str().unwrap().starts_with("sol_"));
    assert_eq!(
        s["status"], "ACTIVE",
        "new solutions are ACTIVE unless told otherwise"
    );
    assert_eq!(s["partner"]["id"], p.as_str());

    let u = app
        .gql(
            &admin,
            UPDATE_SOLUTION,
            json!({ "id": s["id"], "input": { "status": "INACTIVE", "description": null } }),
        )
        .await;
    assert_eq!(u.data()["updateSolution"]["status"], "INACTIVE");
    assert_eq!(u.data()["updateSolution"]["description"], json!(null));
    assert_eq!(u.data()["updateSolution"]["name"], "DataLake Accelerator");

    app.create_solution(&p, "Draft Thing", "DRAFT").await;
    let list = app
        .gql(
            &admin,
            "query($id: ID!) { partner(id: $id) { all: solutions { name } drafts: solutions(status: DRAFT) { name } } }",
            json!({ "id": p }),
        )
        .await;
    assert_eq!(
        list.data()["partner"]["all"],
        json!([{ "name": "DataLake Accelerator" }, { "name": "Draft Thing" }])
    );
    assert_eq!(
        list.data()["partner"]["drafts"],
        json!([{ "name": "Draft Thing" }])
    );
}

#[tokio::test]
async fn solution_input_is_validated() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Validating").await;
    let admin = app.partner_admin(&p);
    let r = app
        .gql(&admin, CREATE_SOLUTION, json!({ "input": { "name": "", "category": "SOFTWARE_PRODUCT", "awsMarketplaceSolutionArn": "prod-abc" } }))
        .await;
    assert_eq!(
        r.fields(),
        vec![
            (
                "input.name".to_string(),
                "REQUIRED_FIELD_MISSING".to_string()
            ),
            (
                "input.awsMarketplaceSolutionArn".to_string(),
                "INVALID_STRING_FORMAT".to_string()
            ),
        ]
    );
    app.create_solution(&p, "Unique", "ACTIVE").await;
    let dup = app
        .gql(
            &admin,
            CREATE_SOLUTION,
            json!({ "input": { "name": "Unique", "category": "SOFTWARE_PRODUCT" } }),
        )
        .await;
    assert_eq!(
        dup.fields(),
        vec![("input.name".to_string(), "DUPLICATE_KEY_VALUE".to_string())]
    );
    let null_category = app
        .gql(&admin, UPDATE_SOLUTION, json!({ "id": app.create_solution(&p, "Other", "ACTIVE").await, "input": { "category": null } }))
        .await;
    assert_eq!(
        null_category.fields(),
        vec![(
            "input.category".to_string(),
            "REQUIRED_FIELD_MISSING".to_string()
        )]
    );
}

#[tokio::test]
async fn each_role_may_or_may_not_manage_solutions() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("P1").await;
    let p2 = app.create_partner("P2").await;
    let s1 = app.create_solution(&p1, "S1", "ACTIVE").await;
    let input = |name: &str| json!({ "input": { "name": name, "category": "MANAGED_SERVICE" } });
    let cases = [
        ("own PARTNER_USER", app.partner_user(&p1), "FORBIDDEN"),
        ("AWS_SELLER", app.seller(&[SegmentCode::Smb]), "FORBIDDEN"),
        ("PARTNER_MANAGER of P1", app.manager(&[&p1]), "FORBIDDEN"),
        ("PARTNER_ADMIN of P2", app.partner_admin(&p2), "NOT_FOUND"),
    ];
    for (who, token, expected) in &cases {
        let update = app
            .gql(
                token,
                UPDATE_SOLUTION,
                json!({ "id": s1, "input": { "name": format!("by {who}") } }),
            )
            .await;
        assert_eq!(update.code(), *expected, "update by {who}");
    }
    // Creating for P1: partner roles create for their own partner only.
    let p2_admin_for_p1 = app
        .gql(&app.partner_admin(&p2), CREATE_SOLUTION, json!({ "input": { "partnerId": p1, "name": "Sneaky", "category": "MANAGED_SERVICE" } }))
        .await;
    assert_eq!(p2_admin_for_p1.code(), "NOT_FOUND");
    let user = app
        .gql(&app.partner_user(&p1), CREATE_SOLUTION, input("By user"))
        .await;
    assert_eq!(user.code(), "FORBIDDEN");
    let seller = app
        .gql(
            &app.seller(&[SegmentCode::Smb]),
            CREATE_SOLUTION,
            input("By seller"),
        )
        .await;
    assert_eq!(seller.code(), "FORBIDDEN");
    let admin_without_partner = app
        .gql(&app.admin(), CREATE_SOLUTION, input("Whose?"))
        .await;
    assert_eq!(
        admin_without_partner.fields(),
        vec![(
            "input.partnerId".to_string(),
            "REQUIRED_FIELD_MISSING".to_string()
        )]
    );
    let names = app
        .gql(
            &app.admin(),
            "query($id: ID!) { partner(id: $id) { solutions { name } } }",
            json!({ "id": p1 }),
        )
        .await;
    assert_eq!(
        names.data()["partner"]["solutions"],
        json!([{ "name": "S1" }]),
        "nothing was written"
    );
}

#[tokio::test]
async fn references_are_added_and_removed_by_the_partner_admin() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("P1").await;
    let p2 = app.create_partner("P2").await;
    let admin = app.partner_admin(&p1);
    let r = app
        .gql(
            &admin,
            ADD_REFERENCE,
            json!({ "input": { "title": "Retail modernisation", "customerName": "Globex", "segment": "ENTERPRISE",
                    "summary": "Cut checkout latency by 60%.", "url": "https://p1.example/cases/globex", "publishedOn": "2026-03-01" } }),
        )
        .await;
    let reference = &r.data()["addCustomerReference"];
    assert!(reference["id"].as_str().unwrap().starts_with("cref_"));
    assert_eq!(reference["publishedOn"], "2026-03-01");
    assert_eq!(reference["segment"], "ENTERPRISE");
    let id = reference["id"].as_str().unwrap();

    let future = app
        .gql(&admin, ADD_REFERENCE, json!({ "input": { "title": "T", "customerName": "C", "summary": "S", "publishedOn": "2999-01-01" } }))
        .await;
    assert_eq!(
        future.fields(),
        vec![(
            "input.publishedOn".to_string(),
            "VALUE_OUT_OF_RANGE".to_string()
        )]
    );
    let bad_date = app
        .gql(&admin, ADD_REFERENCE, json!({ "input": { "title": "T", "customerName": "C", "summary": "S", "publishedOn": "01/03/2026" } }))
        .await;
    assert_eq!(bad_date.code(), "BAD_USER_INPUT");

    assert_eq!(
        app.gql(
            &app.partner_user(&p1),
            REMOVE_REFERENCE,
            json!({ "id": id })
        )
        .await
        .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(
            &app.partner_admin(&p2),
            REMOVE_REFERENCE,
            json!({ "id": id })
        )
        .await
        .code(),
        "NOT_FOUND"
    );
    let removed = app.gql(&admin, REMOVE_REFERENCE, json!({ "id": id })).await;
    assert_eq!(removed.data()["removeCustomerReference"], id);
    assert_eq!(
        app.gql(&admin, REMOVE_REFERENCE, json!({ "id": id }))
            .await
            .code(),
        "NOT_FOUND",
        "gone"
    );
    let list = app
        .gql(
            &admin,
            "query($id: ID!) { partner(id: $id) { references { id } } }",
            json!({ "id": p1 }),
        )
        .await;
    assert_eq!(list.data()["partner"]["references"], json!([]));
}

#[tokio::test]
async fn referral_readiness_reports_what_is_missing() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Getting Ready").await;
    let first = app
        .gql(&app.partner_user(&p), READINESS, json!({ "id": p }))
        .await;
    let readiness = &first.data()["partner"]["referralReadiness"];
    assert_eq!(readiness["eligible"], false);
    assert_eq!(readiness["score"], 0);
    let names: Vec<&str> = readiness["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "ACTIVE_SOLUTION",
            "CUSTOMER_REFERENCE",
            "VALUE_PROPOSITION",
            "SEGMENT_EXPERTISE",
            "LAUNCHED_OPPORTUNITIES",
            "APPROVAL_RATE"
        ]
    );
    assert!(
        readiness["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains("createSolution")
    );

    // A draft solution does not count; an active one does.
    app.create_solution(&p, "Draft", "DRAFT").await;
    let draft = app.gql(&app.admin(), READINESS, json!({ "id": p })).await;
    assert_eq!(
        draft.data()["partner"]["referralReadiness"]["checks"][0]["passed"],
        false
    );
    app.create_solution(&p, "Live", "ACTIVE").await;
    app.add_reference(&p, "Case study").await;
    app.gql(
        &app.partner_admin(&p),
        "mutation($id: ID!) { updatePartner(id: $id, input: { valueProposition: \"too short\", segments: [HEALTHCARE] }) { id } }",
        json!({ "id": p }),
    )
    .await
    .data();
    let partial = app.gql(&app.admin(), READINESS, json!({ "id": p })).await;
    let checks = &partial.data()["partner"]["referralReadiness"]["checks"];
    let passed: Vec<bool> = checks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["passed"].as_bool().unwrap())
        .collect();
    assert_eq!(passed, [true, true, false, true, false, false]);
    assert_eq!(partial.data()["partner"]["referralReadiness"]["score"], 50);

    app.gql(
        &app.partner_admin(&p),
        "mutation($id: ID!) { updatePartner(id: $id, input: { valueProposition: \"HIPAA-ready analytics platforms for public hospitals, live in 8 weeks.\" }) { id } }",
        json!({ "id": p }),
    )
    .await
    .data();
    let profile_done = app.gql(&app.admin(), READINESS, json!({ "id": p })).await;
    let r = &profile_done.data()["partner"]["referralReadiness"];
    assert_eq!(r["score"], 66);
    assert_eq!(r["eligible"], false, "no track record yet");
}
