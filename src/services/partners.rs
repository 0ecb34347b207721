//! Partners and their profiles.
use crate::auth::{Viewer, policy};
use crate::data;
use crate::data::partners::ProfileList;
use crate::domain::enums::ChangeAction;
use crate::domain::enums::StoredEnum;
use crate::domain::ids::IdKind;
use crate::domain::patch::Patch;
use crate::domain::validate::{Validator, distinct};
use crate::error::FieldCode;
use crate::error::{AppError, AppResult};
use crate::services::commands::{CreatePartner, UpdatePartner};
use crate::services::history::Diff;
use entity::partner;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

const NAME_MAX: usize = 255;
const VALUE_PROPOSITION_MAX: usize = 2000;

pub async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: CreatePartner,
) -> AppResult<partner::Model> {
    policy::create_partner(viewer)?;
    let mut v = Validator::new("input");
    let name = v.required("name", &input.name, NAME_MAX);
    let website_url = v.url("websiteUrl", input.website_url.as_deref());
    let value_proposition = v.optional(
        "valueProposition",
        input.value_proposition.as_deref(),
        1,
        VALUE_PROPOSITION_MAX,
    );
    v.finish()?;
    let segments = distinct(&input.segments.unwrap_or_default());
    let industries = distinct(&input.industries.unwrap_or_default());

    let txn = crate::db::begin_write(db).await?;
    if data::partners::name_taken(&txn, &name, None).await? {
        return Err(AppError::bad_field(
            "input.name",
            FieldCode::DuplicateKeyValue,
            "a partner with this name already exists",
        ));
    }
    let now = crate::domain::now();
    let model = partner::ActiveModel {
        id: Set(IdKind::Partner.new_id()),
        name_key: Set(data::partners::name_key(&name)),
        name: Set(name),
        website_url: Set(website_url),
        value_proposition: Set(value_proposition),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let segment_codes: Vec<&str> = segments.iter().map(|s| s.as_str()).collect();
    let industry_names: Vec<&str> = industries.iter().map(|s| s.as_str()).collect();
    data::partners::replace_list(&txn, ProfileList::Segments, &model.id, &segment_codes).await?;
    data::partners::replace_list(&txn, ProfileList::Industries, &model.id, &industry_names).await?;
    let mut diff = Diff::default();
    diff.field("name", &None::<String>, &Some(model.name.clone()));
    diff.field("segments", &Vec::<&str>::new(), &segment_codes);
    diff.field("industries", &Vec::<&str>::new(), &industry_names);
    diff.record(
        &txn,
        viewer,
        &model.id,
        ("Partner", &model.id),
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
    input: UpdatePartner,
) -> AppResult<partner::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = data::partners::find(&txn, viewer, id)
        .await?
        .ok_or(AppError::NotFound("partner"))?;
    policy::edit_partner_profile(viewer, &current.id)?;

    let mut v = Validator::new("input");
    let name = v.patch_required("name", &input.name, &current.name, NAME_MAX);
    let website_url = v.patch_url("websiteUrl", &input.website_url, &current.website_url);
    let value_proposition = v.patch_optional(
        "valueProposition",
        &input.value_proposition,
        &current.value_proposition,
        1,
        VALUE_PROPOSITION_MAX,
    );
    v.finish()?;
    if name != current.name && data::partners::name_taken(&txn, &name, Some(&current.id)).await? {
        return Err(AppError::bad_field(
            "input.name",
            FieldCode::DuplicateKeyValue,
            "a partner with this name already exists",
        ));
    }

    let mut diff = Diff::default();
    diff.field("name", &current.name, &name);
    diff.field("websiteUrl", &current.website_url, &website_url);
    diff.field(
        "valueProposition",
        &current.value_proposition,
        &value_proposition,
    );

    let lists = [
        (
            "segments",
            ProfileList::Segments,
            stored_list(&input.segments),
        ),
        (
            "industries",
            ProfileList::Industries,
            stored_list(&input.industries),
        ),
    ];
    for (field, which, replacement) in lists {
        let Some(new) = replacement else { continue };
        let old = data::partners::lists_of(&txn, which, std::slice::from_ref(&current.id))
            .await?
            .remove(&current.id)
            .unwrap_or_default();
        data::partners::replace_list(&txn, which, &current.id, &new).await?;
        diff.field(field, &old, &new.iter().map(|s| s.to_string()).collect());
    }

    let mut model: partner::ActiveModel = current.clone().into();
    model.name_key = Set(data::partners::name_key(&name));
    model.name = Set(name);
    model.website_url = Set(website_url);
    model.value_proposition = Set(value_proposition);
    model.updated_at = Set(crate::domain::now());
    let updated = model.update(&txn).await?;
    diff.record(
        &txn,
        viewer,
        &updated.id,
        ("Partner", &updated.id),
        ChangeAction::Updated,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The stored strings a list patch asks for: `None` when omitted, empty when cleared.
fn stored_list<E: StoredEnum + PartialEq>(patch: &Patch<Vec<E>>) -> Option<Vec<&'static str>> {
    match patch {
        Patch::Absent => None,
        Patch::Null => Some(Vec::new()),
        Patch::Value(list) => Some(distinct(list).iter().map(|v| v.as_str()).collect()),
    }
}
