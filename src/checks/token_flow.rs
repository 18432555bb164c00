//! What the rows on authspec's own token flow share: finding the flow's exchanges by step and
//! purpose, telling a granted token from a refused request, and why a row could not run.

use crate::evidence::{Evidence, Exchange, Role, TOKEN_CLAIMS};
use crate::finding::Finding;
use serde_json::Value;

/// The exchanges of `step` for `purpose` (`purpose` as the role names it).
pub fn exchanges<'a>(ev: &'a Evidence, step: &str, purpose: &str) -> Vec<&'a Exchange> {
    ev.with_role(|r| matches!(r, Role::OAuth { step: s, purpose: p } if s == step && p == purpose))
}

/// The first exchange of `step` for `purpose`.
pub fn exchange<'a>(ev: &'a Evidence, step: &str, purpose: &str) -> Option<&'a Exchange> {
    exchanges(ev, step, purpose).into_iter().next()
}

/// Whether the OAuth client made any request at all.
pub fn ran(ev: &Evidence) -> bool {
    ev.exchanges
        .iter()
        .any(|e| e.has_role(|r| matches!(r, Role::OAuth { .. })))
}

/// A token response that issued an access token (2xx with `access_token`).
pub fn granted(ex: &Exchange) -> bool {
    ex.status.is_some_and(|s| (200..300).contains(&s)) && member(ex, "access_token").is_some()
}

/// A token request the authorization server refused: an error status (OAuth 2.1 §3.2.4 answers
/// 400, or 401 for client authentication), no token.
pub fn refused(ex: &Exchange) -> bool {
    ex.status.is_some_and(|s| (400..500).contains(&s)) && member(ex, "access_token").is_none()
}

/// A string member of the JSON object the exchange answered (scrubbed: secrets are fingerprints).
pub fn member<'a>(ex: &'a Exchange, name: &str) -> Option<&'a str> {
    ex.json().ok()?.value.get(name)?.as_str()
}

/// The claims of the access token this token response carried, when it was a JWT.
pub fn claims(ex: &Exchange) -> Option<Value> {
    let note: Value = serde_json::from_str(ex.header(TOKEN_CLAIMS)?).ok()?;
    note.get("claims").cloned()
}

/// Whether `aud` (a string or an array of strings) names `resource`, ignoring one trailing slash.
pub fn aud_names(claims: &Value, resource: &str) -> bool {
    let trim = |s: &str| s.trim_end_matches('/').to_string();
    match claims.get("aud") {
        Some(Value::String(a)) => trim(a) == trim(resource),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|a| trim(a) == trim(resource)),
        _ => false,
    }
}

/// The `resource` an authorization request of the flow asked for (read from its recorded URL).
pub fn requested_resource(ev: &Evidence, purpose: &str) -> Option<String> {
    let ex = exchange(ev, "authorize", purpose)?;
    let url = url::Url::parse(&ex.url).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "resource")
        .map(|(_, v)| v.into_owned())
}

/// Whether a resource request was let through: a 2xx, or a JSON-RPC answer (past authorization).
pub fn accepted(ex: &Exchange) -> bool {
    ex.status.is_some_and(|s| (200..300).contains(&s))
        || (ex.status.is_some_and(|s| s != 401 && s != 403)
            && ex.body.windows(9).any(|w| w == b"\"jsonrpc\""))
}

/// Why the flow never started, as a skip by choice: it is opted into, and it needs an
/// authorization server that offers what it uses.
pub fn not_run() -> Finding {
    Finding::skip(
        "authspec's OAuth client did not run: it runs with --allow-side-effects, at an authorization server whose metadata names authorization and token endpoints (on the issuer's origin) and a way to be a client (registration_endpoint, --client-id, or client ID metadata documents with --cimd-serve)",
    )
}

/// The token response of `purpose`'s grant, or why there is none (the flow's first step that
/// did not work: registration, the authorization request, the token request).
pub fn token<'a>(ev: &'a Evidence, purpose: &str) -> Result<&'a Exchange, Finding> {
    if !ran(ev) {
        return Err(not_run());
    }
    if let Some(reg) = exchange(ev, "register", "main")
        && !reg.status.is_some_and(|s| (200..300).contains(&s))
    {
        return Err(Finding::no_input(format!(
            "no token could be had: the client registration was not accepted ({})",
            reg.summary()
        ))
        .on(reg));
    }
    let Some(authz) = exchange(ev, "authorize", purpose) else {
        return Err(missing_probe(ev, purpose));
    };
    if !redirected_with_code(authz) {
        return Err(Finding::no_input(format!(
            "no token could be had: the authorization server did not approve the request on its own ({}); authspec reads the code from the redirect of an AS that approves by itself (test and development servers)",
            authz.summary()
        ))
        .on(authz));
    }
    // The last answer: a token request the AS asked to repeat with its DPoP nonce (RFC 9449 §8)
    // is sent again, and the retry is what the grant got.
    match exchanges(ev, "token", purpose).into_iter().last() {
        Some(t) if granted(t) => Ok(t),
        Some(t) => Err(Finding::no_input(format!(
            "no token could be had: the token request was not granted ({})",
            t.summary()
        ))
        .on(t)),
        None => Err(Finding::no_input(format!(
            "no token could be had: the code of the {purpose} grant was not redeemed (its redirect carried no code with this run's state)"
        ))
        .on(authz)),
    }
}

/// Whether the main grant was authorized through the user's browser (`--login`).
pub fn interactive(ev: &Evidence) -> bool {
    exchange(ev, "authorize", "main").is_some_and(|e| e.header("x-authspec-login").is_some())
}

/// Why the authorization request of `purpose` is not in the evidence: `--login` signs in once,
/// for the main grant (a skip by choice), else it was not made.
pub fn missing_probe(ev: &Evidence, purpose: &str) -> Finding {
    if interactive(ev) {
        return Finding::skip(format!(
            "signing in by hand gives one code, the main grant's; the {purpose} probe needs a code of its own, from an authorization server that approves on its own"
        ));
    }
    Finding::no_input(format!(
        "no token could be had: no authorization request for the {purpose} grant was made"
    ))
}

/// An authorization response redirected to the client with a `code` (scrubbed, but present).
pub fn redirected_with_code(ex: &Exchange) -> bool {
    ex.status.is_some_and(|s| (300..400).contains(&s))
        && ex
            .header("location")
            .is_some_and(|l| l.contains("?code=") || l.contains("&code="))
}

/// Hand-built token-flow evidence for the `oauth` judges' unit tests, so each of them reads the
/// same shape of exchange as the capture records.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::evidence::{Evidence, Exchange, Mode, Role};
    use crate::finding::{Finding, Outcome};

    /// A token answer with the access token scrubbed as the capture leaves it.
    pub const GRANT: &str = r#"{"access_token":"‹redacted sha256:aaaaaa›","token_type":"Bearer"}"#;
    /// The refusal of a token request.
    pub const REFUSED: &str = r#"{"error":"invalid_grant"}"#;

    /// One exchange of authspec's OAuth client: `method url`, `step` for `purpose`, answered.
    pub fn oauth(
        method: &str,
        url: &str,
        step: &str,
        purpose: &str,
        status: u16,
        body: &str,
    ) -> Exchange {
        let role = Role::OAuth {
            step: step.into(),
            purpose: purpose.into(),
        };
        let mut e = Exchange::new(method, url, vec![role]);
        e.status = Some(status);
        e.body = body.as_bytes().to_vec();
        e
    }

    /// An MCP run at `https://api.example/mcp` holding `exchanges`, numbered in order.
    pub fn evidence(mut exchanges: Vec<Exchange>) -> Evidence {
        for (i, e) in exchanges.iter_mut().enumerate() {
            e.id = i;
        }
        Evidence {
            resource: "https://api.example/mcp".into(),
            resource_url: url::Url::parse("https://api.example/mcp").expect("a URL"),
            profile: crate::profile::Profile::Mcp,
            mode: Mode::Live,
            api_key_given: false,
            exchanges,
            mcp_version: Default::default(),
        }
    }

    /// The outcomes of `findings`, in order.
    pub fn outcomes(findings: Vec<Finding>) -> Vec<Outcome> {
        findings.into_iter().map(|f| f.outcome).collect()
    }
}
