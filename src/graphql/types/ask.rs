//! Ask: what a partner asks of AWS on one opportunity.
use crate::data;
use crate::domain::enums::*;
use crate::error::AppError;
use crate::graphql::connection::connection;
use crate::graphql::ctx;
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::types::opportunity::Money;
use crate::graphql::types::{Opportunity, Partner};
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::ask;

#[derive(Clone)]
pub struct Ask(pub ask::Model);

connection!(AskConnection, AskEdge, Ask);

/// What a FUNDING ask requests.
#[derive(SimpleObject)]
pub struct FundingDetails {
    /// The AWS funding program.
    pub program: FundingProgram,
    /// Credits or cash.
    pub funding_type: FundingType,
    /// The amount requested.
    pub amount: Money,
}

/// What a MARKETPLACE_PROCUREMENT ask needs.
#[derive(SimpleObject)]
pub struct MarketplaceDetails {
    /// The AWS Marketplace offer's ARN.
    pub offer_arn: Option<String>,
    /// The AWS Marketplace listing.
    pub listing_url: Option<String>,
    /// What the procurement needs.
    pub notes: Option<String>,
}

/// What a SOLUTION_ARCHITECTURE ask needs from an AWS solutions architect.
#[derive(SimpleObject)]
pub struct ArchitectureDetails {
    /// The workload to design or review.
    pub workload: String,
    /// What the architecture must meet.
    pub requirements: Option<String>,
}

/// A comment on an ask, by either side.
#[derive(SimpleObject)]
pub struct AskComment {
    /// The JWT subject of the author.
    pub author: String,
    /// The comment.
    pub body: String,
    /// When it was written.
    pub at: DateTime,
}

/// A partner's request to AWS about one opportunity (funding, architecture, marketplace, stakeholders), worked by the AWS side: OPEN → ACKNOWLEDGED → IN_PROGRESS → FULFILLED or DECLINED; WITHDRAWN by the partner.
#[Object]
impl Ask {
    /// The ask's id (`ask_…`).
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The opportunity the ask is about.
    async fn opportunity(&self, ctx: &Context<'_>) -> Result<Opportunity> {
        let found = ctx::load(&ctx::loaders(ctx)?.opportunity, &self.0.opportunity_id).await?;
        Ok(Opportunity(found.ok_or_else(|| {
            AppError::internal("ask without opportunity")
        })?))
    }
    /// The partner that asked.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Partner> {
        let found = ctx::load(&ctx::loaders(ctx)?.partner, &self.0.partner_id).await?;
        Ok(Partner(found.ok_or_else(|| {
            AppError::internal("ask without partner")
        })?))
    }
    /// What is asked for.
    async fn kind(&self) -> Result<AskKind> {
        Ok(decode(&self.0.kind)?)
    }
    /// Where the ask stands.
    async fn status(&self) -> Result<AskStatus> {
        Ok(decode(&self.0.status)?)
    }
    /// A short summary of the ask (1 to 255 characters).
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What the partner asks for, in full.
    async fn details(&self) -> &str {
        &self.0.details
    }
    /// The customer goal the ask serves.
    async fn customer_outcome(&self) -> &str {
        &self.0.customer_outcome
    }
    /// How urgent it is for the deal.
    async fn priority(&self) -> Result<AskPriority> {
        Ok(decode(&self.0.priority)?)
    }
    /// When the partner needs it; past it, an open ask is overdue.
    async fn due_date(&self) -> Option<Date> {
        self.0.due_date.map(Date)
    }
    /// Still open (OPEN, ACKNOWLEDGED, IN_PROGRESS) and due before today (UTC).
    async fn overdue(&self) -> bool {
        data::asks::is_overdue(&self.0, crate::domain::now().date_naive())
    }
    /// The JWT subject of who asked.
    async fn requested_by(&self) -> &str {
        &self.0.requested_by
    }
    /// Who on the AWS side works the ask.
    async fn assignee(&self) -> Option<&str> {
        self.0.assignee.as_deref()
    }
    /// The AWS side's answer, given with FULFILLED or DECLINED.
    async fn response(&self) -> Option<&str> {
        self.0.response.as_deref()
    }
    /// The customer's people AWS should meet (STAKEHOLDER_ALIGNMENT; at most 20).
    async fn stakeholders(&self) -> Result<Vec<String>> {
        Ok(crate::domain::stored::json(
            &self.0.stakeholders,
            "stakeholders",
        )?)
    }
    /// The funding requested (FUNDING asks).
    async fn funding(&self) -> Result<Option<FundingDetails>> {
        let a = &self.0;
        let amount = Money::stored(a.funding_amount_cents, a.funding_currency.as_deref())?;
        Ok(match (&a.funding_program, &a.funding_type, amount) {
            (Some(program), Some(funding_type), Some(amount)) => Some(FundingDetails {
                program: decode(program)?,
                funding_type: decode(funding_type)?,
                amount,
            }),
            _ => None,
        })
    }
    /// The offer and listing (MARKETPLACE_PROCUREMENT asks).
    async fn marketplace(&self) -> Option<MarketplaceDetails> {
        let a = &self.0;
        (a.marketplace_offer_arn.is_some()
            || a.marketplace_listing_url.is_some()
            || a.marketplace_notes.is_some())
        .then(|| MarketplaceDetails {
            offer_arn: a.marketplace_offer_arn.clone(),
            listing_url: a.marketplace_listing_url.clone(),
            notes: a.marketplace_notes.clone(),
        })
    }
    /// The workload and requirements (SOLUTION_ARCHITECTURE asks).
    async fn architecture(&self) -> Option<ArchitectureDetails> {
        self.0
            .architecture_workload
            .as_ref()
            .map(|workload| ArchitectureDetails {
                workload: workload.clone(),
                requirements: self.0.architecture_requirements.clone(),
            })
    }
    /// Oldest first.
    async fn comments(&self, ctx: &Context<'_>) -> Result<Vec<AskComment>> {
        let rows = ctx::load(&ctx::loaders(ctx)?.ask_comments, &self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|c| AskComment {
                author: c.author,
                body: c.body,
                at: DateTime(c.at),
            })
            .collect())
    }
    /// Moves with every edit, assignment and transition; `updateAsk` and `transitionAsk`
    /// accept it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the ask was raised.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// The last edit, transition or comment.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// When the ask reached FULFILLED, DECLINED or WITHDRAWN.
    async fn resolved_at(&self) -> Option<DateTime> {
        self.0.resolved_at.map(DateTime)
    }
}
