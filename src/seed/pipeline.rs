//! The demo pipeline of one partner: customers with contacts, opportunities across stages and
//! review statuses (with solutions, primary needs, next-steps history), asks and referrals.
//!
//! Everything goes through the services (validation, readiness, review workflow, asks' state
//! machine, referrals, history) exactly as the API would write it, each step by the role that
//! takes it. Only the demo's timeline is set afterwards at storage level: asks raised weeks
//! ago, due dates already past, referrals sent earlier or lapsed, which no API call can
//! backdate.
use crate::auth::Viewer;
use crate::auth::viewer::{SCOPE_READ, SCOPE_WRITE};
use crate::domain::enums::*;
use crate::domain::patch::Patch;
use crate::error::AppResult;
use crate::services;
use crate::services::commands::{
    AddressData, ArchitectureData, ContactData, CreateAsk, CreateCustomer, CreateOpportunity,
    FundingData, MarketplaceData, MoneyData, ReferralCustomerData, SendReferral, UpdateOpportunity,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{ask, ask_comment, opportunity, referral};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::HashMap;

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
    let mut customer_ids = HashMap::new();
    for c in plan.customers {
        let input = CreateCustomer {
            partner_id: Some(partner_id.into()),
            company_name: c.company.into(),
            industry: c.industry,
            other_industry: None,
            website_url: Some(c.website.into()),
            address: Some(AddressData {
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
                    .map(|(first, last, email, title)| ContactData {
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

    let people = People::of(partner_id, partner_domain);
    // Referrals first: the accepted one becomes an opportunity of the plan.
    let mut referred = HashMap::new();
    for r in plan.referrals {
        let referral =
            services::referrals::send(db, &people.seller, referral_input(partner_id, r)).await?;
        match r.status {
            ReferralStatus::Accepted => {
                let opportunity =
                    services::referrals::accept(db, &people.requester, &referral.id).await?;
                referred.insert(r.became.unwrap_or(r.title), opportunity);
            }
            ReferralStatus::Rejected => {
                services::referrals::reject(
                    db,
                    &people.requester,
                    &referral.id,
                    r.rejection.unwrap_or("Other"),
                )
                .await?;
            }
            ReferralStatus::Pending | ReferralStatus::Expired => {}
        }
        // Demo time: sent two weeks before it lapses, which for the EXPIRED one is the past.
        referral::Entity::update_many()
            .col_expr(
                referral::Column::CreatedAt,
                Expr::value(days(r.expires_in_days - 14)),
            )
            .col_expr(
                referral::Column::ExpiresAt,
                Expr::value(days(r.expires_in_days)),
            )
            .filter(referral::Column::Id.eq(referral.id.as_str()))
            .exec(db)
            .await?;
        seeded.referrals += 1;
    }

    for (n, o) in plan.opportunities.iter().enumerate() {
        let Some(customer_id) = customer_ids.get(o.customer) else {
            continue;
        };
        let walked = Walk {
            actor,
            people: &people,
            customer_id,
            solution_ids,
            n,
            referred: referred.remove(o.title),
        };
        seeded.asks += walked.run(db, o).await?;
        seeded.opportunities += 1;
    }
    Ok(seeded)
}

/// Who acts in the demo besides the `seed-demo` ADMIN: the partner's user who asks and
/// answers referrals, and the AWS seller who works asks and sends referrals.
struct People {
    partner_id: String,
    requester: Viewer,
    seller: Viewer,
}

impl People {
    fn of(partner_id: &str, partner_domain: &str) -> Self {
        People {
            partner_id: partner_id.into(),
            requester: Self::partner_user(&format!("ana@{partner_domain}"), partner_id),
            seller: Self::aws_seller("sam@aws.example"),
        }
    }

    fn partner_user(subject: &str, partner_id: &str) -> Viewer {
        Viewer {
            subject: subject.into(),
            role: Role::PartnerUser,
            partner_id: Some(partner_id.into()),
            segments: Vec::new(),
            partner_ids: Vec::new(),
            scopes: vec![SCOPE_READ.into(), SCOPE_WRITE.into()],
        }
    }

    fn aws_seller(subject: &str) -> Viewer {
        Viewer {
            subject: subject.into(),
            role: Role::AwsSeller,
            partner_id: None,
            segments: SegmentCode::ALL.to_vec(),
            partner_ids: Vec::new(),
            scopes: vec![SCOPE_READ.into(), SCOPE_WRITE.into()],
        }
    }

    /// The author of a demo comment, on the side its address says.
    fn author(&self, subject: &str) -> Viewer {
        if subject.ends_with("@aws.example") {
            Self::aws_seller(subject)
        } else {
            Self::partner_user(subject, &self.partner_id)
        }
    }
}

fn referral_input(partner_id: &str, r: &DemoReferral) -> SendReferral {
    SendReferral {
        partner_id: (partner_id.into()),
        message: format!("{} looks like a fit for your team.", r.company),
        customer: ReferralCustomerData {
            company_name: r.company.into(),
            industry: r.industry,
            website_url: r.website.into(),
            country_code: r.country.into(),
        },
        segment: r.segment,
        aws_adoption: r.adoption,
        customer_address: Some(AddressData {
            country_code: r.country.into(),
            postal_code: Some("98101".into()),
            state_or_region: (r.country == "US").then(|| "Washington".into()),
            city: Some("Seattle".into()),
            street_address: Some("410 Terry Ave N".into()),
        }),
        customer_contacts: Some(vec![ContactData {
            first_name: "Jordan".into(),
            last_name: "Lee".into(),
            email: Some(format!(
                "jordan.lee@{}",
                r.website.trim_start_matches("https://")
            )),
            phone: None,
            business_title: Some("CTO".into()),
        }]),
        project_title: r.title.into(),
        business_problem: r.problem.into(),
        target_completion_date: (date(90)),
        expected_monthly_spend: Some(MoneyData {
            cents: 1_200_000,
            currency_code: CurrencyCode::Usd,
        }),
        expires_at: None,
    }
}

fn ask_input(opportunity_id: &str, o: &DemoOpportunity, a: &DemoAsk) -> CreateAsk {
    CreateAsk {
        opportunity_id: (opportunity_id.into()),
        kind: a.kind,
        title: a.title.into(),
        details: format!("{} for {}.", a.title, o.title),
        customer_outcome: a.outcome.into(),
        priority: Some(a.priority),
        due_date: None,
        stakeholders: (a.kind == AskKind::StakeholderAlignment)
            .then(|| vec!["Customer CIO".into(), "AWS account manager".into()]),
        funding: (a.kind == AskKind::Funding).then_some(FundingData {
            program: FundingProgram::MigrationAccelerationProgram,
            funding_type: FundingType::Credits,
            amount: MoneyData {
                cents: 2_500_000,
                currency_code: CurrencyCode::Usd,
            },
        }),
        marketplace: (a.kind == AskKind::MarketplaceProcurement).then(|| {
            MarketplaceData {
            offer_arn: Some(
                "arn:aws:aws-marketplace:us-east-1:123456789012:AWSMarketplace/Offer/offer-demo1234"
                    .into(),
            ),
            listing_url: None,
            notes: None,
        }
        }),
        architecture: (a.kind == AskKind::SolutionArchitecture).then(|| ArchitectureData {
            workload: o.use_case.into(),
            requirements: None,
        }),
        client_token: None,
    }
}

/// One demo opportunity walked through the services as its partner, partner manager and AWS
/// seller would: created (or accepted from its AWS referral), completed, submitted, reviewed,
/// asked about, and closed where the plan says.
struct Walk<'a> {
    actor: &'a Viewer,
    people: &'a People,
    customer_id: &'a str,
    solution_ids: &'a [String],
    n: usize,
    referred: Option<opportunity::Model>,
}

impl Walk<'_> {
    /// Returns the number of asks seeded.
    async fn run(self, db: &DatabaseConnection, o: &DemoOpportunity) -> AppResult<usize> {
        use crate::domain::enums::{CloseOutcome, ReviewDecision};
        use crate::services::opportunities as opps;
        let actor = self.actor;
        let created_stage = match o.stage {
            Stage::Launched => Stage::Committed,
            Stage::ClosedLost => Stage::Qualified,
            active => active,
        };
        let spend = MoneyData {
            cents: o.monthly_spend_usd * 100,
            currency_code: CurrencyCode::Usd,
        };
        let delivery = vec![
            DeliveryModel::ProfessionalServices,
            DeliveryModel::ManagedServices,
        ];
        let products = vec!["AmazonEC2".into(), "AmazonS3".into(), "AmazonRDS".into()];
        // Demo deals that closed in the past were planned a week ahead when they were created.
        let target = date(o.close_in_days.max(7));
        let mut opp = match self.referred {
            // Accepted from AWS: the partner completes what the referral left out.
            Some(referred) => {
                let patch = UpdateOpportunity {
                    customer_use_case: Patch::Value(o.use_case.into()),
                    delivery_models: Patch::Value(delivery),
                    expected_monthly_spend: Patch::Value(spend),
                    sales_activities: Patch::Value(o.activities.to_vec()),
                    competitor_name: Patch::Value(CompetitorName::OnPrem),
                    primary_needs_from_aws: Patch::Value(o.needs.to_vec()),
                    stage: Patch::Value(created_stage),
                    target_close_date: Patch::Value(target),
                    next_steps: match o.next_steps.first() {
                        Some(s) => Patch::Value((*s).into()),
                        None => Patch::Absent,
                    },
                    customer_consent: Patch::Value(true),
                    net_new_for_aws: Patch::Value(true),
                    internal_notes: Patch::Value(
                        "Demo opportunity; margins are partner-only.".into(),
                    ),
                    aws_products: Patch::Value(products),
                    ..Default::default()
                };
                opps::update(db, actor, &referred.id, referred.version, patch).await?
            }
            None => {
                let input = CreateOpportunity {
                    client_token: format!("seed-demo-{}", self.n),
                    customer_id: (self.customer_id.into()),
                    partner_opportunity_identifier: Some(format!("CRM-{:04}", 1000 + self.n)),
                    opportunity_type: OpportunityType::NetNewBusiness,
                    national_security: None,
                    title: o.title.into(),
                    customer_business_problem: o.problem.into(),
                    customer_use_case: Some(o.use_case.into()),
                    delivery_models: Some(delivery),
                    expected_monthly_spend: Some(spend),
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
                    target_close_date: Some(target),
                    next_steps: o.next_steps.first().map(|s| (*s).into()),
                    customer_consent: Some(true),
                    partner_led: Some(o.origin == Origin::PartnerReferral),
                    net_new_for_aws: Some(true),
                    internal_notes: Some("Demo opportunity; margins are partner-only.".into()),
                    aws_products: Some(products),
                    aws_marketplace_offer_arn: None,
                };
                opps::create(db, actor, input).await?
            }
        };
        if let Some(solution_id) = self.solution_ids.first() {
            opp = opps::solutions::associate(db, actor, &opp.id, solution_id).await?;
        }
        for step in o.next_steps.iter().skip(1) {
            let patch = UpdateOpportunity {
                next_steps: Patch::Value((*step).into()),
                ..Default::default()
            };
            opp = opps::update(db, actor, &opp.id, opp.version, patch).await?;
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
        // Asks go in while the deal is open; closing comes last.
        for a in o.asks {
            self.people.ask(db, &opp.id, o, a).await?;
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
        Ok(o.asks.len())
    }
}

impl People {
    /// One demo ask: requested by the partner, worked by the AWS seller (or withdrawn) to its
    /// planned status, with its comments; then moved to the demo's timeline.
    async fn ask(
        &self,
        db: &DatabaseConnection,
        opportunity_id: &str,
        o: &DemoOpportunity,
        a: &DemoAsk,
    ) -> AppResult<()> {
        use services::asks;
        let created = asks::create(db, &self.requester, ask_input(opportunity_id, o, a)).await?;
        let path: &[AskStatus] = match a.status {
            AskStatus::Open => &[],
            AskStatus::Acknowledged => &[AskStatus::Acknowledged],
            AskStatus::InProgress => &[AskStatus::Acknowledged, AskStatus::InProgress],
            AskStatus::Fulfilled => &[
                AskStatus::Acknowledged,
                AskStatus::InProgress,
                AskStatus::Fulfilled,
            ],
            AskStatus::Declined => &[
                AskStatus::Acknowledged,
                AskStatus::InProgress,
                AskStatus::Declined,
            ],
            AskStatus::Withdrawn => &[AskStatus::Withdrawn],
        };
        for to in path {
            let (who, response) = match to {
                AskStatus::Withdrawn => (&self.requester, None),
                AskStatus::Fulfilled | AskStatus::Declined => (
                    &self.seller,
                    Some(
                        a.response
                            .unwrap_or("Answered by the AWS team.")
                            .to_string(),
                    ),
                ),
                _ => (&self.seller, None),
            };
            asks::transition(db, who, &created.id, *to, response, None).await?;
        }
        for (author, body) in a.comments {
            asks::comment(db, &self.author(author), &created.id, body).await?;
        }
        // Demo time: asked 27 days ago, due when the plan says (possibly past, which the API
        // refuses for new asks), resolved about two days after asking.
        let asked = days(-27);
        let mut shift = ask::Entity::update_many()
            .col_expr(ask::Column::CreatedAt, Expr::value(asked))
            .col_expr(
                ask::Column::UpdatedAt,
                Expr::value(asked + Duration::days(1)),
            )
            .col_expr(ask::Column::DueDate, Expr::value(date(a.due_in_days)));
        if a.status.is_terminal() {
            shift = shift.col_expr(
                ask::Column::ResolvedAt,
                Expr::value(asked + Duration::hours(52)),
            );
        }
        shift
            .filter(ask::Column::Id.eq(created.id.as_str()))
            .exec(db)
            .await?;
        ask_comment::Entity::update_many()
            .col_expr(
                ask_comment::Column::At,
                Expr::value(asked + Duration::hours(6)),
            )
            .filter(ask_comment::Column::AskId.eq(created.id.as_str()))
            .exec(db)
            .await?;
        Ok(())
    }
}
