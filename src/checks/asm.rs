//! RFC 8414 authorization-server metadata for every issuer the PRM names.

use super::members::{
    alg_none, empty_members, https_ok, https_problem, quote, show, signed_metadata_problems,
    strings,
};
use super::prm::{document_shape, media_type_of, signed_conflicts, tls_of};
use super::schema::{SchemaKind, violations};
use super::{Area, Check, Level, Levels, MUST, SHOULD, rfc};
use crate::evidence::{Doc, Evidence, Role, Source, Subject, each_doc};
use crate::finding::{Finding, pass_or};
use crate::identifier::{ASM_SUFFIX, well_known};
use serde_json::Value;
use url::Url;

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::Asm, $($t)*)
    };
}

const MCP_MUST_ELSE_SHOULD: Levels = Levels {
    auth_md: Some(Level::Should),
    rfc: Some(Level::Should),
    mcp: Some(Level::Must),
};

/// The AS metadata checks, in report order.
pub static CHECKS: &[Check] = &[
    row!(
        "asm.wellknown-insert",
        "AS metadata is served at the path-inserted well-known URL",
        MUST,
        &["ASM-WELLKNOWN-INSERT", "ASM-GET"],
        "RFC 8414 §3",
        rfc!("8414", "3"),
        "Serve the metadata with GET at https://host/.well-known/oauth-authorization-server followed by the issuer path.",
        wellknown_insert,
    ),
    row!(
        "asm.wellknown-slash",
        "A terminating slash of the issuer path is dropped before inserting",
        MUST,
        &["ASM-WELLKNOWN-SLASH"],
        "RFC 8414 §3.1",
        rfc!("8414", "3.1"),
        "Serve the metadata at the well-known URL built from the issuer path without its final '/'.",
        wellknown_slash,
    ),
    row!(
        "asm.resp-200-json",
        "AS metadata answers 200 with a JSON object",
        MUST,
        &["ASM-RESP-200-JSON"],
        "RFC 8414 §3.2",
        rfc!("8414", "3.2"),
        "Answer 200 with Content-Type: application/json and a JSON object body.",
        resp_200_json,
    ),
    row!(
        "asm.media-type",
        "AS metadata media type is exactly application/json",
        SHOULD,
        &["ASM-RESP-200-JSON"],
        "RFC 8414 §3.2",
        rfc!("8414", "3.2"),
        "Send Content-Type: application/json.",
        media_type,
    ),
    row!(
        "asm.member-types",
        "AS metadata members have the types RFC 8414 defines",
        MUST,
        &["ASM-MEMBER-TYPES"],
        "RFC 8414 §2",
        rfc!("8414", "2"),
        "Send arrays of strings for the *_supported members, strings for URLs, booleans as JSON booleans.",
        member_types,
    ),
    row!(
        "asm.no-empty",
        "AS metadata leaves out claims with zero elements",
        MUST,
        &["ASM-NO-EMPTY"],
        "RFC 8414 §3.2",
        rfc!("8414", "3.2"),
        "Omit members that would be [], null or \"\".",
        no_empty,
    ),
    row!(
        "asm.issuer-present",
        "issuer is present",
        MUST,
        &["ASM-ISSUER-PRESENT", "AA-ASM-STILL-8414"],
        "RFC 8414 §2",
        rfc!("8414", "2"),
        "Add \"issuer\": the issuer identifier the metadata URL was built from.",
        issuer_present,
    ),
    row!(
        "asm.issuer-https",
        "issuer uses https",
        MUST,
        &["ASM-ISSUER-HTTPS"],
        "RFC 8414 §2",
        rfc!("8414", "2"),
        "Use an https issuer identifier.",
        issuer_https,
    ),
    row!(
        "asm.issuer-no-query-fragment",
        "issuer has no query and no fragment",
        MUST,
        &["ASM-ISSUER-NO-QUERY-FRAGMENT"],
        "RFC 8414 §2",
        rfc!("8414", "2"),
        "Remove '?query' and '#fragment' from the issuer.",
        issuer_no_query_fragment,
    ),
    row!(
        "asm.issuer-match",
        "issuer equals the identifier the metadata URL was built from",
        MUST,
        &["ASM-ISSUER-MATCH", "MCP-ISSUER-VALIDATE"],
        "RFC 8414 §3.3",
        rfc!("8414", "3.3"),
        "Make issuer identical, code point for code point, to the authorization_servers entry (mind the trailing slash).",
        issuer_match,
    ),
    row!(
        "asm.response-types",
        "response_types_supported is a non-empty array",
        MUST,
        &["ASM-RESPONSE-TYPES", "AA-ASM-STILL-8414"],
        "RFC 8414 §2",
        rfc!("8414", "2"),
        "Add response_types_supported (for example [\"code\"]).",
        response_types,
    ),
    row!(
        "asm.authorization-endpoint",
        "authorization_endpoint is present when a grant needs it",
        MUST,
        &["ASM-AUTHZ-EP-COND"],
        "RFC 8414 §2",
        rfc!("8414", "2"),
        "Add authorization_endpoint, or declare grant_types_supported without authorization_code and implicit (the default includes both).",
        authorization_endpoint,
    ),
    row!(
        "asm.token-endpoint",
        "token_endpoint is present unless only implicit is supported",
        MUST,
        &["ASM-TOKEN-EP-COND"],
        "RFC 8414 §2",
        rfc!("8414", "2"),
        "Add token_endpoint.",
        token_endpoint,
    ),
    row!(
        "asm.jwks-https",
        "jwks_uri uses https",
        MUST,
        &["ASM-JWKS-HTTPS"],
        "RFC 8414 §2",
        rfc!("8414", "2"),
        "Serve the JWK Set over https and advertise the https URL.",
        jwks_https,
    ),
    row!(
        "asm.alg-no-none",
        "No *_auth_signing_alg_values_supported lists none",
        MUST,
        &["ASM-ALG-NO-NONE"],
        "RFC 8414 §2",
        rfc!("8414", "2"),
        "Remove \"none\" from the endpoint auth signing algorithm lists.",
        alg_no_none,
    ),
    row!(
        "asm.auth-alg-cond",
        "JWT client authentication comes with its algorithm list",
        MUST,
        &["ASM-AUTH-ALG-COND"],
        "RFC 8414 §2",
        rfc!("8414", "2"),
        "When an endpoint lists private_key_jwt or client_secret_jwt, add its *_auth_signing_alg_values_supported.",
        auth_alg_cond,
    ),
    row!(
        "asm.rs256",
        "The token endpoint supports RS256 for JWT client authentication",
        SHOULD,
        &["ASM-RS256"],
        "RFC 8414 §2",
        rfc!("8414", "2"),
        "Include RS256 in token_endpoint_auth_signing_alg_values_supported.",
        rs256,
    ),
    row!(
        "asm.pkce",
        "code_challenge_methods_supported includes S256",
        Levels {
            auth_md: Some(Level::May),
            rfc: Some(Level::May),
            mcp: Some(Level::Must),
        },
        &["ASM-PKCE", "MCP-PKCE"],
        "RFC 8414 §2; RFC 7636",
        rfc!("8414", "2"),
        "Advertise \"code_challenge_methods_supported\": [\"S256\"] (MCP clients refuse to continue without it).",
        pkce,
    ),
    row!(
        "asm.signed-jwt",
        "signed_metadata is a signed JWT with an iss claim",
        MUST,
        &["ASM-SIGNED"],
        "RFC 8414 §2.1",
        rfc!("8414", "2.1"),
        "Send signed_metadata as a compact JWS (alg not none) whose payload has iss.",
        signed_jwt,
    ),
    row!(
        "asm.signed-no-nest",
        "Signed AS metadata neither nests signed_metadata nor contradicts plain values",
        SHOULD,
        &["ASM-SIGNED"],
        "RFC 8414 §2.1",
        rfc!("8414", "2.1"),
        "Remove nested signed_metadata and keep plain members equal to the signed ones.",
        signed_consistent,
    ),
    row!(
        "asm.tls",
        "AS metadata is served over verified TLS 1.2+",
        MUST,
        &["ASM-TLS12"],
        "RFC 8414 §6.1",
        rfc!("8414", "6.1"),
        "Serve over https with a certificate valid for the host.",
        tls,
    ),
    row!(
        "asm.endpoints-https",
        "Every advertised endpoint uses https",
        MCP_MUST_ELSE_SHOULD,
        &["ASM-ENDPOINTS-HTTPS", "MCP-HTTPS"],
        "RFC 8414 §2; OIDC Discovery §3; MCP Communication Security",
        rfc!("8414", "2"),
        "Use https URLs for every *_endpoint and *_uri member.",
        endpoints_https,
    ),
    row!(
        "asm.id-jag-grant",
        "An AS advertising the ID-JAG grant profile also supports the jwt-bearer grant",
        MUST,
        &["IDJAG-RAS-META", "IDJAG-TOKEN-TYPE"],
        "draft-ietf-oauth-identity-assertion-authz-grant-03 §7.2",
        "https://datatracker.ietf.org/doc/draft-ietf-oauth-identity-assertion-authz-grant/",
        "With urn:ietf:params:oauth:grant-profile:id-jag in authorization_grant_profiles_supported, list urn:ietf:params:oauth:grant-type:jwt-bearer in grant_types_supported.",
        id_jag_grant,
    ),
];

const ID_JAG_PROFILE: &str = "urn:ietf:params:oauth:grant-profile:id-jag";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn id_jag_grant(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        let m = "authorization_grant_profiles_supported";
        let Some(v) = d.get(m) else {
            return vec![Finding::skip(format!(
                "no {m} (ID-JAG support is not advertised)"
            ))];
        };
        if !v.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
            return vec![
                Finding::fail(format!("{m} is not an array of strings"))
                    .expected("[\"urn:ietf:params:oauth:grant-profile:id-jag\"]")
                    .actual(show(v))
                    .at(format!("/{m}")),
            ];
        }
        if !strings(d.obj, m).contains(&ID_JAG_PROFILE) {
            return vec![Finding::skip(format!(
                "{m} does not list the ID-JAG profile"
            ))];
        }
        if d.get("grant_types_supported")
            .is_some_and(|g| !g.is_array())
        {
            return vec![Finding::no_input(
                "grant_types_supported is not an array (asm.member-types reports it)",
            )];
        }
        vec![if effective_grants(&d).contains(&JWT_BEARER) {
            Finding::pass("the ID-JAG profile comes with the jwt-bearer grant")
        } else {
            Finding::fail("the ID-JAG grant profile is advertised without the jwt-bearer grant")
                .expected(format!("grant_types_supported including {JWT_BEARER}"))
                .actual(effective_grants(&d).join(", "))
                .at("/grant_types_supported")
        }]
    })
}

/// Judges each fetched AS metadata document, passing the issuer it was looked up for.
fn each_asm(ev: &Evidence, mut judge: impl FnMut(&str, Doc<'_>) -> Vec<Finding>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (issuer, s) in ev.asm_docs() {
        out.extend(each_doc(vec![s], |d| judge(&issuer, d)));
    }
    out
}

/// Each issuer with its RFC 8414 well-known exchange (what asm.wellknown-insert judges).
fn asm_exchanges(ev: &Evidence) -> Vec<(String, Option<&crate::evidence::Exchange>)> {
    ev.issuers()
        .into_iter()
        .map(|i| {
            let ex = ev.role(&Role::Asm { issuer: i.clone() });
            (i, ex)
        })
        .collect()
}

/// Each issuer with the exchange its metadata was taken from (RFC 8414, or OIDC where the
/// profile accepts it): what the response-shape rows judge.
fn asm_sources(ev: &Evidence) -> Vec<(String, Option<&crate::evidence::Exchange>)> {
    ev.issuers()
        .into_iter()
        .map(|i| {
            let ex = ev.asm_source(&i);
            (i, ex)
        })
        .collect()
}

fn no_issuers(ev: &Evidence) -> Vec<Finding> {
    ev.asm_docs()
        .into_iter()
        .filter_map(|(_, s)| match s {
            Subject::Absent(f) => Some(f),
            Subject::Doc(_) => None,
        })
        .collect()
}

fn wellknown_insert(ev: &Evidence) -> Vec<Finding> {
    let list = asm_exchanges(ev);
    if list.is_empty() {
        return no_issuers(ev);
    }
    list.into_iter()
        .map(|(issuer, ex)| {
            let Some(ex) = ex else {
                return Finding::no_input(format!("AS metadata for {issuer} was not requested"));
            };
            if let Some(f) = ex.refused() {
                return f;
            }
            let want = Url::parse(&issuer)
                .map(|u| well_known(&u, ASM_SUFFIX).to_string())
                .unwrap_or_default();
            if let Some(f) = https_problem(&ex.url, "the AS metadata URL", false, true) {
                return f.on(ex);
            }
            if ex.source == Source::File {
                return file_location(ex, &want);
            }
            if let Some(e) = &ex.error {
                return Finding::error(format!("GET {} failed: {e}", ex.url)).on(ex);
            }
            match ex.status {
                Some(200) => Finding::pass(format!("GET {} answered 200", ex.url)).on(ex),
                s => Finding::fail(format!("GET {} did not answer 200", ex.url))
                    .expected(format!("200 at {want}"))
                    .actual(s.map_or("no response".into(), |s| s.to_string()))
                    .on(ex),
            }
        })
        .collect()
}

/// Where a linted AS metadata file says it is served, against RFC 8414 §3.1's inserted URL.
fn file_location(ex: &crate::evidence::Exchange, want: &str) -> Finding {
    if ex.url == want {
        return Finding::pass(format!("the file is served at {want}")).on(ex);
    }
    if ex
        .url
        .contains(&format!("/.well-known/{}", crate::identifier::OIDC_SUFFIX))
    {
        return Finding::skip(format!(
            "served at an OpenID Connect discovery URL ({}); RFC 8414's location is another document",
            ex.url
        ))
        .on(ex);
    }
    Finding::fail("the URL given appends the well-known suffix to the issuer path; RFC 8414 inserts it between host and path")
        .expected(want.to_string())
        .actual(ex.url.clone())
        .on(ex)
}

fn wellknown_slash(ev: &Evidence) -> Vec<Finding> {
    let slashed: Vec<String> = ev
        .issuers()
        .into_iter()
        .filter(|i| Url::parse(i).is_ok_and(|u| u.path() != "/" && u.path().ends_with('/')))
        .collect();
    if slashed.is_empty() {
        return vec![Finding::skip(format!(
            "nothing to strip: no issuer has a path that ends in '/' ({}; the '/' of a bare origin is not a path)",
            ev.issuers().join(", ")
        ))];
    }
    slashed
        .into_iter()
        .map(|issuer| {
            let stripped = ev.role(&Role::Asm {
                issuer: issuer.clone(),
            });
            let kept = ev.role(&Role::AsmUnstripped {
                issuer: issuer.clone(),
            });
            let want = Url::parse(&issuer)
                .map(|u| well_known(&u, ASM_SUFFIX).to_string())
                .unwrap_or_default();
            if let Some(file) = stripped.filter(|e| e.source == Source::File) {
                return if file.url == want {
                    Finding::pass(format!("served at {want}, the '/' dropped"))
                } else {
                    Finding::fail("the document is served at a URL that keeps the terminating '/'")
                        .expected(want)
                        .actual(file.url.clone())
                };
            }
            match (stripped.and_then(|e| e.status), kept.and_then(|e| e.status)) {
                (Some(200), _) => Finding::pass(format!("{want} answers 200")),
                (_, Some(200)) => Finding::fail(format!(
                    "for issuer {issuer} only the URL keeping the '/' answers"
                ))
                .expected(format!("200 at {want}"))
                .actual(format!(
                    "200 at {}",
                    kept.map(|k| k.url.as_str()).unwrap_or("")
                )),
                _ => {
                    Finding::no_input(format!("neither well-known form answered 200 for {issuer}"))
                }
            }
        })
        .collect()
}

fn resp_200_json(ev: &Evidence) -> Vec<Finding> {
    let list = asm_sources(ev);
    if list.is_empty() {
        return no_issuers(ev);
    }
    list.into_iter()
        .flat_map(|(i, ex)| match ex {
            Some(ex) => ex
                .refused()
                .map_or_else(|| document_shape(ex, "AS metadata"), |f| vec![f]),
            None => vec![Finding::no_input(format!(
                "AS metadata for {i} was not requested"
            ))],
        })
        .collect()
}

fn media_type(ev: &Evidence) -> Vec<Finding> {
    let list = asm_sources(ev);
    if list.is_empty() {
        return no_issuers(ev);
    }
    list.into_iter()
        .flat_map(|(_, ex)| media_type_of(ex, "AS metadata", &["application/json"]))
        .collect()
}

fn member_types(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        pass_or(violations(SchemaKind::Asm, &d.json.value, ""), || {
            Finding::pass("members have the RFC 8414 types")
        })
    })
}

fn no_empty(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        pass_or(empty_members(d.obj, &[]), || {
            Finding::pass("no member is empty")
        })
    })
}

fn issuer_present(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        vec![match d.get("issuer") {
            Some(Value::String(s)) => Finding::pass(format!("issuer is {}", quote(s))),
            Some(v) => Finding::fail("issuer is not a string")
                .expected("a string")
                .actual(show(v))
                .at("/issuer"),
            None => Finding::fail("issuer is missing")
                .expected("an issuer member")
                .actual("absent"),
        }]
    })
}

fn with_issuer<'a>(d: &Doc<'a>, rule: impl FnOnce(&'a str) -> Finding) -> Vec<Finding> {
    vec![match d.str("issuer") {
        Some(i) => rule(i),
        None => Finding::no_input("no string issuer (asm.issuer-present reports it)"),
    }]
}

fn issuer_https(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        with_issuer(&d, |i| {
            https_problem(i, "issuer", false, false)
                .map_or_else(|| https_ok(i, "issuer"), |f| f.at("/issuer"))
        })
    })
}

fn issuer_no_query_fragment(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        with_issuer(&d, |i| match Url::parse(i) {
            Ok(u) if u.query().is_some() || u.fragment().is_some() => {
                Finding::fail("issuer has a query or fragment")
                    .expected("no '?' or '#'")
                    .actual(quote(i))
                    .at("/issuer")
            }
            Ok(_) => Finding::pass("issuer has no query or fragment"),
            Err(_) if i.contains(['?', '#']) => Finding::fail("issuer has a query or fragment")
                .expected("no '?' or '#'")
                .actual(quote(i))
                .at("/issuer"),
            Err(_) => Finding::no_input("issuer is not a URL (asm.issuer-https reports it)"),
        })
    })
}

fn issuer_match(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |expected, d| {
        with_issuer(&d, |i| {
            if i == expected {
                Finding::pass(format!("issuer is {}", quote(i)))
            } else {
                let hint = if i.trim_end_matches('/') == expected.trim_end_matches('/') {
                    " (they differ only by a trailing '/')"
                } else {
                    ""
                };
                Finding::fail(format!(
                    "issuer differs from the identifier the metadata URL was built from{hint}"
                ))
                .expected(quote(expected))
                .actual(quote(i))
                .at("/issuer")
            }
        })
    })
}

fn response_types(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        vec![match d.get("response_types_supported") {
        Some(Value::Array(a)) if !a.is_empty() => Finding::pass(format!("response_types_supported: {}", show(&Value::Array(a.clone())))),
        Some(v) => Finding::fail("response_types_supported is not a non-empty array").expected("a non-empty array").actual(show(v)).at("/response_types_supported"),
        None => Finding::fail("response_types_supported is missing (it is REQUIRED even when no authorization endpoint is used)").expected("a non-empty array such as [\"code\"]").actual("absent"),
    }]
    })
}

/// Grant types after applying the RFC 8414 default `["authorization_code", "implicit"]`.
fn effective_grants<'a>(d: &Doc<'a>) -> Vec<&'a str> {
    if d.obj.contains_key("grant_types_supported") {
        strings(d.obj, "grant_types_supported")
    } else {
        vec!["authorization_code", "implicit"]
    }
}

fn authorization_endpoint(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        let grants = effective_grants(&d);
        let needs = grants
            .iter()
            .any(|g| *g == "authorization_code" || *g == "implicit");
        vec![match (needs, d.get("authorization_endpoint")) {
            (false, _) => Finding::pass(format!("no grant needs it ({})", grants.join(", "))),
            (true, Some(Value::String(_))) => Finding::pass("authorization_endpoint is present"),
            (true, _) => Finding::fail(
                "authorization_endpoint is missing while the effective grant types need it",
            )
            .expected("authorization_endpoint")
            .actual(format!(
                "absent; effective grant_types_supported = {}{}",
                grants.join(", "),
                if d.obj.contains_key("grant_types_supported") {
                    ""
                } else {
                    " (the default)"
                }
            )),
        }]
    })
}

fn token_endpoint(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        let grants = effective_grants(&d);
        let implicit_only = !grants.is_empty() && grants.iter().all(|g| *g == "implicit");
        vec![match (implicit_only, d.get("token_endpoint")) {
            (true, _) => Finding::pass("only the implicit grant is supported"),
            (false, Some(Value::String(_))) => Finding::pass("token_endpoint is present"),
            (false, _) => Finding::fail("token_endpoint is missing")
                .expected("token_endpoint")
                .actual(format!("absent; grants = {}", grants.join(", "))),
        }]
    })
}

fn jwks_https(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        vec![match d.get("jwks_uri") {
            None => Finding::skip("no jwks_uri (optional)"),
            Some(Value::String(u)) => https_problem(u, "jwks_uri", false, false)
                .map_or_else(|| https_ok(u, "jwks_uri"), |f| f.at("/jwks_uri")),
            Some(v) => Finding::fail("jwks_uri is not a string")
                .actual(show(v))
                .at("/jwks_uri"),
        }]
    })
}

const ENDPOINTS: [&str; 3] = [
    "token_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
];

fn alg_no_none(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        let out: Vec<Finding> = ENDPOINTS
            .iter()
            .flat_map(|e| alg_none(d.obj, &format!("{e}_auth_signing_alg_values_supported")))
            .collect();
        pass_or(out, || {
            Finding::pass("no auth signing algorithm list names none")
        })
    })
}

fn auth_alg_cond(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        let mut out = Vec::new();
        for e in ENDPOINTS {
            let methods = strings(d.obj, &format!("{e}_auth_methods_supported"));
            let jwt = methods
                .iter()
                .find(|m| **m == "private_key_jwt" || **m == "client_secret_jwt");
            let algs = format!("{e}_auth_signing_alg_values_supported");
            if let (Some(m), false) = (jwt, d.obj.contains_key(&algs)) {
                out.push(
                    Finding::fail(format!(
                        "{e}_auth_methods_supported lists {m} but {algs} is missing"
                    ))
                    .expected(algs.clone())
                    .actual("absent"),
                );
            }
        }
        pass_or(out, || {
            Finding::pass("every JWT client authentication method has its algorithm list")
        })
    })
}

fn rs256(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        let m = "token_endpoint_auth_signing_alg_values_supported";
        vec![if !d.obj.contains_key(m) {
            Finding::skip(format!("no {m}"))
        } else if strings(d.obj, m).contains(&"RS256") {
            Finding::pass("RS256 is supported")
        } else {
            Finding::fail(format!("{m} lacks RS256"))
                .expected("a list including RS256")
                .actual(show(&d.obj[m]))
                .at(format!("/{m}"))
        }]
    })
}

fn pkce(ev: &Evidence) -> Vec<Finding> {
    if ev.profile == super::Profile::Mcp && ev.mcp_version == super::McpVersion::V2025_06_18 {
        return vec![Finding::skip(
            "MCP 2025-06-18 does not require PKCE metadata (it is MUST from 2025-11-25)",
        )];
    }
    each_asm(ev, |_, d| {
        let m = "code_challenge_methods_supported";
        vec![if strings(d.obj, m).contains(&"S256") {
            Finding::pass("S256 is supported")
        } else {
            Finding::fail("PKCE with S256 is not advertised")
                .expected(format!("\"{m}\": [\"S256\"]"))
                .actual(d.get(m).map_or("absent".into(), show))
        }]
    })
}

fn signed_jwt(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        vec![
            match d.get("signed_metadata").map(signed_metadata_problems) {
                None => Finding::skip("no signed_metadata (optional)"),
                Some(Ok(_)) => Finding::pass(
                    "signed_metadata is a signed JWT with iss (signature not verified: no trust anchor configured)",
                ),
                Some(Err(f)) => f,
            },
        ]
    })
}

fn signed_consistent(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        match d.get("signed_metadata").map(signed_metadata_problems) {
            None => vec![Finding::skip("no signed_metadata (optional)")],
            Some(Err(_)) => vec![Finding::no_input(
                "signed_metadata does not decode (asm.signed-jwt reports it)",
            )],
            Some(Ok(jwt)) if jwt.payload.contains_key("signed_metadata") => vec![
                Finding::fail("the signed metadata JWT contains signed_metadata")
                    .expected("no nested claim")
                    .actual("present")
                    .at("/signed_metadata"),
            ],
            Some(Ok(jwt)) => signed_conflicts(&d, &jwt),
        }
    })
}

fn tls(ev: &Evidence) -> Vec<Finding> {
    let list = asm_sources(ev);
    if list.is_empty() {
        return no_issuers(ev);
    }
    list.into_iter()
        .flat_map(|(_, ex)| match ex {
            Some(ex) => ex
                .refused()
                .map_or_else(|| tls_of(ex, "AS metadata"), |f| vec![f]),
            None => vec![Finding::no_input("not requested")],
        })
        .collect()
}

fn endpoints_https(ev: &Evidence) -> Vec<Finding> {
    each_asm(ev, |_, d| {
        let out: Vec<Finding> = d
            .obj
            .iter()
            .filter(|(k, _)| k.ends_with("_endpoint") || k.ends_with("_uri"))
            .filter_map(|(k, v)| {
                v.as_str()
                    .and_then(|s| https_problem(s, k, false, false))
                    .map(|f| f.at(format!("/{k}")))
            })
            .collect();
        pass_or(out, || {
            Finding::pass("every endpoint uses https (or http on a loopback host)")
        })
    })
}
