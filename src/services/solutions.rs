//! A partner's solutions (ACE `Solution`): what it sells and can associate with opportunities.
use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::enums::ChangeAction;
use crate::domain::enums::{SolutionCategory, SolutionStatus, StoredEnum, decode};
use crate::domain::ids::IdKind;
use crate::domain::validate::Validator;
use crate::error::FieldCode;
use crate::error::{AppError, AppResult};
use crate::services::commands::{CreateSolution, UpdateSolution};
use crate::services::history::Diff;
use entity::solution;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

const NAME_MAX: usize = 255;
const DESCRIPTION_MAX: usize = 2000;

pub async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: CreateSolution,
) -> AppResult<solution::Model> {
    let partner_id = viewer.target_partner(input.partner_id.as_deref())?;
    let mut v = Validator::new("input");
    let name = v.required("name", &input.name, NAME_MAX);
    let description = v.optional(
        "description",
        input.description.as_deref(),
        1,
        DESCRIPTION_MAX,
    );
    let arn = v.arn(
        "awsMarketplaceSolutionArn",
        input.aws_marketplace_solution_arn.as_deref(),
    );
    v.finish()?;
    let status = input.status.unwrap_or(SolutionStatus::Active);

    let txn = crate::db::begin_write(db).await?;
    let partner = data::partners::find(&txn, viewer, &partner_id)
        .await?
        .ok_or(AppError::NotFound("partner"))?;
    policy::edit_partner_profile(viewer, &partner.id)?;
    if data::solutions::name_taken(&txn, &partner.id, &name, None).await? {
        return Err(AppError::bad_field(
            "input.name",
            FieldCode::DuplicateKeyValue,
            "this partner already has a solution with this name",
        ));
    }
    let now = crate::domain::now();
    let model = solution::ActiveModel {
        id: Set(IdKind::Solution.new_id()),
        partner_id: Set(partner.id.clone()),
        name: Set(name),
        description: Set(description),
        category: Set(input.category.as_str().to_string()),
        status: Set(status.as_str().to_string()),
        aws_marketplace_solution_arn: Set(arn),
        ace_solution_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut diff = Diff::default();
    diff.field("name", &None::<String>, &Some(model.name.clone()));
    diff.field("status", &None::<String>, &Some(model.status.clone()));
    diff.record(
        &txn,
        viewer,
        &partner.id,
        ("Solution", &model.id),
        ChangeAction::Created,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    input: UpdateSolution,
) -> AppResult<solution::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = data::solutions::find(&txn, viewer, id)
        .await?
        .ok_or(AppError::NotFound("solution"))?;
    policy::edit_partner_profile(viewer, &current.partner_id)?;

    let current_category: SolutionCategory = decode(&current.category)?;
    let current_status: SolutionStatus = decode(&current.status)?;
    let mut v = Validator::new("input");
    let name = v.patch_required("name", &input.name, &current.name, NAME_MAX);
    let description = v.patch_optional(
        "description",
        &input.description,
        &current.description,
        1,
        DESCRIPTION_MAX,
    );
    let category = v.patch_enum("category", &input.category, current_category);
    let status = v.patch_enum("status", &input.status, current_status);
    let arn = v.patch_with(
        &input.aws_marketplace_solution_arn,
        &current.aws_marketplace_solution_arn,
        |v, s| v.arn("awsMarketplaceSolutionArn", Some(s)),
    );
    v.finish()?;
    if name != current.name
        && data::solutions::name_taken(&txn, &current.partner_id, &name, Some(&current.id)).await?
    {
        return Err(AppError::bad_field(
            "input.name",
            FieldCode::DuplicateKeyValue,
            "this partner already has a solution with this name",
        ));
    }

    let mut diff = Diff::default();
    diff.field("name", &current.name, &name);
    diff.field("description", &current.description, &description);
    diff.field(
        "category",
        &current.category,
        &category.as_str().to_string(),
    );
    diff.field("status", &current.status, &status.as_str().to_string());
    diff.field(
        "awsMarketplaceSolutionArn",
        &current.aws_marketplace_solution_arn,
        &arn,
    );

    let mut model: solution::ActiveModel = current.clone().into();
    model.name = Set(name);
    model.description = Set(description);
    model.category = Set(category.as_str().to_string());
    model.status = Set(status.as_str().to_string());
    model.aws_marketplace_solution_arn = Set(arn);
    model.updated_at = Set(crate::domain::now());
    let updated = model.update(&txn).await?;
    diff.record(
        &txn,
        viewer,
        &updated.partner_id,
        ("Solution", &updated.id),
        ChangeAction::Updated,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
