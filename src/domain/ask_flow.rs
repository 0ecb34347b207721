//! The state machine of asks (docs/domain.md, "Asks"): OPEN → ACKNOWLEDGED → IN_PROGRESS →
//! FULFILLED | DECLINED, moved by the AWS side with a response for the last two; WITHDRAWN by
//! the requesting partner from any open status. Terminal statuses never change.
use super::enums::AskStatus;

/// Which side of the co-sell moves an ask to a status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AskSide {
    /// The partner that asked (its users; ADMIN acts for either side).
    Requester,
    /// AWS_SELLER or PARTNER_MANAGER who can see the ask (or ADMIN).
    Aws,
}

impl AskStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            AskStatus::Fulfilled | AskStatus::Declined | AskStatus::Withdrawn
        )
    }

    /// Who may move an ask to this status; nobody moves one back to OPEN.
    pub fn moved_by(self) -> Option<AskSide> {
        match self {
            AskStatus::Open => None,
            AskStatus::Withdrawn => Some(AskSide::Requester),
            AskStatus::Acknowledged
            | AskStatus::InProgress
            | AskStatus::Fulfilled
            | AskStatus::Declined => Some(AskSide::Aws),
        }
    }

    /// The statuses an ask may move to this one from.
    pub fn reached_from(self) -> &'static [AskStatus] {
        match self {
            AskStatus::Open => &[],
            AskStatus::Acknowledged => &[AskStatus::Open],
            AskStatus::InProgress => &[AskStatus::Acknowledged],
            AskStatus::Fulfilled | AskStatus::Declined => &[AskStatus::InProgress],
            AskStatus::Withdrawn => &[
                AskStatus::Open,
                AskStatus::Acknowledged,
                AskStatus::InProgress,
            ],
        }
    }

    /// FULFILLED and DECLINED carry the AWS side's answer.
    pub fn needs_response(self) -> bool {
        matches!(self, AskStatus::Fulfilled | AskStatus::Declined)
    }
}
