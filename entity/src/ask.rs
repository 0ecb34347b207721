//! What a partner asks of the AWS team on one opportunity.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ask")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub partner_id: String,
    pub opportunity_id: String,
    pub kind: String,
    pub status: String,
    pub title: String,
    pub details: String,
    pub customer_outcome: String,
    pub priority: String,
    pub priority_rank: i16,
    pub due_date: Option<Date>,
    pub requested_by: String,
    pub assignee: Option<String>,
    pub response: Option<String>,
    pub stakeholders: Json,
    pub funding_program: Option<String>,
    pub funding_type: Option<String>,
    pub funding_amount_cents: Option<i64>,
    pub funding_currency: Option<String>,
    pub marketplace_offer_arn: Option<String>,
    pub marketplace_listing_url: Option<String>,
    pub marketplace_notes: Option<String>,
    pub architecture_workload: Option<String>,
    pub architecture_requirements: Option<String>,
    pub resolved_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
