//! Opportunities created in Partner Central, taken into cosell (docs/ace-sync.md, "In"): the
//! customer is the partner's of the same company name (ignoring case) or a new one, the
//! opportunity is created from ACE's fields and linked, so later changes sync both ways. One
//! made by accepting an AWS referral in Partner Central becomes that referral's opportunity.
use super::fields::{at, monthly_spend, partner_view, text};
use super::{ace_viewer, outbox, status};
use crate::ace::client::AceOpportunity;
use crate::domain::enums::*;
use crate::error::{AppError, AppResult};
use crate::services::commands::{AddressData, ContactData, CreateCustomer, CreateOpportunity};
use entity::{ace_job, ace_sync, referral};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::Value;

fn list<E: StoredEnum>(v: &Value, path: &str) -> Option<Vec<E>> {
    at(v, path).and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|s| s.as_str().and_then(E::parse))
            .collect()
    })
}

fn strings(v: &Value, path: &str) -> Vec<String> {
    at(v, path)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn yes(v: &Value, path: &str) -> Option<bool> {
    text(v, path).map(|s| s == "Yes")
}

/// Whether the partner has a write of cosell's to ACE whose result is not recorded yet: an
/// ACE opportunity cosell does not know may then be its own, so imports wait for the next
/// poll.
pub async fn own_work_in_flight(db: &DatabaseConnection, partner_id: &str) -> AppResult<bool> {
    let jobs = ace_job::Entity::find()
        .filter(ace_job::Column::PartnerId.eq(partner_id))
        .filter(ace_job::Column::State.eq(outbox::WAITING))
        .filter(ace_job::Column::Kind.is_in([
            outbox::JobKind::Submit.as_str(),
            outbox::JobKind::Accept.as_str(),
        ]))
        .all(db)
        .await?;
    for job in jobs {
        if job.kind == outbox::JobKind::Accept.as_str() {
            return Ok(true);
        }
        let unrecorded = ace_sync::Entity::find_by_id(job.subject_id.clone())
            .one(db)
            .await?
            .is_none_or(|s| s.ace_opportunity_id.is_none());
        if unrecorded {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn import(
    db: &DatabaseConnection,
    partner_id: &str,
    ace: &AceOpportunity,
) -> AppResult<()> {
    let body = &ace.body;
    let title = text(body, "Project.Title").unwrap_or_default();
    // GetOpportunity does not say where an opportunity came from: one made by accepting an
    // ACE referral in Partner Central is found by its project title (ace-model.md §2.3).
    let referral = referral::Entity::find()
        .filter(referral::Column::PartnerId.eq(partner_id))
        .filter(referral::Column::AceInvitationId.is_not_null())
        .filter(referral::Column::Status.eq(ReferralStatus::Accepted.as_str()))
        .filter(referral::Column::OpportunityId.is_null())
        .filter(referral::Column::ProjectTitle.eq(&title))
        .one(db)
        .await?;
    let viewer = ace_viewer();
    let txn = crate::db::begin_write(db).await?;
    let company = text(body, "Customer.Account.CompanyName")
        .ok_or_else(|| AppError::internal("ACE opportunity without a company name"))?;
    let customer = match crate::data::customers::by_company_name(&txn, partner_id, &company).await?
    {
        Some(c) => c,
        None => {
            let segment = match &referral {
                Some(r) => SegmentCode::parse(&r.segment_code),
                None => None,
            };
            let input = customer_input(partner_id, body, company, segment);
            crate::services::customers::create_in(&txn, &viewer, input).await?
        }
    };
    let origin = if referral.is_some() {
        Origin::AwsReferral
    } else {
        Origin::PartnerReferral
    };
    let created = crate::services::opportunities::create_in(
        &txn,
        &viewer,
        crate::services::opportunities::Source::AceImport,
        opportunity_input(body, &customer.id, &ace.id),
        origin,
    )
    .await?;
    let review = text(body, "LifeCycle.ReviewStatus").and_then(|r| ReviewStatus::parse(&r));
    if let Some(review) = review {
        entity::opportunity::Entity::update_many()
            .col_expr(
                entity::opportunity::Column::ReviewStatus,
                Expr::value(review.as_str()),
            )
            .col_expr(
                entity::opportunity::Column::ReviewComments,
                Expr::value(text(body, "LifeCycle.ReviewComments")),
            )
            .filter(entity::opportunity::Column::Id.eq(&created.id))
            .exec(&txn)
            .await?;
    }
    let mut linked = super::new_sync_row(&created.id, partner_id, status::SYNCED);
    linked.ace_opportunity_id = Set(Some(ace.id.clone()));
    linked.arn = Set(ace.arn.clone());
    linked.ace_last_modified_date = Set(ace.last_modified);
    linked.base = Set(Some(partner_view(body)));
    linked.associations = Set(body.get("RelatedEntityIdentifiers").cloned());
    linked.insert(&txn).await?;
    if let Some(r) = referral {
        let mut diff = crate::services::history::Diff::default();
        diff.field("opportunity", &None, &Some(created.id.as_str()));
        referral::Entity::update_many()
            .col_expr(
                referral::Column::OpportunityId,
                Expr::value(created.id.as_str()),
            )
            .filter(referral::Column::Id.eq(&r.id))
            .exec(&txn)
            .await?;
        diff.record(
            &txn,
            &viewer,
            partner_id,
            ("Referral", &r.id),
            ChangeAction::Updated,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

fn customer_input(
    partner_id: &str,
    body: &Value,
    company_name: String,
    segment: Option<SegmentCode>,
) -> CreateCustomer {
    let account = |p: &str| text(body, &format!("Customer.Account.{p}"));
    // cosell needs both names; a contact ACE has without them stays in Partner Central.
    let contacts: Vec<ContactData> = super::fields::contacts(body)
        .into_iter()
        .filter(|c| !c.first_name.is_empty() && !c.last_name.is_empty())
        .map(|c| ContactData {
            first_name: c.first_name,
            last_name: c.last_name,
            email: c.email,
            phone: c.phone,
            business_title: c.business_title,
        })
        .collect();
    CreateCustomer {
        partner_id: Some(partner_id.to_string()),
        company_name,
        industry: account("Industry")
            .and_then(|i| Industry::parse(&i))
            .unwrap_or(Industry::Other),
        other_industry: account("OtherIndustry"),
        website_url: account("WebsiteUrl"),
        address: account("Address.CountryCode").map(|country_code| AddressData {
            country_code,
            postal_code: account("Address.PostalCode"),
            state_or_region: account("Address.StateOrRegion"),
            city: account("Address.City"),
            street_address: account("Address.StreetAddress"),
        }),
        duns: account("Duns"),
        aws_account_id: account("AwsAccountId"),
        // ACE has neither: the referral's segment when there is one, else SMB, ENGAGED; the
        // partner corrects them in cosell.
        segment: segment.unwrap_or(SegmentCode::Smb),
        aws_adoption: AwsAdoption::Engaged,
        contacts: (!contacts.is_empty()).then_some(contacts),
        internal_notes: None,
    }
}

fn opportunity_input(body: &Value, customer_id: &str, ace_id: &str) -> CreateOpportunity {
    let related = |kind: &str| strings(body, &format!("RelatedEntityIdentifiers.{kind}"));
    CreateOpportunity {
        client_token: ace_id.to_string(),
        customer_id: customer_id.to_string(),
        partner_opportunity_identifier: text(body, "PartnerOpportunityIdentifier"),
        opportunity_type: text(body, "OpportunityType")
            .and_then(|t| OpportunityType::parse(&t))
            .unwrap_or(OpportunityType::NetNewBusiness),
        national_security: yes(body, "NationalSecurity"),
        title: text(body, "Project.Title").unwrap_or_default(),
        customer_business_problem: text(body, "Project.CustomerBusinessProblem")
            .unwrap_or_default(),
        customer_use_case: text(body, "Project.CustomerUseCase"),
        delivery_models: list(body, "Project.DeliveryModels"),
        expected_monthly_spend: monthly_spend(body),
        sales_activities: list(body, "Project.SalesActivities"),
        competitor_name: text(body, "Project.CompetitorName")
            .and_then(|c| CompetitorName::parse(&c)),
        other_competitor_names: text(body, "Project.OtherCompetitorNames"),
        primary_needs_from_aws: list(body, "PrimaryNeedsFromAws"),
        additional_comments: text(body, "Project.AdditionalComments"),
        marketing_source: text(body, "Marketing.Source").and_then(|m| MarketingSource::parse(&m)),
        campaign_name: text(body, "Marketing.CampaignName"),
        marketing_channels: list(body, "Marketing.Channels"),
        marketing_use_cases: at(body, "Marketing.UseCases")
            .map(|_| strings(body, "Marketing.UseCases")),
        aws_funding_used: yes(body, "Marketing.AwsFundingUsed"),
        stage: text(body, "LifeCycle.Stage").and_then(|s| Stage::parse(&s)),
        target_close_date: text(body, "LifeCycle.TargetCloseDate")
            .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        next_steps: text(body, "LifeCycle.NextSteps"),
        customer_consent: None,
        partner_led: None,
        net_new_for_aws: None,
        internal_notes: None,
        aws_products: Some(related("AwsProducts")).filter(|l| !l.is_empty()),
        aws_marketplace_offer_arn: related("AwsMarketplaceOffers").into_iter().next(),
    }
}
