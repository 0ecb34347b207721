//! The last look at a response before it leaves: every error gets an `extensions.code`, and an
//! error that did not come from `AppError` (a library message, a stray `Display` error) is
//! masked as INTERNAL so no internal text reaches the client.
use async_graphql::{Response, ServerError, Value as ConstValue};

pub fn normalize(response: &mut Response, request_id: &str) {
    for error in &mut response.errors {
        // Line 0 is no place in a document (the spec's lines count from 1).
        error.locations.retain(|pos| pos.line > 0);
        let has_code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .is_some_and(|c| matches!(c, ConstValue::String(_)));
        if !has_code {
            let code = classify(&error.message, !error.path.is_empty());
            if code == "INTERNAL" {
                tracing::error!(request_id, error = %error.message, "unclassified error masked as INTERNAL");
                error.message = "internal error".into();
            }
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
        let internal = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .is_some_and(|c| *c == ConstValue::String("INTERNAL".into()));
        if internal {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("requestId", request_id);
        }
    }
}

/// The answer to a request that failed inside cosell (a panic): no detail.
pub fn internal() -> Response {
    let mut error = ServerError::new("internal error", None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", "INTERNAL");
    Response::from_errors(vec![error])
}

fn classify(message: &str, in_execution: bool) -> &'static str {
    let limit_hit = [
        "too complex",
        "nested too deep",
        "number of directives",
        "recursion depth",
    ]
    .iter()
    .any(|m| message.contains(m));
    if limit_hit {
        "QUERY_TOO_COMPLEX"
    } else if !in_execution
        || message.starts_with("Failed to parse")
        || message.starts_with("Invalid value")
        || message.starts_with("Expected input type")
        || message.contains("(occurred while parsing \"")
    {
        // Syntax, validation and argument coercion errors (a scalar of the wrong JSON type
        // inside an input object among them): the request itself is wrong.
        "BAD_USER_INPUT"
    } else {
        "INTERNAL"
    }
}

/// Whether any error of a response carries `code`.
pub fn has_code(response: &Response, code: &str) -> bool {
    response.errors.iter().any(|e| error_code(e) == Some(code))
}

/// The `extensions.code` of the response's first error, if it has errors.
pub fn first_code(response: &Response) -> Option<&str> {
    response.errors.first().and_then(error_code)
}

fn error_code(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        ConstValue::String(code) => Some(code),
        _ => None,
    }
}

/// Whether the request failed before execution began (syntax, validation, variable coercion,
/// limits): then the result has no `data` entry at all, and under
/// `application/graphql-response+json` the status is 400. Field errors carry a path.
pub fn is_request_error(response: &Response) -> bool {
    !response.errors.is_empty()
        && matches!(response.data, ConstValue::Null)
        && response.errors.iter().all(|e| e.path.is_empty())
}
