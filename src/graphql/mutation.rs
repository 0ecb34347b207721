//! Mutation root: each resolver hands its input to one service call (one transaction).
use crate::domain::enums::{AskStatus, ClosedLostReason, InvolvementType};
use crate::domain::enums::{CloseOutcome, ReviewDecision};
use crate::graphql::ctx;
use crate::graphql::inputs::{
    ContactInput, CreateAskInput, CreateCustomerInput, CreateOpportunityInput, CreatePartnerInput,
    CreateSolutionInput, CustomerReferenceInput, SendReferralInput, UpdateAskInput,
    UpdateCustomerInput, UpdateOpportunityInput, UpdatePartnerInput, UpdateSolutionInput,
    WebhookInput,
};
use crate::graphql::types::{
    Ask, Contact, CreatedWebhook, Customer, CustomerReference, Opportunity, Partner, Referral,
    Solution, Webhook,
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
    WebhookMutation,
);

#[derive(Default)]
pub struct PartnerMutation;

#[Object]
impl PartnerMutation {
    /// Creates a partner organisation: ADMIN only.
    async fn create_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner's name and profile.")] input: CreatePartnerInput,
    ) -> Result<Partner> {
        Ok(Partner(
            services::partners::create(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    /// Changes a partner's profile: its own PARTNER_ADMIN, or ADMIN.
    async fn update_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner to change.")] id: ID,
        #[graphql(desc = "The profile fields to change.")] input: UpdatePartnerInput,
    ) -> Result<Partner> {
        Ok(Partner(
            services::partners::update(ctx::db(ctx)?, ctx::viewer(ctx)?, &id, input.into()).await?,
        ))
    }

    /// Adds a solution to a partner: its PARTNER_ADMIN, or ADMIN. Connected to ACE, import solutions instead (`importAceSolutions`): ACE accepts only its own.
    async fn create_solution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner and the solution's fields.")] input: CreateSolutionInput,
    ) -> Result<Solution> {
        Ok(Solution(
            services::solutions::create(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    /// Changes a solution: its partner's PARTNER_ADMIN, or ADMIN. An INACTIVE solution can no longer be associated.
    async fn update_solution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The solution to change.")] id: ID,
        #[graphql(desc = "The fields to change.")] input: UpdateSolutionInput,
    ) -> Result<Solution> {
        Ok(Solution(
            services::solutions::update(ctx::db(ctx)?, ctx::viewer(ctx)?, &id, input.into())
                .await?,
        ))
    }

    /// Adds a customer success story to a partner's profile: its PARTNER_ADMIN, or ADMIN.
    async fn add_customer_reference(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner and the reference.")] input: CustomerReferenceInput,
    ) -> Result<CustomerReference> {
        Ok(CustomerReference(
            services::references::add(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    /// Removes a customer reference (its partner's PARTNER_ADMIN, or ADMIN); returns its id.
    async fn remove_customer_reference(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reference to remove.")] id: ID,
    ) -> Result<ID> {
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
    /// Adds a customer to a partner: its PARTNER_USER or PARTNER_ADMIN, or ADMIN. Contacts may come with it (at most 50).
    async fn create_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner, the account fields, the address and contacts.")]
        input: CreateCustomerInput,
    ) -> Result<Customer> {
        Ok(Customer(
            services::customers::create(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    /// Changes a customer: its partner's users, or ADMIN. A shared opportunity's customer change is sent to ACE.
    async fn update_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer to change.")] id: ID,
        #[graphql(desc = "The fields to change.")] input: UpdateCustomerInput,
    ) -> Result<Customer> {
        Ok(Customer(
            services::customers::update(ctx::db(ctx)?, ctx::viewer(ctx)?, &id, input.into())
                .await?,
        ))
    }

    /// Adds a contact to a customer (at most 50 per customer): its partner's users, or ADMIN.
    async fn add_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer.")] customer_id: ID,
        #[graphql(desc = "The contact.")] input: ContactInput,
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

    /// Changes a contact: its customer's partner's users, or ADMIN.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact to change.")] id: ID,
        #[graphql(desc = "The contact's new fields (all of them).")] input: ContactInput,
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

    /// Removes a contact (its customer's partner's users, or ADMIN); returns its id.
    async fn remove_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact to remove.")] id: ID,
    ) -> Result<ID> {
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
    /// Creates an opportunity for a customer of the caller's partner (partner roles, or
    /// ADMIN), PENDING_SUBMISSION; idempotent per partner by `input.clientToken`.
    async fn create_opportunity(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The customer, the project and the sales fields; `clientToken` makes retries safe."
        )]
        input: CreateOpportunityInput,
    ) -> Result<Opportunity> {
        Ok(Opportunity(
            opps::create(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    /// Changes an opportunity (a patch): its partner's users, or ADMIN; an AWS_SELLER only
    /// `nextSteps`. CONFLICT when it is no longer at `expectedVersion`; locked while
    /// SUBMITTED or IN_REVIEW. A shared opportunity's change is sent to ACE.
    async fn update_opportunity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The opportunity to change.")] id: ID,
        #[graphql(
            desc = "The `version` you read: a stale one is CONFLICT with `extensions.currentVersion`, and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "The fields to change; an AWS_SELLER may name only `nextSteps`.")]
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

    /// Shares the opportunity with AWS for review (its partner's users, or ADMIN); NOT_READY
    /// lists the failed readiness checks. For a partner connected to ACE it is sent there.
    async fn submit_opportunity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The opportunity: PENDING_SUBMISSION, or ACTION_REQUIRED after changes.")]
        id: ID,
        #[graphql(
            desc = "The `version` you read: a stale one is CONFLICT with `extensions.currentVersion`, and nothing is written."
        )]
        expected_version: i32,
        #[graphql(
            desc = "CO_SELL asks AWS to sell with the partner (then next steps and a customer contact are needed); FOR_VISIBILITY_ONLY only informs AWS."
        )]
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

    /// Reviews a submitted opportunity: a PARTNER_MANAGER of the partner, or ADMIN.
    async fn review_opportunity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The submitted opportunity.")] id: ID,
        #[graphql(
            desc = "START_REVIEW from SUBMITTED; APPROVE, REJECT or REQUEST_ACTION from IN_REVIEW."
        )]
        decision: ReviewDecision,
        #[graphql(desc = "What the partner must change; required with REQUEST_ACTION.")]
        comments: Option<String>,
        #[graphql(desc = "Why it is rejected; required with REJECT.")] reason: Option<String>,
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

    /// Ends an opportunity (its partner's users, or ADMIN): LAUNCHED (from COMMITTED) or
    /// CLOSED_LOST (with a reason), both final.
    async fn close_opportunity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The opportunity to close.")] id: ID,
        #[graphql(
            desc = "The `version` you read: a stale one is CONFLICT with `extensions.currentVersion`, and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "LAUNCHED or CLOSED_LOST.")] outcome: CloseOutcome,
        #[graphql(desc = "Required with CLOSED_LOST.")] closed_lost_reason: Option<
            ClosedLostReason,
        >,
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
        #[graphql(desc = "The partner to connect.")] partner_id: ID,
        #[graphql(desc = "The catalog and, optionally, the role to assume.")]
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
    async fn disconnect_ace(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner to disconnect.")] partner_id: ID,
    ) -> Result<Partner> {
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
        #[graphql(desc = "The connected partner.")] partner_id: ID,
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
    async fn retry_ace_sync(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The opportunity whose sync FAILED or is in CONFLICT.")]
        opportunity_id: ID,
    ) -> Result<Opportunity> {
        Ok(Opportunity(
            crate::services::ace::outbox::retry(ctx::db(ctx)?, ctx::viewer(ctx)?, &opportunity_id)
                .await?,
        ))
    }

    /// Links an ACTIVE solution of the same partner to an opportunity: the partner's users, or ADMIN. Sent to ACE for a shared opportunity.
    async fn associate_solution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The opportunity.")] opportunity_id: ID,
        #[graphql(desc = "The solution.")] solution_id: ID,
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

    /// Unlinks a solution from an opportunity: the partner's users, or ADMIN.
    async fn disassociate_solution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The opportunity.")] opportunity_id: ID,
        #[graphql(desc = "The solution.")] solution_id: ID,
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
    async fn create_ask(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The opportunity, the kind with its details, what is asked, priority and due date."
        )]
        input: CreateAskInput,
    ) -> Result<Ask> {
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
        #[graphql(desc = "The ask to change.")] id: ID,
        #[graphql(desc = "The fields to change.")] input: UpdateAskInput,
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

    /// The AWS side (AWS_SELLER, PARTNER_MANAGER in scope, or ADMIN) names who works the
    /// ask.
    async fn assign_ask(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ask.")] id: ID,
        #[graphql(desc = "Who works it (an email or name, 1 to 255 characters).")] assignee: String,
    ) -> Result<Ask> {
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
        #[graphql(desc = "The ask.")] id: ID,
        #[graphql(
            desc = "The next status: one step along OPEN → ACKNOWLEDGED → IN_PROGRESS → FULFILLED or DECLINED, or WITHDRAWN."
        )]
        to: AskStatus,
        #[graphql(desc = "AWS's answer; required with FULFILLED and DECLINED.")] response: Option<
            String,
        >,
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
    async fn comment_on_ask(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ask.")] id: ID,
        #[graphql(desc = "The comment (at most 200 per ask).")] body: String,
    ) -> Result<Ask> {
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
    /// Refers a customer to a partner: AWS_SELLER (customers in its segments),
    /// PARTNER_MANAGER (its partners) or ADMIN. The partner sees it as PENDING until
    /// `expiresAt`.
    async fn send_referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The receiving partner, the customer, the project and its contacts.")]
        input: SendReferralInput,
    ) -> Result<Referral> {
        Ok(Referral(
            services::referrals::send(ctx::db(ctx)?, ctx::viewer(ctx)?, input.into()).await?,
        ))
    }

    /// The receiving partner accepts: the customer and an AWS_REFERRAL opportunity are created
    /// together. Accepting again returns the same opportunity.
    async fn accept_referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The PENDING referral.")] id: ID,
    ) -> Result<Opportunity> {
        Ok(Opportunity(
            services::referrals::accept(ctx::db(ctx)?, ctx::viewer(ctx)?, &id).await?,
        ))
    }

    /// The receiving partner declines, with a reason of 1 to 80 characters.
    async fn reject_referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The PENDING referral.")] id: ID,
        #[graphql(desc = "Why (1 to 80 characters, ACE's `RejectionReason`).")] reason: String,
    ) -> Result<Referral> {
        Ok(Referral(
            services::referrals::reject(ctx::db(ctx)?, ctx::viewer(ctx)?, &id, &reason).await?,
        ))
    }
}

#[derive(Default)]
pub struct WebhookMutation;

fn allow_private(ctx: &Context<'_>) -> bool {
    ctx.data::<crate::graphql::schema::WebhooksAllowPrivate>()
        .is_ok_and(|allowed| allowed.0)
}

#[Object]
impl WebhookMutation {
    /// Registers a webhook for a partner's events: its PARTNER_ADMIN, or ADMIN. The signing
    /// secret is in the answer, and only there.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner whose events it receives.")] partner_id: ID,
        #[graphql(desc = "The receiver's URL and the topics.")] input: WebhookInput,
    ) -> Result<CreatedWebhook> {
        let (webhook, secret) = services::webhooks::create(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &partner_id,
            input.into(),
            allow_private(ctx),
        )
        .await?;
        Ok(CreatedWebhook {
            webhook: Webhook(webhook),
            secret,
        })
    }

    /// Changes a webhook's URL, topics or state: its partner's PARTNER_ADMIN, or ADMIN.
    /// Enabling a disabled webhook clears its reason; its waiting deliveries are then sent.
    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook.")] id: ID,
        #[graphql(desc = "Its new URL, topics and state.")] input: WebhookInput,
    ) -> Result<Webhook> {
        Ok(Webhook(
            services::webhooks::update(
                ctx::db(ctx)?,
                ctx::viewer(ctx)?,
                &id,
                input.into(),
                allow_private(ctx),
            )
            .await?,
        ))
    }

    /// Removes a webhook and its deliveries: its partner's PARTNER_ADMIN, or ADMIN. Returns
    /// its id.
    async fn delete_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook.")] id: ID,
    ) -> Result<ID> {
        Ok(ID(services::webhooks::delete(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &id,
        )
        .await?))
    }
}
