//! Opportunities. (The full API arrives with the opportunities slice; the track record of
//! partners is needed already by their referral readiness.)
use crate::domain::enums::{ReviewStatus, Stage, StoredEnum};
use entity::opportunity;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrackRecord {
    pub launched: i64,
    /// Opportunities ever submitted to AWS (review status past PENDING_SUBMISSION).
    pub submitted: i64,
    pub approved: i64,
}

/// Track records of several partners in one aggregate query; partners without opportunities
/// are absent from the map.
pub async fn track_records<C: ConnectionTrait>(
    db: &C,
    partner_ids: &[String],
) -> Result<HashMap<String, TrackRecord>, DbErr> {
    // The compared values are our own constants, never client input.
    let count_when = |condition: String| {
        Expr::cust(format!(
            "COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"
        ))
    };
    let rows: Vec<(String, i64, i64, i64)> = opportunity::Entity::find()
        .select_only()
        .column(opportunity::Column::PartnerId)
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
        .filter(opportunity::Column::PartnerId.is_in(partner_ids.iter().cloned()))
        .group_by(opportunity::Column::PartnerId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, launched, submitted, approved)| {
            (
                id,
                TrackRecord {
                    launched,
                    submitted,
                    approved,
                },
            )
        })
        .collect())
}
