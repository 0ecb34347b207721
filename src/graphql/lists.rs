//! The customer, opportunity and ask lists, shared by the root queries and the nested fields
//! (`Partner.customers`, `Partner.opportunities`, `Customer.opportunities`, `Partner.asks`,
//! `Opportunity.asks`).
use crate::data;
use crate::data::page::{Page, PageArgs};
use crate::domain::enums::SortDirection;
use crate::error::AppError;
use crate::error::FieldCode;
use crate::graphql::connection::wants_total;
use crate::graphql::ctx;
use crate::graphql::inputs::{
    AskFilter, AskOrder, AskOrderField, CustomerFilter, CustomerOrder, CustomerOrderField,
    OpportunityFilter, OpportunityOrder, OpportunityOrderField,
};
use crate::graphql::nested;
use crate::graphql::types::{
    Ask, AskConnection, Customer, CustomerConnection, Opportunity, OpportunityConnection,
};
use async_graphql::{Context, Result};

/// Longest free-text search; longer patterns only make LIKE scans slower.
const MAX_SEARCH: usize = 200;
/// Most ids an `ids` filter takes, like `nodes`.
const MAX_FILTER_IDS: usize = 100;

fn check_search(search: Option<&str>) -> crate::error::AppResult<()> {
    match search {
        Some(s) if s.chars().count() > MAX_SEARCH => Err(AppError::bad_field(
            "filter.search",
            FieldCode::ValueOutOfRange,
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
    Opportunity(&'a str),
}

/// A first page forward: the nested loader's case (a cursor is one parent's).
pub fn first_page(args: &PageArgs) -> bool {
    args.after.is_none() && !args.backward
}

/// One parent's first page through the nested loader, batched with its siblings'.
pub async fn nested_page<S: nested::Spec>(
    loader: &async_graphql::dataloader::DataLoader<nested::NestedPages<S>>,
    spec: S,
    parent: &str,
    args: &PageArgs,
) -> crate::error::AppResult<Page<S::Row>> {
    // The loader drops its own copy once it has answered, so the page usually moves out
    // without a copy (one is made only if it is still shared).
    Ok(
        match loader.load_one(nested::PageKey::new(spec, parent)).await? {
            Some(page) => {
                std::sync::Arc::try_unwrap(page).unwrap_or_else(|shared| (*shared).clone())
            }
            None => Page::empty(args),
        },
    )
}

/// Sets a filter's parent id to `parent`; true when the filter named another one, so the list
/// matches nothing.
fn confine(slot: &mut Option<String>, parent: &str) -> bool {
    let elsewhere = slot.as_deref().is_some_and(|asked| asked != parent);
    *slot = Some(parent.to_string());
    elsewhere
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
    let elsewhere = match within {
        Within::Everything => false,
        Within::Partner(id) => confine(&mut filter.partner_id, id),
        Within::Customer(_) | Within::Opportunity(_) => {
            return Err(AppError::internal("customers are listed only under partners").into());
        }
    };
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
    let with_total = wants_total(ctx);
    let page = match within {
        _ if elsewhere => Page::empty(&args),
        Within::Partner(id) if first_page(&args) => {
            filter.partner_id = None;
            let spec = nested::Customers {
                filter,
                order: (field, desc),
                args: args.clone(),
                with_total,
            };
            nested_page(&ctx::loaders(ctx)?.customer_pages, spec, id, &args).await?
        }
        _ => {
            data::customers::page(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &filter,
                (field, desc),
                &args,
                with_total,
            )
            .await?
        }
    };
    Ok(CustomerConnection::from_page(
        page,
        data::customers::cursor_of(field),
        Customer,
    ))
}

/// The opportunity filter of the contract, checked, as the data layer takes it (lists and
/// `pipeline` share it).
pub fn opportunity_filter(
    f: OpportunityFilter,
) -> crate::error::AppResult<data::opportunities::OpportunityFilter> {
    check_search(f.search.as_deref())?;
    if f.ids.as_ref().is_some_and(|ids| ids.len() > MAX_FILTER_IDS) {
        return Err(AppError::bad_field(
            "filter.ids",
            FieldCode::TooManyValues,
            format!("at most {MAX_FILTER_IDS} ids"),
        ));
    }
    let range = |r: Option<crate::graphql::inputs::DateTimeRange>| {
        let r = r.unwrap_or_default();
        (r.after.map(|d| d.0), r.before.map(|d| d.0))
    };
    let dates = f.target_close_date.unwrap_or_default();
    Ok(data::opportunities::OpportunityFilter {
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
        ace_sync_statuses: f
            .ace_sync_status
            .map(|list| list.into_iter().map(|s| s.stored()).collect()),
    })
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
    let mut filter = opportunity_filter(filter.unwrap_or_default())?;
    let elsewhere = match within {
        Within::Everything => false,
        Within::Partner(id) => confine(&mut filter.partner_id, id),
        Within::Customer(id) => confine(&mut filter.customer_id, id),
        Within::Opportunity(_) => {
            return Err(AppError::internal("opportunities are not listed under one").into());
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
    let with_total = wants_total(ctx);
    let nested = match within {
        Within::Partner(id) => Some((data::opportunities::Parent::Partner, id)),
        Within::Customer(id) => Some((data::opportunities::Parent::Customer, id)),
        _ => None,
    };
    let page = match nested {
        _ if elsewhere => Page::empty(&args),
        Some((parent, id)) if first_page(&args) => {
            // The parent's id is the loader's key, not the spec's: siblings share the query.
            match parent {
                data::opportunities::Parent::Partner => filter.partner_id = None,
                data::opportunities::Parent::Customer => filter.customer_id = None,
            }
            let spec = nested::Opportunities {
                filter,
                order: (field, desc),
                parent,
                args: args.clone(),
                with_total,
            };
            nested_page(&ctx::loaders(ctx)?.opportunity_pages, spec, id, &args).await?
        }
        _ => {
            data::opportunities::page(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &filter,
                (field, desc),
                &args,
                with_total,
            )
            .await?
        }
    };
    Ok(OpportunityConnection::from_page(
        page,
        |(m, sort)| vec![sort.clone(), m.id.clone().into()],
        |(m, _)| Opportunity(m),
    ))
}

pub async fn asks(
    ctx: &Context<'_>,
    window: Window,
    filter: Option<AskFilter>,
    order_by: Option<AskOrder>,
    within: Within<'_>,
) -> Result<AskConnection> {
    use data::asks::AskOrderField as F;
    let args = window.args()?;
    let f = filter.unwrap_or_default();
    let mut filter = data::asks::AskFilter {
        kinds: f.kind,
        statuses: f.status,
        open: f.open,
        overdue: f.overdue,
        assignee: f.assignee,
        partner_id: f.partner_id.map(|id| id.0),
        opportunity_id: f.opportunity_id.map(|id| id.0),
        segments: f.segment,
    };
    let elsewhere = match within {
        Within::Everything => false,
        Within::Partner(id) => confine(&mut filter.partner_id, id),
        Within::Opportunity(id) => confine(&mut filter.opportunity_id, id),
        Within::Customer(_) => {
            return Err(AppError::internal("asks are not listed under customers").into());
        }
    };
    let (field, desc) = match order_by {
        None => (F::CreatedAt, true),
        Some(o) => (
            match o.field {
                AskOrderField::CreatedAt => F::CreatedAt,
                AskOrderField::UpdatedAt => F::UpdatedAt,
                AskOrderField::DueDate => F::DueDate,
                AskOrderField::Priority => F::Priority,
            },
            o.direction == SortDirection::Desc,
        ),
    };
    let with_total = wants_total(ctx);
    let today = crate::domain::now().date_naive();
    let nested = match within {
        Within::Partner(id) => Some((data::asks::Parent::Partner, id)),
        Within::Opportunity(id) => Some((data::asks::Parent::Opportunity, id)),
        _ => None,
    };
    let page = match nested {
        _ if elsewhere => Page::empty(&args),
        Some((parent, id)) if first_page(&args) => {
            match parent {
                data::asks::Parent::Partner => filter.partner_id = None,
                data::asks::Parent::Opportunity => filter.opportunity_id = None,
            }
            let spec = nested::Asks {
                filter,
                order: (field, desc),
                parent,
                args: args.clone(),
                with_total,
                today,
            };
            nested_page(&ctx::loaders(ctx)?.ask_pages, spec, id, &args).await?
        }
        _ => {
            data::asks::page(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &filter,
                (field, desc),
                &args,
                with_total,
                today,
            )
            .await?
        }
    };
    Ok(AskConnection::from_page(
        page,
        data::asks::cursor_of(field),
        Ask,
    ))
}
