//! One event owed to one webhook: the outbox row, written with the change.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub webhook_id: String,
    pub partner_id: String,
    pub event_seq: i64,
    pub topic: String,
    pub action: String,
    pub object_id: String,
    pub actor: String,
    pub at: DateTimeUtc,
    pub status: String,
    pub attempts: i32,
    pub last_response_code: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub lease_until: Option<DateTimeUtc>,
    pub body: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
