//! The customer and opportunity lists, shared by the root queries and the nested fields
//! (`Partner.customers`, `Partner.opportunities`, `Customer.opportunities`).
use crate::data;
use crate::data::page::{Page, PageArgs};
use crate::domain::enums::SortDirection;
use crate::error::AppError;
use crate::graphql::ctx;
use crate::graphql::inputs::{
    CustomerFilter, CustomerOrder, CustomerOrderField, OpportunityFilter, OpportunityOrder,
    OpportunityOrderField,
};
use crate::graphql::types::{Customer, CustomerConnection, Opportunity, OpportunityConnection};
use async_graphql::{Context, Result};

/// Longest free-text search; longer patterns only make LIKE scans slower.
const MAX_SEARCH: usize = 200;
/// Most ids an `ids` filter takes, like `nodes`.
const MAX_FILTER_IDS: usize = 100;

fn check_search(search: Option<&str>) -> crate::error::AppResult<()> {
    match search {
        Some(s) if s.chars().count() > MAX_SEARCH => Err(AppError::bad_field(
            "filter.search",
            "VALUE_OUT_OF_RANGE",
            format!("must be at most {MAX_SEARCH} characters"),
        )),
        _ => Ok(()),
    }
}

/// first/after, or last/before where the list offers it.
pub struct Window {
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
}

impl Window {
    pub fn forward(first: Option<i32>, after: Option<String>) -> Self {
        Window {
            first,
            after,
            last: None,
            before: None,
        }
    }

    pub fn both(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Window {
            first,
            after,
            last,
            before,
        }
    }

    fn args(&self) -> crate::error::AppResult<PageArgs> {
        PageArgs::either(
            self.first,
            self.after.as_deref(),
            self.last,
            self.before.as_deref(),
        )
    }
}

/// A nested list is confined to its parent, whatever the filter says.
pub enum Within<'a> {
    Everything,
    Partner(&'a str),
    Customer(&'a str),
}

pub async fn customers(
    ctx: &Context<'_>,
    window: Window,
    filter: Option<CustomerFilter>,
    order_by: Option<CustomerOrder>,
    within: Within<'_>,
) -> Result<CustomerConnection> {
    let args = window.args()?;
    let f = filter.unwrap_or_default();
    check_search(f.search.as_deref())?;
    let mut filter = data::customers::CustomerFilter {
        segments: f.segment,
        aws_adoption: f.aws_adoption,
        industries: f.industry,
        search: f.search,
        partner_id: f.partner_id.map(|id| id.0),
    };
    // A filter naming another partner than the parent matches nothing.
    let mut elsewhere = false;
    if let Within::Partner(id) = within {
        elsewhere = filter
            .partner_id
            .as_deref()
            .is_some_and(|asked| asked != id);
        filter.partner_id = Some(id.to_string());
    }
    let (field, desc) = match order_by {
        None => (data::customers::CustomerOrderField::CompanyName, false),
        Some(o) => (
            match o.field {
                CustomerOrderField::CompanyName => data::customers::CustomerOrderField::CompanyName,
                CustomerOrderField::CreatedAt => data::customers::CustomerOrderField::CreatedAt,
                CustomerOrderField::UpdatedAt => data::customers::CustomerOrderField::UpdatedAt,
            },
            o.direction == SortDirection::Desc,
        ),
    };
    let with_total = ctx.look_ahead().field("totalCount").exists();
    let page = if elsewhere {
        Page::empty(&args)
    } else {
        data::customers::page(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &filter,
            (field, desc),
            &args,
            with_total,
        )
        .await?
    };
    Ok(CustomerConnection::from_page(
        page,
        data::customers::cursor_of(field),
        Customer,
    ))
}

pub async fn opportunities(
    ctx: &Context<'_>,
    window: Window,
    filter: Option<OpportunityFilter>,
    order_by: Option<OpportunityOrder>,
    within: Within<'_>,
) -> Result<OpportunityConnection> {
    use data::opportunities::OpportunityOrderField as F;
    let args = window.args()?;
    let f = filter.unwrap_or_default();
    check_search(f.search.as_deref())?;
    if f.ids.as_ref().is_some_and(|ids| ids.len() > MAX_FILTER_IDS) {
        return Err(AppError::bad_field(
            "filter.ids",
            "TOO_MANY_VALUES",
            format!("at most {MAX_FILTER_IDS} ids"),
        )
        .into());
    }
    let range = |r: Option<crate::graphql::inputs::DateTimeRange>| {
        let r = r.unwrap_or_default();
        (r.after.map(|d| d.0), r.before.map(|d| d.0))
    };
    let dates = f.target_close_date.unwrap_or_default();
    let mut filter = data::opportunities::OpportunityFilter {
        ids: f.ids.map(|ids| ids.into_iter().map(|id| id.0).collect()),
        partner_id: f.partner_id.map(|id| id.0),
        customer_id: f.customer_id.map(|id| id.0),
        stages: f.stage,
        review_statuses: f.review_status,
        segments: f.segment,
        aws_adoption: f.aws_adoption,
        origin: f.origin,
        primary_need: f.primary_need,
        has_open_asks: f.has_open_asks,
        search: f.search,
        target_close_date: (dates.after.map(|d| d.0), dates.before.map(|d| d.0)),
        created_at: range(f.created_at),
        last_modified_at: range(f.last_modified_at),
    };
    // A filter naming another parent than the one the list hangs under matches nothing.
    let elsewhere = match within {
        Within::Everything => false,
        Within::Partner(id) => {
            let asked_other = filter
                .partner_id
                .as_deref()
                .is_some_and(|asked| asked != id);
            filter.partner_id = Some(id.to_string());
            asked_other
        }
        Within::Customer(id) => {
            let asked_other = filter
                .customer_id
                .as_deref()
                .is_some_and(|asked| asked != id);
            filter.customer_id = Some(id.to_string());
            asked_other
        }
    };
    let (field, desc) = match order_by {
        None => (F::LastModifiedAt, true),
        Some(o) => (
            match o.field {
                OpportunityOrderField::LastModifiedAt => F::LastModifiedAt,
                OpportunityOrderField::CreatedAt => F::CreatedAt,
                OpportunityOrderField::TargetCloseDate => F::TargetCloseDate,
                OpportunityOrderField::CustomerCompanyName => F::CustomerCompanyName,
                OpportunityOrderField::Title => F::Title,
                OpportunityOrderField::ExpectedMonthlySpend => F::ExpectedMonthlySpend,
            },
            o.direction == SortDirection::Desc,
        ),
    };
    let with_total = ctx.look_ahead().field("totalCount").exists();
    let page = if elsewhere {
        Page::empty(&args)
    } else {
        data::opportunities::page(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &filter,
            (field, desc),
            &args,
            with_total,
        )
        .await?
    };
    Ok(OpportunityConnection::from_page(
        page,
        |(m, sort)| vec![sort.clone(), m.id.clone().into()],
        |(m, _)| Opportunity(m),
    ))
}
