use super::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;
use std::time::Duration;

/// A readiness probe answers within this, whatever the database does.
const READY_TIMEOUT: Duration = Duration::from_secs(1);

/// The process is up.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database takes a write (a full disk or a lost server fails this, not only a dead one).
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match tokio::time::timeout(READY_TIMEOUT, crate::db::probe_write(&state.db)).await {
        Ok(Ok(())) => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed");
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable" }))
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable" }))
        }
    }
}
