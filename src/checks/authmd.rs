//! The auth.md deployment contract rows judged from discovery documents and the keyed probe.

use super::{Area, Check, Level, Levels};
use crate::evidence::{Evidence, Exchange, Mode, Role, Subject};
use crate::finding::{Finding, pass_or};

/// The auth.md contract checks, in report order (auth-md profile only).
pub static CHECKS: &[Check] = &[
    Check {
        id: "authmd.wellknown-docs",
        area: Area::Authmd,
        title: "PRM, AS metadata and JWKS all answer 200 with JSON",
        levels: Levels::auth_md(Level::Must),
        requirements: &["AUTHMD-WELLKNOWN-DOCS"],
        spec: "auth.md §Discover",
        spec_url: "https://github.com/workos/auth.md/blob/main/AUTH.md",
        fix: "Serve /.well-known/oauth-protected-resource, /.well-known/oauth-authorization-server and the jwks_uri, each 200 with a JSON object.",
        judge: wellknown_docs,
    },
    Check {
        id: "authmd.bearer-key",
        area: Area::Authmd,
        title: "The API key is accepted as a Bearer credential",
        levels: Levels::auth_md(Level::Must),
        requirements: &["AUTHMD-BEARER-KEY"],
        spec: "auth.md §Use the credential; RFC 6750 §2.1",
        spec_url: "https://www.rfc-editor.org/rfc/rfc6750#section-2.1",
        fix: "Accept Authorization: Bearer <api key> on every protected endpoint.",
        judge: bearer_key,
    },
];

fn doc_ok(ev: &Evidence, ex: &Exchange, what: &str) -> Option<Finding> {
    match ev.subject(Some(ex), what) {
        Subject::Doc(_) => None,
        Subject::Absent(f) if ex.error.is_some() || ex.not_fetched.is_some() => Some(f),
        Subject::Absent(f) => Some(
            Finding::fail(f.message)
                .expected(format!("200 JSON at {}", ex.url))
                .actual(ex.summary())
                .on(ex),
        ),
    }
}

fn wellknown_docs(ev: &Evidence) -> Vec<Finding> {
    if ev.mode == Mode::Lint {
        return vec![Finding::skip("lint judges a single document")];
    }
    let mut out = Vec::new();
    match ev.role(&Role::Prm) {
        Some(ex) => out.extend(doc_ok(ev, ex, "protected-resource metadata")),
        None => out.push(Finding::no_input("the PRM was not requested")),
    }
    let asms = ev.with_role(|r| matches!(r, Role::Asm { .. } | Role::AsmAtOrigin));
    if !asms
        .iter()
        .any(|ex| doc_ok(ev, ex, "AS metadata").is_none())
    {
        out.push(match asms.first() {
            Some(ex) => doc_ok(ev, ex, "authorization-server metadata")
                .unwrap_or_else(|| Finding::no_input("no AS metadata")),
            None => Finding::no_input("no AS metadata was requested"),
        });
    }
    let sets = ev.with_role(|r| matches!(r, Role::Jwks { .. }));
    let some_doc = ev
        .with_role(|r| {
            matches!(
                r,
                Role::Prm | Role::PrmHinted { .. } | Role::Asm { .. } | Role::AsmAtOrigin
            )
        })
        .into_iter()
        .any(|ex| doc_ok(ev, ex, "").is_none());
    if sets.is_empty() && some_doc {
        out.push(
            Finding::fail("no document advertises a jwks_uri")
                .expected("a jwks_uri in the PRM or AS metadata")
                .actual("none"),
        );
    }
    out.extend(sets.into_iter().filter_map(|ex| doc_ok(ev, ex, "JWK Set")));
    pass_or(out, || {
        Finding::pass("PRM, AS metadata and JWK Set all answer 200 with JSON")
    })
}

fn bearer_key(ev: &Evidence) -> Vec<Finding> {
    let probes = ev.with_role(|r| matches!(r, Role::ProbeAuth { .. }));
    if probes.is_empty() {
        return vec![match (ev.mode, ev.api_key_given) {
            (Mode::Lint, _) => Finding::skip("lint makes no requests"),
            (_, false) => Finding::skip("no --api-key given"),
            (_, true) => Finding::no_input("no authenticated probe was made"),
        }];
    }
    // A described endpoint that told (2xx or 401) makes the resource URL's other answer moot.
    let told = probes.iter().any(|ex| {
        !guessed(ex)
            && ex
                .status
                .is_some_and(|s| s == 401 || (200..300).contains(&s))
    });
    probes
        .into_iter()
        .map(|ex| match (ex.status, &ex.error) {
            (Some(s), None) if told && guessed(ex) && s != 401 && !(200..300).contains(&s) => {
                Finding::skip(format!(
                    "the resource URL answered {s}; the key was judged at an endpoint the description names"
                ))
                .on(ex)
            }
            (_, Some(e)) => Finding::error(format!("the authenticated request failed: {e}")).on(ex),
            (Some(401), _) => Finding::fail("the API key was refused")
                .expected("not 401")
                .actual(ex.summary())
                .on(ex),
            (Some(s), _) if (200..300).contains(&s) => {
                Finding::pass(format!("{} accepted the key ({s})", ex.url)).on(ex)
            }
            (Some(s), _) => Finding::no_input(format!(
                "answered {s}; acceptance of the key cannot be told{}",
                endpoint_hint(ev, ex)
            ))
            .on(ex),
            (None, None) => Finding::no_input("no response").on(ex),
        })
        .collect()
}

/// For a keyed probe of the resource URL itself (no `--endpoint` was given): what to add. The
/// first secured GET the OpenAPI description names is offered when there is one.
/// Whether `ex` is the keyed probe of the resource URL itself, a guess at an endpoint.
fn guessed(ex: &Exchange) -> bool {
    ex.roles.iter().any(|r| {
        matches!(r, Role::ProbeAuth { endpoint } if endpoint.ends_with(crate::evidence::GUESSED))
    })
}

fn endpoint_hint(ev: &Evidence, ex: &Exchange) -> String {
    if !guessed(ex) {
        return String::new();
    }
    let described = ev
        .with_role(|r| matches!(r, Role::OpenApi { .. }))
        .into_iter()
        .filter_map(|d| d.json().ok()?.value.as_object().cloned())
        .flat_map(|doc| crate::parse::openapi::secured_operations(&doc))
        .find(|op| op.method == "GET" && !op.path.contains('{'));
    let example = described.map_or("GET /path".to_string(), |op| format!("GET {}", op.path));
    format!(
        " (is {} the endpoint? name a protected endpoint the key may call: --endpoint '{example}')",
        ex.url
    )
}
