//! One self-contained HTML page (no external assets) that a team can publish as self-certification.

use super::{CheckResult, Report, Verdict};
use std::fmt::Write;

/// Escapes text for HTML element content and attribute values.
/// Text and attribute-safe HTML; control characters other than line breaks and tabs (ESC, BEL,
/// NUL: HTML parse errors, and terminal sequences when the file is printed) are shown escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1b1f24}\
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}\
.badge{display:inline-block;padding:.2rem .7rem;border-radius:1rem;color:#fff;font-weight:600}.pass{background:#1a7f37}.fail{background:#cf222e}.incomplete{background:#9a6700}\
.o-pass{color:#1a7f37}.o-fail{color:#cf222e;font-weight:600}.o-warn{color:#9a6700;font-weight:600}.o-skip{color:#6e7781}.o-error{color:#8250df;font-weight:600}\
code{font-size:.9em}details{margin:.2rem 0}.meta td:first-child{color:#57606a;width:12rem}";

fn outcome_class(r: &CheckResult) -> (&'static str, &'static str) {
    let standing = super::Standing::of(r);
    let class = match standing {
        super::Standing::Pass => "o-pass",
        super::Standing::Fail => "o-fail",
        super::Standing::Warn | super::Standing::Waived => "o-warn",
        super::Standing::Error | super::Standing::NoInput => "o-error",
        super::Standing::Info | super::Standing::Consequence | super::Standing::Skip => "o-skip",
    };
    (class, standing.word())
}

fn row(out: &mut String, r: &CheckResult) {
    let (class, word) = outcome_class(r);
    let mut detail = esc(&r.message);
    if let Some(why) = super::attribution(r) {
        let _ = write!(detail, "<br><em>{}</em>", esc(&why));
    }
    if let Some(e) = &r.expected {
        let _ = write!(detail, "<br>expected: <code>{}</code>", esc(e));
    }
    if let Some(a) = &r.actual {
        let _ = write!(detail, "<br>actual: <code>{}</code>", esc(a));
    }
    if let Some(p) = r.place() {
        let _ = write!(detail, "<br>at <code>{}</code>", esc(&p));
    }
    let evidence: Vec<String> = r
        .evidence
        .iter()
        .map(|e| {
            format!(
                "{} {} → {}",
                esc(&e.method),
                esc(&e.url),
                e.status
                    .map_or_else(|| esc(e.error.as_deref().unwrap_or("")), |s| s.to_string())
            )
        })
        .collect();
    if !evidence.is_empty() {
        let _ = write!(
            detail,
            "<details><summary>evidence</summary>{}</details>",
            evidence.join("<br>")
        );
    }
    let _ = writeln!(
        out,
        "<tr><td class=\"{class}\">{word}</td><td><code>{}</code><br>{}</td><td>{}</td><td>{detail}</td><td><a href=\"{}\">{}</a><br><small>{}</small></td></tr>",
        esc(&r.id),
        esc(&r.title),
        r.level.as_str(),
        esc(&r.spec_url),
        esc(&r.spec),
        esc(&r.requirements.join(", "))
    );
}

/// The problems first: what failed, where (URL and member), the fix, and the spec sentence.
fn problems(out: &mut String, report: &Report) {
    let list: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| super::Standing::of(r).is_problem())
        .collect();
    if list.is_empty() {
        let _ = writeln!(out, "<h2>Problems</h2><p>None.</p>");
        return;
    }
    let _ = writeln!(
        out,
        "<h2>Problems ({})</h2><table><tr><th>outcome</th><th>check</th><th>what and where</th><th>fix</th><th>spec</th></tr>",
        list.len()
    );
    for r in list {
        let (class, word) = outcome_class(r);
        let mut what = esc(&r.message);
        if let Some(why) = super::attribution(r) {
            let _ = write!(what, "<br><em>{}</em>", esc(&why));
        }
        if let Some(e) = r.evidence.first() {
            let _ = write!(what, "<br><code>{} {}</code>", esc(&e.method), esc(&e.url));
        }
        if let Some(p) = r.place() {
            let _ = write!(what, " at <code>{}</code>", esc(&p));
        }
        if let (Some(e), Some(a)) = (&r.expected, &r.actual) {
            let _ = write!(
                what,
                "<br>expected <code>{}</code>, actual <code>{}</code>",
                esc(e),
                esc(a)
            );
        }
        let _ = writeln!(
            out,
            "<tr><td class=\"{class}\">{word}</td><td><code>{}</code> [{}]</td><td>{what}</td><td>{}</td><td><a href=\"{}\">{}</a><br><small>{}</small></td></tr>",
            esc(&r.id),
            r.level.as_str(),
            esc(&r.fix),
            esc(&r.spec_url),
            esc(&r.spec),
            esc(&r.requirements.join(", "))
        );
    }
    let _ = writeln!(out, "</table>");
}

fn chain_table(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "<table><tr><th></th><th>edge</th><th>URL</th><th>status</th><th>compared</th></tr>"
    );
    for e in &report.chain {
        let cmp = e
            .compared
            .as_ref()
            .map(|c| {
                format!(
                    "{}: {} (expected {})",
                    esc(&c.member),
                    esc(c.actual.as_deref().unwrap_or("absent")),
                    esc(&c.expected)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td class=\"{}\">{}</td><td>{} → {}</td><td>{}</td><td>{}</td><td>{cmp}</td></tr>",
            if e.ok { "o-pass" } else { "o-fail" },
            if e.ok { "ok" } else { "broken" },
            esc(&e.from),
            esc(&e.to),
            esc(&e.url),
            e.status.map_or("—".into(), |s| s.to_string())
        );
    }
    let _ = writeln!(out, "</table>");
}

/// The chain as one connected diagram, drawn inline so the page needs no script or asset: each
/// node once, in columns by distance from where discovery starts, each edge an arrow.
pub fn chain_svg(chain: &[super::Edge]) -> String {
    let mut nodes: Vec<(String, usize)> = Vec::new();
    for e in chain {
        if !nodes.iter().any(|(n, _)| *n == e.from) {
            nodes.push((e.from.clone(), 0));
        }
        let depth = nodes
            .iter()
            .find(|(n, _)| *n == e.from)
            .map_or(0, |(_, d)| d + 1);
        match nodes.iter_mut().find(|(n, _)| *n == e.to) {
            Some((_, d)) => *d = (*d).max(depth),
            None => nodes.push((e.to.clone(), depth)),
        }
    }
    let (w, h, gap_x, gap_y) = (230, 34, 60, 18);
    let mut rows_in: Vec<usize> = Vec::new();
    let mut place = Vec::new();
    for (name, d) in &nodes {
        if rows_in.len() <= *d {
            rows_in.resize(d + 1, 0);
        }
        place.push((name.clone(), *d, rows_in[*d]));
        rows_in[*d] += 1;
    }
    let at = |name: &str| {
        place
            .iter()
            .find(|(n, _, _)| n == name)
            .map_or((0, 0), |(_, d, r)| {
                (d * (w + gap_x) + 10, r * (h + gap_y) + 10)
            })
    };
    let width = rows_in.len() * (w + gap_x) + 20;
    let height = rows_in.iter().max().copied().unwrap_or(1) * (h + gap_y) + 20;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chain\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"discovery chain\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#57606a\"/></marker></defs>"
    );
    for e in chain {
        let ((x1, y1), (x2, y2)) = (at(&e.from), at(&e.to));
        let color = if e.ok { "#1a7f37" } else { "#cf222e" };
        let _ = write!(
            svg,
            "<line class=\"edge\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{color}\" stroke-width=\"2\" marker-end=\"url(#arrow)\"><title>{} → {}: {}</title></line>",
            x1 + w,
            y1 + h / 2,
            x2,
            y2 + h / 2,
            esc(&e.from),
            esc(&e.to),
            esc(&e.url)
        );
    }
    for (name, _, _) in &place {
        let (x, y) = at(name);
        let label: String = name.chars().take(34).collect();
        let _ = write!(
            svg,
            "<g class=\"node\"><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"6\" fill=\"#f6f8fa\" stroke=\"#8c959f\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text></g>",
            x + w / 2,
            y + h / 2 + 4,
            esc(&label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// What the run changed at the target (`--allow-side-effects`): a reviewer of a shared report
/// sees the clients left behind and the tokens not revoked, as the human output lists them.
fn side_effects(out: &mut String, report: &Report) {
    if report.side_effects.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2>Side effects at the target</h2><ul>");
    for line in super::side_effects::lines(&report.side_effects) {
        let _ = writeln!(out, "<li>{}</li>", esc(&line));
    }
    let _ = writeln!(out, "</ul>");
}

/// Renders `report` as a standalone HTML page; `capture_sha256` names the evidence it was judged from.
pub fn render(report: &Report, capture_sha256: Option<&str>) -> String {
    let mut out = String::new();
    let badge = match report.verdict {
        Verdict::Pass => "<span class=\"badge pass\">PASS</span>",
        Verdict::Fail => "<span class=\"badge fail\">FAIL</span>",
        Verdict::Incomplete => "<span class=\"badge incomplete\">INCOMPLETE</span>",
    };
    let s = &report.summary;
    let _ = writeln!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
    );
    let _ = writeln!(
        out,
        "<title>authspec: {}</title><style>{STYLE}</style></head><body>",
        esc(&report.target)
    );
    let _ = writeln!(
        out,
        "<h1>authspec conformance report {badge}</h1><table class=\"meta\">"
    );
    let meta = [
        ("target", report.target.clone()),
        ("profile", report.profile.as_str().to_string()),
        ("started", report.started_at.clone()),
        (
            "tool",
            format!("{} {}", report.tool.name, report.tool.version),
        ),
        (
            "requests",
            format!("{} (budget {})", report.requests, report.max_requests),
        ),
        (
            "summary",
            format!(
                "{} checks: {} passed, {} failed ({} must, {} should), {} skipped, {} errors",
                s.total, s.pass, s.fail, s.must_fail, s.should_fail, s.skip, s.error
            ),
        ),
        (
            "evidence",
            capture_sha256.map_or("not recorded (run with --capture)".to_string(), |h| {
                format!("capture SHA-256 {h}")
            }),
        ),
        (
            "environment",
            if report.non_production {
                "loopback http: not production evidence".into()
            } else {
                "https".into()
            },
        ),
    ];
    for (k, v) in meta {
        let _ = writeln!(out, "<tr><td>{k}</td><td>{}</td></tr>", esc(&v));
    }
    // What shaped the run, so a keyless PASS cannot pass for a full one.
    if let Some(flags) = &report.flags {
        let _ = writeln!(
            out,
            "<tr><td>flags</td><td>{}</td></tr>",
            esc(&flags.describe())
        );
    }
    if let Some(line) = super::coverage::line(&report.coverage) {
        let _ = writeln!(out, "<tr><td>coverage</td><td>{}</td></tr>", esc(&line));
    }
    let _ = writeln!(out, "</table>");
    problems(&mut out, report);
    side_effects(&mut out, report);
    if !report.chain.is_empty() {
        let _ = writeln!(out, "<h2>Discovery chain</h2>");
        out.push_str(&chain_svg(&report.chain));
        chain_table(&mut out, report);
    }
    let _ = writeln!(
        out,
        "<details><summary><h2 style=\"display:inline\">Every result</h2> ({} checks)</summary>",
        report.results.len()
    );
    for (area, rows) in report.by_area() {
        let _ = writeln!(
            out,
            "<h3>{} <small>({})</small></h3><table><tr><th>outcome</th><th>check</th><th>level</th><th>result</th><th>spec</th></tr>",
            esc(area.title()),
            area.slug()
        );
        for r in rows {
            row(&mut out, r);
        }
        let _ = writeln!(out, "</table>");
    }
    let _ = writeln!(out, "</details>");
    let _ = writeln!(out, "</body></html>");
    out
}
