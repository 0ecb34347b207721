//! The contract's scalars: `DateTime` (RFC 3339, UTC), `Date` (YYYY-MM-DD) and `Decimal` (a
//! decimal string). `JSON` is async-graphql's own `Json`.
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, SecondsFormat, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An instant, in RFC 3339 with a zone (`2026-12-01T09:30:00Z`); answered in UTC.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://scalars.graphql.org/andimarek/date-time"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
                .map(|d| DateTime(d.with_timezone(&Utc)))
                .map_err(|_| {
                    InputValueError::custom(
                        "expected an RFC 3339 date-time such as 2026-11-27T10:00:00Z",
                    )
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::Micros, true))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD` (`2027-03-31`).
#[Scalar(
    name = "Date",
    specified_by_url = "https://scalars.graphql.org/andimarek/local-date"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("expected a date such as 2026-11-27")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A non-negative amount with at most two decimals, e.g. "12500.00", held as cents. Inputs are
/// at most `money::MAX_CENTS`; outputs (sums) may be larger, hence 128 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal(pub i128);

impl Decimal {
    /// The cents of an input amount, which parsing bounded to `money::MAX_CENTS`.
    pub fn cents(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }
}

/// An amount as a decimal string with at most two decimals (`"12500.00"`), never a float;
/// inputs are at most 1,000,000,000,000.00 and not negative.
#[Scalar(
    name = "Decimal",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc8259#section-7"
)]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => crate::domain::money::parse_cents(s.trim())
                .map(|cents| Decimal(cents.into()))
                .map_err(|why| InputValueError::custom(format!("amount {why}"))),
            _ => Err(InputValueError::custom(
                "expected a decimal string such as \"12500.00\"",
            )),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(crate::domain::money::format_cents(self.0))
    }
}
