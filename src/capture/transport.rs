//! The MCP transport-security probes: a foreign Origin, an unsupported or mismatched
//! `MCP-Protocol-Version`, and sessions (two `initialize` calls, a session ID without a token).
//! Each probe has a control that differs from it in the one thing probed, so that a refusal can be
//! attributed to that thing and not to authentication. Only URLs and headers are built here.

use super::client::{Cred, Fetch};
use super::plan::{Plan, mcp_message};
use crate::checks::McpVersion;
use crate::evidence::{Exchange, Role};

/// The foreign Origin the Origin probe sends: a name under `.invalid` (RFC 6761 §6.4), so no
/// deployment can have it on its allow-list by accident.
pub const PROBE_ORIGIN: &str = "https://authspec-origin-probe.invalid";

/// A protocol version no MCP server implements (MCP versions are release dates).
pub const UNSUPPORTED_VERSION: &str = "1999-01-01";

/// The body version the header-mismatch probe sends beside a 2026-07-28 header: a real, older
/// version, so only the disagreement is wrong.
pub const MISMATCHED_BODY_VERSION: &str = "2025-11-25";

/// First `seq` of these probes: each is its own request, apart from the method probes' range.
const TRANSPORT_SEQ: u32 = 2_000_000;

/// The probes of one kind, told apart by `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    Origin,
    OriginKeyed,
    Version,
    VersionKeyed,
    VersionControl,
    VersionControlKeyed,
    Mismatch,
    MismatchKeyed,
    SessionA,
    SessionB,
    SessionNoToken,
}

impl Probe {
    fn slug(self) -> &'static str {
        match self {
            Probe::Origin => "origin",
            Probe::OriginKeyed => "origin-keyed",
            Probe::Version => "version",
            Probe::VersionKeyed => "version-keyed",
            Probe::VersionControl => "version-control",
            Probe::VersionControlKeyed => "version-control-keyed",
            Probe::Mismatch => "mismatch",
            Probe::MismatchKeyed => "mismatch-keyed",
            Probe::SessionA => "session-a",
            Probe::SessionB => "session-b",
            Probe::SessionNoToken => "session-no-token",
        }
    }

    fn seq(self) -> u32 {
        TRANSPORT_SEQ + self as u32
    }

    fn cred(self, keyed: bool) -> Cred {
        match self {
            Probe::OriginKeyed
            | Probe::VersionKeyed
            | Probe::VersionControlKeyed
            | Probe::MismatchKeyed => Cred::Key,
            Probe::SessionA | Probe::SessionB if keyed => Cred::Key,
            _ => Cred::None,
        }
    }
}

/// What one probe puts in the request: the protocol version of the header and of the body.
struct Shape<'s> {
    method: &'s str,
    header_version: &'s str,
    body_version: &'s str,
    extra: Vec<(&'static str, String)>,
}

impl Plan<'_> {
    /// The transport probes that need nothing but the resource URL (MCP profile).
    pub(super) fn transport_initial(&self) -> Vec<Fetch> {
        let v = self.opts.mcp_version;
        let keyed = self.opts.api_key.is_some();
        let [opening, next] = super::default_mcp_methods(v);
        let mut out = vec![self.origin_probe(Probe::Origin, opening)];
        if keyed {
            out.push(self.origin_probe(Probe::OriginKeyed, opening));
        }
        let good = v.as_str();
        out.push(self.shaped(Probe::Version, shape(next, UNSUPPORTED_VERSION, v)));
        out.push(self.shaped(Probe::VersionControl, shape(next, good, v)));
        if v >= McpVersion::V2026_07_28 {
            let mismatch = || Shape {
                method: next,
                header_version: good,
                body_version: MISMATCHED_BODY_VERSION,
                extra: Vec::new(),
            };
            out.push(self.shaped(Probe::Mismatch, mismatch()));
            if keyed {
                out.push(self.shaped(Probe::VersionKeyed, shape(next, UNSUPPORTED_VERSION, v)));
                out.push(self.shaped(Probe::VersionControlKeyed, shape(next, good, v)));
                out.push(self.shaped(Probe::MismatchKeyed, mismatch()));
            }
        } else {
            // Two openings: do they share a session ID? The first one's session also carries the
            // keyed version probes and the tokenless request (see `transport_follow_ups`).
            for p in [Probe::SessionA, Probe::SessionB] {
                out.push(self.shaped(p, shape("initialize", good, v)));
            }
        }
        out
    }

    /// What a transport probe's answer leads to: after the first `initialize` (2025-06-18,
    /// 2025-11-25), requests in its session: without a token, and keyed with an unsupported and
    /// with the right protocol version.
    pub(super) fn transport_follow_ups(&self, probe: &str, ex: &Exchange) -> Vec<Fetch> {
        if probe != Probe::SessionA.slug() || !ex.status.is_some_and(|s| (200..300).contains(&s)) {
            return Vec::new();
        }
        let v = self.opts.mcp_version;
        let next = super::default_mcp_methods(v)[1];
        let session: Vec<(&'static str, String)> = ex
            .header("mcp-session-id")
            .map(|s| vec![("mcp-session-id", s.to_string())])
            .unwrap_or_default();
        let keyed = ex.credential == "key";
        let mut out = Vec::new();
        let in_session = |header_version| Shape {
            extra: session.clone(),
            ..shape(next, header_version, v)
        };
        if keyed && !session.is_empty() {
            out.push(self.shaped(Probe::SessionNoToken, in_session(v.as_str())));
        }
        if keyed {
            out.push(self.shaped(Probe::VersionKeyed, in_session(UNSUPPORTED_VERSION)));
            out.push(self.shaped(Probe::VersionControlKeyed, in_session(v.as_str())));
        }
        out
    }

    fn origin_probe(&self, p: Probe, method: &str) -> Fetch {
        let v = self.opts.mcp_version;
        let mut s = shape(method, v.as_str(), v);
        s.extra.push(("origin", PROBE_ORIGIN.to_string()));
        self.shaped(p, s)
    }

    /// The POST of `s` as probe `p`.
    fn shaped(&self, p: Probe, s: Shape<'_>) -> Fetch {
        let v = self.opts.mcp_version;
        let (body, mut headers) = mcp_message(v, s.method, p.seq() as usize);
        let body = rewrite_version(body, v, s.body_version);
        for (name, value) in headers.iter_mut() {
            if *name == "mcp-protocol-version" {
                *value = s.header_version.to_string();
            }
        }
        // Before 2026-07-28 `initialize` carries no header: the version is in its body.
        if s.method != "initialize" && !headers.iter().any(|(n, _)| *n == "mcp-protocol-version") {
            headers.push(("mcp-protocol-version", s.header_version.to_string()));
        }
        headers.extend(s.extra);
        Fetch {
            method: "POST".into(),
            body: Some(body),
            accept: Some("application/json, text/event-stream"),
            headers,
            seq: p.seq(),
            cred: p.cred(self.opts.api_key.is_some()),
            ..Fetch::get(
                Role::Transport {
                    probe: p.slug().into(),
                    method: s.method.into(),
                },
                self.resource.clone(),
            )
        }
    }
}

/// A request of `method` whose header and body both say `version` (the body only from 2026-07-28).
fn shape<'s>(method: &'s str, version: &'s str, v: McpVersion) -> Shape<'s> {
    Shape {
        method,
        header_version: version,
        body_version: if v >= McpVersion::V2026_07_28 {
            version
        } else {
            v.as_str()
        },
        extra: Vec::new(),
    }
}

/// The body with `params._meta`'s protocol version (2026-07-28) set to `to`.
fn rewrite_version(body: Vec<u8>, v: McpVersion, to: &str) -> Vec<u8> {
    if v < McpVersion::V2026_07_28 || to == v.as_str() {
        return body;
    }
    let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return body;
    };
    if let Some(meta) = json
        .pointer_mut("/params/_meta")
        .and_then(serde_json::Value::as_object_mut)
    {
        meta.insert(
            "io.modelcontextprotocol/protocolVersion".into(),
            serde_json::Value::String(to.into()),
        );
    }
    serde_json::to_vec(&json).unwrap_or(body)
}

/// The request headers a browser-based MCP client's discovery asks the preflight for: clients
/// that send `MCP-Protocol-Version` on discovery requests make browsers preflight them.
pub const CORS_REQUEST_HEADERS: &str = "mcp-protocol-version";

/// A browser's cross-origin read of the discovery document `ex` answered (200 only): the
/// preflight and the GET carrying `Origin`.
pub fn cors_probes(ex: &Exchange) -> Vec<Fetch> {
    let Ok(url) = url::Url::parse(&ex.url) else {
        return Vec::new();
    };
    if ex.status != Some(200) {
        return Vec::new();
    }
    let role = |kind: &str| Role::Cors {
        document: ex.url.clone(),
        kind: kind.into(),
    };
    let origin = ("origin", PROBE_ORIGIN.to_string());
    let preflight = Fetch {
        method: "OPTIONS".into(),
        headers: vec![
            origin.clone(),
            ("access-control-request-method", "GET".into()),
            (
                "access-control-request-headers",
                CORS_REQUEST_HEADERS.into(),
            ),
        ],
        ..Fetch::get(role("preflight"), url.clone())
    };
    let get = Fetch {
        headers: vec![origin],
        seq: TRANSPORT_SEQ,
        ..Fetch::get(role("get"), url)
    };
    vec![preflight, get]
}
