//! The capture's dependency chain: every exchange says which answer it waited for, a mock run is
//! three answers deep (the physical limit: PRM -> AS metadata -> JWKS, catalog -> OpenAPI ->
//! described endpoints), and the forged-token probes wait for the issuer, not for the rest of
//! discovery. Order and dependencies only, never durations.

use authspec::capture::CaptureOptions;
use authspec::capturefile::CaptureFile;
use authspec::checks::{McpVersion, Profile};
use authspec::evidence::{Exchange, Role};
use authspec::mock::{self, MockOptions};
use authspec::run::{self, CheckConfig};
use authspec::select::Selection;

async fn mock_capture(mock_opts: MockOptions, capture: CaptureOptions) -> CaptureFile {
    let m = mock::start(([127, 0, 0, 1], 0).into(), mock_opts)
        .await
        .expect("mock starts");
    let cfg = CheckConfig {
        target: m.resource_url().to_string(),
        capture: m.capture_options(capture),
        selection: Selection::default(),
        strict: false,
    };
    let (_, file) = run::check_recorded(&cfg).await.expect("check runs");
    m.stop().await;
    file
}

/// The exchanges `ex` waited for, nearest first.
fn chain<'a>(file: &'a CaptureFile, ex: &'a Exchange) -> Vec<&'a Exchange> {
    let mut out = Vec::new();
    let mut at = ex.after;
    while let Some(i) = at {
        let prev = &file.exchanges[i];
        assert!(out.len() <= file.exchanges.len(), "a cycle of `after`");
        out.push(prev);
        at = prev.after;
    }
    out
}

fn depth(file: &CaptureFile, ex: &Exchange) -> usize {
    chain(file, ex).len() + 1
}

fn has(ex: &Exchange, pick: fn(&Role) -> bool) -> bool {
    ex.roles.iter().any(pick)
}

fn forged(r: &Role) -> bool {
    matches!(r, Role::ProbeForged { .. })
}

fn discovery_tail(r: &Role) -> bool {
    matches!(
        r,
        Role::Jwks { .. } | Role::OpenApi { .. } | Role::Catalog { .. }
    )
}

fn asm(r: &Role) -> bool {
    matches!(
        r,
        Role::Asm { .. } | Role::AsmAtOrigin | Role::AsmOidc { .. }
    )
}

/// What every run must show: each exchange has a start offset, `after` points at an earlier id's
/// answer that started first, the run is at most three answers deep, and the forged probes are
/// beside the tail of discovery, not behind it.
fn assert_shape(file: &CaptureFile) {
    for ex in &file.exchanges {
        assert!(ex.started_ms.is_some(), "#{} has no start offset", ex.id);
        if let Some(a) = ex.after {
            let prev = &file.exchanges[a];
            assert!(
                prev.started_ms <= ex.started_ms,
                "#{} waited for #{a}, which started after it",
                ex.id
            );
        }
    }
    let deepest = file.exchanges.iter().map(|e| depth(file, e)).max();
    assert_eq!(deepest, Some(3), "the run is three answers deep, no more");
    let probes: Vec<&Exchange> = file.exchanges.iter().filter(|e| has(e, forged)).collect();
    assert!(probes.len() >= 6, "every forgery was sent");
    for p in probes {
        let waited = chain(file, p);
        assert!(
            waited.iter().all(|e| !has(e, discovery_tail)),
            "#{} ({:?}) waited for the JWKS, the catalog or the OpenAPI description",
            p.id,
            p.roles
        );
        assert!(depth(file, p) <= 3, "#{} is deeper than the chain", p.id);
        // The forged tokens borrow the issuer: every AS metadata document had answered before
        // they went out (`after` names only the last input, so this reads the offsets, which
        // order the events whatever the machine's speed).
        for m in file.exchanges.iter().filter(|e| has(e, asm)) {
            assert!(
                p.started_ms >= m.started_ms.map(|s| s + m.elapsed_ms),
                "#{} went out before the AS metadata #{} had answered",
                p.id,
                m.id
            );
        }
    }
}

#[tokio::test]
async fn a_mock_run_is_three_answers_deep_with_the_forged_probes_beside_the_jwks() {
    let file = mock_capture(MockOptions::default(), CaptureOptions::default()).await;
    assert_shape(&file);
    let jwks = file
        .exchanges
        .iter()
        .find(|e| has(e, |r| matches!(r, Role::Jwks { .. })))
        .expect("a JWKS was fetched");
    assert!(
        chain(&file, jwks)
            .iter()
            .any(|e| has(e, |r| matches!(r, Role::Prm) || asm(r))),
        "the JWKS waited for the document that named it"
    );
    let first = file.exchanges.iter().filter(|e| e.after.is_none());
    assert!(
        first.clone().any(|e| has(e, |r| matches!(r, Role::Prm))),
        "the PRM is asked for at once"
    );
    assert!(
        first
            .clone()
            .any(|e| has(e, |r| matches!(r, Role::ProbeUnauth { .. }))),
        "the unauthenticated probes need nothing"
    );
}

#[tokio::test]
async fn the_mcp_profile_keeps_the_same_depth() {
    let m = MockOptions {
        mcp: true,
        mcp_version: McpVersion::default(),
        ..MockOptions::default()
    };
    let capture = CaptureOptions {
        profile: Profile::Mcp,
        mcp_version: McpVersion::default(),
        ..CaptureOptions::default()
    };
    let file = mock_capture(m, capture).await;
    assert_shape(&file);
}
