//! Pipeline analytics: totals, buckets by stage, segment and review status, spend per currency
//! and asks by kind, each within the viewer's scope; the database aggregates, so the statement
//! count does not grow with the data.
use crate::helpers::TestApp;
use cosell::domain::enums::SegmentCode;
use serde_json::{Value, json};

const PIPELINE: &str = "query($f: OpportunityFilter) { pipeline(filter: $f) {
    totalCount expectedMonthlySpend { amount currencyCode }
    byStage { stage count expectedMonthlySpend { amount currencyCode } }
    bySegment { segment count expectedMonthlySpend { amount currencyCode } }
    byReviewStatus { reviewStatus count }
    asksByKind { kind open fulfilled declined overdue medianHoursToResolve } } }";

async fn pipeline(app: &TestApp, token: &str, filter: Value) -> Value {
    app.gql(token, PIPELINE, json!({ "f": filter }))
        .await
        .data()["pipeline"]
        .clone()
}

/// The non-empty buckets of a list as `{ key: count }`.
fn counts(buckets: &Value, key: &str) -> Value {
    let mut map = serde_json::Map::new();
    for b in buckets.as_array().unwrap() {
        if b["count"] != 0 {
            map.insert(b[key].as_str().unwrap().to_string(), b["count"].clone());
        }
    }
    Value::Object(map)
}

fn bucket<'a>(buckets: &'a Value, key: &str, value: &str) -> &'a Value {
    buckets
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b[key] == value)
        .unwrap_or_else(|| panic!("no {value} bucket"))
}

/// Resolution time as if the ask had been raised `hours` before it was resolved.
async fn resolved_after(app: &TestApp, ask_id: &str, hours: i64) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let ask = entity::ask::Entity::find_by_id(ask_id.to_string())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let asked = ask.resolved_at.unwrap() - chrono::Duration::hours(hours);
    entity::ask::Entity::update_many()
        .col_expr(entity::ask::Column::CreatedAt, Expr::value(asked))
        .filter(entity::ask::Column::Id.eq(ask_id))
        .exec(&app.db)
        .await
        .unwrap();
}

async fn overdue_by(app: &TestApp, ask_id: &str, days: i64) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let due = chrono::Utc::now().date_naive() - chrono::Duration::days(days);
    entity::ask::Entity::update_many()
        .col_expr(entity::ask::Column::DueDate, Expr::value(due))
        .filter(entity::ask::Column::Id.eq(ask_id))
        .exec(&app.db)
        .await
        .unwrap();
}

struct World {
    p1: String,
    p2: String,
}

/// P1: five opportunities (one SMB in EUR, the rest ENTERPRISE in USD) across stages and
/// review statuses, with asks of every kind in known states; P2: one shared opportunity with
/// one open ask.
async fn world(app: &TestApp) -> World {
    let admin = app.admin();
    let p1 = app.create_partner("Pipeline One").await;
    let p2 = app.create_partner("Pipeline Two").await;
    let draft = app.ready_opportunity(&p1, "Draft").await;
    let shared = app.shared_opportunity(&p1, "Shared").await;
    let approved = app.ready_opportunity(&p1, "Approved").await;
    app.bring_to(&approved.opportunity, "APPROVED").await;
    let lost = app.ready_opportunity(&p1, "Lost").await;
    let v = app.version_of(&lost.opportunity).await;
    app.gql(&admin, "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, expectedVersion: $v, outcome: CLOSED_LOST, closedLostReason: PRICE) { id } }", json!({ "id": lost.opportunity, "v": v }))
        .await
        .data();
    let mut smb = crate::fixtures::customer_input(&p1, "Small Shop");
    smb["segment"] = json!("SMB");
    let smb = app
        .gql(
            &admin,
            "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
            json!({ "input": smb }),
        )
        .await
        .data()["createCustomer"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let euro = app.create_opportunity(&smb, "Euro deal").await;
    let r = app
        .update_opportunity(
            &admin,
            &euro,
            json!({ "expectedMonthlySpend": { "amount": "1000", "currencyCode": "EUR" } }),
        )
        .await;
    r.data();
    let elsewhere = app.shared_opportunity(&p2, "Elsewhere").await;

    // Asks on the shared opportunity: FUNDING resolved in 2, 10 and 30 hours and one overdue;
    // SOLUTION_ARCHITECTURE resolved in 4 and 8 hours; MARKETPLACE withdrawn.
    for (kind, status, hours) in [
        ("FUNDING", "FULFILLED", 2),
        ("FUNDING", "DECLINED", 10),
        ("FUNDING", "FULFILLED", 30),
        ("SOLUTION_ARCHITECTURE", "FULFILLED", 4),
        ("SOLUTION_ARCHITECTURE", "DECLINED", 8),
        ("MARKETPLACE_PROCUREMENT", "WITHDRAWN", 0),
    ] {
        let id = app.create_ask(&admin, &shared.opportunity, kind).await;
        app.bring_ask_to(&id, status).await;
        if hours > 0 {
            resolved_after(app, &id, hours).await;
        }
    }
    let late = app.create_ask(&admin, &shared.opportunity, "FUNDING").await;
    app.bring_ask_to(&late, "IN_PROGRESS").await;
    overdue_by(app, &late, 2).await;
    // Not shared with AWS yet: only the partner counts it.
    app.create_ask(&admin, &draft.opportunity, "STAKEHOLDER_ALIGNMENT")
        .await;
    app.create_ask(&admin, &elsewhere.opportunity, "FUNDING")
        .await;
    World { p1, p2 }
}

#[tokio::test]
async fn the_partner_sees_its_whole_pipeline_and_nothing_of_others() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let p = pipeline(&app, &app.partner_user(&w.p1), Value::Null).await;
    assert_eq!(p["totalCount"], 5);
    assert_eq!(
        p["expectedMonthlySpend"],
        json!([{ "amount": "1000.00", "currencyCode": "EUR" }, { "amount": "50000.00", "currencyCode": "USD" }])
    );
    assert_eq!(
        counts(&p["byStage"], "stage"),
        json!({ "QUALIFIED": 4, "CLOSED_LOST": 1 })
    );
    assert_eq!(
        bucket(&p["byStage"], "stage", "QUALIFIED")["expectedMonthlySpend"],
        json!([{ "amount": "1000.00", "currencyCode": "EUR" }, { "amount": "37500.00", "currencyCode": "USD" }])
    );
    // Every value of each enum is listed, in the contract's order, zeros included.
    let stages: Vec<&str> = p["byStage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "PROSPECT",
            "QUALIFIED",
            "TECHNICAL_VALIDATION",
            "BUSINESS_VALIDATION",
            "COMMITTED",
            "LAUNCHED",
            "CLOSED_LOST"
        ]
    );
    assert_eq!(
        bucket(&p["byStage"], "stage", "LAUNCHED")["expectedMonthlySpend"],
        json!([])
    );
    assert_eq!(p["bySegment"].as_array().unwrap().len(), 9);
    assert_eq!(
        counts(&p["bySegment"], "segment"),
        json!({ "ENTERPRISE": 4, "SMB": 1 })
    );
    assert_eq!(
        bucket(&p["bySegment"], "segment", "SMB")["expectedMonthlySpend"],
        json!([{ "amount": "1000.00", "currencyCode": "EUR" }])
    );
    assert_eq!(
        counts(&p["byReviewStatus"], "reviewStatus"),
        json!({ "PENDING_SUBMISSION": 3, "SUBMITTED": 1, "APPROVED": 1 })
    );
    assert_eq!(
        p["asksByKind"],
        json!([
            { "kind": "STAKEHOLDER_ALIGNMENT", "open": 1, "fulfilled": 0, "declined": 0, "overdue": 0, "medianHoursToResolve": null },
            { "kind": "MARKETPLACE_PROCUREMENT", "open": 0, "fulfilled": 0, "declined": 0, "overdue": 0, "medianHoursToResolve": null },
            { "kind": "FUNDING", "open": 1, "fulfilled": 2, "declined": 1, "overdue": 1, "medianHoursToResolve": 10.0 },
            { "kind": "SOLUTION_ARCHITECTURE", "open": 0, "fulfilled": 1, "declined": 1, "overdue": 0, "medianHoursToResolve": 6.0 },
        ])
    );

    // The filter narrows the same aggregates.
    let lost = pipeline(
        &app,
        &app.partner_user(&w.p1),
        json!({ "stage": ["CLOSED_LOST"] }),
    )
    .await;
    assert_eq!(lost["totalCount"], 1);
    assert_eq!(lost["asksByKind"][2]["fulfilled"], 0);
    let smb = pipeline(
        &app,
        &app.partner_user(&w.p1),
        json!({ "segment": ["SMB"] }),
    )
    .await;
    assert_eq!(smb["totalCount"], 1);
    assert_eq!(
        smb["expectedMonthlySpend"],
        json!([{ "amount": "1000.00", "currencyCode": "EUR" }])
    );

    // Partner two counts only its own row, whatever it asks for.
    let other = pipeline(&app, &app.partner_user(&w.p2), Value::Null).await;
    assert_eq!(other["totalCount"], 1);
    assert_eq!(
        counts(&other["bySegment"], "segment"),
        json!({ "ENTERPRISE": 1 })
    );
    assert_eq!(other["asksByKind"][2]["open"], 1);
    assert_eq!(other["asksByKind"][2]["fulfilled"], 0);
    let prying = pipeline(&app, &app.partner_user(&w.p2), json!({ "partnerId": w.p1 })).await;
    assert_eq!(prying["totalCount"], 0);
    assert_eq!(prying["asksByKind"][2]["open"], 0);
}

#[tokio::test]
async fn aws_viewers_count_only_submitted_opportunities_in_their_scope() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    // The seller of ENTERPRISE: P1's submitted and approved ones, and P2's shared one.
    let seller = pipeline(&app, &app.seller(&[SegmentCode::Enterprise]), Value::Null).await;
    assert_eq!(seller["totalCount"], 3);
    assert_eq!(
        counts(&seller["byReviewStatus"], "reviewStatus"),
        json!({ "SUBMITTED": 2, "APPROVED": 1 })
    );
    let funding = &seller["asksByKind"][2];
    assert_eq!(funding["open"], 2, "P1's overdue ask and P2's");
    assert_eq!(
        seller["asksByKind"][0]["open"], 0,
        "the draft's ask is not shared"
    );
    let outside = pipeline(&app, &app.seller(&[SegmentCode::Smb]), Value::Null).await;
    assert_eq!(outside["totalCount"], 0);
    assert_eq!(outside["expectedMonthlySpend"], json!([]));

    let manager = pipeline(&app, &app.manager(&[&w.p1]), Value::Null).await;
    assert_eq!(manager["totalCount"], 2);
    assert_eq!(manager["asksByKind"][2]["open"], 1);
    assert_eq!(manager["asksByKind"][2]["medianHoursToResolve"], 10.0);
    let other_manager = pipeline(&app, &app.manager(&[&w.p2]), Value::Null).await;
    assert_eq!(other_manager["totalCount"], 1);

    let admin = pipeline(&app, &app.admin(), Value::Null).await;
    assert_eq!(admin["totalCount"], 6);
}

#[tokio::test]
async fn the_pipeline_costs_the_same_statements_for_any_amount_of_data() {
    let app = TestApp::spawn_for_counting().await;
    let p = app.create_partner("Counting Partner").await;
    let token = app.partner_user(&p);
    let shared = app.shared_opportunity(&p, "One").await;
    app.create_ask(&app.admin(), &shared.opportunity, "FUNDING")
        .await;
    let (r, small) = app.gql_counted(&token, PIPELINE, json!({})).await;
    assert_eq!(r.data()["pipeline"]["totalCount"], 1);
    for n in 0..6 {
        let more = app.shared_opportunity(&p, &format!("More {n}")).await;
        let ask = app
            .create_ask(&app.admin(), &more.opportunity, "SOLUTION_ARCHITECTURE")
            .await;
        app.bring_ask_to(&ask, "DECLINED").await;
    }
    let (r, large) = app.gql_counted(&token, PIPELINE, json!({})).await;
    assert_eq!(r.data()["pipeline"]["totalCount"], 7);
    assert_eq!(small, large);
    // The opportunity counters, the ask counters, the overdue asks and the medians.
    assert!(large <= 4, "{large} statements");
    // ADMIN sees everything: its asks statement carries no subquery over every opportunity.
    let (r, sql) = app.gql_traced(&app.admin(), PIPELINE, json!({})).await;
    assert_eq!(r.data()["pipeline"]["totalCount"], 7);
    assert_eq!(sql.len(), large);
    assert!(
        sql.iter().any(|s| s.contains("pipeline_opportunity_total"))
            && sql.iter().any(|s| s.contains("pipeline_ask_total")),
        "counts come from the maintained counters: {sql:?}"
    );
    for statement in &sql {
        assert!(
            !statement.to_uppercase().contains("IN (SELECT"),
            "{statement}"
        );
    }
    // Only what is selected is computed: the medians sort every resolved ask in scope.
    for (selection, statements) in [
        ("totalCount byStage { count }", 1),
        ("asksByKind { kind open }", 1),
        ("totalCount asksByKind { overdue }", 2),
        (
            "asksByKind { ...on AskKindBucket { medianHoursToResolve } }",
            1,
        ),
    ] {
        let (r, n) = app
            .gql_counted(
                &token,
                &format!("{{ pipeline {{ {selection} }} }}"),
                json!({}),
            )
            .await;
        r.data();
        assert_eq!(n, statements, "{selection}");
    }
}

/// Matches every opportunity but is not a counter key, so the pipeline scans.
fn scanning(mut filter: Value) -> Value {
    if filter.is_null() {
        filter = json!({});
    }
    filter["createdAt"] = json!({ "after": "2000-01-01T00:00:00Z" });
    filter
}

/// The maintained counters give what a scan of the rows gives, for every role and counter
/// filter, after every kind of write that moves a count: new opportunities and asks, review,
/// stage and spend changes, ask transitions and a customer changing segment.
#[tokio::test]
async fn maintained_totals_agree_with_a_scan_for_every_role_after_every_kind_of_write() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let admin = app.admin();
    let moving = app.ready_opportunity(&w.p1, "Moving").await;
    let ask = app.create_ask(&admin, &moving.opportunity, "FUNDING").await;
    app.bring_ask_to(&ask, "IN_PROGRESS").await;
    let v = app.version_of(&moving.opportunity).await;
    app.gql(
        &admin,
        "mutation($id: ID!, $v: Int!) { updateOpportunity(id: $id, expectedVersion: $v, input: { stage: TECHNICAL_VALIDATION, expectedMonthlySpend: { amount: \"12.34\", currencyCode: \"USD\" } }) { id } }",
        json!({ "id": moving.opportunity, "v": v }),
    )
    .await
    .data();
    app.bring_to(&moving.opportunity, "APPROVED").await;
    app.gql(
        &admin,
        "mutation($id: ID!) { updateCustomer(id: $id, input: { segment: SMB }) { id } }",
        json!({ "id": moving.customer }),
    )
    .await
    .data();
    app.transition_ask(&admin, &ask, "FULFILLED", Some("Funded."))
        .await
        .data();

    let viewers = [
        ("ADMIN", admin.clone()),
        ("P1 user", app.partner_user(&w.p1)),
        ("P2 admin", app.partner_admin(&w.p2)),
        ("ENTERPRISE seller", app.seller(&[SegmentCode::Enterprise])),
        (
            "SMB and ENTERPRISE seller",
            app.seller(&[SegmentCode::Smb, SegmentCode::Enterprise]),
        ),
        ("P1 manager", app.manager(&[&w.p1])),
        ("P1 and P2 manager", app.manager(&[&w.p1, &w.p2])),
    ];
    let filters = [
        Value::Null,
        json!({ "partnerId": w.p1 }),
        json!({ "stage": ["QUALIFIED", "TECHNICAL_VALIDATION"] }),
        json!({ "reviewStatus": ["SUBMITTED", "APPROVED"] }),
        json!({ "segment": ["SMB"] }),
    ];
    let mut nonzero = 0;
    for (who, token) in &viewers {
        for filter in &filters {
            let counted = pipeline(&app, token, filter.clone()).await;
            let scanned = pipeline(&app, token, scanning(filter.clone())).await;
            assert_eq!(counted, scanned, "{who}, filter {filter}");
            if counted["totalCount"] != 0 {
                nonzero += 1;
            }
        }
    }
    assert!(nonzero > 20, "the comparison covers real counts: {nonzero}");

    // The moved opportunity counts where it is now, with its ask.
    let smb = pipeline(
        &app,
        &app.partner_user(&w.p1),
        json!({ "segment": ["SMB"] }),
    )
    .await;
    assert_eq!(smb["totalCount"], 2);
    assert_eq!(
        counts(&smb["byStage"], "stage"),
        json!({ "QUALIFIED": 1, "TECHNICAL_VALIDATION": 1 })
    );
    assert_eq!(
        smb["expectedMonthlySpend"],
        json!([{ "amount": "1000.00", "currencyCode": "EUR" }, { "amount": "12.34", "currencyCode": "USD" }])
    );
    assert_eq!(smb["asksByKind"][2]["fulfilled"], 1);
}
