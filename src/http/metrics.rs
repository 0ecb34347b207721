//! `/metrics`: the Prometheus text exposition, on the API port unless `COSELL_METRICS_LISTEN`
//! gives it an address of its own, and behind a bearer token when `COSELL_METRICS_TOKEN` is set.
use super::AppState;
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use sea_orm::DatabaseConnection;
use std::net::TcpListener;

/// Where `/metrics` is served and who may read it.
#[derive(Clone, Debug, Default)]
pub struct MetricsRoute {
    /// Served on an address of its own: the API port answers 404.
    pub elsewhere: bool,
    /// The bearer token scrapers must send, if any.
    pub token: Option<String>,
}

/// `/metrics` on the API port.
pub async fn on_api(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if state.metrics.elsewhere {
        return HttpResponse::NotFound().finish();
    }
    answer(&req, &state.db, state.metrics.token.as_deref()).await
}

struct Apart {
    db: DatabaseConnection,
    token: Option<String>,
}

async fn on_own_address(req: HttpRequest, apart: web::Data<Apart>) -> HttpResponse {
    answer(&req, &apart.db, apart.token.as_deref()).await
}

async fn answer(req: &HttpRequest, db: &DatabaseConnection, token: Option<&str>) -> HttpResponse {
    if let Some(expected) = token {
        let sent = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let matches = sent.is_some_and(|sent| {
            use subtle::ConstantTimeEq;
            sent.as_bytes().ct_eq(expected.as_bytes()).into()
        });
        if !matches {
            return HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                .finish();
        }
    }
    let body = crate::telemetry::metrics().render(db).await;
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(body)
}

/// Serves `/metrics` alone on `listener`.
pub fn serve_apart(
    listener: TcpListener,
    db: DatabaseConnection,
    token: Option<String>,
) -> std::io::Result<actix_web::dev::Server> {
    let apart = web::Data::new(Apart { db, token });
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(apart.clone())
            .route("/metrics", web::get().to(on_own_address))
    })
    .workers(1)
    .listen(listener)?
    .run())
}
