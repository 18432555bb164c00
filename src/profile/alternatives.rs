//! "One of" rules: groups of routes of which any one satisfies a profile at a specification version.
//!
//! MCP from 2025-11-25 lets a server be found through the challenge's hint *or* a well-known PRM,
//! and lets AS metadata come from RFC 8414 *or* OpenID Connect discovery. Single RFC rows still
//! judge each route; a group says which row decides and which rows are only routes towards it.

use super::{McpVersion, Profile};

/// A group of alternative routes, as a profile and version declare it.
#[derive(Debug)]
pub struct Alternatives {
    /// Stable id, shown in reports beside the member rows it governs.
    pub id: &'static str,
    pub title: &'static str,
    pub profile: Profile,
    /// The first and last MCP version that has this rule (inclusive).
    pub from: McpVersion,
    pub until: McpVersion,
    /// The row that judges whether any route works: it alone decides the verdict.
    pub decider: &'static str,
    /// Rows that each judge one route. When the decider passes, their failures become info
    /// ("another route suffices"); when it fails, they are consequences of it.
    pub members: &'static [&'static str],
    /// The sentence of the specification the group rests on.
    pub spec: &'static str,
    pub spec_url: &'static str,
}

impl Alternatives {
    /// Whether a run of `profile` at `version` applies this group.
    pub fn applies(&self, profile: Profile, version: McpVersion) -> bool {
        self.profile == profile && (self.from..=self.until).contains(&version)
    }

    /// Where the group applies, for lists and explanations: `mcp 2025-11-25..2026-07-28`.
    pub fn scope(&self) -> String {
        format!(
            "{} {}..{}",
            self.profile.as_str(),
            self.from.as_str(),
            self.until.as_str()
        )
    }
}

const MCP_2025_11: &str =
    "https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization";

/// Every group, in report order.
pub static GROUPS: &[Alternatives] = &[
    Alternatives {
        id: "mcp.prm-location",
        title: "The PRM is found through the challenge's hint, the path-inserted or the root well-known URL",
        profile: Profile::Mcp,
        from: McpVersion::V2025_11_25,
        until: McpVersion::V2026_07_28,
        decider: "mcp.prm-discovery",
        members: &["wwwa.resource-metadata", "prm.wellknown-insert"],
        spec: "MCP 2025-11-25+ authorization §Protected Resource Metadata Discovery Requirements: \"MCP servers MUST implement one of the following discovery mechanisms\"",
        spec_url: MCP_2025_11,
    },
    Alternatives {
        id: "mcp.prm-hint",
        title: "The 401 names the PRM (the only PRM route an MCP 2025-06-18 client takes)",
        profile: Profile::Mcp,
        from: McpVersion::V2025_06_18,
        until: McpVersion::V2025_06_18,
        decider: "mcp.401-resource-metadata",
        // The path-inserted well-known URL is no route a 2025-06-18 client takes: its text names
        // the hint as the metadata's location, and its sequence diagram extracts
        // resource_metadata and then fetches it. A working hint makes a missing one info.
        members: &["wwwa.resource-metadata", "prm.wellknown-insert"],
        spec: "MCP 2025-06-18 authorization §2.3.1: \"MCP servers MUST use the HTTP header WWW-Authenticate when returning a 401 Unauthorized to indicate the location of the resource server metadata URL\"; §2.3.3 sequence diagram: \"Extract resource_metadata from WWW-Authenticate\", then GET that URL",
        spec_url: "https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization",
    },
    Alternatives {
        id: "mcp.as-metadata-rfc8414",
        title: "AS metadata comes from RFC 8414 (the only source an MCP 2025-06-18 client reads)",
        profile: Profile::Mcp,
        from: McpVersion::V2025_06_18,
        until: McpVersion::V2025_06_18,
        decider: "mcp.as-discovery",
        members: &["asm.wellknown-insert"],
        spec: "MCP 2025-06-18 authorization §2.3.2: \"MCP clients MUST follow the OAuth 2.0 Authorization Server Metadata [RFC8414]\"",
        spec_url: "https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization",
    },
    Alternatives {
        id: "mcp.as-metadata-source",
        title: "AS metadata comes from RFC 8414 or OpenID Connect discovery",
        profile: Profile::Mcp,
        from: McpVersion::V2025_11_25,
        until: McpVersion::V2026_07_28,
        decider: "mcp.as-discovery",
        members: &["asm.wellknown-insert"],
        spec: "MCP 2025-11-25+ authorization §Overview: \"MCP authorization servers MUST provide at least one of the following discovery mechanisms\"",
        spec_url: MCP_2025_11,
    },
];

/// Whether the group `id` applies to a run of `profile` at `version`.
pub fn in_force(id: &str, profile: Profile, version: McpVersion) -> bool {
    GROUPS
        .iter()
        .any(|g| g.id == id && g.applies(profile, version))
}

/// The group that governs row `id` in a run of `profile` at `version`, if any.
pub fn governing(id: &str, profile: Profile, version: McpVersion) -> Option<&'static Alternatives> {
    GROUPS
        .iter()
        .find(|g| g.applies(profile, version) && g.members.contains(&id))
}
