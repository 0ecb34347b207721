//! `cosell seed-demo`: a realistic demo data set. Partner profiles go through the same services
//! (validation, history) as the API, by an ADMIN actor named `seed-demo`; each new partner then
//! gets its demo pipeline (`pipeline.rs`, data in `plans.rs`). Running it twice changes nothing:
//! partners that already exist are left alone.
mod pipeline;
mod plans;

use crate::auth::Viewer;
use crate::domain::enums::{Industry, Role, SegmentCode, SolutionCategory, SolutionStatus};
use crate::error::AppError;
use crate::error::FieldCode;
use crate::services;
use crate::services::commands::{CreateCustomerReference, CreatePartner, CreateSolution};
use sea_orm::DatabaseConnection;

struct DemoPartner {
    name: &'static str,
    /// Mail domain of the partner's people.
    domain: &'static str,
    pipeline: fn() -> pipeline::DemoPipeline,
    website: &'static str,
    value_proposition: &'static str,
    segments: &'static [SegmentCode],
    industries: &'static [Industry],
    solutions: &'static [(&'static str, SolutionCategory, SolutionStatus, &'static str)],
    references: &'static [(
        &'static str,
        &'static str,
        SegmentCode,
        &'static str,
        &'static str,
    )],
}

const PARTNERS: &[DemoPartner] = &[
    DemoPartner {
        name: "Northwind Cloud Consulting",
        domain: "northwind-cloud.example",
        pipeline: plans::northwind,
        website: "https://northwind-cloud.example",
        value_proposition: "Mainframe and VMware exits to AWS for regulated enterprises, with fixed-price migration factories and a 90-day landing zone.",
        segments: &[SegmentCode::Enterprise, SegmentCode::Government],
        industries: &[
            Industry::FinancialServices,
            Industry::Government,
            Industry::Manufacturing,
        ],
        solutions: &[
            (
                "Migration Factory",
                SolutionCategory::ProfessionalService,
                SolutionStatus::Active,
                "Wave-planned migrations of 500+ servers with automated cut-over runbooks.",
            ),
            (
                "Landing Zone Accelerator",
                SolutionCategory::ConsultingService,
                SolutionStatus::Active,
                "Multi-account AWS foundation with guardrails for FedRAMP and PCI workloads.",
            ),
            (
                "Mainframe Modernisation",
                SolutionCategory::ProfessionalService,
                SolutionStatus::Draft,
                "COBOL refactoring to Java on AWS.",
            ),
        ],
        references: &[
            (
                "Core banking off the mainframe",
                "Contoso Bank",
                SegmentCode::Enterprise,
                "Moved 1,200 batch jobs to AWS in 9 months; 38% lower run cost.",
                "2026-02-10",
            ),
            (
                "State permits portal",
                "State of Franklin",
                SegmentCode::Government,
                "FedRAMP Moderate permits platform live in 14 weeks.",
                "2025-11-03",
            ),
        ],
    },
    DemoPartner {
        name: "Lumen Analytics",
        domain: "lumen-analytics.example",
        pipeline: plans::lumen,
        website: "https://lumen-analytics.example",
        value_proposition: "SaaS analytics for hospitals and universities: HIPAA- and FERPA-ready data platforms on AWS, live in eight weeks.",
        segments: &[
            SegmentCode::Healthcare,
            SegmentCode::Education,
            SegmentCode::Nonprofit,
        ],
        industries: &[
            Industry::Healthcare,
            Industry::Education,
            Industry::NonProfitOrganization,
        ],
        solutions: &[
            (
                "Lumen Care Insights",
                SolutionCategory::SoftwareProduct,
                SolutionStatus::Active,
                "Patient-flow analytics on Amazon Redshift and QuickSight.",
            ),
            (
                "Lumen Campus",
                SolutionCategory::SoftwareProduct,
                SolutionStatus::Active,
                "Student success analytics for higher education.",
            ),
        ],
        references: &[(
            "Emergency department wait times halved",
            "Riverside Health",
            SegmentCode::Healthcare,
            "Real-time bed management cut median ED wait from 4h to 2h.",
            "2026-06-21",
        )],
    },
    DemoPartner {
        name: "Stackforge Labs",
        domain: "stackforge.example",
        pipeline: plans::stackforge,
        website: "https://stackforge.example",
        value_proposition: "Serverless platform engineering for startups and digital natives scaling past their first million users.",
        segments: &[
            SegmentCode::Startup,
            SegmentCode::DigitalNativeBusiness,
            SegmentCode::Isv,
        ],
        industries: &[
            Industry::SoftwareAndInternet,
            Industry::Gaming,
            Industry::MediaAndEntertainment,
        ],
        solutions: &[
            (
                "Scale-Up Platform",
                SolutionCategory::ManagedService,
                SolutionStatus::Active,
                "Managed EKS and Lambda platform with cost guardrails.",
            ),
            (
                "SaaS Factory Kit",
                SolutionCategory::ConsultingService,
                SolutionStatus::Inactive,
                "Multi-tenant SaaS reference architecture.",
            ),
        ],
        references: &[],
    },
    DemoPartner {
        name: "Harbor Retail Systems",
        domain: "harbor-retail.example",
        pipeline: plans::harbor,
        website: "https://harbor-retail.example",
        value_proposition: "Point-of-sale and inventory modernisation for small and mid-size retailers.",
        segments: &[SegmentCode::Smb],
        industries: &[Industry::Retail, Industry::WholesaleAndDistribution],
        solutions: &[(
            "Store Modernisation Kit",
            SolutionCategory::ProfessionalService,
            SolutionStatus::Active,
            "Cloud point-of-sale and inventory sync for chains of 5 to 50 stores.",
        )],
        references: &[],
    },
];

fn actor() -> Viewer {
    Viewer {
        subject: "seed-demo".into(),
        role: Role::Admin,
        partner_id: None,
        segments: Vec::new(),
        partner_ids: Vec::new(),
        scopes: vec!["cosell:read".into(), "cosell:write".into()],
    }
}

/// Connects the first demo partner to ACE and imports its ACE solutions (`seed-demo --ace`).
/// A running server's sync then brings its ACE referrals in and shares what it submits.
pub async fn connect_ace(
    db: &DatabaseConnection,
    clients: &crate::ace::AceClients,
    catalog: crate::ace::Catalog,
    role_arn: Option<String>,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let name = PARTNERS[0].name;
    let partner = entity::partner::Entity::find()
        .filter(entity::partner::Column::Name.eq(name))
        .one(db)
        .await?
        .ok_or_else(|| format!("{name} is not in the database"))?;
    let actor = actor();
    let input = services::ace::connections::ConnectAce { catalog, role_arn };
    services::ace::connections::connect(db, clients, &actor, &partner.id, input)
        .await
        .map_err(AppError::detail)?;
    let solutions = services::ace::connections::import_solutions(db, clients, &actor, &partner.id)
        .await
        .map_err(AppError::detail)?;
    Ok(format!(
        "{name} ({}) connected to ACE catalog {}; {} ACE solution(s) imported",
        partner.id,
        catalog.code(),
        solutions.len()
    ))
}

pub async fn run(
    db: &DatabaseConnection,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let actor = actor();
    let (mut created, mut skipped) = (0, 0);
    let mut totals = pipeline::Seeded {
        customers: 0,
        opportunities: 0,
        asks: 0,
        referrals: 0,
    };
    for demo in PARTNERS {
        let input = CreatePartner {
            name: demo.name.into(),
            website_url: Some(demo.website.into()),
            value_proposition: Some(demo.value_proposition.into()),
            segments: Some(demo.segments.to_vec()),
            industries: Some(demo.industries.to_vec()),
        };
        let partner = match services::partners::create(db, &actor, input).await {
            Ok(partner) => partner,
            Err(AppError::BadInput(fields))
                if fields
                    .iter()
                    .any(|f| f.code == FieldCode::DuplicateKeyValue) =>
            {
                skipped += 1;
                continue;
            }
            Err(err) => return Err(format!("seeding {}: {}", demo.name, err.detail()).into()),
        };
        created += 1;
        let mut active_solutions: Vec<String> = Vec::new();
        for (name, category, status, description) in demo.solutions {
            let input = CreateSolution {
                partner_id: Some(partner.id.clone()),
                name: (*name).into(),
                description: Some((*description).into()),
                category: *category,
                status: Some(*status),
                aws_marketplace_solution_arn: None,
            };
            let solution = services::solutions::create(db, &actor, input)
                .await
                .map_err(AppError::detail)?;
            if *status == SolutionStatus::Active {
                active_solutions.push(solution.id);
            }
        }
        for (title, customer, segment, summary, published) in demo.references {
            let input = CreateCustomerReference {
                partner_id: Some(partner.id.clone()),
                title: (*title).into(),
                customer_name: (*customer).into(),
                segment: Some(*segment),
                summary: (*summary).into(),
                url: None,
                published_on: chrono::NaiveDate::parse_from_str(published, "%Y-%m-%d").ok(),
            };
            services::references::add(db, &actor, input)
                .await
                .map_err(AppError::detail)?;
        }
        let plan = (demo.pipeline)();
        let seeded = pipeline::seed(
            db,
            &actor,
            &partner.id,
            demo.domain,
            &active_solutions,
            &plan,
        )
        .await
        .map_err(|e| format!("seeding {}: {}", demo.name, e.detail()))?;
        totals.customers += seeded.customers;
        totals.opportunities += seeded.opportunities;
        totals.asks += seeded.asks;
        totals.referrals += seeded.referrals;
    }
    Ok(format!(
        "seed-demo: {created} partners created, {skipped} already present; {} customers, {} opportunities, {} asks, {} referrals added",
        totals.customers, totals.opportunities, totals.asks, totals.referrals
    ))
}
