//! Input objects, filters and orderings of the contract.
use crate::domain::enums::{
    AskKind, AskPriority, AskStatus, AwsAdoption, Channel, CompetitorName, CurrencyCode,
    DeliveryModel, FundingProgram, FundingType, Industry, MarketingSource, OpportunityType, Origin,
    PrimaryNeed, ReferralStatus, ReviewStatus, SalesActivity, SegmentCode, SolutionCategory,
    SolutionStatus, SortDirection, Stage,
};
use crate::graphql::scalars::{Date, DateTime, Decimal};
use async_graphql::{Enum, ID, InputObject, MaybeUndefined};

#[derive(InputObject, Default)]
pub struct PartnerFilter {
    pub search: Option<String>,
    pub segment: Option<Vec<SegmentCode>>,
}

#[derive(InputObject)]
pub struct CreatePartnerInput {
    pub name: String,
    pub website_url: Option<String>,
    pub value_proposition: Option<String>,
    pub segments: Option<Vec<SegmentCode>>,
    pub industries: Option<Vec<Industry>>,
}

#[derive(InputObject)]
pub struct UpdatePartnerInput {
    pub name: MaybeUndefined<String>,
    pub website_url: MaybeUndefined<String>,
    pub value_proposition: MaybeUndefined<String>,
    pub segments: MaybeUndefined<Vec<SegmentCode>>,
    pub industries: MaybeUndefined<Vec<Industry>>,
}

#[derive(InputObject)]
pub struct CreateSolutionInput {
    pub partner_id: Option<ID>,
    pub name: String,
    pub description: Option<String>,
    pub category: SolutionCategory,
    pub status: Option<SolutionStatus>,
    pub aws_marketplace_solution_arn: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateSolutionInput {
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub category: MaybeUndefined<SolutionCategory>,
    pub status: MaybeUndefined<SolutionStatus>,
    pub aws_marketplace_solution_arn: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct CustomerReferenceInput {
    pub partner_id: Option<ID>,
    pub title: String,
    pub customer_name: String,
    pub segment: Option<SegmentCode>,
    pub summary: String,
    pub url: Option<String>,
    pub published_on: Option<Date>,
}

// ---------------------------------------------------------------- customers

#[derive(InputObject, Clone, Debug)]
pub struct AddressInput {
    pub country_code: String,
    pub postal_code: Option<String>,
    pub state_or_region: Option<String>,
    pub city: Option<String>,
    pub street_address: Option<String>,
}

#[derive(InputObject, Clone, Debug)]
pub struct ContactInput {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub business_title: Option<String>,
}

#[derive(InputObject)]
pub struct CreateCustomerInput {
    pub partner_id: Option<ID>,
    pub company_name: String,
    pub industry: Industry,
    pub other_industry: Option<String>,
    pub website_url: Option<String>,
    pub address: Option<AddressInput>,
    pub duns: Option<String>,
    pub aws_account_id: Option<String>,
    pub segment: SegmentCode,
    pub aws_adoption: AwsAdoption,
    pub contacts: Option<Vec<ContactInput>>,
    pub internal_notes: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateCustomerInput {
    pub company_name: MaybeUndefined<String>,
    pub industry: MaybeUndefined<Industry>,
    pub other_industry: MaybeUndefined<String>,
    pub website_url: MaybeUndefined<String>,
    pub address: MaybeUndefined<AddressInput>,
    pub duns: MaybeUndefined<String>,
    pub aws_account_id: MaybeUndefined<String>,
    pub segment: MaybeUndefined<SegmentCode>,
    pub aws_adoption: MaybeUndefined<AwsAdoption>,
    pub internal_notes: MaybeUndefined<String>,
}

#[derive(InputObject, Default)]
pub struct CustomerFilter {
    pub segment: Option<Vec<SegmentCode>>,
    pub aws_adoption: Option<AwsAdoption>,
    pub industry: Option<Vec<Industry>>,
    pub search: Option<String>,
    pub partner_id: Option<ID>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CustomerOrderField {
    CompanyName,
    CreatedAt,
    UpdatedAt,
}

#[derive(InputObject)]
pub struct CustomerOrder {
    pub field: CustomerOrderField,
    pub direction: SortDirection,
}

// ---------------------------------------------------------------- opportunities

#[derive(InputObject, Clone, Copy, Debug)]
pub struct MoneyInput {
    pub amount: Decimal,
    pub currency_code: CurrencyCode,
}

#[derive(InputObject, Debug)]
pub struct CreateOpportunityInput {
    pub client_token: String,
    pub customer_id: ID,
    pub partner_opportunity_identifier: Option<String>,
    pub opportunity_type: OpportunityType,
    pub national_security: Option<bool>,
    pub title: String,
    pub customer_business_problem: String,
    pub customer_use_case: Option<String>,
    pub delivery_models: Option<Vec<DeliveryModel>>,
    pub expected_monthly_spend: Option<MoneyInput>,
    pub sales_activities: Option<Vec<SalesActivity>>,
    pub competitor_name: Option<CompetitorName>,
    pub other_competitor_names: Option<String>,
    pub primary_needs_from_aws: Option<Vec<PrimaryNeed>>,
    pub additional_comments: Option<String>,
    pub marketing_source: Option<MarketingSource>,
    pub campaign_name: Option<String>,
    pub marketing_channels: Option<Vec<Channel>>,
    pub marketing_use_cases: Option<Vec<String>>,
    pub aws_funding_used: Option<bool>,
    pub stage: Option<Stage>,
    pub target_close_date: Option<Date>,
    pub next_steps: Option<String>,
    pub customer_consent: Option<bool>,
    pub partner_led: Option<bool>,
    pub net_new_for_aws: Option<bool>,
    pub internal_notes: Option<String>,
    pub aws_products: Option<Vec<String>>,
    pub aws_marketplace_offer_arn: Option<String>,
}

#[derive(InputObject, Default)]
pub struct UpdateOpportunityInput {
    pub partner_opportunity_identifier: MaybeUndefined<String>,
    pub opportunity_type: MaybeUndefined<OpportunityType>,
    pub national_security: MaybeUndefined<bool>,
    pub title: MaybeUndefined<String>,
    pub customer_business_problem: MaybeUndefined<String>,
    pub customer_use_case: MaybeUndefined<String>,
    pub delivery_models: MaybeUndefined<Vec<DeliveryModel>>,
    pub expected_monthly_spend: MaybeUndefined<MoneyInput>,
    pub sales_activities: MaybeUndefined<Vec<SalesActivity>>,
    pub competitor_name: MaybeUndefined<CompetitorName>,
    pub other_competitor_names: MaybeUndefined<String>,
    pub primary_needs_from_aws: MaybeUndefined<Vec<PrimaryNeed>>,
    pub additional_comments: MaybeUndefined<String>,
    pub marketing_source: MaybeUndefined<MarketingSource>,
    pub campaign_name: MaybeUndefined<String>,
    pub marketing_channels: MaybeUndefined<Vec<Channel>>,
    pub marketing_use_cases: MaybeUndefined<Vec<String>>,
    pub aws_funding_used: MaybeUndefined<bool>,
    /// Active stages only; LAUNCHED and CLOSED_LOST go through closeOpportunity.
    pub stage: MaybeUndefined<Stage>,
    pub target_close_date: MaybeUndefined<Date>,
    pub next_steps: MaybeUndefined<String>,
    pub customer_consent: MaybeUndefined<bool>,
    pub partner_led: MaybeUndefined<bool>,
    pub net_new_for_aws: MaybeUndefined<bool>,
    pub internal_notes: MaybeUndefined<String>,
    pub aws_products: MaybeUndefined<Vec<String>>,
    pub aws_marketplace_offer_arn: MaybeUndefined<String>,
}

impl UpdateOpportunityInput {
    /// The fields the input names, explicit nulls included: what the caller asks to touch,
    /// whether or not the value differs from the stored one.
    pub fn named_fields(&self) -> Vec<&'static str> {
        let mut named = Vec::new();
        macro_rules! check {
            ($($field:ident => $name:literal),* $(,)?) => {
                $(if !self.$field.is_undefined() { named.push($name); })*
            };
        }
        check!(
            partner_opportunity_identifier => "partnerOpportunityIdentifier",
            opportunity_type => "opportunityType",
            national_security => "nationalSecurity",
            title => "title",
            customer_business_problem => "customerBusinessProblem",
            customer_use_case => "customerUseCase",
            delivery_models => "deliveryModels",
            expected_monthly_spend => "expectedMonthlySpend",
            sales_activities => "salesActivities",
            competitor_name => "competitorName",
            other_competitor_names => "otherCompetitorNames",
            primary_needs_from_aws => "primaryNeedsFromAws",
            additional_comments => "additionalComments",
            marketing_source => "marketingSource",
            campaign_name => "campaignName",
            marketing_channels => "marketingChannels",
            marketing_use_cases => "marketingUseCases",
            aws_funding_used => "awsFundingUsed",
            stage => "stage",
            target_close_date => "targetCloseDate",
            next_steps => "nextSteps",
            customer_consent => "customerConsent",
            partner_led => "partnerLed",
            net_new_for_aws => "netNewForAws",
            internal_notes => "internalNotes",
            aws_products => "awsProducts",
            aws_marketplace_offer_arn => "awsMarketplaceOfferArn",
        );
        named
    }
}

#[derive(InputObject, Clone, Copy, Default)]
pub struct DateRange {
    pub after: Option<Date>,
    pub before: Option<Date>,
}

#[derive(InputObject, Clone, Copy, Default)]
pub struct DateTimeRange {
    pub after: Option<DateTime>,
    pub before: Option<DateTime>,
}

#[derive(InputObject, Default)]
pub struct OpportunityFilter {
    pub ids: Option<Vec<ID>>,
    pub partner_id: Option<ID>,
    pub customer_id: Option<ID>,
    pub stage: Option<Vec<Stage>>,
    pub review_status: Option<Vec<ReviewStatus>>,
    pub segment: Option<Vec<SegmentCode>>,
    pub aws_adoption: Option<AwsAdoption>,
    pub origin: Option<Origin>,
    pub primary_need: Option<PrimaryNeed>,
    pub has_open_asks: Option<bool>,
    /// Title, business problem or customer company name contains this text (any case).
    pub search: Option<String>,
    pub target_close_date: Option<DateRange>,
    pub created_at: Option<DateTimeRange>,
    pub last_modified_at: Option<DateTimeRange>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum OpportunityOrderField {
    LastModifiedAt,
    CreatedAt,
    TargetCloseDate,
    CustomerCompanyName,
    Title,
    ExpectedMonthlySpend,
}

#[derive(InputObject)]
pub struct OpportunityOrder {
    pub field: OpportunityOrderField,
    pub direction: SortDirection,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReviewDecision {
    StartReview,
    Approve,
    Reject,
    RequestAction,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CloseOutcome {
    Launched,
    ClosedLost,
}

// ---------------------------------------------------------------- asks

#[derive(InputObject, Clone, Copy, Debug)]
pub struct FundingInput {
    pub program: FundingProgram,
    pub funding_type: FundingType,
    pub amount: MoneyInput,
}

#[derive(InputObject, Clone, Debug)]
pub struct MarketplaceInput {
    pub offer_arn: Option<String>,
    pub listing_url: Option<String>,
    pub notes: Option<String>,
}

#[derive(InputObject, Clone, Debug)]
pub struct ArchitectureInput {
    pub workload: String,
    pub requirements: Option<String>,
}

#[derive(InputObject, Debug)]
pub struct CreateAskInput {
    pub opportunity_id: ID,
    pub kind: AskKind,
    pub title: String,
    pub details: String,
    /// The customer goal the ask serves; at least 20 characters.
    pub customer_outcome: String,
    /// Default NORMAL.
    pub priority: Option<AskPriority>,
    pub due_date: Option<Date>,
    /// STAKEHOLDER_ALIGNMENT: at least one.
    pub stakeholders: Option<Vec<String>>,
    /// FUNDING only, and required there.
    pub funding: Option<FundingInput>,
    /// MARKETPLACE_PROCUREMENT only, with an offer ARN or a listing URL.
    pub marketplace: Option<MarketplaceInput>,
    /// SOLUTION_ARCHITECTURE only, and required there.
    pub architecture: Option<ArchitectureInput>,
    /// Optional idempotency token, per partner: a retry with the same token and body returns
    /// the first ask; the same token with another body is CONFLICT.
    pub client_token: Option<String>,
}

#[derive(InputObject, Default, Debug)]
pub struct UpdateAskInput {
    pub title: MaybeUndefined<String>,
    pub details: MaybeUndefined<String>,
    pub customer_outcome: MaybeUndefined<String>,
    pub priority: MaybeUndefined<AskPriority>,
    pub due_date: MaybeUndefined<Date>,
    pub stakeholders: MaybeUndefined<Vec<String>>,
    pub funding: MaybeUndefined<FundingInput>,
    pub marketplace: MaybeUndefined<MarketplaceInput>,
    pub architecture: MaybeUndefined<ArchitectureInput>,
}

#[derive(InputObject, Default)]
pub struct AskFilter {
    pub kind: Option<Vec<AskKind>>,
    pub status: Option<Vec<AskStatus>>,
    /// OPEN, ACKNOWLEDGED or IN_PROGRESS.
    pub open: Option<bool>,
    /// Still open and due before today.
    pub overdue: Option<bool>,
    pub assignee: Option<String>,
    pub partner_id: Option<ID>,
    pub opportunity_id: Option<ID>,
    /// The segment of the opportunity's customer.
    pub segment: Option<Vec<SegmentCode>>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AskOrderField {
    CreatedAt,
    UpdatedAt,
    /// Asks without a due date come last in ascending order.
    DueDate,
    Priority,
}

#[derive(InputObject)]
pub struct AskOrder {
    pub field: AskOrderField,
    pub direction: SortDirection,
}

// ---------------------------------------------------------------- referrals

#[derive(InputObject, Clone, Debug)]
pub struct ReferralCustomerInput {
    pub company_name: String,
    pub industry: Industry,
    pub website_url: String,
    pub country_code: String,
}

#[derive(InputObject, Debug)]
pub struct SendReferralInput {
    pub partner_id: ID,
    pub message: String,
    pub customer: ReferralCustomerInput,
    pub segment: SegmentCode,
    pub aws_adoption: AwsAdoption,
    pub customer_address: Option<AddressInput>,
    pub customer_contacts: Option<Vec<ContactInput>>,
    pub project_title: String,
    pub business_problem: String,
    pub target_completion_date: Date,
    pub expected_monthly_spend: Option<MoneyInput>,
    /// Default: 14 days after sending.
    pub expires_at: Option<DateTime>,
}

#[derive(InputObject, Default)]
pub struct ReferralFilter {
    pub status: Option<Vec<ReferralStatus>>,
    pub partner_id: Option<ID>,
}
