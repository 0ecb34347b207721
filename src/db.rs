//! Connecting to SQLite (the embedded default) or PostgreSQL, and migrating.
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::time::Duration;

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_string());
    options
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // WAL lets readers proceed beside the one writer; the busy timeout serialises writers
        // instead of failing them with "database is locked".
        options.max_connections(8).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    } else {
        options.max_connections(16);
    }
    Database::connect(options).await
}

pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// Begins the transaction of one mutation. On SQLite it takes the write lock up front
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes can fail with
/// "database is locked" when another writer commits in between, which the busy timeout does
/// not cover. PostgreSQL ignores the option.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
