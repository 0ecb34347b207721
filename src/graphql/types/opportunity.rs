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
    pub amount: Decimal,
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
    pub value: String,
    pub at: DateTime,
}

/// One readiness check of an opportunity.
#[derive(SimpleObject)]
pub struct ReadinessCheck {
    pub name: ReadinessCheckName,
    pub passed: bool,
    pub message: String,
}

/// Whether an opportunity can be submitted: every check, passed or not, with what to do.
#[derive(SimpleObject)]
pub struct Readiness {
    /// True when every check passed: submitOpportunity will not refuse with NOT_READY.
    pub ready: bool,
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
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn partner(&self, ctx: &Context<'_>) -> Result<Partner> {
        let partner = ctx::load(&ctx::loaders(ctx)?.partner, &self.0.partner_id).await?;
        Ok(Partner(partner.ok_or_else(|| {
            AppError::internal("opportunity without partner")
        })?))
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        Ok(Customer(self.customer_model(ctx).await?))
    }
    async fn partner_opportunity_identifier(&self) -> Option<&str> {
        self.0.partner_opportunity_identifier.as_deref()
    }
    async fn origin(&self) -> Result<Origin> {
        Ok(decode(&self.0.origin)?)
    }
    async fn opportunity_type(&self) -> Result<OpportunityType> {
        Ok(decode(&self.0.opportunity_type)?)
    }
    async fn national_security(&self) -> bool {
        self.0.national_security
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn customer_business_problem(&self) -> &str {
        &self.0.customer_business_problem
    }
    async fn customer_use_case(&self) -> Option<&str> {
        self.0.customer_use_case.as_deref()
    }
    async fn delivery_models(&self) -> Result<Vec<DeliveryModel>> {
        Ok(decode_list(&self.0.delivery_models)?)
    }
    async fn expected_monthly_spend(&self) -> Result<Option<Money>> {
        Ok(Money::stored(
            self.0.expected_monthly_spend_cents,
            self.0.expected_monthly_spend_currency.as_deref(),
        )?)
    }
    async fn sales_activities(&self) -> Result<Vec<SalesActivity>> {
        Ok(decode_list(&self.0.sales_activities)?)
    }
    async fn competitor_name(&self) -> Result<Option<CompetitorName>> {
        Ok(self.0.competitor_name.as_deref().map(decode).transpose()?)
    }
    async fn other_competitor_names(&self) -> Option<&str> {
        self.0.other_competitor_names.as_deref()
    }
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
    async fn involvement_type(&self) -> Result<Option<InvolvementType>> {
        Ok(self.0.involvement_type.as_deref().map(decode).transpose()?)
    }
    async fn additional_comments(&self) -> Option<&str> {
        self.0.additional_comments.as_deref()
    }
    async fn marketing_source(&self) -> Result<MarketingSource> {
        Ok(decode(&self.0.marketing_source)?)
    }
    async fn campaign_name(&self) -> Option<&str> {
        self.0.campaign_name.as_deref()
    }
    async fn marketing_channels(&self) -> Result<Vec<Channel>> {
        Ok(decode_list(&self.0.marketing_channels)?)
    }
    async fn marketing_use_cases(&self) -> Result<Vec<String>> {
        Ok(json_strings(&self.0.marketing_use_cases)?)
    }
    async fn aws_funding_used(&self) -> Option<bool> {
        self.0.aws_funding_used
    }
    async fn stage(&self) -> Result<Stage> {
        Ok(decode(&self.0.stage)?)
    }
    async fn review_status(&self) -> Result<ReviewStatus> {
        Ok(decode(&self.0.review_status)?)
    }
    async fn review_comments(&self) -> Option<&str> {
        self.0.review_comments.as_deref()
    }
    async fn review_status_reason(&self) -> Option<&str> {
        self.0.review_status_reason.as_deref()
    }
    async fn target_close_date(&self) -> Option<Date> {
        self.0.target_close_date.map(Date)
    }
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
    async fn closed_lost_reason(&self) -> Result<Option<ClosedLostReason>> {
        Ok(self
            .0
            .closed_lost_reason
            .as_deref()
            .map(decode)
            .transpose()?)
    }
    async fn customer_consent(&self) -> bool {
        self.0.customer_consent
    }
    async fn partner_led(&self) -> bool {
        self.0.partner_led
    }
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
    async fn aws_products(&self) -> Result<Vec<String>> {
        Ok(json_strings(&self.0.aws_products)?)
    }
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
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn last_modified_at(&self) -> DateTime {
        DateTime(self.0.last_modified_at)
    }
}

#[derive(Clone)]
pub struct Change(pub change_log::Model);

/// One entry of an object's history: who changed what, when, with old and new values. AWS-side viewers never see partner-only fields.
#[Object]
impl Change {
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
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
