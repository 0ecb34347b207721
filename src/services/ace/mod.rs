//! cosell's side of the ACE connection (docs/ace-sync.md): connecting a partner, importing its
//! solutions, the outbox of changes for ACE and the worker that drains it, and the poll that
//! brings AWS's side back. Background work acts as the `ace` viewer, through the same services
//! and scope as any client.
pub mod apply;
pub mod connections;
pub mod fields;
pub mod import;
pub mod invitations;
pub mod outbox;
pub mod poll;
pub mod share;
pub mod worker;

use crate::ace::{Catalog, Connection};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use entity::ace_connection;
use sea_orm::{ConnectionTrait, EntityTrait};

/// The subject of history entries written from ACE's side.
pub const ACE_ACTOR: &str = "ace";

pub const CONNECTED: &str = "CONNECTED";
pub const FAILING: &str = "FAILING";
pub const DISCONNECTED: &str = "DISCONNECTED";

/// Sync states of `ace_sync.status` (the contract's `AceSyncStatus`; NOT_SHARED has no row).
pub mod status {
    pub const PENDING: &str = "PENDING";
    pub const SYNCED: &str = "SYNCED";
    pub const FAILED: &str = "FAILED";
    pub const CONFLICT: &str = "CONFLICT";
}

/// The viewer background work acts as: every partner's rows, history actor `ace`.
pub fn ace_viewer() -> Viewer {
    Viewer::background(ACE_ACTOR)
}

pub async fn connection_row<C: ConnectionTrait>(
    db: &C,
    partner_id: &str,
) -> AppResult<Option<ace_connection::Model>> {
    Ok(ace_connection::Entity::find_by_id(partner_id.to_string())
        .one(db)
        .await?)
}

/// The partner's live connection (not disconnected), if any.
pub async fn live_connection<C: ConnectionTrait>(
    db: &C,
    partner_id: &str,
) -> AppResult<Option<ace_connection::Model>> {
    Ok(connection_row(db, partner_id)
        .await?
        .filter(|c| c.status != DISCONNECTED))
}

/// A new sync row of `subject_id` (an opportunity or a referral) at `status`, nothing known
/// of ACE yet; callers set what they know.
pub fn new_sync_row(
    subject_id: &str,
    partner_id: &str,
    status: &str,
) -> entity::ace_sync::ActiveModel {
    use sea_orm::Set;
    let now = crate::domain::now();
    entity::ace_sync::ActiveModel {
        subject_id: Set(subject_id.to_string()),
        partner_id: Set(partner_id.to_string()),
        status: Set(status.to_string()),
        ace_opportunity_id: Set(None),
        arn: Set(None),
        ace_last_modified_date: Set(None),
        last_synced_at: Set((status == self::status::SYNCED).then_some(now)),
        attempts: Set(0),
        next_attempt_at: Set((status == self::status::PENDING).then_some(now)),
        errors: Set(serde_json::json!([])),
        conflicting_fields: Set(serde_json::json!([])),
        base: Set(None),
        associations: Set(None),
        aws_summary: Set(None),
        aws_summary_fetched_at: Set(None),
        updated_at: Set(now),
    }
}

pub fn client_connection(row: &ace_connection::Model) -> AppResult<Connection> {
    Ok(Connection {
        partner_id: row.partner_id.clone(),
        catalog: Catalog::from_code(&row.catalog)
            .ok_or_else(|| AppError::internal("unknown catalog stored"))?,
        role_arn: row.role_arn.clone(),
        external_id: row.external_id.clone(),
    })
}

/// Whether an opportunity of a connected partner has been shared through ACE (AWS reviews it
/// there, not in cosell).
pub async fn shared_in_ace<C: ConnectionTrait>(
    db: &C,
    o: &entity::opportunity::Model,
) -> AppResult<bool> {
    if live_connection(db, &o.partner_id).await?.is_none() {
        return Ok(false);
    }
    Ok(entity::ace_sync::Entity::find_by_id(o.id.clone())
        .one(db)
        .await?
        .is_some())
}
