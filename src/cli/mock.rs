//! `authspec mock`: run the reference deployment until interrupted.

use anyhow::{Context, Result};
use authspec::mock::{self, MockOptions};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::time::Duration;

#[derive(Args, Debug)]
pub(crate) struct MockArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) addr: std::net::SocketAddr,
    /// The API key to accept (random when absent).
    #[arg(long)]
    pub(crate) api_key: Option<String>,
    /// Break the mock with this fault (repeatable).
    #[arg(long, value_name = "NAME")]
    pub(crate) fault: Vec<String>,
    /// List the faults and exit.
    #[arg(long)]
    pub(crate) list_faults: bool,
    /// RateLimit fields to send: legacy RateLimit-* (default) or the -08+ structured fields.
    #[arg(long, value_enum, default_value = "legacy")]
    pub(crate) ratelimit_dialect: Dialect,
    /// Serve the api-catalog and OpenAPI on a second origin at this address (port 0 picks one).
    #[arg(long, value_name = "ADDR")]
    pub(crate) site_addr: Option<std::net::SocketAddr>,
    /// Delay every response by this many milliseconds (to measure runs against latency).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub(crate) latency: u64,
    /// rest: the JobsPipe-shaped REST API; mcp: an MCP server at /mcp.
    #[arg(long, value_enum, default_value = "rest")]
    pub(crate) mode: MockMode,
    /// The MCP version the mock speaks with --mode mcp [default: 2026-07-28].
    #[arg(long, value_enum)]
    pub(crate) mcp_version: Option<authspec::profile::McpVersion>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum MockMode {
    Rest,
    Mcp,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Dialect {
    Legacy,
    Structured,
}

pub(crate) async fn cmd_mock(a: MockArgs) -> Result<u8> {
    if a.list_faults {
        for f in mock::FAULTS {
            println!(
                "{:<34} {:<60} breaks {}",
                f.name,
                f.about,
                f.breaks.join(",")
            );
        }
        for l in mock::LAYOUTS {
            println!("{:<34} {:<60} passes (a valid layout)", l.name, l.about);
        }
        return Ok(0);
    }
    let faults = a
        .fault
        .iter()
        .map(|n| {
            mock::faults::find(n)
                .with_context(|| format!("--fault {n:?} is not a mock fault (see --list-faults)"))
        })
        .collect::<Result<Vec<_>>>()?;
    let m = mock::start(
        a.addr,
        MockOptions {
            api_key: a.api_key,
            faults,
            structured_ratelimit: a.ratelimit_dialect == Dialect::Structured,
            site_addr: a.site_addr,
            latency: Duration::from_millis(a.latency),
            mcp: a.mode == MockMode::Mcp,
            mcp_version: a.mcp_version.unwrap_or_default(),
            ..MockOptions::default()
        },
    )
    .await
    .with_context(|| format!("cannot listen on {}", a.addr))?;
    println!("authspec mock listening on {}", m.base_url());
    println!("resource: {}", m.resource_url());
    println!("api key: {}", m.api_key);
    println!("revocable key: {}", m.revocable_key);
    if a.mode == MockMode::Mcp {
        println!("low-scope key: {}", m.low_scope_key);
    }
    if let Some(site) = m.site_url() {
        println!("site (catalog and OpenAPI): {site}  (check with --site {site})");
    }
    println!("protected endpoints: {}", m.endpoints().join(", "));
    let _ = std::io::stdout().flush();
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    m.stop().await;
    Ok(0)
}
