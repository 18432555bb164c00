//! Bearer challenges (RFC 6750 §3, RFC 9110 §11): every 401 parses, and says what it should.

use super::members::quote;
use super::{Area, Check, MUST, SHOULD, rfc};
use crate::evidence::{Evidence, Exchange, Mode, Role};
use crate::finding::{Finding, pass_or};
use crate::parse::challenge::{self, Challenge};

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::Wwwa, $($t)*)
    };
}

/// The Bearer-challenge checks, in report order.
pub static CHECKS: &[Check] = &[
    row!(
        "wwwa.401-present",
        "Every 401 carries a WWW-Authenticate challenge",
        MUST,
        &["WWWA-401-PRESENT", "HTTP-401-MEANING"],
        "RFC 9110 §11.6.1, §15.5.2",
        rfc!("9110", "15.5.2"),
        "Send WWW-Authenticate with at least one challenge on every 401.",
        present
    ),
    row!(
        "wwwa.parse",
        "WWW-Authenticate values follow the RFC 9110 challenge grammar",
        MUST,
        &["WWWA-PARSE"],
        "RFC 9110 §11.6.1",
        rfc!("9110", "11.6.1"),
        "Write challenges as: scheme, then token68 or comma-separated name=value params; quote values that are not tokens.",
        parses
    ),
    row!(
        "wwwa.param-once",
        "No parameter name repeats within a challenge",
        MUST,
        &["WWWA-PARAM-ONCE"],
        "RFC 9110 §11.2; RFC 6750 §3",
        rfc!("6750", "3"),
        "Send each auth-param (realm, scope, error, …) at most once per challenge.",
        param_once
    ),
    row!(
        "wwwa.realm-quoted",
        "realm is sent as a quoted-string",
        MUST,
        &["WWWA-REALM-QUOTED"],
        "RFC 9110 §11.5",
        rfc!("9110", "11.5"),
        "Write realm=\"…\" with quotes.",
        realm_quoted
    ),
    row!(
        "wwwa.bearer-challenge",
        "A request without credentials gets 401 with a Bearer challenge",
        MUST,
        &["WWWA-BEARER-CHALLENGE"],
        "RFC 6750 §3",
        rfc!("6750", "3"),
        "Answer requests without credentials with 401 and WWW-Authenticate: Bearer ….",
        bearer_challenge
    ),
    row!(
        "wwwa.bearer-has-param",
        "The Bearer challenge carries at least one parameter",
        MUST,
        &["WWWA-BEARER-HAS-PARAM"],
        "RFC 6750 §3",
        rfc!("6750", "3"),
        "Add a parameter such as resource_metadata or realm after Bearer.",
        bearer_has_param
    ),
    row!(
        "wwwa.no-error-anon",
        "No error code is sent when the request carried no credentials",
        SHOULD,
        &["WWWA-NO-ERROR-ANON"],
        "RFC 6750 §3.1",
        rfc!("6750", "3.1"),
        "Leave error out of the challenge for requests that had no token.",
        no_error_anon
    ),
    row!(
        "wwwa.error-on-bad-token",
        "A refused token gets 401 with error=\"invalid_token\"",
        SHOULD,
        &["WWWA-ERROR-ON-BADTOKEN", "WWWA-INVALID-TOKEN"],
        "RFC 6750 §3, §3.1",
        rfc!("6750", "3.1"),
        "Answer an unknown or revoked key with 401 and error=\"invalid_token\".",
        error_on_bad_token
    ),
    row!(
        "wwwa.charset",
        "scope, error and error_description use the allowed characters",
        MUST,
        &["WWWA-CHARSET"],
        "RFC 6750 §3",
        rfc!("6750", "3"),
        "Keep these values to printable ASCII without '\"' and '\\\\' (scope: no spaces inside a scope token).",
        charset
    ),
    row!(
        "wwwa.error-uri",
        "error_uri is an absolute URI",
        SHOULD,
        &["WWWA-ERROR-URI"],
        "RFC 6750 §3",
        rfc!("6750", "3"),
        "Send error_uri as an absolute URI.",
        error_uri
    ),
    row!(
        "wwwa.bearer-header-support",
        "A key in the Authorization header is judged, not refused as a method",
        MUST,
        &["BEARER-HEADER-SUPPORT"],
        "RFC 6750 §2.1",
        rfc!("6750", "2.1"),
        "Accept the Authorization: Bearer method; answer a bad key with 401, not 400 or 415.",
        header_support
    ),
];

/// Every 401 of the run with its parsed challenges.
fn all_401s(ev: &Evidence) -> Vec<(&Exchange, Result<Vec<Challenge>, crate::parse::ParseError>)> {
    ev.exchanges
        .iter()
        .filter(|e| e.status == Some(401))
        .map(|e| (e, challenge::parse_fields(e.headers("www-authenticate"))))
        .collect()
}

fn none_seen(ev: &Evidence) -> Vec<Finding> {
    vec![match ev.mode {
        Mode::Lint => Finding::skip(ev.lint_no_challenge()),
        Mode::Live => Finding::skip("no response of the run was a 401"),
    }]
}

fn raw(ex: &Exchange) -> String {
    ex.headers("www-authenticate")
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `judge` over the parsed challenges of every 401 that parses.
fn each_challenge_set(
    ev: &Evidence,
    mut judge: impl FnMut(&Exchange, &[Challenge]) -> Vec<Finding>,
) -> Vec<Finding> {
    let list = all_401s(ev);
    if list.is_empty() {
        return none_seen(ev);
    }
    let mut out = Vec::new();
    for (ex, parsed) in list {
        match parsed {
            Ok(chs) if !chs.is_empty() => out.extend(judge(ex, &chs).into_iter().map(|f| f.on(ex))),
            _ => out.push(Finding::no_input("the challenge is missing or does not parse (wwwa.401-present / wwwa.parse report it)").on(ex)),
        }
    }
    out
}

fn present(ev: &Evidence) -> Vec<Finding> {
    let list = all_401s(ev);
    if list.is_empty() {
        return none_seen(ev);
    }
    let out = list
        .into_iter()
        .filter(|(ex, parsed)| {
            ex.header("www-authenticate").is_none() || parsed.as_ref().is_ok_and(Vec::is_empty)
        })
        .map(|(ex, _)| {
            Finding::fail(format!(
                "{} {} answered 401 without a challenge",
                ex.method, ex.url
            ))
            .expected("WWW-Authenticate: Bearer …")
            .actual("no WWW-Authenticate")
            .on(ex)
        })
        .collect();
    pass_or(out, || Finding::pass("every 401 carries a challenge"))
}

fn parses(ev: &Evidence) -> Vec<Finding> {
    let list = all_401s(ev);
    if list.is_empty() {
        return none_seen(ev);
    }
    let out = list
        .into_iter()
        .filter_map(|(ex, parsed)| parsed.err().map(|e| (ex, e)))
        .map(|(ex, e)| {
            let text = raw(ex);
            let near: String = text
                .chars()
                .skip(e.offset.saturating_sub(10))
                .take(30)
                .collect();
            Finding::fail(format!(
                "WWW-Authenticate does not parse: {} (near {near:?})",
                e
            ))
            .expected("RFC 9110 challenge syntax")
            .actual(text)
            .on(ex)
        })
        .collect();
    pass_or(out, || Finding::pass("every challenge parses"))
}

fn param_once(ev: &Evidence) -> Vec<Finding> {
    each_challenge_set(ev, |_, chs| {
        let mut out = Vec::new();
        for c in chs {
            let mut seen: Vec<String> = Vec::new();
            for p in &c.params {
                let n = p.name.to_ascii_lowercase();
                if seen.contains(&n) {
                    out.push(
                        Finding::fail(format!(
                            "{} challenge repeats the parameter {}",
                            c.scheme, p.name
                        ))
                        .expected("each parameter once")
                        .actual(format!("{} twice", p.name)),
                    );
                }
                seen.push(n);
            }
        }
        pass_or(out, || Finding::pass("no parameter repeats"))
    })
}

fn realm_quoted(ev: &Evidence) -> Vec<Finding> {
    each_challenge_set(ev, |_, chs| {
        let realms: Vec<_> = chs
            .iter()
            .flat_map(|c| c.params.iter())
            .filter(|p| p.name.eq_ignore_ascii_case("realm"))
            .collect();
        if realms.is_empty() {
            return vec![Finding::skip("no realm parameter")];
        }
        let out = realms
            .iter()
            .filter(|p| !p.quoted)
            .map(|p| {
                Finding::fail("realm is sent as a token")
                    .expected(format!("realm={}", quote(&p.value)))
                    .actual(format!("realm={}", p.value))
            })
            .collect();
        pass_or(out, || Finding::pass("realm is quoted"))
    })
}

fn probes(ev: &Evidence, badkey: bool) -> Vec<&Exchange> {
    ev.probes(|r| {
        if badkey {
            matches!(r, Role::ProbeBadKey { .. })
        } else {
            matches!(r, Role::ProbeUnauth { .. })
        }
    })
}

/// Guessed probes that did not answer like a protected endpoint are set aside: they cannot be judged.
fn judgeable(ev: &Evidence, badkey: bool) -> Result<Vec<&Exchange>, Vec<Finding>> {
    let (guesses, list): (Vec<&Exchange>, Vec<&Exchange>) = probes(ev, badkey)
        .into_iter()
        .partition(|e| ev.guess_unanswered(e).is_some());
    if list.is_empty() && !guesses.is_empty() {
        return Err(guesses
            .into_iter()
            .filter_map(|e| ev.guess_unanswered(e))
            .collect());
    }
    Ok(list)
}

/// Judges every judgeable probe (unauthenticated, or with a bad key) with `judge`.
fn each_probe(
    ev: &Evidence,
    badkey: bool,
    what: &str,
    judge: impl Fn(&Exchange) -> Finding,
) -> Vec<Finding> {
    let list = match judgeable(ev, badkey) {
        Ok(l) => l,
        Err(skipped) => return skipped,
    };
    if list.is_empty() {
        return no_probes(ev, what);
    }
    list.into_iter().map(judge).collect()
}

/// Why the Bearer rows step aside for a resource that challenges with DPoP alone.
const DPOP_ONLY: &str = "the 401 challenges with DPoP only: the resource takes DPoP-bound tokens, not bearer tokens (RFC 9449 §7.1), so RFC 6750's Bearer rules do not apply";

/// Whether `ex` is a 401 whose challenges offer DPoP and no Bearer.
fn dpop_only(ex: &Exchange) -> bool {
    ex.status == Some(401)
        && challenge::parse_fields(ex.headers("www-authenticate"))
            .is_ok_and(|chs| challenge::dpop_only(&chs))
}

/// Whether the unauthenticated twin of the bad-key probe `ex` showed a DPoP-only resource: its
/// bearer key then tests a scheme the resource never offered.
fn bearer_unoffered(ev: &Evidence, ex: &Exchange) -> bool {
    unauthenticated_twin(ev, ex).is_some_and(dpop_only)
}

fn bearer_of(ex: &Exchange) -> Option<Challenge> {
    challenge::parse_fields(ex.headers("www-authenticate"))
        .ok()?
        .into_iter()
        .find(|c| c.is("bearer"))
}

fn no_probes(ev: &Evidence, what: &str) -> Vec<Finding> {
    vec![match ev.mode {
        Mode::Lint if what.contains("unauthenticated") => Finding::skip(ev.lint_no_challenge()),
        Mode::Lint => Finding::skip(format!("lint was given no {what}")),
        Mode::Live => Finding::no_input(format!("no {what} was made")),
    }]
}

fn bearer_challenge(ev: &Evidence) -> Vec<Finding> {
    each_probe(ev, false, "unauthenticated probe", |ex| {
        match (ex.status, bearer_of(ex), &ex.error) {
            (_, _, Some(e)) => Finding::error(format!("the probe failed: {e}")).on(ex),
            (Some(401), Some(_), _) => Finding::pass(format!(
                "{} {} answered 401 with a Bearer challenge",
                ex.method, ex.url
            ))
            .on(ex),
            (Some(401), None, _) if dpop_only(ex) => Finding::skip(DPOP_ONLY).on(ex),
            (Some(401), None, _) => Finding::fail("the 401 carries no Bearer challenge")
                .expected("WWW-Authenticate: Bearer …")
                .actual(raw(ex))
                .on(ex),
            (s, _, _) => Finding::fail(format!(
                "{} {} without credentials did not answer 401",
                ex.method, ex.url
            ))
            .expected("401")
            .actual(s.map_or("no status".into(), |s| s.to_string()))
            .on(ex),
        }
    })
}

fn bearer_has_param(ev: &Evidence) -> Vec<Finding> {
    each_challenge_set(ev, |_, chs| {
        let bearers: Vec<&Challenge> = chs.iter().filter(|c| c.is("bearer")).collect();
        if bearers.is_empty() {
            return vec![Finding::skip("no Bearer challenge")];
        }
        let out = bearers
            .iter()
            .filter(|c| c.params.is_empty())
            .map(|_| {
                Finding::fail("a bare Bearer challenge has no parameters")
                    .expected("Bearer resource_metadata=\"…\" (or realm, scope, error)")
                    .actual("Bearer")
            })
            .collect();
        pass_or(out, || Finding::pass("Bearer challenges carry parameters"))
    })
}

fn no_error_anon(ev: &Evidence) -> Vec<Finding> {
    let list: Vec<&Exchange> = probes(ev, false)
        .into_iter()
        .filter(|e| e.status == Some(401))
        .collect();
    if list.is_empty() {
        return vec![Finding::skip("no unauthenticated probe answered 401")];
    }
    list.into_iter()
        .map(
            |ex| match bearer_of(ex).and_then(|c| c.param("error").map(|p| p.value.clone())) {
                Some(e) => Finding::fail(
                    "the challenge to a request without credentials carries an error code",
                )
                .expected("no error parameter")
                .actual(format!("error={}", quote(&e)))
                .on(ex),
                None => Finding::pass("no error code for a request without credentials").on(ex),
            },
        )
        .collect()
}

fn error_on_bad_token(ev: &Evidence) -> Vec<Finding> {
    each_probe(ev, true, "bad-key probe", |ex| {
        if bearer_unoffered(ev, ex) {
            return Finding::skip(DPOP_ONLY).on(ex);
        }
        let err = bearer_of(ex).and_then(|c| c.param("error").map(|p| p.value.clone()));
        match (ex.status, err.as_deref()) {
            (Some(401), Some("invalid_token")) => {
                Finding::pass("a refused key gets 401 with error=\"invalid_token\"").on(ex)
            }
            (s, e) => Finding::fail("a refused key does not get 401 with error=\"invalid_token\"")
                // Under MCP a bad token's status is a MUST of its own; a wrong status is reported there.
                .because_if(s != Some(401), "mcp.invalid-token-401")
                .expected("401 and error=\"invalid_token\"")
                .actual(format!(
                    "{} and {}",
                    s.map_or("no status".into(), |s| s.to_string()),
                    e.map_or("no error parameter".into(), |e| format!(
                        "error={}",
                        quote(e)
                    ))
                ))
                .on(ex),
        }
    })
}

fn allowed(c: char, space_ok: bool) -> bool {
    matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e') || (space_ok && c == ' ')
}

fn charset(ev: &Evidence) -> Vec<Finding> {
    each_challenge_set(ev, |_, chs| {
        let mut out = Vec::new();
        for p in chs
            .iter()
            .filter(|c| c.is("bearer"))
            .flat_map(|c| c.params.iter())
        {
            let name = p.name.to_ascii_lowercase();
            let ok = match name.as_str() {
                "scope" => p
                    .value
                    .split(' ')
                    .all(|t| !t.is_empty() && t.chars().all(|c| allowed(c, false))),
                "error" | "error_description" => p.value.chars().all(|c| allowed(c, true)),
                "error_uri" => p.value.chars().all(|c| allowed(c, false)),
                _ => true,
            };
            if !ok {
                out.push(
                    Finding::fail(format!("{name} has characters RFC 6750 does not allow"))
                        .expected("printable ASCII without '\"' or '\\\\'")
                        .actual(quote(&p.value)),
                );
            }
        }
        pass_or(out, || {
            Finding::pass("parameter values use the allowed characters")
        })
    })
}

fn error_uri(ev: &Evidence) -> Vec<Finding> {
    each_challenge_set(ev, |_, chs| {
        let uris: Vec<&str> = chs
            .iter()
            .flat_map(|c| c.params.iter())
            .filter(|p| p.name.eq_ignore_ascii_case("error_uri"))
            .map(|p| p.value.as_str())
            .collect();
        if uris.is_empty() {
            return vec![Finding::skip("no error_uri")];
        }
        let out = uris
            .iter()
            .filter(|u| url::Url::parse(u).is_err())
            .map(|u| {
                Finding::fail("error_uri is not an absolute URI")
                    .expected("https://…")
                    .actual(quote(u))
            })
            .collect();
        pass_or(out, || Finding::pass("error_uri is absolute"))
    })
}

fn header_support(ev: &Evidence) -> Vec<Finding> {
    each_probe(ev, true, "bad-key probe", |ex| {
        if bearer_unoffered(ev, ex) {
            return Finding::skip(DPOP_ONLY).on(ex);
        }
        match ex.status {
        Some(401 | 403) => Finding::pass(format!(
            "the Authorization header was judged ({})",
            ex.status.unwrap_or(0)
        ))
        .on(ex),
        Some(s) if s == 400 || s == 415 || s == 501 => {
            Finding::fail("the Authorization: Bearer method looks unsupported")
                .expected("401 for a bad key")
                .actual(s.to_string())
                .on(ex)
        }
        Some(s) => match unauthenticated_twin(ev, ex) {
            // The same request without a header was refused, with one it got further: the
            // header reached the server's verifier. What the status should be is another row's.
            Some(twin) if twin.status != Some(s) => Finding::pass(format!(
                "the Authorization header was read: without it {} answered {}, with a bad key {s} (the status a bad key should get is judged by wwwa.error-on-bad-token)",
                ex.url,
                twin.status.unwrap_or(0)
            ))
            .on(ex)
            .on(twin),
            _ => Finding::fail(format!("a bad key got {s}"))
                .expected("401")
                .actual(s.to_string())
                .on(ex),
        },
        None => Finding::no_input(format!(
            "no response: {}",
            ex.error.as_deref().unwrap_or("?")
        ))
        .on(ex),
    }
    })
}

/// The unauthenticated probe of the same endpoint as the bad-key probe `ex`.
fn unauthenticated_twin<'a>(ev: &'a Evidence, ex: &Exchange) -> Option<&'a Exchange> {
    let endpoint = ex.roles.iter().find_map(|r| match r {
        Role::ProbeBadKey { endpoint } => Some(endpoint.clone()),
        _ => None,
    })?;
    ev.role(&Role::ProbeUnauth { endpoint })
}
