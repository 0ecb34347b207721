//! Associating the partner's solutions with an opportunity (ACE AssociateOpportunity with
//! RelatedEntityType `Solutions`): own ACTIVE solutions only, at most 10.
use super::{commit_change, load_for_write};
use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::enums::ChangeAction;
use crate::domain::enums::{ReviewStatus, SolutionStatus, Stage, decode};
use crate::error::FieldCode;
use crate::error::{AppError, AppResult};
use crate::services::history::Diff;
use crate::services::locks;
use entity::{opportunity, opportunity_solution};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

pub const SOLUTIONS_MAX: usize = 10;

pub async fn associate(
    db: &DatabaseConnection,
    viewer: &Viewer,
    opportunity_id: &str,
    solution_id: &str,
) -> AppResult<opportunity::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = load_for_write(&txn, viewer, opportunity_id, None).await?;
    policy::edit_partner_data(viewer, &current.partner_id)?;
    let solution = data::solutions::find(&txn, viewer, solution_id)
        .await?
        .filter(|s| s.partner_id == current.partner_id)
        .ok_or(AppError::NotFound("solution"))?;
    let linked = data::opportunities::solution_ids_of(&txn, &current.id).await?;
    if linked.contains(&solution.id) {
        return Ok(current);
    }
    check_lock(&current)?;
    if decode::<SolutionStatus>(&solution.status)? != SolutionStatus::Active {
        return Err(AppError::bad_field(
            "solutionId",
            FieldCode::InvalidValue,
            "only ACTIVE solutions can be associated",
        ));
    }
    if linked.len() >= SOLUTIONS_MAX {
        return Err(AppError::bad_field(
            "solutionId",
            FieldCode::TooManyValues,
            format!("an opportunity has at most {SOLUTIONS_MAX} solutions"),
        ));
    }
    opportunity_solution::ActiveModel {
        opportunity_id: Set(current.id.clone()),
        solution_id: Set(solution.id.clone()),
        created_at: Set(crate::domain::now()),
    }
    .insert(&txn)
    .await?;
    let mut after = linked.clone();
    after.push(solution.id.clone());
    let mut diff = Diff::default();
    diff.field("solutions", &linked, &after);
    commit_change(
        txn,
        viewer,
        &current,
        current.clone().into(),
        diff,
        ChangeAction::SolutionAssociated,
    )
    .await
}

pub async fn disassociate(
    db: &DatabaseConnection,
    viewer: &Viewer,
    opportunity_id: &str,
    solution_id: &str,
) -> AppResult<opportunity::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = load_for_write(&txn, viewer, opportunity_id, None).await?;
    policy::edit_partner_data(viewer, &current.partner_id)?;
    let linked = data::opportunities::solution_ids_of(&txn, &current.id).await?;
    if !linked.iter().any(|s| s == solution_id) {
        return Err(AppError::NotFound("solution"));
    }
    check_lock(&current)?;
    if linked.len() == 1 && decode::<ReviewStatus>(&current.review_status)?.is_submitted() {
        return Err(AppError::invalid_state(
            "solutions",
            "a submitted opportunity keeps at least one solution; associate the new one first",
        ));
    }
    opportunity_solution::Entity::delete_many()
        .filter(opportunity_solution::Column::OpportunityId.eq(current.id.as_str()))
        .filter(opportunity_solution::Column::SolutionId.eq(solution_id))
        .exec(&txn)
        .await?;
    let after: Vec<String> = linked
        .iter()
        .filter(|s| *s != solution_id)
        .cloned()
        .collect();
    let mut diff = Diff::default();
    diff.field("solutions", &linked, &after);
    commit_change(
        txn,
        viewer,
        &current,
        current.clone().into(),
        diff,
        ChangeAction::SolutionDisassociated,
    )
    .await
}

fn check_lock(current: &opportunity::Model) -> AppResult<()> {
    let review: ReviewStatus = decode(&current.review_status)?;
    let stage: Stage = decode(&current.stage)?;
    match locks::opportunity_field(review, stage, "solutions") {
        Some(why) => Err(locks::refused("solutions", &why)),
        None => Ok(()),
    }
}
