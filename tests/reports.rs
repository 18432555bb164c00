//! reports/ holds example reports of mock runs. They are rendered from the committed captures by
//! replay (deterministic), and this test fails when they drift; UPDATE_REPORTS=1 rewrites them.

use authspec::capturefile::CaptureFile;
use authspec::report::{Report, github, html, human, json, junit, markdown, sarif};
use authspec::run;
use authspec::select::Selection;
use std::path::Path;

fn renderings(report: &Report, capture_sha: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "txt",
            human::render(
                report,
                &human::Style {
                    verbose: true,
                    ..human::Style::default()
                },
            ),
        ),
        ("json", json::render(report).expect("json")),
        ("junit.xml", junit::render(report).expect("junit")),
        ("sarif", sarif::render(report).expect("sarif")),
        ("md", markdown::render(report)),
        ("github.txt", github::render(report)),
        ("html", html::render(report, Some(capture_sha))),
    ]
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn example_reports_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
    let update = std::env::var("UPDATE_REPORTS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for name in ["mock-check", "mock-faults"] {
        let capture = dir.join(format!("{name}.capture.json"));
        let text = std::fs::read_to_string(&capture).expect("the capture is committed");
        let file = CaptureFile::parse(&text).expect("the capture parses");
        let report = run::replay(&file, None, &Selection::default(), false).expect("replay");
        for (ext, body) in renderings(&report, &sha256_hex(text.as_bytes())) {
            let path = dir.join(format!("{name}.{ext}"));
            if update {
                std::fs::write(&path, &body).expect("write report");
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(body.as_str()) {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "example reports drifted (run UPDATE_REPORTS=1 cargo test --test reports): {stale:#?}"
    );
}

/// Reports lead with the fix, and the discovery chain is one connected diagram: in Markdown each
/// node is declared once and the 401 → prm edge appears once; in HTML it is an inline SVG.
#[test]
fn reports_lead_with_problems_and_draw_one_chain() {
    use authspec::report::{html, junit, markdown};
    let report = mock_faults_report();
    let md = markdown::render(&report);
    let problems = md.find("### Problems").expect("a problems section");
    assert!(problems < md.find("passed checks").expect("passes collapsed"));
    let fix = &report
        .results
        .iter()
        .find(|r| r.outcome == authspec::finding::Outcome::Fail)
        .expect("a failure")
        .fix;
    assert!(md.contains(fix.as_str()), "the fix text is in Markdown");
    let chain = &md[md.find("```mermaid").expect("mermaid")..];
    let chain = &chain[..chain[3..].find("```").expect("closed") + 3];
    assert_eq!(chain.matches("n_401 -->").count(), 1, "{chain}");
    assert_eq!(chain.matches("n_prm[").count(), 1, "{chain}");
    let page = html::render(&report, None);
    let p = page.find("<h2>Problems").expect("problems first");
    assert!(p < page.find("Every result").expect("every result after"));
    assert!(
        page.contains(&fix.replace('"', "&quot;").replace('\'', "&#39;")),
        "fix in HTML"
    );
    let svg_at = page.find("<svg").expect("the chain is drawn inline");
    let svg = &page[svg_at..page.find("</svg>").expect("svg closed") + 6];
    let mut reader = quick_xml::Reader::from_str(svg);
    let (mut nodes, mut edges) = (0, 0);
    loop {
        match reader.read_event().expect("the SVG is well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"rect" => nodes += 1,
                    b"line" => edges += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!(edges, report.chain.len());
    let distinct: std::collections::BTreeSet<&str> = report
        .chain
        .iter()
        .flat_map(|e| [e.from.as_str(), e.to.as_str()])
        .collect();
    assert_eq!(nodes, distinct.len(), "each node drawn once");
    assert!(junit::render(&report).expect("junit").contains("fix:"));
}

/// The committed capture of the mock with faults, re-judged.
fn mock_faults_report() -> authspec::report::Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/mock-faults.capture.json");
    let text = std::fs::read_to_string(path).expect("the capture is committed");
    let file = CaptureFile::parse(&text).expect("the capture parses");
    run::replay(&file, None, &Selection::default(), false).expect("replay")
}

/// One mapping gives every format its word for a result: human marks, JUnit outcomes, SARIF
/// levels, GitHub commands and Markdown problem rows agree with `Standing` for every result.
#[test]
fn every_format_takes_its_words_from_one_standing() {
    use authspec::report::{Standing, github, junit, markdown, sarif};
    let report = mock_faults_report();
    let human = human::render(
        &report,
        &human::Style {
            verbose: true,
            ..human::Style::default()
        },
    );
    let junit = junit::render(&report).expect("junit");
    let sarif: serde_json::Value =
        serde_json::from_str(&sarif::render(&report).expect("sarif")).expect("SARIF is JSON");
    let gh = github::render(&report);
    let md = markdown::render(&report);
    let mut seen = std::collections::BTreeSet::new();
    for r in &report.results {
        let st = Standing::of(r);
        seen.insert(st.word());
        let line = human
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(r.id.as_str()))
            .unwrap_or_else(|| panic!("no human row for {}", r.id));
        assert_eq!(line.split_whitespace().next(), Some(st.word()), "{}", r.id);
        let case_at = junit
            .find(&format!("<testcase name=\"{}\"", r.id))
            .unwrap_or_else(|| panic!("no testcase {}", r.id));
        let case = &junit[case_at..];
        // A self-closed case ends at its first '>'; one with children at its </testcase>.
        let open_end = case.find('>').unwrap_or(case.len());
        let case = if case[..open_end].ends_with('/') {
            &case[..open_end]
        } else {
            &case[..case.find("</testcase>").unwrap_or(case.len())]
        };
        // JUnit's colour follows the exit code (report::gate): only a row that decides the
        // verdict is red; a warning without --strict is a skipped test of type `warning`.
        let weight = authspec::report::gate::weight(r, report.strict);
        assert_eq!(
            case.contains("<failure"),
            weight == authspec::report::gate::Weight::Failure,
            "{}: {case}",
            r.id
        );
        assert_eq!(
            case.contains("<error"),
            weight == authspec::report::gate::Weight::Unjudged,
            "{}: {case}",
            r.id
        );
        let result = sarif["runs"][0]["results"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["ruleId"] == r.id.as_str()));
        let level = result.map(|x| x["level"].as_str().unwrap_or("").to_string());
        let want = match st {
            Standing::Fail | Standing::Error => Some("error"),
            Standing::Warn => Some("warning"),
            Standing::Info | Standing::Consequence => Some("note"),
            Standing::Waived => level.as_deref(),
            _ => None,
        };
        assert_eq!(level.as_deref(), want, "{} in SARIF", r.id);
        let title = format!("title={} [", r.id);
        let command = gh
            .lines()
            .find(|l| l.contains(&title))
            .and_then(|l| l.split(' ').next());
        // Annotations follow the exit code too; information (a MAY row) gets none.
        let want = match (weight, st) {
            (
                authspec::report::gate::Weight::Failure | authspec::report::gate::Weight::Unjudged,
                _,
            ) => Some("::error"),
            (_, Standing::Fail | Standing::Warn | Standing::Error) => Some("::warning"),
            (_, Standing::Consequence | Standing::Waived) => Some("::notice"),
            _ => None,
        };
        assert_eq!(command, want, "{} in GitHub annotations", r.id);
        let md_row = md
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", r.id)) && l.matches('|').count() > 5);
        assert_eq!(
            md_row.is_some(),
            st.is_problem(),
            "{} in the Markdown problems",
            r.id
        );
    }
    assert!(
        seen.len() >= 4,
        "the report exercises several standings: {seen:?}"
    );
}
