//! DataLoaders for nested fields, so a page costs a fixed number of statements whatever its
//! size. They load by parent key without scope: use them only for children that are visible
//! whenever their (already scoped) parent is.
use async_graphql::dataloader::{DataLoader, Loader};
use entity::{customer_reference, partner, partner_industry, partner_segment, solution};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

pub struct Loaders {
    pub partner: DataLoader<PartnerById>,
    pub segments: DataLoader<SegmentsByPartner>,
    pub industries: DataLoader<IndustriesByPartner>,
    pub solutions: DataLoader<SolutionsByPartner>,
    pub references: DataLoader<ReferencesByPartner>,
    pub profile_counts: DataLoader<ProfileCountsByPartner>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Loaders {
            partner: DataLoader::new(PartnerById(db.clone()), tokio::spawn),
            segments: DataLoader::new(SegmentsByPartner(db.clone()), tokio::spawn),
            industries: DataLoader::new(IndustriesByPartner(db.clone()), tokio::spawn),
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

pub struct SegmentsByPartner(DatabaseConnection);

impl Loader<String> for SegmentsByPartner {
    type Value = Vec<String>;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = partner_segment::Entity::find()
            .filter(partner_segment::Column::PartnerId.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await?;
        Ok(group(rows, |r| r.partner_id.clone())
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().map(|r| r.segment_code).collect()))
            .collect())
    }
}

pub struct IndustriesByPartner(DatabaseConnection);

impl Loader<String> for IndustriesByPartner {
    type Value = Vec<String>;
    type Error = DbErr;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = partner_industry::Entity::find()
            .filter(partner_industry::Column::PartnerId.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await?;
        Ok(group(rows, |r| r.partner_id.clone())
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().map(|r| r.industry).collect()))
            .collect())
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
