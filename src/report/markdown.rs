//! Markdown for a GitHub job summary or a pull-request comment: verdict, failures, the chain.

use super::{CheckResult, Report, Verdict};
use crate::finding::Outcome;
use std::fmt::Write;

/// Table-safe text: pipes and newlines would break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Mermaid node id for a chain node (ids may not start with a digit, as `401` would).
fn mermaid_id(s: &str) -> String {
    let id: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("n_{id}")
}

/// A row's word, following the exit code: a SHOULD failure under `--strict` is a FAIL.
fn word(r: &CheckResult, strict: bool) -> &'static str {
    match super::gate::weight(r, strict) {
        super::gate::Weight::Failure => "FAIL",
        _ => super::Standing::of(r).word(),
    }
}

/// For a red run, what made it red, by id (details are in the problems table below); nothing
/// for a green one.
fn why_red(out: &mut String, report: &Report) {
    if report.verdict == Verdict::Pass {
        return;
    }
    let _ = writeln!(out, "### Why this job is red\n");
    for w in super::gate::expired(report) {
        let _ = writeln!(
            out,
            "- waiver for `{}` expired on {} ({}): renew it or fix what it waived",
            w.id,
            w.expires,
            cell(&w.reason)
        );
    }
    for r in &report.results {
        let what = match super::gate::weight(r, report.strict) {
            super::gate::Weight::Failure => "failed",
            super::gate::Weight::Unjudged => "could not be judged (the run is incomplete)",
            super::gate::Weight::None => continue,
        };
        let _ = writeln!(out, "- `{}` [{}] {what}", r.id, r.level.as_str());
    }
    out.push('\n');
}

/// Renders `report` as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let badge = match report.verdict {
        Verdict::Pass => "✅ PASS",
        Verdict::Fail => "❌ FAIL",
        Verdict::Incomplete => "⚠️ INCOMPLETE",
    };
    let s = &report.summary;
    let _ = writeln!(out, "## authspec: {badge}\n");
    let _ = writeln!(
        out,
        "`{}` · profile `{}` · authspec {} · {} requests · {} ms{}\n",
        report.target,
        report.profile.as_str(),
        report.tool.version,
        report.requests,
        report.duration_ms,
        if report.non_production {
            " · loopback http (not production evidence)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "| checks | passed | failed (must) | failed (should) | skipped | errors |\n|---:|---:|---:|---:|---:|---:|"
    );
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |\n",
        s.total, s.pass, s.must_fail, s.should_fail, s.skip, s.error
    );
    why_red(&mut out, report);
    let problems: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| super::Standing::of(r).is_problem())
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(
            out,
            "### Problems\n\n| check | level | outcome | what | expected | actual | fix | spec |\n|---|---|---|---|---|---|---|---|"
        );
        for r in problems {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | {} | [{}]({}) {} |",
                r.id,
                r.level.as_str(),
                r.waived.as_ref().map_or_else(
                    || word(r, report.strict).to_string(),
                    |w| format!("waived: {}", cell(w))
                ),
                cell(&{
                    let what = r
                        .place()
                        .map_or_else(|| r.message.clone(), |p| format!("{} — at {p}", r.message));
                    match super::attribution(r) {
                        Some(why) => format!("{what} ({why})"),
                        None => what,
                    }
                }),
                cell(r.expected.as_deref().unwrap_or("")),
                cell(r.actual.as_deref().unwrap_or("")),
                cell(&r.fix),
                cell(&r.spec),
                r.spec_url,
                r.requirements.join(", ")
            );
        }
        out.push('\n');
    }
    if !report.chain.is_empty() {
        let _ = writeln!(out, "### Discovery chain\n\n```mermaid\nflowchart LR");
        // Each node once, so the diagram is one connected graph.
        let mut declared: Vec<&str> = Vec::new();
        for e in &report.chain {
            for n in [e.from.as_str(), e.to.as_str()] {
                if !declared.contains(&n) {
                    declared.push(n);
                    let _ = writeln!(out, "  {}[\"{}\"]", mermaid_id(n), n.replace('"', "'"));
                }
            }
        }
        for e in &report.chain {
            let label = format!(
                "{} {}",
                e.status.map_or("—".to_string(), |s| s.to_string()),
                if e.ok { "ok" } else { "BROKEN" }
            );
            let _ = writeln!(
                out,
                "  {} -->|{}| {}",
                mermaid_id(&e.from),
                label,
                mermaid_id(&e.to)
            );
        }
        let _ = writeln!(out, "```\n");
    }
    let passes: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Pass)
        .collect();
    let _ = writeln!(
        out,
        "<details><summary>{} passed checks</summary>\n\n| check | level | result |\n|---|---|---|",
        passes.len()
    );
    for r in passes {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            r.id,
            r.level.as_str(),
            cell(&r.message)
        );
    }
    let _ = writeln!(out, "\n</details>");
    out
}
