//! Customers and opportunities built through the API as ADMIN, in the states tests need.
use crate::helpers::TestApp;
use serde_json::{Value, json};

pub const OPPORTUNITY_FIELDS: &str = "id version stage reviewStatus title nextSteps";

/// A customer input that satisfies everything ACE asks at submission.
pub fn customer_input(partner_id: &str, company: &str) -> Value {
    json!({
        "partnerId": partner_id,
        "companyName": company,
        "industry": "FINANCIAL_SERVICES",
        "websiteUrl": "https://customer.example",
        "address": { "countryCode": "US", "postalCode": "10001", "stateOrRegion": "New York", "city": "New York", "streetAddress": "1 Main St" },
        "segment": "ENTERPRISE",
        "awsAdoption": "ENGAGED",
        "contacts": [{ "firstName": "Maria", "lastName": "Gomez", "email": "maria@customer.example", "phone": "+12125550100", "businessTitle": "CIO" }],
        "internalNotes": "Partner-only: budget approved in Q3."
    })
}

/// An opportunity input that passes every readiness check once a solution is associated.
pub fn opportunity_input(customer_id: &str, title: &str, token: &str) -> Value {
    json!({
        "clientToken": token,
        "customerId": customer_id,
        "opportunityType": "NET_NEW_BUSINESS",
        "title": title,
        "customerBusinessProblem": "Core banking batch jobs run on an ageing mainframe that costs too much.",
        "customerUseCase": "Migration/Database Migration",
        "deliveryModels": ["PROFESSIONAL_SERVICES"],
        "expectedMonthlySpend": { "amount": "12500.00", "currencyCode": "USD" },
        "salesActivities": ["INITIALIZED_DISCUSSIONS_WITH_CUSTOMER", "CONDUCTED_POC_DEMO"],
        "primaryNeedsFromAws": ["TECHNICAL_CONSULTATION"],
        "stage": "QUALIFIED",
        "targetCloseDate": (chrono::Utc::now().date_naive() + chrono::Duration::days(90)).to_string(),
        "nextSteps": "Architecture workshop with the customer's platform team.",
        "customerConsent": true,
        "partnerLed": true,
        "netNewForAws": true,
        "internalNotes": "Partner-only: 30% margin."
    })
}

pub struct Ready {
    pub customer: String,
    pub solution: String,
    pub opportunity: String,
}

impl TestApp {
    pub async fn create_customer(&self, partner_id: &str, company: &str) -> String {
        let r = self
            .gql(
                &self.admin(),
                "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
                json!({ "input": customer_input(partner_id, company) }),
            )
            .await;
        r.data()["createCustomer"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn create_opportunity(&self, customer_id: &str, title: &str) -> String {
        let token = format!("token-{}", uuid::Uuid::new_v4());
        let r = self
            .gql(
                &self.admin(),
                "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id } }",
                json!({ "input": opportunity_input(customer_id, title, &token) }),
            )
            .await;
        r.data()["createOpportunity"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn associate(&self, opportunity_id: &str, solution_id: &str) -> Value {
        self.gql(
            &self.admin(),
            "mutation($o: ID!, $s: ID!) { associateSolution(opportunityId: $o, solutionId: $s) { id version } }",
            json!({ "o": opportunity_id, "s": solution_id }),
        )
        .await
        .data()["associateSolution"]
            .clone()
    }

    /// A partner-owned opportunity ready to submit: customer, active solution, all fields.
    pub async fn ready_opportunity(&self, partner_id: &str, title: &str) -> Ready {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let customer = self
            .create_customer(partner_id, &format!("Contoso {}", &tag[..8]))
            .await;
        let solution = self
            .create_solution(
                partner_id,
                &format!("Migration Factory {}", &tag[..8]),
                "ACTIVE",
            )
            .await;
        let opportunity = self.create_opportunity(&customer, title).await;
        self.associate(&opportunity, &solution).await;
        Ready {
            customer,
            solution,
            opportunity,
        }
    }

    /// A ready opportunity submitted to AWS, so AWS-side viewers in scope can see it.
    pub async fn shared_opportunity(&self, partner_id: &str, title: &str) -> Ready {
        let ready = self.ready_opportunity(partner_id, title).await;
        self.bring_to(&ready.opportunity, "SUBMITTED").await;
        ready
    }

    /// The opportunity as ADMIN sees it.
    pub async fn opportunity(&self, id: &str) -> Value {
        self.gql(
            &self.admin(),
            &format!("query($id: ID!) {{ opportunity(id: $id) {{ {OPPORTUNITY_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await
        .data()["opportunity"]
            .clone()
    }

    pub async fn version_of(&self, id: &str) -> i64 {
        self.opportunity(id).await["version"].as_i64().unwrap()
    }

    pub async fn submit(&self, id: &str) -> crate::helpers::Gql {
        let version = self.version_of(id).await;
        self.gql(
            &self.admin(),
            &format!("mutation($id: ID!, $v: Int!) {{ submitOpportunity(id: $id, expectedVersion: $v, involvementType: CO_SELL) {{ {OPPORTUNITY_FIELDS} }} }}"),
            json!({ "id": id, "v": version }),
        )
        .await
    }

    pub async fn review(&self, id: &str, decision: &str) -> crate::helpers::Gql {
        self.gql(
            &self.admin(),
            &format!("mutation($id: ID!, $d: ReviewDecision!) {{ reviewOpportunity(id: $id, decision: $d, comments: \"Reviewed by the partner manager.\", reason: \"Test\") {{ {OPPORTUNITY_FIELDS} }} }}"),
            json!({ "id": id, "d": decision }),
        )
        .await
    }

    /// Walks a ready opportunity to a review status through the API.
    pub async fn bring_to(&self, id: &str, status: &str) {
        let steps: &[&str] = match status {
            "PENDING_SUBMISSION" => &[],
            "SUBMITTED" => &["submit"],
            "IN_REVIEW" => &["submit", "START_REVIEW"],
            "APPROVED" => &["submit", "START_REVIEW", "APPROVE"],
            "REJECTED" => &["submit", "START_REVIEW", "REJECT"],
            "ACTION_REQUIRED" => &["submit", "START_REVIEW", "REQUEST_ACTION"],
            other => panic!("no path to {other}"),
        };
        for step in steps {
            let r = if *step == "submit" {
                self.submit(id).await
            } else {
                self.review(id, step).await
            };
            assert!(r.body["errors"].is_null(), "{step}: {}", r.body);
        }
        assert_eq!(self.opportunity(id).await["reviewStatus"], json!(status));
    }

    /// Runs an opportunity mutation as `token`, filling in the current version.
    pub async fn update_opportunity(
        &self,
        token: &str,
        id: &str,
        input: Value,
    ) -> crate::helpers::Gql {
        let version = self.version_of(id).await;
        self.gql(
            token,
            &format!("mutation($id: ID!, $v: Int!, $input: UpdateOpportunityInput!) {{ updateOpportunity(id: $id, expectedVersion: $v, input: $input) {{ {OPPORTUNITY_FIELDS} }} }}"),
            json!({ "id": id, "v": version, "input": input }),
        )
        .await
    }
}

impl TestApp {
    /// Resubmits an ACTION_REQUIRED opportunity and approves it.
    pub async fn bring_to_from_action_required(&self, id: &str) {
        for step in ["submit", "START_REVIEW", "APPROVE"] {
            let r = if step == "submit" {
                self.submit(id).await
            } else {
                self.review(id, step).await
            };
            assert!(r.body["errors"].is_null(), "{step}: {}", r.body);
        }
    }
}

/// A createAsk input with the details `kind` needs.
pub fn ask_input(opportunity_id: &str, kind: &str) -> Value {
    let mut input = json!({
        "opportunityId": opportunity_id,
        "kind": kind,
        "title": format!("{kind} for the migration"),
        "details": "The customer wants to start the migration wave in the next quarter.",
        "customerOutcome": "Cut the customer's batch costs by 40% within a year.",
        "priority": "HIGH",
        "dueDate": (chrono::Utc::now().date_naive() + chrono::Duration::days(14)).to_string(),
    });
    let details = match kind {
        "FUNDING" => {
            json!({ "funding": { "program": "MIGRATION_ACCELERATION_PROGRAM", "fundingType": "CREDITS", "amount": { "amount": "25000.00", "currencyCode": "USD" } } })
        }
        "MARKETPLACE_PROCUREMENT" => {
            json!({ "marketplace": { "listingUrl": "https://aws.amazon.com/marketplace/pp/prodview-demo", "notes": "Private offer" } })
        }
        "SOLUTION_ARCHITECTURE" => {
            json!({ "architecture": { "workload": "Core banking batch", "requirements": "Multi-AZ" } })
        }
        "STAKEHOLDER_ALIGNMENT" => {
            json!({ "stakeholders": ["Customer CIO", "AWS account manager"] })
        }
        other => panic!("unknown ask kind {other}"),
    };
    for (k, v) in details.as_object().unwrap() {
        input[k] = v.clone();
    }
    input
}

/// A sendReferral input for a customer in the ENTERPRISE segment.
pub fn referral_input(partner_id: &str, company: &str) -> Value {
    json!({
        "partnerId": partner_id,
        "message": "A bank in your region is moving its core systems to AWS.",
        "customer": { "companyName": company, "industry": "FINANCIAL_SERVICES", "websiteUrl": "https://bank.example", "countryCode": "US" },
        "segment": "ENTERPRISE",
        "awsAdoption": "ENGAGED",
        "customerAddress": { "countryCode": "US", "postalCode": "98101", "stateOrRegion": "Washington", "city": "Seattle", "streetAddress": "410 Terry Ave N" },
        "customerContacts": [{ "firstName": "Jordan", "lastName": "Lee", "email": "jordan.lee@bank.example", "businessTitle": "CTO" }],
        "projectTitle": "Core banking modernisation",
        "businessProblem": "The bank's core platform cannot scale for its new digital products.",
        "targetCompletionDate": (chrono::Utc::now().date_naive() + chrono::Duration::days(120)).to_string(),
        "expectedMonthlySpend": { "amount": "40000.00", "currencyCode": "USD" }
    })
}

pub const ASK_FIELDS: &str = "id version status assignee response overdue resolvedAt";

impl TestApp {
    /// Creates an ask as `token`; panics unless it succeeds.
    pub async fn create_ask(&self, token: &str, opportunity_id: &str, kind: &str) -> String {
        let r = self
            .gql(
                token,
                "mutation($input: CreateAskInput!) { createAsk(input: $input) { id } }",
                json!({ "input": ask_input(opportunity_id, kind) }),
            )
            .await;
        assert!(r.body["errors"].is_null(), "createAsk: {}", r.body);
        r.data()["createAsk"]["id"].as_str().unwrap().to_string()
    }

    pub async fn transition_ask(
        &self,
        token: &str,
        id: &str,
        to: &str,
        response: Option<&str>,
    ) -> crate::helpers::Gql {
        self.gql(
            token,
            &format!("mutation($id: ID!, $to: AskStatus!, $r: String) {{ transitionAsk(id: $id, to: $to, response: $r) {{ {ASK_FIELDS} }} }}"),
            json!({ "id": id, "to": to, "r": response }),
        )
        .await
    }

    /// Walks an OPEN ask to `status` as ADMIN, through the API.
    pub async fn bring_ask_to(&self, id: &str, status: &str) {
        let steps: &[&str] = match status {
            "OPEN" => &[],
            "ACKNOWLEDGED" => &["ACKNOWLEDGED"],
            "IN_PROGRESS" => &["ACKNOWLEDGED", "IN_PROGRESS"],
            "FULFILLED" => &["ACKNOWLEDGED", "IN_PROGRESS", "FULFILLED"],
            "DECLINED" => &["ACKNOWLEDGED", "IN_PROGRESS", "DECLINED"],
            "WITHDRAWN" => &["WITHDRAWN"],
            other => panic!("no path to {other}"),
        };
        for step in steps {
            let response = matches!(*step, "FULFILLED" | "DECLINED").then_some("Done by AWS.");
            let r = self.transition_ask(&self.admin(), id, step, response).await;
            assert!(r.body["errors"].is_null(), "{step}: {}", r.body);
        }
    }

    /// Sends a referral as `token`; panics unless it succeeds.
    pub async fn send_referral(&self, token: &str, partner_id: &str, company: &str) -> String {
        let r = self
            .gql(
                token,
                "mutation($input: SendReferralInput!) { sendReferral(input: $input) { id } }",
                json!({ "input": referral_input(partner_id, company) }),
            )
            .await;
        assert!(r.body["errors"].is_null(), "sendReferral: {}", r.body);
        r.data()["sendReferral"]["id"].as_str().unwrap().to_string()
    }
}

impl TestApp {
    /// Registers a webhook of `partner_id` for `topics` as `token`; returns its id and its
    /// secret.
    pub async fn create_webhook(
        &self,
        token: &str,
        partner_id: &str,
        url: &str,
        topics: &[&str],
    ) -> (String, String) {
        let r = self
            .gql(
                token,
                "mutation($p: ID!, $input: WebhookInput!) { createWebhook(partnerId: $p, input: $input) { secret webhook { id } } }",
                json!({ "p": partner_id, "input": { "url": url, "topics": topics } }),
            )
            .await;
        let created = &r.data()["createWebhook"];
        let secret = created["secret"].as_str().unwrap().to_string();
        assert!(secret.starts_with("whsec_"), "{secret}");
        (
            created["webhook"]["id"].as_str().unwrap().to_string(),
            secret,
        )
    }
}
