//! Every mutation as every role: the outcome matches the policy of docs/domain.md, and a refused
//! call leaves no trace. A mutation added to the schema without a row here fails the test.
use crate::helpers::TestApp;
use cosell::domain::enums::{SegmentCode, StoredEnum};
use serde_json::{Value, json};

const ROLES: [&str; 7] = [
    "PARTNER_USER",
    "PARTNER_ADMIN",
    "PARTNER_ADMIN of P2",
    "AWS_SELLER",
    "PARTNER_MANAGER",
    "PARTNER_MANAGER of P2",
    "ADMIN",
];

/// Expected outcome per role, in the order of `ROLES`: "ok" or an error code.
const MATRIX: &[(&str, [&str; 7])] = &[
    (
        "createWebhook",
        [
            "FORBIDDEN",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "updateWebhook",
        [
            "NOT_FOUND",
            "ok",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "deleteWebhook",
        [
            "NOT_FOUND",
            "ok",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "createPartner",
        [
            "FORBIDDEN",
            "FORBIDDEN",
            "FORBIDDEN",
            "FORBIDDEN",
            "FORBIDDEN",
            "FORBIDDEN",
            "ok",
        ],
    ),
    (
        "updatePartner",
        [
            "FORBIDDEN",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "createSolution",
        [
            "FORBIDDEN",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "FORBIDDEN",
            "ok",
        ],
    ),
    (
        "updateSolution",
        [
            "FORBIDDEN",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "addCustomerReference",
        [
            "FORBIDDEN",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "FORBIDDEN",
            "ok",
        ],
    ),
    (
        "removeCustomerReference",
        [
            "FORBIDDEN",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "createCustomer",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "FORBIDDEN",
            "ok",
        ],
    ),
    (
        "updateCustomer",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "addContact",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "updateContact",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "removeContact",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "createOpportunity",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "updateOpportunity",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "ok",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "submitOpportunity",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "reviewOpportunity",
        [
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "FORBIDDEN",
            "ok",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "closeOpportunity",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "associateSolution",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "disassociateSolution",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "createAsk",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "updateAsk",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "assignAsk",
        [
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
            "ok",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "transitionAsk",
        [
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
            "ok",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "commentOnAsk",
        ["ok", "ok", "NOT_FOUND", "ok", "ok", "NOT_FOUND", "ok"],
    ),
    (
        "sendReferral",
        [
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
            "ok",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "acceptReferral",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
    (
        "rejectReferral",
        [
            "ok",
            "ok",
            "NOT_FOUND",
            "FORBIDDEN",
            "FORBIDDEN",
            "NOT_FOUND",
            "ok",
        ],
    ),
];

struct Fixture {
    p1: String,
    p2: String,
}

fn token(app: &TestApp, f: &Fixture, role: &str) -> String {
    match role {
        "PARTNER_USER" => app.partner_user(&f.p1),
        "PARTNER_ADMIN" => app.partner_admin(&f.p1),
        "PARTNER_ADMIN of P2" => app.partner_admin(&f.p2),
        "AWS_SELLER" => app.seller(SegmentCode::ALL),
        "PARTNER_MANAGER" => app.manager(&[&f.p1]),
        "PARTNER_MANAGER of P2" => app.manager(&[&f.p2]),
        "ADMIN" => app.admin(),
        other => panic!("unknown role {other}"),
    }
}

/// The mutation under test, on fresh objects of P1, and a read that shows whether it wrote.
async fn call(
    app: &TestApp,
    f: &Fixture,
    mutation: &str,
    token: &str,
    tag: &str,
) -> (Value, Value) {
    let (query, vars, check) = match mutation {
        "createPartner" => (
            "mutation($n: String!) { createPartner(input: { name: $n }) { id } }",
            json!({ "n": tag }),
            (
                "{ partners(filter: { search: \"tag-\" }) { totalCount } }",
                json!({}),
            ),
        ),
        "updatePartner" => (
            "mutation($id: ID!, $v: String!) { updatePartner(id: $id, input: { valueProposition: $v }) { id } }",
            json!({ "id": f.p1, "v": tag }),
            (
                "query($id: ID!) { partner(id: $id) { valueProposition } }",
                json!({ "id": f.p1 }),
            ),
        ),
        "createWebhook" => (
            "mutation($p: ID!, $u: String!) { createWebhook(partnerId: $p, input: { url: $u, topics: [ASK] }) { webhook { id } } }",
            json!({ "p": f.p1, "u": format!("https://hooks.example.com/{tag}") }),
            (
                "query($id: ID!) { partner(id: $id) { webhooks { url } } }",
                json!({ "id": f.p1 }),
            ),
        ),
        "updateWebhook" => {
            let (w, _) = app
                .create_webhook(
                    &app.admin(),
                    &f.p1,
                    "https://hooks.example.com/before",
                    &["ASK"],
                )
                .await;
            (
                "mutation($id: ID!, $u: String!) { updateWebhook(id: $id, input: { url: $u, topics: [ASK] }) { id } }",
                json!({ "id": w, "u": format!("https://hooks.example.com/{tag}") }),
                (
                    "query($id: ID!) { partner(id: $id) { webhooks { url } } }",
                    json!({ "id": f.p1 }),
                ),
            )
        }
        "deleteWebhook" => {
            let (w, _) = app
                .create_webhook(
                    &app.admin(),
                    &f.p1,
                    &format!("https://hooks.example.com/{tag}"),
                    &["ASK"],
                )
                .await;
            (
                "mutation($id: ID!) { deleteWebhook(id: $id) }",
                json!({ "id": w }),
                (
                    "query($id: ID!) { partner(id: $id) { webhooks { url } } }",
                    json!({ "id": f.p1 }),
                ),
            )
        }
        "createSolution" => (
            "mutation($p: ID!, $n: String!) { createSolution(input: { partnerId: $p, name: $n, category: SOFTWARE_PRODUCT }) { id } }",
            json!({ "p": f.p1, "n": tag }),
            (
                "query($id: ID!) { partner(id: $id) { solutions { name } } }",
                json!({ "id": f.p1 }),
            ),
        ),
        "updateSolution" => {
            let s = app
                .create_solution(&f.p1, &format!("s-{tag}"), "ACTIVE")
                .await;
            (
                "mutation($id: ID!, $n: String!) { updateSolution(id: $id, input: { name: $n }) { id } }",
                json!({ "id": s, "n": tag }),
                (
                    "query($id: ID!) { partner(id: $id) { solutions { name } } }",
                    json!({ "id": f.p1 }),
                ),
            )
        }
        "addCustomerReference" => (
            "mutation($p: ID!, $t: String!) { addCustomerReference(input: { partnerId: $p, title: $t, customerName: \"C\", summary: \"S\" }) { id } }",
            json!({ "p": f.p1, "t": tag }),
            (
                "query($id: ID!) { partner(id: $id) { references { title } } }",
                json!({ "id": f.p1 }),
            ),
        ),
        "removeCustomerReference" => {
            let r = app.add_reference(&f.p1, tag).await;
            (
                "mutation($id: ID!) { removeCustomerReference(id: $id) }",
                json!({ "id": r }),
                (
                    "query($id: ID!) { partner(id: $id) { references { title } } }",
                    json!({ "id": f.p1 }),
                ),
            )
        }
        "createCustomer" => (
            "mutation($p: ID!, $n: String!) { createCustomer(input: { partnerId: $p, companyName: $n, industry: RETAIL, segment: SMB, awsAdoption: GREENFIELD }) { id } }",
            json!({ "p": f.p1, "n": tag }),
            (
                "{ customers(filter: { search: \"tag-\" }) { totalCount } }",
                json!({}),
            ),
        ),
        "updateCustomer" => {
            let shared = app.shared_opportunity(&f.p1, tag).await;
            (
                "mutation($id: ID!, $n: String!) { updateCustomer(id: $id, input: { internalNotes: $n }) { id } }",
                json!({ "id": shared.customer, "n": tag }),
                customer_check(&shared.customer),
            )
        }
        "addContact" => {
            let shared = app.shared_opportunity(&f.p1, tag).await;
            (
                "mutation($id: ID!, $n: String!) { addContact(customerId: $id, input: { firstName: $n, lastName: \"Lee\" }) { id } }",
                json!({ "id": shared.customer, "n": tag }),
                customer_check(&shared.customer),
            )
        }
        "updateContact" | "removeContact" => {
            let shared = app.shared_opportunity(&f.p1, tag).await;
            let contact = app
                .gql(
                    &app.admin(),
                    "query($id: ID!) { customer(id: $id) { contacts { id } } }",
                    json!({ "id": shared.customer }),
                )
                .await
                .data()["customer"]["contacts"][0]["id"]
                .clone();
            let query = if mutation == "updateContact" {
                "mutation($id: ID!, $n: String!) { updateContact(id: $id, input: { firstName: $n, lastName: \"Lee\" }) { id } }"
            } else {
                "mutation($id: ID!) { removeContact(id: $id) }"
            };
            (
                query,
                json!({ "id": contact, "n": tag }),
                customer_check(&shared.customer),
            )
        }
        "createOpportunity" => {
            let shared = app.shared_opportunity(&f.p1, tag).await;
            (
                "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id } }",
                json!({ "input": crate::fixtures::opportunity_input(&shared.customer, tag, tag) }),
                (
                    "{ opportunities(filter: { search: \"tag-\" }) { totalCount } }",
                    json!({}),
                ),
            )
        }
        "updateOpportunity" => {
            let shared = app.ready_opportunity(&f.p1, tag).await;
            app.bring_to(&shared.opportunity, "APPROVED").await;
            let v = app.version_of(&shared.opportunity).await;
            (
                "mutation($id: ID!, $v: Int!, $n: String!) { updateOpportunity(id: $id, expectedVersion: $v, input: { nextSteps: $n }) { id } }",
                json!({ "id": shared.opportunity, "v": v, "n": tag }),
                opportunity_check(&shared.opportunity),
            )
        }
        "submitOpportunity" => {
            let ready = app.ready_opportunity(&f.p1, tag).await;
            let v = app.version_of(&ready.opportunity).await;
            (
                "mutation($id: ID!, $v: Int!) { submitOpportunity(id: $id, expectedVersion: $v, involvementType: CO_SELL) { id } }",
                json!({ "id": ready.opportunity, "v": v }),
                opportunity_check(&ready.opportunity),
            )
        }
        "reviewOpportunity" => {
            let shared = app.shared_opportunity(&f.p1, tag).await;
            (
                "mutation($id: ID!) { reviewOpportunity(id: $id, decision: START_REVIEW) { id } }",
                json!({ "id": shared.opportunity }),
                opportunity_check(&shared.opportunity),
            )
        }
        "closeOpportunity" => {
            let ready = app.ready_opportunity(&f.p1, tag).await;
            let v = app.version_of(&ready.opportunity).await;
            (
                "mutation($id: ID!, $v: Int!) { closeOpportunity(id: $id, expectedVersion: $v, outcome: CLOSED_LOST, closedLostReason: PRICE) { id } }",
                json!({ "id": ready.opportunity, "v": v }),
                opportunity_check(&ready.opportunity),
            )
        }
        "associateSolution" | "disassociateSolution" => {
            let ready = app.ready_opportunity(&f.p1, tag).await;
            let (query, solution) = if mutation == "associateSolution" {
                (
                    "mutation($o: ID!, $s: ID!) { associateSolution(opportunityId: $o, solutionId: $s) { id } }",
                    app.create_solution(&f.p1, &format!("second-{tag}"), "ACTIVE")
                        .await,
                )
            } else {
                (
                    "mutation($o: ID!, $s: ID!) { disassociateSolution(opportunityId: $o, solutionId: $s) { id } }",
                    ready.solution.clone(),
                )
            };
            (
                query,
                json!({ "o": ready.opportunity, "s": solution }),
                opportunity_check(&ready.opportunity),
            )
        }
        "createAsk" => {
            let shared = app.shared_opportunity(&f.p1, tag).await;
            (
                "mutation($input: CreateAskInput!) { createAsk(input: $input) { id } }",
                json!({ "input": crate::fixtures::ask_input(&shared.opportunity, "FUNDING") }),
                (
                    "query($id: ID!) { opportunity(id: $id) { asks { totalCount } } }",
                    json!({ "id": shared.opportunity }),
                ),
            )
        }
        "updateAsk" | "assignAsk" | "transitionAsk" | "commentOnAsk" => {
            let shared = app.shared_opportunity(&f.p1, tag).await;
            let ask = app
                .create_ask(&app.admin(), &shared.opportunity, "FUNDING")
                .await;
            let query = match mutation {
                "updateAsk" => {
                    "mutation($id: ID!, $t: String!) { updateAsk(id: $id, input: { title: $t }) { id } }"
                }
                "assignAsk" => {
                    "mutation($id: ID!, $t: String!) { assignAsk(id: $id, assignee: $t) { id } }"
                }
                "transitionAsk" => {
                    "mutation($id: ID!) { transitionAsk(id: $id, to: ACKNOWLEDGED) { id } }"
                }
                _ => "mutation($id: ID!, $t: String!) { commentOnAsk(id: $id, body: $t) { id } }",
            };
            (
                query,
                json!({ "id": ask, "t": tag }),
                (
                    "query($id: ID!) { ask(id: $id) { version status assignee comments { body } } }",
                    json!({ "id": ask }),
                ),
            )
        }
        "sendReferral" => (
            "mutation($input: SendReferralInput!) { sendReferral(input: $input) { id } }",
            json!({ "input": crate::fixtures::referral_input(&f.p1, tag) }),
            (
                "query($p: ID!) { referrals(filter: { partnerId: $p }) { totalCount } }",
                json!({ "p": f.p1 }),
            ),
        ),
        "acceptReferral" | "rejectReferral" => {
            let referral = app.send_referral(&app.admin(), &f.p1, tag).await;
            let query = if mutation == "acceptReferral" {
                "mutation($id: ID!) { acceptReferral(id: $id) { id } }"
            } else {
                "mutation($id: ID!) { rejectReferral(id: $id, reason: \"Unable to support\") { id } }"
            };
            (
                query,
                json!({ "id": referral }),
                (
                    "query($id: ID!) { referral(id: $id) { status opportunity { id } } }",
                    json!({ "id": referral }),
                ),
            )
        }
        other => panic!("no call for {other}"),
    };
    let before = app.gql(&app.admin(), check.0, check.1.clone()).await.body;
    let reply = app.gql(token, query, vars).await.body;
    let after = app.gql(&app.admin(), check.0, check.1).await.body;
    (reply, json!({ "changed": before != after }))
}

fn customer_check(id: &str) -> (&'static str, Value) {
    (
        "query($id: ID!) { customer(id: $id) { internalNotes contacts { id firstName } } }",
        json!({ "id": id }),
    )
}

fn opportunity_check(id: &str) -> (&'static str, Value) {
    (
        "query($id: ID!) { opportunity(id: $id) { version } }",
        json!({ "id": id }),
    )
}

#[tokio::test]
async fn every_mutation_as_every_role() {
    let app = TestApp::spawn().await;
    let f = Fixture {
        p1: app.create_partner("P1").await,
        p2: app.create_partner("P2").await,
    };
    for (mutation, expected) in MATRIX {
        for (i, role) in ROLES.iter().enumerate() {
            let tag = format!("tag-{mutation}-{i}");
            let (reply, trace) = call(&app, &f, mutation, &token(&app, &f, role), &tag).await;
            let outcome = reply["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("ok");
            assert_eq!(outcome, expected[i], "{mutation} as {role}: {reply}");
            assert_eq!(
                trace["changed"],
                json!(expected[i] == "ok"),
                "{mutation} as {role} wrote only when allowed"
            );
        }
    }
}

#[test]
fn every_served_mutation_has_a_policy_row() {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let doc = async_graphql::parser::parse_schema(cosell::graphql::sdl()).unwrap();
    let served: Vec<String> = doc
        .definitions
        .into_iter()
        .filter_map(|d| match d {
            TypeSystemDefinition::Type(t) if t.node.name.node == "Mutation" => match t.node.kind {
                TypeKind::Object(o) => Some(
                    o.fields
                        .into_iter()
                        .map(|f| f.node.name.node.to_string())
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            },
            _ => None,
        })
        .flatten()
        .collect();
    let mut covered: Vec<&str> = MATRIX.iter().map(|(m, _)| *m).collect();
    // The ACE mutations need a (fake) ACE to succeed: their role table is in ace_sync.rs.
    covered.extend(crate::ace_sync::ACE_MUTATIONS);
    for mutation in &served {
        assert!(
            covered.contains(&mutation.as_str()),
            "mutation {mutation} has no row in the policy matrix"
        );
    }
    assert_eq!(served.len(), covered.len(), "served {served:?}");
}
