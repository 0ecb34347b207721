//! Partners, their declared segments and industries, and their track records.
use super::page::{KeyKind, Keyset, Page, PageArgs};
use super::scope;
use super::sql::{contains_pattern, lower};
use crate::auth::Viewer;
use crate::domain::enums::{ReviewStatus, SegmentCode, Stage, StoredEnum};
use crate::error::AppResult;
use entity::{opportunity, partner, partner_industry, partner_segment};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};
use std::collections::HashMap;

#[derive(Default, Clone, Debug)]
pub struct PartnerFilter {
    pub search: Option<String>,
    pub segments: Option<Vec<SegmentCode>>,
}

/// The partner with this id if the viewer may see it.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<Option<partner::Model>> {
    Ok(partner::Entity::find_by_id(id.to_string())
        .filter(scope::partner_profiles(viewer, partner::Column::Id))
        .one(db)
        .await?)
}

/// The visible partners among `ids`, in no particular order.
pub async fn find_many<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    ids: &[String],
) -> AppResult<Vec<partner::Model>> {
    Ok(partner::Entity::find()
        .filter(partner::Column::Id.is_in(ids.iter().cloned()))
        .filter(scope::partner_profiles(viewer, partner::Column::Id))
        .all(db)
        .await?)
}

/// Partners ordered by name, then id.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &PartnerFilter,
    args: &PageArgs,
    with_total: bool,
) -> AppResult<Page<partner::Model>> {
    let mut query =
        partner::Entity::find().filter(scope::partner_profiles(viewer, partner::Column::Id));
    if let Some(search) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
        query = query
            .filter(lower((partner::Entity, partner::Column::Name)).like(contains_pattern(search)));
    }
    if let Some(segments) = &filter.segments {
        let codes: Vec<&str> = segments.iter().map(|s| s.as_str()).collect();
        query = query.filter(
            partner::Column::Id.in_subquery(
                Query::select()
                    .column(partner_segment::Column::PartnerId)
                    .from(partner_segment::Entity)
                    .and_where(partner_segment::Column::SegmentCode.is_in(codes))
                    .take(),
            ),
        );
    }
    Keyset::by(
        Expr::col((partner::Entity, partner::Column::Name)),
        KeyKind::Text,
        Expr::col((partner::Entity, partner::Column::Id)),
        false,
    )
    .page(db, query, args, with_total)
    .await
}

pub fn cursor_of(model: &partner::Model) -> Vec<serde_json::Value> {
    vec![model.name.clone().into(), model.id.clone().into()]
}

/// The form partner names are compared in.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

pub async fn name_taken<C: ConnectionTrait>(
    db: &C,
    name: &str,
    except_id: Option<&str>,
) -> AppResult<bool> {
    let mut query = partner::Entity::find().filter(partner::Column::NameKey.eq(name_key(name)));
    if let Some(id) = except_id {
        query = query.filter(partner::Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}

/// What a partner's referral readiness is computed from, besides its value proposition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProfileCounts {
    pub active_solutions: i64,
    pub references: i64,
    pub segments: i64,
    pub track: TrackRecord,
}

/// Rows per partner of one table, optionally narrowed: one grouped query for many partners.
async fn count_by_partner<C, E>(
    db: &C,
    partner_col: E::Column,
    partner_ids: &[String],
    narrow: Condition,
) -> Result<Vec<(String, i64)>, sea_orm::DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
{
    E::find()
        .select_only()
        .column(partner_col)
        .column_as(Expr::col(partner_col).count(), "n")
        .filter(partner_col.is_in(partner_ids.iter().cloned()))
        .filter(narrow)
        .group_by(partner_col)
        .into_tuple()
        .all(db)
        .await
}

/// Profile counts of several partners: four grouped queries, whatever the number of partners.
pub async fn profile_counts<C: ConnectionTrait>(
    db: &C,
    partner_ids: &[String],
) -> Result<std::collections::HashMap<String, ProfileCounts>, sea_orm::DbErr> {
    use crate::domain::enums::SolutionStatus;
    use entity::{customer_reference, solution};

    let active_only =
        Condition::all().add(solution::Column::Status.eq(SolutionStatus::Active.as_str()));
    let active = count_by_partner::<_, solution::Entity>(
        db,
        solution::Column::PartnerId,
        partner_ids,
        active_only,
    )
    .await?;
    let references = count_by_partner::<_, customer_reference::Entity>(
        db,
        customer_reference::Column::PartnerId,
        partner_ids,
        Condition::all(),
    )
    .await?;
    let segments = count_by_partner::<_, partner_segment::Entity>(
        db,
        partner_segment::Column::PartnerId,
        partner_ids,
        Condition::all(),
    )
    .await?;
    let tracks = track_records(db, partner_ids).await?;

    let mut out: std::collections::HashMap<String, ProfileCounts> = partner_ids
        .iter()
        .map(|id| (id.clone(), ProfileCounts::default()))
        .collect();
    for (id, n) in active {
        out.entry(id).or_default().active_solutions = n;
    }
    for (id, n) in references {
        out.entry(id).or_default().references = n;
    }
    for (id, n) in segments {
        out.entry(id).or_default().segments = n;
    }
    for (id, track) in tracks {
        out.entry(id).or_default().track = track;
    }
    Ok(out)
}

/// The lists a partner declares on its profile, each kept in its own table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileList {
    Segments,
    Industries,
}

/// The stored values of one profile list for several partners.
pub async fn lists_of<C: ConnectionTrait>(
    db: &C,
    which: ProfileList,
    partner_ids: &[String],
) -> Result<std::collections::HashMap<String, Vec<String>>, sea_orm::DbErr> {
    let ids = partner_ids.iter().cloned();
    let rows: Vec<(String, String)> = match which {
        ProfileList::Segments => partner_segment::Entity::find()
            .filter(partner_segment::Column::PartnerId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.partner_id, r.segment_code))
            .collect(),
        ProfileList::Industries => partner_industry::Entity::find()
            .filter(partner_industry::Column::PartnerId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.partner_id, r.industry))
            .collect(),
    };
    let mut map: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for (partner_id, value) in rows {
        map.entry(partner_id).or_default().push(value);
    }
    Ok(map)
}

/// Replaces one profile list of a partner with `values` (stored strings).
pub async fn replace_list<C: ConnectionTrait>(
    db: &C,
    which: ProfileList,
    partner_id: &str,
    values: &[&str],
) -> AppResult<()> {
    match which {
        ProfileList::Segments => {
            partner_segment::Entity::delete_many()
                .filter(partner_segment::Column::PartnerId.eq(partner_id))
                .exec(db)
                .await?;
            let rows = values.iter().map(|code| partner_segment::ActiveModel {
                partner_id: sea_orm::Set(partner_id.to_string()),
                segment_code: sea_orm::Set(code.to_string()),
            });
            partner_segment::Entity::insert_many(rows).exec(db).await?;
        }
        ProfileList::Industries => {
            partner_industry::Entity::delete_many()
                .filter(partner_industry::Column::PartnerId.eq(partner_id))
                .exec(db)
                .await?;
            let rows = values.iter().map(|industry| partner_industry::ActiveModel {
                partner_id: sea_orm::Set(partner_id.to_string()),
                industry: sea_orm::Set(industry.to_string()),
            });
            partner_industry::Entity::insert_many(rows).exec(db).await?;
        }
    }
    Ok(())
}

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
