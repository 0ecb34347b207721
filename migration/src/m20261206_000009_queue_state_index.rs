//! `ace_job` by state: `/metrics` counts the waiting and failed jobs and dates the oldest
//! waiting one at every scrape, and the existing index leads with the partner.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_ace_job_state_created")
                .table("ace_job")
                .col("state")
                .col("created_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_ace_job_state_created")
                .table("ace_job")
                .to_owned(),
        )
        .await
    }
}
