//! Customers and contacts: ACE validation, patches, partner-only notes, lists, locks.
use crate::fixtures::customer_input;
use crate::helpers::TestApp;
use cosell::domain::enums::SegmentCode;
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
  id companyName industry otherIndustry websiteUrl duns awsAccountId awsAdoption internalNotes
  segment { code group abbreviation }
  address { countryCode postalCode stateOrRegion city streetAddress }
  contacts { id firstName lastName email phone businessTitle }
  partner { id }
} }";

const UPDATE: &str =
    "mutation($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) {
  id companyName industry otherIndustry websiteUrl internalNotes segment { code }
  address { countryCode postalCode stateOrRegion }
} }";

fn with(mut base: Value, patch: Value) -> Value {
    for (k, v) in patch.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

#[tokio::test]
async fn a_customer_is_created_with_every_field_and_read_back() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let input = with(
        customer_input(&p, "Contoso Bank"),
        json!({ "duns": "123456789", "awsAccountId": "123456789012", "address": { "countryCode": "us", "postalCode": "10001", "stateOrRegion": "New York" } }),
    );
    let r = app
        .gql(&app.partner_user(&p), CREATE, json!({ "input": input }))
        .await;
    let c = &r.data()["createCustomer"];
    assert_eq!(c["companyName"], "Contoso Bank");
    assert_eq!(c["industry"], "FINANCIAL_SERVICES");
    assert_eq!(
        c["segment"],
        json!({ "code": "ENTERPRISE", "group": "COMMERCIAL", "abbreviation": "ENT" })
    );
    assert_eq!(
        c["address"]["countryCode"], "US",
        "country codes are upper-cased"
    );
    assert_eq!(c["duns"], "123456789");
    assert_eq!(c["awsAccountId"], "123456789012");
    assert_eq!(c["partner"]["id"], p.as_str());
    assert_eq!(c["contacts"][0]["phone"], "+12125550100");
    assert_eq!(c["internalNotes"], "Partner-only: budget approved in Q3.");
}

#[tokio::test]
async fn invalid_customer_fields_are_each_named_with_an_ace_code() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let input = json!({
        "partnerId": p,
        "companyName": "x".repeat(121),
        "industry": "RETAIL",
        "otherIndustry": "Retail banking",
        "websiteUrl": "not a url",
        "duns": "12345",
        "awsAccountId": "12345678901a",
        "address": { "countryCode": "XX", "stateOrRegion": "Bavaria" },
        "segment": "SMB",
        "awsAdoption": "GREENFIELD",
        "contacts": [{ "firstName": "", "lastName": "Lee", "email": "lee-at-example", "phone": "0049 89 1234" }]
    });
    let r = app
        .gql(&app.admin(), CREATE, json!({ "input": input }))
        .await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    let mut fields = r.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("input.address.countryCode", "INVALID_VALUE"),
            ("input.address.stateOrRegion", "INVALID_VALUE"),
            ("input.awsAccountId", "INVALID_STRING_FORMAT"),
            ("input.companyName", "VALUE_OUT_OF_RANGE"),
            ("input.contacts.0.email", "INVALID_STRING_FORMAT"),
            ("input.contacts.0.firstName", "REQUIRED_FIELD_MISSING"),
            ("input.contacts.0.phone", "INVALID_STRING_FORMAT"),
            ("input.duns", "INVALID_STRING_FORMAT"),
            ("input.otherIndustry", "INVALID_VALUE"),
            ("input.websiteUrl", "INVALID_STRING_FORMAT"),
        ]
        .map(|(f, c)| (f.to_string(), c.to_string()))
    );
    let count = app
        .gql(&app.admin(), "{ customers { totalCount } }", json!({}))
        .await;
    assert_eq!(
        count.data()["customers"]["totalCount"],
        0,
        "nothing written"
    );

    let other = with(
        customer_input(&p, "Initech"),
        json!({ "industry": "OTHER" }),
    );
    let r = app
        .gql(&app.admin(), CREATE, json!({ "input": other }))
        .await;
    assert_eq!(
        r.fields(),
        [(
            "input.otherIndustry".to_string(),
            "REQUIRED_FIELD_MISSING".to_string()
        )]
    );
    let other = with(
        customer_input(&p, "Initech"),
        json!({ "industry": "OTHER", "otherIndustry": "Space tourism" }),
    );
    let r = app
        .gql(&app.admin(), CREATE, json!({ "input": other }))
        .await;
    assert_eq!(r.data()["createCustomer"]["otherIndustry"], "Space tourism");
}

#[tokio::test]
async fn company_names_are_unique_per_partner_ignoring_case() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("Northwind").await;
    let p2 = app.create_partner("Southwind").await;
    app.create_customer(&p1, "Contoso Bank").await;
    let r = app
        .gql(
            &app.admin(),
            CREATE,
            json!({ "input": customer_input(&p1, "CONTOSO bank") }),
        )
        .await;
    assert_eq!(
        r.fields(),
        [(
            "input.companyName".to_string(),
            "DUPLICATE_KEY_VALUE".to_string()
        )]
    );
    let r = app
        .gql(
            &app.admin(),
            CREATE,
            json!({ "input": customer_input(&p2, "Contoso Bank") }),
        )
        .await;
    assert!(
        r.body["errors"].is_null(),
        "another partner may have the same customer"
    );
}

#[tokio::test]
async fn updates_are_patches_and_keep_cross_field_rules() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let c = app.create_customer(&p, "Contoso Bank").await;
    let user = app.partner_user(&p);
    let r = app
        .gql(
            &user,
            UPDATE,
            json!({ "id": c, "input": { "internalNotes": null, "segment": "SMB" } }),
        )
        .await;
    let u = &r.data()["updateCustomer"];
    assert_eq!(u["internalNotes"], Value::Null, "explicit null clears");
    assert_eq!(u["segment"]["code"], "SMB");
    assert_eq!(u["companyName"], "Contoso Bank", "omitted keeps");
    assert_eq!(u["address"]["stateOrRegion"], "New York");

    let r = app.gql(&user, UPDATE, json!({ "id": c, "input": { "address": { "countryCode": "DE", "postalCode": "80331", "stateOrRegion": "Bavaria" } } })).await;
    assert_eq!(
        r.fields(),
        [(
            "input.address.stateOrRegion".to_string(),
            "INVALID_VALUE".to_string()
        )]
    );
    let r = app.gql(&user, UPDATE, json!({ "id": c, "input": { "address": { "countryCode": "DE", "postalCode": "80331" } } })).await;
    assert_eq!(
        r.data()["updateCustomer"]["address"],
        json!({ "countryCode": "DE", "postalCode": "80331", "stateOrRegion": null })
    );
    let r = app
        .gql(
            &user,
            UPDATE,
            json!({ "id": c, "input": { "companyName": null } }),
        )
        .await;
    assert_eq!(
        r.fields(),
        [(
            "input.companyName".to_string(),
            "REQUIRED_FIELD_MISSING".to_string()
        )]
    );
    let r = app
        .gql(
            &user,
            UPDATE,
            json!({ "id": c, "input": { "industry": "OTHER" } }),
        )
        .await;
    assert_eq!(
        r.fields(),
        [(
            "input.otherIndustry".to_string(),
            "REQUIRED_FIELD_MISSING".to_string()
        )]
    );
}

#[tokio::test]
async fn contacts_are_added_updated_and_removed() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let c = app.create_customer(&p, "Contoso Bank").await;
    let user = app.partner_user(&p);
    let r = app
        .gql(&user, "mutation($c: ID!) { addContact(customerId: $c, input: { firstName: \"Tom\", lastName: \"Baker\", email: \"Tom.Baker@Contoso.example\" }) { id email } }", json!({ "c": c }))
        .await;
    let added = r.data()["addContact"].clone();
    assert_eq!(
        added["email"], "tom.baker@contoso.example",
        "emails are lower-cased as ACE wants"
    );
    let r = app
        .gql(&user, "mutation($id: ID!) { updateContact(id: $id, input: { firstName: \"Thomas\", lastName: \"Baker\", phone: \"+4989123456\" }) { firstName phone email } }", json!({ "id": added["id"] }))
        .await;
    assert_eq!(
        r.data()["updateContact"],
        json!({ "firstName": "Thomas", "phone": "+4989123456", "email": null })
    );
    let r = app
        .gql(&user, "mutation($id: ID!) { updateContact(id: $id, input: { firstName: \"Thomas\", lastName: \"Baker\", phone: \"12345\" }) { id } }", json!({ "id": added["id"] }))
        .await;
    assert_eq!(
        r.fields(),
        [(
            "input.phone".to_string(),
            "INVALID_STRING_FORMAT".to_string()
        )]
    );
    let r = app
        .gql(
            &user,
            "mutation($id: ID!) { removeContact(id: $id) }",
            json!({ "id": added["id"] }),
        )
        .await;
    assert_eq!(r.data()["removeContact"], added["id"]);
    let r = app
        .gql(
            &user,
            "query($id: ID!) { customer(id: $id) { contacts { firstName } } }",
            json!({ "id": c }),
        )
        .await;
    assert_eq!(
        r.data()["customer"]["contacts"],
        json!([{ "firstName": "Maria" }])
    );
    let r = app
        .gql(
            &user,
            "mutation($id: ID!) { removeContact(id: $id) }",
            json!({ "id": added["id"] }),
        )
        .await;
    assert_eq!(r.code(), "NOT_FOUND");
}

#[tokio::test]
async fn aws_side_viewers_see_a_customer_only_through_a_shared_opportunity_and_never_its_notes() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let ready = app.ready_opportunity(&p, "Core banking migration").await;
    let seller = app.seller(&[SegmentCode::Enterprise]);
    let manager = app.manager(&[&p]);
    let query = "query($id: ID!) { customer(id: $id) { companyName internalNotes } }";
    for token in [&seller, &manager] {
        let r = app.gql(token, query, json!({ "id": ready.customer })).await;
        assert_eq!(
            r.code(),
            "NOT_FOUND",
            "not before the opportunity is submitted"
        );
        let r = app
            .gql(token, "{ customers { totalCount } }", json!({}))
            .await;
        assert_eq!(r.data()["customers"]["totalCount"], 0);
    }
    app.bring_to(&ready.opportunity, "SUBMITTED").await;
    for token in [&seller, &manager] {
        let r = app.gql(token, query, json!({ "id": ready.customer })).await;
        assert_eq!(
            r.data()["customer"],
            json!({ "companyName": r.data()["customer"]["companyName"], "internalNotes": null })
        );
        let r = app
            .gql(token, "{ customers { totalCount } }", json!({}))
            .await;
        assert_eq!(r.data()["customers"]["totalCount"], 1);
    }
    let other_segment = app.seller(&[SegmentCode::Healthcare]);
    let r = app
        .gql(&other_segment, query, json!({ "id": ready.customer }))
        .await;
    assert_eq!(
        r.code(),
        "NOT_FOUND",
        "a seller of another segment does not see it"
    );
    let r = app
        .gql(
            &app.partner_user(&p),
            query,
            json!({ "id": ready.customer }),
        )
        .await;
    assert_eq!(
        r.data()["customer"]["internalNotes"],
        "Partner-only: budget approved in Q3."
    );
}

#[tokio::test]
async fn customer_lists_filter_and_order() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let other = app.create_partner("Southwind").await;
    let specs = [
        ("Delta Health", "HEALTHCARE", "HEALTHCARE", "GREENFIELD"),
        ("Alpha Retail", "RETAIL", "SMB", "ENGAGED"),
        (
            "Charlie Games",
            "GAMING",
            "DIGITAL_NATIVE_BUSINESS",
            "ENGAGED",
        ),
        (
            "Bravo Bank",
            "FINANCIAL_SERVICES",
            "ENTERPRISE",
            "GREENFIELD",
        ),
    ];
    for (name, industry, segment, adoption) in specs {
        let input = with(
            customer_input(&p, name),
            json!({ "industry": industry, "segment": segment, "awsAdoption": adoption }),
        );
        let r = app
            .gql(&app.admin(), CREATE, json!({ "input": input }))
            .await;
        r.data();
    }
    app.create_customer(&other, "Zulu Other").await;
    let user = app.partner_user(&p);
    let list = |filter: Value, order: Value| {
        let app = &app;
        let user = user.clone();
        async move {
            let r = app
                .gql(&user, "query($f: CustomerFilter, $o: CustomerOrder) { customers(filter: $f, orderBy: $o) { totalCount nodes { companyName } } }", json!({ "f": filter, "o": order }))
                .await;
            let c = r.data()["customers"].clone();
            let names: Vec<String> = c["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["companyName"].as_str().unwrap().to_string())
                .collect();
            (c["totalCount"].as_i64().unwrap(), names)
        }
    };
    assert_eq!(
        list(json!(null), json!(null)).await.1,
        [
            "Alpha Retail",
            "Bravo Bank",
            "Charlie Games",
            "Delta Health"
        ]
    );
    assert_eq!(
        list(
            json!(null),
            json!({ "field": "COMPANY_NAME", "direction": "DESC" })
        )
        .await
        .1,
        [
            "Delta Health",
            "Charlie Games",
            "Bravo Bank",
            "Alpha Retail"
        ]
    );
    assert_eq!(
        list(
            json!(null),
            json!({ "field": "CREATED_AT", "direction": "ASC" })
        )
        .await
        .1,
        [
            "Delta Health",
            "Alpha Retail",
            "Charlie Games",
            "Bravo Bank"
        ]
    );
    assert_eq!(
        list(json!({ "awsAdoption": "GREENFIELD" }), json!(null)).await,
        (2, vec!["Bravo Bank".into(), "Delta Health".into()])
    );
    assert_eq!(
        list(json!({ "segment": ["SMB", "HEALTHCARE"] }), json!(null))
            .await
            .1,
        ["Alpha Retail", "Delta Health"]
    );
    assert_eq!(
        list(json!({ "industry": ["GAMING"] }), json!(null)).await.1,
        ["Charlie Games"]
    );
    assert_eq!(
        list(json!({ "search": "BANK" }), json!(null)).await.1,
        ["Bravo Bank"]
    );
    assert_eq!(
        list(json!({ "partnerId": other }), json!(null)).await.0,
        0,
        "another partner's filter finds nothing"
    );
    let r = app
        .gql(&app.admin(), "query($p: ID!) { partner(id: $p) { customers(first: 2) { nodes { companyName } pageInfo { hasNextPage } } } }", json!({ "p": p }))
        .await;
    assert_eq!(
        r.data()["partner"]["customers"],
        json!({ "nodes": [{ "companyName": "Alpha Retail" }, { "companyName": "Bravo Bank" }], "pageInfo": { "hasNextPage": true } })
    );
}

#[tokio::test]
async fn account_fields_lock_while_an_opportunity_is_reviewed_and_freeze_once_approved() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let ready = app.ready_opportunity(&p, "Core banking migration").await;
    let user = app.partner_user(&p);
    let update = |input: Value| {
        let (app, user, id) = (&app, user.clone(), ready.customer.clone());
        async move {
            app.gql(&user, UPDATE, json!({ "id": id, "input": input }))
                .await
        }
    };
    app.bring_to(&ready.opportunity, "IN_REVIEW").await;
    let r = update(json!({ "websiteUrl": "https://new.example" })).await;
    assert_eq!(r.code(), "INVALID_STATE");
    assert_eq!(r.error()["extensions"]["field"], "websiteUrl");
    let r = update(json!({ "internalNotes": "still ours" })).await;
    assert!(
        r.body["errors"].is_null(),
        "partner-only fields stay editable: {}",
        r.body
    );

    app.review(&ready.opportunity, "REQUEST_ACTION")
        .await
        .data();
    let r = update(json!({ "websiteUrl": "https://new.example" })).await;
    assert!(
        r.body["errors"].is_null(),
        "ACTION_REQUIRED allows the website: {}",
        r.body
    );
    let r = update(json!({ "companyName": "Contoso Group" })).await;
    assert_eq!(r.error()["extensions"]["field"], "companyName");

    app.bring_to_from_action_required(&ready.opportunity).await;
    let r = update(json!({ "industry": "RETAIL" })).await;
    assert_eq!(r.code(), "INVALID_STATE");
    assert_eq!(r.error()["extensions"]["field"], "industry");
    let r = update(json!({ "address": { "countryCode": "US", "postalCode": "10002", "stateOrRegion": "New York", "city": "Brooklyn" } })).await;
    assert_eq!(r.error()["extensions"]["field"], "address.postalCode");
    let r = update(json!({ "address": { "countryCode": "US", "postalCode": "10001", "stateOrRegion": "New York", "city": "Brooklyn" } })).await;
    assert!(
        r.body["errors"].is_null(),
        "the city may change after approval: {}",
        r.body
    );
}
