//! Relay `Node`: any object by its id, through the same scoped reads as the typed queries.
use crate::auth::Viewer;
use crate::data;
use crate::domain::ids::IdKind;
use crate::error::AppResult;
use crate::graphql::types::{
    Ask, Change, Contact, Customer, CustomerReference, Opportunity, Partner, Referral, Solution,
    Webhook,
};
use async_graphql::{ID, Interface};
use sea_orm::DatabaseConnection;

/// An object with a global id; `node(id:)` fetches any of them.
// A node lives for one response; boxing the large variants would buy nothing measurable.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The object's global id; its prefix names its type (`ptr_`, `opp_`, …)."
))]
pub enum Node {
    Partner(Partner),
    Solution(Solution),
    CustomerReference(CustomerReference),
    Customer(Customer),
    Contact(Contact),
    Opportunity(Opportunity),
    Change(Change),
    Ask(Ask),
    Referral(Referral),
    Webhook(Webhook),
}

/// The object with this id if it exists and the viewer may see it.
pub async fn find(db: &DatabaseConnection, viewer: &Viewer, id: &str) -> AppResult<Option<Node>> {
    Ok(match IdKind::of(id) {
        Some(IdKind::Customer) => data::customers::find(db, viewer, id)
            .await?
            .map(|m| Node::Customer(Customer(m))),
        Some(IdKind::Contact) => data::customers::find_contact(db, viewer, id)
            .await?
            .map(|(m, _)| Node::Contact(Contact(m))),
        Some(IdKind::Opportunity) => data::opportunities::find(db, viewer, id)
            .await?
            .map(|m| Node::Opportunity(Opportunity(m))),
        // A change is visible with the object it records.
        Some(IdKind::Change) => match data::changes::change(db, viewer, id).await? {
            Some(change)
                if Box::pin(find(db, viewer, &change.entity_id))
                    .await?
                    .is_some() =>
            {
                Some(Node::Change(Change(change)))
            }
            _ => None,
        },
        Some(IdKind::Ask) => data::asks::find(db, viewer, id)
            .await?
            .map(|m| Node::Ask(Ask(m))),
        Some(IdKind::Referral) => data::referrals::find(db, viewer, id)
            .await?
            .map(|m| Node::Referral(Referral(m))),
        Some(IdKind::Partner) => data::partners::find(db, viewer, id)
            .await?
            .map(|m| Node::Partner(Partner(m))),
        Some(IdKind::Solution) => data::solutions::find(db, viewer, id)
            .await?
            .map(|m| Node::Solution(Solution(m))),
        Some(IdKind::CustomerReference) => data::references::find(db, viewer, id)
            .await?
            .map(|m| Node::CustomerReference(CustomerReference(m))),
        Some(IdKind::Webhook) => data::webhooks::find(db, viewer, id)
            .await?
            .map(|m| Node::Webhook(Webhook(m))),
        _ => None,
    })
}
