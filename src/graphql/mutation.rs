//! Mutation root: each resolver hands its input to one service call (one transaction).
use crate::graphql::ctx;
use crate::graphql::inputs::{
    CreatePartnerInput, CreateSolutionInput, CustomerReferenceInput, UpdatePartnerInput,
    UpdateSolutionInput,
};
use crate::graphql::types::{CustomerReference, Partner, Solution};
use crate::services;
use async_graphql::{Context, ID, MergedObject, Object, Result};

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(PartnerMutation);

#[derive(Default)]
pub struct PartnerMutation;

#[Object]
impl PartnerMutation {
    /// ADMIN only.
    async fn create_partner(
        &self,
        ctx: &Context<'_>,
        input: CreatePartnerInput,
    ) -> Result<Partner> {
        Ok(Partner(
            services::partners::create(ctx::db(ctx)?, ctx::viewer(ctx)?, input).await?,
        ))
    }

    /// The partner's own PARTNER_ADMIN, or ADMIN.
    async fn update_partner(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdatePartnerInput,
    ) -> Result<Partner> {
        Ok(Partner(
            services::partners::update(ctx::db(ctx)?, ctx::viewer(ctx)?, &id, input).await?,
        ))
    }

    async fn create_solution(
        &self,
        ctx: &Context<'_>,
        input: CreateSolutionInput,
    ) -> Result<Solution> {
        Ok(Solution(
            services::solutions::create(ctx::db(ctx)?, ctx::viewer(ctx)?, input).await?,
        ))
    }

    async fn update_solution(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateSolutionInput,
    ) -> Result<Solution> {
        Ok(Solution(
            services::solutions::update(ctx::db(ctx)?, ctx::viewer(ctx)?, &id, input).await?,
        ))
    }

    async fn add_customer_reference(
        &self,
        ctx: &Context<'_>,
        input: CustomerReferenceInput,
    ) -> Result<CustomerReference> {
        Ok(CustomerReference(
            services::references::add(ctx::db(ctx)?, ctx::viewer(ctx)?, input).await?,
        ))
    }

    /// Returns the id of the removed reference.
    async fn remove_customer_reference(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        Ok(ID(services::references::remove(
            ctx::db(ctx)?,
            ctx::viewer(ctx)?,
            &id,
        )
        .await?))
    }
}
