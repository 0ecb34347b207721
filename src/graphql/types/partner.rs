//! Partner, Solution, CustomerReference and the partner's referral readiness.
use crate::domain::enums::{
    Industry, SegmentCode, SolutionCategory, SolutionStatus, StoredEnum, decode,
};
use crate::error::AppError;
use crate::graphql::connection::{connection, nested_cost};
use crate::graphql::ctx;
use crate::graphql::inputs::{
    AskFilter, AskOrder, CustomerFilter, CustomerOrder, OpportunityFilter, OpportunityOrder,
};
use crate::graphql::lists;
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::types::{AskConnection, CustomerConnection, OpportunityConnection};
use crate::services::referral_readiness;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{customer_reference, partner, solution};

#[derive(Clone)]
pub struct Partner(pub partner::Model);

connection!(PartnerConnection, PartnerEdge, Partner);

fn decode_sorted<E: StoredEnum + Ord>(stored: Vec<String>) -> Result<Vec<E>, AppError> {
    let mut values = stored
        .iter()
        .map(|s| decode::<E>(s))
        .collect::<Result<Vec<_>, _>>()?;
    values.sort();
    Ok(values)
}

/// An AWS partner organisation: its profile, solutions, references, customers and opportunities.
#[Object]
impl Partner {
    /// The partner's id (`ptr_…`).
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The partner's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The partner's website.
    async fn website_url(&self) -> Option<&str> {
        self.0.website_url.as_deref()
    }
    /// What the partner offers, in a few sentences.
    async fn value_proposition(&self) -> Option<&str> {
        self.0.value_proposition.as_deref()
    }
    /// The segments the partner sells to.
    async fn segments(&self, ctx: &Context<'_>) -> Result<Vec<SegmentCode>> {
        let stored = ctx::load(&ctx::loaders(ctx)?.segments, &self.0.id)
            .await?
            .unwrap_or_default();
        Ok(decode_sorted(stored)?)
    }
    /// The industries the partner serves.
    async fn industries(&self, ctx: &Context<'_>) -> Result<Vec<Industry>> {
        let stored = ctx::load(&ctx::loaders(ctx)?.industries, &self.0.id)
            .await?
            .unwrap_or_default();
        Ok(decode_sorted(stored)?)
    }
    /// The partner's solutions by name, optionally only those of one status.
    async fn solutions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only solutions with this status.")] status: Option<SolutionStatus>,
    ) -> Result<Vec<Solution>> {
        let rows = ctx::load(&ctx::loaders(ctx)?.solutions, &self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .filter(|s| status.is_none_or(|wanted| s.status == wanted.as_str()))
            .map(Solution)
            .collect())
    }
    /// Newest first.
    async fn references(&self, ctx: &Context<'_>) -> Result<Vec<CustomerReference>> {
        let rows = ctx::load(&ctx::loaders(ctx)?.references, &self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(CustomerReference).collect())
    }
    /// The partner's customers the caller may see.
    #[graphql(complexity = "nested_cost(first, &after, child_complexity)")]
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
            lists::Within::Partner(&self.0.id),
        )
        .await
    }
    /// The partner's opportunities the caller may see.
    #[graphql(complexity = "nested_cost(first, &after, child_complexity)")]
    async fn opportunities(
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
        filter: Option<OpportunityFilter>,
        #[graphql(
            desc = "The order of the list; each order breaks ties by id, so pages never skip or repeat rows."
        )]
        order_by: Option<OpportunityOrder>,
    ) -> Result<OpportunityConnection> {
        lists::opportunities(
            ctx,
            lists::Window::forward(first, after),
            filter,
            order_by,
            lists::Within::Partner(&self.0.id),
        )
        .await
    }
    /// The partner's asks the caller may see; newest first unless `orderBy` says otherwise.
    #[graphql(complexity = "nested_cost(first, &after, child_complexity)")]
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
            lists::Within::Partner(&self.0.id),
        )
        .await
    }
    /// Whether the profile qualifies the partner for AWS referrals, and what is missing.
    async fn referral_readiness(&self, ctx: &Context<'_>) -> Result<ReferralReadiness> {
        let counts = ctx::load(&ctx::loaders(ctx)?.profile_counts, &self.0.id)
            .await?
            .unwrap_or_default();
        Ok(referral_readiness::evaluate(self.0.value_proposition.as_deref(), &counts).into())
    }
    /// The partner's ACE connection: its PARTNER_ADMIN and ADMIN only (null for others, and
    /// when it never connected).
    async fn ace_connection(&self, ctx: &Context<'_>) -> Result<Option<super::ace::AceConnection>> {
        let viewer = ctx::viewer(ctx)?;
        if crate::auth::policy::edit_partner_profile(viewer, &self.0.id).is_err() {
            return Ok(None);
        }
        Ok(
            crate::services::ace::connection_row(ctx::db(ctx)?, &self.0.id)
                .await?
                .map(Into::into),
        )
    }
    /// The partner's webhooks: its PARTNER_ADMIN and ADMIN only (empty for others).
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<super::Webhook>> {
        Ok(
            crate::data::webhooks::of_partner(ctx::db(ctx)?, ctx::viewer(ctx)?, &self.0.id)
                .await?
                .into_iter()
                .map(super::Webhook)
                .collect(),
        )
    }
    /// When the partner was created.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// When the profile last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// Whether a partner's profile qualifies it to receive AWS referrals, and what is missing.
#[derive(SimpleObject)]
pub struct ReferralReadiness {
    /// True when every check passes.
    pub eligible: bool,
    /// 0..100: the share of checks passed.
    pub score: i32,
    /// Every check of the profile.
    pub checks: Vec<Check>,
}

/// One readiness check of a partner profile for receiving AWS referrals.
#[derive(SimpleObject)]
pub struct Check {
    /// What is checked.
    pub name: String,
    /// Whether the check passes.
    pub passed: bool,
    /// What the check found, or what to do.
    pub message: String,
}

impl From<referral_readiness::ReferralReadiness> for ReferralReadiness {
    fn from(r: referral_readiness::ReferralReadiness) -> Self {
        ReferralReadiness {
            eligible: r.eligible,
            score: r.score,
            checks: r
                .checks
                .into_iter()
                .map(|c| Check {
                    name: c.name.to_string(),
                    passed: c.passed,
                    message: c.message,
                })
                .collect(),
        }
    }
}

#[derive(Clone)]
pub struct Solution(pub solution::Model);

/// A partner's offering that opportunities are associated with (ACE `Solution`).
#[Object]
impl Solution {
    /// The solution's id (`sol_…`).
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The partner that offers it.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Partner> {
        let partner = ctx::load(&ctx::loaders(ctx)?.partner, &self.0.partner_id).await?;
        Ok(Partner(partner.ok_or_else(|| {
            AppError::internal("solution without partner")
        })?))
    }
    /// The solution's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What it is.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// What kind of offering it is.
    async fn category(&self) -> Result<SolutionCategory> {
        Ok(decode(&self.0.category)?)
    }
    /// ACTIVE solutions can be associated with opportunities.
    async fn status(&self) -> Result<SolutionStatus> {
        Ok(decode(&self.0.status)?)
    }
    /// Its AWS Marketplace listing, if any.
    async fn aws_marketplace_solution_arn(&self) -> Option<&str> {
        self.0.aws_marketplace_solution_arn.as_deref()
    }
    /// S-0000000 once known to ACE (importAceSolutions).
    async fn ace_solution_id(&self) -> Option<&str> {
        self.0.ace_solution_id.as_deref()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

#[derive(Clone)]
pub struct CustomerReference(pub customer_reference::Model);

/// A published customer success story of a partner, shown on its profile.
#[Object]
impl CustomerReference {
    /// The reference's id (`cref_…`).
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The story's title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The customer's name as published.
    async fn customer_name(&self) -> &str {
        &self.0.customer_name
    }
    /// The customer's segment.
    async fn segment(&self) -> Result<Option<SegmentCode>> {
        Ok(self.0.segment_code.as_deref().map(decode).transpose()?)
    }
    /// What the partner did and what it achieved.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// Where the story is published.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    /// When it was published.
    async fn published_on(&self) -> Option<Date> {
        self.0.published_on.map(Date)
    }
}
