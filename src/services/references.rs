//! Customer references and case studies that back a partner's profile.
use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::enums::ChangeAction;
use crate::domain::enums::StoredEnum;
use crate::domain::ids::IdKind;
use crate::domain::validate::Validator;
use crate::error::FieldCode;
use crate::error::{AppError, AppResult};
use crate::services::commands::CreateCustomerReference;
use crate::services::history::Diff;
use entity::customer_reference;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

pub async fn add(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: CreateCustomerReference,
) -> AppResult<customer_reference::Model> {
    let partner_id = viewer.target_partner(input.partner_id.as_deref())?;
    let mut v = Validator::new("input");
    let title = v.required("title", &input.title, 255);
    let customer_name = v.required("customerName", &input.customer_name, 120);
    let summary = v.required("summary", &input.summary, 4000);
    let url = v.url("url", input.url.as_deref());
    let published_on = input.published_on;
    if let Some(date) = published_on {
        v.check(
            date <= chrono::Utc::now().date_naive(),
            "publishedOn",
            FieldCode::ValueOutOfRange,
            "cannot be in the future",
        );
    }
    v.finish()?;

    let txn = crate::db::begin_write(db).await?;
    let partner = data::partners::find(&txn, viewer, &partner_id)
        .await?
        .ok_or(AppError::NotFound("partner"))?;
    policy::edit_partner_profile(viewer, &partner.id)?;
    let model = customer_reference::ActiveModel {
        id: Set(IdKind::CustomerReference.new_id()),
        partner_id: Set(partner.id.clone()),
        title: Set(title),
        customer_name: Set(customer_name),
        segment_code: Set(input.segment.map(|s| s.as_str().to_string())),
        summary: Set(summary),
        url: Set(url),
        published_on: Set(published_on),
        created_at: Set(crate::domain::now()),
    }
    .insert(&txn)
    .await?;
    let mut diff = Diff::default();
    diff.field("title", &None::<String>, &Some(model.title.clone()));
    diff.record(
        &txn,
        viewer,
        &partner.id,
        ("CustomerReference", &model.id),
        ChangeAction::Created,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

pub async fn remove(db: &DatabaseConnection, viewer: &Viewer, id: &str) -> AppResult<String> {
    let txn = crate::db::begin_write(db).await?;
    let current = data::references::find(&txn, viewer, id)
        .await?
        .ok_or(AppError::NotFound("customer reference"))?;
    policy::edit_partner_profile(viewer, &current.partner_id)?;
    customer_reference::Entity::delete_by_id(current.id.clone())
        .exec(&txn)
        .await?;
    let mut diff = Diff::default();
    diff.field("title", &Some(current.title.clone()), &None::<String>);
    diff.record(
        &txn,
        viewer,
        &current.partner_id,
        ("CustomerReference", &current.id),
        ChangeAction::Deleted,
    )
    .await?;
    txn.commit().await?;
    Ok(current.id)
}
