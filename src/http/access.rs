//! One access line per request (`target: "cosell::access"`): address, method, path (never the
//! query string, which may carry variables), status, duration, request id, and for GraphQL the
//! operation's name and type, the subject and the outcome code, so a CONFLICT is not a plain
//! 200. Never a token, a variable or a field value.
use actix_web::HttpResponse;
use actix_web::dev::ServiceResponse;
use std::time::Instant;

/// What the GraphQL endpoint knows of a request, put in its response's extensions.
#[derive(Clone, Debug, Default)]
pub struct GraphqlAccess {
    pub operation_name: Option<String>,
    /// `query`, `mutation` or `subscription`; empty when the request never parsed.
    pub operation_type: &'static str,
    /// The token's `sub`, once verified.
    pub subject: Option<String>,
    /// `OK`, or the first error's `extensions.code`.
    pub outcome: String,
}

impl GraphqlAccess {
    pub fn attach(self, response: &mut HttpResponse) {
        response.extensions_mut().insert(self);
    }
}

/// What is known of a request before it is handled.
pub struct Arrival {
    started: Instant,
    address: String,
    method: String,
    path: String,
    _in_flight: InFlight,
}

/// Counts a request in `cosell_requests_in_flight` until it is answered or dropped.
struct InFlight;

impl InFlight {
    fn enter() -> InFlight {
        crate::telemetry::metrics().in_flight.inc();
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        crate::telemetry::metrics().in_flight.dec();
    }
}

/// The `operation` label of a route that is not GraphQL.
fn route_label(path: &str) -> &'static str {
    match path {
        "/" => "graphiql",
        "/healthz" => "healthz",
        "/readyz" => "readyz",
        "/metrics" => "metrics",
        "/graphql/ws" => "websocket",
        _ => "other",
    }
}

impl Arrival {
    pub fn of(req: &actix_web::dev::ServiceRequest) -> Arrival {
        Arrival {
            started: Instant::now(),
            address: req
                .peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default(),
            method: req.method().to_string(),
            path: req.path().to_string(),
            _in_flight: InFlight::enter(),
        }
    }

    /// Counts the answered request in the metrics and writes its access line.
    pub fn log<B>(self, res: &ServiceResponse<B>) {
        let graphql = res.response().extensions().get::<GraphqlAccess>().cloned();
        self.count(graphql.as_ref(), res.status().as_u16());
        let graphql = graphql.unwrap_or_default();
        let request_id = res
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        tracing::info!(
            target: "cosell::access",
            address = %self.address,
            method = %self.method,
            path = %self.path,
            status = res.status().as_u16(),
            duration_ms = (self.started.elapsed().as_secs_f64() * 1000.0 * 10.0).round() / 10.0,
            request_id = %request_id,
            operation_name = %graphql.operation_name.as_deref().unwrap_or(""),
            operation_type = %graphql.operation_type,
            subject = %graphql.subject.as_deref().unwrap_or(""),
            outcome = %graphql.outcome,
            "answered"
        );
    }

    fn count(&self, graphql: Option<&GraphqlAccess>, status: u16) {
        use crate::telemetry::metrics::{OperationLabels, RequestLabels};
        let metrics = crate::telemetry::metrics();
        let (operation, r#type, outcome) = match graphql {
            Some(g) => (
                metrics.operation_label(g.operation_name.as_deref()),
                if g.operation_type.is_empty() {
                    "unknown"
                } else {
                    g.operation_type
                },
                g.outcome.clone(),
            ),
            None => (
                route_label(&self.path).to_string(),
                "http",
                status.to_string(),
            ),
        };
        if outcome == "RATE_LIMITED" {
            metrics.limited("request");
        }
        let seconds = self.started.elapsed().as_secs_f64();
        metrics
            .request_seconds
            .get_or_create(&OperationLabels {
                operation: operation.clone(),
                r#type: r#type.to_string(),
            })
            .observe(seconds);
        metrics
            .requests
            .get_or_create(&RequestLabels {
                operation,
                r#type: r#type.to_string(),
                outcome,
            })
            .inc();
    }
}
