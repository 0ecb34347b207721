//! `clientToken` replay protection for creates (docs/domain.md, "Idempotency"): per partner and
//! operation, a token remembers the hash of the validated request and the id it created. The
//! same body replays that id; another body is a CONFLICT.
use crate::error::{AppError, AppResult};
use entity::idempotency_key;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use sha2::{Digest, Sha256};

/// Runs a create under a client token, and once more when it loses a race: two requests with
/// one token can both pass the lookup (PostgreSQL runs them side by side); the loser's insert
/// hits the key's unique index (CONFLICT), and by then the winner has committed, so the second
/// attempt replays its result.
pub async fn create_or_replay<T, F, Fut>(tokened: bool, attempt: F) -> AppResult<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = AppResult<T>>,
{
    match attempt().await {
        Err(AppError::Conflict(_)) if tokened => attempt().await,
        result => result,
    }
}

/// Longest token accepted, as ACE's `ClientToken` (`.{1,255}`).
pub const CLIENT_TOKEN_MAX: usize = 255;

/// One create under a client token.
pub struct Key<'a> {
    pub partner_id: &'a str,
    pub operation: &'static str,
    pub token: &'a str,
    /// SHA-256 of the validated request.
    pub hash: String,
}

impl<'a> Key<'a> {
    pub fn new(
        partner_id: &'a str,
        operation: &'static str,
        token: &'a str,
        request: &serde_json::Value,
    ) -> Self {
        Key {
            partner_id,
            operation,
            token,
            hash: hex::encode(Sha256::digest(request.to_string().as_bytes())),
        }
    }

    /// The id an earlier request with this token created, if any.
    pub async fn replay<C: ConnectionTrait>(&self, db: &C) -> AppResult<Option<String>> {
        let id = (
            self.partner_id.to_string(),
            self.operation.to_string(),
            self.token.to_string(),
        );
        let Some(seen) = idempotency_key::Entity::find_by_id(id).one(db).await? else {
            return Ok(None);
        };
        if seen.request_hash != self.hash {
            return Err(AppError::Conflict(
                "this clientToken was already used for a different request body".into(),
            ));
        }
        Ok(Some(seen.resource_id))
    }

    /// Remembers what this token created, in the create's transaction.
    pub async fn remember<C: ConnectionTrait>(&self, db: &C, resource_id: &str) -> AppResult<()> {
        idempotency_key::ActiveModel {
            partner_id: Set(self.partner_id.to_string()),
            operation: Set(self.operation.into()),
            client_token: Set(self.token.to_string()),
            request_hash: Set(self.hash.clone()),
            resource_id: Set(resource_id.to_string()),
            created_at: Set(crate::domain::now()),
        }
        .insert(db)
        .await?;
        Ok(())
    }
}
