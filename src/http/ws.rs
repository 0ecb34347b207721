//! GraphQL over WebSocket at `/graphql/ws`: graphql-transport-ws (the graphql-ws library) and
//! the legacy graphql-ws (subscriptions-transport-ws), chosen by `Sec-WebSocket-Protocol`.
//!
//! Browsers cannot set headers on a WebSocket, so the token comes in `connection_init`
//! (`{"Authorization": "Bearer …"}`). A connection without a valid token within the init
//! timeout is closed (4403, 4408); it closes when its token expires (4403), when its subject
//! holds too many connections or it holds too many subscriptions (1008), and when it falls
//! too far behind (1013). The server pings every keep-alive interval and drops a peer silent
//! for two. Mutations go over HTTP, where rate limits and idempotency apply.
use super::AppState;
use crate::auth::{RejectReason, Viewer};
use crate::graphql::AppSchema;
use crate::graphql::ctx::LazyLoaders;
use crate::live::{Close, Connection, SubjectGuard};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use async_graphql::http::{WebSocket, WebSocketProtocols as Protocols, WsMessage};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Request, Response, ServerError};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Largest message a client may send (a subscribe with its document and variables).
const MAX_MESSAGE_BYTES: usize = 256 * 1024;

pub async fn subscribe(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let protocol = req
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|h| h.to_str().ok())
        .and_then(|offered| {
            offered
                .split(',')
                .find_map(|p| p.trim().parse::<Protocols>().ok())
        });
    let Some(protocol) = protocol else {
        return Ok(HttpResponse::BadRequest().json(json!({ "errors": [{
            "message": "Sec-WebSocket-Protocol must offer graphql-transport-ws or graphql-ws",
            "extensions": { "code": "BAD_USER_INPUT" } }] })));
    };
    let (mut response, session, messages) = actix_ws::handle(&req, body)?;
    response.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        header::HeaderValue::from_static(protocol.sec_websocket_protocol()),
    );
    let messages = messages
        .max_frame_size(MAX_MESSAGE_BYTES)
        .aggregate_continuations()
        .max_continuation_size(MAX_MESSAGE_BYTES);
    actix_web::rt::spawn(run(state.into_inner(), protocol, session, messages));
    Ok(response)
}

/// What a successful `connection_init` hands to the connection's loop.
struct Admitted {
    expires_at: u64,
    _subject: SubjectGuard,
}

fn bearer(payload: &Value) -> Option<&str> {
    let headers = [payload, &payload["headers"]];
    headers
        .iter()
        .find_map(|h| {
            h.get("Authorization")
                .or_else(|| h.get("authorization"))
                .and_then(Value::as_str)
        })
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn refusal(message: &str, code: u16) -> async_graphql::Error {
    let mut err = async_graphql::Error::new(message);
    err.extensions
        .get_or_insert_with(Default::default)
        .set("closeCode", code);
    err
}

async fn run(
    state: Arc<AppState>,
    protocol: Protocols,
    mut session: Session,
    mut messages: actix_ws::AggregatedMessageStream,
) {
    let settings = state.hub.settings().clone();
    let (close_tx, mut close_rx) = mpsc::channel::<Close>(4);
    let (admit_tx, mut admit_rx) = tokio::sync::oneshot::channel::<Admitted>();
    let (input_tx, input_rx) = mpsc::channel::<String>(16);
    let mut connection_data = Data::default();
    connection_data.insert(Connection::new(state.hub.clone(), close_tx));
    let init_state = state.clone();
    let on_init = move |payload: Value| async move {
        let state = init_state;
        let (viewer, expires_at): (Viewer, u64) = state
            .tokens
            .verify(bearer(&payload))
            .await
            .map_err(|rejection| {
                tracing::info!(reason = %rejection, "WebSocket connection refused");
                match rejection.reason {
                    RejectReason::ProviderUnavailable => refusal(
                        "Try again later: identity provider unavailable",
                        Close::TRY_AGAIN_LATER,
                    ),
                    RejectReason::Missing => refusal("Forbidden: no bearer token", 4403),
                    _ => refusal("Forbidden: invalid token", 4403),
                }
            })?;
        let subject = state.hub.admit(&viewer.subject).ok_or_else(|| {
            crate::telemetry::metrics().limited("ws_connections");
            refusal(
                &format!(
                    "Too many connections for this subject (limit {})",
                    state.hub.settings().max_connections_per_subject
                ),
                Close::POLICY,
            )
        })?;
        let _ = admit_tx.send(Admitted {
            expires_at,
            _subject: subject,
        });
        let mut data = Data::default();
        data.insert(LazyLoaders::new(
            state.db.clone(),
            viewer.clone(),
            state.loader_delay,
        ));
        data.insert(viewer);
        Ok(data)
    };
    let input = Box::pin(futures_util::stream::unfold(
        input_rx,
        |mut rx| async move { rx.recv().await.map(|text| (text, rx)) },
    ));
    let mut graphql = WebSocket::new(NoMutations(state.schema.clone()), input, protocol)
        .connection_data(connection_data)
        .on_connection_init(on_init);

    let init_deadline = tokio::time::sleep(settings.init_timeout);
    tokio::pin!(init_deadline);
    let expiry = tokio::time::sleep(Duration::from_secs(u64::MAX / 4));
    tokio::pin!(expiry);
    let mut admitted: Option<Admitted> = None;
    let mut awaiting_admission = true;
    // Each connection pings on its own phase: connections opened together (after a deploy, a
    // network blip) must not all ping, and be answered, in the same instant.
    let mut random = [0u8; 2];
    let _ = getrandom::fill(&mut random);
    let phase = settings
        .keepalive
        .mul_f64(f64::from(u16::from_le_bytes(random)) / f64::from(u16::MAX));
    let mut keepalive = tokio::time::interval_at(
        tokio::time::Instant::now() + settings.keepalive + phase,
        settings.keepalive,
    );
    let mut last_heard = Instant::now();
    let mut stopping = state.hub.stopping();

    let close = loop {
        tokio::select! {
            incoming = messages.recv() => match incoming {
                Some(Ok(AggregatedMessage::Text(text))) => {
                    last_heard = Instant::now();
                    if input_tx.send(text.to_string()).await.is_err() {
                        break None;
                    }
                }
                Some(Ok(AggregatedMessage::Binary(_))) => {
                    break Some(Close { code: 4400, reason: "Binary messages are not part of the protocol".into() });
                }
                Some(Ok(AggregatedMessage::Ping(bytes))) => {
                    last_heard = Instant::now();
                    if session.pong(&bytes).await.is_err() {
                        break None;
                    }
                }
                Some(Ok(AggregatedMessage::Pong(_))) => last_heard = Instant::now(),
                Some(Ok(AggregatedMessage::Close(_))) | None => break None,
                Some(Err(err)) => {
                    break Some(Close { code: 1009, reason: format!("Message refused: {err}") });
                }
            },
            outgoing = graphql.next() => match outgoing {
                Some(WsMessage::Text(text)) => {
                    // A socket that takes no frames for a keep-alive interval is a consumer
                    // that does not read: its events are not held for it.
                    match tokio::time::timeout(settings.keepalive, session.text(text)).await {
                        Ok(Ok(())) => {}
                        Ok(Err(_)) => break None,
                        Err(_) => break Some(Close {
                            code: Close::TRY_AGAIN_LATER,
                            reason: "Subscriber too slow: the connection took no events".into(),
                        }),
                    }
                }
                Some(WsMessage::Close(code, reason)) => break Some(Close { code, reason }),
                // The protocol ended the connection: the legacy protocol after refusing
                // `connection_init` (its `connection_error` is sent), or on terminate.
                None if admitted.is_none() => break Some(Close { code: 4403, reason: "Forbidden".into() }),
                None => break Some(Close { code: 1000, reason: String::new() }),
            },
            admit = &mut admit_rx, if awaiting_admission => {
                // A refused connection_init drops the sender: the protocol closes the socket.
                awaiting_admission = false;
                if let Ok(admit) = admit {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap_or_default()
                        .as_secs();
                    let left = Duration::from_secs(admit.expires_at.saturating_sub(now));
                    expiry.as_mut().reset(tokio::time::Instant::now() + left);
                    admitted = Some(admit);
                }
            }
            _ = &mut init_deadline, if admitted.is_none() => {
                break Some(Close { code: 4408, reason: "Connection initialisation timeout".into() });
            }
            _ = &mut expiry, if admitted.is_some() => {
                break Some(Close { code: 4403, reason: "Token expired".into() });
            }
            Some(close) = close_rx.recv() => break Some(close),
            _ = stopping.wait_for(|stopping| *stopping) => {
                break Some(Close { code: Close::GOING_AWAY, reason: "Server shutting down".into() });
            }
            _ = keepalive.tick() => {
                if last_heard.elapsed() > settings.keepalive * 2 {
                    break Some(Close { code: 3008, reason: "Keep-alive timeout".into() });
                }
                if session.ping(b"").await.is_err() {
                    break None;
                }
                if admitted.is_some() {
                    let ping = match protocol {
                        Protocols::GraphQLWS => r#"{"type":"ping"}"#,
                        Protocols::SubscriptionsTransportWS => r#"{"type":"ka"}"#,
                    };
                    if session.text(ping).await.is_err() {
                        break None;
                    }
                }
            }
        }
    };
    let reason = close.map(|close| CloseReason {
        code: CloseCode::from(close.code),
        description: Some(close.reason),
    });
    // The close frame queues behind what the socket has not taken: a client that stops
    // reading gets at most a moment, then its connection is dropped.
    let _ = tokio::time::timeout(Duration::from_secs(1), session.close(reason)).await;
}

/// The schema for WebSocket operations: subscriptions and queries; mutations are refused
/// (they go over HTTP, under its rate limits).
#[derive(Clone)]
struct NoMutations(AppSchema);

impl Executor for NoMutations {
    async fn execute(&self, request: Request) -> Response {
        self.0.execute(request).await
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        if super::graphql::operation_type(&mut request) == OperationType::Mutation {
            let mut error = ServerError::new("mutations go over HTTP: POST /graphql", None);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", "BAD_USER_INPUT");
            return futures_util::stream::once(async move { Response::from_errors(vec![error]) })
                .boxed();
        }
        let request_id = uuid::Uuid::new_v4().simple().to_string();
        self.0
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
            .map(move |mut response| {
                crate::graphql::errors::normalize(&mut response, &request_id);
                response
            })
            .boxed()
    }
}
