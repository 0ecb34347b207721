//! The one error type of the API. Each variant has a stable `extensions.code` (docs/domain.md); an
//! internal fault is logged here with its detail and reaches the client only as INTERNAL.
//!
//! `AppError` deliberately does not implement `Display`: async-graphql turns any `Display`
//! error into a message verbatim, so keeping it off makes a leaking `?` a compile error.
use async_graphql::{ErrorExtensions, Value};
use sea_orm::{DbErr, SqlErr};

#[derive(Debug)]
pub enum AppError {
    Unauthenticated(String),
    Forbidden(String),
    NotFound(&'static str),
    BadInput(Vec<FieldError>),
    Conflict(String),
    /// A write named a version the object has moved past; `extensions.currentVersion` tells
    /// the client which one to read.
    StaleVersion {
        expected: i32,
        current: i32,
    },
    NotReady(Vec<(String, String)>),
    InvalidState {
        message: String,
        field: Option<String>,
    },
    QueryTooComplex(String),
    /// Too many requests from one subject or address; retry after the given seconds.
    RateLimited {
        retry_after_seconds: u64,
    },
    /// The request's deadline passed.
    Timeout,
    /// The database (or another dependency) is down, full or overloaded: retry later. The
    /// detail is for the log only.
    Unavailable(String),
    Internal(String),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadInput(_) => "BAD_USER_INPUT",
            AppError::Conflict(_) | AppError::StaleVersion { .. } => "CONFLICT",
            AppError::NotReady(_) => "NOT_READY",
            AppError::InvalidState { .. } => "INVALID_STATE",
            AppError::QueryTooComplex(_) => "QUERY_TOO_COMPLEX",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::Timeout => "TIMEOUT",
            AppError::Unavailable(_) => "UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    pub fn bad_field(field: &str, code: FieldCode, message: impl Into<String>) -> Self {
        AppError::BadInput(vec![FieldError::new(field, code, message)])
    }

    /// A transition or a locked field, naming the field in `extensions.field`.
    pub fn invalid_state(field: &str, message: impl Into<String>) -> Self {
        AppError::InvalidState {
            message: message.into(),
            field: Some(field.to_string()),
        }
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        AppError::Internal(detail.to_string())
    }

    /// The whole story, internal detail included: for logs and the command line, never for
    /// API clients.
    pub fn detail(self) -> String {
        match self {
            AppError::Internal(detail) | AppError::Unavailable(detail) => detail,
            other => other.message(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated(m) | AppError::Forbidden(m) | AppError::Conflict(m) => {
                m.clone()
            }
            AppError::QueryTooComplex(m) => m.clone(),
            AppError::StaleVersion { expected, current } => format!(
                "the object changed since version {expected} was read (it is at version {current}); read it again and retry"
            ),
            AppError::NotFound(what) => format!("{what} not found"),
            AppError::BadInput(errors) => match errors.as_slice() {
                [one] => format!("invalid input: {}: {}", one.field, one.message),
                many => format!("invalid input in {} fields", many.len()),
            },
            AppError::NotReady(failed) => format!(
                "the opportunity is not ready to submit: {}",
                failed
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            AppError::InvalidState { message, .. } => message.clone(),
            AppError::RateLimited {
                retry_after_seconds,
            } => format!("too many requests; retry in {retry_after_seconds} s"),
            AppError::Timeout => "the request ran past its deadline".to_string(),
            AppError::Unavailable(_) => {
                "the service is temporarily unavailable; retry later".to_string()
            }
            AppError::Internal(_) => "internal error".to_string(),
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        match &err {
            AppError::Internal(detail) => tracing::error!(error = %detail, "internal error"),
            AppError::Unavailable(detail) => tracing::warn!(error = %detail, "unavailable"),
            _ => {}
        }
        let message = err.message();
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", err.code());
            match &err {
                AppError::BadInput(fields) => {
                    let list: Vec<Value> = fields
                        .iter()
                        .map(|f| {
                            let mut map = async_graphql::indexmap::IndexMap::new();
                            map.insert(
                                async_graphql::Name::new("field"),
                                Value::from(f.field.clone()),
                            );
                            map.insert(
                                async_graphql::Name::new("code"),
                                Value::from(f.code.as_str()),
                            );
                            map.insert(
                                async_graphql::Name::new("message"),
                                Value::from(f.message.clone()),
                            );
                            Value::Object(map)
                        })
                        .collect();
                    ext.set("fields", Value::List(list));
                }
                AppError::NotReady(failed) => {
                    let list: Vec<Value> = failed
                        .iter()
                        .map(|(name, message)| {
                            let mut map = async_graphql::indexmap::IndexMap::new();
                            map.insert(async_graphql::Name::new("name"), Value::from(name.clone()));
                            map.insert(
                                async_graphql::Name::new("message"),
                                Value::from(message.clone()),
                            );
                            Value::Object(map)
                        })
                        .collect();
                    ext.set("failedChecks", Value::List(list));
                }
                AppError::InvalidState {
                    field: Some(field), ..
                } => ext.set("field", field.clone()),
                AppError::StaleVersion { current, .. } => ext.set("currentVersion", *current),
                AppError::RateLimited {
                    retry_after_seconds,
                } => ext.set("retryAfter", *retry_after_seconds),
                _ => {}
            }
        })
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict("a record with the same unique value already exists".into())
            }
            _ => match crate::db::classify(&err) {
                crate::db::Fault::Unavailable => AppError::Unavailable(format!("database: {err}")),
                crate::db::Fault::TimedOut => AppError::Timeout,
                crate::db::Fault::Other => AppError::Internal(format!("database: {err}")),
            },
        }
    }
}

/// Why a field was refused, in ACE's `ValidationException` vocabulary (`ErrorList[].Code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldCode {
    RequiredFieldMissing,
    InvalidValue,
    InvalidStringFormat,
    ValueOutOfRange,
    DuplicateKeyValue,
    TooManyValues,
}

impl FieldCode {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldCode::RequiredFieldMissing => "REQUIRED_FIELD_MISSING",
            FieldCode::InvalidValue => "INVALID_VALUE",
            FieldCode::InvalidStringFormat => "INVALID_STRING_FORMAT",
            FieldCode::ValueOutOfRange => "VALUE_OUT_OF_RANGE",
            FieldCode::DuplicateKeyValue => "DUPLICATE_KEY_VALUE",
            FieldCode::TooManyValues => "TOO_MANY_VALUES",
        }
    }
}

/// One refused input field: where it is, ACE's code for why, and a message for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field in the mutation's arguments, e.g. `input.websiteUrl`.
    pub field: String,
    pub code: FieldCode,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: FieldCode, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            code,
            message: message.into(),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
