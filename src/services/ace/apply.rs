//! Taking ACE's side into cosell: AWS's review (ReviewStatus, ReviewComments,
//! ReviewStatusReason) and partner fields changed in Partner Central. Written as the `ace`
//! actor, with history, and without queuing anything back to ACE.
use super::fields::text;
use crate::ace::client::AceOpportunity;
use crate::domain::enums::{ChangeAction, ClosedLostReason, ReviewStatus, Stage, StoredEnum};
use crate::error::{AppError, AppResult};
use crate::services::history::Diff;
use entity::{ace_sync, customer, opportunity};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel, NotSet, Set};
use std::collections::BTreeSet;

/// Takes ACE's values of `paths` (partner fields) and AWS's review into the opportunity and
/// its customer, and makes ACE's state the new base of the sync. Returns the paths cosell
/// cannot take (the caller reports them as conflicting) and writes nothing in that case.
pub async fn ace_fields(
    db: &DatabaseConnection,
    o: &opportunity::Model,
    ace: &AceOpportunity,
    paths: &BTreeSet<String>,
) -> AppResult<Vec<String>> {
    let txn = crate::db::begin_write(db).await?;
    let current = opportunity::Entity::find_by_id(o.id.clone())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("opportunity"))?;
    let c = customer::Entity::find_by_id(current.customer_id.clone())
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("opportunity without customer"))?;
    let body = &ace.body;
    let mut om: opportunity::ActiveModel = current.clone().into_active_model();
    let mut cm: customer::ActiveModel = c.clone().into_active_model();
    let mut diff = Diff::default();
    let mut cdiff = Diff::default();
    let mut refused = Vec::new();
    let mut next_step: Option<String> = None;
    for path in paths {
        let value = text(body, path);
        match path.as_str() {
            "LifeCycle.Stage" => match value.as_deref().and_then(Stage::parse) {
                Some(stage) => {
                    diff.field("stage", &current.stage, &stage.as_str().to_string());
                    om.stage = Set(stage.as_str().into());
                }
                None => refused.push(path.clone()),
            },
            "LifeCycle.ClosedLostReason" => match value.as_deref().map(ClosedLostReason::parse) {
                Some(None) => refused.push(path.clone()),
                parsed => {
                    let v = parsed.flatten().map(|r| r.as_str().to_string());
                    diff.field("closedLostReason", &current.closed_lost_reason, &v);
                    om.closed_lost_reason = Set(v);
                }
            },
            "LifeCycle.NextSteps" => {
                diff.field("nextSteps", &current.next_steps, &value);
                next_step = value.clone();
                om.next_steps = Set(value);
            }
            "LifeCycle.TargetCloseDate" => {
                let date = value
                    .as_deref()
                    .map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d"));
                match date {
                    Some(Err(_)) => refused.push(path.clone()),
                    date => {
                        let date = date.and_then(Result::ok);
                        diff.field("targetCloseDate", &current.target_close_date, &date);
                        om.target_close_date = Set(date);
                    }
                }
            }
            "Project.Title" => match value {
                Some(title) => {
                    diff.field("title", &current.title, &title);
                    om.title_normalized = Set(crate::domain::validate::normalize_title(&title));
                    om.title = Set(title);
                }
                None => refused.push(path.clone()),
            },
            "Project.CustomerBusinessProblem" => match value {
                Some(p) => {
                    diff.field(
                        "customerBusinessProblem",
                        &current.customer_business_problem,
                        &p,
                    );
                    om.customer_business_problem = Set(p);
                }
                None => refused.push(path.clone()),
            },
            "Project.CustomerUseCase" => {
                diff.field("customerUseCase", &current.customer_use_case, &value);
                om.customer_use_case = Set(value);
            }
            "Project.AdditionalComments" => {
                diff.field("additionalComments", &current.additional_comments, &value);
                om.additional_comments = Set(value);
            }
            "Project.OtherCompetitorNames" => {
                diff.field(
                    "otherCompetitorNames",
                    &current.other_competitor_names,
                    &value,
                );
                om.other_competitor_names = Set(value);
            }
            "PartnerOpportunityIdentifier" => {
                diff.field(
                    "partnerOpportunityIdentifier",
                    &current.partner_opportunity_identifier,
                    &value,
                );
                om.partner_opportunity_identifier = Set(value);
            }
            "Customer.Account.WebsiteUrl" => {
                cdiff.field("websiteUrl", &c.website_url, &value);
                cm.website_url = Set(value);
            }
            "Customer.Account.AwsAccountId" => {
                cdiff.field("awsAccountId", &c.aws_account_id, &value);
                cm.aws_account_id = Set(value);
            }
            "Customer.Account.Address.City" => {
                cdiff.field("address.city", &c.city, &value);
                cm.city = Set(value);
            }
            "Customer.Account.Address.PostalCode" => {
                cdiff.field("address.postalCode", &c.postal_code, &value);
                cm.postal_code = Set(value);
            }
            "Customer.Account.Address.StreetAddress" => {
                cdiff.field("address.streetAddress", &c.street_address, &value);
                cm.street_address = Set(value);
            }
            "Customer.Account.Address.StateOrRegion" => {
                cdiff.field("address.stateOrRegion", &c.state_or_region, &value);
                cm.state_or_region = Set(value);
            }
            _ => refused.push(path.clone()),
        }
    }
    if !refused.is_empty() {
        return Ok(refused);
    }
    // AWS's review.
    let review = text(body, "LifeCycle.ReviewStatus").and_then(|r| ReviewStatus::parse(&r));
    if let Some(review) = review {
        let comments = text(body, "LifeCycle.ReviewComments");
        let reason = text(body, "LifeCycle.ReviewStatusReason");
        diff.field(
            "reviewStatus",
            &current.review_status,
            &review.as_str().to_string(),
        );
        diff.field("reviewComments", &current.review_comments, &comments);
        diff.field("reviewStatusReason", &current.review_status_reason, &reason);
        om.review_status = Set(review.as_str().into());
        om.review_comments = Set(comments);
        om.review_status_reason = Set(reason);
    }
    let viewer = super::ace_viewer();
    let customer_changed = !cdiff.is_empty();
    if customer_changed {
        cm.updated_at = Set(crate::domain::now());
        let updated = cm.update(&txn).await?;
        cdiff
            .record(
                &txn,
                &viewer,
                &updated.partner_id,
                ("Customer", &updated.id),
                ChangeAction::Updated,
            )
            .await?;
    }
    if let Some(step) = &next_step {
        crate::services::opportunities::append_next_step(&txn, &current.id, step).await?;
    }
    let mut sync = ace_sync::Entity::find_by_id(current.id.clone())
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("applying ACE state without sync row"))?
        .into_active_model();
    sync.base = Set(Some(super::fields::partner_view(body)));
    sync.ace_last_modified_date = Set(ace.last_modified);
    sync.arn = Set(ace.arn.clone());
    sync.updated_at = Set(crate::domain::now());
    sync.update(&txn).await?;
    if diff.is_empty() && !customer_changed {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    let action = if diff.fields().any(|f| f == "reviewStatus") {
        ChangeAction::Reviewed
    } else {
        ChangeAction::Updated
    };
    om.version = Set(current.version + 1);
    om.last_modified_at = Set(crate::domain::now());
    om.id = NotSet;
    crate::services::versioned::write::<opportunity::Entity>(
        txn, &viewer, &current, om, diff, action,
    )
    .await?;
    Ok(Vec::new())
}
