//! The command line's surface: the commands, their dispatch, and one file a command.

mod baseline;
mod check;
mod curl;
mod destination;
mod diff;
mod explain;
mod files;
mod lint;
mod list;
mod mock;
mod output;
mod progress;
mod replay;
mod scan;
mod usage;
mod values;

pub(crate) use usage::usage_line;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Conformance checks for agent-auth API deployments: RFC 9728, RFC 8414, JWKS and auth.md.
#[derive(Parser, Debug)]
#[command(name = "authspec", version, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Check a live deployment (or the bundled mock with --mock).
    Check(Box<check::CheckArgs>),
    /// Judge one document file offline, with the same checks and exit codes.
    Lint(lint::LintArgs),
    /// Print the check catalogue.
    List(list::ListArgs),
    /// Explain checks: what each judges, where the spec says so, what a fix looks like.
    Explain {
        /// What --only takes: check ids (prm.resource-match), areas (prm), requirement IDs
        /// (PRM-RESOURCE-MATCH), each a glob ('jwks.*').
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Run the reference deployment until interrupted.
    Mock(mock::MockArgs),
    /// Re-judge a capture file (from `check --capture`) with no network.
    Replay(replay::ReplayArgs),
    /// Check many deployments: one resource URL per line of a file (or - for stdin); JSON lines out.
    Scan(scan::ScanArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from the same definitions as --help.
    Man,
    /// Merge the JSON lines of many scan shards into one summary (stderr) and one Markdown report.
    ScanSummary {
        /// JSON-lines files written by `authspec scan` (one per shard).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Record today's failures as waivers (reason and expiry) in authspec.toml, to gate on new ones.
    Baseline(Box<baseline::BaselineArgs>),
    /// Compare two JSON reports: new, fixed and changed rows, changed documents and keys
    /// (exit 1 when the new report has a problem the old one had not).
    Diff(diff::DiffArgs),
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub(crate) fn dispatch(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Check(a) => runtime()?.block_on(check::cmd_check(*a)),
        Command::Lint(a) => lint::cmd_lint(a),
        Command::List(a) => list::cmd_list(&a),
        Command::Explain { ids } => explain::cmd_explain(&ids),
        Command::Mock(a) => runtime()?.block_on(mock::cmd_mock(a)),
        Command::Replay(a) => replay::cmd_replay(a),
        Command::Scan(a) => runtime()?.block_on(scan::cmd_scan(a)),
        Command::Baseline(a) => runtime()?.block_on(baseline::cmd_baseline(*a)),
        Command::Diff(a) => diff::cmd_diff(&a),
        Command::ScanSummary { files } => scan::cmd_scan_summary(&files),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "authspec", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man => {
            use clap::CommandFactory;
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            Ok(0)
        }
    }
}
