//! Asks: what a partner asks of AWS on one opportunity (docs/domain.md, "Asks"). The requester
//! creates, edits (while OPEN) and withdraws; the AWS side assigns and works them through the
//! state machine of `domain::ask_flow`; everyone who sees an ask may comment.
use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::ask_flow::AskSide;
use crate::domain::enums::ChangeAction;
use crate::domain::enums::{AskStatus, ReviewStatus, Stage, StoredEnum, api_name, decode};
use crate::domain::ids::IdKind;
use crate::domain::validate::Validator;
use crate::error::FieldCode;
use crate::error::{AppError, AppResult};
use crate::services::commands::{CreateAsk, UpdateAsk};
use crate::services::history::Diff;
use crate::services::idempotency::{CLIENT_TOKEN_MAX, Key};
use crate::services::versioned;
use chrono::NaiveDate;
use entity::{ask, ask_comment};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set,
};

mod fields;

use fields::{Fields, NAME_MAX, TEXT_MAX};

/// Comments an ask keeps; the list is returned whole, so it stays bounded.
const COMMENTS_MAX: u64 = 200;
const CREATE_OPERATION: &str = "createAsk";

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
    txn: crate::db::WriteTxn,
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
