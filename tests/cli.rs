//! The command line as users meet it: exit codes, one-line errors, JSON that fits its schema.

use assert_cmd::Command;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

fn authspec() -> Command {
    let mut c = Command::cargo_bin("authspec").expect("binary builds");
    c.env_remove("AUTHSPEC_API_KEY")
        .env_remove("AUTHSPEC_TOKEN")
        .env("NO_COLOR", "1");
    c
}

fn fixture(p: &str) -> String {
    format!("{}/fixtures/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn report_schema() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("../schemas/report.schema.json"))
        .expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn assert_valid_report(stdout: &[u8]) -> Value {
    let v: Value = serde_json::from_slice(stdout).expect("stdout is JSON");
    let validator = report_schema();
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "report violates its schema: {errors:#?}");
    v
}

/// Runs authspec with `args`, expects exit `code`, and returns stdout validated as a report.
fn json_run(args: &[&str], code: i32) -> Value {
    assert_valid_report(text_run(args, code).as_bytes())
}

/// Runs authspec with `args`, expects exit `code`, and returns stdout as text.
fn text_run(args: &[&str], code: i32) -> String {
    let out = authspec()
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    String::from_utf8_lossy(&out).into_owned()
}

fn results(v: &Value) -> impl Iterator<Item = &Value> {
    v["results"].as_array().into_iter().flatten()
}

#[test]
fn mock_check_passes_with_exit_0() {
    let v = json_run(&["check", "--mock", "--format", "json"], 0);
    assert_eq!(v["verdict"], "pass");
    assert!(v["results"].as_array().map_or(0, Vec::len) >= 60);
    assert!(v["requests"].as_u64().is_some_and(|n| n > 0 && n <= 80));
}

#[test]
fn a_fault_fails_with_exit_1_and_the_human_output_names_it() {
    let text = text_run(&["check", "--mock", "--fault", "prm-resource-mismatch"], 1);
    assert!(text.contains("FAIL  prm.resource-match"), "{text}");
    assert!(
        text.contains("expected:") && text.contains("actual:"),
        "{text}"
    );
    assert!(text.contains("PRM-RESOURCE-MATCH"), "{text}");
    assert!(text.contains("verdict: FAIL"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "NO_COLOR output has no escape codes"
    );
}

#[test]
fn unreachable_target_is_incomplete_with_exit_3() {
    // Port 9 (discard) on loopback is closed on any sane test machine: the connection is refused.
    let v = json_run(
        &[
            "check",
            "http://127.0.0.1:9",
            "--format",
            "json",
            "--timeout",
            "2s",
        ],
        3,
    );
    assert_eq!(v["verdict"], "incomplete");
    let text = v.to_string();
    assert!(
        text.contains("refused") || text.contains("error sending request"),
        "the error is in the report"
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    for args in [
        vec!["check", "--bogus-flag"],
        vec!["check", "not a url"],
        vec!["check", "ftp://example.com"],
        vec!["check", "--mock", "--fault", "no-such-fault"],
        vec!["check", "--mock", "--timeout", "forever"],
        vec!["check", "--mock", "--only", "prm.resorce-match"],
        vec![
            "check",
            "--mock",
            "--report",
            "json=/nonexistent-dir/r.json",
        ],
        vec!["check", "--mock", "--endpoint", "search"],
        vec!["check", "--mock", "--resolve", "api.example.com:443"],
        vec![
            "check",
            "--mock",
            "--resolve",
            "api.example.com:443:not-an-ip",
        ],
        vec![
            "lint",
            "prm",
            "/nonexistent/file.json",
            "--url",
            "https://a.example/.well-known/oauth-protected-resource",
        ],
        vec![
            "lint",
            "prm",
            "Cargo.toml",
            "--url",
            "https://a.example/not-well-known",
        ],
        vec!["explain", "prm.nope"],
    ] {
        let out = authspec().args(&args).assert().code(2).get_output().clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("authspec: "), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
}

#[test]
fn api_key_never_appears_in_output() {
    let key = "jp_live_5ecret5ecret5ecret5ecret";
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("r.json");
    let out = authspec()
        .args([
            "check",
            "http://127.0.0.1:9",
            "--timeout",
            "1s",
            "--format",
            "json",
            "--report",
        ])
        .arg(format!("json={}", report.display()))
        .env("AUTHSPEC_API_KEY", key)
        .assert()
        .code(3)
        .get_output()
        .clone();
    let all = [
        out.stdout,
        out.stderr,
        std::fs::read(&report).expect("report written"),
    ]
    .concat();
    assert!(!String::from_utf8_lossy(&all).contains(key));
}

/// `--token` is the valid credential and wins over the mock's own: a token the mock never issued
/// is refused, so `mcp.valid-token-accepted` fails; the token appears in no output or capture.
#[test]
fn token_is_judged_under_mcp_and_never_appears() {
    let token = "mcp_tok_n0tIssuedByTheMock0123456789";
    let dir = tempfile::tempdir().expect("tempdir");
    let capture = dir.path().join("c.json");
    let out = authspec()
        .args(["check", "--mock", "--profile", "mcp", "--format", "json"])
        .arg("--capture")
        .arg(&capture)
        .env("AUTHSPEC_TOKEN", token)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report = assert_valid_report(&out.stdout);
    let row = report["results"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["id"] == "mcp.valid-token-accepted"))
        .expect("the row is reported");
    assert_eq!(row["outcome"], "fail", "{row}");
    let all = [
        out.stdout,
        out.stderr,
        std::fs::read(&capture).expect("capture written"),
    ]
    .concat();
    assert!(!String::from_utf8_lossy(&all).contains(token));
}

#[test]
fn empty_or_doubled_token_is_a_usage_error() {
    let out = authspec()
        .args(["check", "--mock", "--profile", "mcp", "--token", ""])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--token is empty"));
    let out = authspec()
        .args([
            "check",
            "https://a.example",
            "--token",
            "t1",
            "--api-key",
            "k2",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--token and --api-key"));
}

#[test]
fn report_files_are_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("r.json");
    let txt = dir.path().join("r.txt");
    authspec()
        .args(["check", "--mock", "--report"])
        .arg(format!("json={}", json.display()))
        .arg("--report")
        .arg(format!("human={}", txt.display()))
        .assert()
        .code(0);
    assert_valid_report(&std::fs::read(&json).expect("json report"));
    assert!(
        std::fs::read_to_string(&txt)
            .expect("human report")
            .contains("verdict: PASS")
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("authspec-tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn lint_uses_the_same_exit_codes() {
    let prm_url = "https://api.example.com/.well-known/oauth-protected-resource";
    authspec()
        .args(["lint", "prm", &fixture("prm/good.json"), "--url", prm_url])
        .assert()
        .code(0);
    authspec()
        .args([
            "lint",
            "prm",
            &fixture("prm/resource-mismatch.json"),
            "--url",
            prm_url,
        ])
        .assert()
        .code(1);
    let jwks = fixture("jwks/private-key.json");
    let v = json_run(
        &[
            "lint",
            "jwks",
            &jwks,
            "--url",
            "https://api.example.com/jwks",
            "--format",
            "json",
        ],
        1,
    );
    let failed: Vec<&str> = results(&v)
        .filter(|r| r["outcome"] == "fail")
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(failed, ["jwks.no-private"]);
    let pointer = results(&v)
        .find(|r| r["id"] == "jwks.no-private")
        .and_then(|r| r["pointer"].as_str())
        .map(str::to_string);
    assert_eq!(pointer.as_deref(), Some("/keys/1/d"));
}

#[test]
fn strict_makes_should_failures_fail() {
    authspec()
        .args(["check", "--mock", "--fault", "asm-no-rs256"])
        .assert()
        .code(0);
    authspec()
        .args(["check", "--mock", "--fault", "asm-no-rs256", "--strict"])
        .assert()
        .code(1);
}

#[test]
fn only_and_skip_filter_results() {
    let v = json_run(
        &[
            "check", "--mock", "--only", "jwks", "--skip", "jwks.x5*", "--format", "json",
        ],
        0,
    );
    let ids: Vec<&str> = results(&v).filter_map(|r| r["id"].as_str()).collect();
    assert!(
        !ids.is_empty()
            && ids
                .iter()
                .all(|i| i.starts_with("jwks.") && !i.starts_with("jwks.x5")),
        "{ids:?}"
    );
}

#[test]
fn list_and_explain() {
    let text = text_run(&["list"], 0);
    assert!(text.contains("prm.resource-match") && text.contains("jwks.rsa-2048"));
    let text = text_run(&["explain", "jwks.rsa-2048"], 0);
    assert!(
        text.contains("JWK-RSA-2048")
            && text.contains("rfc7518")
            && text.contains("--fault jwks-rsa-1024"),
        "{text}"
    );
}

#[test]
fn mock_command_announces_its_address() {
    let bin = assert_cmd::cargo::cargo_bin("authspec");
    let mut child = std::process::Command::new(bin)
        .args([
            "mock",
            "--addr",
            "127.0.0.1:0",
            "--api-key",
            "jp_live_testtesttesttest",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("mock starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("a line");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("authspec mock listening on http://127.0.0.1:"),
        "{first}"
    );
    assert!(
        !first.trim_end().ends_with(":0"),
        "the real port is printed: {first}"
    );
}

#[test]
fn capture_then_replay_gives_the_same_results_offline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cap = dir.path().join("run.capture.json");
    let cap_arg = cap.display().to_string();
    let live = json_run(
        &[
            "check",
            "--mock",
            "--fault",
            "jwks-rsa-1024",
            "--format",
            "json",
            "--capture",
            &cap_arg,
        ],
        1,
    );
    let replayed = json_run(&["replay", &cap_arg, "--format", "json"], 1);
    assert_eq!(live["results"], replayed["results"]);
    assert_eq!(live["verdict"], replayed["verdict"]);
    let text = std::fs::read_to_string(&cap).expect("capture written");
    assert!(text.contains("\"format\": \"authspec-capture\""));
    let rfc = json_run(
        &["replay", &cap_arg, "--format", "json", "--profile", "rfc"],
        1,
    );
    assert_eq!(rfc["profile"], "rfc");
    std::fs::write(
        dir.path().join("bad.json"),
        "{\"format\": \"something-else\"}",
    )
    .expect("write");
    let bad = dir.path().join("bad.json").display().to_string();
    authspec().args(["replay", &bad]).assert().code(2);
}

#[test]
fn every_report_format_renders_the_same_results() {
    let args = ["check", "--mock", "--fault", "jwks-rsa-1024", "--format"];
    let junit = text_run(&[&args[..], &["junit"]].concat(), 1);
    let mut reader = quick_xml::Reader::from_str(&junit);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader
            .read_event()
            .expect("JUnit output is well-formed XML")
        {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testcase" => cases += 1,
                    b"failure" => failures += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let json = json_run(&[&args[..], &["json"]].concat(), 1);
    let total = json["summary"]["total"].as_u64().unwrap_or(0) as usize;
    let failed = json["summary"]["fail"].as_u64().unwrap_or(0) as usize;
    assert_eq!((cases, failures), (total, failed), "JUnit agrees with JSON");
    assert!(junit.contains("<testcase name=\"jwks.rsa-2048\" classname=\"jwks\">"));

    let sarif: Value = serde_json::from_str(&text_run(&[&args[..], &["sarif"]].concat(), 1))
        .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().expect("results");
    let noted = ["info", "consequences", "error"]
        .iter()
        .map(|k| json["summary"][k].as_u64().unwrap_or(0) as usize)
        .sum::<usize>();
    assert_eq!(
        results.len(),
        failed + noted,
        "one SARIF result per failed check, information and consequences as notes"
    );
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "jwks.rsa-2048")
        .expect("the failure is a result");
    assert_eq!(r["level"], "error");
    let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], "jwks.rsa-2048");
    assert_eq!(
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "/keys/0/n"
    );

    let md = text_run(&[&args[..], &["markdown"]].concat(), 1);
    assert!(
        md.contains("## authspec: ❌ FAIL")
            && md.contains("`jwks.rsa-2048`")
            && md.contains("```mermaid"),
        "{md}"
    );
    let gh = text_run(&[&args[..], &["github"]].concat(), 1);
    assert!(
        gh.lines()
            .any(|l| l.starts_with("::error title=jwks.rsa-2048 [must]::")),
        "{gh}"
    );
    assert!(
        gh.lines().all(|l| l.starts_with("::")),
        "one workflow command per line"
    );
}

#[test]
fn waivers_are_applied_expired_or_stale() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("authspec.toml");
    let write = |text: &str| std::fs::write(&cfg, text).expect("write config");
    let cfg_arg = cfg.display().to_string();
    let run = |code: i32| {
        json_run(
            &[
                "check",
                "--mock",
                "--fault",
                "jwks-rsa-1024",
                "--format",
                "json",
                "--config",
                &cfg_arg,
            ],
            code,
        )
    };

    write(
        "[[waiver]]\nid = \"JWK-RSA-2048\"\nreason = \"retiring the key\"\nexpires = 2099-12-31\n\n[[waiver]]\nid = \"catalog.profile\"\nreason = \"nothing to waive\"\nexpires = 2099-12-31\n",
    );
    let v = run(0);
    let r = results(&v)
        .find(|r| r["id"] == "jwks.rsa-2048")
        .expect("result");
    assert_eq!(
        r["outcome"], "fail",
        "a waived failure is still reported as a failure"
    );
    assert_eq!(r["waived"], "retiring the key");
    assert_eq!(v["waivers"][0]["status"], "applied");
    assert_eq!(v["waivers"][1]["status"], "stale");
    assert_eq!(v["summary"]["waived"], 1);

    write(
        "[[waiver]]\nid = \"jwks.rsa-2048\"\nreason = \"was accepted last year\"\nexpires = 2020-01-01\n",
    );
    let v = run(1);
    assert_eq!(v["waivers"][0]["status"], "expired");
    assert!(
        results(&v).all(|r| r.get("waived").is_none()),
        "an expired waiver waives nothing"
    );

    write("target = \"https://a.example\"\ntimeout = 5\n");
    let out = authspec()
        .args(["check", "--config", &cfg_arg])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2") && err.contains("timeout"), "{err}");
}

#[test]
fn print_config_shows_flags_over_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("authspec.toml");
    std::fs::write(
        &cfg,
        "target = \"https://file.example\"\nprofile = \"rfc\"\nendpoints = [\"GET /v1/a\"]\n",
    )
    .expect("write");
    let cfg_arg = cfg.display().to_string();
    let text = text_run(
        &[
            "check",
            "https://flag.example",
            "--config",
            &cfg_arg,
            "--print-config",
        ],
        0,
    );
    assert!(text.contains("target = \"https://flag.example\""), "{text}");
    assert!(
        text.contains("profile = \"rfc\"") && text.contains("GET /v1/a"),
        "{text}"
    );
}

/// `authspec list | head -1` used to panic with exit 101 and a backtrace when the reader left.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    for args in [&["list"][..], &["mock", "--list-faults"][..]] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("authspec"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("authspec starts");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("authspec ends");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A selection or a target list that leaves nothing to judge is a usage error, never a pass.
#[test]
fn nothing_to_judge_is_a_usage_error() {
    let empty = tempfile::NamedTempFile::new().expect("temp file");
    let dir = fixture("");
    let empty_path = empty.path().to_string_lossy().into_owned();
    for args in [
        &["check", "--mock", "--only", "prm", "--skip", "prm"][..],
        &["scan", &dir][..],
        &["scan", &empty_path][..],
    ] {
        let out = authspec().args(args).assert().code(2).get_output().clone();
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
}

/// A flag that would do nothing in the run is refused, naming itself, instead of being ignored.
#[test]
fn flags_that_would_be_ignored_are_usage_errors() {
    for (args, names) in [
        (
            &["check", "--mock", "--mcp-version", "2025-11-25"][..],
            "--mcp-version",
        ),
        (
            &["check", "--mock", "--mcp-method", "tools/list"][..],
            "--mcp-method",
        ),
        (
            &["check", "--mock", "--revocable-key", "k"][..],
            "--revocable-key",
        ),
        (
            &["check", "--fault", "prm-not-found", "https://x.example"][..],
            "--fault",
        ),
        (&["list", "--format", "junit"][..], "list --format"),
        (&["check", "--mock", "--report", "json=-"][..], "--report"),
    ] {
        let out = authspec().args(args).assert().code(2).get_output().clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(names), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            !std::path::Path::new("-").exists(),
            "--report json=- made a file named -"
        );
    }
}

/// The action's script passes arguments holding quotes and spaces through whole, and takes the
/// verdict from the exit code (the README's own `--endpoint "POST /v1/jobs/search"` used to break).
#[test]
fn the_github_action_script_keeps_quoted_arguments_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = assert_cmd::cargo::cargo_bin("authspec");
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = format!("{}/scripts/action-check.sh", env!("CARGO_MANIFEST_DIR"));
    let run = |args: &str| {
        let out = std::process::Command::new("bash")
            .arg(&script)
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("AUTHSPEC_URL", "")
            .env("AUTHSPEC_ARGS", args)
            .env("GITHUB_OUTPUT", dir.path().join("out"))
            .env("GITHUB_STEP_SUMMARY", dir.path().join("summary"))
            .output()
            .expect("bash runs");
        let outputs = std::fs::read_to_string(dir.path().join("out")).unwrap_or_default();
        (out.status.code(), outputs)
    };
    let (code, outputs) = run(r#"--mock --endpoint "POST /v1/jobs/search" --only 'prm.*'"#);
    assert_eq!(code, Some(0), "{outputs}");
    assert!(outputs.contains("verdict=pass"), "{outputs}");
    let summary = std::fs::read_to_string(dir.path().join("summary")).unwrap_or_default();
    assert!(
        summary.contains("prm."),
        "the Markdown report reaches the job summary"
    );
    let (code, outputs) = run(r#"--mock --fault prm-not-found --only "prm.*""#);
    assert_eq!(code, Some(1));
    assert!(outputs.contains("verdict=fail"), "{outputs}");
    let (code, _) = run(r#"--mock --endpoint "POST /v1"#);
    assert_eq!(code, Some(2), "an unbalanced quote is a usage error");
}

/// The default human output leads with problems: a line per area, the problem rows, a recap; `-v`
/// shows every row, `-q` only the verdict; one transport error is shown once.
#[test]
fn default_output_is_short_and_names_each_cause_once() {
    let quiet = text_run(&["check", "--mock"], 0);
    assert!(quiet.lines().count() < 20, "{quiet}");
    assert!(!quiet.contains("  pass "), "{quiet}");
    let every = text_run(&["check", "--mock", "-v"], 0);
    assert!(every.lines().filter(|l| l.starts_with("  pass ")).count() > 100);
    assert!(every.contains("does not apply this row"));
    let q = text_run(&["check", "--mock", "-q"], 0);
    assert_eq!(q.lines().count(), 1, "{q}");
    assert!(q.contains("verdict: PASS"));
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let down = text_run(&["check", &format!("http://{addr}/")], 3);
    assert_eq!(down.matches("Connection refused").count(), 1, "{down}");
    assert!(down.lines().count() < 40, "{down}");
    assert!(down.contains("problems: not judged"), "{down}");
}

/// Usage errors keep clap's useful part on their one line and point at the subcommand's --help.
#[test]
fn usage_errors_keep_the_useful_part() {
    for (args, wants) in [
        (
            &["lint", "prm", "f.json"][..],
            &["--url", "authspec lint --help"][..],
        ),
        (&["chek"][..], &["'check'"][..]),
        (
            &["check", "--format", "xml"][..],
            &["human, json", "authspec check --help"][..],
        ),
        (
            &["explain", "prm.resorce-match"][..],
            &["did you mean prm.resource-match"][..],
        ),
        (
            &["replay", &fixture("../reports/mock-check.json")][..],
            &["an authspec report, not a capture"][..],
        ),
    ] {
        let out = authspec().args(args).assert().code(2).get_output().clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        for w in wants {
            assert!(err.contains(w), "{args:?}: {err}");
        }
    }
    // Bare authspec prints the usage, and is a usage error.
    let out = authspec().assert().code(2).get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage: authspec <COMMAND>"));
    // explain takes requirement IDs and several ids at once.
    let text = text_run(&["explain", "PRM-RESOURCE-MATCH", "jwks.served"], 0);
    assert!(text.contains("prm.resource-match —") && text.contains("jwks.served —"));
    // The documented limits are accepted at their edge.
    text_run(
        &[
            "check",
            "--mock",
            "-q",
            "--timeout",
            "5m",
            "--max-body",
            "1GiB",
        ],
        0,
    );
}

/// A waiver whose id names no check or requirement is a typo: refused, not reported as stale.
#[test]
fn a_waiver_for_an_unknown_id_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = dir.path().join("authspec.toml");
    std::fs::write(
        &cfg,
        "[[waiver]]\nid = \"prm.resorce-match\"\nreason = \"typo\"\nexpires = 2099-01-01\n",
    )
    .expect("config written");
    let out = authspec()
        .args(["check", "--mock", "--config"])
        .arg(&cfg)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("prm.resorce-match"), "{err}");
}

/// `baseline` writes today's root failures as waivers; the next run passes on them, a second
/// baseline adds nothing, and a waiver whose failure is fixed is reported stale.
#[test]
fn baseline_waives_todays_failures_and_shrinks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = dir.path().join("authspec.toml");
    let cfg_s = cfg.to_string_lossy().into_owned();
    let faults = ["--mock", "--fault", "jwks-rsa-1024", "--config", &cfg_s];
    let base = |code: i32| {
        authspec()
            .arg("baseline")
            .args(faults)
            .args(["--reason", "known \"weak\" key", "--expires", "2099-12-31"])
            .assert()
            .code(code);
    };
    base(0);
    let written = std::fs::read_to_string(&cfg).expect("baseline written");
    assert_eq!(written.matches("[[waiver]]").count(), 1, "{written}");
    assert!(written.contains("id = \"jwks.rsa-2048\""), "{written}");
    let mut check = vec!["check"];
    check.extend(faults);
    check.extend(["--format", "json"]);
    let r = json_run(&check, 0);
    assert_eq!(r["waivers"][0]["status"], "applied");
    base(0);
    let again = std::fs::read_to_string(&cfg).expect("still there");
    assert_eq!(again, written, "a second baseline adds nothing");
    let fixed = json_run(
        &["check", "--mock", "--config", &cfg_s, "--format", "json"],
        0,
    );
    assert_eq!(fixed["waivers"][0]["status"], "stale");
    authspec()
        .args([
            "baseline",
            "--mock",
            "--reason",
            "x",
            "--expires",
            "2099-13-01",
        ])
        .assert()
        .code(2);
}

/// `--report badge=FILE` writes an SVG naming the profile, the verdict, the date and the version.
#[test]
fn a_badge_names_profile_verdict_date_and_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let badge = dir.path().join("badge.svg");
    let spec = format!("badge={}", badge.display());
    text_run(&["check", "--mock", "-q", "--report", &spec], 0);
    let svg = std::fs::read_to_string(&badge).expect("badge written");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    for want in ["authspec auth-md", "pass 20", env!("CARGO_PKG_VERSION")] {
        assert!(svg.contains(want), "{want} in {svg}");
    }
    let spec = format!("badge={}", badge.display());
    text_run(
        &[
            "check",
            "--mock",
            "-q",
            "--fault",
            "prm-not-found",
            "--report",
            &spec,
        ],
        1,
    );
    assert!(
        std::fs::read_to_string(&badge)
            .expect("rewritten")
            .contains(">fail 20")
    );
}

/// Completions and the man page come from the clap definitions; --color decides over the terminal.
#[test]
fn completions_man_page_and_color() {
    for shell in ["bash", "zsh", "fish"] {
        let s = text_run(&["completions", shell], 0);
        assert!(s.contains("authspec") && s.contains("baseline"), "{shell}");
    }
    let man = text_run(&["man"], 0);
    assert!(man.contains(".TH authspec 1") && man.contains("check"));
    let plain = text_run(&["check", "--mock", "-q"], 0);
    assert!(!plain.contains('\u{1b}'), "not a terminal: no colour");
    let always = text_run(&["check", "--mock", "-q", "--color", "always"], 0);
    assert!(always.contains("\u{1b}["), "--color always colours");
    let forced = authspec()
        .args(["check", "--mock", "-q"])
        .env_remove("NO_COLOR")
        .env("FORCE_COLOR", "1")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8_lossy(&forced).contains("\u{1b}["),
        "FORCE_COLOR colours"
    );
}

/// `lint` never writes raw control bytes from a file to the terminal: escape sequences in a
/// document would otherwise drive it.
#[test]
fn lint_prints_no_raw_control_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let f = dir.path().join("prm.json");
    std::fs::write(
        &f,
        b"{\"resource\": \"\x01\x07\x1b[31mred\", \"x\": \x00 1}\xff\xfe",
    )
    .expect("file written");
    let fs = f.to_string_lossy().into_owned();
    let out = authspec()
        .args(["lint", "prm", &fs, "-v"])
        .args([
            "--url",
            "https://a.example/.well-known/oauth-protected-resource",
        ])
        .assert()
        .get_output()
        .stdout
        .clone();
    let raw: Vec<u8> = out
        .iter()
        .copied()
        .filter(|b| (*b < 0x20 && *b != b'\n') || *b == 0x7f)
        .collect();
    assert!(
        raw.is_empty(),
        "raw control bytes {raw:?} in {}",
        String::from_utf8_lossy(&out)
    );
}

/// A server that answers 200 with an HTML page on every path does not publish an api-catalog.
#[test]
fn an_html_catch_all_is_not_a_catalog() {
    let r = json_run(
        &[
            "check",
            "--mock",
            "--fault",
            "catalog-html-catch-all",
            "--format",
            "json",
        ],
        1,
    );
    let outcome = |id: &str| {
        r["results"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["id"] == id))
            .map(|x| x["outcome"].clone())
    };
    assert_eq!(outcome("catalog.get"), Some("fail".into()));
    assert_eq!(outcome("catalog.format"), Some("fail".into()));
}

#[test]
fn explains_command_to_see_a_row_fail_does_make_it_fail() {
    for id in [
        "asm.iss-response",
        "wwwa.dpop-nonce",
        "ratelimit.problem-types",
        "wwwa.forged-token-refused",
    ] {
        let text = text_run(&["explain", id], 0);
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("see it fail:"))
            .unwrap_or_else(|| panic!("{id}: no 'see it fail' line"));
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        let mut with_json = args.clone();
        with_json.extend(["--format", "json"]);
        // A SHOULD row fails with exit 0 (it warns), a MUST row with exit 1.
        let out = authspec().args(&with_json).output().expect("runs");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{id}: {out:?}");
        let v = assert_valid_report(&out.stdout);
        let row = results(&v)
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id}: no result"));
        assert_eq!(row["outcome"], "fail", "{id} under `{line}`");
    }
}
