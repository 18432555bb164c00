//! Recorded exchanges tagged with roles: the only input a check ever sees.

use crate::finding::Finding;
use crate::parse::json::{self, Json, JsonError};
use crate::parse::mediatype::MediaType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::OnceLock;
use url::Url;

/// Why an exchange was made; one exchange can serve several roles (HARNESS-ONE-FETCH).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(tag = "role", rename_all = "kebab-case")]
pub enum Role {
    /// A protected endpoint requested without credentials.
    ProbeUnauth { endpoint: String },
    /// A protected endpoint requested with the user's API key.
    ProbeAuth { endpoint: String },
    /// PRM at `wk(R)`.
    Prm,
    /// PRM at the origin root (only fetched when `R` has a path).
    PrmRoot,
    /// PRM at the path-inserted URL that keeps `R`'s terminating slash.
    PrmUnstripped,
    /// PRM at the URL a `resource_metadata` challenge parameter named.
    PrmHinted { hinted_by: String },
    /// AS metadata at `wk(issuer)` for an issuer the PRM names.
    Asm { issuer: String },
    /// AS metadata at the slash-keeping variant of `wk(issuer)`.
    AsmUnstripped { issuer: String },
    /// AS metadata at the resource origin's well-known URL (auth-md contract).
    AsmAtOrigin,
    /// A JWK Set named by the `jwks_uri` of the document at `named_by`.
    Jwks { named_by: String },
    /// A protected endpoint requested with a random well-formed key.
    ProbeBadKey { endpoint: String },
    /// The second keyed request to an endpoint (does remaining count down?).
    ProbeAuthRepeat { endpoint: String },
    /// The n-th keyed request of `--burst`.
    Burst { n: u32 },
    /// The keyed request sent after waiting out the burst's 429.
    BurstRetry,
    /// GET of the api-catalog on an origin.
    Catalog { origin: String },
    /// HEAD of the api-catalog on an origin.
    CatalogHead { origin: String },
    /// An OpenAPI description, found through a catalog `service-desc` link or `--openapi`.
    OpenApi { found_via: String },
    /// POST to the agent_auth `register_uri` (`--allow-side-effects`).
    Register,
    /// Revocation of the disposable key at `revocation_uri`.
    Revoke,
    /// A request with the revoked key.
    RevokedProbe { endpoint: String },
    /// OpenID Connect discovery for an issuer, `form` `inserted` or `appended` (ASM-OIDC-COMPAT).
    AsmOidc { issuer: String, form: String },
    /// A protected endpoint requested with a forged token (`forgery`: `alg-none`, `expired`, …).
    ProbeForged { endpoint: String, forgery: String },
    /// A protected endpoint requested with the API key in the `access_token` query parameter.
    ProbeQueryKey { endpoint: String },
    /// A protected endpoint requested with the live key that lacks the needed scope.
    ProbeLowScope { endpoint: String },
    /// The auth.md document an `agent_auth.skill` in the AS metadata at `named_by` points to.
    AgentSkill { named_by: String },
    /// An authorization request naming a client ID metadata document authspec serves wrong on
    /// purpose (`wrong`: `client-id-mismatch` or `redirect-uri-mismatch`), to `issuer`'s AS.
    CimdProbe { issuer: String, wrong: String },
    /// A client registered (RFC 7591) at `issuer`'s AS to make one authorization request to its
    /// `authorize` endpoint, with `--allow-side-effects`.
    DcrProbe { issuer: String, authorize: String },
    /// The authorization request of that client, its redirect recorded, never followed.
    AuthzProbe { issuer: String },
    /// An MCP method requested with the valid credential (`--token`, else `--api-key`): it must
    /// not be refused.
    ProbeValidToken { endpoint: String },
    /// An MCP transport-security probe (`probe`: `origin`, `version-keyed`, `session-a`, …; see
    /// `capture::transport`) sending the JSON-RPC `method`.
    Transport { probe: String, method: String },
    /// A cross-origin read of the discovery document at `document`, as a browser makes it
    /// (`kind`: `preflight`, the OPTIONS; `get`, the GET carrying Origin).
    Cors { document: String, kind: String },
    /// One exchange of authspec's own OAuth client (`--allow-side-effects`, issue 19): `step` is
    /// `register`, `authorize`, `token`, `refresh`, `old-refresh`, `code-reuse`, `use` or
    /// `revoke`; `purpose` is the grant it serves (`main`, `other-audience`, `low-scope`, `dpop`,
    /// `pkce-missing`, `pkce-wrong`, `code-reuse`, `redirect-path`, …; see `capture::oauth`).
    #[serde(rename = "oauth")]
    OAuth { step: String, purpose: String },
}

impl Role {
    /// Short label used in reports: `prm`, `asm(https://as.example)`, ...
    pub fn label(&self) -> String {
        match self {
            Role::ProbeUnauth { endpoint } => format!("probe-unauth({endpoint})"),
            Role::ProbeAuth { endpoint } => format!("probe-auth({endpoint})"),
            Role::Prm => "prm".into(),
            Role::PrmRoot => "prm-root".into(),
            Role::PrmUnstripped => "prm-unstripped".into(),
            Role::PrmHinted { .. } => "prm-hinted".into(),
            Role::Asm { issuer } => format!("asm({issuer})"),
            Role::AsmUnstripped { issuer } => format!("asm-unstripped({issuer})"),
            Role::AsmAtOrigin => "asm-origin".into(),
            Role::Jwks { .. } => "jwks".into(),
            Role::ProbeBadKey { endpoint } => format!("probe-badkey({endpoint})"),
            Role::ProbeAuthRepeat { endpoint } => format!("probe-auth-repeat({endpoint})"),
            Role::Burst { n } => format!("burst({n})"),
            Role::BurstRetry => "burst-retry".into(),
            Role::Catalog { origin } => format!("catalog({origin})"),
            Role::CatalogHead { origin } => format!("catalog-head({origin})"),
            Role::OpenApi { .. } => "openapi".into(),
            Role::Register => "register".into(),
            Role::Revoke => "revoke".into(),
            Role::RevokedProbe { endpoint } => format!("revoked-probe({endpoint})"),
            Role::AsmOidc { issuer, form } => format!("oidc-{form}({issuer})"),
            Role::ProbeForged { endpoint, forgery } => {
                format!("probe-forged-{forgery}({endpoint})")
            }
            Role::ProbeQueryKey { endpoint } => format!("probe-query-key({endpoint})"),
            Role::ProbeLowScope { endpoint } => format!("probe-low-scope({endpoint})"),
            Role::AgentSkill { .. } => "agent-skill".into(),
            Role::CimdProbe { wrong, .. } => format!("cimd-probe({wrong})"),
            Role::DcrProbe { .. } => "dcr-probe".into(),
            Role::AuthzProbe { .. } => "authz-probe".into(),
            Role::ProbeValidToken { endpoint } => format!("probe-valid-token({endpoint})"),
            Role::Transport { probe, method } => format!("transport-{probe}({method})"),
            Role::Cors { kind, .. } => format!("cors-{kind}"),
            Role::OAuth { step, purpose } => format!("oauth-{step}({purpose})"),
        }
    }
}

/// The endpoint label of an MCP probe: `POST /mcp [tools/list]`.
pub fn mcp_endpoint(path: &str, method: &str) -> String {
    format!("POST {path} [{method}]")
}

/// The JSON-RPC method an MCP probe's endpoint label names.
pub fn mcp_method_of(endpoint: &str) -> Option<&str> {
    endpoint
        .strip_suffix(']')?
        .rsplit_once(" [")
        .map(|(_, m)| m)
}

/// The JSON-RPC method of an MCP probe exchange.
fn probe_method(ex: &Exchange) -> Option<&str> {
    ex.roles.iter().find_map(|r| match r {
        Role::ProbeUnauth { endpoint } | Role::ProbeBadKey { endpoint } => mcp_method_of(endpoint),
        _ => None,
    })
}

/// A header authspec adds to a CIMD probe's recorded answer: whether the authorization server
/// fetched the client document the request named (`true` or `false`).
pub const DOCUMENT_FETCHED: &str = "x-authspec-client-document-fetched";

/// A header authspec adds to a token response it recorded: the claims of the JWT access token
/// it carried (header `typ` and `alg`, then the payload), decoded before the token itself was
/// scrubbed, so judges can read `aud`, `scope` and `cnf` of a token they never see. Absent when
/// the token is not a JWT.
pub const TOKEN_CLAIMS: &str = "x-authspec-access-token-claims";

/// Suffix of probe endpoints that are the resource URL itself, probed for want of a known endpoint.
pub const GUESSED: &str = " (resource URL)";

/// Where an exchange came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    #[default]
    Live,
    /// A document given to `lint`: it has no real status line or media type.
    File,
}

/// A redirect the client followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    pub status: u16,
    pub from: String,
    pub location: String,
}

/// A wait before a request: what the server asked for and what `--max-wait` allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wait {
    /// Seconds the server asked for (Retry-After or the reset of a spent window).
    pub asked_s: u64,
    /// Milliseconds the harness actually waited.
    pub waited_ms: u64,
}

impl Wait {
    /// The harness waited less than asked.
    pub fn capped(&self) -> bool {
        self.waited_ms < self.asked_s.saturating_mul(1000)
    }
}

/// One recorded request and what came back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exchange {
    pub id: usize,
    pub roles: Vec<Role>,
    pub method: String,
    pub url: String,
    /// The credential the request carried: `none`, `key`, `bad-key` or `revocable-key`.
    #[serde(default)]
    pub credential: String,
    /// Request headers with the credential redacted (HARNESS-REDACT).
    pub request_headers: Vec<(String, String)>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    #[serde(with = "body_text")]
    pub body: Vec<u8>,
    /// The body was longer than `--max-body` and was cut there.
    pub body_truncated: bool,
    /// Transport failure: timeout, refused connection, too many redirects, budget exhausted.
    pub error: Option<String>,
    /// Deliberately not requested (for example the SSRF guard); the reason.
    pub not_fetched: Option<String>,
    pub redirects: Vec<Redirect>,
    /// Where the answer finally came from, when a redirect was followed (redacted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    pub elapsed_ms: u64,
    pub source: Source,
    /// The response echoed the credential that was sent (it has been scrubbed from `body`).
    pub key_echoed: bool,
    /// The harness waited before sending (Retry-After, a spent window): asked and actually waited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Wait>,
    /// When the request started, in ms from the run's start (a wait before sending, if any, is
    /// inside `elapsed_ms`); none for evidence that was not captured live by this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_ms: Option<u64>,
    /// The exchange (by id) whose answer this request waited for: the one that named its URL, or
    /// the last input its target or credential needed. None for the requests a run starts with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<usize>,
    #[serde(skip)]
    parsed: OnceLock<Result<Json, JsonError>>,
}

mod body_text {
    //! Bodies are stored as text when they are UTF-8, else as base64 under a `base64:` prefix.
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(b) {
            Ok(t) if !t.starts_with("base64:") => s.serialize_str(t),
            _ => s.serialize_str(&format!("base64:{}", STANDARD.encode(b))),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let t = String::deserialize(d)?;
        match t.strip_prefix("base64:") {
            Some(b) => STANDARD.decode(b).map_err(serde::de::Error::custom),
            None => Ok(t.into_bytes()),
        }
    }
}

impl Exchange {
    /// A blank exchange for `method url`, to be filled in by capture or lint.
    pub fn new(method: &str, url: &str, roles: Vec<Role>) -> Self {
        Exchange {
            id: 0,
            roles,
            method: method.to_string(),
            url: url.to_string(),
            credential: "none".into(),
            request_headers: Vec::new(),
            status: None,
            response_headers: Vec::new(),
            body: Vec::new(),
            body_truncated: false,
            error: None,
            not_fetched: None,
            redirects: Vec::new(),
            final_url: None,
            elapsed_ms: 0,
            source: Source::Live,
            key_echoed: false,
            wait: None,
            started_ms: None,
            after: None,
            parsed: OnceLock::new(),
        }
    }

    /// Replaces the body (the scrubbed one), dropping what was parsed from the old one.
    pub fn replace_body(&mut self, body: Vec<u8>) {
        self.body = body;
        self.parsed = OnceLock::new();
    }

    /// Every value of response header `name` (case-insensitive), in order.
    pub fn headers<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        let name = name.to_string();
        self.response_headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(&name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of response header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers(name).next()
    }

    /// The parsed `Content-Type`, if one was sent and parses.
    pub fn media_type(&self) -> Option<MediaType> {
        self.header("content-type").and_then(MediaType::parse)
    }

    /// The body as JSON, parsed once.
    pub fn json(&self) -> Result<&Json, &JsonError> {
        self.parsed.get_or_init(|| json::parse(&self.body)).as_ref()
    }

    /// Records the document as read from another notation (a YAML description given to lint):
    /// judges read it, while the body, and so every position, stays as given.
    pub fn set_document(&mut self, read: Result<Json, JsonError>) {
        self.parsed = OnceLock::from(read);
    }

    /// For an exchange the harness refused to make (the SSRF guard): the finding that says so. It
    /// is no-input, so a MUST that needed the document leaves the run incomplete.
    pub fn refused(&self) -> Option<Finding> {
        self.not_fetched
            .as_ref()
            .map(|r| Finding::no_input(format!("not fetched: {r}")).on(self))
    }

    /// Why this exchange says nothing about the server, when that is so: it got no answer (transport
    /// failure, budget, redirect cap), was refused by the SSRF guard, or its body was cut at the cap.
    pub fn tool_limit(&self) -> Option<String> {
        if let Some(r) = &self.not_fetched {
            return Some(format!("{} {} not fetched: {r}", self.method, self.url));
        }
        if let Some(e) = &self.error
            && self.tls_failure().is_none()
        {
            return Some(format!("{} {}: {e}", self.method, self.url));
        }
        self.body_truncated.then(|| {
            format!(
                "{} {}: the body was cut at --max-body ({} bytes read)",
                self.method,
                self.url,
                self.body.len()
            )
        })
    }

    /// The TLS error of this exchange, when its transport failed in the handshake or on the
    /// certificate: that is the server's own answer about its identity, judged by the TLS rows.
    pub fn tls_failure(&self) -> Option<&str> {
        let err = self.error.as_deref()?;
        let lower = err.to_ascii_lowercase();
        (lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake"))
            .then_some(err)
    }

    /// `METHOD URL -> status` for messages.
    pub fn summary(&self) -> String {
        match (self.status, &self.error, &self.not_fetched) {
            (Some(s), _, _) => format!("{} {} -> {}", self.method, self.url, s),
            (None, Some(e), _) => format!("{} {} -> error: {}", self.method, self.url, e),
            (None, None, Some(r)) => format!("{} {} -> not fetched: {}", self.method, self.url, r),
            _ => format!("{} {}", self.method, self.url),
        }
    }

    pub fn has_role(&self, f: impl Fn(&Role) -> bool) -> bool {
        self.roles.iter().any(f)
    }

    /// A probe of the resource URL made because no protected endpoint was known.
    pub fn is_guessed_probe(&self) -> bool {
        self.roles.iter().any(|r| match r {
            Role::ProbeUnauth { endpoint }
            | Role::ProbeBadKey { endpoint }
            | Role::ProbeAuth { endpoint } => endpoint.ends_with(GUESSED),
            _ => false,
        })
    }
}

/// Which kind of input a run judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A live capture of a deployment.
    Live,
    /// One document file given to `lint`.
    Lint,
}

/// A successfully fetched JSON object document.
#[derive(Clone, Copy)]
pub struct Doc<'a> {
    pub ex: &'a Exchange,
    pub json: &'a Json,
    pub obj: &'a Map<String, Value>,
}

impl<'a> Doc<'a> {
    /// The member `name` of the top-level object.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.obj.get(name)
    }
    pub fn str(&self, name: &str) -> Option<&'a str> {
        self.obj.get(name).and_then(Value::as_str)
    }
}

/// A document a check wants to judge, or the reason it cannot.
pub enum Subject<'a> {
    Doc(Doc<'a>),
    Absent(Finding),
}

/// Everything a run knew: the target, the profile and the recorded exchanges.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The resource identifier `R` exactly as the user gave it (or as lint derived it).
    pub resource: String,
    pub resource_url: Url,
    pub profile: crate::profile::Profile,
    pub mode: Mode,
    /// Whether the user gave an API key (authenticated probes were possible).
    pub api_key_given: bool,
    pub exchanges: Vec<Exchange>,
    /// The MCP specification version judged against (used by the `mcp` profile's rows).
    pub mcp_version: crate::profile::McpVersion,
}

impl Evidence {
    /// Exchanges holding a role that matches `f`, leaving out a keyed probe's 429 that its
    /// retry after Retry-After replaced.
    pub fn with_role(&self, f: impl Fn(&Role) -> bool + Copy) -> Vec<&Exchange> {
        self.exchanges
            .iter()
            .filter(|e| e.has_role(f) && !self.retried(e))
            .collect()
    }

    /// Whether `e` is a keyed probe's 429 that a later send of the same probe replaced: the probe
    /// was not about the 429, so the retried answer is its evidence.
    pub fn retried(&self, e: &Exchange) -> bool {
        let keyed = |r: &Role| matches!(r, Role::ProbeAuth { .. } | Role::ProbeAuthRepeat { .. });
        e.status == Some(429)
            && e.roles.iter().any(keyed)
            && self.exchanges.iter().any(|o| {
                o.id > e.id
                    && o.method == e.method
                    && o.url == e.url
                    && o.credential == e.credential
                    && o.roles.iter().any(|r| keyed(r) && e.roles.contains(r))
            })
    }

    /// Probes in a role matching `f`; a guessed probe of the resource URL only when there is no
    /// other. An MCP method that answered as an open method (2xx) while another method of the same
    /// URL was refused is set aside: the endpoint is protected, that method is not.
    pub fn probes(&self, f: impl Fn(&Role) -> bool + Copy) -> Vec<&Exchange> {
        let all: Vec<&Exchange> = self
            .with_role(f)
            .into_iter()
            .filter(|e| !self.open_method(e))
            .collect();
        let known: Vec<&Exchange> = all
            .iter()
            .copied()
            .filter(|e| !e.is_guessed_probe())
            .collect();
        if known.is_empty() { all } else { known }
    }

    /// A probe of an MCP method that answered as an open method: its unauthenticated probe
    /// succeeded, while not every method probed on that URL did (another was refused, or got no
    /// answer to tell). One open method never makes the endpoint unprotected, so such a probe
    /// says nothing about how the endpoint challenges or refuses tokens.
    pub fn open_method(&self, ex: &Exchange) -> bool {
        let Some(mine) = probe_method(ex) else {
            return false;
        };
        let ok = |e: &Exchange| e.status.is_some_and(|s| (200..300).contains(&s));
        let unauth: Vec<&Exchange> = self
            .exchanges
            .iter()
            .filter(|e| e.url == ex.url && e.has_role(|r| matches!(r, Role::ProbeUnauth { .. })))
            .filter(|e| probe_method(e).is_some())
            .collect();
        // Open, or unknown when its unauthenticated probe got no answer and this one succeeded.
        let open = unauth
            .iter()
            .filter(|e| probe_method(e) == Some(mine))
            .any(|e| ok(e) || (e.status.is_none() && ok(ex)));
        open && !unauth.iter().all(|e| ok(e))
    }

    /// For a guessed probe that did not answer like a protected endpoint: why it cannot be judged.
    /// The resource URL counts as protected when any unauthenticated probe of it, with the same
    /// method, answered 401 or 403: then a bad key's 500 is the server's answer, not a wrong guess.
    pub fn guess_unanswered(&self, ex: &Exchange) -> Option<Finding> {
        let refused = |e: &Exchange| matches!(e.status, Some(401 | 403));
        let protected = refused(ex)
            || self.exchanges.iter().any(|o| {
                o.is_guessed_probe()
                    && o.url == ex.url
                    && o.method == ex.method
                    && o.has_role(|r| matches!(r, Role::ProbeUnauth { .. }))
                    && refused(o)
            });
        (ex.is_guessed_probe() && !protected && ex.error.is_none()).then(|| {
            Finding::no_input(format!(
                "{} {} answered {}; the resource URL is not a protected endpoint here (name one with --endpoint, or describe the API in OpenAPI)",
                ex.method,
                ex.url,
                ex.status.map_or("nothing".into(), |s| s.to_string())
            ))
            .on(ex)
        })
    }

    /// For `lint headers`: why a file holds no challenge to judge, naming its status.
    pub fn lint_no_challenge(&self) -> String {
        match self.exchanges.first().and_then(|e| e.status) {
            Some(s) if s != 401 => format!(
                "this response is {s}, not a 401: a challenge comes with the 401 to a request without (valid) credentials"
            ),
            _ => "lint was given no 401 response headers".into(),
        }
    }

    /// The first exchange in role `role`.
    pub fn role(&self, role: &Role) -> Option<&Exchange> {
        self.exchanges.iter().find(|e| e.roles.contains(role))
    }

    /// Turns one exchange into a judgeable document, or says why it is not one.
    pub fn subject<'a>(&self, ex: Option<&'a Exchange>, what: &str) -> Subject<'a> {
        let Some(ex) = ex else {
            return Subject::Absent(match self.mode {
                Mode::Lint => Finding::skip(format!(
                    "lint judges a single document; no {what} was given"
                )),
                Mode::Live => Finding::no_input(format!("no {what} was fetched")),
            });
        };
        if let Some(reason) = &ex.not_fetched {
            // Refused (the SSRF guard): the document exists but was not judged, so a MUST on it
            // leaves the run incomplete rather than passing by absence.
            return Subject::Absent(
                Finding::no_input(format!("{what} not fetched: {reason}")).on(ex),
            );
        }
        if let Some(err) = &ex.error {
            return Subject::Absent(
                Finding::no_input(format!("{what} could not be fetched: {err}")).on(ex),
            );
        }
        if ex.status != Some(200) {
            let status = ex.status.map_or("no status".to_string(), |s| s.to_string());
            return Subject::Absent(
                Finding::no_input(format!("{what} at {} answered {status}", ex.url)).on(ex),
            );
        }
        match ex.json() {
            Ok(j) => match j.value.as_object() {
                Some(obj) => Subject::Doc(Doc { ex, json: j, obj }),
                None => Subject::Absent(
                    Finding::no_input(format!("{what} at {} is not a JSON object", ex.url)).on(ex),
                ),
            },
            Err(e) => Subject::Absent(
                Finding::no_input(format!("{what} at {} is not JSON: {e}", ex.url)).on(ex),
            ),
        }
    }

    /// The PRM documents to judge for content: the one at `wk(R)` and, when it is another URL,
    /// the one a `resource_metadata` hint named. Where the profile makes the PRM location one of
    /// several routes (MCP from 2025-11-25), a missing `wk(R)` document gives way to the documents
    /// the other routes found, the root one included.
    pub fn prm_docs(&self) -> Vec<Subject<'_>> {
        let primary = self.role(&Role::Prm);
        let mut out = vec![self.subject(primary, "protected-resource metadata")];
        for ex in self.with_role(|r| matches!(r, Role::PrmHinted { .. })) {
            if primary.is_none_or(|p| p.id != ex.id)
                && let Subject::Doc(d) =
                    self.subject(Some(ex), "hinted protected-resource metadata")
            {
                out.push(Subject::Doc(d));
            }
        }
        if self.prm_routes_alternative() && !matches!(out[0], Subject::Doc(_)) {
            if let Subject::Doc(d) = self.subject(self.role(&Role::PrmRoot), "root PRM") {
                out.push(Subject::Doc(d));
            }
            if out.len() > 1 {
                out.remove(0);
            }
        }
        // MCP 2025-06-18 clients take the PRM the hint names: the hinted document stands in
        // for a missing wk(R) one (the root PRM is no route of its own there).
        if self.prm_hint_route() && !matches!(out[0], Subject::Doc(_)) && out.len() > 1 {
            out.remove(0);
        }
        out
    }

    /// The exchange whose response PRM shape rows judge: `wk(R)`, or under a profile where the
    /// PRM location is one of several routes, the first route that served a document.
    pub fn prm_served(&self) -> Option<&Exchange> {
        let primary = self.role(&Role::Prm);
        let alternative = self.prm_routes_alternative();
        if primary.is_some_and(|p| p.status == Some(200)) || !(alternative || self.prm_hint_route())
        {
            return primary;
        }
        self.with_role(|r| {
            matches!(r, Role::PrmHinted { .. }) || (alternative && matches!(r, Role::PrmRoot))
        })
        .into_iter()
        .find(|e| e.status == Some(200))
        .or(primary)
    }

    /// Whether this run's profile and version take the PRM from the 401's `resource_metadata`
    /// (MCP 2025-06-18: "MCP servers MUST use the HTTP header WWW-Authenticate when returning a
    /// 401 Unauthorized to indicate the location of the resource server metadata URL").
    pub fn prm_hint_route(&self) -> bool {
        crate::checks::alternatives::in_force("mcp.prm-hint", self.profile, self.mcp_version)
    }

    /// Whether this run's profile and version make the PRM location one of several routes.
    pub fn prm_routes_alternative(&self) -> bool {
        crate::profile::alternatives::in_force("mcp.prm-location", self.profile, self.mcp_version)
    }

    /// Issuers named by the PRM documents, in order, without repeats.
    pub fn issuers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for ex in self.with_role(|r| matches!(r, Role::Asm { .. })) {
            for r in &ex.roles {
                if let Role::Asm { issuer } = r
                    && !out.contains(issuer)
                {
                    out.push(issuer.clone());
                }
            }
        }
        out
    }

    /// Issuers named by the PRM, including those only looked up through OIDC discovery.
    pub fn issuers_with_oidc(&self) -> Vec<String> {
        let mut out = self.issuers();
        for ex in &self.exchanges {
            for r in &ex.roles {
                if let Role::AsmOidc { issuer, .. } = r
                    && !out.contains(issuer)
                {
                    out.push(issuer.clone());
                }
            }
        }
        out
    }

    /// One subject per authorization server named by the PRM (each with the issuer it should
    /// have): the document discovery used for it, judged by the AS rows whichever route it came by.
    pub fn asm_docs(&self) -> Vec<(String, Subject<'_>)> {
        let issuers = self.issuers();
        if issuers.is_empty() {
            return vec![(String::new(), self.no_asm_reason())];
        }
        issuers
            .into_iter()
            .map(|iss| {
                let s = self.subject(self.asm_source(&iss), "authorization-server metadata");
                (iss, s)
            })
            .collect()
    }

    /// The exchange AS metadata for `issuer` was taken from: the RFC 8414 document, or, where the
    /// profile accepts OpenID Connect discovery as the other route (MCP from 2025-11-25) and
    /// RFC 8414 served none, the first OIDC location (inserted, then appended) that answered 200.
    pub fn asm_source(&self, issuer: &str) -> Option<&Exchange> {
        let rfc = self.role(&Role::Asm {
            issuer: issuer.to_string(),
        });
        if rfc.is_some_and(|e| e.status == Some(200)) || !self.asm_sources_alternative() {
            return rfc;
        }
        ["inserted", "appended"]
            .into_iter()
            .filter_map(|form| {
                self.role(&Role::AsmOidc {
                    issuer: issuer.to_string(),
                    form: form.into(),
                })
            })
            .find(|e| e.status == Some(200))
            .or(rfc)
    }

    /// Whether this run's profile and version accept OIDC discovery in place of RFC 8414.
    pub fn asm_sources_alternative(&self) -> bool {
        crate::profile::alternatives::in_force(
            "mcp.as-metadata-source",
            self.profile,
            self.mcp_version,
        )
    }

    fn no_asm_reason(&self) -> Subject<'_> {
        if self.mode == Mode::Lint {
            return Subject::Absent(Finding::skip(
                "lint judges a single document; no authorization-server metadata was given",
            ));
        }
        let prm_has_doc = self.prm_docs().iter().any(|s| matches!(s, Subject::Doc(_)));
        Subject::Absent(if prm_has_doc {
            Finding::skip("the protected-resource metadata names no authorization server")
        } else {
            Finding::no_input(
                "no protected-resource metadata arrived to name an authorization server",
            )
        })
    }

    /// One subject per JWK Set fetched.
    pub fn jwks_docs(&self) -> Vec<Subject<'_>> {
        let sets = self.with_role(|r| matches!(r, Role::Jwks { .. }));
        if sets.is_empty() {
            let reason = match self.mode {
                Mode::Lint => "lint judges a single document; no JWK Set was given",
                Mode::Live => "no document names a jwks_uri",
            };
            return vec![Subject::Absent(Finding::skip(reason))];
        }
        sets.into_iter()
            .map(|ex| match ex.status {
                // An answer other than 200 is the server's: jwks.served fails on it, and the
                // set's shape rows have nothing to judge rather than missing input.
                Some(s) if s != 200 && ex.error.is_none() && self.mode == Mode::Live => {
                    Subject::Absent(unserved_jwks(ex))
                }
                _ => self.subject(Some(ex), "JWK Set"),
            })
            .collect()
    }
}

/// What a JWK Set's shape rows say when the server answered its URL with something other than
/// 200: jwks.served fails on that answer, so they have nothing to judge rather than missing input.
pub fn unserved_jwks(ex: &Exchange) -> Finding {
    Finding::skip(format!(
        "no JWK Set to judge: {} (jwks.served reports it)",
        ex.summary()
    ))
    .on(ex)
}

/// Runs `judge` on each present document; absent ones contribute their reason.
pub fn each_doc<'a>(
    subjects: Vec<Subject<'a>>,
    mut judge: impl FnMut(Doc<'a>) -> Vec<Finding>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in subjects {
        match s {
            Subject::Doc(d) => out.extend(judge(d).into_iter().map(|f| f.on(d.ex))),
            Subject::Absent(f) => out.push(f),
        }
    }
    out
}
