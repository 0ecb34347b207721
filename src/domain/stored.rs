//! Reading the JSON columns (lists, contacts) back. A value this server did not write is an
//! internal fault, reported as INTERNAL, never silently read as empty.
use crate::error::{AppError, AppResult};
use serde::de::DeserializeOwned;

pub fn json<T: DeserializeOwned>(value: &serde_json::Value, what: &str) -> AppResult<T> {
    serde_json::from_value(value.clone())
        .map_err(|e| AppError::internal(format!("stored {what} is not readable: {e}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_bad_stored_value_is_an_error_not_a_default() {
        let good: Vec<String> = super::json(&serde_json::json!(["a"]), "list").unwrap();
        assert_eq!(good, ["a"]);
        let bad = super::json::<Vec<String>>(&serde_json::json!({ "a": 1 }), "list");
        assert!(bad.is_err());
    }
}
