//! A webhook receiver on loopback: records every POST (headers and body) and answers with the
//! statuses it is told to, then 200.
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Hit {
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Hit {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Shared {
    hits: Mutex<Vec<Hit>>,
    statuses: Mutex<VecDeque<u16>>,
    always: Mutex<Option<u16>>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
    _server: actix_web::dev::ServerHandle,
}

async fn hook(req: HttpRequest, body: String, shared: web::Data<Shared>) -> HttpResponse {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    shared.hits.lock().unwrap().push(Hit { headers, body });
    let status = shared
        .statuses
        .lock()
        .unwrap()
        .pop_front()
        .or(*shared.always.lock().unwrap())
        .unwrap_or(200);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        Receiver::on(listener)
    }

    /// A receiver on an address chosen before it listens (to start it later).
    pub fn on(listener: std::net::TcpListener) -> Receiver {
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let shared = Arc::new(Shared::default());
        let data = web::Data::from(shared.clone());
        let handle = crate::loopback::serve(listener, move |cfg| {
            cfg.app_data(data.clone())
                .route("/hook", web::post().to(hook));
        });
        Receiver {
            url,
            shared,
            _server: handle,
        }
    }

    /// The next answers, in order, before plain 200s.
    pub fn answer(&self, statuses: &[u16]) {
        self.shared.statuses.lock().unwrap().extend(statuses);
    }

    /// Every answer from now on.
    pub fn always(&self, status: u16) {
        *self.shared.always.lock().unwrap() = Some(status);
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived (at most 15 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Hit> {
        self.wait_for_within(n, Duration::from_secs(15)).await
    }

    /// Waits until at least `n` requests arrived, at most `limit`.
    pub async fn wait_for_within(&self, n: usize, limit: Duration) -> Vec<Hit> {
        let deadline = tokio::time::Instant::now() + limit;
        while tokio::time::Instant::now() < deadline {
            let hits = self.hits();
            if hits.len() >= n {
                return hits;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{} of {n} deliveries arrived", self.hits().len());
    }
}

/// HMAC-SHA256 of `t.body` with the webhook's secret, checked against `Cosell-Signature` as a
/// receiver does it (written here from the README, not with cosell's own code).
pub fn signature_valid(secret: &str, hit: &Hit) -> bool {
    use hmac::{Hmac, Mac};
    let header = &hit.headers["cosell-signature"];
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_string()),
            Some(("v1", value)) => v1 = Some(value.to_string()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let age = chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap();
    if age.abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", hit.body).as_bytes());
    mac.verify_slice(&hex::decode(v1).unwrap()).is_ok()
}
