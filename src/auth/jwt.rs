//! Local HS256 bearer tokens (development and `cosell token`). Verification pins the algorithm, requires `exp`, `iss`, `aud` (a string
//! or an array holding ours, RFC 7519 §4.1.3) and `sub`, honours `nbf`, allows at most 60 s of
//! clock skew, refuses a `crit` header (no extension is understood, RFC 7515 §4.1.11), tokens
//! living longer than the configured maximum, unknown roles and claims that do not fit the
//! role. Keys under 32 bytes are refused at start (RFC 7518 §3.2).
use crate::auth::claims::{ClaimMap, check_role_claims};
use crate::auth::tokens::{Rejection, accept};
use crate::auth::viewer::{SCOPE_READ, SCOPE_WRITE, Viewer};
use crate::domain::enums::{Role, SegmentCode, StoredEnum};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Serialize;
use serde_json::{Map, Value};

pub const MIN_KEY_BYTES: usize = 32;
pub const LEEWAY_SECONDS: u64 = 60;
/// The longest lifetime (`exp` minus `iat`, or minus now) accepted unless configured.
pub const DEFAULT_MAX_LIFETIME_SECONDS: u64 = 24 * 3600;

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    max_lifetime_seconds: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the JWT key must be at least {MIN_KEY_BYTES} bytes (got {0})")]
    TooShort(usize),
}

/// What `cosell token` writes; verification reads claims through `claims::ClaimMap`.
#[derive(Debug, Serialize)]
struct Claims {
    sub: String,
    role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    partner_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    segments: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partner_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    iss: String,
    aud: String,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nbf: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<u64>,
}

/// What `cosell token` (and the tests) put in a token.
#[derive(Clone, Debug)]
pub struct MintRequest {
    pub subject: String,
    pub role: Role,
    pub partner_id: Option<String>,
    pub segments: Vec<SegmentCode>,
    pub partner_ids: Vec<String>,
    pub scopes: Vec<String>,
    pub ttl_seconds: u64,
}

impl MintRequest {
    pub fn new(role: Role, subject: &str) -> Self {
        MintRequest {
            subject: subject.to_string(),
            role,
            partner_id: None,
            segments: Vec::new(),
            partner_ids: Vec::new(),
            scopes: vec![SCOPE_READ.to_string(), SCOPE_WRITE.to_string()],
            ttl_seconds: 3600,
        }
    }
}

pub fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Result<Self, KeyError> {
        if secret.len() < MIN_KEY_BYTES {
            return Err(KeyError::TooShort(secret.len()));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        Ok(JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            max_lifetime_seconds: DEFAULT_MAX_LIFETIME_SECONDS,
        })
    }

    /// Refuses tokens that live longer than `seconds` (and mints none).
    pub fn with_max_lifetime(mut self, seconds: u64) -> Self {
        self.max_lifetime_seconds = seconds;
        self
    }

    /// Verifies a local (HS256) token: the viewer and the token's `exp`.
    pub fn verify_with_expiry(&self, token: &str) -> Result<(Viewer, u64), Rejection> {
        let data =
            jsonwebtoken::decode::<Map<String, Value>>(token, &self.decoding, &self.validation)?;
        accept(data, self.max_lifetime_seconds, &ClaimMap::default())
    }

    pub fn mint(&self, req: &MintRequest) -> Result<String, String> {
        let viewer = Viewer {
            subject: req.subject.clone(),
            role: req.role,
            partner_id: req.partner_id.clone(),
            segments: req.segments.clone(),
            partner_ids: req.partner_ids.clone(),
            scopes: req.scopes.clone(),
        };
        check_role_claims(&viewer).map_err(|r| r.detail)?;
        if req.ttl_seconds > self.max_lifetime_seconds {
            return Err(format!(
                "the lifetime is longer than the maximum of {} s (COSELL_JWT_MAX_TTL)",
                self.max_lifetime_seconds
            ));
        }
        let now = now_seconds();
        let claims = Claims {
            sub: req.subject.clone(),
            role: req.role.as_str().to_string(),
            partner_id: req.partner_id.clone(),
            segments: (!req.segments.is_empty()).then(|| {
                req.segments
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect()
            }),
            partner_ids: (!req.partner_ids.is_empty()).then(|| req.partner_ids.clone()),
            scope: Some(req.scopes.join(" ")),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + req.ttl_seconds,
            nbf: Some(now),
            iat: Some(now),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| e.to_string())
    }
}
