//! Opportunities: fields, validation, clientToken idempotency, optimistic locking, next steps,
//! closing and solutions.
use crate::fixtures::opportunity_input;
use crate::helpers::TestApp;
use serde_json::{Value, json};

const CREATE: &str =
    "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
  id version origin opportunityType nationalSecurity title customerBusinessProblem customerUseCase
  deliveryModels expectedMonthlySpend { amount currencyCode } salesActivities competitorName
  otherCompetitorNames primaryNeedsFromAws involvementType additionalComments marketingSource
  campaignName marketingChannels marketingUseCases awsFundingUsed stage reviewStatus targetCloseDate
  nextSteps nextStepsHistory { value at } closedLostReason customerConsent partnerLed netNewForAws
  internalNotes awsProducts awsMarketplaceOfferArn partnerOpportunityIdentifier
  customer { companyName } partner { name } solutions { id }
} }";

fn with(mut base: Value, patch: Value) -> Value {
    for (k, v) in patch.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

async fn setup(app: &TestApp) -> (String, String) {
    let p = app.create_partner("Northwind").await;
    let c = app.create_customer(&p, "Contoso Bank").await;
    (p, c)
}

#[tokio::test]
async fn an_opportunity_is_created_with_every_field_and_read_back() {
    let app = TestApp::spawn().await;
    let (p, c) = setup(&app).await;
    let input = with(
        opportunity_input(&c, "Core banking migration", "t-1"),
        json!({
            "partnerOpportunityIdentifier": "CRM-0042",
            "competitorName": "OTHER",
            "otherCompetitorNames": "Rackspace",
            "additionalComments": "Board approval expected in March.",
            "marketingSource": "MARKETING_ACTIVITY",
            "campaignName": "MAP-2026",
            "marketingChannels": ["EMAIL", "LIVE_EVENT", "EMAIL"],
            "marketingUseCases": ["Migration & Transfer"],
            "awsFundingUsed": true,
            "primaryNeedsFromAws": ["TECHNICAL_CONSULTATION", "ARCHITECTURAL_VALIDATION"],
            "awsProducts": ["AmazonEC2", "AmazonRDS"],
            "awsMarketplaceOfferArn": "arn:aws:aws-marketplace:us-east-1:123456789012:AWSMarketplace/Offer/offer-abc123",
            "expectedMonthlySpend": { "amount": "12500.5", "currencyCode": "EUR" }
        }),
    );
    let r = app
        .gql(&app.partner_user(&p), CREATE, json!({ "input": input }))
        .await;
    let o = &r.data()["createOpportunity"];
    assert_eq!(o["version"], 1);
    assert_eq!(o["origin"], "PARTNER_REFERRAL");
    assert_eq!(o["reviewStatus"], "PENDING_SUBMISSION");
    assert_eq!(o["stage"], "QUALIFIED");
    assert_eq!(
        o["expectedMonthlySpend"],
        json!({ "amount": "12500.50", "currencyCode": "EUR" })
    );
    assert_eq!(
        o["marketingChannels"],
        json!(["EMAIL", "LIVE_EVENT"]),
        "lists are sets"
    );
    assert_eq!(
        o["primaryNeedsFromAws"],
        json!(["ARCHITECTURAL_VALIDATION", "TECHNICAL_CONSULTATION"])
    );
    assert_eq!(o["otherCompetitorNames"], "Rackspace");
    assert_eq!(o["nextStepsHistory"].as_array().unwrap().len(), 1);
    assert_eq!(o["nextStepsHistory"][0]["value"], o["nextSteps"]);
    assert_eq!(o["customer"]["companyName"], "Contoso Bank");
    assert_eq!(o["partner"]["name"], "Northwind");
    assert_eq!(o["involvementType"], Value::Null);
    assert_eq!(o["awsProducts"], json!(["AmazonEC2", "AmazonRDS"]));
}

#[tokio::test]
async fn invalid_opportunity_fields_are_each_named_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let (_, c) = setup(&app).await;
    let input = with(
        opportunity_input(&c, "", "t-1"),
        json!({
            "customerUseCase": "Quantum teleportation",
            "stage": "LAUNCHED",
            "targetCloseDate": "2001-01-01",
            "otherCompetitorNames": "Rackspace",
            "campaignName": "MAP-2026",
            "nationalSecurity": true,
            "awsProducts": (0..21).map(|i| format!("Product{i}")).collect::<Vec<_>>(),
            "awsMarketplaceOfferArn": "offer-123",
            "partnerOpportunityIdentifier": "x".repeat(65)
        }),
    );
    let r = app
        .gql(&app.admin(), CREATE, json!({ "input": input }))
        .await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    let mut fields = r.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("input.awsMarketplaceOfferArn", "INVALID_STRING_FORMAT"),
            ("input.awsProducts", "TOO_MANY_VALUES"),
            ("input.customerUseCase", "INVALID_VALUE"),
            ("input.partnerOpportunityIdentifier", "VALUE_OUT_OF_RANGE"),
            ("input.stage", "INVALID_VALUE"),
            ("input.targetCloseDate", "VALUE_OUT_OF_RANGE"),
            ("input.title", "REQUIRED_FIELD_MISSING"),
        ]
        .map(|(f, c)| (f.to_string(), c.to_string()))
    );
    // Rules between fields come once each field is valid on its own.
    let input = with(
        opportunity_input(&c, "Core banking", "t-2"),
        json!({ "otherCompetitorNames": "Rackspace", "campaignName": "MAP-2026", "nationalSecurity": true }),
    );
    let r = app
        .gql(&app.admin(), CREATE, json!({ "input": input }))
        .await;
    let mut fields = r.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("input.campaignName", "INVALID_VALUE"),
            ("input.nationalSecurity", "INVALID_VALUE"),
            ("input.otherCompetitorNames", "INVALID_VALUE"),
        ]
        .map(|(f, c)| (f.to_string(), c.to_string()))
    );
    let r = app
        .gql(&app.admin(), CREATE, json!({ "input": with(opportunity_input(&c, "x", "t-3"), json!({ "expectedMonthlySpend": { "amount": "-5", "currencyCode": "USD" } })) }))
        .await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    let count = app
        .gql(&app.admin(), "{ opportunities { totalCount } }", json!({}))
        .await;
    assert_eq!(count.data()["opportunities"]["totalCount"], 0);
}

#[tokio::test]
async fn a_client_token_replay_returns_the_first_result_and_another_body_conflicts() {
    let app = TestApp::spawn().await;
    let (p, c) = setup(&app).await;
    let user = app.partner_user(&p);
    let input = opportunity_input(&c, "Core banking migration", "replay-1");
    let first = app.gql(&user, CREATE, json!({ "input": input })).await;
    let id = first.data()["createOpportunity"]["id"].clone();
    let again = app.gql(&user, CREATE, json!({ "input": input })).await;
    assert_eq!(again.data()["createOpportunity"]["id"], id);

    let other = with(input.clone(), json!({ "title": "Another title" }));
    let r = app.gql(&user, CREATE, json!({ "input": other })).await;
    assert_eq!(r.code(), "CONFLICT");
    let count = app
        .gql(&user, "{ opportunities { totalCount } }", json!({}))
        .await;
    assert_eq!(count.data()["opportunities"]["totalCount"], 1);

    // Tokens are per partner: another partner may use the same one.
    let p2 = app.create_partner("Southwind").await;
    let c2 = app.create_customer(&p2, "Initech").await;
    let r = app
        .gql(
            &app.partner_user(&p2),
            CREATE,
            json!({ "input": opportunity_input(&c2, "Core banking migration", "replay-1") }),
        )
        .await;
    assert_ne!(r.data()["createOpportunity"]["id"], id);
}

#[tokio::test]
async fn concurrent_creates_with_one_client_token_make_one_opportunity() {
    let app = TestApp::spawn().await;
    let (p, c) = setup(&app).await;
    let user = app.partner_user(&p);
    let input = opportunity_input(&c, "Core banking migration", "race-1");
    let calls = (0..10).map(|_| {
        let (app, user, input) = (&app, user.clone(), input.clone());
        async move {
            app.gql(&user, "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id } }", json!({ "input": input }))
                .await
        }
    });
    let results = futures_util::future::join_all(calls).await;
    let ids: std::collections::BTreeSet<String> = results
        .iter()
        .map(|r| {
            r.data()["createOpportunity"]["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every caller gets the one opportunity");
    let count = app
        .gql(&user, "{ opportunities { totalCount } }", json!({}))
        .await;
    assert_eq!(count.data()["opportunities"]["totalCount"], 1);
}

#[tokio::test]
async fn a_stale_expected_version_is_a_conflict_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let (p, c) = setup(&app).await;
    let o = app.create_opportunity(&c, "Core banking migration").await;
    let user = app.partner_user(&p);
    let update = "mutation($id: ID!, $v: Int!, $t: String!) { updateOpportunity(id: $id, expectedVersion: $v, input: { title: $t }) { version title lastModifiedAt } }";
    let r = app
        .gql(
            &user,
            update,
            json!({ "id": o, "v": 1, "t": "Renamed once" }),
        )
        .await;
    assert_eq!(r.data()["updateOpportunity"]["version"], 2);
    let r = app
        .gql(
            &user,
            update,
            json!({ "id": o, "v": 1, "t": "Renamed from stale" }),
        )
        .await;
    assert_eq!(r.code(), "CONFLICT");
    assert_eq!(
        r.error()["extensions"]["currentVersion"],
        2,
        "which version to read"
    );
    assert_eq!(app.opportunity(&o).await["title"], "Renamed once");
    assert_eq!(app.version_of(&o).await, 2);
    // An update that changes nothing keeps the version.
    let r = app
        .gql(
            &user,
            update,
            json!({ "id": o, "v": 2, "t": "Renamed once" }),
        )
        .await;
    assert_eq!(r.data()["updateOpportunity"]["version"], 2);
}

#[tokio::test]
async fn of_two_concurrent_updates_from_the_same_version_one_wins() {
    let app = TestApp::spawn().await;
    let (p, c) = setup(&app).await;
    let o = app.create_opportunity(&c, "Core banking migration").await;
    let user = app.partner_user(&p);
    let update = "mutation($id: ID!, $t: String!) { updateOpportunity(id: $id, expectedVersion: 1, input: { title: $t }) { version } }";
    let calls = (0..20).map(|i| {
        let (app, user, o) = (&app, user.clone(), o.clone());
        async move {
            app.gql(&user, update, json!({ "id": o, "t": format!("Title {i}") }))
                .await
        }
    });
    let results = futures_util::future::join_all(calls).await;
    let wins = results
        .iter()
        .filter(|r| r.body["errors"].is_null())
        .count();
    let conflicts = results
        .iter()
        .filter(|r| {
            r.body["errors"][0]["extensions"]["code"] == "CONFLICT"
                && r.body["errors"][0]["extensions"]["currentVersion"] == 2
        })
        .count();
    assert_eq!(
        (wins, conflicts),
        (1, 19),
        "{results:?}",
        results = results.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert_eq!(app.version_of(&o).await, 2);
}

#[tokio::test]
async fn changing_next_steps_appends_to_their_history() {
    let app = TestApp::spawn().await;
    let (p, c) = setup(&app).await;
    let o = app.create_opportunity(&c, "Core banking migration").await;
    let user = app.partner_user(&p);
    app.update_opportunity(&user, &o, json!({ "nextSteps": "Send the proposal." }))
        .await
        .data();
    app.update_opportunity(
        &user,
        &o,
        json!({ "title": "Core banking migration wave 1" }),
    )
    .await
    .data();
    app.update_opportunity(&user, &o, json!({ "nextSteps": "Sign the SOW." }))
        .await
        .data();
    let r = app
        .gql(
            &user,
            "query($id: ID!) { opportunity(id: $id) { nextSteps nextStepsHistory { value } } }",
            json!({ "id": o }),
        )
        .await;
    assert_eq!(
        r.data()["opportunity"],
        json!({
            "nextSteps": "Sign the SOW.",
            "nextStepsHistory": [
                { "value": "Architecture workshop with the customer's platform team." },
                { "value": "Send the proposal." },
                { "value": "Sign the SOW." }
            ]
        })
    );
}

#[tokio::test]
async fn closing_follows_the_stage_rules() {
    let app = TestApp::spawn().await;
    let (p, c) = setup(&app).await;
    let user = app.partner_user(&p);
    let close = "mutation($id: ID!, $v: Int!, $o: CloseOutcome!, $r: ClosedLostReason) { closeOpportunity(id: $id, expectedVersion: $v, outcome: $o, closedLostReason: $r) { stage closedLostReason version } }";
    let o = app.create_opportunity(&c, "Lost deal").await;
    let r = app
        .gql(&user, close, json!({ "id": o, "v": 1, "o": "CLOSED_LOST" }))
        .await;
    assert_eq!(
        r.fields(),
        [(
            "closedLostReason".to_string(),
            "REQUIRED_FIELD_MISSING".to_string()
        )]
    );
    let r = app
        .gql(&user, close, json!({ "id": o, "v": 1, "o": "LAUNCHED" }))
        .await;
    assert_eq!(r.code(), "INVALID_STATE", "only COMMITTED launches");
    assert_eq!(r.error()["extensions"]["field"], "stage");
    let r = app
        .gql(
            &user,
            close,
            json!({ "id": o, "v": 1, "o": "CLOSED_LOST", "r": "PRICE" }),
        )
        .await;
    assert_eq!(
        r.data()["closeOpportunity"],
        json!({ "stage": "CLOSED_LOST", "closedLostReason": "PRICE", "version": 2 })
    );
    let r = app
        .gql(
            &user,
            close,
            json!({ "id": o, "v": 2, "o": "CLOSED_LOST", "r": "PRICE" }),
        )
        .await;
    assert_eq!(r.code(), "INVALID_STATE", "CLOSED_LOST is final");
    let r = app
        .update_opportunity(&user, &o, json!({ "stage": "QUALIFIED" }))
        .await;
    assert_eq!(r.code(), "INVALID_STATE");

    let w = app.create_opportunity(&c, "Won deal").await;
    let r = app
        .update_opportunity(&user, &w, json!({ "stage": "LAUNCHED" }))
        .await;
    assert_eq!(
        r.fields(),
        [("input.stage".to_string(), "INVALID_VALUE".to_string())],
        "terminal stages go through closeOpportunity"
    );
    app.update_opportunity(&user, &w, json!({ "stage": "COMMITTED" }))
        .await
        .data();
    let r = app
        .gql(
            &user,
            close,
            json!({ "id": w, "v": 2, "o": "LAUNCHED", "r": "PRICE" }),
        )
        .await;
    assert_eq!(
        r.fields(),
        [("closedLostReason".to_string(), "INVALID_VALUE".to_string())]
    );
    let r = app
        .gql(&user, close, json!({ "id": w, "v": 2, "o": "LAUNCHED" }))
        .await;
    assert_eq!(r.data()["closeOpportunity"]["stage"], "LAUNCHED");
    let r = app
        .update_opportunity(
            &user,
            &w,
            json!({ "additionalComments": "Live since Monday." }),
        )
        .await;
    assert!(
        r.body["errors"].is_null(),
        "ACE still takes comments after launch: {}",
        r.body
    );
    let r = app
        .update_opportunity(&user, &w, json!({ "title": "Renamed" }))
        .await;
    assert_eq!(r.error()["extensions"]["field"], "title");
}

#[tokio::test]
async fn only_own_active_solutions_associate_and_at_most_ten() {
    let app = TestApp::spawn().await;
    let (p, c) = setup(&app).await;
    let other = app.create_partner("Southwind").await;
    let o = app.create_opportunity(&c, "Core banking migration").await;
    let user = app.partner_user(&p);
    let assoc = "mutation($o: ID!, $s: ID!) { associateSolution(opportunityId: $o, solutionId: $s) { version solutions { name } } }";
    let draft = app.create_solution(&p, "Draft thing", "DRAFT").await;
    let r = app.gql(&user, assoc, json!({ "o": o, "s": draft })).await;
    assert_eq!(
        r.fields(),
        [("solutionId".to_string(), "INVALID_VALUE".to_string())]
    );
    let foreign = app.create_solution(&other, "Foreign", "ACTIVE").await;
    let r = app
        .gql(&app.admin(), assoc, json!({ "o": o, "s": foreign }))
        .await;
    assert_eq!(
        r.code(),
        "NOT_FOUND",
        "another partner's solution cannot be associated"
    );
    for i in 0..10 {
        let s = app
            .create_solution(&p, &format!("Solution {i:02}"), "ACTIVE")
            .await;
        app.gql(&user, assoc, json!({ "o": o, "s": s }))
            .await
            .data();
    }
    let eleventh = app.create_solution(&p, "Solution 10", "ACTIVE").await;
    let r = app
        .gql(&user, assoc, json!({ "o": o, "s": eleventh }))
        .await;
    assert_eq!(
        r.fields(),
        [("solutionId".to_string(), "TOO_MANY_VALUES".to_string())]
    );
    let r = app
        .gql(
            &user,
            "query($id: ID!) { opportunity(id: $id) { version solutions { name } } }",
            json!({ "id": o }),
        )
        .await;
    let got = &r.data()["opportunity"];
    assert_eq!(got["solutions"].as_array().unwrap().len(), 10);
    assert_eq!(
        got["solutions"][0]["name"], "Solution 00",
        "in association order"
    );
    assert_eq!(got["version"], 11, "each association is a new version");
    let first = app
        .gql(
            &user,
            "query($id: ID!) { opportunity(id: $id) { solutions { id } } }",
            json!({ "id": o }),
        )
        .await
        .data()["opportunity"]["solutions"][0]["id"]
        .clone();
    let r = app
        .gql(&user, "mutation($o: ID!, $s: ID!) { disassociateSolution(opportunityId: $o, solutionId: $s) { solutions { name } } }", json!({ "o": o, "s": first }))
        .await;
    assert_eq!(
        r.data()["disassociateSolution"]["solutions"]
            .as_array()
            .unwrap()
            .len(),
        9
    );
}

#[tokio::test]
async fn the_ace_payload_is_a_create_opportunity_request() {
    let app = TestApp::spawn().await;
    let (p, c) = setup(&app).await;
    let input = with(
        opportunity_input(&c, "Core banking migration", "ace-token-1"),
        json!({ "partnerOpportunityIdentifier": "CRM-7", "marketingSource": "MARKETING_ACTIVITY", "awsFundingUsed": false, "marketingChannels": ["OUT_OF_HOME"] }),
    );
    let r = app
        .gql(&app.partner_user(&p), CREATE, json!({ "input": input }))
        .await;
    let id = r.data()["createOpportunity"]["id"].clone();
    let r = app
        .gql(&app.partner_user(&p), "query($id: ID!) { opportunity(id: $id) { targetCloseDate aceCreateOpportunityPayload } }", json!({ "id": id }))
        .await;
    let o = &r.data()["opportunity"];
    let payload = &o["aceCreateOpportunityPayload"];
    assert_eq!(
        payload,
        &json!({
            "Catalog": "AWS",
            "ClientToken": "ace-token-1",
            "PartnerOpportunityIdentifier": "CRM-7",
            "OpportunityType": "Net New Business",
            "Origin": "Partner Referral",
            "NationalSecurity": "No",
            "PrimaryNeedsFromAws": ["Co-Sell - Technical Consultation"],
            "Customer": {
                "Account": {
                    "CompanyName": "Contoso Bank",
                    "Industry": "Financial Services",
                    "WebsiteUrl": "https://customer.example",
                    "Address": { "City": "New York", "CountryCode": "US", "PostalCode": "10001", "StateOrRegion": "New York", "StreetAddress": "1 Main St" }
                },
                "Contacts": [{ "Email": "maria@customer.example", "FirstName": "Maria", "LastName": "Gomez", "BusinessTitle": "CIO", "Phone": "+12125550100" }]
            },
            "Project": {
                "Title": "Core banking migration",
                "CustomerBusinessProblem": "Core banking batch jobs run on an ageing mainframe that costs too much.",
                "CustomerUseCase": "Migration/Database Migration",
                "DeliveryModels": ["Professional Services"],
                "ExpectedCustomerSpend": [{ "Amount": "12500.00", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS" }],
                "SalesActivities": ["Initialized discussions with customer", "Conducted POC / Demo"]
            },
            "LifeCycle": {
                "Stage": "Qualified",
                "TargetCloseDate": o["targetCloseDate"],
                "NextSteps": "Architecture workshop with the customer's platform team."
            },
            "Marketing": { "Source": "Marketing Activity", "Channels": ["Out Of Home (OOH)"], "AwsFundingUsed": "No" }
        })
    );
}
