//! `authspec baseline`: today's failures recorded as waivers in authspec.toml.

use super::check::{CheckArgs, run_check};
use super::destination;
use super::files::read_capped;
use super::values::parse_date;
use anyhow::{Context, Result};
use authspec::config::Config;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub(crate) struct BaselineArgs {
    #[command(flatten)]
    pub(crate) check: CheckArgs,
    /// Why today's failures are accepted for now; every waiver carries it.
    #[arg(long)]
    pub(crate) reason: String,
    /// Last day the waivers hold, YYYY-MM-DD (a waiver past it fails the run).
    #[arg(long, value_parser = parse_date)]
    pub(crate) expires: toml::value::Datetime,
}

/// `authspec baseline`: today's failures become waivers with a reason and an expiry, appended to
/// the configuration file, so a team gates on new failures from the first day.
pub(crate) async fn cmd_baseline(a: BaselineArgs) -> Result<u8> {
    let file = a
        .check
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("authspec.toml"));
    let dest = destination::destination(&file, "--config")?;
    let Some(c) = run_check(a.check, false).await? else {
        return Ok(0);
    };
    let r = &c.report;
    let ids: Vec<&str> = r
        .results
        .iter()
        .filter(|x| x.outcome == authspec::finding::Outcome::Fail)
        .filter(|x| x.waived.is_none() && !x.is_consequence())
        .filter(|x| x.level != authspec::checks::Level::May)
        .map(|x| x.id.as_str())
        .collect();
    let existing = if file.is_file() {
        String::from_utf8(read_capped(&file, 1 << 20)?)
            .with_context(|| format!("{} is not UTF-8", file.display()))?
    } else {
        String::new()
    };
    let mut text = existing.clone();
    for id in &ids {
        text.push_str(&format!(
            "\n[[waiver]]\nid = {}\nreason = {}\nexpires = {}\n",
            toml::Value::String(id.to_string()),
            toml::Value::String(a.reason.clone()),
            a.expires
        ));
    }
    // The result must still load: a baseline that breaks the configuration is worse than none.
    Config::parse(&text, &file.display().to_string())?;
    if text != existing {
        destination::write(&dest, &text)?;
    }
    eprintln!(
        "authspec baseline: {} waiver(s) written to {} (until {}); verdict of the run: {}{}",
        ids.len(),
        file.display(),
        a.expires,
        r.verdict.as_str(),
        if r.verdict == authspec::report::Verdict::Incomplete {
            " (some MUSTs could not be judged; they are not waived)"
        } else {
            ""
        }
    );
    Ok(0)
}
