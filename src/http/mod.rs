//! HTTP: routes, the GraphQL endpoint's transport rules, health probes.
mod graphql;
mod health;

use crate::auth::JwtKeys;
use crate::graphql::AppSchema;
use actix_web::{App, HttpResponse, HttpServer, dev::Server, middleware, web};
use sea_orm::DatabaseConnection;
use std::net::TcpListener;

/// Largest request body accepted; larger ones get 413 before anything is parsed.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    pub keys: JwtKeys,
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
