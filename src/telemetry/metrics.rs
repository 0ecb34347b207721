//! The process's Prometheus metrics (README "Metrics"). Counters and histograms are updated
//! where things happen; the queues (ACE outbox, webhook deliveries) and the pool are read at
//! scrape time, so every instance reports the same shared queues and no background task polls.
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::collections::HashSet;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, OnceLock};

/// Distinct operation names kept as labels; later ones count as `other`, so clients choosing
/// names cannot grow the series without bound.
const MAX_OPERATION_NAMES: usize = 200;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The GraphQL operation's name (`anonymous` without one), or the route for other paths.
    pub operation: String,
    /// `query`, `mutation`, `subscription`, or `http` for non-GraphQL routes.
    pub r#type: String,
    /// `OK`, the first error's code, or the HTTP status for non-GraphQL routes.
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    pub operation: String,
    pub r#type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    pub state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    pub limit: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabels {
    pub result: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub request_seconds: Family<OperationLabels, Histogram>,
    pub in_flight: Gauge,
    pub statements_per_request: Histogram,
    pub statement_seconds: Histogram,
    pub transaction_wait_seconds: Histogram,
    pub rate_limited: Family<LimitLabels, Counter>,
    pub token_rejections: Family<ReasonLabels, Counter>,
    pub ws_connections: Gauge,
    pub subscriptions: Gauge,
    pub webhook_attempts: Family<ResultLabels, Counter>,
    pool_connections: Family<StateLabels, Gauge>,
    pool_max: Gauge,
    ace_jobs: Family<StateLabels, Gauge>,
    ace_oldest_seconds: FloatGauge,
    webhook_deliveries: Family<StateLabels, Gauge>,
    webhook_oldest_seconds: FloatGauge,
    webhooks_disabled: Gauge,
    operation_names: Mutex<HashSet<String>>,
}

/// The process's metrics, made on first use.
pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

fn seconds_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Metrics {
    fn new() -> Metrics {
        let mut r = Registry::with_prefix("cosell");
        let requests = Family::<RequestLabels, Counter>::default();
        r.register(
            "requests",
            "Requests answered, by GraphQL operation name, type and outcome code",
            requests.clone(),
        );
        let request_seconds = Family::<OperationLabels, Histogram>::new_with_constructor(
            seconds_histogram as fn() -> Histogram,
        );
        r.register(
            "request_duration_seconds",
            "Time from a request's arrival to its answer, by GraphQL operation",
            request_seconds.clone(),
        );
        let in_flight = Gauge::default();
        r.register(
            "requests_in_flight",
            "Requests being handled now",
            in_flight.clone(),
        );
        let statements_per_request = Histogram::new(exponential_buckets(1.0, 2.0, 9));
        r.register(
            "request_statements",
            "SQL statements one GraphQL request ran",
            statements_per_request.clone(),
        );
        let statement_seconds = seconds_histogram();
        r.register(
            "db_statement_duration_seconds",
            "Time one SQL statement took on its connection",
            statement_seconds.clone(),
        );
        let transaction_wait_seconds = seconds_histogram();
        r.register(
            "db_transaction_wait_seconds",
            "Time a write waited to begin its transaction: a pooled connection, and on SQLite the write lock",
            transaction_wait_seconds.clone(),
        );
        let pool_connections = Family::<StateLabels, Gauge>::default();
        r.register(
            "db_pool_connections",
            "Pooled database connections, in use or idle",
            pool_connections.clone(),
        );
        let pool_max = Gauge::default();
        r.register(
            "db_pool_max_connections",
            "The pool's size limit",
            pool_max.clone(),
        );
        let rate_limited = Family::<LimitLabels, Counter>::default();
        r.register(
            "rate_limited",
            "Refusals by a limit: request (HTTP 429), ws_connections or ws_subscriptions (1008)",
            rate_limited.clone(),
        );
        let token_rejections = Family::<ReasonLabels, Counter>::default();
        r.register(
            "token_rejections",
            "Bearer tokens refused, by reason",
            token_rejections.clone(),
        );
        let ws_connections = Gauge::default();
        r.register(
            "ws_connections",
            "Open WebSocket connections",
            ws_connections.clone(),
        );
        let subscriptions = Gauge::default();
        r.register(
            "subscriptions",
            "Open GraphQL subscriptions",
            subscriptions.clone(),
        );
        let ace_jobs = Family::<StateLabels, Gauge>::default();
        r.register(
            "ace_outbox_jobs",
            "ACE outbox jobs: waiting to be sent, or failed for good",
            ace_jobs.clone(),
        );
        let ace_oldest_seconds = FloatGauge::default();
        r.register(
            "ace_outbox_oldest_seconds",
            "Age of the oldest waiting ACE outbox job (0 when none waits)",
            ace_oldest_seconds.clone(),
        );
        let webhook_deliveries = Family::<StateLabels, Gauge>::default();
        r.register(
            "webhook_deliveries",
            "Webhook deliveries: pending (not yet delivered) or failed for good",
            webhook_deliveries.clone(),
        );
        let webhook_oldest_seconds = FloatGauge::default();
        r.register(
            "webhook_oldest_pending_seconds",
            "Age of the oldest pending webhook delivery (0 when none is pending)",
            webhook_oldest_seconds.clone(),
        );
        let webhooks_disabled = Gauge::default();
        r.register(
            "webhooks_disabled",
            "Webhooks disabled after their deliveries failed",
            webhooks_disabled.clone(),
        );
        let webhook_attempts = Family::<ResultLabels, Counter>::default();
        r.register(
            "webhook_attempts",
            "Delivery attempts this instance made, delivered or failed",
            webhook_attempts.clone(),
        );
        for reason in crate::auth::RejectReason::ALL {
            let _ = token_rejections.get_or_create(&ReasonLabels {
                reason: reason.as_str().into(),
            });
        }
        Metrics {
            registry: r,
            requests,
            request_seconds,
            in_flight,
            statements_per_request,
            statement_seconds,
            transaction_wait_seconds,
            rate_limited,
            token_rejections,
            ws_connections,
            subscriptions,
            webhook_attempts,
            pool_connections,
            pool_max,
            ace_jobs,
            ace_oldest_seconds,
            webhook_deliveries,
            webhook_oldest_seconds,
            webhooks_disabled,
            operation_names: Mutex::new(HashSet::new()),
        }
    }

    /// The label for an operation name: itself while few names have been seen.
    pub fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name else {
            return "anonymous".into();
        };
        let valid = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return "invalid".into();
        }
        let Ok(mut seen) = self.operation_names.lock() else {
            return "other".into();
        };
        if !seen.contains(name) {
            if seen.len() >= MAX_OPERATION_NAMES {
                return "other".into();
            }
            seen.insert(name.to_string());
        }
        name.to_string()
    }

    pub fn token_rejected(&self, reason: crate::auth::RejectReason) {
        self.token_rejections
            .get_or_create(&ReasonLabels {
                reason: reason.as_str().into(),
            })
            .inc();
    }

    pub fn limited(&self, limit: &str) {
        self.rate_limited
            .get_or_create(&LimitLabels {
                limit: limit.into(),
            })
            .inc();
    }

    /// The text exposition, with the pool and the queues read now.
    pub async fn render(&self, db: &DatabaseConnection) -> String {
        self.read_pool(db);
        if let Err(err) = self.read_queues(db).await {
            tracing::warn!(error = %err, "metrics: the queues could not be read");
        }
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::error!("metrics could not be encoded");
        }
        out
    }

    fn read_pool(&self, db: &DatabaseConnection) {
        let (size, idle, max) = match db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            _ => {
                let pool = db.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
        };
        let idle = idle as i64;
        let set = |state: &str, v: i64| {
            self.pool_connections
                .get_or_create(&StateLabels {
                    state: state.into(),
                })
                .set(v);
        };
        set("in_use", i64::from(size) - idle);
        set("idle", idle);
        self.pool_max.set(i64::from(max));
    }

    /// One statement of scalar counts, each filtered on an indexed state column
    /// (`ix_ace_job_state_created`, `ix_webhook_delivery_due`): a scrape reads the queues, not
    /// the history of every job and delivery ever made.
    async fn read_queues(&self, db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
        let backend = db.get_database_backend();
        let age = match backend {
            DbBackend::Postgres => "EXTRACT(EPOCH FROM (now() - MIN(created_at)))::float8",
            _ => "(julianday('now') - julianday(MIN(created_at))) * 86400.0",
        };
        let sql = format!(
            "SELECT \
               (SELECT COUNT(*) FROM ace_job WHERE state = 'WAITING') AS ace_waiting, \
               (SELECT COUNT(*) FROM ace_job WHERE state = 'FAILED') AS ace_failed, \
               (SELECT {age} FROM ace_job WHERE state = 'WAITING') AS ace_oldest, \
               (SELECT COUNT(*) FROM webhook_delivery WHERE status = 'PENDING') AS hook_pending, \
               (SELECT COUNT(*) FROM webhook_delivery WHERE status = 'FAILED') AS hook_failed, \
               (SELECT {age} FROM webhook_delivery WHERE status = 'PENDING') AS hook_oldest, \
               (SELECT COUNT(*) FROM webhook WHERE NOT enabled) AS hooks_disabled"
        );
        let row = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            db.query_one_raw(Statement::from_string(backend, sql)),
        )
        .await
        .map_err(|_| sea_orm::DbErr::Custom("timed out".into()))??
        .ok_or_else(|| sea_orm::DbErr::Custom("no row".into()))?;
        let count = |name: &str| row.try_get::<i64>("", name);
        let age = |name: &str| {
            row.try_get::<Option<f64>>("", name)
                .map(|age| age.unwrap_or(0.0).max(0.0))
        };
        let state = |s: &str| StateLabels { state: s.into() };
        self.ace_jobs
            .get_or_create(&state("waiting"))
            .set(count("ace_waiting")?);
        self.ace_jobs
            .get_or_create(&state("failed"))
            .set(count("ace_failed")?);
        self.ace_oldest_seconds.set(age("ace_oldest")?);
        self.webhook_deliveries
            .get_or_create(&state("pending"))
            .set(count("hook_pending")?);
        self.webhook_deliveries
            .get_or_create(&state("failed"))
            .set(count("hook_failed")?);
        self.webhook_oldest_seconds.set(age("hook_oldest")?);
        self.webhooks_disabled.set(count("hooks_disabled")?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_are_bounded_and_never_carry_odd_text() {
        let m = Metrics::new();
        assert_eq!(m.operation_label(None), "anonymous");
        assert_eq!(m.operation_label(Some("Me")), "Me");
        assert_eq!(m.operation_label(Some("x\"} 1\nevil")), "invalid");
        assert_eq!(m.operation_label(Some(&"a".repeat(65))), "invalid");
        for i in 0..MAX_OPERATION_NAMES {
            m.operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(m.operation_label(Some("OneTooMany")), "other");
        assert_eq!(
            m.operation_label(Some("Me")),
            "Me",
            "names seen keep their label"
        );
    }
}
