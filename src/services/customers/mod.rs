//! Customers (ACE `Customer.Account` plus segment) and their contacts.
use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::enums::ChangeAction;
use crate::domain::enums::{ReviewStatus, StoredEnum, decode};
use crate::domain::ids::IdKind;
use crate::domain::patch::Patch;
use crate::domain::validate::Validator;
use crate::error::FieldCode;
use crate::error::{AppError, AppResult};
use crate::services::commands::{ContactData, CreateCustomer, UpdateCustomer};
use crate::services::history::Diff;
use crate::services::locks;
use entity::{contact, customer, opportunity};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, ModelTrait, QueryFilter, QuerySelect, Set,
};

mod fields;

pub use fields::{Address, COMPANY_NAME_MAX, ContactFields, validate_contacts};
use fields::{CONTACTS_MAX, Fields, NOTES_MAX, OTHER_INDUSTRY_MAX, validate_contact};

/// Inserts a contact under `id` (a new one unless the caller reserved it, as referrals do).
pub async fn insert_contact<C: ConnectionTrait>(
    db: &C,
    customer_id: &str,
    id: String,
    c: ContactFields,
) -> AppResult<contact::Model> {
    Ok(contact::ActiveModel {
        id: Set(id),
        customer_id: Set(customer_id.to_string()),
        first_name: Set(c.first_name),
        last_name: Set(c.last_name),
        email: Set(c.email),
        phone: Set(c.phone),
        business_title: Set(c.business_title),
        created_at: Set(crate::domain::now()),
    }
    .insert(db)
    .await?)
}

/// A write's error, with the database's case-insensitive unique index on company names (which
/// catches what concurrent writers' checks cannot) answered like the service's own check.
fn company_write_error(err: sea_orm::DbErr) -> AppError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => duplicate_company(),
        _ => err.into(),
    }
}

fn duplicate_company() -> AppError {
    AppError::bad_field(
        "input.companyName",
        FieldCode::DuplicateKeyValue,
        "this partner already has a customer with this company name",
    )
}

pub async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: CreateCustomer,
) -> AppResult<customer::Model> {
    let txn = crate::db::begin_write(db).await?;
    let created = create_in(&txn, viewer, input).await?;
    txn.commit().await?;
    Ok(created)
}

/// Creates a customer inside the caller's transaction (acceptReferral creates one beside its
/// opportunity).
pub async fn create_in(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    input: CreateCustomer,
) -> AppResult<customer::Model> {
    let partner_id = viewer.target_partner(input.partner_id.as_deref())?;
    let mut v = Validator::new("input");
    let mut fields = Fields {
        company_name: v.required("companyName", &input.company_name, COMPANY_NAME_MAX),
        industry: input.industry.as_str().to_string(),
        other_industry: v.optional(
            "otherIndustry",
            input.other_industry.as_deref(),
            1,
            OTHER_INDUSTRY_MAX,
        ),
        website_url: v.url("websiteUrl", input.website_url.as_deref()),
        country_code: None,
        postal_code: None,
        state_or_region: None,
        city: None,
        street_address: None,
        duns: v.digits("duns", input.duns.as_deref(), 9),
        aws_account_id: v.digits("awsAccountId", input.aws_account_id.as_deref(), 12),
        segment: input.segment.as_str().to_string(),
        aws_adoption: input.aws_adoption.as_str().to_string(),
        internal_notes: v.optional(
            "internalNotes",
            input.internal_notes.as_deref(),
            1,
            NOTES_MAX,
        ),
    };
    fields.set_address(&mut v, input.address.as_ref());
    fields.check(&mut v);
    let contacts = validate_contacts(&mut v, "contacts", input.contacts.as_deref());
    v.finish()?;

    let partner = data::partners::find(txn, viewer, &partner_id)
        .await?
        .ok_or(AppError::NotFound("partner"))?;
    policy::edit_partner_data(viewer, &partner.id)?;
    if data::customers::company_taken(txn, &partner.id, &fields.company_name, None).await? {
        return Err(duplicate_company());
    }
    let now = crate::domain::now();
    let mut model = customer::ActiveModel {
        id: Set(IdKind::Customer.new_id()),
        partner_id: Set(partner.id.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let diff = Diff::created(&fields);
    fields.apply(&mut model);
    let model = model.insert(txn).await.map_err(company_write_error)?;
    for c in contacts {
        insert_contact(txn, &model.id, IdKind::Contact.new_id(), c).await?;
    }
    diff.record(
        txn,
        viewer,
        &partner.id,
        ("Customer", &model.id),
        ChangeAction::Created,
    )
    .await?;
    Ok(model)
}

/// Review states of the customer's open opportunities: they decide which account fields are
/// locked.
async fn open_review_states<C: ConnectionTrait>(
    db: &C,
    customer_id: &str,
) -> AppResult<Vec<ReviewStatus>> {
    let stored: Vec<String> = opportunity::Entity::find()
        .select_only()
        .column(opportunity::Column::ReviewStatus)
        .distinct()
        .filter(opportunity::Column::CustomerId.eq(customer_id))
        .filter(
            opportunity::Column::Stage.is_in(
                data::opportunities::ACTIVE_STAGES
                    .iter()
                    .map(|s| s.as_str()),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    stored.iter().map(|s| decode(s)).collect()
}

pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    input: UpdateCustomer,
) -> AppResult<customer::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = data::customers::find(&txn, viewer, id)
        .await?
        .ok_or(AppError::NotFound("customer"))?;
    policy::edit_partner_data(viewer, &current.partner_id)?;

    let old = Fields::of(&current);
    let mut new = old.clone();
    let mut v = Validator::new("input");
    new.company_name = v.patch_required(
        "companyName",
        &input.company_name,
        &current.company_name,
        COMPANY_NAME_MAX,
    );
    new.industry = v
        .patch_enum("industry", &input.industry, decode(&current.industry)?)
        .as_str()
        .to_string();
    new.other_industry = v.patch_optional(
        "otherIndustry",
        &input.other_industry,
        &current.other_industry,
        1,
        OTHER_INDUSTRY_MAX,
    );
    new.website_url = v.patch_url("websiteUrl", &input.website_url, &current.website_url);
    match &input.address {
        Patch::Absent => {}
        Patch::Null => new.set_address(&mut v, None),
        Patch::Value(a) => new.set_address(&mut v, Some(a)),
    }
    new.duns = v.patch_with(&input.duns, &current.duns, |v, s| {
        v.digits("duns", Some(s), 9)
    });
    new.aws_account_id = v.patch_with(&input.aws_account_id, &current.aws_account_id, |v, s| {
        v.digits("awsAccountId", Some(s), 12)
    });
    new.segment = v
        .patch_enum("segment", &input.segment, decode(&current.segment_code)?)
        .as_str()
        .to_string();
    new.aws_adoption = v
        .patch_enum(
            "awsAdoption",
            &input.aws_adoption,
            decode(&current.aws_adoption)?,
        )
        .as_str()
        .to_string();
    new.internal_notes = v.patch_optional(
        "internalNotes",
        &input.internal_notes,
        &current.internal_notes,
        1,
        NOTES_MAX,
    );
    new.check(&mut v);
    v.finish()?;

    let diff = Diff::between(&old, &new);
    for review in open_review_states(&txn, &current.id).await? {
        for field in diff.fields() {
            if let Some(why) = locks::customer_field(review, field) {
                return Err(locks::refused(field, &why));
            }
        }
    }
    if new.company_name.to_lowercase() != old.company_name.to_lowercase()
        && data::customers::company_taken(
            &txn,
            &current.partner_id,
            &new.company_name,
            Some(&current.id),
        )
        .await?
    {
        return Err(duplicate_company());
    }
    if diff.is_empty() {
        return Ok(current);
    }
    let mut model: customer::ActiveModel = current.clone().into();
    new.apply(&mut model);
    model.updated_at = Set(crate::domain::now());
    let updated = model.update(&txn).await.map_err(company_write_error)?;
    diff.record(
        &txn,
        viewer,
        &updated.partner_id,
        ("Customer", &updated.id),
        ChangeAction::Updated,
    )
    .await?;
    crate::services::ace::outbox::enqueue_for_customer(&txn, &updated.id).await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn add_contact(
    db: &DatabaseConnection,
    viewer: &Viewer,
    customer_id: &str,
    input: ContactData,
) -> AppResult<contact::Model> {
    let mut v = Validator::new("input");
    let fields = validate_contact(&mut v, "", &input);
    v.finish()?;
    let txn = crate::db::begin_write(db).await?;
    let customer = data::customers::find(&txn, viewer, customer_id)
        .await?
        .ok_or(AppError::NotFound("customer"))?;
    policy::edit_partner_data(viewer, &customer.partner_id)?;
    crate::db::lock_row(&txn, "customer", &customer.id).await?;
    if data::customers::contact_count(&txn, &customer.id).await? >= CONTACTS_MAX as u64 {
        return Err(AppError::bad_field(
            "customerId",
            FieldCode::TooManyValues,
            format!("a customer has at most {CONTACTS_MAX} contacts"),
        ));
    }
    let contact = insert_contact(&txn, &customer.id, IdKind::Contact.new_id(), fields).await?;
    let mut diff = Diff::default();
    diff.field("contacts", &None::<String>, &Some(contact_label(&contact)));
    diff.record(
        &txn,
        viewer,
        &customer.partner_id,
        ("Customer", &customer.id),
        ChangeAction::ContactAdded,
    )
    .await?;
    crate::services::ace::outbox::enqueue_for_customer(&txn, &customer.id).await?;
    txn.commit().await?;
    Ok(contact)
}

/// The contact `id` and its customer, if the viewer may change them.
async fn contact_for_write<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<(contact::Model, customer::Model)> {
    let (contact, customer) = data::customers::find_contact(db, viewer, id)
        .await?
        .ok_or(AppError::NotFound("contact"))?;
    policy::edit_partner_data(viewer, &customer.partner_id)?;
    Ok((contact, customer))
}

fn contact_label(c: &contact::Model) -> String {
    format!("{} {} ({})", c.first_name, c.last_name, c.id)
}

pub async fn update_contact(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    input: ContactData,
) -> AppResult<contact::Model> {
    let mut v = Validator::new("input");
    let fields = validate_contact(&mut v, "", &input);
    v.finish()?;
    let txn = crate::db::begin_write(db).await?;
    let (current, customer) = contact_for_write(&txn, viewer, id).await?;
    let mut diff = Diff::default();
    diff.field("firstName", &current.first_name, &fields.first_name);
    diff.field("lastName", &current.last_name, &fields.last_name);
    diff.field("email", &current.email, &fields.email);
    diff.field("phone", &current.phone, &fields.phone);
    diff.field(
        "businessTitle",
        &current.business_title,
        &fields.business_title,
    );
    let mut model: contact::ActiveModel = current.into();
    model.first_name = Set(fields.first_name);
    model.last_name = Set(fields.last_name);
    model.email = Set(fields.email);
    model.phone = Set(fields.phone);
    model.business_title = Set(fields.business_title);
    let updated = model.update(&txn).await?;
    diff.record(
        &txn,
        viewer,
        &customer.partner_id,
        ("Contact", &updated.id),
        ChangeAction::Updated,
    )
    .await?;
    crate::services::ace::outbox::enqueue_for_customer(&txn, &customer.id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Removes a contact; returns its id.
pub async fn remove_contact(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
) -> AppResult<String> {
    let txn = crate::db::begin_write(db).await?;
    let (current, customer) = contact_for_write(&txn, viewer, id).await?;
    let mut diff = Diff::default();
    diff.field("contacts", &Some(contact_label(&current)), &None::<String>);
    let id = current.id.clone();
    current.delete(&txn).await?;
    diff.record(
        &txn,
        viewer,
        &customer.partner_id,
        ("Customer", &customer.id),
        ChangeAction::ContactRemoved,
    )
    .await?;
    crate::services::ace::outbox::enqueue_for_customer(&txn, &customer.id).await?;
    txn.commit().await?;
    Ok(id)
}
