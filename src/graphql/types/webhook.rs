//! Webhooks (`Partner.webhooks`, `createWebhook`) and the events subscriptions carry.
use crate::data::page::encode_cursor;
use crate::domain::enums::{EventTopic, WebhookDeliveryStatus, decode};
use crate::graphql::connection::PageInfo;
use crate::graphql::ctx;
use crate::graphql::scalars::DateTime;
use crate::graphql::types::{Ask, Opportunity, Partner};
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{webhook, webhook_delivery};

/// A partner's receiver of signed event deliveries (docs/events.md): each event of its topics
/// that the partner may read is POSTed to `url` as JSON, signed in `Cosell-Signature`.
pub struct Webhook(pub webhook::Model);

/// A partner's receiver of signed event deliveries: each event of its topics that the partner
/// may read is POSTed to `url` as JSON, signed in `Cosell-Signature`.
#[Object]
impl Webhook {
    /// The webhook's id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The partner whose events it receives.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Partner> {
        let partner = ctx::load(&ctx::loaders(ctx)?.partner, &self.0.partner_id)
            .await?
            .ok_or_else(|| crate::error::AppError::internal("webhook without its partner"))?;
        Ok(Partner(partner))
    }
    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The kinds of objects whose events it receives.
    async fn topics(&self) -> Vec<EventTopic> {
        crate::services::webhooks::topics_of(&self.0)
    }
    /// False when turned off, or disabled after its deliveries kept failing (`disabledReason`).
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// Why cosell disabled it: set when a delivery failed for the whole retry window (24 hours).
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }
    /// Its deliveries, newest event first.
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Rows per page (1 to 100, default 20).")] first: Option<i32>,
        #[graphql(desc = "A cursor from `pageInfo.endCursor` or an edge: the page after it.")]
        after: Option<String>,
        #[graphql(desc = "Only deliveries with one of these statuses.")] status: Option<
            Vec<WebhookDeliveryStatus>,
        >,
    ) -> Result<WebhookDeliveryConnection> {
        let args = crate::data::page::PageArgs::forward(first, after.as_deref())?;
        let page =
            crate::data::webhooks::deliveries(ctx::db(ctx)?, &self.0.id, &args, status.as_deref())
                .await?;
        let rows: Vec<(String, WebhookDelivery)> = page
            .rows
            .into_iter()
            .map(|d| (encode_cursor(&[d.event_seq.into()]), WebhookDelivery(d)))
            .collect();
        Ok(WebhookDeliveryConnection {
            page_info: PageInfo {
                has_next_page: page.has_next,
                has_previous_page: page.has_previous,
                start_cursor: rows.first().map(|(c, _)| c.clone()),
                end_cursor: rows.last().map(|(c, _)| c.clone()),
            },
            rows,
        })
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// One event owed to one webhook.
#[derive(Clone)]
pub struct WebhookDelivery(pub webhook_delivery::Model);

/// One event owed to one webhook, and how its delivery stands.
#[Object]
impl WebhookDelivery {
    /// The delivery's id: also its idempotency id, sent in the `Cosell-Delivery-Id` header (a
    /// retry carries the same one).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The kind of object the event is about.
    async fn topic(&self) -> Result<EventTopic> {
        Ok(decode(&self.0.topic)?)
    }
    /// What happened (the history's action: CREATED, STATUS_CHANGED, OVERDUE, …).
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The object's id.
    async fn object_id(&self) -> ID {
        ID(self.0.object_id.clone())
    }
    /// PENDING until the receiver answers 2xx (DELIVERED) or the retry window ends (FAILED).
    async fn status(&self) -> Result<WebhookDeliveryStatus> {
        Ok(decode(&self.0.status)?)
    }
    /// Attempts made so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// The HTTP status of the last answer; null before the first attempt or when the receiver
    /// could not be reached.
    async fn last_response_code(&self) -> Option<i32> {
        self.0.last_response_code
    }
    /// When the next attempt is due; null once DELIVERED or FAILED.
    async fn next_attempt_at(&self) -> Option<DateTime> {
        self.0.next_attempt_at.map(DateTime)
    }
    /// When the event happened and the delivery was queued.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// One `WebhookDelivery` of a page, with its cursor.
#[derive(SimpleObject, Clone)]
pub struct WebhookDeliveryEdge {
    /// Pass as `after` to page from this row.
    pub cursor: String,
    /// The delivery.
    pub node: WebhookDelivery,
}

/// A page of a webhook's deliveries, newest first.
pub struct WebhookDeliveryConnection {
    rows: Vec<(String, WebhookDelivery)>,
    page_info: PageInfo,
}

/// A page of a webhook's deliveries, newest first.
#[Object]
impl WebhookDeliveryConnection {
    /// The page's rows with their cursors.
    async fn edges(&self) -> Vec<WebhookDeliveryEdge> {
        self.rows
            .iter()
            .map(|(cursor, node)| WebhookDeliveryEdge {
                cursor: cursor.clone(),
                node: node.clone(),
            })
            .collect()
    }
    /// The page's rows, without cursors.
    async fn nodes(&self) -> Vec<&WebhookDelivery> {
        self.rows.iter().map(|(_, node)| node).collect()
    }
    /// Whether more rows follow, and the cursor to get them.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
}

/// A new webhook and its signing secret.
#[derive(SimpleObject)]
pub struct CreatedWebhook {
    /// The webhook.
    pub webhook: Webhook,
    /// The HMAC-SHA256 key of its signatures, shown this once: keep it with the receiver.
    pub secret: String,
}

/// A change to an opportunity the subscriber may read.
pub struct OpportunityEvent {
    pub action: String,
    pub opportunity: Opportunity,
    pub actor: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// A change to an opportunity the subscriber may read.
#[Object]
impl OpportunityEvent {
    /// What happened: the history's action (CREATED, UPDATED, STAGE_CHANGED, SUBMITTED,
    /// REVIEWED, …; README "Live updates").
    async fn action(&self) -> &str {
        &self.action
    }
    /// The opportunity as it stood when the event was read, with the subscriber's field hiding.
    async fn opportunity(&self) -> &Opportunity {
        &self.opportunity
    }
    /// Who made the change (`sub`), `ace` for ACE's side, `cosell` for deadlines.
    async fn actor(&self) -> &str {
        &self.actor
    }
    /// When the change was recorded.
    async fn at(&self) -> DateTime {
        DateTime(self.at)
    }
}

/// A change to an ask the subscriber may read.
pub struct AskEvent {
    pub action: String,
    pub ask: Ask,
    pub actor: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// A change to an ask the subscriber may read.
#[Object]
impl AskEvent {
    /// What happened: the history's action (CREATED, ASSIGNED, STATUS_CHANGED, COMMENTED,
    /// OVERDUE, …; README "Live updates").
    async fn action(&self) -> &str {
        &self.action
    }
    /// The ask as it stood when the event was read.
    async fn ask(&self) -> &Ask {
        &self.ask
    }
    /// Who made the change (`sub`), `ace` for ACE's side, `cosell` for deadlines.
    async fn actor(&self) -> &str {
        &self.actor
    }
    /// When the change was recorded.
    async fn at(&self) -> DateTime {
        DateTime(self.at)
    }
}
