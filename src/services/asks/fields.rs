//! An ask's fields: what each kind carries, their limits, and their validation on create and
//! on update (docs/domain.md, "Asks").
use crate::domain::enums::{AskKind, AskPriority, StoredEnum, api_name};
use crate::domain::money::format_cents;
use crate::domain::patch::Patch;
use crate::domain::validate::Validator;
use crate::error::AppResult;
use crate::error::FieldCode;
use crate::services::commands::{
    ArchitectureData, CreateAsk, FundingData, MarketplaceData, UpdateAsk,
};
use crate::services::opportunities::fields::Spend;
use chrono::NaiveDate;
use entity::ask;
use sea_orm::Set;
use serde::Serialize;

const TITLE_MAX: usize = 255;
const DETAILS_MAX: usize = 4000;
/// An outcome shorter than this cannot say which customer goal the ask serves.
pub const OUTCOME_MIN: usize = 20;
const OUTCOME_MAX: usize = 1000;
pub(super) const NAME_MAX: usize = 255;
const STAKEHOLDERS_MAX: usize = 20;
pub(super) const TEXT_MAX: usize = 4000;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Funding {
    program: String,
    funding_type: String,
    amount: Spend,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Marketplace {
    offer_arn: Option<String>,
    listing_url: Option<String>,
    notes: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Architecture {
    workload: String,
    requirements: Option<String>,
}

/// The values of an ask that create and update set, named as in the API for history.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Fields {
    title: String,
    details: String,
    customer_outcome: String,
    priority: String,
    due_date: Option<NaiveDate>,
    stakeholders: Vec<String>,
    funding: Option<Funding>,
    marketplace: Option<Marketplace>,
    architecture: Option<Architecture>,
}

fn funding(v: &mut Validator, f: &FundingData) -> Funding {
    if f.amount.cents <= 0 {
        v.fail(
            "funding.amount.amount",
            FieldCode::ValueOutOfRange,
            "must be greater than 0",
        );
    }
    Funding {
        program: f.program.as_str().into(),
        funding_type: f.funding_type.as_str().into(),
        amount: Spend::of(f.amount),
    }
}

fn marketplace(v: &mut Validator, m: &MarketplaceData) -> Marketplace {
    Marketplace {
        offer_arn: v.arn("marketplace.offerArn", m.offer_arn.as_deref()),
        listing_url: v.url("marketplace.listingUrl", m.listing_url.as_deref()),
        notes: v.optional("marketplace.notes", m.notes.as_deref(), 1, TEXT_MAX),
    }
}

fn architecture(v: &mut Validator, a: &ArchitectureData) -> Architecture {
    Architecture {
        workload: v.required("architecture.workload", &a.workload, NAME_MAX),
        requirements: v.optional(
            "architecture.requirements",
            a.requirements.as_deref(),
            1,
            TEXT_MAX,
        ),
    }
}

fn stakeholders(v: &mut Validator, names: &[String]) -> Vec<String> {
    if names.len() > STAKEHOLDERS_MAX {
        v.fail(
            "stakeholders",
            FieldCode::TooManyValues,
            format!("at most {STAKEHOLDERS_MAX} stakeholders"),
        );
    }
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let name = v.required(&format!("stakeholders.{i}"), name, NAME_MAX);
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn due_date(v: &mut Validator, date: NaiveDate, today: NaiveDate) -> NaiveDate {
    if date < today {
        v.fail(
            "dueDate",
            FieldCode::ValueOutOfRange,
            "must not be in the past",
        );
    }
    date
}

impl Fields {
    pub(super) fn from_create(v: &mut Validator, i: &CreateAsk, today: NaiveDate) -> Self {
        Fields {
            title: v.required("title", &i.title, TITLE_MAX),
            details: v.required("details", &i.details, DETAILS_MAX),
            customer_outcome: outcome(v, &i.customer_outcome),
            priority: i.priority.unwrap_or(AskPriority::Normal).as_str().into(),
            due_date: i.due_date.map(|d| due_date(v, d, today)),
            stakeholders: stakeholders(v, i.stakeholders.as_deref().unwrap_or_default()),
            funding: i.funding.as_ref().map(|f| funding(v, f)),
            marketplace: i.marketplace.as_ref().map(|m| marketplace(v, m)),
            architecture: i.architecture.as_ref().map(|a| architecture(v, a)),
        }
    }

    pub(super) fn of(m: &ask::Model) -> AppResult<Self> {
        let funding = match (
            &m.funding_program,
            &m.funding_type,
            m.funding_amount_cents,
            &m.funding_currency,
        ) {
            (Some(program), Some(funding_type), Some(cents), Some(currency)) => Some(Funding {
                program: program.clone(),
                funding_type: funding_type.clone(),
                amount: Spend {
                    cents,
                    amount: format_cents(cents),
                    currency_code: currency.clone(),
                },
            }),
            _ => None,
        };
        let marketplace = (m.marketplace_offer_arn.is_some()
            || m.marketplace_listing_url.is_some()
            || m.marketplace_notes.is_some())
        .then(|| Marketplace {
            offer_arn: m.marketplace_offer_arn.clone(),
            listing_url: m.marketplace_listing_url.clone(),
            notes: m.marketplace_notes.clone(),
        });
        Ok(Fields {
            title: m.title.clone(),
            details: m.details.clone(),
            customer_outcome: m.customer_outcome.clone(),
            priority: m.priority.clone(),
            due_date: m.due_date,
            stakeholders: crate::domain::stored::json(&m.stakeholders, "stakeholders")?,
            funding,
            marketplace,
            architecture: m
                .architecture_workload
                .as_ref()
                .map(|workload| Architecture {
                    workload: workload.clone(),
                    requirements: m.architecture_requirements.clone(),
                }),
        })
    }

    pub(super) fn patch(&mut self, v: &mut Validator, i: &UpdateAsk, today: NaiveDate) {
        self.title = v.patch_required("title", &i.title, &self.title, TITLE_MAX);
        self.details = v.patch_required("details", &i.details, &self.details, DETAILS_MAX);
        match &i.customer_outcome {
            Patch::Absent => {}
            Patch::Null => v.fail(
                "customerOutcome",
                FieldCode::RequiredFieldMissing,
                "cannot be cleared",
            ),
            Patch::Value(text) => self.customer_outcome = outcome(v, text),
        }
        self.priority = v
            .patch_enum("priority", &i.priority, priority_of(&self.priority))
            .as_str()
            .into();
        match &i.due_date {
            Patch::Absent => {}
            Patch::Null => self.due_date = None,
            Patch::Value(d) => self.due_date = Some(due_date(v, *d, today)),
        }
        match &i.stakeholders {
            Patch::Absent => {}
            Patch::Null => self.stakeholders = Vec::new(),
            Patch::Value(names) => self.stakeholders = stakeholders(v, names),
        }
        patch_block(&mut self.funding, &i.funding, |f| funding(v, f));
        patch_block(&mut self.marketplace, &i.marketplace, |m| marketplace(v, m));
        patch_block(&mut self.architecture, &i.architecture, |a| {
            architecture(v, a)
        });
    }

    /// Each kind needs its own details, and only its own (docs/domain.md, "Asks").
    pub(super) fn check(&self, v: &mut Validator, kind: AskKind) {
        let needs = |k: AskKind| kind == k;
        let blocks = [
            ("funding", self.funding.is_some(), AskKind::Funding),
            (
                "marketplace",
                self.marketplace.is_some(),
                AskKind::MarketplaceProcurement,
            ),
            (
                "architecture",
                self.architecture.is_some(),
                AskKind::SolutionArchitecture,
            ),
            (
                "stakeholders",
                !self.stakeholders.is_empty(),
                AskKind::StakeholderAlignment,
            ),
        ];
        for (field, present, owner) in blocks {
            if present && !needs(owner) {
                v.fail(
                    field,
                    FieldCode::InvalidValue,
                    format!("is only for {} asks", api_name(owner)),
                );
            }
        }
        match kind {
            AskKind::Funding if self.funding.is_none() => v.fail(
                "funding",
                FieldCode::RequiredFieldMissing,
                "a FUNDING ask needs the programme, the funding type and an amount",
            ),
            AskKind::MarketplaceProcurement
                if self
                    .marketplace
                    .as_ref()
                    .is_none_or(|m| m.offer_arn.is_none() && m.listing_url.is_none()) =>
            {
                v.fail(
                    "marketplace",
                    FieldCode::RequiredFieldMissing,
                    "a MARKETPLACE_PROCUREMENT ask needs an offerArn or a listingUrl",
                )
            }
            AskKind::SolutionArchitecture if self.architecture.is_none() => v.fail(
                "architecture",
                FieldCode::RequiredFieldMissing,
                "a SOLUTION_ARCHITECTURE ask needs the workload",
            ),
            AskKind::StakeholderAlignment if self.stakeholders.is_empty() => v.fail(
                "stakeholders",
                FieldCode::RequiredFieldMissing,
                "a STAKEHOLDER_ALIGNMENT ask needs at least one stakeholder",
            ),
            _ => {}
        }
    }

    pub(super) fn apply(&self, m: &mut ask::ActiveModel) {
        m.title = Set(self.title.clone());
        m.details = Set(self.details.clone());
        m.customer_outcome = Set(self.customer_outcome.clone());
        m.priority = Set(self.priority.clone());
        m.priority_rank = Set(priority_of(&self.priority).rank());
        m.due_date = Set(self.due_date);
        m.stakeholders = Set(serde_json::json!(self.stakeholders));
        let f = self.funding.as_ref();
        m.funding_program = Set(f.map(|f| f.program.clone()));
        m.funding_type = Set(f.map(|f| f.funding_type.clone()));
        m.funding_amount_cents = Set(f.map(|f| f.amount.cents));
        m.funding_currency = Set(f.map(|f| f.amount.currency_code.clone()));
        let mp = self.marketplace.as_ref();
        m.marketplace_offer_arn = Set(mp.and_then(|m| m.offer_arn.clone()));
        m.marketplace_listing_url = Set(mp.and_then(|m| m.listing_url.clone()));
        m.marketplace_notes = Set(mp.and_then(|m| m.notes.clone()));
        let a = self.architecture.as_ref();
        m.architecture_workload = Set(a.map(|a| a.workload.clone()));
        m.architecture_requirements = Set(a.and_then(|a| a.requirements.clone()));
    }
}

/// The stored priority; rows are written only by `apply`, so it always parses.
fn priority_of(stored: &str) -> AskPriority {
    AskPriority::parse(stored).unwrap_or(AskPriority::Normal)
}

fn outcome(v: &mut Validator, text: &str) -> String {
    let text = text.trim();
    if text.chars().count() < OUTCOME_MIN {
        v.fail(
            "customerOutcome",
            FieldCode::ValueOutOfRange,
            format!(
                "say which customer outcome the ask serves, in at least {OUTCOME_MIN} characters: asks that serve no customer goal are refused"
            ),
        );
    } else {
        v.length("customerOutcome", text, OUTCOME_MIN, OUTCOME_MAX);
    }
    text.to_string()
}

/// A details block in a patch: omitted keeps, null clears, a value replaces the whole block.
fn patch_block<T, I>(current: &mut Option<T>, patch: &Patch<I>, validate: impl FnOnce(&I) -> T) {
    match patch {
        Patch::Absent => {}
        Patch::Null => *current = None,
        Patch::Value(input) => *current = Some(validate(input)),
    }
}
