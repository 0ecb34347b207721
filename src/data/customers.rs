//! Customers and their contacts, always read through the viewer's scope.
use super::page::{KeyKind, Keyset, Page, PageArgs, time_value};
use super::scope;
use super::sql::{contains_pattern, lower};
use crate::auth::Viewer;
use crate::domain::enums::{AwsAdoption, Industry, SegmentCode, StoredEnum};
use crate::error::AppResult;
use entity::{contact, customer};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

#[derive(Default, Clone, Debug)]
pub struct CustomerFilter {
    pub segments: Option<Vec<SegmentCode>>,
    pub aws_adoption: Option<AwsAdoption>,
    pub industries: Option<Vec<Industry>>,
    pub search: Option<String>,
    pub partner_id: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CustomerOrderField {
    #[default]
    CompanyName,
    CreatedAt,
    UpdatedAt,
}

pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<Option<customer::Model>> {
    Ok(customer::Entity::find_by_id(id.to_string())
        .filter(scope::customers(viewer))
        .one(db)
        .await?)
}

/// The viewer's customers matching `filter`.
fn filtered(viewer: &Viewer, filter: &CustomerFilter) -> sea_orm::Select<customer::Entity> {
    let mut query = customer::Entity::find().filter(scope::customers(viewer));
    if let Some(segments) = &filter.segments {
        query =
            query.filter(customer::Column::SegmentCode.is_in(segments.iter().map(|s| s.as_str())));
    }
    if let Some(adoption) = filter.aws_adoption {
        query = query.filter(customer::Column::AwsAdoption.eq(adoption.as_str()));
    }
    if let Some(industries) = &filter.industries {
        query =
            query.filter(customer::Column::Industry.is_in(industries.iter().map(|s| s.as_str())));
    }
    if let Some(partner_id) = &filter.partner_id {
        query = query.filter(customer::Column::PartnerId.eq(partner_id.as_str()));
    }
    if let Some(search) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
        query = query.filter(
            lower((customer::Entity, customer::Column::CompanyName)).like(contains_pattern(search)),
        );
    }
    query
}

pub async fn page<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &CustomerFilter,
    order: (CustomerOrderField, bool),
    args: &PageArgs,
    with_total: bool,
) -> AppResult<Page<customer::Model>> {
    let query = filtered(viewer, filter);
    let (field, desc) = order;
    keyset(field, desc).page(db, query, args, with_total).await
}

/// The first page under each of `partners` (`Partner.customers` of a list of partners), in
/// one statement (two with totals).
pub async fn first_pages<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &CustomerFilter,
    order: (CustomerOrderField, bool),
    partners: &[String],
    args: &PageArgs,
    with_total: bool,
) -> AppResult<std::collections::HashMap<String, Page<customer::Model>>> {
    let (field, desc) = order;
    keyset(field, desc)
        .first_pages(
            db,
            filtered(viewer, filter),
            customer::Column::PartnerId,
            partners,
            args,
            with_total,
        )
        .await
}

fn keyset(field: CustomerOrderField, desc: bool) -> Keyset {
    let col = |c: customer::Column| Expr::col((customer::Entity, c));
    let (sort, kind) = match field {
        CustomerOrderField::CompanyName => (col(customer::Column::CompanyName), KeyKind::Text),
        CustomerOrderField::CreatedAt => (col(customer::Column::CreatedAt), KeyKind::Time),
        CustomerOrderField::UpdatedAt => (col(customer::Column::UpdatedAt), KeyKind::Time),
    };
    Keyset::by(sort, kind, col(customer::Column::Id), desc)
}

pub fn cursor_of(field: CustomerOrderField) -> impl Fn(&customer::Model) -> Vec<serde_json::Value> {
    move |m| {
        let sort = match field {
            CustomerOrderField::CompanyName => m.company_name.clone().into(),
            CustomerOrderField::CreatedAt => time_value(&m.created_at),
            CustomerOrderField::UpdatedAt => time_value(&m.updated_at),
        };
        vec![sort, m.id.clone().into()]
    }
}

/// The partner's customers with this company name, ignoring case.
fn named(partner_id: &str, company_name: &str) -> sea_orm::Select<customer::Entity> {
    customer::Entity::find()
        .filter(customer::Column::PartnerId.eq(partner_id))
        .filter(
            lower((customer::Entity, customer::Column::CompanyName))
                .eq(company_name.trim().to_lowercase()),
        )
}

/// Whether the partner already has a customer of this name (ignoring case).
pub async fn company_taken<C: ConnectionTrait>(
    db: &C,
    partner_id: &str,
    company_name: &str,
    except_id: Option<&str>,
) -> AppResult<bool> {
    let mut query = named(partner_id, company_name);
    if let Some(id) = except_id {
        query = query.filter(customer::Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}

/// The partner's customer with this company name, ignoring case (names are unique so).
pub async fn by_company_name<C: ConnectionTrait>(
    db: &C,
    partner_id: &str,
    company_name: &str,
) -> AppResult<Option<customer::Model>> {
    Ok(named(partner_id, company_name).one(db).await?)
}

/// A contact with its customer, if the viewer may see the customer.
pub async fn find_contact<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<Option<(contact::Model, customer::Model)>> {
    let Some(contact) = contact::Entity::find_by_id(id.to_string()).one(db).await? else {
        return Ok(None);
    };
    Ok(find(db, viewer, &contact.customer_id)
        .await?
        .map(|customer| (contact, customer)))
}

pub async fn contact_count<C: ConnectionTrait>(db: &C, customer_id: &str) -> AppResult<u64> {
    Ok(contact::Entity::find()
        .filter(contact::Column::CustomerId.eq(customer_id))
        .count(db)
        .await?)
}

/// The email addresses a customer's contacts already have; callers have checked the customer.
pub async fn contact_emails<C: ConnectionTrait>(
    db: &C,
    customer_id: &str,
) -> AppResult<Vec<String>> {
    let emails: Vec<Option<String>> = contact::Entity::find()
        .select_only()
        .column(contact::Column::Email)
        .filter(contact::Column::CustomerId.eq(customer_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(emails.into_iter().flatten().collect())
}
