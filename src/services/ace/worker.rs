//! The background sync: claims connected partners (a lease row per partner, so across
//! instances each partner's sync runs in one of them at a time), drains their outbox in order
//! and polls ACE when the interval is due. It survives a crash: work is in the database, each
//! step records itself, and an expired lease passes the partner to another instance.
use super::share::{self, Outcome};
use super::{CONNECTED, DISCONNECTED, FAILING, client_connection, outbox};
use crate::ace::{AceClients, AceError};
use crate::error::AppResult;
use entity::{ace_connection, ace_job};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, Statement,
};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

pub struct Worker {
    db: DatabaseConnection,
    clients: Arc<AceClients>,
    /// This instance's name in lease rows.
    holder: String,
}

impl Worker {
    pub fn new(db: DatabaseConnection, clients: Arc<AceClients>) -> Worker {
        Worker {
            db,
            holder: clients.instance().to_string(),
            clients,
        }
    }

    /// Runs until the task is dropped.
    pub async fn run(self) {
        let tick = self
            .clients
            .settings()
            .poll_interval
            .min(Duration::from_secs(1));
        loop {
            if let Err(err) = self.pass(true).await {
                tracing::warn!(error = ?err, "ACE sync pass failed; retrying");
            }
            tokio::time::sleep(tick).await;
        }
    }

    /// One pass over every connected partner: its due jobs, then a poll if `poll` and due.
    pub async fn pass(&self, poll: bool) -> AppResult<()> {
        let partners = self.claim().await?;
        let work = partners.into_iter().map(|c| self.partner(c, poll));
        for result in futures_util::future::join_all(work).await {
            if let Err(err) = result {
                tracing::warn!(error = ?err, "ACE sync of a partner failed");
            }
        }
        Ok(())
    }

    /// Claims (or renews) the leases of connected partners no other live instance holds.
    async fn claim(&self) -> AppResult<Vec<ace_connection::Model>> {
        let now = crate::domain::now();
        let lease = self.clients.settings().lease;
        let until = now + chrono::Duration::from_std(lease).unwrap_or_default();
        let backend = self.db.get_database_backend();
        let (sql, values) = match backend {
            // SKIP LOCKED: two instances claiming at once each take rows the other has not
            // locked, instead of waiting on them.
            DatabaseBackend::Postgres => (
                "UPDATE ace_connection SET lease_holder = $1, lease_until = $2 \
                 WHERE partner_id IN (SELECT partner_id FROM ace_connection \
                   WHERE status <> $3 AND (lease_holder IS NULL OR lease_holder = $1 OR lease_until < $4) \
                   FOR UPDATE SKIP LOCKED) \
                 RETURNING partner_id",
                vec![
                    self.holder.clone().into(),
                    until.into(),
                    DISCONNECTED.into(),
                    now.into(),
                ],
            ),
            _ => (
                "UPDATE ace_connection SET lease_holder = ?, lease_until = ? \
                 WHERE status <> ? AND (lease_holder IS NULL OR lease_holder = ? OR lease_until < ?) \
                 RETURNING partner_id",
                vec![
                    self.holder.clone().into(),
                    until.into(),
                    DISCONNECTED.into(),
                    self.holder.clone().into(),
                    now.into(),
                ],
            ),
        };
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        let ids: Vec<String> = rows
            .iter()
            .filter_map(|r| r.try_get::<String>("", "partner_id").ok())
            .collect();
        Ok(ace_connection::Entity::find()
            .filter(ace_connection::Column::PartnerId.is_in(ids))
            .all(&self.db)
            .await?)
    }

    async fn partner(&self, connection: ace_connection::Model, poll: bool) -> AppResult<()> {
        let client = self.clients.client(&client_connection(&connection)?).await;
        let started = tokio::time::Instant::now();
        let retry_base = self.clients.settings().retry_base;
        let mut last_ace_error: Option<AceError> = None;
        // The outbox, oldest first; a job waiting for its back-off holds back the ones after
        // it (the quota is the account's, and one opportunity's changes go in order).
        // A third of the lease: the pass ends (and the next renews) well before it lapses.
        let pass = self.clients.settings().lease / 3;
        while started.elapsed() < pass {
            let job = ace_job::Entity::find()
                .filter(ace_job::Column::PartnerId.eq(&connection.partner_id))
                .filter(ace_job::Column::State.eq(outbox::WAITING))
                .order_by_asc(ace_job::Column::Id)
                .one(&self.db)
                .await?;
            let Some(job) = job else { break };
            if job.next_attempt_at > crate::domain::now() {
                break;
            }
            let span = tracing::info_span!(
                "ace job",
                otel.name = tracing::field::Empty,
                ace.job.id = %job.id,
                ace.job.kind = %job.kind,
                ace.partner.id = %job.partner_id,
            );
            crate::telemetry::traces::name(&span, || format!("ACE {}", job.kind));
            let outcome = share::run(&self.db, &client, self.clients.settings(), &job)
                .instrument(span)
                .await?;
            if let Outcome::Failed(errors) = &outcome
                && errors.iter().any(|e| e.code == "AccessDeniedException")
            {
                last_ace_error = Some(AceError::AccessDenied(
                    errors
                        .first()
                        .map(|e| e.message.clone())
                        .unwrap_or_default(),
                ));
            }
            if let Outcome::Retry(err) = &outcome {
                last_ace_error = Some(err.clone());
            }
            share::finish(&self.db, &job, outcome, retry_base).await?;
        }
        let due = connection.last_polled_at.is_none_or(|at| {
            crate::domain::now() - at
                >= chrono::Duration::from_std(self.clients.settings().poll_interval)
                    .unwrap_or_default()
        });
        let mut polled = false;
        if poll && due {
            polled = true;
            let span = tracing::info_span!("ACE poll", ace.partner.id = %connection.partner_id);
            if let Err(err) = super::poll::poll_partner(&self.db, &client, &connection)
                .instrument(span)
                .await?
            {
                last_ace_error = Some(err);
            }
        }
        self.record(&connection, polled, last_ace_error).await
    }

    /// The connection's status after a pass: FAILING with ACE's reason, or CONNECTED again.
    async fn record(
        &self,
        claimed: &ace_connection::Model,
        polled: bool,
        error: Option<AceError>,
    ) -> AppResult<()> {
        // A quiet pass (no poll, no error, nothing to clear) leaves the row alone, unread: the
        // worker passes every second for every partner. Only the lease holder writes the
        // status, so the row as claimed tells whether there is a FAILING to clear.
        if !polled && error.is_none() && claimed.status != FAILING {
            return Ok(());
        }
        let Some(current) = ace_connection::Entity::find_by_id(claimed.partner_id.clone())
            .one(&self.db)
            .await?
        else {
            return Ok(());
        };
        let clears = error.is_none() && current.status == FAILING;
        if current.status == DISCONNECTED || (!polled && error.is_none() && !clears) {
            return Ok(());
        }
        let mut c = current.clone().into_active_model();
        if polled {
            c.last_polled_at = Set(Some(crate::domain::now()));
        }
        match error {
            Some(err) => {
                c.status = Set(FAILING.into());
                c.last_error = Set(Some(err.to_string()));
            }
            None if polled || clears => {
                c.status = Set(CONNECTED.into());
                c.last_error = Set(None);
            }
            None => {}
        }
        c.updated_at = Set(crate::domain::now());
        c.update(&self.db).await?;
        Ok(())
    }
}

/// Runs one pass for every connected partner and waits for its jobs to settle (the CLI's
/// `cosell ace sync --once`): jobs in back-off are retried until they end or give up.
pub async fn sync_once(db: DatabaseConnection, clients: Arc<AceClients>) -> AppResult<()> {
    let worker = Worker::new(db.clone(), clients);
    worker.pass(true).await?;
    loop {
        let waiting = ace_job::Entity::find()
            .filter(ace_job::Column::State.eq(outbox::WAITING))
            .order_by_asc(ace_job::Column::NextAttemptAt)
            .one(&db)
            .await?;
        let Some(next) = waiting else { break };
        let wait = (next.next_attempt_at - crate::domain::now())
            .to_std()
            .unwrap_or_default();
        tokio::time::sleep(wait).await;
        worker.pass(false).await?;
    }
    release(&db, &worker.holder).await
}

async fn release<C: ConnectionTrait>(db: &C, holder: &str) -> AppResult<()> {
    ace_connection::Entity::update_many()
        .col_expr(
            ace_connection::Column::LeaseHolder,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .filter(ace_connection::Column::LeaseHolder.eq(holder))
        .exec(db)
        .await?;
    Ok(())
}
