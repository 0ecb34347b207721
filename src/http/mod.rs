//! HTTP: routes, the GraphQL endpoint's transport rules, health probes.
mod graphql;
mod health;

use crate::auth::JwtKeys;
use crate::graphql::AppSchema;
use actix_cors::Cors;
use actix_web::dev::{RequestHead, Server};
use actix_web::http::header;
use actix_web::{App, HttpResponse, HttpServer, middleware, web};
use sea_orm::DatabaseConnection;
use std::net::TcpListener;

/// Largest request body accepted; larger ones get 413 before anything is parsed.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    pub keys: JwtKeys,
    /// Browser origins allowed to call the API besides the server's own (`https://app.example`).
    pub cors_origins: Vec<String>,
    /// The DataLoaders' batching window (`data::loaders::DEFAULT_DELAY` in production).
    pub loader_delay: std::time::Duration,
}

/// Cross-origin access for browser front-ends: the configured origins and the server's own
/// (so GraphiQL works); any other origin is refused before the request is handled.
fn cors(allowed: Vec<String>) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, req| {
            let Ok(origin) = origin.to_str() else {
                return false;
            };
            allowed.iter().any(|a| a == origin) || is_same_origin(origin, req)
        })
        .allowed_methods(["GET", "POST"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers(["x-request-id"])
        .max_age(3600)
        .block_on_origin_mismatch(true)
}

fn is_same_origin(origin: &str, req: &RequestHead) -> bool {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    host.is_some() && origin_host == host
}

/// Checks a configured origin: a scheme and a host (and port), nothing else.
pub fn parse_origin(origin: &str) -> Result<String, String> {
    let origin = origin.trim().trim_end_matches('/');
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', ' ']) => {
            Ok(origin.to_string())
        }
        _ => Err(format!(
            "{origin:?} is not an origin like https://app.example.com"
        )),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
        .service(
            web::resource("/graphql")
                .route(web::post().to(graphql::post))
                .route(web::get().to(graphql::get))
                .default_service(web::to(graphql::method_not_allowed)),
        )
        .route("/healthz", web::get().to(health::live))
        .route("/readyz", web::get().to(health::ready))
        .route("/", web::get().to(graphiql));
}

async fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            async_graphql::http::GraphiQLSource::build()
                .endpoint("/graphql")
                .title("cosell")
                .finish(),
        )
}

/// Starts serving on an already bound listener (port 0 in tests).
pub fn serve(listener: TcpListener, state: AppState, workers: usize) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(cors(state.cors_origins.clone()))
            // Path only: a query string may carry a token or GraphQL variables.
            .wrap(
                middleware::Logger::new("%a %{method}xi %U %s %b %Dms request_id=%{x-request-id}o")
                    .custom_request_replace("method", |req| req.method().to_string()),
            )
            .configure(routes)
    })
    .workers(workers.max(1))
    .listen(listener)?
    .run();
    Ok(server)
}
