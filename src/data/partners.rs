//! Partners and their declared segments and industries.
use super::page::{Page, PageArgs, after_condition, cursor_str};
use super::scope;
use crate::auth::Viewer;
use crate::domain::enums::{SegmentCode, StoredEnum};
use crate::error::AppResult;
use entity::{partner, partner_industry, partner_segment};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

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

/// Case-insensitive substring pattern with LIKE wildcards escaped.
pub fn contains_pattern(text: &str) -> LikeExpr {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

pub fn lower(col: impl sea_orm::sea_query::IntoColumnRef) -> Expr {
    Func::lower(Expr::col(col)).into()
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
    let total = if with_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    if let Some(after) = &args.after {
        let keys = [
            (Expr::col((partner::Entity, partner::Column::Name)), false),
            (Expr::col((partner::Entity, partner::Column::Id)), false),
        ];
        let values = [cursor_str(after, 0)?.into(), cursor_str(after, 1)?.into()];
        query = query.filter(after_condition(&keys, &values));
    }
    let rows = query
        .order_by_asc(partner::Column::Name)
        .order_by_asc(partner::Column::Id)
        .limit(args.first + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, args, total))
}

pub fn cursor_of(model: &partner::Model) -> Vec<serde_json::Value> {
    vec![model.name.clone().into(), model.id.clone().into()]
}

pub async fn name_taken<C: ConnectionTrait>(
    db: &C,
    name: &str,
    except_id: Option<&str>,
) -> AppResult<bool> {
    let mut query = partner::Entity::find()
        .filter(lower((partner::Entity, partner::Column::Name)).eq(name.to_lowercase()));
    if let Some(id) = except_id {
        query = query.filter(partner::Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}

/// Replaces the partner's declared segments and industries (stored strings).
pub async fn replace_segments<C: ConnectionTrait>(
    db: &C,
    partner_id: &str,
    codes: &[&str],
) -> AppResult<()> {
    partner_segment::Entity::delete_many()
        .filter(partner_segment::Column::PartnerId.eq(partner_id))
        .exec(db)
        .await?;
    let rows = codes.iter().map(|code| partner_segment::ActiveModel {
        partner_id: sea_orm::Set(partner_id.to_string()),
        segment_code: sea_orm::Set(code.to_string()),
    });
    partner_segment::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

pub async fn replace_industries<C: ConnectionTrait>(
    db: &C,
    partner_id: &str,
    industries: &[&str],
) -> AppResult<()> {
    partner_industry::Entity::delete_many()
        .filter(partner_industry::Column::PartnerId.eq(partner_id))
        .exec(db)
        .await?;
    let rows = industries
        .iter()
        .map(|industry| partner_industry::ActiveModel {
            partner_id: sea_orm::Set(partner_id.to_string()),
            industry: sea_orm::Set(industry.to_string()),
        });
    partner_industry::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

pub async fn segments_of<C: ConnectionTrait>(db: &C, partner_id: &str) -> AppResult<Vec<String>> {
    Ok(partner_segment::Entity::find()
        .filter(partner_segment::Column::PartnerId.eq(partner_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.segment_code)
        .collect())
}

pub async fn industries_of<C: ConnectionTrait>(db: &C, partner_id: &str) -> AppResult<Vec<String>> {
    Ok(partner_industry::Entity::find()
        .filter(partner_industry::Column::PartnerId.eq(partner_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.industry)
        .collect())
}

/// What a partner's referral readiness is computed from, besides its value proposition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProfileCounts {
    pub active_solutions: i64,
    pub references: i64,
    pub segments: i64,
    pub track: super::opportunities::TrackRecord,
}

/// Profile counts of several partners: four grouped queries, whatever the number of partners.
pub async fn profile_counts<C: ConnectionTrait>(
    db: &C,
    partner_ids: &[String],
) -> Result<std::collections::HashMap<String, ProfileCounts>, sea_orm::DbErr> {
    use crate::domain::enums::SolutionStatus;
    use entity::{customer_reference, solution};
    use sea_orm::sea_query::Expr;

    let ids = || partner_ids.iter().cloned();
    let active: Vec<(String, i64)> = solution::Entity::find()
        .select_only()
        .column(solution::Column::PartnerId)
        .column_as(Expr::col(solution::Column::Id).count(), "n")
        .filter(solution::Column::PartnerId.is_in(ids()))
        .filter(solution::Column::Status.eq(SolutionStatus::Active.as_str()))
        .group_by(solution::Column::PartnerId)
        .into_tuple()
        .all(db)
        .await?;
    let references: Vec<(String, i64)> = customer_reference::Entity::find()
        .select_only()
        .column(customer_reference::Column::PartnerId)
        .column_as(Expr::col(customer_reference::Column::Id).count(), "n")
        .filter(customer_reference::Column::PartnerId.is_in(ids()))
        .group_by(customer_reference::Column::PartnerId)
        .into_tuple()
        .all(db)
        .await?;
    let segments: Vec<(String, i64)> = partner_segment::Entity::find()
        .select_only()
        .column(partner_segment::Column::PartnerId)
        .column_as(Expr::col(partner_segment::Column::SegmentCode).count(), "n")
        .filter(partner_segment::Column::PartnerId.is_in(ids()))
        .group_by(partner_segment::Column::PartnerId)
        .into_tuple()
        .all(db)
        .await?;
    let tracks = super::opportunities::track_records(db, partner_ids).await?;

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
