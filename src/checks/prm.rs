//! RFC 9728 protected-resource metadata: where it is served, what it holds, whom it names.

use super::members::{
    alg_none, empty_members, https_ok, https_problem, ptr, quote, show, signed_metadata_problems,
    strings,
};
use super::schema::{SchemaKind, violations};
use super::{Area, Check, Level, Levels, MAY, MUST, SHOULD, rfc};
use crate::evidence::{Doc, Evidence, Mode, Role, Source, Subject, each_doc};
use crate::finding::{Finding, pass_or};
use crate::identifier::{PRM_SUFFIX, Scheme, scheme_rule, well_known};
use serde_json::Value;
use url::Url;

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::Prm, $($t)*)
    };
}

/// The PRM checks, in report order.
pub static CHECKS: &[Check] = &[
    row!(
        "prm.wellknown-insert",
        "PRM is served at the path-inserted well-known URL",
        MUST,
        &["PRM-WELLKNOWN-INSERT", "PRM-GET", "PRM-WELLKNOWN-SUFFIX"],
        "RFC 9728 §3",
        rfc!("9728", "3"),
        "Serve the document with GET at scheme://host/.well-known/oauth-protected-resource followed by the resource path.",
        wellknown_insert,
    ),
    row!(
        "prm.wellknown-slash",
        "A terminating slash of the resource path is dropped before inserting",
        MUST,
        &["PRM-WELLKNOWN-SLASH"],
        "RFC 9728 §3.1",
        rfc!("9728", "3.1"),
        "Serve the document at the well-known URL built from the path without its final '/' (…/oauth-protected-resource/api, not …/api/).",
        wellknown_slash,
    ),
    row!(
        "prm.root-form",
        "A root-level PRM describes a resource without a path",
        SHOULD,
        &["PRM-WELLKNOWN-INSERT"],
        "RFC 9728 §3",
        rfc!("9728", "3"),
        "A document at the origin's root well-known URL must describe the origin itself; serve the path resource's PRM at its path-inserted URL.",
        root_form,
    ),
    row!(
        "prm.resp-200-json",
        "PRM answers 200 with a JSON object",
        MUST,
        &["PRM-RESP-200-JSON"],
        "RFC 9728 §3.2",
        rfc!("9728", "3.2"),
        "Answer 200 with Content-Type: application/json and a JSON object body.",
        resp_200_json,
    ),
    row!(
        "prm.media-type",
        "PRM media type is exactly application/json",
        SHOULD,
        &["PRM-RESP-200-JSON"],
        "RFC 9728 §3.2",
        rfc!("9728", "3.2"),
        "Send Content-Type: application/json (a +json type is tolerated by some clients, not required to be).",
        media_type,
    ),
    row!(
        "prm.error-status",
        "PRM errors use an error status, never 200 with a non-JSON body",
        MUST,
        &["PRM-ERROR-STATUS"],
        "RFC 9728 §3.2",
        rfc!("9728", "3.2"),
        "Answer a failed lookup with a 4xx/5xx status; never 200 with an HTML page.",
        error_status,
    ),
    row!(
        "prm.member-types",
        "PRM members have the types RFC 9728 defines",
        MUST,
        &["PRM-ARRAYS"],
        "RFC 9728 §2, §3.2",
        rfc!("9728", "2"),
        "Send multi-valued members as JSON arrays of strings, booleans as JSON booleans, URLs as strings.",
        member_types,
    ),
    row!(
        "prm.no-empty",
        "PRM leaves out members with zero values",
        MUST,
        &["PRM-NO-EMPTY"],
        "RFC 9728 §3.2",
        rfc!("9728", "3.2"),
        "Omit members that would be [], null or \"\" (bearer_methods_supported: [] is the one allowed empty array).",
        no_empty,
    ),
    row!(
        "prm.resource-present",
        "PRM has a resource member",
        MUST,
        &["PRM-RESOURCE-PRESENT"],
        "RFC 9728 §2",
        rfc!("9728", "2"),
        "Add \"resource\": the resource identifier the document describes.",
        resource_present,
    ),
    row!(
        "prm.resource-https",
        "resource is an https URL without a fragment",
        MUST,
        &["PRM-RESOURCE-HTTPS"],
        "RFC 9728 §1.2",
        rfc!("9728", "1.2"),
        "Use an https URL with no '#fragment' as the resource identifier.",
        resource_https,
    ),
    row!(
        "prm.resource-no-query",
        "resource carries no query",
        SHOULD,
        &["PRM-RESOURCE-HTTPS"],
        "RFC 9728 §1.2 (RFC 8707 §2)",
        rfc!("9728", "1.2"),
        "Drop the '?query' from the resource identifier.",
        resource_no_query,
    ),
    row!(
        "prm.resource-match",
        "resource equals the identifier the well-known URL was built from",
        MUST,
        &["PRM-RESOURCE-MATCH", "PRM-STRING-COMPARE", "AA-PRM-MATCH"],
        "RFC 9728 §3.3",
        rfc!("9728", "3.3"),
        "Make resource identical, code point for code point, to the identifier clients use (mind the trailing slash).",
        resource_match,
    ),
    row!(
        "prm.resource-match-wwwa",
        "resource covers the URL whose 401 named this PRM",
        // The prefix rule of draft-mcguinness-oauth-rfc9728bis, applied only where the profile's
        // own text allows a resource identifier less specific than the URL called: auth.md (the
        // seed's 401s on every endpoint name one root PRM) and MCP ("MCP clients SHOULD provide
        // the most specific URI that they can", with https://mcp.example.com a valid canonical
        // URI). Under `rfc` the literal §3.3 rule decides: prm.resource-match-wwwa-strict.
        Levels {
            auth_md: Some(Level::Must),
            rfc: None,
            mcp: Some(Level::Must),
        },
        &["PRM-RESOURCE-MATCH-WWWA"],
        "RFC 9728 §3.3 as relaxed by draft-mcguinness-oauth-rfc9728bis (auth-md: the seed's 401s name one root PRM; MCP §Canonical Server URI: \"MCP clients SHOULD provide the most specific URI that they can\"); not applied under rfc",
        rfc!("9728", "3.3"),
        "Name a resource with the same origin whose path is a segment-boundary prefix of the protected URL. This prefix rule (draft-mcguinness-oauth-rfc9728bis, an expired individual draft) is applied under auth-md and mcp, whose own texts allow a resource less specific than the URL called; under --profile rfc the literal RFC 9728 §3.3 rule of prm.resource-match-wwwa-strict decides instead.",
        resource_match_wwwa,
    ),
    row!(
        "prm.resource-match-wwwa-strict",
        "resource is identical to the URL whose 401 named this PRM",
        // Under `rfc` this literal rule is the MUST; the profiles whose texts allow a less
        // specific identifier judge it below MUST and let prm.resource-match-wwwa decide.
        Levels {
            auth_md: Some(Level::May),
            rfc: Some(Level::Must),
            mcp: Some(Level::Should),
        },
        &["PRM-RESOURCE-MATCH-WWWA-STRICT"],
        "RFC 9728 §3.3: the resource value \"MUST be identical to the URL that the client used to make the request to the resource server\" (the MUST under rfc; auth-md and mcp allow the prefix rule of prm.resource-match-wwwa)",
        rfc!("9728", "3.3"),
        "Make resource exactly the URL clients call. Under --profile rfc this literal RFC 9728 §3.3 rule decides at MUST; under auth-md (info) and mcp (SHOULD) the prefix rule of prm.resource-match-wwwa decides, because their texts allow a resource less specific than the URL called.",
        resource_match_wwwa_strict,
    ),
    row!(
        "prm.jwks-https",
        "jwks_uri uses https",
        MUST,
        &["PRM-JWKS-HTTPS"],
        "RFC 9728 §2",
        rfc!("9728", "2"),
        "Serve the JWK Set over https and advertise the https URL.",
        jwks_https,
    ),
    row!(
        "prm.signing-alg-no-none",
        "resource_signing_alg_values_supported does not list none",
        MUST,
        &["PRM-SIGNALG-NO-NONE"],
        "RFC 9728 §2",
        rfc!("9728", "2"),
        "Remove \"none\" from resource_signing_alg_values_supported.",
        signing_alg_no_none,
    ),
    row!(
        "prm.bearer-values",
        "bearer_methods_supported uses only header, body, query",
        SHOULD,
        &["PRM-BEARER-VALUES"],
        "RFC 9728 §2; RFC 6750 §2",
        rfc!("9728", "2"),
        "List only \"header\", \"body\" or \"query\".",
        bearer_values,
    ),
    row!(
        "prm.bearer-no-query",
        "bearer_methods_supported does not offer query",
        Levels {
            auth_md: Some(Level::Should),
            rfc: Some(Level::Should),
            mcp: Some(Level::Must),
        },
        &["BEARER-NO-QUERY", "MCP-TOKEN-HEADER"],
        "RFC 6750 §2.3, §5.3",
        rfc!("6750", "2.3"),
        "Do not accept access tokens in the URL query; offer \"header\".",
        bearer_no_query,
    ),
    row!(
        "prm.as-issuer-form",
        "authorization_servers entries are valid issuer identifiers",
        MUST,
        &["PRM-AS-ISSUER-FORM"],
        "RFC 9728 §2; RFC 8414 §2",
        rfc!("8414", "2"),
        "List issuer identifiers: https URLs with no query and no fragment.",
        as_issuer_form,
    ),
    row!(
        "prm.i18n",
        "Language-tagged members have an untagged twin and a valid tag",
        SHOULD,
        &["PRM-I18N"],
        "RFC 9728 §2.1",
        rfc!("9728", "2.1"),
        "For every member#tag also send the untagged member; use BCP 47 tags.",
        i18n,
    ),
    row!(
        "prm.signed-jwt",
        "signed_metadata is a signed JWT with an iss claim",
        MUST,
        &["PRM-SIGNED-JWT"],
        "RFC 9728 §2.2",
        rfc!("9728", "2.2"),
        "Send signed_metadata as a compact JWS (alg not none) whose payload has iss.",
        signed_jwt,
    ),
    row!(
        "prm.signed-no-nest",
        "signed_metadata does not nest signed_metadata",
        SHOULD,
        &["PRM-SIGNED-NO-NEST"],
        "RFC 9728 §2.2",
        rfc!("9728", "2.2"),
        "Remove the signed_metadata claim from inside the signed metadata JWT.",
        signed_no_nest,
    ),
    row!(
        "prm.signed-precedence",
        "Signed and plain metadata values agree",
        MAY,
        &["PRM-SIGNED-PRECEDENCE"],
        "RFC 9728 §2.2",
        rfc!("9728", "2.2"),
        "Clients let signed values win; keep plain members equal to the signed ones to avoid surprises.",
        signed_precedence,
    ),
    row!(
        "prm.tls",
        "PRM is served over verified TLS",
        MUST,
        &["PRM-TLS"],
        "RFC 9728 §7.1",
        rfc!("9728", "7.1"),
        "Serve over https with a certificate valid for the host (TLS 1.2 or later).",
        tls,
    ),
    row!(
        "prm.as-crosscheck",
        "Authorization servers that list protected_resources include this resource",
        SHOULD,
        &["PRM-AS-CROSSCHECK"],
        "RFC 9728 §4",
        rfc!("9728", "4"),
        "Add the resource identifier to protected_resources in the AS metadata, or leave the member out.",
        as_crosscheck,
    ),
];

fn primary(ev: &Evidence) -> Subject<'_> {
    let subject = ev.subject(ev.role(&Role::Prm), "protected-resource metadata");
    match subject {
        Subject::Absent(_)
            if ev.prm_routes_alternative()
                && ev.prm_served().is_some_and(|e| e.status == Some(200)) =>
        {
            Subject::Absent(Finding::skip(
                "no PRM at the path-inserted URL; the profile accepts the PRM another route served (mcp.prm-discovery judges it names this server)",
            ))
        }
        // MCP 2025-06-18: the hinted PRM is the one its clients read.
        Subject::Absent(_)
            if ev.prm_hint_route() && ev.prm_served().is_some_and(|e| e.status == Some(200)) =>
        {
            Subject::Absent(Finding::skip(
                "no PRM at the path-inserted URL; the profile reads the PRM the 401's resource_metadata names (prm.resource-match-wwwa judges it names this server)",
            ))
        }
        s => s,
    }
}

fn wellknown_insert(ev: &Evidence) -> Vec<Finding> {
    let Some(ex) = ev.role(&Role::Prm) else {
        return vec![Finding::no_input("the PRM was not requested")];
    };
    let want = Url::parse(&ev.resource)
        .map(|r| well_known(&r, PRM_SUFFIX).to_string())
        .unwrap_or_default();
    if ex.source == Source::File {
        return vec![if ex.url == want {
            Finding::pass(format!("the file is served at {want}"))
        } else {
            Finding::fail("the URL given is not the path-inserted well-known URL")
                .expected(want)
                .actual(ex.url.clone())
        }];
    }
    if let Some(e) = &ex.error {
        return vec![Finding::error(format!("GET {} failed: {e}", ex.url)).on(ex)];
    }
    match ex.status {
        Some(200) => vec![Finding::pass(format!("GET {} answered 200", ex.url)).on(ex)],
        status => {
            let mut f = Finding::fail(format!("GET {} did not answer 200", ex.url))
                .expected(format!("200 at {want}"))
                .actual(status.map_or("no response".into(), |s| s.to_string()))
                .on(ex);
            for alt in ev.with_role(|r| {
                matches!(
                    r,
                    Role::PrmRoot | Role::PrmUnstripped | Role::PrmHinted { .. }
                )
            }) {
                if alt.status == Some(200) && alt.id != ex.id {
                    f.message
                        .push_str(&format!("; {} does answer 200", alt.url));
                    f = f.on(alt);
                }
            }
            vec![f]
        }
    }
}

fn has_trailing_slash_path(r: &Url) -> bool {
    r.path() != "/" && r.path().ends_with('/')
}

fn wellknown_slash(ev: &Evidence) -> Vec<Finding> {
    let Ok(r) = Url::parse(&ev.resource) else {
        return vec![Finding::no_input("the resource identifier does not parse")];
    };
    if !has_trailing_slash_path(&r) {
        return vec![Finding::skip(
            "the resource path has no terminating '/', so nothing is stripped",
        )];
    }
    let want = well_known(&r, PRM_SUFFIX).to_string();
    if ev.mode == Mode::Lint {
        let served = ev
            .exchanges
            .first()
            .map(|e| e.url.clone())
            .unwrap_or_default();
        return vec![if served == want {
            Finding::pass(format!("served at {want}, the '/' dropped"))
        } else {
            Finding::fail("the document is served at a URL that keeps the terminating '/'")
                .expected(want)
                .actual(served)
        }];
    }
    let stripped = ev.role(&Role::Prm);
    let kept = ev.role(&Role::PrmUnstripped);
    match (stripped.and_then(|e| e.status), kept.and_then(|e| e.status)) {
        (Some(200), _) => vec![
            Finding::pass(format!("{want} answers 200"))
                .on(stripped.expect("status implies exchange")),
        ],
        (_, Some(200)) => {
            let k = kept.expect("status implies exchange");
            vec![
                Finding::fail("only the URL that keeps the terminating '/' answers")
                    .expected(format!("200 at {want}"))
                    .actual(format!("200 at {}", k.url))
                    .on(k),
            ]
        }
        _ => vec![Finding::no_input("neither well-known form answered 200")],
    }
}

fn root_form(ev: &Evidence) -> Vec<Finding> {
    if ev.mode == Mode::Lint {
        return vec![Finding::skip(
            "lint judges one document; the root PRM is another (check it with `authspec lint prm` and the root URL)",
        )];
    }
    let Some(ex) = ev.role(&Role::PrmRoot) else {
        return vec![Finding::skip(
            "the resource has no path, so there is no separate root document",
        )];
    };
    let Subject::Doc(d) = ev.subject(Some(ex), "root protected-resource metadata") else {
        return vec![
            Finding::skip(format!(
                "no PRM at the root well-known URL ({})",
                ex.summary()
            ))
            .on(ex),
        ];
    };
    let Some(res) = d.str("resource") else {
        return vec![Finding::skip("the root PRM names no resource").on(ex)];
    };
    match Url::parse(res) {
        Ok(u) if u.path() != "/" && !u.path().is_empty() => vec![
            Finding::fail(format!(
                "the root PRM describes a resource with a path; clients of {res} look at {}",
                well_known(&u, PRM_SUFFIX)
            ))
            .expected("a resource without a path")
            .actual(quote(res))
            .at("/resource")
            .on(ex),
        ],
        _ => vec![Finding::pass(format!("the root PRM describes {res}")).on(ex)],
    }
}

fn resp_200_json(ev: &Evidence) -> Vec<Finding> {
    let Some(ex) = ev.prm_served() else {
        return vec![Finding::no_input("the PRM was not requested")];
    };
    document_shape(ex, "PRM")
}

/// The shared 200 + JSON object rule (PRM-RESP-200-JSON, ASM-RESP-200-JSON).
pub(super) fn document_shape(ex: &crate::evidence::Exchange, what: &str) -> Vec<Finding> {
    if let Some(e) = &ex.error {
        return vec![Finding::no_input(format!("{what} could not be fetched: {e}")).on(ex)];
    }
    if ex.source == Source::Live && ex.status != Some(200) {
        return vec![
            Finding::no_input(format!(
                "{what} answered {}; prm/asm wellknown checks report it",
                ex.status.unwrap_or(0)
            ))
            .on(ex),
        ];
    }
    if ex.source == Source::Live {
        match ex.media_type() {
            Some(m) if m.is_json() => {}
            other => {
                return vec![
                    Finding::fail(format!("{what} is not served as JSON"))
                        .expected("Content-Type: application/json")
                        .actual(other.map_or("no Content-Type".into(), |m| m.essence))
                        .on(ex),
                ];
            }
        }
    }
    match ex.json() {
        Ok(j) if j.value.is_object() => pass_or(wire_flaws(j, what, ex), || {
            Finding::pass(format!("{what} is a JSON object")).on(ex)
        }),
        Ok(j) => vec![
            Finding::fail(format!("{what} is not a JSON object"))
                .expected("{ ... }")
                .actual(show(&j.value))
                .on(ex),
        ],
        Err(e) => vec![
            Finding::fail(format!("{what} body is not JSON: {e}"))
                .expected("a JSON object")
                .actual(body_preview(&ex.body))
                .on(ex),
        ],
    }
}

/// What makes a parseable body still unsafe to rely on: a byte order mark (RFC 8259 §8.1: senders
/// MUST NOT add one, and parsers may refuse it) and repeated member names (RFC 8259 §4: parsers
/// disagree on which value wins, so two clients can read two different documents).
fn wire_flaws(
    j: &crate::parse::json::Json,
    what: &str,
    ex: &crate::evidence::Exchange,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if j.bom {
        out.push(
            Finding::fail(format!(
                "{what} body starts with a byte order mark, which RFC 8259 §8.1 forbids in networked JSON"
            ))
            .expected("the body starts with '{'")
            .actual("EF BB BF")
            .on(ex),
        );
    }
    for p in &j.duplicates {
        out.push(
            Finding::fail(format!(
                "{what} member {p} appears more than once; parsers disagree on which value wins"
            ))
            .expected("unique member names (RFC 8259 §4)")
            .actual(format!("duplicate at {p}"))
            .at(p.clone())
            .on(ex),
        );
    }
    out
}

pub(super) fn body_preview(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
    if body.len() > 80 {
        format!("{s}…")
    } else {
        s
    }
}

fn media_type(ev: &Evidence) -> Vec<Finding> {
    media_type_of(ev.prm_served(), "PRM", &["application/json"])
}

/// The SHOULD-level media type check shared with ASM and JWKS.
pub(super) fn media_type_of(
    ex: Option<&crate::evidence::Exchange>,
    what: &str,
    accepted: &[&str],
) -> Vec<Finding> {
    let Some(ex) = ex else {
        return vec![Finding::no_input(format!("no {what} was requested"))];
    };
    if ex.source == Source::File {
        return vec![Finding::skip("a file carries no media type")];
    }
    if ex.status != Some(200) {
        return vec![
            Finding::no_input(format!("no {what} document arrived ({})", ex.summary())).on(ex),
        ];
    }
    match ex.media_type() {
        Some(m) if accepted.contains(&m.essence.as_str()) => {
            vec![Finding::pass(format!("Content-Type is {}", m.essence)).on(ex)]
        }
        other => vec![
            Finding::fail(format!(
                "{what} media type is not {}",
                accepted.join(" or ")
            ))
            .expected(accepted.join(" or "))
            .actual(other.map_or("no Content-Type".into(), |m| m.essence))
            .on(ex),
        ],
    }
}

fn error_status(ev: &Evidence) -> Vec<Finding> {
    if ev.mode == Mode::Lint {
        return vec![Finding::skip("a file carries no HTTP status")];
    }
    let all = ev.with_role(|r| {
        matches!(
            r,
            Role::Prm | Role::PrmRoot | Role::PrmUnstripped | Role::PrmHinted { .. }
        )
    });
    let mut out = Vec::new();
    for ex in all
        .iter()
        .filter(|e| e.status.is_some() && e.error.is_none())
    {
        let status = ex.status.unwrap_or(0);
        if status == 200 && ex.json().is_err() {
            out.push(
                Finding::fail(format!(
                    "{} answered 200 with a body that is not JSON",
                    ex.url
                ))
                .expected("an error status, or 200 with JSON")
                .actual("200 with a non-JSON body")
                .on(ex),
            );
        } else if status != 200 && !(400..600).contains(&status) {
            out.push(
                Finding::fail(format!(
                    "{} answered {status}, which is neither success nor an error",
                    ex.url
                ))
                .expected("200, or a 4xx/5xx error status")
                .actual(status.to_string())
                .on(ex),
            );
        }
    }
    if all.iter().all(|e| e.status.is_none() || e.error.is_some()) {
        return vec![Finding::no_input("no complete PRM response arrived")];
    }
    pass_or(out, || {
        Finding::pass(format!("{} PRM responses use fitting statuses", all.len()))
    })
}

fn member_types(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| {
        pass_or(violations(SchemaKind::Prm, &d.json.value, ""), || {
            Finding::pass("members have the RFC 9728 types")
        })
    })
}

fn no_empty(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| {
        pass_or(empty_members(d.obj, &["bearer_methods_supported"]), || {
            Finding::pass("no member is empty")
        })
    })
}

fn resource_present(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| match d.get("resource") {
        Some(Value::String(s)) => vec![Finding::pass(format!("resource is {}", quote(s)))],
        Some(v) => vec![
            Finding::fail("resource is not a string")
                .expected("a string")
                .actual(show(v))
                .at("/resource"),
        ],
        None => vec![
            Finding::fail("resource is missing")
                .expected("a resource member")
                .actual("absent"),
        ],
    })
}

#[allow(
    clippy::result_large_err,
    reason = "a Finding is the natural error of a judge step; judges are not hot paths"
)]
fn with_resource<'a>(d: &Doc<'a>) -> Result<&'a str, Finding> {
    d.str("resource").ok_or_else(|| {
        Finding::no_input("the document has no string resource (prm.resource-present reports it)")
    })
}

fn resource_https(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| match with_resource(&d) {
        Err(f) => vec![f],
        Ok(r) => vec![https_problem(r, "resource", false, true).map_or_else(
            || {
                let f = https_ok(r, "resource");
                Finding {
                    message: format!("{}, without a fragment", f.message),
                    ..f
                }
            },
            |f| f.at("/resource"),
        )],
    })
}

fn resource_no_query(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| match with_resource(&d) {
        Err(f) => vec![f],
        Ok(r) => match Url::parse(r) {
            Ok(u) if u.query().is_some() => vec![
                Finding::fail("resource has a query")
                    .expected("no '?' component")
                    .actual(quote(r))
                    .at("/resource"),
            ],
            Ok(_) => vec![Finding::pass("resource has no query")],
            Err(_) => vec![Finding::no_input(
                "resource is not a URL (prm.resource-https reports it)",
            )],
        },
    })
}

fn resource_match(ev: &Evidence) -> Vec<Finding> {
    let d = match primary(ev) {
        Subject::Doc(d) => d,
        Subject::Absent(f) => return vec![f],
    };
    let actual = match with_resource(&d) {
        Ok(r) => r,
        Err(f) => return vec![f.on(d.ex)],
    };
    if actual == ev.resource {
        let mut msg = format!("resource is {}", quote(actual));
        if !actual.is_ascii() {
            msg.push_str(" (non-ASCII: compared code point by code point, without normalisation)");
        }
        return vec![Finding::pass(msg).on(d.ex)];
    }
    let hint = match typed_slip(&ev.resource, actual) {
        // The server agrees with itself; only the identifier typed on the command line differs.
        Some(how) => format!(
            " (they differ only by {how}: identifiers are compared code point for code point; if clients use the identifier the PRM names, check that one: authspec check {actual})"
        ),
        None => String::new(),
    };
    vec![
        Finding::fail(format!(
            "resource differs from the identifier the well-known URL was built from{hint}"
        ))
        .expected(quote(&ev.resource))
        .actual(quote(actual))
        .at("/resource")
        .on(d.ex),
    ]
}

/// How the identifier the user typed differs from the one the PRM names, when that is the only
/// difference: a trailing '/', or another name of the loopback host.
fn typed_slip(typed: &str, named: &str) -> Option<&'static str> {
    if typed.trim_end_matches('/') == named.trim_end_matches('/') {
        return Some("a trailing '/'");
    }
    let (Ok(mut t), Ok(n)) = (Url::parse(typed), Url::parse(named)) else {
        return None;
    };
    let loopback = |u: &Url| matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if !(loopback(&t) && loopback(&n)) || t.host_str() == n.host_str() {
        return None;
    }
    t.set_host(n.host_str()).ok()?;
    (t.as_str().trim_end_matches('/') == n.as_str().trim_end_matches('/'))
        .then_some("the name of the loopback host")
}

/// Pairs of (hinted PRM document, URL of the request whose 401 named it).
fn hinted_pairs(ev: &Evidence) -> Vec<(Subject<'_>, String)> {
    let mut out = Vec::new();
    for ex in ev.with_role(|r| matches!(r, Role::PrmHinted { .. })) {
        for r in &ex.roles {
            if let Role::PrmHinted { hinted_by } = r {
                out.push((
                    ev.subject(Some(ex), "hinted protected-resource metadata"),
                    hinted_by.clone(),
                ));
            }
        }
    }
    out
}

fn resource_match_wwwa(ev: &Evidence) -> Vec<Finding> {
    judge_hinted(ev, |resource, request| {
        let (Ok(r), Ok(q)) = (Url::parse(resource), Url::parse(request)) else {
            return Finding::fail("resource is not a URL")
                .expected(format!("a prefix of {request}"))
                .actual(quote(resource));
        };
        let strict = resource == request;
        if crate::identifier::is_prefix_resource(&r, &q) {
            Finding::pass(format!(
                "resource {} covers {request} (strict identity: {})",
                quote(resource),
                if strict { "yes" } else { "no" }
            ))
        } else {
            Finding::fail("resource does not cover the URL that got the 401 (same origin, path prefix on a segment boundary)")
                .expected(format!("a resource with the origin of, and a path prefix of, {request}"))
                .actual(quote(resource))
                .at("/resource")
        }
    })
}

fn resource_match_wwwa_strict(ev: &Evidence) -> Vec<Finding> {
    judge_hinted(ev, |resource, request| {
        if resource == request {
            Finding::pass("resource is identical to the request URL")
        } else {
            Finding::fail("resource is not identical to the URL that got the 401")
                .expected(quote(request))
                .actual(quote(resource))
                .at("/resource")
        }
    })
}

fn judge_hinted(ev: &Evidence, rule: impl Fn(&str, &str) -> Finding) -> Vec<Finding> {
    let pairs = hinted_pairs(ev);
    if pairs.is_empty() {
        return vec![Finding::skip("no 401 named a PRM with resource_metadata")];
    }
    pairs
        .into_iter()
        .map(|(s, request)| match s {
            Subject::Absent(f) => f,
            Subject::Doc(d) => match with_resource(&d) {
                Ok(res) => rule(res, &request).on(d.ex),
                Err(f) => f.on(d.ex),
            },
        })
        .collect()
}

fn jwks_https(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| match d.get("jwks_uri") {
        None => vec![Finding::skip("no jwks_uri (optional)")],
        Some(Value::String(u)) => vec![
            https_problem(u, "jwks_uri", false, false)
                .map_or_else(|| https_ok(u, "jwks_uri"), |f| f.at("/jwks_uri")),
        ],
        Some(v) => vec![
            Finding::fail("jwks_uri is not a string")
                .expected("an https URL")
                .actual(show(v))
                .at("/jwks_uri"),
        ],
    })
}

fn signing_alg_no_none(ev: &Evidence) -> Vec<Finding> {
    let m = "resource_signing_alg_values_supported";
    each_doc(ev.prm_docs(), |d| {
        if !d.obj.contains_key(m) {
            return vec![Finding::skip(format!("no {m} (optional)"))];
        }
        pass_or(alg_none(d.obj, m), || {
            Finding::pass(format!("{m} does not list none"))
        })
    })
}

fn bearer_methods<'a>(d: &Doc<'a>) -> Option<Vec<&'a str>> {
    d.obj
        .contains_key("bearer_methods_supported")
        .then(|| strings(d.obj, "bearer_methods_supported"))
}

fn bearer_values(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| {
        let Some(methods) = bearer_methods(&d) else {
            return vec![Finding::skip("no bearer_methods_supported (optional)")];
        };
        let unknown: Vec<&str> = methods
            .iter()
            .copied()
            .filter(|m| !["header", "body", "query"].contains(m))
            .collect();
        if unknown.is_empty() {
            vec![Finding::pass(format!(
                "bearer methods: {}",
                methods.join(", ")
            ))]
        } else {
            vec![
                Finding::fail("bearer_methods_supported has values RFC 6750 does not define")
                    .expected("header, body, query")
                    .actual(unknown.join(", "))
                    .at("/bearer_methods_supported"),
            ]
        }
    })
}

fn bearer_no_query(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| {
        let Some(methods) = bearer_methods(&d) else {
            return vec![Finding::skip("no bearer_methods_supported (optional)")];
        };
        if methods.contains(&"query") {
            vec![
                Finding::fail("tokens are accepted in the URL query")
                    .expected("no \"query\"")
                    .actual(show(&d.obj["bearer_methods_supported"]))
                    .at("/bearer_methods_supported"),
            ]
        } else {
            vec![Finding::pass("query is not offered")]
        }
    })
}

fn as_issuer_form(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| {
        let Some(Value::Array(list)) = d.get("authorization_servers") else {
            return vec![Finding::skip("no authorization_servers array (optional)")];
        };
        let problems = list
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v.as_str() {
                Some(s) => https_problem(s, "authorization server issuer", true, true)
                    .map(|f| f.at(format!("/authorization_servers/{i}"))),
                None => Some(
                    Finding::fail("entry is not a string")
                        .actual(show(v))
                        .at(format!("/authorization_servers/{i}")),
                ),
            })
            .collect();
        pass_or(problems, || {
            Finding::pass(format!("{} issuer identifiers are well formed", list.len()))
        })
    })
}

fn valid_lang_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (2..=8).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn i18n(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| {
        let tagged: Vec<(&str, &str)> = d.obj.keys().filter_map(|k| k.split_once('#')).collect();
        if tagged.is_empty() {
            return vec![Finding::skip("no language-tagged members")];
        }
        let mut out = Vec::new();
        for (base, tag) in tagged {
            let name = format!("{base}#{tag}");
            if !d.obj.contains_key(base) {
                out.push(
                    Finding::fail(format!("{name} has no untagged {base}"))
                        .expected(format!("a {base} member as well"))
                        .actual("absent")
                        .at(ptr(&name)),
                );
            }
            if !valid_lang_tag(tag) {
                out.push(
                    Finding::fail(format!("{name} has an invalid language tag"))
                        .expected("a BCP 47 tag such as en or pt-BR")
                        .actual(quote(tag))
                        .at(ptr(&name)),
                );
            }
        }
        pass_or(out, || {
            Finding::pass("language-tagged members are well formed")
        })
    })
}

fn signed(d: &Doc<'_>) -> Option<Result<super::members::Jwt, Finding>> {
    d.get("signed_metadata").map(signed_metadata_problems)
}

fn signed_jwt(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| match signed(&d) {
        None => vec![Finding::skip("no signed_metadata (optional)")],
        Some(Ok(_)) => vec![Finding::pass(
            "signed_metadata is a signed JWT with iss (signature not verified: no trust anchor configured)",
        )],
        Some(Err(f)) => vec![f],
    })
}

fn signed_no_nest(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| match signed(&d) {
        None => vec![Finding::skip("no signed_metadata (optional)")],
        Some(Err(_)) => vec![Finding::no_input(
            "signed_metadata does not decode (prm.signed-jwt reports it)",
        )],
        Some(Ok(jwt)) if jwt.payload.contains_key("signed_metadata") => {
            vec![
                Finding::fail("the signed metadata JWT contains signed_metadata")
                    .expected("no nested signed_metadata claim")
                    .actual("present")
                    .at("/signed_metadata"),
            ]
        }
        Some(Ok(_)) => vec![Finding::pass("no nested signed_metadata")],
    })
}

fn signed_precedence(ev: &Evidence) -> Vec<Finding> {
    each_doc(ev.prm_docs(), |d| match signed(&d) {
        None => vec![Finding::skip("no signed_metadata (optional)")],
        Some(Err(_)) => vec![Finding::no_input(
            "signed_metadata does not decode (prm.signed-jwt reports it)",
        )],
        Some(Ok(jwt)) => signed_conflicts(&d, &jwt),
    })
}

/// Plain members whose signed twin differs (signed values win for clients that verify).
pub(super) fn signed_conflicts(d: &Doc<'_>, jwt: &super::members::Jwt) -> Vec<Finding> {
    let skip = ["iss", "iat", "exp", "nbf", "jti", "sub", "aud"];
    let conflicts: Vec<Finding> = jwt
        .payload
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .filter_map(|(k, signed_v)| {
            let plain = d.get(k)?;
            (plain != signed_v).then(|| {
                Finding::fail(format!(
                    "plain {k} differs from the signed value, which wins"
                ))
                .expected(show(signed_v))
                .actual(show(plain))
                .at(ptr(k))
            })
        })
        .collect();
    pass_or(conflicts, || {
        Finding::pass("plain members agree with the signed ones")
    })
}

fn tls(ev: &Evidence) -> Vec<Finding> {
    let Some(ex) = ev.prm_served() else {
        return vec![Finding::no_input("the PRM was not requested")];
    };
    tls_of(ex, "PRM")
}

/// The transport-security judgement shared by PRM-TLS and ASM-TLS12.
pub(super) fn tls_of(ex: &crate::evidence::Exchange, what: &str) -> Vec<Finding> {
    if ex.source == Source::File {
        return vec![Finding::skip("a file has no transport")];
    }
    let Ok(url) = Url::parse(&ex.url) else {
        return vec![Finding::error(format!("unparseable URL {}", ex.url))];
    };
    if let Some(err) = ex.tls_failure() {
        return vec![
            Finding::fail(format!("TLS failed for {what}: {err}"))
                .expected("a verified TLS 1.2+ connection")
                .actual(err.to_string())
                .on(ex),
        ];
    }
    if let Some(err) = &ex.error {
        return vec![Finding::no_input(format!("{what} could not be fetched: {err}")).on(ex)];
    }
    match scheme_rule(&url) {
        Scheme::Https => vec![Finding::pass(format!("{what} fetched over https with certificate verification (rustls: TLS 1.2 or later)")).on(ex)],
        // Nothing about TLS was seen, so nothing passes: the row is set aside, not judged.
        Scheme::LoopbackHttp => vec![Finding::skip(format!("not judged: {what} is on a loopback host over http, so there is no TLS to verify (accepted for local development; not production evidence)")).on(ex)],
        Scheme::NotHttps => vec![Finding::fail(format!("{what} is served without TLS")).expected("https://").actual(ex.url.clone()).on(ex)],
    }
}

fn as_crosscheck(ev: &Evidence) -> Vec<Finding> {
    let resource = match primary(ev) {
        Subject::Doc(d) => d.str("resource").map(str::to_string),
        Subject::Absent(_) => None,
    }
    .unwrap_or_else(|| ev.resource.clone());
    let mut out = Vec::new();
    for (_, s) in ev.asm_docs() {
        let Subject::Doc(d) = s else { continue };
        let Some(list) = d.get("protected_resources") else {
            continue;
        };
        let listed = list
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(&resource)));
        out.push(if listed {
            Finding::pass(format!("{} lists {}", d.ex.url, quote(&resource))).on(d.ex)
        } else {
            Finding::fail(
                "the authorization server enumerates protected_resources without this resource",
            )
            .expected(format!("a list containing {}", quote(&resource)))
            .actual(show(list))
            .at("/protected_resources")
            .on(d.ex)
        });
    }
    if out.is_empty() {
        return vec![Finding::skip(
            "no authorization server metadata lists protected_resources",
        )];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::valid_lang_tag;

    #[test]
    fn language_tags() {
        assert!(valid_lang_tag("en"));
        assert!(valid_lang_tag("pt-BR"));
        assert!(valid_lang_tag("zh-Hant-TW"));
        assert!(!valid_lang_tag("e"));
        assert!(!valid_lang_tag("en_US"));
        assert!(!valid_lang_tag(""));
    }
}
