//! Shared by the hostile-target suites: a loopback server, a bounded check that proves the key
//! leaks into no output, and result lookup.
#![allow(dead_code)]

use authspec::capture::CaptureOptions;
use authspec::report::Report;
use authspec::run::{self, CheckConfig};
use authspec::select::Selection;
use axum::Router;
use std::time::Duration;
use tokio::net::TcpListener;

/// Serves `app` on a loopback port; returns its base URL.
pub async fn serve(app: Router) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    format!("http://{addr}")
}

/// The key every hostile run carries, so every run can prove it leaks nowhere.
pub const KEY: &str = "jp_live_hostileKEYneverPRINTED42";

/// Checks `target` with a hang guard far above any timeout involved, then searches every report
/// format and the capture file for the key (HARNESS-SECRETS).
/// How long a run may take whatever the target does: each step of the discovery chain (at most
/// six deep, redirects included in one step's timeout) costs at most one timeout, plus the waits
/// the harness allows itself, plus slack for a loaded machine.
fn time_limit(opts: &CaptureOptions) -> Duration {
    let waits = if opts.burst {
        opts.max_wait * 2
    } else {
        opts.max_wait
    };
    opts.timeout * 8 + waits + Duration::from_secs(5)
}

pub async fn check(target: String, mut opts: CaptureOptions, only: &str) -> Report {
    opts.api_key.get_or_insert_with(|| KEY.into());
    let key = opts.api_key.clone().unwrap_or_default();
    let cfg = CheckConfig {
        target,
        capture: opts,
        selection: Selection {
            only: vec![only.into()],
            skip: Vec::new(),
        },
        strict: false,
    };
    let limit = time_limit(&cfg.capture);
    let (report, file) = tokio::time::timeout(limit, run::check_recorded(&cfg))
        .await
        .unwrap_or_else(|_| panic!("the run did not finish within {limit:?}"))
        .expect("check runs");
    assert_key_absent(&report, &file, &key);
    assert_capture_valid(&serde_json::to_string(&file).expect("capture serializes"));
    report
}

fn assert_key_absent(r: &Report, file: &authspec::capturefile::CaptureFile, key: &str) {
    use authspec::report::{github, html, human, json, junit, markdown, sarif};
    let style = human::Style {
        verbose: true,
        ..human::Style::default()
    };
    let outputs = [
        ("human", human::render(r, &style)),
        ("json", json::render(r).expect("json")),
        ("junit", junit::render(r).expect("junit")),
        ("sarif", sarif::render(r).expect("sarif")),
        ("markdown", markdown::render(r)),
        ("github", github::render(r)),
        ("html", html::render(r, None)),
        ("capture", serde_json::to_string(file).expect("capture")),
    ];
    for (name, text) in outputs {
        assert!(
            !text.contains(key),
            "the API key appears in the {name} output"
        );
        // No piece of it either: not a prefix, not a tail (HARNESS-SECRETS).
        for w in key.as_bytes().windows(10) {
            let w = String::from_utf8_lossy(w);
            assert!(
                !text.contains(&*w),
                "the piece {w:?} of the API key appears in the {name} output"
            );
        }
    }
}

pub fn outcome<'a>(r: &'a Report, id: &str) -> &'a authspec::report::CheckResult {
    r.results
        .iter()
        .find(|x| x.id == id)
        .expect("result present")
}

/// Every capture the harness records fits the published schemas/capture.schema.json.
pub fn assert_capture_valid(text: &str) {
    let capture: serde_json::Value = serde_json::from_str(text).expect("capture is JSON");
    let errors: Vec<String> = capture_schema()
        .iter_errors(&capture)
        .take(5)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "capture breaks its schema: {errors:#?}");
}

/// schemas/capture.schema.json, compiled once.
pub fn capture_schema() -> &'static jsonschema::Validator {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schemas/capture.schema.json"))
                .expect("the capture schema is JSON");
        jsonschema::validator_for(&schema).expect("the capture schema compiles")
    })
}

/// Every report format `--report` writes.
pub const FORMATS: &[&str] = &[
    "human", "json", "junit", "sarif", "markdown", "github", "html", "badge",
];

/// The part of a secret whose every 10-character piece must stay hidden (a JWT's header and
/// claims are common base64 prefixes; its signature is the secret).
pub fn secret_part(s: &str) -> &str {
    match s.split('.').collect::<Vec<_>>().as_slice() {
        [h, _, sig] if h.starts_with("eyJ") => sig,
        _ => s,
    }
}

/// Fails when `text` holds `secret`, or any 10-character piece of it.
pub fn assert_no_piece(name: &str, text: &str, secret: &str) {
    assert!(!text.contains(secret), "a whole secret appears in {name}");
    for w in secret_part(secret).as_bytes().windows(10) {
        let w = std::str::from_utf8(w).expect("ascii");
        assert!(
            !text.contains(w),
            "the piece {w:?} of a secret appears in {name}"
        );
    }
}

/// Runs the authspec binary with `args`, a `--capture` and a `--report` of every format into
/// `dir`, off the async runtime (so loopback servers keep serving), with no credential from the
/// environment. Returns every output by name: stdout, stderr, each format, `capture.json`.
pub async fn run_with_every_output(
    mut args: Vec<String>,
    dir: &std::path::Path,
) -> Vec<(String, String)> {
    let path = |n: &str| dir.join(n).to_string_lossy().into_owned();
    args.extend(["--capture".to_string(), path("capture.json")]);
    for f in FORMATS {
        args.extend(["--report".to_string(), format!("{f}={}", path(f))]);
    }
    let out = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("authspec")
            .expect("binary builds")
            .env_remove("AUTHSPEC_API_KEY")
            .env_remove("AUTHSPEC_REVOCABLE_KEY")
            .env_remove("AUTHSPEC_TOKEN")
            .env_remove("AUTHSPEC_CLIENT_SECRET")
            .env("NO_COLOR", "1")
            .args(&args)
            .timeout(Duration::from_secs(120))
            .output()
            .expect("authspec runs")
    })
    .await
    .expect("join");
    let mut outputs = vec![
        (
            "stdout".to_string(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ),
        (
            "stderr".to_string(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
    ];
    for name in FORMATS.iter().chain(&["capture.json"]) {
        let text = std::fs::read_to_string(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!text.is_empty(), "{name} was written");
        outputs.push((name.to_string(), text));
    }
    outputs
}
