//! One request with every guard on: timeout, body cap, redirect cap, budget, key scope, the SSRF
//! guard on every hop, redaction.

use super::CaptureOptions;
use crate::evidence::{Exchange, Redirect, Role};
use crate::identifier::{is_private_ip, same_origin};
use crate::secret::{Secret, Secrets};
use reqwest::{Client, Method, redirect::Policy};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use url::Url;

/// Which credential a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Cred {
    #[default]
    None,
    /// The user's API key.
    Key,
    /// A random well-formed key the target cannot know.
    BadKey,
    /// The disposable key given for the revocation check.
    Revocable,
    /// The live key with too little scope (`--low-scope-key`).
    LowScope,
    /// A forged token no server may accept (the negative token probes).
    Forged(super::forge::Forgery),
    /// The user's API key in the `access_token` query parameter instead of the header.
    QueryKey,
    /// A credential authspec's OAuth client holds (a token it minted, or its client
    /// authentication): the whole Authorization value is in [`Fetch::forged`], and it goes only
    /// to the resource's origin or to [`Fetch::scope`] (the authorization server's).
    Minted,
}

/// A request the plan wants made.
#[derive(Debug, Clone)]
pub struct Fetch {
    pub role: Role,
    pub method: String,
    pub url: Url,
    /// The credential; honoured only on the resource's origin (and `scope`, when set).
    pub cred: Cred,
    /// One more origin the credential may go to (the revocation endpoint, for the revocable key).
    pub scope: Option<Url>,
    pub body: Option<Vec<u8>>,
    /// Deliberate repeats of the same request are told apart by this number.
    pub seq: u32,
    /// Wait this long before sending (Retry-After, a spent RateLimit window), after the cap.
    pub delay: Duration,
    /// What the server asked for before `--max-wait` capped it.
    pub asked_delay: Duration,
    /// The Accept header, when not the default (for example the api-catalog's).
    pub accept: Option<&'static str>,
    /// Further request headers the protocol asks for (MCP's `Mcp-Method`, `MCP-Protocol-Version`).
    pub headers: Vec<(&'static str, String)>,
    /// The whole Authorization value of a [`Cred::Forged`] request.
    pub forged: Option<String>,
    /// Record a redirect as the answer instead of following it (requests with a body or a
    /// credential never follow one, whatever this says).
    pub no_follow: bool,
    /// The body's media type, when not JSON (a token request's form).
    pub content_type: Option<&'static str>,
}

impl Cred {
    /// How reports name it.
    pub fn label(self) -> &'static str {
        match self {
            Cred::None => "none",
            Cred::Key => "key",
            Cred::BadKey => "bad-key",
            Cred::Revocable => "revocable-key",
            Cred::LowScope => "low-scope-key",
            Cred::Forged(_) => "forged-token",
            Cred::QueryKey => "query-key",
            Cred::Minted => "minted",
        }
    }
}

impl Fetch {
    /// Whether a redirect to this request is followed: only for a GET or HEAD that carries
    /// neither a body nor a credential. A request with a secret or a body records the 30x as the
    /// server's answer, so neither is ever re-sent to a `Location` the server chose.
    pub fn follows_redirects(&self) -> bool {
        !self.no_follow
            && self.body.is_none()
            && self.cred == Cred::None
            && self.forged.is_none()
            && matches!(self.method.as_str(), "GET" | "HEAD")
    }

    /// A plain GET without credentials.
    pub fn get(role: Role, url: Url) -> Self {
        Fetch {
            role,
            method: "GET".into(),
            url,
            cred: Cred::None,
            scope: None,
            body: None,
            seq: 0,
            delay: Duration::ZERO,
            asked_delay: Duration::ZERO,
            accept: None,
            headers: Vec::new(),
            forged: None,
            no_follow: false,
            content_type: None,
        }
    }
}

/// Shared state of one capture's requests.
pub struct Ctx {
    pub client: Client,
    pub key: Option<Secret>,
    pub bad_key: String,
    pub revocable: Option<Secret>,
    pub low_scope: Option<Secret>,
    /// The resource: the origin keys go to, and the target the SSRF guard is about.
    pub key_origin: Url,
    /// Every secret of the run; every recorded text is scrubbed with it.
    pub secrets: Secrets,
    /// `--allow-private`.
    pub allow_private: bool,
    /// Refuse answers from private peers (a public target, no proxy in between).
    pub peer_guard: bool,
    /// Addresses the user pinned with `--resolve`: named by the user, so never refused.
    pub pinned: Vec<std::net::IpAddr>,
    pub budget: usize,
    pub sent: AtomicUsize,
    pub max_body: usize,
    pub max_redirects: usize,
    pub timeout: Duration,
    /// What authspec's OAuth client was issued, kept in clear before any recording scrubs it.
    pub oauth: std::sync::Arc<super::oauth::Vault>,
}

/// The HTTP client: rustls, no automatic redirects (each hop is checked), no compression, and
/// the SSRF guard in the resolver when `guard` is on.
pub fn build(opts: &CaptureOptions, guard: bool) -> reqwest::Result<Client> {
    let resolver = super::dns::GuardedResolver {
        guard,
        stub: opts.dns_stub.clone(),
    };
    opts.resolve
        .iter()
        .fold(Client::builder(), |b, r| b.resolve(&r.host, r.addr))
        .dns_resolver(resolver)
        .redirect(Policy::none())
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout)
        .user_agent(concat!(
            "authspec/",
            env!("CARGO_PKG_VERSION"),
            " (conformance checker)"
        ))
        .build()
}

/// `err` with its causes, which is where rustls puts "invalid peer certificate".
fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    // reqwest's top line repeats the URL the exchange already records; its causes say what happened.
    let mut parts = Vec::new();
    if err.source().is_none() {
        parts.push(err.to_string());
    }
    let mut src = err.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    parts.join(": ")
}

/// Makes the request, following redirects by hand so the key never crosses origins.
pub async fn fetch(ctx: &Ctx, f: &Fetch) -> Exchange {
    if let Some(ex) = ctx.oauth.sign_in(&f.role, &f.url).await {
        return ex;
    }
    let started = Instant::now();
    let mut ex = Exchange::new(&f.method, f.url.as_str(), vec![f.role.clone()]);
    let mut url = f.url.clone();
    let mut method = Method::from_bytes(f.method.as_bytes()).unwrap_or(Method::GET);
    let mut body = f.body.clone();
    if !f.delay.is_zero() || !f.asked_delay.is_zero() {
        tokio::time::sleep(f.delay).await;
        ex.wait = Some(crate::evidence::Wait {
            asked_s: f.asked_delay.as_secs(),
            waited_ms: u64::try_from(f.delay.as_millis()).unwrap_or(u64::MAX),
        });
    }
    let secret = ctx.secret(f.cred);
    let follow = f.follows_redirects();
    ex.credential = f.cred.label().into();
    if f.cred == Cred::QueryKey {
        // The key rides in the URL only to the resource's origin, and redirects are not followed,
        // so it can never be carried to a Location the server chose.
        let Some(k) = secret.filter(|_| same_origin(&url, &ctx.key_origin)) else {
            ex.not_fetched =
                Some("the query-string probe goes only to the resource's origin".into());
            return ex;
        };
        url.query_pairs_mut().append_pair("access_token", k);
        ex.url = ctx.redact_all(url.as_str());
    }
    for hop in 0..=ctx.max_redirects {
        if ctx.sent.fetch_add(1, Ordering::SeqCst) >= ctx.budget {
            ctx.sent.fetch_sub(1, Ordering::SeqCst);
            ex.error = Some(format!(
                "request budget exhausted (--max-requests {})",
                ctx.budget
            ));
            break;
        }
        let in_scope = same_origin(&url, &ctx.key_origin)
            || f.scope.as_ref().is_some_and(|s| same_origin(&url, s));
        let auth = match f.cred {
            Cred::Forged(_) | Cred::Minted => f.forged.clone(),
            Cred::QueryKey => None,
            _ => secret.map(|k| format!("Bearer {k}")),
        };
        let mut raw = request_headers_raw(auth.filter(|_| in_scope), body.is_some(), f.accept);
        if let Some(ct) = f.content_type {
            raw.retain(|(k, _)| *k != "content-type");
            raw.push(("content-type", ct.to_string()));
        }
        raw.extend(f.headers.iter().cloned());
        if hop == 0 {
            // The first request is the one the exchange is about; later hops are in `redirects`.
            ex.request_headers = raw
                .iter()
                .map(|(k, v)| (k.to_string(), ctx.redact_all(v)))
                .collect();
        }
        let mut req = ctx.client.request(method.clone(), url.clone());
        for (k, v) in raw {
            req = req.header(k, v);
        }
        if let Some(b) = &body {
            req = req.body(b.clone());
        }
        let resp = match tokio::time::timeout(ctx.timeout + Duration::from_millis(250), req.send())
            .await
        {
            Err(_) => {
                ex.error = Some(format!("timed out after {} ms", ctx.timeout.as_millis()));
                break;
            }
            Ok(Err(e)) => {
                ex.error = Some(if e.is_timeout() {
                    format!("timed out after {} ms", ctx.timeout.as_millis())
                } else {
                    describe(&e)
                });
                break;
            }
            Ok(Ok(r)) => r,
        };
        if let Some(why) = ctx.refused_peer(&resp, &url) {
            ex.error = Some(why);
            break;
        }
        let status = resp.status().as_u16();
        if resp.status().is_redirection()
            && follow
            && let Some(next) = resp
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok())
        {
            if hop == ctx.max_redirects {
                ex.error = Some(format!("more than {} redirects", ctx.max_redirects));
                break;
            }
            ex.redirects.push(Redirect {
                status,
                from: ctx.redact_all(url.as_str()),
                location: ctx.redact_all(next.as_str()),
            });
            if let Some(why) = ctx.refused_hop(&next) {
                ex.error = Some(why);
                break;
            }
            if status == 303 || ((status == 301 || status == 302) && method == Method::POST) {
                method = Method::GET;
                body = None;
            }
            url = next;
            continue;
        }
        record(ctx, &mut ex, resp, &url, secret).await;
        break;
    }
    ex.elapsed_ms = started.elapsed().as_millis() as u64;
    ctx.secrets.scrub_exchange(&mut ex);
    ex
}

fn request_headers_raw(
    authorization: Option<String>,
    has_body: bool,
    accept: Option<&'static str>,
) -> Vec<(&'static str, String)> {
    let mut h = vec![(
        "accept",
        accept.unwrap_or("application/json, */*;q=0.5").to_string(),
    )];
    if has_body {
        h.push(("content-type", "application/json".into()));
    }
    if let Some(a) = authorization {
        h.push(("authorization", a));
    }
    h
}

impl Ctx {
    /// The secret a credential stands for.
    fn secret(&self, cred: Cred) -> Option<&str> {
        match cred {
            Cred::None => None,
            Cred::Key => self.key.as_ref().map(Secret::expose),
            Cred::BadKey => Some(&self.bad_key),
            Cred::Revocable => self.revocable.as_ref().map(Secret::expose),
            Cred::LowScope => self.low_scope.as_ref().map(Secret::expose),
            Cred::Forged(_) | Cred::Minted => None,
            Cred::QueryKey => self.key.as_ref().map(Secret::expose),
        }
    }

    /// `text` with every secret of this run replaced by its fingerprint (HARNESS-REDACT).
    pub fn redact_all(&self, text: &str) -> String {
        self.secrets.scrub(text)
    }

    /// Why a redirect to `next` is not followed: the same rules as the first request (PRM-SSRF),
    /// on the URL as the client will connect to it. The `url` crate has already read every IPv4
    /// spelling (`0x7f.1`, `2852039166`, `0177.0.0.1`) as the address it means, and an
    /// IPv4-mapped IPv6 literal is judged as its IPv4 address.
    fn refused_hop(&self, next: &Url) -> Option<String> {
        if !matches!(next.scheme(), "http" | "https") {
            return Some(format!(
                "the redirect to {} was not followed: only http and https are",
                self.redact_all(next.as_str())
            ));
        }
        super::ssrf_refusal(&self.key_origin, next, self.allow_private).map(|why| {
            format!(
                "PRM-SSRF: the redirect to {} was not followed: {why}",
                self.redact_all(next.as_str())
            )
        })
    }

    /// Why the answer on `resp` is discarded: it came from a private, loopback or link-local
    /// address the user did not pin, while checking a public target. The URL and the resolver
    /// guards stop this before connecting; this checks what was actually connected to.
    fn refused_peer(&self, resp: &reqwest::Response, url: &Url) -> Option<String> {
        let ip = resp.remote_addr()?.ip();
        (self.peer_guard && is_private_ip(ip) && !self.pinned.contains(&ip)).then(|| {
            format!(
                "PRM-SSRF: {} answered from the private, loopback or link-local address {ip}; the answer was discarded (pass --allow-private to accept it)",
                url.host_str().unwrap_or("")
            )
        })
    }
}

async fn record(
    ctx: &Ctx,
    ex: &mut Exchange,
    mut resp: reqwest::Response,
    final_url: &Url,
    sent: Option<&str>,
) {
    ex.status = Some(resp.status().as_u16());
    if !ex.redirects.is_empty() {
        ex.final_url = Some(final_url.to_string());
    }
    ex.response_headers
        .extend(resp.headers().iter().map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        }));
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = ctx.max_body.saturating_sub(body.len());
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    ex.body_truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                ex.error = Some(format!(
                    "body read failed after {} bytes: {}",
                    body.len(),
                    describe(&e)
                ));
                ex.status = None;
                break;
            }
        }
    }
    if ex.body_truncated {
        ex.error = Some(format!(
            "body larger than --max-body ({} bytes); cut there",
            ctx.max_body
        ));
    }
    // What the server issued becomes a secret before anything records it.
    super::issued::learn(&ctx.secrets, &ex.response_headers, &body);
    // authspec's own OAuth client keeps what it was issued, and notes the token's claims.
    ctx.oauth.keep(ex, &body);
    // Echo of the credential this request carried (AUTHMD-KEY-NOT-ECHOED), then scrub every secret.
    if let Some(sent) = sent {
        ex.key_echoed = ex.response_headers.iter().any(|(_, v)| v.contains(sent))
            || body
                .windows(sent.len().max(1))
                .any(|w| w == sent.as_bytes());
    }
    // `fetch` scrubs the whole exchange before it leaves.
    ex.replace_body(body);
}
