//! Request handlers of the mock: plain async functions over the shared [`State`].

use super::State;
use super::ratelimit::Admission;
use axum::body::Bytes;
use axum::extract::State as S;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

type St = S<Arc<State>>;

fn json_response(status: StatusCode, content_type: &str, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    json_response(
        status,
        "application/problem+json",
        &json!({"type": "about:blank", "title": title, "status": status.as_u16(), "detail": detail}),
    )
}

/// Any GET path of the site's document table; 404 problem otherwise.
pub async fn document(S(st): St, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method Not Allowed",
            "documents are read with GET",
        );
    }
    match st.routes.get(uri.path()) {
        Some(d) => {
            let status = StatusCode::from_u16(d.status).unwrap_or(StatusCode::OK);
            let mut r = (status, d.body.clone()).into_response();
            if let Ok(v) = HeaderValue::from_str(&d.content_type) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            r
        }
        None => problem(
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("no resource at {}", uri.path()),
        ),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn unauthorized(st: &State, error: Option<&str>) -> Response {
    let mut r = problem(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "missing or invalid API key; see WWW-Authenticate",
    );
    if let Ok(v) = HeaderValue::from_str(&st.site.challenge(error)) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

fn ratelimit_headers(r: &mut Response, limit: u32, remaining: u32, reset: u64) {
    let h = r.headers_mut();
    for (name, value) in [
        ("ratelimit-limit", limit.to_string()),
        ("ratelimit-remaining", remaining.to_string()),
        ("ratelimit-reset", reset.to_string()),
        ("ratelimit-policy", format!("{limit};w=1")),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
}

/// `POST /v1/jobs/search`: Bearer key, then the per-second limit and monthly quota.
pub async fn search(S(st): St, method: Method, headers: HeaderMap, _body: Bytes) -> Response {
    let token = bearer(&headers);
    let valid = token
        .is_some_and(|t| t == st.api_key && !st.revoked.lock().is_ok_and(|r| r.contains(t)))
        && !st.site.reject_key;
    match (token, valid) {
        (None, _) => return unauthorized(&st, None),
        (Some(_), false) => return unauthorized(&st, Some("invalid_token")),
        _ => {}
    }
    if method != Method::POST {
        return problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method Not Allowed",
            "use POST",
        );
    }
    let (decision, limit) = match st.limiter.lock() {
        Ok(mut l) => (l.admit(Instant::now()), l.per_second),
        Err(_) => {
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                "limiter unavailable",
            );
        }
    };
    match decision {
        Admission::Ok { remaining, reset } => {
            let mut r = json_response(
                StatusCode::OK,
                "application/json",
                &json!({"results": [{"job_title": "Software Engineer", "company": "Example Corp"}], "limit": 5}),
            );
            ratelimit_headers(&mut r, limit, remaining, reset);
            r
        }
        Admission::TooMany { retry_after } => {
            let mut r = problem(
                StatusCode::TOO_MANY_REQUESTS,
                "Too Many Requests",
                "per-second rate limit exceeded; retry after Retry-After seconds",
            );
            ratelimit_headers(&mut r, limit, 0, retry_after);
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            r
        }
        Admission::QuotaExhausted => problem(
            StatusCode::PAYMENT_REQUIRED,
            "Payment Required",
            "monthly request quota exceeded for your plan",
        ),
    }
}

/// `POST /agent/auth`: JobsPipe issues keys per account, so it points the agent at sign-up.
pub async fn register(body: Bytes) -> Response {
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
    match bearer(&headers) {
        Some(t) if t == st.api_key => {
            if let Ok(mut r) = st.revoked.lock() {
                r.insert(t.to_string());
            }
            json_response(
                StatusCode::OK,
                "application/json",
                &json!({"revoked": true}),
            )
        }
        _ => unauthorized(&st, Some("invalid_token")),
    }
}

/// The OpenAPI 3.1 description of the protected API.
pub async fn openapi(S(st): St) -> Response {
    let b = &st.site.base;
    let err = |d: &str| json!({"description": d, "content": {"application/problem+json": {}}});
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "JobsPipe API", "version": "1.0.0"},
        "servers": [{"url": b}],
        "components": {"securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "jp_live_ API key"}}},
        "security": [{"apiKey": []}],
        "paths": {"/v1/jobs/search": {"post": {
            "operationId": "searchJobs",
            "requestBody": {"content": {"application/json": {"example": {"job_title_or": ["software engineer"], "limit": 5}}}},
            "responses": {"200": {"description": "matching jobs"}, "401": err("missing or invalid API key"), "402": err("monthly quota exceeded"),
                "429": err("rate limited"), "502": err("scanner failed"), "504": err("upstream timed out")}
        }}}
    });
    json_response(StatusCode::OK, "application/json", &doc)
}

/// The RFC 9727 api-catalog, with its Link header on GET and HEAD.
pub async fn api_catalog(S(st): St) -> Response {
    let b = &st.site.base;
    let doc = json!({"linkset": [{
        "anchor": format!("{b}/v1"),
        "service-desc": [{"href": format!("{b}/openapi.json"), "type": "application/vnd.oai.openapi+json"}],
        "service-doc": [{"href": format!("{b}/developers"), "type": "text/html"}]
    }]});
    let mut r = json_response(
        StatusCode::OK,
        "application/linkset+json; profile=\"https://www.rfc-editor.org/info/rfc9727\"",
        &doc,
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "<{b}/.well-known/api-catalog>; rel=\"api-catalog\""
    )) {
        r.headers_mut().insert(header::LINK, v);
    }
    r
}
