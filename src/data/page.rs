//! Keyset pagination: opaque cursors carry the sort key of the last row seen, and the next page
//! is `WHERE (k1, k2, ...) > (v1, v2, ...)` under the same ordering, never OFFSET.
use crate::error::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::Condition;
use sea_orm::sea_query::{Expr, ExprTrait};

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;

/// A forward page request: `first` rows after the cursor `after`.
#[derive(Clone, Debug)]
pub struct PageArgs {
    pub first: u64,
    pub after: Option<Vec<serde_json::Value>>,
}

impl PageArgs {
    pub fn forward(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        let first = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n < 0 || n as u64 > MAX_PAGE_SIZE => {
                return Err(AppError::bad_field(
                    "first",
                    "VALUE_OUT_OF_RANGE",
                    format!("must be between 0 and {MAX_PAGE_SIZE}"),
                ));
            }
            Some(n) => n as u64,
        };
        let after = after.map(|c| decode_cursor("after", c)).transpose()?;
        Ok(PageArgs { first, after })
    }
}

pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next: bool,
    pub has_previous: bool,
    /// Only computed when the client selected `totalCount`.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// Builds a page from `first + 1` fetched rows.
    pub fn from_rows(mut rows: Vec<T>, args: &PageArgs, total: Option<u64>) -> Self {
        let has_next = rows.len() as u64 > args.first;
        rows.truncate(args.first as usize);
        Page {
            rows,
            has_next,
            has_previous: args.after.is_some(),
            total,
        }
    }
}

pub fn encode_cursor(values: &[serde_json::Value]) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::Value::Array(values.to_vec()).to_string())
}

pub fn decode_cursor(field: &str, cursor: &str) -> AppResult<Vec<serde_json::Value>> {
    let bad = || AppError::bad_field(field, "INVALID_VALUE", "not a cursor of this list");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    match serde_json::from_slice(&bytes) {
        Ok(serde_json::Value::Array(values)) => Ok(values),
        _ => Err(bad()),
    }
}

/// Rows strictly after `values` in the order of `keys` (each ascending unless its flag says
/// descending): `k1 > v1 OR (k1 = v1 AND k2 > v2) OR ...`.
pub fn after_condition(keys: &[(Expr, bool)], values: &[sea_orm::Value]) -> Condition {
    let mut any = Condition::any();
    for i in 0..keys.len().min(values.len()) {
        let mut all = Condition::all();
        for j in 0..i {
            all = all.add(keys[j].0.clone().eq(values[j].clone()));
        }
        let (expr, desc) = &keys[i];
        all = all.add(if *desc {
            expr.clone().lt(values[i].clone())
        } else {
            expr.clone().gt(values[i].clone())
        });
        any = any.add(all);
    }
    any
}

/// A cursor value as a string, or a BAD_USER_INPUT naming the cursor.
pub fn cursor_str(values: &[serde_json::Value], i: usize) -> AppResult<String> {
    values
        .get(i)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| AppError::bad_field("after", "INVALID_VALUE", "not a cursor of this list"))
}
