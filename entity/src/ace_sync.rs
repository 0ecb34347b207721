//! Where a shared opportunity (or an ACE referral's acceptance) stands in ACE.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ace_sync")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject_id: String,
    pub partner_id: String,
    pub status: String,
    pub ace_opportunity_id: Option<String>,
    pub arn: Option<String>,
    pub ace_last_modified_date: Option<DateTimeUtc>,
    pub last_synced_at: Option<DateTimeUtc>,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub errors: Json,
    pub conflicting_fields: Json,
    pub base: Option<Json>,
    pub associations: Option<Json>,
    pub aws_summary: Option<Json>,
    pub aws_summary_fetched_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
