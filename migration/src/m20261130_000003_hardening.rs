//! Hardening: company names unique per partner regardless of case, enforced by the database so
//! concurrent creates cannot both pass the service's check; and a one-row table that `/readyz`
//! rewrites to prove the database takes writes.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_customer_partner_company_name_ci \
             ON customer (partner_id, lower(company_name))",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TABLE health_probe (id INTEGER PRIMARY KEY, checked_at TIMESTAMP NOT NULL)",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO health_probe (id, checked_at) VALUES (1, CURRENT_TIMESTAMP)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE health_probe").await?;
        db.execute_unprepared("DROP INDEX idx_customer_partner_company_name_ci")
            .await?;
        Ok(())
    }
}
