//! What the authorization server enforces when authspec's own client holds real grants: PKCE,
//! single-use codes, exact redirect URIs, refresh-token rotation, the audience of what it issues
//! and the DPoP token type (OAuth 2.1 draft-ietf-oauth-v2-1-13, RFC 8707, RFC 9068, RFC 9449).

use super::token_flow::{
    aud_names, claims, exchange, granted, member, missing_probe, not_run, ran,
    redirected_with_code, refused, requested_resource, token,
};
use super::{Area, Check, MUST, SHOULD};
use crate::evidence::{Evidence, Exchange};
use crate::finding::Finding;
use url::Url;

/// The authorization-server rows of the token flow.
pub static CHECKS: &[Check] = &[
    super::check!(
        Area::Oauth,
        "oauth.pkce-enforced",
        "A code issued with a code_challenge is not redeemed without its code_verifier, or with another one",
        MUST,
        &["OAUTH-PKCE-ENFORCED"],
        "OAuth 2.1 (draft-ietf-oauth-v2-1-13) §4.1.3, §7.5.2; RFC 7636 §4.6",
        "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-13#section-4.1.3",
        "Store the code_challenge with the code and refuse (400 invalid_grant) a token request whose code_verifier is missing or does not hash to it.",
        pkce_enforced
    ),
    super::check!(
        Area::Oauth,
        "oauth.code-once",
        "An authorization code is redeemed only once",
        MUST,
        &["OAUTH-CODE-ONCE"],
        "OAuth 2.1 (draft-ietf-oauth-v2-1-13) §4.1.3, §7.5.3",
        "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-13#section-4.1.3",
        "Mark a code used when it is redeemed; refuse it the second time (400 invalid_grant) and revoke what it issued.",
        code_once
    ),
    super::check!(
        Area::Oauth,
        "oauth.redirect-exact",
        "An authorization request is not redirected to a redirect_uri that is not exactly the registered one",
        MUST,
        &["OAUTH-REDIRECT-EXACT"],
        "OAuth 2.1 (draft-ietf-oauth-v2-1-13) §2.3.1, §4.1.2.1; RFC 8252 §7.3; MCP authorization §Open Redirection",
        "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-13#section-4.1.2.1",
        "Compare redirect_uri with the registered values by simple string comparison (only a loopback port may vary) and show an error page instead of redirecting.",
        redirect_exact
    ),
    super::check!(
        Area::Oauth,
        "oauth.refresh-rotation",
        "A public client's refresh token is rotated, and the old one is refused after use",
        MUST,
        &["OAUTH-REFRESH-ROTATION"],
        "OAuth 2.1 (draft-ietf-oauth-v2-1-13) §4.3.1; MCP authorization §Token Theft",
        "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-13#section-4.3.1",
        "Issue a new refresh token with every refresh of a public client's grant and invalidate the one presented (or sender-constrain refresh tokens with DPoP).",
        refresh_rotation
    ),
    super::check!(
        Area::Oauth,
        "oauth.token-audience",
        "A JWT access token's aud names the resource the token request asked for",
        SHOULD,
        &["OAUTH-TOKEN-AUD"],
        "RFC 8707 §2; RFC 9068 §3",
        "https://www.rfc-editor.org/rfc/rfc9068#section-3",
        "Set aud to the resource parameter of the token request (RFC 8707), not to the issuer or a fixed value.",
        token_audience
    ),
    super::check!(
        Area::Oauth,
        "oauth.dpop-token-type",
        "A token bound to a DPoP key is issued with token_type DPoP",
        MUST,
        &["OAUTH-DPOP-TOKEN-TYPE"],
        "RFC 9449 §5",
        "https://www.rfc-editor.org/rfc/rfc9449#section-5",
        "Answer a token request that carried a valid DPoP proof, and bound the token to its key, with \"token_type\": \"DPoP\".",
        dpop_token_type
    ),
];

/// Refusals prove something only where the proper redemption of a like code was granted.
fn main_granted(ev: &Evidence) -> Result<&Exchange, Finding> {
    token(ev, "main")
}

fn pkce_enforced(ev: &Evidence) -> Vec<Finding> {
    if let Err(f) = main_granted(ev) {
        return vec![f];
    }
    let mut out = Vec::new();
    for (purpose, what) in [
        ("pkce-missing", "without its code_verifier"),
        ("pkce-wrong", "with another code_verifier"),
    ] {
        let Some(ex) = exchange(ev, "token", purpose) else {
            out.push(match exchange(ev, "authorize", purpose) {
                Some(a) if !redirected_with_code(a) => Finding::no_input(format!(
                    "the authorization request for the {purpose} probe got no code ({})",
                    a.summary()
                ))
                .on(a),
                _ => missing_probe(ev, purpose),
            });
            continue;
        };
        out.push(judge_refusal(
            ex,
            &format!("a code issued with a code_challenge, redeemed {what}"),
        ));
    }
    out
}

/// A token request that must be refused: granted fails, an error status passes.
fn judge_refusal(ex: &Exchange, what: &str) -> Finding {
    if granted(ex) {
        return Finding::fail(format!(
            "the authorization server issued a token for {what}"
        ))
        .expected("an error response (400 invalid_grant)")
        .actual(ex.summary())
        .on(ex);
    }
    if refused(ex) {
        let error = member(ex, "error").unwrap_or("no error code");
        return Finding::pass(format!("{what}: refused ({}, {error})", ex.summary())).on(ex);
    }
    Finding::no_input(format!(
        "{what}: the answer neither issued a token nor refused the request ({})",
        ex.summary()
    ))
    .on(ex)
}

fn code_once(ev: &Evidence) -> Vec<Finding> {
    let first = match token(ev, "code-reuse") {
        Ok(t) => t,
        Err(f) => return vec![f],
    };
    match exchange(ev, "code-reuse", "code-reuse") {
        Some(again) => vec![judge_refusal(again, "a code redeemed a second time").on(first)],
        None => vec![Finding::no_input("the second redemption of the code was not made").on(first)],
    }
}

/// Whether the redirect of `ex` lands on `target` (scheme, host, port and path equal, and every
/// query parameter of `target` present).
fn lands_on(ex: &Exchange, target: &str) -> bool {
    let (Some(loc), Ok(base), Ok(target)) = (
        ex.header("location"),
        Url::parse(&ex.url),
        Url::parse(target),
    ) else {
        return false;
    };
    let Ok(loc) = base.join(loc) else {
        return false;
    };
    let pairs: Vec<(String, String)> = loc.query_pairs().into_owned().collect();
    loc.scheme() == target.scheme()
        && loc.host_str() == target.host_str()
        && loc.port_or_known_default() == target.port_or_known_default()
        && loc.path() == target.path()
        && target
            .query_pairs()
            .into_owned()
            .all(|p| pairs.contains(&p))
}

/// Whether the authorization request `ex` names a client by its metadata document (an URL).
fn document_client(ex: &Exchange) -> bool {
    Url::parse(&ex.url).is_ok_and(|u| {
        u.query_pairs().any(|(k, v)| {
            k == "client_id" && (v.starts_with("https://") || v.starts_with("http://"))
        })
    })
}

fn redirect_exact(ev: &Evidence) -> Vec<Finding> {
    if !ran(ev) {
        return vec![not_run()];
    }
    // Only an AS that redirected the registered URI on its own shows what it does with others.
    // The redirect probes ran as a registered client beside a document's main client, with a
    // proper request of their own; else as the main grant's client.
    let control = exchange(ev, "authorize", "redirect-control");
    let Some(main) = control.or_else(|| exchange(ev, "authorize", "main")) else {
        return vec![Finding::no_input("no authorization request was made")];
    };
    if !redirected_with_code(main) {
        return vec![Finding::no_input(format!(
            "the authorization server did not redirect the registered redirect_uri on its own ({}), so what it does with another cannot be seen",
            main.summary()
        ))
        .on(main)];
    }
    use crate::capture::oauth::Purpose;
    let variants = [
        (Purpose::RedirectPath, "an extra path segment"),
        (Purpose::RedirectQuery, "an added query"),
        (Purpose::RedirectHost, "another host"),
    ];
    variants
        .into_iter()
        .map(|(p, what)| match exchange(ev, "authorize", p.slug()) {
            None => missing_probe(ev, p.slug()),
            // A client known by its metadata document has its redirect URIs there: an AS that
            // does not validate the document (asm.cimd-validates) redirects anywhere for it.
            Some(ex) if lands_on(ex, &p.redirect_uri()) => Finding::fail(format!(
                "a redirect_uri with {what} was redirected to ({})",
                ex.summary()
            ))
            .because_if(document_client(main), "asm.cimd-validates")
            .expected("an error page, no redirect to the unregistered URI")
            .actual(format!(
                "{} → {}",
                ex.status.unwrap_or(0),
                ex.header("location").unwrap_or("")
            ))
            .on(ex),
            Some(ex) if ex.status.is_none() => Finding::no_input(format!(
                "the request with {what} got no answer ({})",
                ex.summary()
            ))
            .on(ex),
            Some(ex) => Finding::pass(format!(
                "a redirect_uri with {what} was not redirected to ({})",
                ex.summary()
            ))
            .on(ex),
        })
        .collect()
}

fn refresh_rotation(ev: &Evidence) -> Vec<Finding> {
    let first = match main_granted(ev) {
        Ok(t) => t,
        Err(f) => return vec![f],
    };
    // A confidential client authenticates its refreshes: OAuth 2.1 §4.3.1 asks rotation or
    // sender-constraining of public clients only.
    if first.credential == "minted" {
        return vec![
            Finding::skip("the client is confidential (it authenticates at the token endpoint): rotation is required for public clients").on(first),
        ];
    }
    let Some(old_rt) = member(first, "refresh_token") else {
        return vec![Finding::skip("the authorization server issued no refresh token").on(first)];
    };
    let Some(refresh) = exchange(ev, "refresh", "main") else {
        return vec![Finding::no_input("the refresh token was not used").on(first)];
    };
    if !granted(refresh) {
        return vec![
            Finding::no_input(format!(
                "the refresh was not granted ({}), so its rotation cannot be seen",
                refresh.summary()
            ))
            .on(refresh),
        ];
    }
    let new_rt = member(refresh, "refresh_token");
    if new_rt.is_none_or(|n| n == old_rt) {
        return vec![
            Finding::fail(match new_rt {
                None => "the refresh response carried no new refresh token",
                Some(_) => "the refresh response returned the same refresh token",
            })
            .expected("a new refresh token with every refresh of a public client's grant")
            .actual(refresh.summary())
            .on(first)
            .on(refresh),
        ];
    }
    match exchange(ev, "old-refresh", "main") {
        Some(old) => vec![
            judge_refusal(old, "the old refresh token, used again after its rotation").on(refresh),
        ],
        None => vec![Finding::no_input("the old refresh token was not replayed").on(refresh)],
    }
}

fn token_audience(ev: &Evidence) -> Vec<Finding> {
    let first = match main_granted(ev) {
        Ok(t) => t,
        Err(f) => return vec![f],
    };
    let mut out = Vec::new();
    for purpose in ["main", "other-audience"] {
        let Some(ex) = exchange(ev, "token", purpose).filter(|e| granted(e)) else {
            continue;
        };
        let Some(resource) = requested_resource(ev, purpose) else {
            continue;
        };
        let Some(c) = claims(ex) else {
            out.push(
                Finding::skip("the access token is not a JWT: RFC 9068 says nothing of its claims")
                    .on(ex),
            );
            continue;
        };
        let aud = c.get("aud").map_or("absent".into(), ToString::to_string);
        out.push(if aud_names(&c, &resource) {
            Finding::pass(format!("the {purpose} token's aud {aud} names {resource}")).on(ex)
        } else {
            Finding::fail(format!(
                "the {purpose} token's aud does not name the resource its request asked for"
            ))
            .expected(format!("aud naming {resource}"))
            .actual(format!("aud {aud}"))
            .on(ex)
        });
    }
    if out.is_empty() {
        out.push(Finding::no_input("no granted token request named a resource").on(first));
    }
    out
}

fn dpop_token_type(ev: &Evidence) -> Vec<Finding> {
    let ex = match token(ev, "dpop") {
        Ok(t) => t,
        Err(f) if f.skip == Some(crate::finding::SkipKind::Chosen) => return vec![f],
        Err(f) => match exchange(ev, "authorize", "dpop") {
            // The AS does not advertise DPoP (ES256): no DPoP grant was asked for.
            None => {
                return vec![Finding::skip(
                    "the authorization server does not list ES256 in dpop_signing_alg_values_supported",
                )];
            }
            Some(_) => return vec![f],
        },
    };
    let token_type = member(ex, "token_type").unwrap_or("");
    let bound = claims(ex).is_some_and(|c| c.pointer("/cnf/jkt").is_some());
    if token_type.eq_ignore_ascii_case("dpop") {
        return vec![Finding::pass("a token request with a DPoP proof got token_type DPoP").on(ex)];
    }
    if bound {
        return vec![
            Finding::fail(format!(
                "the token is bound to the DPoP key (cnf.jkt) but token_type is {token_type:?}"
            ))
            .expected("token_type DPoP")
            .actual(format!("token_type {token_type:?}"))
            .on(ex),
        ];
    }
    vec![Finding::skip(format!(
        "the AS issued a token it does not say is bound (token_type {token_type:?}), which RFC 9449 §5 allows"
    ))
    .on(ex)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Role;

    use crate::checks::token_flow::fixtures::{REFUSED, evidence, oauth, outcomes};

    fn ex(step: &str, purpose: &str, status: u16, body: &str) -> Exchange {
        oauth(
            "POST",
            "https://as.example/token",
            step,
            purpose,
            status,
            body,
        )
    }

    fn authz(purpose: &str) -> Exchange {
        let mut e = Exchange::new(
            "GET",
            "https://as.example/authorize?resource=https%3A%2F%2Fapi.example%2Fmcp",
            vec![Role::OAuth {
                step: "authorize".into(),
                purpose: purpose.into(),
            }],
        );
        e.status = Some(302);
        e.response_headers.push((
            "location".into(),
            "http://127.0.0.1/authspec-oauth/callback?code=‹redacted›&state=x".into(),
        ));
        e
    }

    const GRANT: &str = r#"{"access_token":"‹redacted sha256:aaaaaa›","token_type":"Bearer","refresh_token":"‹redacted sha256:bbbbbb›"}"#;

    #[test]
    fn pkce_refusals_pass_and_a_grant_fails() {
        use crate::finding::Outcome::*;
        let base = vec![
            authz("main"),
            ex("token", "main", 200, GRANT),
            authz("pkce-missing"),
            authz("pkce-wrong"),
        ];
        let mut good = base.clone();
        good.push(ex("token", "pkce-missing", 400, REFUSED));
        good.push(ex("token", "pkce-wrong", 400, REFUSED));
        assert_eq!(outcomes(pkce_enforced(&evidence(good))), [Pass, Pass]);
        let mut bad = base;
        bad.push(ex("token", "pkce-missing", 200, GRANT));
        bad.push(ex("token", "pkce-wrong", 400, REFUSED));
        assert_eq!(outcomes(pkce_enforced(&evidence(bad))), [Fail, Pass]);
    }

    #[test]
    fn no_token_is_never_a_pass() {
        let f = pkce_enforced(&evidence(vec![]));
        assert_eq!(f[0].skip, Some(crate::finding::SkipKind::Chosen));
        let mut login = authz("main");
        login.status = Some(200);
        login.response_headers.clear();
        let f = code_once(&evidence(vec![login]));
        assert_eq!(
            f[0].skip,
            Some(crate::finding::SkipKind::NoInput),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn rotation_needs_a_new_token_and_the_old_refused() {
        use crate::finding::Outcome::*;
        let same = r#"{"access_token":"‹redacted sha256:cccccc›","refresh_token":"‹redacted sha256:bbbbbb›"}"#;
        let new = r#"{"access_token":"‹redacted sha256:cccccc›","refresh_token":"‹redacted sha256:dddddd›"}"#;
        let run = |refresh: &str, old: u16| {
            outcomes(refresh_rotation(&evidence(vec![
                authz("main"),
                ex("token", "main", 200, GRANT),
                ex("refresh", "main", 200, refresh),
                ex(
                    "old-refresh",
                    "main",
                    old,
                    if old == 200 { new } else { REFUSED },
                ),
            ])))
        };
        assert_eq!(run(new, 400), [Pass]);
        assert_eq!(run(same, 400), [Fail]);
        assert_eq!(run(new, 200), [Fail]);
    }

    #[test]
    fn redirect_variants_fail_only_when_redirected_there() {
        use crate::finding::Outcome::*;
        let mut path = authz("redirect-path");
        path.response_headers[0].1 =
            "http://127.0.0.1/authspec-oauth/callback/extra?code=x&state=y".into();
        let mut query = authz("redirect-query");
        query.status = Some(400);
        query.response_headers.clear();
        let mut host = authz("redirect-host");
        host.status = Some(400);
        host.response_headers.clear();
        let f = redirect_exact(&evidence(vec![authz("main"), path, query, host]));
        assert_eq!(outcomes(f), [Fail, Pass, Pass]);
    }
}
