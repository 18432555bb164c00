//! Benchmark: wall time and requests of a full run against the mock at 0 and 100 ms latency, the
//! naive sequential baseline, the judge phase alone, and peak memory.
//!
//! `cargo run --release --example bench [-- RUNS [SCAN_TARGETS]]`; with `BENCH_TIMELINE=1` it also
//! prints the last 100 ms run's request timeline (start offset, wait, what each request waited for)
//! of each case: the mock's endpoint named (as `check --mock`), and passive (`check URL`: no key,
//! no `--endpoint`, so the endpoints come from the OpenAPI description).

use authspec::capture::CaptureOptions;
use authspec::capturefile::CaptureFile;
use authspec::mock::{self, MockOptions};
use authspec::run::{self, CheckConfig};
use authspec::select::Selection;
use std::time::{Duration, Instant};

/// Dependent round trips a discovery needs at least: PRM -> AS metadata -> JWKS (the PRM's URL is
/// known from the resource URL, so the 401's hint is beside it, not before it).
const CHAIN_DEPTH: u32 = 3;

/// Dependent round trips of a side-effect run's token flow (issue 19): PRM -> AS metadata ->
/// register -> authorize -> token -> {use, refresh, code reuse, other-audience token} -> {old
/// refresh, other-audience use}. Everything else should run beside it.
const TOKEN_CHAIN_DEPTH: u32 = 7;

/// What a bench case checks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    /// `check --mock`: the mock's endpoint and keys named.
    Named,
    /// `check URL`: no key, no `--endpoint`.
    Passive,
    /// `check --mock --profile mcp --allow-side-effects`: the OAuth client's token flow.
    SideEffects,
}

/// How many answers deep `ex` is: 1 for a request the run starts with, else one more than the
/// exchange it waited for (`after`).
fn depth(file: &CaptureFile, ex: &authspec::evidence::Exchange) -> usize {
    let mut d = 1;
    let mut at = ex.after;
    while let Some(i) = at.filter(|_| d <= file.exchanges.len()) {
        d += 1;
        at = file.exchanges.get(i).and_then(|e| e.after);
    }
    d
}

/// Every exchange by start offset: when it started and ended, its depth and what it waited for.
fn print_timeline(file: &CaptureFile) {
    let mut rows: Vec<&authspec::evidence::Exchange> = file.exchanges.iter().collect();
    rows.sort_by_key(|e| (e.started_ms, e.id));
    println!("| # | start ms | end ms | depth | waited for | request | credential | role |");
    println!("|---|---|---|---|---|---|---|---|");
    for e in rows {
        let start = e.started_ms.unwrap_or(0);
        let path = url::Url::parse(&e.url).map_or(e.url.clone(), |u| u.path().to_string());
        println!(
            "| {} | {start} | {} | {} | {} | {} {path} | {} | {} |",
            e.id,
            start + e.elapsed_ms,
            depth(file, e),
            e.after.map_or("-".to_string(), |a| format!("#{a}")),
            e.method,
            e.credential,
            e.roles.first().map(|r| r.label()).unwrap_or_default()
        );
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn stats(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

/// Requests that repeat a (method, URL, credential) already fetched, deliberate repeats aside.
fn duplicates(file: &CaptureFile) -> usize {
    let mut seen = std::collections::HashSet::new();
    file.exchanges
        .iter()
        .filter(|e| {
            !e.roles.iter().any(|r| {
                matches!(
                    r,
                    authspec::evidence::Role::ProbeAuthRepeat { .. }
                        | authspec::evidence::Role::Burst { .. }
                        | authspec::evidence::Role::BurstRetry
                        | authspec::evidence::Role::RevokedProbe { .. }
                        // Each carries another forged token under the one credential label.
                        | authspec::evidence::Role::ProbeForged { .. }
                        // The OAuth client's token requests: one endpoint, many grants.
                        | authspec::evidence::Role::OAuth { .. }
                )
            })
        })
        .filter(|e| {
            // MCP probes all POST one URL: the role tells the deliberate ones apart.
            let role = e.roles.first().map(|r| r.label()).unwrap_or_default();
            !seen.insert((e.method.clone(), e.url.clone(), e.credential.clone(), role))
        })
        .count()
}

async fn one_run(latency: Duration, case: Case) -> (Duration, usize, CaptureFile, Duration) {
    let passive = case == Case::Passive;
    let side_effects = case == Case::SideEffects;
    let m = mock::start(
        ([127, 0, 0, 1], 0).into(),
        MockOptions {
            latency,
            mcp: side_effects,
            ..MockOptions::default()
        },
    )
    .await
    .expect("mock starts");
    let cfg = CheckConfig {
        target: m.resource_url().to_string(),
        capture: match case {
            Case::Passive => CaptureOptions::default(),
            Case::Named => m.capture_options(CaptureOptions::default()),
            Case::SideEffects => m.capture_options(CaptureOptions {
                profile: authspec::checks::Profile::Mcp,
                allow_side_effects: true,
                ..CaptureOptions::default()
            }),
        },
        selection: Selection::default(),
        strict: false,
    };
    let t0 = Instant::now();
    let (report, file) = run::check_recorded(&cfg).await.expect("check runs");
    let wall = t0.elapsed();
    // Without a key the keyed rows cannot be judged, so only the full run must pass.
    assert!(passive || report.verdict == authspec::report::Verdict::Pass);
    // The naive baseline: the same requests, one after another, with one client.
    let client = reqwest::Client::new();
    let t1 = Instant::now();
    for ex in &file.exchanges {
        let method =
            reqwest::Method::from_bytes(ex.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let _ = client
            .request(method, &ex.url)
            .body(if ex.method == "POST" { "{}" } else { "" })
            .send()
            .await
            .map(|r| r.bytes());
    }
    let naive = t1.elapsed();
    m.stop().await;
    (wall, report.requests, file, naive)
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5)
        .max(1);
    println!("authspec bench: {runs} runs per latency, chain depth {CHAIN_DEPTH}");
    let mut capture = None;
    let mut timelines = Vec::new();
    for (name, ms, case) in [
        ("endpoint named", 0u64, Case::Named),
        ("endpoint named", 100, Case::Named),
        ("passive", 0, Case::Passive),
        ("passive", 100, Case::Passive),
        ("side effects", 0, Case::SideEffects),
        ("side effects", 100, Case::SideEffects),
    ] {
        let latency = Duration::from_millis(ms);
        let (mut walls, mut naives, mut requests, mut dups) = (Vec::new(), Vec::new(), 0, 0);
        for _ in 0..runs {
            let (wall, req, file, naive) = one_run(latency, case).await;
            walls.push(wall);
            naives.push(naive);
            requests = req;
            dups += duplicates(&file);
            capture = Some(file);
        }
        let deepest = capture.as_ref().map_or(0, |f: &CaptureFile| {
            f.exchanges.iter().map(|e| depth(f, e)).max().unwrap_or(0)
        });
        let (med, min, max) = stats(walls);
        let (naive_med, _, _) = stats(naives);
        let bound = latency
            * if case == Case::SideEffects {
                TOKEN_CHAIN_DEPTH
            } else {
                CHAIN_DEPTH
            };
        let ratio = if bound.is_zero() {
            "n/a".to_string()
        } else {
            format!("{:.2}", med.as_secs_f64() / bound.as_secs_f64())
        };
        println!(
            "{name:>14}, latency {ms:>3} ms: wall median {med:.1?} (min {min:.1?}, max {max:.1?}) · {requests} requests, {dups} duplicates, dependency depth {deepest} · ratio to chain depth x latency {ratio} · naive sequential {naive_med:.1?} (speed-up {:.1}x)",
            naive_med.as_secs_f64() / med.as_secs_f64().max(1e-9)
        );
        if ms == 100 {
            timelines.extend(capture.clone().map(|f| (name, f)));
        }
    }
    if std::env::var("BENCH_TIMELINE").is_ok_and(|v| v == "1") {
        for (case, file) in &timelines {
            println!("timeline, {case}, 100 ms:");
            print_timeline(file);
        }
    }
    // The judge phase replays the full run (the endpoint named).
    let file = timelines
        .into_iter()
        .next()
        .map(|(_, f)| f)
        .or(capture)
        .expect("a capture was recorded");
    let n = 200;
    let t = Instant::now();
    let mut judged = 0;
    for _ in 0..n {
        judged += run::replay(&file, None, &Selection::default(), false)
            .expect("replay")
            .results
            .len();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "judge phase alone: {n} replays, {judged} judgements in {secs:.2} s = {:.0} judgements/s",
        judged as f64 / secs
    );
    println!(
        "peak resident memory after single runs: {} MiB",
        peak_rss_kib() / 1024
    );
    let targets: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let mut mocks = Vec::with_capacity(targets);
    for _ in 0..targets {
        mocks.push(
            mock::start(([127, 0, 0, 1], 0).into(), MockOptions::default())
                .await
                .expect("mock starts"),
        );
    }
    let urls: Vec<String> = mocks.iter().map(|m| m.resource_url().to_string()).collect();
    let before = peak_rss_kib();
    let opts = authspec::scan::ScanOptions {
        jobs: 16,
        shard: None,
        capture: CaptureOptions::default(),
        selection: Selection::default(),
        strict: false,
    };
    let t = Instant::now();
    let mut requests = 0;
    let totals = authspec::scan::scan(urls.into_iter(), opts, |l| requests += l.requests).await;
    println!(
        "scan of {} loopback targets (jobs 16): {:.1} s, {requests} requests, verdicts {:?}, peak resident memory {} MiB (was {} MiB with the {targets} mocks up)",
        totals.targets,
        t.elapsed().as_secs_f64(),
        totals.by_verdict,
        peak_rss_kib() / 1024,
        before / 1024
    );
}
