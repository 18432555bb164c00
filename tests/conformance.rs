//! The conformance suite as `cargo test` cases: one per check against the mock (or AUTHSPEC_TARGET),
//! one per mock fault (the fault fails exactly its requirements), and the "every check can fail" audit.

use authspec::capture::CaptureOptions;
use authspec::checks::{self, Level, McpVersion, Profile};
use authspec::finding::{Outcome, SkipKind};
use authspec::mock::{self, AS_FAULTS, FAULTS, Fault, MockOptions};
use authspec::report::{CheckResult, Report, Verdict};
use authspec::run::{self, CheckConfig};
use authspec::select::Selection;
use libtest_mimic::{Arguments, Failed, Trial};
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

mod common;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// Checks the mock with `faults` applied, using its own keys and endpoints, side effects allowed.
async fn check_mock(faults: Vec<&'static Fault>, burst: bool) -> Report {
    check_mock_with(
        MockOptions {
            faults,
            ..MockOptions::default()
        },
        burst,
    )
    .await
}

/// Checks the mock in MCP mode under `--profile mcp` at `version`.
async fn check_mcp(faults: Vec<&'static Fault>, version: McpVersion) -> Report {
    let base = CaptureOptions {
        profile: Profile::Mcp,
        mcp_version: version,
        // The CIMD probe is a side effect on the AS (it fetches our documents).
        allow_side_effects: true,
        ..CaptureOptions::default()
    };
    check_mock_opts(
        MockOptions {
            faults,
            mcp: true,
            mcp_version: version,
            ..MockOptions::default()
        },
        base,
    )
    .await
}

/// Checks a mock started with `opts`; the replay of its capture must equal the live run.
async fn check_mock_with(opts: MockOptions, burst: bool) -> Report {
    check_mock_opts(
        opts,
        CaptureOptions {
            burst,
            allow_side_effects: true,
            ..CaptureOptions::default()
        },
    )
    .await
}

async fn check_mock_opts(opts: MockOptions, base: CaptureOptions) -> Report {
    let m = mock::start(([127, 0, 0, 1], 0).into(), opts)
        .await
        .expect("mock starts");
    let cfg = CheckConfig {
        target: m.resource_url().to_string(),
        capture: m.capture_options(base),
        selection: Selection::default(),
        strict: false,
    };
    let (report, recorded) = run::check_recorded(&cfg).await.expect("check runs");
    m.stop().await;
    // Capture, then judge: replaying the recorded exchanges must give the very same results.
    let text = serde_json::to_string(&recorded).expect("capture serializes");
    common::assert_capture_valid(&text);
    let file = authspec::capturefile::CaptureFile::parse(&text).expect("capture parses back");
    let replayed = run::replay(&file, None, &Selection::default(), false).expect("replay runs");
    assert_eq!(
        replayed.results, report.results,
        "replay differs from the live run"
    );
    report
}

/// Every fault's report, each fault run once, four at a time: a few hundred mocks
/// started at once on a 2-core machine time out on their own requests (10 s), and a timeout is a
/// fault of the harness, never of the mock.
fn fault_reports() -> Vec<(&'static Fault, Arc<Report>)> {
    const AT_ONCE: usize = 4;
    // The authorization server's faults (issue 19) run like every other, now that their rows exist.
    let all: Vec<&'static Fault> = FAULTS.iter().chain(AS_FAULTS).collect();
    runtime().block_on(async {
        let mut set = tokio::task::JoinSet::new();
        let gate = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
        for (i, f) in all.iter().copied().enumerate() {
            let gate = gate.clone();
            set.spawn(async move {
                let _turn = gate
                    .acquire_owned()
                    .await
                    .expect("the gate is never closed");
                let report = match f.mcp_version() {
                    Some(v) => check_mcp(vec![f], v).await,
                    None => check_mock(vec![f], f.needs_burst()).await,
                };
                (i, report)
            });
        }
        let mut out: Vec<(usize, Report)> = set.join_all().await;
        out.sort_by_key(|(i, _)| *i);
        out.into_iter()
            .map(|(i, r)| (all[i], Arc::new(r)))
            .collect()
    })
}

/// Checks AUTHSPEC_TARGET with AUTHSPEC_API_KEY and AUTHSPEC_ENDPOINTS ("POST /a; GET /b").
fn check_target(target: &str) -> Report {
    let endpoints = std::env::var("AUTHSPEC_ENDPOINTS").unwrap_or_default();
    let capture = CaptureOptions {
        api_key: std::env::var("AUTHSPEC_API_KEY")
            .ok()
            .filter(|k| !k.is_empty()),
        endpoints: endpoints
            .split(';')
            .filter(|s| !s.trim().is_empty())
            .map(|e| {
                e.parse()
                    .expect("AUTHSPEC_ENDPOINTS entries are \"METHOD /path\"")
            })
            .collect(),
        profile: match std::env::var("AUTHSPEC_PROFILE").as_deref() {
            Ok("rfc") => Profile::Rfc,
            Ok("mcp") => Profile::Mcp,
            _ => Profile::AuthMd,
        },
        mcp_version: match std::env::var("AUTHSPEC_MCP_VERSION").as_deref() {
            Ok("2025-06-18") => McpVersion::V2025_06_18,
            Ok("2025-11-25") => McpVersion::V2025_11_25,
            _ => McpVersion::V2026_07_28,
        },
        ..CaptureOptions::default()
    };
    let cfg = CheckConfig {
        target: target.to_string(),
        capture,
        selection: Selection::default(),
        strict: false,
    };
    runtime().block_on(run::check(&cfg)).expect("check runs")
}

fn strict() -> bool {
    std::env::var("AUTHSPEC_STRICT").is_ok_and(|v| v == "1")
}

/// One trial per result: MUST failures, errors and missing input fail; skips by choice are ignored.
fn result_trial(r: CheckResult) -> Trial {
    let ignored = r.outcome == Outcome::Skip
        && matches!(r.skip_kind, Some(SkipKind::Chosen | SkipKind::NotApplied));
    let name = format!("check::{}", r.id);
    Trial::test(name, move || {
        let decisive = r.level == Level::Must || (strict() && r.level == Level::Should);
        let unjudged = r.outcome == Outcome::Error || r.skip_kind == Some(SkipKind::NoInput);
        if decisive && (r.outcome == Outcome::Fail || unjudged) {
            let mut msg = format!(
                "{} [{}] {:?}: {}",
                r.id,
                r.requirements.join(","),
                r.outcome,
                r.message
            );
            if let (Some(e), Some(a)) = (&r.expected, &r.actual) {
                msg.push_str(&format!("\n  expected: {e}\n  actual:   {a}"));
            }
            msg.push_str(&format!("\n  {} {}", r.spec, r.spec_url));
            return Err(msg.into());
        }
        Ok(())
    })
    .with_ignored_flag(ignored)
}

/// Requirement IDs named by failed results at `levels`.
fn failed_ids(report: &Report, levels: &[Level]) -> BTreeSet<String> {
    report
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Fail && levels.contains(&r.level))
        .flat_map(|r| r.requirements.clone())
        .collect()
}

fn fault_trial(fault: &'static Fault, report: Arc<Report>) -> Trial {
    Trial::test(format!("fault::{}", fault.name), move || {
        let any_level = failed_ids(&report, &[Level::Must, Level::Should, Level::May]);
        let missing: Vec<&str> = fault
            .breaks
            .iter()
            .copied()
            .filter(|id| !any_level.contains(*id))
            .collect();
        if !missing.is_empty() {
            // Say what the rows said instead, so a failure here explains itself.
            let instead: Vec<String> = report
                .results
                .iter()
                .filter(|r| {
                    r.requirements
                        .iter()
                        .any(|id| missing.contains(&id.as_str()))
                })
                .map(|r| format!("{} {:?}: {}", r.id, r.outcome, r.message))
                .collect();
            return Err(format!(
                "fault {} should fail {:?}; these did not fail: {missing:?}; instead: {instead:#?}",
                fault.name, fault.breaks
            )
            .into());
        }
        let stray: Vec<String> = report
            .results
            .iter()
            .filter(|r| {
                r.outcome == Outcome::Fail
                    && r.level == Level::Must
                    && !r.is_consequence()
                    && !r
                        .requirements
                        .iter()
                        .any(|id| fault.breaks.contains(&id.as_str()))
            })
            .map(|r| format!("{} ({}): {}", r.id, r.requirements.join(","), r.message))
            .collect();
        if !stray.is_empty() {
            return Err(format!(
                "fault {} also failed MUST rows it does not declare:\n  {}",
                fault.name,
                stray.join("\n  ")
            )
            .into());
        }
        let must_broken = fault.breaks.iter().any(|id| {
            report.results.iter().any(|r| {
                r.level == Level::Must
                    && r.outcome == Outcome::Fail
                    && r.requirements.iter().any(|x| x == id)
            })
        });
        if must_broken && report.verdict != Verdict::Fail {
            return Err(
                format!("a MUST row failed but the verdict is {:?}", report.verdict).into(),
            );
        }
        Ok(())
    })
}

/// Every check in the catalogue fails under at least one fault (fixture-only checks are proven in
/// tests/fixtures.rs and listed there).
fn can_fail_trial(reports: Vec<Arc<Report>>) -> Trial {
    Trial::test(
        "catalogue::every-check-fails-under-some-fault-or-fixture",
        move || {
            let failed: BTreeSet<&str> = reports
                .iter()
                .flat_map(|r| r.results.iter())
                .filter(|r| r.outcome == Outcome::Fail)
                .map(|r| r.id.as_str())
                .collect();
            let fixture_only = [
                "prm.tls",
                "asm.tls",
                "catalog.head-nobody",
                "catalog.no-internal",
                "catalog.tls",
            ];
            let never: Vec<&str> = checks::catalogue()
                .map(|c| c.id)
                .filter(|id| !failed.contains(*id) && !fixture_only.contains(id))
                .collect();
            if never.is_empty() {
                Ok(())
            } else {
                Err(format!("checks no fault makes fail: {never:?}").into())
            }
        },
    )
}

/// A valid MCP layout (one route of a one-of group) passes at `v`: no MUST fails, nothing is left
/// unjudged, and the routes it leaves out are reported as info.
fn layout_trial(layout: &'static Fault, v: McpVersion) -> Trial {
    Trial::test(
        format!("layout::{}@{}", layout.name, v.as_str()),
        move || {
            let report = runtime().block_on(check_mcp(vec![layout], v));
            let bad: Vec<String> = report
                .results
                .iter()
                .filter(|r| {
                    r.level == Level::Must
                        && !r.is_consequence()
                        && (matches!(r.outcome, Outcome::Fail | Outcome::Error)
                            || r.skip_kind == Some(SkipKind::NoInput))
                })
                .map(|r| format!("{} {:?}: {}", r.id, r.outcome, r.message))
                .collect();
            if report.verdict == Verdict::Pass && bad.is_empty() {
                Ok(())
            } else {
                Err(format!("verdict {:?}; {bad:?}", report.verdict).into())
            }
        },
    )
}

/// The healthy mock in another configuration passes too (with burst and side effects).
fn variant_trial(name: &str, opts: MockOptions) -> Trial {
    Trial::test(format!("mock::{name}-passes"), move || {
        let report = runtime().block_on(check_mock_with(opts, true));
        let bad: Vec<String> = report
            .results
            .iter()
            .filter(|r| {
                r.level == Level::Must
                    && r.outcome != Outcome::Pass
                    && !(r.outcome == Outcome::Skip
                        && matches!(r.skip_kind, Some(SkipKind::Chosen | SkipKind::NotApplied)))
            })
            .map(|r| format!("{} {:?}: {}", r.id, r.outcome, r.message))
            .collect();
        let catalog_ok = report
            .results
            .iter()
            .any(|r| r.id == "catalog.published" && r.outcome == Outcome::Pass);
        if report.verdict == Verdict::Pass && bad.is_empty() && catalog_ok {
            Ok(())
        } else {
            Err(format!(
                "verdict {:?}; {bad:?}; catalog published: {catalog_ok}",
                report.verdict
            )
            .into())
        }
    })
}

/// The MCP mock passes `--profile mcp` at every MCP version.
fn mcp_trial(v: McpVersion) -> Trial {
    Trial::test(format!("mock::mcp-{}-passes", v.as_str()), move || {
        let report = runtime().block_on(check_mcp(Vec::new(), v));
        let failed: Vec<String> = report
            .results
            .iter()
            .filter(|r| r.outcome == Outcome::Fail && r.level != Level::May)
            .map(|r| format!("{} {}", r.id, r.message))
            .collect();
        let mcp_passes = report
            .results
            .iter()
            .filter(|r| r.id.starts_with("mcp.") && r.outcome == Outcome::Pass)
            .count();
        if report.verdict == Verdict::Pass && failed.is_empty() && mcp_passes >= 5 {
            Ok(())
        } else {
            Err(format!(
                "verdict {:?}; {failed:?}; {mcp_passes} mcp rows passed",
                report.verdict
            )
            .into())
        }
    })
}

/// A server that refuses the valid token fails `mcp.valid-token-accepted` under `--profile mcp` at
/// `v`, for the REST fault `key-rejected` and its MCP twin alike: refusing every client is never
/// conformant (issue 19), and the refusal rows' passes count for nothing.
fn token_rejected_trial(fault: &'static str, v: McpVersion) -> Trial {
    Trial::test(format!("token::{fault}-fails@{}", v.as_str()), move || {
        let f = authspec::mock::faults::find(fault).ok_or("no such fault")?;
        let report = runtime().block_on(check_mcp(vec![f], v));
        let row = report
            .results
            .iter()
            .find(|r| r.id == "mcp.valid-token-accepted")
            .ok_or("no mcp.valid-token-accepted row")?;
        let refusal_passes: Vec<&str> = report
            .results
            .iter()
            .filter(|r| {
                ["wwwa.forged-token-refused", "mcp.invalid-token-401"].contains(&r.id.as_str())
                    && r.outcome == Outcome::Pass
            })
            .map(|r| r.id.as_str())
            .collect();
        if row.outcome == Outcome::Fail
            && report.verdict == Verdict::Fail
            && refusal_passes.is_empty()
        {
            Ok(())
        } else {
            Err(format!(
                "row {:?} ({}); verdict {:?}; refusal rows still passing: {refusal_passes:?}",
                row.outcome, row.message, report.verdict
            )
            .into())
        }
    })
}

fn healthy_mock_trial(report: Arc<Report>) -> Trial {
    Trial::test(
        "mock::healthy-run-passes-with-one-request-per-url",
        move || {
            if report.verdict != Verdict::Pass {
                return Err(Failed::from(format!("verdict {:?}", report.verdict)));
            }
            let mut seen = BTreeSet::new();
            for e in &report.exchanges {
                let deliberate = e.roles.iter().any(|r| {
                    // authspec's OAuth client sends each grant to the one token endpoint.
                    r.starts_with("oauth-")
                        || r.starts_with("probe-auth-repeat")
                        || r.starts_with("probe-forged")
                        || r.starts_with("burst")
                        || r.starts_with("revoked")
                });
                if !deliberate
                    && !seen.insert((e.method.clone(), e.url.clone(), e.credential.clone()))
                {
                    return Err(format!("{} {} was requested twice", e.method, e.url).into());
                }
            }
            if report.requests != report.exchanges.len() {
                return Err(format!(
                    "{} requests for {} exchanges",
                    report.requests,
                    report.exchanges.len()
                )
                .into());
            }
            // The burst stops at the first 429, then makes exactly one retry.
            let bursts: Vec<_> = report
                .exchanges
                .iter()
                .filter(|e| e.roles.iter().any(|r| r.starts_with("burst(")))
                .collect();
            let retries = report
                .exchanges
                .iter()
                .filter(|e| e.roles.iter().any(|r| r == "burst-retry"))
                .count();
            let first_429 = bursts.iter().position(|e| e.status == Some(429));
            if first_429 != Some(bursts.len() - 1) || retries != 1 {
                return Err(format!(
                    "burst: {} requests, first 429 at {first_429:?}, {retries} retries",
                    bursts.len()
                )
                .into());
            }
            let areas: BTreeSet<_> = report.results.iter().map(|r| r.area).collect();
            if report.results.len() < 60 || areas.len() < 4 {
                return Err(format!(
                    "{} results over {} areas",
                    report.results.len(),
                    areas.len()
                )
                .into());
            }
            Ok(())
        },
    )
}

/// Layouts whose 401 names a PRM that serves: valid at MCP 2025-06-18 as well.
const HINTED_LAYOUTS: [&str; 2] = ["mcp-prm-hint-only", "mcp-prm-hint-root"];

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    match std::env::var("AUTHSPEC_TARGET") {
        Ok(target) if !target.is_empty() => {
            let report = check_target(&target);
            trials.extend(report.results.into_iter().map(result_trial));
        }
        _ => {
            let report = Arc::new(runtime().block_on(check_mock(Vec::new(), true)));
            for v in [
                McpVersion::V2025_06_18,
                McpVersion::V2025_11_25,
                McpVersion::V2026_07_28,
            ] {
                trials.push(mcp_trial(v));
                for fault in ["key-rejected", "mcp-token-rejected"] {
                    trials.push(token_rejected_trial(fault, v));
                }
            }
            for layout in authspec::mock::LAYOUTS {
                for v in [McpVersion::V2025_11_25, McpVersion::V2026_07_28] {
                    trials.push(layout_trial(layout, v));
                }
                // 2025-06-18 clients read the PRM the 401 names, wherever it is: the layouts
                // whose hint works pass there too (issue 16, item 5).
                if HINTED_LAYOUTS.contains(&layout.name) {
                    trials.push(layout_trial(layout, McpVersion::V2025_06_18));
                }
            }
            trials.push(variant_trial(
                "structured-ratelimit",
                MockOptions {
                    structured_ratelimit: true,
                    ..MockOptions::default()
                },
            ));
            trials.push(variant_trial(
                "catalog-on-a-second-origin",
                MockOptions {
                    site_addr: Some(([127, 0, 0, 1], 0).into()),
                    ..MockOptions::default()
                },
            ));
            trials.extend(report.results.iter().cloned().map(result_trial));
            trials.push(healthy_mock_trial(report));
            let faults = fault_reports();
            trials.push(can_fail_trial(
                faults.iter().map(|(_, r)| r.clone()).collect(),
            ));
            trials.extend(faults.into_iter().map(|(f, r)| fault_trial(f, r)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
