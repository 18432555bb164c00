//! `POST /oauth/register`: dynamic client registration (RFC 7591 §3). A public client by
//! default; a confidential one, with a `client_secret`, when it asks for `client_secret_basic`
//! or `client_secret_post`.

use super::super::State;
use super::super::handlers::{json_response, problem};
use super::random_token;
use super::store::Client;
use axum::body::Bytes;
use axum::extract::State as S;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::Arc;

/// The token endpoint authentication methods a client may register with.
const METHODS: [&str; 3] = ["none", "client_secret_basic", "client_secret_post"];

/// Registers a client with the redirect URIs it asked for (RFC 7591 §3.2.1 answers 201).
pub async fn register_client(S(st): S<Arc<State>>, body: Bytes) -> Response {
    let asked: Option<Value> = serde_json::from_slice(&body).ok();
    let uris: Option<Vec<String>> = asked
        .as_ref()
        .and_then(|v| serde_json::from_value(v.get("redirect_uris")?.clone()).ok());
    let Some(uris) = uris.filter(|u| !u.is_empty()) else {
        return refuse(
            "invalid_redirect_uri",
            "redirect_uris must be a non-empty array of strings",
        );
    };
    if !st.site.oauth.dcr_any_redirect
        && let Some(bad) = uris.iter().find(|u| !secure_redirect(u))
    {
        // MCP §Communication Security: "All redirect URIs MUST be either `localhost` or use
        // HTTPS"; RFC 7591 §3.2.2 names the error.
        return refuse(
            "invalid_redirect_uri",
            &format!("{bad} is neither https nor a loopback http URI"),
        );
    }
    let method = asked
        .as_ref()
        .and_then(|v| v.get("token_endpoint_auth_method"))
        .and_then(Value::as_str)
        .unwrap_or("none");
    if !METHODS.contains(&method) {
        return refuse(
            "invalid_client_metadata",
            "token_endpoint_auth_method must be none, client_secret_basic or client_secret_post",
        );
    }
    let secret = (method != "none").then(|| random_token("ms"));
    let Ok(mut clients) = st.oauth.clients.lock() else {
        return problem(
            &st,
            StatusCode::INTERNAL_SERVER_ERROR,
            "client store unavailable",
        );
    };
    let client_id = format!("mock-client-{}", clients.len() + 1);
    clients.insert(
        client_id.clone(),
        Client {
            redirect_uris: uris.clone(),
            secret: secret.clone(),
        },
    );
    // The grant types it asked for that it may use (RFC 7591 §2: the server may replace them);
    // client_credentials only with a secret.
    let allowed: &[&str] = if secret.is_some() {
        &["authorization_code", "refresh_token", "client_credentials"]
    } else {
        &["authorization_code", "refresh_token"]
    };
    let grants: Vec<&str> = asked
        .as_ref()
        .and_then(|v| v.get("grant_types"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|g| allowed.contains(g))
                .collect()
        })
        .filter(|g: &Vec<&str>| !g.is_empty())
        .unwrap_or_else(|| allowed.to_vec());
    let mut answer = json!({
        "client_id": client_id, "redirect_uris": uris, "token_endpoint_auth_method": method,
        "grant_types": grants, "response_types": ["code"],
        "client_id_issued_at": super::jwt::now(),
    });
    if let Some(s) = secret {
        answer["client_secret"] = json!(s);
        // RFC 7591 §3.2.1: REQUIRED with a secret; 0 says it never expires.
        answer["client_secret_expires_at"] = json!(0);
    }
    json_response(StatusCode::CREATED, "application/json", &answer)
}

/// Whether `uri` may be registered: https, or http on a loopback host (`localhost`, `127.0.0.1`,
/// `[::1]`; OAuth 2.1 -13 §1.5 lets only loopback redirect URIs use `http`).
pub fn secure_redirect(uri: &str) -> bool {
    let Ok(u) = url::Url::parse(uri) else {
        return false;
    };
    match u.scheme() {
        "https" => true,
        "http" => matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")),
        _ => false,
    }
}

fn refuse(error: &str, description: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        "application/json",
        &json!({"error": error, "error_description": description}),
    )
}

#[cfg(test)]
mod tests {
    use super::secure_redirect;

    #[test]
    fn only_https_or_loopback_http_redirect_uris_are_registered() {
        for ok in [
            "https://app.example/cb",
            "http://127.0.0.1/cb",
            "http://localhost:3000/cb",
            "http://[::1]:8080/cb",
        ] {
            assert!(secure_redirect(ok), "{ok}");
        }
        for bad in [
            "http://evil.example/callback",
            "http://127.0.0.1.evil.example/cb",
            "javascript:alert(1)",
            "not a url",
        ] {
            assert!(!secure_redirect(bad), "{bad}");
        }
    }
}
