//! Asks whose due date passes while open become an OVERDUE event, once per due date, whichever
//! instance notices first: the marker (`ask.overdue_noted_for`) is set by a conditional update
//! in the transaction that records the event.
use crate::auth::Viewer;
use crate::data::opportunities::OPEN_ASK_STATUSES;
use crate::domain::enums::{ChangeAction, Role, StoredEnum};
use crate::error::AppResult;
use crate::services::history::Diff;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, Value};
use std::time::Duration;

/// The actor of events nobody made.
pub const SYSTEM_ACTOR: &str = "cosell";

/// Asks noted per pass; the next pass takes the rest.
const PASS: usize = 200;

fn system_viewer() -> Viewer {
    Viewer {
        subject: SYSTEM_ACTOR.into(),
        role: Role::Admin,
        partner_id: None,
        segments: Vec::new(),
        partner_ids: Vec::new(),
        scopes: Vec::new(),
    }
}

/// Checks every `interval` until the process ends.
pub async fn run(db: DatabaseConnection, interval: Duration) {
    loop {
        if let Err(err) = pass(&db).await {
            tracing::warn!(error = %err.message(), "overdue check failed; retrying");
        }
        tokio::time::sleep(interval).await;
    }
}

fn open_statuses() -> String {
    OPEN_ASK_STATUSES
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One pass: the open asks past their due date not yet noted for it. Returns how many were.
pub async fn pass(db: &DatabaseConnection) -> AppResult<usize> {
    let backend = db.get_database_backend();
    let today = crate::domain::now().date_naive();
    let due = format!(
        "status IN ({}) AND due_date < $1
         AND (overdue_noted_for IS NULL OR overdue_noted_for <> due_date)",
        open_statuses()
    );
    let candidates = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            placeholders(
                backend,
                &format!("SELECT id, partner_id FROM ask WHERE {due} LIMIT {PASS}"),
            ),
            [Value::from(today)],
        ))
        .await?;
    let viewer = system_viewer();
    let mut noted = 0;
    for row in candidates {
        let id: String = row.try_get("", "id")?;
        let partner_id: String = row.try_get("", "partner_id")?;
        let txn = crate::db::begin_write(db).await?;
        let marked = txn
            .execute_raw(Statement::from_sql_and_values(
                backend,
                placeholders(
                    backend,
                    &format!("UPDATE ask SET overdue_noted_for = due_date WHERE id = $2 AND {due}"),
                ),
                [Value::from(today), Value::from(id.clone())],
            ))
            .await?;
        if marked.rows_affected() == 1 {
            Diff::default()
                .record(
                    &txn,
                    &viewer,
                    &partner_id,
                    ("Ask", &id),
                    ChangeAction::Overdue,
                )
                .await?;
            noted += 1;
        }
        txn.commit().await?;
    }
    Ok(noted)
}

/// `$n` placeholders as SQLite writes them (`?n`).
fn placeholders(backend: sea_orm::DbBackend, sql: &str) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => sql.to_string(),
        _ => sql.replace('$', "?"),
    }
}
