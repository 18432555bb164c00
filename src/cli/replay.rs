//! `authspec replay`: re-judge a capture file with no network.

use super::files::read_capped;
use super::output::{Output, emit, report_targets, selection};
use super::usage::usage;
use anyhow::{Context, Result};
use authspec::run;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub(crate) struct ReplayArgs {
    /// A capture file written by `authspec check --capture FILE`.
    pub(crate) file: PathBuf,
    /// After the report, print each failing probe as a curl command (keys as environment
    /// variables, never their values).
    #[arg(long)]
    pub(crate) curl: bool,
    #[command(flatten)]
    pub(crate) out: Output,
}

pub(crate) fn cmd_replay(a: ReplayArgs) -> Result<u8> {
    let sel = selection(&a.out)?;
    let targets = report_targets(&a.out)?;
    let text = String::from_utf8(read_capped(&a.file, 256 << 20)?)
        .with_context(|| format!("{} is not UTF-8", a.file.display()))?;
    let file = authspec::capturefile::CaptureFile::parse(&text)
        .with_context(|| format!("{}", a.file.display()))?;
    let profile = a.out.profile_arg;
    let report = run::replay(&file, profile, &sel, a.out.strict).map_err(usage)?;
    let code = emit(&report, &a.out, &targets, None)?;
    if a.curl {
        super::curl::print_probes(&report, &file.exchanges, &a.out);
    }
    Ok(code)
}
