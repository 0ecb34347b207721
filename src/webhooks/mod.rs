//! Sends webhook deliveries from their outbox (`webhook_delivery`), on every instance at once:
//! a delivery is leased by one conditional update before it is sent, so exactly one instance
//! sends each attempt; a crash after the send and before the record only repeats it, with the
//! same delivery id for the receiver to drop. Failures are retried with exponential back-off
//! for the retry window (24 hours), after which the delivery is FAILED and its webhook
//! disabled with the reason. docs/events.md.
pub mod payload;
pub mod signature;

use crate::domain::enums::{StoredEnum, WebhookDeliveryStatus};
use crate::domain::webhook_url;
use crate::error::AppResult;
use crate::graphql::AppSchema;
use entity::{webhook, webhook_delivery};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// How webhooks are sent (`COSELL_WEBHOOK_*`, README "Webhooks").
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Loopback, private and link-local receivers (and plain http) are allowed.
    pub allow_private: bool,
    /// The first retry's delay; each next one doubles, up to `max_backoff`.
    pub retry_base: Duration,
    pub max_backoff: Duration,
    /// How long a delivery is retried before it is FAILED.
    pub retry_window: Duration,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// Deliveries in flight at once, per instance.
    pub concurrency: usize,
    /// How often the outbox is read with nothing announced (retries come due by time).
    pub poll: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            allow_private: false,
            retry_base: Duration::from_secs(30),
            max_backoff: Duration::from_secs(3600),
            retry_window: Duration::from_secs(24 * 3600),
            timeout: Duration::from_secs(10),
            concurrency: 32,
            poll: Duration::from_secs(1),
        }
    }
}

/// A lease outlives any attempt (the body's rendering, the receiver's timeout and the record),
/// so two instances never hold one delivery at once; it is also how long a delivery whose
/// instance died mid-attempt waits before another takes it.
fn lease_length(settings: &WebhookSettings) -> chrono::Duration {
    chrono::Duration::from_std(settings.timeout * 2 + Duration::from_secs(5))
        .unwrap_or(chrono::Duration::minutes(1))
}

pub struct Sender {
    db: DatabaseConnection,
    schema: AppSchema,
    client: reqwest::Client,
    settings: WebhookSettings,
    wake: Arc<Notify>,
}

impl Sender {
    pub fn new(
        db: DatabaseConnection,
        schema: AppSchema,
        settings: WebhookSettings,
        wake: Arc<Notify>,
    ) -> Result<Sender, String> {
        let mut client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("cosell-webhooks/", env!("CARGO_PKG_VERSION")));
        if !settings.allow_private {
            client = client.dns_resolver(Arc::new(PublicAddressesOnly));
        }
        Ok(Sender {
            db,
            schema,
            client: client.build().map_err(|e| format!("webhook client: {e}"))?,
            settings,
            wake,
        })
    }

    /// Sends until the process ends.
    pub async fn run(self) {
        let sender = Arc::new(self);
        let slots = Arc::new(Semaphore::new(sender.settings.concurrency.max(1)));
        loop {
            let free = slots.available_permits();
            let mut leased = Vec::new();
            if free > 0 {
                match sender.lease(free).await {
                    Ok(found) => leased = found,
                    Err(err) => {
                        tracing::warn!(error = %err.message(), "webhook outbox read failed")
                    }
                }
            }
            let full = free > 0 && leased.len() == free;
            for delivery in leased {
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                let sender = sender.clone();
                tokio::spawn(async move {
                    sender.attempt(delivery).await;
                    drop(slot);
                    sender.wake.notify_one();
                });
            }
            if !full {
                tokio::select! {
                    _ = sender.wake.notified() => {}
                    _ = tokio::time::sleep(sender.settings.poll) => {}
                }
            } else {
                // Every slot is busy: wait for one to come free.
                if let Ok(slot) = slots.clone().acquire_owned().await {
                    drop(slot);
                }
            }
        }
    }

    /// Leases up to `n` due deliveries of enabled webhooks, with their webhooks.
    async fn lease(&self, n: usize) -> AppResult<Vec<(webhook_delivery::Model, webhook::Model)>> {
        use webhook_delivery::Column as D;
        let now = crate::domain::now();
        let due = || {
            sea_orm::Condition::all()
                .add(D::Status.eq(WebhookDeliveryStatus::Pending.as_str()))
                .add(D::NextAttemptAt.lte(now))
                .add(
                    sea_orm::Condition::any()
                        .add(D::LeaseUntil.is_null())
                        .add(D::LeaseUntil.lt(now)),
                )
        };
        let candidates: Vec<String> = webhook_delivery::Entity::find()
            .select_only()
            .column(D::Id)
            .join(
                sea_orm::JoinType::InnerJoin,
                webhook_delivery::Entity::belongs_to(webhook::Entity)
                    .from(D::WebhookId)
                    .to(webhook::Column::Id)
                    .into(),
            )
            .filter(due())
            .filter(webhook::Column::Enabled.eq(true))
            .order_by_asc(D::NextAttemptAt)
            .order_by_asc(D::EventSeq)
            .limit(n as u64)
            .into_tuple()
            .all(&self.db)
            .await?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        // The same condition again, in the update: of two instances that read the same
        // candidates, the second finds them leased and takes nothing.
        let leased = webhook_delivery::Entity::update_many()
            .col_expr(D::LeaseUntil, Expr::val(now + lease_length(&self.settings)))
            .filter(D::Id.is_in(candidates))
            .filter(due())
            .exec_with_returning(&self.db)
            .await?;
        let webhook_ids: Vec<String> = leased.iter().map(|d| d.webhook_id.clone()).collect();
        let webhooks: HashMap<String, webhook::Model> = webhook::Entity::find()
            .filter(webhook::Column::Id.is_in(webhook_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|w| (w.id.clone(), w))
            .collect();
        let mut out: Vec<_> = leased
            .into_iter()
            .filter_map(|d| webhooks.get(&d.webhook_id).cloned().map(|w| (d, w)))
            .collect();
        out.sort_by_key(|(d, _)| d.event_seq);
        Ok(out)
    }

    /// One attempt: send, then record the outcome.
    async fn attempt(&self, (delivery, hook): (webhook_delivery::Model, webhook::Model)) {
        let body = match &delivery.body {
            Some(body) => body.clone(),
            None => payload::render(&self.schema, &self.db, &delivery).await,
        };
        let outcome = self.send(&hook, &delivery, &body).await;
        let result = match outcome {
            Outcome::Delivered(_) => "delivered",
            Outcome::Failed(..) => "failed",
        };
        crate::telemetry::metrics()
            .webhook_attempts
            .get_or_create(&crate::telemetry::metrics::ResultLabels {
                result: result.into(),
            })
            .inc();
        if let Err(err) = self.record(&delivery, &hook, body, outcome).await {
            // The lease runs out and another attempt follows: the receiver may see this
            // delivery twice, with one id.
            tracing::warn!(error = %err.message(), delivery = %delivery.id, "webhook outcome not recorded");
        }
    }

    async fn send(
        &self,
        hook: &webhook::Model,
        delivery: &webhook_delivery::Model,
        body: &str,
    ) -> Outcome {
        let url = match webhook_url::check(&hook.url, self.settings.allow_private) {
            Ok(url) => url,
            Err(reason) => return Outcome::Failed(None, format!("URL refused: {reason}")),
        };
        let timestamp = crate::domain::now().timestamp();
        let sent = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                signature::HEADER,
                signature::sign(&hook.secret, timestamp, body),
            )
            .header("Cosell-Delivery-Id", &delivery.id)
            .header(
                "Cosell-Event",
                format!("{}.{}", delivery.topic, delivery.action),
            )
            .body(body.to_string())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                Outcome::Delivered(response.status().as_u16())
            }
            Ok(response) => Outcome::Failed(
                Some(response.status().as_u16()),
                format!("HTTP {}", response.status().as_u16()),
            ),
            Err(err) if err.is_timeout() => Outcome::Failed(None, "timed out".into()),
            Err(err) if err.is_connect() => Outcome::Failed(
                None,
                "could not connect (or the address is not allowed)".into(),
            ),
            Err(_) => Outcome::Failed(None, "request failed".into()),
        }
    }

    async fn record(
        &self,
        delivery: &webhook_delivery::Model,
        hook: &webhook::Model,
        body: String,
        outcome: Outcome,
    ) -> AppResult<()> {
        use webhook_delivery::Column as D;
        let now = crate::domain::now();
        let attempts = delivery.attempts + 1;
        let mut update = webhook_delivery::Entity::update_many()
            .col_expr(D::Attempts, Expr::val(attempts))
            .col_expr(D::Body, Expr::val(body))
            .col_expr(
                D::LeaseUntil,
                Expr::val(None::<chrono::DateTime<chrono::Utc>>),
            );
        let mut disable = None;
        match &outcome {
            Outcome::Delivered(code) => {
                update = update
                    .col_expr(
                        D::Status,
                        Expr::val(WebhookDeliveryStatus::Delivered.as_str()),
                    )
                    .col_expr(D::LastResponseCode, Expr::val(i32::from(*code)))
                    .col_expr(D::LastError, Expr::val(None::<String>))
                    .col_expr(
                        D::NextAttemptAt,
                        Expr::val(None::<chrono::DateTime<chrono::Utc>>),
                    )
                    .col_expr(D::DeliveredAt, Expr::val(now));
            }
            Outcome::Failed(code, reason) => {
                let next = now + self.backoff(attempts);
                let deadline = delivery.created_at
                    + chrono::Duration::from_std(self.settings.retry_window)
                        .unwrap_or(chrono::Duration::hours(24));
                let gives_up = next > deadline;
                update = update
                    .col_expr(D::LastResponseCode, Expr::val(code.map(i32::from)))
                    .col_expr(D::LastError, Expr::val(reason.clone()));
                update = if gives_up {
                    disable = Some(format!(
                        "deliveries failed for {} (last: {reason})",
                        humanize(self.settings.retry_window)
                    ));
                    update
                        .col_expr(D::Status, Expr::val(WebhookDeliveryStatus::Failed.as_str()))
                        .col_expr(
                            D::NextAttemptAt,
                            Expr::val(None::<chrono::DateTime<chrono::Utc>>),
                        )
                } else {
                    update.col_expr(D::NextAttemptAt, Expr::val(next))
                };
            }
        }
        update
            .filter(D::Id.eq(delivery.id.as_str()))
            .filter(D::Status.eq(WebhookDeliveryStatus::Pending.as_str()))
            .exec(&self.db)
            .await?;
        if let Some(reason) = disable {
            tracing::warn!(webhook = %hook.id, %reason, "webhook disabled");
            webhook::Entity::update_many()
                .col_expr(webhook::Column::Enabled, Expr::val(false))
                .col_expr(webhook::Column::DisabledReason, Expr::val(reason))
                .col_expr(webhook::Column::UpdatedAt, Expr::val(now))
                .filter(webhook::Column::Id.eq(hook.id.as_str()))
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }

    /// The delay after the `attempts`-th failure: base × 2^(attempts−1), capped, with up to a
    /// fifth added at random so that many failed deliveries do not retry in step.
    fn backoff(&self, attempts: i32) -> chrono::Duration {
        let exponent = Ord::min(u32::try_from(attempts.saturating_sub(1)).unwrap_or(0), 20);
        let delay = self
            .settings
            .retry_base
            .saturating_mul(1 << exponent)
            .min(self.settings.max_backoff);
        let mut random = [0u8; 2];
        let _ = getrandom::fill(&mut random);
        let jitter =
            delay.mul_f64(f64::from(u16::from_le_bytes(random)) / f64::from(u16::MAX) / 5.0);
        chrono::Duration::from_std(delay + jitter).unwrap_or(chrono::Duration::hours(1))
    }
}

enum Outcome {
    Delivered(u16),
    /// The status code if the receiver answered, and what went wrong.
    Failed(Option<u16>, String),
}

fn humanize(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 && s.is_multiple_of(3600) {
        format!("{} hours", s / 3600)
    } else {
        format!("{s} seconds")
    }
}

/// Resolves names to public addresses only: a receiver's DNS cannot point cosell at its own
/// network (loopback, private, link-local, cloud metadata).
struct PublicAddressesOnly;

impl reqwest::dns::Resolve for PublicAddressesOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| webhook_url::is_public(a.ip()))
                .collect();
            if addresses.is_empty() {
                return Err("the name resolves to no public address".into());
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
