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
