//! Live co-selling: every committed change becomes an event (`feed`), fanned out in this
//! process to the subscriptions that may see it (`Hub`), and to webhooks through their outbox
//! (`crate::webhooks`). Deadlines that pass become events too (`overdue`). docs/events.md.
pub mod feed;
pub mod overdue;

use crate::data::scope::OpportunityFacts;
use entity::{ask, opportunity};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// A committed change on an object subscriptions carry, with the object as it stood when the
/// event was read (one read per event, shared by every subscriber).
#[derive(Debug)]
pub struct LiveEvent {
    pub seq: i64,
    pub action: String,
    pub actor: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub object: LiveObject,
}

#[derive(Debug)]
pub enum LiveObject {
    Opportunity {
        opportunity: Box<opportunity::Model>,
        segment_code: String,
    },
    Ask {
        ask: Box<ask::Model>,
        /// The review status of the ask's opportunity and its customer's segment: what the
        /// ask's visibility depends on.
        review_status: String,
        segment_code: String,
    },
}

impl LiveObject {
    /// What the read scope tests, for this object's opportunity.
    pub fn facts(&self) -> OpportunityFacts<'_> {
        match self {
            LiveObject::Opportunity {
                opportunity,
                segment_code,
            } => OpportunityFacts {
                partner_id: &opportunity.partner_id,
                review_status: &opportunity.review_status,
                segment_code,
            },
            LiveObject::Ask {
                ask,
                review_status,
                segment_code,
            } => OpportunityFacts {
                partner_id: &ask.partner_id,
                review_status,
                segment_code,
            },
        }
    }

    pub fn opportunity_id(&self) -> &str {
        match self {
            LiveObject::Opportunity { opportunity, .. } => &opportunity.id,
            LiveObject::Ask { ask, .. } => &ask.opportunity_id,
        }
    }
}

/// The limits of live connections (`COSELL_WS_*`, README "Live updates").
#[derive(Clone, Debug)]
pub struct LiveSettings {
    /// Subscriptions one connection may hold open.
    pub max_subscriptions: usize,
    /// Connections one subject (`sub`) may hold open on this instance.
    pub max_connections_per_subject: usize,
    /// How long a connection may take to send `connection_init` with a valid token.
    pub init_timeout: Duration,
    /// How often the server pings; a peer silent for two intervals is gone.
    pub keepalive: Duration,
    /// Events a subscriber may fall behind before it is disconnected as too slow.
    pub buffer: usize,
}

impl Default for LiveSettings {
    fn default() -> Self {
        LiveSettings {
            max_subscriptions: 25,
            max_connections_per_subject: 20,
            init_timeout: Duration::from_secs(10),
            keepalive: Duration::from_secs(15),
            buffer: 256,
        }
    }
}

/// This process's fan-out of live events, and the count of connections per subject.
pub struct Hub {
    sender: broadcast::Sender<Arc<LiveEvent>>,
    settings: LiveSettings,
    subjects: Mutex<HashMap<String, usize>>,
    /// The number of the last event the feed has read and published.
    read_up_to: std::sync::atomic::AtomicI64,
    /// Set when the server stops: every live connection closes with 1001.
    stopping: tokio::sync::watch::Sender<bool>,
}

impl Hub {
    pub fn new(settings: LiveSettings) -> Arc<Hub> {
        let (sender, _) = broadcast::channel(settings.buffer.max(1));
        Arc::new(Hub {
            sender,
            settings,
            subjects: Mutex::default(),
            read_up_to: Default::default(),
            stopping: tokio::sync::watch::channel(false).0,
        })
    }

    pub fn settings(&self) -> &LiveSettings {
        &self.settings
    }

    pub fn publish(&self, event: LiveEvent) {
        // No receiver is not an error: nobody is subscribed.
        let _ = self.sender.send(Arc::new(event));
    }

    /// Closes every live connection (1001, going away): a draining server does not wait for
    /// clients that would stay forever; they reconnect to another instance.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once the server is stopping.
    pub fn stopping(&self) -> tokio::sync::watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Events up to this number have been published (how far behind the feed is).
    pub fn read_up_to(&self) -> i64 {
        self.read_up_to.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn mark_read(&self, seq: i64) {
        self.read_up_to
            .fetch_max(seq, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.sender.subscribe()
    }

    /// Counts a connection of `subject` for as long as the returned guard lives, or refuses
    /// it when the subject already holds its share.
    pub fn admit(self: &Arc<Self>, subject: &str) -> Option<SubjectGuard> {
        let mut subjects = self.subjects.lock().ok()?;
        let open = subjects.entry(subject.to_string()).or_insert(0);
        if *open >= self.settings.max_connections_per_subject {
            return None;
        }
        *open += 1;
        Some(SubjectGuard {
            hub: self.clone(),
            subject: subject.to_string(),
        })
    }
}

/// One open connection of a subject; dropping it frees the place.
pub struct SubjectGuard {
    hub: Arc<Hub>,
    subject: String,
}

impl Drop for SubjectGuard {
    fn drop(&mut self) {
        if let Ok(mut subjects) = self.hub.subjects.lock()
            && let Some(open) = subjects.get_mut(&self.subject)
        {
            *open = open.saturating_sub(1);
            if *open == 0 {
                subjects.remove(&self.subject);
            }
        }
    }
}

/// Why the server closes a live connection: a WebSocket close code and its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Close {
    pub code: u16,
    pub reason: String,
}

impl Close {
    /// Too many subscriptions on one connection, or connections of one subject.
    pub const POLICY: u16 = 1008;
    /// The subscriber fell further behind than its buffer.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// The server is stopping.
    pub const GOING_AWAY: u16 = 1001;
}

/// One live connection as its subscriptions see it: the hub, its count of open
/// subscriptions, and the way to close it.
pub struct Connection {
    hub: Arc<Hub>,
    open: Arc<std::sync::atomic::AtomicUsize>,
    close: tokio::sync::mpsc::Sender<Close>,
}

impl Connection {
    pub fn new(hub: Arc<Hub>, close: tokio::sync::mpsc::Sender<Close>) -> Connection {
        crate::telemetry::metrics().ws_connections.inc();
        Connection {
            hub,
            open: Arc::default(),
            close,
        }
    }

    pub fn close(&self, close: Close) {
        // The first reason wins; the connection is closing anyway.
        let _ = self.close.try_send(close);
    }

    /// Takes a subscription's place, or closes the connection when it has no more.
    pub fn open_subscription(&self) -> Option<SubscriptionSlot> {
        use std::sync::atomic::Ordering;
        let limit = self.hub.settings.max_subscriptions;
        let taken = self.open.fetch_add(1, Ordering::SeqCst);
        crate::telemetry::metrics().subscriptions.inc();
        let slot = SubscriptionSlot {
            open: self.open.clone(),
            close: self.close.clone(),
            buffer: self.hub.settings.buffer,
            events: self.hub.subscribe(),
        };
        if taken >= limit {
            crate::telemetry::metrics().limited("ws_subscriptions");
            self.close(Close {
                code: Close::POLICY,
                reason: format!("Too many subscriptions on one connection (limit {limit})"),
            });
            return None;
        }
        Some(slot)
    }
}

/// One open subscription: its place in the connection's count and its own cursor in the hub.
pub struct SubscriptionSlot {
    open: Arc<std::sync::atomic::AtomicUsize>,
    close: tokio::sync::mpsc::Sender<Close>,
    buffer: usize,
    events: broadcast::Receiver<Arc<LiveEvent>>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        crate::telemetry::metrics().ws_connections.dec();
    }
}

impl Drop for SubscriptionSlot {
    fn drop(&mut self) {
        crate::telemetry::metrics().subscriptions.dec();
        self.open.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl SubscriptionSlot {
    /// The events `pick` keeps, in commit order. A subscriber that falls more than its buffer
    /// behind is disconnected (never slowing the others or holding events for it).
    pub fn stream<T: Send + 'static>(
        self,
        pick: impl Fn(&LiveEvent) -> Option<T> + Send + Sync + 'static,
    ) -> impl futures_util::Stream<Item = T> + Send + 'static {
        futures_util::stream::unfold((self, pick), |(mut slot, pick)| async move {
            loop {
                match slot.events.recv().await {
                    Ok(event) => {
                        if let Some(item) = pick(&event) {
                            return Some((item, (slot, pick)));
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        let _ = slot.close.try_send(Close {
                            code: Close::TRY_AGAIN_LATER,
                            reason: format!(
                                "Subscriber too slow: {missed} events behind (buffer {})",
                                slot.buffer
                            ),
                        });
                        return None;
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
    }
}

/// Starts this process's background live work: the event feed into a new hub, the webhook
/// sender and the overdue check. Returns the hub the WebSocket endpoint subscribes to.
pub fn start(
    db: &sea_orm::DatabaseConnection,
    schema: &crate::graphql::AppSchema,
    live: LiveSettings,
    webhooks: crate::webhooks::WebhookSettings,
    overdue_check: Duration,
) -> Result<Arc<Hub>, String> {
    let hub = Hub::new(live);
    let delivered = Arc::new(tokio::sync::Notify::new());
    let sender =
        crate::webhooks::Sender::new(db.clone(), schema.clone(), webhooks, delivered.clone())?;
    tokio::spawn(feed::run(db.clone(), hub.clone(), delivered));
    tokio::spawn(sender.run());
    tokio::spawn(overdue::run(db.clone(), overdue_check));
    Ok(hub)
}
