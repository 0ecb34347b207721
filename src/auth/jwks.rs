//! An OpenID Connect provider's signing keys: found through discovery
//! (`/.well-known/openid-configuration`) or a configured JWKS URL, kept as long as the JWKS
//! response's caching headers allow, refreshed ahead of expiry in the background and on a
//! token with an unknown `kid` at most once per `min_refresh` (a flood of made-up `kid`s
//! costs the provider one request per interval). While the provider cannot be reached the
//! last keys stay in use; before any were loaded, tokens get UNAVAILABLE and readiness says so.
use crate::auth::claims::ClaimMap;
use crate::auth::tokens::{RejectReason, Rejection, accept};
use crate::auth::viewer::Viewer;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Algorithms a provider key may carry. Symmetric keys in a JWKS are ignored: a published
/// key is public, so it can never be an HMAC secret.
pub const ASYMMETRIC: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Keys are kept this long when the JWKS response says nothing about caching.
const DEFAULT_KEEP: Duration = Duration::from_secs(3600);
/// And never longer than this, whatever it says.
const MAX_KEEP: Duration = Duration::from_secs(24 * 3600);
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_DOCUMENT_BYTES: usize = 512 * 1024;
/// RSA moduli under 2048 bits are refused (NIST SP 800-131A).
const MIN_RSA_MODULUS_BYTES: usize = 256;

#[derive(Clone, Debug)]
pub struct ProviderSettings {
    /// The provider's issuer: tokens' `iss` must equal it.
    pub issuer: String,
    /// Where the keys are; found through discovery when unset.
    pub jwks_url: Option<String>,
    /// The audience tokens must name.
    pub audience: String,
    /// The claim that names it: `aud`, or `client_id` for Cognito access tokens.
    pub audience_claim: String,
    pub claims: ClaimMap,
    /// The shortest time between two fetches, and the least time keys are kept.
    pub min_refresh: Duration,
    pub max_lifetime_seconds: u64,
}

struct ProviderKey {
    alg: Algorithm,
    key: DecodingKey,
}

#[derive(Default)]
struct KeyState {
    keys: HashMap<String, Arc<ProviderKey>>,
    loaded: bool,
    fresh_until: Option<Instant>,
    last_attempt: Option<Instant>,
    last_error: Option<String>,
    jwks_url: Option<String>,
}

pub struct Provider {
    settings: ProviderSettings,
    http: reqwest::Client,
    state: RwLock<KeyState>,
    refreshing: tokio::sync::Mutex<()>,
    /// The checks of a token's registered claims, one per algorithm, made once.
    validations: HashMap<Algorithm, Validation>,
    /// Wakes `run` when a fetch on demand changed how long the keys are kept.
    fetched: tokio::sync::Notify,
}

/// Provider URLs must be https; plain http only to this machine (tests, a local Keycloak).
pub fn check_url(url: &str) -> Result<url::Url, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url:?}: {e}"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        _ => Err(format!("{url:?} must be an https URL")),
    }
}

impl Provider {
    pub fn new(settings: ProviderSettings) -> Result<Self, String> {
        check_url(&settings.issuer)?;
        if let Some(url) = &settings.jwks_url {
            check_url(url)?;
        }
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .map_err(|e| e.to_string())?;
        let validations = ASYMMETRIC
            .iter()
            .map(|alg| (*alg, validation(&settings, *alg)))
            .collect();
        Ok(Provider {
            validations,
            state: RwLock::new(KeyState {
                jwks_url: settings.jwks_url.clone(),
                ..Default::default()
            }),
            settings,
            http,
            refreshing: tokio::sync::Mutex::new(()),
            fetched: tokio::sync::Notify::new(),
        })
    }

    /// Whether keys have been loaded since start (readiness).
    pub fn loaded(&self) -> bool {
        self.read().loaded
    }

    /// Keeps the keys fresh: loads them at start (retrying while the provider is down) and
    /// again before they expire.
    pub async fn run(self: Arc<Self>) {
        let mut failures = 0u32;
        loop {
            self.refresh_if_allowed().await;
            let (loaded, fresh_until) = {
                let state = self.read();
                (
                    state.loaded && state.last_error.is_none(),
                    state.fresh_until,
                )
            };
            let wait = if loaded {
                failures = 0;
                fresh_until.map_or(DEFAULT_KEEP, |t| {
                    t.saturating_duration_since(Instant::now())
                })
            } else {
                failures = failures.saturating_add(1);
                (self.settings.min_refresh * 2u32.saturating_pow(failures.min(6) - 1))
                    .min(Duration::from_secs(300))
            };
            tokio::select! {
                _ = tokio::time::sleep(wait.max(self.settings.min_refresh)) => {}
                _ = self.fetched.notified() => {}
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, KeyState> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, KeyState> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    pub async fn verify(&self, token: &str, header: &Header) -> Result<(Viewer, u64), Rejection> {
        let kid = header
            .kid
            .as_deref()
            .ok_or_else(|| Rejection::new(RejectReason::UnknownKey, "no kid in the header"))?;
        let key = self.key(kid).await?;
        if key.alg != header.alg {
            return Err(Rejection::new(
                RejectReason::Algorithm,
                format!(
                    "key {kid:?} is {:?}, the token says {:?}",
                    key.alg, header.alg
                ),
            ));
        }
        let s = &self.settings;
        let validation = self.validations.get(&key.alg).ok_or_else(|| {
            Rejection::new(
                RejectReason::Algorithm,
                format!("{:?} is not accepted", key.alg),
            )
        })?;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, validation)?;
        if s.audience_claim != "aud"
            && data.claims.get(&s.audience_claim).and_then(Value::as_str) != Some(&s.audience)
        {
            return Err(Rejection::new(
                RejectReason::Audience,
                format!("{} is not {:?}", s.audience_claim, s.audience),
            ));
        }
        accept(data, s.max_lifetime_seconds, &s.claims)
    }

    /// The key named `kid`: from the cache while it is fresh, after a refresh when it is
    /// stale or the `kid` is new (both limited to one fetch per `min_refresh`).
    async fn key(&self, kid: &str) -> Result<Arc<ProviderKey>, Rejection> {
        let lookup = |state: &KeyState| state.keys.get(kid).cloned();
        {
            let state = self.read();
            let fresh = state.fresh_until.is_some_and(|t| Instant::now() < t);
            if fresh && let Some(key) = lookup(&state) {
                return Ok(key);
            }
        }
        self.refresh_if_allowed().await;
        let state = self.read();
        match lookup(&state) {
            Some(key) => Ok(key),
            None if !state.loaded => Err(Rejection::new(
                RejectReason::ProviderUnavailable,
                state.last_error.clone().unwrap_or_default(),
            )),
            None => Err(Rejection::new(
                RejectReason::UnknownKey,
                format!("no key {kid:?} in the provider's key set"),
            )),
        }
    }

    /// One fetch at a time, and none within `min_refresh` of the last one.
    async fn refresh_if_allowed(&self) {
        let _one = self.refreshing.lock().await;
        let recent = self
            .read()
            .last_attempt
            .is_some_and(|t| t.elapsed() < self.settings.min_refresh);
        if recent {
            return;
        }
        self.write().last_attempt = Some(Instant::now());
        match self.fetch().await {
            Ok((keys, keep)) => {
                let mut state = self.write();
                tracing::info!(
                    keys = keys.len(),
                    keep_seconds = keep.as_secs(),
                    "identity provider keys loaded"
                );
                state.keys = keys;
                state.loaded = true;
                state.fresh_until = Some(Instant::now() + keep);
                state.last_error = None;
                drop(state);
                self.fetched.notify_waiters();
            }
            Err(error) => {
                tracing::warn!(%error, "identity provider keys could not be loaded");
                self.write().last_error = Some(error);
            }
        }
    }

    async fn fetch(&self) -> Result<(HashMap<String, Arc<ProviderKey>>, Duration), String> {
        let known = self.read().jwks_url.clone();
        let jwks_url = match known {
            Some(url) => url,
            None => {
                let url = self.discover().await?;
                self.write().jwks_url = Some(url.clone());
                url
            }
        };
        let (body, headers) = self.get(&jwks_url).await?;
        let keep = keep_for(&headers, self.settings.min_refresh);
        let set: Value = serde_json::from_slice(&body).map_err(|e| format!("JWKS: {e}"))?;
        let listed = set["keys"].as_array().ok_or("JWKS: no \"keys\" array")?;
        let keys: HashMap<String, Arc<ProviderKey>> = listed
            .iter()
            .filter_map(usable_key)
            .map(|(kid, key)| (kid, Arc::new(key)))
            .collect();
        if keys.is_empty() {
            return Err("JWKS: no usable signing key".into());
        }
        Ok((keys, keep))
    }

    /// OpenID Connect Discovery §4: the document's `issuer` must be the configured one.
    async fn discover(&self) -> Result<String, String> {
        let issuer = &self.settings.issuer;
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let (body, _) = self.get(&url).await?;
        let doc: Value = serde_json::from_slice(&body).map_err(|e| format!("discovery: {e}"))?;
        if doc["issuer"].as_str() != Some(issuer.as_str()) {
            return Err(format!(
                "discovery: issuer {} is not {issuer:?}",
                doc["issuer"]
            ));
        }
        let jwks = doc["jwks_uri"].as_str().ok_or("discovery: no jwks_uri")?;
        check_url(jwks)?;
        Ok(jwks.to_string())
    }

    async fn get(&self, url: &str) -> Result<(Vec<u8>, reqwest::header::HeaderMap), String> {
        let mut response = self
            .http
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("{url}: HTTP {}", response.status().as_u16()));
        }
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| format!("{url}: {e}"))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_DOCUMENT_BYTES {
                return Err(format!("{url}: larger than {MAX_DOCUMENT_BYTES} bytes"));
            }
        }
        Ok((body, headers))
    }
}

/// What a provider token's registered claims must be: the issuer, the audience (unless another
/// claim names it, checked after decoding), an unexpired `exp`, `nbf` honoured.
fn validation(s: &ProviderSettings, alg: Algorithm) -> Validation {
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[&s.issuer]);
    validation.leeway = crate::auth::jwt::LEEWAY_SECONDS;
    validation.validate_nbf = true;
    if s.audience_claim == "aud" {
        validation.set_audience(&[&s.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    } else {
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss"]);
    }
    validation
}

/// A signing key of the set with its algorithm pinned: the JWK's `alg`, or the one its type
/// and curve imply. Keys without `kid`, for encryption, symmetric or too weak are skipped.
fn usable_key(value: &Value) -> Option<(String, ProviderKey)> {
    let jwk: Jwk = serde_json::from_value(value.clone()).ok()?;
    let kid = jwk.common.key_id.clone()?;
    if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
        return None;
    }
    let implied = match &jwk.algorithm {
        AlgorithmParameters::RSA(rsa) => {
            let modulus = base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                rsa.n.trim_end_matches('='),
            )
            .ok()?;
            let significant = modulus.iter().skip_while(|b| **b == 0).count();
            if significant < MIN_RSA_MODULUS_BYTES {
                return None;
            }
            Algorithm::RS256
        }
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => Algorithm::ES256,
            EllipticCurve::P384 => Algorithm::ES384,
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        _ => return None,
    };
    let alg = match value.get("alg").and_then(Value::as_str) {
        None => implied,
        Some(named) => named_algorithm(named)?,
    };
    let family_fits = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => matches!(
            alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        ),
        _ => alg == implied,
    };
    if !family_fits {
        return None;
    }
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some((kid, ProviderKey { alg, key }))
}

fn named_algorithm(named: &str) -> Option<Algorithm> {
    let alg: Algorithm = named.parse().ok()?;
    ASYMMETRIC.contains(&alg).then_some(alg)
}

/// How long a JWKS response may be kept (RFC 9111): `Cache-Control: max-age` less `Age`, or
/// `Expires` less `Date`; `no-store` and `no-cache` mean as briefly as allowed. Never under
/// `floor` (no refresh storms) nor over a day.
fn keep_for(headers: &reqwest::header::HeaderMap, floor: Duration) -> Duration {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let seconds = |s: &str| s.trim().parse::<u64>().ok();
    let mut max_age = None;
    for directive in text("cache-control").unwrap_or("").split(',') {
        let directive = directive.trim().to_ascii_lowercase();
        if directive == "no-store" || directive == "no-cache" {
            max_age = Some(0);
            break;
        }
        if let Some(n) = directive.strip_prefix("max-age=").and_then(seconds) {
            max_age = Some(n);
        }
    }
    let from_expires = || {
        let expires = httpdate::parse_http_date(text("expires")?).ok()?;
        let date = text("date")
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .unwrap_or_else(std::time::SystemTime::now);
        Some(expires.duration_since(date).map_or(0, |d| d.as_secs()))
    };
    let keep = match max_age {
        Some(age) => {
            Duration::from_secs(age.saturating_sub(text("age").and_then(seconds).unwrap_or(0)))
        }
        None => from_expires().map_or(DEFAULT_KEEP, Duration::from_secs),
    };
    keep.clamp(floor, MAX_KEEP.max(floor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn caching_headers_decide_how_long_keys_are_kept() {
        let floor = Duration::from_secs(60);
        let keep = |pairs: &[(&'static str, &str)]| keep_for(&headers(pairs), floor).as_secs();
        assert_eq!(keep(&[("cache-control", "public, max-age=600")]), 600);
        assert_eq!(
            keep(&[("cache-control", "max-age=600"), ("age", "100")]),
            500
        );
        assert_eq!(keep(&[("cache-control", "no-store")]), 60);
        assert_eq!(keep(&[("cache-control", "max-age=5")]), 60);
        assert_eq!(keep(&[("cache-control", "max-age=9999999")]), 86_400);
        assert_eq!(
            keep(&[
                ("date", "Tue, 01 Dec 2026 08:00:00 GMT"),
                ("expires", "Tue, 01 Dec 2026 08:30:00 GMT")
            ]),
            1800
        );
        assert_eq!(keep(&[]), 3600);
    }

    #[test]
    fn provider_urls_must_be_https_except_on_this_machine() {
        assert!(check_url("https://idp.example.com").is_ok());
        assert!(check_url("http://127.0.0.1:8080").is_ok());
        assert!(check_url("http://localhost/x").is_ok());
        assert!(check_url("http://idp.example.com").is_err());
        assert!(check_url("file:///etc/passwd").is_err());
    }

    #[test]
    fn symmetric_encryption_and_weak_keys_are_skipped_and_algorithms_pinned() {
        let oct = serde_json::json!({"kty": "oct", "kid": "h", "k": "c2VjcmV0"});
        assert!(usable_key(&oct).is_none());
        let weak = serde_json::json!({"kty": "RSA", "kid": "w", "n": "AQAB", "e": "AQAB"});
        assert!(usable_key(&weak).is_none());
        let ed = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "kid": "e",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        assert_eq!(usable_key(&ed).map(|(_, k)| k.alg), Some(Algorithm::EdDSA));
        let mut enc = ed.clone();
        enc["use"] = "enc".into();
        assert!(usable_key(&enc).is_none());
        let mut lying = ed;
        lying["alg"] = "RS256".into();
        assert!(usable_key(&lying).is_none());
    }
}
