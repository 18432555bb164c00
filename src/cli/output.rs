//! What a report-writing command shares: formats, --report targets, selection and emitting.

use super::destination::{self, Destination};
use anyhow::{Context, Result, bail};
use authspec::checks;
use authspec::profile::Profile;
use authspec::report::{Report, github, html, human, json, junit, markdown, sarif};
use authspec::select::Selection;
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
    Junit,
    Sarif,
    Markdown,
    /// GitHub Actions workflow-command annotations.
    Github,
    /// One self-contained HTML page.
    Html,
    /// An SVG verdict badge (profile, verdict, date, tool version) for a self-certification page.
    Badge,
}

#[derive(Args, Debug, Clone)]
pub(crate) struct Output {
    /// Profile: which body of rules applies [default: auth-md; lint: rfc, or auth-md for a document with agent_auth; replay: the recorded one].
    #[arg(long = "profile", value_enum)]
    pub(crate) profile_arg: Option<Profile>,
    /// Format written to stdout.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: Format,
    /// Also write a report: FORMAT=FILE (repeatable; human, json, junit, sarif, markdown, github, html, badge).
    #[arg(long = "report", value_name = "FORMAT=FILE")]
    pub(crate) reports: Vec<String>,
    /// Run only checks matching this id, area or requirement ID (glob; repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub(crate) only: Vec<String>,
    /// Skip checks matching this id, area or requirement ID (glob; repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub(crate) skip: Vec<String>,
    /// SHOULD-level failures fail the verdict too.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Human output: every row, passes and rows the profile does not apply included.
    #[arg(long, short, conflicts_with = "quiet")]
    pub(crate) verbose: bool,
    /// Human output: only the verdict line.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Colour human output: auto (a terminal; NO_COLOR, CLICOLOR_FORCE, FORCE_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) color: human::ColorChoice,
}

impl Output {
    pub(crate) fn profile(&self) -> Profile {
        self.profile_arg.unwrap_or_default()
    }
}

pub(crate) fn selection(out: &Output) -> Result<Selection> {
    let s = Selection {
        only: out.only.clone(),
        skip: out.skip.clone(),
    };
    if let Some(p) = s.unknown_patterns().first() {
        bail!(
            "--only/--skip pattern {p:?} matches no check id, area or requirement ID (see authspec list)"
        );
    }
    // A run that judges nothing must not pass: that is a selection mistake, not a verdict.
    if !checks::catalogue().any(|c| s.includes(c)) {
        bail!(
            "--only {:?} with --skip {:?} leaves no check to run (see authspec list)",
            s.only.join(","),
            s.skip.join(",")
        );
    }
    Ok(s)
}

/// Parsed `--report FORMAT=FILE` targets, validated before any work is done.
pub(crate) fn report_targets(out: &Output) -> Result<Vec<(Format, Destination)>> {
    out.reports
        .iter()
        .map(|r| {
            let (f, path) = r
                .split_once('=')
                .with_context(|| format!("--report {r:?} is not FORMAT=FILE"))?;
            let format = Format::from_str(f, true).map_err(|_| {
                anyhow::anyhow!("--report {r:?}: unknown format {f:?} (human, json, junit, sarif, markdown, github, html, badge)")
            })?;
            if path == "-" {
                bail!("--report {r:?}: reports are files; use --format {f} to write to stdout");
            }
            let dest = destination::destination(&PathBuf::from(path), "--report")?;
            Ok((format, dest))
        })
        .collect()
}

pub(crate) fn render(
    report: &Report,
    format: Format,
    style: human::Style,
    capture_sha: Option<&str>,
) -> Result<String> {
    Ok(match format {
        Format::Human => human::render(report, &style),
        Format::Json => json::render(report)?,
        Format::Junit => {
            junit::render(report).map_err(|e| anyhow::anyhow!("cannot write JUnit XML: {e}"))?
        }
        Format::Sarif => sarif::render(report)?,
        Format::Markdown => markdown::render(report),
        Format::Github => github::render(report),
        Format::Html => html::render(report, capture_sha),
        Format::Badge => authspec::report::badge::render(report),
    })
}

pub(crate) fn emit(
    report: &Report,
    out: &Output,
    targets: &[(Format, Destination)],
    capture_sha: Option<&str>,
) -> Result<u8> {
    for (format, dest) in targets {
        // A report file keeps every row: it is read later, not skimmed.
        let style = human::Style {
            verbose: true,
            ..human::Style::default()
        };
        destination::write(dest, &render(report, *format, style, capture_sha)?)?;
    }
    let style = human::Style {
        color: out.format == Format::Human
            && human::color_choice(out.color, std::io::stdout().is_terminal()),
        verbose: out.verbose,
        quiet: out.quiet,
    };
    let text = render(report, out.format, style, capture_sha)?;
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a non-zero exit of its own.
    let _ = stdout.write_all(text.as_bytes());
    Ok(report.verdict.exit_code() as u8)
}
