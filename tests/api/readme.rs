//! Every GraphQL example of the README runs as written against the demo data: each block as
//! the role its first line names (`# as ROLE`), with the demo's ids where the README shows
//! `opp_…`, `ask_…` and `rfl_…`, in the README's order, and answers without errors.
use crate::helpers::{SECRET, TestApp};
use cosell::auth::MintRequest;
use cosell::domain::enums::{Role, SegmentCode, StoredEnum};
use serde_json::{Value, json};

struct Block {
    role: Role,
    text: String,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```graphql" {
            continue;
        }
        let text: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        let first = text.first().copied().unwrap_or_default();
        let role = first
            .strip_prefix("# as ")
            .and_then(|r| Role::parse(r.split_whitespace().next().unwrap_or_default()))
            .unwrap_or_else(|| {
                panic!("a README GraphQL block must start with `# as ROLE`: {first:?}")
            });
        out.push(Block {
            role,
            text: text.join("\n"),
        });
    }
    out
}

/// The demo's objects the examples name.
struct Demo {
    /// The CO_SELL-ready opportunity, and its partner.
    opportunity: String,
    owner: String,
    partners: Vec<String>,
    /// An open ask on a submitted opportunity, and its partner.
    ask: String,
    /// Pending referrals, with their partners, in the order the examples use them.
    referrals: Vec<(String, String)>,
}

async fn demo(app: &TestApp) -> Demo {
    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_cosell"))
        .arg("seed-demo")
        .env("DATABASE_URL", &app.url)
        .env("COSELL_JWT_SECRET", SECRET)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let r = app
        .gql(
            &app.admin(),
            "{ partners(first: 10) { nodes { id } }
               opportunities(first: 50) { nodes { id title partner { id } } }
               asks(first: 50) { nodes { id status opportunity { reviewStatus } } }
               referrals(first: 50) { nodes { id status partner { id } } } }",
            json!({}),
        )
        .await;
    let d = r.data();
    let ids = |v: &Value| v["id"].as_str().unwrap().to_string();
    let saas = d["opportunities"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["title"] == "Multi-tenant SaaS re-architecture")
        .expect("the demo's CO_SELL-ready opportunity");
    let ask = d["asks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["status"] == "OPEN" && a["opportunity"]["reviewStatus"] != "PENDING_SUBMISSION")
        .expect("an open ask AWS can see");
    Demo {
        opportunity: ids(saas),
        owner: ids(&saas["partner"]),
        partners: d["partners"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(ids)
            .collect(),
        ask: ids(ask),
        referrals: d["referrals"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "PENDING")
            .map(|r| (ids(r), ids(&r["partner"])))
            .collect(),
    }
}

#[tokio::test]
async fn every_graphql_example_in_the_readme_runs() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let blocks = blocks(&readme);
    assert!(blocks.len() >= 10, "{} blocks", blocks.len());
    let app = TestApp::spawn().await;
    let demo = demo(&app).await;
    let mut referrals = demo.referrals.iter();
    for block in &blocks {
        let mut text = block
            .text
            .replace("opp_…", &demo.opportunity)
            .replace("ask_…", &demo.ask)
            .replace("ptr_…", &demo.owner);
        let mut partner = demo.owner.clone();
        if text.contains("rfl_…") {
            let (referral, to) = referrals
                .next()
                .expect("a pending demo referral per example");
            text = text.replace("rfl_…", referral);
            partner = to.clone();
        }
        let mut request = MintRequest::new(block.role, "readme@example.com");
        match block.role {
            Role::PartnerUser | Role::PartnerAdmin => request.partner_id = Some(partner),
            Role::PartnerManager => request.partner_ids = demo.partners.clone(),
            Role::AwsSeller => request.segments = SegmentCode::ALL.to_vec(),
            Role::Admin => {}
        }
        let r = app.gql(&app.mint(&request), &text, json!({})).await;
        assert!(
            r.body["errors"].is_null() && !r.body["data"].is_null(),
            "README example as {:?}:\n{text}\n{}",
            block.role,
            r.body
        );
    }
}

/// The README's JavaScript blocks (fenced `js`), in order.
fn js_blocks(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "```js" {
            let text: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            out.push(text.join("\n"));
        }
    }
    out
}

fn readme_js(containing: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    js_blocks(&readme)
        .into_iter()
        .find(|b| b.contains(containing))
        .unwrap_or_else(|| panic!("a README js block with {containing:?}"))
}

/// Writes a generated script beside the JavaScript tests (so it finds their packages).
fn write_js(name: &str, text: &str) {
    std::fs::write(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/js")
            .join(name),
        text,
    )
    .unwrap();
}

#[tokio::test]
async fn the_readme_subscription_snippet_receives_events() {
    let app = TestApp::spawn().await;
    let p1 = app.create_partner("README live").await;
    let ready = app.ready_opportunity(&p1, "README subscription").await;
    let name = format!("readme-subscribe-{}.gen.mjs", std::process::id());
    write_js(&name, &readme_js("createClient"));
    let url = format!("{}/graphql/ws", app.base.replacen("http://", "ws://", 1));
    let token = app.partner_user(&p1);
    let mut snippet =
        crate::node::spawn(&name, &[("COSELL_WS", &url), ("COSELL_TOKEN", &token)]).await;
    // The snippet prints nothing until an event comes: make asks until one does.
    let printed =
        tokio::spawn(async move { snippet.line(std::time::Duration::from_secs(30)).await });
    let mut asks = 0;
    while !printed.is_finished() && asks < 40 {
        app.create_ask(&token, &ready.opportunity, "SOLUTION_ARCHITECTURE")
            .await;
        asks += 1;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let line = printed.await.unwrap();
    let _ = std::fs::remove_file(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/js")
            .join(&name),
    );
    let event: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(event["action"], "CREATED");
    assert_eq!(event["ask"]["status"], "OPEN");
    assert_eq!(event["actor"], format!("partneruser@{p1}"));
}

#[tokio::test]
async fn the_readme_signature_check_accepts_cosells_signatures_only() {
    let app = TestApp::spawn().await;
    let receiver = crate::receiver::Receiver::start().await;
    let p1 = app.create_partner("README hook").await;
    let r = app
        .gql(
            &app.admin(),
            "mutation($p: ID!, $u: String!) { createWebhook(partnerId: $p, input: { url: $u, topics: [OPPORTUNITY] }) { secret } }",
            json!({ "p": p1, "u": receiver.url }),
        )
        .await;
    let secret = r.data()["createWebhook"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let customer = app.create_customer(&p1, "Verify Co").await;
    app.create_opportunity(&customer, "Signed for the README")
        .await;
    let hit = receiver.wait_for(1).await.remove(0);

    let name = format!("readme-verify-{}.gen.mjs", std::process::id());
    write_js(
        &name,
        &format!(
            "{}\nconst {{ SECRET, HEADER, BODY }} = process.env;\nconsole.log(verify(SECRET, HEADER, BODY), verify(SECRET + 'x', HEADER, BODY), verify(SECRET, HEADER, BODY + ' '));\n",
            readme_js("export function verify")
        ),
    );
    let (ok, out) = crate::node::run(
        &name,
        &[
            ("SECRET", &secret),
            ("HEADER", &hit.headers["cosell-signature"]),
            ("BODY", &hit.body),
        ],
    )
    .await;
    let _ = std::fs::remove_file(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/js")
            .join(&name),
    );
    assert!(ok, "{out}");
    assert_eq!(out.trim(), "true false false");
}
