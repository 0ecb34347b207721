//! The outbox: work for ACE written in the same transaction as the change that causes it, so
//! a crash never loses it or sends half of it, and a refused change sends nothing.
use super::status;
use crate::error::AppResult;
use entity::{ace_job, ace_sync, opportunity};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

pub const WAITING: &str = "WAITING";
pub const DONE: &str = "DONE";
pub const FAILED: &str = "FAILED";

/// What a job does. SUBMIT shares the opportunity (create or update, associations, submit);
/// UPDATE sends its latest state and associations; ACCEPT and REJECT answer an ACE referral's
/// invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Submit,
    Update,
    Accept,
    Reject,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Submit => "SUBMIT",
            JobKind::Update => "UPDATE",
            JobKind::Accept => "ACCEPT",
            JobKind::Reject => "REJECT",
        }
    }

    pub fn parse(s: &str) -> Option<JobKind> {
        match s {
            "SUBMIT" => Some(JobKind::Submit),
            "UPDATE" => Some(JobKind::Update),
            "ACCEPT" => Some(JobKind::Accept),
            "REJECT" => Some(JobKind::Reject),
            _ => None,
        }
    }
}

/// Queues `kind` for the opportunity when its partner is connected to ACE. An UPDATE of an
/// opportunity that was never shared queues nothing (nothing leaves cosell before submit).
/// Changes waiting for one opportunity coalesce into one job: it sends the latest state.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    o: &opportunity::Model,
    kind: JobKind,
) -> AppResult<()> {
    if super::live_connection(db, &o.partner_id).await?.is_none() {
        return Ok(());
    }
    let sync = ace_sync::Entity::find_by_id(o.id.clone()).one(db).await?;
    if kind == JobKind::Update && sync.is_none() {
        return Ok(());
    }
    let now = crate::domain::now();
    let waiting = ace_job::Entity::find()
        .filter(ace_job::Column::SubjectId.eq(&o.id))
        .filter(ace_job::Column::State.eq(WAITING))
        .order_by_desc(ace_job::Column::Id)
        .one(db)
        .await?;
    match waiting {
        // Not started yet: it will read the latest state when it runs.
        Some(job) if job.step.is_none() => {
            if kind == JobKind::Submit && job.kind != JobKind::Submit.as_str() {
                let mut job = job.into_active_model();
                job.kind = Set(kind.as_str().into());
                job.updated_at = Set(now);
                job.update(db).await?;
            }
        }
        _ => insert_job(db, &o.partner_id, kind, &o.id).await?,
    }
    match sync {
        Some(row) => {
            let mut row = row.into_active_model();
            row.status = Set(status::PENDING.into());
            row.attempts = Set(0);
            row.next_attempt_at = Set(Some(now));
            row.updated_at = Set(now);
            row.update(db).await?;
        }
        None => {
            super::new_sync_row(&o.id, &o.partner_id, status::PENDING)
                .insert(db)
                .await?;
        }
    }
    Ok(())
}

/// A new WAITING job, due now. Its id (a UUID v7) orders the partner's jobs.
pub async fn insert_job<C: ConnectionTrait>(
    db: &C,
    partner_id: &str,
    kind: JobKind,
    subject_id: &str,
) -> AppResult<()> {
    let now = crate::domain::now();
    ace_job::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        partner_id: Set(partner_id.to_string()),
        kind: Set(kind.as_str().into()),
        subject_id: Set(subject_id.to_string()),
        state: Set(WAITING.into()),
        step: Set(None),
        payload: Set(None),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Queues an UPDATE for every shared opportunity of a customer whose fields (part of ACE's
/// opportunity body) changed.
pub async fn enqueue_for_customer<C: ConnectionTrait>(db: &C, customer_id: &str) -> AppResult<()> {
    let opportunities = opportunity::Entity::find()
        .filter(opportunity::Column::CustomerId.eq(customer_id))
        .all(db)
        .await?;
    if opportunities.is_empty() {
        return Ok(());
    }
    let shared: std::collections::HashSet<String> = ace_sync::Entity::find()
        .filter(ace_sync::Column::SubjectId.is_in(opportunities.iter().map(|o| o.id.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.subject_id)
        .collect();
    for o in opportunities.iter().filter(|o| shared.contains(&o.id)) {
        enqueue(db, o, JobKind::Update).await?;
    }
    Ok(())
}

/// `retryAceSync`: queues the opportunity again after FAILED or CONFLICT. A submission that
/// never reached ACE's review is submitted again; anything else sends the latest state.
pub async fn retry(
    db: &sea_orm::DatabaseConnection,
    viewer: &crate::auth::Viewer,
    opportunity_id: &str,
) -> AppResult<opportunity::Model> {
    use crate::error::AppError;
    let txn = crate::db::begin_write(db).await?;
    let o = crate::data::opportunities::find(&txn, viewer, opportunity_id)
        .await?
        .ok_or(AppError::NotFound("opportunity"))?;
    crate::auth::policy::edit_partner_data(viewer, &o.partner_id)?;
    if super::live_connection(&txn, &o.partner_id).await?.is_none() {
        return Err(AppError::invalid_state(
            "aceSync",
            "the partner is not connected to ACE",
        ));
    }
    let sync = ace_sync::Entity::find_by_id(o.id.clone())
        .one(&txn)
        .await?
        .filter(|s| s.status == status::FAILED || s.status == status::CONFLICT)
        .ok_or_else(|| {
            AppError::invalid_state("aceSync", "only a FAILED or CONFLICT sync can be retried")
        })?;
    let submitted = ace_job::Entity::find()
        .filter(ace_job::Column::SubjectId.eq(&o.id))
        .order_by_desc(ace_job::Column::Id)
        .one(&txn)
        .await?
        .is_some_and(|j| j.kind == JobKind::Submit.as_str());
    let kind = if submitted && (sync.base.is_none() || o.review_status == "Submitted") {
        JobKind::Submit
    } else {
        JobKind::Update
    };
    enqueue(&txn, &o, kind).await?;
    txn.commit().await?;
    Ok(o)
}
