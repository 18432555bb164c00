//! GitHub Actions workflow commands: one annotation per failed or errored check.

use super::Report;
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

/// Renders `::error` (MUST), `::warning` (SHOULD) and `::notice` (MAY) lines, then a summary notice.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for r in report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fail | Outcome::Error))
    {
        let command = match super::Standing::of(r) {
            super::Standing::Fail | super::Standing::Error => "error",
            super::Standing::Warn => "warning",
            _ => "notice",
        };
        let mut msg = r.message.clone();
        if let Some(why) = super::attribution(r) {
            msg.push_str(&format!("\n{why}"));
        }
        if let (Some(e), Some(a)) = (&r.expected, &r.actual) {
            msg.push_str(&format!("\nexpected: {e}\nactual: {a}"));
        }
        msg.push_str(&format!(
            "\n{} {} ({})",
            r.spec,
            r.spec_url,
            r.requirements.join(", ")
        ));
        out.push_str(&format!(
            "::{command} title={}::{}\n",
            property(&format!("{} [{}]", r.id, r.level.as_str())),
            data(&msg)
        ));
    }
    let s = &report.summary;
    out.push_str(&format!(
        "::notice title=authspec verdict {}::{}\n",
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
