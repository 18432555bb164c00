//! `authspec lint`: judge one document file offline.

use super::files::read_capped;
use super::output::{Output, emit, report_targets, selection};
use super::usage::usage;
use anyhow::Result;
use authspec::run::{self, LintKind};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(
    after_help = "Profile: without --profile, lint applies the RFCs alone (rfc), and adds the auth.md contract (auth-md) when the document carries an agent_auth block. --profile mcp applies the rows at the levels of MCP 2026-07-28, where a single document can show them."
)]
pub(crate) struct LintArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub(crate) kind: LintKind,
    /// The document (for headers: a status line and header lines, as `curl -si` prints them).
    pub(crate) file: PathBuf,
    /// The URL the document is served at (for headers: the URL of the request).
    #[arg(long)]
    pub(crate) url: String,
    #[command(flatten)]
    pub(crate) out: Output,
}

pub(crate) fn cmd_lint(a: LintArgs) -> Result<u8> {
    let sel = selection(&a.out)?;
    let targets = report_targets(&a.out)?;
    let body = read_capped(&a.file, 16 << 20)?;
    let profile = a
        .out
        .profile_arg
        .unwrap_or_else(|| run::lint_profile(&body));
    let mut report = run::lint(a.kind, body, &a.url, profile, &sel, a.out.strict).map_err(usage)?;
    report.input_file = Some(a.file.to_string_lossy().replace('\\', "/"));
    emit(&report, &a.out, &targets, None)
}
