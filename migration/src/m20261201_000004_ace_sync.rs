//! The ACE connection (docs/ace-sync.md): a partner's connection and sync cursor, the sync
//! state of each shared object, the outbox of work for ACE, and ACE's identifiers on
//! solutions and referrals.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(table: &'static str, col: &'static str, target: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per partner that ever connected: the external id outlives a disconnect, so
        // the partner's trust policy stays valid when it connects again.
        m.create_table(
            Table::create()
                .table("ace_connection")
                .col(string("partner_id").primary_key())
                .col(string("external_id"))
                .col(string("catalog"))
                .col(string_null("role_arn"))
                .col(string("status"))
                .col(timestamp_with_time_zone("connected_at"))
                .col(timestamp_with_time_zone_null("last_polled_at"))
                .col(text_null("last_error"))
                // ACE's LastModifiedDate of the newest opportunity change applied.
                .col(timestamp_with_time_zone_null("opportunity_cursor"))
                // Which instance syncs this partner, until when.
                .col(string_null("lease_holder"))
                .col(timestamp_with_time_zone_null("lease_until"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("ace_connection", "partner_id", "partner"))
                .take(),
        )
        .await?;
        // Where an opportunity (or an ACE referral's acceptance) stands in ACE.
        m.create_table(
            Table::create()
                .table("ace_sync")
                .col(string("subject_id").primary_key())
                .col(string("partner_id"))
                .col(string("status"))
                .col(string_null("ace_opportunity_id"))
                .col(string_null("arn"))
                .col(timestamp_with_time_zone_null("ace_last_modified_date"))
                .col(timestamp_with_time_zone_null("last_synced_at"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone_null("next_attempt_at"))
                .col(json("errors"))
                .col(json("conflicting_fields"))
                // ACE's view of the partner-owned fields at the last sync, in ACE's JSON: the
                // base that tells which side changed a field since.
                .col(json_null("base"))
                // ACE's related entities at the last sync, to send only the differences.
                .col(json_null("associations"))
                .col(json_null("aws_summary"))
                .col(timestamp_with_time_zone_null("aws_summary_fetched_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("ace_sync", "partner_id", "partner"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_ace_sync_partner_ace_opportunity_id")
                .table("ace_sync")
                .col("partner_id")
                .col("ace_opportunity_id")
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_ace_sync_partner_status")
                .table("ace_sync")
                .col("partner_id")
                .col("status")
                .take(),
        )
        .await?;
        // The outbox: written in the transaction of the change it carries, drained in order.
        m.create_table(
            Table::create()
                .table("ace_job")
                .col(string("id").primary_key())
                .col(string("partner_id"))
                .col(string("kind"))
                .col(string("subject_id"))
                .col(string("state"))
                .col(string_null("step"))
                .col(json_null("payload"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("ace_job", "partner_id", "partner"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_ace_job_partner_state_created")
                .table("ace_job")
                .col("partner_id")
                .col("state")
                .col("created_at")
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("solution")
                .add_column(string_null("ace_solution_id"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_solution_partner_ace_solution_id")
                .table("solution")
                .col("partner_id")
                .col("ace_solution_id")
                .unique()
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("referral")
                .add_column(string_null("ace_invitation_id"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_referral_partner_ace_invitation_id")
                .table("referral")
                .col("partner_id")
                .col("ace_invitation_id")
                .unique()
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (index, table) in [
            ("uq_referral_partner_ace_invitation_id", "referral"),
            ("uq_solution_partner_ace_solution_id", "solution"),
        ] {
            m.drop_index(Index::drop().name(index).table(table).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table("referral")
                .drop_column("ace_invitation_id")
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("solution")
                .drop_column("ace_solution_id")
                .take(),
        )
        .await?;
        for table in ["ace_job", "ace_sync", "ace_connection"] {
            m.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
