//! Latency of the API over HTTP on a real database.
//!
//! `cargo bench --bench api` builds a data set through the services (partners, customers,
//! opportunities, a quarter of them submitted, each of those with an ask, a third of them
//! answered), serves it on a loopback port and times the requests a partner front-end, an AWS
//! seller and a partner manager make most. SQLite in a temporary file by
//! default; `BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (the database must be empty).
//! `BENCH_OPPORTUNITIES` sets the data size (default 5000), `BENCH_PARTNERS` (default 4) and
//! `BENCH_CUSTOMERS_PER_PARTNER` (default 50) its spread, `BENCH_RUNS` the timed requests per
//! scenario (default 200). `BENCH_LOAD_ONLY=1` writes the data, analyzes and stops: that is how
//! `scripts/bench-peers.sh` fills the database it serves to cosell and its peers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at its first failure

mod common;
use common::{admin, env_usize};
use cosell::auth::{JwtKeys, MintRequest};
use cosell::domain::enums::*;
use cosell::http::AppState;
use cosell::services;
use cosell::services::commands::{
    AddressData, ArchitectureData, ContactData, CreateAsk, CreateCustomer, CreateOpportunity,
    CreatePartner, CreateSolution, FundingData, MarketplaceData, MoneyData,
};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const SECRET: &str = "bench-secret-0123456789-abcdefghijklmnop";

/// How much data to write and how to spread it.
#[derive(Clone, Copy)]
struct Size {
    opportunities: usize,
    partners: usize,
    customers_per_partner: usize,
}

struct Data {
    partners: Vec<String>,
    opportunity: String,
    asks: Vec<String>,
}

/// An ask of the `i`-th kind with the details that kind needs.
fn ask_input(opportunity_id: &str, i: usize) -> CreateAsk {
    let kind = AskKind::ALL[i % AskKind::ALL.len()];
    CreateAsk {
        opportunity_id: opportunity_id.into(),
        kind,
        title: format!("Ask {i}"),
        details: "The customer starts the migration next quarter.".into(),
        customer_outcome: "Cut the customer's batch costs by 40% within a year.".into(),
        priority: Some(AskPriority::ALL[i % AskPriority::ALL.len()]),
        due_date: Some((chrono::Utc::now() + chrono::Duration::days((i % 60) as i64)).date_naive()),
        stakeholders: (kind == AskKind::StakeholderAlignment).then(|| vec!["Customer CIO".into()]),
        funding: (kind == AskKind::Funding).then_some(FundingData {
            program: FundingProgram::MigrationAccelerationProgram,
            funding_type: FundingType::Credits,
            amount: MoneyData {
                cents: 2_500_000,
                currency_code: CurrencyCode::Usd,
            },
        }),
        marketplace: (kind == AskKind::MarketplaceProcurement).then(|| MarketplaceData {
            offer_arn: None,
            listing_url: Some("https://aws.amazon.com/marketplace/pp/prodview-bench".into()),
            notes: None,
        }),
        architecture: (kind == AskKind::SolutionArchitecture).then(|| ArchitectureData {
            workload: "Core banking batch".into(),
            requirements: None,
        }),
        client_token: None,
    }
}

async fn build(db: &sea_orm::DatabaseConnection, size: &Size) -> Data {
    let Size {
        opportunities,
        partners: partner_count,
        customers_per_partner,
    } = *size;
    let actor = admin();
    let mut partners = Vec::new();
    let mut solutions = Vec::new();
    let mut customers: Vec<Vec<String>> = Vec::new();
    for p in 0..partner_count {
        let partner = services::partners::create(
            db,
            &actor,
            CreatePartner {
                name: format!("Bench Partner {p}"),
                website_url: None,
                value_proposition: None,
                segments: None,
                industries: None,
            },
        )
        .await
        .map_err(|e| e.detail())
        .unwrap();
        let solution = services::solutions::create(
            db,
            &actor,
            CreateSolution {
                partner_id: Some(partner.id.clone()),
                name: "Migration Factory".into(),
                description: None,
                category: SolutionCategory::ProfessionalService,
                status: Some(SolutionStatus::Active),
                aws_marketplace_solution_arn: None,
            },
        )
        .await
        .map_err(|e| e.detail())
        .unwrap();
        let mut own = Vec::new();
        for c in 0..customers_per_partner {
            let customer = services::customers::create(
                db,
                &actor,
                CreateCustomer {
                    partner_id: Some(partner.id.clone()),
                    company_name: format!("Customer {c:03} of {p}"),
                    industry: Industry::FinancialServices,
                    other_industry: None,
                    website_url: Some("https://customer.example".into()),
                    address: Some(AddressData {
                        country_code: "US".into(),
                        postal_code: Some("10001".into()),
                        state_or_region: Some("New York".into()),
                        city: None,
                        street_address: None,
                    }),
                    duns: None,
                    aws_account_id: None,
                    segment: SegmentCode::ALL[c % SegmentCode::ALL.len()],
                    aws_adoption: AwsAdoption::Engaged,
                    contacts: Some(vec![ContactData {
                        first_name: "Maria".into(),
                        last_name: "Gomez".into(),
                        email: None,
                        phone: None,
                        business_title: None,
                    }]),
                    internal_notes: None,
                },
            )
            .await
            .map_err(|e| e.detail())
            .unwrap();
            own.push(customer.id);
        }
        partners.push(partner.id);
        solutions.push(solution.id);
        customers.push(own);
    }
    let started = Instant::now();
    let mut last = String::new();
    let mut asks = Vec::new();
    for i in 0..opportunities {
        let p = i % partner_count;
        // A quarter of each partner's opportunities is submitted, each with an ask; the rest
        // spread over the open stages.
        let submitted = (i / partner_count).is_multiple_of(4);
        let stage = if submitted {
            Stage::Qualified
        } else {
            [
                Stage::Prospect,
                Stage::Qualified,
                Stage::TechnicalValidation,
                Stage::BusinessValidation,
            ][i / partner_count / 4 % 4]
        };
        let input = CreateOpportunity {
            stage: Some(stage),
            expected_monthly_spend: Some(MoneyData {
                cents: 100_000 + (i as i64 % 97) * 1_000,
                currency_code: CurrencyCode::Usd,
            }),
            target_close_date: Some(
                (chrono::Utc::now() + chrono::Duration::days(30 + (i as i64 % 300))).date_naive(),
            ),
            ..common::opportunity(
                &customers[p][i / partner_count % customers_per_partner],
                format!("bench-{i}"),
                format!(
                    "{} migration wave {i}",
                    ["Mainframe", "Data lake", "SAP", "VMware"][i / partner_count % 4]
                ),
            )
        };
        let o = services::opportunities::create(db, &actor, input)
            .await
            .map_err(|e| e.detail())
            .unwrap();
        let o = services::opportunities::solutions::associate(db, &actor, &o.id, &solutions[p])
            .await
            .map_err(|e| e.detail())
            .unwrap();
        if submitted {
            services::opportunities::lifecycle::submit(
                db,
                &actor,
                &o.id,
                o.version,
                InvolvementType::CoSell,
            )
            .await
            .map_err(|e| e.detail())
            .unwrap();
            let ask = services::asks::create(db, &actor, ask_input(&o.id, asks.len()))
                .await
                .map_err(|e| e.detail())
                .unwrap();
            // Every third is answered, spread over kinds (which cycle by four).
            if asks.len().is_multiple_of(3) {
                for to in [
                    AskStatus::Acknowledged,
                    AskStatus::InProgress,
                    AskStatus::Fulfilled,
                ] {
                    let response = (to == AskStatus::Fulfilled).then(|| "Done.".to_string());
                    services::asks::transition(db, &actor, &ask.id, to, response, None)
                        .await
                        .map_err(|e| e.detail())
                        .unwrap();
                }
            }
            asks.push(ask.id);
        }
        last = o.id;
    }
    let took = started.elapsed();
    println!(
        "data: {opportunities} opportunities for {partner_count} partners, {} customers, {} asks; written through the services in {:.1} s ({:.0} opportunities/s, each create + associate, and for one in four a submit and an ask, answered for a third of them)",
        partner_count * customers_per_partner,
        asks.len(),
        took.as_secs_f64(),
        opportunities as f64 / took.as_secs_f64(),
    );
    Data {
        partners,
        opportunity: last,
        asks,
    }
}

struct Client {
    http: reqwest::Client,
    url: String,
    statements: Arc<AtomicUsize>,
}

impl Client {
    async fn post(&self, token: &str, query: &str, variables: Value) -> (Value, usize) {
        let before = self.statements.load(Ordering::SeqCst);
        let body: Value = self
            .http
            .post(&self.url)
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(body.get("errors").is_none(), "{body}");
        (body, self.statements.load(Ordering::SeqCst) - before)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let size = Size {
        opportunities: env_usize("BENCH_OPPORTUNITIES", 5000),
        partners: env_usize("BENCH_PARTNERS", 4),
        customers_per_partner: env_usize("BENCH_CUSTOMERS_PER_PARTNER", 50),
    };
    let opportunities = size.opportunities;
    let runs = env_usize("BENCH_RUNS", 200);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()));
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let db = cosell::db::connect_and_migrate(&url).await.unwrap();
    let data = build(&db, &size).await;
    // Fresh planner statistics, as autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) would
    // have them after a bulk load; without them PostgreSQL plans for empty tables.
    use sea_orm::ConnectionTrait;
    db.execute_unprepared("ANALYZE").await.unwrap();
    if std::env::var("BENCH_LOAD_ONLY").is_ok_and(|v| v == "1") {
        return;
    }

    let mut server_db = db.clone();
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    server_db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let keys = JwtKeys::new(SECRET.as_bytes(), "cosell", "cosell-api").unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/graphql", listener.local_addr().unwrap());
    let state = AppState {
        schema: cosell::graphql::build(server_db.clone(), Default::default()),
        db: server_db,
        tokens: cosell::auth::Tokens::local(keys.clone()),
        cors_origins: Vec::new(),
        cors_headers: Vec::new(),
        persisted: Default::default(),
        loader_delay: cosell::graphql::loaders::DEFAULT_DELAY,
        // The benchmark measures latency, not the limits: one token sends every request.
        door: Arc::new(cosell::http::front_door::FrontDoor::new(
            cosell::http::front_door::Limits {
                subject_rate: 0.0,
                address_rate: 0.0,
                ..Default::default()
            },
        )),
        faults: Default::default(),
        hub: cosell::live::Hub::new(Default::default()),
        metrics: Default::default(),
    };
    tokio::spawn(cosell::http::serve(listener, state, 2).unwrap());
    let client = Client {
        http: reqwest::Client::new(),
        url: base,
        statements,
    };
    let mint = |mut req: MintRequest| {
        req.scopes = vec!["cosell:read".into(), "cosell:write".into()];
        keys.mint(&req).unwrap()
    };
    let mut user = MintRequest::new(Role::PartnerUser, "user@bench");
    user.partner_id = Some(data.partners[(opportunities - 1) % size.partners].clone());
    let user = mint(user);
    let mut seller = MintRequest::new(Role::AwsSeller, "seller@bench");
    seller.segments = vec![SegmentCode::Enterprise, SegmentCode::Isv, SegmentCode::Smb];
    let seller = mint(seller);
    let mut manager = MintRequest::new(Role::PartnerManager, "pdm@bench");
    manager.partner_ids = data.partners.clone();
    let manager = mint(manager);

    let page = "query($o: OpportunityOrder, $f: OpportunityFilter) { opportunities(first: 50, orderBy: $o, filter: $f) { totalCount nodes {
        id title stage reviewStatus expectedMonthlySpend { amount currencyCode }
        customer { companyName segment { code } } partner { name } solutions { name }
        readiness { ready } } pageInfo { endCursor } } }";
    let detail = "query($id: ID!) { opportunity(id: $id) { title nextStepsHistory { value }
        history(first: 20) { nodes { action at changes } } aceCreateOpportunityPayload } }";
    let pipeline = "query($f: OpportunityFilter) { pipeline(filter: $f) { totalCount expectedMonthlySpend { amount currencyCode }
        byStage { stage count expectedMonthlySpend { amount } } bySegment { segment count expectedMonthlySpend { amount } }
        byReviewStatus { reviewStatus count } asksByKind { kind open fulfilled declined overdue medianHoursToResolve } } }";
    let asks = "query($f: AskFilter, $o: AskOrder) { asks(first: 50, filter: $f, orderBy: $o) { totalCount nodes {
        id kind status title dueDate overdue assignee opportunity { title customer { companyName } } partner { name }
        comments { body } } } }";
    let update = "mutation($id: ID!, $v: Int!, $n: String!) { updateOpportunity(id: $id, expectedVersion: $v, input: { nextSteps: $n }) { version } }";
    let admin_token = mint(MintRequest::new(Role::Admin, "admin@bench"));
    // The issue-12 shape: every partner, 20 opportunities each, their asks (5 each, which the
    // old complexity budget also took).
    let nested = "{ partners(first: 10) { nodes { id name opportunities(first: 20) { nodes { id title stage asks(first: 5) { nodes { id title status } } } } } } }";
    let scenarios: Vec<(&str, &str, &str, Value)> = vec![
        (
            "ADMIN: 4 partners → 20 opportunities each → 5 asks each",
            &admin_token,
            nested,
            json!({}),
        ),
        (
            "partner: 50 newest, nested customer/partner/solutions/readiness",
            &user,
            page,
            json!({}),
        ),
        (
            "partner: 50 by customer company name",
            &user,
            page,
            json!({ "o": { "field": "CUSTOMER_COMPANY_NAME", "direction": "ASC" } }),
        ),
        (
            "partner: search \"sap\" in title/problem/company",
            &user,
            page,
            json!({ "f": { "search": "sap" } }),
        ),
        (
            "partner: filter stage + segment",
            &user,
            page,
            json!({ "f": { "stage": ["QUALIFIED"], "segment": ["ENTERPRISE", "ISV"] } }),
        ),
        (
            "AWS seller (3 segments): 50 newest shared",
            &seller,
            page,
            json!({}),
        ),
        (
            "partner: one opportunity with history and ACE payload",
            &user,
            detail,
            json!({ "id": data.opportunity }),
        ),
        (
            "partner: pipeline (GROUP BY aggregates)",
            &user,
            pipeline,
            json!({}),
        ),
        (
            "partner manager (4 partners): pipeline",
            &manager,
            pipeline,
            json!({}),
        ),
        (
            "partner manager: pipeline of ENTERPRISE and ISV",
            &manager,
            pipeline,
            json!({ "f": { "segment": ["ENTERPRISE", "ISV"] } }),
        ),
        (
            "partner manager: 50 open asks by due date, nested",
            &manager,
            asks,
            json!({ "f": { "open": true }, "o": { "field": "DUE_DATE", "direction": "ASC" } }),
        ),
        (
            "AWS seller: open FUNDING asks by priority",
            &seller,
            asks,
            json!({ "f": { "open": true, "kind": ["FUNDING"] }, "o": { "field": "PRIORITY", "direction": "DESC" } }),
        ),
    ];
    println!(
        "backend: {backend}; {runs} timed requests per scenario after 20 warm-up requests; one client, sequential"
    );
    println!(
        "{:<66} {:>8} {:>8} {:>8} {:>8} {:>6}",
        "scenario", "p50 ms", "p95 ms", "p99 ms", "max ms", "SQL"
    );
    for (name, token, query, vars) in scenarios {
        for _ in 0..20 {
            client.post(token, query, vars.clone()).await;
        }
        let mut times = Vec::with_capacity(runs);
        let mut sql = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let (_, n) = client.post(token, query, vars.clone()).await;
            times.push(started.elapsed());
            sql = n;
        }
        times.sort();
        println!(
            "{name:<66} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {sql:>6}",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 0.99),
            percentile(&times, 1.0)
        );
    }
    // Writes: a next-steps change per request, each one transaction with its history entry.
    let mut times = Vec::with_capacity(runs);
    let mut version = client
        .post(
            &user,
            "query($id: ID!) { opportunity(id: $id) { version } }",
            json!({ "id": data.opportunity }),
        )
        .await
        .0["data"]["opportunity"]["version"]
        .as_i64()
        .unwrap();
    let mut sql = 0;
    for i in 0..runs {
        let started = Instant::now();
        let (body, n) = client
            .post(
                &user,
                update,
                json!({ "id": data.opportunity, "v": version, "n": format!("Step {i}") }),
            )
            .await;
        times.push(started.elapsed());
        version = body["data"]["updateOpportunity"]["version"]
            .as_i64()
            .unwrap();
        sql = n;
    }
    times.sort();
    println!(
        "{:<66} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {sql:>6}",
        "partner: updateOpportunity (nextSteps, versioned, with history)",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
    // Writes: comments by the partner manager, spread over the asks.
    let comment = "mutation($id: ID!, $b: String!) { commentOnAsk(id: $id, body: $b) { id } }";
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        let (_, n) = client
            .post(
                &manager,
                comment,
                json!({ "id": data.asks[i % data.asks.len()], "b": format!("Note {i}") }),
            )
            .await;
        times.push(started.elapsed());
        sql = n;
    }
    times.sort();
    println!(
        "{:<66} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {sql:>6}",
        "partner manager: commentOnAsk (with history)",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
}
