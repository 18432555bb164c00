//! `scan` over many mock deployments on loopback: one line per target, shards partition the list.

use authspec::capture::CaptureOptions;
use authspec::mock::{self, MockOptions, faults};
use authspec::scan::{self, ScanOptions};
use authspec::select::Selection;

fn options(shard: Option<(usize, usize)>) -> ScanOptions {
    ScanOptions {
        jobs: 8,
        shard,
        capture: CaptureOptions::default(),
        selection: Selection::default(),
        strict: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans_many_targets_and_shards_partition_them() {
    let mut mocks = Vec::new();
    for i in 0..12 {
        let faults = if i % 4 == 0 {
            vec![faults::find("asm-issuer-trailing-slash").expect("fault")]
        } else {
            Vec::new()
        };
        mocks.push(
            mock::start(
                ([127, 0, 0, 1], 0).into(),
                MockOptions {
                    faults,
                    ..MockOptions::default()
                },
            )
            .await
            .expect("mock"),
        );
    }
    let mut targets: Vec<String> = mocks.iter().map(|m| m.resource_url().to_string()).collect();
    targets.insert(3, "# a comment".into());
    targets.insert(5, String::new());
    targets.push("not a url".into());

    let mut lines = Vec::new();
    let totals = scan::scan(targets.clone().into_iter(), options(None), |l| {
        lines.push(l.clone())
    })
    .await;
    assert_eq!(
        lines.len(),
        13,
        "one line per target, comments and blanks skipped"
    );
    assert_eq!(
        totals.by_verdict.get("pass"),
        Some(&9),
        "{:?}",
        totals.by_verdict
    );
    assert_eq!(totals.by_verdict.get("fail"), Some(&3));
    assert_eq!(totals.by_verdict.get("error"), Some(&1));
    assert_eq!(totals.top_failures(1)[0], ("ASM-ISSUER-MATCH", 3));
    assert!(
        lines
            .iter()
            .filter(|l| l.verdict != "error")
            .all(|l| l.requests > 0 && l.requests <= 80)
    );
    assert_eq!(scan::exit_code(&totals), 1);

    let mut seen: Vec<String> = Vec::new();
    for k in 1..=3 {
        let mut part = Vec::new();
        scan::scan(targets.clone().into_iter(), options(Some((k, 3))), |l| {
            part.push(l.target.clone())
        })
        .await;
        seen.extend(part);
    }
    seen.sort();
    let mut all: Vec<String> = lines.iter().map(|l| l.target.clone()).collect();
    all.sort();
    assert_eq!(
        seen, all,
        "the shards together check every target exactly once"
    );
    for m in mocks {
        m.stop().await;
    }
}

/// `scan-summary` merges shards (a target seen twice counts once) into one Markdown report with
/// the scan's exit code; `--shard auto` reads the job runner's variables or is a usage error.
#[test]
fn shards_merge_and_auto_shards_read_the_runner() {
    let dir = tempfile::tempdir().expect("temp dir");
    let line = |t: &str, v: &str, failed: &str| {
        format!(
            "{{\"target\":\"{t}\",\"verdict\":\"{v}\",\"pass\":1,\"fail\":0,\"skip\":0,\"errors\":0,\"failed_requirements\":[{failed}],\"duration_ms\":1,\"requests\":1}}\n"
        )
    };
    let a = dir.path().join("a.jsonl");
    let b = dir.path().join("b.jsonl");
    std::fs::write(
        &a,
        line("https://a.example", "pass", "")
            + &line("https://b.example", "fail", "\"PRM-RESOURCE-MATCH\""),
    )
    .expect("a");
    std::fs::write(
        &b,
        line("https://c.example", "pass", "") + &line("https://a.example", "pass", ""),
    )
    .expect("b");
    let bin = assert_cmd::cargo::cargo_bin("authspec");
    let out = std::process::Command::new(&bin)
        .arg("scan-summary")
        .args([&a, &b])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failing target fails the merged scan"
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("3 targets") && md.contains("| PRM-RESOURCE-MATCH | 1 |"),
        "{md}"
    );
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "not json\n").expect("bad");
    let out = std::process::Command::new(&bin)
        .arg("scan-summary")
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.jsonl line 1"));
    let targets = dir.path().join("t.txt");
    std::fs::write(&targets, "http://127.0.0.1:1/\n").expect("targets");
    let out = std::process::Command::new(&bin)
        .args(["scan", "--shard", "auto"])
        .arg(&targets)
        .env("CI_NODE_INDEX", "2")
        .env("CI_NODE_TOTAL", "2")
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "shard 2 of 2 of one target has nothing to do"
    );
    let out = std::process::Command::new(&bin)
        .args(["scan", "--shard", "auto"])
        .arg(&targets)
        .env_remove("CI_NODE_INDEX")
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    for f in ["scan-matrix.github.yml", "scan-indexed-job.k8s.yml"] {
        let text =
            std::fs::read_to_string(format!("{}/examples/ci/{f}", env!("CARGO_MANIFEST_DIR")))
                .expect(f);
        assert!(
            text.contains("authspec scan") && text.contains("--shard"),
            "{f}"
        );
    }
}
