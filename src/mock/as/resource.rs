//! The resource server's side: whether a request carries an access token this AS issued, and
//! whether that token is good here (RFC 9068 §4: signature, `typ`, `iss`, `exp`, `aud`; RFC 9449
//! §7: a bound token comes with the DPoP scheme and a proof from its key for this request).

use super::super::State;
use super::{dpop, jwt};
use axum::http::{HeaderMap, Method, Uri, header};
use serde_json::Value;

/// The resource server's judgement of a token the mock signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Minted {
    /// Good for this resource, with these scopes.
    Valid { scope: Vec<String> },
    /// Signed by the mock but not good here, for this reason.
    Refused(&'static str),
}

/// `None` when the request carries no access token the mock signed (API keys, forgeries and
/// no credential go the old way); else what the token is worth at this resource.
pub fn judge(st: &State, method: &Method, uri: &Uri, headers: &HeaderMap) -> Option<Minted> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = auth.split_once(' ')?;
    let token = token.trim();
    let parsed = jwt::parse(token).filter(jwt::Parsed::signed_by_mock)?;
    let dpop_scheme = scheme.eq_ignore_ascii_case("dpop");
    if !dpop_scheme && !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    Some(match check(st, &parsed.payload) {
        Err(why) => Minted::Refused(why),
        Ok(()) => match binding(
            st,
            method,
            uri,
            headers,
            token,
            &parsed.payload,
            dpop_scheme,
        ) {
            Err(why) => Minted::Refused(why),
            Ok(()) => Minted::Valid {
                scope: parsed.payload["scope"]
                    .as_str()
                    .unwrap_or("")
                    .split(' ')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            },
        },
    })
}

/// The token's own claims: not refused by a fault, not revoked, issuer, expiry, audience.
fn check(st: &State, claims: &Value) -> Result<(), &'static str> {
    if st.site.reject_key {
        return Err("the token is refused");
    }
    let jti = claims["jti"].as_str().unwrap_or("");
    let record = st
        .oauth
        .tables
        .lock()
        .ok()
        .and_then(|t| t.access.get(jti).cloned());
    match &record {
        None => return Err("this AS has no record of the token"),
        Some(a) if a.revoked => return Err("the token was revoked"),
        Some(_) => {}
    }
    if claims["iss"].as_str() != Some(super::issuer(st).as_str()) {
        return Err("the token is from another issuer");
    }
    if claims["exp"].as_u64().is_none_or(|e| e <= jwt::now()) {
        return Err("the token expired");
    }
    let rules = st.site.oauth;
    let own = &st.site.resource;
    let for_us = if rules.rs_audience_unchecked {
        true
    } else if rules.aud_issuer {
        // The tokens' `aud` is useless under this fault; the RS asks the AS's records instead,
        // which MCP allows ("or otherwise verify that they are the intended recipient").
        record.is_some_and(|a| a.resources.contains(own))
    } else {
        match &claims["aud"] {
            Value::String(a) => a == own,
            Value::Array(list) => list.iter().any(|a| a.as_str() == Some(own)),
            _ => false,
        }
    };
    if !for_us {
        return Err("the token is for another audience");
    }
    Ok(())
}

/// The sender constraint: a token bound by `cnf.jkt` needs the DPoP scheme and a proof from that
/// key for this method and URL, with the token's hash (RFC 9449 §7.1, §4.3); an unbound token
/// needs the Bearer scheme.
fn binding(
    st: &State,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    token: &str,
    claims: &Value,
    dpop_scheme: bool,
) -> Result<(), &'static str> {
    let rules = st.site.oauth;
    let Some(jkt) = claims["cnf"]["jkt"].as_str() else {
        return if dpop_scheme {
            Err("the DPoP scheme carries DPoP-bound tokens only")
        } else {
            Ok(())
        };
    };
    if !dpop_scheme {
        return if rules.rs_dpop_as_bearer {
            Ok(())
        } else {
            Err("a DPoP-bound token must be sent with the DPoP scheme")
        };
    }
    let url = format!("{}{}", st.site.base, uri.path());
    let expect = dpop::Expect {
        method: method.as_str(),
        url: &url,
        token: Some(token),
        bind_request: !rules.rs_dpop_htu_unchecked,
    };
    let proof = dpop::proof_header(headers).map_err(dpop::Refusal::describe)?;
    let key = dpop::verify(proof, &expect, &st.oauth.proofs).map_err(dpop::Refusal::describe)?;
    if key != jkt && !rules.rs_dpop_any_key {
        return Err("the DPoP proof is from another key than the token is bound to");
    }
    Ok(())
}
