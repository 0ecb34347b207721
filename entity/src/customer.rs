//! A partner's customer account (ACE `Customer.Account` plus segment).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub partner_id: String,
    pub company_name: String,
    pub industry: String,
    pub other_industry: Option<String>,
    pub website_url: Option<String>,
    pub country_code: Option<String>,
    pub postal_code: Option<String>,
    pub state_or_region: Option<String>,
    pub city: Option<String>,
    pub street_address: Option<String>,
    pub duns: Option<String>,
    pub aws_account_id: Option<String>,
    pub segment_code: String,
    pub aws_adoption: String,
    pub internal_notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
