//! Money as ACE writes it: a decimal string with at most two fractional digits
//! (`(0|[1-9][0-9]{0,30})(\.[0-9]{0,2})?`), stored as integer cents so sums and ordering are
//! exact in SQL.

/// Cents of a decimal amount string, or why it is not one. Amounts beyond what 64-bit cents
/// hold (about 92 quadrillion) are refused rather than rounded.
pub fn parse_cents(text: &str) -> Result<i64, &'static str> {
    const SHAPE: &str = "must be a decimal amount with at most two decimals, such as 12500.00";
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 2
        || (whole.len() > 1 && whole.starts_with('0'))
    {
        return Err(SHAPE);
    }
    let whole: i64 = whole.parse().map_err(|_| "is too large")?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| SHAPE)?;
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(fraction))
        .ok_or("is too large")
}

/// The decimal string of an amount in cents, always with two decimals.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}
