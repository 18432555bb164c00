//! The `resource_metadata` challenge parameter (RFC 9728 §5): present, well formed, and fetchable.

use super::members::{https_problem, quote};
use super::{Area, Check, Level, Levels, MUST, rfc};
use crate::evidence::{Evidence, Exchange, Mode, Role, Subject};
use crate::finding::{Finding, pass_or};
use crate::parse::challenge::{self, Challenge};

/// The WWW-Authenticate checks of RFC 9728 §5, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "wwwa.resource-metadata",
        area: Area::Wwwa,
        title: "A 401 names the PRM in a resource_metadata parameter",
        levels: Levels {
            auth_md: Some(Level::May),
            rfc: Some(Level::May),
            mcp: Some(Level::Must),
        },
        requirements: &[
            "WWWA-RESOURCE-METADATA",
            "WWWA-RM-OTHER-SCHEMES",
            "WWWA-MULTI-SCHEME",
        ],
        spec: "RFC 9728 §5.1",
        spec_url: rfc!("9728", "5.1"),
        fix: "Answer unauthenticated requests with 401 and WWW-Authenticate: Bearer resource_metadata=\"<PRM URL>\".",
        judge: resource_metadata,
    },
    Check {
        id: "wwwa.rm-syntax",
        area: Area::Wwwa,
        title: "resource_metadata is a quoted absolute https URL",
        levels: MUST,
        requirements: &["WWWA-RM-SYNTAX"],
        spec: "RFC 9728 §5.1; RFC 9110 §11.2",
        spec_url: rfc!("9728", "5.1"),
        fix: "Send the value as a quoted-string holding an absolute https URL.",
        judge: rm_syntax,
    },
    Check {
        id: "wwwa.rm-fetch",
        area: Area::Wwwa,
        title: "The URL resource_metadata names serves the PRM",
        levels: MUST,
        requirements: &["WWWA-RM-FETCH"],
        spec: "RFC 9728 §5, §3.2",
        spec_url: rfc!("9728", "5"),
        fix: "Make the hinted URL answer 200 with the protected-resource metadata (a common break: the hint names a path that 404s).",
        judge: rm_fetch,
    },
];

/// Every challenge of every 401 probe, or the probe's parse error.
fn probes(ev: &Evidence) -> Vec<(&Exchange, Result<Vec<Challenge>, crate::parse::ParseError>)> {
    ev.with_role(|r| matches!(r, Role::ProbeUnauth { .. }))
        .into_iter()
        .filter(|e| e.status == Some(401))
        .map(|e| (e, challenge::parse_fields(e.headers("www-authenticate"))))
        .collect()
}

fn no_probe(ev: &Evidence) -> Finding {
    match ev.mode {
        Mode::Lint => Finding::skip(ev.lint_no_challenge()),
        Mode::Live
            if ev
                .with_role(|r| matches!(r, Role::ProbeUnauth { .. }))
                .is_empty() =>
        {
            Finding::no_input("no unauthenticated probe was made")
        }
        Mode::Live => Finding::skip("no unauthenticated probe answered 401"),
    }
}

fn resource_metadata(ev: &Evidence) -> Vec<Finding> {
    let list = probes(ev);
    if list.is_empty() {
        return vec![no_probe(ev)];
    }
    list.into_iter()
        .map(|(ex, parsed)| match parsed {
            Err(e) => Finding::fail(format!("WWW-Authenticate does not parse: {e}"))
                .expected("RFC 9110 challenge syntax")
                .actual(
                    ex.headers("www-authenticate")
                        .collect::<Vec<_>>()
                        .join(", "),
                )
                .on(ex),
            Ok(chs) => match chs
                .iter()
                .find_map(|c| c.param("resource_metadata").map(|p| (c, p)))
            {
                Some((c, p)) => {
                    Finding::pass(format!("{} challenge names {}", c.scheme, quote(&p.value)))
                        .on(ex)
                }
                None => Finding::fail("the 401 carries no resource_metadata parameter")
                    .expected("WWW-Authenticate: Bearer resource_metadata=\"...\"")
                    .actual(
                        ex.header("www-authenticate")
                            .unwrap_or("(no WWW-Authenticate)")
                            .to_string(),
                    )
                    .on(ex),
            },
        })
        .collect()
}

fn rm_syntax(ev: &Evidence) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = false;
    for (ex, parsed) in probes(ev) {
        let Ok(chs) = parsed else {
            // An unquoted URL is the usual reason the field does not parse: say so here too.
            let raw = ex
                .headers("www-authenticate")
                .collect::<Vec<_>>()
                .join(", ");
            if let Some(i) = raw.to_ascii_lowercase().find("resource_metadata=") {
                seen = true;
                if raw.as_bytes().get(i + "resource_metadata=".len()) != Some(&b'"') {
                    out.push(Finding::fail("resource_metadata is not a quoted-string (a URL contains characters a token cannot)").expected("resource_metadata=\"https://...\"").actual(raw.clone()).on(ex));
                }
            }
            continue;
        };
        for c in &chs {
            for p in c
                .params
                .iter()
                .filter(|p| p.name.eq_ignore_ascii_case("resource_metadata"))
            {
                seen = true;
                if !p.quoted {
                    out.push(
                        Finding::fail(
                            "resource_metadata is sent as a token; a URL needs a quoted-string",
                        )
                        .expected("resource_metadata=\"https://...\"")
                        .actual(format!("resource_metadata={}", p.value))
                        .on(ex),
                    );
                }
                if let Some(f) = https_problem(&p.value, "resource_metadata", false, true) {
                    out.push(f.on(ex));
                }
            }
        }
    }
    if !seen {
        return vec![Finding::skip("no resource_metadata parameter was sent")];
    }
    pass_or(out, || {
        Finding::pass(
            "resource_metadata is a quoted absolute URL using https (or http on a loopback host)",
        )
    })
}

/// The `resource_metadata` values of every 401 probe.
fn hinted_urls(ev: &Evidence) -> Vec<String> {
    probes(ev)
        .into_iter()
        .filter_map(|(_, parsed)| parsed.ok())
        .flatten()
        .filter_map(|c| c.param("resource_metadata").map(|p| p.value.clone()))
        .collect()
}

fn rm_fetch(ev: &Evidence) -> Vec<Finding> {
    let hinted = ev.with_role(|r| matches!(r, Role::PrmHinted { .. }));
    if hinted.is_empty() {
        return vec![Finding::skip(match (ev.mode, hinted_urls(ev).first()) {
            (Mode::Lint, Some(u)) => format!(
                "lint judges one response; the PRM the hint names ({u}) is another document: check it with `authspec lint prm`"
            ),
            _ => "no resource_metadata hint to follow".to_string(),
        })];
    }
    hinted
        .into_iter()
        .map(|ex| match ev.subject(Some(ex), "hinted PRM") {
            Subject::Doc(_) => Finding::pass(format!("{} serves a JSON object", ex.url)).on(ex),
            Subject::Absent(f) if ex.not_fetched.is_some() => f,
            Subject::Absent(_) if ex.error.is_some() => Finding::error(format!(
                "the hinted PRM could not be fetched: {}",
                ex.error.as_deref().unwrap_or("")
            ))
            .on(ex),
            Subject::Absent(f) => Finding::fail(format!(
                "the hinted PRM URL does not serve the document: {}",
                f.message
            ))
            .expected(format!("200 JSON at {}", ex.url))
            .actual(ex.summary())
            .on(ex),
        })
        .collect()
}
