//! DataLoaders for nested fields, so a page costs a fixed number of statements whatever its
//! size. They load by parent key without scope: use them only for children that are visible
//! whenever their (already scoped) parent is.
use super::partners::ProfileList;
use async_graphql::dataloader::{DataLoader, Loader};
use entity::{customer_reference, partner, solution};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

pub struct Loaders {
    pub partner: DataLoader<PartnerById>,
    pub segments: DataLoader<ListsByPartner>,
    pub industries: DataLoader<ListsByPartner>,
    pub solutions: DataLoader<SolutionsByPartner>,
    pub references: DataLoader<ReferencesByPartner>,
    pub profile_counts: DataLoader<ProfileCountsByPartner>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Loaders {
            partner: DataLoader::new(PartnerById(db.clone()), tokio::spawn),
            segments: DataLoader::new(
                ListsByPartner(db.clone(), ProfileList::Segments),
                tokio::spawn,
            ),
            industries: DataLoader::new(
                ListsByPartner(db.clone(), ProfileList::Industries),
                tokio::spawn,
            ),
            solutions: DataLoader::new(SolutionsByPartner(db.clone()), tokio::spawn),
            references: DataLoader::new(ReferencesByPartner(db.clone()), tokio::spawn),
            profile_counts: DataLoader::new(ProfileCountsByPartner(db.clone()), tokio::spawn),
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
    type Value = super::partners::ProfileCounts;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        super::partners::profile_counts(&self.0, keys).await
    }
}

pub struct ListsByPartner(DatabaseConnection, ProfileList);

impl Loader<String> for ListsByPartner {
    type Value = Vec<String>;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        super::partners::lists_of(&self.0, self.1, keys).await
    }
}
