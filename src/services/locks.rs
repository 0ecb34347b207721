//! What may change when (docs/ace-model.md §5.2, docs/domain.md "Opportunities"). A refused change is
//! INVALID_STATE naming the field.
use crate::domain::enums::{ReviewStatus, Stage};
use crate::error::AppError;

/// Partner-private fields never shared with AWS, so no review state locks them.
const PRIVATE: &[&str] = &["internalNotes"];

/// Under ACTION_REQUIRED, only these fields can be fixed before resubmitting.
const ACTION_REQUIRED_EDITABLE: &[&str] = &[
    "targetCloseDate",
    "expectedMonthlySpend",
    "customerBusinessProblem",
    "partnerOpportunityIdentifier",
];

/// Once APPROVED these stay as AWS approved them (with the legacy spec's NationalSecurity).
const APPROVED_FROZEN: &[&str] = &[
    "title",
    "customerBusinessProblem",
    "partnerOpportunityIdentifier",
    "nationalSecurity",
];

/// After launch ACE still takes delivery models and comments.
const LAUNCHED_EDITABLE: &[&str] = &["deliveryModels", "additionalComments"];

/// Why `field` of an opportunity in this state cannot change, if it cannot.
pub fn opportunity_field(review: ReviewStatus, stage: Stage, field: &str) -> Option<String> {
    if PRIVATE.contains(&field) {
        return None;
    }
    match stage {
        Stage::ClosedLost => return Some("the opportunity is CLOSED_LOST, which is final".into()),
        Stage::Launched if !LAUNCHED_EDITABLE.contains(&field) => {
            return Some(
                "the opportunity is LAUNCHED; only deliveryModels and additionalComments can change"
                    .into(),
            );
        }
        _ => {}
    }
    match review {
        ReviewStatus::PendingSubmission => None,
        ReviewStatus::Submitted | ReviewStatus::InReview => {
            Some("nothing can change while AWS reviews the opportunity".into())
        }
        ReviewStatus::ActionRequired if !ACTION_REQUIRED_EDITABLE.contains(&field) => {
            Some(format!(
                "under ACTION_REQUIRED only {} can change",
                ACTION_REQUIRED_EDITABLE.join(", ")
            ))
        }
        ReviewStatus::ActionRequired => None,
        ReviewStatus::Approved if APPROVED_FROZEN.contains(&field) => {
            Some("it is frozen once AWS approved the opportunity".into())
        }
        ReviewStatus::Approved => None,
        ReviewStatus::Rejected => Some("a REJECTED opportunity is read-only".into()),
    }
}

/// Customer account fields that ACE holds as part of an opportunity.
const ACCOUNT_FIELDS: &[&str] = &[
    "companyName",
    "industry",
    "otherIndustry",
    "websiteUrl",
    "address.countryCode",
    "address.postalCode",
    "address.stateOrRegion",
    "address.city",
    "address.streetAddress",
    "duns",
    "awsAccountId",
];

const ACTION_REQUIRED_ACCOUNT_EDITABLE: &[&str] = &[
    "websiteUrl",
    "address.countryCode",
    "address.postalCode",
    "address.stateOrRegion",
    "address.city",
    "address.streetAddress",
];

const APPROVED_ACCOUNT_FROZEN: &[&str] = &[
    "companyName",
    "industry",
    "otherIndustry",
    "websiteUrl",
    "address.countryCode",
    "address.postalCode",
    "address.stateOrRegion",
];

/// Why a customer's `field` cannot change while one of its open opportunities is in `review`.
pub fn customer_field(review: ReviewStatus, field: &str) -> Option<String> {
    if !ACCOUNT_FIELDS.contains(&field) {
        return None;
    }
    match review {
        ReviewStatus::Submitted | ReviewStatus::InReview => Some(
            "an opportunity of this customer is under AWS review, which locks the account".into(),
        ),
        ReviewStatus::ActionRequired if !ACTION_REQUIRED_ACCOUNT_EDITABLE.contains(&field) => {
            Some(
                "an opportunity of this customer is ACTION_REQUIRED; only the website and address can change"
                    .into(),
            )
        }
        ReviewStatus::Approved if APPROVED_ACCOUNT_FROZEN.contains(&field) => Some(
            "an opportunity of this customer was approved by AWS, which freezes this field".into(),
        ),
        _ => None,
    }
}

pub fn refused(field: &str, why: &str) -> AppError {
    AppError::invalid_state(field, format!("{field} cannot change: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::StoredEnum;

    #[test]
    fn private_fields_are_never_locked() {
        for &review in ReviewStatus::ALL {
            for &stage in Stage::ALL {
                assert_eq!(opportunity_field(review, stage, "internalNotes"), None);
            }
        }
    }

    #[test]
    fn review_states_lock_what_ace_locks() {
        use ReviewStatus::*;
        let open = Stage::Qualified;
        assert_eq!(opportunity_field(PendingSubmission, open, "title"), None);
        for review in [Submitted, InReview, Rejected] {
            assert!(
                opportunity_field(review, open, "nextSteps").is_some(),
                "{review:?}"
            );
        }
        assert_eq!(
            opportunity_field(ActionRequired, open, "targetCloseDate"),
            None
        );
        assert!(opportunity_field(ActionRequired, open, "title").is_some());
        assert!(opportunity_field(Approved, open, "title").is_some());
        assert_eq!(opportunity_field(Approved, open, "nextSteps"), None);
    }

    #[test]
    fn closed_stages_outrank_review_states() {
        assert!(
            opportunity_field(ReviewStatus::Approved, Stage::ClosedLost, "deliveryModels")
                .is_some()
        );
        assert_eq!(
            opportunity_field(ReviewStatus::Approved, Stage::Launched, "deliveryModels"),
            None
        );
        assert!(opportunity_field(ReviewStatus::Approved, Stage::Launched, "nextSteps").is_some());
    }
}
