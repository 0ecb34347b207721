//! Relay `Node`: any object by its id, through the same scoped reads as the typed queries.
use crate::auth::Viewer;
use crate::data;
use crate::domain::ids::IdKind;
use crate::error::AppResult;
use crate::graphql::types::{CustomerReference, Partner, Solution};
use async_graphql::{ID, Interface};
use sea_orm::DatabaseConnection;

#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Partner(Partner),
    Solution(Solution),
    CustomerReference(CustomerReference),
}

/// The object with this id if it exists and the viewer may see it.
pub async fn find(db: &DatabaseConnection, viewer: &Viewer, id: &str) -> AppResult<Option<Node>> {
    Ok(match IdKind::of(id) {
        Some(IdKind::Partner) => data::partners::find(db, viewer, id)
            .await?
            .map(|m| Node::Partner(Partner(m))),
        Some(IdKind::Solution) => data::solutions::find(db, viewer, id)
            .await?
            .map(|m| Node::Solution(Solution(m))),
        Some(IdKind::CustomerReference) => data::references::find(db, viewer, id)
            .await?
            .map(|m| Node::CustomerReference(CustomerReference(m))),
        _ => None,
    })
}
