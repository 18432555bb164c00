//! GitHub Actions workflow commands: one annotation per failed or errored check.

use super::gate::Weight;
use super::{CheckResult, Report};
use crate::finding::Outcome;

/// Escapes a workflow-command message (RFC: `%`, CR and LF are encoded). Other control
/// characters (ESC, BEL) are shown escaped, so server text cannot colour or relink the log.
fn data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a workflow-command property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command for `r`, following the exit code (`gate::weight`): `error` for a row that
/// decides the verdict (failed, or a MUST not judged), `warning` for a SHOULD failure without
/// `--strict` or an error of a row that does not decide, `notice` for a consequence or a waived
/// failure, and nothing for a pass, a chosen skip or information (a MAY row).
fn command(r: &CheckResult, strict: bool) -> Option<&'static str> {
    use super::Standing;
    match super::gate::weight(r, strict) {
        Weight::Failure | Weight::Unjudged => return Some("error"),
        Weight::None => {}
    }
    match Standing::of(r) {
        Standing::Warn | Standing::Error | Standing::Fail => Some("warning"),
        Standing::Consequence | Standing::Waived => Some("notice"),
        _ => None,
    }
}

/// `file=…,line=…,col=…,` for a lint result with a position in the file judged.
fn location(report: &Report, r: &CheckResult) -> String {
    match (&report.input_file, &r.position) {
        (Some(file), Some(pos)) => format!(
            "file={},line={},col={},",
            property(file),
            pos.line,
            pos.column
        ),
        _ => String::new(),
    }
}

/// Renders one annotation a row that needs attention, then the expired waivers, then the verdict:
/// an `::error` when the run is red, a `::notice` when it is green.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.results {
        let Some(command) = command(r, report.strict) else {
            continue;
        };
        let mut msg = r.message.clone();
        if r.outcome == Outcome::Skip {
            msg = format!("not judged, input missing: {msg}");
        }
        if let Some(why) = super::attribution(r) {
            msg.push_str(&format!("\n{why}"));
        }
        if let (Some(e), Some(a)) = (&r.expected, &r.actual) {
            msg.push_str(&format!("\nexpected: {e}\nactual: {a}"));
        }
        msg.push_str(&format!("\nfix: {}", r.fix));
        msg.push_str(&format!(
            "\n{} {} ({})",
            r.spec,
            r.spec_url,
            r.requirements.join(", ")
        ));
        out.push_str(&format!(
            "::{command} {}title={}::{}\n",
            location(report, r),
            property(&format!("{} [{}]", r.id, r.level.as_str())),
            data(&msg)
        ));
    }
    for w in super::gate::expired(report) {
        out.push_str(&format!(
            "::error title={}::{}\n",
            property(&format!("waiver {} expired", w.id)),
            data(&super::gate::expired_line(w))
        ));
    }
    let s = &report.summary;
    let verdict_command = if report.verdict == super::Verdict::Pass {
        "notice"
    } else {
        "error"
    };
    out.push_str(&format!(
        "::{verdict_command} title=authspec verdict {}::{}\n",
        property(report.verdict.as_str()),
        data(&format!(
            "{} checks: {} passed, {} failed ({} must), {} skipped, {} errors; {} requests to {}",
            s.total, s.pass, s.fail, s.must_fail, s.skip, s.error, report.requests, report.target
        ))
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(data("\u{1b}[31m"), "\\u{1b}[31m");
        assert_eq!(property("prm.x: a,b"), "prm.x%3A a%2Cb");
    }
}
