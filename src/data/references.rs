//! Customer references and case studies of partners.
use super::scope;
use crate::auth::Viewer;
use crate::error::AppResult;
use entity::customer_reference;
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter};

pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<Option<customer_reference::Model>> {
    Ok(customer_reference::Entity::find_by_id(id.to_string())
        .filter(scope::partner_profiles(
            viewer,
            customer_reference::Column::PartnerId,
        ))
        .one(db)
        .await?)
}
