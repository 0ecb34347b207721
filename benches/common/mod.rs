//! What the benchmarks share: sizes from the environment, the ADMIN actor that writes their
//! data through the services, and an opportunity ready for submission.
use cosell::auth::Viewer;
use cosell::domain::enums::*;
use cosell::services::commands::{CreateOpportunity, MoneyData};

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn admin() -> Viewer {
    Viewer {
        subject: "bench".into(),
        role: Role::Admin,
        partner_id: None,
        segments: Vec::new(),
        partner_ids: Vec::new(),
        scopes: vec!["cosell:read".into(), "cosell:write".into()],
    }
}

/// An opportunity that passes every readiness check once a solution is associated; callers
/// vary title, spend and dates with struct update syntax.
pub fn opportunity(customer_id: &str, client_token: String, title: String) -> CreateOpportunity {
    CreateOpportunity {
        client_token,
        customer_id: customer_id.to_string(),
        partner_opportunity_identifier: None,
        opportunity_type: OpportunityType::NetNewBusiness,
        national_security: None,
        title,
        customer_business_problem: "Batch jobs run on an ageing platform that costs too much."
            .into(),
        customer_use_case: Some("Migration/Database Migration".into()),
        delivery_models: Some(vec![DeliveryModel::ProfessionalServices]),
        expected_monthly_spend: Some(MoneyData {
            cents: 1_250_000,
            currency_code: CurrencyCode::Usd,
        }),
        sales_activities: Some(vec![SalesActivity::ConductedPocDemo]),
        competitor_name: None,
        other_competitor_names: None,
        primary_needs_from_aws: Some(vec![PrimaryNeed::TechnicalConsultation]),
        additional_comments: None,
        marketing_source: None,
        campaign_name: None,
        marketing_channels: None,
        marketing_use_cases: None,
        aws_funding_used: None,
        stage: Some(Stage::Qualified),
        target_close_date: Some((chrono::Utc::now() + chrono::Duration::days(90)).date_naive()),
        next_steps: Some("Architecture workshop".into()),
        customer_consent: Some(true),
        partner_led: Some(true),
        net_new_for_aws: Some(true),
        internal_notes: None,
        aws_products: None,
        aws_marketplace_offer_arn: None,
    }
}
