//! RFC 9207 in the authorization responses authspec saw: `iss` is sent, and is the issuer, exactly
//! when the AS metadata says so.

use super::{Area, Check, MUST};
use crate::evidence::{Evidence, Exchange, Role, Subject};
use crate::finding::Finding;
use url::Url;

/// The authorization-response rows.
pub static CHECKS: &[Check] = &[super::check!(
    Area::Asm,
    "asm.iss-response",
    "Authorization responses carry iss, equal to the issuer, exactly when the metadata advertises it",
    MUST,
    &["ISS-RESPONSE", "MCP-ISS-PARAM"],
    "RFC 9207 §2, §2.3; MCP 2026-07-28 §Authorization Server Metadata (SEP-2468)",
    "https://www.rfc-editor.org/rfc/rfc9207#section-2",
    "Add iss=<the metadata's issuer, byte for byte> to every authorization response, errors included, and set authorization_response_iss_parameter_supported: true.",
    iss_response
)];

/// An authorization response: a redirect from the authorization endpoint back to the client's
/// redirect URI, carrying `code` or `error` (RFC 6749 §4.1.2, §4.1.2.1).
struct Response<'a> {
    ex: &'a Exchange,
    issuer: &'a str,
    location: Url,
}

/// The authorization responses in the evidence: to the CIMD probe (only an AS that wrongly takes
/// its client answers one) and to the client the DCR probe registered (an AS answers it without a
/// signed-in user only when it approves on its own, as test and development servers do).
fn responses(ev: &Evidence) -> Vec<Response<'_>> {
    ev.exchanges
        .iter()
        .filter(|e| e.status.is_some_and(|s| (300..400).contains(&s)))
        .filter_map(|ex| {
            let issuer = ex.roles.iter().find_map(|r| match r {
                Role::CimdProbe { issuer, .. } | Role::AuthzProbe { issuer } => {
                    Some(issuer.as_str())
                }
                _ => None,
            })?;
            let location = Url::parse(ex.header("location")?).ok()?;
            let answers = location
                .query_pairs()
                .any(|(k, _)| k == "code" || k == "error");
            let to_client = location.path().contains(crate::capture::cimd::PREFIX)
                || location
                    .as_str()
                    .starts_with(crate::capture::AUTHZ_REDIRECT);
            (answers && to_client).then_some(Response {
                ex,
                issuer,
                location,
            })
        })
        .collect()
}

fn iss_response(ev: &Evidence) -> Vec<Finding> {
    let list = responses(ev);
    if list.is_empty() {
        return vec![Finding::skip(
            "no authorization response was seen: an AS answers one only to a signed-in user, and authspec makes authorization requests only with --allow-side-effects (a client registered by DCR, or the CIMD probe's clients, which an AS must refuse)",
        )];
    }
    list.into_iter().map(|r| judge(ev, &r)).collect()
}

/// What the AS metadata of `issuer` says: its `issuer` member and whether it advertises `iss`.
fn metadata<'a>(ev: &'a Evidence, issuer: &str) -> Option<(&'a Exchange, Option<&'a str>, bool)> {
    let (_, subject) = ev.asm_docs().into_iter().find(|(i, _)| i == issuer)?;
    match subject {
        Subject::Doc(d) => Some((
            d.ex,
            d.str("issuer"),
            d.get("authorization_response_iss_parameter_supported")
                == Some(&serde_json::Value::Bool(true)),
        )),
        Subject::Absent(_) => None,
    }
}

fn judge(ev: &Evidence, r: &Response) -> Finding {
    let Some((doc, issuer, advertised)) = metadata(ev, r.issuer) else {
        return Finding::no_input(format!("no AS metadata for {} arrived", r.issuer)).on(r.ex);
    };
    let iss = r
        .location
        .query_pairs()
        .find(|(k, _)| k == "iss")
        .map(|(_, v)| v.into_owned());
    let issuer = issuer.unwrap_or(r.issuer);
    let fail = |what: &str, expected: String| {
        Finding::fail(what.to_string())
            .expected(expected)
            .actual(format!(
                "iss {}; authorization_response_iss_parameter_supported {}",
                iss.as_deref()
                    .map_or("absent".into(), |v| format!("= {v:?}")),
                if advertised { "true" } else { "not true" }
            ))
            .on(r.ex)
            .on(doc)
    };
    match (iss.as_deref(), advertised) {
        (None, false) => Finding::skip(
            "the AS does not advertise RFC 9207 and sends no iss (sending it is a SHOULD under MCP 2026-07-28: mcp.iss-parameter)",
        )
        .on(r.ex),
        (None, true) => fail(
            "the metadata advertises iss in authorization responses, but this one has none",
            format!("iss={issuer} in the redirect"),
        ),
        (Some(v), _) if v != issuer => fail(
            "the iss parameter is not the metadata's issuer, byte for byte",
            format!("iss={issuer}"),
        ),
        (Some(_), false) => fail(
            "the AS sends iss but does not advertise it",
            "authorization_response_iss_parameter_supported: true".into(),
        ),
        (Some(v), true) => Finding::pass(format!("iss={v} matches the issuer")).on(r.ex),
    }
}
