//! Opportunities: create (idempotent by clientToken), patch updates under optimistic locking,
//! the review workflow, closing, solutions, readiness and the ACE export.
pub mod ace;
pub mod fields;
pub mod lifecycle;
pub mod readiness;
pub mod solutions;

use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::enums::ChangeAction;
use crate::domain::enums::{Origin, ReviewStatus, Role, Stage, StoredEnum, decode};
use crate::domain::ids::IdKind;
use crate::domain::validate::Validator;
use crate::error::{AppError, AppResult};
use crate::services::ace::outbox::{self, JobKind};
use crate::services::commands::{CreateOpportunity, UpdateOpportunity};
use crate::services::history::Diff;
use crate::services::idempotency::{CLIENT_TOKEN_MAX, Key};
use crate::services::locks;
use crate::services::versioned;
use entity::{next_step, opportunity, opportunity_primary_need};
use fields::Fields;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, Set,
};

const CREATE_OPERATION: &str = "createOpportunity";
const REFERRAL_OPERATION: &str = "acceptReferral";
const ACE_IMPORT_OPERATION: &str = "aceImport";

fn today() -> chrono::NaiveDate {
    crate::domain::now().date_naive()
}

/// The visible opportunity `id` with `expectedVersion` checked, inside a write transaction.
pub(crate) async fn load_for_write(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    id: &str,
    expected_version: Option<i32>,
) -> AppResult<opportunity::Model> {
    let current = data::opportunities::find(txn, viewer, id)
        .await?
        .ok_or(AppError::NotFound("opportunity"))?;
    versioned::check_version(expected_version, current.version)?;
    Ok(current)
}

/// Writes `model` as the next version of `current` with its history entry and commits: the
/// version check and the write are one statement, so of two concurrent writers only one wins.
pub(crate) async fn commit_change(
    txn: crate::db::WriteTxn,
    viewer: &Viewer,
    current: &opportunity::Model,
    mut model: opportunity::ActiveModel,
    diff: Diff,
    action: ChangeAction,
) -> AppResult<opportunity::Model> {
    model.version = Set(current.version + 1);
    model.last_modified_at = Set(crate::domain::now());
    // A change of what ACE holds goes to ACE too, through the outbox in this transaction.
    let job = match action {
        ChangeAction::Submitted => Some(JobKind::Submit),
        ChangeAction::NotesUpdated | ChangeAction::Reviewed => None,
        _ => Some(JobKind::Update),
    };
    if let Some(kind) = job {
        outbox::enqueue(&txn, current, kind).await?;
    }
    versioned::write::<opportunity::Entity>(txn, viewer, current, model, diff, action).await
}

async fn replace_needs<C: ConnectionTrait>(db: &C, id: &str, needs: &[String]) -> AppResult<()> {
    opportunity_primary_need::Entity::delete_many()
        .filter(opportunity_primary_need::Column::OpportunityId.eq(id))
        .exec(db)
        .await?;
    opportunity_primary_need::Entity::insert_many(needs.iter().map(|n| {
        opportunity_primary_need::ActiveModel {
            opportunity_id: Set(id.to_string()),
            primary_need: Set(n.clone()),
        }
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub(crate) async fn append_next_step<C: ConnectionTrait>(
    db: &C,
    id: &str,
    value: &str,
) -> AppResult<()> {
    next_step::ActiveModel {
        id: Set(IdKind::NextStep.new_id()),
        opportunity_id: Set(id.to_string()),
        value: Set(value.to_string()),
        at: Set(crate::domain::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: CreateOpportunity,
) -> AppResult<opportunity::Model> {
    let mut v = Validator::new("input");
    let client_token = v.required("clientToken", &input.client_token, CLIENT_TOKEN_MAX);
    let fields = Fields::from_create(&mut v, &input, today());
    v.finish()?;
    crate::services::idempotency::create_or_replay(true, || {
        try_create(db, viewer, &input.customer_id, &client_token, &fields)
    })
    .await
}

async fn try_create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    customer_id: &str,
    client_token: &str,
    fields: &Fields,
) -> AppResult<opportunity::Model> {
    let txn = crate::db::begin_write(db).await?;
    let created = insert(
        &txn,
        viewer,
        customer_id,
        (CREATE_OPERATION, client_token),
        fields,
        Origin::PartnerReferral,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Where an opportunity created inside another change comes from: its idempotency key, so
/// each source becomes at most one opportunity.
pub(crate) enum Source<'a> {
    /// An accepted AWS referral (its id).
    Referral(&'a str),
    /// An opportunity made in Partner Central (ACE's id is the input's client token).
    AceImport,
}

/// Creates an opportunity inside the caller's transaction: an accepted referral's, or one
/// imported from Partner Central.
pub(crate) async fn create_in(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    source: Source<'_>,
    input: CreateOpportunity,
    origin: Origin,
) -> AppResult<opportunity::Model> {
    let mut v = Validator::new("input");
    let fields = Fields::from_create(&mut v, &input, today());
    v.finish()?;
    let key = match source {
        Source::Referral(id) => (REFERRAL_OPERATION, id),
        Source::AceImport => (ACE_IMPORT_OPERATION, input.client_token.as_str()),
    };
    insert(txn, viewer, &input.customer_id, key, &fields, origin).await
}

/// Inserts a new opportunity with its needs, first next step, idempotency key and history,
/// or replays the one an earlier request with the same (operation, token) created.
async fn insert(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    customer_id: &str,
    (operation, client_token): (&'static str, &str),
    fields: &Fields,
    origin: Origin,
) -> AppResult<opportunity::Model> {
    let customer = data::customers::find(txn, viewer, customer_id)
        .await?
        .ok_or(AppError::NotFound("customer"))?;
    policy::edit_partner_data(viewer, &customer.partner_id)?;
    let mut v = Validator::new("input");
    fields.check(&mut v, &customer.industry);
    v.finish()?;

    let key = Key::new(
        &customer.partner_id,
        operation,
        client_token,
        &serde_json::json!({ "customerId": customer.id, "fields": fields }),
    );
    if let Some(first) = key.replay(txn).await? {
        return opportunity::Entity::find_by_id(first)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::internal("idempotency key without its opportunity"));
    }

    let now = crate::domain::now();
    let mut model = opportunity::ActiveModel {
        id: Set(IdKind::Opportunity.new_id()),
        partner_id: Set(customer.partner_id.clone()),
        customer_id: Set(customer.id.clone()),
        client_token: Set(client_token.to_string()),
        origin: Set(origin.as_str().into()),
        involvement_type: Set(None),
        review_status: Set(ReviewStatus::PendingSubmission.as_str().into()),
        review_comments: Set(None),
        review_status_reason: Set(None),
        closed_lost_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        last_modified_at: Set(now),
        ..Default::default()
    };
    fields.apply(&mut model);
    let created = model.insert(txn).await?;
    replace_needs(txn, &created.id, &fields.primary_needs_from_aws).await?;
    if let Some(step) = &fields.next_steps {
        append_next_step(txn, &created.id, step).await?;
    }
    key.remember(txn, &created.id).await?;
    let mut diff = Diff::created(&fields);
    diff.field("origin", &None::<&str>, &Some(origin.as_str()));
    diff.record(
        txn,
        viewer,
        &created.partner_id,
        ("Opportunity", &created.id),
        ChangeAction::Created,
    )
    .await?;
    Ok(created)
}

/// What an AWS_SELLER may change on a shared opportunity (docs/domain.md).
const SELLER_FIELDS: &[&str] = &["nextSteps"];

pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    expected_version: i32,
    input: UpdateOpportunity,
) -> AppResult<opportunity::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = load_for_write(&txn, viewer, id, Some(expected_version)).await?;
    let seller = viewer.role == Role::AwsSeller;
    if seller {
        // Judged on what the input names, not on what would change: a field refused only
        // when its value differs would confirm a guess of its stored value (internalNotes).
        if let Some(field) = input
            .named_fields()
            .into_iter()
            .find(|f| !SELLER_FIELDS.contains(f))
        {
            return Err(AppError::Forbidden(format!(
                "an AWS_SELLER may change only nextSteps, not {field}"
            )));
        }
    } else {
        policy::edit_partner_data(viewer, &current.partner_id)?;
    }
    let customer = data::customers::find(&txn, viewer, &current.customer_id)
        .await?
        .ok_or_else(|| AppError::internal("opportunity without customer"))?;

    let old = Fields::of(&current, fields::needs_of(&txn, &current.id).await?)?;
    let mut new = old.clone();
    let mut v = Validator::new("input");
    new.patch(&mut v, &input, today());
    v.finish()?;
    let mut v = Validator::new("input");
    new.check(&mut v, &customer.industry);
    v.finish()?;

    let diff = Diff::between(&old, &new);
    let review: ReviewStatus = decode(&current.review_status)?;
    let stage: Stage = decode(&current.stage)?;
    for field in diff.fields() {
        if let Some(why) = locks::opportunity_field(review, stage, field) {
            return Err(locks::refused(field, &why));
        }
    }
    if diff.is_empty() {
        return Ok(current);
    }

    let mut model: opportunity::ActiveModel = current.clone().into();
    new.apply(&mut model);
    if diff.changed("primaryNeedsFromAws") {
        replace_needs(&txn, &current.id, &new.primary_needs_from_aws).await?;
    }
    if diff.changed("nextSteps")
        && let Some(step) = &new.next_steps
    {
        append_next_step(&txn, &current.id, step).await?;
    }
    if diff.fields().eq([PRIVATE_FIELD]) {
        return commit_private_change(txn, viewer, &current, new.internal_notes.clone(), diff)
            .await;
    }
    let action = if diff.fields().eq(["stage"]) {
        ChangeAction::StageChanged
    } else {
        ChangeAction::Updated
    };
    commit_change(txn, viewer, &current, model, diff, action).await
}

/// The one partner-private field of an opportunity.
const PRIVATE_FIELD: &str = "internalNotes";

/// A change of partner-private fields only: no new version and no new `lastModifiedAt`, which
/// AWS-side viewers would see move, and a history entry (`NOTES_UPDATED`) that only the
/// partner's side reads. Concurrent notes edits are last-writer-wins.
async fn commit_private_change(
    txn: crate::db::WriteTxn,
    viewer: &Viewer,
    current: &opportunity::Model,
    notes: Option<String>,
    diff: Diff,
) -> AppResult<opportunity::Model> {
    let model = opportunity::ActiveModel {
        internal_notes: Set(notes),
        ..Default::default()
    };
    let action = ChangeAction::NotesUpdated;
    versioned::write::<opportunity::Entity>(txn, viewer, current, model, diff, action).await
}
