//! CORS on the discovery documents: whether a browser-based MCP client can read the PRM and the
//! AS metadata cross-origin. No normative text requires it (RFC 9700 §2.6 says the AS metadata
//! endpoint "MAY support" CORS; RFC 9728 and MCP are silent), so this row only informs.

use super::{Area, Check, Level, Levels};
use crate::capture::transport::{CORS_REQUEST_HEADERS, PROBE_ORIGIN};
use crate::evidence::{Evidence, Exchange, Role};
use crate::finding::Finding;

/// The CORS row (MCP profile, info).
pub static CHECKS: &[Check] = &[super::check!(
    Area::McpTransport,
    "mcp-transport.discovery-cors",
    "Browser-based MCP clients can read the PRM and AS metadata cross-origin (info: no text requires it)",
    Levels::mcp(Level::May),
    &["CORS-DISCOVERY"],
    "RFC 9700 §2.6 (AS metadata endpoint MAY support CORS); Fetch standard, CORS protocol",
    "https://www.rfc-editor.org/rfc/rfc9700#section-2.6",
    "Answer the preflight (OPTIONS with Access-Control-Request-Method: GET) with Access-Control-Allow-Origin and Access-Control-Allow-Headers covering mcp-protocol-version, and send Access-Control-Allow-Origin on the GET.",
    discovery_cors
)];

/// The preflight and the GET with Origin of each document probed, by document URL.
fn pairs(ev: &Evidence) -> Vec<(String, Option<&Exchange>, Option<&Exchange>)> {
    let mut out: Vec<(String, Option<&Exchange>, Option<&Exchange>)> = Vec::new();
    for ex in &ev.exchanges {
        for r in &ex.roles {
            let Role::Cors { document, kind } = r else {
                continue;
            };
            let i = match out.iter().position(|(d, _, _)| d == document) {
                Some(i) => i,
                None => {
                    out.push((document.clone(), None, None));
                    out.len() - 1
                }
            };
            if kind == "preflight" {
                out[i].1 = Some(ex);
            } else {
                out[i].2 = Some(ex);
            }
        }
    }
    out
}

/// Whether Access-Control-Allow-Origin lets the probe's origin read the answer.
fn allows_origin(ex: &Exchange) -> bool {
    ex.header("access-control-allow-origin")
        .is_some_and(|v| v.trim() == "*" || v.trim() == PROBE_ORIGIN)
}

/// What keeps a browser from reading `document`, if anything.
fn problems(pre: Option<&Exchange>, get: Option<&Exchange>) -> Vec<String> {
    let mut out = Vec::new();
    match pre {
        Some(p) if p.status.is_some_and(|s| (200..300).contains(&s)) => {
            if !allows_origin(p) {
                out.push(
                    "the preflight's answer has no Access-Control-Allow-Origin for the origin"
                        .into(),
                );
            }
            let allowed = p
                .header("access-control-allow-headers")
                .unwrap_or("")
                .to_ascii_lowercase();
            if !allowed
                .split(',')
                .any(|h| matches!(h.trim(), "*" | CORS_REQUEST_HEADERS))
            {
                out.push(format!(
                    "the preflight does not allow the {CORS_REQUEST_HEADERS} header"
                ));
            }
        }
        Some(p) => out.push(format!(
            "the preflight (OPTIONS) got {}",
            p.status.map_or("no answer".into(), |s| s.to_string())
        )),
        None => {}
    }
    if let Some(g) = get
        && !allows_origin(g)
    {
        out.push("the GET's answer has no Access-Control-Allow-Origin".into());
    }
    out
}

fn discovery_cors(ev: &Evidence) -> Vec<Finding> {
    let pairs = pairs(ev);
    if pairs.is_empty() {
        return vec![Finding::skip(
            "no discovery document was served to read cross-origin",
        )];
    }
    pairs
        .into_iter()
        .map(|(doc, pre, get)| {
            let p = problems(pre, get);
            let f = if p.is_empty() {
                Finding::pass(format!("{doc} can be read cross-origin (preflight and GET)"))
            } else {
                Finding::fail(format!(
                    "a browser-based client cannot read {doc}: {} (info: RFC 9700 §2.6 makes CORS a MAY; nothing requires it)",
                    p.join("; ")
                ))
            };
            [pre, get].into_iter().flatten().fold(f, |f, e| f.on(e))
        })
        .collect()
}
