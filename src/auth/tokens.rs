//! Which key verifies a bearer token. HS256 tokens are checked with the local secret (for
//! development and `cosell token`), and only while it is enabled. RS256, ES256 and EdDSA
//! tokens are checked with the identity provider's published key named by `kid`, whose
//! algorithm is pinned: a token cannot choose how it is verified, so an RSA public key used as
//! an HMAC secret verifies nothing.
use crate::auth::claims::ClaimMap;
use crate::auth::jwks::Provider;
use crate::auth::jwt::{JwtKeys, LEEWAY_SECONDS, now_seconds};
use crate::auth::viewer::Viewer;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, TokenData};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Why a token was refused: the label of `cosell_token_rejections_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectReason {
    Missing,
    Malformed,
    Signature,
    Expired,
    NotYetValid,
    Issuer,
    Audience,
    Algorithm,
    UnknownKey,
    Claims,
    Lifetime,
    ProviderUnavailable,
}

impl RejectReason {
    pub const ALL: [RejectReason; 12] = [
        RejectReason::Missing,
        RejectReason::Malformed,
        RejectReason::Signature,
        RejectReason::Expired,
        RejectReason::NotYetValid,
        RejectReason::Issuer,
        RejectReason::Audience,
        RejectReason::Algorithm,
        RejectReason::UnknownKey,
        RejectReason::Claims,
        RejectReason::Lifetime,
        RejectReason::ProviderUnavailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Missing => "missing",
            RejectReason::Malformed => "malformed",
            RejectReason::Signature => "signature",
            RejectReason::Expired => "expired",
            RejectReason::NotYetValid => "not_yet_valid",
            RejectReason::Issuer => "issuer",
            RejectReason::Audience => "audience",
            RejectReason::Algorithm => "algorithm",
            RejectReason::UnknownKey => "unknown_key",
            RejectReason::Claims => "claims",
            RejectReason::Lifetime => "lifetime",
            RejectReason::ProviderUnavailable => "provider_unavailable",
        }
    }
}

/// A refused token. `detail` is for the log only, never for the client.
#[derive(Clone, Debug)]
pub struct Rejection {
    pub reason: RejectReason,
    pub detail: String,
}

impl Rejection {
    pub fn new(reason: RejectReason, detail: impl Into<String>) -> Self {
        Rejection {
            reason,
            detail: detail.into(),
        }
    }

    pub fn claims(detail: String) -> Self {
        Rejection::new(RejectReason::Claims, detail)
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "token rejected ({}): {}",
            self.reason.as_str(),
            self.detail
        )
    }
}

impl From<jsonwebtoken::errors::Error> for Rejection {
    fn from(e: jsonwebtoken::errors::Error) -> Self {
        let reason = match e.kind() {
            ErrorKind::ExpiredSignature => RejectReason::Expired,
            ErrorKind::ImmatureSignature => RejectReason::NotYetValid,
            ErrorKind::InvalidIssuer => RejectReason::Issuer,
            ErrorKind::InvalidAudience => RejectReason::Audience,
            ErrorKind::InvalidSignature => RejectReason::Signature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                RejectReason::Algorithm
            }
            ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidSubject => RejectReason::Claims,
            _ => RejectReason::Malformed,
        };
        Rejection::new(reason, e.to_string())
    }
}

/// The checks every verified token passes after its signature and registered claims: no
/// `crit` header (no extension is understood, RFC 7515 §4.1.11), a lifetime within the
/// maximum, not issued in the future; then its claims mapped to a viewer. Returns the viewer
/// and the token's `exp`, when a live connection closes.
pub fn accept(
    data: TokenData<Map<String, Value>>,
    max_lifetime_seconds: u64,
    map: &ClaimMap,
) -> Result<(Viewer, u64), Rejection> {
    if data.header.crit.is_some() {
        return Err(Rejection::new(
            RejectReason::Malformed,
            "crit header names extensions this server does not know",
        ));
    }
    let number = |name: &str| data.claims.get(name).and_then(Value::as_u64);
    let expires =
        number("exp").ok_or_else(|| Rejection::new(RejectReason::Claims, "exp is not a number"))?;
    let now = now_seconds();
    let born = number("iat").unwrap_or(now);
    if expires.saturating_sub(born) > max_lifetime_seconds + LEEWAY_SECONDS {
        return Err(Rejection::new(
            RejectReason::Lifetime,
            format!("lives longer than {max_lifetime_seconds} s"),
        ));
    }
    if born > now + LEEWAY_SECONDS {
        return Err(Rejection::new(
            RejectReason::NotYetValid,
            "issued in the future",
        ));
    }
    Ok((map.viewer(&data.claims)?, expires))
}

/// Every way a bearer token may be verified on this server.
#[derive(Clone)]
pub struct Tokens {
    local: Option<JwtKeys>,
    provider: Option<Arc<Provider>>,
}

impl Tokens {
    pub fn new(local: Option<JwtKeys>, provider: Option<Arc<Provider>>) -> Self {
        Tokens { local, provider }
    }

    /// Only the local secret (development, tests).
    pub fn local(keys: JwtKeys) -> Self {
        Tokens::new(Some(keys), None)
    }

    pub fn provider(&self) -> Option<&Arc<Provider>> {
        self.provider.as_ref()
    }

    /// Verifies a bearer token (`None` or empty when the request carried none), counting
    /// refusals by reason.
    pub async fn verify(&self, token: Option<&str>) -> Result<(Viewer, u64), Rejection> {
        let verified = match token.map(str::trim).filter(|t| !t.is_empty()) {
            Some(token) => self.verify_token(token).await,
            None => Err(Rejection::new(RejectReason::Missing, "no bearer token")),
        };
        if let Err(rejection) = &verified {
            crate::telemetry::metrics().token_rejected(rejection.reason);
        }
        verified
    }

    async fn verify_token(&self, token: &str) -> Result<(Viewer, u64), Rejection> {
        let header = jsonwebtoken::decode_header(token).map_err(Rejection::from)?;
        match (header.alg, &self.local, &self.provider) {
            (Algorithm::HS256, Some(local), _) => local.verify_with_expiry(token),
            (Algorithm::HS256, None, _) => Err(Rejection::new(
                RejectReason::Algorithm,
                "HS256 tokens are not accepted here (COSELL_JWT_LOCAL is off)",
            )),
            (alg, _, Some(provider)) if crate::auth::jwks::ASYMMETRIC.contains(&alg) => {
                provider.verify(token, &header).await
            }
            (alg, _, _) => Err(Rejection::new(
                RejectReason::Algorithm,
                format!("{alg:?} tokens are not accepted here"),
            )),
        }
    }
}
