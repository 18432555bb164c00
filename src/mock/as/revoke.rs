//! `POST /oauth/revoke`: token revocation (RFC 7009). A refresh token takes its grant with it,
//! access tokens included (§2.1: "SHOULD also invalidate all access tokens based on the same
//! authorization grant"); an access token is revoked alone.

use super::super::State;
use super::super::handlers::set;
use super::Params;
use axum::body::Bytes;
use axum::extract::State as S;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The revocation endpoint: 200 for any token, known or not (RFC 7009 §2.2: "invalid tokens
/// do not cause an error response"); 401 only when the client fails to authenticate.
pub async fn revoke(S(st): S<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = Params::parse(&String::from_utf8_lossy(&body));
    let caller = match super::token::authenticate_client(&st, &headers, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Some(token) = form.get("token")
        && let Ok(mut t) = st.oauth.tables.lock()
    {
        if let Some(r) = t.refresh.get(token).cloned() {
            // §2.1: the token must have been issued to the client asking.
            if t.grants.get(r.grant).is_some_and(|g| g.client_id == caller) {
                t.revoke_grant(r.grant, true);
            }
        } else if let Some(jti) = super::token::claims_of(token)
            .filter(|c| c["client_id"].as_str() == Some(caller.as_str()))
            .and_then(|c| c["jti"].as_str().map(str::to_string))
            && let Some(a) = t.access.get_mut(&jti)
        {
            a.revoked = true;
        }
    }
    let mut r = StatusCode::OK.into_response();
    set(&mut r, "cache-control", "no-store");
    r
}
