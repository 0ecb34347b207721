//! What operators see of a running server: Prometheus metrics (`metrics`), the cost of each
//! request (`request`) and OpenTelemetry traces (`traces`).
pub mod metrics;
pub mod request;
pub mod traces;

pub use metrics::metrics;
