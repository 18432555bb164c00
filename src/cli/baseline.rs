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
    let text = with_waivers(&existing, &ids, &a.reason, &a.expires);
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

/// `existing` with one `[[waiver]]` table per id appended: tables apart by one blank line, none
/// before the first in an empty file, and the file ends with a newline.
fn with_waivers(
    existing: &str,
    ids: &[&str],
    reason: &str,
    expires: &toml::value::Datetime,
) -> String {
    let mut text = existing.to_string();
    for id in ids {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        if !text.is_empty() && !text.ends_with("\n\n") {
            text.push('\n');
        }
        text.push_str(&format!(
            "[[waiver]]\nid = {}\nreason = {}\nexpires = {expires}\n",
            toml::Value::String(id.to_string()),
            toml::Value::String(reason.to_string()),
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waivers_start_without_a_blank_line_and_end_with_a_newline() {
        let date: toml::value::Datetime = "2099-01-01".parse().expect("date");
        let fresh = with_waivers("", &["a.b", "c.d"], "r", &date);
        assert!(fresh.starts_with("[[waiver]]"), "{fresh}");
        assert!(fresh.ends_with("2099-01-01\n"), "{fresh}");
        assert!(fresh.contains("2099-01-01\n\n[[waiver]]"), "{fresh}");
        let after = with_waivers("strict = false", &["a.b"], "r", &date);
        assert_eq!(
            after,
            "strict = false\n\n[[waiver]]\nid = \"a.b\"\nreason = \"r\"\nexpires = 2099-01-01\n"
        );
        assert_eq!(with_waivers("x = 1\n", &[], "r", &date), "x = 1\n");
    }
}
