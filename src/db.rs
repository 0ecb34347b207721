//! Connecting to SQLite (the embedded default) or PostgreSQL, migrating, and classifying the
//! database's faults.
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::{self, Connection};
use sea_orm::{
    ConnAcquireErr, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, RuntimeErr, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};
use std::time::Duration;

/// How long a request waits for a pooled connection before answering UNAVAILABLE.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// PostgreSQL's `statement_timeout`: no single statement outlives a request's deadline.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_string());
    options.acquire_timeout(ACQUIRE_TIMEOUT).sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // WAL lets readers proceed beside the one writer; the busy timeout serialises writers
        // instead of failing them with "database is locked".
        options
            .max_connections(8)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
            })
            .map_sqlx_sqlite_pool_opts(|o| {
                o.after_release(|conn, _| discard_if_in_transaction(conn))
            });
    } else {
        options
            .max_connections(16)
            .statement_timeout(STATEMENT_TIMEOUT)
            .map_sqlx_postgres_pool_opts(|o| {
                o.after_release(|conn, _| discard_if_in_transaction(conn))
            });
    }
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(crate::telemetry::request::observe_statement);
    Ok(db)
}

/// A connection that comes back to the pool still inside a transaction is closed, never reused.
///
/// When a COMMIT fails (SQLite on a full disk or past the file-size limit) and the automatic
/// ROLLBACK fails too, the driver still counts the transaction as open; the next request on
/// that connection would then run inside it as a savepoint, answer success, and lose its write
/// with the never-committed transaction. Closing the connection rolls everything back.
fn discard_if_in_transaction<C: Connection>(
    conn: &mut C,
) -> futures_util::future::BoxFuture<'_, Result<bool, sqlx::Error>> {
    let keep = !conn.is_in_transaction();
    if !keep {
        tracing::warn!("closing a pooled connection left inside a transaction");
    }
    Box::pin(async move { Ok(keep) })
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
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    let started = std::time::Instant::now();
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
        .map(WriteTxn);
    crate::telemetry::metrics()
        .transaction_wait_seconds
        .observe(started.elapsed().as_secs_f64());
    txn
}

/// The transaction of one write. Its commit wakes this process's event feed: SQLite has no
/// NOTIFY, and the feed must read a change only once it is committed (`live::feed`).
pub struct WriteTxn(DatabaseTransaction);

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.0.commit().await?;
        crate::live::feed::committed();
        Ok(())
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.0
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.0.get_database_backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<sea_orm::ExecResult, DbErr> {
        self.0.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<sea_orm::ExecResult, DbErr> {
        self.0.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<sea_orm::QueryResult>, DbErr> {
        self.0.query_one_raw(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
        self.0.query_all_raw(stmt).await
    }
}

/// Locks a parent row until the transaction ends, so that a count of its children checked in
/// the transaction still holds at commit (comments of an ask, contacts of a customer). Only
/// PostgreSQL needs it: SQLite's write transactions (`BEGIN IMMEDIATE`) already run one at a
/// time.
pub async fn lock_row(
    txn: &DatabaseTransaction,
    table: &'static str,
    id: &str,
) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!("SELECT 1 FROM {table} WHERE id = $1 FOR UPDATE"),
            [id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Whether the database can take a write now: one row rewritten in its own transaction, so a
/// full disk or a lost server shows up here before a client's write meets it.
pub async fn probe_write(db: &DatabaseConnection) -> Result<(), DbErr> {
    let txn = begin_write(db).await?;
    txn.execute_unprepared("UPDATE health_probe SET checked_at = CURRENT_TIMESTAMP WHERE id = 1")
        .await?;
    txn.commit().await
}

/// What kind of fault a database error is, as far as a client is concerned.
#[derive(Debug, PartialEq, Eq)]
pub enum Fault {
    /// The database is down, unreachable, full or busy: the same request may work later.
    Unavailable,
    /// A statement ran past `statement_timeout`.
    TimedOut,
    /// Anything else: a bug or a broken invariant.
    Other,
}

pub fn classify(err: &DbErr) -> Fault {
    let sqlx_err = match err {
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout | ConnAcquireErr::ConnectionClosed) => {
            return Fault::Unavailable;
        }
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e.as_ref(),
        DbErr::Conn(_) => return Fault::Unavailable,
        _ => return Fault::Other,
    };
    match sqlx_err {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_) => Fault::Unavailable,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            classify_code(&code)
        }
        _ => Fault::Other,
    }
}

/// SQLite primary result codes (the low byte of extended codes) and PostgreSQL SQLSTATEs.
fn classify_code(code: &str) -> Fault {
    if let Ok(sqlite) = code.parse::<i32>() {
        // BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
        return match sqlite & 0xff {
            5 | 6 | 7 | 8 | 10 | 13 | 14 | 15 => Fault::Unavailable,
            _ => Fault::Other,
        };
    }
    match code {
        "57014" => Fault::TimedOut,
        // Connection exceptions, insufficient resources (disk full, out of memory, too many
        // connections), operator intervention (shutdown, cannot connect now), lock timeouts,
        // serialization failures and deadlocks.
        _ if code.starts_with("08")
            || code.starts_with("53")
            || code.starts_with("57P")
            || code == "55P03"
            || code == "40001"
            || code == "40P01" =>
        {
            Fault::Unavailable
        }
        _ => Fault::Other,
    }
}
