//! Building the schema with its limits.
use super::mutation::MutationRoot;
use super::policy::RequestPolicy;
use super::query::QueryRoot;
use super::subscription::SubscriptionRoot;
use async_graphql::{Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Directives on one field.
pub const MAX_DIRECTIVES: usize = 5;

fn builder(introspection: bool) -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .limit_directives(MAX_DIRECTIVES)
    .limit_recursive_depth(32)
    .extension(RequestPolicy { introspection })
}

/// Whether webhooks may name private receivers (`SchemaOptions::webhooks_allow_private`).
#[derive(Clone, Copy)]
pub struct WebhooksAllowPrivate(pub bool);

/// How a served schema differs from the default one.
#[derive(Clone, Copy, Debug)]
pub struct SchemaOptions {
    /// Introspection (`__schema`, `__type`) answers; off, such queries are refused.
    pub introspection: bool,
    /// The test-only hooks of `query::TestHooks`; the binary never turns them on.
    pub test_hooks: bool,
    /// Webhooks may name loopback, private and link-local receivers, and plain http
    /// (`COSELL_WEBHOOK_ALLOW_PRIVATE`).
    pub webhooks_allow_private: bool,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        SchemaOptions {
            introspection: true,
            test_hooks: false,
            webhooks_allow_private: false,
        }
    }
}

pub fn build(db: DatabaseConnection, options: SchemaOptions) -> AppSchema {
    build_with_ace(
        db,
        options,
        std::sync::Arc::new(crate::ace::AceClients::new(Default::default())),
    )
}

/// The schema with the ACE clients its ACE mutations call.
pub fn build_with_ace(
    db: DatabaseConnection,
    options: SchemaOptions,
    ace: std::sync::Arc<crate::ace::AceClients>,
) -> AppSchema {
    let builder = builder(options.introspection)
        .data(db)
        .data(ace)
        .data(super::query::TestHooks(options.test_hooks))
        .data(WebhooksAllowPrivate(options.webhooks_allow_private));
    if options.introspection {
        builder.finish()
    } else {
        builder.disable_introspection().finish()
    }
}

/// The served schema in SDL.
pub fn sdl() -> String {
    builder(true)
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}
