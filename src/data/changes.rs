//! The change log: one object's history, newest first, and one entry by id, both as the
//! viewer may see them (AWS-side viewers never see partner-private changes).
use super::page::{KeyKind, Keyset, Page, PageArgs, time_value};
use crate::auth::Viewer;
use crate::domain::enums::{ChangeAction, StoredEnum};
use crate::error::AppResult;
use entity::change_log;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// The change log of one object, newest first; AWS-side viewers do not see changes of
/// partner-private fields only.
fn visible(viewer: &Viewer) -> sea_orm::Select<change_log::Entity> {
    let query = change_log::Entity::find();
    if viewer.sees_internal_notes() {
        query
    } else {
        query.filter(change_log::Column::Action.ne(ChangeAction::NotesUpdated.as_str()))
    }
}

fn newest_first() -> Keyset {
    Keyset::by(
        Expr::col((change_log::Entity, change_log::Column::At)),
        KeyKind::Time,
        Expr::col((change_log::Entity, change_log::Column::Id)),
        true,
    )
}

pub async fn history<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    entity_id: &str,
    args: &PageArgs,
    with_total: bool,
) -> AppResult<Page<change_log::Model>> {
    let query = visible(viewer).filter(change_log::Column::EntityId.eq(entity_id));
    newest_first().page(db, query, args, with_total).await
}

/// The first history page of each of `entities` (`history` of a list of opportunities), in
/// one statement (two with totals).
pub async fn first_histories<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    entities: &[String],
    args: &PageArgs,
    with_total: bool,
) -> AppResult<std::collections::HashMap<String, Page<change_log::Model>>> {
    newest_first()
        .first_pages(
            db,
            visible(viewer),
            change_log::Column::EntityId,
            entities,
            args,
            with_total,
        )
        .await
}

/// One change-log row by id, as `history` would show it; callers check that its object is
/// visible.
pub async fn change<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<Option<change_log::Model>> {
    Ok(change_log::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .filter(|c| {
            viewer.sees_internal_notes() || c.action != ChangeAction::NotesUpdated.as_str()
        }))
}

pub fn change_cursor(m: &change_log::Model) -> Vec<serde_json::Value> {
    vec![time_value(&m.at), m.id.clone().into()]
}
