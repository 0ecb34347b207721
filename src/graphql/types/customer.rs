//! Customer, its address and contacts.
use crate::domain::enums::{AwsAdoption, Industry, decode};
use crate::error::AppError;
use crate::graphql::connection::{connection, nested_cost};
use crate::graphql::ctx;
use crate::graphql::inputs::{OpportunityFilter, OpportunityOrder};
use crate::graphql::lists;
use crate::graphql::scalars::DateTime;
use crate::graphql::types::{OpportunityConnection, Partner, segment::Segment};
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{contact, customer};

#[derive(Clone)]
pub struct Customer(pub customer::Model);

connection!(CustomerConnection, CustomerEdge, Customer);

/// A customer's postal address (ACE `Customer.Account.Address`).
#[derive(SimpleObject)]
pub struct Address {
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// The postal code.
    pub postal_code: Option<String>,
    /// The state, for US addresses.
    pub state_or_region: Option<String>,
    /// The city.
    pub city: Option<String>,
    /// The street address. AWS-side viewers of a referral see it only once accepted.
    pub street_address: Option<String>,
}

/// A partner's customer account (ACE `Customer.Account`) with its contacts. Partners see their own; AWS-side viewers see those of opportunities they can see, without `internalNotes`.
#[Object]
impl Customer {
    /// The customer's id (`cus_…`).
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The partner whose customer this is.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Partner> {
        let partner = ctx::load(&ctx::loaders(ctx)?.partner, &self.0.partner_id).await?;
        Ok(Partner(partner.ok_or_else(|| {
            AppError::internal("customer without partner")
        })?))
    }
    /// The company's name (at most 120 characters).
    async fn company_name(&self) -> &str {
        &self.0.company_name
    }
    /// The company's industry.
    async fn industry(&self) -> Result<Industry> {
        Ok(decode(&self.0.industry)?)
    }
    /// The industry in words, when `industry` is OTHER.
    async fn other_industry(&self) -> Option<&str> {
        self.0.other_industry.as_deref()
    }
    /// The company's website.
    async fn website_url(&self) -> Option<&str> {
        self.0.website_url.as_deref()
    }
    /// The company's address.
    async fn address(&self) -> Option<Address> {
        let c = &self.0;
        c.country_code.as_ref().map(|country| Address {
            country_code: country.clone(),
            postal_code: c.postal_code.clone(),
            state_or_region: c.state_or_region.clone(),
            city: c.city.clone(),
            street_address: c.street_address.clone(),
        })
    }
    /// The company's D-U-N-S number (9 digits).
    async fn duns(&self) -> Option<&str> {
        self.0.duns.as_deref()
    }
    /// The customer's AWS account id (12 digits), if known.
    async fn aws_account_id(&self) -> Option<&str> {
        self.0.aws_account_id.as_deref()
    }
    /// The AWS segment the customer belongs to; AWS sellers see customers of their segments.
    async fn segment(&self, ctx: &Context<'_>) -> Result<Segment> {
        let segment = ctx::load(&ctx::loaders(ctx)?.segment, &self.0.segment_code).await?;
        Ok(Segment(segment.ok_or_else(|| {
            AppError::internal("customer with unknown segment")
        })?))
    }
    /// Whether the customer already uses AWS.
    async fn aws_adoption(&self) -> Result<AwsAdoption> {
        Ok(decode(&self.0.aws_adoption)?)
    }
    /// The customer's contacts (at most 50).
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<Contact>> {
        let rows = ctx::load(&ctx::loaders(ctx)?.contacts, &self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Contact).collect())
    }
    /// Partner-only: null for AWS-side viewers.
    async fn internal_notes(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(if ctx::viewer(ctx)?.sees_internal_notes() {
            self.0.internal_notes.as_deref()
        } else {
            None
        })
    }
    /// This customer's opportunities that the caller may see.
    #[graphql(complexity = "nested_cost(first, &after, child_complexity)")]
    async fn opportunities(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Rows to return from the start (or after `after`): 1 to 100, default 20."
        )]
        first: Option<i32>,
        #[graphql(desc = "A cursor (`endCursor` of the previous page): rows after it.")]
        after: Option<String>,
        #[graphql(
            desc = "Narrows the list; every given condition must hold (within one, any listed value matches)."
        )]
        filter: Option<OpportunityFilter>,
        #[graphql(
            desc = "The order of the list; each order breaks ties by id, so pages never skip or repeat rows."
        )]
        order_by: Option<OpportunityOrder>,
    ) -> Result<OpportunityConnection> {
        lists::opportunities(
            ctx,
            lists::Window::forward(first, after),
            filter,
            order_by,
            lists::Within::Customer(&self.0.id),
        )
        .await
    }
    /// When the customer was created.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// When the customer last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

#[derive(Clone)]
pub struct Contact(pub contact::Model);

/// A person at a customer (ACE `Customer.Contacts`). AWS-side viewers see contacts only of opportunities they can see.
#[Object]
impl Contact {
    /// The contact's id (`con_…`).
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// First name (at most 80 characters).
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }
    /// Last name (at most 80 characters).
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    /// Email address.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// E.164.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Job title (at most 80 characters).
    async fn business_title(&self) -> Option<&str> {
        self.0.business_title.as_deref()
    }
}
