//! Opportunity with its readiness, history and ACE export.
use crate::data;
use crate::data::page::PageArgs;
use crate::domain::enums::*;
use crate::error::AppError;
use crate::graphql::connection::{connection, nested_cost, wants_total};
use crate::graphql::ctx;
use crate::graphql::inputs::{AskFilter, AskOrder};
use crate::graphql::lists;
use crate::graphql::scalars::{Date, DateTime, Decimal};
use crate::graphql::types::{AskConnection, Customer, Partner, Solution};
use crate::services::opportunities::{ace, readiness};
use async_graphql::{Context, ID, Json, Object, Result, SimpleObject};
use entity::{change_log, opportunity};

#[derive(Clone)]
pub struct Opportunity(pub opportunity::Model);

connection!(OpportunityConnection, OpportunityEdge, Opportunity);
connection!(ChangeConnection, ChangeEdge, Change);

/// An amount in a currency.
#[derive(SimpleObject, Clone)]
pub struct Money {
    /// The amount, a decimal string with two decimals (`"12500.00"`).
    pub amount: Decimal,
    /// The currency.
    pub currency_code: CurrencyCode,
}

impl Money {
    /// A stored amount in cents with its stored currency; absent unless both are set.
    pub fn stored(cents: Option<i64>, currency: Option<&str>) -> Result<Option<Money>, AppError> {
        Ok(match (cents, currency) {
            (Some(cents), Some(currency)) => Some(Money {
                amount: Decimal(cents.into()),
                currency_code: decode(currency)?,
            }),
            _ => None,
        })
    }
}

/// One next step of an opportunity, with when it was recorded (ACE `NextStepsHistory`).
#[derive(SimpleObject)]
pub struct NextStep {
    /// The next step (at most 255 characters).
    pub value: String,
    /// When it was recorded.
    pub at: DateTime,
}

/// One readiness check of an opportunity.
#[derive(SimpleObject)]
pub struct ReadinessCheck {
    /// What is checked.
    pub name: ReadinessCheckName,
    /// Whether it passes now.
    pub passed: bool,
    /// What it found, or what to do to pass it.
    pub message: String,
}

/// Whether an opportunity can be submitted: every check, passed or not, with what to do.
#[derive(SimpleObject)]
pub struct Readiness {
    /// True when every check passed: submitOpportunity will not refuse with NOT_READY.
    pub ready: bool,
    /// Every check, passed or not, in order.
    pub checks: Vec<ReadinessCheck>,
}

fn decode_list<E: StoredEnum>(v: &serde_json::Value) -> Result<Vec<E>, AppError> {
    let stored: Vec<String> = crate::domain::stored::json(v, "list")?;
    stored.iter().map(|s| decode(s)).collect()
}

fn json_strings(v: &serde_json::Value) -> Result<Vec<String>, AppError> {
    crate::domain::stored::json(v, "list")
}

impl Opportunity {
    async fn customer_model(&self, ctx: &Context<'_>) -> Result<entity::customer::Model> {
        Ok(ctx::load(&ctx::loaders(ctx)?.customer, &self.0.customer_id)
            .await?
            .ok_or_else(|| AppError::internal("opportunity without customer"))?)
    }

    async fn sync_row(&self, ctx: &Context<'_>) -> Result<Option<entity::ace_sync::Model>> {
        Ok(ctx::load(&ctx::loaders(ctx)?.ace_sync, &self.0.id).await?)
    }

    async fn needs(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(ctx::load(&ctx::loaders(ctx)?.primary_needs, &self.0.id)
            .await?
            .unwrap_or_default())
    }
}

/// A partner's sales opportunity, shared with AWS through ACE: customer, project, stage, review, readiness, asks and history.
#[Object]
impl Opportunity {
    /// The opportunity's id (`opp_…`).
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The partner whose opportunity this is.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Partner> {
        let partner = ctx::load(&ctx::loaders(ctx)?.partner, &self.0.partner_id).await?;
        Ok(Partner(partner.ok_or_else(|| {
            AppError::internal("opportunity without partner")
        })?))
    }
    /// The customer the opportunity is for.
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        Ok(Customer(self.customer_model(ctx).await?))
    }
    /// The partner's own id for it, e.g. from its CRM (ACE `PartnerOpportunityIdentifier`, at most 64 characters).
    async fn partner_opportunity_identifier(&self) -> Option<&str> {
        self.0.partner_opportunity_identifier.as_deref()
    }
    /// Who found the opportunity.
    async fn origin(&self) -> Result<Origin> {
        Ok(decode(&self.0.origin)?)
    }
    /// New business, a renewal or an expansion.
    async fn opportunity_type(&self) -> Result<OpportunityType> {
        Ok(decode(&self.0.opportunity_type)?)
    }
    /// A national-security opportunity (GOVERNMENT customers only; ACE `NationalSecurity`).
    async fn national_security(&self) -> bool {
        self.0.national_security
    }
    /// The project's title (ACE `Project.Title`, at most 255 characters).
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The customer's problem (ACE `Project.CustomerBusinessProblem`, 20 to 2,000 characters).
    async fn customer_business_problem(&self) -> &str {
        &self.0.customer_business_problem
    }
    /// The use case, one of ACE's 39 (ACE `Project.CustomerUseCase`).
    async fn customer_use_case(&self) -> Option<&str> {
        self.0.customer_use_case.as_deref()
    }
    /// How the partner delivers (ACE `Project.DeliveryModels`).
    async fn delivery_models(&self) -> Result<Vec<DeliveryModel>> {
        Ok(decode_list(&self.0.delivery_models)?)
    }
    /// Expected monthly AWS spend (ACE `Project.ExpectedCustomerSpend`).
    async fn expected_monthly_spend(&self) -> Result<Option<Money>> {
        Ok(Money::stored(
            self.0.expected_monthly_spend_cents,
            self.0.expected_monthly_spend_currency.as_deref(),
        )?)
    }
    /// What has been done with the customer so far (ACE `Project.SalesActivities`).
    async fn sales_activities(&self) -> Result<Vec<SalesActivity>> {
        Ok(decode_list(&self.0.sales_activities)?)
    }
    /// The main competitor (ACE `Project.CompetitorName`).
    async fn competitor_name(&self) -> Result<Option<CompetitorName>> {
        Ok(self.0.competitor_name.as_deref().map(decode).transpose()?)
    }
    /// Other competitors, when `competitorName` is OTHER (ACE `Project.OtherCompetitorNames`).
    async fn other_competitor_names(&self) -> Option<&str> {
        self.0.other_competitor_names.as_deref()
    }
    /// What the partner needs from AWS (ACE `PrimaryNeedsFromAws`).
    async fn primary_needs_from_aws(&self, ctx: &Context<'_>) -> Result<Vec<PrimaryNeed>> {
        let mut needs = self
            .needs(ctx)
            .await?
            .iter()
            .map(|s| decode(s))
            .collect::<Result<Vec<PrimaryNeed>, _>>()?;
        needs.sort();
        Ok(needs)
    }
    /// CO_SELL or FOR_VISIBILITY_ONLY, chosen at submission.
    async fn involvement_type(&self) -> Result<Option<InvolvementType>> {
        Ok(self.0.involvement_type.as_deref().map(decode).transpose()?)
    }
    /// Anything else for AWS (ACE `Project.AdditionalComments`, at most 255 characters).
    async fn additional_comments(&self) -> Option<&str> {
        self.0.additional_comments.as_deref()
    }
    /// Whether marketing brought the opportunity (ACE `Marketing.Source`).
    async fn marketing_source(&self) -> Result<MarketingSource> {
        Ok(decode(&self.0.marketing_source)?)
    }
    /// The AWS campaign code (ACE `Marketing.CampaignName`).
    async fn campaign_name(&self) -> Option<&str> {
        self.0.campaign_name.as_deref()
    }
    /// The marketing channels (ACE `Marketing.Channels`).
    async fn marketing_channels(&self) -> Result<Vec<Channel>> {
        Ok(decode_list(&self.0.marketing_channels)?)
    }
    /// The marketing use cases (ACE `Marketing.UseCases`).
    async fn marketing_use_cases(&self) -> Result<Vec<String>> {
        Ok(json_strings(&self.0.marketing_use_cases)?)
    }
    /// Whether AWS marketing funds were used (ACE `Marketing.AwsFundingUsed`).
    async fn aws_funding_used(&self) -> Option<bool> {
        self.0.aws_funding_used
    }
    /// Where the deal stands (ACE `LifeCycle.Stage`).
    async fn stage(&self) -> Result<Stage> {
        Ok(decode(&self.0.stage)?)
    }
    /// Where AWS's review stands (ACE `LifeCycle.ReviewStatus`).
    async fn review_status(&self) -> Result<ReviewStatus> {
        Ok(decode(&self.0.review_status)?)
    }
    /// AWS's feedback from the review (ACE `LifeCycle.ReviewComments`).
    async fn review_comments(&self) -> Option<&str> {
        self.0.review_comments.as_deref()
    }
    /// AWS's reason code for REJECTED or ACTION_REQUIRED (ACE `LifeCycle.ReviewStatusReason`).
    async fn review_status_reason(&self) -> Option<&str> {
        self.0.review_status_reason.as_deref()
    }
    /// When significant AWS billing is expected to start (ACE `LifeCycle.TargetCloseDate`); not in the past while active.
    async fn target_close_date(&self) -> Option<Date> {
        self.0.target_close_date.map(Date)
    }
    /// The current next step (ACE `LifeCycle.NextSteps`, at most 255 characters); the AWS side may set it too.
    async fn next_steps(&self) -> Option<&str> {
        self.0.next_steps.as_deref()
    }
    /// Every value nextSteps has had, oldest first.
    async fn next_steps_history(&self, ctx: &Context<'_>) -> Result<Vec<NextStep>> {
        let rows = ctx::load(&ctx::loaders(ctx)?.next_steps, &self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|r| NextStep {
                value: r.value,
                at: DateTime(r.at),
            })
            .collect())
    }
    /// Why it was lost (stage CLOSED_LOST).
    async fn closed_lost_reason(&self) -> Result<Option<ClosedLostReason>> {
        Ok(self
            .0
            .closed_lost_reason
            .as_deref()
            .map(decode)
            .transpose()?)
    }
    /// The customer agreed to be shared with AWS (a readiness check).
    async fn customer_consent(&self) -> bool {
        self.0.customer_consent
    }
    /// The partner leads the deal (a readiness check).
    async fn partner_led(&self) -> bool {
        self.0.partner_led
    }
    /// The business is new for AWS (a readiness check).
    async fn net_new_for_aws(&self) -> bool {
        self.0.net_new_for_aws
    }
    /// Partner-only: null for AWS-side viewers.
    async fn internal_notes(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(if ctx::viewer(ctx)?.sees_internal_notes() {
            self.0.internal_notes.as_deref()
        } else {
            None
        })
    }
    /// Associated solutions, in the order they were associated.
    async fn solutions(&self, ctx: &Context<'_>) -> Result<Vec<Solution>> {
        let rows = ctx::load(&ctx::loaders(ctx)?.opportunity_solutions, &self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Solution).collect())
    }
    /// AWS products the project will use (ACE product codes, associated in ACE).
    async fn aws_products(&self) -> Result<Vec<String>> {
        Ok(json_strings(&self.0.aws_products)?)
    }
    /// The AWS Marketplace offer the deal closes through, if any (associated in ACE).
    async fn aws_marketplace_offer_arn(&self) -> Option<&str> {
        self.0.aws_marketplace_offer_arn.as_deref()
    }
    /// The seven checks of docs/domain.md; submitOpportunity refuses with NOT_READY while any fails.
    async fn readiness(&self, ctx: &Context<'_>) -> Result<Readiness> {
        let loaders = ctx::loaders(ctx)?;
        let key = (
            self.0.partner_id.clone(),
            self.0.customer_id.clone(),
            self.0.title_normalized.clone(),
        );
        // Both loads join the same batches, so they run side by side.
        let (solutions, open) = futures_util::future::try_join(
            ctx::load(&loaders.opportunity_solutions, &self.0.id),
            async {
                loaders
                    .open_opportunities
                    .load_one(key)
                    .await
                    .map_err(AppError::from)
            },
        )
        .await?;
        let solutions = solutions.unwrap_or_default();
        let open = open.unwrap_or_default();
        let o = &self.0;
        let connected = ctx::load(&loaders.ace_connection, &o.partner_id)
            .await?
            .is_some_and(|c| c.status != crate::services::ace::DISCONNECTED);
        let facts = readiness::Facts {
            ace_linked_solutions: connected.then(|| {
                solutions
                    .iter()
                    .filter(|s| s.ace_solution_id.is_some())
                    .count()
            }),
            solutions: solutions.len(),
            duplicate: readiness::is_duplicate(o, &open),
            today: crate::domain::now().date_naive(),
        };
        let checks: Vec<ReadinessCheck> = readiness::evaluate(o, &facts)?
            .into_iter()
            .map(|c| ReadinessCheck {
                name: c.name,
                passed: c.passed,
                message: c.message,
            })
            .collect();
        Ok(Readiness {
            ready: checks.iter().all(|c| c.passed),
            checks,
        })
    }
    /// Asks made on this opportunity; newest first unless `orderBy` says otherwise.
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
            lists::Within::Opportunity(&self.0.id),
        )
        .await
    }
    /// Every change, newest first.
    #[graphql(complexity = "nested_cost(first, &after, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Rows to return from the start (or after `after`): 1 to 100, default 20."
        )]
        first: Option<i32>,
        #[graphql(desc = "A cursor (`endCursor` of the previous page): rows after it.")]
        after: Option<String>,
    ) -> Result<ChangeConnection> {
        let args = PageArgs::forward(first, after.as_deref())?;
        let with_total = wants_total(ctx);
        let page = if lists::first_page(&args) {
            let spec = crate::graphql::nested::History {
                args: args.clone(),
                with_total,
            };
            lists::nested_page(&ctx::loaders(ctx)?.history_pages, spec, &self.0.id, &args).await?
        } else {
            data::changes::history(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &self.0.id,
                &args,
                with_total,
            )
            .await?
        };
        Ok(ChangeConnection::from_page(
            page,
            data::changes::change_cursor,
            Change,
        ))
    }
    /// The body of an ACE CreateOpportunity request for this opportunity.
    async fn ace_create_opportunity_payload(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Json<serde_json::Value>> {
        let customer = self.customer_model(ctx).await?;
        let contacts = ctx::load(&ctx::loaders(ctx)?.contacts, &customer.id)
            .await?
            .unwrap_or_default();
        let needs = self.needs(ctx).await?;
        Ok(Json(ace::create_payload(
            &self.0, &customer, &contacts, needs,
        )))
    }
    /// Where this opportunity stands in ACE (docs/ace-sync.md).
    async fn ace_sync(&self, ctx: &Context<'_>) -> Result<super::ace::AceSync> {
        Ok(self
            .sync_row(ctx)
            .await?
            .as_ref()
            .map(super::ace::AceSync::from)
            .unwrap_or_else(super::ace::AceSync::not_shared))
    }
    /// AWS's side, from ACE, once AWS has engaged.
    async fn aws_summary(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::ace::AwsOpportunitySummary>> {
        Ok(self.sync_row(ctx).await?.and_then(|s| {
            let fetched = s.aws_summary_fetched_at?;
            s.aws_summary
                .as_ref()
                .map(|v| super::ace::AwsOpportunitySummary::from_stored(v, fetched))
        }))
    }
    /// Moves with every change; send it as `expectedVersion` to update without overwriting someone else's change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the opportunity was created.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// When it last changed (not for an internal-notes-only change).
    async fn last_modified_at(&self) -> DateTime {
        DateTime(self.0.last_modified_at)
    }
}

#[derive(Clone)]
pub struct Change(pub change_log::Model);

/// One entry of an object's history: who changed what, when, with old and new values. AWS-side viewers never see partner-only fields.
#[Object]
impl Change {
    /// The entry's id (`chg_…`).
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// When the change was committed.
    async fn at(&self) -> DateTime {
        DateTime(self.0.at)
    }
    /// The JWT subject of who made the change.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// CREATED, UPDATED, SUBMITTED, REVIEWED, STAGE_CHANGED, SOLUTION_ASSOCIATED, ...
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// `{ field: [old, new] }`.
    async fn changes(&self, ctx: &Context<'_>) -> Result<Json<serde_json::Value>> {
        let mut changes = self.0.changes.clone();
        if !ctx::viewer(ctx)?.sees_internal_notes()
            && let Some(map) = changes.as_object_mut()
        {
            map.remove("internalNotes");
        }
        Ok(Json(changes))
    }
}
