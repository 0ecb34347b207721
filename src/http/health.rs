use super::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;
use std::time::Duration;

/// A readiness probe answers within this, whatever the database does.
const READY_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a request that met a database fault keeps readiness down.
const FAULT_MEMORY: Duration = Duration::from_secs(5);

/// When a request last met a database fault (`UNAVAILABLE`), until a write succeeds again.
/// The probe's one-row write can still fit where clients' writes no longer do (a disk with a
/// little room left), so readiness also reports what requests met.
#[derive(Default)]
pub struct RecentFaults(std::sync::Mutex<Option<std::time::Instant>>);

impl RecentFaults {
    pub fn note(&self) {
        if let Ok(mut last) = self.0.lock() {
            *last = Some(std::time::Instant::now());
        }
    }

    /// A write went through: whatever failed before has cleared.
    pub fn clear(&self) {
        if let Ok(mut last) = self.0.lock() {
            *last = None;
        }
    }

    fn recent(&self) -> bool {
        self.0
            .lock()
            .ok()
            .and_then(|last| *last)
            .is_some_and(|at| at.elapsed() < FAULT_MEMORY)
    }
}

/// The process is up.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database takes a write (a full disk or a lost server fails this, not only a dead one),
/// no request met a database fault in the last five seconds, and the identity provider's keys
/// (when one is configured) have been loaded: without them no token can be verified.
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let database =
        match tokio::time::timeout(READY_TIMEOUT, crate::db::probe_write(&state.db)).await {
            Ok(Ok(())) => !state.faults.recent(),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "readiness check failed");
                false
            }
            Err(_) => {
                tracing::warn!("readiness check timed out");
                false
            }
        };
    let provider = state.tokens.provider().map(|p| p.loaded());
    let mut body =
        json!({ "status": "ready", "database": if database { "ok" } else { "unavailable" } });
    if let Some(loaded) = provider {
        body["identityProvider"] = json!(if loaded { "ok" } else { "unavailable" });
    }
    if database && provider != Some(false) {
        HttpResponse::Ok().json(body)
    } else {
        body["status"] = json!("unavailable");
        HttpResponse::ServiceUnavailable().json(body)
    }
}
