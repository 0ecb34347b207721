//! Bringing ACE's side back (docs/ace-sync.md, "In"): every poll interval, the opportunities
//! changed in ACE since the partner's cursor, each read whole and taken into cosell. The
//! cursor moves only after a change is committed, so a crash repeats work instead of
//! skipping it; taking the same ACE state twice changes nothing.
use super::fields::{changed_paths, cosell_field, overlapping, partner_view};
use super::{apply, outbox, status};
use crate::ace::{AceClient, AceError};
use crate::error::{AppError, AppResult};
use entity::{ace_connection, ace_job, ace_sync, opportunity};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use serde_json::{Value, json};

/// One poll of one partner. ACE errors are returned for the connection's `lastError`.
pub async fn poll_partner(
    db: &DatabaseConnection,
    client: &AceClient,
    connection: &ace_connection::Model,
) -> AppResult<Result<(), AceError>> {
    // Invitations first: an opportunity made by accepting one in Partner Central then finds
    // its referral already ACCEPTED.
    if let Err(e) = super::invitations::poll(db, client, connection).await? {
        return Ok(Err(e));
    }
    let changed = match client.changed_since(connection.opportunity_cursor).await {
        Ok(changed) => changed,
        Err(e) => return Ok(Err(e)),
    };
    let mut in_flight: Option<bool> = None;
    for (ace_id, modified) in changed {
        let sync = ace_sync::Entity::find()
            .filter(ace_sync::Column::PartnerId.eq(&connection.partner_id))
            .filter(ace_sync::Column::AceOpportunityId.eq(&ace_id))
            .one(db)
            .await?;
        match sync {
            Some(sync) => {
                let unchanged = sync.ace_last_modified_date.is_some()
                    && sync.ace_last_modified_date == modified;
                if !unchanged && let Err(e) = take(db, client, &sync, &ace_id).await? {
                    return Ok(Err(e));
                }
            }
            None => {
                // Asked once a poll, and only when there is something to import.
                let wait = match in_flight {
                    Some(known) => known,
                    None => *in_flight.insert(
                        super::import::own_work_in_flight(db, &connection.partner_id).await?,
                    ),
                };
                // The cursor stays before it: the next poll looks again.
                if wait {
                    break;
                }
                let ace = match client.opportunity(&ace_id).await {
                    Ok(ace) => ace,
                    Err(e) => return Ok(Err(e)),
                };
                match super::import::import(db, &connection.partner_id, &ace).await {
                    Ok(()) => {}
                    Err(err @ (AppError::Internal(_) | AppError::Unavailable(_))) => {
                        return Err(err);
                    }
                    // ACE took what cosell's rules refuse (e.g. a past target date): the
                    // opportunity stays in Partner Central only.
                    Err(err) => {
                        tracing::warn!(ace_id = %ace_id, error = %err.code(), "an ACE opportunity was not imported");
                    }
                }
            }
        }
        if let Some(modified) = modified {
            let mut c = ace_connection::Entity::find_by_id(connection.partner_id.clone())
                .one(db)
                .await?
                .map(IntoActiveModel::into_active_model);
            if let Some(c) = c.as_mut() {
                c.opportunity_cursor = Set(Some(modified));
                c.clone().update(db).await?;
            }
        }
    }
    Ok(Ok(()))
}

/// Takes one shared opportunity's ACE state into cosell.
async fn take(
    db: &DatabaseConnection,
    client: &AceClient,
    sync: &ace_sync::Model,
    ace_id: &str,
) -> AppResult<Result<(), AceError>> {
    let ace = match client.opportunity(ace_id).await {
        Ok(ace) => ace,
        Err(e) => return Ok(Err(e)),
    };
    let Some(o) = opportunity::Entity::find_by_id(sync.subject_id.clone())
        .one(db)
        .await?
    else {
        return Ok(Ok(()));
    };
    // A job of ours still to send: it merges on its own ConflictException. AWS's review is
    // taken now all the same.
    let waiting = ace_job::Entity::find()
        .filter(ace_job::Column::SubjectId.eq(&o.id))
        .filter(ace_job::Column::State.eq(outbox::WAITING))
        .one(db)
        .await?
        .is_some();
    let base = sync.base.clone().unwrap_or(Value::Null);
    let theirs = changed_paths(&base, &partner_view(&ace.body));
    let paths = if waiting {
        Default::default()
    } else {
        let ours_body = super::share::body_of(db, &o).await?;
        let ours = changed_paths(&base, &partner_view(&ours_body));
        let both = overlapping(&theirs, &ours);
        if !both.is_empty() {
            mark_conflict(db, sync, both.iter().map(|p| cosell_field(p)).collect()).await?;
            return Ok(Ok(()));
        }
        theirs
    };
    let refused = apply::ace_fields(db, &o, &ace, &paths).await?;
    if !refused.is_empty() {
        mark_conflict(db, sync, refused.iter().map(|p| cosell_field(p)).collect()).await?;
        return Ok(Ok(()));
    }
    let approved = super::fields::at(&ace.body, "LifeCycle.ReviewStatus").and_then(Value::as_str)
        == Some("Approved");
    if approved {
        match client.aws_summary(ace_id).await {
            Ok(summary) => {
                let mut s = ace_sync::Entity::find_by_id(o.id.clone())
                    .one(db)
                    .await?
                    .map(IntoActiveModel::into_active_model);
                if let Some(s) = s.as_mut() {
                    s.aws_summary = Set(Some(summary));
                    s.aws_summary_fetched_at = Set(Some(crate::domain::now()));
                    s.clone().update(db).await?;
                }
            }
            // AWS has not engaged yet.
            Err(AceError::NotFound(_)) => {}
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(()))
}

async fn mark_conflict(
    db: &DatabaseConnection,
    sync: &ace_sync::Model,
    fields: Vec<String>,
) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let already = sync.status == status::CONFLICT;
    let mut s = sync.clone().into_active_model();
    s.status = Set(status::CONFLICT.into());
    s.conflicting_fields = Set(json!(fields));
    s.updated_at = Set(crate::domain::now());
    s.update(&txn).await?;
    if !already {
        super::share::record_outcome(
            &txn,
            &sync.subject_id,
            &sync.partner_id,
            &sync.status,
            status::CONFLICT,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
