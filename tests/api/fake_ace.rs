//! A fake AWS Partner Central selling API (ACE) and STS, on a loopback port, speaking their
//! real wire protocols: awsJson1_0 (`POST /`, `X-Amz-Target: AWSPartnerCentralSelling.<Op>`,
//! errors as `__type`) and STS's query protocol with XML answers. cosell's SDK client is pointed
//! at it with `COSELL_ACE_ENDPOINT` and `AWS_ENDPOINT_URL_STS`.
//!
//! It refuses what ACE refuses (docs/ace-model.md): unknown operations, unsigned requests,
//! missing required members, values outside ACE's enums, a reused client token with another
//! body, a stale `LastModifiedDate`, changes ACE does not allow in the review state, submission
//! without ACE's business requirements (§5.3), calls over the per-account quota (§5.7). The
//! review itself (AWS's side) is driven by the test.
#![allow(dead_code)]

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The access key of the server's own (static) test credentials, and its account.
pub const STATIC_KEY: &str = "AKIDCOSELLTEST";
pub const STATIC_SECRET: &str = "cosell-test-secret";
pub const STATIC_ACCOUNT: &str = "111111111111";

const WRITES: &[&str] = &[
    "CreateOpportunity",
    "UpdateOpportunity",
    "AssociateOpportunity",
    "DisassociateOpportunity",
    "SubmitOpportunity",
    "RejectEngagementInvitation",
    "StartEngagementByAcceptingInvitationTask",
];

const STAGES: &[&str] = &[
    "Prospect",
    "Qualified",
    "Technical Validation",
    "Business Validation",
    "Committed",
    "Launched",
    "Closed Lost",
];

/// Fields ACE still takes under Action Required (§5.2), as JSON paths.
const ACTION_REQUIRED_EDITABLE: &[&str] = &[
    "Customer.Account.Address.City",
    "Customer.Account.Address.CountryCode",
    "Customer.Account.Address.PostalCode",
    "Customer.Account.Address.StateOrRegion",
    "Customer.Account.Address.StreetAddress",
    "Customer.Account.WebsiteUrl",
    "LifeCycle.TargetCloseDate",
    "Project.ExpectedCustomerSpend",
    "Project.CustomerBusinessProblem",
    "PartnerOpportunityIdentifier",
];

#[derive(Clone, Debug)]
pub struct Call {
    pub operation: String,
    pub account: String,
    pub body: Value,
    pub at: Instant,
    /// The answer's `__type` when the call was refused.
    pub error: Option<String>,
    /// The caller's app name from its user agent (`app/<name>`): which cosell instance.
    pub app: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Opportunity {
    pub id: String,
    pub account: String,
    pub catalog: String,
    /// The partner's fields as last written (Create/Update), in ACE's JSON.
    pub body: Value,
    pub review_status: String,
    pub review_comments: Option<String>,
    pub review_status_reason: Option<String>,
    pub related: BTreeMap<String, Vec<String>>,
    pub involvement_type: Option<String>,
    pub last_modified: DateTime<Utc>,
    pub created: DateTime<Utc>,
    /// AWS's side once it engaged (GetAwsOpportunitySummary).
    pub aws_summary: Option<Value>,
    pub origin: String,
}

/// An engagement invitation AWS sent to a partner account (an AWS referral).
#[derive(Clone, Debug)]
pub struct Invitation {
    pub id: String,
    pub account: String,
    pub catalog: String,
    /// PENDING, ACCEPTED, REJECTED or EXPIRED.
    pub status: String,
    pub invited: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub sender: String,
    pub message: String,
    /// The OpportunityInvitation payload (Customer, Project, SenderContacts, ...).
    pub payload: Value,
    /// What ACE shows only once accepted: `Contacts` and `Address`.
    pub withheld: Value,
    pub rejection_reason: Option<String>,
    /// The partner opportunity the acceptance created.
    pub opportunity: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Task {
    pub id: String,
    pub account: String,
    pub invitation: String,
    pub status: String,
    pub opportunity: Option<String>,
    pub message: Option<String>,
    pub reason_code: Option<String>,
    pub started: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Throttle,
    ServerError,
}

#[derive(Default)]
struct State {
    opportunities: BTreeMap<String, Opportunity>,
    next_id: u64,
    /// (account, client token) → (body fingerprint, opportunity id).
    tokens: HashMap<(String, String), (String, String)>,
    /// account → ACE solutions (id, name, category, status).
    solutions: HashMap<String, Vec<Value>>,
    /// role ARN → the external id its trust policy requires.
    roles: HashMap<String, String>,
    /// access key → account, for credentials STS issued.
    issued: HashMap<String, String>,
    calls: Vec<Call>,
    faults: VecDeque<(Option<String>, Fault)>,
    /// (account, is write) → arrival times in the last second.
    window: HashMap<(String, bool), VecDeque<Instant>>,
    over_quota: usize,
    writes_per_second: usize,
    reads_per_second: usize,
    clock: Option<DateTime<Utc>>,
    /// The next accepted call of this operation answers only after the wait.
    stall: Option<(String, std::time::Duration)>,
    /// Accept tasks stay IN_PROGRESS (ACE never finishes them).
    hold_tasks: bool,
    invitations: BTreeMap<String, Invitation>,
    tasks: BTreeMap<String, Task>,
    /// (account, client token) → (invitation, task id).
    task_tokens: HashMap<(String, String), (String, String)>,
}

#[derive(Clone)]
pub struct FakeAce {
    pub url: String,
    state: Arc<Mutex<State>>,
}

fn now_ms(state: &mut State) -> DateTime<Utc> {
    // Strictly increasing at millisecond precision, like ACE's LastModifiedDate.
    let now = Utc::now();
    let now = DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap();
    let next = match state.clock {
        Some(last) if now <= last => last + chrono::Duration::milliseconds(1),
        _ => now,
    };
    state.clock = Some(next);
    next
}

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

struct Refusal {
    status: u16,
    kind: &'static str,
    body: Value,
}

fn refuse(status: u16, kind: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        kind,
        body: json!({ "Message": message.into() }),
    }
}

fn validation(reason: &str, errors: Vec<(String, &str, String)>) -> Refusal {
    let list: Vec<Value> = errors
        .iter()
        .map(|(field, code, message)| json!({"FieldName": field, "Code": code, "Message": message}))
        .collect();
    Refusal {
        status: 400,
        kind: "ValidationException",
        body: json!({
            "Message": format!("{} field(s) failed validation", list.len()),
            "Reason": reason,
            "ErrorList": list,
        }),
    }
}

fn missing(field: &str) -> Refusal {
    validation(
        "REQUEST_VALIDATION_FAILED",
        vec![(
            field.into(),
            "REQUIRED_FIELD_MISSING",
            format!("{field} is required"),
        )],
    )
}

fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(v, |v, key| v.get(key))
        .filter(|v| !v.is_null())
}

fn text<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

fn require(body: &Value, members: &[&str]) -> Result<(), Refusal> {
    for m in members {
        if at(body, m).is_none() {
            return Err(missing(m));
        }
    }
    Ok(())
}

/// The account a request's SigV4 credential scope names, if the request is signed for this
/// service with a key the fake knows.
fn account_of(state: &State, req: &HttpRequest, service: &str) -> Result<String, Refusal> {
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let credential = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .and_then(|rest| rest.split(", ").find_map(|p| p.strip_prefix("Credential=")))
        .ok_or_else(|| {
            refuse(
                403,
                "MissingAuthenticationTokenException",
                "request is not signed",
            )
        })?;
    let parts: Vec<&str> = credential.split('/').collect();
    if parts.len() != 5 || parts[3] != service || parts[4] != "aws4_request" {
        return Err(refuse(
            403,
            "InvalidSignatureException",
            "credential scope is wrong",
        ));
    }
    if parts[2] != "us-east-1" {
        return Err(refuse(
            403,
            "InvalidSignatureException",
            "wrong region in credential scope",
        ));
    }
    if parts[0] == STATIC_KEY {
        return Ok(STATIC_ACCOUNT.into());
    }
    state.issued.get(parts[0]).cloned().ok_or_else(|| {
        refuse(
            403,
            "UnrecognizedClientException",
            "the security token is invalid",
        )
    })
}

impl FakeAce {
    pub async fn start() -> FakeAce {
        Self::start_with_quota(1000, 1000).await
    }

    /// A fake whose per-account quota is `writes` and `reads` calls a second.
    pub async fn start_with_quota(writes: usize, reads: usize) -> FakeAce {
        Self::start_at("127.0.0.1:0", writes, reads).await
    }

    /// On a given address (the standalone fake of `examples/fake_ace.rs`).
    pub async fn start_at(address: &str, writes: usize, reads: usize) -> FakeAce {
        let listener = TcpListener::bind(address).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            writes_per_second: writes,
            reads_per_second: reads,
            ..Default::default()
        }));
        let shared = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .app_data(web::PayloadConfig::new(1 << 20))
                .default_service(web::to(handle))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        FakeAce { url, state }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// A role cosell may assume only with `external_id`; its account is the ARN's.
    pub fn allow_role(&self, role_arn: &str, external_id: &str) {
        self.with(|s| s.roles.insert(role_arn.into(), external_id.into()));
    }

    pub fn add_solution(&self, account: &str, id: &str, name: &str, category: &str) {
        self.with(|s| {
            s.solutions.entry(account.into()).or_default().push(json!({
                "Catalog": "AWS", "Id": id, "Arn": format!("arn:aws:partnercentral:us-east-1::catalog/AWS/solution/{id}"),
                "Name": name, "Status": "Active", "Category": category,
                "CreatedDate": "2026-01-05T10:00:00.000Z",
            }))
        });
    }

    /// The next `n` calls (of `operation`, or any) fail with `fault`.
    pub fn fail_next(&self, operation: Option<&str>, n: usize, fault: Fault) {
        self.with(|s| {
            for _ in 0..n {
                s.faults.push_back((operation.map(str::to_string), fault));
            }
        });
    }

    /// The next accepted call of `operation` is carried out at once but answered only after
    /// `wait`: a caller killed meanwhile never learns that it succeeded.
    pub fn stall_next(&self, operation: &str, wait: std::time::Duration) {
        self.with(|s| s.stall = Some((operation.into(), wait)));
    }

    pub fn calls(&self) -> Vec<Call> {
        self.with(|s| s.calls.clone())
    }

    /// Operations called, in order, that ACE accepted.
    pub fn accepted(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|c| c.error.is_none())
            .map(|c| c.operation)
            .collect()
    }

    /// Calls the fake refused for going over the quota (cosell must never cause one).
    pub fn over_quota(&self) -> usize {
        self.with(|s| s.over_quota)
    }

    pub fn opportunities(&self) -> Vec<Opportunity> {
        self.with(|s| s.opportunities.values().cloned().collect())
    }

    pub fn opportunity(&self, id: &str) -> Opportunity {
        self.with(|s| s.opportunities.get(id).cloned().expect("ACE opportunity"))
    }

    /// AWS moves the review on (and says why).
    pub fn review(&self, id: &str, status: &str, comments: Option<&str>, reason: Option<&str>) {
        self.with(|s| {
            let at = now_ms(s);
            let o = s.opportunities.get_mut(id).expect("ACE opportunity");
            o.review_status = status.into();
            o.review_comments = comments.map(str::to_string);
            o.review_status_reason = reason.map(str::to_string);
            o.last_modified = at;
        });
    }

    /// Someone edits the opportunity in Partner Central: `path` (e.g. `LifeCycle.NextSteps`)
    /// becomes `value`.
    pub fn edit(&self, id: &str, path: &str, value: Value) {
        self.with(|s| {
            let at = now_ms(s);
            let o = s.opportunities.get_mut(id).expect("ACE opportunity");
            let keys: Vec<&str> = path.split('.').collect();
            let mut node = &mut o.body;
            for key in &keys[..keys.len() - 1] {
                node = node
                    .as_object_mut()
                    .unwrap()
                    .entry(key.to_string())
                    .or_insert_with(|| json!({}));
            }
            node.as_object_mut()
                .unwrap()
                .insert(keys[keys.len() - 1].to_string(), value);
            o.last_modified = at;
        });
    }

    /// AWS sends `account` an opportunity invitation for `company`'s project `title`, expiring
    /// in 14 days. Returns its id.
    pub fn invite(&self, account: &str, company: &str, title: &str) -> String {
        self.invite_in(account, "AWS", company, title)
    }

    pub fn invite_in(&self, account: &str, catalog: &str, company: &str, title: &str) -> String {
        self.with(|s| {
            let at = now_ms(s);
            s.next_id += 1;
            let id = format!("engi-{:013}", s.next_id);
            let target = (Utc::now() + chrono::Duration::days(60)).format("%Y-%m-%d").to_string();
            s.invitations.insert(
                id.clone(),
                Invitation {
                    id: id.clone(),
                    account: account.into(),
                    catalog: catalog.into(),
                    status: "PENDING".into(),
                    invited: at,
                    expires: at + chrono::Duration::days(14),
                    sender: "Amazon Web Services".into(),
                    message: format!("{company} wants help with {title}"),
                    payload: json!({
                        "SenderContacts": [{"Email": "seller@amazon.com", "FirstName": "Sam", "LastName": "Seller", "BusinessTitle": "AWS Account Manager"}],
                        "ReceiverResponsibilities": ["Co-Sell Facilitator"],
                        "Customer": {"Industry": "Financial Services", "CompanyName": company, "WebsiteUrl": "https://www.example.com", "CountryCode": "US"},
                        "Project": {
                            "Title": title,
                            "BusinessProblem": "The customer needs to move its trading platform to AWS this year.",
                            "TargetCompletionDate": target,
                            "ExpectedCustomerSpend": [{"Amount": "5000.00", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"}],
                        },
                    }),
                    withheld: json!({
                        "Contacts": [{"Email": "cto@customer.example", "FirstName": "Dana", "LastName": "Lee", "BusinessTitle": "CTO", "Phone": "+14155550100"}],
                        "Address": {"City": "Seattle", "PostalCode": "98101", "StateOrRegion": "Washington", "StreetAddress": "410 Terry Ave N", "CountryCode": "US"},
                    }),
                    rejection_reason: None,
                    opportunity: None,
                },
            );
            id
        })
    }

    pub fn invitation(&self, id: &str) -> Invitation {
        self.with(|s| s.invitations.get(id).cloned().expect("ACE invitation"))
    }

    pub fn tasks(&self) -> Vec<Task> {
        self.with(|s| s.tasks.values().cloned().collect())
    }

    /// Accept tasks stay IN_PROGRESS until this is undone.
    pub fn hold_tasks(&self, hold: bool) {
        self.with(|s| s.hold_tasks = hold);
    }

    /// The invitation lapses (ACE moves it to EXPIRED at its ExpirationDate).
    pub fn expire(&self, id: &str) {
        self.with(|s| {
            let at = now_ms(s);
            let i = s.invitations.get_mut(id).expect("ACE invitation");
            i.status = "EXPIRED".into();
            i.expires = at;
        });
    }

    /// Someone rejects the invitation in Partner Central.
    pub fn reject_in_console(&self, id: &str, reason: &str) {
        self.with(|s| {
            let i = s.invitations.get_mut(id).expect("ACE invitation");
            i.status = "REJECTED".into();
            i.rejection_reason = Some(reason.into());
        });
    }

    /// Someone accepts the invitation in Partner Central. Returns the opportunity it created.
    pub fn accept_in_console(&self, id: &str) -> String {
        self.with(|s| accept(s, id))
    }

    /// Someone creates an opportunity in Partner Central (ACE's JSON of its partner fields).
    pub fn create_in_console(&self, account: &str, body: Value) -> String {
        self.with(|s| {
            s.next_id += 1;
            let id = format!("O{}", 1_000_000 + s.next_id);
            let at = now_ms(s);
            s.opportunities.insert(
                id.clone(),
                Opportunity {
                    id: id.clone(),
                    account: account.into(),
                    catalog: "AWS".into(),
                    body,
                    review_status: "Pending Submission".into(),
                    review_comments: None,
                    review_status_reason: None,
                    related: BTreeMap::new(),
                    involvement_type: None,
                    last_modified: at,
                    created: at,
                    aws_summary: None,
                    origin: "Partner Referral".into(),
                },
            );
            id
        })
    }

    /// AWS engages: its summary becomes readable.
    pub fn engage(&self, id: &str, summary: Value) {
        self.with(|s| {
            s.opportunities
                .get_mut(id)
                .expect("ACE opportunity")
                .aws_summary = Some(summary)
        });
    }
}

async fn handle(
    state: web::Data<Arc<Mutex<State>>>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (response, stall) = {
        let mut state = state.lock().unwrap();
        if req.method() != "POST" || req.path() != "/" {
            return HttpResponse::NotFound().finish();
        }
        let target = req
            .headers()
            .get("x-amz-target")
            .and_then(|h| h.to_str().ok())
            .map(str::to_string);
        match target {
            Some(target) => {
                let response = selling(&mut state, &req, &target, &body);
                let operation = target.trim_start_matches("AWSPartnerCentralSelling.");
                let stall = match &state.stall {
                    Some((op, wait)) if op == operation && response.status() == 200 => {
                        let wait = *wait;
                        state.stall = None;
                        Some(wait)
                    }
                    _ => None,
                };
                (response, stall)
            }
            None => (sts(&mut state, &req, &body), None),
        }
    };
    // ACE has done the work; the answer is late (the caller may die waiting).
    if let Some(wait) = stall {
        tokio::time::sleep(wait).await;
    }
    response
}

fn error_response(r: &Refusal) -> HttpResponse {
    let mut body = r.body.clone();
    body["__type"] = json!(r.kind);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(r.status).unwrap())
        .content_type("application/x-amz-json-1.0")
        .insert_header(("x-amzn-errortype", r.kind))
        .body(body.to_string())
}

fn selling(state: &mut State, req: &HttpRequest, target: &str, raw: &[u8]) -> HttpResponse {
    let operation = target
        .strip_prefix("AWSPartnerCentralSelling.")
        .unwrap_or_default()
        .to_string();
    let body: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
    let account = account_of(state, req, "partnercentral-selling");
    let result = account.and_then(|account| {
        let content_type = req
            .headers()
            .get("content-type")
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        if content_type != "application/x-amz-json-1.0" {
            return Err(refuse(400, "SerializationException", "wrong content type"));
        }
        if !body.is_object() {
            return Err(refuse(
                400,
                "SerializationException",
                "body is not a JSON object",
            ));
        }
        let result = admit(state, &account, &operation)
            .and_then(|()| operate(state, &account, &operation, &body));
        state.calls.push(Call {
            operation: operation.clone(),
            account: account.clone(),
            body: body.clone(),
            at: Instant::now(),
            error: result.as_ref().err().map(|r| r.kind.to_string()),
            app: app_name(req),
        });
        result
    });
    match result {
        Ok(answer) => HttpResponse::Ok()
            .content_type("application/x-amz-json-1.0")
            .body(answer.to_string()),
        Err(r) => error_response(&r),
    }
}

fn app_name(req: &HttpRequest) -> Option<String> {
    ["x-amz-user-agent", "user-agent"].iter().find_map(|h| {
        let agent = req.headers().get(*h)?.to_str().ok()?;
        agent
            .split(' ')
            .find_map(|part| part.strip_prefix("app/"))
            .map(str::to_string)
    })
}

/// Quota and injected faults, before the operation runs.
fn admit(state: &mut State, account: &str, operation: &str) -> Result<(), Refusal> {
    let write = WRITES.contains(&operation);
    let quota = if write {
        state.writes_per_second
    } else {
        state.reads_per_second
    };
    let now = Instant::now();
    let window = state
        .window
        .entry((account.to_string(), write))
        .or_default();
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t).as_secs_f64() >= 1.0)
    {
        window.pop_front();
    }
    if window.len() >= quota {
        state.over_quota += 1;
        return Err(refuse(400, "ThrottlingException", "Rate exceeded"));
    }
    window.push_back(now);
    let fault = state
        .faults
        .iter()
        .position(|(op, _)| op.as_deref().is_none_or(|op| op == operation));
    if let Some(i) = fault {
        let (_, fault) = state.faults.remove(i).unwrap();
        return Err(match fault {
            Fault::Throttle => refuse(400, "ThrottlingException", "Rate exceeded"),
            Fault::ServerError => refuse(500, "InternalServerException", "internal error"),
        });
    }
    Ok(())
}

fn catalog(body: &Value) -> Result<String, Refusal> {
    match text(body, "Catalog") {
        Some(c @ ("AWS" | "Sandbox")) => Ok(c.to_string()),
        Some(_) => Err(validation(
            "REQUEST_VALIDATION_FAILED",
            vec![(
                "Catalog".into(),
                "INVALID_ENUM_VALUE",
                "Catalog must be AWS or Sandbox".into(),
            )],
        )),
        None => Err(missing("Catalog")),
    }
}

fn find<'a>(
    state: &'a mut State,
    account: &str,
    catalog: &str,
    id: &str,
) -> Result<&'a mut Opportunity, Refusal> {
    state
        .opportunities
        .get_mut(id)
        .filter(|o| o.account == account && o.catalog == catalog)
        .ok_or_else(|| {
            refuse(
                404,
                "ResourceNotFoundException",
                format!("opportunity {id} not found"),
            )
        })
}

fn operate(state: &mut State, account: &str, op: &str, body: &Value) -> Result<Value, Refusal> {
    let catalog = catalog(body)?;
    match op {
        "ListSolutions" => {
            let all = state.solutions.get(account).cloned().unwrap_or_default();
            page(body, all, "SolutionSummaries")
        }
        "CreateOpportunity" => create(state, account, &catalog, body),
        "UpdateOpportunity" => update(state, account, &catalog, body),
        "GetOpportunity" => {
            require(body, &["Identifier"])?;
            let o = find(state, account, &catalog, text(body, "Identifier").unwrap())?;
            Ok(opportunity_json(o))
        }
        "ListOpportunities" => list(state, account, &catalog, body),
        "AssociateOpportunity" | "DisassociateOpportunity" => {
            require(
                body,
                &[
                    "OpportunityIdentifier",
                    "RelatedEntityType",
                    "RelatedEntityIdentifier",
                ],
            )?;
            let kind = text(body, "RelatedEntityType").unwrap().to_string();
            let target = text(body, "RelatedEntityIdentifier").unwrap().to_string();
            if ![
                "Solutions",
                "AwsProducts",
                "AwsMarketplaceOffers",
                "AwsMarketplaceSolutions",
                "AwsMarketplaceProducts",
                "AwsMarketplaceOfferSets",
            ]
            .contains(&kind.as_str())
            {
                return Err(validation(
                    "REQUEST_VALIDATION_FAILED",
                    vec![(
                        "RelatedEntityType".into(),
                        "INVALID_ENUM_VALUE",
                        "unknown related entity type".into(),
                    )],
                ));
            }
            let known_solution = state
                .solutions
                .get(account)
                .is_some_and(|list| list.iter().any(|s| s["Id"] == json!(target)));
            if op == "AssociateOpportunity"
                && kind == "Solutions"
                && target != "Other"
                && !known_solution
            {
                return Err(refuse(
                    404,
                    "ResourceNotFoundException",
                    format!("solution {target} not found"),
                ));
            }
            let at = now_ms(state);
            let o = find(
                state,
                account,
                &catalog,
                text(body, "OpportunityIdentifier").unwrap(),
            )?;
            if matches!(o.review_status.as_str(), "Submitted" | "In review") {
                return Err(validation(
                    "BUSINESS_VALIDATION_FAILED",
                    vec![(
                        "RelatedEntityIdentifier".into(),
                        "ACTION_NOT_PERMITTED",
                        "the opportunity is under review".into(),
                    )],
                ));
            }
            let list = o.related.entry(kind.clone()).or_default();
            if op == "AssociateOpportunity" {
                if !list.contains(&target) {
                    let cap = match kind.as_str() {
                        "Solutions" => 10,
                        "AwsProducts" => 20,
                        _ => 1,
                    };
                    if list.len() >= cap {
                        return Err(validation(
                            "BUSINESS_VALIDATION_FAILED",
                            vec![(kind.clone(), "TOO_MANY_VALUES", format!("at most {cap}"))],
                        ));
                    }
                    list.push(target);
                }
            } else if let Some(i) = list.iter().position(|t| *t == target) {
                list.remove(i);
            } else {
                return Err(refuse(404, "ResourceNotFoundException", "not associated"));
            }
            o.last_modified = at;
            Ok(json!({}))
        }
        "SubmitOpportunity" => {
            require(body, &["Identifier", "InvolvementType"])?;
            let involvement = text(body, "InvolvementType").unwrap().to_string();
            if !["Co-Sell", "For Visibility Only"].contains(&involvement.as_str()) {
                return Err(validation(
                    "REQUEST_VALIDATION_FAILED",
                    vec![(
                        "InvolvementType".into(),
                        "INVALID_ENUM_VALUE",
                        "unknown involvement type".into(),
                    )],
                ));
            }
            if let Some(v) = text(body, "Visibility")
                && !["Full", "Limited"].contains(&v)
            {
                return Err(validation(
                    "REQUEST_VALIDATION_FAILED",
                    vec![(
                        "Visibility".into(),
                        "INVALID_ENUM_VALUE",
                        "unknown visibility".into(),
                    )],
                ));
            }
            let at = now_ms(state);
            let o = find(state, account, &catalog, text(body, "Identifier").unwrap())?;
            if !matches!(
                o.review_status.as_str(),
                "Pending Submission" | "Action Required"
            ) {
                return Err(refuse(
                    409,
                    "ConflictException",
                    format!("cannot submit an opportunity in {}", o.review_status),
                ));
            }
            let errors = business_rules(&o.body, &o.related);
            if !errors.is_empty() {
                return Err(validation("BUSINESS_VALIDATION_FAILED", errors));
            }
            o.review_status = "Submitted".into();
            o.involvement_type = Some(involvement);
            o.last_modified = at;
            Ok(json!({}))
        }
        "GetAwsOpportunitySummary" => {
            require(body, &["RelatedOpportunityIdentifier"])?;
            let o = find(
                state,
                account,
                &catalog,
                text(body, "RelatedOpportunityIdentifier").unwrap(),
            )?;
            let mut summary = o.aws_summary.clone().ok_or_else(|| {
                refuse(
                    404,
                    "ResourceNotFoundException",
                    "AWS has not engaged on this opportunity",
                )
            })?;
            summary["Catalog"] = json!(catalog);
            summary["RelatedOpportunityId"] = json!(o.id);
            Ok(summary)
        }
        "ListEngagementInvitations" => {
            require(body, &["ParticipantType"])?;
            let participant = text(body, "ParticipantType").unwrap();
            if !["SENDER", "RECEIVER"].contains(&participant) {
                return Err(enum_error("ParticipantType"));
            }
            let kinds: Vec<&str> = body
                .get("PayloadType")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if kinds
                .iter()
                .any(|k| !["OpportunityInvitation", "LeadInvitation"].contains(k))
            {
                return Err(enum_error("PayloadType"));
            }
            let all: Vec<Value> = state
                .invitations
                .values()
                .filter(|i| {
                    participant == "RECEIVER" && i.account == account && i.catalog == catalog
                })
                .filter(|_| kinds.is_empty() || kinds.contains(&"OpportunityInvitation"))
                .map(|i| {
                    json!({
                        "Catalog": i.catalog, "Id": i.id, "PayloadType": "OpportunityInvitation",
                        "Status": i.status, "InvitationDate": iso(i.invited),
                        "ExpirationDate": iso(i.expires), "SenderCompanyName": i.sender,
                        "SenderAwsAccountId": "999999999999", "ParticipantType": "RECEIVER",
                        "Receiver": {"Account": {"AwsAccountId": i.account}},
                    })
                })
                .collect();
            page(body, all, "EngagementInvitationSummaries")
        }
        "GetEngagementInvitation" => {
            require(body, &["Identifier"])?;
            let i = invitation_of(state, account, &catalog, text(body, "Identifier").unwrap())?;
            let mut answer = json!({
                "Catalog": i.catalog, "Id": i.id, "PayloadType": "OpportunityInvitation",
                "Status": i.status, "InvitationDate": iso(i.invited), "ExpirationDate": iso(i.expires),
                "SenderCompanyName": i.sender, "SenderAwsAccountId": "999999999999",
                "InvitationMessage": i.message,
                "Receiver": {"Account": {"AwsAccountId": i.account}},
                "Payload": {"OpportunityInvitation": i.payload},
            });
            if let Some(r) = &i.rejection_reason {
                answer["RejectionReason"] = json!(r);
            }
            Ok(answer)
        }
        "RejectEngagementInvitation" => {
            require(body, &["Identifier"])?;
            let reason = text(body, "RejectionReason").map(str::to_string);
            if reason
                .as_ref()
                .is_some_and(|r| r.is_empty() || r.chars().count() > 80)
            {
                return Err(validation(
                    "REQUEST_VALIDATION_FAILED",
                    vec![(
                        "RejectionReason".into(),
                        "INVALID_VALUE",
                        "1..80 characters".into(),
                    )],
                ));
            }
            let i = invitation_of(state, account, &catalog, text(body, "Identifier").unwrap())?;
            if i.status != "PENDING" {
                return Err(refuse(
                    409,
                    "ConflictException",
                    format!("the invitation is {}", i.status),
                ));
            }
            let id = i.id.clone();
            let i = state.invitations.get_mut(&id).unwrap();
            i.status = "REJECTED".into();
            i.rejection_reason = reason;
            Ok(json!({}))
        }
        "StartEngagementByAcceptingInvitationTask" => {
            require(body, &["Identifier"])?;
            let token = client_token(body)?;
            let identifier = text(body, "Identifier").unwrap().to_string();
            let key = (account.to_string(), token);
            if let Some((seen, task)) = state.task_tokens.get(&key) {
                if *seen != identifier {
                    return Err(refuse(
                        409,
                        "ConflictException",
                        "Conflicting client token submitted for a new request body",
                    ));
                }
                return Ok(task_json(&state.tasks[task]));
            }
            let i = invitation_of(state, account, &catalog, &identifier)?;
            if i.status == "ACCEPTED" || i.status == "REJECTED" {
                return Err(refuse(
                    409,
                    "ConflictException",
                    format!("the invitation is {}", i.status),
                ));
            }
            let started = now_ms(state);
            state.next_id += 1;
            let task = Task {
                id: format!("task-{:013}", state.next_id),
                account: account.into(),
                invitation: identifier.clone(),
                status: "IN_PROGRESS".into(),
                opportunity: None,
                message: None,
                reason_code: None,
                started,
            };
            state.task_tokens.insert(key, (identifier, task.id.clone()));
            let answer = task_json(&task);
            state.tasks.insert(task.id.clone(), task);
            Ok(answer)
        }
        "ListEngagementByAcceptingInvitationTasks" => {
            let wanted: Vec<String> = body
                .get("TaskIdentifier")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            // A task finishes the first time it is looked at after it started (unless held).
            let ids: Vec<String> = state
                .tasks
                .values()
                .filter(|t| t.account == account)
                .filter(|t| wanted.is_empty() || wanted.contains(&t.id))
                .map(|t| t.id.clone())
                .collect();
            if !state.hold_tasks {
                for id in ids.iter() {
                    finish_task(state, id);
                }
            }
            let all = ids.iter().map(|id| task_json(&state.tasks[id])).collect();
            page(body, all, "TaskSummaries")
        }
        _ => Err(refuse(
            400,
            "UnknownOperationException",
            format!("unknown operation {op}"),
        )),
    }
}

fn enum_error(member: &str) -> Refusal {
    validation(
        "REQUEST_VALIDATION_FAILED",
        vec![(
            member.into(),
            "INVALID_ENUM_VALUE",
            format!("unknown {member}"),
        )],
    )
}

fn invitation_of<'a>(
    state: &'a State,
    account: &str,
    catalog: &str,
    id: &str,
) -> Result<&'a Invitation, Refusal> {
    state
        .invitations
        .get(id)
        .filter(|i| i.account == account && i.catalog == catalog)
        .ok_or_else(|| {
            refuse(
                404,
                "ResourceNotFoundException",
                format!("engagement invitation {id} not found"),
            )
        })
}

fn task_json(t: &Task) -> Value {
    let mut v = json!({
        "TaskId": t.id, "TaskArn": format!("arn:aws:partnercentral:us-east-1::catalog/AWS/engagement-by-accepting-invitation-task/{}", t.id),
        "StartTime": iso(t.started), "TaskStatus": t.status, "EngagementInvitationId": t.invitation,
    });
    if let Some(o) = &t.opportunity {
        v["OpportunityId"] = json!(o);
    }
    if let Some(m) = &t.message {
        v["Message"] = json!(m);
    }
    if let Some(r) = &t.reason_code {
        v["ReasonCode"] = json!(r);
    }
    v
}

/// An IN_PROGRESS accept task ends: the invitation is accepted and the partner's opportunity
/// created, or the task fails because the invitation is no longer pending.
fn finish_task(state: &mut State, id: &str) {
    let task = state.tasks[id].clone();
    if task.status != "IN_PROGRESS" {
        return;
    }
    let status = state.invitations[&task.invitation].status.clone();
    let t = if status == "PENDING" {
        let opportunity = accept(state, &task.invitation);
        Task {
            status: "COMPLETE".into(),
            opportunity: Some(opportunity),
            ..task
        }
    } else {
        Task {
            status: "FAILED".into(),
            message: Some(format!(
                "The engagement invitation is {status} and cannot be accepted"
            )),
            reason_code: Some("InvitationValidationFailed".into()),
            ..task
        }
    };
    state.tasks.insert(id.to_string(), t);
}

/// Accepts a pending invitation: the partner's opportunity, made from AWS's, with the customer
/// details ACE withheld until now.
fn accept(state: &mut State, id: &str) -> String {
    let i = state.invitations[id].clone();
    assert_eq!(
        i.status, "PENDING",
        "only a pending invitation can be accepted"
    );
    state.next_id += 1;
    let oid = format!("O{}", 1_000_000 + state.next_id);
    let at = now_ms(state);
    let mut account = i.payload["Customer"].clone();
    account.as_object_mut().unwrap().remove("CountryCode");
    account["Address"] = i.withheld["Address"].clone();
    let body = json!({
        "OpportunityType": "Net New Business",
        "Customer": {"Account": account, "Contacts": i.withheld["Contacts"]},
        "Project": {
            "Title": i.payload["Project"]["Title"],
            "CustomerBusinessProblem": i.payload["Project"]["BusinessProblem"],
            "ExpectedCustomerSpend": i.payload["Project"]["ExpectedCustomerSpend"],
        },
        "LifeCycle": {"Stage": "Prospect", "TargetCloseDate": i.payload["Project"]["TargetCompletionDate"]},
    });
    state.opportunities.insert(
        oid.clone(),
        Opportunity {
            id: oid.clone(),
            account: i.account.clone(),
            catalog: i.catalog.clone(),
            body,
            review_status: "Approved".into(),
            review_comments: None,
            review_status_reason: None,
            related: BTreeMap::new(),
            involvement_type: Some("Co-Sell".into()),
            last_modified: at,
            created: at,
            aws_summary: None,
            origin: "AWS Referral".into(),
        },
    );
    let inv = state.invitations.get_mut(id).unwrap();
    inv.status = "ACCEPTED".into();
    inv.opportunity = Some(oid.clone());
    oid
}

fn page(body: &Value, all: Vec<Value>, key: &str) -> Result<Value, Refusal> {
    let max = body.get("MaxResults").and_then(Value::as_u64).unwrap_or(20) as usize;
    if !(1..=100).contains(&max) {
        return Err(validation(
            "REQUEST_VALIDATION_FAILED",
            vec![("MaxResults".into(), "VALUE_OUT_OF_RANGE", "1..100".into())],
        ));
    }
    let start: usize = text(body, "NextToken")
        .map(|t| {
            t.parse().map_err(|_| {
                validation(
                    "REQUEST_VALIDATION_FAILED",
                    vec![("NextToken".into(), "INVALID_VALUE", "bad token".into())],
                )
            })
        })
        .transpose()?
        .unwrap_or(0);
    let items: Vec<Value> = all.iter().skip(start).take(max).cloned().collect();
    let mut answer = json!({ key: items });
    if start + max < all.len() {
        answer["NextToken"] = json!((start + max).to_string());
    }
    Ok(answer)
}

/// The partner fields of a Create/Update body: everything but the request's own members.
fn partner_fields(body: &Value) -> Value {
    let mut fields = body.clone();
    if let Some(map) = fields.as_object_mut() {
        for key in [
            "Catalog",
            "ClientToken",
            "Origin",
            "Identifier",
            "LastModifiedDate",
            "OpportunityTeam",
            "Tags",
        ] {
            map.remove(key);
        }
    }
    fields
}

/// Request-level checks of an opportunity body (enums and conditional requirements ACE
/// applies on every write).
fn check_fields(fields: &Value) -> Result<(), Refusal> {
    require(fields, &["Customer.Account.CompanyName"])?;
    let mut errors = Vec::new();
    if let Some(stage) = text(fields, "LifeCycle.Stage")
        && !STAGES.contains(&stage)
    {
        errors.push((
            "LifeCycle.Stage".into(),
            "INVALID_ENUM_VALUE",
            format!("{stage} is not a stage"),
        ));
    }
    if text(fields, "LifeCycle.Stage") == Some("Launched")
        && text(fields, "Customer.Account.AwsAccountId").is_none()
    {
        errors.push((
            "Customer.Account.AwsAccountId".into(),
            "REQUIRED_FIELD_MISSING",
            "the customer's AWS account is required once the opportunity is Launched".into(),
        ));
    }
    if text(fields, "LifeCycle.Stage") == Some("Closed Lost")
        && text(fields, "LifeCycle.ClosedLostReason").is_none()
    {
        errors.push((
            "LifeCycle.ClosedLostReason".into(),
            "REQUIRED_FIELD_MISSING",
            "a reason is required for Closed Lost".into(),
        ));
    }
    if text(fields, "NationalSecurity") == Some("Yes")
        && text(fields, "Customer.Account.Industry") != Some("Government")
    {
        errors.push((
            "NationalSecurity".into(),
            "INVALID_VALUE",
            "only for Government customers".into(),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(validation("BUSINESS_VALIDATION_FAILED", errors))
    }
}

/// What submission needs (§5.3).
fn business_rules(
    f: &Value,
    related: &BTreeMap<String, Vec<String>>,
) -> Vec<(String, &'static str, String)> {
    let mut errors = Vec::new();
    let nat_sec = text(f, "NationalSecurity") == Some("Yes");
    let mut need = |path: &str| {
        if at(f, path).is_none_or(|v| v.as_array().is_some_and(|a| a.is_empty())) {
            errors.push((
                path.to_string(),
                "REQUIRED_FIELD_MISSING",
                format!("{path} is required"),
            ));
        }
    };
    for path in [
        "Customer.Account.CompanyName",
        "Customer.Account.Industry",
        "Customer.Account.Address.CountryCode",
        "Customer.Account.Address.PostalCode",
        "LifeCycle.TargetCloseDate",
        "Project.Title",
        "Project.CustomerBusinessProblem",
        "Project.CustomerUseCase",
        "Project.DeliveryModels",
        "Project.ExpectedCustomerSpend",
        "Project.SalesActivities",
        "PrimaryNeedsFromAws",
        "Marketing.Source",
    ] {
        need(path);
    }
    if !nat_sec {
        need("Customer.Account.WebsiteUrl");
        if text(f, "Customer.Account.Address.CountryCode") == Some("US") {
            need("Customer.Account.Address.StateOrRegion");
        }
    }
    if text(f, "Project.CustomerBusinessProblem").is_some_and(|p| p.chars().count() < 20) {
        errors.push((
            "Project.CustomerBusinessProblem".into(),
            "INVALID_VALUE",
            "at least 20 characters".into(),
        ));
    }
    if matches!(
        text(f, "LifeCycle.Stage"),
        Some("Prospect" | "Closed Lost" | "Launched") | None
    ) {
        errors.push((
            "LifeCycle.Stage".into(),
            "INVALID_VALUE",
            "the stage must be at least Qualified and open".into(),
        ));
    }
    if related.get("Solutions").is_none_or(|s| s.is_empty()) {
        errors.push((
            "RelatedEntityIdentifiers.Solutions".into(),
            "REQUIRED_FIELD_MISSING",
            "associate a solution".into(),
        ));
    }
    errors
}

fn fingerprint(body: &Value) -> String {
    let mut b = body.clone();
    if let Some(map) = b.as_object_mut() {
        map.remove("ClientToken");
    }
    b.to_string()
}

/// ACE's ClientToken: `[!-~]{1,64}`.
fn client_token(body: &Value) -> Result<String, Refusal> {
    require(body, &["ClientToken"])?;
    let token = text(body, "ClientToken").unwrap().to_string();
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| (b'!'..=b'~').contains(&b)) {
        return Err(validation(
            "REQUEST_VALIDATION_FAILED",
            vec![(
                "ClientToken".into(),
                "INVALID_STRING_FORMAT",
                "[!-~]{1,64}".into(),
            )],
        ));
    }
    Ok(token)
}

fn create(state: &mut State, account: &str, catalog: &str, body: &Value) -> Result<Value, Refusal> {
    let token = client_token(body)?;
    let print = fingerprint(body);
    if let Some((seen, id)) = state.tokens.get(&(account.to_string(), token.clone())) {
        if *seen != print {
            return Err(refuse(
                409,
                "ConflictException",
                "Conflicting client token submitted for a new request body",
            ));
        }
        let o = &state.opportunities[id];
        return Ok(
            json!({"Id": o.id, "PartnerOpportunityIdentifier": text(&o.body, "PartnerOpportunityIdentifier"), "LastModifiedDate": iso(o.last_modified)}),
        );
    }
    match text(body, "Origin") {
        Some("Partner Referral") => {}
        Some("AWS Referral") if catalog == "Sandbox" => {}
        Some(_) => {
            return Err(validation(
                "BUSINESS_VALIDATION_FAILED",
                vec![(
                    "Origin".into(),
                    "INVALID_VALUE",
                    "Origin must be Partner Referral".into(),
                )],
            ));
        }
        None => {}
    }
    let fields = partner_fields(body);
    check_fields(&fields)?;
    state.next_id += 1;
    let id = format!("O{}", 1_000_000 + state.next_id);
    let at = now_ms(state);
    state.opportunities.insert(
        id.clone(),
        Opportunity {
            id: id.clone(),
            account: account.into(),
            catalog: catalog.into(),
            body: fields,
            review_status: "Pending Submission".into(),
            review_comments: None,
            review_status_reason: None,
            related: BTreeMap::new(),
            involvement_type: None,
            last_modified: at,
            created: at,
            aws_summary: None,
            origin: text(body, "Origin").unwrap_or("Partner Referral").into(),
        },
    );
    state
        .tokens
        .insert((account.into(), token), (print, id.clone()));
    Ok(
        json!({"Id": id, "PartnerOpportunityIdentifier": text(body, "PartnerOpportunityIdentifier"), "LastModifiedDate": iso(at)}),
    )
}

/// JSON leaf paths whose values differ between two bodies (lists compared whole).
fn changed_paths(a: &Value, b: &Value, prefix: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                changed_paths(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &path,
                    out,
                );
            }
        }
        (Value::Object(x), Value::Null) | (Value::Null, Value::Object(x)) => {
            changed_paths(&Value::Object(x.clone()), &json!({}), prefix, out)
        }
        _ if a != b => out.push(prefix.to_string()),
        _ => {}
    }
}

fn update(state: &mut State, account: &str, catalog: &str, body: &Value) -> Result<Value, Refusal> {
    require(body, &["Identifier", "LastModifiedDate"])?;
    let sent = text(body, "LastModifiedDate").unwrap();
    let sent: DateTime<Utc> = DateTime::parse_from_rfc3339(sent)
        .map_err(|_| {
            validation(
                "REQUEST_VALIDATION_FAILED",
                vec![(
                    "LastModifiedDate".into(),
                    "INVALID_STRING_FORMAT",
                    "not a date-time".into(),
                )],
            )
        })?
        .with_timezone(&Utc);
    let fields = partner_fields(body);
    check_fields(&fields)?;
    let at = now_ms(state);
    let o = find(state, account, catalog, text(body, "Identifier").unwrap())?;
    if (o.last_modified - sent).num_milliseconds() != 0 {
        return Err(refuse(
            409,
            "ConflictException",
            "The opportunity was modified since LastModifiedDate; get it and retry",
        ));
    }
    let mut changed = Vec::new();
    changed_paths(&o.body, &fields, "", &mut changed);
    match o.review_status.as_str() {
        "Submitted" | "In review" | "Rejected" if !changed.is_empty() => {
            return Err(validation(
                "BUSINESS_VALIDATION_FAILED",
                vec![(
                    changed[0].clone(),
                    "ACTION_NOT_PERMITTED",
                    format!("the opportunity cannot change while {}", o.review_status),
                )],
            ));
        }
        "Action Required" => {
            let refused: Vec<_> = changed
                .iter()
                .filter(|p| !ACTION_REQUIRED_EDITABLE.iter().any(|e| p.starts_with(e)))
                .map(|p| {
                    (
                        p.clone(),
                        "ACTION_NOT_PERMITTED",
                        "not editable under Action Required".to_string(),
                    )
                })
                .collect();
            if !refused.is_empty() {
                return Err(validation("BUSINESS_VALIDATION_FAILED", refused));
            }
        }
        _ => {}
    }
    o.body = fields;
    o.last_modified = at;
    Ok(json!({"Id": o.id, "LastModifiedDate": iso(at)}))
}

fn opportunity_json(o: &Opportunity) -> Value {
    let mut v = o.body.clone();
    v["Catalog"] = json!(o.catalog);
    v["Id"] = json!(o.id);
    v["Arn"] = json!(format!(
        "arn:aws:partnercentral:us-east-1::catalog/{}/opportunity/{}",
        o.catalog, o.id
    ));
    v["LastModifiedDate"] = json!(iso(o.last_modified));
    v["CreatedDate"] = json!(iso(o.created));
    let life = v
        .as_object_mut()
        .unwrap()
        .entry("LifeCycle")
        .or_insert_with(|| json!({}));
    life["ReviewStatus"] = json!(o.review_status);
    if let Some(c) = &o.review_comments {
        life["ReviewComments"] = json!(c);
    }
    if let Some(r) = &o.review_status_reason {
        life["ReviewStatusReason"] = json!(r);
    }
    v["RelatedEntityIdentifiers"] = json!(o.related);
    v
}

fn list(state: &mut State, account: &str, catalog: &str, body: &Value) -> Result<Value, Refusal> {
    let after = text(body, "LastModifiedDate.AfterLastModifiedDate")
        .map(|s| DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)))
        .transpose()
        .map_err(|_| {
            validation(
                "REQUEST_VALIDATION_FAILED",
                vec![(
                    "LastModifiedDate.AfterLastModifiedDate".into(),
                    "INVALID_STRING_FORMAT",
                    "not a date-time".into(),
                )],
            )
        })?;
    let mut all: Vec<&Opportunity> = state
        .opportunities
        .values()
        .filter(|o| o.account == account && o.catalog == catalog)
        .filter(|o| after.is_none_or(|a| o.last_modified > a))
        .collect();
    let ascending = text(body, "Sort.SortOrder") == Some("ASCENDING");
    if let Some(by) = text(body, "Sort.SortBy")
        && by != "LastModifiedDate"
    {
        return Err(validation(
            "REQUEST_VALIDATION_FAILED",
            vec![(
                "Sort.SortBy".into(),
                "INVALID_ENUM_VALUE",
                "unsupported".into(),
            )],
        ));
    }
    all.sort_by_key(|o| o.last_modified);
    if !ascending {
        all.reverse();
    }
    let items = all
        .iter()
        .map(|o| {
            json!({
                "Catalog": o.catalog, "Id": o.id, "LastModifiedDate": iso(o.last_modified),
                "CreatedDate": iso(o.created),
                "LifeCycle": {"ReviewStatus": o.review_status, "Stage": text(&o.body, "LifeCycle.Stage")},
            })
        })
        .collect();
    page(body, items, "OpportunitySummaries")
}

/// STS AssumeRole (query protocol, XML answer), checking the role's external id.
fn sts(state: &mut State, req: &HttpRequest, raw: &[u8]) -> HttpResponse {
    let xml_error = |status: u16, code: &str, message: &str| {
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
            .content_type("text/xml")
            .body(format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>"
            ))
    };
    if let Err(r) = account_of(state, req, "sts") {
        return xml_error(403, r.kind, "request is not signed for sts");
    }
    let form: HashMap<String, String> = url_decode(raw);
    if form.get("Action").map(String::as_str) != Some("AssumeRole") {
        return xml_error(400, "InvalidAction", "unknown action");
    }
    let (Some(role), Some(_session)) = (form.get("RoleArn"), form.get("RoleSessionName")) else {
        return xml_error(
            400,
            "MissingParameter",
            "RoleArn and RoleSessionName are required",
        );
    };
    let allowed = state.roles.get(role).cloned();
    match allowed {
        Some(external_id) if form.get("ExternalId") == Some(&external_id) => {}
        _ => {
            return xml_error(
                403,
                "AccessDenied",
                &format!("User is not authorized to perform: sts:AssumeRole on resource: {role}"),
            );
        }
    }
    let account = role.split(':').nth(4).unwrap_or_default().to_string();
    let key = format!(
        "ASIA{}",
        uuid::Uuid::new_v4().simple().to_string()[..16].to_uppercase()
    );
    state.issued.insert(key.clone(), account.clone());
    let expires = iso(Utc::now() + chrono::Duration::hours(1));
    HttpResponse::Ok().content_type("text/xml").body(format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::{account}:assumed-role/cosell/cosell</Arn><AssumedRoleId>AROAFAKE:cosell</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>{key}</AccessKeyId><SecretAccessKey>fake-secret</SecretAccessKey><SessionToken>fake-session-token</SessionToken><Expiration>{expires}</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></AssumeRoleResponse>"
    ))
}

fn url_decode(raw: &[u8]) -> HashMap<String, String> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(raw)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}
