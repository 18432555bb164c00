//! Client ID metadata documents as an AS must treat them: a wrong document is refused.

use super::{Area, Check, MUST};
use crate::capture::cimd::Wrong;
use crate::evidence::{DOCUMENT_FETCHED, Evidence, Exchange, Role};
use crate::finding::Finding;

/// The CIMD rows.
pub static CHECKS: &[Check] = &[super::check!(
    Area::Asm,
    "asm.cimd-validates",
    "The AS refuses a client ID metadata document that names another client_id or redirect_uri",
    MUST,
    &["CIMD-VALIDATE", "MCP-CLIENT-REG"],
    "draft-ietf-oauth-client-id-metadata-document-03 §Client Metadata Document, §Redirect URL Registration; MCP 2026-07-28 §Client ID Metadata Documents; RFC 6749 §4.1.2.1",
    "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-03",
    "Fetch the client_id URL, require its client_id to equal the URL exactly and the redirect_uri to be listed; otherwise answer an error page without redirecting.",
    validates
)];

fn probes(ev: &Evidence) -> Vec<(&Exchange, Wrong)> {
    ev.exchanges
        .iter()
        .flat_map(|e| {
            e.roles.iter().filter_map(move |r| match r {
                Role::CimdProbe { wrong, .. } => Wrong::from_slug(wrong).map(|w| (e, w)),
                _ => None,
            })
        })
        .collect()
}

fn validates(ev: &Evidence) -> Vec<Finding> {
    let list = probes(ev);
    if list.is_empty() {
        return vec![Finding::skip(
            "not probed: needs --allow-side-effects, --cimd-serve ADDR (and --cimd-url for a public URL) and an AS advertising client_id_metadata_document_supported",
        )];
    }
    list.into_iter().map(|(ex, w)| judge(ex, w)).collect()
}

fn judge(ex: &Exchange, w: Wrong) -> Finding {
    let Some(status) = ex.status else {
        return Finding::no_input(format!(
            "the authorization request got no answer: {}",
            ex.tool_limit().unwrap_or_else(|| "no response".into())
        ))
        .on(ex);
    };
    let fetched = ex.header(DOCUMENT_FETCHED) == Some("true");
    let location = ex.header("location").unwrap_or("");
    let callback = crate::capture::cimd::PREFIX.to_string() + "/callback";
    if (300..400).contains(&status) && location.contains(&callback) {
        return Finding::fail(format!(
            "the AS accepted {} and redirected to the client",
            w.describe()
        ))
        .expected("an error page, no redirect to the client (RFC 6749 §4.1.2.1)")
        .actual(format!("{status} Location: {location}"))
        .on(ex);
    }
    if (400..500).contains(&status) {
        return Finding::pass(format!(
            "{}: refused with {status}{}",
            w.slug(),
            if fetched {
                " after fetching the document"
            } else {
                " without fetching the document"
            }
        ))
        .on(ex);
    }
    Finding::no_input(format!(
        "{}: the AS answered {status}{}, which neither refuses nor accepts the client",
        w.slug(),
        if location.is_empty() {
            String::new()
        } else {
            format!(" to {location}")
        }
    ))
    .on(ex)
}
