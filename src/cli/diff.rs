//! `authspec diff OLD.json NEW.json`: compare two JSON reports.

use super::files::read_capped;
use anyhow::{Context, Result, bail};
use authspec::report::{Report, diff};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub(crate) struct DiffArgs {
    /// The earlier JSON report (`--format json` or `--report json=FILE`).
    pub(crate) old: PathBuf,
    /// The later JSON report.
    pub(crate) new: PathBuf,
    /// human, or json for a machine.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: DiffFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    Human,
    Json,
}

/// Exit 1 when the new report has a problem the old one had not (a regression), 0 otherwise.
pub(crate) fn cmd_diff(a: &DiffArgs) -> Result<u8> {
    let (old, new) = (load(&a.old)?, load(&a.new)?);
    let d = diff::diff(&old, &new);
    match a.format {
        DiffFormat::Human => print!(
            "{}",
            diff::render(
                &d,
                &a.old.display().to_string(),
                &a.new.display().to_string()
            )
        ),
        DiffFormat::Json => println!("{}", serde_json::to_string_pretty(&d)?),
    }
    Ok(u8::from(d.has_new()))
}

fn load(path: &Path) -> Result<Report> {
    let text = String::from_utf8(read_capped(path, 256 << 20)?)
        .with_context(|| format!("{} is not UTF-8", path.display()))?;
    let probe: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    if probe.get("report_version").is_none() {
        bail!(
            "{} is not an authspec JSON report (write one with --format json or --report json=FILE)",
            path.display()
        );
    }
    serde_json::from_value(probe)
        .with_context(|| format!("{} is not an authspec JSON report", path.display()))
}
