//! An AWS referral (engagement invitation) to a partner.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referral")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub partner_id: String,
    pub status: String,
    pub sender_subject: String,
    pub sender_name: String,
    pub message: String,
    pub company_name: String,
    pub industry: String,
    pub website_url: String,
    pub country_code: String,
    pub segment_code: String,
    pub aws_adoption: String,
    pub postal_code: Option<String>,
    pub state_or_region: Option<String>,
    pub city: Option<String>,
    pub street_address: Option<String>,
    pub customer_contacts: Json,
    pub project_title: String,
    pub business_problem: String,
    pub target_completion_date: Date,
    pub expected_monthly_spend_cents: Option<i64>,
    pub expected_monthly_spend_currency: Option<String>,
    pub expires_at: DateTimeUtc,
    pub rejection_reason: Option<String>,
    pub opportunity_id: Option<String>,
    pub ace_invitation_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
