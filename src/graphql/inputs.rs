//! Input objects, filters and orderings of the contract.
use crate::domain::enums::{
    AskKind, AskPriority, AskStatus, AwsAdoption, Channel, CompetitorName, CurrencyCode,
    DeliveryModel, FundingProgram, FundingType, Industry, MarketingSource, OpportunityType, Origin,
    PrimaryNeed, ReferralStatus, ReviewStatus, SalesActivity, SegmentCode, SolutionCategory,
    SolutionStatus, SortDirection, Stage,
};
use crate::domain::patch::Patch;
use crate::graphql::scalars::{Date, DateTime, Decimal};
use crate::services::commands;
use async_graphql::{Enum, ID, InputObject, MaybeUndefined};

/// Conditions on partners; every given one must hold.
#[derive(InputObject, Default)]
pub struct PartnerFilter {
    /// Case-insensitive text in the partner's name (at most 200 characters).
    pub search: Option<String>,
    /// Only partners selling to these segments.
    pub segment: Option<Vec<SegmentCode>>,
}

/// A new partner organisation (ADMIN only).
#[derive(InputObject)]
pub struct CreatePartnerInput {
    /// The partner's name.
    pub name: String,
    /// The partner's website.
    pub website_url: Option<String>,
    /// What the partner offers, in a few sentences.
    pub value_proposition: Option<String>,
    /// The segments the partner sells to.
    pub segments: Option<Vec<SegmentCode>>,
    /// The industries the partner serves.
    pub industries: Option<Vec<Industry>>,
}

/// Changes to a partner profile; fields left out keep their values.
#[derive(InputObject)]
pub struct UpdatePartnerInput {
    /// The partner's name.
    pub name: MaybeUndefined<String>,
    /// The partner's website.
    pub website_url: MaybeUndefined<String>,
    /// What the partner offers, in a few sentences.
    pub value_proposition: MaybeUndefined<String>,
    /// The segments the partner sells to.
    pub segments: MaybeUndefined<Vec<SegmentCode>>,
    /// The industries the partner serves.
    pub industries: MaybeUndefined<Vec<Industry>>,
}

/// A new solution of a partner (ACE `Solution`).
#[derive(InputObject)]
pub struct CreateSolutionInput {
    /// The partner.
    pub partner_id: Option<ID>,
    /// The solution's name.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// What kind of offering it is.
    pub category: SolutionCategory,
    /// ACTIVE solutions can be associated with opportunities.
    pub status: Option<SolutionStatus>,
    /// Its AWS Marketplace listing, if any.
    pub aws_marketplace_solution_arn: Option<String>,
}

/// Changes to a solution; fields left out keep their values.
#[derive(InputObject)]
pub struct UpdateSolutionInput {
    /// The solution's name.
    pub name: MaybeUndefined<String>,
    /// What it is.
    pub description: MaybeUndefined<String>,
    /// What kind of offering it is.
    pub category: MaybeUndefined<SolutionCategory>,
    /// ACTIVE solutions can be associated with opportunities.
    pub status: MaybeUndefined<SolutionStatus>,
    /// Its AWS Marketplace listing, if any.
    pub aws_marketplace_solution_arn: MaybeUndefined<String>,
}

/// A customer reference: title, customer, summary, optional URL and publication date.
#[derive(InputObject)]
pub struct CustomerReferenceInput {
    /// The partner.
    pub partner_id: Option<ID>,
    /// The story's title.
    pub title: String,
    /// The customer's name as published.
    pub customer_name: String,
    /// The customer's segment.
    pub segment: Option<SegmentCode>,
    /// What the partner did and what it achieved.
    pub summary: String,
    /// Where the story is published.
    pub url: Option<String>,
    /// When it was published.
    pub published_on: Option<Date>,
}

// ---------------------------------------------------------------- customers

/// A postal address: the country as ISO 3166-1 alpha-2; a state or region only for US.
#[derive(InputObject, Clone, Debug)]
pub struct AddressInput {
    /// The country, ISO 3166-1 alpha-2 (`US`, `DE`).
    pub country_code: String,
    /// The postal code.
    pub postal_code: Option<String>,
    /// The state, for US addresses.
    pub state_or_region: Option<String>,
    /// The city.
    pub city: Option<String>,
    /// The street address (at most 255 characters).
    pub street_address: Option<String>,
}

/// A customer contact: names of 1 to 80 characters, a valid email, an optional phone (E.164) and title.
#[derive(InputObject, Clone, Debug)]
pub struct ContactInput {
    /// First name (at most 80 characters).
    pub first_name: String,
    /// Last name (at most 80 characters).
    pub last_name: String,
    /// Email address.
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// Job title (at most 80 characters).
    pub business_title: Option<String>,
}

/// A new customer of a partner (ACE `Customer.Account`).
#[derive(InputObject)]
pub struct CreateCustomerInput {
    /// The partner (a partner-side caller's own; ADMIN names any).
    pub partner_id: Option<ID>,
    /// The company's name (at most 120 characters).
    pub company_name: String,
    /// The company's industry.
    pub industry: Industry,
    /// The industry in words, when `industry` is OTHER.
    pub other_industry: Option<String>,
    /// The company's website.
    pub website_url: Option<String>,
    /// The company's address.
    pub address: Option<AddressInput>,
    /// The company's D-U-N-S number (9 digits).
    pub duns: Option<String>,
    /// The customer's AWS account id (12 digits), if known.
    pub aws_account_id: Option<String>,
    /// The AWS segment the customer belongs to; AWS sellers see customers of their segments.
    pub segment: SegmentCode,
    /// Whether the customer already uses AWS.
    pub aws_adoption: AwsAdoption,
    /// The customer's contacts (at most 50).
    pub contacts: Option<Vec<ContactInput>>,
    /// Partner-only: null for AWS-side viewers.
    pub internal_notes: Option<String>,
}

/// Changes to a customer; fields left out keep their values.
#[derive(InputObject)]
pub struct UpdateCustomerInput {
    /// The company's name (at most 120 characters).
    pub company_name: MaybeUndefined<String>,
    /// The company's industry.
    pub industry: MaybeUndefined<Industry>,
    /// The industry in words, when `industry` is OTHER.
    pub other_industry: MaybeUndefined<String>,
    /// The company's website.
    pub website_url: MaybeUndefined<String>,
    /// The company's address.
    pub address: MaybeUndefined<AddressInput>,
    /// The company's D-U-N-S number (9 digits).
    pub duns: MaybeUndefined<String>,
    /// The customer's AWS account id (12 digits), if known.
    pub aws_account_id: MaybeUndefined<String>,
    /// The AWS segment the customer belongs to; AWS sellers see customers of their segments.
    pub segment: MaybeUndefined<SegmentCode>,
    /// Whether the customer already uses AWS.
    pub aws_adoption: MaybeUndefined<AwsAdoption>,
    /// Partner-only: null for AWS-side viewers.
    pub internal_notes: MaybeUndefined<String>,
}

/// Conditions on customers; every given one must hold.
#[derive(InputObject, Default)]
pub struct CustomerFilter {
    /// Only customers in these segments.
    pub segment: Option<Vec<SegmentCode>>,
    /// Only customers with this AWS adoption.
    pub aws_adoption: Option<AwsAdoption>,
    /// Only customers in these industries.
    pub industry: Option<Vec<Industry>>,
    /// Case-insensitive text in the company name (at most 200 characters).
    pub search: Option<String>,
    /// Only customers of this partner.
    pub partner_id: Option<ID>,
}

/// What a customer list is ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CustomerOrderField {
    /// Alphabetically, case-insensitive.
    CompanyName,
    /// When the customer was created.
    CreatedAt,
    /// When the customer last changed.
    UpdatedAt,
}

/// The order of a customer list.
#[derive(InputObject)]
pub struct CustomerOrder {
    /// What to order by.
    pub field: CustomerOrderField,
    /// Ascending or descending.
    pub direction: SortDirection,
}

// ---------------------------------------------------------------- opportunities

/// An amount (a decimal string, at most two decimals, not negative, at most 1,000,000,000,000.00) in a currency.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct MoneyInput {
    /// The amount, a decimal string with two decimals (`"12500.00"`).
    pub amount: Decimal,
    /// The currency.
    pub currency_code: CurrencyCode,
}

/// A new opportunity (ACE `CreateOpportunity`), idempotent by `clientToken`.
#[derive(InputObject, Debug)]
pub struct CreateOpportunityInput {
    /// Makes the create idempotent per partner: a retry with the same token and body returns the first opportunity; the same token with another body is CONFLICT.
    pub client_token: String,
    /// The customer, of the caller's partner; the opportunity belongs to that partner.
    pub customer_id: ID,
    /// The partner's own id for it, e.g. from its CRM (ACE `PartnerOpportunityIdentifier`, at most 64 characters).
    pub partner_opportunity_identifier: Option<String>,
    /// New business, a renewal or an expansion.
    pub opportunity_type: OpportunityType,
    /// A national-security opportunity (GOVERNMENT customers only; ACE `NationalSecurity`).
    pub national_security: Option<bool>,
    /// The project's title (ACE `Project.Title`, at most 255 characters).
    pub title: String,
    /// The customer's problem (ACE `Project.CustomerBusinessProblem`, 20 to 2,000 characters).
    pub customer_business_problem: String,
    /// The use case, one of ACE's 39 (ACE `Project.CustomerUseCase`).
    pub customer_use_case: Option<String>,
    /// How the partner delivers (ACE `Project.DeliveryModels`).
    pub delivery_models: Option<Vec<DeliveryModel>>,
    /// Expected monthly AWS spend (ACE `Project.ExpectedCustomerSpend`).
    pub expected_monthly_spend: Option<MoneyInput>,
    /// What has been done with the customer so far (ACE `Project.SalesActivities`).
    pub sales_activities: Option<Vec<SalesActivity>>,
    /// The main competitor (ACE `Project.CompetitorName`).
    pub competitor_name: Option<CompetitorName>,
    /// Other competitors, when `competitorName` is OTHER (ACE `Project.OtherCompetitorNames`).
    pub other_competitor_names: Option<String>,
    /// What the partner needs from AWS (ACE `PrimaryNeedsFromAws`).
    pub primary_needs_from_aws: Option<Vec<PrimaryNeed>>,
    /// Anything else for AWS (ACE `Project.AdditionalComments`, at most 255 characters).
    pub additional_comments: Option<String>,
    /// Whether marketing brought the opportunity (ACE `Marketing.Source`).
    pub marketing_source: Option<MarketingSource>,
    /// The AWS campaign code (ACE `Marketing.CampaignName`).
    pub campaign_name: Option<String>,
    /// The marketing channels (ACE `Marketing.Channels`).
    pub marketing_channels: Option<Vec<Channel>>,
    /// The marketing use cases (ACE `Marketing.UseCases`).
    pub marketing_use_cases: Option<Vec<String>>,
    /// Whether AWS marketing funds were used (ACE `Marketing.AwsFundingUsed`).
    pub aws_funding_used: Option<bool>,
    /// Where the deal stands (ACE `LifeCycle.Stage`).
    pub stage: Option<Stage>,
    /// When significant AWS billing is expected to start (ACE `LifeCycle.TargetCloseDate`); not in the past while active.
    pub target_close_date: Option<Date>,
    /// The current next step (ACE `LifeCycle.NextSteps`, at most 255 characters); the AWS side may set it too.
    pub next_steps: Option<String>,
    /// The customer agreed to be shared with AWS (a readiness check).
    pub customer_consent: Option<bool>,
    /// The partner leads the deal (a readiness check).
    pub partner_led: Option<bool>,
    /// The business is new for AWS (a readiness check).
    pub net_new_for_aws: Option<bool>,
    /// Partner-only: null for AWS-side viewers.
    pub internal_notes: Option<String>,
    /// AWS products the project will use (ACE product codes, associated in ACE).
    pub aws_products: Option<Vec<String>>,
    /// The AWS Marketplace offer the deal closes through, if any (associated in ACE).
    pub aws_marketplace_offer_arn: Option<String>,
}

/// Changes to an opportunity; fields left out keep their values, null clears an optional one. Which fields may change depends on the review status (docs/ace-model.md §5.2).
#[derive(InputObject, Default)]
pub struct UpdateOpportunityInput {
    /// The partner's own id for it, e.g. from its CRM (ACE `PartnerOpportunityIdentifier`, at most 64 characters).
    pub partner_opportunity_identifier: MaybeUndefined<String>,
    /// New business, a renewal or an expansion.
    pub opportunity_type: MaybeUndefined<OpportunityType>,
    /// A national-security opportunity (GOVERNMENT customers only; ACE `NationalSecurity`).
    pub national_security: MaybeUndefined<bool>,
    /// The project's title (ACE `Project.Title`, at most 255 characters).
    pub title: MaybeUndefined<String>,
    /// The customer's problem (ACE `Project.CustomerBusinessProblem`, 20 to 2,000 characters).
    pub customer_business_problem: MaybeUndefined<String>,
    /// The use case, one of ACE's 39 (ACE `Project.CustomerUseCase`).
    pub customer_use_case: MaybeUndefined<String>,
    /// How the partner delivers (ACE `Project.DeliveryModels`).
    pub delivery_models: MaybeUndefined<Vec<DeliveryModel>>,
    /// Expected monthly AWS spend (ACE `Project.ExpectedCustomerSpend`).
    pub expected_monthly_spend: MaybeUndefined<MoneyInput>,
    /// What has been done with the customer so far (ACE `Project.SalesActivities`).
    pub sales_activities: MaybeUndefined<Vec<SalesActivity>>,
    /// The main competitor (ACE `Project.CompetitorName`).
    pub competitor_name: MaybeUndefined<CompetitorName>,
    /// Other competitors, when `competitorName` is OTHER (ACE `Project.OtherCompetitorNames`).
    pub other_competitor_names: MaybeUndefined<String>,
    /// What the partner needs from AWS (ACE `PrimaryNeedsFromAws`).
    pub primary_needs_from_aws: MaybeUndefined<Vec<PrimaryNeed>>,
    /// Anything else for AWS (ACE `Project.AdditionalComments`, at most 255 characters).
    pub additional_comments: MaybeUndefined<String>,
    /// Whether marketing brought the opportunity (ACE `Marketing.Source`).
    pub marketing_source: MaybeUndefined<MarketingSource>,
    /// The AWS campaign code (ACE `Marketing.CampaignName`).
    pub campaign_name: MaybeUndefined<String>,
    /// The marketing channels (ACE `Marketing.Channels`).
    pub marketing_channels: MaybeUndefined<Vec<Channel>>,
    /// The marketing use cases (ACE `Marketing.UseCases`).
    pub marketing_use_cases: MaybeUndefined<Vec<String>>,
    /// Whether AWS marketing funds were used (ACE `Marketing.AwsFundingUsed`).
    pub aws_funding_used: MaybeUndefined<bool>,
    /// Active stages only; LAUNCHED and CLOSED_LOST go through closeOpportunity.
    pub stage: MaybeUndefined<Stage>,
    /// When significant AWS billing is expected to start (ACE `LifeCycle.TargetCloseDate`); not in the past while active.
    pub target_close_date: MaybeUndefined<Date>,
    /// The current next step (ACE `LifeCycle.NextSteps`, at most 255 characters); the AWS side may set it too.
    pub next_steps: MaybeUndefined<String>,
    /// The customer agreed to be shared with AWS (a readiness check).
    pub customer_consent: MaybeUndefined<bool>,
    /// The partner leads the deal (a readiness check).
    pub partner_led: MaybeUndefined<bool>,
    /// The business is new for AWS (a readiness check).
    pub net_new_for_aws: MaybeUndefined<bool>,
    /// Partner-only: null for AWS-side viewers.
    pub internal_notes: MaybeUndefined<String>,
    /// AWS products the project will use (ACE product codes, associated in ACE).
    pub aws_products: MaybeUndefined<Vec<String>>,
    /// The AWS Marketplace offer the deal closes through, if any (associated in ACE).
    pub aws_marketplace_offer_arn: MaybeUndefined<String>,
}

/// Inclusive bounds on a date; either may be left out.
#[derive(InputObject, Clone, Copy, Default)]
pub struct DateRange {
    /// On or after this date.
    pub after: Option<Date>,
    /// On or before this date.
    pub before: Option<Date>,
}

/// Inclusive bounds on an instant; either may be left out.
#[derive(InputObject, Clone, Copy, Default)]
pub struct DateTimeRange {
    /// At or after this instant.
    pub after: Option<DateTime>,
    /// At or before this instant.
    pub before: Option<DateTime>,
}

/// Conditions on opportunities; every given one must hold.
#[derive(InputObject, Default)]
pub struct OpportunityFilter {
    /// Only these opportunities (at most 100 ids).
    pub ids: Option<Vec<ID>>,
    /// Only opportunities of this partner.
    pub partner_id: Option<ID>,
    /// Only opportunities for this customer.
    pub customer_id: Option<ID>,
    /// Only opportunities in these stages.
    pub stage: Option<Vec<Stage>>,
    /// Only opportunities with these review statuses.
    pub review_status: Option<Vec<ReviewStatus>>,
    /// Only opportunities whose customer is in these segments.
    pub segment: Option<Vec<SegmentCode>>,
    /// Only opportunities whose customer has this AWS adoption.
    pub aws_adoption: Option<AwsAdoption>,
    /// Only opportunities of this origin.
    pub origin: Option<Origin>,
    /// Only opportunities that need this from AWS.
    pub primary_need: Option<PrimaryNeed>,
    /// Only opportunities with (true) or without (false) an open ask.
    pub has_open_asks: Option<bool>,
    /// Title, business problem or customer company name contains this text (any case).
    pub search: Option<String>,
    /// Only opportunities expected to close within these dates.
    pub target_close_date: Option<DateRange>,
    /// Only opportunities created within this range.
    pub created_at: Option<DateTimeRange>,
    /// Only opportunities last changed within this range.
    pub last_modified_at: Option<DateTimeRange>,
    /// Where the opportunity stands in ACE; NOT_SHARED is one never sent to ACE.
    pub ace_sync_status: Option<Vec<crate::graphql::types::ace::AceSyncStatus>>,
}

/// What an opportunity list is ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum OpportunityOrderField {
    /// When the opportunity last changed (the default, newest first).
    LastModifiedAt,
    /// When the opportunity was created.
    CreatedAt,
    /// The expected close date.
    TargetCloseDate,
    /// The customer's company name.
    CustomerCompanyName,
    /// The opportunity's title.
    Title,
    /// The expected monthly AWS spend (amounts in different currencies are compared as numbers).
    ExpectedMonthlySpend,
}

/// The order of an opportunity list.
#[derive(InputObject)]
pub struct OpportunityOrder {
    /// What to order by.
    pub field: OpportunityOrderField,
    /// Ascending or descending.
    pub direction: SortDirection,
}

// ---------------------------------------------------------------- asks

/// The program, type and amount of a FUNDING ask.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct FundingInput {
    /// The AWS funding program.
    pub program: FundingProgram,
    /// Credits or cash.
    pub funding_type: FundingType,
    /// The amount requested.
    pub amount: MoneyInput,
}

/// The offer and listing of a MARKETPLACE_PROCUREMENT ask.
#[derive(InputObject, Clone, Debug)]
pub struct MarketplaceInput {
    /// The AWS Marketplace offer's ARN.
    pub offer_arn: Option<String>,
    /// The AWS Marketplace listing.
    pub listing_url: Option<String>,
    /// What the procurement needs.
    pub notes: Option<String>,
}

/// The workload and requirements of a SOLUTION_ARCHITECTURE ask.
#[derive(InputObject, Clone, Debug)]
pub struct ArchitectureInput {
    /// The workload to design or review.
    pub workload: String,
    /// What the architecture must meet.
    pub requirements: Option<String>,
}

/// A new ask on an opportunity of the caller's partner; the details block matches the kind.
#[derive(InputObject, Debug)]
pub struct CreateAskInput {
    /// The opportunity, open and of the caller's partner.
    pub opportunity_id: ID,
    /// What is asked for.
    pub kind: AskKind,
    /// A short summary of the ask (1 to 255 characters).
    pub title: String,
    /// What the partner asks for, in full.
    pub details: String,
    /// The customer goal the ask serves; at least 20 characters.
    pub customer_outcome: String,
    /// Default NORMAL.
    pub priority: Option<AskPriority>,
    /// When the partner needs it; past it, an open ask is overdue.
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

/// Changes to an ask; fields left out keep their values.
#[derive(InputObject, Default, Debug)]
pub struct UpdateAskInput {
    /// A short summary of the ask (1 to 255 characters).
    pub title: MaybeUndefined<String>,
    /// What the partner asks for, in full.
    pub details: MaybeUndefined<String>,
    /// The customer goal the ask serves.
    pub customer_outcome: MaybeUndefined<String>,
    /// How urgent it is for the deal.
    pub priority: MaybeUndefined<AskPriority>,
    /// When the partner needs it; past it, an open ask is overdue.
    pub due_date: MaybeUndefined<Date>,
    /// The customer's people AWS should meet (STAKEHOLDER_ALIGNMENT; at most 20).
    pub stakeholders: MaybeUndefined<Vec<String>>,
    /// The funding requested (FUNDING asks).
    pub funding: MaybeUndefined<FundingInput>,
    /// The offer and listing (MARKETPLACE_PROCUREMENT asks).
    pub marketplace: MaybeUndefined<MarketplaceInput>,
    /// The workload and requirements (SOLUTION_ARCHITECTURE asks).
    pub architecture: MaybeUndefined<ArchitectureInput>,
}

/// Conditions on asks; every given one must hold.
#[derive(InputObject, Default)]
pub struct AskFilter {
    /// Only asks of these kinds.
    pub kind: Option<Vec<AskKind>>,
    /// Only asks in these statuses.
    pub status: Option<Vec<AskStatus>>,
    /// OPEN, ACKNOWLEDGED or IN_PROGRESS.
    pub open: Option<bool>,
    /// Still open and due before today.
    pub overdue: Option<bool>,
    /// Only asks assigned to this person.
    pub assignee: Option<String>,
    /// Only asks of this partner.
    pub partner_id: Option<ID>,
    /// Only asks about this opportunity.
    pub opportunity_id: Option<ID>,
    /// The segment of the opportunity's customer.
    pub segment: Option<Vec<SegmentCode>>,
}

/// What an ask list is ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AskOrderField {
    /// When the ask was raised.
    CreatedAt,
    /// When the ask last changed.
    UpdatedAt,
    /// Asks without a due date come last in ascending order.
    DueDate,
    /// LOW < NORMAL < HIGH < URGENT.
    Priority,
}

/// The order of an ask list.
#[derive(InputObject)]
pub struct AskOrder {
    /// What to order by.
    pub field: AskOrderField,
    /// Ascending or descending.
    pub direction: SortDirection,
}

// ---------------------------------------------------------------- referrals

/// The customer of a referral: its account fields and address.
#[derive(InputObject, Clone, Debug)]
pub struct ReferralCustomerInput {
    /// The company's name.
    pub company_name: String,
    /// The company's industry.
    pub industry: Industry,
    /// The company's website.
    pub website_url: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
}

/// A referral from the AWS side to a partner: the customer, project and contacts.
#[derive(InputObject, Debug)]
pub struct SendReferralInput {
    /// The partner to refer the customer to: for an AWS_SELLER, the customer's segment must be one of its own; for a PARTNER_MANAGER, one of its partners.
    pub partner_id: ID,
    /// AWS's note to the partner.
    pub message: String,
    /// The referred company: name, industry, website, country.
    pub customer: ReferralCustomerInput,
    /// The customer's segment.
    pub segment: SegmentCode,
    /// Whether the customer uses AWS already.
    pub aws_adoption: AwsAdoption,
    /// Withheld (null) from the partner until it accepts.
    pub customer_address: Option<AddressInput>,
    /// Withheld (empty) from the partner until it accepts; accepting makes them the customer's
    /// contacts under the same ids.
    pub customer_contacts: Option<Vec<ContactInput>>,
    /// The project's title.
    pub project_title: String,
    /// The customer's problem (20 to 2,000 characters).
    pub business_problem: String,
    /// When the customer wants it done.
    pub target_completion_date: Date,
    /// Expected monthly AWS spend.
    pub expected_monthly_spend: Option<MoneyInput>,
    /// Default: 14 days after sending.
    pub expires_at: Option<DateTime>,
}

/// Conditions on referrals; every given one must hold.
#[derive(InputObject, Default)]
pub struct ReferralFilter {
    /// Only referrals in these statuses.
    pub status: Option<Vec<ReferralStatus>>,
    /// Only referrals to this partner.
    pub partner_id: Option<ID>,
}

// ---------------------------------------------------------------- into service commands

/// A GraphQL patch field as the services' `Patch`.
fn patch<T, U>(field: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Patch<U> {
    match field {
        MaybeUndefined::Undefined => Patch::Absent,
        MaybeUndefined::Null => Patch::Null,
        MaybeUndefined::Value(v) => Patch::Value(f(v)),
    }
}

impl From<CreatePartnerInput> for commands::CreatePartner {
    fn from(i: CreatePartnerInput) -> Self {
        commands::CreatePartner {
            name: i.name,
            website_url: i.website_url,
            value_proposition: i.value_proposition,
            segments: i.segments,
            industries: i.industries,
        }
    }
}

impl From<UpdatePartnerInput> for commands::UpdatePartner {
    fn from(i: UpdatePartnerInput) -> Self {
        commands::UpdatePartner {
            name: patch(i.name, |v| v),
            website_url: patch(i.website_url, |v| v),
            value_proposition: patch(i.value_proposition, |v| v),
            segments: patch(i.segments, |v| v),
            industries: patch(i.industries, |v| v),
        }
    }
}

impl From<CreateSolutionInput> for commands::CreateSolution {
    fn from(i: CreateSolutionInput) -> Self {
        commands::CreateSolution {
            partner_id: i.partner_id.map(|id| id.0),
            name: i.name,
            description: i.description,
            category: i.category,
            status: i.status,
            aws_marketplace_solution_arn: i.aws_marketplace_solution_arn,
        }
    }
}

impl From<UpdateSolutionInput> for commands::UpdateSolution {
    fn from(i: UpdateSolutionInput) -> Self {
        commands::UpdateSolution {
            name: patch(i.name, |v| v),
            description: patch(i.description, |v| v),
            category: patch(i.category, |v| v),
            status: patch(i.status, |v| v),
            aws_marketplace_solution_arn: patch(i.aws_marketplace_solution_arn, |v| v),
        }
    }
}

impl From<CustomerReferenceInput> for commands::CreateCustomerReference {
    fn from(i: CustomerReferenceInput) -> Self {
        commands::CreateCustomerReference {
            partner_id: i.partner_id.map(|id| id.0),
            title: i.title,
            customer_name: i.customer_name,
            segment: i.segment,
            summary: i.summary,
            url: i.url,
            published_on: i.published_on.map(|d| d.0),
        }
    }
}

impl From<AddressInput> for commands::AddressData {
    fn from(i: AddressInput) -> Self {
        commands::AddressData {
            country_code: i.country_code,
            postal_code: i.postal_code,
            state_or_region: i.state_or_region,
            city: i.city,
            street_address: i.street_address,
        }
    }
}

impl From<ContactInput> for commands::ContactData {
    fn from(i: ContactInput) -> Self {
        commands::ContactData {
            first_name: i.first_name,
            last_name: i.last_name,
            email: i.email,
            phone: i.phone,
            business_title: i.business_title,
        }
    }
}

impl From<CreateCustomerInput> for commands::CreateCustomer {
    fn from(i: CreateCustomerInput) -> Self {
        commands::CreateCustomer {
            partner_id: i.partner_id.map(|id| id.0),
            company_name: i.company_name,
            industry: i.industry,
            other_industry: i.other_industry,
            website_url: i.website_url,
            address: i.address.map(Into::into),
            duns: i.duns,
            aws_account_id: i.aws_account_id,
            segment: i.segment,
            aws_adoption: i.aws_adoption,
            contacts: i
                .contacts
                .map(|list| list.into_iter().map(Into::into).collect()),
            internal_notes: i.internal_notes,
        }
    }
}

impl From<UpdateCustomerInput> for commands::UpdateCustomer {
    fn from(i: UpdateCustomerInput) -> Self {
        commands::UpdateCustomer {
            company_name: patch(i.company_name, |v| v),
            industry: patch(i.industry, |v| v),
            other_industry: patch(i.other_industry, |v| v),
            website_url: patch(i.website_url, |v| v),
            address: patch(i.address, Into::into),
            duns: patch(i.duns, |v| v),
            aws_account_id: patch(i.aws_account_id, |v| v),
            segment: patch(i.segment, |v| v),
            aws_adoption: patch(i.aws_adoption, |v| v),
            internal_notes: patch(i.internal_notes, |v| v),
        }
    }
}

impl From<MoneyInput> for commands::MoneyData {
    fn from(i: MoneyInput) -> Self {
        commands::MoneyData {
            cents: i.amount.cents(),
            currency_code: i.currency_code,
        }
    }
}

impl From<CreateOpportunityInput> for commands::CreateOpportunity {
    fn from(i: CreateOpportunityInput) -> Self {
        commands::CreateOpportunity {
            client_token: i.client_token,
            customer_id: i.customer_id.0,
            partner_opportunity_identifier: i.partner_opportunity_identifier,
            opportunity_type: i.opportunity_type,
            national_security: i.national_security,
            title: i.title,
            customer_business_problem: i.customer_business_problem,
            customer_use_case: i.customer_use_case,
            delivery_models: i.delivery_models,
            expected_monthly_spend: i.expected_monthly_spend.map(Into::into),
            sales_activities: i.sales_activities,
            competitor_name: i.competitor_name,
            other_competitor_names: i.other_competitor_names,
            primary_needs_from_aws: i.primary_needs_from_aws,
            additional_comments: i.additional_comments,
            marketing_source: i.marketing_source,
            campaign_name: i.campaign_name,
            marketing_channels: i.marketing_channels,
            marketing_use_cases: i.marketing_use_cases,
            aws_funding_used: i.aws_funding_used,
            stage: i.stage,
            target_close_date: i.target_close_date.map(|d| d.0),
            next_steps: i.next_steps,
            customer_consent: i.customer_consent,
            partner_led: i.partner_led,
            net_new_for_aws: i.net_new_for_aws,
            internal_notes: i.internal_notes,
            aws_products: i.aws_products,
            aws_marketplace_offer_arn: i.aws_marketplace_offer_arn,
        }
    }
}

impl From<UpdateOpportunityInput> for commands::UpdateOpportunity {
    fn from(i: UpdateOpportunityInput) -> Self {
        commands::UpdateOpportunity {
            partner_opportunity_identifier: patch(i.partner_opportunity_identifier, |v| v),
            opportunity_type: patch(i.opportunity_type, |v| v),
            national_security: patch(i.national_security, |v| v),
            title: patch(i.title, |v| v),
            customer_business_problem: patch(i.customer_business_problem, |v| v),
            customer_use_case: patch(i.customer_use_case, |v| v),
            delivery_models: patch(i.delivery_models, |v| v),
            expected_monthly_spend: patch(i.expected_monthly_spend, Into::into),
            sales_activities: patch(i.sales_activities, |v| v),
            competitor_name: patch(i.competitor_name, |v| v),
            other_competitor_names: patch(i.other_competitor_names, |v| v),
            primary_needs_from_aws: patch(i.primary_needs_from_aws, |v| v),
            additional_comments: patch(i.additional_comments, |v| v),
            marketing_source: patch(i.marketing_source, |v| v),
            campaign_name: patch(i.campaign_name, |v| v),
            marketing_channels: patch(i.marketing_channels, |v| v),
            marketing_use_cases: patch(i.marketing_use_cases, |v| v),
            aws_funding_used: patch(i.aws_funding_used, |v| v),
            stage: patch(i.stage, |v| v),
            target_close_date: patch(i.target_close_date, |d| d.0),
            next_steps: patch(i.next_steps, |v| v),
            customer_consent: patch(i.customer_consent, |v| v),
            partner_led: patch(i.partner_led, |v| v),
            net_new_for_aws: patch(i.net_new_for_aws, |v| v),
            internal_notes: patch(i.internal_notes, |v| v),
            aws_products: patch(i.aws_products, |v| v),
            aws_marketplace_offer_arn: patch(i.aws_marketplace_offer_arn, |v| v),
        }
    }
}

impl From<FundingInput> for commands::FundingData {
    fn from(i: FundingInput) -> Self {
        commands::FundingData {
            program: i.program,
            funding_type: i.funding_type,
            amount: Into::into(i.amount),
        }
    }
}

impl From<MarketplaceInput> for commands::MarketplaceData {
    fn from(i: MarketplaceInput) -> Self {
        commands::MarketplaceData {
            offer_arn: i.offer_arn,
            listing_url: i.listing_url,
            notes: i.notes,
        }
    }
}

impl From<ArchitectureInput> for commands::ArchitectureData {
    fn from(i: ArchitectureInput) -> Self {
        commands::ArchitectureData {
            workload: i.workload,
            requirements: i.requirements,
        }
    }
}

impl From<CreateAskInput> for commands::CreateAsk {
    fn from(i: CreateAskInput) -> Self {
        commands::CreateAsk {
            opportunity_id: i.opportunity_id.0,
            kind: i.kind,
            title: i.title,
            details: i.details,
            customer_outcome: i.customer_outcome,
            priority: i.priority,
            due_date: i.due_date.map(|d| d.0),
            stakeholders: i.stakeholders,
            funding: i.funding.map(Into::into),
            marketplace: i.marketplace.map(Into::into),
            architecture: i.architecture.map(Into::into),
            client_token: i.client_token,
        }
    }
}

impl From<UpdateAskInput> for commands::UpdateAsk {
    fn from(i: UpdateAskInput) -> Self {
        commands::UpdateAsk {
            title: patch(i.title, |v| v),
            details: patch(i.details, |v| v),
            customer_outcome: patch(i.customer_outcome, |v| v),
            priority: patch(i.priority, |v| v),
            due_date: patch(i.due_date, |d| d.0),
            stakeholders: patch(i.stakeholders, |v| v),
            funding: patch(i.funding, Into::into),
            marketplace: patch(i.marketplace, Into::into),
            architecture: patch(i.architecture, Into::into),
        }
    }
}

impl From<ReferralCustomerInput> for commands::ReferralCustomerData {
    fn from(i: ReferralCustomerInput) -> Self {
        commands::ReferralCustomerData {
            company_name: i.company_name,
            industry: i.industry,
            website_url: i.website_url,
            country_code: i.country_code,
        }
    }
}

impl From<SendReferralInput> for commands::SendReferral {
    fn from(i: SendReferralInput) -> Self {
        commands::SendReferral {
            partner_id: i.partner_id.0,
            message: i.message,
            customer: Into::into(i.customer),
            segment: i.segment,
            aws_adoption: i.aws_adoption,
            customer_address: i.customer_address.map(Into::into),
            customer_contacts: i
                .customer_contacts
                .map(|list| list.into_iter().map(Into::into).collect()),
            project_title: i.project_title,
            business_problem: i.business_problem,
            target_completion_date: i.target_completion_date.0,
            expected_monthly_spend: i.expected_monthly_spend.map(Into::into),
            expires_at: i.expires_at.map(|d| d.0),
        }
    }
}

/// A webhook's receiver and topics (`createWebhook`, `updateWebhook`).
#[derive(InputObject)]
pub struct WebhookInput {
    /// Where deliveries are POSTed: https (loopback, private and plain-http receivers only when
    /// the server sets COSELL_WEBHOOK_ALLOW_PRIVATE).
    pub url: String,
    /// The kinds of objects whose events it receives (at least one).
    pub topics: Vec<crate::domain::enums::EventTopic>,
    /// Off, deliveries are not queued; on again, a disabled webhook resumes (default: on for a
    /// new webhook, unchanged on update).
    pub enabled: Option<bool>,
}

impl From<WebhookInput> for crate::services::commands::WebhookCommand {
    fn from(input: WebhookInput) -> Self {
        crate::services::commands::WebhookCommand {
            url: input.url,
            topics: input.topics,
            enabled: input.enabled,
        }
    }
}
