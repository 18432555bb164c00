//! Per-check level overrides from `authspec.toml` (`[levels]`), applied to a judged report: the
//! rows get the configured level, the report lists each change, and the verdict is taken again.

use super::Report;
use crate::checks::Level;
use crate::finding::SkipKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One row whose level the configuration changed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LevelOverride {
    pub id: String,
    /// The catalogue's level under the run's profile.
    pub from: Level,
    /// The level the configuration gave it.
    pub to: Level,
}

/// Gives each row named by `levels` its configured level, then recounts and re-judges the verdict.
/// Rows the profile does not apply stay as they are. Apply before waivers (which re-judge too).
pub fn apply_levels(report: &mut Report, levels: &BTreeMap<String, Level>) {
    if levels.is_empty() {
        return;
    }
    for r in &mut report.results {
        if r.skip_kind == Some(SkipKind::NotApplied) {
            continue;
        }
        let Some(to) =
            crate::checks::find(&r.id).and_then(|c| crate::config::Config::level_for(levels, c))
        else {
            continue;
        };
        if to != r.level {
            report.level_overrides.push(LevelOverride {
                id: r.id.clone(),
                from: r.level,
                to,
            });
            r.level = to;
        }
    }
    report.summary = super::summarize(&report.results);
    report.verdict = super::verdict(&report.results, report.strict);
}
