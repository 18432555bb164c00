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
