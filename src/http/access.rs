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
        }
    }

    /// Writes the access line of the answered request.
    pub fn log<B>(self, res: &ServiceResponse<B>) {
        let graphql = res.response().extensions().get::<GraphqlAccess>().cloned();
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
}
