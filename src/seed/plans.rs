//! The demo pipelines: customers in all nine segments (Engaged and Greenfield), opportunities in
//! every stage and review status, asks of every kind and status, referrals in every status.
use super::pipeline::{DemoAsk, DemoCustomer, DemoOpportunity, DemoPipeline, DemoReferral};
use crate::domain::enums::*;

use AskKind::*;
use AskStatus::*;
use SalesActivity::*;

const EARLY: &[SalesActivity] = &[InitializedDiscussionsWithCustomer];
const QUALIFIED: &[SalesActivity] = &[
    InitializedDiscussionsWithCustomer,
    CustomerHasShownInterestInSolution,
];
const VALIDATING: &[SalesActivity] = &[
    CustomerHasShownInterestInSolution,
    ConductedPocDemo,
    InEvaluationPlanningStage,
];
const AGREED: &[SalesActivity] = &[
    ConductedPocDemo,
    AgreedOnSolutionToBusinessProblem,
    CompletedActionPlan,
    SowSigned,
];

const fn opp(
    customer: &'static str,
    title: &'static str,
    stage: Stage,
    review: ReviewStatus,
) -> DemoOpportunity {
    DemoOpportunity {
        customer,
        title,
        problem: "",
        use_case: "Migration/Database Migration",
        origin: Origin::PartnerReferral,
        stage,
        review,
        monthly_spend_usd: 10_000,
        activities: QUALIFIED,
        needs: &[PrimaryNeed::TechnicalConsultation],
        close_in_days: 90,
        next_steps: &[],
        review_comments: None,
        closed_lost: None,
        asks: &[],
    }
}

pub fn northwind() -> DemoPipeline {
    DemoPipeline {
        customers: &[
            DemoCustomer {
                key: "contoso",
                company: "Contoso Bank",
                industry: Industry::FinancialServices,
                website: "https://contoso-bank.example",
                country: "US",
                state: Some("New York"),
                city: "New York",
                postal: "10001",
                segment: SegmentCode::Enterprise,
                adoption: AwsAdoption::Engaged,
                contacts: &[
                    ("Maria", "Gomez", "maria.gomez@contoso-bank.example", "CIO"),
                    (
                        "Tom",
                        "Baker",
                        "tom.baker@contoso-bank.example",
                        "Head of Infrastructure",
                    ),
                ],
            },
            DemoCustomer {
                key: "franklin",
                company: "State of Franklin DMV",
                industry: Industry::Government,
                website: "https://dmv.franklin.example",
                country: "US",
                state: Some("Virginia"),
                city: "Richmond",
                postal: "23219",
                segment: SegmentCode::Government,
                adoption: AwsAdoption::Greenfield,
                contacts: &[(
                    "Dana",
                    "Whitfield",
                    "dana.whitfield@dmv.franklin.example",
                    "Deputy CIO",
                )],
            },
            DemoCustomer {
                key: "fabrikam",
                company: "Fabrikam Manufacturing",
                industry: Industry::Manufacturing,
                website: "https://fabrikam.example",
                country: "DE",
                state: None,
                city: "Stuttgart",
                postal: "70173",
                segment: SegmentCode::Enterprise,
                adoption: AwsAdoption::Greenfield,
                contacts: &[(
                    "Jonas",
                    "Keller",
                    "jonas.keller@fabrikam.example",
                    "VP Operations",
                )],
            },
        ],
        opportunities: &NORTHWIND_OPPS,
        referrals: &[DemoReferral {
            company: "Tailspin Insurance",
            industry: Industry::FinancialServices,
            website: "https://tailspin.example",
            country: "US",
            segment: SegmentCode::Enterprise,
            adoption: AwsAdoption::Engaged,
            title: "Claims platform migration",
            problem: "Claims processing runs on an end-of-life data centre that closes next year.",
            status: ReferralStatus::Rejected,
            expires_in_days: 5,
            rejection: Some("Unable to support"),
            became: None,
        }],
    }
}

const NORTHWIND_OPPS: [DemoOpportunity; 4] = {
    let mut core = opp(
        "contoso",
        "Core banking batch migration",
        Stage::Committed,
        ReviewStatus::Approved,
    );
    core.problem =
        "Nightly batch on the mainframe misses its window twice a month and blocks branch opening.";
    core.monthly_spend_usd = 85_000;
    core.activities = AGREED;
    core.needs = &[
        PrimaryNeed::ArchitecturalValidation,
        PrimaryNeed::DealSupport,
    ];
    core.close_in_days = 45;
    core.next_steps = &["Run the wave-1 rehearsal", "Sign the migration SOW"];
    core.asks = &[
        DemoAsk {
            kind: Funding,
            status: InProgress,
            title: "MAP credits for wave 1",
            outcome: "Lower the customer's migration cost so wave 1 starts this quarter.",
            priority: AskPriority::High,
            due_in_days: 10,
            response: None,
            comments: &[(
                "sam@aws.example",
                "MAP assessment approved; drafting the credit memo.",
            )],
        },
        DemoAsk {
            kind: SolutionArchitecture,
            status: Fulfilled,
            title: "Review the batch architecture",
            outcome: "Confirm AWS Batch meets the customer's 4-hour batch window.",
            priority: AskPriority::Normal,
            due_in_days: -20,
            response: Some(
                "Reviewed with the SA team: use Batch on Graviton with Spot for non-critical jobs.",
            ),
            comments: &[],
        },
    ];
    let mut fraud = opp(
        "contoso",
        "Fraud analytics data lake",
        Stage::Launched,
        ReviewStatus::Approved,
    );
    fraud.problem = "Fraud models train on week-old data because the warehouse cannot ingest card events in real time.";
    fraud.monthly_spend_usd = 40_000;
    fraud.activities = AGREED;
    fraud.close_in_days = -15;
    fraud.next_steps = &["Hand over to run team"];
    fraud.asks = &[DemoAsk {
        kind: Funding,
        status: Declined,
        title: "POC credits for streaming ingest",
        outcome: "Let the customer prove sub-minute fraud detection before buying.",
        priority: AskPriority::Normal,
        due_in_days: -40,
        response: Some("The customer already exceeds the POC credit threshold."),
        comments: &[],
    }];
    let mut permits = opp(
        "franklin",
        "Permits portal modernisation",
        Stage::TechnicalValidation,
        ReviewStatus::InReview,
    );
    permits.problem = "Citizens wait 6 weeks for permits because the portal is a 2004 web forms app without online payment.";
    permits.use_case = "Web development & DevOps";
    permits.monthly_spend_usd = 18_000;
    permits.activities = VALIDATING;
    permits.needs = &[PrimaryNeed::SupportForPublicTenderRfx];
    permits.next_steps = &["Demo to the procurement board"];
    permits.asks = &[DemoAsk {
        kind: StakeholderAlignment,
        status: Open,
        title: "Meet the State CIO with the AWS WWPS team",
        outcome: "Align the State CIO on a FedRAMP Moderate hosting path before the RFP closes.",
        priority: AskPriority::Urgent,
        due_in_days: -2,
        response: None,
        comments: &[],
    }];
    let mut plant = opp(
        "fabrikam",
        "Plant IoT telemetry",
        Stage::Qualified,
        ReviewStatus::Submitted,
    );
    plant.problem = "Unplanned line stoppages cost 3% of output because machine telemetry is not collected centrally.";
    plant.use_case = "IOT";
    plant.monthly_spend_usd = 12_500;
    plant.next_steps = &["Site survey in Stuttgart"];
    [core, fraud, permits, plant]
};

pub fn lumen() -> DemoPipeline {
    DemoPipeline {
        customers: &[
            DemoCustomer {
                key: "riverside",
                company: "Riverside Health",
                industry: Industry::Healthcare,
                website: "https://riverside-health.example",
                country: "US",
                state: Some("Oregon"),
                city: "Portland",
                postal: "97201",
                segment: SegmentCode::Healthcare,
                adoption: AwsAdoption::Engaged,
                contacts: &[(
                    "Priya",
                    "Natarajan",
                    "priya.natarajan@riverside-health.example",
                    "CMIO",
                )],
            },
            DemoCustomer {
                key: "lakeside",
                company: "Lakeside University",
                industry: Industry::Education,
                website: "https://lakeside.example",
                country: "US",
                state: Some("Michigan"),
                city: "Ann Arbor",
                postal: "48104",
                segment: SegmentCode::Education,
                adoption: AwsAdoption::Greenfield,
                contacts: &[(
                    "Chris",
                    "Olsen",
                    "chris.olsen@lakeside.example",
                    "Provost for Data",
                )],
            },
            DemoCustomer {
                key: "hope",
                company: "Hope Foundation",
                industry: Industry::NonProfitOrganization,
                website: "https://hope-foundation.example",
                country: "GB",
                state: None,
                city: "London",
                postal: "EC1A 1BB",
                segment: SegmentCode::Nonprofit,
                adoption: AwsAdoption::Greenfield,
                contacts: &[(
                    "Amelia",
                    "Hart",
                    "amelia.hart@hope-foundation.example",
                    "Head of Fundraising",
                )],
            },
        ],
        opportunities: &LUMEN_OPPS,
        referrals: &[
            DemoReferral {
                company: "Cascade Clinics",
                industry: Industry::Healthcare,
                website: "https://cascade-clinics.example",
                country: "US",
                segment: SegmentCode::Healthcare,
                adoption: AwsAdoption::Greenfield,
                title: "Clinic network analytics",
                problem: "Twelve clinics report occupancy by spreadsheet; managers cannot move staff to where patients wait.",
                status: ReferralStatus::Pending,
                expires_in_days: 10,
                rejection: None,
                became: None,
            },
            // A second pending one: the README's examples accept one and reject the other.
            DemoReferral {
                company: "Alder Dental Group",
                industry: Industry::Healthcare,
                website: "https://alder-dental.example",
                country: "US",
                segment: SegmentCode::Healthcare,
                adoption: AwsAdoption::Greenfield,
                title: "Appointment booking modernisation",
                problem: "Patients book by phone only; a third of calls go unanswered at peak hours.",
                status: ReferralStatus::Pending,
                expires_in_days: 14,
                rejection: None,
                became: None,
            },
            DemoReferral {
                company: "Riverside Health",
                industry: Industry::Healthcare,
                website: "https://riverside-health.example",
                country: "US",
                segment: SegmentCode::Healthcare,
                adoption: AwsAdoption::Engaged,
                title: "Imaging archive to S3",
                problem: "The PACS archive grows 40 TB a year on SAN storage that is out of support.",
                status: ReferralStatus::Accepted,
                expires_in_days: 3,
                rejection: None,
                became: Some("Imaging archive to S3"),
            },
        ],
    }
}

const LUMEN_OPPS: [DemoOpportunity; 4] = {
    let mut ed = opp(
        "riverside",
        "ED bed management analytics",
        Stage::BusinessValidation,
        ReviewStatus::Approved,
    );
    ed.problem = "Emergency department patients wait four hours for beds because bed status is updated by phone.";
    ed.use_case = "Healthcare and Life Sciences";
    ed.monthly_spend_usd = 22_000;
    ed.activities = VALIDATING;
    ed.needs = &[PrimaryNeed::BusinessPresentation];
    ed.next_steps = &["Present the ROI model to the CFO"];
    ed.asks = &[DemoAsk {
        kind: MarketplaceProcurement,
        status: Acknowledged,
        title: "Buy Lumen Care Insights through AWS Marketplace",
        outcome: "Let the hospital draw down its AWS commitment instead of a new vendor contract.",
        priority: AskPriority::High,
        due_in_days: 14,
        response: None,
        comments: &[(
            "ana@lumen-analytics.example",
            "Private offer is drafted; need the AWS account id.",
        )],
    }];
    let mut students = opp(
        "lakeside",
        "Student success analytics",
        Stage::Prospect,
        ReviewStatus::PendingSubmission,
    );
    students.problem =
        "One in five first-year students drops out and advisors learn about it too late to help.";
    students.use_case = "AI Machine Learning and Analytics";
    students.activities = EARLY;
    let mut donors = opp(
        "hope",
        "Donor CRM consolidation",
        Stage::Qualified,
        ReviewStatus::ActionRequired,
    );
    donors.problem = "Three donor databases disagree, so donors get duplicate appeals and gift aid claims are late.";
    donors.use_case = "Business Applications & Contact Center";
    donors.monthly_spend_usd = 3_000;
    donors.review_comments = Some((
        "Please describe the expected AWS services and monthly spend in more detail.",
        "Customer problem unclear",
    ));
    donors.asks = &[DemoAsk {
        kind: StakeholderAlignment,
        status: Withdrawn,
        title: "Introduce the AWS nonprofit team",
        outcome: "Show the board that AWS credits for nonprofits cover the first year.",
        priority: AskPriority::Low,
        due_in_days: 5,
        response: None,
        comments: &[],
    }];
    let mut imaging = opp(
        "riverside",
        "Imaging archive to S3",
        Stage::Qualified,
        ReviewStatus::PendingSubmission,
    );
    imaging.origin = Origin::AwsReferral;
    imaging.problem = "The PACS archive grows 40 TB a year on SAN storage that is out of support.";
    imaging.use_case = "Storage & Backup";
    imaging.monthly_spend_usd = 9_000;
    [ed, students, donors, imaging]
};

pub fn stackforge() -> DemoPipeline {
    DemoPipeline {
        customers: &[
            DemoCustomer {
                key: "pixelwave",
                company: "Pixelwave Games",
                industry: Industry::Gaming,
                website: "https://pixelwave.example",
                country: "US",
                state: Some("California"),
                city: "San Francisco",
                postal: "94107",
                segment: SegmentCode::DigitalNativeBusiness,
                adoption: AwsAdoption::Engaged,
                contacts: &[("Leo", "Tanaka", "leo.tanaka@pixelwave.example", "CTO")],
            },
            DemoCustomer {
                key: "quantly",
                company: "Quantly",
                industry: Industry::SoftwareAndInternet,
                website: "https://quantly.example",
                country: "FR",
                state: None,
                city: "Paris",
                postal: "75002",
                segment: SegmentCode::Startup,
                adoption: AwsAdoption::Greenfield,
                contacts: &[("Camille", "Durand", "camille@quantly.example", "Founder")],
            },
            DemoCustomer {
                key: "ledgerly",
                company: "Ledgerly Software",
                industry: Industry::SoftwareAndInternet,
                website: "https://ledgerly.example",
                country: "US",
                state: Some("Texas"),
                city: "Austin",
                postal: "73301",
                segment: SegmentCode::Isv,
                adoption: AwsAdoption::Engaged,
                contacts: &[(
                    "Ruth",
                    "Okafor",
                    "ruth.okafor@ledgerly.example",
                    "VP Engineering",
                )],
            },
        ],
        opportunities: &STACKFORGE_OPPS,
        referrals: &[DemoReferral {
            company: "Northbeam Media",
            industry: Industry::MediaAndEntertainment,
            website: "https://northbeam.example",
            country: "US",
            segment: SegmentCode::DigitalNativeBusiness,
            adoption: AwsAdoption::Engaged,
            title: "Video transcoding pipeline",
            problem: "Transcoding backlog delays uploads by hours during live events.",
            status: ReferralStatus::Expired,
            expires_in_days: -3,
            rejection: None,
            became: None,
        }],
    }
}

const STACKFORGE_OPPS: [DemoOpportunity; 3] = {
    let mut backend = opp(
        "pixelwave",
        "Global game backend on EKS",
        Stage::TechnicalValidation,
        ReviewStatus::Rejected,
    );
    backend.problem =
        "Matchmaking latency above 120 ms outside the US loses a third of new players in week one.";
    backend.use_case = "Containers & Serverless";
    backend.monthly_spend_usd = 55_000;
    backend.activities = VALIDATING;
    backend.review_comments = Some((
        "An AWS-sourced opportunity for this workload already exists.",
        "Duplicate of partner referral",
    ));
    let mut mvp = opp(
        "quantly",
        "Serverless MVP platform",
        Stage::ClosedLost,
        ReviewStatus::Approved,
    );
    mvp.problem = "The founding team needs a production-grade platform before its seed round closes in March.";
    mvp.use_case = "Containers & Serverless";
    mvp.monthly_spend_usd = 2_500;
    mvp.close_in_days = -30;
    mvp.closed_lost = Some(ClosedLostReason::Price);
    let mut saas = opp(
        "ledgerly",
        "Multi-tenant SaaS re-architecture",
        Stage::Qualified,
        ReviewStatus::PendingSubmission,
    );
    saas.problem = "Each new customer needs its own stack, so onboarding takes three weeks and margins shrink.";
    saas.use_case = "Containers & Serverless";
    saas.monthly_spend_usd = 30_000;
    saas.needs = &[
        PrimaryNeed::ArchitecturalValidation,
        PrimaryNeed::PricingAssistance,
    ];
    // Ready to share as CO_SELL: co-selling needs next steps and a customer contact.
    saas.next_steps = &["Tenant isolation review with the AWS SA"];
    [backend, mvp, saas]
};

pub fn harbor() -> DemoPipeline {
    DemoPipeline {
        customers: &[
            DemoCustomer {
                key: "corner",
                company: "Corner Books",
                industry: Industry::Retail,
                website: "https://cornerbooks.example",
                country: "US",
                state: Some("Maine"),
                city: "Portland",
                postal: "04101",
                segment: SegmentCode::Smb,
                adoption: AwsAdoption::Greenfield,
                contacts: &[("Ellen", "Marsh", "ellen@cornerbooks.example", "Owner")],
            },
            DemoCustomer {
                key: "bay",
                company: "Bay Wholesale",
                industry: Industry::WholesaleAndDistribution,
                website: "https://baywholesale.example",
                country: "US",
                state: Some("California"),
                city: "Oakland",
                postal: "94607",
                segment: SegmentCode::Smb,
                adoption: AwsAdoption::Engaged,
                contacts: &[(
                    "Marco",
                    "Ruiz",
                    "marco@baywholesale.example",
                    "Operations Manager",
                )],
            },
        ],
        opportunities: &HARBOR_OPPS,
        referrals: &[],
    }
}

const HARBOR_OPPS: [DemoOpportunity; 2] = {
    let mut pos = opp(
        "corner",
        "POS cloud migration",
        Stage::Prospect,
        ReviewStatus::PendingSubmission,
    );
    pos.problem =
        "The shop's point-of-sale server fails in summer heat and takes card payments offline.";
    pos.use_case = "Migration/Database Migration";
    pos.monthly_spend_usd = 800;
    pos.activities = EARLY;
    let mut forecast = opp(
        "bay",
        "Inventory forecasting",
        Stage::Launched,
        ReviewStatus::Approved,
    );
    forecast.problem =
        "Stock-outs on the top 200 items cost 5% of revenue because orders are placed by gut feel.";
    forecast.use_case = "AI Machine Learning and Analytics";
    forecast.monthly_spend_usd = 4_000;
    forecast.activities = AGREED;
    forecast.close_in_days = -10;
    [pos, forecast]
};
