//! ACE's JSON shapes ↔ the SDK's types. cosell maps its own fields to and from ACE's JSON in one
//! place (`services/opportunities/ace.rs`); this module only transcribes that JSON, name for
//! name, into the SDK's builders and back, so the SDK (not hand-written HTTP) talks to ACE.
use aws_sdk_partnercentralselling::types as t;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value, json};

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn some_list<T>(list: Vec<T>) -> Option<Vec<T>> {
    (!list.is_empty()).then_some(list)
}

/// A JSON object from pairs, leaving out nulls and empty lists as the SDKs do on the wire.
pub fn object(pairs: Vec<(&str, Value)>) -> Value {
    let mut map = Map::new();
    for (key, value) in pairs {
        let empty = match &value {
            Value::Null => true,
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => false,
        };
        if !empty {
            map.insert(key.to_string(), value);
        }
    }
    Value::Object(map)
}

pub fn date_time(at: &DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(at.secs(), at.subsec_nanos())
}

pub fn smithy_time(at: chrono::DateTime<chrono::Utc>) -> DateTime {
    DateTime::from_nanos(at.timestamp_nanos_opt().unwrap_or_default() as i128)
        .unwrap_or_else(|_| DateTime::from_secs(at.timestamp()))
}

fn time_json(at: Option<&DateTime>) -> Value {
    at.and_then(|d| d.fmt(Format::DateTime).ok())
        .map(Value::String)
        .unwrap_or(Value::Null)
}

/// The opportunity fields a Create or Update request carries, as SDK values.
pub struct OpportunityParts {
    pub partner_opportunity_identifier: Option<String>,
    pub opportunity_type: Option<t::OpportunityType>,
    pub national_security: Option<t::NationalSecurity>,
    pub primary_needs: Option<Vec<t::PrimaryNeedFromAws>>,
    pub customer: Option<t::Customer>,
    pub project: Option<t::Project>,
    pub life_cycle: Option<t::LifeCycle>,
    pub marketing: Option<t::Marketing>,
}

/// Reads ACE's Create/Update body (the JSON cosell builds) into SDK values. A body without the
/// members the SDK itself requires (a customer's CompanyName, a spend's currency) is refused
/// here with the member's name, before anything is sent.
pub fn opportunity_parts(body: &Value) -> Result<OpportunityParts, String> {
    let customer = match body.get("Customer") {
        Some(c) => Some(customer(c)?),
        None => None,
    };
    let project = body.get("Project").map(project).transpose()?;
    Ok(OpportunityParts {
        partner_opportunity_identifier: str_of(body, "PartnerOpportunityIdentifier")
            .map(str::to_string),
        opportunity_type: str_of(body, "OpportunityType").map(t::OpportunityType::from),
        national_security: str_of(body, "NationalSecurity").map(t::NationalSecurity::from),
        primary_needs: some_list(
            strings(body, "PrimaryNeedsFromAws")
                .iter()
                .map(|s| t::PrimaryNeedFromAws::from(s.as_str()))
                .collect(),
        ),
        customer,
        project,
        life_cycle: body.get("LifeCycle").map(life_cycle),
        marketing: body.get("Marketing").map(marketing),
    })
}

fn customer(c: &Value) -> Result<t::Customer, String> {
    let account = match c.get("Account") {
        Some(a) => {
            let address = a.get("Address").map(|ad| {
                t::Address::builder()
                    .set_city(str_of(ad, "City").map(str::to_string))
                    .set_postal_code(str_of(ad, "PostalCode").map(str::to_string))
                    .set_state_or_region(str_of(ad, "StateOrRegion").map(str::to_string))
                    .set_country_code(str_of(ad, "CountryCode").map(t::CountryCode::from))
                    .set_street_address(str_of(ad, "StreetAddress").map(str::to_string))
                    .build()
            });
            Some(
                t::Account::builder()
                    .set_company_name(str_of(a, "CompanyName").map(str::to_string))
                    .set_industry(str_of(a, "Industry").map(t::Industry::from))
                    .set_other_industry(str_of(a, "OtherIndustry").map(str::to_string))
                    .set_website_url(str_of(a, "WebsiteUrl").map(str::to_string))
                    .set_aws_account_id(str_of(a, "AwsAccountId").map(str::to_string))
                    .set_duns(str_of(a, "Duns").map(str::to_string))
                    .set_address(address)
                    .build()
                    .map_err(|_| "Customer.Account.CompanyName".to_string())?,
            )
        }
        None => None,
    };
    let contacts = c
        .get("Contacts")
        .and_then(Value::as_array)
        .map(|list| list.iter().map(contact).collect());
    Ok(t::Customer::builder()
        .set_account(account)
        .set_contacts(contacts)
        .build())
}

fn contact(p: &Value) -> t::Contact {
    t::Contact::builder()
        .set_email(str_of(p, "Email").map(str::to_string))
        .set_first_name(str_of(p, "FirstName").map(str::to_string))
        .set_last_name(str_of(p, "LastName").map(str::to_string))
        .set_business_title(str_of(p, "BusinessTitle").map(str::to_string))
        .set_phone(str_of(p, "Phone").map(str::to_string))
        .build()
}

fn project(p: &Value) -> Result<t::Project, String> {
    let spend = match p.get("ExpectedCustomerSpend").and_then(Value::as_array) {
        Some(list) => Some(
            list.iter()
                .map(|s| {
                    t::ExpectedCustomerSpend::builder()
                        .set_amount(str_of(s, "Amount").map(str::to_string))
                        .set_currency_code(str_of(s, "CurrencyCode").map(t::CurrencyCode::from))
                        .set_frequency(str_of(s, "Frequency").map(t::PaymentFrequency::from))
                        .set_target_company(str_of(s, "TargetCompany").map(str::to_string))
                        .set_estimation_url(str_of(s, "EstimationUrl").map(str::to_string))
                        .build()
                        .map_err(|_| "Project.ExpectedCustomerSpend".to_string())
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    Ok(t::Project::builder()
        .set_title(str_of(p, "Title").map(str::to_string))
        .set_customer_business_problem(str_of(p, "CustomerBusinessProblem").map(str::to_string))
        .set_customer_use_case(str_of(p, "CustomerUseCase").map(str::to_string))
        .set_delivery_models(some_list(
            strings(p, "DeliveryModels")
                .iter()
                .map(|s| t::DeliveryModel::from(s.as_str()))
                .collect(),
        ))
        .set_expected_customer_spend(spend)
        .set_sales_activities(some_list(
            strings(p, "SalesActivities")
                .iter()
                .map(|s| t::SalesActivity::from(s.as_str()))
                .collect(),
        ))
        .set_competitor_name(str_of(p, "CompetitorName").map(t::CompetitorName::from))
        .set_other_competitor_names(str_of(p, "OtherCompetitorNames").map(str::to_string))
        .set_additional_comments(str_of(p, "AdditionalComments").map(str::to_string))
        .build())
}

fn life_cycle(l: &Value) -> t::LifeCycle {
    t::LifeCycle::builder()
        .set_stage(str_of(l, "Stage").map(t::Stage::from))
        .set_target_close_date(str_of(l, "TargetCloseDate").map(str::to_string))
        .set_next_steps(str_of(l, "NextSteps").map(str::to_string))
        .set_closed_lost_reason(str_of(l, "ClosedLostReason").map(t::ClosedLostReason::from))
        .build()
}

fn marketing(m: &Value) -> t::Marketing {
    t::Marketing::builder()
        .set_source(str_of(m, "Source").map(t::MarketingSource::from))
        .set_campaign_name(str_of(m, "CampaignName").map(str::to_string))
        .set_channels(some_list(
            strings(m, "Channels")
                .iter()
                .map(|s| t::Channel::from(s.as_str()))
                .collect(),
        ))
        .set_use_cases(some_list(strings(m, "UseCases")))
        .set_aws_funding_used(str_of(m, "AwsFundingUsed").map(t::AwsFundingUsed::from))
        .build()
}

fn strs<T: AsRef<str>>(list: &[T]) -> Value {
    json!(list.iter().map(|s| s.as_ref()).collect::<Vec<_>>())
}

/// GetOpportunity's answer as ACE's JSON (the shape `opportunity_parts` reads).
/// `ExpectedCustomerSpend` in ACE's JSON (an opportunity's project or an invitation's).
pub fn spend_json(list: &[t::ExpectedCustomerSpend]) -> Value {
    list.iter()
        .map(|s| {
            object(vec![
                ("Amount", json!(s.amount())),
                ("CurrencyCode", json!(s.currency_code().as_str())),
                ("Frequency", json!(s.frequency().as_str())),
                ("TargetCompany", json!(s.target_company())),
                ("EstimationUrl", json!(s.estimation_url())),
            ])
        })
        .collect()
}

pub fn opportunity_json(
    o: &aws_sdk_partnercentralselling::operation::get_opportunity::GetOpportunityOutput,
) -> Value {
    let customer = o.customer().map(|c| {
        let account = c.account().map(|a| {
            let address = a.address().map(|ad| {
                object(vec![
                    ("City", json!(ad.city())),
                    ("CountryCode", json!(ad.country_code().map(|c| c.as_str()))),
                    ("PostalCode", json!(ad.postal_code())),
                    ("StateOrRegion", json!(ad.state_or_region())),
                    ("StreetAddress", json!(ad.street_address())),
                ])
            });
            object(vec![
                ("CompanyName", json!(a.company_name())),
                ("Industry", json!(a.industry().map(|i| i.as_str()))),
                ("OtherIndustry", json!(a.other_industry())),
                ("WebsiteUrl", json!(a.website_url())),
                ("AwsAccountId", json!(a.aws_account_id())),
                ("Duns", json!(a.duns())),
                ("Address", address.unwrap_or(Value::Null)),
            ])
        });
        let contacts: Vec<Value> = c
            .contacts()
            .iter()
            .map(|p| {
                object(vec![
                    ("Email", json!(p.email())),
                    ("FirstName", json!(p.first_name())),
                    ("LastName", json!(p.last_name())),
                    ("BusinessTitle", json!(p.business_title())),
                    ("Phone", json!(p.phone())),
                ])
            })
            .collect();
        object(vec![
            ("Account", account.unwrap_or(Value::Null)),
            ("Contacts", json!(contacts)),
        ])
    });
    let project = o.project().map(|p| {
        let spend = spend_json(p.expected_customer_spend());
        object(vec![
            ("Title", json!(p.title())),
            (
                "CustomerBusinessProblem",
                json!(p.customer_business_problem()),
            ),
            ("CustomerUseCase", json!(p.customer_use_case())),
            (
                "DeliveryModels",
                json!(
                    p.delivery_models()
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                ),
            ),
            ("ExpectedCustomerSpend", json!(spend)),
            (
                "SalesActivities",
                json!(
                    p.sales_activities()
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                ),
            ),
            (
                "CompetitorName",
                json!(p.competitor_name().map(|c| c.as_str())),
            ),
            ("OtherCompetitorNames", json!(p.other_competitor_names())),
            ("AdditionalComments", json!(p.additional_comments())),
        ])
    });
    let life_cycle = o.life_cycle().map(|l| {
        object(vec![
            ("Stage", json!(l.stage().map(|s| s.as_str()))),
            ("TargetCloseDate", json!(l.target_close_date())),
            ("NextSteps", json!(l.next_steps())),
            (
                "ClosedLostReason",
                json!(l.closed_lost_reason().map(|r| r.as_str())),
            ),
            ("ReviewStatus", json!(l.review_status().map(|r| r.as_str()))),
            ("ReviewComments", json!(l.review_comments())),
            ("ReviewStatusReason", json!(l.review_status_reason())),
        ])
    });
    let marketing = o.marketing().map(|m| {
        object(vec![
            ("Source", json!(m.source().map(|s| s.as_str()))),
            ("CampaignName", json!(m.campaign_name())),
            (
                "Channels",
                json!(m.channels().iter().map(|c| c.as_str()).collect::<Vec<_>>()),
            ),
            ("UseCases", strs(m.use_cases())),
            (
                "AwsFundingUsed",
                json!(m.aws_funding_used().map(|a| a.as_str())),
            ),
        ])
    });
    let related = o.related_entity_identifiers().map(|r| {
        object(vec![
            ("Solutions", strs(r.solutions())),
            ("AwsProducts", strs(r.aws_products())),
            ("AwsMarketplaceOffers", strs(r.aws_marketplace_offers())),
        ])
    });
    object(vec![
        ("Id", json!(o.id())),
        ("Arn", json!(o.arn())),
        (
            "PartnerOpportunityIdentifier",
            json!(o.partner_opportunity_identifier()),
        ),
        (
            "OpportunityType",
            json!(o.opportunity_type().map(|t| t.as_str())),
        ),
        (
            "NationalSecurity",
            json!(o.national_security().map(|n| n.as_str())),
        ),
        (
            "PrimaryNeedsFromAws",
            json!(
                o.primary_needs_from_aws()
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
            ),
        ),
        ("Customer", customer.unwrap_or(Value::Null)),
        ("Project", project.unwrap_or(Value::Null)),
        ("LifeCycle", life_cycle.unwrap_or(Value::Null)),
        ("Marketing", marketing.unwrap_or(Value::Null)),
        ("RelatedEntityIdentifiers", related.unwrap_or(Value::Null)),
        ("LastModifiedDate", time_json(Some(o.last_modified_date()))),
        ("CreatedDate", time_json(Some(o.created_date()))),
    ])
}
