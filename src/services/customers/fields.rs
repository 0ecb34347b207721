//! A customer's account fields and contacts: ACE's limits and formats, the rules between
//! fields, and their validation on create and on update (docs/ace-model.md §1, §5.3).
use crate::domain::enums::{Industry, StoredEnum};
use crate::domain::validate::Validator;
use crate::error::FieldCode;
use crate::services::commands::{AddressData, ContactData};
use entity::customer;
use sea_orm::Set;
use serde::Serialize;

pub const COMPANY_NAME_MAX: usize = 120;
pub(super) const OTHER_INDUSTRY_MAX: usize = 255;
pub(super) const NOTES_MAX: usize = 2000;
pub(super) const NAME_MAX: usize = 80;
/// Contacts a customer may have; ACE sets none, this keeps a record readable.
pub(super) const CONTACTS_MAX: usize = 50;

/// The stored values of a customer that mutations set, named as in the API for history.
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Fields {
    pub(super) company_name: String,
    pub(super) industry: String,
    pub(super) other_industry: Option<String>,
    pub(super) website_url: Option<String>,
    #[serde(rename = "address.countryCode")]
    pub(super) country_code: Option<String>,
    #[serde(rename = "address.postalCode")]
    pub(super) postal_code: Option<String>,
    #[serde(rename = "address.stateOrRegion")]
    pub(super) state_or_region: Option<String>,
    #[serde(rename = "address.city")]
    pub(super) city: Option<String>,
    #[serde(rename = "address.streetAddress")]
    pub(super) street_address: Option<String>,
    pub(super) duns: Option<String>,
    pub(super) aws_account_id: Option<String>,
    pub(super) segment: String,
    pub(super) aws_adoption: String,
    pub(super) internal_notes: Option<String>,
}

impl Fields {
    pub(super) fn of(m: &customer::Model) -> Self {
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

    pub(super) fn set_address(&mut self, v: &mut Validator, address: Option<&AddressData>) {
        let a = address.map(|a| Address::validate(v, "address", a));
        self.country_code = a.as_ref().map(|a| a.country_code.clone());
        self.postal_code = a.as_ref().and_then(|a| a.postal_code.clone());
        self.state_or_region = a.as_ref().and_then(|a| a.state_or_region.clone());
        self.city = a.as_ref().and_then(|a| a.city.clone());
        self.street_address = a.and_then(|a| a.street_address);
    }

    /// Rules between fields (docs/ace-model.md §5.3).
    pub(super) fn check(&self, v: &mut Validator) {
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

    pub(super) fn apply(self, m: &mut customer::ActiveModel) {
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

pub(super) fn validate_contact(v: &mut Validator, prefix: &str, c: &ContactData) -> ContactFields {
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
