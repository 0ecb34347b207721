//! HTTP: routes, the GraphQL endpoint's transport rules, health probes, response headers.
pub mod access;
pub mod front_door;
pub mod graphiql;
mod graphql;
pub mod health;
pub mod metrics;
pub mod persisted;
mod ws;

use crate::auth::Tokens;
use crate::graphql::AppSchema;
use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{App, HttpServer, middleware, web};
use front_door::FrontDoor;
use sea_orm::DatabaseConnection;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

/// Largest request body accepted; larger ones get 413 before anything is parsed.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    /// How bearer tokens are verified (local secret, identity provider).
    pub tokens: Tokens,
    /// Browser origins allowed to call the API besides the server's own (`https://app.example`).
    pub cors_origins: Vec<String>,
    /// Request headers browsers may send besides `CLIENT_HEADERS`.
    pub cors_headers: Vec<String>,
    /// The DataLoaders' batching window (`graphql::loaders::DEFAULT_DELAY` in production).
    pub loader_delay: std::time::Duration,
    /// Limits applied before a request costs anything.
    pub door: Arc<FrontDoor>,
    /// Database faults requests met, for readiness.
    pub faults: Arc<health::RecentFaults>,
    /// Automatic persisted queries, or the trusted documents (`COSELL_TRUSTED_DOCUMENTS`).
    pub persisted: Arc<persisted::PersistedDocuments>,
    /// Live events for `/graphql/ws` (`live::start`).
    pub hub: Arc<crate::live::Hub>,
    /// Where `/metrics` is served and its token.
    pub metrics: metrics::MetricsRoute,
}

/// Cross-origin access for browser front-ends: the configured origins and the server's own
/// (so GraphiQL works); any other origin is refused before the request is handled. The
/// server's own origin comes from the address it listens on, never from the request's `Host`
/// header, which a client (or a DNS-rebinding page) chooses.
fn cors(allowed: Arc<Vec<String>>, extra_headers: Arc<Vec<String>>) -> Cors {
    let headers = CLIENT_HEADERS
        .iter()
        .map(|h| h.to_string())
        .chain(extra_headers.iter().cloned())
        .filter_map(|h| header::HeaderName::try_from(h).ok());
    Cors::default()
        .allowed_origin_fn(move |origin, _| {
            origin
                .to_str()
                .is_ok_and(|origin| allowed.iter().any(|a| a == origin))
        })
        .allowed_methods(["GET", "POST"])
        .allowed_headers(headers)
        .expose_headers(["x-request-id", "retry-after"])
        .max_age(3600)
        .block_on_origin_mismatch(true)
}

/// Request headers browsers may send cross-origin: the token and body type, and what common
/// GraphQL clients and tracing add (Apollo's client awareness and CSRF-prevention headers,
/// W3C trace context, a request id). `COSELL_CORS_HEADERS` adds more.
pub const CLIENT_HEADERS: [&str; 11] = [
    "authorization",
    "content-type",
    "accept",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "traceparent",
    "tracestate",
    "baggage",
    "x-request-id",
];

/// The origins a browser uses for a server on `addr`: `http://ADDR`, and `http://localhost:PORT`
/// for a loopback address. A server on an unspecified address (0.0.0.0) has no origin of its
/// own; its public origin goes in `COSELL_CORS_ORIGINS`.
pub fn own_origins(addr: SocketAddr) -> Vec<String> {
    let ip = addr.ip();
    if ip.is_unspecified() {
        return Vec::new();
    }
    let mut origins = vec![format!("http://{addr}")];
    if ip.is_loopback() {
        origins.push(format!("http://localhost:{}", addr.port()));
    }
    origins
}

/// Checks a configured header name.
pub fn parse_header_name(name: &str) -> Result<String, String> {
    let name = name.trim().to_ascii_lowercase();
    header::HeaderName::try_from(name.as_str())
        .map(|_| name.clone())
        .map_err(|_| format!("{name:?} is not a header name"))
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
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get))
            .default_service(web::to(graphql::method_not_allowed)),
    )
    .route("/graphql/ws", web::get().to(ws::subscribe))
    .route("/healthz", web::get().to(health::live))
    .route("/readyz", web::get().to(health::ready))
    .route("/metrics", web::get().to(metrics::on_api))
    .route("/", web::get().to(graphiql::page))
    .route("/graphiql/{version}/{file}", web::get().to(graphiql::asset));
}

/// Headers on every response that has not set its own: no caching of API answers (they carry
/// tenant data), no MIME sniffing, no framing, no referrer, and a content policy under which
/// a JSON answer opened as a page loads and runs nothing (GraphiQL's page sets a looser one).
fn security_headers() -> middleware::DefaultHeaders {
    middleware::DefaultHeaders::new()
        .add((header::CACHE_CONTROL, "no-store"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
}

/// Connections one worker keeps open at most: the process's file-descriptor limit (raised to
/// its hard limit at start) shared by the workers, with room left for the database, logs and
/// the listener, so a flood of connections meets a refusal, not "too many open files".
fn max_connections_per_worker(workers: usize) -> usize {
    let limit = raise_open_files_limit();
    (limit.saturating_sub(256) / workers.max(1)).clamp(64, 25_000)
}

#[cfg(unix)]
fn raise_open_files_limit() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
}

#[cfg(not(unix))]
fn raise_open_files_limit() -> usize {
    1024
}

/// Counts a new connection for its client address for as long as it is open (the count lives
/// in the connection's extensions, dropped with it), or shuts it down at once when the address
/// already has its share: one address cannot take every connection the server can hold.
fn admit_connection(
    door: &Arc<FrontDoor>,
    conn: &dyn std::any::Any,
    extensions: &mut actix_web::dev::Extensions,
) {
    let Some(stream) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() else {
        return;
    };
    let Ok(peer) = stream.peer_addr() else {
        return;
    };
    match door.connect(peer.ip()) {
        Some(counted) => {
            extensions.insert(counted);
        }
        None => {
            tracing::info!(address = %peer.ip(), "too many connections from one address");
            #[cfg(unix)]
            {
                use std::os::fd::AsRawFd;
                // SAFETY: shutdown only changes the state of a socket this connection owns; the
                // descriptor stays open until the connection is dropped, which follows at once.
                unsafe {
                    libc::shutdown(stream.as_raw_fd(), libc::SHUT_RDWR);
                }
            }
        }
    }
}

/// How long a draining server waits for requests in flight after SIGTERM or SIGINT.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// Starts serving on an already bound listener (port 0 in tests).
pub fn serve(listener: TcpListener, state: AppState, workers: usize) -> std::io::Result<Server> {
    let mut origins = state.cors_origins.clone();
    origins.extend(own_origins(listener.local_addr()?));
    let origins = Arc::new(origins);
    let headers = Arc::new(state.cors_headers.clone());
    let door = state.door.clone();
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            // gzip or Brotli, as the client's Accept-Encoding asks (lists run to megabytes).
            .wrap(middleware::Compress::default())
            .wrap(cors(origins.clone(), headers.clone()))
            .wrap(security_headers())
            .wrap_fn(|req, service| {
                use actix_web::dev::Service;
                use tracing::Instrument;
                let arrival = access::Arrival::of(&req);
                let span = crate::telemetry::traces::request_span(&req);
                let answered = span.in_scope(|| service.call(req));
                async move {
                    let res = answered.instrument(span.clone()).await?;
                    let status = res.status().as_u16();
                    span.record("http.response.status_code", status);
                    if status >= 500 {
                        span.record("otel.status_code", "ERROR");
                    }
                    arrival.log(&res);
                    Ok(res)
                }
            })
            .configure(routes)
    })
    .on_connect(move |conn, extensions| admit_connection(&door, conn, extensions))
    .workers(workers.max(1))
    // Small writes (a subscription's event, a short answer) go out at once, not after the
    // peer's delayed ACK.
    .tcp_nodelay(true)
    .max_connections(max_connections_per_worker(workers))
    // A request's head must arrive within 5 s, and an idle keep-alive connection closes
    // after 5 s: slow or idle connections cannot pile up.
    .client_request_timeout(Duration::from_secs(5))
    .keep_alive(Duration::from_secs(5))
    .shutdown_timeout(SHUTDOWN_TIMEOUT.as_secs())
    .listen(listener)?
    .run();
    Ok(server)
}
