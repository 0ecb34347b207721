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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::StoredEnum;

    /// Every (from, to) pair: allowed exactly along the arrows of the module comment.
    #[test]
    fn moves_follow_the_arrows_and_nothing_else() {
        use AskStatus::*;
        let allowed = [
            (Open, Acknowledged),
            (Acknowledged, InProgress),
            (InProgress, Fulfilled),
            (InProgress, Declined),
            (Open, Withdrawn),
            (Acknowledged, Withdrawn),
            (InProgress, Withdrawn),
        ];
        for &from in AskStatus::ALL {
            for &to in AskStatus::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(
                    to.reached_from().contains(&from),
                    expected,
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn terminal_statuses_lead_nowhere() {
        for &from in AskStatus::ALL.iter().filter(|s| s.is_terminal()) {
            assert!(
                AskStatus::ALL
                    .iter()
                    .all(|to| !to.reached_from().contains(&from))
            );
        }
    }

    #[test]
    fn sides_and_responses() {
        assert_eq!(AskStatus::Open.moved_by(), None);
        assert_eq!(AskStatus::Withdrawn.moved_by(), Some(AskSide::Requester));
        for to in [
            AskStatus::Acknowledged,
            AskStatus::InProgress,
            AskStatus::Fulfilled,
            AskStatus::Declined,
        ] {
            assert_eq!(to.moved_by(), Some(AskSide::Aws));
        }
        let needs: Vec<_> = AskStatus::ALL
            .iter()
            .filter(|s| s.needs_response())
            .collect();
        assert_eq!(needs, [&AskStatus::Fulfilled, &AskStatus::Declined]);
    }
}
