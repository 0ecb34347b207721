//! What a resolver reads from the request context.
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::graphql::loaders::Loaders;
use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{DatabaseConnection, DbErr};

pub fn viewer<'a>(ctx: &Context<'a>) -> AppResult<&'a Viewer> {
    ctx.data::<Viewer>()
        .map_err(|_| AppError::Unauthenticated("authentication required".into()))
}

pub fn db<'a>(ctx: &Context<'a>) -> AppResult<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
        .map_err(|_| AppError::internal("no database in schema data"))
}

pub fn loaders<'a>(ctx: &Context<'a>) -> AppResult<&'a Loaders> {
    if let Ok(loaders) = ctx.data::<Loaders>() {
        return Ok(loaders);
    }
    ctx.data::<LazyLoaders>()
        .map(LazyLoaders::get)
        .map_err(|_| AppError::internal("no loaders in request data"))
}

/// The loaders of a long-lived connection, made when a field first needs them: most
/// subscriptions select no nested object, and 10,000 idle connections need not hold a set
/// each.
pub struct LazyLoaders {
    db: DatabaseConnection,
    viewer: crate::auth::Viewer,
    delay: std::time::Duration,
    made: std::sync::OnceLock<Loaders>,
}

impl LazyLoaders {
    pub fn new(
        db: DatabaseConnection,
        viewer: crate::auth::Viewer,
        delay: std::time::Duration,
    ) -> Self {
        LazyLoaders {
            db,
            viewer,
            delay,
            made: std::sync::OnceLock::new(),
        }
    }

    fn get(&self) -> &Loaders {
        self.made
            .get_or_init(|| Loaders::new(&self.db, &self.viewer, self.delay))
    }
}

/// Loads one key through a DataLoader, mapping the database error to `AppError`.
pub async fn load<L>(loader: &DataLoader<L>, key: &str) -> AppResult<Option<L::Value>>
where
    L: Loader<String, Error = DbErr>,
{
    Ok(loader.load_one(key.to_string()).await?)
}
