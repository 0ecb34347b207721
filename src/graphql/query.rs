//! Query root: one object per slice, merged.
use crate::data;
use crate::data::page::PageArgs;
use crate::error::AppError;
use crate::error::FieldCode;
use crate::graphql::connection::{cost, wants_total};
use crate::graphql::ctx;
use crate::graphql::inputs::{
    AskFilter, AskOrder, CustomerFilter, CustomerOrder, OpportunityFilter, OpportunityOrder,
    PartnerFilter, ReferralFilter,
};
use crate::graphql::lists;
use crate::graphql::types::segment::Segment;
use crate::graphql::types::viewer::Viewer;
use crate::graphql::types::{
    Ask, AskConnection, Customer, CustomerConnection, Node, Opportunity, OpportunityConnection,
    Partner, PartnerConnection, Pipeline, Referral, ReferralConnection, node,
};
use async_graphql::{Context, ID, MergedObject, Object, Result};

/// Most ids `nodes` takes at once.
const MAX_NODE_IDS: usize = 100;

/// Every read. Each answers only what the caller's token may see (docs/domain.md, "Who may
/// do what").
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    CoreQuery,
    PartnerQuery,
    CustomerQuery,
    OpportunityQuery,
    AskQuery,
    ReferralQuery,
);

#[derive(Default)]
pub struct CoreQuery;

#[Object]
impl CoreQuery {
    /// Who the token says the caller is: subject, role, partner, segments, scopes.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let viewer = ctx::viewer(ctx)?;
        if ctx.data_opt::<TestHooks>().is_some_and(|h| h.0) {
            match viewer.subject.as_str() {
                TestHooks::PANIC_SUBJECT => panic!("test hook: deliberate panic"),
                TestHooks::SLOW_SUBJECT => tokio::time::sleep(TestHooks::SLOW).await,
                _ => {}
            }
        }
        Ok(Viewer(viewer.clone()))
    }

    /// Any object by id; null when it does not exist or is not visible to the caller.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any object's id (`ptr_…`, `opp_…`, …).")] id: ID,
    ) -> Result<Option<Node>> {
        // Relay refetches by id and expects null, not an error, for what is gone or hidden;
        // `opportunity(id:)` and the other typed lookups keep NOT_FOUND.
        Ok(node::find(ctx::db(ctx)?, ctx::viewer(ctx)?, &id).await?)
    }

    /// Objects by id, in the order asked; null where one does not exist or is not visible.
    #[graphql(complexity = "1 + ids.len().max(1) * child_complexity")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100 ids.")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODE_IDS {
            return Err(AppError::bad_field(
                "ids",
                FieldCode::TooManyValues,
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
/// does): with them on, `viewer` panics for one subject, to prove panics are contained, and
/// takes four seconds for another, to prove deadlines and concurrency limits.
#[derive(Clone, Copy, Debug, Default)]
pub struct TestHooks(pub bool);

impl TestHooks {
    pub const PANIC_SUBJECT: &'static str = "test-hook:panic";
    pub const SLOW_SUBJECT: &'static str = "test-hook:slow";
    pub const SLOW: std::time::Duration = std::time::Duration::from_secs(4);
}

#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    /// A partner by id: its own users, its PARTNER_MANAGERs, AWS sellers (the partner directory) and ADMIN; NOT_FOUND otherwise.
    async fn partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner's id.")] id: ID,
    ) -> Result<Option<Partner>> {
        let found = data::partners::find(ctx::db(ctx)?, ctx::viewer(ctx)?, &id).await?;
        Ok(Some(Partner(found.ok_or(AppError::NotFound("partner"))?)))
    }

    /// Partners the caller may see, by name.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn partners(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Rows to return from the start (or after `after`): 1 to 100, default 20."
        )]
        first: Option<i32>,
        #[graphql(desc = "A cursor (`endCursor` of the previous page): rows after it.")]
        after: Option<String>,
        #[graphql(
            desc = "Narrows the list; every given condition must hold (within one, any listed value matches)."
        )]
        filter: Option<PartnerFilter>,
    ) -> Result<PartnerConnection> {
        let args = PageArgs::forward(first, after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let filter = data::partners::PartnerFilter {
            search: filter.search,
            segments: filter.segment,
        };
        let with_total = wants_total(ctx);
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
    /// A customer by id, if the caller may see it; NOT_FOUND otherwise.
    async fn customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer's id.")] id: ID,
    ) -> Result<Option<Customer>> {
        let found = data::customers::find(ctx::db(ctx)?, ctx::viewer(ctx)?, &id).await?;
        Ok(Some(Customer(found.ok_or(AppError::NotFound("customer"))?)))
    }

    /// Customers the caller may see; by company name unless `orderBy` says otherwise.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Rows to return from the start (or after `after`): 1 to 100, default 20."
        )]
        first: Option<i32>,
        #[graphql(desc = "A cursor (`endCursor` of the previous page): rows after it.")]
        after: Option<String>,
        #[graphql(
            desc = "Narrows the list; every given condition must hold (within one, any listed value matches)."
        )]
        filter: Option<CustomerFilter>,
        #[graphql(
            desc = "The order of the list; each order breaks ties by id, so pages never skip or repeat rows."
        )]
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
    /// An opportunity by id, if the caller may see it; NOT_FOUND otherwise (AWS-side viewers see only submitted ones in their scope).
    async fn opportunity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The opportunity's id.")] id: ID,
    ) -> Result<Option<Opportunity>> {
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
        #[graphql(
            desc = "Rows to return from the start (or after `after`): 1 to 100, default 20."
        )]
        first: Option<i32>,
        #[graphql(desc = "A cursor (`endCursor` of the previous page): rows after it.")]
        after: Option<String>,
        #[graphql(desc = "Rows to return from the end (or before `before`): 1 to 100.")]
        last: Option<i32>,
        #[graphql(desc = "A cursor (`startCursor` of the next page): rows before it.")]
        before: Option<String>,
        #[graphql(
            desc = "Narrows the list; every given condition must hold (within one, any listed value matches)."
        )]
        filter: Option<OpportunityFilter>,
        #[graphql(
            desc = "The order of the list; each order breaks ties by id, so pages never skip or repeat rows."
        )]
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

    /// Aggregates of the opportunities the caller may see (narrowed by `filter`) and of their
    /// asks, computed by the database.
    async fn pipeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The opportunities to count, as `opportunities` takes them (their asks follow)."
        )]
        filter: Option<OpportunityFilter>,
    ) -> Result<Pipeline> {
        let filter = lists::opportunity_filter(filter.unwrap_or_default())?;
        // Each part is a statement of its own; the median one sorts every resolved ask in
        // scope, so a dashboard that does not show it does not pay for it.
        let selection = ctx.look_ahead();
        let asks = selection.field("asksByKind");
        let parts = data::pipeline::Parts {
            opportunities: [
                "totalCount",
                "expectedMonthlySpend",
                "byStage",
                "bySegment",
                "byReviewStatus",
            ]
            .iter()
            .any(|f| selection.field(f).exists()),
            ask_counts: ["open", "fulfilled", "declined"]
                .iter()
                .any(|f| asks.field(f).exists()),
            overdue: asks.field("overdue").exists(),
            medians: asks.field("medianHoursToResolve").exists(),
        };
        let rows = data::pipeline::compute(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &filter,
            parts,
            crate::domain::now().date_naive(),
        )
        .await?;
        Ok(Pipeline::from_rows(rows)?)
    }
}

#[derive(Default)]
pub struct AskQuery;

#[Object]
impl AskQuery {
    /// An ask by id, if the caller may see its opportunity; NOT_FOUND otherwise.
    async fn ask(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ask's id.")] id: ID,
    ) -> Result<Option<Ask>> {
        let found = data::asks::find(ctx::db(ctx)?, ctx::viewer(ctx)?, &id).await?;
        Ok(Some(Ask(found.ok_or(AppError::NotFound("ask"))?)))
    }

    /// Asks the caller may see; newest first unless `orderBy` says otherwise.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn asks(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Rows to return from the start (or after `after`): 1 to 100, default 20."
        )]
        first: Option<i32>,
        #[graphql(desc = "A cursor (`endCursor` of the previous page): rows after it.")]
        after: Option<String>,
        #[graphql(
            desc = "Narrows the list; every given condition must hold (within one, any listed value matches)."
        )]
        filter: Option<AskFilter>,
        #[graphql(
            desc = "The order of the list; each order breaks ties by id, so pages never skip or repeat rows."
        )]
        order_by: Option<AskOrder>,
    ) -> Result<AskConnection> {
        lists::asks(
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
pub struct ReferralQuery;

#[Object]
impl ReferralQuery {
    /// A referral by id, if the caller may see it; NOT_FOUND otherwise.
    async fn referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The referral's id.")] id: ID,
    ) -> Result<Option<Referral>> {
        let found = data::referrals::find(ctx::db(ctx)?, ctx::viewer(ctx)?, &id).await?;
        Ok(Some(Referral(found.ok_or(AppError::NotFound("referral"))?)))
    }

    /// Referrals the caller may see, newest first.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn referrals(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Rows to return from the start (or after `after`): 1 to 100, default 20."
        )]
        first: Option<i32>,
        #[graphql(desc = "A cursor (`endCursor` of the previous page): rows after it.")]
        after: Option<String>,
        #[graphql(
            desc = "Narrows the list; every given condition must hold (within one, any listed value matches)."
        )]
        filter: Option<ReferralFilter>,
    ) -> Result<ReferralConnection> {
        let args = PageArgs::forward(first, after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let filter = data::referrals::ReferralFilter {
            statuses: filter.status,
            partner_id: filter.partner_id.map(|id| id.0),
        };
        let with_total = wants_total(ctx);
        let page = data::referrals::page(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &filter,
            &args,
            with_total,
            crate::domain::now(),
        )
        .await?;
        Ok(ReferralConnection::from_page(
            page,
            data::referrals::cursor_of,
            Referral,
        ))
    }
}
