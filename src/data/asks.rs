//! Asks: scoped reads, the filtered and ordered list, comments.
use super::page::{KeyKind, Keyset, Page, PageArgs, date_value, time_value};
use super::scope;
use crate::auth::Viewer;
use crate::data::opportunities::OPEN_ASK_STATUSES;
use crate::domain::enums::{AskKind, AskStatus, SegmentCode, StoredEnum};
use crate::error::AppResult;
use chrono::NaiveDate;
use entity::{ask, ask_comment, customer, opportunity};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

#[derive(Default, Clone, Debug)]
pub struct AskFilter {
    pub kinds: Option<Vec<AskKind>>,
    pub statuses: Option<Vec<AskStatus>>,
    pub open: Option<bool>,
    pub overdue: Option<bool>,
    pub assignee: Option<String>,
    pub partner_id: Option<String>,
    pub opportunity_id: Option<String>,
    pub segments: Option<Vec<SegmentCode>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AskOrderField {
    #[default]
    CreatedAt,
    UpdatedAt,
    DueDate,
    Priority,
}

/// Sorts asks without a due date after every dated one.
const NO_DATE: &str = "9999-12-31";

pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<Option<ask::Model>> {
    Ok(ask::Entity::find_by_id(id.to_string())
        .filter(scope::asks(viewer))
        .one(db)
        .await?)
}

fn open_condition() -> Condition {
    Condition::all().add(ask::Column::Status.is_in(OPEN_ASK_STATUSES.iter().map(|s| s.as_str())))
}

/// Still open and due before `today`: what `Ask.overdue` reports.
pub fn overdue_condition(today: NaiveDate) -> Condition {
    open_condition().add(ask::Column::DueDate.lt(today))
}

pub fn is_overdue(m: &ask::Model, today: NaiveDate) -> bool {
    let open = OPEN_ASK_STATUSES.iter().any(|s| s.as_str() == m.status);
    open && m.due_date.is_some_and(|d| d < today)
}

fn filter_condition(filter: &AskFilter, today: NaiveDate) -> Condition {
    use ask::Column as A;
    let mut c = Condition::all();
    if let Some(kinds) = &filter.kinds {
        c = c.add(A::Kind.is_in(kinds.iter().map(|k| k.as_str())));
    }
    if let Some(statuses) = &filter.statuses {
        c = c.add(A::Status.is_in(statuses.iter().map(|s| s.as_str())));
    }
    if let Some(open) = filter.open {
        c = c.add(if open {
            open_condition()
        } else {
            open_condition().not()
        });
    }
    if let Some(overdue) = filter.overdue {
        c = c.add(if overdue {
            overdue_condition(today)
        } else {
            // NULL due dates make the plain negation unknown; they are simply not overdue.
            Condition::any()
                .add(open_condition().not())
                .add(A::DueDate.is_null())
                .add(A::DueDate.gte(today))
        });
    }
    if let Some(assignee) = &filter.assignee {
        c = c.add(A::Assignee.eq(assignee.as_str()));
    }
    if let Some(partner_id) = &filter.partner_id {
        c = c.add(A::PartnerId.eq(partner_id.as_str()));
    }
    if let Some(opportunity_id) = &filter.opportunity_id {
        c = c.add(A::OpportunityId.eq(opportunity_id.as_str()));
    }
    if let Some(segments) = &filter.segments {
        c = c.add(
            A::OpportunityId.in_subquery(
                Query::select()
                    .column((opportunity::Entity, opportunity::Column::Id))
                    .from(opportunity::Entity)
                    .inner_join(
                        customer::Entity,
                        Expr::col((customer::Entity, customer::Column::Id))
                            .equals((opportunity::Entity, opportunity::Column::CustomerId)),
                    )
                    .and_where(
                        customer::Column::SegmentCode.is_in(segments.iter().map(|s| s.as_str())),
                    )
                    .take(),
            ),
        );
    }
    c
}

/// One page of the asks the viewer may see.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &AskFilter,
    order: (AskOrderField, bool),
    args: &PageArgs,
    with_total: bool,
    today: NaiveDate,
) -> AppResult<Page<ask::Model>> {
    let query = ask::Entity::find()
        .filter(scope::asks(viewer))
        .filter(filter_condition(filter, today));
    let (field, desc) = order;
    keyset(field, desc).page(db, query, args, with_total).await
}

/// Which parent a nested ask list hangs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Parent {
    Partner,
    Opportunity,
}

/// The first page under each of `parents` (`Partner.asks`, `Opportunity.asks` of a list), in
/// one statement (two with totals).
#[allow(clippy::too_many_arguments)]
pub async fn first_pages<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &AskFilter,
    order: (AskOrderField, bool),
    parent: Parent,
    parents: &[String],
    args: &PageArgs,
    with_total: bool,
    today: NaiveDate,
) -> AppResult<std::collections::HashMap<String, Page<ask::Model>>> {
    let query = ask::Entity::find()
        .filter(scope::asks(viewer))
        .filter(filter_condition(filter, today));
    let column = match parent {
        Parent::Partner => ask::Column::PartnerId,
        Parent::Opportunity => ask::Column::OpportunityId,
    };
    let (field, desc) = order;
    keyset(field, desc)
        .first_pages(db, query, column, parents, args, with_total)
        .await
}

pub fn cursor_of(field: AskOrderField) -> impl Fn(&ask::Model) -> Vec<serde_json::Value> {
    move |m| {
        let sort = match field {
            AskOrderField::CreatedAt => time_value(&m.created_at),
            AskOrderField::UpdatedAt => time_value(&m.updated_at),
            AskOrderField::DueDate => match &m.due_date {
                Some(d) => date_value(d),
                None => NO_DATE.into(),
            },
            AskOrderField::Priority => i64::from(m.priority_rank).into(),
        };
        vec![sort, m.id.clone().into()]
    }
}

fn keyset(field: AskOrderField, desc: bool) -> Keyset {
    let col = |c: ask::Column| Expr::col((ask::Entity, c));
    let (sort, kind) = match field {
        AskOrderField::CreatedAt => (col(ask::Column::CreatedAt), KeyKind::Time),
        AskOrderField::UpdatedAt => (col(ask::Column::UpdatedAt), KeyKind::Time),
        AskOrderField::DueDate => (
            Expr::cust(format!("COALESCE(ask.due_date, '{NO_DATE}')")),
            KeyKind::Date,
        ),
        AskOrderField::Priority => (col(ask::Column::PriorityRank), KeyKind::Int),
    };
    Keyset::by(sort, kind, col(ask::Column::Id), desc)
}

/// Comments of several asks, oldest first.
pub async fn comments_of<C: ConnectionTrait>(
    db: &C,
    ask_ids: &[String],
) -> Result<Vec<ask_comment::Model>, DbErr> {
    ask_comment::Entity::find()
        .filter(ask_comment::Column::AskId.is_in(ask_ids.iter().cloned()))
        .order_by_asc(ask_comment::Column::At)
        .order_by_asc(ask_comment::Column::Id)
        .all(db)
        .await
}

pub async fn comment_count<C: ConnectionTrait>(db: &C, ask_id: &str) -> AppResult<u64> {
    Ok(ask_comment::Entity::find()
        .filter(ask_comment::Column::AskId.eq(ask_id))
        .count(db)
        .await?)
}
