//! The GraphQL API: thin resolvers over `services` (writes) and `data` (scoped reads).
pub mod connection;
pub mod ctx;
pub mod errors;
pub mod inputs;
pub mod lists;
pub mod loaders;
pub mod mutation;
pub mod nested;
pub mod policy;
pub mod query;
pub mod scalars;
pub mod schema;
pub mod subscription;
pub mod types;

pub use schema::{AppSchema, SchemaOptions, build, build_with_ace, sdl};
