//! The WorkOS auth.md `agent_auth` block in AS metadata (a convention, snapshot 2026-05-28, A-13).

use super::members::{https_problem, quote, show};
use super::schema::{SchemaKind, violations};
use super::{Area, Check, Level, Levels};
use crate::evidence::{Doc, Evidence, Role, Subject};
use crate::finding::{Finding, pass_or};
use serde_json::{Map, Value};

const SPEC_URL: &str = "https://github.com/workos/auth.md/blob/main/AUTH.md";
const ID_JAG: &str = "urn:ietf:params:oauth:token-type:id-jag";

/// An auth-md-only row of this area (the shared `check!` with this file's spec).
macro_rules! row {
    ($id:expr, $title:expr, $level:expr, $reqs:expr, $fix:expr, $judge:expr $(,)?) => {
        super::check!(
            Area::AgentAuth,
            $id,
            $title,
            Levels::auth_md($level),
            $reqs,
            "auth.md (WorkOS convention, 2026-05-28)",
            SPEC_URL,
            $fix,
            $judge
        )
    };
}

/// The agent_auth checks, in report order (auth-md profile only).
pub static CHECKS: &[Check] = &[
    row!(
        "agent-auth.block",
        "AS metadata carries a complete agent_auth object",
        Level::Must,
        &["AUTHMD-AGENT-AUTH-BLOCK", "AA-LOCATION"],
        "Complete the \"agent_auth\" object of the first authorization server's metadata (create it if it is missing): register_uri and identity_types_supported, plus claim_uri (anonymous, verified_email) and revocation_uri (ID-JAG), each with the type the failure names.",
        block,
    ),
    row!(
        "agent-auth.uris",
        "register_uri, and the claim_uri and revocation_uri its methods need, are absolute https URLs",
        Level::Must,
        &["AUTHMD-AGENT-AUTH-BLOCK", "AA-URIS"],
        "Use absolute https URLs (http only on loopback hosts for local development).",
        uris,
    ),
    row!(
        "agent-auth.skill",
        "agent_auth.skill leads to the auth.md document (200, markdown or plain text)",
        Level::Should,
        &["AA-URIS"],
        "Serve the auth.md document at the skill URL as text/markdown (or text/plain).",
        skill,
    ),
    row!(
        "agent-auth.identity-types",
        "identity_types_supported lists known types, each with its sub-object",
        Level::Should,
        &["AA-IDENTITY-TYPES"],
        "List anonymous and/or identity_assertion, and add a same-named object with its *_supported arrays for each.",
        identity_types,
    ),
    row!(
        "agent-auth.assertion-types",
        "identity_assertion.assertion_types_supported holds known assertion types",
        Level::Should,
        &["AA-ASSERTION-TYPES"],
        "Use urn:ietf:params:oauth:token-type:id-jag (exactly) and/or verified_email.",
        assertion_types,
    ),
    row!(
        "agent-auth.credential-types",
        "credential_types_supported holds access_token and/or api_key",
        Level::Should,
        &["AA-CREDENTIAL-TYPES"],
        "Use access_token and/or api_key.",
        credential_types,
    ),
];

/// The agent_auth object: from the first AS metadata that has one, with its position.
#[allow(
    clippy::result_large_err,
    reason = "a Finding is the natural error of a judge step; judges are not hot paths"
)]
fn locate(ev: &Evidence) -> Result<(Doc<'_>, &Map<String, Value>, usize), Finding> {
    let mut absent = None;
    let mut seen_docs = 0;
    for (i, (_, s)) in ev.asm_docs().into_iter().enumerate() {
        match s {
            Subject::Doc(d) => {
                seen_docs += 1;
                if let Some(v) = d.get("agent_auth") {
                    return match v.as_object() {
                        Some(o) => Ok((d, o, i)),
                        None => Err(Finding::fail("agent_auth is not an object")
                            .expected("an object")
                            .actual(show(v))
                            .at("/agent_auth")
                            .on(d.ex)),
                    };
                }
            }
            Subject::Absent(f) => absent = absent.or(Some(f)),
        }
    }
    match (seen_docs, absent) {
        (0, Some(f)) => Err(f),
        (0, None) => Err(Finding::no_input("no authorization-server metadata")),
        _ => Err(
            Finding::fail("no authorization-server metadata carries an agent_auth object")
                .expected("\"agent_auth\": {...}")
                .actual("absent"),
        ),
    }
}

fn with_block(
    ev: &Evidence,
    judge: impl FnOnce(Doc<'_>, &Map<String, Value>) -> Vec<Finding>,
) -> Vec<Finding> {
    match locate(ev) {
        Ok((d, o, _)) => judge(d, o).into_iter().map(|f| f.on(d.ex)).collect(),
        Err(f) if f.outcome == crate::finding::Outcome::Fail => vec![Finding::no_input(format!(
            "no agent_auth block to judge ({})",
            f.message
        ))],
        Err(f) => vec![f],
    }
}

fn block(ev: &Evidence) -> Vec<Finding> {
    match locate(ev) {
        Err(f) => vec![f],
        Ok((d, o, i)) => {
            let v = Value::Object(o.clone());
            let where_ = if i == 0 {
                "the first authorization server".to_string()
            } else {
                format!(
                    "authorization server #{} (clients look at the first one first)",
                    i + 1
                )
            };
            pass_or(
                violations(SchemaKind::AgentAuth, &v, "/agent_auth")
                    .into_iter()
                    .map(|f| f.on(d.ex))
                    .collect(),
                || Finding::pass(format!("agent_auth found in {where_}")).on(d.ex),
            )
        }
    }
}

fn uris(ev: &Evidence) -> Vec<Finding> {
    with_block(ev, |_, o| {
        let mut out = Vec::new();
        let needed = needed_uris(o);
        for m in ["register_uri", "claim_uri", "revocation_uri", "skill"] {
            match o.get(m) {
                None if !needed.contains(&m) => {}
                None => out.push(
                    Finding::fail(format!("agent_auth.{m} is missing"))
                        .expected("an absolute https URL")
                        .actual("absent")
                        .at(format!("/agent_auth/{m}")),
                ),
                Some(Value::String(s)) => out.extend(
                    https_problem(s, &format!("agent_auth.{m}"), false, true)
                        .map(|f| f.at(format!("/agent_auth/{m}"))),
                ),
                Some(v) => out.push(
                    Finding::fail(format!("agent_auth.{m} is not a string"))
                        .actual(show(v))
                        .at(format!("/agent_auth/{m}")),
                ),
            }
        }
        pass_or(out, || {
            Finding::pass("registration URIs are absolute https URLs (or http on a loopback host)")
        })
    })
}

/// The URIs the registration methods a block offers need (AUTH.md): `register_uri` always;
/// `claim_uri` for anonymous registration and email assertions, which are claimed (Step 4);
/// `revocation_uri` for ID-JAG credentials, which the provider revokes there.
fn needed_uris(o: &Map<String, Value>) -> Vec<&'static str> {
    let mut out = vec!["register_uri"];
    let assertions = o
        .get("identity_assertion")
        .and_then(Value::as_object)
        .map(|ia| str_list(ia, "assertion_types_supported"))
        .unwrap_or_default();
    if str_list(o, "identity_types_supported").contains(&"anonymous")
        || assertions.contains(&"verified_email")
    {
        out.push("claim_uri");
    }
    if assertions.contains(&ID_JAG) {
        out.push("revocation_uri");
    }
    out
}

fn str_list<'a>(o: &'a Map<String, Value>, m: &str) -> Vec<&'a str> {
    o.get(m)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn identity_types(ev: &Evidence) -> Vec<Finding> {
    with_block(ev, |_, o| {
        let types = str_list(o, "identity_types_supported");
        if types.is_empty() {
            return vec![Finding::no_input(
                "identity_types_supported is missing or empty (agent-auth.block reports it)",
            )];
        }
        let mut out = Vec::new();
        for t in types {
            if !["anonymous", "identity_assertion"].contains(&t) {
                out.push(
                    Finding::fail(format!("unknown identity type {}", quote(t)))
                        .expected("anonymous or identity_assertion")
                        .actual(quote(t))
                        .at("/agent_auth/identity_types_supported"),
                );
            } else if !o.get(t).is_some_and(Value::is_object) {
                out.push(
                    Finding::fail(format!("identity type {t} has no agent_auth.{t} object"))
                        .expected(format!(
                            "\"{t}\": {{ \"credential_types_supported\": [...] }}"
                        ))
                        .actual("absent")
                        .at(format!("/agent_auth/{t}")),
                );
            }
        }
        pass_or(out, || {
            Finding::pass("identity types are known and described")
        })
    })
}

fn assertion_types(ev: &Evidence) -> Vec<Finding> {
    with_block(ev, |_, o| {
        let Some(ia) = o.get("identity_assertion").and_then(Value::as_object) else {
            return vec![Finding::skip("no identity_assertion object")];
        };
        let list = str_list(ia, "assertion_types_supported");
        if list.is_empty() {
            return vec![Finding::skip("no assertion_types_supported")];
        }
        let out = list
            .iter()
            .filter(|t| **t != ID_JAG && **t != "verified_email")
            .map(|t| {
                let near = t.contains("id-jag") || t.contains("id_jag");
                Finding::fail(format!(
                    "unknown assertion type {}{}",
                    quote(t),
                    if near {
                        " (the ID-JAG URN must match exactly)"
                    } else {
                        ""
                    }
                ))
                .expected(format!("{ID_JAG} or verified_email"))
                .actual(quote(t))
                .at("/agent_auth/identity_assertion/assertion_types_supported")
            })
            .collect();
        pass_or(out, || {
            Finding::pass(format!("assertion types: {}", list.join(", ")))
        })
    })
}

fn credential_types(ev: &Evidence) -> Vec<Finding> {
    with_block(ev, |_, o| {
        let mut out = Vec::new();
        let mut seen = false;
        for (name, v) in o.iter().filter(|(_, v)| v.is_object()) {
            let Some(sub) = v.as_object() else { continue };
            for t in str_list(sub, "credential_types_supported") {
                seen = true;
                if t != "access_token" && t != "api_key" {
                    out.push(
                        Finding::fail(format!("unknown credential type {}", quote(t)))
                            .expected("access_token or api_key")
                            .actual(quote(t))
                            .at(format!("/agent_auth/{name}/credential_types_supported")),
                    );
                }
            }
        }
        if !seen {
            return vec![Finding::skip("no credential_types_supported lists")];
        }
        pass_or(out, || Finding::pass("credential types are known"))
    })
}

fn skill(ev: &Evidence) -> Vec<Finding> {
    with_block(ev, |_, o| {
        let Some(url) = o.get("skill").and_then(Value::as_str) else {
            return vec![Finding::skip("agent_auth names no skill document")];
        };
        let Some(ex) = ev
            .with_role(|r| matches!(r, Role::AgentSkill { .. }))
            .into_iter()
            .find(|e| e.url == url)
        else {
            return vec![Finding::no_input(format!("{url} was not fetched"))];
        };
        let essence = ex
            .header("content-type")
            .and_then(crate::parse::mediatype::MediaType::parse)
            .map(|m| m.essence);
        vec![match (ex.status, essence.as_deref()) {
            (None, _) => Finding::no_input(format!(
                "the skill document got no answer: {}",
                ex.tool_limit().unwrap_or_else(|| "no response".into())
            ))
            .on(ex),
            (Some(200), Some("text/markdown" | "text/x-markdown" | "text/plain")) => {
                Finding::pass(format!("{url} answers 200 {}", essence.unwrap_or_default())).on(ex)
            }
            (Some(s), e) => Finding::fail("the skill URL does not serve the auth.md document")
                .expected("200 with text/markdown (or text/plain)")
                .actual(format!("{s} {}", e.unwrap_or("(no content type)")))
                .on(ex),
        }]
    })
}
