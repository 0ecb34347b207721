//! Query root: one object per slice, merged.
use crate::data;
use crate::data::page::PageArgs;
use crate::error::AppError;
use crate::graphql::connection::cost;
use crate::graphql::ctx;
use crate::graphql::inputs::{
    CustomerFilter, CustomerOrder, OpportunityFilter, OpportunityOrder, PartnerFilter,
};
use crate::graphql::lists;
use crate::graphql::types::segment::Segment;
use crate::graphql::types::viewer::Viewer;
use crate::graphql::types::{
    Customer, CustomerConnection, Node, Opportunity, OpportunityConnection, Partner,
    PartnerConnection, node,
};
use async_graphql::{Context, ID, MergedObject, Object, Result};

/// Most ids `nodes` takes at once.
const MAX_NODE_IDS: usize = 100;

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(CoreQuery, PartnerQuery, CustomerQuery, OpportunityQuery);

#[derive(Default)]
pub struct CoreQuery;

#[Object]
impl CoreQuery {
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let viewer = ctx::viewer(ctx)?;
        if ctx.data_opt::<TestHooks>().is_some_and(|h| h.0)
            && viewer.subject == TestHooks::PANIC_SUBJECT
        {
            panic!("test hook: deliberate panic");
        }
        Ok(Viewer(viewer.clone()))
    }

    /// Any object by id; NOT_FOUND when it does not exist or is not visible to the caller.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let found = node::find(ctx::db(ctx)?, ctx::viewer(ctx)?, &id).await?;
        Ok(Some(found.ok_or(AppError::NotFound("node"))?))
    }

    /// Objects by id, in the order asked; null where one does not exist or is not visible.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODE_IDS {
            return Err(AppError::bad_field(
                "ids",
                "TOO_MANY_VALUES",
                format!("at most {MAX_NODE_IDS} ids"),
            )
            .into());
        }
        let (db, viewer) = (ctx::db(ctx)?, ctx::viewer(ctx)?);
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            out.push(node::find(db, viewer, id).await?);
        }
        Ok(out)
    }

    /// The segment catalogue, in its canonical order.
    async fn segments(&self, ctx: &Context<'_>) -> Result<Vec<Segment>> {
        Ok(data::segments::all(ctx::db(ctx)?)
            .await?
            .into_iter()
            .map(Segment)
            .collect())
    }
}

/// Test-only switches, off unless the embedding code turns them on (the `cosell` binary never
/// does): with them on, `viewer` panics for the subject below, to prove panics are contained.
#[derive(Clone, Copy, Debug, Default)]
pub struct TestHooks(pub bool);

impl TestHooks {
    pub const PANIC_SUBJECT: &'static str = "test-hook:panic";
}

#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    async fn partner(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Partner>> {
        let found = data::partners::find(ctx::db(ctx)?, ctx::viewer(ctx)?, &id).await?;
        Ok(Some(Partner(found.ok_or(AppError::NotFound("partner"))?)))
    }

    /// Partners the caller may see, by name.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn partners(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<PartnerFilter>,
    ) -> Result<PartnerConnection> {
        let args = PageArgs::forward(first, after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let filter = data::partners::PartnerFilter {
            search: filter.search,
            segments: filter.segment,
        };
        let with_total = ctx.look_ahead().field("totalCount").exists();
        let page =
            data::partners::page(ctx::db(ctx)?, ctx::viewer(ctx)?, &filter, &args, with_total)
                .await?;
        Ok(PartnerConnection::from_page(
            page,
            data::partners::cursor_of,
            Partner,
        ))
    }
}

#[derive(Default)]
pub struct CustomerQuery;

#[Object]
impl CustomerQuery {
    async fn customer(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Customer>> {
        let found = data::customers::find(ctx::db(ctx)?, ctx::viewer(ctx)?, &id).await?;
        Ok(Some(Customer(found.ok_or(AppError::NotFound("customer"))?)))
    }

    /// Customers the caller may see; by company name unless `orderBy` says otherwise.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<CustomerFilter>,
        order_by: Option<CustomerOrder>,
    ) -> Result<CustomerConnection> {
        lists::customers(
            ctx,
            lists::Window::forward(first, after),
            filter,
            order_by,
            lists::Within::Everything,
        )
        .await
    }
}

#[derive(Default)]
pub struct OpportunityQuery;

#[Object]
impl OpportunityQuery {
    async fn opportunity(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Opportunity>> {
        let found = data::opportunities::find(ctx::db(ctx)?, ctx::viewer(ctx)?, &id).await?;
        Ok(Some(Opportunity(
            found.ok_or(AppError::NotFound("opportunity"))?,
        )))
    }

    /// Opportunities the caller may see; newest change first unless `orderBy` says otherwise.
    #[graphql(complexity = "cost(first.or(last), child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn opportunities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OpportunityFilter>,
        order_by: Option<OpportunityOrder>,
    ) -> Result<OpportunityConnection> {
        lists::opportunities(
            ctx,
            lists::Window::both(first, after, last, before),
            filter,
            order_by,
            lists::Within::Everything,
        )
        .await
    }
}
