//! The only network I/O in authspec: runs the request plan, follows discovery links, records exchanges.

pub mod cimd;
mod client;
pub mod dns;
pub mod forge;
mod issued;
pub mod oauth;
mod plan;
mod token_gate;
pub mod transport;
pub use plan::AUTHZ_REDIRECT;

pub use plan::Endpoint;

use crate::checks::Profile;
use crate::evidence::{Exchange, Role};
use crate::identifier::{is_private, same_origin};
use crate::secret::{Secret, Secrets};
use client::{Ctx, Fetch};
use plan::Plan;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use url::Url;

/// Limits and inputs of one capture. Its `Debug` shows the keys as fingerprints.
#[derive(Clone)]
pub struct CaptureOptions {
    /// Per-request timeout (connect to last body byte).
    pub timeout: Duration,
    /// Body bytes kept per response; the rest is dropped and the body marked truncated.
    pub max_body: usize,
    /// Requests a run may send in all (HARNESS-BUDGET).
    pub max_requests: usize,
    pub max_redirects: usize,
    /// The credential; sent only to the resource's origin (HARNESS-KEY-SCOPE).
    pub api_key: Option<String>,
    /// Whether `api_key` came from `--token` (`AUTHSPEC_TOKEN`): only what reports call it.
    pub key_is_token: bool,
    /// Protected endpoints to probe; the resource URL itself when empty.
    pub endpoints: Vec<Endpoint>,
    /// Follow discovered URLs to private addresses even from a public target.
    pub allow_private: bool,
    pub profile: Profile,
    /// Another origin that serves the api-catalog and OpenAPI (`--site`).
    pub site: Option<Url>,
    /// Where the OpenAPI description is, when the catalog does not say (`--openapi`).
    pub openapi: Option<Url>,
    /// Spend quota: keyed requests until a 429, then one retry after Retry-After (`--burst`).
    pub burst: bool,
    /// Allow requests that change state: registration and revocation (`--allow-side-effects`).
    pub allow_side_effects: bool,
    /// A disposable key to revoke (`--revocable-key`).
    pub revocable_key: Option<String>,
    /// A live key granted less scope than the probed methods need (`--low-scope-key`): the
    /// MCP 403 insufficient_scope challenge is judged with it, and skipped without it.
    pub low_scope_key: Option<String>,
    /// Send the API key once in the `access_token` query parameter (`--probe-query-key`).
    pub probe_query_key: bool,
    /// Serve the CIMD probe's client documents on this address (`--cimd-serve`; with
    /// `--allow-side-effects`): authorization servers that support client ID metadata documents
    /// are sent requests naming documents they must refuse.
    pub cimd_listen: Option<std::net::SocketAddr>,
    /// The public base URL that reaches `cimd_listen` (`--cimd-url`; default its own address).
    pub cimd_base: Option<Url>,
    /// Longest the harness waits for a Retry-After or a spent RateLimit window.
    pub max_wait: Duration,
    /// Told about every finished exchange (for a progress display); never affects the run.
    pub progress: Option<Progress>,
    /// The MCP specification version (`mcp` profile).
    pub mcp_version: crate::checks::McpVersion,
    /// Fixed addresses for host names, as curl's `--resolve` (a staging deployment before its
    /// DNS exists). The URL, Host header and key scope keep the name.
    pub resolve: Vec<Resolve>,
    /// JSON-RPC methods the MCP probe sends, each without credentials and with a bad token
    /// (`--mcp-method`; empty: [`default_mcp_methods`] of the version, what a client sends first).
    pub mcp_methods: Vec<String>,
    /// Fixed DNS answers in place of the system resolver (tests); still under the SSRF guard.
    pub dns_stub: Option<dns::DnsStub>,
    /// authspec's own OAuth client (`--client-id`, `--client-secret`, `--other-resource`); it
    /// runs with `--allow-side-effects`.
    pub oauth: oauth::ClientOptions,
}

impl std::fmt::Debug for CaptureOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = |k: &Option<String>| k.as_deref().map(crate::secret::fingerprint);
        f.debug_struct("CaptureOptions")
            .field("timeout", &self.timeout)
            .field("max_body", &self.max_body)
            .field("max_requests", &self.max_requests)
            .field("api_key", &key(&self.api_key))
            .field("revocable_key", &key(&self.revocable_key))
            .field("low_scope_key", &key(&self.low_scope_key))
            .field("endpoints", &self.endpoints)
            .field("allow_private", &self.allow_private)
            .field("allow_side_effects", &self.allow_side_effects)
            .field("profile", &self.profile)
            .field("resolve", &self.resolve)
            .field("oauth", &self.oauth)
            .finish_non_exhaustive()
    }
}

/// The JSON-RPC methods an MCP client of `version` sends first: servers may leave the first one
/// open and protect what follows it, so one open method never proves the endpoint unprotected.
/// MCP 2026-07-28 removed the `initialize` handshake (SEP-2575): its clients open with
/// `server/discover` or go straight to a request such as `tools/list`.
pub fn default_mcp_methods(version: crate::checks::McpVersion) -> [&'static str; 2] {
    if version >= crate::checks::McpVersion::V2026_07_28 {
        ["server/discover", "tools/list"]
    } else {
        ["initialize", "tools/list"]
    }
}

/// One `--resolve HOST:PORT:ADDRESS` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    pub host: String,
    pub addr: std::net::SocketAddr,
}

impl std::str::FromStr for Resolve {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (host, rest) = s
            .split_once(':')
            .ok_or("expected HOST:PORT:ADDRESS, e.g. api.example.com:443:10.0.0.5")?;
        let (port, addr) = rest
            .split_once(':')
            .ok_or("expected HOST:PORT:ADDRESS, e.g. api.example.com:443:10.0.0.5")?;
        let port: u16 = port
            .parse()
            .map_err(|_| format!("{port:?} is not a port"))?;
        let ip: std::net::IpAddr = addr
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| format!("{addr:?} is not an IP address"))?;
        if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() {
            return Err(format!("{host:?} is not a host name"));
        }
        Ok(Resolve {
            host: host.to_ascii_lowercase(),
            addr: (ip, port).into(),
        })
    }
}

/// The function a [`Progress`] calls.
pub type ProgressFn = dyn Fn(usize, &str) + Send + Sync;

/// A callback told `(exchanges finished, the last one's summary)`.
#[derive(Clone)]
pub struct Progress(pub Arc<ProgressFn>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress(..)")
    }
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions {
            timeout: Duration::from_secs(10),
            max_body: 2 * 1024 * 1024,
            max_requests: 150,
            max_redirects: 5,
            api_key: None,
            key_is_token: false,
            endpoints: Vec::new(),
            allow_private: false,
            profile: Profile::AuthMd,
            site: None,
            openapi: None,
            burst: false,
            allow_side_effects: false,
            revocable_key: None,
            low_scope_key: None,
            probe_query_key: false,
            cimd_listen: None,
            cimd_base: None,
            max_wait: Duration::from_secs(30),
            progress: None,
            mcp_version: crate::checks::McpVersion::default(),
            resolve: Vec::new(),
            mcp_methods: Vec::new(),
            dns_stub: None,
            oauth: oauth::ClientOptions::default(),
        }
    }
}

/// What a capture produced.
#[derive(Debug)]
pub struct Capture {
    pub exchanges: Vec<Exchange>,
    /// Requests sent on the wire (redirect hops included).
    pub requests: usize,
}

/// Errors that stop a capture before it starts.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("cannot serve the client ID metadata documents on {0}: {1}")]
    Cimd(std::net::SocketAddr, String),
    #[error("cannot listen on 127.0.0.1 for --login: {0}")]
    Login(String),
}

type Key = (String, String, client::Cred, u32);

enum Slot {
    Pending(Vec<Role>),
    Done(usize),
}

/// Captures everything the checks need from the deployment at `resource`.
pub async fn capture(resource: &Url, opts: &CaptureOptions) -> Result<Capture, CaptureError> {
    // A public target gets the guard on every name it leads to, its own included.
    let guard = !opts.allow_private && !is_private(resource);
    let client = client::build(opts, guard).map_err(|e| CaptureError::Client(e.to_string()))?;
    let secrets = Secrets::default();
    let given = |k: &Option<String>| {
        k.as_deref().filter(|k| !k.is_empty()).map(|k| {
            let s = Secret::new(k);
            secrets.add(s.clone());
            s
        })
    };
    given(&opts.oauth.client_secret);
    let login = match (opts.oauth.login, opts.allow_side_effects) {
        (Some(timeout), true) => Some(
            oauth::login::Listener::bind(timeout)
                .await
                .map_err(|e| CaptureError::Login(e.to_string()))?,
        ),
        _ => None,
    };
    let vault = Arc::new(oauth::Vault::new(secrets.clone(), login));
    let ctx = Arc::new(Ctx {
        client,
        key: given(&opts.api_key),
        bad_key: bad_key(opts.api_key.as_deref()),
        revocable: given(&opts.revocable_key),
        low_scope: given(&opts.low_scope_key),
        key_origin: resource.clone(),
        secrets: secrets.clone(),
        allow_private: opts.allow_private,
        peer_guard: guard && !behind_proxy(),
        pinned: opts.resolve.iter().map(|r| r.addr.ip()).collect(),
        budget: opts.max_requests,
        sent: AtomicUsize::new(0),
        max_body: opts.max_body,
        max_redirects: opts.max_redirects,
        timeout: opts.timeout,
        oauth: vault.clone(),
    });
    let cimd = match (opts.cimd_listen, opts.allow_side_effects) {
        (Some(addr), true) => Some(
            cimd::Server::start(addr, opts.cimd_base.clone())
                .await
                .map_err(|e| CaptureError::Cimd(addr, e.to_string()))?,
        ),
        _ => None,
    };
    let plan = Plan {
        resource,
        opts,
        cimd: cimd.as_ref().map(|c| c.base.clone()),
        minted: crate::secret::Minted::fresh(&secrets),
        oauth: vault,
    };
    let mut engine = Engine {
        ctx: ctx.clone(),
        resource: resource.clone(),
        opts,
        plan: &plan,
        slots: HashMap::new(),
        exchanges: Vec::new(),
        tasks: JoinSet::new(),
        cimd: cimd.as_ref(),
        started: Instant::now(),
    };
    let mut queue: VecDeque<(Fetch, Option<usize>)> =
        plan.initial().into_iter().map(|f| (f, None)).collect();
    // Token probes start as soon as the issuer, the resource and their target are known (the
    // token gate); the burst, which spends quota, waits until discovery is done so it cannot
    // starve it of budget. Each stage's fetches wait for the last answer before them.
    let mut stage = 0;
    let mut gate_open = false;
    loop {
        while let Some((f, after)) = queue.pop_front() {
            queue.extend(engine.schedule(f, after));
        }
        if let Some(target) = (!gate_open).then(|| engine.token_target()).flatten() {
            gate_open = true;
            queue.extend(engine.early_token_probes(target));
            if !queue.is_empty() {
                continue;
            }
        }
        match engine.tasks.join_next().await {
            Some(Ok((key, ex))) => {
                if let Some(Progress(tell)) = &opts.progress {
                    tell(engine.exchanges.len() + 1, &ex.summary());
                }
                queue.extend(engine.complete(key, ex));
            }
            Some(Err(_)) => {}
            None => match plan.after_discovery(stage, &engine.exchanges) {
                Some(next) => {
                    stage += 1;
                    let last = engine.exchanges.len().checked_sub(1);
                    queue.extend(next.into_iter().map(|f| (f, last)));
                }
                None => break,
            },
        }
    }
    engine.fail_orphans();
    let mut exchanges = engine.exchanges;
    // A secret registered late (a token in the last answer) is scrubbed from the earlier ones too.
    for ex in &mut exchanges {
        secrets.scrub_exchange(ex);
    }
    normalize(&mut exchanges);
    Ok(Capture {
        exchanges,
        requests: ctx.sent.load(Ordering::SeqCst),
    })
}

struct Engine<'o> {
    ctx: Arc<Ctx>,
    resource: Url,
    opts: &'o CaptureOptions,
    plan: &'o Plan<'o>,
    slots: HashMap<Key, Slot>,
    exchanges: Vec<Exchange>,
    tasks: JoinSet<(Key, Exchange)>,
    cimd: Option<&'o cimd::Server>,
    /// The run's start: every exchange records its start as an offset from it.
    started: Instant,
}

impl Engine<'_> {
    /// Starts `f` unless the same (method, URL, credential) is already known; returns follow-ups
    /// that became known at once (a repeat of a finished fetch under a new role). `after` is the
    /// exchange whose answer `f` waited for.
    fn schedule(&mut self, f: Fetch, after: Option<usize>) -> Vec<(Fetch, Option<usize>)> {
        let key: Key = (f.method.clone(), f.url.to_string(), f.cred, f.seq);
        match self.slots.get_mut(&key) {
            Some(Slot::Pending(roles)) => {
                if !roles.contains(&f.role) {
                    roles.push(f.role);
                }
                Vec::new()
            }
            Some(Slot::Done(i)) => {
                let i = *i;
                if self.exchanges[i].roles.contains(&f.role) {
                    return Vec::new();
                }
                self.exchanges[i].roles.push(f.role.clone());
                self.plan
                    .follow_ups(&f.role, &self.exchanges[i])
                    .into_iter()
                    .map(|next| (next, Some(i)))
                    .collect()
            }
            None => {
                let started_ms = Some(self.offset_ms());
                if let Some(reason) = self.refuse(&f) {
                    let mut ex = Exchange::new(&f.method, f.url.as_str(), vec![f.role]);
                    ex.not_fetched = Some(reason);
                    ex.started_ms = started_ms;
                    ex.after = after;
                    self.slots.insert(key, Slot::Done(self.exchanges.len()));
                    self.exchanges.push(ex);
                    return Vec::new();
                }
                self.slots
                    .insert(key.clone(), Slot::Pending(vec![f.role.clone()]));
                let ctx = self.ctx.clone();
                self.tasks.spawn(async move {
                    let mut ex = client::fetch(&ctx, &f).await;
                    ex.started_ms = started_ms;
                    ex.after = after;
                    (key, ex)
                });
                Vec::new()
            }
        }
    }

    /// Milliseconds since the run started.
    fn offset_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Roles of the fetches still on their way.
    fn pending_roles(&self) -> Vec<&Role> {
        self.slots
            .values()
            .filter_map(|s| match s {
                Slot::Pending(roles) => Some(roles),
                Slot::Done(_) => None,
            })
            .flatten()
            .collect()
    }

    /// Where the token probes go, once their inputs are settled (see [`token_gate`]) while
    /// discovery runs.
    fn token_target(&self) -> Option<(String, Fetch)> {
        token_gate::target(self.plan, &self.exchanges, &self.pending_roles())
    }

    /// The token probes, started before discovery is done, each waiting for the last answer so far;
    /// none when the budget is tight: then they wait for discovery, which they must not starve
    /// (HARNESS-BUDGET). The budget counts as tight when what is left after them is less than
    /// what the run has used so far, so discovery could not even double.
    fn early_token_probes(&self, (endpoint, base): (String, Fetch)) -> Vec<(Fetch, Option<usize>)> {
        if self.tasks.is_empty() {
            // Nothing is on its way: the stage after discovery sends them, as it always did.
            return Vec::new();
        }
        let probes = self.plan.token_probes_at(&self.exchanges, endpoint, base);
        let used = self.ctx.sent.load(Ordering::SeqCst) + self.tasks.len();
        if self.ctx.budget.saturating_sub(used + probes.len()) < used {
            return Vec::new();
        }
        let last = self.exchanges.len().checked_sub(1);
        probes.into_iter().map(|f| (f, last)).collect()
    }

    /// The SSRF guard (PRM-SSRF): a public target's documents may not send us to private hosts.
    /// And the disposable key goes only to the resource's origin or to the origin of the issuer
    /// whose metadata named the endpoint, an issuer the PRM names (HARNESS-KEY-SCOPE).
    fn refuse(&self, f: &Fetch) -> Option<String> {
        if f.cred == client::Cred::Revocable
            && !same_origin(&f.url, &self.resource)
            && !f.scope.as_ref().is_some_and(|s| same_origin(&f.url, s))
        {
            return Some(format!(
                "the disposable --revocable-key goes only to the resource's origin or to an issuer the PRM names, and {} is on neither (HARNESS-REVOCABLE-SCOPE)",
                f.url.origin().ascii_serialization()
            ));
        }
        ssrf_refusal(&self.resource, &f.url, self.opts.allow_private)
    }

    fn complete(&mut self, key: Key, mut ex: Exchange) -> Vec<(Fetch, Option<usize>)> {
        let roles = match self.slots.remove(&key) {
            Some(Slot::Pending(r)) => r,
            _ => Vec::new(),
        };
        ex.roles = roles.clone();
        self.note_document_fetch(&mut ex);
        let i = self.exchanges.len();
        self.exchanges.push(ex);
        self.slots.insert(key, Slot::Done(i));
        let mut next: Vec<Fetch> = roles
            .iter()
            .flat_map(|r| self.plan.follow_ups(r, &self.exchanges[i]))
            .collect();
        // The OAuth client's next step reads what discovery found so far, not only this answer.
        for r in &roles {
            next.extend(oauth::follow_ups(
                self.plan,
                r,
                &self.exchanges[i],
                &self.exchanges,
            ));
        }
        next.into_iter().map(|f| (f, Some(i))).collect()
    }

    /// On a CIMD probe, records whether the authorization server fetched the document it named:
    /// a refusal without a fetch is a refusal for some other reason.
    fn note_document_fetch(&self, ex: &mut Exchange) {
        let Some(server) = self.cimd else { return };
        let wrong = ex.roles.iter().find_map(|r| match r {
            Role::CimdProbe { wrong, .. } => cimd::Wrong::from_slug(wrong),
            _ => None,
        });
        if let Some(w) = wrong {
            ex.response_headers.push((
                crate::evidence::DOCUMENT_FETCHED.into(),
                server.fetched(w).to_string(),
            ));
        }
    }

    /// Records fetches whose task died (it never should) so no role silently disappears.
    fn fail_orphans(&mut self) {
        let pending: Vec<(Key, Vec<Role>)> = self
            .slots
            .iter()
            .filter_map(|(k, s)| match s {
                Slot::Pending(r) => Some((k.clone(), r.clone())),
                Slot::Done(_) => None,
            })
            .collect();
        for ((method, url, _, _), roles) in pending {
            let mut ex = Exchange::new(&method, &url, roles);
            ex.error = Some("internal error: the request task ended without a result".into());
            self.exchanges.push(ex);
        }
    }
}

/// The SSRF guard (PRM-SSRF): why `url`, found while checking `resource`, is not fetched, if it is
/// not. A public target's documents may not send the harness to private, loopback or link-local
/// hosts (cloud metadata services among them) unless the user allows it.
pub fn ssrf_refusal(resource: &Url, url: &Url, allow_private: bool) -> Option<String> {
    let discovered = !same_origin(url, resource);
    (discovered && !allow_private && !is_private(resource) && is_private(url)).then(|| {
        format!(
            "{} is a private, loopback or link-local address named by a public target (PRM-SSRF; pass --allow-private to follow it)",
            url.host_str().unwrap_or("")
        )
    })
}

/// Whether requests may go through a proxy (reqwest honours these variables): the connected
/// peer is then the proxy, not the server, and says nothing about where the answer came from.
fn behind_proxy() -> bool {
    ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some() || std::env::var_os(v.to_lowercase()).is_some())
}

/// A random well-formed key with the real key's prefix (`jp_live_` when there is none).
fn bad_key(real: Option<&str>) -> String {
    let prefix = real
        .and_then(|k| k.rfind('_').filter(|i| *i < k.len() / 2).map(|i| &k[..=i]))
        .unwrap_or("jp_live_");
    let mut b = [0u8; 16];
    // Without OS randomness the key is merely predictable; it is still one no server issued.
    let _ = getrandom::fill(&mut b);
    format!(
        "{prefix}authspec{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    )
}

/// Orders exchanges and their roles deterministically and numbers them; `after` follows the
/// renumbering.
fn normalize(exchanges: &mut [Exchange]) {
    for (i, ex) in exchanges.iter_mut().enumerate() {
        // The capture order, which `after` refers to until the renumbering below.
        ex.id = i;
        ex.roles
            .sort_by_key(|r| (plan::role_rank(r), r.label(), format!("{r:?}")));
        ex.roles.dedup();
    }
    exchanges.sort_by(|a, b| {
        // The tie-break keeps concurrent probes of one URL (the forged tokens) in one order.
        let ka = (a.roles.first().map(plan::role_rank), &a.url, &a.method);
        let kb = (b.roles.first().map(plan::role_rank), &b.url, &b.method);
        let ka = (ka, a.roles.first().map(plan::role_tiebreak));
        let kb = (kb, b.roles.first().map(plan::role_tiebreak));
        ka.cmp(&kb)
    });
    let mut renumbered = vec![0; exchanges.len()];
    for (i, ex) in exchanges.iter().enumerate() {
        renumbered[ex.id] = i;
    }
    for (i, ex) in exchanges.iter_mut().enumerate() {
        ex.id = i;
        ex.after = ex.after.and_then(|a| renumbered.get(a).copied());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_debug_shows_no_key() {
        let opts = CaptureOptions {
            api_key: Some("jp_live_debugDEBUGdebug0001".into()),
            revocable_key: Some("jp_live_debugREVOKEdebug0002".into()),
            ..CaptureOptions::default()
        };
        let shown = format!("{opts:?}");
        assert!(!shown.contains("jp_live_debug"), "{shown}");
        assert!(shown.contains("‹redacted sha256:"), "{shown}");
    }

    #[test]
    fn ssrf_guard() {
        let u = |s: &str| Url::parse(s).unwrap();
        let public = u("https://api.example.com");
        assert!(
            ssrf_refusal(
                &public,
                &u("http://169.254.169.254/latest/meta-data"),
                false
            )
            .is_some()
        );
        assert!(ssrf_refusal(&public, &u("https://10.0.0.5/jwks"), false).is_some());
        assert!(ssrf_refusal(&public, &u("https://localhost/jwks"), false).is_some());
        assert!(
            ssrf_refusal(&public, &u("https://10.0.0.5/jwks"), true).is_none(),
            "--allow-private"
        );
        assert!(ssrf_refusal(&public, &u("https://auth.example.com/jwks"), false).is_none());
        let local = u("http://127.0.0.1:8080");
        assert!(
            ssrf_refusal(&local, &u("http://127.0.0.1:9090/jwks"), false).is_none(),
            "a local target may use local hosts"
        );
    }
}
