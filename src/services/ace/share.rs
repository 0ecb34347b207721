//! Running one outbox job against ACE (docs/ace-sync.md, "Out"). Each step records that it is
//! done in its own short transaction, so a crash resumes at the step that did not finish, and
//! retried writes replay rather than duplicate (CreateOpportunity's client token).
use super::fields::{changed_paths, cosell_field, overlapping, partner_view};
use super::outbox::{self, JobKind};
use super::{apply, status};
use crate::ace::{AceClient, AceError, AceFieldError, Relation};
use crate::error::{AppError, AppResult};
use entity::{ace_job, ace_sync, contact, customer, opportunity, solution};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Attempts of a retryable failure (throttling, server errors) before the job is FAILED.
pub const MAX_ATTEMPTS: i32 = 10;

pub mod step {
    pub const ASSOCIATE: &str = "ASSOCIATE";
    pub const SUBMIT: &str = "SUBMIT";
    pub const REFRESH: &str = "REFRESH";
}

/// The stable CreateOpportunity client token of an opportunity: a retry replays.
pub fn client_token(opportunity_id: &str) -> String {
    format!("cosell-{opportunity_id}")
}

/// The ACE body of an opportunity now: the same mapping as `aceCreateOpportunityPayload`.
pub async fn body_of(db: &DatabaseConnection, o: &opportunity::Model) -> AppResult<Value> {
    let c = customer::Entity::find_by_id(o.customer_id.clone())
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("opportunity without customer"))?;
    let contacts = contact::Entity::find()
        .filter(contact::Column::CustomerId.eq(&c.id))
        .order_by_asc(contact::Column::CreatedAt)
        .order_by_asc(contact::Column::Id)
        .all(db)
        .await?;
    let needs = crate::services::opportunities::fields::needs_of(db, &o.id).await?;
    Ok(crate::services::opportunities::ace::create_payload(
        o, &c, &contacts, needs,
    ))
}

type Associations = BTreeMap<Relation, BTreeSet<String>>;

/// What the opportunity should be associated with in ACE: its solutions known to ACE, its AWS
/// products and its Marketplace offer.
async fn desired_associations(
    db: &DatabaseConnection,
    o: &opportunity::Model,
) -> AppResult<Associations> {
    let solution_ids = crate::data::opportunities::solution_ids_of(db, &o.id).await?;
    let solutions: BTreeSet<String> = solution::Entity::find()
        .filter(solution::Column::Id.is_in(solution_ids))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|s| s.ace_solution_id)
        .collect();
    let products: BTreeSet<String> =
        crate::domain::stored::json::<Vec<String>>(&o.aws_products, "aws products")?
            .into_iter()
            .collect();
    let offers: BTreeSet<String> = o.aws_marketplace_offer_arn.iter().cloned().collect();
    Ok(BTreeMap::from([
        (Relation::Solutions, solutions),
        (Relation::AwsProducts, products),
        (Relation::AwsMarketplaceOffers, offers),
    ]))
}

fn associations_of(v: Option<&Value>) -> Associations {
    let mut out = Associations::new();
    for relation in Relation::ALL {
        let set = v
            .and_then(|v| v.get(relation.as_str()))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        out.insert(relation, set);
    }
    out
}

fn associations_json(a: &Associations) -> Value {
    Value::Object(
        a.iter()
            .map(|(k, v)| (k.as_str().to_string(), json!(v)))
            .collect(),
    )
}

/// How a job ended this time.
pub enum Outcome {
    Done,
    /// Try again after a back-off (throttling, server errors, ACE unreachable).
    Retry(AceError),
    /// ACE refused it; the partner fixes and changes the opportunity, or calls retryAceSync.
    Failed(Vec<AceFieldError>),
    Conflict(Vec<String>),
    /// ACE is still working on it (an accept task): look again shortly, no attempt counted.
    Wait,
}

pub async fn run(
    db: &DatabaseConnection,
    client: &AceClient,
    settings: &crate::ace::AceSettings,
    job: &ace_job::Model,
) -> AppResult<Outcome> {
    let Some(kind) = JobKind::parse(&job.kind) else {
        return Err(AppError::internal("unknown job kind"));
    };
    if matches!(kind, JobKind::Accept | JobKind::Reject) {
        return super::invitations::run(db, client, settings, job, kind).await;
    }
    let Some(o) = opportunity::Entity::find_by_id(job.subject_id.clone())
        .one(db)
        .await?
    else {
        return Ok(Outcome::Done);
    };
    match steps(db, client, job, kind, &o).await {
        Ok(outcome) => Ok(outcome),
        Err(Step::Ace(err)) => Ok(outcome_of(err)),
        Err(Step::App(err)) => Err(err),
    }
}

/// What an ACE failure makes of a job: retried later, or FAILED with ACE's field errors.
pub fn outcome_of(err: AceError) -> Outcome {
    match err {
        e if e.retryable() => Outcome::Retry(e),
        AceError::Validation { errors, message } => Outcome::Failed(if errors.is_empty() {
            vec![AceFieldError {
                ace_field: None,
                code: "VALIDATION_FAILED".into(),
                message,
            }]
        } else {
            errors
        }),
        other => Outcome::Failed(vec![AceFieldError {
            ace_field: None,
            code: error_code(&other).into(),
            message: other.to_string(),
        }]),
    }
}

pub fn error_code(err: &AceError) -> &'static str {
    match err {
        AceError::Throttled(_) => "ThrottlingException",
        AceError::Unavailable(_) => "InternalServerException",
        AceError::Validation { .. } => "ValidationException",
        AceError::Conflict(_) => "ConflictException",
        AceError::NotFound(_) => "ResourceNotFoundException",
        AceError::AccessDenied(_) => "AccessDeniedException",
        AceError::Other(_) => "UnknownError",
    }
}

enum Step {
    Ace(AceError),
    App(AppError),
}

impl From<AceError> for Step {
    fn from(e: AceError) -> Self {
        Step::Ace(e)
    }
}

impl From<AppError> for Step {
    fn from(e: AppError) -> Self {
        Step::App(e)
    }
}

impl From<sea_orm::DbErr> for Step {
    fn from(e: sea_orm::DbErr) -> Self {
        Step::App(e.into())
    }
}

async fn sync_row(db: &DatabaseConnection, id: &str) -> AppResult<ace_sync::Model> {
    ace_sync::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("job without sync row"))
}

async fn set_step(db: &DatabaseConnection, job: &ace_job::Model, step: &str) -> AppResult<()> {
    let mut m = job.clone().into_active_model();
    m.step = Set(Some(step.into()));
    m.updated_at = Set(crate::domain::now());
    m.update(db).await?;
    Ok(())
}

async fn steps(
    db: &DatabaseConnection,
    client: &AceClient,
    job: &ace_job::Model,
    kind: JobKind,
    o: &opportunity::Model,
) -> Result<Outcome, Step> {
    let mut job = ace_job::Entity::find_by_id(job.id.clone())
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("job vanished"))?;
    let mut sync = sync_row(db, &o.id).await?;
    // 1. The opportunity's fields.
    if job.step.is_none() {
        match sync.ace_opportunity_id.clone() {
            None => {
                // The body is fixed at the first attempt, so that every retry sends the same
                // body with the same client token and ACE replays instead of refusing.
                let body = match &job.payload {
                    Some(body) => body.clone(),
                    None => {
                        let body = body_of(db, o).await?;
                        let mut m = job.clone().into_active_model();
                        m.payload = Set(Some(body.clone()));
                        job = m.update(db).await?;
                        body
                    }
                };
                let written = client
                    .create_opportunity(&client_token(&o.id), &body)
                    .await?;
                let mut m = sync.clone().into_active_model();
                m.ace_opportunity_id = Set(Some(written.id));
                m.ace_last_modified_date = Set(written.last_modified);
                m.base = Set(Some(partner_view(&body)));
                m.associations = Set(Some(associations_json(&Associations::new())));
                m.updated_at = Set(crate::domain::now());
                sync = m.update(db).await?;
            }
            Some(ace_id) => {
                if let Some(conflict) = send_update(db, client, o, &ace_id).await? {
                    return Ok(conflict);
                }
                sync = sync_row(db, &o.id).await?;
            }
        }
        set_step(db, &job, step::ASSOCIATE).await?;
        job.step = Some(step::ASSOCIATE.into());
    }
    let ace_id = sync
        .ace_opportunity_id
        .clone()
        .ok_or_else(|| AppError::internal("no ACE id after the write step"))?;
    // 2. Associations: new ones first (ACE needs a solution to remain), then removals. Each
    // is recorded as it succeeds.
    if job.step.as_deref() == Some(step::ASSOCIATE) {
        let desired = desired_associations(db, o).await?;
        let mut current = associations_of(sync.associations.as_ref());
        for remove in [false, true] {
            for relation in Relation::ALL {
                let want = desired.get(&relation).cloned().unwrap_or_default();
                let have = current.get(&relation).cloned().unwrap_or_default();
                let todo: Vec<String> = if remove {
                    have.difference(&want).cloned().collect()
                } else {
                    want.difference(&have).cloned().collect()
                };
                for target in todo {
                    if remove {
                        match client.disassociate(&ace_id, relation, &target).await {
                            Ok(()) | Err(AceError::NotFound(_)) => {}
                            Err(e) => return Err(e.into()),
                        }
                        current.entry(relation).or_default().remove(&target);
                    } else {
                        client.associate(&ace_id, relation, &target).await?;
                        current.entry(relation).or_default().insert(target);
                    }
                    let mut m = sync.clone().into_active_model();
                    m.associations = Set(Some(associations_json(&current)));
                    sync = m.update(db).await?;
                }
            }
        }
        let next = if kind == JobKind::Submit {
            step::SUBMIT
        } else {
            step::REFRESH
        };
        set_step(db, &job, next).await?;
        job.step = Some(next.into());
    }
    // 3. Submission for AWS review.
    if job.step.as_deref() == Some(step::SUBMIT) {
        let involvement = o
            .involvement_type
            .clone()
            .unwrap_or_else(|| "Co-Sell".into());
        match client.submit(&ace_id, &involvement).await {
            Ok(()) => {}
            // Submitted before a crash: ACE's review status says so.
            Err(AceError::Conflict(_)) => {
                let now = client.opportunity(&ace_id).await?;
                let review = super::fields::at(&now.body, "LifeCycle.ReviewStatus")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                if matches!(review.as_str(), "Pending Submission" | "Action Required") {
                    return Err(AceError::Conflict(format!(
                        "ACE refused the submission in review status {review}"
                    ))
                    .into());
                }
            }
            Err(e) => return Err(e.into()),
        }
        set_step(db, &job, step::REFRESH).await?;
    }
    // 4. ACE's state after the job: the base of the next comparison.
    let now = client.opportunity(&ace_id).await?;
    let mut m = sync_row(db, &o.id).await?.into_active_model();
    m.arn = Set(now.arn.clone());
    m.ace_last_modified_date = Set(now.last_modified);
    m.base = Set(Some(partner_view(&now.body)));
    m.associations = Set(Some(associations_json(&associations_of(
        now.body.get("RelatedEntityIdentifiers"),
    ))));
    m.update(db).await?;
    Ok(Outcome::Done)
}

/// UpdateOpportunity with the stored LastModifiedDate. On ConflictException (changed in
/// Partner Central meanwhile) ACE's state is read: fields only ACE changed are taken into
/// cosell and the update is sent again; a field both sides changed is a CONFLICT.
async fn send_update(
    db: &DatabaseConnection,
    client: &AceClient,
    o: &opportunity::Model,
    ace_id: &str,
) -> Result<Option<Outcome>, Step> {
    for _ in 0..3 {
        let sync = sync_row(db, &o.id).await?;
        let o = opportunity::Entity::find_by_id(o.id.clone())
            .one(db)
            .await?
            .ok_or_else(|| AppError::internal("opportunity vanished"))?;
        let body = body_of(db, &o).await?;
        let base = sync.base.clone().unwrap_or(Value::Null);
        if partner_view(&body) == base {
            return Ok(None);
        }
        let Some(last_modified) = sync.ace_last_modified_date else {
            return Err(AppError::internal("shared opportunity without LastModifiedDate").into());
        };
        match client
            .update_opportunity(ace_id, last_modified, &body)
            .await
        {
            Ok(written) => {
                let mut m = sync.into_active_model();
                m.ace_last_modified_date = Set(written.last_modified);
                m.base = Set(Some(partner_view(&body)));
                m.update(db).await?;
                return Ok(None);
            }
            Err(AceError::Conflict(_)) => {
                let theirs_now = client.opportunity(ace_id).await?;
                let theirs = changed_paths(&base, &partner_view(&theirs_now.body));
                let ours = changed_paths(&base, &partner_view(&body));
                let both = overlapping(&theirs, &ours);
                if !both.is_empty() {
                    return Ok(Some(Outcome::Conflict(
                        both.iter().map(|p| cosell_field(p)).collect(),
                    )));
                }
                let refused = apply::ace_fields(db, &o, &theirs_now, &theirs).await?;
                if !refused.is_empty() {
                    return Ok(Some(Outcome::Conflict(
                        refused.iter().map(|p| cosell_field(p)).collect(),
                    )));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AceError::Conflict("the opportunity kept changing in ACE".into()).into())
}

/// Records how the job ended on the job and on the opportunity's sync state.
pub async fn finish(
    db: &DatabaseConnection,
    job: &ace_job::Model,
    outcome: Outcome,
    retry_base: Duration,
) -> AppResult<()> {
    let now = crate::domain::now();
    let txn = crate::db::begin_write(db).await?;
    let Some(job) = ace_job::Entity::find_by_id(job.id.clone())
        .one(&txn)
        .await?
    else {
        return Ok(());
    };
    let sync = ace_sync::Entity::find_by_id(job.subject_id.clone())
        .one(&txn)
        .await?;
    let attempts = job.attempts + 1;
    let mut j = job.clone().into_active_model();
    j.updated_at = Set(now);
    // Another job for the same opportunity still waiting decides the final status.
    let later_waiting = ace_job::Entity::find()
        .filter(ace_job::Column::SubjectId.eq(&job.subject_id))
        .filter(ace_job::Column::State.eq(outbox::WAITING))
        .filter(ace_job::Column::Id.ne(&job.id))
        .one(&txn)
        .await?
        .is_some();
    let (job_state, sync_status, errors, conflicts, next): (
        _,
        _,
        Vec<AceFieldError>,
        Vec<String>,
        _,
    ) = match outcome {
        Outcome::Done => (outbox::DONE, status::SYNCED, vec![], vec![], None),
        Outcome::Wait => {
            let at = now + chrono::Duration::from_std(retry_base).unwrap_or_default();
            j.next_attempt_at = Set(at);
            j.state = Set(outbox::WAITING.into());
            j.update(&txn).await?;
            txn.commit().await?;
            return Ok(());
        }
        Outcome::Retry(err) if attempts < MAX_ATTEMPTS => {
            let delay = backoff(retry_base, attempts);
            j.last_error = Set(Some(err.to_string()));
            j.attempts = Set(attempts);
            j.next_attempt_at = Set(now + delay);
            (
                outbox::WAITING,
                status::PENDING,
                vec![],
                vec![],
                Some(now + delay),
            )
        }
        Outcome::Retry(err) => (
            outbox::FAILED,
            status::FAILED,
            vec![AceFieldError {
                ace_field: None,
                code: error_code(&err).into(),
                message: format!("gave up after {attempts} attempts: {err}"),
            }],
            vec![],
            None,
        ),
        Outcome::Failed(errors) => (outbox::FAILED, status::FAILED, errors, vec![], None),
        Outcome::Conflict(fields) => (outbox::FAILED, status::CONFLICT, vec![], fields, None),
    };
    j.state = Set(job_state.into());
    j.attempts = Set(attempts);
    j.update(&txn).await?;
    if job_state == outbox::FAILED
        && job.kind == JobKind::Submit.as_str()
        && job.step.as_deref() != Some(step::REFRESH)
    {
        unsubmit(&txn, &job.subject_id).await?;
    }
    if let Some(sync) = sync {
        let before = sync.status.clone();
        let partner_id = sync.partner_id.clone();
        let mut s = sync.into_active_model();
        let after = if later_waiting && job_state != outbox::WAITING {
            status::PENDING
        } else {
            sync_status
        };
        s.status = Set(after.into());
        record_outcome(&txn, &job.subject_id, &partner_id, &before, after).await?;
        s.attempts = Set(attempts);
        s.next_attempt_at = Set(next);
        if job_state != outbox::WAITING {
            s.errors = Set(json!(
                errors
                    .iter()
                    .map(|e| json!({
                        "aceField": e.ace_field,
                        "field": e.ace_field.as_deref().map(cosell_field),
                        "code": e.code,
                        "message": e.message,
                    }))
                    .collect::<Vec<_>>()
            ));
            s.conflicting_fields = Set(json!(conflicts));
        }
        if sync_status == status::SYNCED {
            s.last_synced_at = Set(Some(now));
        }
        s.updated_at = Set(now);
        s.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A final sync status (SYNCED, FAILED, CONFLICT) reached is an event on the opportunity or
/// referral, so subscribers and webhooks learn ACE's answer.
pub(super) async fn record_outcome(
    txn: &crate::db::WriteTxn,
    subject_id: &str,
    partner_id: &str,
    before: &str,
    after: &str,
) -> AppResult<()> {
    use crate::domain::enums::ChangeAction;
    let action = match after {
        status::SYNCED => ChangeAction::AceSynced,
        status::FAILED => ChangeAction::AceSyncFailed,
        status::CONFLICT => ChangeAction::AceConflict,
        _ => return Ok(()),
    };
    let entity = match crate::domain::ids::IdKind::of(subject_id) {
        Some(crate::domain::ids::IdKind::Referral) => "Referral",
        _ => "Opportunity",
    };
    let mut diff = crate::services::history::Diff::default();
    diff.field("aceSync.status", &before, &after);
    diff.record(
        txn,
        &super::ace_viewer(),
        partner_id,
        (entity, subject_id),
        action,
    )
    .await
}

/// Exponential back-off with full jitter: a random wait up to base·2^attempt, capped at five
/// minutes, so many partners throttled together do not retry in step.
pub fn backoff(base: Duration, attempt: i32) -> chrono::Duration {
    let cap = Duration::from_secs(300);
    let ceiling = base.saturating_mul(1u32 << attempt.clamp(0, 16)).min(cap);
    let mut bytes = [0u8; 4];
    let fraction = if getrandom::fill(&mut bytes).is_ok() {
        f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX)
    } else {
        1.0
    };
    let wait = ceiling.mul_f64(0.5 + fraction / 2.0);
    chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::seconds(300))
}

/// A submission ACE refused never reached AWS's review: the opportunity goes back to
/// PENDING_SUBMISSION so the partner can fix it and submit again.
async fn unsubmit(txn: &sea_orm::DatabaseTransaction, opportunity_id: &str) -> AppResult<()> {
    use crate::domain::enums::{ChangeAction, ReviewStatus, StoredEnum};
    let Some(o) = opportunity::Entity::find_by_id(opportunity_id.to_string())
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    if o.review_status != ReviewStatus::Submitted.as_str() {
        return Ok(());
    }
    let mut diff = crate::services::history::Diff::default();
    let pending = ReviewStatus::PendingSubmission.as_str().to_string();
    diff.field("reviewStatus", &o.review_status, &pending);
    let partner_id = o.partner_id.clone();
    let mut m = o.clone().into_active_model();
    m.review_status = Set(pending);
    m.version = Set(o.version + 1);
    m.last_modified_at = Set(crate::domain::now());
    m.update(txn).await?;
    diff.record(
        txn,
        &super::ace_viewer(),
        &partner_id,
        ("Opportunity", opportunity_id),
        ChangeAction::Reviewed,
    )
    .await?;
    Ok(())
}
