//! Schema migrations for cosell. One set runs on SQLite and PostgreSQL.
pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_schema;
mod m20261127_000002_seed_segments;
mod m20261130_000003_hardening;
mod m20261201_000004_ace_sync;
mod m20261202_000005_list_indexes;
mod m20261203_000006_count_index;
mod m20261204_000007_pipeline_totals;
mod m20261205_000008_events;
mod m20261206_000009_queue_state_index;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_schema::Migration),
            Box::new(m20261127_000002_seed_segments::Migration),
            Box::new(m20261130_000003_hardening::Migration),
            Box::new(m20261201_000004_ace_sync::Migration),
            Box::new(m20261202_000005_list_indexes::Migration),
            Box::new(m20261203_000006_count_index::Migration),
            Box::new(m20261204_000007_pipeline_totals::Migration),
            Box::new(m20261205_000008_events::Migration),
            Box::new(m20261206_000009_queue_state_index::Migration),
        ]
    }
}
