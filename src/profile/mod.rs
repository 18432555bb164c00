//! Which body of rules a run applies: the profile, the MCP version, and the one-of groups they drive.
//!
//! Capture, evidence, checks and reports all read these, so they sit below all of them.

pub mod alternatives;

use serde::{Deserialize, Serialize};

/// Which body of rules a run applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// The RFCs plus the auth.md deployment contract (catalogue section 10).
    #[default]
    AuthMd,
    /// The RFCs alone.
    Rfc,
    /// MCP authorization at --mcp-version: the MCP rows, and the RFC rows at the levels MCP gives them.
    Mcp,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::AuthMd => "auth-md",
            Profile::Rfc => "rfc",
            Profile::Mcp => "mcp",
        }
    }
}

/// The MCP specification version an `mcp` run judges against (catalogue A-14).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    Default,
    clap::ValueEnum,
)]
pub enum McpVersion {
    #[value(name = "2025-06-18")]
    #[serde(rename = "2025-06-18")]
    V2025_06_18,
    #[value(name = "2025-11-25")]
    #[serde(rename = "2025-11-25")]
    V2025_11_25,
    #[default]
    #[value(name = "2026-07-28")]
    #[serde(rename = "2026-07-28")]
    V2026_07_28,
}

impl McpVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            McpVersion::V2025_06_18 => "2025-06-18",
            McpVersion::V2025_11_25 => "2025-11-25",
            McpVersion::V2026_07_28 => "2026-07-28",
        }
    }
}
