//! Asks: creation with the details each kind needs, edits while OPEN, assignment, comments,
//! the derived `overdue`, the list's filters and orderings, and every transition of the state
//! machine as every actor.
use crate::fixtures::{ASK_FIELDS, ask_input};
use crate::helpers::TestApp;
use cosell::domain::enums::SegmentCode;
use serde_json::{Value, json};

const KINDS: [&str; 4] = [
    "STAKEHOLDER_ALIGNMENT",
    "MARKETPLACE_PROCUREMENT",
    "FUNDING",
    "SOLUTION_ARCHITECTURE",
];
const STATUSES: [&str; 6] = [
    "OPEN",
    "ACKNOWLEDGED",
    "IN_PROGRESS",
    "FULFILLED",
    "DECLINED",
    "WITHDRAWN",
];

const ASK_READ: &str = "query($id: ID!) { ask(id: $id) { id kind status title details customerOutcome priority dueDate overdue requestedBy assignee response stakeholders funding { program fundingType amount { amount currencyCode } } marketplace { offerArn listingUrl notes } architecture { workload requirements } comments { author body at } version createdAt updatedAt resolvedAt opportunity { id } partner { id } } }";

async fn read_ask(app: &TestApp, token: &str, id: &str) -> crate::helpers::Gql {
    app.gql(token, ASK_READ, json!({ "id": id })).await
}

async fn create(app: &TestApp, token: &str, input: Value) -> crate::helpers::Gql {
    app.gql(
        token,
        &format!(
            "mutation($input: CreateAskInput!) {{ createAsk(input: $input) {{ {ASK_FIELDS} kind }} }}"
        ),
        json!({ "input": input }),
    )
    .await
}

/// The due date of an ask moved into the past, as time passing would (the API refuses past
/// due dates).
async fn backdate_due_date(app: &TestApp, ask_id: &str, days: i64) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let due = chrono::Utc::now().date_naive() - chrono::Duration::days(days);
    entity::ask::Entity::update_many()
        .col_expr(entity::ask::Column::DueDate, Expr::value(due))
        .filter(entity::ask::Column::Id.eq(ask_id))
        .exec(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn each_kind_is_created_with_its_details_and_read_back() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Asking Partner").await;
    let shared = app.shared_opportunity(&p, "Core banking").await;
    let user = app.partner_user(&p);
    for kind in KINDS {
        let r = create(&app, &user, ask_input(&shared.opportunity, kind)).await;
        assert!(r.body["errors"].is_null(), "{kind}: {}", r.body);
        let created = &r.data()["createAsk"];
        assert_eq!(created["status"], "OPEN");
        assert_eq!(created["kind"], kind);
        assert_eq!(created["version"], 1);
        let read = read_ask(&app, &user, created["id"].as_str().unwrap()).await;
        let a = &read.data()["ask"];
        assert_eq!(a["requestedBy"], json!(format!("partneruser@{p}")));
        assert_eq!(a["priority"], "HIGH");
        assert_eq!(a["opportunity"]["id"], json!(shared.opportunity));
        assert_eq!(a["partner"]["id"], json!(p));
        assert_eq!(a["overdue"], false);
        match kind {
            "FUNDING" => assert_eq!(
                a["funding"],
                json!({ "program": "MIGRATION_ACCELERATION_PROGRAM", "fundingType": "CREDITS", "amount": { "amount": "25000.00", "currencyCode": "USD" } })
            ),
            "MARKETPLACE_PROCUREMENT" => assert_eq!(
                a["marketplace"],
                json!({ "offerArn": null, "listingUrl": "https://aws.amazon.com/marketplace/pp/prodview-demo", "notes": "Private offer" })
            ),
            "SOLUTION_ARCHITECTURE" => assert_eq!(
                a["architecture"],
                json!({ "workload": "Core banking batch", "requirements": "Multi-AZ" })
            ),
            _ => assert_eq!(
                a["stakeholders"],
                json!(["Customer CIO", "AWS account manager"])
            ),
        }
        // Only the kind's own block is set.
        let blocks = [
            a["funding"].is_null(),
            a["marketplace"].is_null(),
            a["architecture"].is_null(),
            a["stakeholders"] == json!([]),
        ];
        assert_eq!(blocks.iter().filter(|empty| !**empty).count(), 1, "{a}");
    }
}

#[tokio::test]
async fn bad_asks_are_refused_field_by_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Careful Partner").await;
    let shared = app.shared_opportunity(&p, "Data platform").await;
    let user = app.partner_user(&p);
    let without = |kind: &str, key: &str| {
        let mut input = ask_input(&shared.opportunity, kind);
        input.as_object_mut().unwrap().remove(key);
        input
    };
    let with = |kind: &str, key: &str, value: Value| {
        let mut input = ask_input(&shared.opportunity, kind);
        input[key] = value;
        input
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with("FUNDING", "customerOutcome", json!("Be happier.")),
            "input.customerOutcome",
            "VALUE_OUT_OF_RANGE",
        ),
        (
            without("FUNDING", "funding"),
            "input.funding",
            "REQUIRED_FIELD_MISSING",
        ),
        (
            with(
                "FUNDING",
                "funding",
                json!({ "program": "OTHER", "fundingType": "CASH", "amount": { "amount": "0", "currencyCode": "USD" } }),
            ),
            "input.funding.amount.amount",
            "VALUE_OUT_OF_RANGE",
        ),
        (
            without("MARKETPLACE_PROCUREMENT", "marketplace"),
            "input.marketplace",
            "REQUIRED_FIELD_MISSING",
        ),
        (
            with(
                "MARKETPLACE_PROCUREMENT",
                "marketplace",
                json!({ "notes": "just notes" }),
            ),
            "input.marketplace",
            "REQUIRED_FIELD_MISSING",
        ),
        (
            with(
                "MARKETPLACE_PROCUREMENT",
                "marketplace",
                json!({ "offerArn": "offer-123" }),
            ),
            "input.marketplace.offerArn",
            "INVALID_STRING_FORMAT",
        ),
        (
            without("SOLUTION_ARCHITECTURE", "architecture"),
            "input.architecture",
            "REQUIRED_FIELD_MISSING",
        ),
        (
            with(
                "SOLUTION_ARCHITECTURE",
                "architecture",
                json!({ "workload": "  " }),
            ),
            "input.architecture.workload",
            "REQUIRED_FIELD_MISSING",
        ),
        (
            with("STAKEHOLDER_ALIGNMENT", "stakeholders", json!([])),
            "input.stakeholders",
            "REQUIRED_FIELD_MISSING",
        ),
        (
            with("FUNDING", "stakeholders", json!(["Customer CFO"])),
            "input.stakeholders",
            "INVALID_VALUE",
        ),
        (
            with(
                "STAKEHOLDER_ALIGNMENT",
                "architecture",
                json!({ "workload": "ERP" }),
            ),
            "input.architecture",
            "INVALID_VALUE",
        ),
        (
            with("FUNDING", "title", json!("")),
            "input.title",
            "REQUIRED_FIELD_MISSING",
        ),
        (
            with(
                "FUNDING",
                "dueDate",
                json!((chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string()),
            ),
            "input.dueDate",
            "VALUE_OUT_OF_RANGE",
        ),
    ];
    for (input, field, code) in cases {
        let r = create(&app, &user, input).await;
        assert_eq!(r.code(), "BAD_USER_INPUT", "{field}: {}", r.body);
        assert!(
            r.fields().contains(&(field.to_string(), code.to_string())),
            "{field} {code}: {:?}",
            r.fields()
        );
    }
    let r = app
        .gql(
            &app.admin(),
            "query($id: ID!) { opportunity(id: $id) { asks { totalCount } } }",
            json!({ "id": shared.opportunity }),
        )
        .await;
    assert_eq!(r.data()["opportunity"]["asks"]["totalCount"], 0);
}

#[tokio::test]
async fn asks_serve_open_opportunities_only() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Closing Partner").await;
    let user = app.partner_user(&p);
    // Not yet submitted: the partner may prepare its asks.
    let draft = app.ready_opportunity(&p, "Draft deal").await;
    app.create_ask(&user, &draft.opportunity, "FUNDING").await;

    let rejected = app.ready_opportunity(&p, "Rejected deal").await;
    app.bring_to(&rejected.opportunity, "REJECTED").await;
    let lost = app.ready_opportunity(&p, "Lost deal").await;
    let v = app.version_of(&lost.opportunity).await;
    let r = app
        .gql(&app.admin(), "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, expectedVersion: $v, outcome: CLOSED_LOST, closedLostReason: PRICE) { stage } }", json!({ "id": lost.opportunity, "v": v }))
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    for (opportunity, state) in [
        (&rejected.opportunity, "REJECTED"),
        (&lost.opportunity, "CLOSED_LOST"),
    ] {
        let r = create(&app, &user, ask_input(opportunity, "FUNDING")).await;
        assert_eq!(r.code(), "INVALID_STATE", "{state}: {}", r.body);
        assert!(r.error()["message"].as_str().unwrap().contains(state));
        assert_eq!(r.error()["extensions"]["field"], "input.opportunityId");
    }
    let r = app
        .gql(
            &app.admin(),
            "query($p: ID!) { partner(id: $p) { asks { totalCount } } }",
            json!({ "p": p }),
        )
        .await;
    assert_eq!(r.data()["partner"]["asks"]["totalCount"], 1);
}

#[tokio::test]
async fn the_requester_edits_an_open_ask_as_a_patch() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Editing Partner").await;
    let shared = app.shared_opportunity(&p, "Analytics").await;
    let user = app.partner_user(&p);
    let id = app.create_ask(&user, &shared.opportunity, "FUNDING").await;
    let update = |input: Value, version: Option<i64>| {
        let app = &app;
        let user = user.clone();
        let id = id.clone();
        async move {
            app.gql(
                &user,
                "mutation($id: ID!, $input: UpdateAskInput!, $v: Int) { updateAsk(id: $id, input: $input, expectedVersion: $v) { id version title priority dueDate funding { amount { amount } } } }",
                json!({ "id": id, "input": input, "v": version }),
            )
            .await
        }
    };
    let r = update(
        json!({ "title": "MAP credits for wave 1", "priority": "URGENT", "dueDate": null, "funding": { "program": "MIGRATION_ACCELERATION_PROGRAM", "fundingType": "CASH", "amount": { "amount": "30000", "currencyCode": "USD" } } }),
        Some(1),
    )
    .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let a = &r.data()["updateAsk"];
    assert_eq!(a["version"], 2);
    assert_eq!(a["title"], "MAP credits for wave 1");
    assert_eq!(a["priority"], "URGENT");
    assert_eq!(a["dueDate"], Value::Null);
    assert_eq!(a["funding"]["amount"]["amount"], "30000.00");

    // A FUNDING ask cannot lose its funding details; the title cannot be cleared.
    let r = update(json!({ "funding": null, "title": null }), None).await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    let fields = r.fields();
    assert!(fields.contains(&("input.funding".into(), "REQUIRED_FIELD_MISSING".into())));
    assert!(fields.contains(&("input.title".into(), "REQUIRED_FIELD_MISSING".into())));

    // A stale version is a CONFLICT naming the current one.
    let r = update(json!({ "title": "Stale edit" }), Some(1)).await;
    assert_eq!(r.code(), "CONFLICT");
    assert_eq!(r.error()["extensions"]["currentVersion"], 2);

    // AWS cannot edit the partner's ask; once acknowledged, nobody can.
    let seller = app.seller(&[SegmentCode::Enterprise]);
    let r = app
        .gql(
            &seller,
            "mutation($id: ID!) { updateAsk(id: $id, input: { title: \"AWS edit\" }) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    app.bring_ask_to(&id, "ACKNOWLEDGED").await;
    let r = update(json!({ "title": "Too late" }), None).await;
    assert_eq!(r.code(), "INVALID_STATE", "{}", r.body);
    assert_eq!(r.error()["extensions"]["field"], "status");
    let read = read_ask(&app, &user, &id).await;
    assert_eq!(read.data()["ask"]["title"], "MAP credits for wave 1");
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Actor {
    Requester,
    OtherPartner,
    Seller,
    SellerElsewhere,
    Manager,
    OtherManager,
    Admin,
}

const ACTORS: [Actor; 7] = [
    Actor::Requester,
    Actor::OtherPartner,
    Actor::Seller,
    Actor::SellerElsewhere,
    Actor::Manager,
    Actor::OtherManager,
    Actor::Admin,
];

/// docs/domain.md, "Asks", as a table: what (from, actor, to) must answer.
fn expected(from: &str, actor: Actor, to: &str) -> &'static str {
    use Actor::*;
    if matches!(actor, OtherPartner | SellerElsewhere | OtherManager) {
        return "NOT_FOUND";
    }
    if to == "OPEN" {
        return "INVALID_STATE";
    }
    let aws_side = matches!(actor, Seller | Manager | Admin);
    let partner_side = matches!(actor, Requester | Admin);
    let may = if to == "WITHDRAWN" {
        partner_side
    } else {
        aws_side
    };
    if !may {
        return "FORBIDDEN";
    }
    let allowed = [
        ("OPEN", "ACKNOWLEDGED"),
        ("ACKNOWLEDGED", "IN_PROGRESS"),
        ("IN_PROGRESS", "FULFILLED"),
        ("IN_PROGRESS", "DECLINED"),
        ("OPEN", "WITHDRAWN"),
        ("ACKNOWLEDGED", "WITHDRAWN"),
        ("IN_PROGRESS", "WITHDRAWN"),
    ];
    if allowed.contains(&(from, to)) {
        "ok"
    } else {
        "INVALID_STATE"
    }
}

#[tokio::test]
async fn every_transition_as_every_actor_follows_the_state_machine() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Table Partner").await;
    let other = app.create_partner("Other Partner").await;
    let shared = app.shared_opportunity(&p, "Transitions").await;
    let token = |actor: Actor| match actor {
        Actor::Requester => app.partner_user(&p),
        Actor::OtherPartner => app.partner_user(&other),
        Actor::Seller => app.seller(&[SegmentCode::Enterprise]),
        Actor::SellerElsewhere => app.seller(&[SegmentCode::Smb, SegmentCode::Government]),
        Actor::Manager => app.manager(&[&p]),
        Actor::OtherManager => app.manager(&[&other]),
        Actor::Admin => app.admin(),
    };
    let fresh = |from: &'static str| {
        let app = &app;
        let opportunity = shared.opportunity.clone();
        let user = app.partner_user(&p);
        async move {
            let id = app.create_ask(&user, &opportunity, "FUNDING").await;
            app.bring_ask_to(&id, from).await;
            id
        }
    };
    let mut checked = 0;
    for from in STATUSES {
        // Refusals leave the ask as it was, so one ask serves until a move succeeds.
        let mut ask = fresh(from).await;
        for actor in ACTORS {
            for to in STATUSES {
                let want = expected(from, actor, to);
                let response = matches!(to, "FULFILLED" | "DECLINED").then_some("Answered.");
                let r = app.transition_ask(&token(actor), &ask, to, response).await;
                let got = if r.body["errors"].is_null() {
                    "ok"
                } else {
                    r.code()
                };
                assert_eq!(got, want, "{from} -> {to} as {actor:?}: {}", r.body);
                let status =
                    read_ask(&app, &app.admin(), &ask).await.data()["ask"]["status"].clone();
                if want == "ok" {
                    assert_eq!(status, json!(to), "{from} -> {to} as {actor:?}");
                    ask = fresh(from).await;
                } else {
                    assert_eq!(status, json!(from), "{from} -> {to} as {actor:?} wrote");
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 6 * 7 * 6);
}

#[tokio::test]
async fn the_aws_side_answers_with_a_response_and_resolution_is_recorded() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Answered Partner").await;
    let shared = app.shared_opportunity(&p, "Answers").await;
    let user = app.partner_user(&p);
    let seller = app.seller(&[SegmentCode::Enterprise]);
    let id = app
        .create_ask(&user, &shared.opportunity, "SOLUTION_ARCHITECTURE")
        .await;

    // A response belongs to FULFILLED and DECLINED only.
    let r = app
        .transition_ask(&seller, &id, "ACKNOWLEDGED", Some("On it"))
        .await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    assert_eq!(
        r.fields(),
        vec![("response".to_string(), "INVALID_VALUE".to_string())]
    );
    // Whoever acknowledges an unassigned ask takes it.
    let r = app.transition_ask(&seller, &id, "ACKNOWLEDGED", None).await;
    assert_eq!(r.data()["transitionAsk"]["assignee"], "seller@aws.example");
    app.transition_ask(&seller, &id, "IN_PROGRESS", None).await;
    for missing in [None, Some("   ")] {
        let r = app.transition_ask(&seller, &id, "FULFILLED", missing).await;
        assert_eq!(r.code(), "BAD_USER_INPUT", "{}", r.body);
        assert_eq!(
            r.fields(),
            vec![("response".to_string(), "REQUIRED_FIELD_MISSING".to_string())]
        );
    }
    let r = app
        .transition_ask(
            &seller,
            &id,
            "FULFILLED",
            Some("An SA reviewed the design; notes attached."),
        )
        .await;
    let a = &r.data()["transitionAsk"];
    assert_eq!(a["status"], "FULFILLED");
    assert_eq!(a["response"], "An SA reviewed the design; notes attached.");
    assert!(a["resolvedAt"].is_string());

    // Terminal: assignment and transitions are refused; comments are still welcome.
    let r = app
        .gql(
            &seller,
            "mutation($id: ID!) { assignAsk(id: $id, assignee: \"someone@aws.example\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.code(), "INVALID_STATE");
    let r = app
        .gql(
            &user,
            "mutation($id: ID!) { commentOnAsk(id: $id, body: \"Thanks!\") { comments { body } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.data()["commentOnAsk"]["comments"],
        json!([{ "body": "Thanks!" }])
    );
}

#[tokio::test]
async fn assignment_and_comments_from_both_sides() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Talking Partner").await;
    let shared = app.shared_opportunity(&p, "Conversation").await;
    let user = app.partner_user(&p);
    let manager = app.manager(&[&p]);
    let id = app
        .create_ask(&user, &shared.opportunity, "STAKEHOLDER_ALIGNMENT")
        .await;

    let assign = |token: String, assignee: &'static str| {
        let app = &app;
        let id = id.clone();
        async move {
            app.gql(
                &token,
                "mutation($id: ID!, $a: String!) { assignAsk(id: $id, assignee: $a) { assignee version } }",
                json!({ "id": id, "a": assignee }),
            )
            .await
        }
    };
    let r = assign(manager.clone(), "  ").await;
    assert_eq!(
        r.fields(),
        vec![("assignee".to_string(), "REQUIRED_FIELD_MISSING".to_string())]
    );
    let r = assign(manager.clone(), "am@aws.example").await;
    assert_eq!(
        r.data()["assignAsk"],
        json!({ "assignee": "am@aws.example", "version": 2 })
    );
    // Acknowledging keeps the named assignee.
    let r = app
        .transition_ask(&manager, &id, "ACKNOWLEDGED", None)
        .await;
    assert_eq!(r.data()["transitionAsk"]["assignee"], "am@aws.example");

    let before = read_ask(&app, &user, &id).await.data()["ask"].clone();
    for (token, body) in [
        (&user, "The CIO is free on Tuesday."),
        (&manager, "Booked the AWS account manager."),
    ] {
        let r = app
            .gql(
                token,
                "mutation($id: ID!, $b: String!) { commentOnAsk(id: $id, body: $b) { id } }",
                json!({ "id": id, "b": body }),
            )
            .await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
    }
    let r = app
        .gql(
            &user,
            "mutation($id: ID!) { commentOnAsk(id: $id, body: \"\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.fields(),
        vec![("body".to_string(), "REQUIRED_FIELD_MISSING".to_string())]
    );
    let after = read_ask(&app, &user, &id).await.data()["ask"].clone();
    let comments: Vec<(String, String)> = after["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["author"].as_str().unwrap().to_string(),
                c["body"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        comments,
        vec![
            (
                format!("partneruser@{p}"),
                "The CIO is free on Tuesday.".to_string()
            ),
            (
                "pdm@aws.example".to_string(),
                "Booked the AWS account manager.".to_string()
            ),
        ]
    );
    // Comments are activity, not edits.
    assert_eq!(after["version"], before["version"]);
    assert!(after["updatedAt"].as_str().unwrap() > before["updatedAt"].as_str().unwrap());
}

#[tokio::test]
async fn overdue_is_derived_from_the_due_date_while_open() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Late Partner").await;
    let shared = app.shared_opportunity(&p, "Deadlines").await;
    let user = app.partner_user(&p);
    let late = app.create_ask(&user, &shared.opportunity, "FUNDING").await;
    let on_time = app.create_ask(&user, &shared.opportunity, "FUNDING").await;
    let done_late = app.create_ask(&user, &shared.opportunity, "FUNDING").await;
    backdate_due_date(&app, &late, 3).await;
    app.bring_ask_to(&done_late, "FULFILLED").await;
    backdate_due_date(&app, &done_late, 3).await;

    let overdue = |id: String| {
        let app = &app;
        let user = user.clone();
        async move { read_ask(app, &user, &id).await.data()["ask"]["overdue"].clone() }
    };
    assert_eq!(overdue(late.clone()).await, true);
    assert_eq!(overdue(on_time.clone()).await, false);
    assert_eq!(overdue(done_late.clone()).await, false);

    let ids = |filter: Value| {
        let app = &app;
        let user = user.clone();
        async move {
            let r = app
                .gql(
                    &user,
                    "query($f: AskFilter) { asks(filter: $f, first: 50) { totalCount nodes { id } } }",
                    json!({ "f": filter }),
                )
                .await;
            let mut ids: Vec<String> = r.data()["asks"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_string())
                .collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(ids(json!({ "overdue": true })).await, vec![late.clone()]);
    let mut others = vec![on_time.clone(), done_late.clone()];
    others.sort();
    assert_eq!(ids(json!({ "overdue": false })).await, others);
}

#[tokio::test]
async fn the_list_filters_and_orders_as_the_contract_says() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Listing Partner").await;
    let other = app.create_partner("Elsewhere Partner").await;
    let first_opp = app.shared_opportunity(&p, "First").await;
    let second_opp = app.shared_opportunity(&p, "Second").await;
    let elsewhere = app.shared_opportunity(&other, "Other").await;
    let admin = app.admin();
    let seller = app.seller(&[SegmentCode::Enterprise]);

    // Eight asks: every kind on the first opportunity, then four more with priorities and due
    // dates that differ.
    let mut made = Vec::new();
    for kind in KINDS {
        made.push(app.create_ask(&admin, &first_opp.opportunity, kind).await);
    }
    for (i, (priority, due_in)) in [
        ("LOW", Some(30)),
        ("URGENT", Some(2)),
        ("NORMAL", None),
        ("HIGH", Some(9)),
    ]
    .into_iter()
    .enumerate()
    {
        let mut input = ask_input(&second_opp.opportunity, "FUNDING");
        input["priority"] = json!(priority);
        input["title"] = json!(format!("second {i}"));
        input["dueDate"] = match due_in {
            Some(d) => {
                json!((chrono::Utc::now().date_naive() + chrono::Duration::days(d)).to_string())
            }
            None => Value::Null,
        };
        let r = create(&app, &admin, input).await;
        made.push(r.data()["createAsk"]["id"].as_str().unwrap().to_string());
    }
    app.create_ask(&admin, &elsewhere.opportunity, "FUNDING")
        .await;
    app.bring_ask_to(&made[0], "FULFILLED").await;
    app.bring_ask_to(&made[1], "IN_PROGRESS").await;
    app.bring_ask_to(&made[2], "WITHDRAWN").await;
    let r = app
        .gql(
            &seller,
            "mutation($id: ID!) { assignAsk(id: $id, assignee: \"sam@aws.example\") { id } }",
            json!({ "id": made[3] }),
        )
        .await;
    assert!(r.body["errors"].is_null());

    let list = |filter: Value, order: Value| {
        let app = &app;
        let p = p.clone();
        async move {
            let r = app
                .gql(
                    &app.admin(),
                    "query($p: ID!, $f: AskFilter, $o: AskOrder) { partner(id: $p) { asks(first: 50, filter: $f, orderBy: $o) { totalCount nodes { id title priority dueDate } } } }",
                    json!({ "p": p, "f": filter, "o": order }),
                )
                .await;
            assert!(r.body["errors"].is_null(), "{}", r.body);
            r.data()["partner"]["asks"].clone()
        }
    };
    let count = |v: &Value| v["totalCount"].as_i64().unwrap();
    assert_eq!(count(&list(Value::Null, Value::Null).await), 8);
    assert_eq!(
        count(&list(json!({ "kind": ["FUNDING"] }), Value::Null).await),
        5
    );
    assert_eq!(
        count(&list(json!({ "status": ["FULFILLED", "WITHDRAWN"] }), Value::Null).await),
        2
    );
    assert_eq!(count(&list(json!({ "open": true }), Value::Null).await), 6);
    assert_eq!(count(&list(json!({ "open": false }), Value::Null).await), 2);
    assert_eq!(
        count(&list(json!({ "assignee": "sam@aws.example" }), Value::Null).await),
        1
    );
    assert_eq!(
        count(
            &list(
                json!({ "opportunityId": second_opp.opportunity }),
                Value::Null
            )
            .await
        ),
        4
    );
    assert_eq!(
        count(&list(json!({ "segment": ["ENTERPRISE"] }), Value::Null).await),
        8
    );
    assert_eq!(
        count(&list(json!({ "segment": ["SMB"] }), Value::Null).await),
        0
    );
    // The nested list stays inside its partner whatever the filter says.
    assert_eq!(
        count(&list(json!({ "partnerId": other }), Value::Null).await),
        0
    );

    let titles = |v: &Value| -> Vec<String> {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["title"].as_str().unwrap().to_string())
            .collect()
    };
    let second = json!({ "opportunityId": second_opp.opportunity });
    let by_priority = list(
        second.clone(),
        json!({ "field": "PRIORITY", "direction": "DESC" }),
    )
    .await;
    assert_eq!(
        titles(&by_priority),
        ["second 1", "second 3", "second 2", "second 0"]
    );
    let by_due = list(
        second.clone(),
        json!({ "field": "DUE_DATE", "direction": "ASC" }),
    )
    .await;
    assert_eq!(
        titles(&by_due),
        ["second 1", "second 3", "second 0", "second 2"]
    );
    let newest = list(
        second.clone(),
        json!({ "field": "CREATED_AT", "direction": "DESC" }),
    )
    .await;
    assert_eq!(
        titles(&newest),
        ["second 3", "second 2", "second 1", "second 0"]
    );
    let default = list(second.clone(), Value::Null).await;
    assert_eq!(titles(&default), titles(&newest));

    // Keyset pages of two walk the whole ordering without gaps or repeats.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let r = app
            .gql(
                &admin,
                "query($f: AskFilter, $a: String) { asks(first: 2, after: $a, filter: $f, orderBy: { field: DUE_DATE, direction: ASC }) { nodes { title } pageInfo { hasNextPage endCursor } } }",
                json!({ "f": second, "a": after }),
            )
            .await;
        let page = &r.data()["asks"];
        seen.extend(titles(page));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, titles(&by_due));

    // UPDATED_AT: the last touched ask comes first.
    let r = app
        .gql(
            &admin,
            "mutation($id: ID!) { commentOnAsk(id: $id, body: \"bump\") { id } }",
            json!({ "id": made[4] }),
        )
        .await;
    assert!(r.body["errors"].is_null());
    let recent = list(
        second,
        json!({ "field": "UPDATED_AT", "direction": "DESC" }),
    )
    .await;
    assert_eq!(titles(&recent)[0], "second 0");
}

#[tokio::test]
async fn an_asks_page_with_nested_objects_costs_a_fixed_number_of_statements() {
    let app = TestApp::spawn_for_counting().await;
    let p = app.create_partner("Counted Partner").await;
    let admin = app.admin();
    let mut opportunities = Vec::new();
    for n in 0..5 {
        opportunities.push(
            app.shared_opportunity(&p, &format!("Deal {n}"))
                .await
                .opportunity,
        );
    }
    let query = "query($n: Int) { asks(first: $n) { nodes { id title opportunity { title customer { companyName } } partner { name } comments { body } funding { amount { amount } } } } }";
    let add = |count: usize| {
        let app = &app;
        let admin = admin.clone();
        let opportunities = opportunities.clone();
        async move {
            for i in 0..count {
                let id = app
                    .create_ask(&admin, &opportunities[i % opportunities.len()], "FUNDING")
                    .await;
                app.gql(
                    &admin,
                    "mutation($id: ID!) { commentOnAsk(id: $id, body: \"note\") { id } }",
                    json!({ "id": id }),
                )
                .await
                .data();
            }
        }
    };
    add(5).await;
    let (r, small) = app.gql_counted(&admin, query, json!({ "n": 5 })).await;
    assert_eq!(r.data()["asks"]["nodes"].as_array().unwrap().len(), 5);
    add(45).await;
    let (r, large) = app.gql_counted(&admin, query, json!({ "n": 50 })).await;
    let nodes = r.data()["asks"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 50);
    assert!(
        nodes
            .iter()
            .all(|n| n["comments"] == json!([{ "body": "note" }]))
    );
    assert_eq!(small, large);
    // The page, then one batch each: opportunities, their customers, partners, comments.
    assert!(large <= 5, "{large} statements");
}

#[tokio::test]
async fn concurrent_answers_never_both_land() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Raced Partner").await;
    let shared = app.shared_opportunity(&p, "Race").await;
    let id = app
        .create_ask(&app.admin(), &shared.opportunity, "FUNDING")
        .await;
    app.bring_ask_to(&id, "IN_PROGRESS").await;
    let seller = app.seller(&[SegmentCode::Enterprise]);
    let replies = futures_util::future::join_all((0..10).map(|i| {
        let (app, seller, id) = (&app, seller.clone(), id.clone());
        async move {
            let to = if i % 2 == 0 { "FULFILLED" } else { "DECLINED" };
            let answer = format!("Answer {i}");
            (
                answer.clone(),
                app.transition_ask(&seller, &id, to, Some(&answer)).await,
            )
        }
    }))
    .await;
    let winners: Vec<&String> = replies
        .iter()
        .filter(|(_, r)| r.body["errors"].is_null())
        .map(|(answer, _)| answer)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one answer lands");
    for (_, r) in replies.iter().filter(|(_, r)| !r.body["errors"].is_null()) {
        // The loser either lost the versioned write (CONFLICT) or read the final ask.
        assert!(
            ["CONFLICT", "INVALID_STATE"].contains(&r.code()),
            "{}",
            r.body
        );
    }
    let a = read_ask(&app, &seller, &id).await.data()["ask"].clone();
    assert_eq!(a["response"], json!(winners[0]));
    assert_eq!(
        a["version"], 4,
        "version 1, then acknowledged, started and answered once"
    );
}

#[tokio::test]
async fn a_client_token_makes_create_ask_safe_to_retry() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Retrying Partner").await;
    let shared = app.shared_opportunity(&p, "Retries").await;
    let user = app.partner_user(&p);
    let mut input = ask_input(&shared.opportunity, "FUNDING");
    input["clientToken"] = json!("ask-token-1");
    let replies =
        futures_util::future::join_all((0..6).map(|_| create(&app, &user, input.clone()))).await;
    let ids: Vec<Value> = replies
        .iter()
        .map(|r| r.data()["createAsk"]["id"].clone())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");

    // The same token with another body is a CONFLICT; without a token every call creates.
    let mut other = input.clone();
    other["title"] = json!("Another title");
    let r = create(&app, &user, other).await;
    assert_eq!(r.code(), "CONFLICT", "{}", r.body);
    let mut untokened = input.clone();
    untokened.as_object_mut().unwrap().remove("clientToken");
    create(&app, &user, untokened.clone()).await.data();
    create(&app, &user, untokened).await.data();
    let r = app
        .gql(
            &user,
            "query($id: ID!) { opportunity(id: $id) { asks { totalCount } } }",
            json!({ "id": shared.opportunity }),
        )
        .await;
    assert_eq!(r.data()["opportunity"]["asks"]["totalCount"], 3);
}
