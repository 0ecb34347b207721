//! The connection to ACE, AWS Partner Central's selling API (docs/ace-sync.md): SDK clients
//! per connected partner, pacing under the quotas, and the transcription between ACE's JSON
//! and the SDK's types. What is sent when, and what comes back, is decided in
//! `services::ace`.
pub mod client;
pub mod errors;
pub mod invitations;
pub mod pace;
pub mod wire;

use std::time::Duration;

pub use client::{AceClient, AceClients, Connection, Relation};
pub use errors::{AceError, AceFieldError};
pub use invitations::{AcceptTask, AceInvitation, InvitationSummary};

/// Partner Central's catalogs: production and the test catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Catalog {
    Aws,
    Sandbox,
}

impl Catalog {
    /// The string ACE takes in every request's `Catalog`.
    pub fn ace_str(self) -> &'static str {
        match self {
            Catalog::Aws => "AWS",
            Catalog::Sandbox => "Sandbox",
        }
    }

    /// The stored (and GraphQL) code.
    pub fn code(self) -> &'static str {
        match self {
            Catalog::Aws => "AWS",
            Catalog::Sandbox => "SANDBOX",
        }
    }

    pub fn from_code(code: &str) -> Option<Catalog> {
        match code {
            "AWS" => Some(Catalog::Aws),
            "SANDBOX" => Some(Catalog::Sandbox),
            _ => None,
        }
    }
}

/// Deployment settings of the ACE connection (README, "Configuration").
#[derive(Clone, Debug)]
pub struct AceSettings {
    /// `COSELL_ACE_REGION`: where the selling API lives (us-east-1).
    pub region: String,
    /// `COSELL_ACE_ENDPOINT`: an endpoint URL in place of ACE's (tests, proxies).
    pub endpoint: Option<String>,
    /// `COSELL_ACE_POLL_INTERVAL`: how often each connected partner is polled.
    pub poll_interval: Duration,
    /// `COSELL_ACE_SYNC`: whether this process runs the background sync.
    pub sync: bool,
    /// ACE's quotas per partner account (docs/ace-model.md §5.7): 1 write and 10 reads a second.
    pub writes_per_second: f64,
    pub reads_per_second: f64,
    /// Fixed credentials instead of the SDK's chain: for tests against the fake ACE only.
    pub static_credentials: Option<(String, String)>,
    /// An STS endpoint for tests (deployments use the SDK's `AWS_ENDPOINT_URL_STS`).
    pub sts_endpoint: Option<String>,
    /// The first retry's back-off; each further retry doubles it (with jitter).
    pub retry_base: Duration,
    /// How long an accept task may run before its job gives up (ACE's take seconds; the
    /// partner's later jobs queue behind it meanwhile).
    pub accept_task_timeout: Duration,
    /// `COSELL_ACE_LEASE`: how long a partner stays with the instance syncing it without
    /// renewal, so how soon another instance takes over from one that died.
    pub lease: Duration,
}

impl Default for AceSettings {
    fn default() -> Self {
        AceSettings {
            region: "us-east-1".into(),
            endpoint: None,
            poll_interval: Duration::from_secs(60),
            sync: true,
            writes_per_second: 1.0,
            reads_per_second: 10.0,
            static_credentials: None,
            sts_endpoint: None,
            retry_base: Duration::from_secs(1),
            lease: Duration::from_secs(30),
            accept_task_timeout: Duration::from_secs(600),
        }
    }
}
