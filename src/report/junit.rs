//! JUnit XML: one testsuite per area, one testcase per result, for CI test-report readers.

use super::{CheckResult, Report};
use crate::finding::{Outcome, SkipKind};
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

fn describe(r: &CheckResult) -> String {
    let mut out = r.message.clone();
    if let Some(e) = &r.expected {
        out.push_str(&format!("\nexpected: {e}"));
    }
    if let Some(a) = &r.actual {
        out.push_str(&format!("\nactual:   {a}"));
    }
    if let Some(p) = r.place() {
        out.push_str(&format!("\nat:       {p}"));
    }
    for e in &r.evidence {
        out.push_str(&format!(
            "\n--> {} {} -> {}",
            e.method,
            e.url,
            e.status
                .map_or_else(|| e.error.clone().unwrap_or_default(), |s| s.to_string())
        ));
    }
    out.push_str(&format!(
        "\nfix:      {}\n{} [{}] {}",
        r.fix,
        r.spec,
        r.requirements.join(", "),
        r.spec_url
    ));
    out
}

/// A testcase's colour follows the run's exit code (`gate::weight`): only a row that decides the
/// verdict is a failure or an error; a warning without `--strict` is a skipped test of type
/// `warning`, never a red one.
fn case(r: &CheckResult, strict: bool) -> TestCase {
    let weight = super::gate::weight(r, strict);
    let status = match r.outcome {
        _ if r.waived.is_some() => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!(
                "waived: {} ({})",
                r.waived.as_deref().unwrap_or(""),
                r.message
            ))
            .set_type("waived")
            .set_description(describe(r));
            s
        }
        Outcome::Pass => TestCaseStatus::success(),
        // Information is not a failed test: a green gate must not show a red row.
        Outcome::Fail if super::Standing::of(r) == super::Standing::Info => {
            TestCaseStatus::success()
        }
        // A consequence is shown, not counted: the failure it follows from is the red row.
        Outcome::Fail if r.is_consequence() => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(super::attribution(r).unwrap_or_default())
                .set_type("consequence")
                .set_description(describe(r));
            s
        }
        // A warning (SHOULD without --strict) or an error of a row that does not decide the
        // verdict: shown, yellow, never a red test in a green job.
        Outcome::Fail | Outcome::Error if weight == super::gate::Weight::None => {
            let word = if r.outcome == Outcome::Fail {
                "warning"
            } else {
                "error"
            };
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!(
                "{word} [{}], does not decide the verdict{}: {}",
                r.level.as_str(),
                if r.level == crate::checks::Level::Should {
                    " without --strict"
                } else {
                    ""
                },
                r.message
            ))
            .set_type(word)
            .set_description(describe(r));
            s
        }
        Outcome::Fail | Outcome::Error => {
            let kind = if r.outcome == Outcome::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_message(format!("[{}] {}", r.level.as_str(), r.message))
                .set_type(r.level.as_str())
                .set_description(describe(r));
            s
        }
        // A MUST whose input never arrived leaves the run incomplete (exit 3): an error.
        Outcome::Skip if weight == super::gate::Weight::Unjudged => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(format!(
                "[{}] not judged, input missing: {}",
                r.level.as_str(),
                r.message
            ))
            .set_type("input missing")
            .set_description(describe(r));
            s
        }
        Outcome::Skip => {
            let mut s = TestCaseStatus::skipped();
            let kind = if r.skip_kind == Some(SkipKind::NoInput) {
                "input missing"
            } else {
                "skipped"
            };
            s.set_message(format!("{kind}: {}", r.message))
                .set_type(kind);
            s
        }
    };
    let info = super::Standing::of(r) == super::Standing::Info;
    let mut c = TestCase::new(r.id.clone(), status);
    c.set_classname(r.area.slug());
    if info {
        c.set_system_out(format!("info: {}", describe(r)));
    }
    c
}

/// Renders `report` as JUnit XML.
pub fn render(report: &Report) -> Result<String, quick_junit::SerializeError> {
    let mut out = quick_junit::Report::new(format!("authspec {}", report.target));
    out.set_time(std::time::Duration::from_millis(report.duration_ms));
    for (area, rows) in report.by_area() {
        let mut suite = TestSuite::new(area.slug());
        // Readers show suite properties beside the results: what was judged, how, and the verdict.
        suite.add_properties([
            quick_junit::Property::new("target", report.target.as_str()),
            quick_junit::Property::new("profile", report.profile.as_str()),
            quick_junit::Property::new("verdict", report.verdict.as_str()),
            quick_junit::Property::new("authspec", report.tool.version.as_str()),
        ]);
        suite.add_test_cases(rows.into_iter().map(|r| case(r, report.strict)));
        out.add_test_suite(suite);
    }
    // An expired waiver fails the run by itself: it gets a red test of its own.
    let expired: Vec<TestCase> = super::gate::expired(report)
        .map(|w| {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(super::gate::expired_line(w))
                .set_type("waiver expired");
            let mut c = TestCase::new(format!("waiver {}", w.id), s);
            c.set_classname("waivers");
            c
        })
        .collect();
    if !expired.is_empty() {
        let mut suite = TestSuite::new("waivers");
        suite.add_test_cases(expired);
        out.add_test_suite(suite);
    }
    out.to_string()
}
