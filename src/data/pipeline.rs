//! Pipeline analytics: aggregates over the opportunities (and their asks) a viewer may see,
//! computed by the database with GROUP BY. No row is loaded to be counted.
//!
//! Counts and spend come from the counters the database maintains in the transaction of every
//! write (migration `pipeline_totals`) when the filter only narrows what the counters are keyed
//! by (partner, stage, review status, segment); any other filter scans the opportunities in
//! scope. Overdue asks and median resolution times depend on today and on every resolved
//! ask's duration, so they are always read from the asks.
use super::opportunities::{OPEN_ASK_STATUSES, OpportunityFilter, filter_condition};
use super::scope;
use crate::auth::Viewer;
use crate::domain::enums::{AskStatus, StoredEnum};
use crate::error::AppResult;
use chrono::NaiveDate;
use entity::{ask, customer, opportunity};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbBackend};
use std::collections::HashMap;

/// Opportunities of one (stage, review status, segment, currency) group; `currency` None:
/// without expected spend. Every bucket of the pipeline is a sum over these groups.
#[derive(Clone, Debug)]
pub struct Group {
    pub stage: String,
    pub review_status: String,
    pub segment: String,
    pub currency: Option<String>,
    pub count: i64,
    pub cents: i128,
}

/// Amounts are summed in two parts, billions of cents and the rest, so that neither SQL sum
/// can overflow a BIGINT (SQLite fails with "integer overflow", PostgreSQL's cast with "bigint
/// out of range") however many opportunities a bucket holds; Rust adds them in 128 bits.
const CENTS_SPLIT: i64 = 1_000_000_000;

#[derive(Clone, Debug, Default)]
pub struct AskCounts {
    pub open: i64,
    pub fulfilled: i64,
    pub declined: i64,
    pub overdue: i64,
    pub median_hours_to_resolve: Option<f64>,
}

pub struct PipelineRows {
    pub groups: Vec<Group>,
    /// By stored ask kind.
    pub asks: HashMap<String, AskCounts>,
}

/// The viewer's scope and the filter; empty (no WHERE at all) for ADMIN without a filter.
fn in_scope(viewer: &Viewer, filter: &OpportunityFilter) -> Condition {
    [scope::opportunities(viewer), filter_condition(filter)]
        .into_iter()
        .filter(|part| !part.is_empty())
        .fold(Condition::all(), Condition::add)
}

/// The parts of the pipeline a request selects; what is not selected is not computed (and
/// reads as zero).
#[derive(Clone, Copy, Debug)]
pub struct Parts {
    /// Totals and the stage, segment and review status buckets.
    pub opportunities: bool,
    /// Open, fulfilled and declined asks by kind.
    pub ask_counts: bool,
    pub overdue: bool,
    pub medians: bool,
}

/// At most four statements whatever the data: the opportunity groups, the ask counts by kind,
/// the overdue asks and the median resolution times (three when the filter needs the scan,
/// which counts overdue asks with the rest), each only when selected.
pub async fn compute<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &OpportunityFilter,
    parts: Parts,
    today: NaiveDate,
) -> AppResult<PipelineRows> {
    let mut rows = PipelineRows {
        groups: Vec::new(),
        asks: HashMap::new(),
    };
    let Some(keys) = counter_keys(filter) else {
        if parts.opportunities {
            rows.groups = groups(db, viewer, filter).await?;
        }
        if parts.ask_counts || parts.overdue {
            rows.asks = ask_counts(db, viewer, filter, today).await?;
        }
        if parts.medians {
            add_medians(db, asks_in_scope(viewer, filter), &mut rows.asks).await?;
        }
        return Ok(rows);
    };
    let counters = Condition::all()
        .add(scope::pipeline_totals(viewer))
        .add(keys);
    if parts.opportunities {
        rows.groups = counted_groups(db, counters.clone()).await?;
    }
    if parts.ask_counts {
        rows.asks = counted_asks(db, counters).await?;
    }
    let asks = asks_in_scope(viewer, filter);
    if parts.overdue {
        for (kind, overdue) in overdue_asks(db, asks.clone(), today).await? {
            rows.asks.entry(kind).or_default().overdue = overdue;
        }
    }
    if parts.medians {
        add_medians(db, asks, &mut rows.asks).await?;
    }
    Ok(rows)
}

/// The filter as a condition on the counters' keys; None when it tests anything else (the
/// fields are listed one by one so that a new filter field must decide here).
fn counter_keys(filter: &OpportunityFilter) -> Option<Condition> {
    let OpportunityFilter {
        ids,
        partner_id,
        customer_id,
        stages,
        review_statuses,
        segments,
        aws_adoption,
        origin,
        primary_need,
        has_open_asks,
        search,
        target_close_date,
        created_at,
        last_modified_at,
        ace_sync_statuses,
    } = filter;
    let unkeyed = ids.is_some()
        || customer_id.is_some()
        || aws_adoption.is_some()
        || origin.is_some()
        || primary_need.is_some()
        || has_open_asks.is_some()
        || search.is_some()
        || *target_close_date != (None, None)
        || *created_at != (None, None)
        || *last_modified_at != (None, None)
        || ace_sync_statuses.is_some();
    if unkeyed {
        return None;
    }
    let col = |name: &str| Expr::col(Alias::new(name));
    let mut keys = Condition::all();
    if let Some(partner_id) = partner_id {
        keys = keys.add(col("partner_id").eq(partner_id.as_str()));
    }
    if let Some(stages) = stages {
        keys = keys.add(col("stage").is_in(stages.iter().map(|s| s.as_str())));
    }
    if let Some(statuses) = review_statuses {
        keys = keys.add(col("review_status").is_in(statuses.iter().map(|s| s.as_str())));
    }
    if let Some(segments) = segments {
        keys = keys.add(col("segment_code").is_in(segments.iter().map(|s| s.as_str())));
    }
    Some(keys)
}

/// The opportunity groups summed from the counters.
async fn counted_groups<C: ConnectionTrait>(db: &C, counters: Condition) -> AppResult<Vec<Group>> {
    let keys =
        ["stage", "review_status", "segment_code", "currency"].map(|k| Expr::col(Alias::new(k)));
    let query = Query::select()
        .exprs(keys.iter().take(3).cloned())
        .expr(Expr::cust("NULLIF(currency, '')"))
        .expr(Expr::cust("CAST(SUM(opportunities) AS BIGINT)"))
        .expr(Expr::cust("CAST(SUM(cents_high) AS BIGINT)"))
        .expr(Expr::cust("CAST(SUM(cents_low) AS BIGINT)"))
        .from(Alias::new("pipeline_opportunity_total"))
        .cond_where(counters)
        .add_group_by(keys)
        .and_having(Expr::cust("SUM(opportunities) > 0"))
        .take();
    group_rows(db.query_all(&query).await?)
}

fn group_rows(rows: Vec<sea_orm::QueryResult>) -> AppResult<Vec<Group>> {
    let mut groups = Vec::new();
    for row in rows {
        groups.push(Group {
            stage: row.try_get_by_index(0)?,
            review_status: row.try_get_by_index(1)?,
            segment: row.try_get_by_index(2)?,
            currency: row.try_get_by_index(3)?,
            count: row.try_get_by_index(4)?,
            cents: i128::from(row.try_get_by_index::<i64>(5)?) * i128::from(CENTS_SPLIT)
                + i128::from(row.try_get_by_index::<i64>(6)?),
        });
    }
    Ok(groups)
}

/// Open, fulfilled and declined asks by kind, summed from the counters.
async fn counted_asks<C: ConnectionTrait>(
    db: &C,
    counters: Condition,
) -> AppResult<HashMap<String, AskCounts>> {
    let sum_if = |statuses: &[AskStatus]| {
        let list = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        Expr::cust(format!(
            "CAST(SUM(CASE WHEN status IN ({list}) THEN asks ELSE 0 END) AS BIGINT)"
        ))
    };
    let query = Query::select()
        .column(Alias::new("kind"))
        .expr(sum_if(&OPEN_ASK_STATUSES))
        .expr(sum_if(&[AskStatus::Fulfilled]))
        .expr(sum_if(&[AskStatus::Declined]))
        .from(Alias::new("pipeline_ask_total"))
        .cond_where(counters)
        .group_by_col(Alias::new("kind"))
        .take();
    let mut counts = HashMap::new();
    for row in db.query_all(&query).await? {
        counts.insert(
            row.try_get_by_index(0)?,
            AskCounts {
                open: row.try_get_by_index(1)?,
                fulfilled: row.try_get_by_index(2)?,
                declined: row.try_get_by_index(3)?,
                ..AskCounts::default()
            },
        );
    }
    Ok(counts)
}

/// Open asks past their due date, by kind.
async fn overdue_asks<C: ConnectionTrait>(
    db: &C,
    asks: Condition,
    today: NaiveDate,
) -> AppResult<Vec<(String, i64)>> {
    let query = Query::select()
        .column((ask::Entity, ask::Column::Kind))
        .expr(Expr::cust("COUNT(*)"))
        .from(ask::Entity)
        .cond_where(asks.add(super::asks::overdue_condition(today)))
        .group_by_col((ask::Entity, ask::Column::Kind))
        .take();
    let mut overdue = Vec::new();
    for row in db.query_all(&query).await? {
        overdue.push((row.try_get_by_index(0)?, row.try_get_by_index(1)?));
    }
    Ok(overdue)
}

/// One scan of the opportunities in scope, grouped by everything a bucket can be keyed by.
async fn groups<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &OpportunityFilter,
) -> AppResult<Vec<Group>> {
    let keys = [
        Expr::col((opportunity::Entity, opportunity::Column::Stage)),
        Expr::col((opportunity::Entity, opportunity::Column::ReviewStatus)),
        Expr::col((customer::Entity, customer::Column::SegmentCode)),
        Expr::col((
            opportunity::Entity,
            opportunity::Column::ExpectedMonthlySpendCurrency,
        )),
    ];
    let mut query = Query::select();
    for key in &keys {
        query.expr(key.clone());
    }
    query
        .expr(Expr::cust("COUNT(*)"))
        // SUM of a BIGINT is NUMERIC on PostgreSQL; the casts keep both parts integers.
        .expr(Expr::cust(format!(
            "CAST(COALESCE(SUM(opportunity.expected_monthly_spend_cents / {CENTS_SPLIT}), 0) AS BIGINT)"
        )))
        .expr(Expr::cust(format!(
            "CAST(COALESCE(SUM(opportunity.expected_monthly_spend_cents % {CENTS_SPLIT}), 0) AS BIGINT)"
        )))
        .from(opportunity::Entity)
        .inner_join(
            customer::Entity,
            Expr::col((customer::Entity, customer::Column::Id))
                .equals((opportunity::Entity, opportunity::Column::CustomerId)),
        )
        .cond_where(in_scope(viewer, filter))
        .add_group_by(keys);
    group_rows(db.query_all(&query).await?)
}

const RESOLVED: [AskStatus; 2] = [AskStatus::Fulfilled, AskStatus::Declined];

/// Asks of the opportunities in scope, by kind.
async fn ask_counts<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &OpportunityFilter,
    today: NaiveDate,
) -> AppResult<HashMap<String, AskCounts>> {
    let asks = asks_in_scope(viewer, filter);
    let status_in = |statuses: &[AskStatus]| {
        Condition::all().add(ask::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
    };
    let count_if = |c: Condition| -> Expr { Func::sum(Expr::case(c, 1).finally(0)).into() };
    let query = Query::select()
        .column((ask::Entity, ask::Column::Kind))
        .expr(count_if(status_in(&OPEN_ASK_STATUSES)))
        .expr(count_if(status_in(&[AskStatus::Fulfilled])))
        .expr(count_if(status_in(&[AskStatus::Declined])))
        .expr(count_if(super::asks::overdue_condition(today)))
        .from(ask::Entity)
        .cond_where(asks.clone())
        .group_by_col((ask::Entity, ask::Column::Kind))
        .take();
    let mut counts = HashMap::new();
    for row in db.query_all(&query).await? {
        let kind: String = row.try_get_by_index(0)?;
        counts.insert(
            kind,
            AskCounts {
                open: row.try_get_by_index(1)?,
                fulfilled: row.try_get_by_index(2)?,
                declined: row.try_get_by_index(3)?,
                overdue: row.try_get_by_index(4)?,
                median_hours_to_resolve: None,
            },
        );
    }
    Ok(counts)
}

/// The asks of the opportunities in scope. An ask is visible exactly when its opportunity is
/// (`scope::asks`), so these are already the viewer's; repeating `scope::asks` would only scan
/// the opportunities a second time. Every opportunity (ADMIN without a filter): every ask,
/// without a subquery that selects the whole opportunity table to say so.
fn asks_in_scope(viewer: &Viewer, filter: &OpportunityFilter) -> Condition {
    if *filter == OpportunityFilter::default() {
        // The same rows; a partner's through the ask's own partner column.
        return scope::asks(viewer);
    }
    let scope = in_scope(viewer, filter);
    if scope.is_empty() {
        return Condition::all();
    }
    Condition::all().add(
        ask::Column::OpportunityId.in_subquery(
            Query::select()
                .column((opportunity::Entity, opportunity::Column::Id))
                .from(opportunity::Entity)
                .cond_where(scope)
                .take(),
        ),
    )
}

async fn add_medians<C: ConnectionTrait>(
    db: &C,
    asks: Condition,
    counts: &mut HashMap<String, AskCounts>,
) -> AppResult<()> {
    let resolved = asks.add(ask::Column::Status.is_in(RESOLVED.iter().map(|s| s.as_str())));
    for (kind, median) in median_hours_to_resolve(db, resolved).await? {
        counts.entry(kind).or_default().median_hours_to_resolve = Some(median);
    }
    Ok(())
}

/// Median hours from asking to FULFILLED or DECLINED, per kind: the middle row (or the mean
/// of the two middle rows) of each kind ranked by a window function, so only one row per kind
/// leaves the database.
async fn median_hours_to_resolve<C: ConnectionTrait>(
    db: &C,
    resolved: Condition,
) -> AppResult<Vec<(String, f64)>> {
    let hours = match db.get_database_backend() {
        DbBackend::Postgres => {
            // date_part is double precision; EXTRACT computes in NUMERIC, 4x slower here.
            "date_part('epoch', ask.resolved_at - ask.created_at) / 3600.0"
        }
        _ => "(julianday(ask.resolved_at) - julianday(ask.created_at)) * 24.0",
    };
    let durations = Query::select()
        .expr_as(
            Expr::col((ask::Entity, ask::Column::Kind)),
            Alias::new("kind"),
        )
        .expr_as(Expr::cust(hours), Alias::new("h"))
        .from(ask::Entity)
        .cond_where(resolved.add(ask::Column::ResolvedAt.is_not_null()))
        .take();
    let ranked = Query::select()
        .expr_as(Expr::cust("kind"), Alias::new("kind"))
        .expr_as(Expr::cust("h"), Alias::new("h"))
        .expr_as(
            Expr::cust("ROW_NUMBER() OVER (PARTITION BY kind ORDER BY h)"),
            Alias::new("rn"),
        )
        .expr_as(
            Expr::cust("COUNT(*) OVER (PARTITION BY kind)"),
            Alias::new("n"),
        )
        .from_subquery(durations, Alias::new("durations"))
        .take();
    let query = Query::select()
        .expr(Expr::cust("kind"))
        .expr(Expr::cust("AVG(h)"))
        .from_subquery(ranked, Alias::new("ranked"))
        .and_where(Expr::cust("rn IN ((n + 1) / 2, (n + 2) / 2)"))
        .add_group_by([Expr::cust("kind")])
        .take();
    let mut medians = Vec::new();
    for row in db.query_all(&query).await? {
        let hours: f64 = row.try_get_by_index(1)?;
        // SQLite's julianday arithmetic carries float noise; hours to two decimals is exact
        // enough for a dashboard and the same on both databases.
        medians.push((row.try_get_by_index(0)?, (hours * 100.0).round() / 100.0));
    }
    Ok(medians)
}
