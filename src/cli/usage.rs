//! Usage errors as one line: clap's message condensed, and library errors passed on.

use super::Cli;
use authspec::run::RunError;

/// clap's message as one line that keeps its useful part: the first line, then the missing
/// arguments, the valid values or the suggestion it offers, and the subcommand's --help.
pub(crate) fn usage_line(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut out = lines
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .trim_end_matches(':')
        .to_string();
    use clap::CommandFactory;
    let sub = std::env::args()
        .nth(1)
        .filter(|a| Cli::command().get_subcommands().any(|s| s.get_name() == a));
    let mut help = sub.map_or("authspec --help".to_string(), |s| {
        format!("authspec {s} --help")
    });
    for l in lines {
        if let Some(usage) = l.strip_prefix("Usage: ") {
            // "Usage: authspec lint [OPTIONS] ..." names the subcommand whose --help to read.
            let words: Vec<&str> = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            help = format!("{} --help", words.join(" "));
        } else if l.starts_with("For more information") {
        } else if let Some(tip) = l.strip_prefix("tip: ") {
            out.push_str(&format!("; {tip}"));
        } else {
            out.push_str(&format!(" {l}"));
        }
    }
    format!("{out} (see {help})")
}

pub(crate) fn usage(e: RunError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}
