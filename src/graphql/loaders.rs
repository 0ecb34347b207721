//! DataLoaders for nested fields, so a page costs a fixed number of statements whatever its
//! size. They load by parent key without scope (use them only for children that are visible
//! whenever their already scoped parent is), except `visible_opportunity`, which applies the
//! request's viewer scope.
use crate::auth::Viewer;
use crate::data::partners::ProfileList;
use crate::graphql::nested::{self, NestedPages};
use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    ask_comment, contact, customer, customer_reference, next_step, opportunity,
    opportunity_solution, partner, segment, solution,
};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

pub struct Loaders {
    pub partner: DataLoader<PartnerById>,
    pub segments: DataLoader<ListsByPartner>,
    pub industries: DataLoader<ListsByPartner>,
    pub solutions: DataLoader<SolutionsByPartner>,
    pub references: DataLoader<ReferencesByPartner>,
    pub profile_counts: DataLoader<ProfileCountsByPartner>,
    pub customer: DataLoader<CustomerById>,
    pub contacts: DataLoader<ContactsByCustomer>,
    pub segment: DataLoader<SegmentByCode>,
    pub opportunity_solutions: DataLoader<SolutionsByOpportunity>,
    pub primary_needs: DataLoader<NeedsByOpportunity>,
    pub next_steps: DataLoader<NextStepsByOpportunity>,
    pub open_opportunities: DataLoader<OpenOpportunitiesByTitle>,
    pub opportunity: DataLoader<OpportunityById>,
    pub visible_opportunity: DataLoader<VisibleOpportunityById>,
    pub ask_comments: DataLoader<CommentsByAsk>,
    pub ace_sync: DataLoader<AceSyncByOpportunity>,
    pub ace_connection: DataLoader<AceConnectionByPartner>,
    pub customer_pages: DataLoader<NestedPages<nested::Customers>>,
    pub history_pages: DataLoader<NestedPages<nested::History>>,
    pub opportunity_pages: DataLoader<NestedPages<nested::Opportunities>>,
    pub ask_pages: DataLoader<NestedPages<nested::Asks>>,
}

/// How long a loader gathers keys before it queries (async-graphql's default).
pub const DEFAULT_DELAY: std::time::Duration = std::time::Duration::from_millis(1);

impl Loaders {
    /// One set per request. `delay` is the batching window: keys asked for within it share one
    /// query.
    pub fn new(db: &DatabaseConnection, viewer: &Viewer, delay: std::time::Duration) -> Self {
        fn batched<T: Send + Sync + 'static>(
            loader: T,
            delay: std::time::Duration,
        ) -> DataLoader<T> {
            DataLoader::new(loader, crate::telemetry::request::spawn_in_request).delay(delay)
        }
        let db = || db.clone();
        Loaders {
            partner: batched(PartnerById(db()), delay),
            segments: batched(ListsByPartner(db(), ProfileList::Segments), delay),
            industries: batched(ListsByPartner(db(), ProfileList::Industries), delay),
            solutions: batched(SolutionsByPartner(db()), delay),
            references: batched(ReferencesByPartner(db()), delay),
            profile_counts: batched(ProfileCountsByPartner(db()), delay),
            customer: batched(CustomerById(db()), delay),
            contacts: batched(ContactsByCustomer(db()), delay),
            segment: batched(SegmentByCode(db()), delay),
            opportunity_solutions: batched(SolutionsByOpportunity(db()), delay),
            primary_needs: batched(NeedsByOpportunity(db()), delay),
            next_steps: batched(NextStepsByOpportunity(db()), delay),
            open_opportunities: batched(OpenOpportunitiesByTitle(db()), delay),
            opportunity: batched(OpportunityById(db()), delay),
            visible_opportunity: batched(VisibleOpportunityById(db(), viewer.clone()), delay),
            ask_comments: batched(CommentsByAsk(db()), delay),
            ace_sync: batched(AceSyncByOpportunity(db()), delay),
            ace_connection: batched(AceConnectionByPartner(db()), delay),
            customer_pages: batched(NestedPages::new(db(), viewer.clone()), delay),
            history_pages: batched(NestedPages::new(db(), viewer.clone()), delay),
            opportunity_pages: batched(NestedPages::new(db(), viewer.clone()), delay),
            ask_pages: batched(NestedPages::new(db(), viewer.clone()), delay),
        }
    }
}

fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> String) -> HashMap<String, Vec<T>> {
    let mut map: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

pub struct PartnerById(DatabaseConnection);

impl Loader<String> for PartnerById {
    type Value = partner::Model;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = partner::Entity::find()
            .filter(partner::Column::Id.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|p| (p.id.clone(), p)).collect())
    }
}

pub struct SolutionsByPartner(DatabaseConnection);

impl Loader<String> for SolutionsByPartner {
    type Value = Vec<solution::Model>;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = solution::Entity::find()
            .filter(solution::Column::PartnerId.is_in(keys.iter().cloned()))
            .order_by_asc(solution::Column::Name)
            .all(&self.0)
            .await?;
        Ok(group(rows, |r| r.partner_id.clone()))
    }
}

pub struct ReferencesByPartner(DatabaseConnection);

impl Loader<String> for ReferencesByPartner {
    type Value = Vec<customer_reference::Model>;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = customer_reference::Entity::find()
            .filter(customer_reference::Column::PartnerId.is_in(keys.iter().cloned()))
            .order_by_desc(customer_reference::Column::CreatedAt)
            .all(&self.0)
            .await?;
        Ok(group(rows, |r| r.partner_id.clone()))
    }
}

pub struct ProfileCountsByPartner(DatabaseConnection);

impl Loader<String> for ProfileCountsByPartner {
    type Value = crate::data::partners::ProfileCounts;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        crate::data::partners::profile_counts(&self.0, keys).await
    }
}

pub struct ListsByPartner(DatabaseConnection, ProfileList);

impl Loader<String> for ListsByPartner {
    type Value = Vec<String>;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        crate::data::partners::lists_of(&self.0, self.1, keys).await
    }
}

/// An opportunity's ACE sync state; the opportunity itself was read in scope.
pub struct AceSyncByOpportunity(DatabaseConnection);

impl Loader<String> for AceSyncByOpportunity {
    type Value = entity::ace_sync::Model;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = entity::ace_sync::Entity::find()
            .filter(entity::ace_sync::Column::SubjectId.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await?;
        Ok(rows
            .into_iter()
            .map(|s| (s.subject_id.clone(), s))
            .collect())
    }
}

/// A partner's ACE connection row (for readiness; what the API shows is policy-checked by the
/// resolver).
pub struct AceConnectionByPartner(DatabaseConnection);

impl Loader<String> for AceConnectionByPartner {
    type Value = entity::ace_connection::Model;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = entity::ace_connection::Entity::find()
            .filter(entity::ace_connection::Column::PartnerId.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await?;
        Ok(rows
            .into_iter()
            .map(|c| (c.partner_id.clone(), c))
            .collect())
    }
}

pub struct CustomerById(DatabaseConnection);

impl Loader<String> for CustomerById {
    type Value = customer::Model;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = customer::Entity::find()
            .filter(customer::Column::Id.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|c| (c.id.clone(), c)).collect())
    }
}

pub struct ContactsByCustomer(DatabaseConnection);

impl Loader<String> for ContactsByCustomer {
    type Value = Vec<contact::Model>;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = contact::Entity::find()
            .filter(contact::Column::CustomerId.is_in(keys.iter().cloned()))
            .order_by_asc(contact::Column::CreatedAt)
            .order_by_asc(contact::Column::Id)
            .all(&self.0)
            .await?;
        Ok(group(rows, |r| r.customer_id.clone()))
    }
}

pub struct SegmentByCode(DatabaseConnection);

impl Loader<String> for SegmentByCode {
    type Value = segment::Model;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = segment::Entity::find()
            .filter(segment::Column::Code.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|s| (s.code.clone(), s)).collect())
    }
}

/// An opportunity's associated solutions, in the order they were associated.
pub struct SolutionsByOpportunity(DatabaseConnection);

impl Loader<String> for SolutionsByOpportunity {
    type Value = Vec<solution::Model>;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let links = opportunity_solution::Entity::find()
            .filter(opportunity_solution::Column::OpportunityId.is_in(keys.iter().cloned()))
            .order_by_asc(opportunity_solution::Column::CreatedAt)
            .all(&self.0)
            .await?;
        let solutions: HashMap<String, solution::Model> = solution::Entity::find()
            .filter(solution::Column::Id.is_in(links.iter().map(|l| l.solution_id.clone())))
            .all(&self.0)
            .await?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        let mut map: HashMap<String, Vec<solution::Model>> = HashMap::new();
        for link in links {
            if let Some(solution) = solutions.get(&link.solution_id) {
                map.entry(link.opportunity_id)
                    .or_default()
                    .push(solution.clone());
            }
        }
        Ok(map)
    }
}

pub struct NeedsByOpportunity(DatabaseConnection);

impl Loader<String> for NeedsByOpportunity {
    type Value = Vec<String>;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = crate::data::opportunities::needs_of(&self.0, keys).await?;
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for row in rows {
            map.entry(row.opportunity_id)
                .or_default()
                .push(row.primary_need);
        }
        Ok(map)
    }
}

pub struct NextStepsByOpportunity(DatabaseConnection);

impl Loader<String> for NextStepsByOpportunity {
    type Value = Vec<next_step::Model>;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = crate::data::opportunities::next_steps_of(&self.0, keys).await?;
        Ok(group(rows, |r| r.opportunity_id.clone()))
    }
}

/// Open opportunities per (customer, normalised title), for duplicate detection.
pub struct OpenOpportunitiesByTitle(DatabaseConnection);

impl Loader<crate::data::opportunities::TitleKey> for OpenOpportunitiesByTitle {
    type Value = Vec<crate::data::opportunities::OpenTitle>;
    type Error = DbErr;

    async fn load(
        &self,
        keys: &[crate::data::opportunities::TitleKey],
    ) -> Result<HashMap<crate::data::opportunities::TitleKey, Self::Value>, Self::Error> {
        crate::data::opportunities::open_with_titles(&self.0, keys).await
    }
}

/// Only for parents that imply the opportunity is visible (an ask is visible exactly when its
/// opportunity is).
pub struct OpportunityById(DatabaseConnection);

impl Loader<String> for OpportunityById {
    type Value = opportunity::Model;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = opportunity::Entity::find()
            .filter(opportunity::Column::Id.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|o| (o.id.clone(), o)).collect())
    }
}

/// Opportunities by id within the viewer's scope: for parents that do not imply the
/// opportunity is visible (a referral's opportunity, which AWS sees only once submitted).
pub struct VisibleOpportunityById(DatabaseConnection, Viewer);

impl Loader<String> for VisibleOpportunityById {
    type Value = opportunity::Model;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = opportunity::Entity::find()
            .filter(opportunity::Column::Id.is_in(keys.iter().cloned()))
            .filter(crate::data::scope::opportunities(&self.1))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|o| (o.id.clone(), o)).collect())
    }
}

pub struct CommentsByAsk(DatabaseConnection);

impl Loader<String> for CommentsByAsk {
    type Value = Vec<ask_comment::Model>;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = crate::data::asks::comments_of(&self.0, keys).await?;
        Ok(group(rows, |r| r.ask_id.clone()))
    }
}
