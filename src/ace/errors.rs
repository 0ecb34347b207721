//! What an ACE call's failure means to cosell: retry later, a field error for the partner, a
//! conflict to resolve, or a refusal to report (docs/ace-model.md §5.6).
use aws_sdk_partnercentralselling::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_partnercentralselling::types::error::ValidationException;

/// One entry of a `ValidationException`'s `ErrorList`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AceFieldError {
    pub ace_field: Option<String>,
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum AceError {
    /// `ThrottlingException`: over the partner account's quota; back off and retry.
    #[error("ACE throttled the request: {0}")]
    Throttled(String),
    /// `InternalServerException`, a timeout or a lost connection: transient; retry.
    #[error("ACE is unavailable: {0}")]
    Unavailable(String),
    /// `ValidationException`: the request breaks ACE's rules; retrying the same body fails again.
    #[error("ACE refused the request: {message}")]
    Validation {
        message: String,
        errors: Vec<AceFieldError>,
    },
    /// `ConflictException`: stale `LastModifiedDate`, a reused client token, or a wrong state.
    #[error("ACE reports a conflict: {0}")]
    Conflict(String),
    #[error("ACE does not know it: {0}")]
    NotFound(String),
    /// `AccessDeniedException`, or credentials that could not be had (the role cannot be
    /// assumed, no credentials at all).
    #[error("ACE denied access: {0}")]
    AccessDenied(String),
    #[error("ACE call failed: {0}")]
    Other(String),
}

impl AceError {
    pub fn retryable(&self) -> bool {
        matches!(self, AceError::Throttled(_) | AceError::Unavailable(_))
    }
}

/// Each operation's error enum holds ACE's `ValidationException` in its own variant.
pub trait ValidationOf {
    fn validation(&self) -> Option<&ValidationException>;
}

macro_rules! validation_of {
    ($($module:ident :: $error:ident),* $(,)?) => {$(
        impl ValidationOf for aws_sdk_partnercentralselling::operation::$module::$error {
            fn validation(&self) -> Option<&ValidationException> {
                match self {
                    Self::ValidationException(e) => Some(e),
                    _ => None,
                }
            }
        }
    )*};
}

validation_of!(
    list_solutions::ListSolutionsError,
    create_opportunity::CreateOpportunityError,
    update_opportunity::UpdateOpportunityError,
    get_opportunity::GetOpportunityError,
    list_opportunities::ListOpportunitiesError,
    associate_opportunity::AssociateOpportunityError,
    disassociate_opportunity::DisassociateOpportunityError,
    submit_opportunity::SubmitOpportunityError,
    get_aws_opportunity_summary::GetAwsOpportunitySummaryError,
    list_engagement_invitations::ListEngagementInvitationsError,
    get_engagement_invitation::GetEngagementInvitationError,
    reject_engagement_invitation::RejectEngagementInvitationError,
    start_engagement_by_accepting_invitation_task::StartEngagementByAcceptingInvitationTaskError,
    list_engagement_by_accepting_invitation_tasks::ListEngagementByAcceptingInvitationTasksError,
);

fn text(message: Option<&str>, fallback: &str) -> String {
    message.unwrap_or(fallback).chars().take(500).collect()
}

impl<E, R> From<SdkError<E, R>> for AceError
where
    E: ProvideErrorMetadata + ValidationOf + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    fn from(err: SdkError<E, R>) -> Self {
        let cause = innermost(&err);
        match err {
            SdkError::ServiceError(service) => {
                let e = service.err();
                let message = text(e.message(), e.code().unwrap_or("unknown error"));
                if let Some(v) = e.validation() {
                    return AceError::Validation {
                        message: text(Some(v.message()), "validation failed"),
                        errors: v
                            .error_list()
                            .iter()
                            .map(|f| AceFieldError {
                                ace_field: f.field_name().map(str::to_string),
                                code: f.code().as_str().to_string(),
                                message: text(Some(f.message()), ""),
                            })
                            .collect(),
                    };
                }
                match e.code() {
                    Some("ThrottlingException") => AceError::Throttled(message),
                    Some("InternalServerException") => AceError::Unavailable(message),
                    Some("ConflictException") => AceError::Conflict(message),
                    Some("ResourceNotFoundException") => AceError::NotFound(message),
                    Some("AccessDeniedException") | Some("UnrecognizedClientException") => {
                        AceError::AccessDenied(message)
                    }
                    _ => AceError::Other(message),
                }
            }
            SdkError::TimeoutError(_) => AceError::Unavailable("timed out".into()),
            SdkError::DispatchFailure(d) => {
                if d.is_io() || d.is_timeout() {
                    AceError::Unavailable("could not reach ACE".into())
                } else {
                    // Credentials that could not be had surface here (e.g. STS refused the role).
                    AceError::AccessDenied(cause)
                }
            }
            SdkError::ResponseError(_) => AceError::Unavailable("unreadable answer".into()),
            SdkError::ConstructionFailure(_) => AceError::AccessDenied(cause),
            _ => AceError::Other("unknown failure".into()),
        }
    }
}

/// The innermost cause of a failure, which for a refused AssumeRole is STS's own message.
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string().chars().take(300).collect()
}
