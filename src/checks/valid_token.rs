//! The valid credential is accepted, and refusals count only where it is: a server that refuses
//! every credential proves nothing by refusing a bad one.

use super::{Area, Check, Level, Levels};
use crate::evidence::{Evidence, Exchange, Mode, Role};
use crate::finding::{Finding, Outcome};

/// The row that judges the valid credential under `--profile mcp`.
pub const ROW: &str = "mcp.valid-token-accepted";

/// The rows of this module (MCP profile only).
pub static CHECKS: &[Check] = &[super::check!(
    Area::Mcp,
    ROW,
    "The valid token is accepted on each probed MCP method, not refused with 401 or 403",
    Levels::mcp(Level::Must),
    &["MCP-VALID-TOKEN"],
    "MCP authorization §Access Token Usage (Authorization: Bearer <access-token>), §Access Token Privilege Restriction",
    "https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization#access-token-usage",
    "Accept the tokens your authorization server issues for this server (signature, expiry, audience = this server's canonical URI); answer 401 only to invalid tokens.",
    accepted
)];

fn accepted(ev: &Evidence) -> Vec<Finding> {
    let probes = ev.with_role(|r| matches!(r, Role::ProbeValidToken { .. }));
    if probes.is_empty() {
        return vec![match (ev.mode, ev.api_key_given) {
            (Mode::Lint, _) => Finding::skip("lint makes no requests"),
            (_, false) => Finding::skip(
                "not probed: pass --token (or AUTHSPEC_TOKEN) with a valid access token for this server",
            ),
            (_, true) => Finding::no_input("no request with the valid token was made"),
        }];
    }
    let judged: Vec<&Exchange> = probes
        .iter()
        .copied()
        .filter(|e| !open_method(ev, e))
        .collect();
    if judged.is_empty() {
        return vec![Finding::no_input(
            "every probed method answered without credentials, so acceptance of the token proves nothing (name a protected method with --mcp-method)",
        )];
    }
    judged.into_iter().map(judge).collect()
}

/// One method's answer to the valid token.
fn judge(ex: &Exchange) -> Finding {
    if ex.status.is_none() {
        let why = ex
            .tool_limit()
            .or_else(|| ex.error.clone())
            .unwrap_or_else(|| "no response".into());
        return Finding::no_input(format!("the valid-token request got no answer: {why}")).on(ex);
    }
    let status = ex.status.unwrap_or_default();
    let lacks_scope = ex
        .headers("www-authenticate")
        .any(|h| h.contains("insufficient_scope"));
    match status {
        401 => Finding::fail(format!("{} refused the valid token", ex.url))
            .expected("a 2xx or a JSON-RPC answer (401 is for invalid or expired tokens)")
            .actual(ex.summary())
            .on(ex),
        403 if lacks_scope => Finding::no_input(
            "403 insufficient_scope: the token lacks a scope this method needs, so its acceptance cannot be told (give --token one that holds it, or name a method it may call with --mcp-method)",
        )
        .on(ex),
        403 => Finding::fail(format!("{} refused the valid token with 403", ex.url))
            .expected("a 2xx or a JSON-RPC answer")
            .actual(ex.summary())
            .on(ex),
        s if (200..300).contains(&s) => Finding::pass(format!("the valid token got {s}")).on(ex),
        s if jsonrpc(ex) => {
            Finding::pass(format!("the valid token reached the server: a JSON-RPC answer ({s})"))
                .on(ex)
        }
        s => Finding::no_input(format!(
            "answered {s} without a JSON-RPC message; acceptance of the token cannot be told"
        ))
        .on(ex),
    }
}

/// Whether the answer is a JSON-RPC message (plain JSON or an event stream): the request got past
/// authorization to the protocol.
fn jsonrpc(ex: &Exchange) -> bool {
    ex.body.windows(9).any(|w| w == b"\"jsonrpc\"")
}

/// A method that answered 2xx without credentials: the token's acceptance proves nothing there.
fn open_method(ev: &Evidence, ex: &Exchange) -> bool {
    ex.roles.iter().any(|r| match r {
        Role::ProbeValidToken { endpoint } => ev
            .role(&Role::ProbeUnauth {
                endpoint: endpoint.clone(),
            })
            .is_some_and(|u| u.status.is_some_and(|s| (200..300).contains(&s))),
        _ => false,
    })
}

/// The first exchange in which the valid credential was refused with 401: the MCP valid-token
/// probes, or the keyed probes of an API.
pub fn refused(ev: &Evidence) -> Option<&Exchange> {
    ev.with_role(|r| matches!(r, Role::ProbeValidToken { .. } | Role::ProbeAuth { .. }))
        .into_iter()
        .find(|e| e.status == Some(401))
}

/// `findings` of a row that judges refusals, with each pass turned into "cannot be told" when the
/// valid credential was refused too: a server that refuses everything proves nothing about its
/// refusals.
pub fn discount(ev: &Evidence, findings: Vec<Finding>) -> Vec<Finding> {
    let Some(valid) = refused(ev) else {
        return findings;
    };
    findings
        .into_iter()
        .map(|f| {
            if f.outcome != Outcome::Pass {
                return f;
            }
            let mut out = Finding::no_input(format!(
                "{}, but the valid credential was refused too ({}): a server that refuses every credential proves nothing by refusing this one",
                f.message,
                valid.summary()
            ))
            .on(valid);
            for id in f.evidence {
                out.evidence.push(id);
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, challenge: Option<&str>, body: &str) -> Exchange {
        let mut ex = Exchange::new(
            "POST",
            "https://mcp.example/mcp",
            vec![Role::ProbeValidToken {
                endpoint: "POST /mcp [tools/list]".into(),
            }],
        );
        ex.status = Some(status);
        if let Some(c) = challenge {
            ex.response_headers
                .push(("www-authenticate".into(), c.into()));
        }
        ex.body = body.as_bytes().to_vec();
        ex
    }

    #[test]
    fn refusal_fails_and_acceptance_passes() {
        let judged = |ex: Exchange| judge(&ex).outcome;
        assert_eq!(
            judged(answer(401, Some("Bearer error=\"invalid_token\""), "")),
            Outcome::Fail
        );
        assert_eq!(judged(answer(403, None, "")), Outcome::Fail);
        assert_eq!(judged(answer(200, None, "{}")), Outcome::Pass);
        // Past authorization into the protocol: a session error is still an accepted token.
        let rpc = r#"{"jsonrpc":"2.0","id":2,"error":{"code":-32600,"message":"no session"}}"#;
        assert_eq!(judged(answer(400, None, rpc)), Outcome::Pass);
    }

    #[test]
    fn scope_refusal_and_unknown_answers_are_not_judged() {
        let scope = answer(403, Some("Bearer error=\"insufficient_scope\""), "");
        let f = judge(&scope);
        assert_eq!(
            (f.outcome, f.skip),
            (Outcome::Skip, Some(crate::finding::SkipKind::NoInput))
        );
        let f = judge(&answer(500, None, "oops"));
        assert_eq!(f.outcome, Outcome::Skip);
    }
}
