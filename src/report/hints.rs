//! Hints where the user slipped: signs in the evidence that the run was set up for another kind
//! of deployment. A hint never changes a result or the verdict; it says what to run instead.

use crate::evidence::{Evidence, GUESSED, Mode, Role};
use crate::profile::Profile;

/// What the run suggests doing differently, in the order found.
pub fn from_evidence(ev: &Evidence) -> Vec<String> {
    let mut out = Vec::new();
    if ev.mode != Mode::Lint
        && ev.profile != Profile::Mcp
        && let Some(sign) = mcp_sign(ev)
    {
        out.push(format!(
            "this looks like an MCP server ({sign}): judge it as one with --profile mcp (and --mcp-version)"
        ));
    }
    if let Some(e) = guessed_not_found(ev) {
        out.push(format!(
            "{} answered 404 to the request without credentials: is this the endpoint? name a protected one with --endpoint 'METHOD /path'",
            e.url
        ));
    }
    out
}

/// The probe of the resource URL itself, sent because no endpoint was named, when it answered 404.
fn guessed_not_found(ev: &Evidence) -> Option<&crate::evidence::Exchange> {
    ev.exchanges.iter().find(|e| {
        e.status == Some(404)
            && e.roles
                .iter()
                .any(|r| matches!(r, Role::ProbeUnauth { endpoint } if endpoint.ends_with(GUESSED)))
    })
}

/// Why the deployment looks like an MCP server: a JSON-RPC answer to a refused probe, or a
/// resource path MCP servers are mounted at.
fn mcp_sign(ev: &Evidence) -> Option<String> {
    let jsonrpc_refusal = ev.exchanges.iter().find(|e| {
        matches!(e.status, Some(401 | 403))
            && e.roles
                .iter()
                .any(|r| matches!(r, Role::ProbeUnauth { .. }))
            && e.json()
                .ok()
                .is_some_and(|j| j.value.get("jsonrpc").is_some())
    });
    if let Some(e) = jsonrpc_refusal {
        return Some(format!(
            "{} {} answered {} with a JSON-RPC body",
            e.method,
            e.url,
            e.status.unwrap_or(0)
        ));
    }
    let last = ev
        .resource_url
        .path_segments()
        .and_then(|mut s| s.rfind(|p| !p.is_empty()))?;
    matches!(last, "mcp" | "sse")
        .then(|| format!("the resource path ends in /{last}, where MCP servers are mounted"))
}
