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
    ctx.data::<Loaders>()
        .map_err(|_| AppError::internal("no loaders in request data"))
}

/// Loads one key through a DataLoader, mapping the database error to `AppError`.
pub async fn load<L>(loader: &DataLoader<L>, key: &str) -> AppResult<Option<L::Value>>
where
    L: Loader<String, Error = DbErr>,
{
    Ok(loader.load_one(key.to_string()).await?)
}
