//! Every GraphQL enum value maps to its exact ACE string (docs/ace-model.md §3). The tables here are
//! written from docs/ace-model.md, not from the code: each value is checked against the server's
//! mapping, and the values ACE receives are checked again in the CreateOpportunity payload.
use crate::helpers::TestApp;
use async_graphql::resolver_utils::EnumType;
use cosell::domain::enums::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const STAGE: &[(&str, &str)] = &[
    ("PROSPECT", "Prospect"),
    ("QUALIFIED", "Qualified"),
    ("TECHNICAL_VALIDATION", "Technical Validation"),
    ("BUSINESS_VALIDATION", "Business Validation"),
    ("COMMITTED", "Committed"),
    ("LAUNCHED", "Launched"),
    ("CLOSED_LOST", "Closed Lost"),
];
const REVIEW_STATUS: &[(&str, &str)] = &[
    ("PENDING_SUBMISSION", "Pending Submission"),
    ("SUBMITTED", "Submitted"),
    ("IN_REVIEW", "In review"),
    ("APPROVED", "Approved"),
    ("REJECTED", "Rejected"),
    ("ACTION_REQUIRED", "Action Required"),
];
const ORIGIN: &[(&str, &str)] = &[
    ("PARTNER_REFERRAL", "Partner Referral"),
    ("AWS_REFERRAL", "AWS Referral"),
];
const OPPORTUNITY_TYPE: &[(&str, &str)] = &[
    ("NET_NEW_BUSINESS", "Net New Business"),
    ("FLAT_RENEWAL", "Flat Renewal"),
    ("EXPANSION", "Expansion"),
];
const INVOLVEMENT_TYPE: &[(&str, &str)] = &[
    ("FOR_VISIBILITY_ONLY", "For Visibility Only"),
    ("CO_SELL", "Co-Sell"),
];
const INDUSTRY: &[(&str, &str)] = &[
    ("AEROSPACE", "Aerospace"),
    ("AGRICULTURE", "Agriculture"),
    ("AUTOMOTIVE", "Automotive"),
    ("COMPUTERS_AND_ELECTRONICS", "Computers and Electronics"),
    ("CONSUMER_GOODS", "Consumer Goods"),
    ("EDUCATION", "Education"),
    ("ENERGY_OIL_AND_GAS", "Energy - Oil and Gas"),
    ("ENERGY_POWER_AND_UTILITIES", "Energy - Power and Utilities"),
    ("FINANCIAL_SERVICES", "Financial Services"),
    ("GAMING", "Gaming"),
    ("GOVERNMENT", "Government"),
    ("HEALTHCARE", "Healthcare"),
    ("HOSPITALITY", "Hospitality"),
    ("LIFE_SCIENCES", "Life Sciences"),
    ("MANUFACTURING", "Manufacturing"),
    ("MARKETING_AND_ADVERTISING", "Marketing and Advertising"),
    ("MEDIA_AND_ENTERTAINMENT", "Media and Entertainment"),
    ("MINING", "Mining"),
    ("NON_PROFIT_ORGANIZATION", "Non-Profit Organization"),
    ("PROFESSIONAL_SERVICES", "Professional Services"),
    (
        "REAL_ESTATE_AND_CONSTRUCTION",
        "Real Estate and Construction",
    ),
    ("RETAIL", "Retail"),
    ("SOFTWARE_AND_INTERNET", "Software and Internet"),
    ("TELECOMMUNICATIONS", "Telecommunications"),
    (
        "TRANSPORTATION_AND_LOGISTICS",
        "Transportation and Logistics",
    ),
    ("TRAVEL", "Travel"),
    ("WHOLESALE_AND_DISTRIBUTION", "Wholesale and Distribution"),
    ("OTHER", "Other"),
];
const DELIVERY_MODEL: &[(&str, &str)] = &[
    ("SAAS_OR_PAAS", "SaaS or PaaS"),
    ("BYOL_OR_AMI", "BYOL or AMI"),
    ("MANAGED_SERVICES", "Managed Services"),
    ("PROFESSIONAL_SERVICES", "Professional Services"),
    ("RESELL", "Resell"),
    ("OTHER", "Other"),
];
const PRIMARY_NEED: &[(&str, &str)] = &[
    (
        "ARCHITECTURAL_VALIDATION",
        "Co-Sell - Architectural Validation",
    ),
    ("BUSINESS_PRESENTATION", "Co-Sell - Business Presentation"),
    (
        "COMPETITIVE_INFORMATION",
        "Co-Sell - Competitive Information",
    ),
    ("PRICING_ASSISTANCE", "Co-Sell - Pricing Assistance"),
    ("TECHNICAL_CONSULTATION", "Co-Sell - Technical Consultation"),
    (
        "TOTAL_COST_OF_OWNERSHIP_EVALUATION",
        "Co-Sell - Total Cost of Ownership Evaluation",
    ),
    ("DEAL_SUPPORT", "Co-Sell - Deal Support"),
    (
        "SUPPORT_FOR_PUBLIC_TENDER_RFX",
        "Co-Sell - Support for Public Tender / RFx",
    ),
];
const SALES_ACTIVITY: &[(&str, &str)] = &[
    (
        "INITIALIZED_DISCUSSIONS_WITH_CUSTOMER",
        "Initialized discussions with customer",
    ),
    (
        "CUSTOMER_HAS_SHOWN_INTEREST_IN_SOLUTION",
        "Customer has shown interest in solution",
    ),
    ("CONDUCTED_POC_DEMO", "Conducted POC / Demo"),
    (
        "IN_EVALUATION_PLANNING_STAGE",
        "In evaluation / planning stage",
    ),
    (
        "AGREED_ON_SOLUTION_TO_BUSINESS_PROBLEM",
        "Agreed on solution to Business Problem",
    ),
    ("COMPLETED_ACTION_PLAN", "Completed Action Plan"),
    ("FINALIZED_DEPLOYMENT_NEED", "Finalized Deployment Need"),
    ("SOW_SIGNED", "SOW Signed"),
];
const COMPETITOR_NAME: &[(&str, &str)] = &[
    ("ORACLE_CLOUD", "Oracle Cloud"),
    ("ON_PREM", "On-Prem"),
    ("CO_LOCATION", "Co-location"),
    ("AKAMAI", "Akamai"),
    ("ALICLOUD", "AliCloud"),
    ("GOOGLE_CLOUD_PLATFORM", "Google Cloud Platform"),
    ("IBM_SOFTLAYER", "IBM Softlayer"),
    ("MICROSOFT_AZURE", "Microsoft Azure"),
    ("OTHER_COST_OPTIMIZATION", "Other- Cost Optimization"),
    ("NO_COMPETITION", "No Competition"),
    ("OTHER", "*Other"),
];
const CLOSED_LOST_REASON: &[(&str, &str)] = &[
    ("CUSTOMER_DEFICIENCY", "Customer Deficiency"),
    (
        "DELAY_CANCELLATION_OF_PROJECT",
        "Delay / Cancellation of Project",
    ),
    ("LEGAL_TAX_REGULATORY", "Legal / Tax / Regulatory"),
    ("LOST_TO_COMPETITOR_GOOGLE", "Lost to Competitor - Google"),
    (
        "LOST_TO_COMPETITOR_MICROSOFT",
        "Lost to Competitor - Microsoft",
    ),
    (
        "LOST_TO_COMPETITOR_SOFTLAYER",
        "Lost to Competitor - SoftLayer",
    ),
    ("LOST_TO_COMPETITOR_VMWARE", "Lost to Competitor - VMWare"),
    ("LOST_TO_COMPETITOR_OTHER", "Lost to Competitor - Other"),
    ("NO_OPPORTUNITY", "No Opportunity"),
    ("ON_PREMISES_DEPLOYMENT", "On Premises Deployment"),
    ("PARTNER_GAP", "Partner Gap"),
    ("PRICE", "Price"),
    ("SECURITY_COMPLIANCE", "Security / Compliance"),
    ("TECHNICAL_LIMITATIONS", "Technical Limitations"),
    ("CUSTOMER_EXPERIENCE", "Customer Experience"),
    ("OTHER", "Other"),
    (
        "PEOPLE_RELATIONSHIP_GOVERNANCE",
        "People/Relationship/Governance",
    ),
    ("PRODUCT_TECHNOLOGY", "Product/Technology"),
    ("FINANCIAL_COMMERCIAL", "Financial/Commercial"),
];
const MARKETING_SOURCE: &[(&str, &str)] = &[
    ("MARKETING_ACTIVITY", "Marketing Activity"),
    ("NONE", "None"),
];
const CHANNEL: &[(&str, &str)] = &[
    ("AWS_MARKETING_CENTRAL", "AWS Marketing Central"),
    ("CONTENT_SYNDICATION", "Content Syndication"),
    ("DISPLAY", "Display"),
    ("EMAIL", "Email"),
    ("LIVE_EVENT", "Live Event"),
    ("OUT_OF_HOME", "Out Of Home (OOH)"),
    ("PRINT", "Print"),
    ("SEARCH", "Search"),
    ("SOCIAL", "Social"),
    ("TELEMARKETING", "Telemarketing"),
    ("TV", "TV"),
    ("VIDEO", "Video"),
    ("VIRTUAL_EVENT", "Virtual Event"),
];
const CURRENCY_CODE: &[(&str, &str)] = &[("USD", "USD"), ("EUR", "EUR")];
const SOLUTION_STATUS: &[(&str, &str)] = &[
    ("ACTIVE", "Active"),
    ("INACTIVE", "Inactive"),
    ("DRAFT", "Draft"),
];

fn check<E: EnumType + StoredEnum>(name: &str, table: &[(&str, &str)]) {
    let served: BTreeMap<&str, &str> = E::items()
        .iter()
        .map(|i| (i.name, i.value.as_str()))
        .collect();
    let expected: BTreeMap<&str, &str> = table.iter().copied().collect();
    assert_eq!(served, expected, "{name}");
}

#[test]
fn every_value_of_every_ace_enum_maps_to_its_exact_ace_string() {
    check::<Stage>("Stage", STAGE);
    check::<ReviewStatus>("ReviewStatus", REVIEW_STATUS);
    check::<Origin>("Origin", ORIGIN);
    check::<OpportunityType>("OpportunityType", OPPORTUNITY_TYPE);
    check::<InvolvementType>("InvolvementType", INVOLVEMENT_TYPE);
    check::<Industry>("Industry", INDUSTRY);
    check::<DeliveryModel>("DeliveryModel", DELIVERY_MODEL);
    check::<PrimaryNeed>("PrimaryNeed", PRIMARY_NEED);
    check::<SalesActivity>("SalesActivity", SALES_ACTIVITY);
    check::<CompetitorName>("CompetitorName", COMPETITOR_NAME);
    check::<ClosedLostReason>("ClosedLostReason", CLOSED_LOST_REASON);
    check::<MarketingSource>("MarketingSource", MARKETING_SOURCE);
    check::<Channel>("Channel", CHANNEL);
    check::<CurrencyCode>("CurrencyCode", CURRENCY_CODE);
    check::<SolutionStatus>("SolutionStatus", SOLUTION_STATUS);
}

fn names(table: &[(&str, &str)]) -> Vec<String> {
    table.iter().map(|(n, _)| n.to_string()).collect()
}

fn ace(table: &[(&str, &str)]) -> Vec<String> {
    table.iter().map(|(_, a)| a.to_string()).collect()
}

async fn payload(app: &TestApp, id: &str) -> Value {
    app.gql(
        &app.admin(),
        "query($id: ID!) { opportunity(id: $id) { aceCreateOpportunityPayload } }",
        json!({ "id": id }),
    )
    .await
    .data()["opportunity"]["aceCreateOpportunityPayload"]
        .clone()
}

#[tokio::test]
async fn ace_receives_the_exact_strings_of_every_value_it_is_sent() {
    let app = TestApp::spawn().await;
    let p = app.create_partner("Northwind").await;
    let c = app.create_customer(&p, "Contoso Bank").await;
    let o = app.create_opportunity(&c, "Enum tour").await;
    let admin = app.admin();
    let r = app
        .update_opportunity(
            &admin,
            &o,
            json!({
                "deliveryModels": names(DELIVERY_MODEL),
                "primaryNeedsFromAws": names(PRIMARY_NEED),
                "salesActivities": names(SALES_ACTIVITY),
                "marketingSource": "MARKETING_ACTIVITY",
                "awsFundingUsed": true,
                "marketingChannels": names(CHANNEL),
            }),
        )
        .await;
    r.data();
    let body = payload(&app, &o).await;
    assert_eq!(
        body["Project"]["DeliveryModels"],
        json!(ace(DELIVERY_MODEL))
    );
    assert_eq!(body["PrimaryNeedsFromAws"], json!(ace(PRIMARY_NEED)));
    assert_eq!(
        body["Project"]["SalesActivities"],
        json!(ace(SALES_ACTIVITY))
    );
    assert_eq!(body["Marketing"]["Channels"], json!(ace(CHANNEL)));
    assert_eq!(body["Marketing"]["Source"], "Marketing Activity");
    assert_eq!(body["Origin"], "Partner Referral");

    for (value, expected) in COMPETITOR_NAME {
        let other = if *value == "OTHER" {
            json!("Rackspace")
        } else {
            Value::Null
        };
        app.update_opportunity(
            &admin,
            &o,
            json!({ "competitorName": value, "otherCompetitorNames": other }),
        )
        .await
        .data();
        assert_eq!(
            payload(&app, &o).await["Project"]["CompetitorName"],
            *expected
        );
    }
    for (value, expected) in OPPORTUNITY_TYPE {
        app.update_opportunity(&admin, &o, json!({ "opportunityType": value }))
            .await
            .data();
        assert_eq!(payload(&app, &o).await["OpportunityType"], *expected);
    }
    for (value, expected) in CURRENCY_CODE {
        app.update_opportunity(
            &admin,
            &o,
            json!({ "expectedMonthlySpend": { "amount": "10", "currencyCode": value } }),
        )
        .await
        .data();
        assert_eq!(
            payload(&app, &o).await["Project"]["ExpectedCustomerSpend"][0]["CurrencyCode"],
            *expected
        );
    }
    for (value, expected) in &STAGE[..5] {
        app.update_opportunity(&admin, &o, json!({ "stage": value }))
            .await
            .data();
        assert_eq!(payload(&app, &o).await["LifeCycle"]["Stage"], *expected);
    }
    for (value, expected) in INDUSTRY {
        let other = if *value == "OTHER" {
            json!("Space tourism")
        } else {
            Value::Null
        };
        app.gql(&admin, "mutation($id: ID!, $i: Industry!, $o: String) { updateCustomer(id: $id, input: { industry: $i, otherIndustry: $o }) { id } }", json!({ "id": c, "i": value, "o": other }))
            .await
            .data();
        assert_eq!(
            payload(&app, &o).await["Customer"]["Account"]["Industry"],
            *expected
        );
    }
    for (i, (value, expected)) in CLOSED_LOST_REASON.iter().enumerate() {
        let lost = app.create_opportunity(&c, &format!("Lost {i}")).await;
        app.gql(&admin, "mutation($id: ID!, $r: ClosedLostReason!) { closeOpportunity(id: $id, expectedVersion: 1, outcome: CLOSED_LOST, closedLostReason: $r) { id } }", json!({ "id": lost, "r": value }))
            .await
            .data();
        let body = payload(&app, &lost).await;
        assert_eq!(body["LifeCycle"]["ClosedLostReason"], *expected);
        assert_eq!(body["LifeCycle"]["Stage"], "Closed Lost");
    }
    app.update_opportunity(&admin, &o, json!({ "stage": "COMMITTED" }))
        .await
        .data();
    let v = app.version_of(&o).await;
    app.gql(&admin, "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, expectedVersion: $v, outcome: LAUNCHED) { id } }", json!({ "id": o, "v": v }))
        .await
        .data();
    assert_eq!(payload(&app, &o).await["LifeCycle"]["Stage"], "Launched");
}
