//! `authspec list`: the check catalogue and its one-of groups.

use super::output::Format;
use anyhow::{Result, bail};
use authspec::checks;
use authspec::profile::Profile;
use clap::Args;

#[derive(Args, Debug)]
pub(crate) struct ListArgs {
    /// Show levels under this profile.
    #[arg(long, value_enum, default_value = "auth-md")]
    pub(crate) profile: Profile,
    /// With --profile mcp: the MCP version whose rows to name in the header [default: 2026-07-28].
    #[arg(long, value_enum)]
    pub(crate) mcp_version: Option<authspec::profile::McpVersion>,
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: Format,
}

pub(crate) fn cmd_list(a: &ListArgs) -> Result<u8> {
    if !matches!(a.format, Format::Human | Format::Json) {
        bail!("list --format takes human or json (the catalogue is not a report)");
    }
    if a.mcp_version.is_some() && a.profile != Profile::Mcp {
        bail!("--mcp-version applies only with --profile mcp");
    }
    if a.format == Format::Json {
        let rows: Vec<serde_json::Value> = checks::catalogue()
            .map(|c| serde_json::json!({"id": c.id, "area": c.area, "title": c.title, "level": c.levels.get(a.profile), "requirements": c.requirements, "spec": c.spec, "spec_url": c.spec_url, "alternatives": groups_of(c.id).map(|g| g.id).collect::<Vec<_>>()}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    if a.profile == Profile::Mcp {
        let v = a.mcp_version.unwrap_or_default();
        println!(
            "profile mcp at {} (a row whose title names other versions is skipped at this one)\n",
            v.as_str()
        );
    }
    for c in checks::catalogue() {
        let level = c.levels.get(a.profile).map_or("n/a", |l| l.as_str());
        println!(
            "{:<36} {:<6} {:<58} {}  [{}]",
            c.id,
            level,
            c.title,
            c.requirements.join(","),
            c.spec
        );
    }
    println!("\none-of groups (any route suffices; the decider alone decides the verdict):");
    for g in authspec::profile::alternatives::GROUPS {
        println!(
            "{:<36} {}: {} decides; routes {}",
            g.id,
            g.scope(),
            g.decider,
            g.members.join(", ")
        );
    }
    Ok(0)
}

/// The one-of groups a check decides or is a route of.
pub(crate) fn groups_of(
    id: &str,
) -> impl Iterator<Item = &'static authspec::profile::alternatives::Alternatives> {
    authspec::profile::alternatives::GROUPS
        .iter()
        .filter(move |g| g.decider == id || g.members.contains(&id))
}
