//! The card in the discovery graph: its OAuth URLs against the AS metadata the PRM leads to, and
//! the edges it draws in the chain (resource -> agent-card -> asm(issuer)).

use super::schemes::{SchemeRef, schemes};
use super::{Card, card, card_doc};
use crate::checks::members::quote;
use crate::evidence::{Doc, Evidence, Role, Subject};
use crate::finding::Finding;
use crate::identifier::{ASM_SUFFIX, from_well_known, issuers_from_oidc};
use serde_json::{Map, Value};
use url::Url;

/// Card flow members and the AS metadata member each must equal (RFC 8414 §2; refresh tokens
/// are redeemed at the token endpoint, RFC 6749 §6).
const PAIRS: [(&str, &str); 4] = [
    ("authorizationUrl", "authorization_endpoint"),
    ("tokenUrl", "token_endpoint"),
    ("refreshUrl", "token_endpoint"),
    ("deviceAuthorizationUrl", "device_authorization_endpoint"),
];

/// An authorization server the PRM leads to, with the document authspec fetched for it.
struct As<'a> {
    issuer: String,
    doc: Doc<'a>,
}

fn servers(ev: &Evidence) -> Vec<As<'_>> {
    ev.asm_docs()
        .into_iter()
        .filter_map(|(issuer, s)| match s {
            Subject::Doc(doc) => Some(As { issuer, doc }),
            Subject::Absent(_) => None,
        })
        .collect()
}

/// The endpoint URLs the AS metadata the PRM leads to publishes (the members a card copies).
pub(crate) fn endpoints(ev: &Evidence) -> Vec<&str> {
    let list = servers(ev);
    let mut out = Vec::new();
    for a in &list {
        for (_, meta) in PAIRS {
            if let Some(v) = a.doc.str(meta) {
                out.push(v);
            }
        }
    }
    out
}

fn same_issuer(a: &str, b: &str) -> bool {
    a == b || a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// The issuers a metadata URL names (RFC 8414 inserted form, or OpenID Connect discovery).
fn issuers_of(url: &str) -> Vec<String> {
    let Ok(u) = Url::parse(url) else {
        return Vec::new();
    };
    let mut out: Vec<String> = from_well_known(&u, ASM_SUFFIX).into_iter().collect();
    out.extend(issuers_from_oidc(&u));
    out
}

/// The server whose metadata `url` is: the URL authspec fetched, or one naming its issuer.
fn resolve<'s, 'a>(list: &'s [As<'a>], url: &str) -> Option<&'s As<'a>> {
    list.iter().find(|a| a.doc.ex.url == url).or_else(|| {
        let named = issuers_of(url);
        list.iter()
            .find(|a| named.iter().any(|n| same_issuer(n, &a.issuer)))
    })
}

/// The metadata URL a scheme names: oauth2MetadataUrl or openIdConnectUrl.
fn metadata_url<'a>(s: &SchemeRef<'a>) -> Option<&'a str> {
    ["oauth2MetadataUrl", "openIdConnectUrl"]
        .iter()
        .find_map(|m| s.body.get(*m).and_then(Value::as_str))
}

/// agent-card.as-agreement.
pub(crate) fn judge(ev: &Evidence) -> Vec<Finding> {
    let d = match card_doc(ev) {
        Ok(d) => d,
        Err(f) => return vec![f],
    };
    let oauth: Vec<SchemeRef<'_>> = schemes(&d)
        .into_iter()
        .flatten()
        .filter(|s| {
            matches!(
                s.kind,
                "oauth2SecurityScheme" | "openIdConnectSecurityScheme"
            )
        })
        .collect();
    if oauth.is_empty() {
        return vec![
            Finding::skip("the card declares no OAuth2 or OpenID Connect scheme").on(d.ex),
        ];
    }
    let list = servers(ev);
    if list.is_empty() {
        return vec![
            Finding::skip(
                "no authorization-server metadata arrived through the PRM to compare the card with",
            )
            .on(d.ex),
        ];
    }
    oauth
        .iter()
        .flat_map(|s| scheme(s, &list))
        .map(|f| f.on(d.ex))
        .collect()
}

/// One scheme against the servers: its metadata URL, then its flow's URLs.
fn scheme(s: &SchemeRef<'_>, list: &[As<'_>]) -> Vec<Finding> {
    let at = s.pointer();
    let fetched: Vec<String> = list.iter().map(|a| quote(&a.doc.ex.url)).collect();
    let mut out = Vec::new();
    let mut targets: Vec<&As<'_>> = list.iter().collect();
    if let Some(url) = metadata_url(s) {
        match resolve(list, url) {
            Some(a) => {
                targets = vec![a];
                out.push(
                    Finding::pass(format!(
                        "{at}: {url} is the metadata of {}, an authorization server the PRM names",
                        a.issuer
                    ))
                    .on(a.doc.ex),
                );
            }
            None => out.push(
                Finding::fail(format!(
                    "{at} names AS metadata {} that the PRM does not lead to",
                    quote(url)
                ))
                .expected(format!(
                    "the metadata of an authorization server the PRM names: {}",
                    fetched.join(", ")
                ))
                .actual(quote(url))
                .at(at.clone()),
            ),
        }
    }
    if let Some((name, flow)) = s.flow() {
        out.extend(flow_urls(&format!("{at}/flows/{name}"), flow, &targets));
    }
    if out.is_empty() {
        out.push(Finding::skip(format!("{at} names no URL to compare")));
    }
    out
}

/// A flow's URLs against the metadata members they stand for.
fn flow_urls(at: &str, flow: &Map<String, Value>, targets: &[&As<'_>]) -> Vec<Finding> {
    PAIRS
        .iter()
        .filter_map(|(card, meta)| {
            let v = flow.get(*card)?.as_str()?;
            let known: Vec<&str> = targets.iter().filter_map(|a| a.doc.str(meta)).collect();
            if known.is_empty() {
                return None;
            }
            let mut f = if known.contains(&v) {
                Finding::pass(format!("{at}/{card} is the {meta} of the AS metadata"))
            } else {
                Finding::fail(format!(
                    "{at}/{card} is not the {meta} of the AS metadata the PRM leads to"
                ))
                .expected(
                    known
                        .iter()
                        .map(|k| quote(k))
                        .collect::<Vec<_>>()
                        .join(" or "),
                )
                .actual(quote(v))
                .at(format!("{at}/{card}"))
            };
            for a in targets {
                f = f.on(a.doc.ex);
            }
            Some(f)
        })
        .collect()
}

/// One edge the card draws in the discovery chain.
#[derive(Debug, Clone)]
pub struct CardEdge {
    pub from: String,
    pub to: String,
    pub url: String,
    pub status: Option<u16>,
    pub ok: bool,
}

/// The edges the card draws: the resource's origin serves it, and each metadata URL it names
/// leads to an authorization server's metadata the PRM names (or is broken: it leads elsewhere).
/// No card (or a card file given to lint), no edge.
pub fn edges(ev: &Evidence) -> Vec<CardEdge> {
    // A file given to lint was fetched from nowhere: it draws no edge.
    if ev.mode == crate::evidence::Mode::Lint {
        return Vec::new();
    }
    let Some(ex) = ev.role(&Role::AgentCard).filter(|e| e.status == Some(200)) else {
        return Vec::new();
    };
    let doc = match card(ev) {
        Card::Doc(d) => Some(d),
        _ => None,
    };
    let mut out = vec![CardEdge {
        from: "resource".into(),
        to: "agent-card".into(),
        url: ex.url.clone(),
        status: ex.status,
        ok: doc.is_some(),
    }];
    let Some(d) = doc else {
        return out;
    };
    let list = servers(ev);
    // With no AS metadata reached there is nothing to tell a right metadata URL from a wrong one.
    if list.is_empty() {
        return out;
    }
    for s in schemes(&d).into_iter().flatten() {
        let Some(url) = metadata_url(&s) else {
            continue;
        };
        out.push(match resolve(&list, url) {
            Some(a) => CardEdge {
                from: "agent-card".into(),
                to: format!("asm({})", a.issuer),
                url: url.to_string(),
                status: a.doc.ex.status,
                ok: true,
            },
            None => CardEdge {
                from: "agent-card".into(),
                to: url.to_string(),
                url: url.to_string(),
                status: None,
                ok: false,
            },
        });
    }
    out
}
