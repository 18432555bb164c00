//! Why a job is red: the rows and waivers that decide the exit code, one rule every format reads,
//! so a green run shows nothing red and a red one always says why.

use super::{CheckResult, Report, Verdict, WaiverStatus};
use crate::checks::Level;
use crate::finding::{Outcome, SkipKind};

/// How a result weighs on the exit code of its run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// It failed and decides the verdict: a MUST, or a SHOULD with `--strict`.
    Failure,
    /// It decides the verdict but could not be judged (error, or its input never arrived).
    Unjudged,
    /// Anything else: a pass, a warning without `--strict`, info, a waiver, a consequence, a skip.
    None,
}

/// Whether a row's level decides the verdict (the rule of [`super::verdict`]).
pub fn decisive(r: &CheckResult, strict: bool) -> bool {
    r.waived.is_none()
        && !r.is_consequence()
        && (r.level == Level::Must || (strict && r.level == Level::Should))
}

/// How `r` weighs on the exit code of a run with `strict`.
pub fn weight(r: &CheckResult, strict: bool) -> Weight {
    if !decisive(r, strict) {
        return Weight::None;
    }
    match (r.outcome, r.skip_kind) {
        (Outcome::Fail, _) => Weight::Failure,
        (Outcome::Error, _) | (Outcome::Skip, Some(SkipKind::NoInput)) => Weight::Unjudged,
        _ => Weight::None,
    }
}

/// The waivers whose expiry fails the run by itself.
pub fn expired(report: &Report) -> impl Iterator<Item = &WaiverStatus> {
    report.waivers.iter().filter(|w| w.status == "expired")
}

/// One sentence for an expired waiver.
pub fn expired_line(w: &WaiverStatus) -> String {
    format!(
        "the waiver for {} expired on {} ({}): renew it or fix what it waived",
        w.id, w.expires, w.reason
    )
}

/// Every reason the run is not green, one line each; empty for a pass.
pub fn reasons(report: &Report) -> Vec<String> {
    if report.verdict == Verdict::Pass {
        return Vec::new();
    }
    let mut out: Vec<String> = expired(report).map(expired_line).collect();
    for r in &report.results {
        match weight(r, report.strict) {
            Weight::Failure => out.push(format!(
                "{} failed [{}]: {}",
                r.id,
                r.level.as_str(),
                r.message
            )),
            Weight::Unjudged => out.push(format!(
                "{} could not be judged [{}]: {}",
                r.id,
                r.level.as_str(),
                r.message
            )),
            Weight::None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Area;

    fn row(level: Level, outcome: Outcome, skip: Option<SkipKind>) -> CheckResult {
        CheckResult {
            id: "prm.x".into(),
            area: Area::Prm,
            title: String::new(),
            level,
            outcome,
            skip_kind: skip,
            requirements: Vec::new(),
            spec: String::new(),
            spec_url: String::new(),
            fix: String::new(),
            message: "m".into(),
            expected: None,
            actual: None,
            pointer: None,
            position: None,
            evidence: Vec::new(),
            details: Vec::new(),
            waived: None,
            consequence_of: None,
            alternative: None,
        }
    }

    #[test]
    fn should_weighs_only_with_strict_and_missing_input_is_unjudged() {
        let warn = row(Level::Should, Outcome::Fail, None);
        assert_eq!(weight(&warn, false), Weight::None);
        assert_eq!(weight(&warn, true), Weight::Failure);
        let missing = row(Level::Must, Outcome::Skip, Some(SkipKind::NoInput));
        assert_eq!(weight(&missing, false), Weight::Unjudged);
        let chosen = row(Level::Must, Outcome::Skip, Some(SkipKind::Chosen));
        assert_eq!(weight(&chosen, false), Weight::None);
        let mut waived = row(Level::Must, Outcome::Fail, None);
        waived.waived = Some("r".into());
        assert_eq!(weight(&waived, false), Weight::None);
    }
}
