//! Row-level scope: which rows a viewer may read, as SQL conditions added to every query.
//!
//! Partner profile data (partner, solutions, references) is readable by the partner's own
//! users, by PARTNER_MANAGERs of that partner, by AWS_SELLERs (who choose partners to refer
//! customers to) and by ADMIN. Customers and opportunities are scoped below.
use crate::auth::Viewer;
use crate::domain::enums::Role;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition};

/// Matches no row: for a viewer whose claims grant nothing here.
pub fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

/// Rows of partner profile data keyed by `partner_col`.
pub fn partner_profiles<C: ColumnTrait>(viewer: &Viewer, partner_col: C) -> Condition {
    match viewer.role {
        Role::PartnerUser | Role::PartnerAdmin => match viewer.own_partner() {
            Some(own) => Condition::all().add(partner_col.eq(own)),
            None => nothing(),
        },
        Role::PartnerManager => {
            Condition::all().add(partner_col.is_in(viewer.partner_ids.iter().cloned()))
        }
        Role::AwsSeller | Role::Admin => Condition::all(),
    }
}

/// Opportunities a viewer may read (docs/domain.md, "Who may do what"): partner roles their own
/// partner's; AWS-side viewers only submitted ones (review status past PENDING_SUBMISSION),
/// an AWS_SELLER those whose customer is in its segments, a PARTNER_MANAGER those of its
/// partners; ADMIN all.
pub fn opportunities(viewer: &Viewer) -> Condition {
    use crate::domain::enums::{ReviewStatus, StoredEnum};
    use entity::{customer, opportunity};
    use sea_orm::sea_query::Query;
    let submitted = opportunity::Column::ReviewStatus.ne(ReviewStatus::PendingSubmission.as_str());
    match viewer.role {
        Role::PartnerUser | Role::PartnerAdmin => match viewer.own_partner() {
            Some(own) => Condition::all().add(opportunity::Column::PartnerId.eq(own)),
            None => nothing(),
        },
        Role::AwsSeller => {
            let segments: Vec<&str> = viewer.segments.iter().map(|s| s.as_str()).collect();
            Condition::all().add(submitted).add(
                opportunity::Column::CustomerId.in_subquery(
                    Query::select()
                        .column(customer::Column::Id)
                        .from(customer::Entity)
                        .and_where(customer::Column::SegmentCode.is_in(segments))
                        .take(),
                ),
            )
        }
        Role::PartnerManager => Condition::all()
            .add(submitted)
            .add(opportunity::Column::PartnerId.is_in(viewer.partner_ids.iter().cloned())),
        Role::Admin => Condition::all(),
    }
}

/// The pipeline counter rows (`pipeline_opportunity_total`, `pipeline_ask_total`) a viewer
/// may sum: the same rule as `opportunities`, on the keys the counters carry (partner, review
/// status, the customer's segment). The pipeline tests compare both paths for every role.
pub fn pipeline_totals(viewer: &Viewer) -> Condition {
    use crate::domain::enums::{ReviewStatus, StoredEnum};
    use sea_orm::sea_query::Alias;
    let col = |name: &str| Expr::col(Alias::new(name));
    let submitted = col("review_status").ne(ReviewStatus::PendingSubmission.as_str());
    match viewer.role {
        Role::PartnerUser | Role::PartnerAdmin => match viewer.own_partner() {
            Some(own) => Condition::all().add(col("partner_id").eq(own)),
            None => nothing(),
        },
        Role::AwsSeller => Condition::all()
            .add(submitted)
            .add(col("segment_code").is_in(viewer.segments.iter().map(|s| s.as_str().to_string()))),
        Role::PartnerManager => Condition::all()
            .add(submitted)
            .add(col("partner_id").is_in(viewer.partner_ids.iter().cloned())),
        Role::Admin => Condition::all(),
    }
}

/// Customers a viewer may read: partner roles their own partner's; AWS-side viewers only
/// customers of an opportunity they can see; ADMIN all.
pub fn customers(viewer: &Viewer) -> Condition {
    use entity::{customer, opportunity};
    use sea_orm::sea_query::Query;
    match viewer.role {
        Role::PartnerUser | Role::PartnerAdmin => match viewer.own_partner() {
            Some(own) => Condition::all().add(customer::Column::PartnerId.eq(own)),
            None => nothing(),
        },
        Role::AwsSeller | Role::PartnerManager => Condition::all().add(
            customer::Column::Id.in_subquery(
                Query::select()
                    .column(opportunity::Column::CustomerId)
                    .from(opportunity::Entity)
                    .cond_where(opportunities(viewer))
                    .take(),
            ),
        ),
        Role::Admin => Condition::all(),
    }
}

/// Asks a viewer may read: those of the opportunities it may read (docs/domain.md: AWS-side
/// viewers see an ask only once its opportunity is submitted and within their scope).
pub fn asks(viewer: &Viewer) -> Condition {
    use entity::{ask, opportunity};
    use sea_orm::sea_query::Query;
    match viewer.role {
        // The same rows as the subquery below, through the ask's own partner index.
        Role::PartnerUser | Role::PartnerAdmin => match viewer.own_partner() {
            Some(own) => Condition::all().add(ask::Column::PartnerId.eq(own)),
            None => nothing(),
        },
        Role::AwsSeller | Role::PartnerManager => Condition::all().add(
            ask::Column::OpportunityId.in_subquery(
                Query::select()
                    .column(opportunity::Column::Id)
                    .from(opportunity::Entity)
                    .cond_where(opportunities(viewer))
                    .take(),
            ),
        ),
        Role::Admin => Condition::all(),
    }
}

/// Referrals a viewer may read: the receiving partner's users; an AWS_SELLER those for
/// customers in its segments, a PARTNER_MANAGER those to its partners, and both the ones they
/// sent; ADMIN all.
pub fn referrals(viewer: &Viewer) -> Condition {
    use crate::domain::enums::StoredEnum;
    use entity::referral;
    let sent = referral::Column::SenderSubject.eq(viewer.subject.as_str());
    match viewer.role {
        Role::PartnerUser | Role::PartnerAdmin => match viewer.own_partner() {
            Some(own) => Condition::all().add(referral::Column::PartnerId.eq(own)),
            None => nothing(),
        },
        Role::AwsSeller => Condition::any()
            .add(sent)
            .add(referral::Column::SegmentCode.is_in(viewer.segments.iter().map(|s| s.as_str()))),
        Role::PartnerManager => Condition::any()
            .add(sent)
            .add(referral::Column::PartnerId.is_in(viewer.partner_ids.iter().cloned())),
        Role::Admin => Condition::all(),
    }
}
