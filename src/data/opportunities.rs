//! Opportunities. (The full API arrives with the opportunities slice; the track record of a
//! partner is needed already by its referral readiness.)
use crate::domain::enums::{ReviewStatus, Stage, StoredEnum};
use crate::error::AppResult;
use entity::opportunity;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

#[derive(Clone, Copy, Debug, Default)]
pub struct TrackRecord {
    pub launched: i64,
    /// Opportunities ever submitted to AWS (review status past PENDING_SUBMISSION).
    pub submitted: i64,
    pub approved: i64,
}

/// One aggregate query over the partner's opportunities.
pub async fn track_record<C: ConnectionTrait>(db: &C, partner_id: &str) -> AppResult<TrackRecord> {
    let count_when = |condition: String| {
        Expr::cust(format!(
            "COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"
        ))
    };
    let row: Option<(i64, i64, i64)> = opportunity::Entity::find()
        .select_only()
        .column_as(
            count_when(format!("stage = '{}'", Stage::Launched.as_str())),
            "launched",
        )
        .column_as(
            count_when(format!(
                "review_status <> '{}'",
                ReviewStatus::PendingSubmission.as_str()
            )),
            "submitted",
        )
        .column_as(
            count_when(format!(
                "review_status = '{}'",
                ReviewStatus::Approved.as_str()
            )),
            "approved",
        )
        .filter(opportunity::Column::PartnerId.eq(partner_id))
        .into_tuple()
        .one(db)
        .await?;
    let (launched, submitted, approved) = row.unwrap_or_default();
    Ok(TrackRecord {
        launched,
        submitted,
        approved,
    })
}
