//! Reads committed events and publishes them to this process's hub, one statement per batch
//! of events (the event, its object and what the object's visibility depends on), whatever the
//! number of subscribers.
//!
//! - PostgreSQL: `LISTEN cosell_events`. A trigger announces each event's number at commit, in
//!   commit order, to every instance; numbers are taken before commit, so reading "everything
//!   after the last one seen" could skip a slower transaction's event.
//! - SQLite: one writer at a time, so numbers are in commit order; this process's commits wake
//!   the feed (`committed`), and a slow poll catches writes from other processes.
use super::{Hub, LiveEvent, LiveObject};
use entity::{ask, opportunity};
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, FromQueryResult, Iterable, Statement,
};
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::sync::{Notify, watch};

static COMMITS: LazyLock<watch::Sender<u64>> = LazyLock::new(|| watch::channel(0).0);

/// Called after every write transaction of this process commits.
pub fn committed() {
    COMMITS.send_modify(|n| *n = n.wrapping_add(1));
}

/// Events read per statement.
const BATCH: usize = 500;
/// How often SQLite is read with no commit seen (writes by another process).
const SQLITE_POLL: Duration = Duration::from_secs(5);

/// Runs the feed until the process ends; `delivered` is woken whenever events arrived (the
/// webhook sender's cue).
pub async fn run(db: DatabaseConnection, hub: Arc<Hub>, delivered: Arc<Notify>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let result = match db.get_database_backend() {
            DbBackend::Postgres => listen(&db, &hub, &delivered).await,
            _ => tail(&db, &hub, &delivered).await,
        };
        if let Err(err) = result {
            tracing::warn!(error = %err, "event feed interrupted; resuming");
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn last_seq(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COALESCE(MAX(seq), 0) FROM event",
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get_by_index::<i64>(0)?,
        None => 0,
    })
}

async fn tail(db: &DatabaseConnection, hub: &Hub, delivered: &Notify) -> Result<(), DbErr> {
    let mut commits = COMMITS.subscribe();
    let mut last = last_seq(db).await?;
    hub.mark_read(last);
    loop {
        let events = read(db, &format!("e.seq > {last}"), BATCH).await?;
        let full = events.len() == BATCH;
        if let Some(max) = events.iter().map(|(seq, _)| *seq).max() {
            last = max;
            publish(hub, events);
            hub.mark_read(last);
            delivered.notify_one();
        }
        if !full {
            let _ = tokio::time::timeout(SQLITE_POLL, commits.changed()).await;
        }
    }
}

async fn listen(db: &DatabaseConnection, hub: &Hub, delivered: &Notify) -> Result<(), DbErr> {
    let mut listener = PgListener::connect_with(db.get_postgres_connection_pool())
        .await
        .map_err(sql_err)?;
    listener.listen("cosell_events").await.map_err(sql_err)?;
    // Events committed while this listener was away are read once, by number.
    let mut last = last_seq(db).await?;
    hub.mark_read(last);
    loop {
        let Some(first) = listener.try_recv().await.map_err(sql_err)? else {
            let missed = read(db, &format!("e.seq > {last}"), BATCH).await?;
            last = missed.iter().map(|(seq, _)| *seq).max().unwrap_or(last);
            publish(hub, missed);
            hub.mark_read(last);
            continue;
        };
        let mut seqs: Vec<i64> = vec![first.payload().parse().unwrap_or_default()];
        while seqs.len() < BATCH
            && let Some(next) = listener.next_buffered()
        {
            seqs.push(next.payload().parse().unwrap_or_default());
        }
        seqs.retain(|seq| *seq > 0);
        let list = seqs
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut read_back: std::collections::HashMap<i64, Option<LiveEvent>> =
            read(db, &format!("e.seq IN ({list})"), BATCH)
                .await?
                .into_iter()
                .collect();
        last = last.max(seqs.iter().copied().max().unwrap_or(last));
        let in_commit_order = seqs
            .iter()
            .filter_map(|seq| read_back.remove(seq).map(|event| (*seq, event)))
            .collect();
        publish(hub, in_commit_order);
        hub.mark_read(last);
        delivered.notify_one();
    }
}

fn sql_err(err: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Custom(format!("event listener: {err}"))
}

/// Publishes events in the order given: commit order (NOTIFY's order on PostgreSQL, number order
/// on SQLite).
fn publish(hub: &Hub, events: Vec<(i64, Option<LiveEvent>)>) {
    for event in events.into_iter().filter_map(|(_, event)| event) {
        hub.publish(event);
    }
}

/// The events matching `condition` (built from numbers only) with their objects, in number
/// order: every event is returned with its number, and a `LiveEvent` when subscriptions carry
/// its object.
async fn read(
    db: &DatabaseConnection,
    condition: &str,
    limit: usize,
) -> Result<Vec<(i64, Option<LiveEvent>)>, DbErr> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT e.seq, e.entity_type, e.action, e.actor, e.at, {opportunity}, oc.segment_code AS o_segment,
                {ask}, ao.review_status AS a_review_status, ac.segment_code AS a_segment
         FROM event e
         LEFT JOIN opportunity o ON e.entity_type = 'Opportunity' AND o.id = e.entity_id
         LEFT JOIN customer oc ON oc.id = o.customer_id
         LEFT JOIN ask a ON e.entity_type = 'Ask' AND a.id = e.entity_id
         LEFT JOIN opportunity ao ON ao.id = a.opportunity_id
         LEFT JOIN customer ac ON ac.id = ao.customer_id
         WHERE {condition} ORDER BY e.seq LIMIT {limit}",
        opportunity = prefixed::<opportunity::Column>("o"),
        ask = prefixed::<ask::Column>("a"),
    );
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let seq: i64 = row.try_get("", "seq")?;
        let object = match row.try_get::<String>("", "entity_type")?.as_str() {
            "Opportunity" => opportunity::Model::from_query_result_optional(&row, "o_")?
                .zip(row.try_get::<Option<String>>("", "o_segment")?)
                .map(|(opportunity, segment_code)| LiveObject::Opportunity {
                    opportunity: Box::new(opportunity),
                    segment_code,
                }),
            "Ask" => {
                let ask = ask::Model::from_query_result_optional(&row, "a_")?;
                let review_status = row.try_get::<Option<String>>("", "a_review_status")?;
                let segment_code = row.try_get::<Option<String>>("", "a_segment")?;
                match (ask, review_status, segment_code) {
                    (Some(ask), Some(review_status), Some(segment_code)) => Some(LiveObject::Ask {
                        ask: Box::new(ask),
                        review_status,
                        segment_code,
                    }),
                    _ => None,
                }
            }
            _ => None,
        };
        let event = match object {
            Some(object) => Some(LiveEvent {
                seq,
                action: row.try_get("", "action")?,
                actor: row.try_get("", "actor")?,
                at: row.try_get("", "at")?,
                object,
            }),
            None => None,
        };
        events.push((seq, event));
    }
    Ok(events)
}

/// `t.col AS "t_col", …` for every column of an entity.
fn prefixed<C: Iterable + sea_orm::IdenStatic>(table: &str) -> String {
    C::iter()
        .map(|c| format!("{table}.{col} AS \"{table}_{col}\"", col = c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
