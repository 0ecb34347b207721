//! What the services take: plain commands, free of any transport. The GraphQL layer converts
//! its input objects into these (`graphql/inputs.rs`); the seed, the benchmark and the coming
//! ACE sync build them directly. Patches keep three states with `Patch`: absent (unchanged),
//! null (cleared) and a value.
use crate::domain::enums::{
    AskKind, AskPriority, AwsAdoption, Channel, CompetitorName, CurrencyCode, DeliveryModel,
    FundingProgram, FundingType, Industry, MarketingSource, OpportunityType, PrimaryNeed,
    SalesActivity, SegmentCode, SolutionCategory, SolutionStatus, Stage,
};
use crate::domain::patch::Patch;
use chrono::NaiveDate;

pub struct CreatePartner {
    pub name: String,
    pub website_url: Option<String>,
    pub value_proposition: Option<String>,
    pub segments: Option<Vec<SegmentCode>>,
    pub industries: Option<Vec<Industry>>,
}

pub struct UpdatePartner {
    pub name: Patch<String>,
    pub website_url: Patch<String>,
    pub value_proposition: Patch<String>,
    pub segments: Patch<Vec<SegmentCode>>,
    pub industries: Patch<Vec<Industry>>,
}

pub struct CreateSolution {
    pub partner_id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub category: SolutionCategory,
    pub status: Option<SolutionStatus>,
    pub aws_marketplace_solution_arn: Option<String>,
}

pub struct UpdateSolution {
    pub name: Patch<String>,
    pub description: Patch<String>,
    pub category: Patch<SolutionCategory>,
    pub status: Patch<SolutionStatus>,
    pub aws_marketplace_solution_arn: Patch<String>,
}

pub struct CreateCustomerReference {
    pub partner_id: Option<String>,
    pub title: String,
    pub customer_name: String,
    pub segment: Option<SegmentCode>,
    pub summary: String,
    pub url: Option<String>,
    pub published_on: Option<NaiveDate>,
}

#[derive(Clone, Debug)]
pub struct AddressData {
    pub country_code: String,
    pub postal_code: Option<String>,
    pub state_or_region: Option<String>,
    pub city: Option<String>,
    pub street_address: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ContactData {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub business_title: Option<String>,
}

pub struct CreateCustomer {
    pub partner_id: Option<String>,
    pub company_name: String,
    pub industry: Industry,
    pub other_industry: Option<String>,
    pub website_url: Option<String>,
    pub address: Option<AddressData>,
    pub duns: Option<String>,
    pub aws_account_id: Option<String>,
    pub segment: SegmentCode,
    pub aws_adoption: AwsAdoption,
    pub contacts: Option<Vec<ContactData>>,
    pub internal_notes: Option<String>,
}

pub struct UpdateCustomer {
    pub company_name: Patch<String>,
    pub industry: Patch<Industry>,
    pub other_industry: Patch<String>,
    pub website_url: Patch<String>,
    pub address: Patch<AddressData>,
    pub duns: Patch<String>,
    pub aws_account_id: Patch<String>,
    pub segment: Patch<SegmentCode>,
    pub aws_adoption: Patch<AwsAdoption>,
    pub internal_notes: Patch<String>,
}

#[derive(Clone, Copy, Debug)]
pub struct MoneyData {
    /// Cents, at most `money::MAX_CENTS`.
    pub cents: i64,
    pub currency_code: CurrencyCode,
}

#[derive(Debug)]
pub struct CreateOpportunity {
    pub client_token: String,
    pub customer_id: String,
    pub partner_opportunity_identifier: Option<String>,
    pub opportunity_type: OpportunityType,
    pub national_security: Option<bool>,
    pub title: String,
    pub customer_business_problem: String,
    pub customer_use_case: Option<String>,
    pub delivery_models: Option<Vec<DeliveryModel>>,
    pub expected_monthly_spend: Option<MoneyData>,
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
    pub target_close_date: Option<NaiveDate>,
    pub next_steps: Option<String>,
    pub customer_consent: Option<bool>,
    pub partner_led: Option<bool>,
    pub net_new_for_aws: Option<bool>,
    pub internal_notes: Option<String>,
    pub aws_products: Option<Vec<String>>,
    pub aws_marketplace_offer_arn: Option<String>,
}

#[derive(Default)]
pub struct UpdateOpportunity {
    pub partner_opportunity_identifier: Patch<String>,
    pub opportunity_type: Patch<OpportunityType>,
    pub national_security: Patch<bool>,
    pub title: Patch<String>,
    pub customer_business_problem: Patch<String>,
    pub customer_use_case: Patch<String>,
    pub delivery_models: Patch<Vec<DeliveryModel>>,
    pub expected_monthly_spend: Patch<MoneyData>,
    pub sales_activities: Patch<Vec<SalesActivity>>,
    pub competitor_name: Patch<CompetitorName>,
    pub other_competitor_names: Patch<String>,
    pub primary_needs_from_aws: Patch<Vec<PrimaryNeed>>,
    pub additional_comments: Patch<String>,
    pub marketing_source: Patch<MarketingSource>,
    pub campaign_name: Patch<String>,
    pub marketing_channels: Patch<Vec<Channel>>,
    pub marketing_use_cases: Patch<Vec<String>>,
    pub aws_funding_used: Patch<bool>,
    /// Active stages only; LAUNCHED and CLOSED_LOST go through closeOpportunity.
    pub stage: Patch<Stage>,
    pub target_close_date: Patch<NaiveDate>,
    pub next_steps: Patch<String>,
    pub customer_consent: Patch<bool>,
    pub partner_led: Patch<bool>,
    pub net_new_for_aws: Patch<bool>,
    pub internal_notes: Patch<String>,
    pub aws_products: Patch<Vec<String>>,
    pub aws_marketplace_offer_arn: Patch<String>,
}

#[derive(Clone, Copy, Debug)]
pub struct FundingData {
    pub program: FundingProgram,
    pub funding_type: FundingType,
    pub amount: MoneyData,
}

#[derive(Clone, Debug)]
pub struct MarketplaceData {
    pub offer_arn: Option<String>,
    pub listing_url: Option<String>,
    pub notes: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ArchitectureData {
    pub workload: String,
    pub requirements: Option<String>,
}

#[derive(Debug)]
pub struct CreateAsk {
    pub opportunity_id: String,
    pub kind: AskKind,
    pub title: String,
    pub details: String,
    /// The customer goal the ask serves; at least 20 characters.
    pub customer_outcome: String,
    /// Default NORMAL.
    pub priority: Option<AskPriority>,
    pub due_date: Option<NaiveDate>,
    /// STAKEHOLDER_ALIGNMENT: at least one.
    pub stakeholders: Option<Vec<String>>,
    /// FUNDING only, and required there.
    pub funding: Option<FundingData>,
    /// MARKETPLACE_PROCUREMENT only, with an offer ARN or a listing URL.
    pub marketplace: Option<MarketplaceData>,
    /// SOLUTION_ARCHITECTURE only, and required there.
    pub architecture: Option<ArchitectureData>,
    /// Optional idempotency token, per partner: a retry with the same token and body returns
    /// the first ask; the same token with another body is CONFLICT.
    pub client_token: Option<String>,
}

#[derive(Default, Debug)]
pub struct UpdateAsk {
    pub title: Patch<String>,
    pub details: Patch<String>,
    pub customer_outcome: Patch<String>,
    pub priority: Patch<AskPriority>,
    pub due_date: Patch<NaiveDate>,
    pub stakeholders: Patch<Vec<String>>,
    pub funding: Patch<FundingData>,
    pub marketplace: Patch<MarketplaceData>,
    pub architecture: Patch<ArchitectureData>,
}

#[derive(Clone, Debug)]
pub struct ReferralCustomerData {
    pub company_name: String,
    pub industry: Industry,
    pub website_url: String,
    pub country_code: String,
}

#[derive(Debug)]
pub struct SendReferral {
    pub partner_id: String,
    pub message: String,
    pub customer: ReferralCustomerData,
    pub segment: SegmentCode,
    pub aws_adoption: AwsAdoption,
    pub customer_address: Option<AddressData>,
    pub customer_contacts: Option<Vec<ContactData>>,
    pub project_title: String,
    pub business_problem: String,
    pub target_completion_date: NaiveDate,
    pub expected_monthly_spend: Option<MoneyData>,
    /// Default: 14 days after sending.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl UpdateOpportunity {
    /// The fields the input names, explicit nulls included: what the caller asks to touch,
    /// whether or not the value differs from the stored one.
    pub fn named_fields(&self) -> Vec<&'static str> {
        let mut named = Vec::new();
        macro_rules! check {
            ($($field:ident => $name:literal),* $(,)?) => {
                $(if !self.$field.is_absent() { named.push($name); })*
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

/// A webhook's settings (`createWebhook`, `updateWebhook`).
pub struct WebhookCommand {
    pub url: String,
    pub topics: Vec<crate::domain::enums::EventTopic>,
    /// Unset: enabled on create, unchanged on update.
    pub enabled: Option<bool>,
}
