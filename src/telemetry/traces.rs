//! OpenTelemetry traces, exported with OTLP over HTTP (protobuf) when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; the
//! standard `OTEL_*` variables (service name, headers, sampler, batch delay) apply. Spans:
//! the HTTP request (its parent taken from an incoming W3C `traceparent`), the GraphQL
//! operation, each SQL statement (sea-orm's spans: the statement's text, never its values),
//! each ACE call (the AWS SDK's operation spans) and each ACE job or poll.
use opentelemetry::propagation::Extractor;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;

/// Set once spans are exported: only then are span names formatted and `traceparent` read.
static EXPORTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Names `span` for the trace backend (`otel.name`), when spans are exported.
pub fn name(span: &tracing::Span, name: impl FnOnce() -> String) {
    if EXPORTING.load(std::sync::atomic::Ordering::Relaxed) {
        span.record("otel.name", name());
    }
}

/// Whether the environment asks for traces.
pub fn wanted() -> bool {
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()))
}

/// The spans exported: cosell's own, sea-orm's statement spans and the ACE SDK's operation
/// spans (not its internal attempt and serialisation spans).
fn exported() -> Targets {
    Targets::new()
        .with_target("cosell", tracing::Level::INFO)
        .with_target("sea_orm", tracing::Level::INFO)
        .with_target("aws_sdk_partnercentralselling", tracing::Level::DEBUG)
}

/// The exporting layer and the provider to flush at exit. The exporter's HTTP requests run on
/// `runtime` (the batch processor works on a thread of its own).
pub fn layer<S>(
    runtime: tokio::runtime::Handle,
) -> Result<(impl Layer<S> + Send + Sync, SdkTracerProvider), String>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a> + Send + Sync,
{
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_http_client(OnRuntime { client, runtime })
        .build()
        .map_err(|e| format!("OTLP exporter: {e}"))?;
    let mut resource = Resource::builder();
    if std::env::var("OTEL_SERVICE_NAME").is_err() {
        resource = resource.with_service_name("cosell");
    }
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource.build())
        .build();
    let tracer = provider.tracer("cosell");
    let layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(exported());
    EXPORTING.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok((layer, provider))
}

/// The reqwest client the server already has, driven on the server's runtime.
#[derive(Debug)]
struct OnRuntime {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl HttpClient for OnRuntime {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let client = self.client.clone();
        let sent = self.runtime.spawn(async move {
            let response = client.execute(reqwest::Request::try_from(request)?).await?;
            let mut answer = Response::builder().status(response.status().as_u16());
            for (name, value) in response.headers() {
                answer = answer.header(name.as_str(), value.as_bytes());
            }
            let body = response.bytes().await?;
            Ok::<_, HttpError>(answer.body(body)?)
        });
        sent.await?
    }
}

/// Request headers as the W3C trace-context propagator reads them.
pub struct Headers<'a>(pub &'a actix_web::http::header::HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// The span of one HTTP request, continuing the caller's trace when it sent `traceparent`.
pub fn request_span(req: &actix_web::dev::ServiceRequest) -> tracing::Span {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let span = tracing::info_span!(
        target: "cosell::http",
        "request",
        otel.name = tracing::field::Empty,
        otel.kind = "server",
        http.request.method = %req.method(),
        url.path = %req.path(),
        http.response.status_code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
    );
    if !EXPORTING.load(std::sync::atomic::Ordering::Relaxed) {
        return span;
    }
    name(&span, || format!("{} {}", req.method(), req.path()));
    let parent =
        opentelemetry::global::get_text_map_propagator(|p| p.extract(&Headers(req.headers())));
    let _ = span.set_parent(parent);
    span
}
