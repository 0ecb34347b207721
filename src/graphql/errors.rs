//! The last look at a response before it leaves: every error gets an `extensions.code`, and an
//! error that did not come from `AppError` (a library message, a stray `Display` error) is
//! masked as INTERNAL so no internal text reaches the client.
use serde_json::{Value, json};

pub fn normalize(body: &mut Value, request_id: &str) {
    let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) else {
        return;
    };
    for error in errors {
        let has_code = error
            .pointer("/extensions/code")
            .is_some_and(Value::is_string);
        if !has_code {
            let message = error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let in_execution = error.get("path").is_some();
            let code = classify(&message, in_execution);
            if code == "INTERNAL" {
                tracing::error!(request_id, error = %message, "unclassified error masked as INTERNAL");
                error["message"] = json!("internal error");
            }
            set_extension(error, "code", json!(code));
        }
        if error.pointer("/extensions/code") == Some(&json!("INTERNAL")) {
            set_extension(error, "requestId", json!(request_id));
        }
    }
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

fn set_extension(error: &mut Value, key: &str, value: Value) {
    if !error.get("extensions").is_some_and(Value::is_object) {
        error["extensions"] = json!({});
    }
    error["extensions"][key] = value;
}

/// Whether any error of a response carries `code`.
pub fn has_code(body: &Value, code: &str) -> bool {
    body.get("errors")
        .and_then(Value::as_array)
        .is_some_and(|errors| {
            errors
                .iter()
                .any(|e| e.pointer("/extensions/code").and_then(Value::as_str) == Some(code))
        })
}
