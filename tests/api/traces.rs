//! OpenTelemetry traces exported over OTLP/HTTP to a collector on loopback: a request that
//! carries a W3C `traceparent` continues the caller's trace, with its GraphQL operation and
//! each SQL statement beneath; an ACE call is a span of the operation that made it.
use crate::ace_processes::{connected, server_with};
use crate::fake_ace::FakeAce;
use crate::helpers::fresh_database;
use crate::otlp_collector::{Collector, Span};
use crate::process::ServerProcess;
use serde_json::json;

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

fn otel_env(collector: &Collector) -> Vec<(&'static str, String)> {
    vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint.clone()),
        // Batches leave every 100 ms instead of every 5 s.
        ("OTEL_BSP_SCHEDULE_DELAY", "100".into()),
    ]
}

async fn traced_post(server: &ServerProcess, trace: &str, query: &str) -> serde_json::Value {
    let r = server
        .client
        .post(format!("{}/graphql", server.base))
        .bearer_auth(server.admin())
        .header("traceparent", format!("00-{trace}-{CALLER_SPAN}-01"))
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn named<'a>(spans: &'a [Span], name: &str) -> &'a Span {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name}: {spans:#?}"))
}

/// Whether `span` lies beneath `ancestor` in `spans`.
fn beneath(spans: &[Span], span: &Span, ancestor: &Span) -> bool {
    let mut parent = span.parent_span_id.clone();
    while !parent.is_empty() {
        if parent == ancestor.span_id {
            return true;
        }
        parent = spans
            .iter()
            .find(|s| s.span_id == parent)
            .map_or(String::new(), |s| s.parent_span_id.clone());
    }
    false
}

#[tokio::test]
async fn a_request_continues_the_callers_trace_down_to_each_sql_statement() {
    let collector = Collector::start().await;
    let (url, _dir) = fresh_database().await;
    let env = otel_env(&collector);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = ServerProcess::start(&url, &env).await;
    server
        .create(
            "mutation { createPartner(input: { name: \"Traced Partner Ltd\" }) { id } }",
            json!({}),
        )
        .await;

    let body = traced_post(
        &server,
        TRACE,
        "query Partners { partners(first: 5) { nodes { id name segments industries } } }",
    )
    .await;
    assert_eq!(
        body["data"]["partners"]["nodes"][0]["name"],
        "Traced Partner Ltd"
    );
    let spans = collector
        .trace_when(TRACE, |spans| {
            spans.iter().any(|s| s.name == "query Partners")
                && spans
                    .iter()
                    .filter(|s| s.attributes.contains_key("db.system"))
                    .count()
                    >= 2
                && spans.iter().any(|s| s.name == "POST /graphql")
        })
        .await;

    let request = named(&spans, "POST /graphql");
    assert_eq!(
        request.parent_span_id, CALLER_SPAN,
        "the caller's span is the parent"
    );
    assert_eq!(request.kind, 2, "a server span");
    assert_eq!(request.service, "cosell");
    assert_eq!(request.attributes["http.request.method"], "POST");
    assert_eq!(request.attributes["http.response.status_code"], "200");
    let operation = named(&spans, "query Partners");
    assert_eq!(operation.parent_span_id, request.span_id);
    assert_eq!(operation.attributes["graphql.operation.type"], "query");
    let statements: Vec<&Span> = spans
        .iter()
        .filter(|s| s.attributes.contains_key("db.system"))
        .collect();
    let system = if url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    for statement in &statements {
        assert_eq!(statement.attributes["db.system"], system);
        assert_eq!(statement.kind, 3, "a client span");
        assert!(
            beneath(&spans, statement, operation),
            "{statement:#?} under the operation"
        );
        let sql = &statement.attributes["db.statement"];
        assert!(sql.to_uppercase().contains("SELECT"), "{sql}");
        assert!(
            !sql.contains("Traced Partner"),
            "values never reach a span: {sql}"
        );
    }
    // The segments and industries come from DataLoaders' own tasks: still in this trace.
    assert!(statements.len() >= 3, "{statements:#?}");

    // Without traceparent a request starts a trace of its own.
    let before: Vec<String> = collector.all().iter().map(|s| s.trace_id.clone()).collect();
    assert_eq!(
        server
            .gql("query Again { viewer { role } }", json!({}))
            .await
            .0,
        200
    );
    let fresh = collector.trace_when_any(|s| s.name == "query Again").await;
    assert!(!before.contains(&fresh.trace_id));
    let root = collector
        .all()
        .into_iter()
        .find(|s| s.trace_id == fresh.trace_id && s.name == "POST /graphql")
        .unwrap();
    assert_eq!(root.parent_span_id, "", "a root span");
}

#[tokio::test]
async fn an_ace_call_is_a_span_of_the_operation_that_made_it() {
    let collector = Collector::start().await;
    let fake = FakeAce::start().await;
    let (url, _dir) = fresh_database().await;
    let env = otel_env(&collector);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = server_with(&url, &fake, "100", &env).await;
    let (partner, _, _) = connected(&server, &fake).await;

    let trace = "0af7651916cd43dd8448eb211c80319c";
    let body = traced_post(
        &server,
        trace,
        &format!("mutation Import {{ importAceSolutions(partnerId: \"{partner}\") {{ id }} }}"),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let spans = collector
        .trace_when(trace, |spans| {
            spans.iter().any(|s| {
                s.attributes
                    .get("rpc.system")
                    .is_some_and(|v| v == "aws-api")
            }) && spans.iter().any(|s| s.name == "mutation Import")
        })
        .await;
    let call = spans
        .iter()
        .find(|s| {
            s.attributes
                .get("rpc.system")
                .is_some_and(|v| v == "aws-api")
        })
        .unwrap();
    assert_eq!(call.attributes["rpc.service"], "PartnerCentral Selling");
    assert_eq!(call.attributes["rpc.method"], "ListSolutions");
    assert!(beneath(&spans, call, named(&spans, "mutation Import")));
}
