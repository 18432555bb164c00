//! `authspec lint`: judge one document file offline.

use super::files::read_capped;
use super::output::{Output, emit, report_targets, selection};
use super::usage::usage;
use anyhow::Result;
use authspec::run::{self, LintKind};
use clap::Args;
use std::path::{Path, PathBuf};

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
    report.input_file = Some(shown_path(&a.file, std::env::current_dir().ok().as_deref()));
    emit(&report, &a.out, &targets, None)
}

/// The file as reports name it: relative to the working directory when it lies under it (SARIF
/// and GitHub annotations resolve paths against the checkout, and a local absolute path leaks
/// the machine's layout), with `/` separators and no leading `./`.
fn shown_path(file: &Path, cwd: Option<&Path>) -> String {
    let rel = cwd
        .filter(|_| file.is_absolute())
        .and_then(|c| file.strip_prefix(c).ok())
        .unwrap_or(file);
    let text = rel.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_under_the_working_directory_is_named_relative_to_it() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            shown_path(Path::new("/work/repo/docs/prm.json"), Some(cwd)),
            "docs/prm.json"
        );
        assert_eq!(shown_path(Path::new("./prm.json"), Some(cwd)), "prm.json");
        assert_eq!(
            shown_path(Path::new("/elsewhere/prm.json"), Some(cwd)),
            "/elsewhere/prm.json"
        );
    }
}
