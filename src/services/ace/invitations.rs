//! Referrals from ACE (docs/ace-sync.md, "Referrals from ACE engagement invitations"): new
//! invitations become PENDING referrals, answers given in Partner Central are mirrored, and a
//! partner's answer in cosell goes to ACE through the outbox (ACCEPT and REJECT jobs).
use super::fields::{changed_paths, partner_view, text};
use super::outbox::JobKind;
use super::share::{Outcome, outcome_of};
use super::{ace_viewer, apply, status};
use crate::ace::{AceClient, AceError, AceFieldError, AceInvitation};
use crate::domain::enums::{
    AwsAdoption, ChangeAction, Industry, ReferralStatus, SegmentCode, StoredEnum,
};
use crate::domain::ids::IdKind;
use crate::error::{AppError, AppResult};
use crate::services::customers;
use crate::services::history::Diff;
use crate::services::referrals::ReferralContact;
use entity::{ace_connection, ace_job, ace_sync, customer, opportunity, partner_segment, referral};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub const TASK_STEP: &str = "TASK";

/// The accept task's client token: a repeated start returns the same task.
pub fn accept_token(referral_id: &str) -> String {
    format!("cosell-{referral_id}")
}

/// One poll of the partner's invitations. ACE errors are returned for the connection's
/// `lastError`.
pub async fn poll(
    db: &DatabaseConnection,
    client: &AceClient,
    connection: &ace_connection::Model,
) -> AppResult<Result<(), AceError>> {
    let invitations = match client.invitations().await {
        Ok(list) => list,
        Err(e) => return Ok(Err(e)),
    };
    let now = crate::domain::now();
    // ACE lists every invitation each time, answered ones included: their referrals are read
    // in one statement, not one per invitation.
    let mut known: std::collections::HashMap<String, referral::Model> = referral::Entity::find()
        .filter(referral::Column::PartnerId.eq(&connection.partner_id))
        .filter(referral::Column::AceInvitationId.is_in(invitations.iter().map(|i| i.id.clone())))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| r.ace_invitation_id.clone().map(|id| (id, r)))
        .collect();
    for summary in invitations {
        match known.remove(&summary.id) {
            None if summary.status == "PENDING" && summary.expires_at.is_none_or(|e| e > now) => {
                let invitation = match client.invitation(&summary.id).await {
                    Ok(i) => i,
                    Err(e) => return Ok(Err(e)),
                };
                if let Err(err) = record(db, &connection.partner_id, &invitation).await {
                    // One unreadable invitation must not stop the others.
                    tracing::warn!(error = ?err, "an ACE invitation could not become a referral");
                }
            }
            Some(r) if r.status == ReferralStatus::Pending.as_str() => {
                let reason = if summary.status == "REJECTED" {
                    match client.invitation(&summary.id).await {
                        Ok(i) => i.rejection_reason,
                        Err(e) => return Ok(Err(e)),
                    }
                } else {
                    None
                };
                mirror(db, &r, &summary.status, summary.expires_at, reason).await?;
            }
            _ => {}
        }
    }
    Ok(Ok(()))
}

/// The segment and AWS adoption ACE's invitation does not carry: those of the partner's
/// customer of the same name, else the partner's first declared segment, as ENGAGED (AWS
/// already works with the customer it refers).
async fn segment_for<C: ConnectionTrait>(
    db: &C,
    partner_id: &str,
    company_name: &str,
) -> AppResult<(String, String)> {
    if let Some(c) = crate::data::customers::by_company_name(db, partner_id, company_name).await? {
        return Ok((c.segment_code, c.aws_adoption));
    }
    let declared = partner_segment::Entity::find()
        .filter(partner_segment::Column::PartnerId.eq(partner_id))
        .order_by_asc(partner_segment::Column::SegmentCode)
        .one(db)
        .await?
        .map(|s| s.segment_code);
    Ok((
        declared.unwrap_or_else(|| SegmentCode::Smb.as_str().into()),
        AwsAdoption::Engaged.as_str().into(),
    ))
}

/// A new invitation as a PENDING referral, without the contacts and address ACE withholds.
async fn record(db: &DatabaseConnection, partner_id: &str, inv: &AceInvitation) -> AppResult<()> {
    let payload = inv
        .payload
        .clone()
        .ok_or_else(|| AppError::internal("invitation without an opportunity payload"))?;
    let field = |path: &str| {
        text(&payload, path).ok_or_else(|| AppError::internal(format!("invitation without {path}")))
    };
    let company_name = field("Customer.CompanyName")?;
    let industry = Industry::parse(&field("Customer.Industry")?)
        .ok_or_else(|| AppError::internal("invitation with an unknown industry"))?;
    let title = field("Project.Title")?;
    let target =
        chrono::NaiveDate::parse_from_str(&field("Project.TargetCompletionDate")?, "%Y-%m-%d")
            .map_err(|_| AppError::internal("invitation with an unreadable target date"))?;
    let now = crate::domain::now();
    let spend = super::fields::monthly_spend(&payload);
    let txn = crate::db::begin_write(db).await?;
    let (segment, adoption) = segment_for(&txn, partner_id, &company_name).await?;
    let model = referral::ActiveModel {
        id: Set(IdKind::Referral.new_id()),
        partner_id: Set(partner_id.to_string()),
        status: Set(ReferralStatus::Pending.as_str().into()),
        sender_subject: Set(super::ACE_ACTOR.into()),
        sender_name: Set(inv
            .sender_company_name
            .clone()
            .unwrap_or_else(|| "AWS".into())),
        message: Set(inv.message.clone().unwrap_or_default()),
        company_name: Set(company_name),
        industry: Set(industry.as_str().into()),
        website_url: Set(text(&payload, "Customer.WebsiteUrl").unwrap_or_default()),
        country_code: Set(text(&payload, "Customer.CountryCode").unwrap_or_default()),
        segment_code: Set(segment),
        aws_adoption: Set(adoption),
        postal_code: Set(None),
        state_or_region: Set(None),
        city: Set(None),
        street_address: Set(None),
        customer_contacts: Set(json!([])),
        project_title: Set(title.clone()),
        business_problem: Set(text(&payload, "Project.BusinessProblem").unwrap_or_default()),
        target_completion_date: Set(target),
        expected_monthly_spend_cents: Set(spend.map(|m| m.cents)),
        expected_monthly_spend_currency: Set(spend.map(|m| m.currency_code.as_str().into())),
        expires_at: Set(inv.expires_at.unwrap_or(
            now + chrono::Duration::days(crate::services::referrals::DEFAULT_EXPIRY_DAYS),
        )),
        rejection_reason: Set(None),
        opportunity_id: Set(None),
        ace_invitation_id: Set(Some(inv.id.clone())),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    sync_row(&txn, &model.id, partner_id, status::SYNCED).await?;
    let mut diff = Diff::default();
    diff.field("projectTitle", &None, &Some(title));
    diff.field("status", &None, &Some(ReferralStatus::Pending.as_str()));
    diff.field("aceInvitationId", &None, &Some(inv.id.as_str()));
    diff.record(
        &txn,
        &ace_viewer(),
        partner_id,
        ("Referral", &model.id),
        ChangeAction::Created,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets (or creates) the referral's sync row at `to`.
async fn sync_row<C: ConnectionTrait>(
    db: &C,
    referral_id: &str,
    partner_id: &str,
    to: &str,
) -> AppResult<()> {
    let now = crate::domain::now();
    match ace_sync::Entity::find_by_id(referral_id.to_string())
        .one(db)
        .await?
    {
        Some(row) => {
            let mut row = row.into_active_model();
            row.status = Set(to.into());
            row.attempts = Set(0);
            row.errors = Set(json!([]));
            row.next_attempt_at = Set((to == status::PENDING).then_some(now));
            row.updated_at = Set(now);
            row.update(db).await?;
        }
        None => {
            super::new_sync_row(referral_id, partner_id, to)
                .insert(db)
                .await?;
        }
    }
    Ok(())
}

/// An answer given in Partner Central (or ACE's expiry), taken into a still-pending referral.
/// EXPIRED is not stored: the referral's `expiresAt` moves to now, so it reads EXPIRED.
async fn mirror(
    db: &DatabaseConnection,
    r: &referral::Model,
    ace_status: &str,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    reason: Option<String>,
) -> AppResult<()> {
    let now = crate::domain::now();
    let mut m = r.clone().into_active_model();
    let mut diff = Diff::default();
    let action = match ace_status {
        "ACCEPTED" => {
            diff.field("status", &r.status.as_str(), &"ACCEPTED");
            m.status = Set(ReferralStatus::Accepted.as_str().into());
            ChangeAction::Accepted
        }
        "REJECTED" => {
            diff.field("status", &r.status.as_str(), &"REJECTED");
            diff.field("rejectionReason", &r.rejection_reason, &reason);
            m.status = Set(ReferralStatus::Rejected.as_str().into());
            m.rejection_reason = Set(reason);
            ChangeAction::Rejected
        }
        "EXPIRED" if r.expires_at > now => {
            diff.field("expiresAt", &r.expires_at, &now);
            m.expires_at = Set(now);
            ChangeAction::Updated
        }
        "PENDING" => match expires_at {
            Some(at) if at != r.expires_at => {
                diff.field("expiresAt", &r.expires_at, &at);
                m.expires_at = Set(at);
                ChangeAction::Updated
            }
            _ => return Ok(()),
        },
        _ => return Ok(()),
    };
    let txn = crate::db::begin_write(db).await?;
    m.updated_at = Set(now);
    m.update(&txn).await?;
    diff.record(
        &txn,
        &ace_viewer(),
        &r.partner_id,
        ("Referral", &r.id),
        action,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Queues the partner's answer to an ACE referral (in the answer's own transaction). A
/// referral from ACE can be answered only while the partner is connected: ACE must hear it.
pub async fn enqueue_answer<C: ConnectionTrait>(
    db: &C,
    r: &referral::Model,
    kind: JobKind,
) -> AppResult<()> {
    if super::live_connection(db, &r.partner_id).await?.is_none() {
        return Err(AppError::invalid_state(
            "id",
            "this referral came from ACE and the partner is no longer connected to ACE",
        ));
    }
    super::outbox::insert_job(db, &r.partner_id, kind, &r.id).await?;
    sync_row(db, &r.id, &r.partner_id, status::PENDING).await
}

/// Runs an ACCEPT or REJECT job.
pub async fn run(
    db: &DatabaseConnection,
    client: &AceClient,
    settings: &crate::ace::AceSettings,
    job: &ace_job::Model,
    kind: JobKind,
) -> AppResult<Outcome> {
    let Some(r) = referral::Entity::find_by_id(job.subject_id.clone())
        .one(db)
        .await?
    else {
        return Ok(Outcome::Done);
    };
    let Some(invitation) = r.ace_invitation_id.clone() else {
        return Ok(Outcome::Done);
    };
    if kind == JobKind::Reject {
        let reason = r.rejection_reason.clone().unwrap_or_default();
        return Ok(match client.reject_invitation(&invitation, &reason).await {
            Ok(()) => Outcome::Done,
            Err(e) => outcome_of(e),
        });
    }
    let started_at = |payload: &Value| {
        text(payload, "StartedAt")
            .and_then(|at| chrono::DateTime::parse_from_rfc3339(&at).ok())
            .map(|at| at.with_timezone(&chrono::Utc))
    };
    let (task_id, started) = match job
        .payload
        .as_ref()
        .and_then(|p| Some((text(p, "TaskId")?, started_at(p))))
    {
        Some((id, at)) => (id, at.unwrap_or_else(crate::domain::now)),
        None => match client
            .accept_invitation(&accept_token(&r.id), &invitation)
            .await
        {
            Ok(task) => {
                let now = crate::domain::now();
                let mut m = job.clone().into_active_model();
                m.payload = Set(Some(
                    json!({ "TaskId": task.id, "StartedAt": now.to_rfc3339() }),
                ));
                m.step = Set(Some(TASK_STEP.into()));
                m.updated_at = Set(now);
                m.update(db).await?;
                (task.id, now)
            }
            Err(e) => return Ok(outcome_of(e)),
        },
    };
    let task = match client.accept_task(&task_id).await {
        Ok(Some(task)) => task,
        // Not listed yet: ACE's tasks are eventually consistent.
        Ok(None) => return Ok(still_running(settings, started, &task_id)),
        Err(e) => return Ok(outcome_of(e)),
    };
    match (task.status.as_str(), task.opportunity_id) {
        ("COMPLETE", Some(ace_id)) => match link(db, client, &r, &ace_id).await? {
            Ok(()) => Ok(Outcome::Done),
            Err(e) => Ok(outcome_of(e)),
        },
        ("FAILED", _) | ("COMPLETE", None) => Ok(Outcome::Failed(vec![AceFieldError {
            ace_field: None,
            code: task.reason_code.unwrap_or_else(|| "TaskFailed".into()),
            message: task
                .message
                .unwrap_or_else(|| "ACE could not accept the invitation".into()),
        }])),
        _ => Ok(still_running(settings, started, &task_id)),
    }
}

/// The task is still running: wait and look again, or give up once it has run longer than
/// `accept_task_timeout` (ten minutes by default, where ACE's tasks take seconds: the job
/// waits meanwhile and the partner's later jobs queue behind it, so the wait must end).
fn still_running(
    settings: &crate::ace::AceSettings,
    started: chrono::DateTime<chrono::Utc>,
    task_id: &str,
) -> Outcome {
    let now = crate::domain::now();
    let timeout = chrono::Duration::from_std(settings.accept_task_timeout).unwrap_or_default();
    if now - started > timeout {
        return Outcome::Failed(vec![AceFieldError {
            ace_field: None,
            code: "TaskTimedOut".into(),
            message: format!(
                "ACE's accept task {task_id} was still running {} s after it started",
                (now - started).num_seconds()
            ),
        }]);
    }
    Outcome::Wait
}

/// The accepted referral's opportunity, linked to the one ACE created: its sync row, the
/// customer's details ACE now shows (contacts, address), and ACE's fields and review.
async fn link(
    db: &DatabaseConnection,
    client: &AceClient,
    r: &referral::Model,
    ace_id: &str,
) -> AppResult<Result<(), AceError>> {
    let ace = match client.opportunity(ace_id).await {
        Ok(ace) => ace,
        Err(e) => return Ok(Err(e)),
    };
    let Some(o) = (match &r.opportunity_id {
        Some(id) => opportunity::Entity::find_by_id(id.clone()).one(db).await?,
        None => None,
    }) else {
        return Ok(Ok(()));
    };
    let txn = crate::db::begin_write(db).await?;
    let mut linked = super::new_sync_row(&o.id, &o.partner_id, status::SYNCED);
    linked.ace_opportunity_id = Set(Some(ace_id.to_string()));
    linked.arn = Set(ace.arn.clone());
    linked.ace_last_modified_date = Set(ace.last_modified);
    linked.base = Set(Some(partner_view(&ace.body)));
    if ace_sync::Entity::find_by_id(o.id.clone())
        .one(&txn)
        .await?
        .is_none()
    {
        linked.insert(&txn).await?;
    }
    reveal(&txn, r, &o, &ace.body).await?;
    txn.commit().await?;
    // ACE's fields, where cosell can take them (the rest is sent back with the next change).
    let ours = super::share::body_of(db, &o).await?;
    let mut paths = changed_paths(&partner_view(&ours), &partner_view(&ace.body));
    for _ in 0..2 {
        let refused: BTreeSet<String> = apply::ace_fields(db, &o, &ace, &paths)
            .await?
            .into_iter()
            .collect();
        if refused.is_empty() {
            break;
        }
        paths = paths.difference(&refused).cloned().collect();
    }
    Ok(Ok(()))
}

/// What ACE withheld until acceptance: the customer's contacts and address, on the referral
/// and on the customer (contacts it does not have yet, address parts it lacks).
async fn reveal(
    txn: &sea_orm::DatabaseTransaction,
    r: &referral::Model,
    o: &opportunity::Model,
    body: &Value,
) -> AppResult<()> {
    let contacts = super::fields::contacts(body);
    let address = |part: &str| text(body, &format!("Customer.Account.Address.{part}"));
    let known = crate::data::customers::contact_emails(txn, &o.customer_id).await?;
    let mut on_referral = Vec::new();
    for fields in contacts {
        let id = IdKind::Contact.new_id();
        if !fields.email.as_ref().is_some_and(|e| known.contains(e)) {
            customers::insert_contact(txn, &o.customer_id, id.clone(), fields.clone()).await?;
        }
        on_referral.push(ReferralContact { id, fields });
    }
    if let Some(c) = customer::Entity::find_by_id(o.customer_id.clone())
        .one(txn)
        .await?
    {
        let mut cm = c.clone().into_active_model();
        let mut changed = false;
        for (current, part, column) in [
            (&c.city, "City", &mut cm.city),
            (&c.postal_code, "PostalCode", &mut cm.postal_code),
            (&c.state_or_region, "StateOrRegion", &mut cm.state_or_region),
            (&c.street_address, "StreetAddress", &mut cm.street_address),
        ] {
            if current.is_none()
                && let Some(v) = address(part)
            {
                *column = Set(Some(v));
                changed = true;
            }
        }
        if changed {
            cm.updated_at = Set(crate::domain::now());
            cm.update(txn).await?;
        }
    }
    let mut m = r.clone().into_active_model();
    let mut diff = Diff::default();
    diff.field("customerContacts", &0, &on_referral.len());
    m.customer_contacts = Set(json!(on_referral));
    m.city = Set(address("City"));
    m.postal_code = Set(address("PostalCode"));
    m.state_or_region = Set(address("StateOrRegion"));
    m.street_address = Set(address("StreetAddress"));
    m.updated_at = Set(crate::domain::now());
    m.update(txn).await?;
    diff.record(
        txn,
        &ace_viewer(),
        &r.partner_id,
        ("Referral", &r.id),
        ChangeAction::Updated,
    )
    .await?;
    Ok(())
}
