//! Asks whose due date passes while open become an OVERDUE event, once per due date, whichever
//! instance notices first: the marker (`ask.overdue_noted_for`) is set by a conditional update
//! in the transaction that records the event.
use crate::auth::Viewer;
use crate::data::asks::overdue_condition;
use crate::domain::enums::ChangeAction;
use crate::error::AppResult;
use crate::services::history::Diff;
use entity::ask;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect,
};
use std::time::Duration;

/// The actor of events nobody made.
pub const SYSTEM_ACTOR: &str = "cosell";

/// Asks noted per pass; the next pass takes the rest.
const PASS: u64 = 200;

/// Checks every `interval` until the process ends.
pub async fn run(db: DatabaseConnection, interval: Duration) {
    loop {
        if let Err(err) = pass(&db).await {
            tracing::warn!(error = %err.message(), "overdue check failed; retrying");
        }
        tokio::time::sleep(interval).await;
    }
}

/// Overdue (`Ask.overdue`'s rule) and not yet announced for its present due date.
fn unannounced(today: chrono::NaiveDate) -> Condition {
    let noted = || Expr::col((ask::Entity, Alias::new("overdue_noted_for")));
    overdue_condition(today).add(
        Condition::any()
            .add(noted().is_null())
            .add(noted().ne(Expr::col((ask::Entity, ask::Column::DueDate)))),
    )
}

/// One pass: the open asks past their due date not yet noted for it. Returns how many were.
pub async fn pass(db: &DatabaseConnection) -> AppResult<usize> {
    let today = crate::domain::now().date_naive();
    let candidates: Vec<(String, String)> = ask::Entity::find()
        .select_only()
        .columns([ask::Column::Id, ask::Column::PartnerId])
        .filter(unannounced(today))
        .limit(PASS)
        .into_tuple()
        .all(db)
        .await?;
    let viewer = Viewer::background(SYSTEM_ACTOR);
    let mut noted = 0;
    for (id, partner_id) in candidates {
        let txn = crate::db::begin_write(db).await?;
        let mark = Query::update()
            .table(ask::Entity)
            .value(
                Alias::new("overdue_noted_for"),
                Expr::col(ask::Column::DueDate),
            )
            .cond_where(unannounced(today).add(ask::Column::Id.eq(id.as_str())))
            .take();
        if txn.execute(&mark).await?.rows_affected() == 1 {
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
