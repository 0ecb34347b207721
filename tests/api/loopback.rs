//! A stand-in for an outside service (a webhook receiver, an identity provider, a trace
//! collector) served on loopback by one actix worker.
use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, web};
use std::net::TcpListener;

/// Serves `routes` on `listener` until the handle is dropped with the test's runtime.
pub fn serve(
    listener: TcpListener,
    routes: impl Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
) -> ServerHandle {
    let server = HttpServer::new(move || App::new().configure(routes.clone()))
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
    let handle = server.handle();
    tokio::spawn(server);
    handle
}
