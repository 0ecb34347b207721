//! Building the schema with its limits.
use super::mutation::MutationRoot;
use super::policy::RequestPolicy;
use super::query::QueryRoot;
use async_graphql::{EmptySubscription, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Cost budget: connection fields cost `first × node`, other fields 1 (async-graphql counts
/// them before any resolver runs).
pub const MAX_COMPLEXITY: usize = 10_000;
/// Directives on one field.
pub const MAX_DIRECTIVES: usize = 5;

fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_complexity(MAX_COMPLEXITY)
    .limit_directives(MAX_DIRECTIVES)
    .limit_recursive_depth(32)
    .extension(RequestPolicy)
}

pub fn build(db: DatabaseConnection, test_hooks: bool) -> AppSchema {
    builder()
        .data(db)
        .data(super::query::TestHooks(test_hooks))
        .finish()
}

/// The served schema in SDL.
pub fn sdl() -> String {
    builder().finish().sdl()
}
