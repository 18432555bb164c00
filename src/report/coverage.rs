//! What shaped a run and what it left unjudged: the flags given, and the rows that named a flag
//! they needed, read from the rows' own skip reasons (no second list to drift from the judges).

use super::CheckResult;
use crate::finding::{Outcome, SkipKind};
use crate::profile::McpVersion;
use serde::{Deserialize, Serialize};

/// The inputs that shaped a live run (never the key itself): a keyless PASS must not read as a
/// full one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RunFlags {
    pub api_key: bool,
    /// The credential came from `--token` (`AUTHSPEC_TOKEN`) rather than `--api-key`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub token: bool,
    pub burst: bool,
    pub allow_side_effects: bool,
    pub revocable_key: bool,
    pub low_scope_key: bool,
    pub probe_query_key: bool,
    /// The MCP version judged against (profile `mcp` only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mcp_version: Option<McpVersion>,
}

impl RunFlags {
    /// The flags (as typed on the command line) this run was given.
    pub fn given(&self) -> Vec<&'static str> {
        [
            (self.api_key && !self.token, "--api-key"),
            (self.token, "--token"),
            (self.burst, "--burst"),
            (self.allow_side_effects, "--allow-side-effects"),
            (self.revocable_key, "--revocable-key"),
            (self.low_scope_key, "--low-scope-key"),
            (self.probe_query_key, "--probe-query-key"),
        ]
        .into_iter()
        .filter_map(|(on, flag)| on.then_some(flag))
        .collect()
    }
}

impl RunFlags {
    /// `api key: given · burst: no · side effects: no · ...` for a report's header.
    pub fn describe(&self) -> String {
        let yn = |b: bool| if b { "yes" } else { "no" };
        let mut s = format!(
            "api key: {} · burst: {} · side effects: {} · revocable key: {} · low-scope key: {} · query-key probe: {}",
            if self.api_key { "given" } else { "none" },
            yn(self.burst),
            yn(self.allow_side_effects),
            yn(self.revocable_key),
            yn(self.low_scope_key),
            yn(self.probe_query_key)
        );
        if let Some(v) = self.mcp_version {
            s.push_str(&format!(" · MCP {}", v.as_str()));
        }
        s
    }
}

/// Rows left unjudged because a flag was not given.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Coverage {
    pub flag: String,
    pub rows: usize,
}

/// For each flag a skipped row's message names (`needs --api-key`), and that the run was not
/// given, how many rows named it; most first, then by flag.
pub fn unjudged(results: &[CheckResult], given: &[&str]) -> Vec<Coverage> {
    let mut counts: Vec<Coverage> = Vec::new();
    let skipped = results
        .iter()
        .filter(|r| r.outcome == Outcome::Skip && r.skip_kind != Some(SkipKind::NotApplied));
    for r in skipped {
        let mut flags = flags_named(&r.message);
        flags.retain(|f| !given.contains(f));
        flags.dedup();
        for f in flags {
            match counts.iter_mut().find(|c| c.flag == f) {
                Some(c) => c.rows += 1,
                None => counts.push(Coverage {
                    flag: f.to_string(),
                    rows: 1,
                }),
            }
        }
    }
    counts.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.flag.cmp(&b.flag)));
    counts
}

/// `--flag-name` words in a message, in order.
fn flags_named(message: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for (i, _) in message.match_indices("--") {
        let rest = &message[i + 2..];
        let len = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
            .unwrap_or(rest.len());
        let word = &message[i..i + 2 + len];
        if len > 1 && !word.ends_with('-') && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// `18 rows need --api-key, 6 need --burst`; `None` when nothing was left for want of a flag.
pub fn line(coverage: &[Coverage]) -> Option<String> {
    let parts: Vec<String> = coverage
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let rows = match (i, c.rows) {
                (0, 1) => "1 row needs".to_string(),
                (0, n) => format!("{n} rows need"),
                (_, 1) => "1 needs".to_string(),
                (_, n) => format!("{n} need"),
            };
            format!("{rows} {}", c.flag)
        })
        .collect();
    (!parts.is_empty()).then(|| format!("not judged for want of a flag: {}", parts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_read_from_messages() {
        assert_eq!(
            flags_named("needs --burst (spends quota) and --api-key"),
            ["--burst", "--api-key"]
        );
        assert_eq!(
            flags_named("not probed: needs --allow-side-effects, --cimd-serve ADDR"),
            ["--allow-side-effects", "--cimd-serve"]
        );
        assert!(flags_named("a -- b").is_empty());
    }

    #[test]
    fn the_line_counts_rows_most_first() {
        let c = [
            Coverage {
                flag: "--api-key".into(),
                rows: 18,
            },
            Coverage {
                flag: "--burst".into(),
                rows: 6,
            },
        ];
        assert_eq!(
            line(&c).as_deref(),
            Some("not judged for want of a flag: 18 rows need --api-key, 6 need --burst")
        );
        assert_eq!(line(&[]), None);
    }
}
