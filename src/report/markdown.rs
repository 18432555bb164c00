//! Markdown for a GitHub job summary or a pull-request comment: verdict, failures, the chain.

use super::{CheckResult, Report, Verdict};
use crate::finding::Outcome;
use std::fmt::Write;

/// Server text as inline Markdown that stays text: HTML (tags, comment openers) is written as
/// entities, Markdown punctuation (code spans, links, emphasis, math, mentions, table pipes) is
/// backslash-escaped, CR and LF become spaces so a table row stays one line, and other control
/// characters (ESC, BEL: terminal and OSC 8 sequences) are shown escaped, never written raw.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '$' | '|' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// `s` as one code span: its fence is longer than any run of backticks inside, so nothing closes
/// it early; line breaks and control characters are shown escaped.
fn code(s: &str) -> String {
    let mut body = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            body.extend(c.escape_default());
        } else {
            body.push(c);
        }
    }
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space between it and the fence.
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A Mermaid node label: anything but plain URL characters is written as a Mermaid entity
/// (`#60;`), so a label can neither close its quotes, open markup nor end the code fence.
fn mermaid_label(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " ./:-_()?=,@".contains(c) {
                c.to_string()
            } else {
                format!("#{};", u32::from(c))
            }
        })
        .collect()
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
        "{} · profile `{}` · authspec {} · {} requests · {} ms{}\n",
        code(&report.target),
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
    if !report.side_effects.is_empty() {
        let _ = writeln!(out, "### Side effects at the target\n");
        for line in super::side_effects::lines(&report.side_effects) {
            let _ = writeln!(out, "- {}", cell(&line));
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
                    let _ = writeln!(out, "  {}[\"{}\"]", mermaid_id(n), mermaid_label(n));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_server_text_as_text() {
        assert_eq!(
            cell("<img src=x> <!-- a|b `c`\r\n\u{1b}[31m"),
            "&lt;img src=x&gt; &lt;!-- a\\|b \\`c\\`  \\u{1b}\\[31m"
        );
        assert_eq!(cell("[x](http://e) @team"), "\\[x\\](http://e) \\@team");
    }

    #[test]
    fn code_spans_outlast_the_backticks_inside() {
        assert_eq!(code("http://a/"), "`http://a/`");
        assert_eq!(code("a``b"), "```a``b```");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a\nb"), "`a\\nb`");
    }

    #[test]
    fn mermaid_labels_are_entities_beyond_url_characters() {
        assert_eq!(mermaid_label("asm(http://a/b)"), "asm(http://a/b)");
        assert_eq!(mermaid_label("a\"]\n```"), "a#34;#93;#10;#96;#96;#96;");
    }
}
