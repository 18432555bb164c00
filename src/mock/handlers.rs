//! Request handlers of the mock: plain async functions over the shared [`State`].

use super::State;
use super::ratelimit::Admission;
use super::site::{DpopNonce, ErrorStyle, JwtTrust, RateLimitStyle, ScopeRefusal};
use crate::checks::McpVersion;
use axum::body::Bytes;
use axum::extract::State as S;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

type St = S<Arc<State>>;

fn with_type(mut r: Response, content_type: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

pub(super) fn json_response(status: StatusCode, content_type: &str, body: &Value) -> Response {
    with_type((status, body.to_string()).into_response(), content_type)
}

pub(super) fn set(r: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().append(name, v);
    }
}

/// An error body in the site's error style (problem+json when healthy).
pub(super) fn problem(st: &State, status: StatusCode, detail: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let mut body =
        json!({"type": "about:blank", "title": title, "status": status.as_u16(), "detail": detail});
    let mut content_type = "application/problem+json";
    match st.site.api.errors {
        ErrorStyle::Problem => {}
        ErrorStyle::PlainJson => content_type = "application/json",
        ErrorStyle::StatusMismatch => body["status"] = json!(400),
        ErrorStyle::LeakStackTrace => {
            body["detail"] = json!(format!(
                "{detail}\njava.lang.IllegalStateException: key lookup failed\n\tat com.jobspipe.auth.KeyStore.find(KeyStore.java:88)"
            ))
        }
        ErrorStyle::WrongTitle => body["title"] = json!("Oops"),
        ErrorStyle::BadExtensionName => body["x"] = json!(1),
        ErrorStyle::TypeNotString => body["type"] = json!(401),
        ErrorStyle::NotProblem => {
            body = json!({"message": detail, "code": status.as_u16()});
            content_type = "application/json";
        }
    }
    json_response(status, content_type, &body)
}

/// Any GET path of the site's document table; 404 problem otherwise.
pub async fn document(S(st): St, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if let Some(r) = super::transport::cors_preflight(&st, &method, uri.path(), &headers) {
        return r;
    }
    if method != Method::GET && method != Method::HEAD {
        return problem(
            &st,
            StatusCode::METHOD_NOT_ALLOWED,
            "documents are read with GET",
        );
    }
    match st.routes.get(uri.path()) {
        Some(d) => {
            let status = StatusCode::from_u16(d.status).unwrap_or(StatusCode::OK);
            let mut r = with_type((status, d.body.clone()).into_response(), &d.content_type);
            set(&mut r, "cache-control", "public, max-age=300");
            if super::transport::cors_applies(&st, uri.path()) {
                set(&mut r, "access-control-allow-origin", "*");
            }
            for (k, v) in &d.headers {
                if let (Ok(n), Ok(v)) = (
                    header::HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_str(v),
                ) {
                    r.headers_mut().append(n, v);
                }
            }
            r
        }
        None => problem(
            &st,
            StatusCode::NOT_FOUND,
            &format!("no resource at {}", uri.path()),
        ),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The token of an `Authorization: DPoP` request (RFC 9449 §7.1).
fn dpop_token(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("dpop").then(|| token.trim())
}

/// The 401 that asks for a nonce, when the request is a DPoP one whose proof has none and the
/// site wants nonces (RFC 9449 §9).
fn nonce_demand(st: &State, headers: &HeaderMap) -> Option<Response> {
    if st.site.dpop_nonce == DpopNonce::Off || dpop_token(headers).is_none() {
        return None;
    }
    let proof = headers.get("dpop").and_then(|v| v.to_str().ok());
    if proof
        .and_then(|p| jwt_part(p, 1))
        .is_some_and(|c| c["nonce"].is_string())
    {
        return None;
    }
    let mut r = problem(
        st,
        StatusCode::UNAUTHORIZED,
        "a nonce is required in the DPoP proof",
    );
    set(
        &mut r,
        "www-authenticate",
        "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\", algs=\"ES256 PS256\"",
    );
    if st.site.dpop_nonce == DpopNonce::Supplied {
        // RFC 9449 §8: nonce values MUST be unpredictable.
        let mut b = [0u8; 12];
        let _ = getrandom::fill(&mut b);
        let n: String = b.iter().map(|x| format!("{x:02x}")).collect();
        set(&mut r, "dpop-nonce", &format!("mock.{n}"));
    }
    Some(r)
}

/// The `access_token` query parameter, when a fault makes the mock read it (RFC 6750 §2.3).
fn query_key(st: &State, uri: &Uri) -> Option<String> {
    if !st.site.api.query_key_accepted {
        return None;
    }
    url::form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
}

/// 401 (or the configured refusal) for a request without a usable key.
fn refuse(st: &State, token: Option<&str>) -> Response {
    let refused = token.is_some();
    // A token outside RFC 6750's b64token grammar is a malformed request, not an invalid token.
    let malformed = token.is_some_and(|t| t.contains([' ', ';', '"']));
    let status = match (refused, st.site.api.malformed_status) {
        (true, Some(s)) if malformed => StatusCode::from_u16(s).unwrap_or(StatusCode::BAD_REQUEST),
        (true, _) if forged_jwt(token) => {
            StatusCode::from_u16(st.site.api.forged_status).unwrap_or(StatusCode::UNAUTHORIZED)
        }
        (true, _) => {
            StatusCode::from_u16(st.site.api.bad_key_status).unwrap_or(StatusCode::UNAUTHORIZED)
        }
        _ => StatusCode::UNAUTHORIZED,
    };
    let detail = match (token, st.site.api.echo_key) {
        (Some(t), true) => format!("the API key {t} is not valid"),
        _ => "missing or invalid API key; see WWW-Authenticate".to_string(),
    };
    let mut r = problem(st, status, &detail);
    if status == StatusCode::UNAUTHORIZED && !st.site.api.omit_challenge {
        set(&mut r, "www-authenticate", &st.site.challenge(refused));
    }
    r
}

/// Whether `token` looks like a JWT (three dot-separated parts): the mock issues none.
fn forged_jwt(token: Option<&str>) -> bool {
    token.is_some_and(|t| t.split('.').count() == 3)
}

/// Part `i` of a JWT, decoded as JSON.
fn jwt_part(token: &str, i: usize) -> Option<Value> {
    use base64::Engine;
    let part = token.split('.').nth(i)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether a fault makes the mock take a JWT it never issued, as broken verifiers do.
fn forged_accepted(st: &State, token: &str) -> bool {
    match st.site.api.jwt_trust {
        JwtTrust::Verified => false,
        JwtTrust::AlgNone => jwt_part(token, 0).is_some_and(|h| h["alg"] == "none"),
        JwtTrust::DpopProofOnly => jwt_part(token, 1).is_some_and(|p| p["cnf"]["jkt"].is_string()),
        JwtTrust::SignatureUnchecked => {
            let signed = token.rsplit('.').next().is_some_and(|s| !s.is_empty());
            signed
                && forged_jwt(Some(token))
                && jwt_part(token, 1).is_some_and(|p| p["aud"] == st.site.resource.as_str())
        }
    }
}

/// Whether `token` is a live key of this mock.
fn accepted(st: &State, token: Option<&str>) -> bool {
    let Some(t) = token else { return false };
    if forged_accepted(st, t) {
        return true;
    }
    let known = t == st.api_key || t == st.revocable_key;
    known && !st.site.reject_key && !st.revoked.lock().is_ok_and(|r| r.contains(t))
}

/// Adds the RateLimit fields in the site's style.
fn ratelimit_headers(
    st: &State,
    r: &mut Response,
    limit: u32,
    remaining: u32,
    reset: u64,
    served: u64,
) {
    let (l, rem, rs) = (limit.to_string(), remaining.to_string(), reset.to_string());
    let legacy = |r: &mut Response, rem: &str, rs: &str, policy: &str| {
        set(r, "ratelimit-limit", &l);
        set(r, "ratelimit-remaining", rem);
        set(r, "ratelimit-reset", rs);
        set(r, "ratelimit-policy", policy);
    };
    let policy = format!("{limit};w=1");
    match st.site.api.ratelimit {
        RateLimitStyle::Legacy
        | RateLimitStyle::NoRetryAfter
        | RateLimitStyle::Misaligned
        | RateLimitStyle::BareTooMany => legacy(r, &rem, &rs, &policy),
        RateLimitStyle::Structured | RateLimitStyle::StructuredNoViolated => {
            set(
                r,
                "ratelimit",
                &format!("\"default\";r={remaining};t={reset};pk=:bW9jaw==:"),
            );
            set(
                r,
                "ratelimit-policy",
                &format!("\"default\";q={limit};qu=\"requests\";w=1;pk=:bW9jaw==:"),
            );
        }
        RateLimitStyle::StructuredBadParams => {
            set(
                r,
                "ratelimit",
                &format!("\"default\";r={remaining};t={reset};pk=\"mock\""),
            );
            set(
                r,
                "ratelimit-policy",
                &format!("\"default\";q={limit};qu=requests;w=1"),
            );
        }
        RateLimitStyle::Missing => {}
        RateLimitStyle::StructuredNoPolicy => set(
            r,
            "ratelimit",
            &format!("\"default\";r={remaining};t={reset}"),
        ),
        RateLimitStyle::ResetEpoch => legacy(r, &rem, "1893456000", &policy),
        RateLimitStyle::RemainingAboveLimit => legacy(r, &(limit + 5).to_string(), &rs, &policy),
        RateLimitStyle::NoReset => {
            set(r, "ratelimit-limit", &l);
            set(r, "ratelimit-remaining", &rem);
        }
        RateLimitStyle::DuplicateField => {
            legacy(r, &rem, &rs, &policy);
            set(r, "ratelimit-remaining", &rem);
        }
        RateLimitStyle::DuplicateQuota => {
            legacy(r, &rem, &rs, &format!("{limit};w=1, {limit};w=60"))
        }
        RateLimitStyle::Negative => legacy(r, "-1", &rs, &policy),
        RateLimitStyle::Constant => legacy(r, &l, "30", &format!("{limit};w=30")),
        RateLimitStyle::UnknownPolicyName => {
            set(
                r,
                "ratelimit",
                &format!("\"burst\";r={remaining};t={reset}"),
            );
            set(r, "ratelimit-policy", &format!("\"default\";q={limit};w=1"));
        }
        RateLimitStyle::IntegerPolicy => {
            set(
                r,
                "ratelimit",
                &format!("\"default\";r={remaining};t={reset}"),
            );
            set(r, "ratelimit-policy", &format!("{limit};w=1"));
        }
        RateLimitStyle::Unstable => legacy(
            r,
            &rem,
            &rs,
            &format!("{limit};w=1, {};w={}", 1000 + served, 3600 + served),
        ),
    }
}

/// The protected API: `POST /v1/jobs/search` and `GET /v1/usage`.
pub async fn api(S(st): St, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let usage = uri.path().ends_with("/v1/usage");
    if usage && st.site.api.usage_unprotected && method == Method::GET {
        return json_response(
            StatusCode::OK,
            "application/json",
            &json!({"month_remaining": 5000}),
        );
    }
    if let Some(r) = nonce_demand(&st, &headers) {
        return r;
    }
    let query = query_key(&st, &uri);
    let token = bearer(&headers)
        .or(dpop_token(&headers))
        .or(query.as_deref());
    let minted = match minted_scope(&st, &method, &uri, &headers) {
        Ok(m) => m,
        Err(r) => return r,
    };
    if minted.is_none() && !accepted(&st, token) {
        return refuse(&st, token);
    }
    // A token the AS issued carries scopes, and each operation needs its own: without it, 403
    // insufficient_scope (RFC 6750 §3.1). API keys carry every scope.
    let needed = if usage { "jobs:read" } else { "jobs:search" };
    if minted
        .as_ref()
        .is_some_and(|s| !s.iter().any(|x| x == needed))
        && let Some(r) = scope_refusal(&st, needed, &format!("this operation needs {needed}"))
    {
        return r;
    }
    let expected = if usage { Method::GET } else { Method::POST };
    if method != expected && !(usage && method == Method::HEAD) {
        return problem(
            &st,
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("use {expected}"),
        );
    }
    let key = token.unwrap_or_default().to_string();
    let (decision, limit, served) = match st.limiters.lock() {
        Ok(mut m) => {
            let l = m.entry(key).or_insert_with(|| st.new_limiter());
            (
                l.admit(Instant::now()),
                l.per_second,
                u64::from(l.monthly_quota - l.month_remaining()),
            )
        }
        Err(_) => {
            return problem(
                &st,
                StatusCode::INTERNAL_SERVER_ERROR,
                "limiter unavailable",
            );
        }
    };
    match decision {
        Admission::Ok { remaining, reset } => {
            // Mock-only triggers for the seed's retryable errors: {"simulate": "502"} (the
            // scanner failed) and {"simulate": "504"} (upstream timeout); authspec never sends them.
            let simulated = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| {
                    v.get("simulate")
                        .and_then(Value::as_str)
                        .and_then(|c| c.parse::<u16>().ok())
                })
                .filter(|c| matches!(c, 502 | 504));
            let mut r = match (
                simulated.or(st.site.api.upstream_failure),
                st.site.api.upstream_html,
            ) {
                (Some(code), true) => with_type(
                    (
                        StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY),
                        "<html><body><h1>Bad Gateway</h1></body></html>",
                    )
                        .into_response(),
                    "text/html",
                ),
                (Some(code), false) => problem(
                    &st,
                    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY),
                    "the tech-stack scanner failed; retry or request mode: \"render\"",
                ),
                (None, _) if usage => json_response(
                    StatusCode::OK,
                    "application/json",
                    &json!({"month_remaining": 5000u64.saturating_sub(served)}),
                ),
                (None, _) => json_response(
                    StatusCode::OK,
                    "application/json",
                    &json!({"results": [{"job_title": "Software Engineer", "company": "Example Corp"}], "limit": 5}),
                ),
            };
            ratelimit_headers(&st, &mut r, limit, remaining, reset, served);
            r
        }
        Admission::TooMany { retry_after } => too_many(&st, limit, retry_after, served),
        Admission::QuotaExhausted => {
            let mut r = problem(
                &st,
                StatusCode::PAYMENT_REQUIRED,
                "monthly request quota exceeded for your plan",
            );
            if let Some(s) = &st.site.api.quota_retry_after {
                set(&mut r, "retry-after", s);
            }
            r
        }
    }
}

fn too_many(st: &State, limit: u32, retry_after: u64, served: u64) -> Response {
    let mut r = match st.site.api.ratelimit {
        RateLimitStyle::BareTooMany => {
            let mut r = StatusCode::TOO_MANY_REQUESTS.into_response();
            set(&mut r, "cache-control", "public, max-age=60");
            r
        }
        RateLimitStyle::Structured | RateLimitStyle::StructuredNoViolated => {
            quota_exceeded(st.site.api.ratelimit == RateLimitStyle::Structured)
        }
        _ => problem(
            st,
            StatusCode::TOO_MANY_REQUESTS,
            "per-second rate limit exceeded; retry after Retry-After seconds",
        ),
    };
    ratelimit_headers(st, &mut r, limit, 0, retry_after, served);
    match st.site.api.ratelimit {
        RateLimitStyle::NoRetryAfter => {}
        RateLimitStyle::Misaligned => set(&mut r, "retry-after", &(retry_after + 10).to_string()),
        _ => set(&mut r, "retry-after", &retry_after.to_string()),
    }
    r
}

/// The draft's quota-exceeded problem (ratelimit-headers -09 … -12 §Problem Types), naming the
/// violated policy when `named`.
fn quota_exceeded(named: bool) -> Response {
    let mut body = json!({
        "type": "https://iana.org/assignments/http-problem-types#quota-exceeded",
        "title": "Request cannot be satisfied as assigned quota has been exceeded",
        "status": 429,
        "detail": "the per-second quota of the default policy is spent; retry after Retry-After seconds",
    });
    if named {
        body["violated-policies"] = json!(["default"]);
    }
    json_response(
        StatusCode::TOO_MANY_REQUESTS,
        "application/problem+json",
        &body,
    )
}

/// `POST /agent/auth`: JobsPipe issues keys per account, so it points the agent at sign-up.
pub async fn register(S(st): St, body: Bytes) -> Response {
    if st.site.api.register_broken {
        return with_type(
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "<html><body>Internal Server Error</body></html>",
            )
                .into_response(),
            "text/html",
        );
    }
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    if parsed
        .as_ref()
        .and_then(|v| v.get("identity_type"))
        .is_none()
    {
        return json_response(
            StatusCode::BAD_REQUEST,
            "application/json",
            &json!({"error": "invalid_request", "error_description": "identity_type is required"}),
        );
    }
    json_response(
        StatusCode::FORBIDDEN,
        "application/json",
        &json!({
            "error": "account_required",
            "error_description": "JobsPipe issues API keys per account; create or bind a key at the sign-up URL",
            "signup_url": "https://jobspipe.dev/signup"
        }),
    )
}

/// `POST /agent/auth/claim`: no anonymous registrations exist to claim.
pub async fn claim() -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        "application/json",
        &json!({"error": "invalid_claim", "error_description": "no pending registration to claim"}),
    )
}

/// `POST /agent/auth/revoke` with the key as Bearer credential: revokes it at once.
pub async fn revoke(S(st): St, headers: HeaderMap) -> Response {
    let token = bearer(&headers);
    if !accepted(&st, token) {
        return refuse(&st, token);
    }
    if !st.site.api.revocation_ignored
        && let (Ok(mut r), Some(t)) = (st.revoked.lock(), token)
    {
        r.insert(t.to_string());
    }
    json_response(
        StatusCode::OK,
        "application/json",
        &json!({"revoked": true}),
    )
}

/// `POST /mcp`: the MCP server. Without a valid token, 401 and the challenge; with one, a
/// JSON-RPC answer in the transport of the site's MCP version.
pub async fn mcp(S(st): St, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    // Origin validation comes first, before authentication, as a DNS-rebinding guard must.
    if let Some(r) = super::transport::origin_refusal(&st, &headers) {
        return r;
    }
    if let Some(r) = nonce_demand(&st, &headers) {
        return r;
    }
    let query = query_key(&st, &uri);
    let token = bearer(&headers)
        .or(dpop_token(&headers))
        .or(query.as_deref());
    let rpc = serde_json::from_slice::<Value>(&body).ok();
    let rpc_method = rpc
        .as_ref()
        .and_then(|v| v.get("method"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let open = st.site.open_methods.contains(&rpc_method);
    let minted = match minted_scope(&st, &method, &uri, &headers) {
        Ok(m) => m,
        Err(r) if !open => return r,
        Err(_) => None,
    };
    // A token the AS issued without `mcp:tools` is the low-scope key's twin.
    let low_scope = token.is_some_and(|t| t == st.low_scope_key)
        || minted
            .as_ref()
            .is_some_and(|s| !s.iter().any(|x| x == MCP_TOOLS_SCOPE));
    let by_session = super::transport::session_authenticates(&st, &headers);
    if !open && !low_scope && !by_session && minted.is_none() && !accepted(&st, token) {
        return refuse(&st, token);
    }
    if method != Method::POST {
        // 2026-07-28 has no GET stream; the older transports' stream is not served here either.
        return problem(&st, StatusCode::METHOD_NOT_ALLOWED, "use POST");
    }
    if low_scope
        && !open
        && NEEDS_SCOPE.contains(&rpc_method.as_str())
        && let Some(r) = scope_refusal(&st, "mcp:tools mcp:resources", "tools need mcp:tools")
    {
        return r;
    }
    let id = rpc
        .as_ref()
        .and_then(|v| v.get("id").cloned())
        .unwrap_or(Value::Null);
    match st.site.mcp_version {
        Some(v) if v >= McpVersion::V2026_07_28 => {
            if let Some(r) =
                super::transport::stateless_version_refusal(&st, &headers, rpc.as_ref(), &id)
            {
                return r;
            }
            stateless(&headers, id, &rpc_method)
        }
        _ => {
            if let Some(r) = super::transport::session_version_refusal(&st, &headers, &id) {
                return r;
            }
            with_session(&st, id, &rpc_method)
        }
    }
}

/// Methods the mock's low-scope key may not call: they need `mcp:tools`.
const NEEDS_SCOPE: [&str; 2] = ["tools/list", "tools/call"];

/// The scope the MCP tools need.
const MCP_TOOLS_SCOPE: &str = "mcp:tools";

/// The scopes of an access token the mock's AS issued, when the request carries one that is
/// good here; `Ok(None)` when it carries none (API keys and forgeries go the old way); the 401
/// when it carries one that is not good here (another audience, revoked, expired, a bound token
/// without its proof).
fn minted_scope(
    st: &State,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Option<Vec<String>>, Response> {
    use super::authorization::resource::{Minted, judge};
    match judge(st, method, uri, headers) {
        None => Ok(None),
        Some(Minted::Valid { scope }) => Ok(Some(scope)),
        Some(Minted::Refused(why)) => Err(refuse_minted(st, why)),
    }
}

/// 401 for an access token the mock issued that is not good here: the site's challenge with
/// `invalid_token` (RFC 6750 §3.1), and why in the body. Always 401: the faults that change how
/// the API refuses keys and forgeries leave the RS's own tokens alone.
fn refuse_minted(st: &State, why: &str) -> Response {
    let mut r = problem(st, StatusCode::UNAUTHORIZED, why);
    if !st.site.api.omit_challenge {
        set(&mut r, "www-authenticate", &st.site.challenge(true));
    }
    r
}

/// The refusal of a live token without the scope a method needs (`needed`), as the site is set
/// to give it.
fn scope_refusal(st: &State, needed: &str, why: &str) -> Option<Response> {
    let hint = st.site.hint.as_deref().unwrap_or("");
    let challenge = match st.site.scope_refusal {
        ScopeRefusal::Ignored => return None,
        ScopeRefusal::Unauthorized => return Some(refuse(st, Some("low-scope"))),
        ScopeRefusal::Healthy => format!(
            "Bearer error=\"insufficient_scope\", scope=\"{needed}\", resource_metadata=\"{hint}\", error_description=\"{why}\""
        ),
        ScopeRefusal::NoScope => {
            format!("Bearer error=\"insufficient_scope\", resource_metadata=\"{hint}\"")
        }
    };
    let mut r = problem(
        st,
        StatusCode::FORBIDDEN,
        "the token lacks the scope this method needs",
    );
    set(&mut r, "www-authenticate", &challenge);
    Some(r)
}

fn rpc_result(id: Value, result: Value) -> Response {
    json_response(
        StatusCode::OK,
        "application/json",
        &json!({"jsonrpc": "2.0", "id": id, "result": result}),
    )
}

fn rpc_error(status: StatusCode, id: Value, code: i64, message: &str, data: Value) -> Response {
    json_response(
        status,
        "application/json",
        &json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message, "data": data}}),
    )
}

/// MCP 2026-07-28 Streamable HTTP: no session and no `initialize`; `MCP-Protocol-Version` and
/// `Mcp-Method` must match the body, and every result carries `resultType`.
fn stateless(headers: &HeaderMap, id: Value, method: &str) -> Response {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let version = McpVersion::V2026_07_28.as_str();
    if header("mcp-method") != method {
        return rpc_error(
            StatusCode::BAD_REQUEST,
            id,
            -32020,
            "Header mismatch",
            json!({"header": "Mcp-Method", "body": method}),
        );
    }
    let server =
        json!({"io.modelcontextprotocol/serverInfo": {"name": "jobspipe-mcp", "version": "1.0.0"}});
    match method {
        "server/discover" => rpc_result(
            id,
            json!({"resultType": "complete", "supportedVersions": [version], "capabilities": {"tools": {}}, "serverInfo": {"name": "jobspipe-mcp", "version": "1.0.0"}, "_meta": server}),
        ),
        "tools/list" => rpc_result(
            id,
            json!({"resultType": "complete", "tools": [], "ttlMs": 60000, "cacheScope": "private", "_meta": server}),
        ),
        _ => rpc_error(
            StatusCode::NOT_FOUND,
            id,
            -32601,
            "Method not found",
            json!({"method": method}),
        ),
    }
}

/// MCP 2025-06-18 and 2025-11-25 Streamable HTTP: `initialize` opens a session.
fn with_session(st: &super::State, id: Value, method: &str) -> Response {
    let v = st
        .site
        .mcp_version
        .unwrap_or(McpVersion::V2025_11_25)
        .as_str();
    match method {
        "initialize" => {
            let mut r = rpc_result(
                id,
                json!({"protocolVersion": v, "capabilities": {"tools": {}}, "serverInfo": {"name": "jobspipe-mcp", "version": "1.0.0"}}),
            );
            set(&mut r, "mcp-session-id", &super::transport::new_session(st));
            r
        }
        "tools/list" => rpc_result(id, json!({"tools": []})),
        _ => rpc_result(id, json!({})),
    }
}
