//! The GraphQL endpoint. Transport rules come first: JSON bodies only (415), a bearer token
//! on every request (401), no batches (400), queries only over GET (405). Then one execution
//! with per-request data, panics contained, and every error given a code.
use super::AppState;
use crate::auth::Viewer;
use crate::data::loaders::Loaders;
use crate::graphql::errors;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::OperationType;
use futures_util::FutureExt;
use serde_json::{Value, json};
use std::panic::AssertUnwindSafe;
use tracing::Instrument;

fn error_response(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))
}

fn authenticate(state: &AppState, req: &HttpRequest) -> Result<Viewer, Box<HttpResponse>> {
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
    let result = match token {
        Some(token) if !token.is_empty() => state.keys.verify(token),
        _ => Err("no bearer token".to_string()),
    };
    result.map_err(|reason| {
        tracing::info!(%reason, "unauthenticated request");
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

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

pub async fn post(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    if !is_json(&req) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "POST /graphql takes Content-Type: application/json",
        );
    }
    let viewer = match authenticate(&state, &req) {
        Ok(viewer) => viewer,
        Err(response) => return *response,
    };
    let request = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(_)) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                "batched requests are not supported",
            );
        }
        Ok(value) if value.get("query").is_some_and(Value::is_string) => {
            serde_json::from_value::<async_graphql::Request>(value)
        }
        Ok(_) => Err(serde::de::Error::custom("no query")),
        Err(err) => Err(err),
    };
    match request {
        Ok(request) => execute(&state, viewer, request).await,
        Err(_) => error_response(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "the body must be a JSON object with a \"query\" string (and optional \"variables\", \"operationName\")",
        ),
    }
}

pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let viewer = match authenticate(&state, &req) {
        Ok(viewer) => viewer,
        Err(response) => return *response,
    };
    let request = match parse_get(req.query_string()) {
        Some(request) => request,
        None => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                "GET /graphql takes ?query=...&operationName=...&variables=<JSON object>",
            );
        }
    };
    if !is_query(&request) {
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
    execute(&state, viewer, request).await
}

#[derive(serde::Deserialize)]
struct GetParams {
    query: String,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
}

/// GraphQL-over-HTTP GET parameters (async-graphql's own parser reads `operation_name`).
fn parse_get(query_string: &str) -> Option<async_graphql::Request> {
    let params = web::Query::<GetParams>::from_query(query_string)
        .ok()?
        .into_inner();
    let mut request = async_graphql::Request::new(params.query);
    if let Some(name) = params.operation_name.filter(|n| !n.is_empty()) {
        request = request.operation_name(name);
    }
    if let Some(variables) = params.variables.filter(|v| !v.is_empty()) {
        match serde_json::from_str::<Value>(&variables).ok()? {
            value @ Value::Object(_) => {
                request = request.variables(async_graphql::Variables::from_json(value))
            }
            _ => return None,
        }
    }
    Some(request)
}

/// Whether the operation a GET would run is a query. Unparsable documents pass through so the
/// executor reports the syntax error as usual.
fn is_query(request: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return true;
    };
    let mut ops = doc.operations.iter();
    let chosen = match request.operation_name.as_deref() {
        Some(name) => ops.find(|(op_name, _)| op_name.is_some_and(|n| n.as_str() == name)),
        None => ops.next(),
    };
    chosen.is_none_or(|(_, op)| op.node.ty == OperationType::Query)
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

async fn execute(
    state: &AppState,
    viewer: Viewer,
    request: async_graphql::Request,
) -> HttpResponse {
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let span = tracing::info_span!("graphql", request_id = %request_id, subject = %viewer.subject);
    let loaders = Loaders::new(&state.db, &viewer, state.loader_delay);
    let request = request.data(viewer).data(loaders);
    let outcome = AssertUnwindSafe(state.schema.execute(request))
        .catch_unwind()
        .instrument(span)
        .await;
    let mut body = match outcome.map(|response| serde_json::to_value(&response)) {
        Ok(Ok(body)) => body,
        Ok(Err(err)) => {
            tracing::error!(request_id, error = %err, "response serialisation failed");
            json!({ "data": null, "errors": [{ "message": "internal error", "extensions": { "code": "INTERNAL" } }] })
        }
        Err(_) => {
            tracing::error!(request_id, "request execution panicked");
            json!({ "data": null, "errors": [{ "message": "internal error", "extensions": { "code": "INTERNAL" } }] })
        }
    };
    errors::normalize(&mut body, &request_id);
    HttpResponse::Ok()
        .insert_header(("x-request-id", request_id))
        .json(body)
}
