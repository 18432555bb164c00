//! Where everyday users slipped (issue 18): lint reading what it was given, key sizes of every
//! purpose, stable output between identical runs, and help naming the identifier or endpoint.

use assert_cmd::Command;
use authspec::checks::Profile;
use authspec::finding::Outcome;
use authspec::report::{Report, Verdict};
use authspec::run::{self, LintKind};
use authspec::select::Selection;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

const JWKS_URL: &str = "https://api.example.com/api/auth/jwks";
const OAS_URL: &str = "https://api.example.com/openapi.yaml";

fn lint_bytes(kind: LintKind, body: &[u8], url: &str) -> Report {
    run::lint(
        kind,
        body.to_vec(),
        url,
        Profile::Rfc,
        &Selection::default(),
        false,
    )
    .expect("lint runs")
}

fn fixture(p: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{p}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

/// The message of `id` when it failed, else a panic naming what it was.
fn failure<'r>(r: &'r Report, id: &str) -> &'r str {
    let row = r.results.iter().find(|x| x.id == id).expect("row exists");
    assert_eq!(row.outcome, Outcome::Fail, "{id}: {}", row.message);
    &row.message
}

#[test]
fn lint_fails_a_jwk_set_it_cannot_read_with_the_position() {
    let r = lint_bytes(LintKind::Jwks, b"not json {", JWKS_URL);
    assert_eq!(r.verdict, Verdict::Fail);
    let m = failure(&r, "jwks.keys-member");
    assert!(m.contains("line 1 column 2"), "{m}");
    for body in [&b""[..], b"[]", b"  \n"] {
        let r = lint_bytes(LintKind::Jwks, body, JWKS_URL);
        assert_eq!(r.verdict, Verdict::Fail, "{body:?}");
        failure(&r, "jwks.keys-member");
    }
}

#[test]
fn lint_reads_yaml_openapi_and_fails_what_it_cannot_read() {
    // A YAML description (numeric response keys and all) is read and judged, not skipped.
    let r = lint_bytes(
        LintKind::Openapi,
        &fixture("openapi/description.yaml"),
        OAS_URL,
    );
    let parse = r.results.iter().find(|x| x.id == "openapi.parse");
    assert_eq!(parse.map(|x| x.outcome), Some(Outcome::Pass), "{parse:?}");
    assert_eq!(r.verdict, Verdict::Pass);
    // Broken YAML fails with the YAML error and its line.
    let r = lint_bytes(LintKind::Openapi, &fixture("openapi/broken.yaml"), OAS_URL);
    let m = failure(&r, "openapi.parse");
    assert!(m.contains("invalid YAML at line "), "{m}");
    // Neither JSON nor YAML, empty, or not an object: a failure, never a pass.
    for body in [&b"not json {"[..], b"", b"[]", b"{\"openapi\": "] {
        let r = lint_bytes(LintKind::Openapi, body, OAS_URL);
        assert_eq!(
            r.verdict,
            Verdict::Fail,
            "{:?}",
            String::from_utf8_lossy(body)
        );
        failure(&r, "openapi.parse");
    }
    let r = lint_bytes(LintKind::Openapi, b"not json {", OAS_URL);
    assert!(failure(&r, "openapi.parse").contains("line 1 column 2"));
}

#[test]
fn rsa_keys_for_encryption_are_held_to_2048_bits_and_alg_agrees_with_use() {
    // RFC 7518 §4.3: "A key of size 2048 bits or larger MUST be used with these algorithms."
    let r = lint_bytes(LintKind::Jwks, &fixture("jwks/rsa-1024-enc.json"), JWKS_URL);
    assert!(failure(&r, "jwks.rsa-2048").contains("rsa-oaep-weak"));
    assert_eq!(r.verdict, Verdict::Fail);
    // RS256 is a JWS algorithm (RFC 7518 §3.1); use: enc says the key encrypts (RFC 7517 §4.2).
    let r = lint_bytes(
        LintKind::Jwks,
        &fixture("jwks/enc-alg-rs256.json"),
        JWKS_URL,
    );
    assert!(failure(&r, "jwks.use-alg").contains("RS256"));
    assert_eq!(r.verdict, Verdict::Pass, "a SHOULD row warns");
    // lint cannot tell which document named a set, so the AS signing-key row is not judged.
    let row = r.results.iter().find(|x| x.id == "jwks.signing-key");
    assert_eq!(row.map(|x| x.outcome), Some(Outcome::Skip));
}

fn authspec() -> Command {
    let mut c = Command::cargo_bin("authspec").expect("binary builds");
    c.env_remove("AUTHSPEC_API_KEY").env("NO_COLOR", "1");
    c
}

/// A running `authspec mock` and the resource URL it announced.
struct Mock {
    child: Child,
    url: String,
    // Held open: the mock prints more lines, and a closed pipe would end it.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Mock {
    fn start(key: &str) -> Mock {
        Mock::start_with(key, &[])
    }

    fn start_with(key: &str, extra: &[&str]) -> Mock {
        let bin = assert_cmd::cargo::cargo_bin("authspec");
        let mut child = std::process::Command::new(bin)
            .args(["mock", "--addr", "127.0.0.1:0", "--api-key", key])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("mock starts");
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        stdout.read_line(&mut first).expect("a line");
        let url = first
            .trim()
            .strip_prefix("authspec mock listening on ")
            .expect("the mock announces its address")
            .to_string();
        Mock {
            child,
            url,
            _stdout: stdout,
        }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The report without the members that carry times and dates (a request's start and the answer
/// it waited for follow the clock), and without the body digests:
/// each run has its own mock, whose documents name its own port.
fn without_times(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for k in [
                "started_at",
                "duration_ms",
                "elapsed_ms",
                "started_ms",
                "after",
                "date",
                "body_sha256",
            ] {
                m.remove(k);
            }
            m.values_mut().for_each(without_times);
        }
        Value::Array(a) => a.iter_mut().for_each(without_times),
        _ => {}
    }
}

#[test]
fn identical_runs_give_identical_reports_but_for_times() {
    // Each run gets a fresh mock: the mock's RateLimit window is server state that one run spends.
    let key = "jp_live_stablestablestable";
    let run = || {
        let mock = Mock::start(key);
        let out = authspec()
            .args([
                "check",
                mock.url.as_str(),
                "--api-key",
                key,
                "--endpoint",
                "GET /v1/usage",
                "--format",
                "json",
            ])
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout).replace(&mock.url, "http://MOCK");
        let mut v: Value = serde_json::from_str(&text).expect("stdout is JSON");
        without_times(&mut v);
        v
    };
    let (first, second) = (run(), run());
    assert!(
        first["exchanges"].as_array().is_some_and(|e| e.len() > 10),
        "the run made its probes"
    );
    // Rows, messages and exchange order all agree; forged-token probes run concurrently.
    assert_eq!(first["exchanges"], second["exchanges"]);
    assert_eq!(first, second);
}

#[test]
fn a_url_without_a_host_is_a_usage_error() {
    for url in ["http:///path", "https:/path"] {
        let out = authspec().args(["check", url]).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("has no host"), "{err}");
    }
    // The URLs of --site and --openapi are read by the same rule.
    for flag in ["--site", "--openapi"] {
        let out = authspec()
            .args(["check", "https://api.example.com", flag, "http:///x"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("has no host") && err.contains(flag), "{err}");
    }
}

#[test]
fn a_typed_slip_names_the_identifier_the_prm_names_and_the_real_reason_shows() {
    let key = "jp_live_slipslipslipslip";
    let mock = Mock::start(key);
    // The mock's PRM names the origin without '/': the user typed it with one.
    let typed = format!("{}/", mock.url);
    let out = authspec()
        .args(["check", &typed, "--api-key", key])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("check that one: authspec check {}", mock.url)),
        "{text}"
    );
    // The human output gives each unjudged row's own reason, not one sentence for all.
    assert!(
        !text.contains("their input never arrived"),
        "the real reason replaces the generic one: {text}"
    );
}

#[test]
fn the_readme_invocation_passes_on_the_bundled_mock() {
    // `authspec mock`, then `authspec check URL --api-key KEY` with no --endpoint: the resource
    // URL answers 404, and the key goes to the first secured GET the OpenAPI description names.
    let key = "jp_live_readmereadmereadme";
    let mock = Mock::start(key);
    let out = authspec()
        .args(["check", &mock.url, "--api-key", key, "--format", "json"])
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let row = v["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["id"] == "authmd.bearer-key")
        .expect("row");
    assert_eq!(row["outcome"], "pass", "{row}");
    assert_eq!(out.status.code(), Some(0), "{}", v["summary"]);
    // Without a description to name an endpoint, the message says what to add.
    let mock = Mock::start_with(key, &["--fault", "catalog-missing"]);
    let out = authspec()
        .args(["check", &mock.url, "--api-key", key])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("answered 404"), "{text}");
    assert!(
        text.contains("is this the endpoint?") || text.contains("the endpoint?"),
        "{text}"
    );
    assert!(text.contains("--endpoint 'GET /path'"), "{text}");
}

#[test]
fn parallel_runs_sharing_one_key_wait_out_a_429_instead_of_going_incomplete() {
    // The mock allows 10 keyed requests a second per key; 8 runs at once send 16.
    let key = "jp_live_sharedsharedshared";
    let mock = Mock::start(key);
    let runs: Vec<_> = (0..8)
        .map(|_| {
            let url = mock.url.clone();
            std::thread::spawn(move || {
                authspec()
                    .args(["check", &url, "--api-key", key])
                    .args(["--endpoint", "GET /v1/usage", "--format", "json"])
                    .output()
                    .expect("runs")
            })
        })
        .collect();
    for run in runs {
        let out = run.join().expect("thread");
        let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
        assert_eq!(v["verdict"], "pass", "{}", v["summary"]);
        assert_eq!(out.status.code(), Some(0));
        // A probe that met a 429 was sent once more and that answer is what was judged.
        let keyed: Vec<&Value> = v["exchanges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["roles"][0] == "probe-auth(GET /v1/usage)")
            .collect();
        assert!(keyed.len() <= 2, "at most one retry: {keyed:?}");
        assert_eq!(keyed.last().map(|e| &e["status"]), Some(&Value::from(200)));
    }
}

#[test]
fn errors_without_problem_details_are_reported_as_information() {
    let out = authspec()
        .args(["check", "--mock", "--fault", "errors-not-problem-details"])
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "a MAY row never fails the run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let row = v["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["id"] == "errors.problem-details")
        .expect("row");
    assert_eq!(
        (&row["level"], &row["outcome"]),
        (&"may".into(), &"fail".into())
    );
    assert!(v["summary"]["info"].as_u64().is_some_and(|n| n >= 1));
}

#[test]
fn an_mcp_server_checked_without_the_mcp_profile_gets_a_hint() {
    let mock = authspec::mock::MockOptions {
        mcp: true,
        ..authspec::mock::MockOptions::default()
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let m = rt
        .block_on(authspec::mock::start(([127, 0, 0, 1], 0).into(), mock))
        .expect("mock starts");
    let url = m.resource_url().to_string();
    let run = |profile: &str| {
        let out = authspec()
            .args(["check", &url, "--profile", profile, "--format", "json"])
            .output()
            .expect("runs");
        let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
        v["hints"].as_array().cloned().unwrap_or_default()
    };
    let hints = run("auth-md");
    assert!(
        hints
            .iter()
            .any(|h| h.as_str().is_some_and(|h| h.contains("--profile mcp"))),
        "{hints:?}"
    );
    assert!(run("mcp").is_empty(), "the MCP profile needs no hint");
    let human = authspec().args(["check", &url]).output().expect("runs");
    assert!(String::from_utf8_lossy(&human.stdout).contains("hint: this looks like an MCP server"));
    rt.block_on(m.stop());
}

#[test]
fn a_resource_url_that_is_not_found_gets_the_endpoint_hint() {
    let key = "jp_live_hinthinthinthint";
    let mock = Mock::start(key);
    let out = authspec()
        .args([
            "check",
            &format!("{}/no-such-endpoint", mock.url),
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let hints = v["hints"].as_array().cloned().unwrap_or_default();
    assert!(
        hints.iter().any(|h| h
            .as_str()
            .is_some_and(|h| h.contains("is this the endpoint?") && h.contains("--endpoint"))),
        "{hints:?}"
    );
}
