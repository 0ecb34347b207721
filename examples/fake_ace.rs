//! The test suite's fake ACE and STS as a standalone server, for demos and front-end work
//! without AWS (README, "Co-selling through ACE"). It speaks ACE's wire protocol, refuses what
//! ACE refuses, and plays AWS's side: two referrals wait for the demo partner, and a submitted
//! opportunity goes In review after a few seconds, then Approved with an AWS team.
//!
//! ```text
//! cargo run --example fake_ace            # listens on 127.0.0.1:4599 (FAKE_ACE_ADDRESS)
//! ```
//! The server reaches it with `COSELL_ACE_ENDPOINT=http://127.0.0.1:4599`,
//! `AWS_ACCESS_KEY_ID=AKIDCOSELLTEST` and `AWS_SECRET_ACCESS_KEY=cosell-test-secret` (account
//! 111111111111).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/api/fake_ace.rs"]
mod fake_ace;

use fake_ace::{FakeAce, STATIC_ACCOUNT};
use serde_json::json;
use std::time::Duration;

#[actix_web::main]
async fn main() {
    let address =
        std::env::var("FAKE_ACE_ADDRESS").unwrap_or_else(|_| "127.0.0.1:4599".to_string());
    let fake = FakeAce::start_at(&address, 1, 10).await;
    // The demo partner's solutions, by the names it has in cosell (imported, they link).
    for (id, name, category) in [
        ("S-0000001", "Migration Factory", "Consulting Service"),
        (
            "S-0000002",
            "Landing Zone Accelerator",
            "Consulting Service",
        ),
    ] {
        fake.add_solution(STATIC_ACCOUNT, id, name, category);
    }
    for catalog in ["AWS", "Sandbox"] {
        fake.invite_in(
            STATIC_ACCOUNT,
            catalog,
            "Fabrikam Bank",
            "Payments modernization",
        );
        fake.invite_in(
            STATIC_ACCOUNT,
            catalog,
            "Tailspin Toys",
            "E-commerce on containers",
        );
    }
    println!(
        "fake ACE and STS on {} (account {STATIC_ACCOUNT})",
        fake.url
    );
    // AWS's review: Submitted → In review → Approved, a few seconds apart.
    let step = Duration::from_secs(5);
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = chrono::Utc::now();
        for o in fake.opportunities() {
            let waited = (now - o.last_modified).to_std().unwrap_or_default();
            if waited < step {
                continue;
            }
            match o.review_status.as_str() {
                "Submitted" => fake.review(&o.id, "In review", None, None),
                "In review" => {
                    fake.engage(&o.id, json!({
                        "InvolvementType": "Co-Sell", "Visibility": "Full",
                        "LifeCycle": {"Stage": "Qualified", "NextSteps": "Intro call with the account team"},
                        "OpportunityTeam": [{"Email": "pdm@amazon.example", "FirstName": "Pat", "LastName": "Doe", "BusinessTitle": "PDM"}],
                    }));
                    fake.review(&o.id, "Approved", None, None);
                }
                _ => {}
            }
        }
    }
}
