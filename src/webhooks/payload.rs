//! What a delivery carries: the event, and its object as the webhook's partner reads it now,
//! through the same GraphQL reads as any client (so scope and field hiding are the reads'
//! own: a referral's withheld contacts stay withheld). Rendered once, at the first attempt;
//! retries send the same bytes.
use crate::auth::Viewer;
use crate::auth::viewer::SCOPE_READ;
use crate::domain::enums::Role;
use crate::graphql::AppSchema;
use crate::graphql::loaders::{DEFAULT_DELAY, Loaders};
use entity::webhook_delivery;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

const OPPORTUNITY: &str = "query WebhookOpportunity($id: ID!) { opportunity(id: $id) {
  id title stage reviewStatus targetCloseDate version createdAt lastModifiedAt
  customer { id companyName } } }";
const ASK: &str = "query WebhookAsk($id: ID!) { ask(id: $id) {
  id kind status title priority dueDate overdue assignee version createdAt updatedAt resolvedAt
  opportunity { id title } } }";
const REFERRAL: &str = "query WebhookReferral($id: ID!) { referral(id: $id) {
  id status senderName projectTitle expiresAt createdAt opportunity { id } } }";

/// The JSON body of a delivery.
pub async fn render(
    schema: &AppSchema,
    db: &DatabaseConnection,
    delivery: &webhook_delivery::Model,
) -> String {
    let document = match delivery.topic.as_str() {
        "OPPORTUNITY" => OPPORTUNITY,
        "ASK" => ASK,
        _ => REFERRAL,
    };
    let viewer = Viewer {
        subject: format!("webhook:{}", delivery.webhook_id),
        role: Role::PartnerUser,
        partner_id: Some(delivery.partner_id.clone()),
        segments: Vec::new(),
        partner_ids: Vec::new(),
        scopes: vec![SCOPE_READ.to_string()],
    };
    let loaders = Loaders::new(db, &viewer, DEFAULT_DELAY);
    let request = async_graphql::Request::new(document)
        .variables(async_graphql::Variables::from_json(
            json!({ "id": delivery.object_id }),
        ))
        .data(viewer)
        .data(loaders);
    let response = schema.execute(request).await;
    let data = response
        .data
        .into_json()
        .ok()
        .and_then(|data| data.as_object().and_then(|o| o.values().next().cloned()))
        .unwrap_or(Value::Null);
    json!({
        "id": delivery.id,
        "webhookId": delivery.webhook_id,
        "topic": delivery.topic,
        "action": delivery.action,
        "objectId": delivery.object_id,
        "partnerId": delivery.partner_id,
        "actor": delivery.actor,
        "at": delivery.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}
