//! Configuration: every setting is an environment variable and a flag of the same meaning.
use crate::auth::JwtKeys;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://cosell.db?mode=rwc";

#[derive(Args, Clone, Debug)]
pub struct DbConfig {
    /// Database to use: `sqlite://FILE?mode=rwc` or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
}

#[derive(Args, Clone, Debug)]
pub struct JwtConfig {
    /// HS256 key (at least 32 bytes). When unset, a random key is made once and kept in
    /// --jwt-secret-file (mode 0600); `cosell token` reads the same file.
    #[arg(long, env = "COSELL_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,
    /// Where the generated key is kept when COSELL_JWT_SECRET is unset.
    #[arg(
        long,
        env = "COSELL_JWT_SECRET_FILE",
        default_value = "cosell-jwt.key",
        global = true
    )]
    pub jwt_secret_file: PathBuf,
    /// Required `iss` claim.
    #[arg(
        long,
        env = "COSELL_JWT_ISSUER",
        default_value = "cosell",
        global = true
    )]
    pub jwt_issuer: String,
    /// Required `aud` claim.
    #[arg(
        long,
        env = "COSELL_JWT_AUDIENCE",
        default_value = "cosell-api",
        global = true
    )]
    pub jwt_audience: String,
    /// Longest token lifetime accepted (and minted): seconds, or a number with s, m, h or d.
    #[arg(long, env = "COSELL_JWT_MAX_TTL", default_value = "24h", value_parser = parse_duration, global = true)]
    pub jwt_max_ttl: u64,
}

/// An OpenID Connect identity provider whose access tokens are accepted (README "Connecting an
/// identity provider").
#[derive(Args, Clone, Debug)]
pub struct IdpConfig {
    /// The provider's issuer URL (tokens' `iss`); its keys are found through
    /// `/.well-known/openid-configuration`.
    #[arg(long, env = "COSELL_OIDC_ISSUER", global = true)]
    pub oidc_issuer: Option<String>,
    /// The provider's JWKS URL, in place of discovery (needs COSELL_OIDC_ISSUER too).
    #[arg(long, env = "COSELL_JWT_JWKS_URL", global = true)]
    pub jwt_jwks_url: Option<String>,
    /// The audience provider tokens must name (default: COSELL_JWT_AUDIENCE).
    #[arg(long, env = "COSELL_OIDC_AUDIENCE", global = true)]
    pub oidc_audience: Option<String>,
    /// The claim that names the audience: `aud`, or `client_id` for Cognito access tokens.
    #[arg(
        long,
        env = "COSELL_OIDC_AUDIENCE_CLAIM",
        default_value = "aud",
        global = true
    )]
    pub oidc_audience_claim: String,
    /// Shortest time between two fetches of the provider's keys (and least time they are kept).
    #[arg(long, env = "COSELL_JWKS_MIN_REFRESH", default_value = "60s", value_parser = parse_duration, global = true)]
    pub jwks_min_refresh: u64,
    /// Accept HS256 tokens signed with the local secret: `on` by default without a provider,
    /// `off` with one.
    #[arg(long, env = "COSELL_JWT_LOCAL", value_parser = parse_on_off, global = true)]
    pub jwt_local: Option<bool>,
    /// Claim holding the subject (a name, or a JSON pointer such as `/user/id`).
    #[arg(
        long,
        env = "COSELL_CLAIM_SUBJECT",
        default_value = "sub",
        global = true
    )]
    pub claim_subject: String,
    /// Claim holding the role: a string, or an array of which one value is a role.
    #[arg(long, env = "COSELL_CLAIM_ROLE", default_value = "role", global = true)]
    pub claim_role: String,
    /// Claim holding a partner user's partner id.
    #[arg(
        long,
        env = "COSELL_CLAIM_PARTNER_ID",
        default_value = "partner_id",
        global = true
    )]
    pub claim_partner_id: String,
    /// Claim holding a partner manager's partner ids (an array, or a string separated by
    /// commas or spaces).
    #[arg(
        long,
        env = "COSELL_CLAIM_PARTNER_IDS",
        default_value = "partner_ids",
        global = true
    )]
    pub claim_partner_ids: String,
    /// Claim holding an AWS seller's segments (an array, or a separated string).
    #[arg(
        long,
        env = "COSELL_CLAIM_SEGMENTS",
        default_value = "segments",
        global = true
    )]
    pub claim_segments: String,
    /// Provider values standing for cosell roles: `cosell-admins=ADMIN,sellers=AWS_SELLER`.
    #[arg(long, env = "COSELL_ROLE_VALUES", default_value = "", global = true)]
    pub role_values: String,
    /// Provider scopes standing for cosell's: `api://cosell/read=cosell:read,...`.
    #[arg(long, env = "COSELL_SCOPE_VALUES", default_value = "", global = true)]
    pub scope_values: String,
}

impl IdpConfig {
    /// The configured provider, if any (it starts unloaded: `Provider::run` fetches its keys).
    pub fn provider(
        &self,
        jwt: &JwtConfig,
    ) -> Result<Option<crate::auth::jwks::Provider>, ConfigError> {
        use crate::auth::claims::{ClaimMap, parse_pairs};
        use crate::domain::enums::{Role, StoredEnum};
        let bad = |e: String| ConfigError::Provider(e);
        let issuer = match (&self.oidc_issuer, &self.jwt_jwks_url) {
            (None, None) => return Ok(None),
            (None, Some(_)) => {
                return Err(bad(
                    "COSELL_JWT_JWKS_URL needs COSELL_OIDC_ISSUER: tokens' iss is checked against it"
                        .into(),
                ));
            }
            (Some(issuer), _) => issuer.clone(),
        };
        let role_values = parse_pairs(&self.role_values)
            .map_err(|e| bad(format!("COSELL_ROLE_VALUES: {e}")))?
            .into_iter()
            .map(|(from, to)| {
                Role::parse(&to)
                    .map(|role| (from, role))
                    .ok_or_else(|| bad(format!("COSELL_ROLE_VALUES: {to:?} is not a role")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let scope_values = parse_pairs(&self.scope_values)
            .map_err(|e| bad(format!("COSELL_SCOPE_VALUES: {e}")))?;
        let settings = crate::auth::jwks::ProviderSettings {
            issuer,
            jwks_url: self.jwt_jwks_url.clone(),
            audience: self
                .oidc_audience
                .clone()
                .unwrap_or_else(|| jwt.jwt_audience.clone()),
            audience_claim: self.oidc_audience_claim.clone(),
            claims: ClaimMap {
                subject: self.claim_subject.clone(),
                role: self.claim_role.clone(),
                partner_id: self.claim_partner_id.clone(),
                partner_ids: self.claim_partner_ids.clone(),
                segments: self.claim_segments.clone(),
                role_values,
                scope_values,
            },
            min_refresh: std::time::Duration::from_secs(self.jwks_min_refresh),
            max_lifetime_seconds: jwt.jwt_max_ttl,
        };
        crate::auth::jwks::Provider::new(settings)
            .map(Some)
            .map_err(bad)
    }
}

/// Seconds of a duration given as seconds or as a number with s, m, h or d.
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (number, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c),
        _ => (s, 's'),
    };
    let n: u64 = number.parse().map_err(|_| format!("bad duration {s:?}"))?;
    let factor = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(format!("bad duration unit in {s:?}")),
    };
    n.checked_mul(factor)
        .filter(|&t| t > 0)
        .ok_or_else(|| format!("bad duration {s:?}"))
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("COSELL_JWT_SECRET: {0}")]
    Key(#[from] crate::auth::jwt::KeyError),
    #[error("JWT key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("JWT key file {0}: {1}")]
    KeyFileContent(String, crate::auth::jwt::KeyError),
    #[error("identity provider: {0}")]
    Provider(String),
}

impl JwtConfig {
    pub fn keys(&self) -> Result<JwtKeys, ConfigError> {
        let secret = match &self.jwt_secret {
            Some(secret) => secret.clone().into_bytes(),
            None => self.load_or_create_key_file()?,
        };
        Ok(JwtKeys::new(&secret, &self.jwt_issuer, &self.jwt_audience)?
            .with_max_lifetime(self.jwt_max_ttl))
    }

    fn load_or_create_key_file(&self) -> Result<Vec<u8>, ConfigError> {
        let path = &self.jwt_secret_file;
        let io_err = |source| ConfigError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let key = text.trim().as_bytes().to_vec();
                JwtKeys::new(&key, "", "")
                    .map_err(|e| ConfigError::KeyFileContent(path.display().to_string(), e))?;
                Ok(key)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(|e| io_err(std::io::Error::other(e)))?;
                let key = hex::encode(bytes);
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(io_err)?;
                file.write_all(format!("{key}\n").as_bytes())
                    .map_err(io_err)?;
                tracing::info!(path = %path.display(), "generated a new JWT key");
                Ok(key.into_bytes())
            }
            Err(e) => Err(io_err(e)),
        }
    }
}

/// Limits on requests; see `http::front_door::Limits` for what each one guards.
#[derive(Args, Clone, Debug)]
pub struct LimitsConfig {
    /// Deadline of one GraphQL execution, in seconds (TIMEOUT after it).
    #[arg(
        long,
        env = "COSELL_REQUEST_TIMEOUT",
        default_value_t = 15,
        global = true
    )]
    pub request_timeout: u64,
    /// Deadline for receiving a request body, in seconds (HTTP 408 after it).
    #[arg(long, env = "COSELL_BODY_TIMEOUT", default_value_t = 10, global = true)]
    pub body_timeout: u64,
    /// Request body bytes buffered by all requests together (HTTP 503 past it).
    #[arg(long, env = "COSELL_MAX_BUFFERED_BYTES", default_value_t = 64 * 1024 * 1024, global = true)]
    pub max_buffered_bytes: usize,
    /// Open connections from one client address (new ones are closed at once past it).
    #[arg(
        long,
        env = "COSELL_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256,
        global = true
    )]
    pub max_connections_per_address: usize,
    /// Requests in flight from one client address (HTTP 429 past it).
    #[arg(
        long,
        env = "COSELL_MAX_IN_FLIGHT_PER_ADDRESS",
        default_value_t = 64,
        global = true
    )]
    pub max_in_flight_per_address: usize,
    /// GraphQL executions running at once for one subject (more wait up to 2 s, then 429).
    #[arg(
        long,
        env = "COSELL_MAX_CONCURRENT_PER_SUBJECT",
        default_value_t = 4,
        global = true
    )]
    pub max_concurrent_per_subject: usize,
    /// Sustained requests per second per subject, bursts of five times that (0: no limit).
    #[arg(
        long,
        env = "COSELL_RATE_PER_SUBJECT",
        default_value_t = 20.0,
        global = true
    )]
    pub rate_per_subject: f64,
    /// Sustained requests per second per client address, bursts of five times (0: no limit).
    #[arg(
        long,
        env = "COSELL_RATE_PER_ADDRESS",
        default_value_t = 100.0,
        global = true
    )]
    pub rate_per_address: f64,
    /// Comma-separated addresses of reverse proxies whose X-Forwarded-For names the client.
    #[arg(
        long,
        env = "COSELL_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl LimitsConfig {
    pub fn limits(&self) -> crate::http::front_door::Limits {
        use std::time::Duration;
        crate::http::front_door::Limits {
            request_timeout: Duration::from_secs(self.request_timeout.max(1)),
            body_timeout: Duration::from_secs(self.body_timeout.max(1)),
            max_buffered_bytes: self.max_buffered_bytes,
            max_connections_per_address: self.max_connections_per_address.max(1),
            max_in_flight_per_address: self.max_in_flight_per_address.max(1),
            max_concurrent_per_subject: self.max_concurrent_per_subject.max(1),
            subject_rate: self.rate_per_subject.max(0.0),
            address_rate: self.rate_per_address.max(0.0),
            trusted_proxies: self.trusted_proxies.clone(),
        }
    }
}

/// The ACE connection (docs/ace-sync.md); credentials come from the AWS SDK's standard chain.
#[derive(Args, Clone, Debug)]
pub struct AceConfig {
    /// Region of the Partner Central selling API; wins over AWS_REGION for ACE calls.
    #[arg(
        long,
        env = "COSELL_ACE_REGION",
        default_value = "us-east-1",
        global = true
    )]
    pub ace_region: String,
    /// An endpoint URL in place of ACE's (a proxy, or a fake ACE in tests).
    #[arg(long, env = "COSELL_ACE_ENDPOINT", global = true)]
    pub ace_endpoint: Option<String>,
    /// How often each connected partner is polled: seconds, or a number with s, m, h or d.
    #[arg(long, env = "COSELL_ACE_POLL_INTERVAL", default_value = "60s", value_parser = parse_duration, global = true)]
    pub ace_poll_interval: u64,
    /// `on` runs the background sync in this process; `off` leaves it to another (or to
    /// `cosell ace sync --once`).
    #[arg(long, env = "COSELL_ACE_SYNC", default_value = "on", value_parser = parse_on_off, global = true)]
    pub ace_sync: bool,
    /// Writes a second to ACE per partner account (ACE's quota; raise it only when AWS raised
    /// the account's).
    #[arg(long, env = "COSELL_ACE_WRITES_PER_SECOND", default_value_t = 1.0, value_parser = parse_rate, global = true)]
    pub ace_writes_per_second: f64,
    /// Reads a second from ACE per partner account (ACE's quota).
    #[arg(long, env = "COSELL_ACE_READS_PER_SECOND", default_value_t = 10.0, value_parser = parse_rate, global = true)]
    pub ace_reads_per_second: f64,
    /// How long a partner's sync stays with an instance without renewal: how soon another
    /// instance takes over from one that died.
    #[arg(long, env = "COSELL_ACE_LEASE", default_value = "30s", value_parser = parse_duration, global = true)]
    pub ace_lease: u64,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if r > 0.0 && r <= 1000.0 => Ok(r),
        _ => Err(format!("{s:?} is not a rate between 0 and 1000 a second")),
    }
}

fn parse_on_off(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        _ => Err(format!("{s:?} is not on or off")),
    }
}

impl AceConfig {
    pub fn settings(&self) -> crate::ace::AceSettings {
        crate::ace::AceSettings {
            region: self.ace_region.clone(),
            endpoint: self.ace_endpoint.clone(),
            poll_interval: std::time::Duration::from_secs(self.ace_poll_interval.max(1)),
            sync: self.ace_sync,
            writes_per_second: self.ace_writes_per_second,
            reads_per_second: self.ace_reads_per_second,
            lease: std::time::Duration::from_secs(self.ace_lease.max(3)),
            ..Default::default()
        }
    }
}

/// Live updates and webhooks (README "Live updates" and "Webhooks").
#[derive(Args, Clone, Debug)]
pub struct LiveConfig {
    /// Subscriptions one WebSocket connection may hold (closed with 1008 past it).
    #[arg(
        long,
        env = "COSELL_WS_MAX_SUBSCRIPTIONS",
        default_value_t = 25,
        global = true
    )]
    pub ws_max_subscriptions: usize,
    /// WebSocket connections one subject (`sub`) may hold on one instance (1008 past it).
    #[arg(
        long,
        env = "COSELL_WS_MAX_CONNECTIONS_PER_SUBJECT",
        default_value_t = 20,
        global = true
    )]
    pub ws_max_connections_per_subject: usize,
    /// Time to send `connection_init` with a valid token (4408 after it).
    #[arg(long, env = "COSELL_WS_INIT_TIMEOUT", default_value = "10s", value_parser = parse_duration, global = true)]
    pub ws_init_timeout: u64,
    /// How often the server pings; a client silent for two intervals is dropped.
    #[arg(long, env = "COSELL_WS_KEEPALIVE", default_value = "15s", value_parser = parse_duration, global = true)]
    pub ws_keepalive: u64,
    /// Events a subscriber may fall behind before it is disconnected (1013).
    #[arg(long, env = "COSELL_WS_BUFFER", default_value_t = 256, global = true)]
    pub ws_buffer: usize,
    /// Allow webhooks to loopback, private and link-local addresses, and plain http.
    #[arg(long, env = "COSELL_WEBHOOK_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub webhook_allow_private: bool,
    /// Delay before a failed delivery's first retry; each next one doubles (up to 1 h).
    #[arg(long, env = "COSELL_WEBHOOK_RETRY_BASE", default_value = "30s", value_parser = parse_duration, global = true)]
    pub webhook_retry_base: u64,
    /// How long a delivery is retried before it fails and its webhook is disabled.
    #[arg(long, env = "COSELL_WEBHOOK_RETRY_WINDOW", default_value = "24h", value_parser = parse_duration, global = true)]
    pub webhook_retry_window: u64,
    /// Time a receiver has to answer.
    #[arg(long, env = "COSELL_WEBHOOK_TIMEOUT", default_value = "10s", value_parser = parse_duration, global = true)]
    pub webhook_timeout: u64,
    /// Deliveries in flight at once, per instance.
    #[arg(
        long,
        env = "COSELL_WEBHOOK_CONCURRENCY",
        default_value_t = 32,
        global = true
    )]
    pub webhook_concurrency: usize,
    /// How often open asks are checked for a passed due date (OVERDUE events).
    #[arg(long, env = "COSELL_OVERDUE_CHECK", default_value = "60s", value_parser = parse_duration, global = true)]
    pub overdue_check: u64,
}

impl LiveConfig {
    pub fn live(&self) -> crate::live::LiveSettings {
        use std::time::Duration;
        crate::live::LiveSettings {
            max_subscriptions: self.ws_max_subscriptions.max(1),
            max_connections_per_subject: self.ws_max_connections_per_subject.max(1),
            init_timeout: Duration::from_secs(self.ws_init_timeout),
            keepalive: Duration::from_secs(self.ws_keepalive),
            buffer: self.ws_buffer.max(1),
        }
    }

    pub fn webhooks(&self) -> crate::webhooks::WebhookSettings {
        use std::time::Duration;
        crate::webhooks::WebhookSettings {
            allow_private: self.webhook_allow_private,
            retry_base: Duration::from_secs(self.webhook_retry_base),
            retry_window: Duration::from_secs(self.webhook_retry_window),
            timeout: Duration::from_secs(self.webhook_timeout),
            concurrency: self.webhook_concurrency.max(1),
            ..Default::default()
        }
    }

    pub fn overdue_check(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.overdue_check)
    }
}
