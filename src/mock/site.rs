//! The documents of the JobsPipe-shaped reference deployment, built for one base URL.

use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Real public keys generated once (fixtures/keys/generate.py).
const KEYS: &str = include_str!("../../fixtures/keys/mock-keys.json");

/// What one GET path answers.
#[derive(Debug, Clone)]
pub struct Served {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

/// A document and how it is served; faults edit these before the routes are built.
#[derive(Debug, Clone)]
pub struct Doc {
    pub path: String,
    pub value: Value,
    pub status: u16,
    pub content_type: String,
    /// Served instead of `value` when set (for bodies JSON values cannot express).
    pub raw: Option<String>,
    /// Extra response headers (the catalog's Link).
    pub headers: Vec<(String, String)>,
}

impl Doc {
    fn new(path: &str, value: Value, content_type: &str) -> Self {
        Doc {
            path: path.into(),
            value,
            status: 200,
            content_type: content_type.into(),
            raw: None,
            headers: Vec::new(),
        }
    }
    /// The top-level object (documents are always built as objects).
    pub fn obj(&mut self) -> &mut Map<String, Value> {
        if !self.value.is_object() {
            self.value = json!({});
        }
        self.value.as_object_mut().expect("just made an object")
    }
    fn served(&self) -> Served {
        let body = self
            .raw
            .clone()
            .unwrap_or_else(|| serde_json::to_string_pretty(&self.value).unwrap_or_default());
        Served {
            status: self.status,
            content_type: self.content_type.clone(),
            body,
            headers: self.headers.clone(),
        }
    }
}

/// The whole deployment as data.
#[derive(Debug, Clone)]
pub struct Site {
    /// Origin, `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    /// The resource identifier `R` the deployment claims.
    pub resource: String,
    pub prm: Doc,
    pub asm: Doc,
    pub jwks: Doc,
    /// The `resource_metadata` URL 401s name; `None` sends a challenge without it.
    pub hint: Option<String>,
    /// The full WWW-Authenticate value, when a fault needs to set it verbatim.
    pub challenge_override: Option<String>,
    /// Protected endpoints (`METHOD /path`).
    pub endpoints: Vec<String>,
    /// The protected endpoint refuses even the right key.
    pub reject_key: bool,
    /// Extra GET paths a fault serves.
    pub extra: HashMap<String, Served>,
    pub openapi: Doc,
    pub catalog: Doc,
    /// How protected endpoints behave.
    pub api: Behaviour,
    /// The second origin serving the catalog and OpenAPI, when split (`--site-addr`).
    pub site_base: Option<String>,
    /// The `scope` parameter of 401 challenges (MCP servers send one).
    pub challenge_scope: Option<String>,
    /// JSON-RPC methods the MCP endpoint answers without credentials (servers that leave
    /// `initialize` open and protect what follows it).
    pub open_methods: Vec<String>,
    /// The MCP version the endpoint speaks, when it is an MCP server.
    pub mcp_version: Option<crate::checks::McpVersion>,
    /// How the MCP endpoint answers a live key without the scope a method needs.
    pub scope_refusal: ScopeRefusal,
    /// A second challenge sent beside Bearer on 401s (`DPoP algs="…"`).
    pub dpop_challenge: Option<String>,
    /// Whether DPoP proofs must carry a nonce of the mock's, and how it asks for one.
    pub dpop_nonce: DpopNonce,
    /// 401s challenge with `DPoP` only: the resource takes no bearer tokens.
    pub dpop_only: bool,
    /// The MCP endpoint's transport security (Origin, protocol version, sessions).
    pub transport: super::transport::Transport,
    /// Where the authorization server and its token checks depart from the standards.
    pub oauth: super::authorization::Rules,
}

/// How the mock asks for a nonce in DPoP proofs (RFC 9449 §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DpopNonce {
    /// Proofs need no nonce.
    Off,
    /// A proof without a nonce gets 401 `DPoP error="use_dpop_nonce"` and a `DPoP-Nonce` field.
    Supplied,
    /// The same 401, but without the `DPoP-Nonce` field.
    Withheld,
}

/// The answer to a live token that lacks the scope a method needs (MCP-403-SCOPE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRefusal {
    /// 403 with error="insufficient_scope", every needed scope and resource_metadata.
    Healthy,
    /// 403 with insufficient_scope but no scope parameter.
    NoScope,
    /// 401, as if the token were invalid.
    Unauthorized,
    /// The method is answered anyway.
    Ignored,
}

/// How the protected API answers; faults change one field each.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// Status for a refused key (401 when healthy).
    pub bad_key_status: u16,
    /// `error` parameter for a refused key.
    pub bad_key_error: Option<String>,
    /// Extra challenge parameters for refused keys (e.g. an error_uri).
    pub bad_key_extra: Option<String>,
    /// Also send `error` to requests without credentials.
    pub error_when_anonymous: bool,
    /// Leave WWW-Authenticate off 401s.
    pub omit_challenge: bool,
    /// Echo the presented key in the 401 body.
    pub echo_key: bool,
    /// How error bodies look.
    pub errors: ErrorStyle,
    /// Which RateLimit fields the API sends, and how they are broken.
    pub ratelimit: RateLimitStyle,
    /// Requests per month; `None` for the options' quota.
    pub monthly_quota: Option<u32>,
    /// Retry-After sent with 402.
    pub quota_retry_after: Option<String>,
    /// Keyed requests get this upstream failure status (502, 504) instead of results.
    pub upstream_failure: Option<u16>,
    /// The upstream failure body is HTML rather than problem+json.
    pub upstream_html: bool,
    /// Revocation answers 200 but the key keeps working.
    pub revocation_ignored: bool,
    /// `GET /v1/usage` answers without credentials.
    pub usage_unprotected: bool,
    /// Registration answers 500 with HTML.
    pub register_broken: bool,
    /// Which JWTs the mock wrongly takes (it issues none, so healthy it takes none).
    pub jwt_trust: JwtTrust,
    /// Status for a JWT the mock did not issue (401 when healthy).
    pub forged_status: u16,
    /// Status for a malformed Authorization header, when not the bad-key status.
    pub malformed_status: Option<u16>,
    /// The key is also taken from the `access_token` query parameter (RFC 6750 §2.3).
    pub query_key_accepted: bool,
    /// The authorization endpoint redirects whatever client document it fetched.
    pub cimd_unchecked: bool,
    /// The `iss` its redirects carry (RFC 9207 §2).
    pub iss_in_redirect: IssInRedirect,
}

/// The `iss` parameter of the mock's authorization responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssInRedirect {
    /// The metadata's issuer, as RFC 9207 §2.3 wants.
    Issuer,
    /// None, though the metadata advertises it.
    Omitted,
    /// The issuer with a `/` appended: equal after normalising, not byte for byte.
    Normalized,
}

/// JWTs a broken verifier takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtTrust {
    /// None: the mock issues API keys, not JWTs.
    Verified,
    /// Any JWT whose header says alg "none".
    AlgNone,
    /// Any signed-looking JWT for this resource: signature, expiry and issuer unchecked.
    SignatureUnchecked,
    /// Any DPoP-bound JWT (`cnf.jkt`) that came with a proof: the proof is checked, the token not.
    DpopProofOnly,
}

/// Error body shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorStyle {
    /// application/problem+json with matching status and the reason phrase as title.
    Problem,
    /// Problem members served as application/json.
    PlainJson,
    /// The problem's status member disagrees with the HTTP status.
    StatusMismatch,
    /// A Java stack trace in `detail`.
    LeakStackTrace,
    /// An about:blank title that is not the reason phrase.
    WrongTitle,
    /// An extension member named `x`.
    BadExtensionName,
    /// `type` as a number.
    TypeNotString,
    /// A JSON error body of the API's own shape, not problem details.
    NotProblem,
}

/// RateLimit fields the API sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitStyle {
    /// RateLimit-Limit/-Remaining/-Reset/-Policy.
    Legacy,
    /// RateLimit + RateLimit-Policy structured lists (-08+).
    Structured,
    /// No rate-limit fields.
    Missing,
    /// Reset as an epoch timestamp.
    ResetEpoch,
    /// Remaining above the limit.
    RemainingAboveLimit,
    /// Limit without Reset.
    NoReset,
    /// RateLimit-Remaining sent twice.
    DuplicateField,
    /// Two policies with one quota.
    DuplicateQuota,
    /// Remaining -1.
    Negative,
    /// Remaining never changes (and a 30 s reset).
    Constant,
    /// Structured RateLimit naming a policy RateLimit-Policy lacks.
    UnknownPolicyName,
    /// Structured RateLimit with an Integer policy item.
    IntegerPolicy,
    /// The policy changes between responses.
    Unstable,
    /// 429 without Retry-After.
    NoRetryAfter,
    /// Retry-After disagrees with the reset value.
    Misaligned,
    /// 429 with an empty, cacheable body.
    BareTooMany,
    /// Structured fields whose `qu` is a Token and `pk` a String (drafts -08 … -12 forbid both).
    StructuredBadParams,
    /// Structured fields; the 429 uses the quota-exceeded problem type without violated-policies.
    StructuredNoViolated,
    /// A -08+ RateLimit field and no RateLimit-Policy: no limit and no policy are said.
    StructuredNoPolicy,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            bad_key_status: 401,
            bad_key_error: Some("invalid_token".into()),
            bad_key_extra: None,
            error_when_anonymous: false,
            omit_challenge: false,
            echo_key: false,
            errors: ErrorStyle::Problem,
            ratelimit: RateLimitStyle::Legacy,
            monthly_quota: None,
            quota_retry_after: None,
            upstream_failure: None,
            upstream_html: false,
            revocation_ignored: false,
            usage_unprotected: false,
            register_broken: false,
            jwt_trust: JwtTrust::Verified,
            forged_status: 401,
            malformed_status: None,
            query_key_accepted: false,
            cimd_unchecked: false,
            iss_in_redirect: IssInRedirect::Issuer,
        }
    }
}

fn keys() -> Value {
    serde_json::from_str(KEYS).unwrap_or_else(|_| json!({}))
}

/// A key from the fixture set by name (`rsa2048`, `ec_p256`, `ed25519`, `rsa1024`, `ec_p256_d`).
pub fn fixture_key(name: &str) -> Value {
    keys().get(name).cloned().unwrap_or(Value::Null)
}

impl Site {
    /// The healthy deployment for `base`.
    pub fn healthy(base: &str) -> Self {
        let b = base.trim_end_matches('/');
        let prm = json!({
            "resource": b,
            "authorization_servers": [b],
            "jwks_uri": format!("{b}/api/auth/jwks"),
            "scopes_supported": ["jobs:read", "jobs:search"],
            "bearer_methods_supported": ["header"],
            "resource_signing_alg_values_supported": ["RS256", "ES256"],
            "resource_name": "JobsPipe API",
            "resource_documentation": format!("{b}/developers"),
        });
        let asm = json!({
            "issuer": b,
            "authorization_endpoint": format!("{b}/oauth/authorize"),
            "token_endpoint": format!("{b}/oauth/token"),
            "jwks_uri": format!("{b}/api/auth/jwks"),
            "scopes_supported": ["jobs:read", "jobs:search"],
            "response_types_supported": ["code"],
            "revocation_endpoint": format!("{b}/oauth/revoke"),
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
            "authorization_grant_profiles_supported": ["urn:ietf:params:oauth:grant-profile:id-jag"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"],
            "revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
            "dpop_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
            "service_documentation": format!("{b}/developers"),
            // The second resource is where "a token for another audience" comes from.
            "protected_resources": [b, format!("{b}/other-api")],
            "agent_auth": {
                "skill": format!("{b}/auth.md"),
                "register_uri": format!("{b}/agent/auth"),
                "claim_uri": format!("{b}/agent/auth/claim"),
                "revocation_uri": format!("{b}/agent/auth/revoke"),
                "identity_types_supported": ["identity_assertion"],
                "identity_assertion": {
                    "assertion_types_supported": ["urn:ietf:params:oauth:token-type:id-jag", "verified_email"],
                    "credential_types_supported": ["api_key"]
                },
                "events_supported": ["https://schemas.workos.com/events/agent/auth/identity/assertion/revoked"]
            }
        });
        let jwks = json!({ "keys": [fixture_key("rsa2048"), fixture_key("ec_p256"), fixture_key("ed25519")] });
        let openapi = openapi_doc(b);
        let catalog = json!({"linkset": [{
            "anchor": format!("{b}/v1"),
            "service-desc": [{"href": format!("{b}/openapi.json"), "type": "application/vnd.oai.openapi+json"}],
            "service-doc": [{"href": format!("{b}/developers"), "type": "text/html"}]
        }]});
        let mut catalog = Doc::new(
            "/.well-known/api-catalog",
            catalog,
            "application/linkset+json; profile=\"https://www.rfc-editor.org/info/rfc9727\"",
        );
        catalog.headers.push((
            "link".into(),
            format!("<{b}/.well-known/api-catalog>; rel=\"api-catalog\""),
        ));
        Site {
            openapi: Doc::new("/openapi.json", openapi, "application/json"),
            catalog,
            api: Behaviour::default(),
            site_base: None,
            challenge_scope: None,
            open_methods: Vec::new(),
            mcp_version: None,
            scope_refusal: ScopeRefusal::Healthy,
            dpop_challenge: None,
            dpop_nonce: DpopNonce::Off,
            dpop_only: false,
            transport: super::transport::Transport::default(),
            oauth: super::authorization::Rules::default(),
            base: b.to_string(),
            resource: b.to_string(),
            prm: Doc::new(
                "/.well-known/oauth-protected-resource",
                prm,
                "application/json",
            ),
            asm: Doc::new(
                "/.well-known/oauth-authorization-server",
                asm,
                "application/json",
            ),
            jwks: Doc::new("/api/auth/jwks", jwks, "application/jwk-set+json"),
            hint: Some(format!("{b}/.well-known/oauth-protected-resource")),
            challenge_override: None,
            endpoints: vec!["POST /v1/jobs/search".into()],
            reject_key: false,
            extra: HashMap::from([("/auth.md".to_string(), skill_doc())]),
        }
    }

    /// Moves the resource to `path` (e.g. `/api/`): the PRM, its `resource` and the hint follow.
    pub fn move_resource(&mut self, path: &str) {
        self.resource = format!("{}{path}", self.base);
        let other = format!("{}/other-api", self.base);
        self.prm
            .obj()
            .insert("resource".into(), json!(self.resource));
        self.asm
            .obj()
            .insert("protected_resources".into(), json!([self.resource, other]));
        let server = self.resource.trim_end_matches('/').to_string();
        self.openapi
            .obj()
            .insert("servers".into(), json!([{ "url": server }]));
        let trimmed = path.trim_end_matches('/');
        self.prm.path = format!("/.well-known/oauth-protected-resource{trimmed}");
        self.hint = Some(format!("{}{}", self.base, self.prm.path));
    }

    /// Moves the catalog and OpenAPI to `site` (another origin); the catalog links there.
    pub fn split_site(&mut self, site: &str) {
        self.site_base = Some(site.to_string());
        self.catalog.value["linkset"][0]["service-desc"] = json!([{"href": format!("{site}/openapi.json"), "type": "application/vnd.oai.openapi+json"}]);
        self.catalog.headers = vec![(
            "link".into(),
            format!("<{site}/.well-known/api-catalog>; rel=\"api-catalog\""),
        )];
    }

    /// The GET routes of the site origin (only the catalog and OpenAPI), when split.
    pub fn site_routes(&self) -> HashMap<String, Served> {
        [&self.openapi, &self.catalog]
            .into_iter()
            .map(|d| (d.path.clone(), d.served()))
            .collect()
    }

    /// Turns the deployment into an MCP server at `/mcp`: path-inserted PRM, a scope in the
    /// challenge, and the AS metadata MCP clients look for (PKCE, registration, iss).
    pub fn make_mcp(&mut self, version: crate::checks::McpVersion) {
        self.mcp_version = Some(version);
        self.move_resource("/mcp");
        // The REST API (and its OpenAPI description) stays at the origin; only MCP moves.
        let base = self.base.clone();
        self.openapi
            .obj()
            .insert("servers".into(), json!([{ "url": base }]));
        // No endpoint is named: the harness probes /mcp as an MCP client does (JSON-RPC methods).
        self.endpoints = Vec::new();
        self.challenge_scope = Some("mcp:tools".into());
        self.prm.obj().insert(
            "scopes_supported".into(),
            json!(["mcp:tools", "mcp:resources"]),
        );
        let b = self.base.clone();
        let asm = self.asm.obj();
        asm.insert(
            "registration_endpoint".into(),
            json!(format!("{b}/oauth/register")),
        );
        asm.insert("client_id_metadata_document_supported".into(), json!(true));
        asm.insert(
            "authorization_response_iss_parameter_supported".into(),
            json!(true),
        );
        asm.insert(
            "scopes_supported".into(),
            json!(["mcp:tools", "mcp:resources"]),
        );
    }

    /// The JWK with `kid` (mutable), for key faults.
    pub fn key(&mut self, kid: &str) -> &mut Map<String, Value> {
        let keys = self.jwks.obj().entry("keys").or_insert_with(|| json!([]));
        let arr = keys.as_array_mut().expect("keys is an array in the mock");
        let i = arr.iter().position(|k| k["kid"] == kid).unwrap_or(0);
        arr[i]
            .as_object_mut()
            .expect("keys are objects in the mock")
    }

    /// Adds a key to the set.
    pub fn add_key(&mut self, key: Value) {
        if let Some(a) = self
            .jwks
            .obj()
            .get_mut("keys")
            .and_then(Value::as_array_mut)
        {
            a.push(key);
        }
    }

    /// The GET routes: path -> answer.
    pub fn routes(&self) -> HashMap<String, Served> {
        let mut r = self.extra.clone();
        let mut docs = vec![&self.prm, &self.asm, &self.jwks];
        if self.site_base.is_none() {
            docs.extend([&self.openapi, &self.catalog]);
        }
        for d in docs {
            r.insert(d.path.clone(), d.served());
        }
        r
    }

    /// The WWW-Authenticate value of a 401; `refused` for a request whose key was refused.
    pub fn challenge(&self, refused: bool) -> String {
        if let Some(c) = &self.challenge_override {
            return c.clone();
        }
        let mut parts = Vec::new();
        if let Some(h) = &self.hint {
            parts.push(format!("resource_metadata=\"{h}\""));
        }
        let error = if refused {
            self.api.bad_key_error.clone()
        } else {
            self.api
                .error_when_anonymous
                .then(|| "invalid_token".to_string())
        };
        if let Some(e) = error {
            parts.push(format!(
                "error=\"{e}\", error_description=\"The API key is invalid or revoked\""
            ));
        }
        if let Some(sc) = &self.challenge_scope {
            parts.push(format!("scope=\"{sc}\""));
        }
        if let (true, Some(x)) = (refused, &self.api.bad_key_extra) {
            parts.push(x.clone());
        }
        if self.dpop_only {
            // RFC 9449 §7.1: a resource that takes only DPoP-bound tokens challenges with DPoP alone.
            parts.push("algs=\"ES256 PS256\"".into());
            return format!("DPoP {}", parts.join(", "));
        }
        let bearer = if parts.is_empty() {
            "Bearer realm=\"jobspipe\"".to_string()
        } else {
            format!("Bearer {}", parts.join(", "))
        };
        match &self.dpop_challenge {
            Some(d) => format!("{bearer}, {d}"),
            None => bearer,
        }
    }
}

/// The auth.md document `agent_auth.skill` names.
fn skill_doc() -> Served {
    Served {
        status: 200,
        content_type: "text/markdown; charset=utf-8".into(),
        body: "# JobsPipe auth.md\n\nRegister an agent at /agent/auth with an identity assertion; send the API key as a Bearer token.\n".into(),
        headers: Vec::new(),
    }
}

/// The OpenAPI 3.1 description of the protected API.
fn openapi_doc(b: &str) -> Value {
    let err = |d: &str| json!({"description": d, "content": {"application/problem+json": {}}});
    let errors = json!({
        "401": err("missing or invalid API key"), "402": err("monthly quota exceeded"),
        "429": err("rate limited; see Retry-After"), "502": err("scanner failed"), "504": err("upstream timed out")
    });
    let with = |extra: Value| {
        let mut r = errors.clone();
        if let (Some(o), Some(e)) = (r.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        r
    };
    json!({
        "openapi": "3.1.0",
        "info": {"title": "JobsPipe API", "version": "1.0.0"},
        "servers": [{"url": b}],
        "components": {"securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "jp_live_ API key"}}},
        "security": [{"apiKey": []}],
        "paths": {
            "/v1/jobs/search": {"post": {
                "operationId": "searchJobs",
                "requestBody": {"content": {"application/json": {"example": {"job_title_or": ["software engineer"], "limit": 5}}}},
                "responses": with(json!({"200": {"description": "matching jobs"}}))
            }},
            "/v1/usage": {"get": {
                "operationId": "getUsage",
                "responses": with(json!({"200": {"description": "requests left this month"}}))
            }}
        }
    })
}
