//! Partner solutions (ACE `Solution`).
use super::scope;
use crate::auth::Viewer;
use crate::error::AppResult;
use entity::solution;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<Option<solution::Model>> {
    Ok(solution::Entity::find_by_id(id.to_string())
        .filter(scope::partner_profiles(viewer, solution::Column::PartnerId))
        .one(db)
        .await?)
}

pub async fn name_taken<C: ConnectionTrait>(
    db: &C,
    partner_id: &str,
    name: &str,
    except_id: Option<&str>,
) -> AppResult<bool> {
    let mut query = solution::Entity::find()
        .filter(solution::Column::PartnerId.eq(partner_id))
        .filter(solution::Column::Name.eq(name));
    if let Some(id) = except_id {
        query = query.filter(solution::Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}
