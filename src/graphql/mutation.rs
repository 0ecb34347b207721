//! Mutation root: each resolver hands its input to one service call (one transaction).
use crate::domain::enums::{AskStatus, ClosedLostReason, InvolvementType};
use crate::domain::enums::{CloseOutcome, ReviewDecision};
use crate::graphql::ctx;
use crate::graphql::inputs::{
    ContactInput, CreateAskInput, CreateCustomerInput, CreateOpportunityInput, CreatePartnerInput,
    CreateSolutionInput, CustomerReferenceInput, SendReferralInput, UpdateAskInput,
    UpdateCustomerInput, UpdateOpportunityInput, UpdatePartnerInput, UpdateSolutionInput,
};
use crate::graphql::types::{
    Ask, Contact, Customer, CustomerReference, Opportunity, Partner, Referral, Solution,
};
use crate::services;
use crate::services::opportunities as opps;
use async_graphql::{Context, ID, MergedObject, Object, Result};

/// Every change goes through one of these, in one transaction: a refused mutation writes
/// nothing.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    PartnerMutation,
    CustomerMutation,
    OpportunityMutation,
    AskMutation,
    ReferralMutation,
);

#[derive(Default)]
pub struct PartnerMutation;

#[Object]
impl PartnerMutation {
    /// ADMIN only.
    async fn create_partner(
        &self,
        ctx: &Context<'_>,
        input: CreatePartnerInput,
    ) -> Result<Partner> {
        Ok(Partner(
            services::partners::create(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    /// The partner's own PARTNER_ADMIN, or ADMIN.
    async fn update_partner(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdatePartnerInput,
    ) -> Result<Partner> {
        Ok(Partner(
            services::partners::update(ctx::db(ctx)?, ctx::viewer(ctx)?, &id, input.into()).await?,
        ))
    }

    async fn create_solution(
        &self,
        ctx: &Context<'_>,
        input: CreateSolutionInput,
    ) -> Result<Solution> {
        Ok(Solution(
            services::solutions::create(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    async fn update_solution(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateSolutionInput,
    ) -> Result<Solution> {
        Ok(Solution(
            services::solutions::update(ctx::db(ctx)?, ctx::viewer(ctx)?, &id, input.into())
                .await?,
        ))
    }

    async fn add_customer_reference(
        &self,
        ctx: &Context<'_>,
        input: CustomerReferenceInput,
    ) -> Result<CustomerReference> {
        Ok(CustomerReference(
            services::references::add(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    /// Returns the id of the removed reference.
    async fn remove_customer_reference(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        Ok(ID(services::references::remove(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &id,
        )
        .await?))
    }
}

#[derive(Default)]
pub struct CustomerMutation;

#[Object]
impl CustomerMutation {
    async fn create_customer(
        &self,
        ctx: &Context<'_>,
        input: CreateCustomerInput,
    ) -> Result<Customer> {
        Ok(Customer(
            services::customers::create(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    async fn update_customer(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateCustomerInput,
    ) -> Result<Customer> {
        Ok(Customer(
            services::customers::update(ctx::db(ctx)?, ctx::viewer(ctx)?, &id, input.into())
                .await?,
        ))
    }

    async fn add_contact(
        &self,
        ctx: &Context<'_>,
        customer_id: ID,
        input: ContactInput,
    ) -> Result<Contact> {
        Ok(Contact(
            services::customers::add_contact(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &customer_id,
                input.into(),
            )
            .await?,
        ))
    }

    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ContactInput,
    ) -> Result<Contact> {
        Ok(Contact(
            services::customers::update_contact(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &id,
                input.into(),
            )
            .await?,
        ))
    }

    /// Returns the id of the removed contact.
    async fn remove_contact(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        Ok(ID(services::customers::remove_contact(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &id,
        )
        .await?))
    }
}

#[derive(Default)]
pub struct OpportunityMutation;

#[Object]
impl OpportunityMutation {
    /// Idempotent per partner by `input.clientToken`.
    async fn create_opportunity(
        &self,
        ctx: &Context<'_>,
        input: CreateOpportunityInput,
    ) -> Result<Opportunity> {
        Ok(Opportunity(
            opps::create(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    /// A patch; CONFLICT when the opportunity is no longer at `expectedVersion`.
    async fn update_opportunity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            desc = "The `version` you read: a stale one is CONFLICT with `extensions.currentVersion`, and nothing is written."
        )]
        expected_version: i32,
        input: UpdateOpportunityInput,
    ) -> Result<Opportunity> {
        Ok(Opportunity(
            opps::update(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &id,
                expected_version,
                input.into(),
            )
            .await?,
        ))
    }

    /// Sends the opportunity to AWS review; NOT_READY lists the failed readiness checks.
    async fn submit_opportunity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            desc = "The `version` you read: a stale one is CONFLICT with `extensions.currentVersion`, and nothing is written."
        )]
        expected_version: i32,
        involvement_type: InvolvementType,
    ) -> Result<Opportunity> {
        Ok(Opportunity(
            opps::lifecycle::submit(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &id,
                expected_version,
                involvement_type,
            )
            .await?,
        ))
    }

    /// PARTNER_MANAGER of the partner, or ADMIN.
    async fn review_opportunity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        decision: ReviewDecision,
        comments: Option<String>,
        reason: Option<String>,
    ) -> Result<Opportunity> {
        Ok(Opportunity(
            opps::lifecycle::review(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &id,
                decision,
                comments,
                reason,
            )
            .await?,
        ))
    }

    /// LAUNCHED (from COMMITTED) or CLOSED_LOST (with a reason), both final.
    async fn close_opportunity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            desc = "The `version` you read: a stale one is CONFLICT with `extensions.currentVersion`, and nothing is written."
        )]
        expected_version: i32,
        outcome: CloseOutcome,
        closed_lost_reason: Option<ClosedLostReason>,
    ) -> Result<Opportunity> {
        Ok(Opportunity(
            opps::lifecycle::close(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &id,
                expected_version,
                outcome,
                closed_lost_reason,
            )
            .await?,
        ))
    }

    /// Connects the partner to ACE, checked with ACE at once (PARTNER_ADMIN of the partner,
    /// ADMIN).
    async fn connect_ace(
        &self,
        ctx: &Context<'_>,
        partner_id: ID,
        input: crate::graphql::types::ace::ConnectAceInput,
    ) -> Result<Partner> {
        Ok(Partner(
            crate::services::ace::connections::connect(
                ctx::db(ctx)?,
                ctx.data::<std::sync::Arc<crate::ace::AceClients>>()?,
                ctx::viewer(ctx)?,
                &partner_id,
                input.into(),
            )
            .await?,
        ))
    }

    /// Stops the partner's sync; ACE identifiers already stored are kept.
    async fn disconnect_ace(&self, ctx: &Context<'_>, partner_id: ID) -> Result<Partner> {
        Ok(Partner(
            crate::services::ace::connections::disconnect(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &partner_id,
            )
            .await?,
        ))
    }

    /// Creates or updates the partner's solutions from ACE's, by ACE solution id.
    async fn import_ace_solutions(
        &self,
        ctx: &Context<'_>,
        partner_id: ID,
    ) -> Result<Vec<Solution>> {
        Ok(crate::services::ace::connections::import_solutions(
            ctx::db(ctx)?,
            ctx.data::<std::sync::Arc<crate::ace::AceClients>>()?,
            ctx::viewer(ctx)?,
            &partner_id,
        )
        .await?
        .into_iter()
        .map(Solution)
        .collect())
    }

    /// Sends a FAILED or CONFLICT opportunity to ACE again (partner roles of its partner,
    /// ADMIN).
    async fn retry_ace_sync(&self, ctx: &Context<'_>, opportunity_id: ID) -> Result<Opportunity> {
        Ok(Opportunity(
            crate::services::ace::outbox::retry(ctx::db(ctx)?, ctx::viewer(ctx)?, &opportunity_id)
                .await?,
        ))
    }

    async fn associate_solution(
        &self,
        ctx: &Context<'_>,
        opportunity_id: ID,
        solution_id: ID,
    ) -> Result<Opportunity> {
        Ok(Opportunity(
            opps::solutions::associate(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &opportunity_id,
                &solution_id,
            )
            .await?,
        ))
    }

    async fn disassociate_solution(
        &self,
        ctx: &Context<'_>,
        opportunity_id: ID,
        solution_id: ID,
    ) -> Result<Opportunity> {
        Ok(Opportunity(
            opps::solutions::disassociate(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &opportunity_id,
                &solution_id,
            )
            .await?,
        ))
    }
}

#[derive(Default)]
pub struct AskMutation;

#[Object]
impl AskMutation {
    /// The partner asks AWS for help on one of its open opportunities.
    async fn create_ask(&self, ctx: &Context<'_>, input: CreateAskInput) -> Result<Ask> {
        Ok(Ask(services::asks::create(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            input.into(),
        )
        .await?))
    }

    /// A patch by the requesting side while the ask is OPEN. With `expectedVersion`, CONFLICT
    /// when the ask moved past it.
    async fn update_ask(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateAskInput,
        #[graphql(
            desc = "The `version` you read: a stale one is CONFLICT with `extensions.currentVersion`, and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> Result<Ask> {
        Ok(Ask(services::asks::update(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &id,
            expected_version,
            input.into(),
        )
        .await?))
    }

    /// The AWS side names who works the ask.
    async fn assign_ask(&self, ctx: &Context<'_>, id: ID, assignee: String) -> Result<Ask> {
        Ok(Ask(services::asks::assign(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &id,
            &assignee,
        )
        .await?))
    }

    /// OPEN → ACKNOWLEDGED → IN_PROGRESS → FULFILLED | DECLINED by the AWS side (with a
    /// `response` for the last two); WITHDRAWN by the requesting partner from any open status.
    async fn transition_ask(
        &self,
        ctx: &Context<'_>,
        id: ID,
        to: AskStatus,
        response: Option<String>,
        #[graphql(
            desc = "The `version` you read: a stale one is CONFLICT with `extensions.currentVersion`, and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> Result<Ask> {
        Ok(Ask(services::asks::transition(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &id,
            to,
            response,
            expected_version,
        )
        .await?))
    }

    /// Anyone who can see the ask may comment on it.
    async fn comment_on_ask(&self, ctx: &Context<'_>, id: ID, body: String) -> Result<Ask> {
        Ok(Ask(services::asks::comment(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &id,
            &body,
        )
        .await?))
    }
}

#[derive(Default)]
pub struct ReferralMutation;

#[Object]
impl ReferralMutation {
    /// AWS_SELLER (customers in its segments), PARTNER_MANAGER (its partners) or ADMIN.
    async fn send_referral(&self, ctx: &Context<'_>, input: SendReferralInput) -> Result<Referral> {
        Ok(Referral(
            services::referrals::send(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    /// The receiving partner accepts: the customer and an AWS_REFERRAL opportunity are created
    /// together. Accepting again returns the same opportunity.
    async fn accept_referral(&self, ctx: &Context<'_>, id: ID) -> Result<Opportunity> {
        Ok(Opportunity(
            services::referrals::accept(ctx::db(ctx)?, ctx::viewer(ctx)?, &id).await?,
        ))
    }

    /// The receiving partner declines, with a reason of 1 to 80 characters.
    async fn reject_referral(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Referral> {
        Ok(Referral(
            services::referrals::reject(ctx::db(ctx)?, ctx::viewer(ctx)?, &id, &reason).await?,
        ))
    }
}
