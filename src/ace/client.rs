//! Calls to ACE through the official SDK, one client per connected partner, paced under the
//! partner account's quotas (docs/ace-model.md §5.7).
use super::errors::AceError;
use super::pace::Pacer;
use super::wire::{self, OpportunityParts};
use super::{AceSettings, Catalog};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_sdk_partnercentralselling::Client;
use aws_sdk_partnercentralselling::types as t;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Who a partner's calls go out as: a role assumed with the partner's external id, or the
/// server's own credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub partner_id: String,
    pub catalog: Catalog,
    pub role_arn: Option<String>,
    pub external_id: String,
}

/// The SDK clients of connected partners, built once each (building loads the credential
/// chain; the assumed role's credentials are cached and refreshed by the SDK).
pub struct AceClients {
    settings: AceSettings,
    http: aws_smithy_runtime_api::client::http::SharedHttpClient,
    clients: Mutex<HashMap<String, (Connection, Client)>>,
    pacer: Arc<Pacer>,
    /// This process's name: the holder of its partner leases, and the app name in its calls'
    /// user agent (so ACE's logs tell instances apart).
    instance: String,
}

impl AceClients {
    pub fn new(settings: AceSettings) -> AceClients {
        use aws_smithy_http_client::tls;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let pacer = Arc::new(Pacer::new(
            settings.writes_per_second,
            settings.reads_per_second,
        ));
        AceClients {
            settings,
            http,
            clients: Mutex::new(HashMap::new()),
            pacer,
            instance: format!("cosell-{}", uuid::Uuid::new_v4().simple()),
        }
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    pub fn settings(&self) -> &AceSettings {
        &self.settings
    }

    pub async fn client(&self, connection: &Connection) -> AceClient {
        let cached = self.clients.lock().ok().and_then(|clients| {
            clients
                .get(&connection.partner_id)
                .filter(|(c, _)| c == connection)
                .map(|(_, client)| client.clone())
        });
        let inner = match cached {
            Some(client) => client,
            None => {
                let client = self.build(connection).await;
                if let Ok(mut clients) = self.clients.lock() {
                    clients.insert(
                        connection.partner_id.clone(),
                        (connection.clone(), client.clone()),
                    );
                }
                client
            }
        };
        AceClient {
            inner,
            catalog: connection.catalog.ace_str(),
            partner_id: connection.partner_id.clone(),
            pacer: self.pacer.clone(),
        }
    }

    async fn build(&self, connection: &Connection) -> Client {
        let s = &self.settings;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new(s.region.clone()))
            .http_client(self.http.clone())
            // cosell paces and retries itself (the outbox), so the SDK makes one attempt.
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            );
        // The instance name is `cosell-` and hex digits, which AppName always takes.
        if let Ok(name) = aws_config::AppName::new(self.instance.clone()) {
            loader = loader.app_name(name);
        }
        if let Some((key, secret)) = &s.static_credentials {
            loader = loader.credentials_provider(Credentials::new(
                key.clone(),
                secret.clone(),
                None,
                None,
                "cosell-static",
            ));
        }
        if let Some(sts) = &s.sts_endpoint {
            loader = loader.endpoint_url(sts.clone());
        }
        let base = loader.load().await;
        let mut config = aws_sdk_partnercentralselling::config::Builder::from(&base);
        if let Some(role_arn) = &connection.role_arn {
            let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn.clone())
                .external_id(connection.external_id.clone())
                .session_name(format!("cosell-{}", connection.partner_id))
                .configure(&base)
                .build()
                .await;
            config = config.credentials_provider(provider);
        }
        // The base config may carry the STS override; ACE uses its own endpoint (or the
        // configured one).
        config.set_endpoint_url(s.endpoint.clone());
        Client::from_conf(config.build())
    }
}

/// A partner's client: each call waits for the partner's quota first.
#[derive(Clone)]
pub struct AceClient {
    pub(super) inner: Client,
    pub(super) catalog: &'static str,
    partner_id: String,
    pacer: Arc<Pacer>,
}

/// What CreateOpportunity and UpdateOpportunity answer.
#[derive(Clone, Debug)]
pub struct Written {
    pub id: String,
    pub last_modified: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Clone, Debug)]
pub struct AceSolution {
    pub id: String,
    pub name: String,
    pub category: String,
    pub status: String,
    pub marketplace_arn: Option<String>,
}

#[derive(Clone, Debug)]
pub struct AceOpportunity {
    pub id: String,
    pub arn: Option<String>,
    pub last_modified: Option<chrono::DateTime<chrono::Utc>>,
    /// The whole opportunity in ACE's JSON (`wire::opportunity_json`).
    pub body: Value,
}

/// ACE's relation kinds cosell associates (`RelatedEntityType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    Solutions,
    AwsProducts,
    AwsMarketplaceOffers,
}

impl Relation {
    pub const ALL: [Relation; 3] = [
        Relation::Solutions,
        Relation::AwsProducts,
        Relation::AwsMarketplaceOffers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Solutions => "Solutions",
            Relation::AwsProducts => "AwsProducts",
            Relation::AwsMarketplaceOffers => "AwsMarketplaceOffers",
        }
    }
}

fn invalid_body(member: String) -> AceError {
    AceError::Validation {
        message: format!("{member} is required"),
        errors: vec![super::errors::AceFieldError {
            ace_field: Some(member),
            code: "REQUIRED_FIELD_MISSING".into(),
            message: "required".into(),
        }],
    }
}

impl AceClient {
    pub fn catalog(&self) -> &'static str {
        self.catalog
    }

    pub(super) async fn read(&self) {
        self.pacer.read(&self.partner_id).await;
    }

    pub(super) async fn write(&self) {
        self.pacer.write(&self.partner_id).await;
    }

    /// The cheapest call that proves the connection: one solution.
    pub async fn check(&self) -> Result<(), AceError> {
        self.read().await;
        self.inner
            .list_solutions()
            .catalog(self.catalog)
            .max_results(1)
            .send()
            .await?;
        Ok(())
    }

    /// Reads every page of a list: `page` takes the next token and answers the page's
    /// items and the token after it. Each page counts against the read quota.
    pub(super) async fn every_page<T, F, Fut>(&self, mut page: F) -> Result<Vec<T>, AceError>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), AceError>>,
    {
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        loop {
            self.read().await;
            let (items, token) = page(next.take()).await?;
            out.extend(items);
            match token {
                Some(token) if !token.is_empty() => next = Some(token),
                _ => return Ok(out),
            }
        }
    }

    /// Every page of ListSolutions.
    pub async fn solutions(&self) -> Result<Vec<AceSolution>, AceError> {
        self.every_page(|next| async move {
            let page = self
                .inner
                .list_solutions()
                .catalog(self.catalog)
                .max_results(100)
                .set_next_token(next)
                .send()
                .await?;
            let items = page
                .solution_summaries()
                .iter()
                .map(|s| AceSolution {
                    id: s.id().to_string(),
                    name: s.name().to_string(),
                    category: s.category().to_string(),
                    status: s.status().as_str().to_string(),
                    marketplace_arn: s.aws_marketplace_solution_arn().map(str::to_string),
                })
                .collect();
            Ok((items, page.next_token().map(str::to_string)))
        })
        .await
    }

    pub async fn create_opportunity(
        &self,
        client_token: &str,
        body: &Value,
    ) -> Result<Written, AceError> {
        let p: OpportunityParts = wire::opportunity_parts(body).map_err(invalid_body)?;
        self.write().await;
        let out = self
            .inner
            .create_opportunity()
            .catalog(self.catalog)
            .client_token(client_token)
            .origin(t::OpportunityOrigin::PartnerReferral)
            .set_partner_opportunity_identifier(p.partner_opportunity_identifier)
            .set_opportunity_type(p.opportunity_type)
            .set_national_security(p.national_security)
            .set_primary_needs_from_aws(p.primary_needs)
            .set_customer(p.customer)
            .set_project(p.project)
            .set_life_cycle(p.life_cycle)
            .set_marketing(p.marketing)
            .send()
            .await?;
        Ok(Written {
            id: out.id().to_string(),
            last_modified: out.last_modified_date().and_then(wire::date_time),
        })
    }

    /// UpdateOpportunity: a full replacement, accepted only if ACE's LastModifiedDate is still
    /// `last_modified`.
    pub async fn update_opportunity(
        &self,
        id: &str,
        last_modified: chrono::DateTime<chrono::Utc>,
        body: &Value,
    ) -> Result<Written, AceError> {
        let p = wire::opportunity_parts(body).map_err(invalid_body)?;
        self.write().await;
        let out = self
            .inner
            .update_opportunity()
            .catalog(self.catalog)
            .identifier(id)
            .last_modified_date(wire::smithy_time(last_modified))
            .set_partner_opportunity_identifier(p.partner_opportunity_identifier)
            .set_opportunity_type(p.opportunity_type)
            .set_national_security(p.national_security)
            .set_primary_needs_from_aws(p.primary_needs)
            .set_customer(p.customer)
            .set_project(p.project)
            .set_life_cycle(p.life_cycle)
            .set_marketing(p.marketing)
            .send()
            .await?;
        Ok(Written {
            id: out.id().to_string(),
            last_modified: wire::date_time(out.last_modified_date()),
        })
    }

    pub async fn associate(
        &self,
        id: &str,
        relation: Relation,
        target: &str,
    ) -> Result<(), AceError> {
        self.write().await;
        self.inner
            .associate_opportunity()
            .catalog(self.catalog)
            .opportunity_identifier(id)
            .related_entity_type(t::RelatedEntityType::from(relation.as_str()))
            .related_entity_identifier(target)
            .send()
            .await?;
        Ok(())
    }

    pub async fn disassociate(
        &self,
        id: &str,
        relation: Relation,
        target: &str,
    ) -> Result<(), AceError> {
        self.write().await;
        self.inner
            .disassociate_opportunity()
            .catalog(self.catalog)
            .opportunity_identifier(id)
            .related_entity_type(t::RelatedEntityType::from(relation.as_str()))
            .related_entity_identifier(target)
            .send()
            .await?;
        Ok(())
    }

    pub async fn submit(&self, id: &str, involvement: &str) -> Result<(), AceError> {
        self.write().await;
        self.inner
            .submit_opportunity()
            .catalog(self.catalog)
            .identifier(id)
            .involvement_type(t::SalesInvolvementType::from(involvement))
            .visibility(t::Visibility::Full)
            .send()
            .await?;
        Ok(())
    }

    pub async fn opportunity(&self, id: &str) -> Result<AceOpportunity, AceError> {
        self.read().await;
        let out = self
            .inner
            .get_opportunity()
            .catalog(self.catalog)
            .identifier(id)
            .send()
            .await?;
        Ok(AceOpportunity {
            id: out.id().to_string(),
            arn: out.arn().map(str::to_string),
            last_modified: wire::date_time(out.last_modified_date()),
            body: wire::opportunity_json(&out),
        })
    }

    /// Ids of opportunities changed after `after` (every page, oldest change first).
    pub async fn changed_since(
        &self,
        after: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Vec<(String, Option<chrono::DateTime<chrono::Utc>>)>, AceError> {
        let sort = t::OpportunitySort::builder()
            .sort_by(t::OpportunitySortName::LastModifieddate)
            .sort_order(t::SortOrder::Ascending)
            .build()
            .map_err(|e| AceError::Other(e.to_string()))?;
        self.every_page(|next| {
            let sort = sort.clone();
            async move {
                let mut request = self
                    .inner
                    .list_opportunities()
                    .catalog(self.catalog)
                    .max_results(100)
                    .sort(sort)
                    .set_next_token(next);
                if let Some(after) = after {
                    request = request.last_modified_date(
                        t::LastModifiedDate::builder()
                            .after_last_modified_date(wire::smithy_time(after))
                            .build(),
                    );
                }
                let page = request.send().await?;
                let items = page
                    .opportunity_summaries()
                    .iter()
                    .filter_map(|s| {
                        s.id().map(|id| {
                            (
                                id.to_string(),
                                s.last_modified_date().and_then(wire::date_time),
                            )
                        })
                    })
                    .collect();
                Ok((items, page.next_token().map(str::to_string)))
            }
        })
        .await
    }

    /// AWS's side of a shared opportunity, in ACE's JSON: stage, involvement, next steps, team.
    pub async fn aws_summary(&self, id: &str) -> Result<Value, AceError> {
        self.read().await;
        let out = self
            .inner
            .get_aws_opportunity_summary()
            .catalog(self.catalog)
            .related_opportunity_identifier(id)
            .send()
            .await?;
        let life_cycle = out.life_cycle();
        let team: Vec<Value> = out
            .opportunity_team()
            .iter()
            .map(|m| {
                wire::object(vec![
                    ("FirstName", serde_json::json!(m.first_name())),
                    ("LastName", serde_json::json!(m.last_name())),
                    ("Email", serde_json::json!(m.email())),
                    (
                        "BusinessTitle",
                        serde_json::json!(m.business_title().map(|b| b.as_str())),
                    ),
                ])
            })
            .collect();
        Ok(wire::object(vec![
            (
                "Stage",
                serde_json::json!(life_cycle.and_then(|l| l.stage()).map(|s| s.as_str())),
            ),
            (
                "NextSteps",
                serde_json::json!(life_cycle.and_then(|l| l.next_steps())),
            ),
            (
                "InvolvementType",
                serde_json::json!(out.involvement_type().map(|i| i.as_str())),
            ),
            (
                "Visibility",
                serde_json::json!(out.visibility().map(|v| v.as_str())),
            ),
            ("OpportunityTeam", serde_json::json!(team)),
        ]))
    }
}
