//! The segment catalogue: public reference data, the same for every viewer.
use crate::error::AppResult;
use entity::segment;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

pub async fn all<C: ConnectionTrait>(db: &C) -> AppResult<Vec<segment::Model>> {
    Ok(segment::Entity::find()
        .order_by_asc(segment::Column::Position)
        .all(db)
        .await?)
}
