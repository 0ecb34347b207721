//! The review workflow (submit, review) and closing (docs/domain.md, docs/ace-model.md §5.1, §5.3).
use super::readiness::{self, Facts};
use super::{commit_change, load_for_write, today};
use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::enums::*;
use crate::domain::enums::{CloseOutcome, ReviewDecision};
use crate::domain::validate::Validator;
use crate::error::FieldCode;
use crate::error::FieldError;
use crate::error::{AppError, AppResult};
use crate::services::history::Diff;
use crate::services::locks;
use entity::{customer, opportunity};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set};

const COMMENTS_MAX: usize = 2000;
const REASON_MAX: usize = 255;

/// ACE's business validation at submission (docs/ace-model.md §5.3) beyond the readiness checks:
/// what AWS needs to act on the opportunity. Each miss names the field to fix.
fn ace_requirements(
    o: &opportunity::Model,
    customer: &customer::Model,
    contacts: u64,
    needs: usize,
    involvement: InvolvementType,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut missing = |field: &str, message: &str| {
        errors.push(FieldError::new(
            field,
            FieldCode::RequiredFieldMissing,
            message,
        ));
    };
    if customer.website_url.is_none() && !o.national_security {
        missing("customer.websiteUrl", "the customer's website is required");
    }
    if customer.country_code.is_none() {
        missing(
            "customer.address.countryCode",
            "the customer's country is required",
        );
    }
    if customer.postal_code.is_none() {
        missing(
            "customer.address.postalCode",
            "the customer's postal code is required",
        );
    }
    if customer.country_code.as_deref() == Some("US")
        && customer.state_or_region.is_none()
        && !o.national_security
    {
        missing(
            "customer.address.stateOrRegion",
            "the state is required for customers in the US",
        );
    }
    if needs == 0 {
        missing(
            "opportunity.primaryNeedsFromAws",
            "say what the partner needs from AWS",
        );
    }
    if o.marketing_source == MarketingSource::MarketingActivity.as_str()
        && o.aws_funding_used.is_none()
    {
        missing(
            "opportunity.awsFundingUsed",
            "say whether AWS marketing funds were used (marketingSource is MARKETING_ACTIVITY)",
        );
    }
    if o.competitor_name.as_deref() == Some(CompetitorName::Other.as_str())
        && o.other_competitor_names.is_none()
    {
        missing(
            "opportunity.otherCompetitorNames",
            "name the competitor (competitorName is OTHER)",
        );
    }
    if involvement == InvolvementType::CoSell {
        if o.next_steps.is_none() {
            missing(
                "opportunity.nextSteps",
                "co-selling needs the next steps AWS is asked to join",
            );
        }
        if contacts == 0 {
            missing(
                "customer.contacts",
                "co-selling needs at least one customer contact",
            );
        }
    }
    if o.national_security && customer.industry != Industry::Government.as_str() {
        errors.push(FieldError::new(
            "opportunity.nationalSecurity",
            FieldCode::InvalidValue,
            "national security opportunities must be for GOVERNMENT customers",
        ));
    }
    errors
}

pub async fn submit(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    expected_version: i32,
    involvement: InvolvementType,
) -> AppResult<opportunity::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = load_for_write(&txn, viewer, id, Some(expected_version)).await?;
    policy::edit_partner_data(viewer, &current.partner_id)?;
    let stage: Stage = decode(&current.stage)?;
    let review: ReviewStatus = decode(&current.review_status)?;
    if stage.is_terminal() {
        return Err(AppError::invalid_state(
            "stage",
            format!("a {} opportunity cannot be submitted", api_name(stage)),
        ));
    }
    if !matches!(
        review,
        ReviewStatus::PendingSubmission | ReviewStatus::ActionRequired
    ) {
        return Err(AppError::invalid_state(
            "reviewStatus",
            format!(
                "only PENDING_SUBMISSION or ACTION_REQUIRED opportunities can be submitted; this one is {}",
                api_name(review)
            ),
        ));
    }
    if current.involvement_type.as_deref() == Some(InvolvementType::CoSell.as_str())
        && involvement == InvolvementType::ForVisibilityOnly
    {
        return Err(AppError::invalid_state(
            "involvementType",
            "an opportunity shared for co-selling cannot go back to FOR_VISIBILITY_ONLY",
        ));
    }

    let solution_ids = data::opportunities::solution_ids_of(&txn, &current.id).await?;
    let solutions = solution_ids.len();
    let key = (
        current.partner_id.clone(),
        current.customer_id.clone(),
        current.title_normalized.clone(),
    );
    let open = data::opportunities::open_with_titles(&txn, std::slice::from_ref(&key))
        .await?
        .remove(&key)
        .unwrap_or_default();
    let ace_linked_solutions =
        match crate::services::ace::live_connection(&txn, &current.partner_id).await? {
            Some(_) => Some(
                entity::solution::Entity::find()
                    .filter(entity::solution::Column::Id.is_in(solution_ids.clone()))
                    .filter(entity::solution::Column::AceSolutionId.is_not_null())
                    .count(&txn)
                    .await? as usize,
            ),
            None => None,
        };
    let facts = Facts {
        solutions,
        ace_linked_solutions,
        duplicate: readiness::is_duplicate(&current, &open),
        today: today(),
    };
    let failed: Vec<(String, String)> = readiness::evaluate(&current, &facts)?
        .into_iter()
        .filter(|c| !c.passed)
        .map(|c| (c.name.as_str().to_string(), c.message))
        .collect();
    if !failed.is_empty() {
        return Err(AppError::NotReady(failed));
    }
    let customer = data::customers::find(&txn, viewer, &current.customer_id)
        .await?
        .ok_or_else(|| AppError::internal("opportunity without customer"))?;
    let contacts = data::customers::contact_count(&txn, &customer.id).await?;
    let needs = super::fields::needs_of(&txn, &current.id).await?.len();
    let errors = ace_requirements(&current, &customer, contacts, needs, involvement);
    if !errors.is_empty() {
        return Err(AppError::BadInput(errors));
    }

    let mut diff = Diff::default();
    diff.field(
        "reviewStatus",
        &current.review_status,
        &ReviewStatus::Submitted.as_str().to_string(),
    );
    diff.field(
        "involvementType",
        &current.involvement_type,
        &Some(involvement.as_str().to_string()),
    );
    let mut model: opportunity::ActiveModel = current.clone().into();
    model.review_status = Set(ReviewStatus::Submitted.as_str().into());
    model.involvement_type = Set(Some(involvement.as_str().into()));
    commit_change(txn, viewer, &current, model, diff, ChangeAction::Submitted).await
}

pub async fn review(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    decision: ReviewDecision,
    comments: Option<String>,
    reason: Option<String>,
) -> AppResult<opportunity::Model> {
    let mut v = Validator::new("");
    let comments = v.optional("comments", comments.as_deref(), 1, COMMENTS_MAX);
    let reason = v.optional("reason", reason.as_deref(), 1, REASON_MAX);
    let explains = matches!(
        decision,
        ReviewDecision::Reject | ReviewDecision::RequestAction
    );
    if explains && comments.is_none() {
        v.fail(
            "comments",
            FieldCode::RequiredFieldMissing,
            "say what the partner should know or fix",
        );
    }
    v.finish()?;

    let txn = crate::db::begin_write(db).await?;
    let current = load_for_write(&txn, viewer, id, None).await?;
    policy::review_opportunity(viewer, &current.partner_id)?;
    if crate::services::ace::shared_in_ace(&txn, &current).await? {
        return Err(AppError::invalid_state(
            "reviewStatus",
            "this opportunity is shared through ACE and reviewed by AWS in ACE",
        ));
    }
    let review: ReviewStatus = decode(&current.review_status)?;
    let (from, to) = match decision {
        ReviewDecision::StartReview => (ReviewStatus::Submitted, ReviewStatus::InReview),
        ReviewDecision::Approve => (ReviewStatus::InReview, ReviewStatus::Approved),
        ReviewDecision::Reject => (ReviewStatus::InReview, ReviewStatus::Rejected),
        ReviewDecision::RequestAction => (ReviewStatus::InReview, ReviewStatus::ActionRequired),
    };
    if review != from {
        return Err(AppError::invalid_state(
            "reviewStatus",
            format!(
                "{} needs review status {}, but the opportunity is {}",
                api_name(decision),
                api_name(from),
                api_name(review)
            ),
        ));
    }
    let (new_comments, new_reason) = if decision == ReviewDecision::StartReview {
        (
            comments.or(current.review_comments.clone()),
            current.review_status_reason.clone(),
        )
    } else {
        (comments, reason)
    };
    let mut diff = Diff::default();
    diff.field(
        "reviewStatus",
        &current.review_status,
        &to.as_str().to_string(),
    );
    diff.field("reviewComments", &current.review_comments, &new_comments);
    diff.field(
        "reviewStatusReason",
        &current.review_status_reason,
        &new_reason,
    );
    let mut model: opportunity::ActiveModel = current.clone().into();
    model.review_status = Set(to.as_str().into());
    model.review_comments = Set(new_comments);
    model.review_status_reason = Set(new_reason);
    commit_change(txn, viewer, &current, model, diff, ChangeAction::Reviewed).await
}

pub async fn close(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    expected_version: i32,
    outcome: CloseOutcome,
    reason: Option<ClosedLostReason>,
) -> AppResult<opportunity::Model> {
    match (outcome, reason) {
        (CloseOutcome::ClosedLost, None) => {
            return Err(AppError::bad_field(
                "closedLostReason",
                FieldCode::RequiredFieldMissing,
                "say why the opportunity was lost",
            ));
        }
        (CloseOutcome::Launched, Some(_)) => {
            return Err(AppError::bad_field(
                "closedLostReason",
                FieldCode::InvalidValue,
                "only a CLOSED_LOST outcome takes a reason",
            ));
        }
        _ => {}
    }
    let txn = crate::db::begin_write(db).await?;
    let current = load_for_write(&txn, viewer, id, Some(expected_version)).await?;
    policy::edit_partner_data(viewer, &current.partner_id)?;
    let stage: Stage = decode(&current.stage)?;
    let review: ReviewStatus = decode(&current.review_status)?;
    if stage.is_terminal() {
        return Err(AppError::invalid_state(
            "stage",
            format!("the opportunity is already {}", api_name(stage)),
        ));
    }
    if let Some(why) = locks::opportunity_field(review, stage, "stage") {
        return Err(locks::refused("stage", &why));
    }
    let target = match outcome {
        CloseOutcome::Launched => Stage::Launched,
        CloseOutcome::ClosedLost => Stage::ClosedLost,
    };
    if target == Stage::Launched && stage != Stage::Committed {
        return Err(AppError::invalid_state(
            "stage",
            format!(
                "only a COMMITTED opportunity can launch; this one is {}",
                api_name(stage)
            ),
        ));
    }
    let reason = reason.map(|r| r.as_str().to_string());
    let mut diff = Diff::default();
    diff.field("stage", &current.stage, &target.as_str().to_string());
    diff.field("closedLostReason", &current.closed_lost_reason, &reason);
    let mut model: opportunity::ActiveModel = current.clone().into();
    model.stage = Set(target.as_str().into());
    model.closed_lost_reason = Set(reason);
    commit_change(
        txn,
        viewer,
        &current,
        model,
        diff,
        ChangeAction::StageChanged,
    )
    .await
}
