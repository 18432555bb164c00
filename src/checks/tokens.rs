//! Negative token probes: forged tokens and a key in the query string must never open the API.

use super::{Area, Check, Level, Levels, Profile, rfc};
use crate::capture::forge::Forgery;
use crate::evidence::{Evidence, Exchange, Role};
use crate::finding::Finding;

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::Wwwa, $($t)*)
    };
}

/// The token-probe rows, in report order.
pub static CHECKS: &[Check] = &[
    row!(
        "wwwa.forged-token-refused",
        "No forged token is accepted (alg none, unsigned, self-signed, expired, another audience, malformed, DPoP-bound)",
        super::MUST,
        &["TOKEN-FORGED-REFUSED", "MCP-AUDIENCE"],
        "RFC 6750 §3.1; RFC 8725 §3.1, §3.10; RFC 7519 §4.1.3-4.1.4; RFC 9449 §7",
        rfc!("8725", "3.1"),
        "Verify every token: signature by the issuer's keys only (never alg none or an embedded jwk), exp, iss and aud.",
        forged_refused
    ),
    row!(
        "wwwa.forged-token-401",
        "Each forged token gets 401 invalid_token (400 for a malformed header)",
        Levels {
            auth_md: Some(Level::Should),
            rfc: Some(Level::Should),
            mcp: Some(Level::Must),
        },
        &["TOKEN-FORGED-401", "WWWA-INVALID-TOKEN", "MCP-AUDIENCE"],
        "RFC 6750 §3.1; MCP authorization §Token Handling",
        rfc!("6750", "3.1"),
        "Answer an invalid, expired or foreign token with 401 and WWW-Authenticate: Bearer error=\"invalid_token\".",
        forged_401
    ),
    row!(
        "wwwa.query-key-refused",
        "The API key is not accepted in the access_token query parameter",
        Levels {
            auth_md: Some(Level::Should),
            rfc: Some(Level::May),
            mcp: Some(Level::Should),
        },
        &["TOKEN-QUERY-REFUSED", "BEARER-NO-QUERY", "MCP-TOKEN-HEADER"],
        "RFC 6750 §2.3, §5.3; MCP authorization §Token Requirements",
        rfc!("6750", "2.3"),
        "Read credentials only from the Authorization header; refuse access_token in the URL.",
        query_refused
    ),
];

fn forged(ev: &Evidence) -> Vec<(&Exchange, Forgery, &str)> {
    ev.exchanges
        .iter()
        .flat_map(|e| {
            e.roles.iter().filter_map(move |r| match r {
                Role::ProbeForged { endpoint, forgery } => {
                    Forgery::from_slug(forgery).map(|f| (e, f, endpoint.as_str()))
                }
                _ => None,
            })
        })
        .collect()
}

fn success(ex: &Exchange) -> bool {
    ex.status.is_some_and(|s| (200..300).contains(&s))
}

/// Why the probes of `endpoint` prove nothing, when they do not: a token's answer says something
/// only where a request without credentials was refused (401 or 403). An endpoint that answered
/// it 2xx is open; one that answered otherwise (a guessed resource URL that 404s, a 500) is not
/// shown to be a protected endpoint at all.
fn open_endpoint(ev: &Evidence, endpoint: &str) -> Option<Finding> {
    let Some(unauth) = ev.role(&Role::ProbeUnauth {
        endpoint: endpoint.to_string(),
    }) else {
        return Some(Finding::no_input(format!(
            "{endpoint} was not probed without credentials"
        )));
    };
    if let Some(f) = ev.guess_unanswered(unauth) {
        return Some(f);
    }
    match unauth.status {
        Some(401 | 403) => None,
        Some(s) if (200..300).contains(&s) => Some(
            Finding::skip(format!(
                "{endpoint} answered {s} without credentials, so a token sent to it proves nothing"
            ))
            .on(unauth),
        ),
        s => Some(
            Finding::no_input(format!(
                "{endpoint} answered {} without credentials, not 401: a token sent to it proves nothing",
                s.map_or("nothing".into(), |s| s.to_string())
            ))
            .on(unauth),
        ),
    }
}

/// The status of a probe, or why it has none.
fn unanswered(ex: &Exchange, what: &str) -> Option<Finding> {
    if ex.status.is_some() {
        return None;
    }
    let why = ex
        .tool_limit()
        .or_else(|| ex.error.clone())
        .or_else(|| ex.not_fetched.clone())
        .unwrap_or_else(|| "no response".into());
    Some(Finding::no_input(format!("{what} got no answer: {why}")).on(ex))
}

/// Judges every answered forged-token probe of an endpoint that refuses anonymous requests with
/// `judge`; the others say why they prove nothing.
fn each_forged(ev: &Evidence, judge: impl Fn(&Exchange, Forgery, &str) -> Finding) -> Vec<Finding> {
    let probes = forged(ev);
    if probes.is_empty() {
        return vec![Finding::no_input(
            "no forged-token probe was made (no protected endpoint to send it to)",
        )];
    }
    // Probes sent beside their endpoint's unauthenticated probe (speculatively) to an endpoint
    // that then did not refuse it are set aside when another endpoint's refusal was judged.
    let judged_elsewhere = probes
        .iter()
        .any(|(_, _, endpoint)| open_endpoint(ev, endpoint).is_none());
    probes
        .into_iter()
        .map(|(ex, f, endpoint)| match open_endpoint(ev, endpoint) {
            Some(why) if judged_elsewhere => {
                Finding::skip(format!("set aside: {}", why.message)).on(ex)
            }
            Some(why) => why,
            None => unanswered(ex, f.describe()).unwrap_or_else(|| judge(ex, f, endpoint)),
        })
        .collect()
}

fn forged_refused(ev: &Evidence) -> Vec<Finding> {
    let findings = each_forged(ev, |ex, f, endpoint| {
        if success(ex) {
            Finding::fail(format!("{endpoint} accepted {}", f.describe()))
                .expected("a refusal (401 invalid_token)")
                .actual(format!("{} ({})", ex.status.unwrap_or(0), ex.summary()))
                .on(ex)
        } else {
            Finding::pass(format!(
                "{}: refused with {}",
                f.slug(),
                ex.status.unwrap_or(0)
            ))
            .on(ex)
        }
    });
    super::valid_token::discount(ev, findings)
}

fn forged_401(ev: &Evidence) -> Vec<Finding> {
    each_forged(ev, |ex, f, endpoint| {
        let status = ex.status.unwrap_or(0);
        // RFC 6750 §3.1: a malformed request is invalid_request, which "SHOULD" get 400; MCP's
        // error table gives 400 to a "malformed authorization request" too.
        let ok = status == 401 || (f == Forgery::Malformed && status == 400);
        if ok {
            return Finding::pass(format!("{}: {status}", f.slug())).on(ex);
        }
        if status == 429 {
            return Finding::no_input(format!(
                "{}: rate limited (429) before the token was judged",
                f.slug()
            ))
            .on(ex);
        }
        Finding::fail(format!("{} did not get 401", f.describe()))
            .expected(match f {
                Forgery::Malformed => "401, or 400 invalid_request",
                Forgery::Dpop | Forgery::DpopNonce => {
                    "401 with DPoP error=\"invalid_token\" (or use_dpop_nonce with a DPoP-Nonce)"
                }
                _ => "401 with Bearer error=\"invalid_token\"",
            })
            .actual(format!(
                "{status} {}",
                ex.header("www-authenticate").unwrap_or("(no challenge)")
            ))
            .because_if(success(ex), "wwwa.forged-token-refused")
            .because_if(
                !success(ex) && same_as_bad_key(ev, endpoint, status),
                bad_key_row(ev),
            )
            .on(ex)
    })
}

/// Whether the random bad key got the same non-401 answer at `endpoint`: then one fault of the
/// server's refusal path explains both, and the bad-key row is the root.
fn same_as_bad_key(ev: &Evidence, endpoint: &str, status: u16) -> bool {
    ev.role(&Role::ProbeBadKey {
        endpoint: endpoint.to_string(),
    })
    .is_some_and(|b| b.status == Some(status))
}

/// The row that judges the bad-key probe's status under this profile.
fn bad_key_row(ev: &Evidence) -> &'static str {
    if ev.profile == Profile::Mcp {
        "mcp.invalid-token-401"
    } else {
        "wwwa.error-on-bad-token"
    }
}

fn query_refused(ev: &Evidence) -> Vec<Finding> {
    let probes: Vec<(&Exchange, &str)> = ev
        .exchanges
        .iter()
        .flat_map(|e| {
            e.roles.iter().filter_map(move |r| match r {
                Role::ProbeQueryKey { endpoint } => Some((e, endpoint.as_str())),
                _ => None,
            })
        })
        .collect();
    // A probe sent speculatively to an endpoint that did not refuse gives way to one that did.
    let probe = probes
        .iter()
        .find(|(_, endpoint)| open_endpoint(ev, endpoint).is_none())
        .or(probes.first())
        .copied();
    let Some((ex, endpoint)) = probe else {
        return vec![Finding::skip(if ev.api_key_given {
            "not probed: pass --probe-query-key to send the API key once in the query string"
        } else {
            "not probed: needs --api-key and --probe-query-key"
        })];
    };
    if let Some(s) = open_endpoint(ev, endpoint).or_else(|| unanswered(ex, "the query-key probe")) {
        return vec![s];
    }
    let mcp_words = if ev.profile == Profile::Mcp {
        " (MCP: access tokens MUST NOT be included in the URI query string)"
    } else {
        ""
    };
    vec![if success(ex) {
        Finding::fail(format!(
            "{endpoint} accepted the API key in the access_token query parameter{mcp_words}"
        ))
        .expected("a refusal: credentials only in the Authorization header")
        .actual(format!("{} ({})", ex.status.unwrap_or(0), ex.url))
        .on(ex)
    } else {
        Finding::pass(format!(
            "the key in the query string was refused with {}",
            ex.status.unwrap_or(0)
        ))
        .on(ex)
    }]
}
