//! DPoP (RFC 9449) as the documents advertise it: proof algorithms, AS support and the challenge.

use super::members::{quote, show, strings};
use super::{Area, Check, MUST, SHOULD, rfc};
use crate::capture::forge::Forgery;
use crate::evidence::{Doc, Evidence, Exchange, Role, Subject};
use crate::finding::{Finding, pass_or};
use crate::parse::challenge;
use crate::parse::dpop_nonce as nonce;
use serde_json::Value;

/// The DPoP rows, in report order.
pub static CHECKS: &[Check] = &[
    super::check!(
        Area::Asm,
        "asm.dpop-algs",
        "dpop_signing_alg_values_supported lists asymmetric JWS algorithms only",
        MUST,
        &["DPOP-ALGS"],
        "RFC 9449 §4.2, §5.1; RFC 9728 §2",
        rfc!("9449", "5.1"),
        "List asymmetric algorithms such as ES256 or PS256; never none or an HMAC (HS256).",
        dpop_algs
    ),
    super::check!(
        Area::Prm,
        "prm.dpop-as-support",
        "A resource that requires DPoP names authorization servers that support it",
        SHOULD,
        &["DPOP-AS-SUPPORT"],
        "RFC 9728 §2 (dpop_bound_access_tokens_required); RFC 9449 §5.1",
        rfc!("9449", "5.1"),
        "Advertise dpop_signing_alg_values_supported in the metadata of every authorization server the PRM names.",
        as_support
    ),
    super::check!(
        Area::Wwwa,
        "wwwa.dpop-challenge",
        "A resource that takes DPoP challenges with the DPoP scheme and its algs",
        SHOULD,
        &["DPOP-CHALLENGE"],
        "RFC 9449 §7.1",
        rfc!("9449", "7.1"),
        "Answer 401 with WWW-Authenticate: DPoP algs=\"ES256 PS256\" (beside Bearer, if Bearer tokens are taken too).",
        dpop_challenge
    ),
    super::check!(
        Area::Wwwa,
        "wwwa.dpop-nonce",
        "A use_dpop_nonce challenge supplies exactly one DPoP-Nonce of NQCHARs",
        MUST,
        &["DPOP-NONCE"],
        "RFC 9449 §8, §8.1, §9",
        rfc!("9449", "9"),
        "Send one DPoP-Nonce field (visible ASCII but \" and \\) with every 401 whose DPoP challenge says error=\"use_dpop_nonce\".",
        nonce_supplied
    ),
];

/// Every PRM and AS metadata document that arrived, with what it is.
fn documents(ev: &Evidence) -> Vec<Doc<'_>> {
    let prm = ev
        .with_role(|r| matches!(r, Role::Prm | Role::PrmHinted { .. } | Role::PrmRoot))
        .into_iter()
        .filter_map(|e| match ev.subject(Some(e), "PRM") {
            Subject::Doc(d) => Some(d),
            Subject::Absent(_) => None,
        });
    let asm = ev.asm_docs().into_iter().filter_map(|(_, s)| match s {
        Subject::Doc(d) => Some(d),
        Subject::Absent(_) => None,
    });
    prm.chain(asm).collect()
}

/// A JWS algorithm a DPoP proof may not use: none, or a MAC (RFC 9449 §4.2).
fn forbidden(alg: &str) -> bool {
    alg.eq_ignore_ascii_case("none") || alg.starts_with("HS")
}

fn dpop_algs(ev: &Evidence) -> Vec<Finding> {
    let out: Vec<Finding> = documents(ev)
        .into_iter()
        .filter_map(|d| {
            let v = d.get("dpop_signing_alg_values_supported")?;
            let list = strings(d.obj, "dpop_signing_alg_values_supported");
            let bad: Vec<&str> = list.iter().copied().filter(|a| forbidden(a)).collect();
            let shaped = v
                .as_array()
                .is_some_and(|a| !a.is_empty() && a.len() == list.len());
            Some(if shaped && bad.is_empty() {
                Finding::pass(format!("{}: {}", d.ex.url, show(v))).on(d.ex)
            } else {
                Finding::fail(if bad.is_empty() {
                    "dpop_signing_alg_values_supported is not a non-empty array of algorithm names"
                        .to_string()
                } else {
                    format!("DPoP proofs may not use {}", bad.join(", "))
                })
                .expected("a non-empty array of asymmetric JWS algs, e.g. [\"ES256\"]")
                .actual(show(v))
                .at("/dpop_signing_alg_values_supported")
                .on(d.ex)
            })
        })
        .collect();
    if out.is_empty() {
        return vec![Finding::skip(
            "no document advertises dpop_signing_alg_values_supported (DPoP is optional)",
        )];
    }
    out
}

/// The PRM that requires DPoP-bound tokens, when one does.
fn requiring_prm(ev: &Evidence) -> Option<Doc<'_>> {
    documents(ev).into_iter().find(|d| {
        d.ex.has_role(|r| matches!(r, Role::Prm | Role::PrmHinted { .. } | Role::PrmRoot))
            && d.get("dpop_bound_access_tokens_required") == Some(&Value::Bool(true))
    })
}

fn not_required() -> Vec<Finding> {
    vec![Finding::skip(
        "the PRM does not set dpop_bound_access_tokens_required: true, and no 401 challenges with DPoP",
    )]
}

fn as_support(ev: &Evidence) -> Vec<Finding> {
    let Some(prm) = requiring_prm(ev) else {
        return not_required();
    };
    let asm: Vec<Doc> = ev
        .asm_docs()
        .into_iter()
        .filter_map(|(_, s)| match s {
            Subject::Doc(d) => Some(d),
            Subject::Absent(_) => None,
        })
        .collect();
    if asm.is_empty() {
        return vec![Finding::no_input("no AS metadata arrived").on(prm.ex)];
    }
    let problems = asm
        .iter()
        .filter(|d| d.get("dpop_signing_alg_values_supported").is_none())
        .map(|d| {
            Finding::fail(format!(
                "the PRM requires DPoP-bound tokens, but {} does not advertise DPoP",
                d.str("issuer").map_or(d.ex.url.clone(), quote)
            ))
            .expected("dpop_signing_alg_values_supported in the AS metadata")
            .actual("absent")
            .on(prm.ex)
            .on(d.ex)
        })
        .collect();
    pass_or(problems, || {
        Finding::pass("every authorization server advertises DPoP").on(prm.ex)
    })
}

/// Judges the DPoP challenge of the first unauthenticated 401: required where the PRM requires
/// DPoP-bound tokens, and wherever one is sent, it should say which `algs` it takes (RFC 9449 §7.1).
fn dpop_challenge(ev: &Evidence) -> Vec<Finding> {
    let prm = requiring_prm(ev);
    let probes = ev.probes(|r| matches!(r, Role::ProbeUnauth { .. }));
    let Some(p) = probes.into_iter().find(|e| e.status == Some(401)) else {
        return match prm {
            Some(d) => vec![Finding::no_input("no unauthenticated probe answered 401").on(d.ex)],
            None => not_required(),
        };
    };
    let chs = challenge::parse_fields(p.headers("www-authenticate")).unwrap_or_default();
    let dpop = chs.iter().find(|c| c.is("dpop"));
    if dpop.is_none() && prm.is_none() {
        return not_required();
    }
    let algs = dpop.and_then(|c| c.param("algs")).map(|a| a.value.clone());
    let finding = match (dpop, algs) {
        (Some(_), Some(a)) if !a.trim().is_empty() => {
            return vec![Finding::pass(format!("DPoP algs={}", quote(&a))).on(p)];
        }
        (Some(_), _) => Finding::fail("the DPoP challenge does not say which algs it accepts"),
        (None, _) => {
            Finding::fail("the PRM requires DPoP-bound tokens, but the 401 has no DPoP challenge")
        }
    };
    let f = finding
        .expected("WWW-Authenticate: DPoP algs=\"…\"")
        .actual(
            p.header("www-authenticate")
                .unwrap_or("(no challenge)")
                .to_string(),
        )
        .on(p);
    vec![match prm {
        Some(d) => f.on(d.ex),
        None => f,
    }]
}

/// Whether a DPoP-bound forgery was sent, so that a server could have asked for a nonce.
fn dpop_probed(ev: &Evidence) -> bool {
    ev.exchanges.iter().any(|e| {
        e.roles.iter().any(|r| {
            matches!(r, Role::ProbeForged { forgery, .. }
                if Forgery::from_slug(forgery).is_some_and(Forgery::is_dpop))
        })
    })
}

fn nonce_supplied(ev: &Evidence) -> Vec<Finding> {
    let asked: Vec<&Exchange> = ev
        .exchanges
        .iter()
        .filter(|e| nonce::asks_for_nonce(e.headers("www-authenticate")))
        .collect();
    if asked.is_empty() {
        return vec![Finding::skip(if dpop_probed(ev) {
            "no answer asked for a DPoP nonce (nonces are the server's choice, RFC 9449 §9)"
        } else {
            "no DPoP proof was sent: the resource does not advertise DPoP"
        })];
    }
    asked.into_iter().map(nonce_finding).collect()
}

/// The verdict on one answer that asked for a nonce.
fn nonce_finding(ex: &Exchange) -> Finding {
    let values: Vec<&str> = ex.headers("dpop-nonce").collect();
    let problem = match values.as_slice() {
        [] => "the answer asks for a DPoP nonce (use_dpop_nonce) but supplies none",
        [v] if nonce::valid(v.trim()) => {
            return Finding::pass(format!("DPoP-Nonce: {}", v.trim())).on(ex);
        }
        [_] => "the DPoP-Nonce value is not 1*NQCHAR",
        _ => "there is more than one DPoP-Nonce field",
    };
    Finding::fail(problem)
        .expected("one DPoP-Nonce field, e.g. DPoP-Nonce: eyJ7S_zG.eyJH0-Z.HX4w-7v")
        .actual(if values.is_empty() {
            "(no DPoP-Nonce field)".to_string()
        } else {
            values.join(" | ")
        })
        .on(ex)
}
