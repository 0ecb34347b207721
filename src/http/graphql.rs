//! The GraphQL endpoint. Transport rules come first, decided from the headers before any body
//! byte is read: JSON bodies only (415), the address's and subject's limits (429), a bearer
//! token (401), a declared size within the limit (413). Then the body, within its deadline and
//! the process's byte budget; no batches (400), queries only over GET (405). Then one execution
//! within the subject's concurrency and the request deadline, panics contained, and every
//! error given a code.
use super::access::GraphqlAccess;
use super::front_door::{Counted, MUTATION_COST};
use super::{AppState, MAX_BODY_BYTES};
use crate::auth::{RejectReason, Viewer};
use crate::error::AppError;
use crate::graphql::errors;
use crate::graphql::loaders::Loaders;
use crate::telemetry::request::{self, RequestCost};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::OperationType;
use futures_util::{FutureExt, StreamExt};
use serde_json::{Value, json};
use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use tokio::sync::OwnedSemaphorePermit;
use tracing::Instrument;

fn error_response(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status)
        .json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }));
    GraphqlAccess {
        outcome: code.to_string(),
        ..Default::default()
    }
    .attach(&mut response);
    response
}

/// An error refused at the transport level, with the status and headers its code implies.
fn app_error_response(err: AppError) -> HttpResponse {
    let (status, retry_after) = match &err {
        AppError::RateLimited {
            retry_after_seconds,
        } => (StatusCode::TOO_MANY_REQUESTS, Some(*retry_after_seconds)),
        AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, Some(1)),
        AppError::Timeout => (StatusCode::GATEWAY_TIMEOUT, None),
        _ => (StatusCode::BAD_REQUEST, None),
    };
    let mut response = error_response(status, err.code(), &err.message());
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    }
    response
}

/// An answer given instead of executing (boxed: responses are large).
type Refusal = Box<HttpResponse>;

async fn authenticate(state: &AppState, req: &HttpRequest) -> Result<Viewer, Refusal> {
    let header_value = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = header_value
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    state
        .tokens
        .verify(token)
        .await
        .map(|(viewer, _)| viewer)
        .map_err(|rejection| {
            tracing::info!(reason = %rejection, "unauthenticated request");
            if rejection.reason == RejectReason::ProviderUnavailable {
                // The token may be good: the client should retry, not sign the user out.
                return refusal(AppError::Unavailable(rejection.detail));
            }
            let mut response = error_response(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "authentication required",
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            Box::new(response)
        })
}

/// Everything decided from the request line and headers, before any body byte is read: the
/// address's share of requests in flight and of the rate, the token, the subject's rate.
struct Admitted {
    viewer: Viewer,
    _in_flight: Counted,
}

fn refusal(err: AppError) -> Refusal {
    Box::new(app_error_response(err))
}

async fn admit(state: &AppState, req: &HttpRequest) -> Result<Admitted, Refusal> {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED));
    let forwarded_for = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    let addr = state.door.client_address(peer, forwarded_for);
    let in_flight = state.door.enter(addr).ok_or_else(|| {
        refusal(AppError::RateLimited {
            retry_after_seconds: 1,
        })
    })?;
    state.door.charge_address(addr).map_err(refusal)?;
    let viewer = authenticate(state, req).await?;
    state
        .door
        .charge_subject(&viewer.subject, 1.0)
        .map_err(refusal)?;
    Ok(Admitted {
        viewer,
        _in_flight: in_flight,
    })
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

fn too_large() -> Refusal {
    Box::new(error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        "BAD_USER_INPUT",
        &format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
    ))
}

/// Reads the body within the body deadline and the size limit, holding its bytes in the
/// process-wide budget until the returned permit is dropped.
async fn read_body(
    state: &AppState,
    req: &HttpRequest,
    mut payload: web::Payload,
) -> Result<(web::BytesMut, OwnedSemaphorePermit), Refusal> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(too_large());
    }
    let busy = || refusal(AppError::Unavailable("the body budget is exhausted".into()));
    let mut held = state.door.buffer(0).ok_or_else(busy)?;
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(64 * 1024));
    let deadline = tokio::time::Instant::now() + state.door.limits.body_timeout;
    loop {
        let chunk = match tokio::time::timeout_at(deadline, payload.next()).await {
            Err(_) => {
                return Err(Box::new(error_response(
                    StatusCode::REQUEST_TIMEOUT,
                    "TIMEOUT",
                    "the request body did not arrive in time",
                )));
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => {
                return Err(Box::new(error_response(
                    StatusCode::BAD_REQUEST,
                    "BAD_USER_INPUT",
                    "the request body could not be read",
                )));
            }
            Ok(Some(Ok(chunk))) => chunk,
        };
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        held.merge(state.door.buffer(chunk.len()).ok_or_else(busy)?);
        body.extend_from_slice(&chunk);
    }
    Ok((body, held))
}

/// The media type of a GraphQL answer (GraphQL over HTTP): `application/graphql-response+json`
/// when the client accepts it, with 400 for a request that failed before execution; the
/// legacy `application/json` otherwise, always 200 once executed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn of(req: &HttpRequest) -> Media {
        let accepts = req
            .headers()
            .get_all(header::ACCEPT)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|part| {
                part.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .any(|essence| essence == GRAPHQL_RESPONSE);
        if accepts {
            Media::GraphqlResponse
        } else {
            Media::Json
        }
    }

    /// The status of a request refused before execution: 400 in the new media type, 200 in
    /// the legacy one (a GraphQL error the client reads, e.g. Apollo's persisted-query link).
    fn request_error_status(self) -> StatusCode {
        match self {
            Media::GraphqlResponse => StatusCode::BAD_REQUEST,
            Media::Json => StatusCode::OK,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json",
        }
    }
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

pub async fn post(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    if !is_json(&req) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "POST /graphql takes Content-Type: application/json",
        );
    }
    let admitted = match admit(&state, &req).await {
        Ok(admitted) => admitted,
        Err(response) => return *response,
    };
    let (body, held) = match read_body(&state, &req, payload).await {
        Ok(read) => read,
        Err(response) => return *response,
    };
    let media = Media::of(&req);
    let request = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(_)) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                "batched requests are not supported",
            );
        }
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    drop(body);
    drop(held);
    let request = match request.map(|map| graphql_request(&state, map, media)) {
        Some(Ok(request)) => request,
        Some(Err(refused)) => return *refused,
        None => return bad_body(),
    };
    execute(&state, admitted.viewer, request, media, request_id(&req)).await
}

fn bad_body() -> HttpResponse {
    error_response(
        StatusCode::BAD_REQUEST,
        "BAD_USER_INPUT",
        "the body must be a JSON object with a \"query\" string (and optional \"variables\", \"operationName\", \"extensions\")",
    )
}

/// The request a GraphQL-over-HTTP parameter map stands for, its document looked up first
/// when the map names a persisted one (`persisted`).
fn graphql_request(
    state: &AppState,
    mut map: serde_json::Map<String, Value>,
    media: Media,
) -> Result<async_graphql::Request, Refusal> {
    if let Err(refused) = state.persisted.resolve(&mut map) {
        let mut response = error_response(
            media.request_error_status(),
            refused.code(),
            &refused.message(),
        );
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static(media.content_type()),
        );
        return Err(Box::new(response));
    }
    if !map.get("query").is_some_and(Value::is_string) {
        return Err(Box::new(bad_body()));
    }
    serde_json::from_value::<async_graphql::Request>(Value::Object(map))
        .map_err(|_| Box::new(bad_body()))
}

pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let admitted = match admit(&state, &req).await {
        Ok(admitted) => admitted,
        Err(response) => return *response,
    };
    let media = Media::of(&req);
    let mut request = match get_params(req.query_string())
        .map(|map| graphql_request(&state, map, media))
    {
        Some(Ok(request)) => request,
        Some(Err(refused)) => return *refused,
        None => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                "GET /graphql takes ?query=...&operationName=...&variables=<JSON object>&extensions=<JSON object>",
            );
        }
    };
    if operation_type(&mut request) != OperationType::Query {
        let mut response = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_USER_INPUT",
            "GET runs queries only; send mutations with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
        return response;
    }
    execute(&state, admitted.viewer, request, media, request_id(&req)).await
}

#[derive(serde::Deserialize)]
struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
    #[serde(rename = "documentId")]
    document_id: Option<String>,
}

/// GraphQL-over-HTTP GET parameters as the map a POST body holds; `variables` and
/// `extensions` are JSON objects in the query string.
fn get_params(query_string: &str) -> Option<serde_json::Map<String, Value>> {
    let params = web::Query::<GetParams>::from_query(query_string)
        .ok()?
        .into_inner();
    let mut map = serde_json::Map::new();
    if let Some(query) = params.query {
        map.insert("query".into(), Value::String(query));
    }
    if let Some(name) = params.operation_name.filter(|n| !n.is_empty()) {
        map.insert("operationName".into(), Value::String(name));
    }
    if let Some(id) = params.document_id {
        map.insert("documentId".into(), Value::String(id));
    }
    for (key, text) in [
        ("variables", params.variables),
        ("extensions", params.extensions),
    ] {
        if let Some(text) = text.filter(|v| !v.is_empty()) {
            match serde_json::from_str::<Value>(&text).ok()? {
                value @ Value::Object(_) => map.insert(key.into(), value),
                _ => return None,
            };
        }
    }
    Some(map)
}

/// The type of the operation a request would run. The document is parsed here once and kept in
/// the request, so execution does not parse it again (the request policy still sees it). An
/// unparsable document counts as a query: the executor reports the syntax error as usual.
pub(super) fn operation_type(request: &mut async_graphql::Request) -> OperationType {
    let name = request.operation_name.clone();
    let Ok(doc) = request.parsed_query() else {
        return OperationType::Query;
    };
    let mut ops = doc.operations.iter();
    let chosen = match name.as_deref() {
        Some(name) => ops.find(|(op_name, _)| op_name.is_some_and(|n| n.as_str() == name)),
        None => ops.next(),
    };
    chosen.map_or(OperationType::Query, |(_, op)| op.node.ty)
}

pub async fn method_not_allowed() -> HttpResponse {
    let mut response = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "BAD_USER_INPUT",
        "use GET or POST",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
    response
}

/// The caller's `X-Request-Id` when it is a plain token (1 to 64 letters, digits, `-`, `_`,
/// `.`), so a front-end's id follows the request into the logs; otherwise a fresh one.
fn request_id(req: &HttpRequest) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_string)
}

async fn execute(
    state: &AppState,
    viewer: Viewer,
    mut request: async_graphql::Request,
    media: Media,
    request_id: String,
) -> HttpResponse {
    let kind = operation_type(&mut request);
    let mutation = kind == OperationType::Mutation;
    let mut access = GraphqlAccess {
        operation_name: operation_name(&mut request),
        operation_type: match kind {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        },
        subject: Some(viewer.subject.clone()),
        outcome: String::new(),
    };
    if mutation
        && let Err(err) = state
            .door
            .charge_subject(&viewer.subject, MUTATION_COST - 1.0)
    {
        return refused(access, err);
    }
    let _slot = match state.door.subject_slot(&viewer.subject).await {
        Ok(slot) => slot,
        Err(err) => return refused(access, err),
    };
    let span = tracing::info_span!(
        "graphql",
        otel.name = tracing::field::Empty,
        graphql.operation.type = access.operation_type,
        graphql.operation.name = access.operation_name.as_deref().unwrap_or(""),
        request_id = %request_id,
        enduser.id = %viewer.subject,
    );
    crate::telemetry::traces::name(&span, || {
        format!(
            "{} {}",
            access.operation_type,
            access.operation_name.as_deref().unwrap_or("anonymous")
        )
    });
    let loaders = Loaders::new(&state.db, &viewer, state.loader_delay);
    let request = request.data(viewer).data(loaders);
    let cost = std::sync::Arc::new(RequestCost::default());
    let run = AssertUnwindSafe(request::counted(
        cost.clone(),
        state.schema.execute(request),
    ))
    .catch_unwind();
    let outcome = tokio::time::timeout(state.door.limits.request_timeout, run)
        .instrument(span)
        .await;
    crate::telemetry::metrics()
        .statements_per_request
        .observe(f64::from(cost.statements()));
    let mut body = match outcome {
        Err(_) => {
            tracing::warn!(request_id, "request ran past its deadline");
            let mut response = refused(access, AppError::Timeout);
            response.headers_mut().insert(
                header::HeaderName::from_static("x-request-id"),
                header::HeaderValue::from_str(&request_id)
                    .unwrap_or(header::HeaderValue::from_static("")),
            );
            return response;
        }
        Ok(Ok(response)) => response,
        Ok(Err(_)) => {
            tracing::error!(request_id, "request execution panicked");
            errors::internal()
        }
    };
    errors::normalize(&mut body, &request_id);
    let mut response = HttpResponse::Ok();
    response.insert_header(("x-request-id", request_id.clone()));
    if errors::has_code(&body, "UNAVAILABLE") {
        // Refusals before execution (the body budget) never reach here: this was a database.
        state.faults.note();
        response
            .status(StatusCode::SERVICE_UNAVAILABLE)
            .insert_header((header::RETRY_AFTER, "1"));
    } else if mutation && body.errors.is_empty() {
        state.faults.clear();
    }
    let request_error = errors::is_request_error(&body);
    if request_error && !errors::has_code(&body, "UNAVAILABLE") {
        response.status(media.request_error_status());
    }
    // Written once, straight from the executor's result: fields in the request's order. A
    // request that failed before execution has no `data` entry (GraphQL spec, "Response").
    let written = if request_error {
        serde_json::to_vec(&json!({ "errors": body.errors }))
    } else {
        serde_json::to_vec(&body)
    };
    let bytes = written.unwrap_or_else(|err| {
        tracing::error!(request_id, error = %err, "response serialisation failed");
        br#"{"data":null,"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#
            .to_vec()
    });
    access.outcome = errors::first_code(&body).unwrap_or("OK").to_string();
    let mut response = response.content_type(media.content_type()).body(bytes);
    access.attach(&mut response);
    response
}

/// A request refused after its subject was known, with what the access line says of it.
fn refused(mut access: GraphqlAccess, err: AppError) -> HttpResponse {
    access.outcome = err.code().to_string();
    let mut response = app_error_response(err);
    access.attach(&mut response);
    response
}

/// The name of the operation a request runs: the one it names, or its only operation's.
fn operation_name(request: &mut async_graphql::Request) -> Option<String> {
    if let Some(name) = request.operation_name.clone() {
        return Some(name);
    }
    let doc = request.parsed_query().ok()?;
    doc.operations
        .iter()
        .next()
        .and_then(|(name, _)| name.map(|n| n.to_string()))
}
