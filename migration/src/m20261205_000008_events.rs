//! The event stream and webhooks (docs/events.md).
//!
//! - `event`: every recorded change, numbered in commit order on SQLite (one writer at a
//!   time) and announced by id through `NOTIFY cosell_events` on PostgreSQL, where numbers
//!   are taken before commit and so may commit out of order.
//! - `webhook` and `webhook_delivery`: a partner's receivers and the outbox of what each is
//!   owed, written in the transaction of the change.
//! - `ask.overdue_noted_for`: the due date whose passing has been announced (OVERDUE once).
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const NOTIFY_FUNCTION: &str = "CREATE FUNCTION cosell_notify_event() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('cosell_events', NEW.seq::text);
  RETURN NULL;
END $$ LANGUAGE plpgsql";

const NOTIFY_TRIGGER: &str = "CREATE TRIGGER cosell_notify_event AFTER INSERT ON event
  FOR EACH ROW EXECUTE FUNCTION cosell_notify_event()";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("event")
                .col(big_integer("seq").auto_increment().primary_key())
                .col(string("partner_id"))
                .col(string("entity_type"))
                .col(string("entity_id"))
                .col(string("action"))
                .col(string("actor"))
                .col(timestamp_with_time_zone("at"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("webhook")
                .col(string("id").primary_key())
                .col(string("partner_id"))
                .col(string("url"))
                // ",OPPORTUNITY,ASK," so that one LIKE picks a topic's webhooks.
                .col(string("topics"))
                .col(string("secret"))
                .col(boolean("enabled"))
                .col(string_null("disabled_reason"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_partner_id")
                        .from("webhook", "partner_id")
                        .to("partner", "id"),
                )
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("webhook_delivery")
                .col(string("id").primary_key())
                .col(string("webhook_id"))
                .col(string("partner_id"))
                .col(big_integer("event_seq"))
                .col(string("topic"))
                .col(string("action"))
                .col(string("object_id"))
                .col(string("actor"))
                .col(timestamp_with_time_zone("at"))
                .col(string("status"))
                .col(integer("attempts").default(0))
                .col(integer_null("last_response_code"))
                .col(string_null("last_error"))
                .col(timestamp_with_time_zone_null("next_attempt_at"))
                .col(timestamp_with_time_zone_null("lease_until"))
                // The body as first sent, so that every retry sends the same bytes.
                .col(text_null("body"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_delivery_webhook_id")
                        .from("webhook_delivery", "webhook_id")
                        .to("webhook", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        for (name, table, cols) in [
            ("ix_event_at", "event", &["at"][..]),
            ("ix_webhook_partner_id", "webhook", &["partner_id"][..]),
            (
                "ix_webhook_delivery_due",
                "webhook_delivery",
                &["status", "next_attempt_at"][..],
            ),
            (
                "ix_webhook_delivery_webhook",
                "webhook_delivery",
                &["webhook_id", "created_at", "id"][..],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(table);
            for col in cols {
                index.col(*col);
            }
            m.create_index(index.take()).await?;
        }
        m.alter_table(
            Table::alter()
                .table("ask")
                .add_column(date_null("overdue_noted_for"))
                .take(),
        )
        .await?;
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(NOTIFY_FUNCTION).await?;
            db.execute_unprepared(NOTIFY_TRIGGER).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "DROP TRIGGER IF EXISTS cosell_notify_event ON event;
                 DROP FUNCTION IF EXISTS cosell_notify_event()",
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table("ask")
                .drop_column("overdue_noted_for")
                .take(),
        )
        .await?;
        for table in ["webhook_delivery", "webhook", "event"] {
            m.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
