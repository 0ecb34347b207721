//! Referral: a customer opportunity AWS shares with a partner (ACE engagement invitation).
use crate::data;
use crate::domain::enums::*;
use crate::error::AppError;
use crate::graphql::connection::connection;
use crate::graphql::ctx;
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::types::customer::Address;
use crate::graphql::types::opportunity::Money;
use crate::graphql::types::{Contact, Opportunity, Partner};
use crate::services::referrals;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{contact, referral};

#[derive(Clone)]
pub struct Referral(pub referral::Model);

connection!(ReferralConnection, ReferralEdge, Referral);

/// The customer as AWS shares it before the partner accepts.
#[derive(SimpleObject)]
pub struct ReferralCustomer {
    /// The company's name.
    pub company_name: String,
    /// The company's industry.
    pub industry: Industry,
    /// The company's website.
    pub website_url: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
}

impl Referral {
    fn status_now(&self) -> Result<ReferralStatus, AppError> {
        data::referrals::status_of(&self.0, crate::domain::now())
    }

    /// Address and contacts are the customer's to share once the partner has accepted; AWS
    /// (which sent them) and ADMIN always see them.
    fn reveals_customer(&self, ctx: &Context<'_>) -> Result<bool, AppError> {
        Ok(!ctx::viewer(ctx)?.is_partner_side() || self.status_now()? == ReferralStatus::Accepted)
    }
}

/// An opportunity AWS refers to a partner (an engagement invitation in ACE): accepted, it becomes an AWS_REFERRAL opportunity.
#[Object]
impl Referral {
    /// The referral's id (`rfl_…`).
    pub async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The receiving partner.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Partner> {
        let found = ctx::load(&ctx::loaders(ctx)?.partner, &self.0.partner_id).await?;
        Ok(Partner(found.ok_or_else(|| {
            AppError::internal("referral without partner")
        })?))
    }
    /// PENDING turns EXPIRED once `expiresAt` has passed.
    async fn status(&self) -> Result<ReferralStatus> {
        Ok(self.status_now()?)
    }
    /// Who at AWS sent it.
    async fn sender_name(&self) -> &str {
        &self.0.sender_name
    }
    /// AWS's note to the partner.
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// The referred customer (address and contacts in full once accepted).
    async fn customer(&self) -> Result<ReferralCustomer> {
        Ok(ReferralCustomer {
            company_name: self.0.company_name.clone(),
            industry: decode(&self.0.industry)?,
            website_url: self.0.website_url.clone(),
            country_code: self.0.country_code.clone(),
        })
    }
    /// The customer's segment.
    async fn segment(&self) -> Result<SegmentCode> {
        Ok(decode(&self.0.segment_code)?)
    }
    /// Whether the customer uses AWS already.
    async fn aws_adoption(&self) -> Result<AwsAdoption> {
        Ok(decode(&self.0.aws_adoption)?)
    }
    /// Withheld (null) from the partner until it accepts.
    async fn customer_address(&self, ctx: &Context<'_>) -> Result<Option<Address>> {
        let r = &self.0;
        let given = r.postal_code.is_some()
            || r.state_or_region.is_some()
            || r.city.is_some()
            || r.street_address.is_some();
        Ok((given && self.reveals_customer(ctx)?).then(|| Address {
            country_code: r.country_code.clone(),
            postal_code: r.postal_code.clone(),
            state_or_region: r.state_or_region.clone(),
            city: r.city.clone(),
            street_address: r.street_address.clone(),
        }))
    }
    /// Withheld (empty) from the partner until it accepts; accepting makes them the customer's
    /// contacts under the same ids.
    async fn customer_contacts(&self, ctx: &Context<'_>) -> Result<Vec<Contact>> {
        if !self.reveals_customer(ctx)? {
            return Ok(Vec::new());
        }
        Ok(referrals::contacts_of(&self.0)?
            .into_iter()
            .map(|c| {
                Contact(contact::Model {
                    id: c.id,
                    customer_id: String::new(),
                    first_name: c.fields.first_name,
                    last_name: c.fields.last_name,
                    email: c.fields.email,
                    phone: c.fields.phone,
                    business_title: c.fields.business_title,
                    created_at: self.0.created_at,
                })
            })
            .collect())
    }
    /// The project's title.
    async fn project_title(&self) -> &str {
        &self.0.project_title
    }
    /// The customer's problem (20 to 2,000 characters).
    async fn business_problem(&self) -> &str {
        &self.0.business_problem
    }
    /// When the customer wants it done.
    async fn target_completion_date(&self) -> Date {
        Date(self.0.target_completion_date)
    }
    /// Expected monthly AWS spend.
    async fn expected_monthly_spend(&self) -> Result<Option<Money>> {
        Ok(Money::stored(
            self.0.expected_monthly_spend_cents,
            self.0.expected_monthly_spend_currency.as_deref(),
        )?)
    }
    /// After this, a PENDING referral is EXPIRED.
    async fn expires_at(&self) -> DateTime {
        DateTime(self.0.expires_at)
    }
    /// Why the partner rejected it.
    async fn rejection_reason(&self) -> Option<&str> {
        self.0.rejection_reason.as_deref()
    }
    /// The opportunity the referral became once accepted, when the caller may see it (AWS-side
    /// viewers see it once the partner submits it).
    async fn opportunity(&self, ctx: &Context<'_>) -> Result<Option<Opportunity>> {
        let Some(id) = &self.0.opportunity_id else {
            return Ok(None);
        };
        let found = ctx::load(&ctx::loaders(ctx)?.visible_opportunity, id).await?;
        Ok(found.map(Opportunity))
    }
    /// The ACE engagement invitation it came from, if any.
    async fn ace_invitation_id(&self) -> Option<&str> {
        self.0.ace_invitation_id.as_deref()
    }
    /// For referrals from ACE: where the partner's acceptance or rejection stands in ACE
    /// (SYNCED until answered; PENDING while ACE works on it; FAILED with ACE's reason).
    async fn ace_sync(&self, ctx: &Context<'_>) -> Result<Option<super::ace::AceSync>> {
        if self.0.ace_invitation_id.is_none() {
            return Ok(None);
        }
        Ok(ctx::load(&ctx::loaders(ctx)?.ace_sync, &self.0.id)
            .await?
            .as_ref()
            .map(super::ace::AceSync::from))
    }
    /// When it was sent.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}
