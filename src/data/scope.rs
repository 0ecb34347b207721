//! Row-level scope: which rows a viewer may read, as SQL conditions added to every query.
//!
//! Partner profile data (partner, solutions, references) is readable by the partner's own
//! users, by PARTNER_MANAGERs of that partner, by AWS_SELLERs (who choose partners to refer
//! customers to) and by ADMIN. Customers and opportunities are scoped below.
use crate::auth::Viewer;
use crate::domain::enums::{ReviewStatus, Role, StoredEnum};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
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

/// Which opportunities a viewer may read (docs/domain.md, "Who may do what"), as data: the one
/// definition behind the SQL conditions below (`opportunities`, `pipeline_totals`, and
/// through them customers and asks) and the check of live events (`admits`). Partner roles
/// read their own partner's; AWS-side viewers only submitted ones (review status past
/// PENDING_SUBMISSION), an AWS_SELLER those whose customer is in its segments, a
/// PARTNER_MANAGER those of its partners; ADMIN all.
#[derive(Clone, Debug)]
pub enum OpportunityReach {
    Everything,
    Nothing,
    Partner(String),
    SubmittedOfPartners(Vec<String>),
    SubmittedInSegments(Vec<String>),
}

/// What an opportunity's visibility depends on.
#[derive(Clone, Copy, Debug)]
pub struct OpportunityFacts<'a> {
    pub partner_id: &'a str,
    pub review_status: &'a str,
    /// The segment of the opportunity's customer.
    pub segment_code: &'a str,
}

impl OpportunityReach {
    pub fn of(viewer: &Viewer) -> Self {
        match viewer.role {
            Role::PartnerUser | Role::PartnerAdmin => match viewer.own_partner() {
                Some(own) => OpportunityReach::Partner(own.to_string()),
                None => OpportunityReach::Nothing,
            },
            Role::AwsSeller => OpportunityReach::SubmittedInSegments(
                viewer
                    .segments
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect(),
            ),
            Role::PartnerManager => {
                OpportunityReach::SubmittedOfPartners(viewer.partner_ids.clone())
            }
            Role::Admin => OpportunityReach::Everything,
        }
    }

    /// Whether an opportunity with these facts is in reach: the same rule as `condition`.
    pub fn admits(&self, facts: &OpportunityFacts) -> bool {
        let submitted = facts.review_status != ReviewStatus::PendingSubmission.as_str();
        match self {
            OpportunityReach::Everything => true,
            OpportunityReach::Nothing => false,
            OpportunityReach::Partner(own) => facts.partner_id == own,
            OpportunityReach::SubmittedOfPartners(partners) => {
                submitted && partners.iter().any(|p| p == facts.partner_id)
            }
            OpportunityReach::SubmittedInSegments(segments) => {
                submitted && segments.iter().any(|s| s == facts.segment_code)
            }
        }
    }

    /// The rule in SQL, on columns named by `columns`: the partner and review status of the
    /// opportunity and the segment of its customer.
    fn condition(&self, columns: ReachColumns<impl Fn(Vec<String>) -> SimpleExpr>) -> Condition {
        let submitted = columns
            .review_status
            .ne(ReviewStatus::PendingSubmission.as_str());
        match self {
            OpportunityReach::Everything => Condition::all(),
            OpportunityReach::Nothing => nothing(),
            OpportunityReach::Partner(own) => Condition::all().add(columns.partner.eq(own)),
            OpportunityReach::SubmittedOfPartners(partners) => Condition::all()
                .add(submitted)
                .add(columns.partner.is_in(partners.iter().cloned())),
            OpportunityReach::SubmittedInSegments(segments) => Condition::all()
                .add(submitted)
                .add((columns.segment_in)(segments.clone())),
        }
    }
}

/// Where a table keeps what the reach tests: the partner and review status as columns, and
/// a test of the customer's segment.
struct ReachColumns<F> {
    partner: Expr,
    review_status: Expr,
    segment_in: F,
}

/// Opportunities a viewer may read: `OpportunityReach` on the opportunity table, the segment
/// through the customer.
pub fn opportunities(viewer: &Viewer) -> Condition {
    use entity::{customer, opportunity};
    use sea_orm::sea_query::Query;
    OpportunityReach::of(viewer).condition(ReachColumns {
        partner: Expr::col((opportunity::Entity, opportunity::Column::PartnerId)),
        review_status: Expr::col((opportunity::Entity, opportunity::Column::ReviewStatus)),
        segment_in: |segments: Vec<String>| {
            Expr::col((opportunity::Entity, opportunity::Column::CustomerId)).in_subquery(
                Query::select()
                    .column(customer::Column::Id)
                    .from(customer::Entity)
                    .and_where(customer::Column::SegmentCode.is_in(segments))
                    .take(),
            )
        },
    })
}

/// The pipeline counter rows (`pipeline_opportunity_total`, `pipeline_ask_total`) a viewer
/// may sum: `OpportunityReach` on the keys the counters carry (partner, review status, the
/// customer's segment). The pipeline tests compare both paths for every role.
pub fn pipeline_totals(viewer: &Viewer) -> Condition {
    use sea_orm::sea_query::Alias;
    let col = |name: &str| Expr::col(Alias::new(name));
    OpportunityReach::of(viewer).condition(ReachColumns {
        partner: col("partner_id"),
        review_status: col("review_status"),
        segment_in: |segments: Vec<String>| col("segment_code").is_in(segments),
    })
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

/// Webhooks a viewer may see: its partner's for a PARTNER_ADMIN, all for ADMIN (their URLs
/// and deliveries are the partner's integration, not co-selling data).
pub fn webhooks(viewer: &Viewer) -> Condition {
    use entity::webhook;
    match (viewer.role, viewer.own_partner()) {
        (Role::Admin, _) => Condition::all(),
        (Role::PartnerAdmin, Some(own)) => Condition::all().add(webhook::Column::PartnerId.eq(own)),
        _ => nothing(),
    }
}
