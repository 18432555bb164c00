//! `GET /oauth/authorize`: the authorization endpoint. The mock approves on its own, as
//! development authorization servers do (there is no user to sign in), after checking the client
//! and its redirect URI exactly; it then redirects with a single-use code bound to the request.

use super::super::State;
use super::super::handlers::{json_response, set};
use super::super::site::IssInRedirect;
use super::store::Code;
use super::{Params, canonical_resource, granted_scope, random_token};
use axum::extract::State as S;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// The authorization endpoint. A registered client's `redirect_uri` must be one it registered,
/// byte for byte (RFC 8252 §7.3's loopback port aside); a client ID metadata document is fetched
/// (from loopback hosts only: the mock is no relay) and must name its own URL and list the
/// `redirect_uri`. A request that fails those gets a 400 page and is never redirected.
pub async fn authorize(S(st): S<Arc<State>>, uri: Uri) -> Response {
    let q = Params::parse(uri.query().unwrap_or(""));
    let client_id = q.get("client_id").unwrap_or_default().to_string();
    let redirect = q.get("redirect_uri").map(str::to_string);
    let registered = st
        .oauth
        .clients
        .lock()
        .ok()
        .and_then(|c| c.get(&client_id).cloned());
    let (redirect, public) = match registered {
        Some(client) => {
            let Some(r) = chosen_redirect(&st, &client.redirect_uris, redirect.as_deref()) else {
                return page(
                    "invalid_request",
                    "redirect_uri is not registered for this client",
                );
            };
            (r, client.secret.is_none())
        }
        None => match cimd_redirect(&st, &client_id, redirect.as_deref()).await {
            Ok(r) => (r, true),
            Err(refusal) => return refusal,
        },
    };
    let asked_redirect = q.get("redirect_uri").map(str::to_string);
    let state = q.get("state").map(str::to_string);
    let reply = |params: &[(&str, &str)]| redirect_to(&st, &redirect, params, state.as_deref());
    if q.get("response_type") != Some("code") {
        return reply(&[("error", "unsupported_response_type")]);
    }
    let challenge = q
        .get("code_challenge")
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    let method = q.get("code_challenge_method").unwrap_or("plain");
    if challenge.is_some() && method != "S256" {
        return reply(&[
            ("error", "invalid_request"),
            (
                "error_description",
                "only the S256 code_challenge_method is supported",
            ),
        ]);
    }
    if challenge.is_none() && public && !st.site.oauth.pkce_optional {
        // OAuth 2.1 -13 §4.1.2.1: "An AS MUST reject requests without a `code_challenge` from
        // public clients"; the mock's metadata says S256.
        return reply(&[
            ("error", "invalid_request"),
            (
                "error_description",
                "code_challenge is required for public clients",
            ),
        ]);
    }
    let mut resources = Vec::new();
    for r in q.all("resource") {
        match canonical_resource(&st, r) {
            Some(c) => resources.push(c),
            None => {
                return reply(&[
                    ("error", "invalid_target"),
                    (
                        "error_description",
                        "this AS issues no tokens for that resource",
                    ),
                ]);
            }
        }
    }
    if resources.is_empty() {
        resources = super::served_resources(&st);
    }
    let code = random_token("mc");
    let entry = Code {
        client_id,
        redirect_uri: asked_redirect,
        challenge,
        scope: granted_scope(&st, q.get("scope")),
        resources,
        used: false,
        issued_at: super::jwt::now(),
    };
    if let Ok(mut t) = st.oauth.tables.lock() {
        t.codes.insert(code.clone(), entry);
    }
    reply(&[("code", &code)])
}

/// The redirect URI a registered client's request may be sent to: the one it asked for when it
/// matches a registered one, or the only registered one when it asked for none (OAuth 2.1 §4.1.1).
fn chosen_redirect(st: &State, registered: &[String], asked: Option<&str>) -> Option<String> {
    match asked {
        Some(a) => registered
            .iter()
            .any(|r| redirect_matches(r, a, st.site.oauth.redirect_prefix))
            .then(|| a.to_string()),
        None if registered.len() == 1 => registered.first().cloned(),
        None => None,
    }
}

/// Whether `asked` is the registered redirect URI `registered`: equal as strings (OAuth 2.1
/// §4.1.1 / §2.3.1: "exact string matching"), except that a loopback IP redirect may name any port
/// (RFC 8252 §7.3). `prefix` is the fault that accepts anything starting with the registered URI.
pub fn redirect_matches(registered: &str, asked: &str, prefix: bool) -> bool {
    if registered == asked || (prefix && loose_match(registered, asked)) {
        return true;
    }
    matches!(
        (without_loopback_port(registered), without_loopback_port(asked)),
        (Some(r), Some(a)) if r == a
    )
}

/// A loopback IP redirect URI (`http://127.0.0.1…`, `http://[::1]…`) with its port taken out,
/// every other byte kept; `None` for any other URI.
fn without_loopback_port(uri: &str) -> Option<String> {
    let host = ["http://127.0.0.1", "http://[::1]"]
        .into_iter()
        .find(|h| uri.starts_with(h))?;
    let rest = &uri[host.len()..];
    let rest = match rest.strip_prefix(':') {
        Some(p) => p.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => rest,
    };
    // The host must end here: `http://127.0.0.1.evil.example/` is no loopback URI.
    (rest.is_empty() || rest.starts_with(['/', '?', '#'])).then(|| format!("{host}{rest}"))
}

/// The fault `mcp-as-redirect-prefix`: the AS takes any URI that starts with a registered one,
/// so an extra path segment or an added query is redirected to.
fn loose_match(registered: &str, asked: &str) -> bool {
    asked.starts_with(registered)
}

/// The client ID metadata document route (CIMD): the client document must name `client_id`
/// exactly and list the redirect URI. Returns the redirect URI, or the refusal to send.
async fn cimd_redirect(
    st: &State,
    client_id: &str,
    redirect: Option<&str>,
) -> Result<String, Response> {
    let Some(doc) = client_document(client_id).await else {
        return Err(page(
            "invalid_client",
            "client_id is not a client ID metadata document URL this AS can fetch",
        ));
    };
    let redirect = redirect.unwrap_or_default();
    let names_itself = doc.get("client_id").and_then(Value::as_str) == Some(client_id);
    let lists_redirect = doc
        .get("redirect_uris")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|r| r.as_str() == Some(redirect)));
    if !st.site.api.cimd_unchecked {
        if !names_itself {
            return Err(page(
                "invalid_client",
                "the document's client_id is not its URL",
            ));
        }
        if !lists_redirect {
            return Err(page(
                "invalid_request",
                "redirect_uri is not registered in the client document",
            ));
        }
    }
    Ok(redirect.to_string())
}

/// The 400 answer to a request the AS will not redirect (OAuth 2.1 §4.1.2.1: an invalid
/// redirect URI or client is told to the user, never to the redirect URI).
fn page(error: &str, description: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        "application/json",
        &json!({"error": error, "error_description": description}),
    )
}

/// The 302 to `redirect` with `params`, `state` and (as the site is set) RFC 9207's `iss`.
fn redirect_to(
    st: &State,
    redirect: &str,
    params: &[(&str, &str)],
    state: Option<&str>,
) -> Response {
    let iss = match st.site.api.iss_in_redirect {
        IssInRedirect::Issuer => Some(st.site.base.clone()),
        IssInRedirect::Omitted => None,
        IssInRedirect::Normalized => Some(format!("{}/", st.site.base)),
    };
    let mut pairs: Vec<(&str, &str)> = params.to_vec();
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    if let Some(i) = &iss {
        pairs.push(("iss", i));
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let mut r = StatusCode::FOUND.into_response();
    set(&mut r, "location", &format!("{redirect}{sep}{query}"));
    set(&mut r, "cache-control", "no-store");
    r
}

/// The client document at `client_id`, when it is an http(s) URL on a loopback host.
async fn client_document(client_id: &str) -> Option<Value> {
    let u = url::Url::parse(client_id).ok()?;
    let loopback = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if !loopback || !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(3))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .ok()?;
    let resp = client.get(u).send().await.ok()?;
    let bytes = resp.bytes().await.ok()?;
    serde_json::from_slice(&bytes[..bytes.len().min(64 * 1024)]).ok()
}

#[cfg(test)]
mod tests {
    use super::redirect_matches;

    #[test]
    fn redirect_uris_match_byte_for_byte_but_for_a_loopback_port() {
        let reg = "http://127.0.0.1/cb";
        assert!(redirect_matches(reg, reg, false));
        assert!(redirect_matches(reg, "http://127.0.0.1:8123/cb", false));
        assert!(redirect_matches(
            "http://[::1]:1/cb?a=1",
            "http://[::1]:2/cb?a=1",
            false
        ));
        for bad in [
            "http://127.0.0.1:8123/cb/x",
            "http://127.0.0.1/cb?x=1",
            "http://127.0.0.1/CB",
            "http://127.0.0.1.evil.example/cb",
            "http://localhost:8123/cb",
            "https://127.0.0.1/cb",
        ] {
            assert!(!redirect_matches(reg, bad, false), "{bad}");
        }
        assert!(!redirect_matches(
            "https://app.example/cb",
            "https://app.example:444/cb",
            false
        ));
        // The prefix fault takes what starts with the registered URI, and only that.
        assert!(redirect_matches(reg, "http://127.0.0.1/cb/x", true));
        assert!(redirect_matches(reg, "http://127.0.0.1/cb?x=1", true));
        assert!(!redirect_matches(reg, "http://evil.example/cb", true));
    }
}
