//! Referrals from ACE: engagement invitations become referrals, withheld contacts stay
//! withheld, the partner's answer goes to ACE (the accept task, the rejection), and answers
//! given in Partner Central or ACE's expiry are mirrored.
use crate::ace_sync::{connected_partner, state, wait_for};
use crate::fake_ace::FakeAce;
use crate::helpers::TestApp;
use cosell::domain::enums::Role;
use serde_json::{Value, json};
use std::time::Duration;

const REFERRAL: &str = "id status senderName message projectTitle expiresAt rejectionReason aceInvitationId customer { companyName industry } customerAddress { city postalCode } customerContacts { email firstName } expectedMonthlySpend { amount currencyCode } opportunity { id aceSync { aceOpportunityId } } aceSync { status errors { code message } }";

async fn referral_of(app: &TestApp, token: &str, partner: &str, invitation: &str) -> Option<Value> {
    let r = app
        .gql(
            token,
            &format!("query($p: ID!) {{ referrals(first: 50, filter: {{ partnerId: $p }}) {{ nodes {{ {REFERRAL} }} }} }}"),
            json!({ "p": partner }),
        )
        .await;
    r.data()["referrals"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["aceInvitationId"] == invitation)
        .cloned()
}

/// Waits (up to 15 s) until the partner's referral from `invitation` satisfies `done`.
async fn wait_referral(
    app: &TestApp,
    partner: &str,
    invitation: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let token = app.partner_admin(partner);
    loop {
        let now = referral_of(app, &token, partner, invitation).await;
        if let Some(r) = &now
            && done(r)
        {
            return r.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {now:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn accept(app: &TestApp, partner: &str, id: &str) -> crate::helpers::Gql {
    app.gql(
        &app.partner_admin(partner),
        "mutation($id: ID!) { acceptReferral(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await
}

async fn reject(app: &TestApp, partner: &str, id: &str, reason: &str) -> crate::helpers::Gql {
    app.gql(
        &app.partner_admin(partner),
        "mutation($id: ID!, $r: String!) { rejectReferral(id: $id, reason: $r) { id status } }",
        json!({ "id": id, "r": reason }),
    )
    .await
}

#[tokio::test]
async fn an_invitation_becomes_a_referral_and_accepting_it_links_aces_opportunity() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let account = "555555555555";
    let (partner, _) = connected_partner(&app, &fake, account).await;
    let invitation = fake.invite(account, "Fabrikam Bank", "Payments modernization");
    let r = wait_referral(&app, &partner, &invitation, "the referral", |_| true).await;
    assert_eq!(r["status"], "PENDING");
    assert_eq!(r["senderName"], "Amazon Web Services");
    assert_eq!(r["projectTitle"], "Payments modernization");
    assert_eq!(r["customer"]["companyName"], "Fabrikam Bank");
    assert_eq!(r["customer"]["industry"], "FINANCIAL_SERVICES");
    assert_eq!(r["expectedMonthlySpend"]["amount"], "5000.00");
    assert_eq!(r["aceSync"]["status"], "SYNCED");
    // ACE withholds the customer's contacts and address until acceptance; so does cosell.
    assert_eq!(r["customerContacts"], json!([]));
    assert!(r["customerAddress"].is_null());
    let invited = fake.invitation(&invitation);
    assert!(
        (chrono::DateTime::parse_from_rfc3339(r["expiresAt"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
            - invited.expires)
            .num_seconds()
            .abs()
            < 1
    );
    // Another partner sees nothing of it.
    let other = app.create_partner("Other partner").await;
    assert!(
        referral_of(&app, &app.partner_admin(&other), &partner, &invitation)
            .await
            .is_none()
    );

    let referral_id = r["id"].as_str().unwrap().to_string();
    let opportunity = accept(&app, &partner, &referral_id).await.data()["acceptReferral"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = wait_referral(&app, &partner, &invitation, "ACE's acceptance", |r| {
        r["aceSync"]["status"] == "SYNCED" && r["status"] == "ACCEPTED"
    })
    .await;
    assert_eq!(done["status"], "ACCEPTED");
    assert_eq!(done["opportunity"]["id"], opportunity.as_str());
    assert_eq!(done["customerContacts"][0]["email"], "cto@customer.example");
    assert_eq!(done["customerAddress"]["city"], "Seattle");
    let ace_id = done["opportunity"]["aceSync"]["aceOpportunityId"]
        .as_str()
        .unwrap();
    assert_eq!(fake.invitation(&invitation).status, "ACCEPTED");
    assert_eq!(
        fake.invitation(&invitation).opportunity.as_deref(),
        Some(ace_id)
    );
    let calls = fake.calls();
    let start = calls
        .iter()
        .find(|c| c.operation == "StartEngagementByAcceptingInvitationTask")
        .unwrap();
    assert_eq!(start.body["ClientToken"], format!("cosell-{referral_id}"));
    assert_eq!(start.body["Identifier"], invitation.as_str());
    assert_eq!(fake.tasks().len(), 1);
    // The local opportunity is ACE's: linked, approved by AWS, its customer complete.
    let o = wait_for(&app, &opportunity, "the link", |o| {
        o["aceSync"]["aceOpportunityId"] == ace_id
    })
    .await;
    assert_eq!(o["aceSync"]["status"], "SYNCED");
    assert_eq!(o["reviewStatus"], "APPROVED");
    let c = app
        .gql(
            &app.partner_admin(&partner),
            "query($id: ID!) { opportunity(id: $id) { customer { address { city } contacts { email } } } }",
            json!({ "id": opportunity }),
        )
        .await;
    assert_eq!(
        c.data()["opportunity"]["customer"]["contacts"][0]["email"],
        "cto@customer.example"
    );
    // Later changes go to ACE's opportunity as updates.
    let version = app.version_of(&opportunity).await;
    app.gql(
        &app.admin(),
        "mutation($id: ID!, $v: Int!) { updateOpportunity(id: $id, expectedVersion: $v, input: { nextSteps: \"Kick-off with the CTO\" }) { id } }",
        json!({ "id": opportunity, "v": version }),
    )
    .await
    .data();
    wait_for(&app, &opportunity, "the update in ACE", |_| {
        fake.opportunity(ace_id).body["LifeCycle"]["NextSteps"] == "Kick-off with the CTO"
    })
    .await;
    assert_eq!(fake.over_quota(), 0);
}

#[tokio::test]
async fn rejecting_an_ace_referral_tells_ace_with_the_reason() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let account = "565656565656";
    let (partner, _) = connected_partner(&app, &fake, account).await;
    let invitation = fake.invite(account, "Northwind", "Data platform");
    let r = wait_referral(&app, &partner, &invitation, "the referral", |_| true).await;
    let id = r["id"].as_str().unwrap();
    // ACE's limit: a reason of 1..80 characters.
    let long = "x".repeat(81);
    assert_eq!(
        reject(&app, &partner, id, &long).await.code(),
        "BAD_USER_INPUT"
    );
    let r = reject(&app, &partner, id, "No capacity this quarter").await;
    assert_eq!(r.data()["rejectReferral"]["status"], "REJECTED");
    wait_referral(&app, &partner, &invitation, "ACE's rejection", |r| {
        r["aceSync"]["status"] == "SYNCED"
    })
    .await;
    let sent = fake.invitation(&invitation);
    assert_eq!(sent.status, "REJECTED");
    assert_eq!(
        sent.rejection_reason.as_deref(),
        Some("No capacity this quarter")
    );
    // A partner user of another partner cannot answer it.
    let r = app
        .gql(
            &app.partner_token(Role::PartnerAdmin, "ptr_other"),
            "mutation($id: ID!) { acceptReferral(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.code(), "NOT_FOUND");
}

#[tokio::test]
async fn answers_in_partner_central_and_expiry_are_mirrored() {
    let fake = FakeAce::start().await;
    let app = TestApp::spawn_with_ace(&fake).await;
    let account = "575757575757";
    let (partner, _) = connected_partner(&app, &fake, account).await;
    let lapsing = fake.invite(account, "Tailspin", "Analytics");
    let elsewhere = fake.invite(account, "Wingtip", "Contact center");
    let turned_down = fake.invite(account, "Litware", "SAP move");
    for i in [&lapsing, &elsewhere, &turned_down] {
        wait_referral(&app, &partner, i, "the referral", |_| true).await;
    }
    fake.expire(&lapsing);
    let ace_opportunity = fake.accept_in_console(&elsewhere);
    assert!(ace_opportunity.starts_with('O'));
    fake.reject_in_console(&turned_down, "Not our focus");
    let expired = wait_referral(&app, &partner, &lapsing, "EXPIRED", |r| {
        r["status"] == "EXPIRED"
    })
    .await;
    // Accepted in Partner Central; the opportunity it made in ACE is imported as the
    // referral's.
    let accepted = wait_referral(
        &app,
        &partner,
        &elsewhere,
        "ACCEPTED with its opportunity",
        |r| r["status"] == "ACCEPTED" && !r["opportunity"].is_null(),
    )
    .await;
    assert_eq!(
        accepted["opportunity"]["aceSync"]["aceOpportunityId"],
        ace_opportunity.as_str()
    );
    let rejected = wait_referral(&app, &partner, &turned_down, "REJECTED", |r| {
        r["status"] == "REJECTED"
    })
    .await;
    assert_eq!(rejected["rejectionReason"], "Not our focus");
    // Answered elsewhere: nothing goes back to ACE.
    assert!(
        !fake
            .accepted()
            .iter()
            .any(|o| o == "RejectEngagementInvitation"
                || o == "StartEngagementByAcceptingInvitationTask")
    );
    // An expired referral can no longer be answered.
    let r = accept(&app, &partner, expired["id"].as_str().unwrap()).await;
    assert_eq!(r.code(), "INVALID_STATE");
    let r = reject(&app, &partner, accepted["id"].as_str().unwrap(), "late").await;
    assert_eq!(r.code(), "INVALID_STATE");
}

#[tokio::test]
async fn an_acceptance_ace_refuses_is_failed_with_aces_reason() {
    let fake = FakeAce::start().await;
    // Polls only once (at connection), so the invitation's expiry reaches cosell through the
    // accept task, not the poll.
    let mut settings = crate::helpers::ace_settings(&fake);
    settings.poll_interval = Duration::from_secs(3600);
    let app = TestApp::spawn_with_ace_settings(settings).await;
    let account = "585858585858";
    let invitation = fake.invite(account, "Proseware", "Backup to S3");
    let (partner, _) = connected_partner(&app, &fake, account).await;
    let r = wait_referral(&app, &partner, &invitation, "the referral", |_| true).await;
    fake.expire(&invitation);
    let opportunity = accept(&app, &partner, r["id"].as_str().unwrap())
        .await
        .data()["acceptReferral"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let failed = wait_referral(&app, &partner, &invitation, "the failed task", |r| {
        r["aceSync"]["status"] == "FAILED"
    })
    .await;
    assert_eq!(
        failed["aceSync"]["errors"][0]["code"],
        "InvitationValidationFailed"
    );
    assert!(
        failed["aceSync"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("EXPIRED")
    );
    // The local opportunity stays, not linked to ACE.
    assert_eq!(
        state(&app, &opportunity).await["aceSync"]["status"],
        "NOT_SHARED"
    );
}

#[tokio::test]
async fn an_accept_task_that_never_ends_is_failed_in_the_end() {
    let fake = FakeAce::start().await;
    let mut settings = crate::helpers::ace_settings(&fake);
    settings.accept_task_timeout = Duration::from_secs(1);
    let app = TestApp::spawn_with_ace_settings(settings).await;
    let account = "595959595950";
    let (partner, _) = connected_partner(&app, &fake, account).await;
    let invitation = fake.invite(account, "Woodgrove", "Fraud analytics");
    let r = wait_referral(&app, &partner, &invitation, "the referral", |_| true).await;
    fake.hold_tasks(true);
    accept(&app, &partner, r["id"].as_str().unwrap())
        .await
        .data();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let failed = loop {
        let now = referral_of(&app, &app.partner_admin(&partner), &partner, &invitation)
            .await
            .unwrap();
        if now["aceSync"]["status"] == "FAILED" {
            break now;
        }
        assert!(tokio::time::Instant::now() < deadline, "still {now:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(failed["aceSync"]["errors"][0]["code"], "TaskTimedOut");
    // It looked again and again meanwhile (how often depends on the machine's load: a
    // loaded CI machine managed five looks in the second).
    let looks = fake
        .calls()
        .iter()
        .filter(|c| c.operation == "ListEngagementByAcceptingInvitationTasks")
        .count();
    assert!(looks >= 3, "{looks} looks");
    // One task only: the job looked, it did not start others.
    assert_eq!(fake.tasks().len(), 1);
}
