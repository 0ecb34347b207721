//! What one GraphQL request costs, counted as it runs. The count lives in a task-local, and
//! the DataLoaders' batch tasks carry it (and the request's tracing span) with them, so a
//! statement run by a loader counts for the request that asked for it.
use futures_util::future::BoxFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tracing::Instrument;

#[derive(Default)]
pub struct RequestCost {
    statements: AtomicU32,
}

impl RequestCost {
    pub fn statements(&self) -> u32 {
        self.statements.load(Ordering::Relaxed)
    }
}

tokio::task_local! {
    static COST: Arc<RequestCost>;
}

/// Runs `work` as the request that `cost` counts.
pub async fn counted<F: std::future::Future>(cost: Arc<RequestCost>, work: F) -> F::Output {
    COST.scope(cost, work).await
}

/// A statement ran: it counts for the request running it, if any.
pub fn statement_ran() {
    let _ = COST.try_with(|cost| cost.statements.fetch_add(1, Ordering::Relaxed));
}

/// Spawns a loader's batch inside the request (and span) that started it.
pub fn spawn_in_request(work: BoxFuture<'static, ()>) -> tokio::task::JoinHandle<()> {
    let work = work.in_current_span();
    match COST.try_with(Arc::clone) {
        Ok(cost) => tokio::spawn(COST.scope(cost, work)),
        Err(_) => tokio::spawn(work),
    }
}

/// The callback every database connection reports its statements to.
pub fn observe_statement(info: &sea_orm::metric::Info<'_>) {
    statement_ran();
    super::metrics::metrics()
        .statement_seconds
        .observe(info.elapsed.as_secs_f64());
}
