//! The A2A agent card (A2A v1.0.1) as far as authorization goes: its own area, `agent-card`.
//!
//! An area of its own rather than a part of `catalog`: the card is a document of another
//! protocol (A2A, not RFC 9727), names OAuth flows and AS metadata, and is judged against the
//! discovery graph the PRM leads to. The card is optional: a deployment that publishes none
//! (404) skips every row by choice. The text judged is A2A v1.0.1 (tag `v1.0.1`, commit
//! 3303592588e388e62e0f69f701af531d2f4e3991, 2026-05-28): `docs/specification.md` and the
//! normative `specification/a2a.proto` in its ProtoJSON form (§1.4, §5.5).

mod graph;
mod members;
mod schemes;

pub(crate) use crate::parse::json::pointer_token as token;

pub use graph::edges;

use super::{Area, Check, MUST, SHOULD};
use crate::evidence::{Doc, Evidence, Exchange, Mode, Role};
use crate::finding::Finding;

/// Where the rows' text comes from.
const SPEC_URL: &str = "https://github.com/a2aproject/A2A/blob/v1.0.1/docs/specification.md";

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::AgentCard, $($t)*)
    };
}

/// The agent-card rows, in report order.
pub static CHECKS: &[Check] = &[
    row!(
        "agent-card.members",
        "A published agent card is a JSON object with the members A2A v1.0.1 marks REQUIRED",
        MUST,
        &["A2A-CARD-MEMBERS"],
        "A2A v1.0.1 §5.7, §5.5, §4.4 (a2a.proto AgentCard, AgentInterface, AgentSkill)",
        SPEC_URL,
        "Serve /.well-known/agent-card.json as a JSON object in camelCase with name, description, supportedInterfaces (url, protocolBinding, protocolVersion each), version, capabilities, defaultInputModes, defaultOutputModes and skills (id, name, description, tags each); required arrays hold at least one element.",
        members::judge
    ),
    row!(
        "agent-card.security-schemes",
        "Each security scheme of the card is one A2A scheme kind with its REQUIRED members and URLs",
        MUST,
        &["A2A-CARD-SCHEMES"],
        "A2A v1.0.1 §4.5, §5.7 (a2a.proto SecurityScheme, OAuth2SecurityScheme, OAuthFlows, OpenIdConnectSecurityScheme)",
        SPEC_URL,
        "Write each securitySchemes entry as exactly one of apiKeySecurityScheme, httpAuthSecurityScheme, oauth2SecurityScheme, openIdConnectSecurityScheme or mtlsSecurityScheme (not the 0.3 OpenAPI form with \"type\"); an OAuth2 scheme's flows names exactly one flow with its authorizationUrl / tokenUrl / deviceAuthorizationUrl and scopes; URLs are absolute.",
        schemes::judge_schemes
    ),
    row!(
        "agent-card.tls",
        "The card's HTTP interface URLs and its OAuth and OpenID Connect URLs use https",
        MUST,
        &["A2A-CARD-TLS"],
        "A2A v1.0.1 §7.1; a2a.proto OAuth2SecurityScheme.oauth2_metadata_url; RFC 6749 §3.1, §3.2",
        SPEC_URL,
        "Publish https URLs for JSONRPC and HTTP+JSON interfaces and for authorizationUrl, tokenUrl, refreshUrl, deviceAuthorizationUrl, oauth2MetadataUrl and openIdConnectUrl (http is accepted on loopback hosts only, for local testing).",
        schemes::judge_tls
    ),
    row!(
        "agent-card.security-requirements",
        "The card's security requirements name only schemes it declares",
        SHOULD,
        &["A2A-CARD-REQUIREMENTS"],
        "A2A v1.0.1 §7.3, a2a.proto SecurityRequirement; OpenAPI 3.2 §Security Requirement Object (the model a2a.proto names)",
        SPEC_URL,
        "Key every securityRequirements entry (card and skills) as {\"schemes\": {NAME: {\"list\": [scopes]}}}, each NAME a key of securitySchemes.",
        schemes::judge_requirements
    ),
    row!(
        "agent-card.as-agreement",
        "The card's OAuth URLs agree with the AS metadata the PRM leads to",
        SHOULD,
        &["A2A-CARD-AS-AGREE"],
        "a2a.proto OAuth2SecurityScheme, AuthorizationCodeOAuthFlow; RFC 8414 §2, §3; RFC 9728 §2",
        SPEC_URL,
        "Point oauth2MetadataUrl (or openIdConnectUrl) at the metadata of an authorization server the PRM names, and copy authorizationUrl, tokenUrl (refreshUrl) and deviceAuthorizationUrl from that metadata's authorization_endpoint, token_endpoint and device_authorization_endpoint.",
        graph::judge
    ),
    row!(
        "agent-card.caching",
        "The card is served with Cache-Control max-age and an ETag",
        SHOULD,
        &["A2A-CARD-CACHE"],
        "A2A v1.0.1 §8.6.1",
        SPEC_URL,
        "Send Cache-Control: max-age=N and an ETag derived from the card's version or content.",
        members::judge_caching
    ),
];

/// What the card fetch yielded.
pub(crate) enum Card<'a> {
    /// A JSON object: judged.
    Doc(Doc<'a>),
    /// The well-known URL answered 200 with JSON that is no object, or with broken JSON
    /// declared as JSON: agent-card.members fails it, the other rows skip.
    Broken(Finding),
    /// No card to judge (not published, not public, not fetched).
    Absent(Finding),
}

/// The card the deployment published, or why there is none to judge.
pub(crate) fn card(ev: &Evidence) -> Card<'_> {
    let Some(ex) = ev.role(&Role::AgentCard) else {
        return Card::Absent(Finding::skip(match ev.mode {
            Mode::Lint => "lint judges a single document; no agent card was given",
            Mode::Live => "no agent card was fetched",
        }));
    };
    if let Some(reason) = &ex.not_fetched {
        return Card::Absent(Finding::no_input(format!("agent card not fetched: {reason}")).on(ex));
    }
    if let Some(err) = &ex.error {
        return Card::Absent(
            Finding::no_input(format!("agent card could not be fetched: {err}")).on(ex),
        );
    }
    match ex.status {
        Some(200) => served(ex),
        // A2A §8.1 binds A2A servers; for any other deployment the card is optional.
        Some(s) => Card::Absent(
            Finding::skip(format!(
                "no agent card published: {} answered {s} (A2A §8.1 \"A2A Servers MUST make an Agent Card available\" binds A2A servers; others need none)",
                ex.url
            ))
            .on(ex),
        ),
        None => Card::Absent(Finding::no_input("the agent card fetch got no status").on(ex)),
    }
}

/// A 200 answer: a card, a broken card, or a catch-all page that is no card at all.
fn served(ex: &Exchange) -> Card<'_> {
    match ex.json() {
        Ok(j) => match j.value.as_object() {
            Some(obj) => Card::Doc(Doc { ex, json: j, obj }),
            None => Card::Broken(
                Finding::fail("the agent card is JSON but not an object")
                    .expected("a JSON object (a2a.proto AgentCard)")
                    .actual(members::kind_of(&j.value))
                    .on(ex),
            ),
        },
        // A single-page app answers every path with its HTML: that is no card, not a broken one.
        Err(_) if !declared_json(ex) => Card::Absent(
            Finding::skip(format!(
                "no agent card published: {} answered 200 with {}, read as a catch-all page",
                ex.url,
                ex.header("content-type").unwrap_or("no Content-Type")
            ))
            .on(ex),
        ),
        Err(e) => Card::Broken(
            Finding::fail(format!("the agent card is not JSON: {e}"))
                .expected("a JSON object (A2A §5.5)")
                .on(ex),
        ),
    }
}

/// Whether the answer calls itself JSON (or is a file given to lint, which has no media type).
fn declared_json(ex: &Exchange) -> bool {
    ex.source == crate::evidence::Source::File || ex.media_type().is_some_and(|m| m.is_json())
}

/// The card for rows other than agent-card.members: a broken card is that row's failure.
pub(crate) fn card_doc(ev: &Evidence) -> Result<Doc<'_>, Finding> {
    match card(ev) {
        Card::Doc(d) => Ok(d),
        Card::Absent(f) => Err(f),
        Card::Broken(f) => {
            let mut skip = Finding::skip("no agent card to judge (agent-card.members reports it)");
            skip.evidence = f.evidence;
            Err(skip)
        }
    }
}

#[cfg(test)]
mod tests;
