//! The CLI as people who run it every day meet it: report paths that are not plain files, missing
//! inputs that must not pass, report colours that follow the exit code, and `diff`.

use assert_cmd::Command;
use serde_json::Value;

fn authspec() -> Command {
    let mut c = Command::cargo_bin("authspec").expect("binary builds");
    c.env_remove("AUTHSPEC_API_KEY")
        .env_remove("AUTHSPEC_REVOCABLE_KEY")
        .env_remove("AUTHSPEC_LOW_SCOPE_KEY")
        .env("NO_COLOR", "1");
    c
}

fn fixture(p: &str) -> String {
    format!("{}/fixtures/{p}", env!("CARGO_MANIFEST_DIR"))
}

const PRM_URL: &str = "https://api.example.com/.well-known/oauth-protected-resource";

/// `lint prm` of the good fixture, with extra arguments; returns (exit code, stdout, stderr).
fn lint_good(extra: &[&str]) -> (i32, String, String) {
    let out = authspec()
        .args(["lint", "prm", &fixture("prm/good.json"), "--url", PRM_URL])
        .args(extra)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn a_report_symlink_stays_a_symlink_and_its_target_gets_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("real.json");
    std::fs::write(&target, "stale").expect("write");
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let (code, _, err) = lint_good(&["--report", &format!("json={}", link.display())]);
    assert_eq!(code, 0, "{err}");
    let meta = std::fs::symlink_metadata(&link).expect("link");
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    let v: Value = serde_json::from_slice(&std::fs::read(&target).expect("target")).expect("json");
    assert_eq!(v["verdict"], "pass");
}

#[cfg(unix)]
#[test]
fn a_report_fifo_is_written_through_to_its_reader() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("report.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap_or_default())
    };
    let (code, _, err) = lint_good(&["--report", &format!("junit={}", fifo.display())]);
    assert_eq!(code, 0, "{err}");
    let text = reader.join().expect("reader");
    assert!(text.contains("<testsuites"), "{text}");
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::symlink_metadata(&fifo).expect("fifo").file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced by a file");
}

#[cfg(target_os = "linux")]
#[test]
fn a_report_to_dev_stdout_is_written_to_stdout() {
    let (code, out, err) = lint_good(&["--quiet", "--report", "json=/dev/stdout"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"verdict\": \"pass\""), "{out}");
    let kind = std::fs::symlink_metadata("/dev/stdout").expect("/dev/stdout");
    assert!(kind.file_type().is_symlink(), "/dev/stdout was replaced");
}

#[test]
fn an_unusable_report_path_is_refused_before_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, out, err) = lint_good(&["--report", &format!("json={}", dir.path().display())]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("is a directory"), "{err}");
    let missing = dir.path().join("no/such/r.json");
    let (code, _, err) = lint_good(&["--report", &format!("json={}", missing.display())]);
    assert_eq!(code, 2);
    assert!(err.contains("does not exist"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_report_to_a_process_substitution_reaches_the_process() {
    let bin = assert_cmd::cargo::cargo_bin("authspec");
    let script = format!(
        "{} lint prm {} --url {PRM_URL} --quiet --report 'junit='>(wc -c > \"$0\"); wait",
        bin.display(),
        fixture("prm/good.json"),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let count = dir.path().join("count");
    let status = std::process::Command::new("bash")
        .args(["-c", &script])
        .arg(&count)
        .env_remove("AUTHSPEC_API_KEY")
        .status()
        .expect("bash runs");
    assert!(status.success());
    // The substituted process may finish just after bash: wait for its line.
    let mut bytes = 0;
    for _ in 0..100 {
        let text = std::fs::read_to_string(&count).unwrap_or_default();
        if let Ok(n) = text.trim().parse::<u64>() {
            bytes = n;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(bytes > 100, "wc saw {bytes} bytes");
}

/// A running `authspec mock` (killed on drop) and its resource URL.
struct Mock {
    child: std::process::Child,
    url: String,
    _stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Mock {
    fn start() -> Mock {
        use std::io::BufRead;
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("authspec"))
            .args(["mock", "--addr", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("mock starts");
        let mut first = String::new();
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        stdout.read_line(&mut first).expect("a line");
        let url = first
            .trim()
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_string();
        // The pipe stays open: the mock prints more lines, and a closed pipe would end it.
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

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = authspec();
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_empty_key_or_a_keyless_burst_is_a_usage_error_naming_the_flag() {
    let url = "http://127.0.0.1:9/";
    let (code, out, err) = run(&["check", url, "--api-key", ""], &[]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("--api-key is empty"), "{err}");
    let (code, _, err) = run(&["check", url], &[("AUTHSPEC_API_KEY", "")]);
    assert_eq!(code, 2);
    assert!(err.contains("AUTHSPEC_API_KEY is set but empty"), "{err}");
    let (code, _, err) = run(&["check", url, "--burst"], &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--burst") && err.contains("--api-key"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_keyless_pass_says_what_it_left_unjudged_and_records_its_flags() {
    let mock = Mock::start();
    let endpoint = ["--endpoint", "POST /v1/jobs/search"];
    let (code, out, err) = run(&[&["check", &mock.url][..], &endpoint].concat(), &[]);
    assert_eq!(code, 0, "{out}{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("not judged for want of a flag:"))
        .unwrap_or_else(|| panic!("no coverage line in {out}"));
    assert!(line.contains("need --api-key") || line.contains("needs --api-key"));
    assert!(line.contains("--burst"), "{line}");
    let (code, out, _) = run(
        &[&["check", &mock.url, "--format", "json"][..], &endpoint].concat(),
        &[],
    );
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["flags"]["api_key"], false);
    assert_eq!(v["flags"]["burst"], false);
    let key_rows = v["coverage"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["flag"] == "--api-key")
        .and_then(|c| c["rows"].as_u64());
    // The count is the rows whose own skip reason names the flag, nothing else.
    let named = v["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["outcome"] == "skip" && r["skip_kind"] != "not-applied")
        .filter(|r| r["message"].as_str().unwrap_or("").contains("--api-key"))
        .count() as u64;
    assert_eq!(key_rows, Some(named));
    let dir = tempfile::tempdir().expect("tempdir");
    let html = dir.path().join("r.html");
    let (code, _, _) = run(
        &[
            &[
                "check",
                &mock.url,
                "--report",
                &format!("html={}", html.display()),
            ][..],
            &endpoint,
        ]
        .concat(),
        &[],
    );
    assert_eq!(code, 0);
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(page.contains("api key: none"), "the HTML names the flags");
    assert!(page.contains("not judged for want of a flag"));
}

/// The `failures` and `errors` counts of a JUnit document's root element.
fn junit_counts(xml: &str) -> (u64, u64) {
    let root = xml
        .lines()
        .find(|l| l.trim_start().starts_with("<testsuites"))
        .unwrap_or_default();
    let attr = |name: &str| {
        root.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(u64::MAX)
    };
    (attr("failures"), attr("errors"))
}

/// Runs `check` with `args` and every report format written to files; returns the exit code
/// and the text of each format by name.
fn every_format(args: &[&str]) -> (i32, std::collections::BTreeMap<&'static str, String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let formats = ["junit", "github", "markdown", "human"];
    let mut c = authspec();
    c.arg("check").args(args);
    for f in formats {
        c.arg("--report")
            .arg(format!("{f}={}", dir.path().join(f).display()));
    }
    let out = c.arg("--quiet").output().expect("runs");
    let texts = formats
        .iter()
        .map(|f| {
            (
                *f,
                std::fs::read_to_string(dir.path().join(f)).unwrap_or_default(),
            )
        })
        .collect();
    (out.status.code().unwrap_or(-1), texts)
}

#[test]
fn a_green_run_with_a_should_warning_shows_nothing_red() {
    let (code, t) = every_format(&["--mock", "--fault", "asm-no-rs256"]);
    assert_eq!(code, 0);
    assert_eq!(junit_counts(&t["junit"]), (0, 0), "{}", t["junit"]);
    assert!(
        t["junit"].contains("type=\"warning\""),
        "the warning is shown"
    );
    assert!(!t["github"].contains("::error"), "{}", t["github"]);
    assert!(t["github"].contains("::warning title=asm.rs256"));
    // The mock's MAY rows that fail (information) get no annotation on a passing run.
    let notices: Vec<&str> = t["github"]
        .lines()
        .filter(|l| l.starts_with("::notice"))
        .collect();
    assert_eq!(notices.len(), 1, "only the verdict: {notices:?}");
    assert!(notices[0].starts_with("::notice title=authspec verdict pass"));
    assert!(!t["markdown"].contains("Why this job is red"));
    assert!(!t["human"].contains("FAIL"), "{}", t["human"]);
}

#[test]
fn strict_turns_the_should_warning_red_in_every_format() {
    let (code, t) = every_format(&["--mock", "--fault", "asm-no-rs256", "--strict"]);
    assert_eq!(code, 1);
    assert_eq!(junit_counts(&t["junit"]), (1, 0), "{}", t["junit"]);
    assert!(t["github"].contains("::error title=asm.rs256"));
    assert!(t["github"].contains("::error title=authspec verdict fail"));
    assert!(t["markdown"].contains("- `asm.rs256` [should] failed"));
    assert!(t["human"].contains("FAIL asm.rs256"), "{}", t["human"]);
}

#[test]
fn an_expired_waiver_says_why_the_job_is_red_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("authspec.toml");
    std::fs::write(
        &cfg,
        "[[waiver]]\nid = \"prm.resource-match\"\nreason = \"legacy\"\nexpires = 2020-01-01\n",
    )
    .expect("config");
    let (code, t) = every_format(&["--mock", "--config", &cfg.display().to_string()]);
    assert_eq!(code, 1);
    let (failures, _) = junit_counts(&t["junit"]);
    assert_eq!(failures, 1, "{}", t["junit"]);
    assert!(t["junit"].contains("waiver prm.resource-match"));
    assert!(
        t["github"].contains("::error title=waiver prm.resource-match expired"),
        "{}",
        t["github"]
    );
    assert!(t["markdown"].contains("waiver for `prm.resource-match` expired on 2020-01-01"));
    let recap = t["human"]
        .lines()
        .find(|l| l.starts_with("problems:"))
        .unwrap_or_default();
    assert!(
        recap.contains("EXPIRED waiver prm.resource-match"),
        "{}",
        t["human"]
    );
}

#[test]
fn an_incomplete_run_is_a_junit_error_for_each_must_that_lacked_input() {
    let args = ["http://127.0.0.1:9", "--timeout", "2s"];
    let (code, t) = every_format(&args);
    assert_eq!(code, 3);
    let (code, out, _) = run(
        &[&["check"][..], &args, &["--format", "json"]].concat(),
        &[],
    );
    assert_eq!(code, 3);
    let v: Value = serde_json::from_str(&out).expect("json");
    let must_unjudged = v["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["level"] == "must")
        .filter(|r| r["outcome"] == "error" || r["skip_kind"] == "no-input")
        .count() as u64;
    assert!(must_unjudged > 0);
    assert_eq!(
        junit_counts(&t["junit"]),
        (0, must_unjudged),
        "{}",
        t["junit"]
    );
    assert!(t["github"].contains("not judged, input missing"));
    assert!(t["github"].contains("::error title=authspec verdict incomplete"));
    assert!(t["markdown"].contains("could not be judged"));
}

#[test]
fn lint_annotations_name_file_line_and_column_and_carry_the_fix() {
    let file = fixture("prm/resource-mismatch.json");
    let (code, out, _) = run(
        &["lint", "prm", &file, "--url", PRM_URL, "--format", "github"],
        &[],
    );
    assert_eq!(code, 1);
    let line = out
        .lines()
        .find(|l| l.starts_with("::error") && l.contains("prm.resource-match"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("file="), "{line}");
    assert!(line.contains(",line=") && line.contains(",col="), "{line}");
    assert!(line.contains("%0Afix: "), "{line}");
}

#[test]
fn sarif_from_lint_names_the_file_relative_to_the_working_directory() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = authspec()
        .current_dir(root)
        .args([
            "lint",
            "prm",
            &fixture("prm/resource-mismatch.json"),
            "--url",
            PRM_URL,
            "--format",
            "sarif",
        ])
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let uri =
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    assert_eq!(uri, "fixtures/prm/resource-mismatch.json");
}

#[test]
fn scan_names_why_a_target_is_incomplete_and_scans_a_duplicate_once() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = dir.path().join("targets.txt");
    std::fs::write(
        &targets,
        format!("{0}\n{0}\nhttp://127.0.0.1:9\n", mock.url),
    )
    .expect("targets");
    let (code, out, err) = run(
        &["scan", &targets.display().to_string(), "--timeout", "2s"],
        &[],
    );
    assert_eq!(code, 3, "{out}{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 2, "the duplicate is scanned once: {out}");
    assert!(err.contains("1 duplicate"), "{err}");
    let incomplete = lines
        .iter()
        .find(|l| l["verdict"] == "incomplete")
        .expect("an incomplete line");
    assert!(incomplete["reason"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(
        incomplete["unjudged"]
            .as_array()
            .is_some_and(|u| !u.is_empty())
    );
    let shard = dir.path().join("shard.jsonl");
    std::fs::write(&shard, &out).expect("shard");
    let (_, summary, _) = run(&["scan-summary", &shard.display().to_string()], &[]);
    let row = summary
        .lines()
        .find(|l| l.starts_with("| http://127.0.0.1:9 |"))
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(row.contains("not judged: "), "{row}");
    let (code, _, err) = run(&["scan", "no-such-targets.txt"], &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("targets file no-such-targets.txt does not exist"),
        "{err}"
    );
}

#[test]
fn explain_takes_what_only_takes() {
    let (code, out, _) = run(&["explain", "prm"], &[]);
    assert_eq!(code, 0);
    assert!(out.lines().filter(|l| l.starts_with("prm.")).count() > 5);
    let (code, out, _) = run(&["explain", "jwks.*"], &[]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" — "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert!(
        ids.len() > 5 && ids.iter().all(|i| i.starts_with("jwks.")),
        "{ids:?}"
    );
    let (code, _, err) = run(&["explain", "nosuch.*"], &[]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_action_script_says_when_args_have_an_unbalanced_quote() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = format!("{}/scripts/action-check.sh", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("bash")
        .arg(&script)
        .current_dir(dir.path())
        // No authspec on PATH: the script must stop before it would run it.
        .env("PATH", "/usr/bin:/bin")
        .env("AUTHSPEC_ARGS", r#"--mock --endpoint "POST /v1"#)
        .env("GITHUB_OUTPUT", dir.path().join("out"))
        .output()
        .expect("bash runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("authspec action: args has an unbalanced quote"),
        "{err}"
    );
    let outputs = std::fs::read_to_string(dir.path().join("out")).unwrap_or_default();
    assert!(outputs.contains("verdict=error"), "{outputs}");
}

/// Runs `command` under `script`, which gives it a terminal; `None` where `script` is missing.
#[cfg(target_os = "linux")]
fn on_a_terminal(command: &str) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let log = dir.path().join("tty.log");
    let status = std::process::Command::new("script")
        .args(["-qec", command])
        .arg(&log)
        .env_remove("AUTHSPEC_API_KEY")
        .stdout(std::process::Stdio::null())
        .status()
        .ok()?;
    status
        .success()
        .then(|| std::fs::read_to_string(&log).unwrap_or_default())
}

#[cfg(target_os = "linux")]
#[test]
fn a_burst_shows_progress_on_a_terminal_and_none_in_a_log() {
    let bin = assert_cmd::cargo::cargo_bin("authspec");
    let command = format!("{} check --mock --burst -q", bin.display());
    let Some(tty) = on_a_terminal(&command) else {
        eprintln!("skipped: no `script` to give the run a terminal");
        return;
    };
    assert!(tty.contains("/150 requests"), "{tty}");
    assert!(tty.contains("429, waiting out Retry-After"), "{tty}");
    let (code, _, err) = run(&["check", "--mock", "--burst", "-q"], &[]);
    assert_eq!(code, 0);
    assert!(!err.contains("requests ·"), "no progress in a log: {err}");
}

#[test]
fn diff_names_new_fixed_and_changed_rows_documents_and_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = "https://api.example.com/jwks";
    let report = |name: &str, fixture_name: &str| {
        let path = dir.path().join(name);
        let (code, out, _) = run(
            &[
                "lint",
                "jwks",
                &fixture(fixture_name),
                "--url",
                url,
                "--format",
                "json",
            ],
            &[],
        );
        assert!(code == 0 || code == 1);
        std::fs::write(&path, out).expect("report");
        path.display().to_string()
    };
    let good = report("good.json", "jwks/good.json");
    let weak = report("weak.json", "jwks/rsa-1024.json");
    let (code, out, _) = run(&["diff", &good, &weak], &[]);
    assert_eq!(code, 1, "a new problem is exit 1: {out}");
    assert!(out.contains("new problems (1):"), "{out}");
    assert!(
        out.contains("jwks.rsa-2048") && out.contains("pass -> FAIL"),
        "{out}"
    );
    assert!(out.contains("changed  <target>/jwks"), "{out}");
    assert!(out.contains("added    kid mock-rs256-weak"), "{out}");
    assert!(out.contains("removed  kid mock-rs256-1"), "{out}");
    let (code, out, _) = run(&["diff", &weak, &good, "--format", "json"], &[]);
    assert_eq!(code, 0, "fixing is not a regression");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["fixed"][0]["id"], "jwks.rsa-2048");
    assert_eq!(v["new"].as_array().map(Vec::len), Some(0));
    let (code, out, _) = run(&["diff", &good, &good], &[]);
    assert_eq!(code, 0);
    assert!(out.contains("0 new, 0 fixed, 0 changed rows; 0 documents and 0 keys changed"));
    let (code, _, err) = run(&["diff", &good, &fixture("jwks/good.json")], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("is not an authspec JSON report"), "{err}");
}

#[test]
fn a_level_override_in_the_configuration_raises_a_should_to_a_must() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("authspec.toml");
    std::fs::write(&cfg, "[levels]\n\"asm.rs256\" = \"must\"\n").expect("config");
    let cfg = cfg.display().to_string();
    let (code, out, err) = run(
        &[
            "check",
            "--mock",
            "--fault",
            "asm-no-rs256",
            "--config",
            &cfg,
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(code, 1, "the raised row decides the verdict: {err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["level_overrides"][0]["id"], "asm.rs256");
    assert_eq!(v["level_overrides"][0]["from"], "should");
    assert_eq!(v["level_overrides"][0]["to"], "must");
    let row = v["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["id"] == "asm.rs256")
        .cloned()
        .unwrap_or_default();
    assert_eq!(row["level"], "must");
    let (_, human, _) = run(
        &[
            "check",
            "--mock",
            "--fault",
            "asm-no-rs256",
            "--config",
            &cfg,
        ],
        &[],
    );
    assert!(
        human.contains("levels set by the configuration: asm.rs256 should -> must"),
        "{human}"
    );
    std::fs::write(&cfg, "[levels]\n\"prm.resource-match\" = \"may\"\n").expect("config");
    let (code, _, err) = run(&["check", "--mock", "--config", &cfg], &[]);
    assert_eq!(code, 2, "a MUST is never lowered");
    assert!(err.contains("[[waiver]]"), "{err}");
}

#[test]
fn curl_reproduces_a_failing_keyed_probe_without_the_key() {
    let (code, out, _) = run(
        &["check", "--mock", "--fault", "ratelimit-missing", "--curl"],
        &[],
    );
    assert_eq!(code, 1, "{out}");
    let section = out
        .split("reproduce the failing probes")
        .nth(1)
        .unwrap_or_else(|| panic!("no curl section: {out}"));
    let keyed = section
        .lines()
        .find(|l| l.starts_with("curl ") && l.contains("$AUTHSPEC_API_KEY"))
        .unwrap_or_else(|| panic!("{section}"));
    assert!(
        keyed.contains("\"authorization: Bearer $AUTHSPEC_API_KEY\""),
        "{keyed}"
    );
    assert!(
        !section.contains("jp_live_"),
        "never the key, not even redacted: {section}"
    );
    // With a machine format the commands go to stderr, and stdout stays a report.
    let (_, out, err) = run(
        &[
            "check",
            "--mock",
            "--fault",
            "ratelimit-missing",
            "--curl",
            "--format",
            "json",
        ],
        &[],
    );
    assert!(serde_json::from_str::<Value>(&out).is_ok());
    assert!(err.contains("curl -si"), "{err}");
}

/// A credential given as `--token` is reproduced as `$AUTHSPEC_TOKEN`, the variable it is read
/// from, not as the API key's.
#[test]
fn curl_names_the_token_variable_for_a_token_run() {
    let (code, out, _) = run(
        &[
            "check",
            "--mock",
            "--fault",
            "ratelimit-missing",
            "--curl",
            "--token",
            "jp_live_curltokencurltokencurltoken",
        ],
        &[],
    );
    assert_eq!(code, 1, "{out}");
    let section = out
        .split("reproduce the failing probes")
        .nth(1)
        .unwrap_or_else(|| panic!("no curl section: {out}"));
    assert!(
        section.contains("\"authorization: Bearer $AUTHSPEC_TOKEN\""),
        "{section}"
    );
    assert!(!section.contains("AUTHSPEC_API_KEY"), "{section}");
    assert!(!section.contains("curltoken"), "{section}");
}

/// A row authspec could not judge is not a finding against the server: SARIF 2.1.0 §3.27.9 calls
/// it `open` with level `none`, and the MUST rows it leaves incomplete are tool notifications.
#[test]
fn sarif_reports_unjudged_rows_as_open_and_notifies_the_incomplete_musts() {
    let out = Command::cargo_bin("authspec")
        .expect("binary")
        .args(["check", "http://127.0.0.1:1/", "--format", "sarif"])
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).expect("sarif");
    let run = &v["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(
            (r["kind"].as_str(), r["level"].as_str()),
            (Some("open"), Some("none")),
            "{r}"
        );
    }
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(
        notes
            .iter()
            .any(|n| n["associatedRule"]["id"] == "wwwa.bearer-challenge"),
        "{inv}"
    );
    assert!(notes.iter().all(|n| n["level"] == "error"));
}

/// Markdown and HTML reports list what the run changed at the target, as the human output does:
/// a reviewer reading a job summary sees the clients left behind and whether tokens were revoked.
#[test]
fn markdown_and_html_list_the_side_effects() {
    for (format, heading) in [
        ("markdown", "### Side effects at the target"),
        ("html", "<h2>Side effects at the target</h2>"),
    ] {
        let (code, out, _) = run(
            &[
                "check",
                "--mock",
                "--profile",
                "mcp",
                "--allow-side-effects",
                "--format",
                format,
            ],
            &[],
        );
        assert_eq!(code, 0, "{out}");
        assert!(out.contains(heading), "{format}: {out}");
        assert!(out.contains("client registered"), "{format}");
        assert!(out.contains("token minted"), "{format}");
        assert!(out.contains("revoked"), "{format}");
    }
}
