//! The reference deployment: a real axum server shaped like JobsPipe, with faults on demand.

#[path = "as/mod.rs"]
pub mod authorization;
pub mod faults;
mod handlers;
mod ratelimit;
pub mod site;
pub mod transport;

pub use faults::{AS_FAULTS, FAULTS, Fault, LAYOUTS};
pub use site::Site;

use axum::Router;
use axum::routing::{any, post};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How to run the mock.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// The accepted API key; a fresh random `jp_live_…` key when `None`.
    pub api_key: Option<String>,
    pub faults: Vec<&'static Fault>,
    /// Requests admitted per one-second window.
    pub per_second: u32,
    /// Requests admitted per month (the free tier).
    pub monthly_quota: u32,
    /// Send the -08+ structured `RateLimit`/`RateLimit-Policy` fields instead of the legacy ones.
    pub structured_ratelimit: bool,
    /// Serve the api-catalog and OpenAPI on a second origin at this address, as the seed
    /// deployment does (its catalog lives on jobspipe.dev, its API on api.jobspipe.dev).
    pub site_addr: Option<SocketAddr>,
    /// Delay every response by this much, to measure a run against network latency on loopback.
    pub latency: std::time::Duration,
    /// Run as an MCP server: the protected endpoint is `POST /mcp` (JSON-RPC over Streamable HTTP).
    pub mcp: bool,
    /// The MCP version the server speaks: the stateless 2026-07-28 transport, or the
    /// `initialize`-and-session transport of the versions before it.
    pub mcp_version: crate::checks::McpVersion,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            api_key: None,
            faults: Vec::new(),
            per_second: 10,
            monthly_quota: 5000,
            structured_ratelimit: false,
            site_addr: None,
            latency: std::time::Duration::ZERO,
            mcp: false,
            mcp_version: crate::checks::McpVersion::default(),
        }
    }
}

/// Shared state of the running mock.
pub struct State {
    pub site: Site,
    pub routes: HashMap<String, site::Served>,
    pub api_key: String,
    /// A second key that exists to be revoked (the revocation check).
    pub revocable_key: String,
    /// A live key granted too little scope: MCP answers it 403 insufficient_scope.
    pub low_scope_key: String,
    pub revoked: Mutex<HashSet<String>>,
    /// The authorization server's memory: clients, codes, grants, tokens.
    pub oauth: authorization::Store,
    /// One limiter per key: per-second window and monthly quota.
    pub limiters: Mutex<HashMap<String, ratelimit::Limiter>>,
    /// MCP session IDs `initialize` handed out, in order.
    pub sessions: Mutex<Vec<String>>,
    per_second: u32,
    monthly_quota: u32,
}

impl State {
    fn new_limiter(&self) -> ratelimit::Limiter {
        ratelimit::Limiter::new(
            self.per_second,
            self.site.api.monthly_quota.unwrap_or(self.monthly_quota),
            std::time::Instant::now(),
        )
    }
}

/// A mock listening on a loopback port; stops when dropped or on [`RunningMock::stop`].
pub struct RunningMock {
    pub addr: SocketAddr,
    pub api_key: String,
    /// A disposable key for the revocation check.
    pub revocable_key: String,
    /// A live key without the scope the MCP tools need (`--low-scope-key`).
    pub low_scope_key: String,
    site: Site,
    servers: Vec<(oneshot::Sender<()>, JoinHandle<()>)>,
}

impl RunningMock {
    /// `http://ADDR` without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// The resource identifier the deployment claims (the URL to check).
    pub fn resource_url(&self) -> &str {
        &self.site.resource
    }
    /// Its protected endpoints, as `METHOD /path`.
    pub fn endpoints(&self) -> &[String] {
        &self.site.endpoints
    }
    /// `base` with this mock's API key (unless one is set) and its protected endpoints (unless
    /// some are given): how `check --mock` and the test harness point a capture at it.
    pub fn capture_options(
        &self,
        mut base: crate::capture::CaptureOptions,
    ) -> crate::capture::CaptureOptions {
        base.api_key = base.api_key.or_else(|| Some(self.api_key.clone()));
        base.revocable_key = base
            .revocable_key
            .or_else(|| Some(self.revocable_key.clone()));
        // The mock is ours: its key may go in a query string, so every token row is judged, and
        // with side effects allowed it fetches the CIMD probe's documents from loopback.
        base.probe_query_key = true;
        base.cimd_listen = base.cimd_listen.or(Some(([127, 0, 0, 1], 0).into()));
        if self.site.mcp_version.is_some() {
            base.low_scope_key = base
                .low_scope_key
                .or_else(|| Some(self.low_scope_key.clone()));
        }
        if base.endpoints.is_empty() {
            base.endpoints = self
                .site
                .endpoints
                .iter()
                .filter_map(|e| e.parse().ok())
                .collect();
        }
        if base.site.is_none() {
            base.site = self.site_url().and_then(|u| url::Url::parse(u).ok());
        }
        base
    }

    /// The second origin serving the catalog and OpenAPI, when there is one.
    pub fn site_url(&self) -> Option<&str> {
        self.site.site_base.as_deref()
    }

    /// Stops the servers and waits for them.
    pub async fn stop(mut self) {
        for (tx, task) in std::mem::take(&mut self.servers) {
            let _ = tx.send(());
            let _ = task.await;
        }
    }
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        for (tx, _) in std::mem::take(&mut self.servers) {
            let _ = tx.send(());
        }
    }
}

/// A fresh `jp_live_` key from the OS random source.
pub fn random_key() -> String {
    let mut b = [0u8; 16];
    // A failing OS RNG leaves zeros; the key is then merely predictable, which a local mock survives.
    let _ = getrandom::fill(&mut b);
    format!(
        "jp_live_{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    )
}

/// Binds `addr` (port 0 picks one), applies the faults and serves until stopped.
pub async fn start(addr: SocketAddr, opts: MockOptions) -> std::io::Result<RunningMock> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let site_listener = match opts.site_addr {
        Some(a) => Some(TcpListener::bind(a).await?),
        None => None,
    };
    let mut site = Site::healthy(&format!("http://{addr}"));
    if opts.mcp {
        site.make_mcp(opts.mcp_version);
    }
    if opts.structured_ratelimit {
        site.api.ratelimit = site::RateLimitStyle::Structured;
    }
    if let Some(l) = &site_listener {
        site.split_site(&format!("http://{}", l.local_addr()?));
    }
    for f in &opts.faults {
        (f.apply)(&mut site);
    }
    let api_key = opts.api_key.clone().unwrap_or_else(random_key);
    let revocable_key = random_key();
    let low_scope_key = random_key();
    let state = |routes| {
        Arc::new(State {
            routes,
            site: site.clone(),
            api_key: api_key.clone(),
            revocable_key: revocable_key.clone(),
            low_scope_key: low_scope_key.clone(),
            revoked: Mutex::new(HashSet::new()),
            oauth: authorization::Store::default(),
            limiters: Mutex::new(HashMap::new()),
            sessions: Mutex::new(Vec::new()),
            per_second: opts.per_second,
            monthly_quota: opts.monthly_quota,
        })
    };
    let latency = opts.latency;
    let mut servers = vec![serve(
        listener,
        delayed(router(state(site.routes())), latency),
    )];
    if let Some(l) = site_listener {
        let docs = Router::new()
            .fallback(handlers::document)
            .with_state(state(site.site_routes()));
        servers.push(serve(l, delayed(docs, latency)));
    }
    Ok(RunningMock {
        addr,
        api_key,
        revocable_key,
        low_scope_key,
        site,
        servers,
    })
}

/// `app` with every response delayed by `latency` (none when zero).
fn delayed(app: Router, latency: std::time::Duration) -> Router {
    if latency.is_zero() {
        return app;
    }
    app.layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| async move {
            tokio::time::sleep(latency).await;
            next.run(req).await
        },
    ))
}

/// Serves `app` on `listener` until the returned sender fires (or is dropped).
fn serve(listener: TcpListener, app: Router) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    (tx, task)
}

/// The routes: the protected API, registration endpoints, and every GET document of the site.
pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/v1/jobs/search", any(handlers::api))
        .route("/api/v1/jobs/search", any(handlers::api))
        .route("/v1/usage", any(handlers::api))
        .route("/mcp", any(handlers::mcp))
        .route("/api/v1/usage", any(handlers::api))
        .route("/agent/auth", post(handlers::register))
        .route("/agent/auth/claim", post(handlers::claim))
        .route("/agent/auth/revoke", post(handlers::revoke))
        .route(
            "/oauth/authorize",
            axum::routing::get(authorization::authorize::authorize),
        )
        .route(
            "/oauth/register",
            post(authorization::register::register_client),
        )
        .route("/oauth/token", post(authorization::token::token))
        .route("/oauth/revoke", post(authorization::revoke::revoke))
        .fallback(handlers::document)
        .with_state(state)
}
