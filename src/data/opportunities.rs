//! Opportunities: scoped reads, the filtered and ordered list and related rows.
use super::page::{KeyKind, Keyset, Page, PageArgs, date_value, time_value};
use super::scope;
use super::sql::contains_pattern;
use crate::auth::Viewer;
use crate::domain::enums::{
    AskStatus, AwsAdoption, Origin, PrimaryNeed, ReviewStatus, SegmentCode, Stage, StoredEnum,
};
use crate::error::AppResult;
use chrono::{NaiveDate, Utc};
use entity::{
    ace_sync, ask, customer, next_step, opportunity, opportunity_primary_need, opportunity_solution,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;

#[derive(Default, Clone, Debug, PartialEq)]
pub struct OpportunityFilter {
    pub ids: Option<Vec<String>>,
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub stages: Option<Vec<Stage>>,
    pub review_statuses: Option<Vec<ReviewStatus>>,
    pub segments: Option<Vec<SegmentCode>>,
    pub aws_adoption: Option<AwsAdoption>,
    pub origin: Option<Origin>,
    pub primary_need: Option<PrimaryNeed>,
    pub has_open_asks: Option<bool>,
    pub search: Option<String>,
    /// Inclusive bounds.
    pub target_close_date: (Option<NaiveDate>, Option<NaiveDate>),
    pub created_at: (Option<chrono::DateTime<Utc>>, Option<chrono::DateTime<Utc>>),
    pub last_modified_at: (Option<chrono::DateTime<Utc>>, Option<chrono::DateTime<Utc>>),
    /// `ace_sync.status` values; `None` in the list is an opportunity never shared (no row).
    pub ace_sync_statuses: Option<Vec<Option<&'static str>>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OpportunityOrderField {
    #[default]
    LastModifiedAt,
    CreatedAt,
    TargetCloseDate,
    CustomerCompanyName,
    Title,
    ExpectedMonthlySpend,
}

/// Stages in which an opportunity is still open.
pub const ACTIVE_STAGES: [Stage; 5] = [
    Stage::Prospect,
    Stage::Qualified,
    Stage::TechnicalValidation,
    Stage::BusinessValidation,
    Stage::Committed,
];

pub const OPEN_ASK_STATUSES: [AskStatus; 3] = [
    AskStatus::Open,
    AskStatus::Acknowledged,
    AskStatus::InProgress,
];

/// Sorts NULL target dates after every real date and NULL spend below every real amount.
const NO_DATE: &str = "9999-12-31";
const NO_SPEND: i64 = -1;

pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<Option<opportunity::Model>> {
    Ok(opportunity::Entity::find_by_id(id.to_string())
        .filter(scope::opportunities(viewer))
        .one(db)
        .await?)
}

fn customers_where(condition: Condition) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(customer::Column::Id)
        .from(customer::Entity)
        .cond_where(condition)
        .take()
}

pub(crate) fn filter_condition(filter: &OpportunityFilter) -> Condition {
    use opportunity::Column as O;
    let mut c = Condition::all();
    if let Some(ids) = &filter.ids {
        c = c.add(O::Id.is_in(ids.iter().cloned()));
    }
    if let Some(partner_id) = &filter.partner_id {
        c = c.add(O::PartnerId.eq(partner_id.as_str()));
    }
    if let Some(customer_id) = &filter.customer_id {
        c = c.add(O::CustomerId.eq(customer_id.as_str()));
    }
    if let Some(stages) = &filter.stages {
        c = c.add(O::Stage.is_in(stages.iter().map(|s| s.as_str())));
    }
    if let Some(statuses) = &filter.review_statuses {
        c = c.add(O::ReviewStatus.is_in(statuses.iter().map(|s| s.as_str())));
    }
    if let Some(segments) = &filter.segments {
        c = c.add(
            O::CustomerId
                .in_subquery(customers_where(Condition::all().add(
                    customer::Column::SegmentCode.is_in(segments.iter().map(|s| s.as_str())),
                ))),
        );
    }
    if let Some(adoption) = filter.aws_adoption {
        c = c.add(O::CustomerId.in_subquery(customers_where(
            Condition::all().add(customer::Column::AwsAdoption.eq(adoption.as_str())),
        )));
    }
    if let Some(origin) = filter.origin {
        c = c.add(O::Origin.eq(origin.as_str()));
    }
    if let Some(need) = filter.primary_need {
        c = c.add(
            O::Id.in_subquery(
                Query::select()
                    .column(opportunity_primary_need::Column::OpportunityId)
                    .from(opportunity_primary_need::Entity)
                    .and_where(opportunity_primary_need::Column::PrimaryNeed.eq(need.as_str()))
                    .take(),
            ),
        );
    }
    if let Some(statuses) = &filter.ace_sync_statuses {
        let synced = |stored: Vec<&'static str>| {
            Query::select()
                .column(ace_sync::Column::SubjectId)
                .from(ace_sync::Entity)
                .and_where(ace_sync::Column::Status.is_in(stored))
                .take()
        };
        let stored: Vec<&'static str> = statuses.iter().flatten().copied().collect();
        let mut any = Condition::any();
        if !stored.is_empty() {
            any = any.add(O::Id.in_subquery(synced(stored)));
        }
        if statuses.iter().any(Option::is_none) {
            any = any.add(
                O::Id.not_in_subquery(
                    Query::select()
                        .column(ace_sync::Column::SubjectId)
                        .from(ace_sync::Entity)
                        .take(),
                ),
            );
        }
        c = c.add(any);
    }
    if let Some(has) = filter.has_open_asks {
        let with_open = Query::select()
            .column(ask::Column::OpportunityId)
            .from(ask::Entity)
            .and_where(ask::Column::Status.is_in(OPEN_ASK_STATUSES.iter().map(|s| s.as_str())))
            .take();
        c = c.add(if has {
            O::Id.in_subquery(with_open)
        } else {
            O::Id.not_in_subquery(with_open)
        });
    }
    if let Some(search) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
        let pattern = contains_pattern(search);
        let lower = |col: opportunity::Column| -> Expr {
            Func::lower(Expr::col((opportunity::Entity, col))).into()
        };
        c = c.add(
            Condition::any()
                .add(lower(O::Title).like(pattern.clone()))
                .add(lower(O::CustomerBusinessProblem).like(pattern.clone()))
                .add(
                    O::CustomerId.in_subquery(customers_where(
                        Condition::all().add(
                            Expr::expr(Func::lower(Expr::col((
                                customer::Entity,
                                customer::Column::CompanyName,
                            ))))
                            .like(pattern),
                        ),
                    )),
                ),
        );
    }
    let (after, before) = filter.target_close_date;
    if let Some(d) = after {
        c = c.add(O::TargetCloseDate.gte(d));
    }
    if let Some(d) = before {
        c = c.add(O::TargetCloseDate.lte(d));
    }
    for (col, (after, before)) in [
        (O::CreatedAt, filter.created_at),
        (O::LastModifiedAt, filter.last_modified_at),
    ] {
        if let Some(t) = after {
            c = c.add(col.gte(t));
        }
        if let Some(t) = before {
            c = c.add(col.lte(t));
        }
    }
    c
}

/// One page of the opportunities the viewer may see; each row comes with its sort value for
/// the cursor.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &OpportunityFilter,
    order: (OpportunityOrderField, bool),
    args: &PageArgs,
    with_total: bool,
) -> AppResult<Page<(opportunity::Model, serde_json::Value)>> {
    let query = opportunity::Entity::find()
        .filter(scope::opportunities(viewer))
        .filter(filter_condition(filter));
    let (field, desc) = order;
    let page = keyset(field, desc)
        .page(db, query, args, with_total)
        .await?;
    let names = if field == OpportunityOrderField::CustomerCompanyName {
        company_names(db, &page.rows).await?
    } else {
        HashMap::new()
    };
    Ok(page.map(|m| with_sort(field, &names, m)))
}

/// Which parent a nested opportunity list hangs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Parent {
    Partner,
    Customer,
}

/// The first page under each of `parents` (`Partner.opportunities`, `Customer.opportunities`
/// of a list of partners or customers), in one statement (two with totals, three ordered by
/// company name).
#[allow(clippy::too_many_arguments)]
pub async fn first_pages<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &OpportunityFilter,
    order: (OpportunityOrderField, bool),
    parent: Parent,
    parents: &[String],
    args: &PageArgs,
    with_total: bool,
) -> AppResult<HashMap<String, Page<(opportunity::Model, serde_json::Value)>>> {
    let query = opportunity::Entity::find()
        .filter(scope::opportunities(viewer))
        .filter(filter_condition(filter));
    let (field, desc) = order;
    let column = match parent {
        Parent::Partner => opportunity::Column::PartnerId,
        Parent::Customer => opportunity::Column::CustomerId,
    };
    let pages = keyset(field, desc)
        .first_pages(db, query, column, parents, args, with_total)
        .await?;
    let names = if field == OpportunityOrderField::CustomerCompanyName {
        let rows: Vec<opportunity::Model> = pages
            .values()
            .flat_map(|p| p.rows.iter().cloned())
            .collect();
        company_names(db, &rows).await?
    } else {
        HashMap::new()
    };
    Ok(pages
        .into_iter()
        .map(|(p, page)| (p, page.map(|m| with_sort(field, &names, m))))
        .collect())
}

/// A row with its sort value, for its cursor.
fn with_sort(
    field: OpportunityOrderField,
    names: &HashMap<String, String>,
    m: opportunity::Model,
) -> (opportunity::Model, serde_json::Value) {
    let sort = match field {
        OpportunityOrderField::LastModifiedAt => time_value(&m.last_modified_at),
        OpportunityOrderField::CreatedAt => time_value(&m.created_at),
        OpportunityOrderField::TargetCloseDate => match &m.target_close_date {
            Some(d) => date_value(d),
            None => NO_DATE.into(),
        },
        OpportunityOrderField::CustomerCompanyName => names
            .get(&m.customer_id)
            .cloned()
            .unwrap_or_default()
            .into(),
        OpportunityOrderField::Title => m.title.clone().into(),
        OpportunityOrderField::ExpectedMonthlySpend => {
            m.expected_monthly_spend_cents.unwrap_or(NO_SPEND).into()
        }
    };
    (m, sort)
}

async fn company_names<C: ConnectionTrait>(
    db: &C,
    rows: &[opportunity::Model],
) -> AppResult<HashMap<String, String>> {
    let ids: Vec<String> = rows.iter().map(|m| m.customer_id.clone()).collect();
    let names: Vec<(String, String)> = customer::Entity::find()
        .select_only()
        .column(customer::Column::Id)
        .column(customer::Column::CompanyName)
        .filter(customer::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(names.into_iter().collect())
}

fn keyset(field: OpportunityOrderField, desc: bool) -> Keyset {
    let col = |c: opportunity::Column| Expr::col((opportunity::Entity, c));
    let (sort, kind) = match field {
        OpportunityOrderField::LastModifiedAt => {
            (col(opportunity::Column::LastModifiedAt), KeyKind::Time)
        }
        OpportunityOrderField::CreatedAt => (col(opportunity::Column::CreatedAt), KeyKind::Time),
        OpportunityOrderField::TargetCloseDate => (
            Expr::cust(format!(
                "COALESCE(opportunity.target_close_date, '{NO_DATE}')"
            )),
            KeyKind::Date,
        ),
        OpportunityOrderField::CustomerCompanyName => (
            Expr::cust(
                "(SELECT customer.company_name FROM customer WHERE customer.id = opportunity.customer_id)",
            ),
            KeyKind::Text,
        ),
        OpportunityOrderField::Title => (col(opportunity::Column::Title), KeyKind::Text),
        OpportunityOrderField::ExpectedMonthlySpend => (
            Expr::cust(format!(
                "COALESCE(opportunity.expected_monthly_spend_cents, {NO_SPEND})"
            )),
            KeyKind::Int,
        ),
    };
    Keyset::by(sort, kind, col(opportunity::Column::Id), desc)
}

/// An open opportunity (active stage, not rejected) as duplicate detection compares it.
#[derive(Clone, Debug)]
pub struct OpenTitle {
    pub id: String,
    pub partner_id: String,
    pub title_normalized: String,
}

/// Partner, customer and normalised title: where duplicates are looked for.
pub type TitleKey = (String, String, String);

/// The open opportunities with these (customer, normalised title) pairs: one query for many,
/// through the (partner, customer, title) index.
pub async fn open_with_titles<C: ConnectionTrait>(
    db: &C,
    keys: &[TitleKey],
) -> Result<HashMap<TitleKey, Vec<OpenTitle>>, DbErr> {
    let partners: Vec<String> = keys.iter().map(|(p, _, _)| p.clone()).collect();
    let customers: Vec<String> = keys.iter().map(|(_, c, _)| c.clone()).collect();
    let titles: Vec<String> = keys.iter().map(|(_, _, t)| t.clone()).collect();
    let rows: Vec<(String, String, String, String)> = opportunity::Entity::find()
        .select_only()
        .column(opportunity::Column::CustomerId)
        .column(opportunity::Column::Id)
        .column(opportunity::Column::PartnerId)
        .column(opportunity::Column::TitleNormalized)
        .filter(opportunity::Column::PartnerId.is_in(partners))
        .filter(opportunity::Column::CustomerId.is_in(customers))
        .filter(opportunity::Column::TitleNormalized.is_in(titles))
        .filter(opportunity::Column::Stage.is_in(ACTIVE_STAGES.iter().map(|s| s.as_str())))
        .filter(opportunity::Column::ReviewStatus.ne(ReviewStatus::Rejected.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let asked: std::collections::HashSet<&TitleKey> = keys.iter().collect();
    let mut map: HashMap<TitleKey, Vec<OpenTitle>> = HashMap::new();
    for (customer_id, id, partner_id, title_normalized) in rows {
        // The two IN lists also match pairs nobody asked for; keep the asked ones.
        let key = (partner_id.clone(), customer_id, title_normalized.clone());
        if asked.contains(&key) {
            map.entry(key).or_default().push(OpenTitle {
                id,
                partner_id,
                title_normalized,
            });
        }
    }
    Ok(map)
}

pub async fn next_steps_of<C: ConnectionTrait>(
    db: &C,
    ids: &[String],
) -> Result<Vec<next_step::Model>, DbErr> {
    next_step::Entity::find()
        .filter(next_step::Column::OpportunityId.is_in(ids.iter().cloned()))
        .order_by_asc(next_step::Column::At)
        .order_by_asc(next_step::Column::Id)
        .all(db)
        .await
}

pub async fn solution_ids_of<C: ConnectionTrait>(
    db: &C,
    opportunity_id: &str,
) -> Result<Vec<String>, DbErr> {
    opportunity_solution::Entity::find()
        .select_only()
        .column(opportunity_solution::Column::SolutionId)
        .filter(opportunity_solution::Column::OpportunityId.eq(opportunity_id))
        .order_by_asc(opportunity_solution::Column::CreatedAt)
        .into_tuple()
        .all(db)
        .await
}

pub async fn needs_of<C: ConnectionTrait>(
    db: &C,
    ids: &[String],
) -> Result<Vec<opportunity_primary_need::Model>, DbErr> {
    opportunity_primary_need::Entity::find()
        .filter(opportunity_primary_need::Column::OpportunityId.is_in(ids.iter().cloned()))
        .all(db)
        .await
}
