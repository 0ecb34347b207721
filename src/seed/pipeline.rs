//! The demo pipeline of one partner: customers with contacts, opportunities across stages and
//! review statuses (with solutions, primary needs, next-steps history), asks and referrals.
//!
//! The customer, opportunity, ask and referral APIs arrive in later slices; until their services
//! exist these rows are written at the storage level, with values that obey the ACE rules
//! (ace-model.md) the services will enforce.
use crate::auth::Viewer;
use crate::domain::enums::*;
use crate::domain::ids::IdKind;
use crate::domain::validate::normalize_title;
use crate::error::AppResult;
use crate::services::history::Diff;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    ask, ask_comment, contact, customer, next_step, opportunity, opportunity_primary_need,
    opportunity_solution, referral,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
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

pub async fn seed<C: ConnectionTrait>(
    db: &C,
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
        let now = crate::domain::now();
        let id = IdKind::Customer.new_id();
        customer::ActiveModel {
            id: Set(id.clone()),
            partner_id: Set(partner_id.into()),
            company_name: Set(c.company.into()),
            industry: Set(c.industry.as_str().into()),
            other_industry: Set(None),
            website_url: Set(Some(c.website.into())),
            country_code: Set(Some(c.country.into())),
            postal_code: Set(Some(c.postal.into())),
            state_or_region: Set(c.state.map(Into::into)),
            city: Set(Some(c.city.into())),
            street_address: Set(Some("1 Demo Plaza".into())),
            duns: Set(None),
            aws_account_id: Set(None),
            segment_code: Set(c.segment.as_str().into()),
            aws_adoption: Set(c.adoption.as_str().into()),
            internal_notes: Set(Some("Demo customer.".into())),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        for (first, last, email, title) in c.contacts {
            contact::ActiveModel {
                id: Set(IdKind::Contact.new_id()),
                customer_id: Set(id.clone()),
                first_name: Set((*first).into()),
                last_name: Set((*last).into()),
                email: Set(Some((*email).into())),
                phone: Set(Some("+12065550100".into())),
                business_title: Set(Some((*title).into())),
                created_at: Set(now),
            }
            .insert(db)
            .await?;
        }
        record_created(
            db,
            actor,
            partner_id,
            ("Customer", &id),
            &[("companyName", c.company)],
        )
        .await?;
        customer_ids.insert(c.key, id);
        seeded.customers += 1;
    }

    let mut opportunity_ids = std::collections::HashMap::new();
    for (n, o) in plan.opportunities.iter().enumerate() {
        let Some(customer_id) = customer_ids.get(o.customer) else {
            continue;
        };
        let id = IdKind::Opportunity.new_id();
        let created = days(-60 + n as i64);
        let submitted = o.review != ReviewStatus::PendingSubmission;
        opportunity::ActiveModel {
            id: Set(id.clone()),
            partner_id: Set(partner_id.into()),
            customer_id: Set(customer_id.clone()),
            client_token: Set(format!("seed-demo-{n}")),
            partner_opportunity_identifier: Set(Some(format!("CRM-{:04}", 1000 + n))),
            origin: Set(o.origin.as_str().into()),
            opportunity_type: Set(OpportunityType::NetNewBusiness.as_str().into()),
            national_security: Set(false),
            title: Set(o.title.into()),
            title_normalized: Set(normalize_title(o.title)),
            customer_business_problem: Set(o.problem.into()),
            customer_use_case: Set(Some(o.use_case.into())),
            delivery_models: Set(json!([
                DeliveryModel::ProfessionalServices.as_str(),
                DeliveryModel::ManagedServices.as_str()
            ])),
            expected_monthly_spend_cents: Set(Some(o.monthly_spend_usd * 100)),
            expected_monthly_spend_currency: Set(Some(CurrencyCode::Usd.as_str().into())),
            sales_activities: Set(json!(
                o.activities.iter().map(|a| a.as_str()).collect::<Vec<_>>()
            )),
            competitor_name: Set(Some(CompetitorName::OnPrem.as_str().into())),
            other_competitor_names: Set(None),
            involvement_type: Set(submitted.then(|| InvolvementType::CoSell.as_str().into())),
            additional_comments: Set(None),
            marketing_source: Set(MarketingSource::None.as_str().into()),
            campaign_name: Set(None),
            marketing_channels: Set(json!([])),
            marketing_use_cases: Set(json!([])),
            aws_funding_used: Set(None),
            stage: Set(o.stage.as_str().into()),
            review_status: Set(o.review.as_str().into()),
            review_comments: Set(o.review_comments.map(|(c, _)| c.into())),
            review_status_reason: Set(o.review_comments.map(|(_, r)| r.into())),
            target_close_date: Set(Some(date(o.close_in_days))),
            next_steps: Set(o.next_steps.last().map(|s| (*s).into())),
            closed_lost_reason: Set(o.closed_lost.map(|r| r.as_str().into())),
            customer_consent: Set(true),
            partner_led: Set(o.origin == Origin::PartnerReferral),
            net_new_for_aws: Set(true),
            internal_notes: Set(Some("Demo opportunity; margins are partner-only.".into())),
            aws_products: Set(json!(["AmazonEC2", "AmazonS3", "AmazonRDS"])),
            aws_marketplace_offer_arn: Set(None),
            version: Set(1),
            created_at: Set(created),
            last_modified_at: Set(days(-(n as i64 % 7))),
        }
        .insert(db)
        .await?;
        if let Some(solution_id) = solution_ids.first() {
            opportunity_solution::ActiveModel {
                opportunity_id: Set(id.clone()),
                solution_id: Set(solution_id.clone()),
                created_at: Set(created),
            }
            .insert(db)
            .await?;
        }
        for need in o.needs {
            opportunity_primary_need::ActiveModel {
                opportunity_id: Set(id.clone()),
                primary_need: Set(need.as_str().into()),
            }
            .insert(db)
            .await?;
        }
        for (i, step) in o.next_steps.iter().enumerate() {
            next_step::ActiveModel {
                id: Set(IdKind::NextStep.new_id()),
                opportunity_id: Set(id.clone()),
                value: Set((*step).into()),
                at: Set(created + Duration::days(7 * i as i64)),
            }
            .insert(db)
            .await?;
        }
        record_created(
            db,
            actor,
            partner_id,
            ("Opportunity", &id),
            &[("title", o.title), ("stage", o.stage.as_str())],
        )
        .await?;
        opportunity_ids.insert(o.title, id.clone());
        seeded.opportunities += 1;

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
            .insert(db)
            .await?;
            for (author, body) in a.comments {
                ask_comment::ActiveModel {
                    id: Set(IdKind::AskComment.new_id()),
                    ask_id: Set(ask_id.clone()),
                    author: Set((*author).into()),
                    body: Set((*body).into()),
                    at: Set(asked_at + Duration::hours(6)),
                }
                .insert(db)
                .await?;
            }
            record_created(
                db,
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
        .insert(db)
        .await?;
        record_created(
            db,
            actor,
            partner_id,
            ("Referral", &id),
            &[("projectTitle", r.title)],
        )
        .await?;
        seeded.referrals += 1;
    }
    Ok(seeded)
}
