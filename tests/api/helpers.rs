//! The test harness: `TestApp::spawn()` starts the server on its own database.
#![allow(dead_code)]

use cosell::auth::{JwtKeys, MintRequest};
use cosell::domain::enums::{Role, SegmentCode};
use cosell::http::AppState;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const SECRET: &str = "test-secret-0123456789-abcdefghijklmnop";
pub const ISSUER: &str = "cosell";
pub const AUDIENCE: &str = "cosell-api";
/// The browser origin test servers allow besides their own.
pub const ALLOWED_ORIGIN: &str = "https://app.example";

pub struct TestApp {
    pub base: String,
    /// The database's URL (for the binary's own commands).
    pub url: String,
    pub client: reqwest::Client,
    pub keys: JwtKeys,
    pub db: DatabaseConnection,
    /// SQL statements the server has run so far.
    pub statements: Arc<AtomicUsize>,
    /// Their text, in order.
    pub sql: Arc<std::sync::Mutex<Vec<String>>>,
    /// Reads of events by the live feed.
    pub live_statements: Arc<AtomicUsize>,
    /// The server's live hub.
    pub hub: Arc<cosell::live::Hub>,
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL database this test made, dropped with the app.
    database: Option<String>,
}

impl Drop for TestApp {
    /// Drops the test's PostgreSQL database (its SQLite file goes with the temporary folder).
    /// The server's connections are still open, hence `WITH (FORCE)`; the drop runs on a
    /// thread of its own because the test's runtime is the one being dropped from.
    fn drop(&mut self) {
        let (Some(name), Ok(admin_url)) =
            (self.database.take(), std::env::var("TEST_DATABASE_URL"))
        else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let admin = sea_orm::Database::connect(&admin_url).await.ok()?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .ok()?;
                admin.close().await.ok()
            })
        });
        let _ = dropped.join();
    }
}

/// How a test server differs from the default one.
struct Setup {
    /// The DataLoaders' batching window.
    loader_delay: std::time::Duration,
    limits: cosell::http::front_door::Limits,
    ace: Arc<cosell::ace::AceClients>,
    persisted: cosell::http::persisted::PersistedDocuments,
    live: LiveOptions,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            loader_delay: cosell::graphql::loaders::DEFAULT_DELAY,
            limits: test_limits(),
            ace: Arc::new(cosell::ace::AceClients::new(Default::default())),
            persisted: Default::default(),
            live: LiveOptions::default(),
        }
    }
}

/// Live settings of a test server: webhooks to loopback allowed, retries and deadline checks
/// in fractions of a second.
pub struct LiveOptions {
    pub live: cosell::live::LiveSettings,
    pub webhooks: cosell::webhooks::WebhookSettings,
    pub overdue_check: std::time::Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        use std::time::Duration;
        LiveOptions {
            live: Default::default(),
            webhooks: cosell::webhooks::WebhookSettings {
                allow_private: true,
                retry_base: Duration::from_millis(200),
                max_backoff: Duration::from_secs(2),
                retry_window: Duration::from_secs(60),
                timeout: Duration::from_secs(5),
                concurrency: 8,
                poll: Duration::from_millis(100),
            },
            overdue_check: Duration::from_millis(200),
        }
    }
}

pub struct Gql {
    pub status: u16,
    pub body: Value,
}

impl Gql {
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            serde_json::to_string_pretty(&self.body).unwrap()
        );
        &self.body["data"]
    }

    /// The `extensions.code` of the first error.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.body))
    }

    pub fn error(&self) -> &Value {
        &self.body["errors"][0]
    }

    /// `[(field, code)]` of a BAD_USER_INPUT error.
    pub fn fields(&self) -> Vec<(String, String)> {
        self.error()["extensions"]["fields"]
            .as_array()
            .unwrap_or_else(|| panic!("no fields in {}", self.body))
            .iter()
            .map(|f| {
                (
                    f["field"].as_str().unwrap().to_string(),
                    f["code"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

/// A new database with every migration applied: a PostgreSQL database on TEST_DATABASE_URL's
/// server, or a SQLite file in a temporary folder (kept as long as the returned guard). Each is
/// a copy of one template migrated once per run (`CREATE DATABASE … TEMPLATE` on PostgreSQL, a
/// file copy on SQLite), so a test does not pay for the migrations.
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let template = postgres_template(&admin_url).await;
            let name = format!("cosell_test_{}", uuid::Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(&admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            let create = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
            // Concurrent copies of one template can meet "being accessed by other users".
            let mut attempts = 0;
            while let Err(err) = admin.execute_unprepared(&create).await {
                attempts += 1;
                assert!(attempts < 50, "create test database: {err}");
                tokio::time::sleep(std::time::Duration::from_millis(20 * attempts)).await;
            }
            admin.close().await.ok();
            (with_database(&admin_url, &name), None)
        }
        _ => {
            let template = sqlite_template().await;
            let dir = tempfile::tempdir().expect("temp dir");
            let file = dir.path().join("cosell.db");
            std::fs::copy(template, &file).expect("copy the template database");
            (format!("sqlite://{}?mode=rwc", file.display()), Some(dir))
        }
    }
}

fn with_database(admin_url: &str, name: &str) -> String {
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("TEST_DATABASE_URL ends in /DBNAME");
    format!("{base}/{name}")
}

/// The name of this run's migrated PostgreSQL template, made on first use.
async fn postgres_template(admin_url: &str) -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = format!("cosell_template_{}", uuid::Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create the template database");
            admin.close().await.ok();
            // A template must have no connections while it is copied: close them all.
            let db = cosell::db::connect_and_migrate(&with_database(admin_url, &name))
                .await
                .expect("migrate the template database");
            db.close().await.ok();
            name
        })
        .await
}

/// This run's migrated SQLite template file, made on first use under cargo's temporary folder
/// for integration tests (named by process, and earlier runs' files removed).
async fn sqlite_template() -> &'static std::path::Path {
    static TEMPLATE: tokio::sync::OnceCell<std::path::PathBuf> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
            if let Ok(entries) = std::fs::read_dir(dir) {
                for entry in entries.flatten() {
                    let stale = entry
                        .file_name()
                        .to_string_lossy()
                        .starts_with("cosell-template-")
                        && entry
                            .metadata()
                            .and_then(|m| m.modified())
                            .is_ok_and(|t| t.elapsed().unwrap_or_default().as_secs() > 3600);
                    if stale {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
            let file = dir.join(format!("cosell-template-{}.db", std::process::id()));
            let _ = std::fs::remove_file(&file);
            let db =
                cosell::db::connect_and_migrate(&format!("sqlite://{}?mode=rwc", file.display()))
                    .await
                    .expect("migrate the template database");
            // Closing the last connection checkpoints the WAL into the file that gets copied.
            db.close().await.ok();
            file
        })
        .await
}

/// The production limits, with rates high enough for tests that fire hundreds of requests
/// with one token; the tests of the limits themselves start servers with their own.
pub fn test_limits() -> cosell::http::front_door::Limits {
    cosell::http::front_door::Limits {
        subject_rate: 0.0,
        address_rate: 0.0,
        max_concurrent_per_subject: 16,
        ..Default::default()
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let (url, dir) = fresh_database().await;
        Self::spawn_on(&url, dir).await
    }

    /// A server whose DataLoaders gather keys for 25 ms instead of 1, for counting statements.
    ///
    /// The debug build on a machine busy with parallel tests can take longer than 1 ms to
    /// reach every item of a 50-item page (async-graphql yields after each 32 list items), and
    /// a loader then splits its batch in two. The wider window makes the count depend on the
    /// loaders' design only, not on the machine's load.
    pub async fn spawn_for_counting() -> TestApp {
        Self::spawn_with(Setup {
            loader_delay: std::time::Duration::from_millis(25),
            ..Default::default()
        })
        .await
    }

    /// A server with the given request limits.
    pub async fn spawn_with_limits(limits: cosell::http::front_door::Limits) -> TestApp {
        Self::spawn_with(Setup {
            limits,
            ..Default::default()
        })
        .await
    }

    /// Serves an existing database (migrating it first).
    pub async fn spawn_on(url: &str, dir: Option<tempfile::TempDir>) -> TestApp {
        Self::serve_with(url, dir, Setup::default()).await
    }

    /// A server connected to a fake ACE, with its background sync running (polling every
    /// 200 ms, retrying from 20 ms, under the fake's quota).
    pub async fn spawn_with_ace(fake: &crate::fake_ace::FakeAce) -> TestApp {
        Self::spawn_with_ace_settings(ace_settings(fake)).await
    }

    pub async fn spawn_with_ace_settings(settings: cosell::ace::AceSettings) -> TestApp {
        let ace = Arc::new(cosell::ace::AceClients::new(settings));
        let app = Self::spawn_with(Setup {
            ace: ace.clone(),
            ..Default::default()
        })
        .await;
        tokio::spawn(cosell::services::ace::worker::Worker::new(app.db.clone(), ace).run());
        app
    }

    /// A server with the given live settings (WebSocket limits, webhook retries).
    pub async fn spawn_with_live(live: LiveOptions) -> TestApp {
        Self::spawn_with(Setup {
            live,
            ..Default::default()
        })
        .await
    }

    /// A server that runs only the documents of `manifest` (trusted-documents mode).
    pub async fn spawn_with_trusted_documents(manifest: &str) -> TestApp {
        Self::spawn_with(Setup {
            persisted: cosell::http::persisted::PersistedDocuments::trusted(manifest)
                .expect("manifest"),
            ..Default::default()
        })
        .await
    }

    /// A server on a fresh database.
    async fn spawn_with(setup: Setup) -> TestApp {
        let (url, dir) = fresh_database().await;
        Self::serve_with(&url, dir, setup).await
    }

    async fn serve_with(url: &str, dir: Option<tempfile::TempDir>, setup: Setup) -> TestApp {
        let Setup {
            loader_delay,
            limits,
            ace,
            persisted,
            live,
        } = setup;
        let db = cosell::db::connect_and_migrate(url)
            .await
            .expect("migrate test database");
        let keys = JwtKeys::new(SECRET.as_bytes(), ISSUER, AUDIENCE).expect("test key");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let statements = Arc::new(AtomicUsize::new(0));
        let mut server_db = db.clone();
        let counter = statements.clone();
        let sql = Arc::new(std::sync::Mutex::new(Vec::new()));
        let texts = sql.clone();
        server_db.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::SeqCst);
            if let Ok(mut texts) = texts.lock() {
                texts.push(info.statement.sql.clone());
            }
        });
        let schema = cosell::graphql::build_with_ace(
            server_db.clone(),
            cosell::graphql::SchemaOptions {
                test_hooks: true,
                webhooks_allow_private: live.webhooks.allow_private,
                ..Default::default()
            },
            ace,
        );
        // The feed reads through a connection of its own, counted apart from the requests'.
        let live_statements = Arc::new(AtomicUsize::new(0));
        let mut feed_db = db.clone();
        let feed_counter = live_statements.clone();
        feed_db.set_metric_callback(move |info| {
            if info.statement.sql.contains("FROM event e") {
                feed_counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        let hub = cosell::live::start(
            &feed_db,
            &schema,
            live.live,
            live.webhooks,
            live.overdue_check,
        )
        .expect("start live work");
        let live_hub = hub.clone();
        let state = AppState {
            schema,
            db: server_db,
            tokens: cosell::auth::Tokens::local(keys.clone()),
            cors_origins: vec![ALLOWED_ORIGIN.to_string()],
            cors_headers: vec!["x-tenant-hint".to_string()],
            loader_delay,
            door: Arc::new(cosell::http::front_door::FrontDoor::new(limits)),
            faults: Default::default(),
            persisted: Arc::new(persisted),
            hub,
            metrics: Default::default(),
        };
        let server = cosell::http::serve(listener, state, 1).expect("start server");
        tokio::spawn(server);
        TestApp {
            base,
            url: url.to_string(),
            client: reqwest::Client::new(),
            keys,
            db,
            statements,
            live_statements,
            hub: live_hub,
            sql,
            _dir: dir,
            database: url
                .starts_with("postgres")
                .then(|| url.rsplit('/').next().unwrap_or_default().to_string()),
        }
    }

    /// Runs a request and returns its response with the SQL statements it ran.
    pub async fn gql_traced(
        &self,
        token: &str,
        query: &str,
        variables: Value,
    ) -> (Gql, Vec<String>) {
        let before = self.sql.lock().unwrap().len();
        let response = self.gql(token, query, variables).await;
        let all = self.sql.lock().unwrap();
        (response, all[before..].to_vec())
    }

    /// Runs a request and returns its response with the number of SQL statements it cost.
    pub async fn gql_counted(&self, token: &str, query: &str, variables: Value) -> (Gql, usize) {
        let before = self.statements.load(Ordering::SeqCst);
        let response = self.gql(token, query, variables).await;
        (response, self.statements.load(Ordering::SeqCst) - before)
    }

    /// Waits until the live feed has published every event committed so far: on PostgreSQL
    /// an event committed before a subscription can otherwise still be on its way to it.
    pub async fn settle(&self) {
        let sql = "SELECT COALESCE(MAX(seq), 0) FROM event";
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                sql,
            ))
            .await
            .unwrap()
            .unwrap();
        let newest: i64 = row.try_get_by_index(0).unwrap();
        for _ in 0..500 {
            if self.hub.read_up_to() >= newest {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the live feed did not catch up with event {newest}");
    }

    /// Reads of events the live feed has made so far.
    pub fn feed_reads(&self) -> usize {
        self.live_statements.load(Ordering::SeqCst)
    }

    pub fn mint(&self, request: &MintRequest) -> String {
        self.keys.mint(request).expect("mint token")
    }

    pub fn admin(&self) -> String {
        self.mint(&MintRequest::new(Role::Admin, "admin@example.com"))
    }

    pub fn partner_token(&self, role: Role, partner_id: &str) -> String {
        let mut req = MintRequest::new(role, &format!("{role:?}@{partner_id}").to_lowercase());
        req.partner_id = Some(partner_id.to_string());
        self.mint(&req)
    }

    pub fn partner_user(&self, partner_id: &str) -> String {
        self.partner_token(Role::PartnerUser, partner_id)
    }

    pub fn partner_admin(&self, partner_id: &str) -> String {
        self.partner_token(Role::PartnerAdmin, partner_id)
    }

    pub fn seller(&self, segments: &[SegmentCode]) -> String {
        let mut req = MintRequest::new(Role::AwsSeller, "seller@aws.example");
        req.segments = segments.to_vec();
        self.mint(&req)
    }

    pub fn manager(&self, partner_ids: &[&str]) -> String {
        let mut req = MintRequest::new(Role::PartnerManager, "pdm@aws.example");
        req.partner_ids = partner_ids.iter().map(|s| s.to_string()).collect();
        self.mint(&req)
    }

    pub fn read_only(&self, role: Role, partner_id: Option<&str>) -> String {
        let mut req = MintRequest::new(role, "reader@example.com");
        req.partner_id = partner_id.map(str::to_string);
        req.scopes = vec!["cosell:read".into()];
        self.mint(&req)
    }

    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Gql {
        let response = self
            .client
            .post(format!("{}/graphql", self.base))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let body = response.json().await.expect("JSON body");
        Gql { status, body }
    }

    /// A plain GET of a path of the server.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    /// A POST to /graphql as ADMIN with a body and content type of the caller's choosing.
    pub async fn post_raw(&self, content_type: &str, body: String) -> reqwest::Response {
        self.client
            .post(format!("{}/graphql", self.base))
            .bearer_auth(self.admin())
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Creates a partner as ADMIN and returns its id.
    pub async fn create_partner(&self, name: &str) -> String {
        let r = self
            .gql(
                &self.admin(),
                "mutation($input: CreatePartnerInput!) { createPartner(input: $input) { id } }",
                json!({ "input": { "name": name } }),
            )
            .await;
        r.data()["createPartner"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates a solution for a partner as ADMIN and returns its id.
    pub async fn create_solution(&self, partner_id: &str, name: &str, status: &str) -> String {
        let r = self
            .gql(
                &self.admin(),
                "mutation($input: CreateSolutionInput!) { createSolution(input: $input) { id } }",
                json!({ "input": { "partnerId": partner_id, "name": name, "category": "SOFTWARE_PRODUCT", "status": status } }),
            )
            .await;
        r.data()["createSolution"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Adds a customer reference to a partner as ADMIN and returns its id.
    pub async fn add_reference(&self, partner_id: &str, title: &str) -> String {
        let r = self
            .gql(
                &self.admin(),
                "mutation($input: CustomerReferenceInput!) { addCustomerReference(input: $input) { id } }",
                json!({ "input": { "partnerId": partner_id, "title": title, "customerName": "Globex", "summary": "Moved 40 workloads to AWS in 6 months." } }),
            )
            .await;
        r.data()["addCustomerReference"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// Whether this run's databases are PostgreSQL (TEST_DATABASE_URL set) rather than SQLite.
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

/// ACE settings pointing at a fake: its endpoint for ACE and STS, its static credentials, a
/// quick poll and retry, and quotas of 20 writes and 100 reads a second.
pub fn ace_settings(fake: &crate::fake_ace::FakeAce) -> cosell::ace::AceSettings {
    cosell::ace::AceSettings {
        endpoint: Some(fake.url.clone()),
        sts_endpoint: Some(fake.url.clone()),
        static_credentials: Some((
            crate::fake_ace::STATIC_KEY.into(),
            crate::fake_ace::STATIC_SECRET.into(),
        )),
        poll_interval: std::time::Duration::from_millis(200),
        retry_base: std::time::Duration::from_millis(20),
        writes_per_second: 20.0,
        reads_per_second: 100.0,
        ..Default::default()
    }
}
