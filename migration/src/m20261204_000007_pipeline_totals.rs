//! Pipeline totals maintained by triggers, in the transaction of every write, so `pipeline`
//! reads a few hundred counter rows instead of scanning every opportunity and ask in scope
//! (1-5 s at a million opportunities).
//!
//! A counter row is keyed by what a viewer's scope and the pipeline's cheap filters test:
//! partner, stage, review status and the customer's segment (plus the spend currency, or the
//! ask's kind and status). Triggers rather than service code, so that no write path (the ACE
//! poll, imports, a bulk load in SQL) can forget them. Each trigger writes its old and new
//! keys in one statement, summed per key and in key order: two transactions moving
//! opportunities in opposite directions lock the counter rows in the same order, so they
//! wait instead of deadlocking, and an update that keeps its key adds its delta to one row.
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OPPORTUNITY_TOTAL: &str = "CREATE TABLE pipeline_opportunity_total (
    partner_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    review_status TEXT NOT NULL,
    segment_code TEXT NOT NULL,
    currency TEXT NOT NULL,
    opportunities BIGINT NOT NULL,
    cents_high BIGINT NOT NULL,
    cents_low BIGINT NOT NULL,
    PRIMARY KEY (partner_id, stage, review_status, segment_code, currency))";

const ASK_TOTAL: &str = "CREATE TABLE pipeline_ask_total (
    partner_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    review_status TEXT NOT NULL,
    segment_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    asks BIGINT NOT NULL,
    PRIMARY KEY (partner_id, stage, review_status, segment_code, kind, status))";

/// Median resolution times sort the resolved asks in scope: from this index alone, without
/// reading the wide ask rows (380 to 80 ms for every ask at a million opportunities).
const RESOLVED_ASKS: &str = "CREATE INDEX ix_ask_resolved ON ask
    (kind, partner_id, opportunity_id, created_at, resolved_at)
    WHERE status IN ('FULFILLED', 'DECLINED')";

const OPPORTUNITY_KEYS: &str = "partner_id, stage, review_status, segment_code, currency";
const ASK_KEYS: &str = "partner_id, stage, review_status, segment_code, kind, status";

/// Amounts are counted in billions of cents and the rest, as `data::pipeline` reads them, so
/// no sum overflows a BIGINT.
const SPLIT: i64 = 1_000_000_000;

/// Adds `deltas` (a subquery with partner_id, stage, review_status, segment_code, currency,
/// cents and n) to the opportunity counters.
fn add_opportunities(deltas: &str) -> String {
    format!(
        "INSERT INTO pipeline_opportunity_total ({OPPORTUNITY_KEYS}, opportunities, cents_high, cents_low)
         SELECT {OPPORTUNITY_KEYS}, SUM(n), SUM(n * COALESCE(cents / {SPLIT}, 0)),
                SUM(n * COALESCE(cents % {SPLIT}, 0))
         FROM ({deltas}) d
         WHERE TRUE
         GROUP BY {OPPORTUNITY_KEYS}
         ORDER BY {OPPORTUNITY_KEYS}
         ON CONFLICT ({OPPORTUNITY_KEYS}) DO UPDATE SET
           opportunities = pipeline_opportunity_total.opportunities + excluded.opportunities,
           cents_high = pipeline_opportunity_total.cents_high + excluded.cents_high,
           cents_low = pipeline_opportunity_total.cents_low + excluded.cents_low"
    )
}

/// Adds `deltas` (a subquery with partner_id, stage, review_status, segment_code, kind, status
/// and n) to the ask counters.
fn add_asks(deltas: &str) -> String {
    format!(
        "INSERT INTO pipeline_ask_total ({ASK_KEYS}, asks)
         SELECT {ASK_KEYS}, SUM(n) FROM ({deltas}) d
         WHERE TRUE
         GROUP BY {ASK_KEYS}
         ORDER BY {ASK_KEYS}
         ON CONFLICT ({ASK_KEYS}) DO UPDATE SET
           asks = pipeline_ask_total.asks + excluded.asks"
    )
}

/// One opportunity row (`OLD` or `NEW`) counted `n` times, under its customer's segment.
fn opportunity_row(row: &str, n: i32) -> String {
    format!(
        "SELECT {row}.partner_id AS partner_id, {row}.stage AS stage,
                {row}.review_status AS review_status, c.segment_code AS segment_code,
                COALESCE({row}.expected_monthly_spend_currency, '') AS currency,
                {row}.expected_monthly_spend_cents AS cents, {n} AS n
         FROM customer c WHERE c.id = {row}.customer_id"
    )
}

/// The asks of opportunity `id`, counted `n` times under the keys of opportunity row `row`.
fn asks_of_opportunity(row: &str, id: &str, n: i32) -> String {
    format!(
        "SELECT {row}.partner_id AS partner_id, {row}.stage AS stage,
                {row}.review_status AS review_status, c.segment_code AS segment_code,
                a.kind AS kind, a.status AS status, {n} AS n
         FROM ask a JOIN customer c ON c.id = {row}.customer_id
         WHERE a.opportunity_id = {id}"
    )
}

/// One ask row (`OLD` or `NEW`) counted `n` times under its opportunity's keys.
fn ask_row(row: &str, n: i32) -> String {
    format!(
        "SELECT o.partner_id AS partner_id, o.stage AS stage, o.review_status AS review_status,
                c.segment_code AS segment_code, {row}.kind AS kind, {row}.status AS status,
                {n} AS n
         FROM opportunity o JOIN customer c ON c.id = o.customer_id
         WHERE o.id = {row}.opportunity_id"
    )
}

/// A customer's opportunities (or their asks) counted `n` times under segment `segment`.
fn customer_opportunities(segment: &str, n: i32) -> String {
    format!(
        "SELECT o.partner_id AS partner_id, o.stage AS stage, o.review_status AS review_status,
                {segment} AS segment_code, COALESCE(o.expected_monthly_spend_currency, '') AS currency,
                o.expected_monthly_spend_cents AS cents, {n} AS n
         FROM opportunity o WHERE o.customer_id = NEW.id"
    )
}

fn customer_asks(segment: &str, n: i32) -> String {
    format!(
        "SELECT o.partner_id AS partner_id, o.stage AS stage, o.review_status AS review_status,
                {segment} AS segment_code, a.kind AS kind, a.status AS status, {n} AS n
         FROM ask a JOIN opportunity o ON o.id = a.opportunity_id WHERE o.customer_id = NEW.id"
    )
}

fn both(old: String, new: String) -> String {
    format!("{old} UNION ALL {new}")
}

struct Trigger {
    name: &'static str,
    /// `INSERT`, `DELETE` or `UPDATE OF …`.
    event: &'static str,
    table: &'static str,
    /// Columns whose change fires an UPDATE trigger.
    changed: &'static [&'static str],
    body: Vec<String>,
}

fn triggers() -> Vec<Trigger> {
    let opportunity_keys = &[
        "partner_id",
        "stage",
        "review_status",
        "customer_id",
        "expected_monthly_spend_currency",
        "expected_monthly_spend_cents",
    ];
    vec![
        Trigger {
            name: "pipeline_opportunity_inserted",
            event: "INSERT",
            table: "opportunity",
            changed: &[],
            body: vec![add_opportunities(&opportunity_row("NEW", 1))],
        },
        Trigger {
            name: "pipeline_opportunity_deleted",
            event: "DELETE",
            table: "opportunity",
            changed: &[],
            body: vec![
                add_opportunities(&opportunity_row("OLD", -1)),
                add_asks(&asks_of_opportunity("OLD", "OLD.id", -1)),
            ],
        },
        Trigger {
            name: "pipeline_opportunity_updated",
            event: "UPDATE",
            table: "opportunity",
            changed: opportunity_keys,
            body: vec![
                add_opportunities(&both(opportunity_row("OLD", -1), opportunity_row("NEW", 1))),
                add_asks(&both(
                    asks_of_opportunity("OLD", "NEW.id", -1),
                    asks_of_opportunity("NEW", "NEW.id", 1),
                )),
            ],
        },
        Trigger {
            name: "pipeline_customer_segment_updated",
            event: "UPDATE",
            table: "customer",
            changed: &["segment_code"],
            body: vec![
                add_opportunities(&both(
                    customer_opportunities("OLD.segment_code", -1),
                    customer_opportunities("NEW.segment_code", 1),
                )),
                add_asks(&both(
                    customer_asks("OLD.segment_code", -1),
                    customer_asks("NEW.segment_code", 1),
                )),
            ],
        },
        Trigger {
            name: "pipeline_ask_inserted",
            event: "INSERT",
            table: "ask",
            changed: &[],
            body: vec![add_asks(&ask_row("NEW", 1))],
        },
        Trigger {
            name: "pipeline_ask_deleted",
            event: "DELETE",
            table: "ask",
            changed: &[],
            body: vec![add_asks(&ask_row("OLD", -1))],
        },
        Trigger {
            name: "pipeline_ask_updated",
            event: "UPDATE",
            table: "ask",
            changed: &["opportunity_id", "kind", "status"],
            body: vec![add_asks(&both(ask_row("OLD", -1), ask_row("NEW", 1)))],
        },
    ]
}

/// The counters from scratch, for the rows written before the triggers existed.
fn rebuild() -> Vec<String> {
    vec![
        "DELETE FROM pipeline_opportunity_total".into(),
        add_opportunities(
            "SELECT o.partner_id AS partner_id, o.stage AS stage, o.review_status AS review_status,
                    c.segment_code AS segment_code,
                    COALESCE(o.expected_monthly_spend_currency, '') AS currency,
                    o.expected_monthly_spend_cents AS cents, 1 AS n
             FROM opportunity o JOIN customer c ON c.id = o.customer_id",
        ),
        "DELETE FROM pipeline_ask_total".into(),
        add_asks(
            "SELECT o.partner_id AS partner_id, o.stage AS stage, o.review_status AS review_status,
                    c.segment_code AS segment_code, a.kind AS kind, a.status AS status, 1 AS n
             FROM ask a JOIN opportunity o ON o.id = a.opportunity_id
             JOIN customer c ON c.id = o.customer_id",
        ),
    ]
}

fn create_trigger(backend: DbBackend, t: &Trigger) -> Vec<String> {
    let changed = |distinct: &str| {
        t.changed
            .iter()
            .map(|c| format!("OLD.{c} {distinct} NEW.{c}"))
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    let event = if t.event == "UPDATE" {
        format!("UPDATE OF {}", t.changed.join(", "))
    } else {
        t.event.to_string()
    };
    match backend {
        DbBackend::Postgres => {
            let when = if t.changed.is_empty() {
                String::new()
            } else {
                format!("WHEN ({})", changed("IS DISTINCT FROM"))
            };
            vec![
                format!(
                    "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN {body}; RETURN NULL; END $$",
                    name = t.name,
                    body = t.body.join("; ")
                ),
                format!(
                    "CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when}
                     EXECUTE FUNCTION {name}()",
                    name = t.name,
                    table = t.table
                ),
            ]
        }
        _ => {
            let when = if t.changed.is_empty() {
                String::new()
            } else {
                format!("WHEN {}", changed("IS NOT"))
            };
            vec![format!(
                "CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when}
                 BEGIN {body}; END",
                name = t.name,
                table = t.table,
                body = t.body.join("; ")
            )]
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let mut statements = vec![
            OPPORTUNITY_TOTAL.to_string(),
            ASK_TOTAL.to_string(),
            RESOLVED_ASKS.to_string(),
        ];
        statements.extend(rebuild());
        for trigger in triggers() {
            statements.extend(create_trigger(backend, &trigger));
        }
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        for t in triggers() {
            let drop = match backend {
                DbBackend::Postgres => format!(
                    "DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}()",
                    name = t.name,
                    table = t.table
                ),
                _ => format!("DROP TRIGGER IF EXISTS {}", t.name),
            };
            db.execute_unprepared(&drop).await?;
        }
        db.execute_unprepared("DROP TABLE pipeline_ask_total")
            .await?;
        db.execute_unprepared("DROP TABLE pipeline_opportunity_total")
            .await?;
        Ok(())
    }
}
