//! Co-selling through ACE for real, against the fake ACE (tests/api/fake_ace.rs): connecting,
//! importing solutions, sharing on submit, AWS's review coming back, changes both ways,
//! ACE's refusals and conflicts, throttling and server errors.
use crate::fake_ace::{FakeAce, Fault};
use crate::fixtures::opportunity_input;
use crate::helpers::TestApp;
use cosell::domain::enums::{Role, SegmentCode};
use serde_json::{Value, json};
use std::time::Duration;

/// Mutations whose role table is `ace_mutations_as_every_role` (the policy matrix needs no ACE).
pub const ACE_MUTATIONS: [&str; 4] = [
    "connectAce",
    "disconnectAce",
    "importAceSolutions",
    "retryAceSync",
];

const SYNC: &str = "aceSync { status aceOpportunityId arn attempts errors { aceField field code message } conflictingFields }";

pub(crate) fn role_of(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/cosell-ace")
}

pub(crate) async fn external_id(app: &TestApp, partner: &str) -> Option<String> {
    let r = app
        .gql(
            &app.admin(),
            "query($id: ID!) { partner(id: $id) { aceConnection { externalId status } } }",
            json!({ "id": partner }),
        )
        .await;
    r.data()["partner"]["aceConnection"]["externalId"]
        .as_str()
        .map(str::to_string)
}

pub(crate) async fn connect_ace(app: &TestApp, partner: &str, role: &str) -> crate::helpers::Gql {
    app.gql(
        &app.partner_admin(partner),
        "mutation($p: ID!, $input: ConnectAceInput!) { connectAce(partnerId: $p, input: $input) { id aceConnection { status catalog roleArn externalId } } }",
        json!({ "p": partner, "input": { "catalog": "AWS", "roleArn": role } }),
    )
    .await
}

/// A partner connected to the fake through a role in `account`, with one ACE solution
/// imported; returns (partner, imported solution id).
pub(crate) async fn connected_partner(
    app: &TestApp,
    fake: &FakeAce,
    account: &str,
) -> (String, String) {
    let partner = app.create_partner(&format!("Partner {account}")).await;
    let role = role_of(account);
    // The first attempt makes the external id; the partner puts it in the trust policy.
    assert_eq!(
        connect_ace(app, &partner, &role).await.code(),
        "BAD_USER_INPUT"
    );
    let external = external_id(app, &partner).await.unwrap();
    fake.allow_role(&role, &external);
    fake.add_solution(
        account,
        &format!("S-{}", &account[..7]),
        "Migration Factory",
        "Consulting Service",
    );
    connect_ace(app, &partner, &role).await.data();
    let r = app
        .gql(
            &app.partner_admin(&partner),
            "mutation($p: ID!) { importAceSolutions(partnerId: $p) { id aceSolutionId name } }",
            json!({ "p": partner }),
        )
        .await;
    let solution = r.data()["importAceSolutions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (partner, solution)
}

/// A ready opportunity of the partner associated with its ACE solution.
pub(crate) async fn ready(app: &TestApp, partner: &str, solution: &str, title: &str) -> String {
    let customer = app
        .create_customer(
            partner,
            &format!(
                "Contoso {}",
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            ),
        )
        .await;
    let opportunity = app.create_opportunity(&customer, title).await;
    app.associate(&opportunity, solution).await;
    opportunity
}

pub(crate) async fn state(app: &TestApp, id: &str) -> Value {
    app.gql(
        &app.admin(),
        &format!("query($id: ID!) {{ opportunity(id: $id) {{ id version stage reviewStatus reviewComments customer {{ id }} {SYNC} awsSummary {{ stage team {{ email businessTitle }} }} history(first: 50) {{ nodes {{ actor action changes }} }} }} }}"),
        json!({ "id": id }),
    )
    .await
    .data()["opportunity"]
        .clone()
}

/// Waits (up to 15 s) until the opportunity satisfies `done`.
pub(crate) async fn wait_for(
    app: &TestApp,
    id: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let now = state(app, id).await;
        if done(&now) {
            return now;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {now:#}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) fn synced(o: &Value) -> bool {
    o["aceSync"]["status"] == "SYNCED"
}

pub(crate) async fn submit(app: &TestApp, id: &str) -> crate::helpers::Gql {
    let version = app.version_of(id).await;
    app.gql(
        &app.admin(),
        "mutation($id: ID!, $v: Int!) { submitOpportunity(id: $id, expectedVersion: $v, involvementType: CO_SELL) { id reviewStatus aceSync { status } } }",
        json!({ "id": id, "v": version }),
    )
    .await
}

async fn update(app: &TestApp, id: &str, input: Value) -> crate::helpers::Gql {
    let version = app.version_of(id).await;
    app.gql(
        &app.admin(),
        "mutation($id: ID!, $v: Int!, $input: UpdateOpportunityInput!) { updateOpportunity(id: $id, expectedVersion: $v, input: $input) { id } }",
        json!({ "id": id, "v": version, "input": input }),
    )
    .await
}

#[tokio::test]
async fn connecting_is_checked_with_ace_and_shown_to_admins_only() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let partner = app.create_partner("Anycompany").await;
    // Not a role ARN: refused before anything is sent.
    let r = connect_ace(&app, &partner, "arn:aws:iam::12:user/x").await;
    assert_eq!(
        r.fields(),
        [("input.roleArn".into(), "INVALID_STRING_FORMAT".into())]
    );
    // STS refuses the role until its trust policy names cosell's external id.
    let role = role_of("222222222222");
    let r = connect_ace(&app, &partner, &role).await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    assert!(
        r.error()["message"]
            .as_str()
            .unwrap()
            .contains("ACE refused the connection"),
        "{}",
        r.body
    );
    let external = external_id(&app, &partner).await.unwrap();
    assert!(external.starts_with("cosell-"));
    fake.allow_role(&role, "someone-else");
    assert_eq!(
        connect_ace(&app, &partner, &role).await.code(),
        "BAD_USER_INPUT"
    );
    fake.allow_role(&role, &external);
    let r = connect_ace(&app, &partner, &role).await;
    let connection = &r.data()["connectAce"]["aceConnection"];
    assert_eq!(connection["status"], "CONNECTED");
    assert_eq!(connection["roleArn"], role.as_str());
    // The external id is made once: connecting again keeps it.
    assert_eq!(connection["externalId"], external.as_str());
    // The check went to ACE with credentials STS issued for the role.
    let calls = fake.calls();
    let check = calls
        .iter()
        .rev()
        .find(|c| c.operation == "ListSolutions")
        .unwrap();
    assert_eq!(check.account, "222222222222");
    assert_eq!(check.body["MaxResults"], 1);
    // Partner users and other partners' admins see no connection.
    for token in [
        app.partner_user(&partner),
        app.partner_token(Role::PartnerAdmin, "ptr_other"),
    ] {
        let r = app
            .gql(
                &token,
                "query($id: ID!) { partner(id: $id) { aceConnection { externalId } } }",
                json!({ "id": partner }),
            )
            .await;
        assert!(
            r.body["data"]["partner"].is_null()
                || r.body["data"]["partner"]["aceConnection"].is_null(),
            "{}",
            r.body
        );
    }
    // A partner user may not connect.
    let r = app
        .gql(
            &app.partner_user(&partner),
            "mutation($p: ID!) { disconnectAce(partnerId: $p) { id } }",
            json!({ "p": partner }),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql(
            &app.partner_admin(&partner),
            "mutation($p: ID!) { disconnectAce(partnerId: $p) { aceConnection { status externalId } } }",
            json!({ "p": partner }),
        )
        .await;
    assert_eq!(
        r.data()["disconnectAce"]["aceConnection"]["status"],
        "DISCONNECTED"
    );
    assert_eq!(
        r.data()["disconnectAce"]["aceConnection"]["externalId"],
        external.as_str()
    );
}

#[tokio::test]
async fn solutions_are_imported_by_ace_id_and_linked_by_name() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let (partner, _) = connected_partner(&app, &fake, "333333333333").await;
    let local = app
        .create_solution(&partner, "Data Lake Accelerator", "ACTIVE")
        .await;
    fake.add_solution(
        "333333333333",
        "S-0000042",
        "data lake accelerator",
        "Software Product",
    );
    // More than one page of ListSolutions.
    for i in 0..120 {
        fake.add_solution(
            "333333333333",
            &format!("S-1{i:06}"),
            &format!("Bulk {i}"),
            "Software Product",
        );
    }
    let import = || async {
        app.gql(
            &app.partner_admin(&partner),
            "mutation($p: ID!) { importAceSolutions(partnerId: $p) { id aceSolutionId name } }",
            json!({ "p": partner }),
        )
        .await
    };
    let first = import().await;
    let list = first.data()["importAceSolutions"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(list.len(), 122);
    let linked = list
        .iter()
        .find(|s| s["aceSolutionId"] == "S-0000042")
        .unwrap();
    assert_eq!(
        linked["id"],
        local.as_str(),
        "the same-named local solution is linked, not duplicated"
    );
    // Again: updated in place, nothing duplicated.
    let again = import().await;
    let ids: std::collections::BTreeSet<_> = again.data()["importAceSolutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    let before: std::collections::BTreeSet<_> = list
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, before);
}

#[tokio::test]
async fn the_journey_through_ace() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let (partner, solution) = connected_partner(&app, &fake, "444444444444").await;
    let id = ready(&app, &partner, &solution, "Core banking migration").await;
    // Nothing leaves cosell before submit.
    assert!(!fake.accepted().contains(&"CreateOpportunity".to_string()));
    assert_eq!(state(&app, &id).await["aceSync"]["status"], "NOT_SHARED");

    let r = submit(&app, &id).await;
    assert_eq!(
        r.data()["submitOpportunity"]["aceSync"]["status"],
        "PENDING"
    );
    let now = wait_for(&app, &id, "the share", synced).await;
    let ace_id = now["aceSync"]["aceOpportunityId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ace_id.starts_with('O'));
    assert!(now["aceSync"]["arn"].as_str().unwrap().ends_with(&ace_id));
    let ops: Vec<String> = fake
        .accepted()
        .into_iter()
        .filter(|o| !o.starts_with("List") && !o.starts_with("Get"))
        .collect();
    assert_eq!(
        ops,
        [
            "CreateOpportunity",
            "AssociateOpportunity",
            "SubmitOpportunity"
        ]
    );
    let calls = fake.calls();
    let create = calls
        .iter()
        .find(|c| c.operation == "CreateOpportunity")
        .unwrap();
    assert_eq!(create.body["ClientToken"], format!("cosell-{id}"));
    assert_eq!(create.body["Origin"], "Partner Referral");
    assert_eq!(create.body["Project"]["Title"], "Core banking migration");
    assert_eq!(
        create.body["Customer"]["Account"]["Address"]["PostalCode"],
        "10001"
    );
    let associate = calls
        .iter()
        .find(|c| c.operation == "AssociateOpportunity")
        .unwrap();
    assert_eq!(associate.body["RelatedEntityType"], "Solutions");
    assert_eq!(associate.body["RelatedEntityIdentifier"], "S-4444444");
    let submitted = calls
        .iter()
        .find(|c| c.operation == "SubmitOpportunity")
        .unwrap();
    assert_eq!(submitted.body["InvolvementType"], "Co-Sell");
    assert_eq!(submitted.body["Visibility"], "Full");
    assert_eq!(fake.opportunity(&ace_id).review_status, "Submitted");

    // AWS's review comes back, written by `ace`.
    fake.review(&ace_id, "In review", None, None);
    wait_for(&app, &id, "In review", |o| o["reviewStatus"] == "IN_REVIEW").await;
    fake.review(
        &ace_id,
        "Action Required",
        Some("Say which workloads move first."),
        Some("Customer problem unclear"),
    );
    let now = wait_for(&app, &id, "Action Required", |o| {
        o["reviewStatus"] == "ACTION_REQUIRED"
    })
    .await;
    assert_eq!(now["reviewComments"], "Say which workloads move first.");
    let reviews: Vec<&Value> = now["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["action"] == "REVIEWED")
        .collect();
    assert!(
        reviews.len() >= 2 && reviews.iter().all(|h| h["actor"] == "ace"),
        "{reviews:#?}"
    );
    // cosell's own review is refused: AWS reviews shared opportunities in ACE.
    let manager = {
        let mut req = cosell::auth::MintRequest::new(Role::PartnerManager, "pm@aws.example");
        req.partner_ids = vec![partner.clone()];
        app.mint(&req)
    };
    let r = app
        .gql(
            &manager,
            "mutation($id: ID!) { reviewOpportunity(id: $id, decision: APPROVE) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.code(), "INVALID_STATE", "{}", r.body);

    // Fix what AWS asked and resubmit.
    update(&app, &id, json!({ "customerBusinessProblem": "Core banking batch jobs on the mainframe: payments first, then ledgers." })).await.data();
    wait_for(&app, &id, "the fix in ACE", synced).await;
    assert!(
        text(
            &fake.opportunity(&ace_id).body,
            "Project.CustomerBusinessProblem"
        )
        .starts_with("Core banking batch jobs on the mainframe: payments")
    );
    submit(&app, &id).await.data();
    wait_for(&app, &id, "the resubmission", synced).await;
    assert_eq!(fake.opportunity(&ace_id).review_status, "Submitted");

    // Approved; AWS engages and its team shows.
    fake.engage(&ace_id, json!({"InvolvementType": "Co-Sell", "Visibility": "Full", "LifeCycle": {"Stage": "Qualified", "NextSteps": "Intro call"}, "OpportunityTeam": [{"Email": "pdm@amazon.example", "FirstName": "Pat", "LastName": "Doe", "BusinessTitle": "PDM"}]}));
    fake.review(&ace_id, "Approved", None, None);
    let now = wait_for(&app, &id, "Approved with AWS's summary", |o| {
        o["reviewStatus"] == "APPROVED" && !o["awsSummary"].is_null()
    })
    .await;
    assert_eq!(now["awsSummary"]["team"][0]["businessTitle"], "PDM");

    // Stage changes both ways.
    update(&app, &id, json!({ "stage": "TECHNICAL_VALIDATION" }))
        .await
        .data();
    wait_for(&app, &id, "the stage in ACE", synced).await;
    assert_eq!(
        text(&fake.opportunity(&ace_id).body, "LifeCycle.Stage"),
        "Technical Validation"
    );
    fake.edit(&ace_id, "LifeCycle.Stage", json!("Committed"));
    wait_for(&app, &id, "the stage from ACE", |o| {
        o["stage"] == "COMMITTED"
    })
    .await;

    // Launch: ACE needs the customer's AWS account, which only ACE checks.
    let version = app.version_of(&id).await;
    app.gql(
        &app.admin(),
        "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, expectedVersion: $v, outcome: LAUNCHED) { id } }",
        json!({ "id": id, "v": version }),
    )
    .await
    .data();
    let now = wait_for(&app, &id, "ACE's refusal", |o| {
        o["aceSync"]["status"] == "FAILED"
    })
    .await;
    assert_eq!(
        now["aceSync"]["errors"][0]["aceField"],
        "Customer.Account.AwsAccountId"
    );
    assert_eq!(
        now["aceSync"]["errors"][0]["field"],
        "customer.awsAccountId"
    );
    assert_eq!(
        now["aceSync"]["errors"][0]["code"],
        "REQUIRED_FIELD_MISSING"
    );
    let customer = now["customer"]["id"].as_str().unwrap().to_string();
    app.gql(
        &app.admin(),
        "mutation($id: ID!) { updateCustomer(id: $id, input: { awsAccountId: \"123456789012\" }) { id } }",
        json!({ "id": customer }),
    )
    .await
    .data();
    wait_for(&app, &id, "the launch in ACE", synced).await;
    assert_eq!(
        text(&fake.opportunity(&ace_id).body, "LifeCycle.Stage"),
        "Launched"
    );
    assert_eq!(fake.over_quota(), 0);
    // Exactly one ACE opportunity for it.
    assert_eq!(fake.opportunities().len(), 1);
}

fn text(v: &Value, path: &str) -> String {
    path.split('.')
        .fold(v, |v, k| &v[k])
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn changes_made_in_partner_central_merge_or_conflict() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let (partner, solution) = connected_partner(&app, &fake, "555555555555").await;
    let id = ready(&app, &partner, &solution, "Analytics platform").await;
    submit(&app, &id).await.data();
    let now = wait_for(&app, &id, "the share", synced).await;
    let ace_id = now["aceSync"]["aceOpportunityId"]
        .as_str()
        .unwrap()
        .to_string();
    fake.review(&ace_id, "Approved", None, None);
    wait_for(&app, &id, "Approved", |o| o["reviewStatus"] == "APPROVED").await;

    // Someone edits next steps in Partner Central while cosell changes the stage: different
    // fields, so both survive.
    fake.edit(
        &ace_id,
        "LifeCycle.NextSteps",
        json!("Workshop booked with AWS SA."),
    );
    update(&app, &id, json!({ "stage": "COMMITTED" }))
        .await
        .data();
    wait_for(&app, &id, "the merge", |o| {
        synced(o) && o["stage"] == "COMMITTED"
    })
    .await;
    let ace = fake.opportunity(&ace_id);
    assert_eq!(text(&ace.body, "LifeCycle.Stage"), "Committed");
    assert_eq!(
        text(&ace.body, "LifeCycle.NextSteps"),
        "Workshop booked with AWS SA."
    );
    let r = app
        .gql(
            &app.admin(),
            "query($id: ID!) { opportunity(id: $id) { nextSteps } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.data()["opportunity"]["nextSteps"],
        "Workshop booked with AWS SA."
    );

    // Both sides change the same field: CONFLICT, and nothing is overwritten. The poll is held
    // off (ACE's listing fails) so that it cannot take ACE's edit in before cosell's change.
    fake.fail_next(Some("ListOpportunities"), 1_000, Fault::ServerError);
    fake.edit(
        &ace_id,
        "Project.AdditionalComments",
        json!("Changed in Partner Central"),
    );
    update(
        &app,
        &id,
        json!({ "additionalComments": "Changed in cosell" }),
    )
    .await
    .data();
    let now = wait_for(&app, &id, "the conflict", |o| {
        o["aceSync"]["status"] == "CONFLICT"
    })
    .await;
    assert_eq!(
        now["aceSync"]["conflictingFields"],
        json!(["opportunity.additionalComments"])
    );
    assert_eq!(
        text(
            &fake.opportunity(&ace_id).body,
            "Project.AdditionalComments"
        ),
        "Changed in Partner Central"
    );
    let r = app
        .gql(
            &app.admin(),
            "query($id: ID!) { opportunity(id: $id) { additionalComments } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.data()["opportunity"]["additionalComments"],
        "Changed in cosell"
    );
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried_within_the_quota() {
    let fake = FakeAce::start_with_quota(20, 100).await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let (partner, solution) = connected_partner(&app, &fake, "666666666666").await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(ready(&app, &partner, &solution, &format!("Storm {i}")).await);
    }
    fake.fail_next(Some("CreateOpportunity"), 3, Fault::Throttle);
    fake.fail_next(Some("AssociateOpportunity"), 2, Fault::ServerError);
    fake.fail_next(None, 2, Fault::Throttle);
    for id in &ids {
        submit(&app, id).await.data();
    }
    for id in &ids {
        let now = wait_for(&app, id, "the share after the storm", synced).await;
        assert!(now["aceSync"]["aceOpportunityId"].as_str().is_some());
    }
    assert_eq!(
        fake.opportunities().len(),
        6,
        "each opportunity created once"
    );
    assert_eq!(fake.over_quota(), 0, "cosell never went over the quota");
    let refused = fake.calls().iter().filter(|c| c.error.is_some()).count();
    assert!(refused >= 7, "the injected faults happened ({refused})");
}

#[tokio::test]
async fn a_partner_without_connection_shares_nothing() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let partner = app.create_partner("Offline Partner").await;
    let ready = app.ready_opportunity(&partner, "Local only").await;
    submit(&app, &ready.opportunity).await.data();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(fake.calls().is_empty());
    assert_eq!(
        state(&app, &ready.opportunity).await["aceSync"]["status"],
        "NOT_SHARED"
    );
    let _ = opportunity_input;
}

#[tokio::test]
async fn ace_mutations_as_every_role() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let (p1, solution) = connected_partner(&app, &fake, "777777777777").await;
    let p2 = app.create_partner("P2").await;
    let manager = |partner: &str| {
        let mut req = cosell::auth::MintRequest::new(Role::PartnerManager, "pm@aws.example");
        req.partner_ids = vec![partner.to_string()];
        app.mint(&req)
    };
    let roles: Vec<(&str, String)> = vec![
        ("PARTNER_USER", app.partner_user(&p1)),
        ("PARTNER_ADMIN of P2", app.partner_admin(&p2)),
        (
            "AWS_SELLER",
            app.seller(&[cosell::domain::enums::SegmentCode::Enterprise]),
        ),
        ("PARTNER_MANAGER", manager(&p1)),
    ];
    // A FAILED sync to retry: ACE refuses the launch of an opportunity without the customer's
    // AWS account.
    let id = ready(&app, &p1, &solution, "Retry me").await;
    submit(&app, &id).await.data();
    wait_for(&app, &id, "the share", synced).await;
    let ace_id = state(&app, &id).await["aceSync"]["aceOpportunityId"]
        .as_str()
        .unwrap()
        .to_string();
    fake.review(&ace_id, "Approved", None, None);
    wait_for(&app, &id, "Approved", |o| o["reviewStatus"] == "APPROVED").await;
    fake.edit(&ace_id, "LifeCycle.Stage", json!("Committed"));
    wait_for(&app, &id, "Committed", |o| o["stage"] == "COMMITTED").await;
    let version = app.version_of(&id).await;
    app.gql(&app.admin(), "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, expectedVersion: $v, outcome: LAUNCHED) { id } }", json!({ "id": id, "v": version })).await.data();
    wait_for(&app, &id, "FAILED", |o| o["aceSync"]["status"] == "FAILED").await;

    let calls: [(&str, &str, Value, [&str; 4]); 4] = [
        (
            "importAceSolutions",
            "mutation($p: ID!) { importAceSolutions(partnerId: $p) { id } }",
            json!({ "p": p1 }),
            ["FORBIDDEN", "NOT_FOUND", "FORBIDDEN", "FORBIDDEN"],
        ),
        (
            "retryAceSync",
            "mutation($o: ID!) { retryAceSync(opportunityId: $o) { id } }",
            json!({ "o": id }),
            ["ok", "NOT_FOUND", "FORBIDDEN", "FORBIDDEN"],
        ),
        (
            "connectAce",
            "mutation($p: ID!) { connectAce(partnerId: $p, input: { catalog: AWS, roleArn: \"arn:aws:iam::777777777777:role/cosell-ace\" }) { id } }",
            json!({ "p": p1 }),
            ["FORBIDDEN", "NOT_FOUND", "FORBIDDEN", "FORBIDDEN"],
        ),
        (
            "disconnectAce",
            "mutation($p: ID!) { disconnectAce(partnerId: $p) { id } }",
            json!({ "p": p1 }),
            ["FORBIDDEN", "NOT_FOUND", "FORBIDDEN", "FORBIDDEN"],
        ),
    ];
    for (name, query, vars, expected) in calls {
        for ((role, token), want) in roles.iter().zip(expected) {
            let r = app.gql(token, query, vars.clone()).await;
            let got = r.body["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("ok");
            assert_eq!(got, want, "{name} as {role}: {}", r.body);
        }
    }
    // The partner's own admin may do all of them (retry is done: the sync is PENDING again).
    let own = app.partner_admin(&p1);
    for (_, query, vars, _) in [
        (
            "importAceSolutions",
            "mutation($p: ID!) { importAceSolutions(partnerId: $p) { id } }",
            json!({ "p": p1 }),
            (),
        ),
        (
            "connectAce",
            "mutation($p: ID!) { connectAce(partnerId: $p, input: { catalog: AWS, roleArn: \"arn:aws:iam::777777777777:role/cosell-ace\" }) { id } }",
            json!({ "p": p1 }),
            (),
        ),
        (
            "disconnectAce",
            "mutation($p: ID!) { disconnectAce(partnerId: $p) { id } }",
            json!({ "p": p1 }),
            (),
        ),
    ] {
        app.gql(&own, query, vars).await.data();
    }
}

#[tokio::test]
async fn a_connected_partner_submits_only_with_a_solution_ace_knows() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let (partner, _) = connected_partner(&app, &fake, "888888888888").await;
    let local = app
        .create_solution(&partner, "Local only solution", "ACTIVE")
        .await;
    let id = ready(&app, &partner, &local, "Needs an ACE solution").await;
    let readiness = readiness_of(&app, &id).await;
    assert_eq!(readiness["ready"], false);
    let linked = readiness["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "ACE_SOLUTION_LINKED")
        .unwrap();
    assert_eq!(linked["passed"], false);
    let r = submit(&app, &id).await;
    assert_eq!(r.code(), "NOT_READY");
    // A partner without a connection has no such check.
    let offline = app.create_partner("Offline").await;
    let other = app.ready_opportunity(&offline, "No ACE here").await;
    let readiness = readiness_of(&app, &other.opportunity).await;
    assert!(
        readiness["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "ACE_SOLUTION_LINKED")
    );
    assert_eq!(readiness["ready"], true);
}

async fn readiness_of(app: &TestApp, id: &str) -> Value {
    app.gql(
        &app.admin(),
        "query($id: ID!) { opportunity(id: $id) { readiness { ready checks { name passed } } } }",
        json!({ "id": id }),
    )
    .await
    .data()["opportunity"]["readiness"]
        .clone()
}

/// An opportunity as someone types it into Partner Central.
fn console_body(company: &str, title: &str) -> Value {
    let target = (chrono::Utc::now() + chrono::Duration::days(90))
        .format("%Y-%m-%d")
        .to_string();
    json!({
        "OpportunityType": "Net New Business",
        "PrimaryNeedsFromAws": ["Co-Sell - Architectural Validation"],
        "Customer": {
            "Account": {"CompanyName": company, "Industry": "Retail", "WebsiteUrl": "https://www.adatum.example",
                        "Address": {"CountryCode": "US", "PostalCode": "98052", "City": "Redmond"}},
            "Contacts": [{"Email": "buyer@adatum.example", "FirstName": "Ana", "LastName": "Diaz", "BusinessTitle": "VP IT"}],
        },
        "Project": {
            "Title": title,
            "CustomerBusinessProblem": "Move the e-commerce stack to containers before the holiday season.",
            "ExpectedCustomerSpend": [{"Amount": "2500.00", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"}],
            "DeliveryModels": ["SaaS or PaaS"],
        },
        "LifeCycle": {"Stage": "Qualified", "TargetCloseDate": target},
    })
}

#[tokio::test]
async fn opportunities_created_in_partner_central_are_imported_and_filterable() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let account = "595959595959";
    let (partner, solution) = connected_partner(&app, &fake, account).await;
    let existing = app.create_customer(&partner, "Contoso Retail").await;
    let local = ready(&app, &partner, &solution, "Never shared").await;
    // The same customer, typed in another case, and a customer cosell does not know.
    let on_existing =
        fake.create_in_console(account, console_body("CONTOSO RETAIL", "Store analytics"));
    let on_new =
        fake.create_in_console(account, console_body("Adatum", "Containers for e-commerce"));
    let token = app.partner_admin(&partner);
    let list = |filter: Value| {
        let (app, token) = (&app, &token);
        async move {
            app.gql(
                token,
                "query($f: OpportunityFilter) { opportunities(first: 50, filter: $f) { nodes { id title stage origin customer { id companyName contacts { email } } aceSync { status aceOpportunityId } } } }",
                json!({ "f": filter }),
            )
            .await
            .data()["opportunities"]["nodes"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let shared = json!({ "partnerId": partner, "aceSyncStatus": ["SYNCED"] });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let nodes = loop {
        let nodes = list(shared.clone()).await;
        if nodes.len() >= 2 {
            break nodes;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not imported: {nodes:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(nodes.len(), 2, "{nodes:#?}");
    let by_ace = |id: &str| {
        nodes
            .iter()
            .find(|n| n["aceSync"]["aceOpportunityId"] == id)
            .unwrap_or_else(|| panic!("{id} imported: {nodes:#?}"))
            .clone()
    };
    let store = by_ace(&on_existing);
    assert_eq!(store["title"], "Store analytics");
    assert_eq!(store["stage"], "QUALIFIED");
    assert_eq!(store["customer"]["id"], existing.as_str());
    let adatum = by_ace(&on_new);
    assert_eq!(adatum["customer"]["companyName"], "Adatum");
    assert_eq!(
        adatum["customer"]["contacts"][0]["email"],
        "buyer@adatum.example"
    );
    // Never shared ones are the others.
    let unshared = list(json!({ "partnerId": partner, "aceSyncStatus": ["NOT_SHARED"] })).await;
    assert_eq!(
        unshared
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [local.as_str()]
    );
    assert!(
        list(json!({ "partnerId": partner, "aceSyncStatus": ["FAILED", "CONFLICT"] }))
            .await
            .is_empty()
    );
    // Imported once: later polls do not duplicate them, and changes in Partner Central flow in.
    fake.edit(&on_new, "LifeCycle.NextSteps", json!("Architecture review"));
    let id = adatum["id"].as_str().unwrap();
    wait_for(&app, id, "the edit", |o| {
        o["history"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["actor"] == "ace" && h["action"] == "UPDATED")
    })
    .await;
    assert_eq!(list(shared).await.len(), 2);
    // Nothing was sent back to ACE for them.
    assert!(
        !fake
            .accepted()
            .iter()
            .any(|o| o == "UpdateOpportunity" || o == "CreateOpportunity")
    );
}

#[tokio::test]
async fn ace_data_stays_in_its_partners_scope() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let (a, solution) = connected_partner(&app, &fake, "616161616161").await;
    let (b, _) = connected_partner(&app, &fake, "626262626262").await;
    let id = ready(&app, &a, &solution, "Partner A's deal").await;
    submit(&app, &id).await.data();
    let now = wait_for(&app, &id, "the share", synced).await;
    let ace_id = now["aceSync"]["aceOpportunityId"]
        .as_str()
        .unwrap()
        .to_string();
    fake.engage(&ace_id, json!({"InvolvementType": "Co-Sell", "Visibility": "Full", "LifeCycle": {"Stage": "Qualified"}, "OpportunityTeam": [{"Email": "pdm@amazon.example", "BusinessTitle": "PDM"}]}));
    fake.review(&ace_id, "Approved", None, None);
    wait_for(&app, &id, "AWS's summary", |o| !o["awsSummary"].is_null()).await;

    let query = "query($id: ID!, $p: ID!) { opportunity(id: $id) { id aceSync { status aceOpportunityId } awsSummary { stage } } partner(id: $p) { aceConnection { externalId } } opportunities(first: 50, filter: { aceSyncStatus: [SYNCED, PENDING, FAILED, CONFLICT] }) { nodes { id } } }";
    let vars = json!({ "id": id, "p": a });
    // Partner B: none of A's ACE data, in any field.
    let r = app.gql(&app.partner_admin(&b), query, vars.clone()).await;
    assert!(r.body["data"]["opportunity"].is_null(), "{}", r.body);
    assert!(
        r.body["data"]["partner"].is_null() || r.body["data"]["partner"]["aceConnection"].is_null(),
        "{}",
        r.body
    );
    assert_eq!(
        r.body["data"]["opportunities"]["nodes"],
        json!([]),
        "{}",
        r.body
    );
    // B's ACE calls went out as B's account only, never touching A's opportunity.
    for call in fake.calls().iter().filter(|c| c.account == "626262626262") {
        assert!(!call.body.to_string().contains(&ace_id), "{call:?}");
    }
    // An AWS seller of the customer's segment sees AWS's summary; one of another does not
    // see the opportunity at all.
    let seller = |segment: SegmentCode| {
        let mut req = cosell::auth::MintRequest::new(Role::AwsSeller, "seller@aws.example");
        req.segments = vec![segment];
        app.mint(&req)
    };
    let r = app
        .gql(&seller(SegmentCode::Enterprise), query, vars.clone())
        .await;
    assert_eq!(
        r.body["data"]["opportunity"]["awsSummary"]["stage"], "Qualified",
        "{}",
        r.body
    );
    assert!(
        r.body["data"]["partner"]["aceConnection"].is_null(),
        "{}",
        r.body
    );
    let r = app.gql(&seller(SegmentCode::Startup), query, vars).await;
    assert!(r.body["data"]["opportunity"].is_null(), "{}", r.body);
}

/// ACE's answers are events: the sync outcome and AWS's review reach the partner's
/// subscription, recorded by `ace`.
#[tokio::test]
async fn aces_answers_reach_subscribers_as_events() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let (partner, solution) = connected_partner(&app, &fake, "555555555555").await;
    let id = ready(&app, &partner, &solution, "Live from ACE").await;
    app.settle().await;
    let mut ws = crate::ws::Ws::open(&app.base, &app.partner_user(&partner)).await;
    ws.subscribe(
        "o",
        "subscription($o: ID) { opportunityEvents(opportunityId: $o) { action actor opportunity { reviewStatus aceSync { status } } } }",
        json!({ "o": id }),
    )
    .await;
    submit(&app, &id).await.data();
    let now = wait_for(&app, &id, "the share", synced).await;
    let ace_id = now["aceSync"]["aceOpportunityId"]
        .as_str()
        .unwrap()
        .to_string();
    fake.review(&ace_id, "In review", None, None);
    wait_for(&app, &id, "In review", |o| o["reviewStatus"] == "IN_REVIEW").await;

    let mut seen = Vec::new();
    while seen.len() < 3 {
        let event = ws
            .event(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("events so far: {seen:?}"));
        let e = &event["data"]["opportunityEvents"];
        seen.push((
            e["action"].as_str().unwrap().to_string(),
            e["actor"].as_str().unwrap().to_string(),
        ));
    }
    assert_eq!(
        seen[0],
        ("SUBMITTED".to_string(), "admin@example.com".to_string())
    );
    assert_eq!(seen[1], ("ACE_SYNCED".to_string(), "ace".to_string()));
    assert_eq!(seen[2], ("REVIEWED".to_string(), "ace".to_string()));
}
