//! Indexes for the lists viewers read across partners (ADMIN, AWS sellers, partner managers):
//! each default and offered order with the id that breaks its ties, so a first or a deep page
//! is an index range instead of a scan and sort of the whole table; and the nested lists'
//! orders under their parent (`Customer.opportunities`, `Opportunity.asks`).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &[&str])] = &[
    ("opportunity", &["last_modified_at", "id"]),
    ("opportunity", &["created_at", "id"]),
    ("opportunity", &["title", "id"]),
    ("opportunity", &["customer_id", "last_modified_at", "id"]),
    ("ask", &["created_at", "id"]),
    ("ask", &["updated_at", "id"]),
    ("ask", &["priority_rank", "id"]),
    ("ask", &["opportunity_id", "created_at", "id"]),
    ("customer", &["company_name", "id"]),
    ("customer", &["created_at", "id"]),
    ("referral", &["created_at", "id"]),
];

fn name(table: &str, cols: &[&str]) -> String {
    format!("ix_{table}_{}", cols.join("_"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, cols) in INDEXES {
            let mut index = Index::create();
            index.name(name(table, cols)).table(*table).if_not_exists();
            for col in *cols {
                index.col(*col);
            }
            m.create_index(index.take()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, cols) in INDEXES {
            m.drop_index(
                Index::drop()
                    .name(name(table, cols))
                    .table(*table)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
