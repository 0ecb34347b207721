//! Each mutation is one transaction: a fault at its last write (the history entry) leaves no
//! trace of its earlier writes. The fault is a database trigger that refuses change-log rows
//! of one actor, so the production code runs unchanged.
use crate::helpers::TestApp;
use cosell::auth::MintRequest;
use cosell::domain::enums::Role;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::{Value, json};

const FAULTY: &str = "fault@test.example";

async fn install_fault(app: &TestApp) {
    let statements: &[&str] = match app.db.get_database_backend() {
        DbBackend::Sqlite => &["CREATE TRIGGER injected_fault BEFORE INSERT ON change_log
             WHEN NEW.actor = 'fault@test.example'
             BEGIN SELECT RAISE(ABORT, 'injected fault'); END"],
        _ => &[
            "CREATE FUNCTION injected_fault() RETURNS trigger AS $$
             BEGIN RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER injected_fault BEFORE INSERT ON change_log FOR EACH ROW
             WHEN (NEW.actor = 'fault@test.example') EXECUTE FUNCTION injected_fault()",
        ],
    };
    for sql in statements {
        app.db.execute_unprepared(sql).await.expect("install fault");
    }
}

/// Everything the mutations below could have written, as ADMIN reads it.
async fn snapshot(app: &TestApp, customer: &str, opportunity: &str) -> Value {
    app.gql(
        &app.admin(),
        "query($c: ID!, $o: ID!) {
            customers { totalCount }
            opportunities { totalCount }
            customer(id: $c) { companyName updatedAt internalNotes contacts { id firstName } }
            opportunity(id: $o) { version title stage reviewStatus nextSteps lastModifiedAt
              nextStepsHistory { value } primaryNeedsFromAws solutions { id }
              history(first: 50) { totalCount } }
        }",
        json!({ "c": customer, "o": opportunity }),
    )
    .await
    .data()
    .clone()
}

#[tokio::test]
async fn a_fault_at_the_last_write_of_any_mutation_leaves_no_trace() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let ready = app.ready_opportunity(&p, "Core banking migration").await;
    let committed = app.ready_opportunity(&p, "Committed deal").await;
    let extra = app.create_solution(&p, "Second solution", "ACTIVE").await;
    install_fault(&app).await;

    let mut user = MintRequest::new(Role::PartnerUser, FAULTY);
    user.partner_id = Some(p.clone());
    let user = app.mint(&user);
    let mut manager = MintRequest::new(Role::PartnerManager, FAULTY);
    manager.partner_ids = vec![p.clone()];
    let manager = app.mint(&manager);

    let before = snapshot(&app, &ready.customer, &ready.opportunity).await;
    let v = app.version_of(&ready.opportunity).await;
    let contact = before["customer"]["contacts"][0]["id"].clone();
    let calls: Vec<(&str, &String, Value)> = vec![
        (
            "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
            &user,
            json!({ "input": crate::fixtures::customer_input(&p, "Fabrikam") }),
        ),
        (
            "mutation($c: ID!) { updateCustomer(id: $c, input: { internalNotes: \"changed\" }) { id } }",
            &user,
            json!({ "c": ready.customer }),
        ),
        (
            "mutation($c: ID!) { addContact(customerId: $c, input: { firstName: \"Tom\", lastName: \"Baker\" }) { id } }",
            &user,
            json!({ "c": ready.customer }),
        ),
        (
            "mutation($id: ID!) { updateContact(id: $id, input: { firstName: \"Tomas\", lastName: \"Baker\" }) { id } }",
            &user,
            json!({ "id": contact }),
        ),
        (
            "mutation($id: ID!) { removeContact(id: $id) }",
            &user,
            json!({ "id": contact }),
        ),
        (
            "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id } }",
            &user,
            json!({ "input": crate::fixtures::opportunity_input(&ready.customer, "Another deal", "fault-token") }),
        ),
        (
            "mutation($o: ID!, $v: Int!) { updateOpportunity(id: $o, expectedVersion: $v, input: { title: \"Renamed\", nextSteps: \"New step\", primaryNeedsFromAws: [DEAL_SUPPORT] }) { id } }",
            &user,
            json!({ "o": ready.opportunity, "v": v }),
        ),
        (
            "mutation($o: ID!, $s: ID!) { associateSolution(opportunityId: $o, solutionId: $s) { id } }",
            &user,
            json!({ "o": ready.opportunity, "s": extra }),
        ),
        (
            "mutation($o: ID!, $s: ID!) { disassociateSolution(opportunityId: $o, solutionId: $s) { id } }",
            &user,
            json!({ "o": ready.opportunity, "s": ready.solution }),
        ),
        (
            "mutation($o: ID!, $v: Int!) { submitOpportunity(id: $o, expectedVersion: $v, involvementType: CO_SELL) { id } }",
            &user,
            json!({ "o": ready.opportunity, "v": v }),
        ),
        (
            "mutation($o: ID!, $v: Int!) { closeOpportunity(id: $o, expectedVersion: $v, outcome: CLOSED_LOST, closedLostReason: PRICE) { id } }",
            &user,
            json!({ "o": ready.opportunity, "v": v }),
        ),
    ];
    for (query, token, variables) in calls {
        let r = app.gql(token, query, variables).await;
        assert_eq!(r.code(), "INTERNAL", "{query}: {}", r.body);
        assert_eq!(r.error()["message"], "internal error", "no internals leak");
        assert!(r.error()["extensions"]["requestId"].is_string());
    }
    assert_eq!(
        snapshot(&app, &ready.customer, &ready.opportunity).await,
        before,
        "nothing written"
    );

    // The review workflow too, on an opportunity the manager can see.
    app.bring_to(&committed.opportunity, "SUBMITTED").await;
    let before = snapshot(&app, &committed.customer, &committed.opportunity).await;
    let r = app
        .gql(
            &manager,
            "mutation($o: ID!) { reviewOpportunity(id: $o, decision: START_REVIEW) { id } }",
            json!({ "o": committed.opportunity }),
        )
        .await;
    assert_eq!(r.code(), "INTERNAL");
    assert_eq!(
        snapshot(&app, &committed.customer, &committed.opportunity).await,
        before
    );

    // No idempotency key survived the failed create: the token is still free.
    let r = app
        .gql(&app.partner_user(&p), "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { title } }",
            json!({ "input": crate::fixtures::opportunity_input(&ready.customer, "Another deal", "fault-token") }))
        .await;
    assert_eq!(r.data()["createOpportunity"]["title"], "Another deal");
}

/// Asks and referrals too: every write of the mutation, including the customer and
/// opportunity an accepted referral creates, is undone by a fault at a history entry.
#[tokio::test]
async fn asks_and_referrals_leave_no_trace_on_a_fault() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Contoso").await;
    let shared = app.shared_opportunity(&p, "Data lake").await;
    let ask = app
        .create_ask(&app.admin(), &shared.opportunity, "FUNDING")
        .await;
    let referral = app.send_referral(&app.admin(), &p, "Woodgrove Bank").await;
    let other_referral = app.send_referral(&app.admin(), &p, "Tailspin").await;
    install_fault(&app).await;
    let mut user = MintRequest::new(Role::PartnerUser, FAULTY);
    user.partner_id = Some(p.clone());
    let user = app.mint(&user);
    let mut seller = MintRequest::new(Role::AwsSeller, FAULTY);
    seller.segments = vec![cosell::domain::enums::SegmentCode::Enterprise];
    let seller = app.mint(&seller);

    let state = || async {
        app.gql(
            &app.admin(),
            "query($a: ID!, $r: ID!, $o: ID!) {
                customers { totalCount } opportunities { totalCount } asks { totalCount }
                referrals { totalCount nodes { id status opportunity { id } rejectionReason } }
                ask(id: $a) { version status title assignee comments { body } updatedAt }
                referral(id: $r) { status } other: referral(id: $o) { status }
            }",
            json!({ "a": ask, "r": referral, "o": other_referral }),
        )
        .await
        .data()
        .clone()
    };
    let before = state().await;
    let calls: Vec<(&str, &String, Value)> = vec![
        (
            "mutation($input: CreateAskInput!) { createAsk(input: $input) { id } }",
            &user,
            json!({ "input": crate::fixtures::ask_input(&shared.opportunity, "FUNDING") }),
        ),
        (
            "mutation($id: ID!) { updateAsk(id: $id, input: { title: \"Changed\" }) { id } }",
            &user,
            json!({ "id": ask }),
        ),
        (
            "mutation($id: ID!) { assignAsk(id: $id, assignee: \"x@aws.example\") { id } }",
            &seller,
            json!({ "id": ask }),
        ),
        (
            "mutation($id: ID!) { transitionAsk(id: $id, to: ACKNOWLEDGED) { id } }",
            &seller,
            json!({ "id": ask }),
        ),
        (
            "mutation($id: ID!) { commentOnAsk(id: $id, body: \"Hello\") { id } }",
            &user,
            json!({ "id": ask }),
        ),
        (
            "mutation($input: SendReferralInput!) { sendReferral(input: $input) { id } }",
            &seller,
            json!({ "input": crate::fixtures::referral_input(&p, "Litware") }),
        ),
        (
            "mutation($id: ID!) { acceptReferral(id: $id) { id } }",
            &user,
            json!({ "id": referral }),
        ),
        (
            "mutation($id: ID!) { rejectReferral(id: $id, reason: \"Other\") { id } }",
            &user,
            json!({ "id": other_referral }),
        ),
    ];
    for (query, token, variables) in calls {
        let r = app.gql(token, query, variables).await;
        assert_eq!(r.code(), "INTERNAL", "{query}: {}", r.body);
        assert_eq!(r.error()["message"], "internal error", "no internals leak");
    }
    assert_eq!(state().await, before, "nothing written");
}
