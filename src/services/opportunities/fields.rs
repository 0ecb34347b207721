//! The values of an opportunity that create and update set, validated one by one and then
//! against each other (docs/ace-model.md §5.3). Named as in the API, so a diff of two snapshots is
//! the history entry and names the fields locks refer to.
use crate::domain::ace_lists::{CUSTOMER_USE_CASES, MARKETING_USE_CASES};
use crate::domain::enums::*;
use crate::domain::money::format_cents;
use crate::domain::patch::Patch;
use crate::domain::validate::{Validator, distinct};
use crate::error::AppResult;
use crate::error::FieldCode;
use crate::services::commands::{CreateOpportunity, MoneyData, UpdateOpportunity};
use chrono::NaiveDate;
use entity::opportunity;
use sea_orm::Set;
use serde::Serialize;

const IDENTIFIER_MAX: usize = 64;
pub const TITLE_MAX: usize = 255;
pub const PROBLEM_MAX: usize = 2000;
const TEXT_MAX: usize = 255;
const NOTES_MAX: usize = 2000;
pub const AWS_PRODUCTS_MAX: usize = 20;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spend {
    #[serde(skip)]
    pub cents: i64,
    pub amount: String,
    pub currency_code: String,
}

impl Spend {
    pub fn of(m: MoneyData) -> Self {
        Spend {
            cents: m.cents,
            amount: format_cents(m.cents),
            currency_code: m.currency_code.as_str().to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fields {
    pub partner_opportunity_identifier: Option<String>,
    pub opportunity_type: String,
    pub national_security: bool,
    pub title: String,
    pub customer_business_problem: String,
    pub customer_use_case: Option<String>,
    pub delivery_models: Vec<String>,
    pub expected_monthly_spend: Option<Spend>,
    pub sales_activities: Vec<String>,
    pub competitor_name: Option<String>,
    pub other_competitor_names: Option<String>,
    pub primary_needs_from_aws: Vec<String>,
    pub additional_comments: Option<String>,
    pub marketing_source: String,
    pub campaign_name: Option<String>,
    pub marketing_channels: Vec<String>,
    pub marketing_use_cases: Vec<String>,
    pub aws_funding_used: Option<bool>,
    pub stage: String,
    pub target_close_date: Option<NaiveDate>,
    pub next_steps: Option<String>,
    pub customer_consent: bool,
    pub partner_led: bool,
    pub net_new_for_aws: bool,
    pub internal_notes: Option<String>,
    pub aws_products: Vec<String>,
    pub aws_marketplace_offer_arn: Option<String>,
}

fn stored<E: StoredEnum + PartialEq>(list: &[E]) -> Vec<String> {
    distinct(list)
        .iter()
        .map(|e| e.as_str().to_string())
        .collect()
}

/// Primary needs in the enum's order, so a re-ordered list is no change.
pub fn sorted_needs(mut needs: Vec<String>) -> Vec<String> {
    let pos = |s: &String| PrimaryNeed::ALL.iter().position(|n| n.as_str() == s);
    needs.sort_by_key(pos);
    needs.dedup();
    needs
}

fn json_list(v: &serde_json::Value) -> AppResult<Vec<String>> {
    crate::domain::stored::json(v, "opportunity list")
}

struct Check<'a> {
    v: &'a mut Validator,
    today: NaiveDate,
}

impl Check<'_> {
    fn use_case(&mut self, value: Option<&str>) -> Option<String> {
        let value = self.v.optional("customerUseCase", value, 1, TEXT_MAX)?;
        if !CUSTOMER_USE_CASES.contains(&value.as_str()) {
            self.v.fail(
                "customerUseCase",
                FieldCode::InvalidValue,
                "must be one of ACE's customer use cases, e.g. \"Migration/Database Migration\"",
            );
        }
        Some(value)
    }

    fn marketing_use_cases(&mut self, values: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let value = value.trim();
            if !MARKETING_USE_CASES.contains(&value) {
                self.v.fail(
                    &format!("marketingUseCases.{i}"),
                    FieldCode::InvalidValue,
                    "must be one of ACE's marketing use cases, e.g. \"Migration & Transfer\"",
                );
            } else if !out.iter().any(|o| o == value) {
                out.push(value.to_string());
            }
        }
        out
    }

    fn aws_products(&mut self, values: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let value = self
                .v
                .required(&format!("awsProducts.{i}"), value, TEXT_MAX);
            if !value.is_empty() && !out.contains(&value) {
                out.push(value);
            }
        }
        if out.len() > AWS_PRODUCTS_MAX {
            self.v.fail(
                "awsProducts",
                FieldCode::TooManyValues,
                format!("an opportunity has at most {AWS_PRODUCTS_MAX} AWS products"),
            );
        }
        out
    }

    fn stage(&mut self, stage: Stage) -> String {
        if stage.is_terminal() {
            self.v.fail(
                "stage",
                FieldCode::InvalidValue,
                "LAUNCHED and CLOSED_LOST are set by closeOpportunity",
            );
        }
        stage.as_str().to_string()
    }

    fn target_close_date(&mut self, d: NaiveDate) -> NaiveDate {
        if d < self.today {
            self.v.fail(
                "targetCloseDate",
                FieldCode::ValueOutOfRange,
                "must not be in the past",
            );
        }
        d
    }
}

impl Fields {
    pub fn from_create(v: &mut Validator, i: &CreateOpportunity, today: NaiveDate) -> Self {
        let mut c = Check { v, today };
        Fields {
            partner_opportunity_identifier: c.v.optional(
                "partnerOpportunityIdentifier",
                i.partner_opportunity_identifier.as_deref(),
                1,
                IDENTIFIER_MAX,
            ),
            opportunity_type: i.opportunity_type.as_str().to_string(),
            national_security: i.national_security.unwrap_or(false),
            title: c.v.required("title", &i.title, TITLE_MAX),
            customer_business_problem: c.v.required(
                "customerBusinessProblem",
                &i.customer_business_problem,
                PROBLEM_MAX,
            ),
            customer_use_case: c.use_case(i.customer_use_case.as_deref()),
            delivery_models: stored(i.delivery_models.as_deref().unwrap_or_default()),
            expected_monthly_spend: i.expected_monthly_spend.map(Spend::of),
            sales_activities: stored(i.sales_activities.as_deref().unwrap_or_default()),
            competitor_name: i.competitor_name.map(|e| e.as_str().to_string()),
            other_competitor_names: c.v.optional(
                "otherCompetitorNames",
                i.other_competitor_names.as_deref(),
                1,
                TEXT_MAX,
            ),
            primary_needs_from_aws: sorted_needs(stored(
                i.primary_needs_from_aws.as_deref().unwrap_or_default(),
            )),
            additional_comments: c.v.optional(
                "additionalComments",
                i.additional_comments.as_deref(),
                1,
                TEXT_MAX,
            ),
            marketing_source: i
                .marketing_source
                .unwrap_or(MarketingSource::None)
                .as_str()
                .to_string(),
            campaign_name: c
                .v
                .optional("campaignName", i.campaign_name.as_deref(), 1, TEXT_MAX),
            marketing_channels: stored(i.marketing_channels.as_deref().unwrap_or_default()),
            marketing_use_cases: c
                .marketing_use_cases(i.marketing_use_cases.as_deref().unwrap_or_default()),
            aws_funding_used: i.aws_funding_used,
            stage: c.stage(i.stage.unwrap_or(Stage::Prospect)),
            target_close_date: i.target_close_date.map(|d| c.target_close_date(d)),
            next_steps: c
                .v
                .optional("nextSteps", i.next_steps.as_deref(), 1, TEXT_MAX),
            customer_consent: i.customer_consent.unwrap_or(false),
            partner_led: i.partner_led.unwrap_or(false),
            net_new_for_aws: i.net_new_for_aws.unwrap_or(false),
            internal_notes: c.v.optional(
                "internalNotes",
                i.internal_notes.as_deref(),
                1,
                NOTES_MAX,
            ),
            aws_products: c.aws_products(i.aws_products.as_deref().unwrap_or_default()),
            aws_marketplace_offer_arn: c.v.arn(
                "awsMarketplaceOfferArn",
                i.aws_marketplace_offer_arn.as_deref(),
            ),
        }
    }

    /// The current values of a stored opportunity.
    pub fn of(m: &opportunity::Model, needs: Vec<String>) -> AppResult<Self> {
        Ok(Fields {
            partner_opportunity_identifier: m.partner_opportunity_identifier.clone(),
            opportunity_type: m.opportunity_type.clone(),
            national_security: m.national_security,
            title: m.title.clone(),
            customer_business_problem: m.customer_business_problem.clone(),
            customer_use_case: m.customer_use_case.clone(),
            delivery_models: json_list(&m.delivery_models)?,
            expected_monthly_spend: match (
                m.expected_monthly_spend_cents,
                &m.expected_monthly_spend_currency,
            ) {
                (Some(cents), Some(currency)) => Some(Spend {
                    cents,
                    amount: format_cents(cents),
                    currency_code: currency.clone(),
                }),
                _ => None,
            },
            sales_activities: json_list(&m.sales_activities)?,
            competitor_name: m.competitor_name.clone(),
            other_competitor_names: m.other_competitor_names.clone(),
            primary_needs_from_aws: sorted_needs(needs),
            additional_comments: m.additional_comments.clone(),
            marketing_source: m.marketing_source.clone(),
            campaign_name: m.campaign_name.clone(),
            marketing_channels: json_list(&m.marketing_channels)?,
            marketing_use_cases: json_list(&m.marketing_use_cases)?,
            aws_funding_used: m.aws_funding_used,
            stage: m.stage.clone(),
            target_close_date: m.target_close_date,
            next_steps: m.next_steps.clone(),
            customer_consent: m.customer_consent,
            partner_led: m.partner_led,
            net_new_for_aws: m.net_new_for_aws,
            internal_notes: m.internal_notes.clone(),
            aws_products: json_list(&m.aws_products)?,
            aws_marketplace_offer_arn: m.aws_marketplace_offer_arn.clone(),
        })
    }

    /// Applies an update patch: omitted keeps, null clears (refused for required fields).
    pub fn patch(&mut self, v: &mut Validator, i: &UpdateOpportunity, today: NaiveDate) {
        use Patch::{Absent, Null, Value};
        let mut c = Check { v, today };
        macro_rules! text {
            ($field:ident, $name:literal, $max:expr) => {
                self.$field = c.v.patch_optional($name, &i.$field, &self.$field, 1, $max)
            };
        }
        macro_rules! list {
            ($field:ident) => {
                match &i.$field {
                    Absent => {}
                    Null => self.$field = Vec::new(),
                    Value(list) => self.$field = stored(list),
                }
            };
        }
        macro_rules! flag {
            ($field:ident, $name:literal) => {
                self.$field = match i.$field {
                    Absent => self.$field,
                    Null => {
                        c.v.fail($name, FieldCode::RequiredFieldMissing, "cannot be cleared");
                        self.$field
                    }
                    Value(b) => b,
                }
            };
        }
        text!(
            partner_opportunity_identifier,
            "partnerOpportunityIdentifier",
            IDENTIFIER_MAX
        );
        let current_type: OpportunityType = OpportunityType::parse(&self.opportunity_type)
            .unwrap_or(OpportunityType::NetNewBusiness);
        self.opportunity_type =
            c.v.patch_enum("opportunityType", &i.opportunity_type, current_type)
                .as_str()
                .to_string();
        flag!(national_security, "nationalSecurity");
        self.title =
            c.v.patch_required("title", &i.title, &self.title, TITLE_MAX);
        self.customer_business_problem = c.v.patch_required(
            "customerBusinessProblem",
            &i.customer_business_problem,
            &self.customer_business_problem,
            PROBLEM_MAX,
        );
        match &i.customer_use_case {
            Absent => {}
            Null => self.customer_use_case = None,
            Value(s) => self.customer_use_case = c.use_case(Some(s)),
        }
        list!(delivery_models);
        match i.expected_monthly_spend {
            Absent => {}
            Null => self.expected_monthly_spend = None,
            Value(m) => self.expected_monthly_spend = Some(Spend::of(m)),
        }
        list!(sales_activities);
        match i.competitor_name {
            Absent => {}
            Null => self.competitor_name = None,
            Value(e) => self.competitor_name = Some(e.as_str().to_string()),
        }
        text!(other_competitor_names, "otherCompetitorNames", TEXT_MAX);
        match &i.primary_needs_from_aws {
            Absent => {}
            Null => self.primary_needs_from_aws = Vec::new(),
            Value(list) => self.primary_needs_from_aws = sorted_needs(stored(list)),
        }
        text!(additional_comments, "additionalComments", TEXT_MAX);
        let current_source =
            MarketingSource::parse(&self.marketing_source).unwrap_or(MarketingSource::None);
        self.marketing_source =
            c.v.patch_enum("marketingSource", &i.marketing_source, current_source)
                .as_str()
                .to_string();
        text!(campaign_name, "campaignName", TEXT_MAX);
        list!(marketing_channels);
        match &i.marketing_use_cases {
            Absent => {}
            Null => self.marketing_use_cases = Vec::new(),
            Value(list) => self.marketing_use_cases = c.marketing_use_cases(list),
        }
        match i.aws_funding_used {
            Absent => {}
            Null => self.aws_funding_used = None,
            Value(b) => self.aws_funding_used = Some(b),
        }
        match i.stage {
            Absent => {}
            Null => c.v.fail(
                "stage",
                FieldCode::RequiredFieldMissing,
                "cannot be cleared",
            ),
            Value(s) if s.as_str() == self.stage => {}
            Value(s) => self.stage = c.stage(s),
        }
        match i.target_close_date {
            Absent => {}
            Null => self.target_close_date = None,
            Value(d) if Some(d) == self.target_close_date => {}
            Value(d) => self.target_close_date = Some(c.target_close_date(d)),
        }
        text!(next_steps, "nextSteps", TEXT_MAX);
        flag!(customer_consent, "customerConsent");
        flag!(partner_led, "partnerLed");
        flag!(net_new_for_aws, "netNewForAws");
        text!(internal_notes, "internalNotes", NOTES_MAX);
        match &i.aws_products {
            Absent => {}
            Null => self.aws_products = Vec::new(),
            Value(list) => self.aws_products = c.aws_products(list),
        }
        self.aws_marketplace_offer_arn = c.v.patch_with(
            &i.aws_marketplace_offer_arn,
            &self.aws_marketplace_offer_arn,
            |v, s| v.arn("awsMarketplaceOfferArn", Some(s)),
        );
    }

    /// Rules between fields that hold for every stored opportunity (docs/ace-model.md §5.3).
    pub fn check(&self, v: &mut Validator, customer_industry: &str) {
        let other_competitor =
            self.competitor_name.as_deref() == Some(CompetitorName::Other.as_str());
        if self.other_competitor_names.is_some() && !other_competitor {
            v.fail(
                "otherCompetitorNames",
                FieldCode::InvalidValue,
                "is only allowed when competitorName is OTHER",
            );
        }
        if self.marketing_source == MarketingSource::None.as_str() {
            let set = [
                ("campaignName", self.campaign_name.is_some()),
                ("marketingChannels", !self.marketing_channels.is_empty()),
                ("marketingUseCases", !self.marketing_use_cases.is_empty()),
                ("awsFundingUsed", self.aws_funding_used.is_some()),
            ];
            for (field, is_set) in set {
                if is_set {
                    v.fail(
                        field,
                        FieldCode::InvalidValue,
                        "must be empty when marketingSource is NONE",
                    );
                }
            }
        } else if self.aws_funding_used == Some(false) && !self.marketing_use_cases.is_empty() {
            v.fail(
                "marketingUseCases",
                FieldCode::InvalidValue,
                "must be empty when awsFundingUsed is false",
            );
        }
        if self.national_security && customer_industry != Industry::Government.as_str() {
            v.fail(
                "nationalSecurity",
                FieldCode::InvalidValue,
                "is only allowed for customers in the GOVERNMENT industry",
            );
        }
    }

    /// Writes the values into a row; primary needs and next-steps history live in their own
    /// tables.
    pub fn apply(&self, m: &mut opportunity::ActiveModel) {
        let json = |l: &Vec<String>| serde_json::json!(l);
        m.partner_opportunity_identifier = Set(self.partner_opportunity_identifier.clone());
        m.opportunity_type = Set(self.opportunity_type.clone());
        m.national_security = Set(self.national_security);
        m.title = Set(self.title.clone());
        m.title_normalized = Set(crate::domain::validate::normalize_title(&self.title));
        m.customer_business_problem = Set(self.customer_business_problem.clone());
        m.customer_use_case = Set(self.customer_use_case.clone());
        m.delivery_models = Set(json(&self.delivery_models));
        m.expected_monthly_spend_cents = Set(self.expected_monthly_spend.as_ref().map(|s| s.cents));
        m.expected_monthly_spend_currency = Set(self
            .expected_monthly_spend
            .as_ref()
            .map(|s| s.currency_code.clone()));
        m.sales_activities = Set(json(&self.sales_activities));
        m.competitor_name = Set(self.competitor_name.clone());
        m.other_competitor_names = Set(self.other_competitor_names.clone());
        m.additional_comments = Set(self.additional_comments.clone());
        m.marketing_source = Set(self.marketing_source.clone());
        m.campaign_name = Set(self.campaign_name.clone());
        m.marketing_channels = Set(json(&self.marketing_channels));
        m.marketing_use_cases = Set(json(&self.marketing_use_cases));
        m.aws_funding_used = Set(self.aws_funding_used);
        m.stage = Set(self.stage.clone());
        m.target_close_date = Set(self.target_close_date);
        m.next_steps = Set(self.next_steps.clone());
        m.customer_consent = Set(self.customer_consent);
        m.partner_led = Set(self.partner_led);
        m.net_new_for_aws = Set(self.net_new_for_aws);
        m.internal_notes = Set(self.internal_notes.clone());
        m.aws_products = Set(json(&self.aws_products));
        m.aws_marketplace_offer_arn = Set(self.aws_marketplace_offer_arn.clone());
    }
}

/// The stored primary needs of one opportunity.
pub async fn needs_of<C: sea_orm::ConnectionTrait>(db: &C, id: &str) -> AppResult<Vec<String>> {
    Ok(crate::data::opportunities::needs_of(db, &[id.to_string()])
        .await?
        .into_iter()
        .map(|n| n.primary_need)
        .collect())
}
