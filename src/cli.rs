//! The `cosell` command: serve (default), migrate, seed-demo, token, schema.
use crate::auth::MintRequest;
use crate::config::{AceConfig, DbConfig, IdpConfig, JwtConfig, LimitsConfig, LiveConfig};
use crate::domain::enums::{Role, SegmentCode, StoredEnum};
use crate::{db, graphql, http, seed};
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};
use std::net::TcpListener;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "cosell",
    version,
    about = "GraphQL API for AWS partner co-selling (ACE)"
)]
pub struct Cli {
    #[command(flatten)]
    db: DbConfig,
    #[command(flatten)]
    jwt: JwtConfig,
    #[command(flatten)]
    idp: IdpConfig,
    #[command(flatten)]
    limits: LimitsConfig,
    #[command(flatten)]
    ace: AceConfig,
    #[command(flatten)]
    live: LiveConfig,
    /// Address to listen on.
    #[arg(
        long,
        env = "COSELL_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    listen: String,
    /// Comma-separated browser origins allowed to call the API cross-origin.
    #[arg(long, env = "COSELL_CORS_ORIGINS", value_delimiter = ',', value_parser = http::parse_origin, global = true)]
    cors_origins: Vec<String>,
    /// Comma-separated request headers browsers may send cross-origin, besides the token,
    /// the content type and what common GraphQL clients and tracing send.
    #[arg(long, env = "COSELL_CORS_HEADERS", value_delimiter = ',', value_parser = http::parse_header_name, global = true)]
    cors_headers: Vec<String>,
    /// Answer introspection queries (`__schema`, `__type`); turn off outside development to
    /// keep the schema private to those who have it.
    #[arg(long, env = "COSELL_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    introspection: bool,
    /// A manifest of trusted documents (graphql-codegen's or Relay's `{ "<id>": "<document>" }`,
    /// or Apollo's persisted query manifest): when set, only these documents run.
    #[arg(long, env = "COSELL_TRUSTED_DOCUMENTS", global = true)]
    trusted_documents: Option<std::path::PathBuf>,
    /// Log lines: `text`, or `json` for one JSON object per line (log collectors).
    #[arg(
        long,
        env = "COSELL_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    log_format: LogFormat,
    /// Serve `/metrics` on this address instead of the API's (`0.0.0.0:9464`).
    #[arg(long, env = "COSELL_METRICS_LISTEN", global = true)]
    metrics_listen: Option<String>,
    /// A bearer token Prometheus must send to read `/metrics` (none: open to whoever reaches
    /// the port).
    #[arg(
        long,
        env = "COSELL_METRICS_TOKEN",
        hide_env_values = true,
        global = true
    )]
    metrics_token: Option<String>,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "COSELL_WORKERS", global = true)]
    workers: Option<usize>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Migrate the database and serve the API (the default).
    Serve,
    /// Apply pending migrations, or roll back the last N with --down.
    Migrate {
        #[arg(long, value_name = "N")]
        down: Option<u32>,
    },
    /// Fill the database with a realistic demo data set (idempotent).
    SeedDemo {
        /// Also connect the first demo partner to ACE in this catalog (SANDBOX or AWS) and
        /// import its ACE solutions: a real catalog with the machine's AWS credentials, or the
        /// fake ACE (`cargo run --example fake_ace`) through COSELL_ACE_ENDPOINT.
        #[arg(long, value_name = "CATALOG", value_parser = parse_catalog)]
        ace: Option<crate::ace::Catalog>,
        /// The partner's role to assume (default: the server's own credentials).
        #[arg(long, requires = "ace")]
        ace_role_arn: Option<String>,
    },
    /// Mint a development token signed with the server's key.
    Token(TokenArgs),
    /// Print the served GraphQL schema (SDL).
    Schema,
    /// The ACE connection: check a partner's, or run one sync pass.
    #[command(subcommand)]
    Ace(AceCommand),
}

#[derive(Subcommand, Debug)]
enum AceCommand {
    /// Verify a partner's connection; prints the catalog and the number of ACE solutions.
    Check {
        #[arg(long)]
        partner: String,
    },
    /// Sync every connected partner once (send waiting changes, poll ACE) and exit.
    Sync {
        /// One pass, then exit (the only mode: the server runs the continuous sync).
        #[arg(long)]
        once: bool,
    },
}

#[derive(clap::Args, Debug)]
struct TokenArgs {
    /// PARTNER_USER, PARTNER_ADMIN, AWS_SELLER, PARTNER_MANAGER or ADMIN.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// The `sub` claim (default: dev-<role>).
    #[arg(long)]
    sub: Option<String>,
    /// Partner id, for PARTNER_USER and PARTNER_ADMIN.
    #[arg(long)]
    partner: Option<String>,
    /// Comma-separated segment codes, for AWS_SELLER.
    #[arg(long, value_delimiter = ',', value_parser = parse_segment)]
    segments: Vec<SegmentCode>,
    /// Comma-separated partner ids, for PARTNER_MANAGER.
    #[arg(long, value_delimiter = ',')]
    partner_ids: Vec<String>,
    /// Space-separated scopes.
    #[arg(long, default_value = "cosell:read cosell:write")]
    scope: String,
    /// Lifetime: seconds, or a number with s, m, h or d.
    #[arg(long, default_value = "12h", value_parser = crate::config::parse_duration)]
    ttl: u64,
}

fn parse_catalog(s: &str) -> Result<crate::ace::Catalog, String> {
    crate::ace::Catalog::from_code(&s.to_uppercase())
        .ok_or_else(|| format!("{s:?} is not a catalog: SANDBOX or AWS"))
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(&s.to_uppercase()).ok_or_else(|| format!("unknown role {s:?}"))
}

fn parse_segment(s: &str) -> Result<SegmentCode, String> {
    SegmentCode::parse(&s.trim().to_uppercase()).ok_or_else(|| format!("unknown segment {s:?}"))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    ignore_file_size_signal();
    // Log lines go to stderr from a thread of their own, so a request does not wait for the
    // terminal or the log collector unless that thread falls a whole buffer (128k lines)
    // behind; no line is dropped, and the guard flushes the rest at exit. Colours only for
    // a terminal: collectors get plain text, or JSON.
    let (writer, _flush_at_exit) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stderr());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let traces = match init_tracing(cli.log_format, writer, runtime.handle()) {
        Ok(traces) => traces,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    if let Some(provider) = traces {
        // The spans still batched go out before the process ends.
        let _ = provider.shutdown();
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Log lines (RUST_LOG decides which), and OpenTelemetry spans when an OTLP endpoint is set;
/// each with a filter of its own, so sea-orm's statement spans cost nothing unless exported.
fn init_tracing(
    format: LogFormat,
    writer: tracing_appender::non_blocking::NonBlocking,
    runtime: &tokio::runtime::Handle,
) -> Result<Option<opentelemetry_sdk::trace::SdkTracerProvider>, String> {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    let logs = tracing_subscriber::fmt::layer().with_writer(writer);
    let logs = match format {
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_filter(filter)
            .boxed(),
        LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_filter(filter)
            .boxed(),
    };
    let registry = tracing_subscriber::registry().with(logs);
    if !crate::telemetry::traces::wanted() {
        registry.init();
        return Ok(None);
    }
    let (spans, provider) = crate::telemetry::traces::layer(runtime.clone())?;
    registry.with(spans).init();
    Ok(Some(provider))
}

/// Past a file-size limit (`ulimit -f`) the kernel kills a process with SIGXFSZ. Ignored, the
/// write fails with EFBIG instead: SQLite reports the database as full, the request answers
/// UNAVAILABLE, and the server goes on.
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN installs no handler code.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// On SIGTERM or SIGINT (which also start the HTTP server's drain), closes the live
/// connections: the drain would otherwise wait its whole timeout for them.
async fn stop_live_on_signal(hub: std::sync::Arc<crate::live::Hub>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
    #[cfg(not(unix))]
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    hub.stop();
}

/// The ways tokens are verified: the identity provider (its keys loading in the background,
/// so the server starts while it is down) and the local secret unless turned off.
fn tokens(cli: &Cli) -> Result<crate::auth::Tokens, BoxError> {
    let provider = cli.idp.provider(&cli.jwt)?.map(std::sync::Arc::new);
    if let Some(provider) = &provider {
        tokio::spawn(provider.clone().run());
    }
    let local = cli.idp.jwt_local.unwrap_or(provider.is_none());
    let keys = if local { Some(cli.jwt.keys()?) } else { None };
    Ok(crate::auth::Tokens::new(keys, provider))
}

async fn run(cli: Cli) -> Result<(), BoxError> {
    match cli.command.as_ref().unwrap_or(&Command::Serve) {
        Command::Serve => {
            let tokens = tokens(&cli)?;
            let db = db::connect_and_migrate(&cli.db.database_url).await?;
            let listener = TcpListener::bind(&cli.listen)
                .map_err(|e| format!("cannot listen on {}: {e}", cli.listen))?;
            tracing::info!(
                "serving GraphQL on http://{}/graphql (GraphiQL at http://{}/)",
                cli.listen,
                cli.listen
            );
            let db_for_close = db.clone();
            let ace = std::sync::Arc::new(crate::ace::AceClients::new(cli.ace.settings()));
            let sync = cli.ace.ace_sync.then(|| {
                tokio::spawn(
                    crate::services::ace::worker::Worker::new(db.clone(), ace.clone()).run(),
                )
            });
            let schema = graphql::build_with_ace(
                db.clone(),
                graphql::SchemaOptions {
                    introspection: cli.introspection,
                    test_hooks: false,
                    webhooks_allow_private: cli.live.webhook_allow_private,
                },
                ace,
            );
            let hub = crate::live::start(
                &db,
                &schema,
                cli.live.live(),
                cli.live.webhooks(),
                cli.live.overdue_check(),
            )?;
            tokio::spawn(stop_live_on_signal(hub.clone()));
            let state = http::AppState {
                schema,
                db,
                tokens,
                cors_origins: cli.cors_origins.clone(),
                cors_headers: cli.cors_headers.clone(),
                loader_delay: crate::graphql::loaders::DEFAULT_DELAY,
                door: std::sync::Arc::new(http::front_door::FrontDoor::new(cli.limits.limits())),
                faults: Default::default(),
                persisted: std::sync::Arc::new(persisted_documents(
                    cli.trusted_documents.as_deref(),
                )?),
                hub,
                metrics: http::metrics::MetricsRoute {
                    elsewhere: cli.metrics_listen.is_some(),
                    token: cli.metrics_token.clone().filter(|t| !t.is_empty()),
                },
            };
            if let Some(address) = &cli.metrics_listen {
                let listener = TcpListener::bind(address)
                    .map_err(|e| format!("cannot listen on {address} for metrics: {e}"))?;
                tracing::info!("serving metrics on http://{address}/metrics");
                tokio::spawn(http::metrics::serve_apart(
                    listener,
                    state.db.clone(),
                    state.metrics.token.clone(),
                )?);
            }
            let workers = cli.workers.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2)
            });
            http::serve(listener, state, workers)?.await?;
            if let Some(sync) = sync {
                // Every step of the sync is recorded as it ends; stopping between steps loses
                // nothing (the next start resumes).
                sync.abort();
                let _ = sync.await;
            }
            // Requests have drained; close the pool so no connection outlives the runtime.
            db_for_close.close().await?;
            tracing::info!("stopped");
        }
        Command::Migrate { down } => {
            let db = db::connect(&cli.db.database_url).await?;
            match down {
                Some(n) => Migrator::down(&db, Some(*n)).await?,
                None => Migrator::up(&db, None).await?,
            }
            eprintln!("migrations done");
        }
        Command::SeedDemo { ace, ace_role_arn } => {
            let db = db::connect_and_migrate(&cli.db.database_url).await?;
            let summary = seed::run(&db).await?;
            println!("{summary}");
            if let Some(catalog) = ace {
                let clients = crate::ace::AceClients::new(cli.ace.settings());
                let connected =
                    seed::connect_ace(&db, &clients, *catalog, ace_role_arn.clone()).await?;
                println!("{connected}");
            }
        }
        Command::Token(args) => {
            // A token signed with a key the server does not have is refused on every request;
            // make none rather than a new key nobody serves with.
            if cli.jwt.jwt_secret.is_none() && !cli.jwt.jwt_secret_file.exists() {
                return Err(format!(
                    "no signing key at {}: the server creates it in its working directory on \
                     first start; run `cosell token` from that directory, or give the server's \
                     key with COSELL_JWT_SECRET or COSELL_JWT_SECRET_FILE",
                    cli.jwt.jwt_secret_file.display()
                )
                .into());
            }
            let keys = cli.jwt.keys()?;
            check_partners_exist(&cli.db.database_url, args).await?;
            match &cli.jwt.jwt_secret {
                Some(_) => eprintln!("signed with COSELL_JWT_SECRET"),
                None => eprintln!(
                    "signed with the key in {}",
                    cli.jwt.jwt_secret_file.display()
                ),
            }
            let request = MintRequest {
                subject: args
                    .sub
                    .clone()
                    .unwrap_or_else(|| format!("dev-{}", args.role.as_str().to_lowercase())),
                role: args.role,
                partner_id: args.partner.clone(),
                segments: args.segments.clone(),
                partner_ids: args.partner_ids.clone(),
                scopes: args.scope.split_whitespace().map(str::to_string).collect(),
                ttl_seconds: args.ttl,
            };
            println!("{}", keys.mint(&request)?);
        }
        Command::Schema => print!("{}", graphql::sdl()),
        Command::Ace(AceCommand::Check { partner }) => {
            let db = db::connect_and_migrate(&cli.db.database_url).await?;
            let clients = crate::ace::AceClients::new(cli.ace.settings());
            let row = crate::services::ace::connection_row(&db, partner)
                .await
                .map_err(|e| format!("{e:?}"))?
                .ok_or_else(|| format!("partner {partner} has never connected to ACE"))?;
            let connection =
                crate::services::ace::client_connection(&row).map_err(|e| format!("{e:?}"))?;
            let client = clients.client(&connection).await;
            let solutions = client
                .solutions()
                .await
                .map_err(|e| format!("ACE refused the connection: {e}"))?;
            println!(
                "partner {partner}: connected to catalog {} ({}), {} ACE solution(s), status {}",
                connection.catalog.ace_str(),
                connection
                    .role_arn
                    .as_deref()
                    .unwrap_or("the server's own credentials"),
                solutions.len(),
                row.status
            );
            db.close().await?;
        }
        Command::Ace(AceCommand::Sync { once: _ }) => {
            let db = db::connect_and_migrate(&cli.db.database_url).await?;
            let clients = std::sync::Arc::new(crate::ace::AceClients::new(cli.ace.settings()));
            crate::services::ace::worker::sync_once(db.clone(), clients)
                .await
                .map_err(|e| format!("{e:?}"))?;
            println!("ACE sync pass done");
            db.close().await?;
        }
    }
    Ok(())
}

/// Automatic persisted queries, or only the manifest's documents when one is configured.
fn persisted_documents(
    manifest: Option<&std::path::Path>,
) -> Result<http::persisted::PersistedDocuments, String> {
    let Some(path) = manifest else {
        return Ok(Default::default());
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "COSELL_TRUSTED_DOCUMENTS: cannot read {}: {e}",
            path.display()
        )
    })?;
    let documents = http::persisted::PersistedDocuments::trusted(&text)
        .map_err(|e| format!("COSELL_TRUSTED_DOCUMENTS ({}): {e}", path.display()))?;
    tracing::info!("trusted documents only, from {}", path.display());
    Ok(documents)
}

/// Refuses a token for partner ids the database does not hold (such a token sees nothing),
/// when the database can be reached without creating it; otherwise says it could not check.
async fn check_partners_exist(database_url: &str, args: &TokenArgs) -> Result<(), String> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let ids: Vec<String> = args
        .partner
        .iter()
        .chain(&args.partner_ids)
        .cloned()
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    // Never create a database to mint a token: SQLite opens an existing file only.
    let url = database_url.replace("mode=rwc", "mode=rw");
    let found = match db::connect(&url).await {
        Ok(conn) => {
            let rows = entity::partner::Entity::find()
                .filter(entity::partner::Column::Id.is_in(ids.clone()))
                .all(&conn)
                .await;
            let _ = conn.close().await;
            rows.ok()
        }
        Err(_) => None,
    };
    let Some(rows) = found else {
        eprintln!(
            "could not reach the database to check the partner ids; the token names them as given"
        );
        return Ok(());
    };
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| !rows.iter().any(|p| &p.id == *id))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "no partner {} in the database; list the partners' ids with an ADMIN token: \
         {{ partners(first: 100) {{ nodes {{ id name }} }} }}",
        missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}
