//! The served schema against the API contract (`docs/contract.graphql`; `.ci/run` keeps that
//! copy in step with the product's design folder): every type, field, argument and enum value
//! the server serves exists in the contract with the same type, so client-facing names cannot
//! drift. Parts of the contract not served yet are listed
//! separately and must shrink, never grow, as slices land.
use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use std::collections::BTreeMap;

/// `Type.field` → type, `Type.field(arg)` → type, `Enum.VALUE` → "", `Type: implements` → list.
fn flatten(sdl: &str) -> BTreeMap<String, String> {
    let doc = parse_schema(sdl).expect("valid SDL");
    let mut out = BTreeMap::new();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(def) = def else {
            continue;
        };
        let name = def.node.name.node.to_string();
        let mut field = |fname: &str, ty: String| out.insert(format!("{name}.{fname}"), ty);
        match def.node.kind {
            TypeKind::Object(o) => {
                let mut implements: Vec<String> =
                    o.implements.iter().map(|i| i.node.to_string()).collect();
                implements.sort();
                field(": implements", implements.join(","));
                for f in o.fields {
                    field(&f.node.name.node, f.node.ty.node.to_string());
                    for a in f.node.arguments {
                        field(
                            &format!("{}({})", f.node.name.node, a.node.name.node),
                            a.node.ty.node.to_string(),
                        );
                    }
                }
            }
            TypeKind::Interface(i) => {
                for f in i.fields {
                    field(&f.node.name.node, f.node.ty.node.to_string());
                }
            }
            TypeKind::InputObject(i) => {
                for f in i.fields {
                    field(&f.node.name.node, f.node.ty.node.to_string());
                }
            }
            TypeKind::Enum(e) => {
                for v in e.values {
                    field(&v.node.value.node, String::new());
                }
            }
            TypeKind::Scalar => {
                field(": scalar", String::new());
            }
            TypeKind::Union(_) => {}
        }
    }
    out
}

/// Deliberate additions to the contract, each with its reason. Nothing else may be served
/// beyond it.
const EXTENSIONS: &[(&str, &str)] = &[
    (
        "Ask.version",
        "optimistic concurrency, as on Opportunity (docs/security-notes.md: version on Opportunity and Ask)",
    ),
    (
        "Mutation.updateAsk(expectedVersion)",
        "optional: CONFLICT instead of overwriting an edit the client has not seen",
    ),
    (
        "CreateAskInput.clientToken",
        "optional idempotency token, as on createOpportunity (docs/security-notes.md §4.3 names createAsk)",
    ),
    (
        "Mutation.transitionAsk(expectedVersion)",
        "optional: CONFLICT instead of acting on a status the client has not seen",
    ),
    (
        "AskConnection.totalCountIsEstimate",
        "whether totalCount is PostgreSQL's estimate past 10,000 rows (issue 12: counts that stay cheap at a million rows)",
    ),
    (
        "ChangeConnection.totalCountIsEstimate",
        "whether totalCount is PostgreSQL's estimate past 10,000 rows (issue 12: counts that stay cheap at a million rows)",
    ),
    (
        "CustomerConnection.totalCountIsEstimate",
        "whether totalCount is PostgreSQL's estimate past 10,000 rows (issue 12: counts that stay cheap at a million rows)",
    ),
    (
        "OpportunityConnection.totalCountIsEstimate",
        "whether totalCount is PostgreSQL's estimate past 10,000 rows (issue 12: counts that stay cheap at a million rows)",
    ),
    (
        "ReferralConnection.totalCountIsEstimate",
        "whether totalCount is PostgreSQL's estimate past 10,000 rows (issue 12: counts that stay cheap at a million rows)",
    ),
    (
        "PartnerConnection.totalCountIsEstimate",
        "whether totalCount is PostgreSQL's estimate past 10,000 rows (issue 12: counts that stay cheap at a million rows)",
    ),
];

/// Contract names that open issues will build: the ACE connection (issue 11) and webhooks
/// (issue 14). A type listed as complete below may lack exactly these until its issue lands.
const NOT_YET_BUILT: &[&str] = &[];

#[test]
fn every_served_name_is_in_the_contract_with_the_same_type() {
    let contract_path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/contract.graphql");
    let contract = flatten(
        &std::fs::read_to_string(contract_path).expect("docs/contract.graphql, the API contract"),
    );
    let served = flatten(&cosell::graphql::sdl());
    let mut drift = Vec::new();
    for (key, ty) in &served {
        match contract.get(key) {
            Some(expected) if expected == ty => {}
            Some(expected) => drift.push(format!("{key}: served {ty}, contract {expected}")),
            None if EXTENSIONS.iter().any(|(name, _)| name == key) => {}
            None => drift.push(format!("{key}: not in the contract")),
        }
    }
    assert!(
        drift.is_empty(),
        "served schema drifts from the contract:\n{}",
        drift.join("\n")
    );
    for (name, _) in EXTENSIONS {
        assert!(served.contains_key(*name), "extension {name} is served");
    }

    let missing: Vec<&String> = contract
        .keys()
        .filter(|k| {
            let name = k.split('(').next().unwrap_or(k);
            !served.contains_key(*k) && !NOT_YET_BUILT.contains(&name)
        })
        .collect();
    let served_types: Vec<&str> = served
        .keys()
        .map(|k| k.split('.').next().unwrap())
        .collect();
    // Everything of the partner-profile slice is served in full.
    for complete in [
        "Viewer",
        "Segment",
        "Solution",
        "CustomerReference",
        "ReferralReadiness",
        "Check",
        "PartnerConnection",
        "PartnerEdge",
        "PageInfo",
        "PartnerFilter",
        "CreatePartnerInput",
        "UpdatePartnerInput",
        "CreateSolutionInput",
        "UpdateSolutionInput",
        "CustomerReferenceInput",
        "Query",
        "Mutation",
        "Ask",
        "AskComment",
        "AskConnection",
        "AskEdge",
        "AskFilter",
        "AskOrder",
        "FundingDetails",
        "MarketplaceDetails",
        "ArchitectureDetails",
        "CreateAskInput",
        "UpdateAskInput",
        "FundingInput",
        "MarketplaceInput",
        "ArchitectureInput",
        "Referral",
        "OpportunityFilter",
        "AceSync",
        "AceConnection",
        "ReferralCustomer",
        "ReferralConnection",
        "ReferralEdge",
        "ReferralFilter",
        "SendReferralInput",
        "ReferralCustomerInput",
        "Pipeline",
        "StageBucket",
        "SegmentBucket",
        "ReviewBucket",
        "AskKindBucket",
        "Partner",
        "Subscription",
        "OpportunityEvent",
        "AskEvent",
        "Webhook",
        "WebhookDelivery",
        "WebhookDeliveryConnection",
        "WebhookDeliveryEdge",
        "WebhookInput",
        "CreatedWebhook",
    ] {
        assert!(served_types.contains(&complete), "{complete} is served");
        let gaps: Vec<&&String> = missing
            .iter()
            .filter(|k| k.starts_with(&format!("{complete}.")))
            .collect();
        assert!(gaps.is_empty(), "{complete} is incomplete: {gaps:?}");
    }
}

/// `schema.graphql` in the repository is the served schema, so every API change shows up in
/// review. Regenerate it with `cargo run -q -- schema > schema.graphql`.
#[test]
fn the_committed_sdl_is_the_served_one() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    assert!(
        committed == cosell::graphql::sdl(),
        "schema.graphql is stale: run `cargo run -q -- schema > schema.graphql` and review the diff"
    );
}

/// The custom scalars say what they are, in introspection too (codegen maps them by it).
#[tokio::test]
async fn custom_scalars_carry_a_description_and_specified_by() {
    let app = crate::helpers::TestApp::spawn().await;
    for name in ["Date", "DateTime", "Decimal"] {
        let r = app
            .gql(
                &app.admin(),
                "query($n: String!) { __type(name: $n) { kind description specifiedByURL } }",
                serde_json::json!({ "n": name }),
            )
            .await;
        let t = &r.data()["__type"];
        assert_eq!(t["kind"], "SCALAR");
        assert!(
            t["description"].as_str().is_some_and(|d| d.len() > 20),
            "{name}: {t}"
        );
        assert!(
            t["specifiedByURL"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://")),
            "{name}: {t}"
        );
    }
}

/// The served schema documents itself: graphql-schema-linter's description rules (every type,
/// field, argument, input field and enum value has a capitalised description) pass on it.
#[tokio::test]
async fn the_schema_passes_the_description_lint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.graphql");
    std::fs::write(&path, cosell::graphql::sdl()).unwrap();
    let (ok, output) = crate::node::run(
        "schema-lint.mjs",
        &[("COSELL_SCHEMA", path.to_str().unwrap())],
    )
    .await;
    assert!(ok, "{output}");
    assert!(output.contains("0 errors detected"), "{output}");
}
