//! What else the authorization server must turn away or mark, seen from authspec's own client: a
//! registration with a redirect URI neither https nor loopback, an authorization request of a
//! public client without PKCE, a code redeemed by a client it was not issued to, and token
//! responses without `Cache-Control: no-store` (MCP §Communication Security, OAuth 2.1 -13).

use super::token_flow::{
    exchange, granted, member, missing_probe, not_run, ran, redirected_with_code, refused, token,
};
use super::{Area, Check, Level, Levels, MUST};
use crate::evidence::{Evidence, Exchange, Role};
use crate::finding::Finding;

/// SHOULD everywhere. MCP says "All redirect URIs **MUST** be either `localhost` or use HTTPS"
/// and OAuth 2.1 -13 §1.5 "MUST use the `https` scheme except for loopback interface redirect
/// URIs": both bind the URI, which is the client's, and neither says the authorization server
/// refuses one. The AS is the only party that can, and peers (MCPJam) fail it; but the official
/// Python SDK's AS registers any URL, and a MUST failure would claim more than the text says.
const SHOULD_EVERYWHERE: Levels = Levels {
    auth_md: Some(Level::Should),
    rfc: Some(Level::Should),
    mcp: Some(Level::Should),
};

/// The rows.
pub static CHECKS: &[Check] = &[
    super::check!(
        Area::Oauth,
        "oauth.dcr-redirect-secure",
        "Dynamic client registration refuses a redirect URI that is neither localhost nor https",
        SHOULD_EVERYWHERE,
        &["OAUTH-DCR-REDIRECT-SECURE"],
        "MCP authorization §Communication Security; OAuth 2.1 (draft-ietf-oauth-v2-1-13) §1.5; RFC 7591 §3.2.2",
        "https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#communication-security",
        "Refuse (400 invalid_redirect_uri) a registration whose redirect_uris include a URI that is not https and not http on a loopback host.",
        dcr_redirect_secure
    ),
    super::check!(
        Area::Oauth,
        "oauth.pkce-authz",
        "An authorization request of a public client without code_challenge gets no code",
        MUST,
        &["OAUTH-PKCE-AUTHZ"],
        "OAuth 2.1 (draft-ietf-oauth-v2-1-13) §4.1.2.1",
        "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-13#section-4.1.2.1",
        "Refuse a public client's authorization request that carries no code_challenge: redirect with error=invalid_request (or show an error page), never with a code.",
        pkce_authz
    ),
    super::check!(
        Area::Oauth,
        "oauth.token-no-store",
        "Token responses carry Cache-Control: no-store",
        MUST,
        &["OAUTH-TOKEN-NO-STORE"],
        "OAuth 2.1 (draft-ietf-oauth-v2-1-13) §3.2.3; RFC 6749 §5.1",
        "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-13#section-3.2.3",
        "Send Cache-Control: no-store with every token endpoint response that carries a token.",
        token_no_store
    ),
    super::check!(
        Area::Oauth,
        "oauth.code-client-bound",
        "A code is redeemed only by the client it was issued to",
        MUST,
        &["OAUTH-CODE-CLIENT"],
        "OAuth 2.1 (draft-ietf-oauth-v2-1-13) §4.1.3",
        "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-13#section-4.1.3",
        "Store the client_id with the code and refuse (400 invalid_grant) a token request from any other client.",
        code_client_bound
    ),
];

/// Whether `ex` answered with a 2xx.
fn ok(ex: &Exchange) -> bool {
    ex.status.is_some_and(|s| (200..300).contains(&s))
}

/// Whether an AS metadata document of the run names a `registration_endpoint`.
fn registration_offered(ev: &Evidence) -> bool {
    ev.with_role(|r| matches!(r, Role::Asm { .. }))
        .into_iter()
        .any(|e| member(e, "registration_endpoint").is_some())
}

fn dcr_redirect_secure(ev: &Evidence) -> Vec<Finding> {
    if !ran(ev) {
        return vec![not_run()];
    }
    let uri = crate::capture::oauth::INSECURE_REDIRECT;
    let Some(ex) = exchange(ev, "register", "dcr-insecure-redirect") else {
        if registration_offered(ev) {
            return vec![Finding::no_input(
                "the registration with an insecure redirect URI was not made",
            )];
        }
        return vec![Finding::skip(
            "the authorization server offers no registration endpoint on its own origin: no client is registered there",
        )];
    };
    if ok(ex) {
        return vec![
            Finding::fail(format!(
                "a client was registered with the redirect URI {uri}, which is neither localhost nor https ({})",
                ex.summary()
            ))
            .expected("400 invalid_redirect_uri (RFC 7591 §3.2.2)")
            .actual(ex.summary())
            .on(ex),
        ];
    }
    // A refusal says something where a proper registration (a loopback URI) was accepted, or
    // where the AS names the redirect URI as the reason (RFC 7591 §3.2.2's error code).
    let control = ["main", "redirect-control"]
        .into_iter()
        .filter_map(|p| exchange(ev, "register", p))
        .find(|e| ok(e))
        .is_some()
        || member(ex, "error") == Some("invalid_redirect_uri");
    match (ex.status, control) {
        (Some(s), true) if (400..500).contains(&s) => {
            let error = member(ex, "error").unwrap_or("no error code");
            vec![
                Finding::pass(format!(
                    "the registration with redirect URI {uri} was refused ({}, {error})",
                    ex.summary()
                ))
                .on(ex),
            ]
        }
        (Some(s), false) if (400..500).contains(&s) => vec![
            Finding::no_input(format!(
                "the registration with an insecure redirect URI was refused ({}), but no registration with a loopback one was accepted, so the refusal may not be about the URI",
                ex.summary()
            ))
            .on(ex),
        ],
        _ => vec![
            Finding::no_input(format!(
                "the registration with an insecure redirect URI got neither a client nor a refusal ({})",
                ex.summary()
            ))
            .on(ex),
        ],
    }
}

/// Whether an authorization response is an error: a 4xx page, or a redirect carrying `error`.
fn authz_refused(ex: &Exchange) -> bool {
    let status = ex.status.unwrap_or(0);
    (400..500).contains(&status)
        || ((300..400).contains(&status)
            && ex
                .header("location")
                .is_some_and(|l| l.contains("?error=") || l.contains("&error=")))
}

fn pkce_authz(ev: &Evidence) -> Vec<Finding> {
    if !ran(ev) {
        return vec![not_run()];
    }
    let Some(ex) = exchange(ev, "authorize", "pkce-absent") else {
        // Only a public client's request is refused without condition (§4.1.2.1).
        if exchange(ev, "token", "main").is_some_and(|t| t.credential == "minted") {
            return vec![Finding::skip(
                "the client is confidential: OAuth 2.1 §4.1.2.1 lets the AS take its request without code_challenge where it has other assurance against code injection",
            )];
        }
        return vec![missing_probe(ev, "pkce-absent")];
    };
    // Only an AS that approved the proper request on its own shows what it does without PKCE.
    match exchange(ev, "authorize", "main") {
        Some(main) if redirected_with_code(main) => {}
        Some(main) => {
            return vec![Finding::no_input(format!(
                "the authorization server did not approve the proper request on its own ({}), so what it does without code_challenge cannot be seen",
                main.summary()
            ))
            .on(main)];
        }
        None => return vec![Finding::no_input("no authorization request was made")],
    }
    if redirected_with_code(ex) {
        return vec![
            Finding::fail(format!(
                "a public client's authorization request without code_challenge was answered with a code ({})",
                ex.summary()
            ))
            .expected("a redirect with error=invalid_request, or an error page")
            .actual(ex.summary())
            .on(ex),
        ];
    }
    if authz_refused(ex) {
        return vec![
            Finding::pass(format!(
                "the authorization request without code_challenge was refused ({})",
                ex.summary()
            ))
            .on(ex),
        ];
    }
    vec![
        Finding::no_input(format!(
            "the authorization request without code_challenge got neither a code nor an error ({})",
            ex.summary()
        ))
        .on(ex),
    ]
}

/// Whether `ex` carries a `Cache-Control` directive `no-store`.
fn no_store(ex: &Exchange) -> bool {
    ex.headers("cache-control").any(|v| {
        v.split(',')
            .any(|d| d.trim().eq_ignore_ascii_case("no-store"))
    })
}

fn token_no_store(ev: &Evidence) -> Vec<Finding> {
    if !ran(ev) {
        return vec![not_run()];
    }
    let steps = ["token", "refresh", "old-refresh", "code-reuse"];
    let answers: Vec<&Exchange> = ev
        .with_role(|r| matches!(r, Role::OAuth { step, .. } if steps.contains(&step.as_str())))
        .into_iter()
        .filter(|e| granted(e))
        .collect();
    if answers.is_empty() {
        return vec![match token(ev, "main") {
            Err(f) => f,
            Ok(t) => Finding::no_input("no token response carried a token").on(t),
        }];
    }
    let cached: Vec<Finding> = answers
        .iter()
        .filter(|e| !no_store(e))
        .map(|e| {
            Finding::fail(format!(
                "a token response carried a token without Cache-Control: no-store ({})",
                e.summary()
            ))
            .expected("Cache-Control: no-store")
            .actual(format!(
                "Cache-Control: {}",
                e.header("cache-control").unwrap_or("(absent)")
            ))
            .on(e)
        })
        .collect();
    if !cached.is_empty() {
        return cached;
    }
    vec![Finding::pass(format!(
        "all {} token responses that carried a token said Cache-Control: no-store",
        answers.len()
    ))]
}

fn code_client_bound(ev: &Evidence) -> Vec<Finding> {
    if let Err(f) = token(ev, "main") {
        return vec![f];
    }
    let Some(ex) = exchange(ev, "token", "other-client") else {
        return vec![match exchange(ev, "authorize", "redirect-control") {
            Some(a) if !redirected_with_code(a) => Finding::no_input(format!(
                "the registered client's authorization request got no code ({})",
                a.summary()
            ))
            .on(a),
            Some(a) => Finding::no_input(
                "the registered client's code was not redeemed by the main client",
            )
            .on(a),
            None => Finding::skip(
                "the probe needs two clients of the run: it runs where the main client is a client ID metadata document and the authorization server also registers clients (the registered client's code is redeemed by the document's client)",
            ),
        }];
    };
    if granted(ex) {
        return vec![
            Finding::fail(format!(
                "a code issued to another client was redeemed by this one ({})",
                ex.summary()
            ))
            .expected("an error response (400 invalid_grant)")
            .actual(ex.summary())
            .on(ex),
        ];
    }
    if refused(ex) {
        let error = member(ex, "error").unwrap_or("no error code");
        return vec![
            Finding::pass(format!(
                "a code issued to another client was refused ({}, {error})",
                ex.summary()
            ))
            .on(ex),
        ];
    }
    vec![
        Finding::no_input(format!(
            "the redemption of another client's code neither issued a token nor was refused ({})",
            ex.summary()
        ))
        .on(ex),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::token_flow::fixtures::{GRANT, REFUSED, evidence, oauth, outcomes};
    use crate::finding::Outcome::{self, Fail, Pass};

    fn ex(method: &str, step: &str, purpose: &str, status: u16, body: &str) -> Exchange {
        oauth(method, "https://as.example/x", step, purpose, status, body)
    }

    fn authz(purpose: &str, location: &str) -> Exchange {
        let mut e = ex("GET", "authorize", purpose, 302, "");
        e.response_headers
            .push(("location".into(), location.into()));
        e
    }

    const CODE: &str = "http://127.0.0.1/authspec-oauth/callback?code=x&state=y";

    fn main_grant() -> Vec<Exchange> {
        vec![authz("main", CODE), ex("POST", "token", "main", 200, GRANT)]
    }

    #[test]
    fn an_insecure_redirect_registered_fails_and_refused_passes_only_beside_a_proper_one() {
        let probe = |status, body| ex("POST", "register", "dcr-insecure-redirect", status, body);
        let proper = ex("POST", "register", "main", 201, r#"{"client_id":"c"}"#);
        let run = |v: Vec<Exchange>| outcomes(dcr_redirect_secure(&evidence(v)));
        assert_eq!(
            run(vec![proper.clone(), probe(201, r#"{"client_id":"d"}"#)]),
            [Fail]
        );
        let refused = r#"{"error":"invalid_redirect_uri"}"#;
        assert_eq!(run(vec![proper, probe(400, refused)]), [Pass]);
        // Refused with no proper registration accepted: only the error code says why.
        assert_eq!(run(vec![probe(400, refused)]), [Pass]);
        let f = dcr_redirect_secure(&evidence(vec![probe(401, r#"{"error":"invalid_token"}"#)]));
        assert_eq!(f[0].skip, Some(crate::finding::SkipKind::NoInput));
    }

    #[test]
    fn a_code_without_code_challenge_fails_and_an_error_passes() {
        let run = |loc: &str| {
            let mut v = main_grant();
            v.push(authz("pkce-absent", loc));
            outcomes(pkce_authz(&evidence(v)))
        };
        assert_eq!(run(CODE), [Fail]);
        assert_eq!(
            run("http://127.0.0.1/authspec-oauth/callback?error=invalid_request&state=y"),
            [Pass]
        );
    }

    #[test]
    fn every_token_answer_needs_no_store() {
        let mut v = main_grant();
        v[1].response_headers
            .push(("cache-control".into(), "private, no-store".into()));
        assert_eq!(outcomes(token_no_store(&evidence(v.clone()))), [Pass]);
        // A refusal carries no token: not judged. A second grant without no-store fails.
        v.push(ex("POST", "token", "pkce-missing", 400, REFUSED));
        v.push(ex("POST", "refresh", "main", 200, GRANT));
        assert_eq!(outcomes(token_no_store(&evidence(v))), [Fail]);
    }

    #[test]
    fn another_clients_code_must_be_refused() {
        let run = |status, body| {
            let mut v = main_grant();
            v.push(authz("redirect-control", CODE));
            v.push(ex("POST", "token", "other-client", status, body));
            outcomes(code_client_bound(&evidence(v)))
        };
        assert_eq!(run(200, GRANT), [Fail]);
        assert_eq!(run(400, REFUSED), [Pass]);
        // One client in the run: a skip naming why, never a pass.
        let f = code_client_bound(&evidence(main_grant()));
        assert_eq!(f[0].outcome, Outcome::Skip);
    }
}
