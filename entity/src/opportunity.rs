//! A partner opportunity with every ACE field of the contract.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opportunity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub partner_id: String,
    pub customer_id: String,
    pub client_token: String,
    pub partner_opportunity_identifier: Option<String>,
    pub origin: String,
    pub opportunity_type: String,
    pub national_security: bool,
    pub title: String,
    pub title_normalized: String,
    pub customer_business_problem: String,
    pub customer_use_case: Option<String>,
    pub delivery_models: Json,
    pub expected_monthly_spend_cents: Option<i64>,
    pub expected_monthly_spend_currency: Option<String>,
    pub sales_activities: Json,
    pub competitor_name: Option<String>,
    pub other_competitor_names: Option<String>,
    pub involvement_type: Option<String>,
    pub additional_comments: Option<String>,
    pub marketing_source: String,
    pub campaign_name: Option<String>,
    pub marketing_channels: Json,
    pub marketing_use_cases: Json,
    pub aws_funding_used: Option<bool>,
    pub stage: String,
    pub review_status: String,
    pub review_comments: Option<String>,
    pub review_status_reason: Option<String>,
    pub target_close_date: Option<Date>,
    pub next_steps: Option<String>,
    pub closed_lost_reason: Option<String>,
    pub customer_consent: bool,
    pub partner_led: bool,
    pub net_new_for_aws: bool,
    pub internal_notes: Option<String>,
    pub aws_products: Json,
    pub aws_marketplace_offer_arn: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub last_modified_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
