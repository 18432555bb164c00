//! Terminal output: results grouped by area, Expected/Actual under failures, a one-line summary.

use super::gate::Weight;
use super::{CheckResult, Report, SourcePosition, Standing, Verdict};
use crate::checks::Level;
use crate::finding::{Outcome, SkipKind};
use std::fmt::Write;

/// Whether to colour and how much to say; decided by the caller (NO_COLOR, terminal or not, -v, -q).
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    /// Every row, passes and rows the profile does not apply included (`-v`).
    pub verbose: bool,
    /// Only the verdict line (`-q`).
    pub quiet: bool,
}

impl Style {
    /// Paints `s` with an SGR-style code (`1;31` bold red, `2` dim, ...) through `colored`.
    fn paint(&self, code: &str, s: &str) -> String {
        use colored::Colorize;
        if !self.color {
            return s.to_string();
        }
        // The caller decided colour (--color, NO_COLOR, a terminal); colored must not decide again.
        colored::control::set_override(true);
        let mut c = s.normal();
        for part in code.split(';') {
            c = match part {
                "1" => c.bold(),
                "2" => c.dimmed(),
                "31" => c.red(),
                "32" => c.green(),
                "33" => c.yellow(),
                "34" => c.blue(),
                "35" => c.magenta(),
                "36" => c.cyan(),
                _ => c,
            };
        }
        c.to_string()
    }
}

/// Decides colour the way command-line tools are expected to: NO_COLOR, TERM=dumb, not a terminal.
pub fn color_wanted(is_terminal: bool) -> bool {
    is_terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// When to colour, as `--color` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR force it on.
    #[default]
    Auto,
    Always,
    Never,
}

/// Decides colour: `--color always|never` wins; else NO_COLOR turns it off, CLICOLOR_FORCE or
/// FORCE_COLOR (set, not "0") turn it on, and otherwise a terminal that is not `TERM=dumb` gets it.
pub fn color_choice(choice: ColorChoice, is_terminal: bool) -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0");
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => false,
        ColorChoice::Auto if set("CLICOLOR_FORCE") || set("FORCE_COLOR") => true,
        ColorChoice::Auto => color_wanted(is_terminal),
    }
}

fn mark(r: &CheckResult, st: &Style) -> String {
    let standing = Standing::of(r);
    let code = match standing {
        Standing::Pass => "32",
        Standing::Fail => "1;31",
        Standing::Warn | Standing::Waived => "33",
        Standing::Info => "36",
        Standing::Consequence => "2;31",
        Standing::Error => "1;35",
        Standing::NoInput => "35",
        Standing::Skip => "2",
    };
    st.paint(code, &format!("{:<5}", standing.word()))
}

/// Renders the report for a terminal.
pub fn render(report: &Report, st: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} · {} {} · profile {}{}",
        report.tool.name,
        report.tool.version,
        report.mode_word(),
        report.target,
        report.profile.as_str(),
        if report.non_production {
            " · loopback http: not production evidence"
        } else {
            ""
        }
    );
    if st.quiet {
        return format!("{}\n", summary_line(report, st));
    }
    let mut unjudged: Vec<Unjudged> = Vec::new();
    for (area, rows) in report.by_area() {
        // Rows the profile does not apply are shown only when every row is asked for.
        let rows: Vec<&CheckResult> = rows
            .into_iter()
            .filter(|r| st.verbose || r.skip_kind != Some(SkipKind::NotApplied))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let heading = format!(
            "{} {}",
            st.paint("1", &format!("{} — {}", area.slug(), area.title())),
            st.paint("2", &area_counts(&rows))
        );
        let _ = writeln!(out, "{}{heading}", if st.verbose { "\n" } else { "" });
        for r in rows {
            if st.verbose {
                render_row(&mut out, r, report.input_file.as_deref(), st);
                continue;
            }
            match (Standing::of(r), stopped_by(r)) {
                (Standing::Error | Standing::NoInput, Some((cause, url))) => {
                    add_unjudged(&mut unjudged, cause, url, r)
                }
                (s, _) if s.is_problem() => {
                    render_row(&mut out, r, report.input_file.as_deref(), st)
                }
                _ => {}
            }
        }
    }
    if !unjudged.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            st.paint("1", "not judged: what stopped them (each cause once)")
        );
        for u in &unjudged {
            let _ = writeln!(
                out,
                "  {} {}",
                st.paint("1;35", "ERROR"),
                printable(&u.cause)
            );
            for url in &u.urls {
                let _ = writeln!(out, "        {} {url}", st.paint("34", "-->"));
            }
            let _ = writeln!(out, "        stopped: {}", u.ids.join(", "));
        }
    }
    let edges: Vec<&super::Edge> = report
        .chain
        .iter()
        .filter(|e| st.verbose || !e.ok)
        .collect();
    if !edges.is_empty() {
        let _ = writeln!(out, "\n{}", st.paint("1", "discovery chain"));
        for e in edges {
            let status = e.status.map_or("—".to_string(), |s| s.to_string());
            let mark = if e.ok {
                st.paint("32", "ok  ")
            } else {
                st.paint("31", "BROKEN")
            };
            let cmp = e
                .compared
                .as_ref()
                .map(|c| {
                    format!(
                        "  {} {} (expected {:?})",
                        c.member,
                        c.actual
                            .as_deref()
                            .map_or("absent".to_string(), |a| format!("{a:?}")),
                        c.expected
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {mark} {} -> {}  {} [{status}]{cmp}",
                printable(&e.from),
                printable(&e.to),
                printable(&e.url)
            );
        }
    }
    if !report.waivers.is_empty() {
        let _ = writeln!(out, "\n{}", st.paint("1", "waivers"));
        for w in &report.waivers {
            let status = match w.status.as_str() {
                "expired" => st.paint("1;31", "EXPIRED"),
                "stale" => st.paint("33", "stale  "),
                _ => st.paint("32", "applied"),
            };
            let _ = writeln!(
                out,
                "  {status} {} until {} ({}){}",
                w.id,
                w.expires,
                w.reason,
                if w.status == "stale" {
                    ": nothing fails under it any more; delete it and the baseline shrinks"
                        .to_string()
                } else if w.waived.is_empty() {
                    String::new()
                } else {
                    format!(": {}", w.waived.join(", "))
                }
            );
        }
    }
    if !report.level_overrides.is_empty() {
        let changed: Vec<String> = report
            .level_overrides
            .iter()
            .map(|o| format!("{} {} -> {}", o.id, o.from.as_str(), o.to.as_str()))
            .collect();
        let _ = writeln!(
            out,
            "\nlevels set by the configuration: {}",
            changed.join(", ")
        );
    }
    if let Some(recap) = recap(report, st) {
        let _ = writeln!(out, "\n{recap}");
    }
    if let Some(line) = super::coverage::line(&report.coverage) {
        let _ = writeln!(out, "{}", st.paint("2", &line));
    }
    if !report.side_effects.is_empty() {
        let _ = writeln!(out, "\nside effects at the target:");
        for line in super::side_effects::lines(&report.side_effects) {
            let _ = writeln!(out, "  {}", printable(&line));
        }
    }
    for hint in &report.hints {
        let _ = writeln!(out, "hint: {}", printable(hint));
    }
    let _ = writeln!(out, "{}", summary_line(report, st));
    out
}

/// Text from a server or a file as it may be printed to a terminal: control characters (escape
/// sequences, NUL, bells) are shown escaped, never written raw.
fn printable(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `12 pass · 1 FAIL · 3 skip` for an area's heading.
fn area_counts(rows: &[&CheckResult]) -> String {
    let mut counts: Vec<(Standing, usize)> = Vec::new();
    for r in rows {
        let s = Standing::of(r);
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    counts.sort_by_key(|(s, _)| *s as u8);
    counts
        .iter()
        .map(|(s, n)| format!("{n} {}", s.word()))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One cause that kept rows from being judged, the requests it hit, and the rows it stopped.
struct Unjudged {
    cause: String,
    urls: Vec<String>,
    ids: Vec<String>,
}

fn add_unjudged(list: &mut Vec<Unjudged>, cause: String, url: Option<String>, r: &CheckResult) {
    let i = match list.iter().position(|u| u.cause == cause) {
        Some(i) => i,
        None => {
            list.push(Unjudged {
                cause,
                urls: Vec::new(),
                ids: Vec::new(),
            });
            list.len() - 1
        }
    };
    let u = &mut list[i];
    if let Some(url) = url.filter(|u2| !u.urls.contains(u2)) {
        u.urls.push(url);
    }
    u.ids.push(r.id.clone());
}

/// The transport fault or tool limit that kept a row from being judged (the first exchange it
/// cites that got no answer, with that request), or, for a row whose input never arrived, that.
fn stopped_by(r: &CheckResult) -> Option<(String, Option<String>)> {
    if let Some(e) = r.evidence.iter().find(|e| e.error.is_some()) {
        return Some((
            e.error.clone().unwrap_or_default(),
            Some(format!("{} {}", e.method, e.url)),
        ));
    }
    // The row's own message is the real reason ("answered 404", "83 keyed requests did not
    // reach a 429"); the generic sentence is left for a row that says nothing.
    (r.skip_kind == Some(SkipKind::NoInput)).then(|| {
        let cause = match r.message.trim() {
            "" => "their input never arrived (it depends on a document above)".to_string(),
            m => m.to_string(),
        };
        let url = r
            .evidence
            .first()
            .map(|e| format!("{} {}", e.method, e.url));
        (cause, url)
    })
}

/// The problems next to the verdict: what failed and what was left unjudged, by id.
fn recap(report: &Report, st: &Style) -> Option<String> {
    let by = |want: &[Standing]| -> Vec<&str> {
        report
            .results
            .iter()
            .filter(|r| want.contains(&Standing::of(r)))
            .map(|r| r.id.as_str())
            .collect()
    };
    // FAIL and warn follow the exit code: with --strict a SHOULD failure is a FAIL.
    let weighs = |r: &&CheckResult| super::gate::weight(r, report.strict) == Weight::Failure;
    let failed: Vec<&str> = report
        .results
        .iter()
        .filter(weighs)
        .map(|r| r.id.as_str())
        .collect();
    let warned: Vec<&str> = report
        .results
        .iter()
        .filter(|r| Standing::of(r) == Standing::Warn && !weighs(r))
        .map(|r| r.id.as_str())
        .collect();
    let expired: Vec<&str> = super::gate::expired(report)
        .map(|w| w.id.as_str())
        .collect();
    let parts: Vec<String> = [
        ("1;31", "EXPIRED waiver", expired),
        ("1;31", "FAIL", failed),
        ("33", "warn", warned),
        (
            "1;35",
            "not judged",
            by(&[Standing::Error, Standing::NoInput]),
        ),
    ]
    .into_iter()
    .filter(|(_, _, ids)| !ids.is_empty())
    .map(|(code, word, ids)| {
        let shown = if ids.len() > 6 {
            format!("{} and {} more", ids[..6].join(", "), ids.len() - 6)
        } else {
            ids.join(", ")
        };
        format!("{} {shown}", st.paint(code, word))
    })
    .collect();
    (!parts.is_empty()).then(|| format!("problems: {}", parts.join(" · ")))
}

fn render_row(out: &mut String, r: &CheckResult, file: Option<&str>, st: &Style) {
    if let Some(reason) = &r.waived {
        let _ = writeln!(
            out,
            "  {} {:<34} {} {}",
            mark(r, st),
            r.id,
            r.title,
            st.paint("2", &format!("[{}]", r.level.as_str()))
        );
        let _ = writeln!(out, "        {} (waived: {reason})", printable(&r.message));
        return;
    }
    let problem = (r.outcome == Outcome::Fail && r.level != Level::May)
        || r.outcome == Outcome::Error
        || r.skip_kind == Some(SkipKind::NoInput);
    let level = st.paint("2", &format!("[{}]", r.level.as_str()));
    let _ = writeln!(out, "  {} {:<34} {} {}", mark(r, st), r.id, r.title, level);
    if let Some(why) = super::attribution(r) {
        let _ = writeln!(out, "        {}", st.paint("36", &why));
    }
    if !problem {
        if st.verbose || r.outcome != Outcome::Pass {
            let _ = writeln!(out, "        {}", st.paint("2", &printable(&r.message)));
        }
        return;
    }
    let _ = writeln!(out, "        {}", printable(&r.message));
    if let Some(file) = file {
        let place = r
            .position
            .as_ref()
            .map(|p| format!(":{}:{}", p.line, p.column))
            .unwrap_or_default();
        let at = r
            .pointer
            .as_deref()
            .map(|p| format!("  at {p}"))
            .unwrap_or_default();
        let _ = writeln!(out, "        {} {file}{place}{at}", st.paint("34", "-->"));
    }
    for e in r.evidence.iter().take(if file.is_some() { 0 } else { 3 }) {
        let status = e.status.map_or_else(
            || e.error.clone().unwrap_or_else(|| "no response".into()),
            |s| s.to_string(),
        );
        // The line and column belong to one exchange's body; the others get the pointer alone.
        let place = match &r.position {
            Some(pos) if pos.exchange != e.id => r.pointer.clone(),
            _ => r.place(),
        };
        let at = place.map(|p| format!("  at {p}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "        {} {} {} -> {status}{at}",
            st.paint("34", "-->"),
            e.method,
            e.url
        );
    }
    if let Some(pos) = &r.position {
        snippet(out, pos, st);
    }
    if let Some(x) = &r.expected {
        let _ = writeln!(out, "        expected: {}", st.paint("32", &printable(x)));
    }
    if let Some(a) = &r.actual {
        let _ = writeln!(out, "        actual:   {}", st.paint("31", &printable(a)));
    }
    for d in r
        .details
        .iter()
        .skip(1)
        .filter(|d| d.outcome != Outcome::Pass)
        .take(5)
    {
        let _ = writeln!(
            out,
            "        also: {}{}",
            printable(&d.message),
            d.actual
                .as_deref()
                .map(|a| format!(" (actual {a})"))
                .unwrap_or_default()
        );
    }
    if r.outcome == Outcome::Fail {
        let _ = writeln!(out, "        fix:      {}", r.fix);
    }
    let _ = writeln!(
        out,
        "        {} {} · {} {}",
        st.paint("2", "="),
        r.requirements.join(", "),
        r.spec,
        st.paint("2", &r.spec_url)
    );
}

/// The offending line of the document, rustc-style, with the member's name underlined.
fn snippet(out: &mut String, pos: &SourcePosition, st: &Style) {
    let number = pos.line.to_string();
    let pad = " ".repeat(number.len());
    let start = usize::try_from(pos.source_column)
        .unwrap_or(1)
        .saturating_sub(1);
    let width = pos.token().chars().count();
    let bar = st.paint("34", "|");
    let _ = writeln!(out, "        {pad} {bar}");
    let _ = writeln!(
        out,
        "        {} {bar} {}",
        st.paint("34", &number),
        printable(&pos.source_line)
    );
    let _ = writeln!(
        out,
        "        {pad} {bar} {}{}",
        " ".repeat(start),
        st.paint("31", &"^".repeat(width))
    );
}

/// `78 checks: 60 passed, ... · verdict: PASS`
pub fn summary_line(report: &Report, st: &Style) -> String {
    let s = &report.summary;
    let verdict = match report.verdict {
        Verdict::Pass => st.paint("1;32", "PASS"),
        Verdict::Fail => st.paint("1;31", "FAIL"),
        Verdict::Incomplete => st.paint("1;35", "INCOMPLETE"),
    };
    let mut extra = String::new();
    if s.consequences > 0 {
        let _ = write!(extra, ", {} consequences", s.consequences);
    }
    if s.info > 0 {
        let _ = write!(extra, ", {} info", s.info);
    }
    format!(
        "{} checks: {} passed, {} failed ({} must, {} should{}){extra}, {} skipped, {} errors · {} requests · {} ms · verdict: {verdict}",
        s.total,
        s.pass,
        s.fail,
        s.must_fail,
        s.should_fail,
        if s.waived > 0 {
            format!("; {} waived", s.waived)
        } else {
            String::new()
        },
        s.skip,
        s.error,
        report.requests,
        report.duration_ms
    )
}

impl Report {
    fn mode_word(&self) -> &'static str {
        match self.mode {
            crate::evidence::Mode::Live => "check",
            crate::evidence::Mode::Lint => "lint",
        }
    }
}
