//! MCP authorization (catalogue 8.3) at the level each specification version gives a row.

use super::members::{quote, show, strings};
use super::{Area, Check, Level, Levels, McpVersion};
use crate::evidence::{Doc, Evidence, Exchange, Role, Subject};
use crate::finding::{Finding, pass_or};
use crate::identifier::{PRM_SUFFIX, well_known};
use crate::parse::challenge;
use serde_json::Value;
use url::Url;

const SPEC_URL: &str =
    "https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization";

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::Mcp, $($t)*)
    };
}

/// The MCP rows, in report order (MCP profile only).
pub static CHECKS: &[Check] = &[
    row!(
        "mcp.prm-authorization-servers",
        "The PRM names at least one authorization server",
        Levels::mcp(Level::Must),
        &["MCP-PRM-AS-NONEMPTY", "MCP-PRM-REQUIRED"],
        "MCP authorization §Authorization Server Location",
        SPEC_URL,
        "List the issuer in authorization_servers.",
        as_nonempty
    ),
    row!(
        "mcp.401-resource-metadata",
        "The 401 of the MCP endpoint carries resource_metadata (2025-06-18)",
        Levels::mcp(Level::Must),
        &["MCP-401-WWWA"],
        "MCP 2025-06-18 authorization §2.3.1",
        SPEC_URL,
        "Answer unauthenticated requests with 401 and WWW-Authenticate: Bearer resource_metadata=\"…\".",
        challenge_hint
    ),
    row!(
        "mcp.prm-discovery",
        "An MCP client finds the PRM (header hint, then path-inserted, then root)",
        Levels::mcp(Level::Must),
        &["MCP-PRM-DISCOVERY"],
        "MCP 2025-11-25+ authorization §Protected Resource Metadata Discovery",
        SPEC_URL,
        "Serve the PRM at the hinted URL or at /.well-known/oauth-protected-resource/<mcp path>, naming this server.",
        prm_discovery
    ),
    row!(
        "mcp.challenge-scope",
        "The 401 challenge says which scope to ask for",
        Levels::mcp(Level::Should),
        &["MCP-WWWA-SCOPE"],
        "MCP 2025-11-25+ authorization §Scope Selection",
        SPEC_URL,
        "Add scope=\"…\" to the Bearer challenge.",
        challenge_scope
    ),
    row!(
        "mcp.as-discovery",
        "An MCP client finds the AS metadata (RFC 8414, or OIDC from 2025-11-25)",
        Levels::mcp(Level::Must),
        &["MCP-ASM-REQUIRED", "ASM-OIDC-COMPAT"],
        "MCP authorization §Authorization Server Metadata Discovery",
        SPEC_URL,
        "Serve RFC 8414 metadata at /.well-known/oauth-authorization-server (path-inserted for path issuers).",
        as_discovery
    ),
    row!(
        "mcp.oidc-document",
        "AS metadata found only through OIDC discovery has the OIDC required members",
        Levels::mcp(Level::Must),
        &["ASM-OIDC-COMPAT"],
        "OpenID Connect Discovery 1.0 §3; catalogue A-9",
        "https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata",
        "Add issuer, authorization_endpoint, jwks_uri, response_types_supported, subject_types_supported and id_token_signing_alg_values_supported.",
        oidc_document
    ),
    row!(
        "mcp.client-registration",
        "The AS offers a registration route (DCR or client ID metadata documents)",
        Levels::mcp(Level::Should),
        &["MCP-CLIENT-REG"],
        "MCP authorization §Client Registration",
        SPEC_URL,
        "Advertise registration_endpoint (RFC 7591) or client_id_metadata_document_supported: true.",
        client_registration
    ),
    row!(
        "mcp.cimd",
        "The AS supports client ID metadata documents, not only the deprecated DCR (2025-11-25+)",
        Levels::mcp(Level::Should),
        &["MCP-CIMD"],
        "MCP 2026-07-28 authorization §Overview item 2, §Client Registration; draft-ietf-oauth-client-id-metadata-document-03",
        "https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization/client-registration#client-id-metadata-documents",
        "Accept https client_id URLs whose document names the client, and advertise client_id_metadata_document_supported: true.",
        cimd
    ),
    row!(
        "mcp.insufficient-scope-403",
        "A live token without the needed scope gets 403 insufficient_scope with scope and resource_metadata (2025-11-25+)",
        Levels::mcp(Level::Should),
        &["MCP-403-SCOPE"],
        "MCP 2026-07-28 authorization §Runtime Insufficient Scope Errors; RFC 6750 §3.1",
        "https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization#runtime-insufficient-scope-errors",
        "Answer 403 with WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"<every scope the operation needs>\", resource_metadata=\"…\".",
        insufficient_scope
    ),
    row!(
        "mcp.no-offline-scope",
        "offline_access is not among the resource's scopes (2026-07-28)",
        Levels::mcp(Level::Should),
        &["MCP-NO-OFFLINE-SCOPE"],
        "MCP 2026-07-28 authorization §Scope Selection",
        SPEC_URL,
        "Leave offline_access out of scopes_supported and the challenge's scope.",
        no_offline_scope
    ),
    row!(
        "mcp.resource-no-trailing-slash",
        "The canonical server URI has no trailing slash",
        Levels::mcp(Level::May),
        &["MCP-RESOURCE-PARAM"],
        "MCP authorization §Resource Parameter; RFC 8707",
        SPEC_URL,
        "Name the server as https://host/mcp, not https://host/mcp/.",
        resource_slash
    ),
    row!(
        "mcp.invalid-token-401",
        "An invalid token gets 401, not 403 or another status",
        Levels::mcp(Level::Must),
        &["MCP-AUDIENCE", "MCP-ERRORS"],
        "MCP authorization §Error Handling, §Token Handling",
        SPEC_URL,
        "Answer a token that is invalid, expired or not issued for this server with 401.",
        invalid_token
    ),
    row!(
        "mcp.iss-parameter",
        "The AS says whether it returns iss in authorization responses (2026-07-28)",
        Levels::mcp(Level::May),
        &["MCP-ISS-PARAM"],
        "MCP 2026-07-28; RFC 9207",
        SPEC_URL,
        "Return iss and advertise authorization_response_iss_parameter_supported: true.",
        iss_parameter
    ),
];

fn version_skip(ev: &Evidence, from: McpVersion, until: McpVersion) -> Option<Finding> {
    (ev.mcp_version < from || ev.mcp_version > until).then(|| {
        Finding::skip(format!(
            "MCP {} does not have this row",
            ev.mcp_version.as_str()
        ))
    })
}

/// A role test with the words reports use for that discovery route.
type Route = (fn(&Role) -> bool, &'static str);

/// The PRM an MCP client would use. MCP 2025-11-25+: clients "use the resource metadata URL from
/// the parsed WWW-Authenticate headers when present; otherwise" fall back to the path-inserted,
/// then the root well-known URL. So when a challenge carries a hint, only the hint counts.
fn client_prm(ev: &Evidence) -> Option<(Doc<'_>, &'static str)> {
    let hinted: Route = (
        |r| matches!(r, Role::PrmHinted { .. }),
        "the challenge's resource_metadata",
    );
    let fallback: [Route; 2] = [
        (
            |r| matches!(r, Role::Prm),
            "the path-inserted well-known URL",
        ),
        (|r| matches!(r, Role::PrmRoot), "the root well-known URL"),
    ];
    let order: &[Route] = if ev.with_role(hinted.0).is_empty() {
        &fallback
    } else {
        std::slice::from_ref(&hinted)
    };
    for (matches, label) in order {
        for ex in ev.with_role(matches) {
            if let Subject::Doc(d) = ev.subject(Some(ex), "PRM")
                && d.str("resource").is_some_and(|r| names_server(ev, ex, r))
            {
                return Some((d, label));
            }
        }
    }
    None
}

/// Whether a PRM found at `ex` describes this MCP server. MCP servers are single URLs: a document
/// must name the server itself (a trailing slash is judged by mcp.resource-no-trailing-slash).
/// The one exception is the root well-known URL, which MCP lists as a PRM location: by RFC 9728
/// §3.3 the document there can only name the origin, so naming the origin is naming this server.
fn names_server(ev: &Evidence, ex: &Exchange, resource: &str) -> bool {
    let trimmed = resource.trim_end_matches('/');
    if trimmed == ev.resource.trim_end_matches('/') {
        return true;
    }
    ex.has_role(|r| matches!(r, Role::PrmRoot))
        && trimmed == ev.resource_url.origin().ascii_serialization()
}

fn as_nonempty(ev: &Evidence) -> Vec<Finding> {
    let Some((d, _)) = client_prm(ev) else {
        return vec![Finding::no_input(
            "no PRM describing this server was found (mcp.prm-discovery reports it)",
        )];
    };
    vec![match d.get("authorization_servers") {
        Some(Value::Array(a)) if !a.is_empty() => {
            Finding::pass(format!("{} authorization server(s)", a.len())).on(d.ex)
        }
        other => Finding::fail("the PRM names no authorization server")
            .expected("authorization_servers with at least one issuer")
            .actual(other.map_or("absent".into(), show))
            .on(d.ex),
    }]
}

fn mcp_probe(ev: &Evidence) -> Option<&Exchange> {
    ev.probes(|r| matches!(r, Role::ProbeUnauth { .. }))
        .into_iter()
        .next()
}

/// A parameter of the 401's challenge: Bearer's, or a DPoP-only resource's DPoP challenge's.
fn challenge_param(ex: &Exchange, name: &str) -> Option<String> {
    let chs = challenge::parse_fields(ex.headers("www-authenticate")).ok()?;
    challenge::param(&chs, name).map(|p| p.value.clone())
}

fn challenge_hint(ev: &Evidence) -> Vec<Finding> {
    if let Some(f) = version_skip(ev, McpVersion::V2025_06_18, McpVersion::V2025_06_18) {
        return vec![Finding {
            message: format!(
                "{} (from 2025-11-25 the hint is one of two discovery routes: mcp.prm-discovery)",
                f.message
            ),
            ..f
        }];
    }
    let Some(p) = mcp_probe(ev) else {
        return vec![Finding::no_input("no initialize probe was made")];
    };
    vec![match (p.status, challenge_param(p, "resource_metadata")) {
        (Some(401), Some(h)) => Finding::pass(format!("401 names {h}")).on(p),
        (s, _) => Finding::fail("the MCP endpoint's 401 does not carry resource_metadata")
            .expected("401 with Bearer resource_metadata=\"…\"")
            .actual(format!(
                "{} {}",
                s.map_or("no status".into(), |s| s.to_string()),
                p.header("www-authenticate").unwrap_or("(no challenge)")
            ))
            .on(p),
    }]
}

fn prm_discovery(ev: &Evidence) -> Vec<Finding> {
    let routes = ev.with_role(|r| matches!(r, Role::PrmHinted { .. } | Role::Prm | Role::PrmRoot));
    let tried: Vec<String> = routes
        .iter()
        .map(|e| match ev.subject(Some(e), "PRM") {
            Subject::Doc(d) => format!(
                "{} (names {})",
                e.summary(),
                d.str("resource").map_or("no resource".into(), quote)
            ),
            Subject::Absent(_) => e.summary(),
        })
        .collect();
    match client_prm(ev) {
        Some((d, via)) => vec![
            Finding::pass(format!(
                "found through {via}: {} (tried: {})",
                d.ex.url,
                tried.join("; ")
            ))
            .on(d.ex),
        ],
        None => {
            let hinted = !ev
                .with_role(|r| matches!(r, Role::PrmHinted { .. }))
                .is_empty();
            let mut f = Finding::fail(if hinted {
                "the challenge's resource_metadata yields no PRM describing this server (MCP clients use the hint when one is sent, and fall back to the well-known URLs only without one)"
            } else {
                "no discovery route yields a PRM describing this server"
            })
                .expected(format!(
                    "the PRM at the hinted URL, {} or the root well-known URL, naming {}",
                    well_known(&ev.resource_url, PRM_SUFFIX),
                    quote(&ev.resource)
                ))
                .actual(tried.join("; "));
            // A route that got no answer might have served the PRM: then nothing is proven.
            if let Some(limit) = routes.iter().find_map(|e| e.tool_limit()) {
                return vec![Finding::error(format!(
                    "could not be judged: {limit} (tried: {})",
                    tried.join("; ")
                ))];
            }
            for ex in routes {
                f = f.on(ex);
            }
            vec![f]
        }
    }
}

fn challenge_scope(ev: &Evidence) -> Vec<Finding> {
    if let Some(f) = version_skip(ev, McpVersion::V2025_11_25, McpVersion::V2026_07_28) {
        return vec![f];
    }
    let Some(p) = mcp_probe(ev).filter(|p| p.status == Some(401)) else {
        return vec![Finding::skip("the MCP endpoint did not answer 401")];
    };
    vec![match challenge_param(p, "scope") {
        Some(s) => Finding::pass(format!("scope={}", quote(&s))).on(p),
        None => Finding::fail("the challenge has no scope")
            .expected("Bearer …, scope=\"…\"")
            .actual(p.header("www-authenticate").unwrap_or("").to_string())
            .on(p),
    }]
}

/// Where an MCP client of this version finds each issuer's metadata, in its probe order.
/// An issuer, the document a client would use with how it was found, and every location tried.
type AsLookup<'a> = (String, Option<(&'a Exchange, &'static str)>, Vec<String>);

fn as_documents(ev: &Evidence) -> Vec<AsLookup<'_>> {
    let allow_oidc = ev.mcp_version >= McpVersion::V2025_11_25;
    ev.issuers_with_oidc()
        .into_iter()
        .map(|issuer| {
            let mut tried = Vec::new();
            let mut found = None;
            let candidates: Vec<(&Exchange, &'static str)> = ev
                .role(&Role::Asm {
                    issuer: issuer.clone(),
                })
                .map(|e| (e, "RFC 8414"))
                .into_iter()
                .chain(
                    ev.role(&Role::AsmOidc {
                        issuer: issuer.clone(),
                        form: "inserted".into(),
                    })
                    .map(|e| (e, "OIDC (inserted)")),
                )
                .chain(
                    ev.role(&Role::AsmOidc {
                        issuer: issuer.clone(),
                        form: "appended".into(),
                    })
                    .map(|e| (e, "OIDC (appended)")),
                )
                .collect();
            for (ex, how) in candidates {
                tried.push(format!("{how}: {}", ex.summary()));
                if found.is_none()
                    && (how == "RFC 8414" || allow_oidc)
                    && matches!(ev.subject(Some(ex), "AS metadata"), Subject::Doc(_))
                {
                    found = Some((ex, how));
                }
            }
            (issuer, found, tried)
        })
        .collect()
}

fn as_discovery(ev: &Evidence) -> Vec<Finding> {
    let list = as_documents(ev);
    if list.is_empty() {
        return vec![Finding::no_input("no authorization server is named")];
    }
    list.into_iter()
        .map(|(issuer, found, tried)| match found {
            Some((ex, how)) => Finding::pass(format!("{issuer}: {how} at {}", ex.url)).on(ex),
            None => as_not_found(ev, &issuer, tried),
        })
        .collect()
}

fn as_not_found(ev: &Evidence, issuer: &str, tried: Vec<String>) -> Finding {
    let lookups: Vec<&Exchange> = ev
        .exchanges
        .iter()
        .filter(|e| {
            e.roles.iter().any(|r| match r {
                Role::Asm { issuer: i } | Role::AsmOidc { issuer: i, .. } => i == issuer,
                _ => false,
            })
        })
        .collect();
    // A location that got no answer might have served the metadata: then nothing is proven.
    if let Some(limit) = lookups.iter().find_map(|e| e.tool_limit()) {
        return Finding::error(format!(
            "could not be judged for {issuer}: {limit} (tried: {})",
            tried.join("; ")
        ));
    }
    let mut f = Finding::fail(format!(
        "an MCP {} client finds no metadata for {issuer}",
        ev.mcp_version.as_str()
    ))
    .expected(if ev.mcp_version >= McpVersion::V2025_11_25 {
        "RFC 8414 or OIDC discovery metadata"
    } else {
        "RFC 8414 metadata"
    })
    .actual(tried.join("; "));
    for ex in lookups {
        f = f.on(ex);
    }
    f
}

const OIDC_REQUIRED: [&str; 6] = [
    "issuer",
    "authorization_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
];

fn oidc_document(ev: &Evidence) -> Vec<Finding> {
    let oidc: Vec<&Exchange> = as_documents(ev)
        .into_iter()
        .filter_map(|(_, f, _)| f)
        .filter(|(_, how)| how.starts_with("OIDC"))
        .map(|(e, _)| e)
        .collect();
    if oidc.is_empty() {
        return vec![Finding::skip(
            "the AS metadata was found through RFC 8414, not OIDC discovery",
        )];
    }
    oidc.into_iter()
        .map(|ex| {
            let Subject::Doc(d) = ev.subject(Some(ex), "OIDC metadata") else {
                return Finding::no_input("the OIDC document did not arrive");
            };
            let missing: Vec<&str> = OIDC_REQUIRED
                .into_iter()
                .filter(|m| !d.obj.contains_key(*m))
                .collect();
            if missing.is_empty() {
                Finding::pass("the OIDC required members are present").on(ex)
            } else {
                Finding::fail("the OIDC discovery document lacks required members")
                    .expected(OIDC_REQUIRED.join(", "))
                    .actual(format!("missing {}", missing.join(", ")))
                    .on(ex)
            }
        })
        .collect()
}

fn each_found_as(ev: &Evidence, mut judge: impl FnMut(Doc<'_>) -> Finding) -> Vec<Finding> {
    let docs: Vec<Doc> = as_documents(ev)
        .into_iter()
        .filter_map(|(_, f, _)| f)
        .filter_map(|(e, _)| {
            if let Subject::Doc(d) = ev.subject(Some(e), "AS metadata") {
                Some(d)
            } else {
                None
            }
        })
        .collect();
    if docs.is_empty() {
        return vec![Finding::no_input(
            "no AS metadata was found (mcp.as-discovery reports it)",
        )];
    }
    docs.into_iter().map(|d| judge(d).on(d.ex)).collect()
}

fn client_registration(ev: &Evidence) -> Vec<Finding> {
    each_found_as(ev, |d| {
        let dcr = d.str("registration_endpoint").is_some();
        let cimd = d.get("client_id_metadata_document_supported") == Some(&Value::Bool(true));
        match (dcr, cimd, ev.mcp_version >= McpVersion::V2025_11_25) {
            (true, _, _) | (_, true, true) => Finding::pass(format!("registration: {}{}", if dcr { "DCR " } else { "" }, if cimd { "client ID metadata documents" } else { "" })),
            (false, true, false) => Finding::fail("MCP 2025-06-18 clients register with DCR, and no registration_endpoint is advertised").expected("registration_endpoint").actual("client_id_metadata_document_supported only"),
            _ => Finding::fail("no registration route is advertised").expected("registration_endpoint or client_id_metadata_document_supported: true").actual("neither (clients need a pre-registered client)"),
        }
    })
}

fn no_offline_scope(ev: &Evidence) -> Vec<Finding> {
    if let Some(f) = version_skip(ev, McpVersion::V2026_07_28, McpVersion::V2026_07_28) {
        return vec![f];
    }
    let mut out = Vec::new();
    if let Some((d, _)) = client_prm(ev)
        && strings(d.obj, "scopes_supported").contains(&"offline_access")
    {
        out.push(
            Finding::fail("scopes_supported lists offline_access")
                .expected("no offline_access")
                .actual(show(&d.obj["scopes_supported"]))
                .on(d.ex),
        );
    }
    if let Some(p) = mcp_probe(ev)
        && challenge_param(p, "scope").is_some_and(|s| s.split(' ').any(|t| t == "offline_access"))
    {
        out.push(
            Finding::fail("the challenge's scope asks for offline_access")
                .expected("no offline_access")
                .actual(challenge_param(p, "scope").unwrap_or_default())
                .on(p),
        );
    }
    pass_or(out, || Finding::pass("offline_access is not requested"))
}

fn resource_slash(ev: &Evidence) -> Vec<Finding> {
    let Some((d, _)) = client_prm(ev) else {
        return vec![Finding::no_input("no PRM describing this server was found")];
    };
    let r = d.str("resource").unwrap_or("");
    vec![
        if Url::parse(r).is_ok_and(|u| u.path() != "/" && u.path().ends_with('/')) {
            Finding::fail("the resource identifier ends with '/'")
                .expected(quote(r.trim_end_matches('/')))
                .actual(quote(r))
                .on(d.ex)
        } else {
            Finding::pass(format!("resource {}", quote(r))).on(d.ex)
        },
    ]
}

fn iss_parameter(ev: &Evidence) -> Vec<Finding> {
    if let Some(f) = version_skip(ev, McpVersion::V2026_07_28, McpVersion::V2026_07_28) {
        return vec![f];
    }
    each_found_as(ev, |d| {
        match d.get("authorization_response_iss_parameter_supported") {
            Some(Value::Bool(true)) => {
                Finding::pass("authorization_response_iss_parameter_supported: true")
            }
            other => Finding::fail("the AS does not advertise returning iss")
                .expected("authorization_response_iss_parameter_supported: true")
                .actual(other.map_or("absent".into(), show)),
        }
    })
}

fn invalid_token(ev: &Evidence) -> Vec<Finding> {
    let Some(p) = ev
        .probes(|r| matches!(r, Role::ProbeBadKey { .. }))
        .into_iter()
        .next()
    else {
        return vec![Finding::no_input("no invalid-token probe was made")];
    };
    let finding = match p.status {
        Some(401) => Finding::pass("an invalid token got 401").on(p),
        Some(s) => Finding::fail("an invalid token did not get 401")
            .expected("401")
            .actual(s.to_string())
            .on(p),
        None => Finding::no_input(format!(
            "the probe failed: {}",
            p.error.as_deref().unwrap_or("no response")
        ))
        .on(p),
    };
    super::valid_token::discount(ev, vec![finding])
}

fn cimd(ev: &Evidence) -> Vec<Finding> {
    if let Some(f) = version_skip(ev, McpVersion::V2025_11_25, McpVersion::V2026_07_28) {
        return vec![f];
    }
    each_found_as(ev, |d| {
        let cimd = d.get("client_id_metadata_document_supported");
        let dcr = d.str("registration_endpoint").is_some();
        if cimd == Some(&Value::Bool(true)) {
            return Finding::pass("client_id_metadata_document_supported: true");
        }
        let deprecated = ev.mcp_version >= McpVersion::V2026_07_28;
        Finding::fail(match (dcr, deprecated) {
            (true, true) => "the AS offers only Dynamic Client Registration, which MCP 2026-07-28 deprecates in favour of client ID metadata documents",
            (true, false) => "the AS offers Dynamic Client Registration but not the client ID metadata documents MCP 2025-11-25 asks for",
            (false, _) => "the AS does not support client ID metadata documents",
        })
        .expected("client_id_metadata_document_supported: true")
        .actual(format!(
            "client_id_metadata_document_supported {}; registration_endpoint {}",
            cimd.map_or("absent".into(), show),
            if dcr { "present" } else { "absent" }
        ))
        .at("/client_id_metadata_document_supported")
        .because_if(!dcr, "mcp.client-registration")
    })
}

fn insufficient_scope(ev: &Evidence) -> Vec<Finding> {
    if let Some(f) = version_skip(ev, McpVersion::V2025_11_25, McpVersion::V2026_07_28) {
        return vec![f];
    }
    let probes: Vec<&Exchange> = ev
        .with_role(|r| matches!(r, Role::ProbeLowScope { .. }))
        .into_iter()
        .filter(|e| !low_scope_method_open(ev, e))
        .collect();
    if probes.is_empty() {
        return vec![Finding::skip(
            "not probed: pass --low-scope-key with a live token that lacks a scope the probed methods need, or --allow-side-effects where the authorization server approves on its own and the resource advertises a scope the probed methods do not need",
        )];
    }
    if let Some(limit) = probes.iter().find_map(|e| e.tool_limit()) {
        return vec![Finding::no_input(format!(
            "a low-scope probe got no answer: {limit}"
        ))];
    }
    let refused: Vec<&Exchange> = probes
        .iter()
        .copied()
        .filter(|e| e.status == Some(403))
        .collect();
    if refused.is_empty() {
        let statuses: Vec<String> = probes.iter().map(|e| e.summary()).collect();
        let mut f = Finding::fail(
            "no probed method answered the low-scope token with 403 (if this token does hold every scope, name a method it lacks with --mcp-method)",
        )
        .expected("403 with Bearer error=\"insufficient_scope\" for a method the token lacks scope for")
        .actual(statuses.join("; "));
        for e in probes {
            f = f.on(e);
        }
        return vec![f];
    }
    refused.into_iter().map(scope_challenge).collect()
}

/// A low-scope probe of a method that answers without any credential proves nothing about scope.
fn low_scope_method_open(ev: &Evidence, ex: &Exchange) -> bool {
    ex.roles.iter().any(|r| match r {
        Role::ProbeLowScope { endpoint } => ev
            .role(&Role::ProbeUnauth {
                endpoint: endpoint.clone(),
            })
            .is_some_and(|u| u.status.is_some_and(|s| (200..300).contains(&s))),
        _ => false,
    })
}

fn scope_challenge(ex: &Exchange) -> Finding {
    let error = challenge_param(ex, "error");
    let missing: Vec<&str> = [
        (
            "error=\"insufficient_scope\"",
            error.as_deref() == Some("insufficient_scope"),
        ),
        (
            "scope",
            challenge_param(ex, "scope").is_some_and(|s| !s.trim().is_empty()),
        ),
        (
            "resource_metadata",
            challenge_param(ex, "resource_metadata").is_some(),
        ),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(name, _)| name)
    .collect();
    if missing.is_empty() {
        return Finding::pass(format!(
            "403 insufficient_scope asks for {}",
            quote(&challenge_param(ex, "scope").unwrap_or_default())
        ))
        .on(ex);
    }
    Finding::fail(format!("the 403 challenge lacks {}", missing.join(", ")))
        .expected("Bearer error=\"insufficient_scope\", scope=\"…\", resource_metadata=\"…\"")
        .actual(
            ex.header("www-authenticate")
                .unwrap_or("(no challenge)")
                .to_string(),
        )
        .on(ex)
}
