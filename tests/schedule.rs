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

/// A passive run (no key, no `--endpoint`), as `authspec check URL` makes it, of `path` on the
/// mock; the report and the capture.
async fn passive_capture(
    mock_opts: MockOptions,
    path: &str,
) -> (authspec::report::Report, CaptureFile) {
    let m = mock::start(([127, 0, 0, 1], 0).into(), mock_opts)
        .await
        .expect("mock starts");
    let target = url::Url::parse(m.resource_url())
        .and_then(|u| u.join(path))
        .expect("target URL");
    let cfg = CheckConfig {
        target: target.to_string(),
        capture: CaptureOptions::default(),
        selection: Selection::default(),
        strict: false,
    };
    let out = run::check_recorded(&cfg).await.expect("check runs");
    m.stop().await;
    out
}

/// The endpoint label of a forged-token probe.
fn forged_at(ex: &Exchange) -> Option<&str> {
    ex.roles.iter().find_map(|r| match r {
        Role::ProbeForged { endpoint, .. } => Some(endpoint.as_str()),
        _ => None,
    })
}

/// The unauthenticated probe of `endpoint`.
fn unauth<'a>(file: &'a CaptureFile, endpoint: &str) -> &'a Exchange {
    file.exchanges
        .iter()
        .find(|e| has_unauth(e, endpoint))
        .expect("the endpoint was probed without credentials")
}

fn has_unauth(ex: &Exchange, endpoint: &str) -> bool {
    ex.roles
        .iter()
        .any(|r| matches!(r, Role::ProbeUnauth { endpoint: e } if e == endpoint))
}

fn row<'a>(report: &'a authspec::report::Report, id: &str) -> &'a authspec::report::CheckResult {
    report
        .results
        .iter()
        .find(|r| r.id == id)
        .expect("the row is in the report")
}

#[tokio::test]
async fn a_passive_run_sends_the_forgeries_beside_the_described_endpoints_own_probe() {
    let (report, file) = passive_capture(MockOptions::default(), "").await;
    let deepest = file.exchanges.iter().map(|e| depth(&file, e)).max();
    assert_eq!(
        deepest,
        Some(3),
        "the passive run is three answers deep too"
    );
    let probes: Vec<&Exchange> = file.exchanges.iter().filter(|e| has(e, forged)).collect();
    assert!(probes.len() >= 6, "every forgery was sent");
    for p in &probes {
        let endpoint = forged_at(p).expect("a forged probe names its endpoint");
        assert!(
            !endpoint.ends_with(authspec::evidence::GUESSED),
            "#{} went to the guessed resource URL, not the described endpoint",
            p.id
        );
        let anonymous = unauth(&file, endpoint);
        assert_eq!(
            anonymous.status,
            Some(401),
            "the described endpoint refuses"
        );
        assert!(
            chain(&file, p).iter().all(|e| e.id != anonymous.id),
            "#{} waited for {endpoint}'s answer without credentials",
            p.id
        );
        assert!(depth(&file, p) <= 3, "#{} is deeper than the chain", p.id);
    }
    let first = forged_at(probes[0]);
    assert!(
        probes.iter().all(|p| forged_at(p) == first),
        "one set, no fallback: the speculation hit"
    );
    assert_eq!(
        row(&report, "wwwa.forged-token-refused").outcome,
        authspec::finding::Outcome::Pass
    );
}

#[tokio::test]
async fn speculative_forgeries_at_an_open_endpoint_prove_nothing_and_fall_back() {
    // GET /v1/usage (the endpoint the OpenAPI description names) answers 200 without
    // credentials; the guessed resource URL, POST's path under GET, refuses with 401.
    let fault = authspec::mock::faults::find("usage-unprotected").expect("the fault exists");
    let m = MockOptions {
        faults: vec![fault],
        ..MockOptions::default()
    };
    let (report, mut file) = passive_capture(m, "v1/jobs/search").await;
    let at = |file: &CaptureFile, guessed: bool| -> Vec<usize> {
        file.exchanges
            .iter()
            .filter(|e| {
                forged_at(e).is_some_and(|ep| ep.ends_with(authspec::evidence::GUESSED) == guessed)
            })
            .map(|e| e.id)
            .collect()
    };
    let speculative = at(&file, false);
    let fallback = at(&file, true);
    assert!(
        speculative.len() >= 6,
        "the forgeries went beside GET /v1/usage's probe"
    );
    assert!(
        fallback.len() >= 6,
        "and, once it answered 200, to the endpoint that refused"
    );
    let usage = unauth(&file, "GET /v1/usage");
    assert_eq!(usage.status, Some(200));
    for &i in &fallback {
        let f = &file.exchanges[i];
        assert!(
            f.started_ms >= usage.started_ms.map(|s| s + usage.elapsed_ms),
            "#{i} went out before GET /v1/usage had answered: the fallback waits for it"
        );
        assert!(f.after.is_some(), "#{i} says what it waited for");
    }
    let forged_row = row(&report, "wwwa.forged-token-refused");
    assert_eq!(forged_row.outcome, authspec::finding::Outcome::Pass);
    // Each speculative probe is set aside: neither a pass nor a failure.
    let check = authspec::checks::find("wwwa.forged-token-refused").expect("the row exists");
    let ev = file.evidence(None).expect("evidence");
    let findings = authspec::checks::run_judge(check, &ev);
    let aside = findings
        .iter()
        .filter(|f| f.evidence.iter().any(|i| speculative.contains(i)));
    assert_eq!(aside.clone().count(), speculative.len(), "{findings:?}");
    for f in aside {
        assert_eq!(f.outcome, authspec::finding::Outcome::Skip, "{f:?}");
        assert!(f.message.starts_with("set aside"), "{f:?}");
    }
    // Were the speculative forgeries accepted, that would still prove nothing: no failure...
    for &i in &speculative {
        file.exchanges[i].status = Some(200);
    }
    let replayed = run::replay(&file, None, &Selection::default(), false).expect("replay");
    assert_eq!(
        row(&replayed, "wwwa.forged-token-refused").outcome,
        authspec::finding::Outcome::Pass
    );
    // ... and, with the fallback's answers lost, no pass either: the row cannot be judged.
    for &i in &fallback {
        file.exchanges[i].status = None;
        file.exchanges[i].error = Some("connection reset".into());
    }
    let replayed = run::replay(&file, None, &Selection::default(), false).expect("replay");
    let r = row(&replayed, "wwwa.forged-token-refused");
    assert_eq!(
        r.outcome,
        authspec::finding::Outcome::Skip,
        "{:?}",
        r.details
    );
}
