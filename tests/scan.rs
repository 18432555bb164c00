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
            .all(|l| l.requests > 0 && l.requests <= 60)
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
