//! The demo pipeline of one partner: customers with contacts, opportunities across stages and
//! review statuses (with solutions, primary needs, next-steps history), asks and referrals.
//!
//! Customers and opportunities go through their services (validation, readiness, review
//! workflow, history) exactly as the API would write them. Asks and referrals have no API yet;
//! until it exists they are written at storage level, with values that obey the rules of
//! domain.md.
use crate::auth::Viewer;
use crate::domain::enums::*;
use crate::domain::ids::IdKind;
use crate::error::AppResult;
use crate::graphql::inputs::{
    AddressInput, ContactInput, CreateCustomerInput, CreateOpportunityInput, MoneyInput,
    UpdateOpportunityInput,
};
use crate::graphql::scalars::{Date, Decimal};
use crate::services;
use crate::services::history::Diff;
use async_graphql::{ID, MaybeUndefined};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{ask, ask_comment, opportunity, referral};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde_json::json;

pub struct DemoCustomer {
    pub key: &'static str,
    pub company: &'static str,
    pub industry: Industry,
    pub website: &'static str,
    pub country: &'static str,
    pub state: Option<&'static str>,
    pub city: &'static str,
    pub postal: &'static str,
    pub segment: SegmentCode,
    pub adoption: AwsAdoption,
    pub contacts: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

pub struct DemoOpportunity {
    pub customer: &'static str,
    pub title: &'static str,
    pub problem: &'static str,
    pub use_case: &'static str,
    pub origin: Origin,
    pub stage: Stage,
    pub review: ReviewStatus,
    pub monthly_spend_usd: i64,
    pub activities: &'static [SalesActivity],
    pub needs: &'static [PrimaryNeed],
    /// Days from today; negative is in the past.
    pub close_in_days: i64,
    pub next_steps: &'static [&'static str],
    pub review_comments: Option<(&'static str, &'static str)>,
    pub closed_lost: Option<ClosedLostReason>,
    pub asks: &'static [DemoAsk],
}

pub struct DemoAsk {
    pub kind: AskKind,
    pub status: AskStatus,
    pub title: &'static str,
    pub outcome: &'static str,
    pub priority: AskPriority,
    pub due_in_days: i64,
    pub response: Option<&'static str>,
    pub comments: &'static [(&'static str, &'static str)],
}

pub struct DemoReferral {
    pub company: &'static str,
    pub industry: Industry,
    pub website: &'static str,
    pub country: &'static str,
    pub segment: SegmentCode,
    pub adoption: AwsAdoption,
    pub title: &'static str,
    pub problem: &'static str,
    pub status: ReferralStatus,
    pub expires_in_days: i64,
    pub rejection: Option<&'static str>,
    /// For an accepted referral: the title of the opportunity it became.
    pub became: Option<&'static str>,
}

pub struct DemoPipeline {
    pub customers: &'static [DemoCustomer],
    pub opportunities: &'static [DemoOpportunity],
    pub referrals: &'static [DemoReferral],
}

pub struct Seeded {
    pub customers: usize,
    pub opportunities: usize,
    pub asks: usize,
    pub referrals: usize,
}

fn days(n: i64) -> DateTime<Utc> {
    crate::domain::now() + Duration::days(n)
}

fn date(n: i64) -> NaiveDate {
    days(n).date_naive()
}

/// The change-log row of a seeded object, written like any mutation's.
async fn record_created<C: ConnectionTrait>(
    db: &C,
    actor: &Viewer,
    partner_id: &str,
    entity: (&'static str, &str),
    fields: &[(&str, &str)],
) -> AppResult<()> {
    let mut diff = Diff::default();
    for (name, value) in fields {
        diff.field(name, &None::<&str>, &Some(*value));
    }
    diff.record(db, actor, partner_id, entity, "CREATED").await
}

pub async fn seed(
    db: &DatabaseConnection,
    actor: &Viewer,
    partner_id: &str,
    partner_domain: &str,
    solution_ids: &[String],
    plan: &DemoPipeline,
) -> AppResult<Seeded> {
    let mut seeded = Seeded {
        customers: 0,
        opportunities: 0,
        asks: 0,
        referrals: 0,
    };
    let requester = format!("ana@{partner_domain}");
    let mut customer_ids = std::collections::HashMap::new();
    for c in plan.customers {
        let input = CreateCustomerInput {
            partner_id: Some(ID(partner_id.into())),
            company_name: c.company.into(),
            industry: c.industry,
            other_industry: None,
            website_url: Some(c.website.into()),
            address: Some(AddressInput {
                country_code: c.country.into(),
                postal_code: Some(c.postal.into()),
                state_or_region: c.state.map(Into::into),
                city: Some(c.city.into()),
                street_address: Some("1 Demo Plaza".into()),
            }),
            duns: None,
            aws_account_id: None,
            segment: c.segment,
            aws_adoption: c.adoption,
            contacts: Some(
                c.contacts
                    .iter()
                    .map(|(first, last, email, title)| ContactInput {
                        first_name: (*first).into(),
                        last_name: (*last).into(),
                        email: Some((*email).into()),
                        phone: Some("+12065550100".into()),
                        business_title: Some((*title).into()),
                    })
                    .collect(),
            ),
            internal_notes: Some("Demo customer.".into()),
        };
        let customer = services::customers::create(db, actor, input).await?;
        customer_ids.insert(c.key, customer.id);
        seeded.customers += 1;
    }

    let mut opportunity_ids = std::collections::HashMap::new();
    let mut asks = Vec::new();
    for (n, o) in plan.opportunities.iter().enumerate() {
        let Some(customer_id) = customer_ids.get(o.customer) else {
            continue;
        };
        let id = walk(db, actor, customer_id, solution_ids, n, o).await?;
        opportunity_ids.insert(o.title, id.clone());
        seeded.opportunities += 1;
        asks.push((id, o));
    }

    // Asks and referrals have no API yet: they are written at storage level.
    let txn = crate::db::begin_write(db).await?;
    for (id, o) in asks {
        let created = days(-30);
        for a in o.asks {
            let ask_id = IdKind::Ask.new_id();
            let resolved = matches!(
                a.status,
                AskStatus::Fulfilled | AskStatus::Declined | AskStatus::Withdrawn
            );
            let assigned = !matches!(a.status, AskStatus::Open | AskStatus::Withdrawn);
            let (program, funding_type, amount) = match a.kind {
                AskKind::Funding => (
                    Some(FundingProgram::MigrationAccelerationProgram.as_str().into()),
                    Some(FundingType::Credits.as_str().into()),
                    Some(2_500_000),
                ),
                _ => (None, None, None),
            };
            let asked_at = created + Duration::days(3);
            ask::ActiveModel {
                id: Set(ask_id.clone()),
                partner_id: Set(partner_id.into()),
                opportunity_id: Set(id.clone()),
                kind: Set(a.kind.as_str().into()),
                status: Set(a.status.as_str().into()),
                title: Set(a.title.into()),
                details: Set(format!("{} for {}.", a.title, o.title)),
                customer_outcome: Set(a.outcome.into()),
                priority: Set(a.priority.as_str().into()),
                priority_rank: Set(a.priority.rank()),
                due_date: Set(Some(date(a.due_in_days))),
                requested_by: Set(requester.clone()),
                assignee: Set(assigned.then(|| "sam@aws.example".into())),
                response: Set(a.response.map(Into::into)),
                stakeholders: Set(match a.kind {
                    AskKind::StakeholderAlignment => json!(["Customer CIO", "AWS account manager"]),
                    _ => json!([]),
                }),
                funding_program: Set(program),
                funding_type: Set(funding_type),
                funding_amount_cents: Set(amount),
                funding_currency: Set(amount.map(|_| CurrencyCode::Usd.as_str().into())),
                marketplace_offer_arn: Set((a.kind == AskKind::MarketplaceProcurement)
                    .then(|| "arn:aws:aws-marketplace:us-east-1:123456789012:AWSMarketplace/Offer/offer-demo1234".into())),
                marketplace_listing_url: Set(None),
                marketplace_notes: Set(None),
                architecture_workload: Set((a.kind == AskKind::SolutionArchitecture).then(|| o.use_case.into())),
                architecture_requirements: Set(None),
                resolved_at: Set(resolved.then(|| asked_at + Duration::hours(52))),
                version: Set(1),
                created_at: Set(asked_at),
                updated_at: Set(asked_at + Duration::days(1)),
            }
            .insert(&txn)
            .await?;
            for (author, body) in a.comments {
                ask_comment::ActiveModel {
                    id: Set(IdKind::AskComment.new_id()),
                    ask_id: Set(ask_id.clone()),
                    author: Set((*author).into()),
                    body: Set((*body).into()),
                    at: Set(asked_at + Duration::hours(6)),
                }
                .insert(&txn)
                .await?;
            }
            record_created(
                &txn,
                actor,
                partner_id,
                ("Ask", &ask_id),
                &[("kind", a.kind.as_str())],
            )
            .await?;
            seeded.asks += 1;
        }
    }

    for r in plan.referrals {
        let id = IdKind::Referral.new_id();
        let now = crate::domain::now();
        referral::ActiveModel {
            id: Set(id.clone()),
            partner_id: Set(partner_id.into()),
            // Expiry is read from expires_at: a lapsed PENDING referral reads EXPIRED.
            status: Set(if r.status == ReferralStatus::Expired { ReferralStatus::Pending } else { r.status }.as_str().into()),
            sender_subject: Set("sam@aws.example".into()),
            sender_name: Set("Sam Rivera (AWS)".into()),
            message: Set(format!("{} looks like a fit for your team.", r.company)),
            company_name: Set(r.company.into()),
            industry: Set(r.industry.as_str().into()),
            website_url: Set(r.website.into()),
            country_code: Set(r.country.into()),
            segment_code: Set(r.segment.as_str().into()),
            aws_adoption: Set(r.adoption.as_str().into()),
            postal_code: Set(Some("98101".into())),
            state_or_region: Set((r.country == "US").then(|| "Washington".into())),
            city: Set(Some("Seattle".into())),
            street_address: Set(Some("410 Terry Ave N".into())),
            customer_contacts: Set(json!([{ "firstName": "Jordan", "lastName": "Lee", "email": "jordan.lee@customer.example", "businessTitle": "CTO" }])),
            project_title: Set(r.title.into()),
            business_problem: Set(r.problem.into()),
            target_completion_date: Set(date(90)),
            expected_monthly_spend_cents: Set(Some(1_200_000)),
            expected_monthly_spend_currency: Set(Some(CurrencyCode::Usd.as_str().into())),
            expires_at: Set(days(r.expires_in_days)),
            rejection_reason: Set(r.rejection.map(Into::into)),
            opportunity_id: Set(r.became.and_then(|title| opportunity_ids.get(title).cloned())),
            created_at: Set(days(r.expires_in_days - 14)),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        record_created(
            &txn,
            actor,
            partner_id,
            ("Referral", &id),
            &[("projectTitle", r.title)],
        )
        .await?;
        seeded.referrals += 1;
    }
    txn.commit().await?;
    Ok(seeded)
}

/// Creates one demo opportunity through the services and walks it through the review workflow
/// and stages to where the plan wants it, as a partner and its partner manager would.
async fn walk(
    db: &DatabaseConnection,
    actor: &Viewer,
    customer_id: &str,
    solution_ids: &[String],
    n: usize,
    o: &DemoOpportunity,
) -> AppResult<String> {
    use crate::graphql::inputs::{CloseOutcome, ReviewDecision};
    use crate::services::opportunities as opps;
    let created_stage = match o.stage {
        Stage::Launched => Stage::Committed,
        Stage::ClosedLost => Stage::Qualified,
        active => active,
    };
    let input = CreateOpportunityInput {
        client_token: format!("seed-demo-{n}"),
        customer_id: ID(customer_id.into()),
        partner_opportunity_identifier: Some(format!("CRM-{:04}", 1000 + n)),
        opportunity_type: OpportunityType::NetNewBusiness,
        national_security: None,
        title: o.title.into(),
        customer_business_problem: o.problem.into(),
        customer_use_case: Some(o.use_case.into()),
        delivery_models: Some(vec![
            DeliveryModel::ProfessionalServices,
            DeliveryModel::ManagedServices,
        ]),
        expected_monthly_spend: Some(MoneyInput {
            amount: Decimal(o.monthly_spend_usd * 100),
            currency_code: CurrencyCode::Usd,
        }),
        sales_activities: Some(o.activities.to_vec()),
        competitor_name: Some(CompetitorName::OnPrem),
        other_competitor_names: None,
        primary_needs_from_aws: Some(o.needs.to_vec()),
        additional_comments: None,
        marketing_source: None,
        campaign_name: None,
        marketing_channels: None,
        marketing_use_cases: None,
        aws_funding_used: None,
        stage: Some(created_stage),
        // Demo deals that closed in the past were planned a week ahead when they were created.
        target_close_date: Some(Date(date(o.close_in_days.max(7)))),
        next_steps: o.next_steps.first().map(|s| (*s).into()),
        customer_consent: Some(true),
        partner_led: Some(o.origin == Origin::PartnerReferral),
        net_new_for_aws: Some(true),
        internal_notes: Some("Demo opportunity; margins are partner-only.".into()),
        aws_products: Some(vec![
            "AmazonEC2".into(),
            "AmazonS3".into(),
            "AmazonRDS".into(),
        ]),
        aws_marketplace_offer_arn: None,
    };
    let mut opp = opps::create(db, actor, input).await?;
    if let Some(solution_id) = solution_ids.first() {
        opp = opps::solutions::associate(db, actor, &opp.id, solution_id).await?;
    }
    for step in o.next_steps.iter().skip(1) {
        let patch = UpdateOpportunityInput {
            next_steps: MaybeUndefined::Value((*step).into()),
            ..Default::default()
        };
        opp = opps::update(db, actor, &opp.id, opp.version, patch).await?;
    }
    if o.origin == Origin::AwsReferral {
        // acceptReferral, which creates AWS-referred opportunities, arrives with referrals.
        opportunity::Entity::update_many()
            .col_expr(opportunity::Column::Origin, Expr::value(o.origin.as_str()))
            .filter(opportunity::Column::Id.eq(opp.id.as_str()))
            .exec(db)
            .await?;
    }
    if o.review != ReviewStatus::PendingSubmission {
        let involvement = if o.next_steps.is_empty() {
            InvolvementType::ForVisibilityOnly
        } else {
            InvolvementType::CoSell
        };
        opp = opps::lifecycle::submit(db, actor, &opp.id, opp.version, involvement).await?;
        let (comments, reason) = match o.review_comments {
            Some((c, r)) => (Some(c.to_string()), Some(r.to_string())),
            None => (
                Some("Reviewed by the partner development manager.".to_string()),
                None,
            ),
        };
        let decisions: &[ReviewDecision] = match o.review {
            ReviewStatus::InReview => &[ReviewDecision::StartReview],
            ReviewStatus::Approved => &[ReviewDecision::StartReview, ReviewDecision::Approve],
            ReviewStatus::Rejected => &[ReviewDecision::StartReview, ReviewDecision::Reject],
            ReviewStatus::ActionRequired => {
                &[ReviewDecision::StartReview, ReviewDecision::RequestAction]
            }
            _ => &[],
        };
        for decision in decisions {
            let (c, r) = if *decision == ReviewDecision::StartReview {
                (None, None)
            } else {
                (comments.clone(), reason.clone())
            };
            opp = opps::lifecycle::review(db, actor, &opp.id, *decision, c, r).await?;
        }
    }
    match o.stage {
        Stage::Launched => {
            opps::lifecycle::close(
                db,
                actor,
                &opp.id,
                opp.version,
                CloseOutcome::Launched,
                None,
            )
            .await?;
        }
        Stage::ClosedLost => {
            opps::lifecycle::close(
                db,
                actor,
                &opp.id,
                opp.version,
                CloseOutcome::ClosedLost,
                o.closed_lost.or(Some(ClosedLostReason::Other)),
            )
            .await?;
        }
        _ => {}
    }
    Ok(opp.id)
}
