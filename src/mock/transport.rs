//! The mock MCP server's transport security: Origin validation, protocol-version refusal and
//! session IDs, each switchable by a fault.

use super::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

/// How the MCP endpoint guards its transport; the healthy values are the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transport {
    /// A request whose `Origin` is not the mock's own gets 403 before anything else.
    pub origin_checked: bool,
    /// An unsupported `MCP-Protocol-Version` gets 400.
    pub version_checked: bool,
    /// (2026-07-28) A header version that disagrees with the body's `_meta` gets 400 HeaderMismatch.
    pub header_match_checked: bool,
    /// How `initialize` mints session IDs (2025-06-18, 2025-11-25).
    pub session_ids: SessionIds,
    /// A known session ID is taken in place of a token (what MCP forbids).
    pub session_is_credential: bool,
    /// The well-known discovery documents answer cross-origin reads (CORS) for browser clients.
    pub discovery_cors: bool,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            origin_checked: true,
            version_checked: true,
            header_match_checked: true,
            session_ids: SessionIds::Random,
            session_is_credential: false,
            discovery_cors: true,
        }
    }
}

/// How session IDs are minted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionIds {
    /// 128 random bits, hex.
    Random,
    /// The same ID for every session.
    Constant,
    /// `session-1`, `session-2`, …
    Sequential,
}

/// Versions the mock's session transport (2025-06-18, 2025-11-25) accepts in the header.
const SESSION_VERSIONS: [&str; 3] = ["2025-03-26", "2025-06-18", "2025-11-25"];

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn rpc_error(status: StatusCode, id: Value, code: i64, message: &str, data: Value) -> Response {
    let body = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message, "data": data}});
    let mut r = axum::response::IntoResponse::into_response((status, body.to_string()));
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    r
}

/// 403 for a present Origin that is not the mock's own (MCP 2025-11-25+ Streamable HTTP).
pub fn origin_refusal(st: &State, headers: &HeaderMap) -> Option<Response> {
    let origin = header(headers, "origin")?;
    let own = st.site.base.trim_end_matches('/');
    (st.site.transport.origin_checked && origin != own).then(|| {
        // "The HTTP response body MAY comprise a JSON-RPC error response that has no id."
        let body = json!({"jsonrpc": "2.0", "error": {"code": -32000, "message": "Forbidden: Origin not allowed"}});
        let mut r = axum::response::IntoResponse::into_response((
            StatusCode::FORBIDDEN,
            body.to_string(),
        ));
        r.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        );
        r
    })
}

/// Whether the request's session ID is one the mock issued and the site takes it as a credential.
pub fn session_authenticates(st: &State, headers: &HeaderMap) -> bool {
    let Some(id) = header(headers, "mcp-session-id") else {
        return false;
    };
    st.site.transport.session_is_credential
        && st.sessions.lock().is_ok_and(|s| s.iter().any(|x| x == id))
}

/// 400 for an unsupported header version on the session transport.
pub fn session_version_refusal(st: &State, headers: &HeaderMap, id: &Value) -> Option<Response> {
    let v = header(headers, "mcp-protocol-version")?;
    (st.site.transport.version_checked && !SESSION_VERSIONS.contains(&v)).then(|| {
        rpc_error(
            StatusCode::BAD_REQUEST,
            id.clone(),
            -32600,
            "Bad Request: Unsupported protocol version",
            json!({"supported": SESSION_VERSIONS, "requested": v}),
        )
    })
}

/// (2026-07-28) 400 `UnsupportedProtocolVersionError` or `HeaderMismatch` for the version
/// header, as the site is set to check it.
pub fn stateless_version_refusal(
    st: &State,
    headers: &HeaderMap,
    rpc: Option<&Value>,
    id: &Value,
) -> Option<Response> {
    let supported = crate::checks::McpVersion::V2026_07_28.as_str();
    let v = header(headers, "mcp-protocol-version").unwrap_or("");
    let t = st.site.transport;
    if t.version_checked && v != supported {
        return Some(rpc_error(
            StatusCode::BAD_REQUEST,
            id.clone(),
            -32022,
            "Unsupported protocol version",
            json!({"supported": [supported], "requested": v}),
        ));
    }
    let body = rpc
        .and_then(|r| r.pointer("/params/_meta/io.modelcontextprotocol~1protocolVersion"))
        .and_then(Value::as_str);
    (t.header_match_checked && body.is_some_and(|b| b != v)).then(|| {
        rpc_error(
            StatusCode::BAD_REQUEST,
            id.clone(),
            -32020,
            "Header mismatch",
            json!({"header": "MCP-Protocol-Version", "body": body}),
        )
    })
}

/// A new session ID, remembered so the session-as-credential fault can honour it.
pub fn new_session(st: &State) -> String {
    let mut issued = match st.sessions.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    let id = match st.site.transport.session_ids {
        SessionIds::Constant => "authspec-mock-session".to_string(),
        SessionIds::Sequential => format!("session-{}", issued.len() + 1),
        SessionIds::Random => {
            let mut b = [0u8; 16];
            // Without OS randomness the fallback is still distinct per session, never constant.
            if getrandom::fill(&mut b).is_err() {
                b[..8].copy_from_slice(&(issued.len() as u64 + 1).to_be_bytes());
            }
            b.iter().map(|x| format!("{x:02x}")).collect()
        }
    };
    issued.push(id.clone());
    id
}

/// For a well-known document, as the site is set: the preflight's answer (`Some` for OPTIONS),
/// after which GET answers carry [`allow_origin`].
pub fn cors_preflight(
    st: &State,
    method: &axum::http::Method,
    path: &str,
    headers: &HeaderMap,
) -> Option<Response> {
    if method != axum::http::Method::OPTIONS || !cors_applies(st, path) {
        return None;
    }
    let mut r = axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT);
    let h = r.headers_mut();
    let asked = header(headers, "access-control-request-headers").unwrap_or("");
    for (name, value) in [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "GET, HEAD, OPTIONS"),
        ("access-control-allow-headers", asked),
        ("access-control-max-age", "86400"),
    ] {
        if let Ok(v) = axum::http::HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    }
    Some(r)
}

/// Whether `path` is a discovery document the site serves cross-origin.
pub fn cors_applies(st: &State, path: &str) -> bool {
    st.site.transport.discovery_cors && path.starts_with("/.well-known/")
}
