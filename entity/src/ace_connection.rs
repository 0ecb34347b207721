//! A partner's connection to ACE (AWS Partner Central) and its sync cursor and lease.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ace_connection")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub partner_id: String,
    pub external_id: String,
    pub catalog: String,
    pub role_arn: Option<String>,
    pub status: String,
    pub connected_at: DateTimeUtc,
    pub last_polled_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub opportunity_cursor: Option<DateTimeUtc>,
    pub lease_holder: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
