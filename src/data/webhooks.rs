//! Webhooks and their deliveries, in the viewer's scope (`scope::webhooks`).
use super::page::{Page, PageArgs};
use super::scope;
use crate::auth::Viewer;
use crate::domain::enums::{StoredEnum, WebhookDeliveryStatus};
use crate::error::AppResult;
use entity::{webhook, webhook_delivery};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<Option<webhook::Model>> {
    Ok(webhook::Entity::find_by_id(id.to_string())
        .filter(scope::webhooks(viewer))
        .one(db)
        .await?)
}

/// A partner's webhooks the viewer may see, oldest first.
pub async fn of_partner<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    partner_id: &str,
) -> AppResult<Vec<webhook::Model>> {
    Ok(webhook::Entity::find()
        .filter(scope::webhooks(viewer))
        .filter(webhook::Column::PartnerId.eq(partner_id))
        .order_by_asc(webhook::Column::CreatedAt)
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?)
}

pub async fn count<C: ConnectionTrait>(db: &C, partner_id: &str) -> AppResult<u64> {
    Ok(webhook::Entity::find()
        .filter(webhook::Column::PartnerId.eq(partner_id))
        .count(db)
        .await?)
}

/// A page of one (already visible) webhook's deliveries, newest event first; the cursor is the
/// event's number.
pub async fn deliveries<C: ConnectionTrait>(
    db: &C,
    webhook_id: &str,
    args: &PageArgs,
    statuses: Option<&[WebhookDeliveryStatus]>,
) -> AppResult<Page<webhook_delivery::Model>> {
    use webhook_delivery::Column as D;
    let mut query = webhook_delivery::Entity::find().filter(D::WebhookId.eq(webhook_id));
    if let Some(statuses) = statuses {
        query = query.filter(D::Status.is_in(statuses.iter().map(|s| s.as_str())));
    }
    let first = args.first;
    let has_previous = args.after.is_some();
    if let Some(after) = &args.after {
        let seq = after
            .first()
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| {
                crate::error::AppError::bad_field(
                    "after",
                    crate::error::FieldCode::InvalidValue,
                    "not a cursor of this list",
                )
            })?;
        query = query.filter(D::EventSeq.lt(seq));
    }
    let mut rows = query
        .order_by_desc(D::EventSeq)
        .limit(first + 1)
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok(Page {
        rows,
        has_next,
        has_previous,
        total: None,
        total_estimated: false,
    })
}
