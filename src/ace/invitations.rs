//! ACE's engagement invitations (AWS referrals offered to the partner): listing them, reading
//! one, accepting through the asynchronous accept task, and rejecting.
use super::client::AceClient;
use super::errors::AceError;
use super::wire::{self, object};
use aws_sdk_partnercentralselling::types as t;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// One invitation as ListEngagementInvitations gives it.
#[derive(Clone, Debug)]
pub struct InvitationSummary {
    pub id: String,
    /// ACE's InvitationStatus: PENDING, ACCEPTED, REJECTED, EXPIRED.
    pub status: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// One invitation read whole. `payload` is the OpportunityInvitation in ACE's JSON (Customer,
/// Project, SenderContacts); ACE withholds the customer's contacts and address until accepted.
#[derive(Clone, Debug)]
pub struct AceInvitation {
    pub id: String,
    pub status: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub sender_company_name: Option<String>,
    pub message: Option<String>,
    pub rejection_reason: Option<String>,
    pub payload: Option<Value>,
}

/// Where a StartEngagementByAcceptingInvitationTask stands.
#[derive(Clone, Debug)]
pub struct AcceptTask {
    pub id: String,
    /// IN_PROGRESS, COMPLETE or FAILED.
    pub status: String,
    pub opportunity_id: Option<String>,
    pub message: Option<String>,
    pub reason_code: Option<String>,
}

/// The start's answer and a listed task are two SDK types with the same members.
macro_rules! task_of {
    ($t:expr) => {
        AcceptTask {
            id: $t.task_id().unwrap_or_default().to_string(),
            status: $t
                .task_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            opportunity_id: $t.opportunity_id().map(str::to_string),
            message: $t.message().map(str::to_string),
            reason_code: $t.reason_code().map(|r| r.as_str().to_string()),
        }
    };
}

fn opportunity_payload(p: &t::OpportunityInvitationPayload) -> Value {
    let customer = p.customer().map(|c| {
        json!({
            "Industry": c.industry().as_str(),
            "CompanyName": c.company_name(),
            "WebsiteUrl": c.website_url(),
            "CountryCode": c.country_code().as_str(),
        })
    });
    let project = p.project().map(|p| {
        object(vec![
            ("Title", json!(p.title())),
            ("BusinessProblem", json!(p.business_problem())),
            ("TargetCompletionDate", json!(p.target_completion_date())),
            (
                "ExpectedCustomerSpend",
                wire::spend_json(p.expected_customer_spend()),
            ),
        ])
    });
    object(vec![
        ("Customer", customer.unwrap_or(Value::Null)),
        ("Project", project.unwrap_or(Value::Null)),
    ])
}

impl AceClient {
    /// Every invitation the partner received with an opportunity (not leads), newest first.
    pub async fn invitations(&self) -> Result<Vec<InvitationSummary>, AceError> {
        self.every_page(|next| async move {
            let page = self
                .inner
                .list_engagement_invitations()
                .catalog(self.catalog)
                .participant_type(t::ParticipantType::Receiver)
                .payload_type(t::EngagementInvitationPayloadType::OpportunityInvitation)
                .max_results(100)
                .set_next_token(next)
                .send()
                .await?;
            let items = page
                .engagement_invitation_summaries()
                .iter()
                .map(|s| InvitationSummary {
                    id: s.id().to_string(),
                    status: s
                        .status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    expires_at: s.expiration_date().and_then(wire::date_time),
                })
                .collect();
            Ok((items, page.next_token().map(str::to_string)))
        })
        .await
    }

    pub async fn invitation(&self, id: &str) -> Result<AceInvitation, AceError> {
        self.read().await;
        let out = self
            .inner
            .get_engagement_invitation()
            .catalog(self.catalog)
            .identifier(id)
            .send()
            .await?;
        Ok(AceInvitation {
            id: out.id().to_string(),
            status: out
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            expires_at: out.expiration_date().and_then(wire::date_time),
            sender_company_name: out.sender_company_name().map(str::to_string),
            message: out.invitation_message().map(str::to_string),
            rejection_reason: out.rejection_reason().map(str::to_string),
            payload: match out.payload() {
                Some(t::Payload::OpportunityInvitation(p)) => Some(opportunity_payload(p)),
                _ => None,
            },
        })
    }

    /// Starts accepting: ACE accepts the invitation and creates the partner's opportunity from
    /// AWS's. The client token makes a repeated start return the same task.
    pub async fn accept_invitation(
        &self,
        client_token: &str,
        id: &str,
    ) -> Result<AcceptTask, AceError> {
        self.write().await;
        let out = self
            .inner
            .start_engagement_by_accepting_invitation_task()
            .catalog(self.catalog)
            .client_token(client_token)
            .identifier(id)
            .send()
            .await?;
        Ok(task_of!(out))
    }

    /// The accept task now, if ACE knows it.
    pub async fn accept_task(&self, task_id: &str) -> Result<Option<AcceptTask>, AceError> {
        self.read().await;
        let out = self
            .inner
            .list_engagement_by_accepting_invitation_tasks()
            .catalog(self.catalog)
            .task_identifier(task_id)
            .max_results(1)
            .send()
            .await?;
        Ok(out.task_summaries().first().map(|s| task_of!(s)))
    }

    pub async fn reject_invitation(&self, id: &str, reason: &str) -> Result<(), AceError> {
        self.write().await;
        self.inner
            .reject_engagement_invitation()
            .catalog(self.catalog)
            .identifier(id)
            .rejection_reason(reason)
            .send()
            .await?;
        Ok(())
    }
}
