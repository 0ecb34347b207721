//! Webhooks: a partner's admins register receivers of signed event deliveries
//! (docs/events.md). Each change writes the deliveries it owes in its own transaction
//! (`enqueue`, called by the history), so a change is never committed without them.
use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::enums::{ChangeAction, EventTopic, StoredEnum, WebhookDeliveryStatus};
use crate::domain::ids::IdKind;
use crate::domain::validate::Validator;
use crate::domain::webhook_url;
use crate::error::{AppError, AppResult, FieldCode};
use crate::services::commands::WebhookCommand;
use crate::services::history::Diff;
use base64::Engine;
use entity::{event, webhook, webhook_delivery};
use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set,
};

/// Webhooks one partner may register.
pub const MAX_PER_PARTNER: u64 = 20;

/// Writes, in the change's transaction, one PENDING delivery of `event` for each enabled
/// webhook of the event's partner subscribed to its topic. A webhook's partner reads all of
/// its own opportunities, asks and referrals, so the partner is the whole scope; what a
/// delivery carries is read as that partner (`webhooks::payload`).
pub async fn enqueue<C: ConnectionTrait>(db: &C, event: &event::Model) -> AppResult<()> {
    let Some(topic) = EventTopic::of_entity(&event.entity_type) else {
        return Ok(());
    };
    use webhook_delivery::Column as D;
    let select = Query::select()
        .expr(
            Expr::val(format!("whd_{}_", event.seq))
                .binary(BinOper::Custom("||"), Expr::cust("SUBSTR(webhook.id, 5)")),
        )
        .column((webhook::Entity, webhook::Column::Id))
        .column((webhook::Entity, webhook::Column::PartnerId))
        .expr(Expr::val(event.seq))
        .expr(Expr::val(topic.as_str()))
        .expr(Expr::val(event.action.as_str()))
        .expr(Expr::val(event.entity_id.as_str()))
        .expr(Expr::val(event.actor.as_str()))
        .expr(Expr::val(event.at))
        .expr(Expr::val(WebhookDeliveryStatus::Pending.as_str()))
        .expr(Expr::val(0))
        .expr(Expr::val(event.at))
        .expr(Expr::val(event.at))
        .from(webhook::Entity)
        .and_where(webhook::Column::PartnerId.eq(event.partner_id.as_str()))
        .and_where(webhook::Column::Enabled.eq(true))
        .and_where(webhook::Column::Topics.like(format!("%,{},%", topic.as_str())))
        .take();
    let insert = Query::insert()
        .into_table(webhook_delivery::Entity)
        .columns([
            D::Id,
            D::WebhookId,
            D::PartnerId,
            D::EventSeq,
            D::Topic,
            D::Action,
            D::ObjectId,
            D::Actor,
            D::At,
            D::Status,
            D::Attempts,
            D::NextAttemptAt,
            D::CreatedAt,
        ])
        .select_from(select)
        .map_err(|e| AppError::internal(format!("webhook outbox statement: {e}")))?
        .take();
    db.execute(&insert).await?;
    Ok(())
}

/// `,OPPORTUNITY,ASK,`: sorted, without duplicates.
fn stored_topics(topics: &[EventTopic]) -> String {
    let mut topics = topics.to_vec();
    topics.sort();
    topics.dedup();
    let names: Vec<&str> = topics.iter().map(|t| t.as_str()).collect();
    format!(",{},", names.join(","))
}

pub fn topics_of(model: &webhook::Model) -> Vec<EventTopic> {
    model
        .topics
        .split(',')
        .filter_map(EventTopic::parse)
        .collect()
}

/// What the history keeps of a webhook: never its secret.
#[derive(serde::Serialize)]
struct Snapshot<'a> {
    url: &'a str,
    topics: &'a str,
    enabled: bool,
}

fn snapshot(m: &webhook::Model) -> Snapshot<'_> {
    Snapshot {
        url: &m.url,
        topics: m.topics.trim_matches(','),
        enabled: m.enabled,
    }
}

fn validate(input: &WebhookCommand, allow_private: bool) -> AppResult<(String, String)> {
    let mut v = Validator::new("input");
    let url = match webhook_url::check(&input.url, allow_private) {
        Ok(url) => url.to_string(),
        Err(message) => {
            v.fail("url", FieldCode::InvalidValue, message);
            String::new()
        }
    };
    v.check(
        !input.topics.is_empty(),
        "topics",
        FieldCode::RequiredFieldMissing,
        "name at least one topic",
    );
    v.finish()?;
    Ok((url, stored_topics(&input.topics)))
}

/// A new signing secret: 32 random bytes, shown once.
fn new_secret() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("random: {e}")))?;
    Ok(format!(
        "whsec_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Registers a webhook; returns it with its secret (shown only here).
pub async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    partner_id: &str,
    input: WebhookCommand,
    allow_private: bool,
) -> AppResult<(webhook::Model, String)> {
    let (url, topics) = validate(&input, allow_private)?;
    let secret = new_secret()?;
    let txn = crate::db::begin_write(db).await?;
    let partner = data::partners::find(&txn, viewer, partner_id)
        .await?
        .ok_or(AppError::NotFound("partner"))?;
    policy::manage_webhooks(viewer, &partner.id)?;
    crate::db::lock_row(&txn, "partner", &partner.id).await?;
    if data::webhooks::count(&txn, &partner.id).await? >= MAX_PER_PARTNER {
        return Err(AppError::bad_field(
            "partnerId",
            FieldCode::TooManyValues,
            format!("a partner may register at most {MAX_PER_PARTNER} webhooks"),
        ));
    }
    let now = crate::domain::now();
    let model = webhook::ActiveModel {
        id: Set(IdKind::Webhook.new_id()),
        partner_id: Set(partner.id.clone()),
        url: Set(url),
        topics: Set(topics),
        secret: Set(secret.clone()),
        enabled: Set(input.enabled.unwrap_or(true)),
        disabled_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    Diff::created(&snapshot(&model))
        .record(
            &txn,
            viewer,
            &partner.id,
            ("Webhook", &model.id),
            ChangeAction::Created,
        )
        .await?;
    txn.commit().await?;
    Ok((model, secret))
}

/// Changes a webhook's URL, topics or state. Enabling it again clears the reason it was
/// disabled; its waiting deliveries are then sent.
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    input: WebhookCommand,
    allow_private: bool,
) -> AppResult<webhook::Model> {
    let (url, topics) = validate(&input, allow_private)?;
    let txn = crate::db::begin_write(db).await?;
    let current = data::webhooks::find(&txn, viewer, id)
        .await?
        .ok_or(AppError::NotFound("webhook"))?;
    policy::manage_webhooks(viewer, &current.partner_id)?;
    let enabled = input.enabled.unwrap_or(current.enabled);
    let mut model: webhook::ActiveModel = current.clone().into();
    model.url = Set(url);
    model.topics = Set(topics);
    model.enabled = Set(enabled);
    if enabled {
        model.disabled_reason = Set(None);
    }
    model.updated_at = Set(crate::domain::now());
    let updated = model.update(&txn).await?;
    Diff::between(&snapshot(&current), &snapshot(&updated))
        .record(
            &txn,
            viewer,
            &updated.partner_id,
            ("Webhook", &updated.id),
            ChangeAction::Updated,
        )
        .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Removes a webhook and its deliveries.
pub async fn delete(db: &DatabaseConnection, viewer: &Viewer, id: &str) -> AppResult<String> {
    let txn = crate::db::begin_write(db).await?;
    let current = data::webhooks::find(&txn, viewer, id)
        .await?
        .ok_or(AppError::NotFound("webhook"))?;
    policy::manage_webhooks(viewer, &current.partner_id)?;
    webhook::Entity::delete_by_id(current.id.clone())
        .exec(&txn)
        .await?;
    Diff::created(&snapshot(&current))
        .record(
            &txn,
            viewer,
            &current.partner_id,
            ("Webhook", &current.id),
            ChangeAction::Deleted,
        )
        .await?;
    txn.commit().await?;
    Ok(current.id)
}
