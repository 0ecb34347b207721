//! The ACE `CreateOpportunity` request body for an opportunity (docs/ace-model.md §2.1): field
//! names, nesting and enum strings as Partner Central expects them. Absent values are left
//! out, as the AWS SDKs do.
use super::fields::sorted_needs;
use crate::ace::wire::object;
use crate::domain::money::format_cents;
use entity::{contact, customer, opportunity};
use serde_json::{Value, json};

fn yes_no(b: bool) -> Value {
    json!(if b { "Yes" } else { "No" })
}

pub fn create_payload(
    o: &opportunity::Model,
    c: &customer::Model,
    contacts: &[contact::Model],
    needs: Vec<String>,
) -> Value {
    let address = object(vec![
        ("City", json!(c.city)),
        ("CountryCode", json!(c.country_code)),
        ("PostalCode", json!(c.postal_code)),
        ("StateOrRegion", json!(c.state_or_region)),
        ("StreetAddress", json!(c.street_address)),
    ]);
    let account = object(vec![
        ("CompanyName", json!(c.company_name)),
        ("Industry", json!(c.industry)),
        ("OtherIndustry", json!(c.other_industry)),
        ("WebsiteUrl", json!(c.website_url)),
        ("AwsAccountId", json!(c.aws_account_id)),
        ("Duns", json!(c.duns)),
        ("Address", address),
    ]);
    let contacts: Vec<Value> = contacts
        .iter()
        .map(|p| {
            object(vec![
                ("Email", json!(p.email)),
                ("FirstName", json!(p.first_name)),
                ("LastName", json!(p.last_name)),
                ("BusinessTitle", json!(p.business_title)),
                ("Phone", json!(p.phone)),
            ])
        })
        .collect();
    let spend = match (
        o.expected_monthly_spend_cents,
        &o.expected_monthly_spend_currency,
    ) {
        (Some(cents), Some(currency)) => json!([{
            "Amount": format_cents(cents),
            "CurrencyCode": currency,
            "Frequency": "Monthly",
            "TargetCompany": "AWS",
        }]),
        _ => Value::Null,
    };
    let project = object(vec![
        ("Title", json!(o.title)),
        (
            "CustomerBusinessProblem",
            json!(o.customer_business_problem),
        ),
        ("CustomerUseCase", json!(o.customer_use_case)),
        ("DeliveryModels", o.delivery_models.clone()),
        ("ExpectedCustomerSpend", spend),
        ("SalesActivities", o.sales_activities.clone()),
        ("CompetitorName", json!(o.competitor_name)),
        ("OtherCompetitorNames", json!(o.other_competitor_names)),
        ("AdditionalComments", json!(o.additional_comments)),
    ]);
    let life_cycle = object(vec![
        ("Stage", json!(o.stage)),
        (
            "TargetCloseDate",
            json!(
                o.target_close_date
                    .map(|d| d.format("%Y-%m-%d").to_string())
            ),
        ),
        ("NextSteps", json!(o.next_steps)),
        ("ClosedLostReason", json!(o.closed_lost_reason)),
    ]);
    let marketing = object(vec![
        ("Source", json!(o.marketing_source)),
        ("CampaignName", json!(o.campaign_name)),
        ("Channels", o.marketing_channels.clone()),
        ("UseCases", o.marketing_use_cases.clone()),
        (
            "AwsFundingUsed",
            o.aws_funding_used.map(yes_no).unwrap_or(Value::Null),
        ),
    ]);
    object(vec![
        ("Catalog", json!("AWS")),
        ("ClientToken", json!(o.client_token)),
        (
            "PartnerOpportunityIdentifier",
            json!(o.partner_opportunity_identifier),
        ),
        ("OpportunityType", json!(o.opportunity_type)),
        ("Origin", json!(o.origin)),
        ("NationalSecurity", yes_no(o.national_security)),
        ("PrimaryNeedsFromAws", json!(sorted_needs(needs))),
        (
            "Customer",
            object(vec![("Account", account), ("Contacts", json!(contacts))]),
        ),
        ("Project", project),
        ("LifeCycle", life_cycle),
        ("Marketing", marketing),
    ])
}
