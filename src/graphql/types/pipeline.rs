//! Pipeline analytics: the viewer's opportunities and asks at a glance. Buckets list every
//! value of their enum in the contract's order, zeros included, so charts keep their axes.
use crate::data::pipeline::{Group, PipelineRows};
use crate::domain::enums::*;
use crate::error::AppError;
use crate::graphql::scalars::Decimal;
use crate::graphql::types::opportunity::Money;
use async_graphql::SimpleObject;
use std::collections::BTreeMap;

/// Opportunities in one stage.
#[derive(SimpleObject)]
pub struct StageBucket {
    /// The stage.
    pub stage: Stage,
    /// Opportunities in it.
    pub count: i32,
    /// Summed per currency, in currency-code order.
    pub expected_monthly_spend: Vec<Money>,
}

/// Opportunities whose customer is in one segment.
#[derive(SimpleObject)]
pub struct SegmentBucket {
    /// The customers' segment.
    pub segment: SegmentCode,
    /// Opportunities of customers in it.
    pub count: i32,
    /// Their expected monthly spend, summed per currency.
    pub expected_monthly_spend: Vec<Money>,
}

/// Opportunities with one review status.
#[derive(SimpleObject)]
pub struct ReviewBucket {
    /// The review status.
    pub review_status: ReviewStatus,
    /// Opportunities with it.
    pub count: i32,
}

/// Asks of one kind in the pipeline's scope, by state.
#[derive(SimpleObject)]
pub struct AskKindBucket {
    /// The kind of ask.
    pub kind: AskKind,
    /// OPEN, ACKNOWLEDGED or IN_PROGRESS.
    pub open: i32,
    /// Asks FULFILLED.
    pub fulfilled: i32,
    /// Asks DECLINED.
    pub declined: i32,
    /// Open and due before today.
    pub overdue: i32,
    /// From asking to FULFILLED or DECLINED, in hours to two decimals; null without such
    /// asks.
    pub median_hours_to_resolve: Option<f64>,
}

/// Counts and sums over the opportunities the caller may see (narrowed by the filter) and their asks.
#[derive(SimpleObject)]
pub struct Pipeline {
    /// Opportunities counted.
    pub total_count: i32,
    /// Their expected monthly spend, summed per currency (in currency-code order).
    pub expected_monthly_spend: Vec<Money>,
    /// Counts and spend for every stage, in the contract's order, zeros included.
    pub by_stage: Vec<StageBucket>,
    /// Counts and spend for every segment of the customers, zeros included.
    pub by_segment: Vec<SegmentBucket>,
    /// Counts for every review status, zeros included.
    pub by_review_status: Vec<ReviewBucket>,
    /// The asks of those opportunities, for every kind.
    pub asks_by_kind: Vec<AskKindBucket>,
}

fn count(n: i64) -> i32 {
    n.clamp(0, i64::from(i32::MAX)) as i32
}

/// Count and spend per currency (in currency-code order) of the groups `pick` keeps.
fn totals(groups: &[Group], pick: impl Fn(&Group) -> bool) -> Result<(i32, Vec<Money>), AppError> {
    let mut n = 0;
    let mut spend: BTreeMap<&str, i128> = BTreeMap::new();
    for g in groups.iter().filter(|g| pick(g)) {
        n += g.count;
        if let Some(currency) = &g.currency {
            *spend.entry(currency).or_default() += g.cents;
        }
    }
    let money = spend
        .into_iter()
        .map(|(currency, cents)| {
            Ok(Money {
                amount: Decimal(cents),
                currency_code: decode(currency)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((count(n), money))
}

impl Pipeline {
    pub fn from_rows(rows: PipelineRows) -> Result<Self, AppError> {
        let groups = &rows.groups;
        let (total_count, expected_monthly_spend) = totals(groups, |_| true)?;
        let by_stage = Stage::ALL
            .iter()
            .map(|s| {
                let (count, expected_monthly_spend) = totals(groups, |g| g.stage == s.as_str())?;
                Ok(StageBucket {
                    stage: *s,
                    count,
                    expected_monthly_spend,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let by_segment = SegmentCode::ALL
            .iter()
            .map(|s| {
                let (count, expected_monthly_spend) = totals(groups, |g| g.segment == s.as_str())?;
                Ok(SegmentBucket {
                    segment: *s,
                    count,
                    expected_monthly_spend,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let by_review_status = ReviewStatus::ALL
            .iter()
            .map(|s| {
                Ok(ReviewBucket {
                    review_status: *s,
                    count: totals(groups, |g| g.review_status == s.as_str())?.0,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let asks_by_kind = AskKind::ALL
            .iter()
            .map(|k| {
                let c = rows.asks.get(k.as_str()).cloned().unwrap_or_default();
                AskKindBucket {
                    kind: *k,
                    open: count(c.open),
                    fulfilled: count(c.fulfilled),
                    declined: count(c.declined),
                    overdue: count(c.overdue),
                    median_hours_to_resolve: c.median_hours_to_resolve,
                }
            })
            .collect();
        Ok(Pipeline {
            total_count,
            expected_monthly_spend,
            by_stage,
            by_segment,
            by_review_status,
            asks_by_kind,
        })
    }
}
