//! Money as ACE writes it: a decimal string with at most two fractional digits
//! (`(0|[1-9][0-9]{0,30})(\.[0-9]{0,2})?`), stored as integer cents so sums and ordering are
//! exact in SQL.

/// The largest amount accepted, in cents: one trillion. ACE's pattern allows 31 digits, but no
/// customer spends more a month, and the bound keeps every sum of stored amounts exact (sums
/// are taken in 128 bits).
pub const MAX_CENTS: i64 = 100_000_000_000_000;

/// Cents of a decimal amount string, or why it is not one. Amounts above `MAX_CENTS` are
/// refused rather than rounded.
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
    const TOO_LARGE: &str = "is larger than 1000000000000.00";
    let whole: i64 = whole.parse().map_err(|_| TOO_LARGE)?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| SHAPE)?;
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(fraction))
        .filter(|&c| c <= MAX_CENTS)
        .ok_or(TOO_LARGE)
}

/// The decimal string of an amount in cents, always with two decimals.
pub fn format_cents(cents: impl Into<i128>) -> String {
    let cents: i128 = cents.into();
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_as_ace_writes_them() {
        assert_eq!(parse_cents("0"), Ok(0));
        assert_eq!(parse_cents("12500"), Ok(1_250_000));
        assert_eq!(parse_cents("12500.5"), Ok(1_250_050));
        assert_eq!(parse_cents("12500.05"), Ok(1_250_005));
        assert_eq!(parse_cents("1000000000000.00"), Ok(MAX_CENTS));
        for bad in [
            "",
            ".5",
            "01",
            "1.234",
            "-1",
            "1e3",
            "1,000",
            " 1",
            "1000000000000.01",
        ] {
            assert!(parse_cents(bad).is_err(), "{bad:?}");
        }
        assert!(parse_cents("92233720368547758.07").is_err());
    }

    #[test]
    fn formatting_keeps_two_decimals_at_any_size() {
        assert_eq!(format_cents(0i64), "0.00");
        assert_eq!(format_cents(5i64), "0.05");
        assert_eq!(format_cents(-150i64), "-1.50");
        assert_eq!(
            format_cents(12_000_100_000_000_000_000_000i128),
            "120001000000000000000.00"
        );
    }
}
