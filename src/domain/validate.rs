//! Input validation that collects every problem of an input at once, with ACE-style codes
//! (REQUIRED_FIELD_MISSING, INVALID_VALUE, VALUE_OUT_OF_RANGE, ...), so a client can mark every
//! bad field in one round trip.
use crate::error::FieldCode;
use crate::error::{AppError, FieldError};

#[derive(Default)]
pub struct Validator {
    prefix: String,
    errors: Vec<FieldError>,
}

impl Validator {
    /// `prefix` is the argument the fields live under, e.g. `input`.
    pub fn new(prefix: &str) -> Self {
        Validator {
            prefix: prefix.to_string(),
            errors: Vec::new(),
        }
    }

    fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    pub fn fail(&mut self, field: &str, code: FieldCode, message: impl Into<String>) {
        let path = self.path(field);
        self.errors.push(FieldError {
            field: path,
            code,
            message: message.into(),
        });
    }

    /// A required text: trimmed, non-empty, at most `max` characters. Returns the trimmed text.
    pub fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.fail(field, FieldCode::RequiredFieldMissing, "must not be empty");
        } else {
            self.length(field, value, 1, max);
        }
        value.to_string()
    }

    /// An optional text; blank counts as absent.
    pub fn optional(
        &mut self,
        field: &str,
        value: Option<&str>,
        min: usize,
        max: usize,
    ) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.length(field, value, min, max);
        Some(value.to_string())
    }

    pub fn length(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let n = value.chars().count();
        if n < min || n > max {
            let message = if min <= 1 {
                format!("must be at most {max} characters (got {n})")
            } else {
                format!("must be {min} to {max} characters (got {n})")
            };
            self.fail(field, FieldCode::ValueOutOfRange, message);
        }
    }

    /// An http(s) URL with a host, 4..=255 characters (the ACE limit for website URLs).
    pub fn url(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = self.optional(field, value, 4, 255)?;
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"));
        let host_ok = rest
            .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""))
            .is_some_and(|host| {
                !host.is_empty() && !host.contains(char::is_whitespace) && host.contains('.')
            });
        if !host_ok {
            self.fail(
                field,
                FieldCode::InvalidStringFormat,
                "must be an http(s) URL such as https://example.com",
            );
        }
        Some(value)
    }

    pub fn check(&mut self, ok: bool, field: &str, code: FieldCode, message: &str) {
        if !ok {
            self.fail(field, code, message);
        }
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::BadInput(self.errors))
        }
    }
}

/// Text to compare titles by: lower case, punctuation dropped, runs of spaces folded.
pub fn normalize_title(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

use crate::domain::patch::Patch;

/// Patch semantics of update inputs: omitted keeps the current value, explicit null clears it
/// (or is refused where the field is required), a value replaces it after validation.
impl Validator {
    pub fn patch_required(
        &mut self,
        field: &str,
        patch: &Patch<String>,
        current: &str,
        max: usize,
    ) -> String {
        match patch {
            Patch::Absent => current.to_string(),
            Patch::Null => {
                self.fail(field, FieldCode::RequiredFieldMissing, "cannot be cleared");
                current.to_string()
            }
            Patch::Value(v) => self.required(field, v, max),
        }
    }

    pub fn patch_optional(
        &mut self,
        field: &str,
        patch: &Patch<String>,
        current: &Option<String>,
        min: usize,
        max: usize,
    ) -> Option<String> {
        match patch {
            Patch::Absent => current.clone(),
            Patch::Null => None,
            Patch::Value(v) => self.optional(field, Some(v), min, max),
        }
    }

    pub fn patch_url(
        &mut self,
        field: &str,
        patch: &Patch<String>,
        current: &Option<String>,
    ) -> Option<String> {
        self.patch_with(patch, current, |v, s| v.url(field, Some(s)))
    }

    /// A required enum in a patch: null is refused.
    pub fn patch_enum<T: Copy>(&mut self, field: &str, patch: &Patch<T>, current: T) -> T {
        match patch {
            Patch::Absent => current,
            Patch::Null => {
                self.fail(field, FieldCode::RequiredFieldMissing, "cannot be cleared");
                current
            }
            Patch::Value(v) => *v,
        }
    }

    /// An Amazon Resource Name, as ACE's Marketplace fields take.
    pub fn arn(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = self.optional(field, value, 1, 255)?;
        let parts: Vec<&str> = value.splitn(6, ':').collect();
        if parts.len() != 6
            || parts[0] != "arn"
            || parts[1].is_empty()
            || parts[2].is_empty()
            || parts[5].is_empty()
        {
            self.fail(field, FieldCode::InvalidStringFormat, "must be an ARN such as arn:aws:aws-marketplace:us-east-1:123456789012:AWSMarketplace/SaaSProduct/prod-abc");
        }
        Some(value)
    }
}

/// Distinct values in first-seen order: lists like segments are sets to the domain.
pub fn distinct<T: PartialEq + Copy>(items: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(*item);
        }
    }
    out
}

/// Formats of ACE's customer and contact fields (docs/ace-model.md §1, §2.1).
impl Validator {
    /// An email address (ACE: at most 80 characters), stored lower-cased as ACE requires.
    pub fn email(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = self.optional(field, value, 3, 80)?.to_lowercase();
        let ok = value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(char::is_whitespace)
        });
        if !ok {
            self.fail(
                field,
                FieldCode::InvalidStringFormat,
                "must be an email address such as jane@example.com",
            );
        }
        Some(value)
    }

    /// A phone number in E.164 form: `+`, then 2 to 15 digits, the first not 0.
    pub fn phone(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = self.optional(field, value, 1, 16)?;
        let digits = value.strip_prefix('+').unwrap_or("");
        let ok = (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !ok {
            self.fail(
                field,
                FieldCode::InvalidStringFormat,
                "must be an E.164 phone number such as +12065550100",
            );
        }
        Some(value)
    }

    /// Exactly `n` digits (DUNS: 9, AWS account id: 12).
    pub fn digits(&mut self, field: &str, value: Option<&str>, n: usize) -> Option<String> {
        let value = self.optional(field, value, 1, n)?;
        if value.len() != n || !value.bytes().all(|b| b.is_ascii_digit()) {
            self.fail(
                field,
                FieldCode::InvalidStringFormat,
                format!("must be exactly {n} digits"),
            );
        }
        Some(value)
    }

    /// An ISO 3166-1 alpha-2 country code (the list comes from the `celes` crate), upper-cased.
    pub fn country(&mut self, field: &str, value: &str) -> String {
        let value = value.trim().to_uppercase();
        if value.is_empty() {
            self.fail(field, FieldCode::RequiredFieldMissing, "must not be empty");
        } else if value.len() != 2 || celes::Country::from_alpha2(&value).is_err() {
            self.fail(
                field,
                FieldCode::InvalidValue,
                "must be an ISO 3166-1 alpha-2 country code such as US or DE",
            );
        }
        value
    }

    /// An optional text in a patch: omitted keeps, null clears, a value is validated.
    pub fn patch_with(
        &mut self,
        patch: &Patch<String>,
        current: &Option<String>,
        validate: impl FnOnce(&mut Self, &str) -> Option<String>,
    ) -> Option<String> {
        match patch {
            Patch::Absent => current.clone(),
            Patch::Null => None,
            Patch::Value(v) => validate(self, v),
        }
    }
}
