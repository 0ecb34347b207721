//! AWS referrals (ACE engagement invitations): AWS shares a customer opportunity with a
//! partner, which accepts it (becoming its customer and an AWS_REFERRAL opportunity, in one
//! transaction) or rejects it with a reason. Past `expiresAt` a pending referral reads EXPIRED
//! and can be neither.
use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::enums::ChangeAction;
use crate::domain::enums::{
    CurrencyCode, OpportunityType, ReferralStatus, Stage, StoredEnum, api_name,
};
use crate::domain::ids::IdKind;
use crate::domain::validate::Validator;
use crate::error::FieldCode;
use crate::error::{AppError, AppResult};
use crate::services::commands::{
    AddressData, CreateCustomer, CreateOpportunity, MoneyData, SendReferral,
};
use crate::services::customers::{
    self, Address, COMPANY_NAME_MAX, ContactFields, validate_contacts,
};
// The referral's project becomes the opportunity's, under the opportunity's limits.
use crate::services::history::Diff;
use crate::services::opportunities;
use crate::services::opportunities::fields::{PROBLEM_MAX, TITLE_MAX};
use crate::services::opportunities::readiness::BUSINESS_PROBLEM_MIN as PROBLEM_MIN;
use chrono::{DateTime, Duration, Utc};
use entity::{customer, opportunity, referral};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set,
};
use serde::{Deserialize, Serialize};

/// ACE's InvitationMessage is 1..255 characters.
const MESSAGE_MAX: usize = 255;
/// ACE's RejectionReason is a string of 1..80 characters.
const REJECTION_MAX: usize = 80;
pub const DEFAULT_EXPIRY_DAYS: i64 = 14;
const MAX_EXPIRY_DAYS: i64 = 90;

/// A contact as a referral carries it: its id is reserved when the referral is sent and
/// becomes the contact's id when the partner accepts.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferralContact {
    pub id: String,
    #[serde(flatten)]
    pub fields: ContactFields,
}

pub fn contacts_of(m: &referral::Model) -> AppResult<Vec<ReferralContact>> {
    crate::domain::stored::json(&m.customer_contacts, "referral contacts")
}

pub async fn send(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: SendReferral,
) -> AppResult<referral::Model> {
    let now = crate::domain::now();
    let mut v = Validator::new("input");
    let message = v.required("message", &input.message, MESSAGE_MAX);
    let company_name = v.required(
        "customer.companyName",
        &input.customer.company_name,
        COMPANY_NAME_MAX,
    );
    let website_url = v.url("customer.websiteUrl", Some(&input.customer.website_url));
    if input.customer.website_url.trim().is_empty() {
        v.fail(
            "customer.websiteUrl",
            FieldCode::RequiredFieldMissing,
            "must not be empty",
        );
    }
    let country_code = v.country("customer.countryCode", &input.customer.country_code);
    let address = input
        .customer_address
        .as_ref()
        .map(|a| address(&mut v, a, &country_code));
    let contacts: Vec<ReferralContact> = validate_contacts(
        &mut v,
        "customerContacts",
        input.customer_contacts.as_deref(),
    )
    .into_iter()
    .map(|fields| ReferralContact {
        id: IdKind::Contact.new_id(),
        fields,
    })
    .collect();
    let project_title = v.required("projectTitle", &input.project_title, TITLE_MAX);
    let business_problem = v.required("businessProblem", &input.business_problem, PROBLEM_MAX);
    if !business_problem.is_empty() {
        v.length(
            "businessProblem",
            &business_problem,
            PROBLEM_MIN,
            PROBLEM_MAX,
        );
    }
    if input.target_completion_date < now.date_naive() {
        v.fail(
            "targetCompletionDate",
            FieldCode::ValueOutOfRange,
            "must not be in the past",
        );
    }
    if let Some(spend) = input.expected_monthly_spend
        && spend.cents <= 0
    {
        v.fail(
            "expectedMonthlySpend.amount",
            FieldCode::ValueOutOfRange,
            "must be greater than 0",
        );
    }
    let expires_at = input
        .expires_at
        .unwrap_or(now + Duration::days(DEFAULT_EXPIRY_DAYS));
    if expires_at <= now || expires_at > now + Duration::days(MAX_EXPIRY_DAYS) {
        v.fail(
            "expiresAt",
            FieldCode::ValueOutOfRange,
            format!("must be in the future and at most {MAX_EXPIRY_DAYS} days ahead"),
        );
    }
    v.finish()?;

    let txn = crate::db::begin_write(db).await?;
    let partner = data::partners::find(&txn, viewer, &input.partner_id)
        .await?
        .ok_or(AppError::NotFound("partner"))?;
    policy::send_referral(viewer, input.segment)?;
    let address = address.unwrap_or_default();
    let model = referral::ActiveModel {
        id: Set(IdKind::Referral.new_id()),
        partner_id: Set(partner.id.clone()),
        status: Set(ReferralStatus::Pending.as_str().into()),
        sender_subject: Set(viewer.subject.clone()),
        sender_name: Set(viewer.subject.clone()),
        message: Set(message),
        company_name: Set(company_name),
        industry: Set(input.customer.industry.as_str().into()),
        website_url: Set(website_url.unwrap_or_default()),
        country_code: Set(country_code),
        segment_code: Set(input.segment.as_str().into()),
        aws_adoption: Set(input.aws_adoption.as_str().into()),
        postal_code: Set(address.postal_code),
        state_or_region: Set(address.state_or_region),
        city: Set(address.city),
        street_address: Set(address.street_address),
        customer_contacts: Set(serde_json::json!(contacts)),
        project_title: Set(project_title.clone()),
        business_problem: Set(business_problem),
        target_completion_date: Set(input.target_completion_date),
        expected_monthly_spend_cents: Set(input.expected_monthly_spend.map(|m| m.cents)),
        expected_monthly_spend_currency: Set(input
            .expected_monthly_spend
            .map(|m| m.currency_code.as_str().into())),
        expires_at: Set(expires_at),
        rejection_reason: Set(None),
        opportunity_id: Set(None),
        ace_invitation_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut diff = Diff::default();
    diff.field("projectTitle", &None, &Some(project_title));
    diff.field("status", &None, &Some(ReferralStatus::Pending.as_str()));
    diff.record(
        &txn,
        viewer,
        &model.partner_id,
        ("Referral", &model.id),
        ChangeAction::Created,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// The optional parts of a referral's address; its country is the customer's.
#[derive(Default)]
struct AddressParts {
    postal_code: Option<String>,
    state_or_region: Option<String>,
    city: Option<String>,
    street_address: Option<String>,
}

fn address(v: &mut Validator, a: &AddressData, country_code: &str) -> AddressParts {
    let Address {
        country_code: address_country,
        postal_code,
        state_or_region,
        city,
        street_address,
    } = Address::validate(v, "customerAddress", a);
    if address_country != country_code {
        v.fail(
            "customerAddress.countryCode",
            FieldCode::InvalidValue,
            "must be the customer's countryCode",
        );
    }
    AddressParts {
        postal_code,
        state_or_region,
        city,
        street_address,
    }
}

/// The referral `id` as the receiving partner answers it: visible, theirs, and its status now.
async fn load_for_answer(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<(referral::Model, ReferralStatus)> {
    let current = data::referrals::find(txn, viewer, id)
        .await?
        .ok_or(AppError::NotFound("referral"))?;
    policy::answer_referral(viewer, &current.partner_id)?;
    let status = data::referrals::status_of(&current, now)?;
    Ok((current, status))
}

fn answered(status: ReferralStatus) -> AppError {
    AppError::invalid_state(
        "id",
        format!(
            "the referral is {}: only a PENDING referral can be accepted or rejected",
            api_name(status)
        ),
    )
}

/// Moves a PENDING, unexpired referral to `to`. The status check is part of the UPDATE, so of
/// two concurrent answers only one moves it; the other finds it answered.
async fn claim(
    txn: &DatabaseTransaction,
    id: &str,
    to: ReferralStatus,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let result = referral::Entity::update_many()
        .col_expr(referral::Column::Status, Expr::value(to.as_str()))
        .col_expr(referral::Column::UpdatedAt, Expr::value(now))
        .filter(referral::Column::Id.eq(id))
        .filter(referral::Column::Status.eq(ReferralStatus::Pending.as_str()))
        .filter(referral::Column::ExpiresAt.gt(now))
        .exec(txn)
        .await?;
    Ok(result.rows_affected == 1)
}

async fn opportunity_of(
    txn: &DatabaseTransaction,
    r: &referral::Model,
) -> AppResult<opportunity::Model> {
    let id = r
        .opportunity_id
        .clone()
        .ok_or_else(|| AppError::internal("accepted referral without opportunity"))?;
    opportunity::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("accepted referral's opportunity vanished"))
}

/// Accepts a referral for its partner: the customer (an existing one of the same company
/// name, or a new one with the referral's address) gets the referral's contacts, and an
/// opportunity with origin AWS_REFERRAL is created. Accepting again returns that opportunity.
pub async fn accept(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
) -> AppResult<opportunity::Model> {
    let now = crate::domain::now();
    let txn = crate::db::begin_write(db).await?;
    let (current, status) = load_for_answer(&txn, viewer, id, now).await?;
    match status {
        ReferralStatus::Accepted => return opportunity_of(&txn, &current).await,
        ReferralStatus::Pending => {}
        other => return Err(answered(other)),
    }
    if !claim(&txn, &current.id, ReferralStatus::Accepted, now).await? {
        // A concurrent accept or reject committed first; answer as it left the referral.
        let (again, status) = load_for_answer(&txn, viewer, id, now).await?;
        return match status {
            ReferralStatus::Accepted => opportunity_of(&txn, &again).await,
            other => Err(answered(other)),
        };
    }
    if current.ace_invitation_id.is_some() {
        crate::services::ace::invitations::enqueue_answer(
            &txn,
            &current,
            crate::services::ace::outbox::JobKind::Accept,
        )
        .await?;
    }
    let customer = customer_for(&txn, viewer, &current).await?;
    let opportunity = opportunities::create_in(
        &txn,
        viewer,
        opportunities::Source::Referral(&current.id),
        opportunity_input(&current, &customer.id, now),
        crate::domain::enums::Origin::AwsReferral,
    )
    .await?;
    referral::Entity::update_many()
        .col_expr(
            referral::Column::OpportunityId,
            Expr::value(opportunity.id.as_str()),
        )
        .filter(referral::Column::Id.eq(current.id.as_str()))
        .exec(&txn)
        .await?;
    let mut diff = Diff::default();
    diff.field("status", &current.status.as_str(), &"ACCEPTED");
    diff.field("opportunity", &None, &Some(opportunity.id.as_str()));
    diff.record(
        &txn,
        viewer,
        &current.partner_id,
        ("Referral", &current.id),
        ChangeAction::Accepted,
    )
    .await?;
    txn.commit().await?;
    Ok(opportunity)
}

/// The partner's customer for the referral: the one with the same company name (ignoring
/// case), which gains the referral's contacts it does not have yet, or a new one.
async fn customer_for(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    r: &referral::Model,
) -> AppResult<customer::Model> {
    let contacts = contacts_of(r)?;
    let existing = data::customers::by_company_name(txn, &r.partner_id, &r.company_name).await?;
    let customer = match existing {
        Some(c) => c,
        None => {
            let input = CreateCustomer {
                partner_id: Some(r.partner_id.clone()),
                company_name: r.company_name.clone(),
                industry: crate::domain::enums::decode(&r.industry)?,
                other_industry: None,
                website_url: Some(r.website_url.clone()),
                address: Some(AddressData {
                    country_code: r.country_code.clone(),
                    postal_code: r.postal_code.clone(),
                    state_or_region: r.state_or_region.clone(),
                    city: r.city.clone(),
                    street_address: r.street_address.clone(),
                }),
                duns: None,
                aws_account_id: None,
                segment: crate::domain::enums::decode(&r.segment_code)?,
                aws_adoption: crate::domain::enums::decode(&r.aws_adoption)?,
                contacts: None,
                internal_notes: None,
            };
            customers::create_in(txn, viewer, input).await?
        }
    };
    let known = data::customers::contact_emails(txn, &customer.id).await?;
    for c in contacts {
        if c.fields.email.as_ref().is_some_and(|e| known.contains(e)) {
            continue;
        }
        customers::insert_contact(txn, &customer.id, c.id, c.fields).await?;
    }
    Ok(customer)
}

/// What the partner starts from: the referral's project, at PROSPECT; the partner completes
/// the rest before submitting it back to AWS.
fn opportunity_input(
    r: &referral::Model,
    customer_id: &str,
    now: DateTime<Utc>,
) -> CreateOpportunity {
    let spend = match (
        r.expected_monthly_spend_cents,
        r.expected_monthly_spend_currency
            .as_deref()
            .and_then(CurrencyCode::parse),
    ) {
        (Some(cents), Some(currency_code)) => Some(MoneyData {
            cents,
            currency_code,
        }),
        _ => None,
    };
    CreateOpportunity {
        client_token: r.id.clone(),
        customer_id: customer_id.to_string(),
        partner_opportunity_identifier: None,
        opportunity_type: OpportunityType::NetNewBusiness,
        national_security: None,
        title: r.project_title.clone(),
        customer_business_problem: r.business_problem.clone(),
        customer_use_case: None,
        delivery_models: None,
        expected_monthly_spend: spend,
        sales_activities: None,
        competitor_name: None,
        other_competitor_names: None,
        primary_needs_from_aws: None,
        additional_comments: None,
        marketing_source: None,
        campaign_name: None,
        marketing_channels: None,
        marketing_use_cases: None,
        aws_funding_used: None,
        stage: Some(Stage::Prospect),
        // A target date that passed while the referral waited is left for the partner to set.
        target_close_date: (r.target_completion_date >= now.date_naive())
            .then_some(r.target_completion_date),
        next_steps: None,
        customer_consent: None,
        partner_led: Some(false),
        net_new_for_aws: None,
        internal_notes: None,
        aws_products: None,
        aws_marketplace_offer_arn: None,
    }
}

pub async fn reject(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
    reason: &str,
) -> AppResult<referral::Model> {
    let mut v = Validator::new("");
    let reason = v.required("reason", reason, REJECTION_MAX);
    v.finish()?;
    let now = crate::domain::now();
    let txn = crate::db::begin_write(db).await?;
    let (current, status) = load_for_answer(&txn, viewer, id, now).await?;
    if status != ReferralStatus::Pending
        || !claim(&txn, &current.id, ReferralStatus::Rejected, now).await?
    {
        let (_, status) = load_for_answer(&txn, viewer, id, now).await?;
        return Err(answered(status));
    }
    referral::Entity::update_many()
        .col_expr(
            referral::Column::RejectionReason,
            Expr::value(reason.as_str()),
        )
        .filter(referral::Column::Id.eq(current.id.as_str()))
        .exec(&txn)
        .await?;
    if current.ace_invitation_id.is_some() {
        crate::services::ace::invitations::enqueue_answer(
            &txn,
            &current,
            crate::services::ace::outbox::JobKind::Reject,
        )
        .await?;
    }
    let mut diff = Diff::default();
    diff.field("status", &current.status.as_str(), &"REJECTED");
    diff.field("rejectionReason", &None, &Some(reason));
    diff.record(
        &txn,
        viewer,
        &current.partner_id,
        ("Referral", &current.id),
        ChangeAction::Rejected,
    )
    .await?;
    let updated = referral::Entity::find_by_id(current.id.clone())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("referral"))?;
    txn.commit().await?;
    Ok(updated)
}
