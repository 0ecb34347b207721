//! Input objects of the contract for the partner-profile slice.
use crate::domain::enums::{Industry, SegmentCode, SolutionCategory, SolutionStatus};
use crate::graphql::scalars::Date;
use async_graphql::{ID, InputObject, MaybeUndefined};

#[derive(InputObject, Default)]
pub struct PartnerFilter {
    pub search: Option<String>,
    pub segment: Option<Vec<SegmentCode>>,
}

#[derive(InputObject)]
pub struct CreatePartnerInput {
    pub name: String,
    pub website_url: Option<String>,
    pub value_proposition: Option<String>,
    pub segments: Option<Vec<SegmentCode>>,
    pub industries: Option<Vec<Industry>>,
}

#[derive(InputObject)]
pub struct UpdatePartnerInput {
    pub name: MaybeUndefined<String>,
    pub website_url: MaybeUndefined<String>,
    pub value_proposition: MaybeUndefined<String>,
    pub segments: MaybeUndefined<Vec<SegmentCode>>,
    pub industries: MaybeUndefined<Vec<Industry>>,
}

#[derive(InputObject)]
pub struct CreateSolutionInput {
    pub partner_id: Option<ID>,
    pub name: String,
    pub description: Option<String>,
    pub category: SolutionCategory,
    pub status: Option<SolutionStatus>,
    pub aws_marketplace_solution_arn: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateSolutionInput {
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub category: MaybeUndefined<SolutionCategory>,
    pub status: MaybeUndefined<SolutionStatus>,
    pub aws_marketplace_solution_arn: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct CustomerReferenceInput {
    pub partner_id: Option<ID>,
    pub title: String,
    pub customer_name: String,
    pub segment: Option<SegmentCode>,
    pub summary: String,
    pub url: Option<String>,
    pub published_on: Option<Date>,
}
