//! Values at their edges: money bounded and summed without overflow, control characters refused
//! in every string, scalars of the wrong JSON type answered as bad input.
use crate::fixtures::opportunity_input;
use crate::helpers::TestApp;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id expectedMonthlySpend { amount } } }";

#[tokio::test]
async fn amounts_are_bounded_and_pipeline_sums_never_overflow() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Big Spender").await;
    let c = app.create_customer(&p, "Whale Corp").await;
    let token = app.partner_user(&p);
    let mut input = opportunity_input(&c, "Too much", "t-1");
    input["expectedMonthlySpend"]["amount"] = json!("92233720368547758.07");
    let r = app.gql(&token, CREATE, json!({ "input": input })).await;
    assert_eq!(r.code(), "BAD_USER_INPUT", "{}", r.body);
    assert!(
        r.error()["message"]
            .as_str()
            .unwrap()
            .contains("1000000000000.00")
    );

    input["expectedMonthlySpend"]["amount"] = json!("1000000000000.00");
    let r = app.gql(&token, CREATE, json!({ "input": input })).await;
    assert_eq!(
        r.data()["createOpportunity"]["expectedMonthlySpend"]["amount"],
        "1000000000000.00"
    );

    // Amounts stored before the bound (or by any other writer) still sum exactly: three of
    // 40 quadrillion cents pass what 64 bits hold.
    for i in 0..3 {
        let id = app.create_opportunity(&c, &format!("Legacy {i}")).await;
        app.db
            .execute_unprepared(&format!(
                "UPDATE opportunity SET expected_monthly_spend_cents = 4000000000000000000 WHERE id = '{id}'"
            ))
            .await
            .unwrap();
    }
    let r = app
        .gql(
            &token,
            "{ pipeline { totalCount expectedMonthlySpend { amount currencyCode } byStage { stage expectedMonthlySpend { amount } } } }",
            json!({}),
        )
        .await;
    let pipeline = &r.data()["pipeline"];
    assert_eq!(pipeline["totalCount"], 4);
    assert_eq!(
        pipeline["expectedMonthlySpend"],
        json!([{ "amount": "120001000000000000.00", "currencyCode": "USD" }])
    );
}

#[tokio::test]
async fn control_characters_are_refused_in_every_string() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let create = "mutation($input: CreatePartnerInput!) { createPartner(input: $input) { id } }";
    for bad in [
        "nul\u{0}byte",
        "ansi \u{1b}[31mred",
        "bidi \u{202e}txt.exe",
        "del\u{7f}",
        "c1\u{85}",
    ] {
        let r = app
            .gql(&admin, create, json!({ "input": { "name": bad } }))
            .await;
        assert_eq!(r.code(), "BAD_USER_INPUT", "{bad:?}: {}", r.body);
        assert_eq!(
            r.fields(),
            [(
                "variables.input.name".to_string(),
                "INVALID_STRING_FORMAT".to_string()
            )]
        );
    }
    // The same in a literal of the document, and in a nested list.
    let r = app
        .gql(
            &admin,
            "mutation { createPartner(input: { name: \"lit\\u0000eral\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(r.fields()[0].0, "createPartner(input).name");
    let p = app.create_partner("Clean").await;
    let r = app
        .gql(
            &admin,
            "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
            json!({ "input": { "partnerId": p, "companyName": "Fine", "industry": "OTHER", "otherIndustry": "x",
                              "contacts": [{ "firstName": "A\u{0}", "email": "a@b.example" }] } }),
        )
        .await;
    assert_eq!(r.fields()[0].0, "variables.input.contacts[0].firstName");
    // Tabs and line breaks are text.
    let r = app
        .gql(&admin, create, json!({ "input": { "name": "Line\tone", "valueProposition": "First line\nsecond line\r\n" } }))
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    // Nothing of the refused ones was written.
    let names: Value = app
        .gql(
            &admin,
            "{ partners(first: 50) { nodes { name } } }",
            json!({}),
        )
        .await
        .data()["partners"]["nodes"]
        .clone();
    assert_eq!(names, json!([{ "name": "Clean" }, { "name": "Line\tone" }]));
}

#[tokio::test]
async fn scalars_of_the_wrong_json_type_are_bad_input() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Dates").await;
    let c = app.create_customer(&p, "Calendar Inc").await;
    let token = app.partner_user(&p);
    for (field, value) in [
        ("targetCloseDate", json!(20270101)),
        ("targetCloseDate", json!(true)),
        ("targetCloseDate", json!({ "y": 2027 })),
        ("targetCloseDate", json!(["2027-01-01"])),
    ] {
        let mut input = opportunity_input(&c, "Wrong types", "t-x");
        input[field] = value.clone();
        let r = app.gql(&token, CREATE, json!({ "input": input })).await;
        assert_eq!(r.code(), "BAD_USER_INPUT", "{field} = {value}: {}", r.body);
    }
    let filters = [
        json!({ "createdAt": { "after": 1700000000 } }),
        json!({ "createdAt": { "before": 1.5 } }),
        json!({ "targetCloseDate": { "before": 20270101 } }),
    ];
    for filter in filters {
        let r = app
            .gql(
                &token,
                "query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount } }",
                json!({ "f": filter }),
            )
            .await;
        assert_eq!(r.code(), "BAD_USER_INPUT", "{filter}: {}", r.body);
        let message = r.error()["message"].as_str().unwrap();
        assert!(
            message.contains("Date"),
            "the message names the type: {message}"
        );
    }
    let r = app
        .gql(
            &token,
            "{ opportunities(filter: { lastModifiedAt: { after: 1700000000 } }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.code(), "BAD_USER_INPUT", "{}", r.body);
}
