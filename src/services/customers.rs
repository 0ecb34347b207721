//! Customers (ACE `Customer.Account` plus segment) and their contacts.
use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::enums::ChangeAction;
use crate::domain::enums::{Industry, ReviewStatus, StoredEnum, decode};
use crate::domain::ids::IdKind;
use crate::domain::patch::Patch;
use crate::domain::validate::Validator;
use crate::error::FieldCode;
use crate::error::{AppError, AppResult};
use crate::services::commands::{AddressData, ContactData, CreateCustomer, UpdateCustomer};
use crate::services::history::Diff;
use crate::services::locks;
use entity::{contact, customer, opportunity};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, ModelTrait, QueryFilter, QuerySelect, Set,
};
use serde::Serialize;

pub const COMPANY_NAME_MAX: usize = 120;
const OTHER_INDUSTRY_MAX: usize = 255;
const NOTES_MAX: usize = 2000;
const NAME_MAX: usize = 80;
/// Contacts a customer may have; ACE sets none, this keeps a record readable.
const CONTACTS_MAX: usize = 50;

/// The stored values of a customer that mutations set, named as in the API for history.
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Fields {
    company_name: String,
    industry: String,
    other_industry: Option<String>,
    website_url: Option<String>,
    #[serde(rename = "address.countryCode")]
    country_code: Option<String>,
    #[serde(rename = "address.postalCode")]
    postal_code: Option<String>,
    #[serde(rename = "address.stateOrRegion")]
    state_or_region: Option<String>,
    #[serde(rename = "address.city")]
    city: Option<String>,
    #[serde(rename = "address.streetAddress")]
    street_address: Option<String>,
    duns: Option<String>,
    aws_account_id: Option<String>,
    segment: String,
    aws_adoption: String,
    internal_notes: Option<String>,
}

impl Fields {
    fn of(m: &customer::Model) -> Self {
        Fields {
            company_name: m.company_name.clone(),
            industry: m.industry.clone(),
            other_industry: m.other_industry.clone(),
            website_url: m.website_url.clone(),
            country_code: m.country_code.clone(),
            postal_code: m.postal_code.clone(),
            state_or_region: m.state_or_region.clone(),
            city: m.city.clone(),
            street_address: m.street_address.clone(),
            duns: m.duns.clone(),
            aws_account_id: m.aws_account_id.clone(),
            segment: m.segment_code.clone(),
            aws_adoption: m.aws_adoption.clone(),
            internal_notes: m.internal_notes.clone(),
        }
    }

    fn set_address(&mut self, v: &mut Validator, address: Option<&AddressData>) {
        let a = address.map(|a| Address::validate(v, "address", a));
        self.country_code = a.as_ref().map(|a| a.country_code.clone());
        self.postal_code = a.as_ref().and_then(|a| a.postal_code.clone());
        self.state_or_region = a.as_ref().and_then(|a| a.state_or_region.clone());
        self.city = a.as_ref().and_then(|a| a.city.clone());
        self.street_address = a.and_then(|a| a.street_address);
    }

    /// Rules between fields (docs/ace-model.md §5.3).
    fn check(&self, v: &mut Validator) {
        let other = self.industry == Industry::Other.as_str();
        if other && self.other_industry.is_none() {
            v.fail(
                "otherIndustry",
                FieldCode::RequiredFieldMissing,
                "is required when industry is OTHER",
            );
        }
        if !other && self.other_industry.is_some() {
            v.fail(
                "otherIndustry",
                FieldCode::InvalidValue,
                "is only allowed when industry is OTHER",
            );
        }
    }

    fn apply(self, m: &mut customer::ActiveModel) {
        m.company_name = Set(self.company_name);
        m.industry = Set(self.industry);
        m.other_industry = Set(self.other_industry);
        m.website_url = Set(self.website_url);
        m.country_code = Set(self.country_code);
        m.postal_code = Set(self.postal_code);
        m.state_or_region = Set(self.state_or_region);
        m.city = Set(self.city);
        m.street_address = Set(self.street_address);
        m.duns = Set(self.duns);
        m.aws_account_id = Set(self.aws_account_id);
        m.segment_code = Set(self.segment);
        m.aws_adoption = Set(self.aws_adoption);
        m.internal_notes = Set(self.internal_notes);
    }
}

/// A validated address (ACE `Customer.Account.Address`).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub country_code: String,
    pub postal_code: Option<String>,
    pub state_or_region: Option<String>,
    pub city: Option<String>,
    pub street_address: Option<String>,
}

impl Address {
    /// The address fields under `prefix`; a state or region only with country US.
    pub fn validate(v: &mut Validator, prefix: &str, a: &AddressData) -> Self {
        let field = |name: &str| format!("{prefix}.{name}");
        let address = Address {
            country_code: v.country(&field("countryCode"), &a.country_code),
            postal_code: v.optional(&field("postalCode"), a.postal_code.as_deref(), 1, 20),
            state_or_region: v.optional(
                &field("stateOrRegion"),
                a.state_or_region.as_deref(),
                1,
                255,
            ),
            city: v.optional(&field("city"), a.city.as_deref(), 1, 255),
            street_address: v.optional(
                &field("streetAddress"),
                a.street_address.as_deref(),
                1,
                255,
            ),
        };
        if address.state_or_region.is_some() && address.country_code != "US" {
            v.fail(
                &field("stateOrRegion"),
                FieldCode::InvalidValue,
                "is only allowed when countryCode is US",
            );
        }
        address
    }
}

/// A validated contact, as stored and as a referral carries it.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactFields {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub business_title: Option<String>,
}

fn validate_contact(v: &mut Validator, prefix: &str, c: &ContactData) -> ContactFields {
    let field = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    ContactFields {
        first_name: v.required(&field("firstName"), &c.first_name, NAME_MAX),
        last_name: v.required(&field("lastName"), &c.last_name, NAME_MAX),
        email: v.email(&field("email"), c.email.as_deref()),
        phone: v.phone(&field("phone"), c.phone.as_deref()),
        business_title: v.optional(
            &field("businessTitle"),
            c.business_title.as_deref(),
            1,
            NAME_MAX,
        ),
    }
}

/// A list of contacts under `field`, at most as many as a customer keeps.
pub fn validate_contacts(
    v: &mut Validator,
    field: &str,
    contacts: Option<&[ContactData]>,
) -> Vec<ContactFields> {
    let contacts = contacts.unwrap_or_default();
    if contacts.len() > CONTACTS_MAX {
        v.fail(
            field,
            FieldCode::TooManyValues,
            format!("at most {CONTACTS_MAX} contacts"),
        );
    }
    contacts
        .iter()
        .enumerate()
        .map(|(i, c)| validate_contact(v, &format!("{field}.{i}"), c))
        .collect()
}

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
    txn.commit().await?;
    Ok(id)
}
