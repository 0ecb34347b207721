//! Asks: what a partner asks of AWS on one opportunity (docs/domain.md, "Asks"). The requester
//! creates, edits (while OPEN) and withdraws; the AWS side assigns and works them through the
//! state machine of `domain::ask_flow`; everyone who sees an ask may comment.
use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::ask_flow::AskSide;
use crate::domain::enums::ChangeAction;
use crate::domain::enums::{
    AskKind, AskPriority, AskStatus, ReviewStatus, Stage, StoredEnum, api_name, decode,
};
use crate::domain::ids::IdKind;
use crate::domain::money::format_cents;
use crate::domain::patch::Patch;
use crate::domain::validate::Validator;
use crate::error::FieldCode;
use crate::error::{AppError, AppResult};
use crate::services::commands::{
    ArchitectureData, CreateAsk, FundingData, MarketplaceData, UpdateAsk,
};
use crate::services::history::Diff;
use crate::services::idempotency::{CLIENT_TOKEN_MAX, Key};
use crate::services::opportunities::fields::Spend;
use crate::services::versioned;
use chrono::NaiveDate;
use entity::{ask, ask_comment};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set,
};
use serde::Serialize;

const TITLE_MAX: usize = 255;
const DETAILS_MAX: usize = 4000;
/// An outcome shorter than this cannot say which customer goal the ask serves.
pub const OUTCOME_MIN: usize = 20;
const OUTCOME_MAX: usize = 1000;
const NAME_MAX: usize = 255;
const STAKEHOLDERS_MAX: usize = 20;
const TEXT_MAX: usize = 4000;
/// Comments an ask keeps; the list is returned whole, so it stays bounded.
const COMMENTS_MAX: u64 = 200;
const CREATE_OPERATION: &str = "createAsk";

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
struct Fields {
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
    fn from_create(v: &mut Validator, i: &CreateAsk, today: NaiveDate) -> Self {
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

    fn of(m: &ask::Model) -> AppResult<Self> {
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

    fn patch(&mut self, v: &mut Validator, i: &UpdateAsk, today: NaiveDate) {
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
    fn check(&self, v: &mut Validator, kind: AskKind) {
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

    fn apply(&self, m: &mut ask::ActiveModel) {
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

fn today() -> NaiveDate {
    crate::domain::now().date_naive()
}

pub async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: CreateAsk,
) -> AppResult<ask::Model> {
    let mut v = Validator::new("input");
    let fields = Fields::from_create(&mut v, &input, today());
    fields.check(&mut v, input.kind);
    let token = input
        .client_token
        .as_deref()
        .map(|t| v.required("clientToken", t, CLIENT_TOKEN_MAX));
    v.finish()?;
    crate::services::idempotency::create_or_replay(token.is_some(), || {
        try_create(db, viewer, &input, &fields, token.as_deref())
    })
    .await
}

async fn try_create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: &CreateAsk,
    fields: &Fields,
    token: Option<&str>,
) -> AppResult<ask::Model> {
    let txn = crate::db::begin_write(db).await?;
    let opportunity = data::opportunities::find(&txn, viewer, &input.opportunity_id)
        .await?
        .ok_or(AppError::NotFound("opportunity"))?;
    policy::request_ask(viewer, &opportunity.partner_id)?;
    let key = token.map(|token| {
        Key::new(
            &opportunity.partner_id,
            CREATE_OPERATION,
            token,
            &serde_json::json!({ "opportunityId": opportunity.id, "kind": input.kind.as_str(), "fields": fields }),
        )
    });
    if let Some(key) = &key
        && let Some(first) = key.replay(&txn).await?
    {
        return ask::Entity::find_by_id(first)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::internal("idempotency key without its ask"));
    }
    let stage: Stage = decode(&opportunity.stage)?;
    let review: ReviewStatus = decode(&opportunity.review_status)?;
    if stage.is_terminal() || review == ReviewStatus::Rejected {
        let state = if stage.is_terminal() {
            api_name(stage)
        } else {
            api_name(review)
        };
        return Err(AppError::invalid_state(
            "input.opportunityId",
            format!("the opportunity is {state}: asks serve open opportunities only"),
        ));
    }
    let now = crate::domain::now();
    let mut model = ask::ActiveModel {
        id: Set(IdKind::Ask.new_id()),
        partner_id: Set(opportunity.partner_id.clone()),
        opportunity_id: Set(opportunity.id.clone()),
        kind: Set(input.kind.as_str().into()),
        status: Set(AskStatus::Open.as_str().into()),
        requested_by: Set(viewer.subject.clone()),
        assignee: Set(None),
        response: Set(None),
        resolved_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    fields.apply(&mut model);
    let created = model.insert(&txn).await?;
    if let Some(key) = &key {
        key.remember(&txn, &created.id).await?;
    }
    let mut diff = Diff::created(fields);
    diff.field("kind", &None::<&str>, &Some(input.kind.as_str()));
    diff.record(
        &txn,
        viewer,
        &created.partner_id,
        ("Ask", &created.id),
        ChangeAction::Created,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// The visible ask `id` with `expectedVersion` checked, inside a write transaction.
async fn load_for_write(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    id: &str,
    expected_version: Option<i32>,
) -> AppResult<ask::Model> {
    let current = data::asks::find(txn, viewer, id)
        .await?
        .ok_or(AppError::NotFound("ask"))?;
    versioned::check_version(expected_version, current.version)?;
    Ok(current)
}

/// Writes `model` as the next version of `current`, records `diff` and commits.
async fn commit(
    txn: DatabaseTransaction,
    viewer: &Viewer,
    current: &ask::Model,
    mut model: ask::ActiveModel,
    diff: Diff,
    action: ChangeAction,
) -> AppResult<ask::Model> {
    model.version = Set(current.version + 1);
    model.updated_at = Set(crate::domain::now());
    versioned::write::<ask::Entity>(txn, viewer, current, model, diff, action).await
}

fn status_of(m: &ask::Model) -> AppResult<AskStatus> {
    decode(&m.status)
}

fn never_changes(status: AskStatus) -> AppError {
    AppError::invalid_state(
        "status",
        format!(
            "the ask is {}: FULFILLED, DECLINED and WITHDRAWN asks never change",
            api_name(status)
        ),
    )
}

/// The requester's edit, while the ask is OPEN (before AWS acknowledged it).
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    expected_version: Option<i32>,
    input: UpdateAsk,
) -> AppResult<ask::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = load_for_write(&txn, viewer, id, expected_version).await?;
    policy::request_ask(viewer, &current.partner_id)?;
    let status = status_of(&current)?;
    if status != AskStatus::Open {
        return Err(AppError::invalid_state(
            "status",
            format!(
                "only OPEN asks can be edited; this one is {}",
                api_name(status)
            ),
        ));
    }
    let old = Fields::of(&current)?;
    let mut new = old.clone();
    let mut v = Validator::new("input");
    new.patch(&mut v, &input, today());
    new.check(&mut v, decode(&current.kind)?);
    v.finish()?;
    let diff = Diff::between(&old, &new);
    if diff.is_empty() {
        return Ok(current);
    }
    let mut model: ask::ActiveModel = current.clone().into();
    new.apply(&mut model);
    commit(txn, viewer, &current, model, diff, ChangeAction::Updated).await
}

/// Names who on the AWS side works the ask.
pub async fn assign(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    assignee: &str,
) -> AppResult<ask::Model> {
    let mut v = Validator::new("");
    let assignee = v.required("assignee", assignee, NAME_MAX);
    v.finish()?;
    let txn = crate::db::begin_write(db).await?;
    let current = load_for_write(&txn, viewer, id, None).await?;
    policy::work_ask(viewer)?;
    let status = status_of(&current)?;
    if status.is_terminal() {
        return Err(never_changes(status));
    }
    let mut diff = Diff::default();
    diff.field("assignee", &current.assignee, &Some(assignee.clone()));
    if diff.is_empty() {
        return Ok(current);
    }
    let mut model: ask::ActiveModel = current.clone().into();
    model.assignee = Set(Some(assignee));
    commit(txn, viewer, &current, model, diff, ChangeAction::Assigned).await
}

/// Moves an ask along its state machine (`domain::ask_flow`). The actor's side is checked
/// first (FORBIDDEN), then the move itself (INVALID_STATE), then the response.
pub async fn transition(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    to: AskStatus,
    response: Option<String>,
    expected_version: Option<i32>,
) -> AppResult<ask::Model> {
    let mut v = Validator::new("");
    let response = v.optional("response", response.as_deref(), 1, TEXT_MAX);
    v.finish()?;
    let txn = crate::db::begin_write(db).await?;
    let current = load_for_write(&txn, viewer, id, expected_version).await?;
    let side = to
        .moved_by()
        .ok_or_else(|| AppError::invalid_state("to", "no transition leads back to OPEN"))?;
    match side {
        AskSide::Aws => policy::work_ask(viewer)?,
        AskSide::Requester => policy::request_ask(viewer, &current.partner_id)?,
    }
    let from = status_of(&current)?;
    if from.is_terminal() {
        return Err(never_changes(from));
    }
    if !to.reached_from().contains(&from) {
        let allowed: Vec<&str> = to.reached_from().iter().map(|s| api_name(*s)).collect();
        return Err(AppError::invalid_state(
            "to",
            format!(
                "an ask moves to {} only from {}; this one is {}",
                api_name(to),
                allowed.join(" or "),
                api_name(from)
            ),
        ));
    }
    match (to.needs_response(), &response) {
        (true, None) => {
            return Err(AppError::bad_field(
                "response",
                FieldCode::RequiredFieldMissing,
                format!("{} needs a response for the partner", api_name(to)),
            ));
        }
        (false, Some(_)) => {
            return Err(AppError::bad_field(
                "response",
                FieldCode::InvalidValue,
                "a response goes with FULFILLED or DECLINED; use commentOnAsk to say more",
            ));
        }
        _ => {}
    }
    let mut model: ask::ActiveModel = current.clone().into();
    let mut diff = Diff::default();
    diff.field("status", &current.status.as_str(), &to.as_str());
    model.status = Set(to.as_str().into());
    // Whoever acknowledges an unassigned ask takes it.
    if to == AskStatus::Acknowledged && current.assignee.is_none() {
        diff.field("assignee", &None, &Some(viewer.subject.clone()));
        model.assignee = Set(Some(viewer.subject.clone()));
    }
    if response.is_some() {
        diff.field("response", &current.response, &response);
        model.response = Set(response);
    }
    if to.is_terminal() {
        model.resolved_at = Set(Some(crate::domain::now()));
    }
    commit(
        txn,
        viewer,
        &current,
        model,
        diff,
        ChangeAction::StatusChanged,
    )
    .await
}

/// A comment by anyone who can see the ask, in any status.
pub async fn comment(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    body: &str,
) -> AppResult<ask::Model> {
    let mut v = Validator::new("");
    let body = v.required("body", body, TEXT_MAX);
    v.finish()?;
    let txn = crate::db::begin_write(db).await?;
    let current = load_for_write(&txn, viewer, id, None).await?;
    crate::db::lock_row(&txn, "ask", &current.id).await?;
    if data::asks::comment_count(&txn, &current.id).await? >= COMMENTS_MAX {
        return Err(AppError::bad_field(
            "id",
            FieldCode::TooManyValues,
            format!("an ask keeps at most {COMMENTS_MAX} comments"),
        ));
    }
    let now = crate::domain::now();
    ask_comment::ActiveModel {
        id: Set(IdKind::AskComment.new_id()),
        ask_id: Set(current.id.clone()),
        author: Set(viewer.subject.clone()),
        body: Set(body.clone()),
        at: Set(now),
    }
    .insert(&txn)
    .await?;
    // A comment is activity, not an edit: it moves updatedAt but not the version.
    ask::Entity::update_many()
        .col_expr(ask::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(ask::Column::Id.eq(current.id.as_str()))
        .exec(&txn)
        .await?;
    let mut diff = Diff::default();
    diff.field("comments", &None::<String>, &Some(body));
    diff.record(
        &txn,
        viewer,
        &current.partner_id,
        ("Ask", &current.id),
        ChangeAction::Commented,
    )
    .await?;
    txn.commit().await?;
    Ok(ask::Model {
        updated_at: now,
        ..current
    })
}
