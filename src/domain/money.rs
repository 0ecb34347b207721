//! Money travels as a decimal string ("12500.00") and is stored as integer cents.
use super::validate::FieldError;

/// Largest amount accepted: 10^15 cents keeps sums far from i64 overflow.
const MAX_CENTS: i64 = 1_000_000_000_000_000;

pub fn parse_cents(field: &str, text: &str) -> Result<i64, FieldError> {
    let bad = || {
        FieldError::new(
            field,
            "INVALID_VALUE",
            "must be a decimal amount with at most 2 decimals, e.g. \"12500.00\"",
        )
    };
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || whole.len() > 16
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| bad())?
    };
    let cents = whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(frac))
        .ok_or_else(bad)?;
    if cents > MAX_CENTS {
        return Err(FieldError::new(
            field,
            "VALUE_OUT_OF_RANGE",
            "amount is too large",
        ));
    }
    Ok(cents)
}

pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}
