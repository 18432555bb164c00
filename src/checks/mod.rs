//! The one catalogue of checks: id, area, level per profile, requirement IDs, spec link and judge.

mod agent_auth;
pub mod agent_card;
mod asm;
mod authmd;
mod bearer;
mod catalog;
mod cimd;
mod contract;
mod cors;
mod dpop;
mod errors;
mod iss;
mod jwks;
mod mcp;
mod members;
mod oauth_as;
mod oauth_as_refusals;
mod oauth_rs;
mod openapi;
mod prm;
mod ratelimit;
mod schema;
mod token_flow;
mod tokens;
mod transport;
mod valid_token;
mod wwwa;

use crate::evidence::Evidence;
use crate::finding::Finding;
use serde::{Deserialize, Serialize};

pub use schema::{SchemaKind, schema_source};
// The profile and its one-of groups live on the ground floor (capture and evidence use them too);
// these names stay so code written against `checks::Profile` keeps compiling.
pub use crate::profile::alternatives;
pub use crate::profile::{McpVersion, Profile};

/// Requirement level of a catalogue row (RFC 2119 keywords; `may` also carries info-only rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Must,
    Should,
    May,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "must",
            Level::Should => "should",
            Level::May => "may",
        }
    }
}

/// The level a check has under each profile; `None` means the profile does not apply the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    pub auth_md: Option<Level>,
    pub rfc: Option<Level>,
    pub mcp: Option<Level>,
}

impl Levels {
    /// The same level under every profile.
    pub const fn all(l: Level) -> Self {
        Levels {
            auth_md: Some(l),
            rfc: Some(l),
            mcp: Some(l),
        }
    }
    /// Only the auth.md contract applies this row.
    pub const fn auth_md(l: Level) -> Self {
        Levels {
            auth_md: Some(l),
            rfc: None,
            mcp: None,
        }
    }
    /// Only the MCP profile applies this row.
    pub const fn mcp(l: Level) -> Self {
        Levels {
            auth_md: None,
            rfc: None,
            mcp: Some(l),
        }
    }
    pub fn get(&self, p: Profile) -> Option<Level> {
        match p {
            Profile::AuthMd => self.auth_md,
            Profile::Rfc => self.rfc,
            Profile::Mcp => self.mcp,
        }
    }
}

pub(crate) const MUST: Levels = Levels::all(Level::Must);
pub(crate) const SHOULD: Levels = Levels::all(Level::Should);
pub(crate) const MAY: Levels = Levels::all(Level::May);

/// The area a check belongs to; also the first part of its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
pub enum Area {
    #[serde(rename = "prm")]
    Prm,
    #[serde(rename = "wwwa")]
    Wwwa,
    #[serde(rename = "asm")]
    Asm,
    #[serde(rename = "jwks")]
    Jwks,
    #[serde(rename = "agent-auth")]
    AgentAuth,
    #[serde(rename = "authmd")]
    Authmd,
    #[serde(rename = "ratelimit")]
    Ratelimit,
    #[serde(rename = "errors")]
    Errors,
    #[serde(rename = "catalog")]
    Catalog,
    #[serde(rename = "openapi")]
    Openapi,
    #[serde(rename = "mcp")]
    Mcp,
    #[serde(rename = "mcp-transport")]
    McpTransport,
    #[serde(rename = "agent-card")]
    AgentCard,
    #[serde(rename = "oauth")]
    Oauth,
}

impl Area {
    pub const ALL: [Area; 14] = [
        Area::Prm,
        Area::Wwwa,
        Area::Asm,
        Area::Jwks,
        Area::AgentAuth,
        Area::Authmd,
        Area::Ratelimit,
        Area::Errors,
        Area::Catalog,
        Area::Openapi,
        Area::Mcp,
        Area::McpTransport,
        Area::AgentCard,
        Area::Oauth,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Area::Prm => "prm",
            Area::Wwwa => "wwwa",
            Area::Asm => "asm",
            Area::Jwks => "jwks",
            Area::AgentAuth => "agent-auth",
            Area::Authmd => "authmd",
            Area::Ratelimit => "ratelimit",
            Area::Errors => "errors",
            Area::Catalog => "catalog",
            Area::Openapi => "openapi",
            Area::Mcp => "mcp",
            Area::McpTransport => "mcp-transport",
            Area::AgentCard => "agent-card",
            Area::Oauth => "oauth",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Area::Prm => "Protected resource metadata (RFC 9728)",
            Area::Wwwa => "WWW-Authenticate challenges (RFC 9728 §5, RFC 6750 §3, RFC 9110 §11)",
            Area::Asm => "Authorization server metadata (RFC 8414)",
            Area::Jwks => "JSON Web Key Sets (RFC 7517, RFC 7518)",
            Area::AgentAuth => "agent_auth registration block (auth.md)",
            Area::Authmd => "auth.md deployment contract",
            Area::Ratelimit => {
                "RateLimit fields, 429 and Retry-After (draft-ietf-httpapi-ratelimit-headers, RFC 6585)"
            }
            Area::Errors => "Error responses (RFC 9457, RFC 9110 §15)",
            Area::Catalog => "API catalog (RFC 9727, RFC 9264)",
            Area::Openapi => "OpenAPI description",
            Area::Mcp => "MCP authorization (2025-06-18, 2025-11-25, 2026-07-28)",
            Area::McpTransport => {
                "MCP transport security: Origin, protocol version, sessions (Streamable HTTP)"
            }
            Area::AgentCard => {
                "A2A agent card: security schemes and the discovery graph (A2A v1.0.1)"
            }
            Area::Oauth => {
                "OAuth token flow: real tokens at the authorization server and the resource (OAuth 2.1, RFC 7636, RFC 8707, RFC 9068, RFC 9449)"
            }
        }
    }
}

/// A judge: a pure function from evidence to findings. It never does I/O.
pub type Judge = fn(&Evidence) -> Vec<Finding>;

/// One row of the check catalogue.
pub struct Check {
    /// `area.slug`, stable: reports, filters and CI configurations refer to it.
    pub id: &'static str,
    pub area: Area,
    pub title: &'static str,
    pub levels: Levels,
    /// Catalogue requirement IDs this check judges (spec/requirements.md).
    pub requirements: &'static [&'static str],
    /// Human reference, e.g. "RFC 9728 §3.3".
    pub spec: &'static str,
    pub spec_url: &'static str,
    /// What a fix looks like, for `authspec explain`.
    pub fix: &'static str,
    pub judge: Judge,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

/// Every check, in report order.
pub fn catalogue() -> impl Iterator<Item = &'static Check> {
    prm::CHECKS
        .iter()
        .chain(wwwa::CHECKS)
        .chain(bearer::CHECKS)
        .chain(tokens::CHECKS)
        .chain(dpop::CHECKS)
        .chain(cimd::CHECKS)
        .chain(iss::CHECKS)
        .chain(asm::CHECKS)
        .chain(jwks::CHECKS)
        .chain(agent_auth::CHECKS)
        .chain(authmd::CHECKS)
        .chain(contract::CHECKS)
        .chain(ratelimit::CHECKS)
        .chain(errors::CHECKS)
        .chain(catalog::CHECKS)
        .chain(openapi::CHECKS)
        .chain(mcp::CHECKS)
        .chain(valid_token::CHECKS)
        .chain(transport::CHECKS)
        .chain(cors::CHECKS)
        .chain(agent_card::CHECKS)
        .chain(oauth_as::CHECKS)
        .chain(oauth_as_refusals::CHECKS)
        .chain(oauth_rs::CHECKS)
}

/// The check with id `id`.
pub fn find(id: &str) -> Option<&'static Check> {
    catalogue().find(|c| c.id == id)
}

/// Runs `check`'s judge, turning a panic into an `error` finding rather than a crash.
pub fn run_judge(check: &Check, ev: &Evidence) -> Vec<Finding> {
    let judge = check.judge;
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| judge(ev))) {
        Ok(f) if f.is_empty() => vec![Finding::skip("nothing to judge")],
        Ok(f) => f
            .into_iter()
            .map(|f| not_the_servers_fault(f, ev))
            .collect(),
        Err(_) => vec![Finding::error(format!(
            "internal error: the judge of {} panicked; please report it",
            check.id
        ))],
    }
}

/// A failure that rests on an exchange which got no answer (a refused connection, a timeout, the
/// request budget, the redirect cap, the SSRF guard) or whose body was cut at `--max-body` says
/// nothing sure about the server: it becomes an `error`, which leaves a MUST incomplete, never
/// failed. Erring this way can only turn a verdict into `incomplete`, never into `pass`.
fn not_the_servers_fault(f: Finding, ev: &Evidence) -> Finding {
    if f.outcome != crate::finding::Outcome::Fail {
        return f;
    }
    let limits: Vec<String> = f
        .evidence
        .iter()
        .filter_map(|id| ev.exchanges.iter().find(|e| e.id == *id))
        .filter_map(crate::evidence::Exchange::tool_limit)
        .collect();
    if limits.is_empty() {
        return f;
    }
    Finding {
        outcome: crate::finding::Outcome::Error,
        skip: None,
        message: format!("could not be judged: {} ({})", limits.join("; "), f.message),
        because: None,
        ..f
    }
}

/// A catalogue row: `check!(Area, id, title, levels, requirements, spec, spec_url, fix, judge)`.
macro_rules! check {
    ($area:expr, $id:expr, $title:expr, $levels:expr, $reqs:expr, $spec:expr, $url:expr, $fix:expr, $judge:expr $(,)?) => {
        $crate::checks::Check {
            id: $id,
            area: $area,
            title: $title,
            levels: $levels,
            requirements: $reqs,
            spec: $spec,
            spec_url: $url,
            fix: $fix,
            judge: $judge,
        }
    };
}
pub(crate) use check;

/// A spec URL for an RFC section.
macro_rules! rfc {
    ($n:literal, $sec:literal) => {
        concat!("https://www.rfc-editor.org/rfc/rfc", $n, "#section-", $sec)
    };
}
pub(crate) use rfc;
