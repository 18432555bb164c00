//! `authspec.toml`: a run's settings and its waivers, read strictly (unknown keys are errors).

use crate::checks::Level;
use crate::profile::Profile;
use serde::{Deserialize, Serialize};

/// The configuration file's contents. Flags given on the command line override these.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The resource URL to check.
    pub target: Option<String>,
    /// Protected endpoints, `METHOD /path`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
    pub profile: Option<Profile>,
    pub site: Option<String>,
    pub openapi: Option<String>,
    pub strict: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
    /// Accepted failures, each with a reason and an expiry date.
    #[serde(default, rename = "waiver", skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<Waiver>,
    /// Per-check level overrides: a pattern as `--only` takes it (check id, area, requirement ID,
    /// glob) and the level its rows get. A MUST is never lowered: that is a waiver's job.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub levels: std::collections::BTreeMap<String, Level>,
}

/// An accepted failure: reported as waived, not hidden, until it expires.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// A check id (`prm.resource-match`) or a requirement ID (`PRM-RESOURCE-MATCH`).
    pub id: String,
    pub reason: String,
    /// Last day the waiver holds, `YYYY-MM-DD`.
    pub expires: toml::value::Datetime,
}

impl Waiver {
    /// The expiry as `YYYY-MM-DD`, comparable as text with another date of that form.
    pub fn expiry(&self) -> String {
        self.expires.date.map_or_else(
            || self.expires.to_string(),
            |d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
        )
    }
}

/// Why a configuration file is refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

impl Config {
    /// Parses `text` (read from `file`, named in errors with the line of the problem).
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let msg = e.message().trim().replace('\n', " ");
            ConfigError::Invalid {
                file: file.to_string(),
                message: line.map_or(msg.clone(), |l| format!("line {l}: {msg}")),
            }
        })?;
        for w in &cfg.waivers {
            if w.expires.date.is_none() || w.reason.trim().is_empty() {
                return Err(ConfigError::Invalid {
                    file: file.to_string(),
                    message: format!(
                        "waiver for {:?} needs a reason and an expires date (YYYY-MM-DD)",
                        w.id
                    ),
                });
            }
            // A waiver for an id nothing reports would waive nothing forever: a typo, not stale.
            let known = crate::checks::catalogue()
                .any(|c| c.id == w.id || c.requirements.contains(&w.id.as_str()));
            if !known {
                return Err(ConfigError::Invalid {
                    file: file.to_string(),
                    message: format!(
                        "waiver id {:?} is neither a check id nor a requirement ID (see authspec list)",
                        w.id
                    ),
                });
            }
        }
        check_levels(&cfg.levels, file)?;
        Ok(cfg)
    }

    /// The level `id` gets from `levels`, when a pattern names it; the first pattern in sorted
    /// order that matches (overlapping patterns must agree, which `parse` makes sure of).
    pub fn level_for(
        levels: &std::collections::BTreeMap<String, Level>,
        check: &crate::checks::Check,
    ) -> Option<Level> {
        levels
            .iter()
            .find(|(p, _)| pattern(p).includes(check))
            .map(|(_, l)| *l)
    }

    /// The merged configuration as TOML, for `--print-config`.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

fn pattern(p: &str) -> crate::select::Selection {
    crate::select::Selection {
        only: vec![p.to_string()],
        skip: Vec::new(),
    }
}

/// Each pattern names a check; no check gets two levels; no MUST (under any profile) is lowered.
fn check_levels(
    levels: &std::collections::BTreeMap<String, Level>,
    file: &str,
) -> Result<(), ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        file: file.to_string(),
        message,
    };
    for (p, level) in levels {
        let hits: Vec<&crate::checks::Check> = crate::checks::catalogue()
            .filter(|c| pattern(p).includes(c))
            .collect();
        if hits.is_empty() {
            return Err(invalid(format!(
                "levels: {p:?} matches no check id, area or requirement ID (see authspec list)"
            )));
        }
        for c in hits {
            let must = [Profile::AuthMd, Profile::Rfc, Profile::Mcp]
                .iter()
                .any(|pr| c.levels.get(*pr) == Some(Level::Must));
            if must && *level != Level::Must {
                return Err(invalid(format!(
                    "levels: {p:?} would lower the MUST {} to {}; accept a failing MUST with a [[waiver]] (a reason and an expiry) instead",
                    c.id,
                    level.as_str()
                )));
            }
            if let Some((q, other)) = levels
                .iter()
                .find(|(q, l)| *q != p && *l != level && pattern(q).includes(c))
            {
                return Err(invalid(format!(
                    "levels: {p:?} ({}) and {q:?} ({}) both name {}; give it one level",
                    level.as_str(),
                    other.as_str(),
                    c.id
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_settings_and_waivers() {
        let c = Config::parse(
            "target = \"https://api.example.com\"\nprofile = \"rfc\"\nendpoints = [\"POST /v1/x\"]\n\n[[waiver]]\nid = \"jwks.kid-present\"\nreason = \"rotating keys next sprint\"\nexpires = 2027-01-31\n",
            "authspec.toml",
        )
        .unwrap();
        assert_eq!(c.profile, Some(Profile::Rfc));
        assert_eq!(c.waivers[0].expiry(), "2027-01-31");
        assert!(c.to_toml().contains("[[waiver]]"));
    }

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let e = Config::parse("target = \"https://a\"\ntimout = 3\n", "authspec.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("authspec.toml") && e.contains("line 2") && e.contains("timout"),
            "{e}"
        );
        let e = Config::parse(
            "[[waiver]]\nid = \"x\"\nreason = \"\"\nexpires = 2027-01-01\n",
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("needs a reason"), "{e}");
    }

    #[test]
    fn levels_raise_or_lower_shoulds_and_never_lower_a_must() {
        let c = Config::parse("[levels]\n\"asm.rs256\" = \"must\"\n", "authspec.toml")
            .expect("a SHOULD raised to MUST");
        let rs256 = crate::checks::find("asm.rs256").expect("row");
        assert_eq!(Config::level_for(&c.levels, rs256), Some(Level::Must));
        let e = Config::parse(
            "[levels]\n\"prm.resource-match\" = \"should\"\n",
            "authspec.toml",
        )
        .expect_err("a MUST is not lowered");
        assert!(e.to_string().contains("[[waiver]]"), "{e}");
        let e = Config::parse("[levels]\n\"nosuch.*\" = \"may\"\n", "authspec.toml")
            .expect_err("unknown pattern");
        assert!(e.to_string().contains("matches no check"), "{e}");
        let e = Config::parse(
            "[levels]\n\"asm.rs256\" = \"must\"\n\"ASM-RS256\" = \"may\"\n",
            "authspec.toml",
        )
        .expect_err("two levels for one row");
        assert!(e.to_string().contains("give it one level"), "{e}");
    }
}
