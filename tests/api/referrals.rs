//! AWS referrals: sending with validation, withheld customer details, accepting (customer and
//! AWS_REFERRAL opportunity in one step, idempotent), rejecting, expiry, and the list.
use crate::fixtures::referral_input;
use crate::helpers::TestApp;
use cosell::domain::enums::SegmentCode;
use serde_json::{Value, json};

const REFERRAL_READ: &str = "query($id: ID!) { referral(id: $id) { id status senderName message customer { companyName industry websiteUrl countryCode } segment awsAdoption customerAddress { countryCode postalCode stateOrRegion city streetAddress } customerContacts { id firstName lastName email businessTitle } projectTitle businessProblem targetCompletionDate expectedMonthlySpend { amount currencyCode } expiresAt rejectionReason opportunity { id } partner { id } createdAt } }";

async fn read(app: &TestApp, token: &str, id: &str) -> crate::helpers::Gql {
    app.gql(token, REFERRAL_READ, json!({ "id": id })).await
}

async fn send(app: &TestApp, token: &str, input: Value) -> crate::helpers::Gql {
    app.gql(
        token,
        "mutation($input: SendReferralInput!) { sendReferral(input: $input) { id status expiresAt createdAt } }",
        json!({ "input": input }),
    )
    .await
}

async fn accept(app: &TestApp, token: &str, id: &str) -> crate::helpers::Gql {
    app.gql(
        token,
        "mutation($id: ID!) { acceptReferral(id: $id) { id origin stage reviewStatus title customerBusinessProblem targetCloseDate expectedMonthlySpend { amount currencyCode } partnerLed customer { id companyName industry websiteUrl segment { code } awsAdoption address { countryCode city } contacts { id firstName email } } } }",
        json!({ "id": id }),
    )
    .await
}

async fn reject(app: &TestApp, token: &str, id: &str, reason: &str) -> crate::helpers::Gql {
    app.gql(
        token,
        "mutation($id: ID!, $r: String!) { rejectReferral(id: $id, reason: $r) { status rejectionReason } }",
        json!({ "id": id, "r": reason }),
    )
    .await
}

#[tokio::test]
async fn sending_validates_every_field_and_writes_nothing_when_refused() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Referred Partner").await;
    let seller = app.seller(&[SegmentCode::Enterprise]);
    let day = |n: i64| (chrono::Utc::now().date_naive() + chrono::Duration::days(n)).to_string();
    let mut bad = referral_input(&p, "Bad Bank");
    bad["message"] = json!(" ");
    bad["customer"]["websiteUrl"] = json!("bank");
    bad["customer"]["countryCode"] = json!("XX");
    bad["customerAddress"]["countryCode"] = json!("DE");
    bad["customerContacts"][0]["email"] = json!("not-an-email");
    bad["projectTitle"] = json!("");
    bad["businessProblem"] = json!("Too short.");
    bad["targetCompletionDate"] = json!(day(-1));
    bad["expectedMonthlySpend"]["amount"] = json!("0");
    bad["expiresAt"] = json!("2020-01-01T00:00:00Z");
    let r = send(&app, &seller, bad).await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    let fields = r.fields();
    for (field, code) in [
        ("input.message", "REQUIRED_FIELD_MISSING"),
        ("input.customer.websiteUrl", "INVALID_STRING_FORMAT"),
        ("input.customer.countryCode", "INVALID_VALUE"),
        ("input.customerAddress.stateOrRegion", "INVALID_VALUE"),
        ("input.customerContacts.0.email", "INVALID_STRING_FORMAT"),
        ("input.projectTitle", "REQUIRED_FIELD_MISSING"),
        ("input.businessProblem", "VALUE_OUT_OF_RANGE"),
        ("input.targetCompletionDate", "VALUE_OUT_OF_RANGE"),
        ("input.expectedMonthlySpend.amount", "VALUE_OUT_OF_RANGE"),
        ("input.expiresAt", "VALUE_OUT_OF_RANGE"),
    ] {
        assert!(
            fields.contains(&(field.to_string(), code.to_string())),
            "{field} {code} in {fields:?}"
        );
    }
    let mut far = referral_input(&p, "Far Bank");
    far["expiresAt"] = json!((chrono::Utc::now() + chrono::Duration::days(91)).to_rfc3339());
    assert_eq!(
        send(&app, &seller, far).await.fields(),
        vec![(
            "input.expiresAt".to_string(),
            "VALUE_OUT_OF_RANGE".to_string()
        )]
    );
    let mut elsewhere = referral_input(&p, "Elsewhere Bank");
    elsewhere["customerAddress"]["stateOrRegion"] = Value::Null;
    elsewhere["customerAddress"]["countryCode"] = json!("DE");
    assert_eq!(
        send(&app, &seller, elsewhere).await.fields(),
        vec![(
            "input.customerAddress.countryCode".to_string(),
            "INVALID_VALUE".to_string()
        )]
    );

    // A seller refers customers of its own segments only; a manager only to its partners.
    let mut smb = referral_input(&p, "Small Shop");
    smb["segment"] = json!("SMB");
    assert_eq!(send(&app, &seller, smb).await.code(), "FORBIDDEN");
    let other = app.create_partner("Unmanaged Partner").await;
    let manager = app.manager(&[&p]);
    assert_eq!(
        send(&app, &manager, referral_input(&other, "Unmanaged Bank"))
            .await
            .code(),
        "NOT_FOUND"
    );
    let r = app
        .gql(&app.admin(), "{ referrals { totalCount } }", json!({}))
        .await;
    assert_eq!(r.data()["referrals"]["totalCount"], 0);

    // The default expiry is 14 days after sending.
    let r = send(&app, &manager, referral_input(&p, "Good Bank")).await;
    let sent = &r.data()["sendReferral"];
    assert_eq!(sent["status"], "PENDING");
    let parse = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(
        parse(&sent["expiresAt"]) - parse(&sent["createdAt"]),
        chrono::Duration::days(14)
    );
}

#[tokio::test]
async fn customer_address_and_contacts_are_withheld_until_accepted() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Curious Partner").await;
    let seller = app.seller(&[SegmentCode::Enterprise]);
    let user = app.partner_user(&p);
    let id = app.send_referral(&seller, &p, "Woodgrove Bank").await;

    let as_partner = read(&app, &user, &id).await.data()["referral"].clone();
    assert_eq!(as_partner["status"], "PENDING");
    assert_eq!(as_partner["senderName"], "seller@aws.example");
    assert_eq!(
        as_partner["customer"],
        json!({ "companyName": "Woodgrove Bank", "industry": "FINANCIAL_SERVICES", "websiteUrl": "https://bank.example", "countryCode": "US" })
    );
    assert_eq!(as_partner["customerAddress"], Value::Null);
    assert_eq!(as_partner["customerContacts"], json!([]));
    assert_eq!(as_partner["projectTitle"], "Core banking modernisation");
    assert_eq!(
        as_partner["expectedMonthlySpend"],
        json!({ "amount": "40000.00", "currencyCode": "USD" })
    );
    // Listed the same way.
    let r = app
        .gql(
            &user,
            "{ referrals { nodes { customerAddress { city } customerContacts { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.data()["referrals"]["nodes"],
        json!([{ "customerAddress": null, "customerContacts": [] }])
    );

    // The AWS side, which sent them, sees them.
    let as_seller = read(&app, &seller, &id).await.data()["referral"].clone();
    assert_eq!(as_seller["customerAddress"]["city"], "Seattle");
    assert_eq!(
        as_seller["customerContacts"][0]["email"],
        "jordan.lee@bank.example"
    );

    let opportunity = accept(&app, &user, &id).await.data()["acceptReferral"].clone();
    let as_partner = read(&app, &user, &id).await.data()["referral"].clone();
    assert_eq!(as_partner["status"], "ACCEPTED");
    assert_eq!(
        as_partner["customerAddress"],
        json!({ "countryCode": "US", "postalCode": "98101", "stateOrRegion": "Washington", "city": "Seattle", "streetAddress": "410 Terry Ave N" })
    );
    // The shared contacts became the customer's, under the same ids.
    let contact = &as_partner["customerContacts"][0];
    assert_eq!(contact["firstName"], "Jordan");
    assert_eq!(opportunity["customer"]["contacts"][0]["id"], contact["id"]);
    let r = app
        .gql(
            &user,
            "query($id: ID!) { node(id: $id) { ... on Contact { email } } }",
            json!({ "id": contact["id"] }),
        )
        .await;
    assert_eq!(r.data()["node"]["email"], "jordan.lee@bank.example");
}

#[tokio::test]
async fn accepting_creates_the_customer_and_an_aws_referral_opportunity_once() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Accepting Partner").await;
    let manager = app.manager(&[&p]);
    let user = app.partner_user(&p);
    let id = app.send_referral(&manager, &p, "Woodgrove Bank").await;

    let r = accept(&app, &user, &id).await;
    let o = r.data()["acceptReferral"].clone();
    assert_eq!(o["origin"], "AWS_REFERRAL");
    assert_eq!(o["stage"], "PROSPECT");
    assert_eq!(o["reviewStatus"], "PENDING_SUBMISSION");
    assert_eq!(o["title"], "Core banking modernisation");
    assert_eq!(
        o["customerBusinessProblem"],
        "The bank's core platform cannot scale for its new digital products."
    );
    assert_eq!(o["partnerLed"], false);
    assert_eq!(
        o["expectedMonthlySpend"],
        json!({ "amount": "40000.00", "currencyCode": "USD" })
    );
    assert_eq!(
        o["targetCloseDate"],
        json!((chrono::Utc::now().date_naive() + chrono::Duration::days(120)).to_string())
    );
    let c = &o["customer"];
    assert_eq!(c["companyName"], "Woodgrove Bank");
    assert_eq!(c["industry"], "FINANCIAL_SERVICES");
    assert_eq!(c["segment"]["code"], "ENTERPRISE");
    assert_eq!(c["awsAdoption"], "ENGAGED");
    assert_eq!(
        c["address"],
        json!({ "countryCode": "US", "city": "Seattle" })
    );

    // Accepting again returns the same opportunity and creates nothing.
    let again = accept(&app, &user, &id).await;
    assert_eq!(again.data()["acceptReferral"]["id"], o["id"]);
    let counts = app
        .gql(
            &user,
            "{ customers { totalCount } opportunities { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(counts.data()["customers"]["totalCount"], 1);
    assert_eq!(counts.data()["opportunities"]["totalCount"], 1);
    let referral = read(&app, &user, &id).await.data()["referral"].clone();
    assert_eq!(referral["opportunity"]["id"], o["id"]);
    // Once accepted, it can no longer be rejected.
    let r = reject(&app, &user, &id, "Changed our mind").await;
    assert_eq!(r.code(), "INVALID_STATE");

    // A second referral for a customer the partner already has reuses it and adds the new
    // contact; a contact with a known email is not duplicated.
    let mut input = referral_input(&p, "WOODGROVE bank");
    input["projectTitle"] = json!("Fraud analytics");
    input["customerContacts"] = json!([
        { "firstName": "Jordan", "lastName": "Lee", "email": "jordan.lee@bank.example" },
        { "firstName": "Priya", "lastName": "Shah", "email": "priya@bank.example" }
    ]);
    let second = send(&app, &manager, input).await.data()["sendReferral"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let o2 = accept(&app, &user, &second).await.data()["acceptReferral"].clone();
    assert_eq!(o2["customer"]["id"], c["id"]);
    let emails: Vec<&str> = o2["customer"]["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails.len(), 2, "{emails:?}");
    assert!(emails.contains(&"priya@bank.example"));

    // The history says where the opportunity came from.
    let r = app
        .gql(&user, "query($id: ID!) { opportunity(id: $id) { history { nodes { action actor changes } } } }", json!({ "id": o["id"] }))
        .await;
    let created = &r.data()["opportunity"]["history"]["nodes"][0];
    assert_eq!(created["action"], "CREATED");
    assert_eq!(created["actor"], json!(format!("partneruser@{p}")));
    assert_eq!(created["changes"]["origin"], json!([null, "AWS Referral"]));
}

#[tokio::test]
async fn concurrent_accepts_make_one_opportunity() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Racing Partner").await;
    let id = app.send_referral(&app.admin(), &p, "Race Bank").await;
    let user = app.partner_user(&p);
    let replies = futures_util::future::join_all((0..8).map(|_| accept(&app, &user, &id))).await;
    let ids: Vec<Value> = replies
        .iter()
        .map(|r| r.data()["acceptReferral"]["id"].clone())
        .collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    let counts = app
        .gql(
            &user,
            "{ customers { totalCount } opportunities { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(counts.data()["customers"]["totalCount"], 1);
    assert_eq!(counts.data()["opportunities"]["totalCount"], 1);
}

#[tokio::test]
async fn rejecting_takes_a_reason_and_is_final() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Picky Partner").await;
    let user = app.partner_user(&p);
    let id = app.send_referral(&app.admin(), &p, "Fourth Coffee").await;
    for (reason, code) in [
        ("  ", "REQUIRED_FIELD_MISSING"),
        (&*"x".repeat(81), "VALUE_OUT_OF_RANGE"),
    ] {
        let r = reject(&app, &user, &id, reason).await;
        assert_eq!(
            r.fields(),
            vec![("reason".to_string(), code.to_string())],
            "{reason:?}"
        );
    }
    let r = reject(&app, &user, &id, "Unable to support").await;
    assert_eq!(
        r.data()["rejectReferral"],
        json!({ "status": "REJECTED", "rejectionReason": "Unable to support" })
    );
    let r = accept(&app, &user, &id).await;
    assert_eq!(r.code(), "INVALID_STATE");
    assert!(r.error()["message"].as_str().unwrap().contains("REJECTED"));
    assert_eq!(
        reject(&app, &user, &id, "Again").await.code(),
        "INVALID_STATE"
    );
    // Still withheld: a rejected referral's customer is not the partner's.
    let r = read(&app, &user, &id).await;
    assert_eq!(r.data()["referral"]["customerAddress"], Value::Null);
    let r = app
        .gql(&user, "{ customers { totalCount } }", json!({}))
        .await;
    assert_eq!(r.data()["customers"]["totalCount"], 0);
}

#[tokio::test]
async fn past_its_expiry_a_referral_reads_expired_and_cannot_be_answered() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Slow Partner").await;
    let user = app.partner_user(&p);
    let lapsing = app.send_referral(&app.admin(), &p, "Hasty Bank").await;
    let waiting = app.send_referral(&app.admin(), &p, "Patient Bank").await;
    assert_eq!(
        read(&app, &user, &lapsing).await.data()["referral"]["status"],
        "PENDING"
    );
    // Time passes at storage level: its expiry moves a minute into the past.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    entity::referral::Entity::update_many()
        .col_expr(
            entity::referral::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .filter(entity::referral::Column::Id.eq(lapsing.as_str()))
        .exec(&app.db)
        .await
        .unwrap();

    assert_eq!(
        read(&app, &user, &lapsing).await.data()["referral"]["status"],
        "EXPIRED"
    );
    for r in [
        accept(&app, &user, &lapsing).await,
        reject(&app, &user, &lapsing, "Too late").await,
    ] {
        assert_eq!(r.code(), "INVALID_STATE", "{}", r.body);
        assert!(r.error()["message"].as_str().unwrap().contains("EXPIRED"));
    }
    let by_status = |status: &str| {
        let app = &app;
        let user = user.clone();
        let status = status.to_string();
        async move {
            let r = app
                .gql(&user, "query($s: [ReferralStatus!]) { referrals(filter: { status: $s }) { nodes { id } } }", json!({ "s": [status] }))
                .await;
            r.data()["referrals"]["nodes"].clone()
        }
    };
    assert_eq!(by_status("EXPIRED").await, json!([{ "id": lapsing }]));
    assert_eq!(by_status("PENDING").await, json!([{ "id": waiting }]));
}

#[tokio::test]
async fn the_list_is_newest_first_and_filters_by_status_and_partner() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Busy Partner").await;
    let other = app.create_partner("Second Partner").await;
    let admin = app.admin();
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(app.send_referral(&admin, &p, &format!("Bank {n}")).await);
    }
    app.send_referral(&admin, &other, "Other Bank").await;
    let user = app.partner_user(&p);
    accept(&app, &user, &ids[1]).await.data();
    reject(&app, &user, &ids[2], "Other").await.data();

    let list = |filter: Value, after: Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.gql(
                &admin,
                "query($f: ReferralFilter, $a: String) { referrals(first: 2, after: $a, filter: $f) { totalCount nodes { id status } pageInfo { hasNextPage endCursor } } }",
                json!({ "f": filter, "a": after }),
            )
            .await
            .data()["referrals"]
                .clone()
        }
    };
    // Newest first, two at a time.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = list(json!({ "partnerId": p }), after).await;
        assert_eq!(page["totalCount"], 5);
        seen.extend(
            page["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_string()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    let count = |v: Value| v["totalCount"].as_i64().unwrap();
    assert_eq!(
        count(list(json!({ "status": ["ACCEPTED", "REJECTED"] }), Value::Null).await),
        2
    );
    assert_eq!(
        count(list(json!({ "status": ["PENDING"] }), Value::Null).await),
        4
    );
    assert_eq!(
        count(list(json!({ "partnerId": other }), Value::Null).await),
        1
    );
}

#[tokio::test]
async fn a_referrals_page_with_nested_objects_costs_a_fixed_number_of_statements() {
    let app = TestApp::spawn_for_counting().await;
    let p = app.create_partner("Counted Partner").await;
    let user = app.partner_user(&p);
    let query = "query($n: Int) { referrals(first: $n) { nodes { id status partner { name } customer { companyName } customerContacts { email } opportunity { id title } } } }";
    let add = |count: usize, from: usize| {
        let app = &app;
        let user = user.clone();
        let p = p.clone();
        async move {
            for i in from..from + count {
                let id = app
                    .send_referral(&app.admin(), &p, &format!("Bank {i}"))
                    .await;
                accept(app, &user, &id).await.data();
            }
        }
    };
    add(3, 0).await;
    let (r, small) = app.gql_counted(&user, query, json!({ "n": 3 })).await;
    assert_eq!(r.data()["referrals"]["nodes"].as_array().unwrap().len(), 3);
    add(27, 3).await;
    let (r, large) = app.gql_counted(&user, query, json!({ "n": 30 })).await;
    let nodes = r.data()["referrals"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 30);
    assert!(nodes.iter().all(|n| n["opportunity"]["id"].is_string()));
    assert_eq!(small, large);
    // The page, then one batch each: partners, visible opportunities.
    assert!(large <= 3, "{large} statements");
}
