//! An SVG verdict badge for a self-certification page: profile, verdict, date and tool version.

use super::{Report, Verdict};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders the badge: `authspec <profile> | <verdict> <date>` with the tool version in its title.
pub fn render(report: &Report) -> String {
    let (word, color) = match report.verdict {
        Verdict::Pass => ("pass", "#1a7f37"),
        Verdict::Fail => ("fail", "#cf222e"),
        Verdict::Incomplete => ("incomplete", "#9a6700"),
    };
    let date = report.started_at.get(..10).unwrap_or("");
    let left = format!("authspec {}", report.profile.as_str());
    let right = format!("{word} {date}");
    // About 7 px a character at 11 px Verdana, with padding.
    let (lw, rw) = (left.len() * 7 + 12, right.len() * 7 + 12);
    let width = lw + rw;
    let title = format!(
        "authspec {} · profile {} · verdict {} · {} · {}",
        report.tool.version,
        report.profile.as_str(),
        word,
        report.started_at,
        report.target
    );
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"20\" role=\"img\" aria-label=\"{}\"><title>{}</title>\
<rect width=\"{lw}\" height=\"20\" fill=\"#555\"/><rect x=\"{lw}\" width=\"{rw}\" height=\"20\" fill=\"{color}\"/>\
<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\" text-anchor=\"middle\">\
<text x=\"{}\" y=\"14\">{}</text><text x=\"{}\" y=\"14\">{}</text></g></svg>\n",
        esc(&title),
        esc(&title),
        lw / 2,
        esc(&left),
        lw + rw / 2,
        esc(&right)
    )
}
