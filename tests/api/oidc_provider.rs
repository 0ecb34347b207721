//! An OpenID Connect provider on loopback, as cosell meets one: a discovery document and a JWKS
//! endpoint with caching headers, keys that can be published, rotated and retired, an outage
//! switch, and counts of the fetches. Tokens are signed with the test-only keys in
//! `tests/fixtures/idp`.
use actix_web::{HttpRequest, HttpResponse, web};
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub const AUDIENCE: &str = "cosell-api";

/// A signing key of the provider.
#[derive(Clone)]
pub struct Signer {
    pub kid: String,
    pub alg: Algorithm,
    key: EncodingKey,
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/idp/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

impl Signer {
    pub fn rsa(kid: &str, file: &str) -> Signer {
        let key = EncodingKey::from_rsa_pem(&fixture(file)).unwrap();
        Signer {
            kid: kid.into(),
            alg: Algorithm::RS256,
            key,
        }
    }

    pub fn ec(kid: &str) -> Signer {
        let key = EncodingKey::from_ec_pem(&fixture("ec-a.pem")).unwrap();
        Signer {
            kid: kid.into(),
            alg: Algorithm::ES256,
            key,
        }
    }

    pub fn ed(kid: &str) -> Signer {
        let key = EncodingKey::from_ed_pem(&fixture("ed-a.pem")).unwrap();
        Signer {
            kid: kid.into(),
            alg: Algorithm::EdDSA,
            key,
        }
    }

    /// The public half as the provider publishes it.
    pub fn jwk(&self) -> Value {
        let mut jwk = Jwk::from_encoding_key(&self.key, self.alg).unwrap();
        jwk.common.key_id = Some(self.kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        serde_json::to_value(jwk).unwrap()
    }

    /// A token with these claims, signed by this key and naming it.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key).unwrap()
    }
}

/// A token with header `alg: HS256` and the given `kid`, MACed with `secret`: how a token is
/// forged with a provider's RSA public key when a verifier lets the token pick the algorithm.
pub fn hs256_with(secret: &[u8], kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

pub fn public_pem(file: &str) -> Vec<u8> {
    fixture(file)
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

struct Shared {
    issuer: String,
    keys: Mutex<Vec<Value>>,
    cache_control: Mutex<String>,
    down: AtomicBool,
    discoveries: AtomicUsize,
    jwks_fetches: AtomicUsize,
}

pub struct Provider {
    pub issuer: String,
    shared: Arc<Shared>,
    _server: actix_web::dev::ServerHandle,
}

async fn discovery(shared: web::Data<Shared>) -> HttpResponse {
    shared.discoveries.fetch_add(1, Ordering::SeqCst);
    if shared.down.load(Ordering::SeqCst) {
        return HttpResponse::ServiceUnavailable().finish();
    }
    HttpResponse::Ok().json(json!({
        "issuer": shared.issuer,
        "jwks_uri": format!("{}/.well-known/jwks.json", shared.issuer),
        "authorization_endpoint": format!("{}/authorize", shared.issuer),
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
    }))
}

async fn jwks(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    shared.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    if shared.down.load(Ordering::SeqCst) || req.method() != actix_web::http::Method::GET {
        return HttpResponse::ServiceUnavailable().finish();
    }
    let keys = shared.keys.lock().unwrap().clone();
    HttpResponse::Ok()
        .insert_header((
            "cache-control",
            shared.cache_control.lock().unwrap().clone(),
        ))
        .json(json!({ "keys": keys }))
}

impl Provider {
    pub async fn start(published: &[&Signer]) -> Provider {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            issuer: issuer.clone(),
            keys: Mutex::new(published.iter().map(|s| s.jwk()).collect()),
            cache_control: Mutex::new("public, max-age=300".into()),
            down: AtomicBool::new(false),
            discoveries: AtomicUsize::new(0),
            jwks_fetches: AtomicUsize::new(0),
        });
        let data = web::Data::from(shared.clone());
        let handle = crate::loopback::serve(listener, move |cfg| {
            cfg.app_data(data.clone())
                .route(
                    "/.well-known/openid-configuration",
                    web::get().to(discovery),
                )
                .route("/.well-known/jwks.json", web::get().to(jwks));
        });
        Provider {
            issuer,
            shared,
            _server: handle,
        }
    }

    /// The key set from now on.
    pub fn publish(&self, signers: &[&Signer]) {
        *self.shared.keys.lock().unwrap() = signers.iter().map(|s| s.jwk()).collect();
    }

    pub fn cache_control(&self, value: &str) {
        *self.shared.cache_control.lock().unwrap() = value.into();
    }

    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }

    pub fn jwks_fetches(&self) -> usize {
        self.shared.jwks_fetches.load(Ordering::SeqCst)
    }

    /// Claims as this provider writes them: `iss`, `aud`, `sub`, cosell's scopes, ten minutes of
    /// life, and
    /// `extra` on top.
    pub fn claims(&self, extra: Value) -> Value {
        let now = now();
        let mut claims = json!({
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": "idp-user-1",
            "scope": "cosell:read cosell:write",
            "iat": now,
            "exp": now + 600,
        });
        for (k, v) in extra.as_object().unwrap() {
            claims[k] = v.clone();
        }
        claims
    }

    /// The environment that points cosell at this provider.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("COSELL_OIDC_ISSUER", self.issuer.clone()),
            ("COSELL_JWKS_MIN_REFRESH", "1s".into()),
        ]
    }
}
