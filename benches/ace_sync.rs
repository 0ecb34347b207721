//! The ACE sync against the fake ACE (tests/api/fake_ace.rs), on a real database.
//!
//! `cargo bench --bench ace_sync` times three things:
//! 1. syncing `BENCH_ACE_OPPORTUNITIES` (default 1000) submitted opportunities of one partner
//!    at a write quota of `BENCH_ACE_WRITES_PER_SECOND` (default 50; ACE's own is 1, so the
//!    run is scaled and the report converts), each being a create, an association and a submit;
//! 2. the worker's own cost per job: the same work with no quota at all (its time minus the
//!    quota wait);
//! 3. an idle poll of `BENCH_ACE_PARTNERS` (default 100) connected partners with nothing new,
//!    without pacing (what the poll costs, not how its reads are spaced).
//!
//! SQLite in a temporary file by default; `BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL
//! (the database must be empty).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at its first failure

mod common;

#[path = "../tests/api/fake_ace.rs"]
mod fake_ace;

use common::{admin, env_usize};
use cosell::ace::{AceClients, AceSettings, Catalog};
use cosell::domain::enums::*;
use cosell::services;
use cosell::services::ace::connections::ConnectAce;
use cosell::services::commands::{AddressData, ContactData, CreateCustomer, CreatePartner};
use fake_ace::{FakeAce, STATIC_ACCOUNT, STATIC_KEY, STATIC_SECRET};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn settings(fake: &FakeAce, writes_per_second: f64) -> AceSettings {
    AceSettings {
        endpoint: Some(fake.url.clone()),
        static_credentials: Some((STATIC_KEY.into(), STATIC_SECRET.into())),
        poll_interval: Duration::from_secs(3600),
        writes_per_second,
        reads_per_second: writes_per_second * 10.0,
        ..Default::default()
    }
}

async fn partner(db: &DatabaseConnection, clients: &AceClients, name: &str) -> String {
    let actor = admin();
    let p = services::partners::create(
        db,
        &actor,
        CreatePartner {
            name: name.into(),
            website_url: None,
            value_proposition: None,
            segments: None,
            industries: None,
        },
    )
    .await
    .map_err(|e| e.detail())
    .unwrap();
    services::ace::connections::connect(
        db,
        clients,
        &actor,
        &p.id,
        ConnectAce {
            catalog: Catalog::Aws,
            role_arn: None,
        },
    )
    .await
    .map_err(|e| e.detail())
    .unwrap();
    p.id
}

/// `n` ready opportunities of a connected partner, submitted (so `n` SUBMIT jobs wait).
async fn submitted(
    db: &DatabaseConnection,
    clients: &AceClients,
    fake: &FakeAce,
    name: &str,
    n: usize,
) -> String {
    let actor = admin();
    fake.add_solution(
        STATIC_ACCOUNT,
        "S-0000001",
        "Migration Factory",
        "Consulting Service",
    );
    let partner = partner(db, clients, name).await;
    let solution = services::ace::connections::import_solutions(db, clients, &actor, &partner)
        .await
        .map_err(|e| e.detail())
        .unwrap()
        .remove(0);
    let customer = services::customers::create(
        db,
        &actor,
        CreateCustomer {
            partner_id: Some(partner.clone()),
            company_name: format!("Customer of {name}"),
            industry: Industry::FinancialServices,
            other_industry: None,
            website_url: Some("https://customer.example".into()),
            address: Some(AddressData {
                country_code: "US".into(),
                postal_code: Some("10001".into()),
                state_or_region: Some("New York".into()),
                city: Some("New York".into()),
                street_address: Some("1 Main St".into()),
            }),
            duns: None,
            aws_account_id: None,
            segment: SegmentCode::Enterprise,
            aws_adoption: AwsAdoption::Engaged,
            contacts: Some(vec![ContactData {
                first_name: "Maria".into(),
                last_name: "Gomez".into(),
                email: Some("maria@customer.example".into()),
                phone: None,
                business_title: Some("CIO".into()),
            }]),
            internal_notes: None,
        },
    )
    .await
    .map_err(|e| e.detail())
    .unwrap();
    for i in 0..n {
        let input = common::opportunity(
            &customer.id,
            format!("{name}-{i}"),
            format!("Migration wave {i}"),
        );
        let o = services::opportunities::create(db, &actor, input)
            .await
            .map_err(|e| e.detail())
            .unwrap();
        let o = services::opportunities::solutions::associate(db, &actor, &o.id, &solution.id)
            .await
            .map_err(|e| e.detail())
            .unwrap();
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
    }
    partner
}

async fn disconnect(db: &DatabaseConnection, partner: &str) {
    services::ace::connections::disconnect(db, &admin(), partner)
        .await
        .map_err(|e| e.detail())
        .unwrap();
}

fn writes(fake: &FakeAce) -> usize {
    fake.calls()
        .iter()
        .filter(|c| {
            c.error.is_none() && !c.operation.starts_with("List") && !c.operation.starts_with("Get")
        })
        .count()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = env_usize("BENCH_ACE_OPPORTUNITIES", 1000);
    let quota = env_usize("BENCH_ACE_WRITES_PER_SECOND", 50);
    let idle = env_usize("BENCH_ACE_PARTNERS", 100);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let db = cosell::db::connect_and_migrate(&url).await.unwrap();
    println!("database: {}", db.get_database_backend().as_str());

    // 1. At the quota.
    let fake = FakeAce::start_with_quota(quota, quota * 10).await;
    let clients = Arc::new(AceClients::new(settings(&fake, quota as f64)));
    let p = submitted(&db, &clients, &fake, "At the quota", n).await;
    let before = writes(&fake);
    let started = Instant::now();
    services::ace::worker::sync_once(db.clone(), clients.clone())
        .await
        .unwrap();
    let took = started.elapsed().as_secs_f64();
    let sent = writes(&fake) - before;
    assert_eq!(fake.opportunities().len(), n);
    println!(
        "sync at the quota: {n} submitted opportunities ({sent} writes) in {took:.1} s at a quota of {quota} writes/s: {:.1} writes/s ({:.0}% of the quota), {} throttled; at ACE's 1 write/s the same work takes {sent} s ({:.0} min) per partner account",
        sent as f64 / took,
        100.0 * sent as f64 / took / quota as f64,
        fake.over_quota(),
        sent as f64 / 60.0,
    );
    disconnect(&db, &p).await;

    // 2. The worker alone: no quota.
    let free = FakeAce::start_with_quota(1_000_000, 1_000_000).await;
    let clients = Arc::new(AceClients::new(settings(&free, 1_000_000.0)));
    let p = submitted(&db, &clients, &free, "No quota", n).await;
    let calls_before = free.calls().len();
    let started = Instant::now();
    services::ace::worker::sync_once(db.clone(), clients.clone())
        .await
        .unwrap();
    let took = started.elapsed();
    let calls = free.calls().len() - calls_before;
    println!(
        "worker overhead: {n} jobs ({calls} ACE calls, each an HTTP round trip to the fake) in {:.2} s: {:.2} ms per job, {:.2} ms per call, database work and SigV4 signing included",
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / n as f64,
        took.as_secs_f64() * 1000.0 / calls as f64,
    );
    disconnect(&db, &p).await;

    // 3. Idle polls.
    let quiet = FakeAce::start_with_quota(1_000_000, 1_000_000).await;
    // No pacing here: a partner's two reads would otherwise be spaced 105 ms apart, and the
    // pass would measure the quota's spacing, not the work.
    let clients = Arc::new(AceClients::new(settings(&quiet, 1_000_000.0)));
    for i in 0..idle {
        partner(&db, &clients, &format!("Idle {i}")).await;
    }
    let worker = services::ace::worker::Worker::new(db.clone(), clients.clone());
    worker.pass(true).await.unwrap(); // first polls set the cursors
    let mut passes = Vec::new();
    for _ in 0..5 {
        db.execute_unprepared("UPDATE ace_connection SET last_polled_at = NULL")
            .await
            .unwrap();
        let calls_before = quiet.calls().len();
        let started = Instant::now();
        worker.pass(true).await.unwrap();
        passes.push((started.elapsed(), quiet.calls().len() - calls_before));
    }
    passes.sort();
    let (median, calls) = passes[passes.len() / 2];
    println!(
        "idle poll: {idle} connected partners, nothing new: {:.0} ms a pass (median of 5), {:.2} ms per partner, {calls} ACE reads ({} per partner)",
        median.as_secs_f64() * 1000.0,
        median.as_secs_f64() * 1000.0 / idle as f64,
        calls / idle,
    );
    db.close().await.unwrap();
}
