//! JUnit output against schemas/junit.xsd (with xmllint) and SARIF output against the OASIS
//! SARIF 2.1.0 schema, for reports of real runs: a passing mock run, a run with faults, a run
//! with a waiver, and a lint of a file.
//!
//! The validators are outside the crate: `xmllint` (Debian's libxml2-utils) and the OASIS schema
//! file, which `.ci/run` fetches from a package registry and checks by SHA-256. Without them the
//! tests say so and pass, unless AUTHSPEC_REQUIRE_VALIDATORS=1 (set by `.ci/run`) makes a missing
//! validator a failure.

use authspec::capturefile::CaptureFile;
use authspec::checks::Profile;
use authspec::config::Waiver;
use authspec::report::{Report, apply_waivers, junit, sarif};
use authspec::run::{self, LintKind};
use authspec::select::Selection;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether a missing validator should fail the test rather than skip it.
fn required() -> bool {
    std::env::var("AUTHSPEC_REQUIRE_VALIDATORS").is_ok_and(|v| v == "1")
}

fn missing(what: &str) {
    assert!(
        !required(),
        "{what} is missing and AUTHSPEC_REQUIRE_VALIDATORS=1"
    );
    eprintln!("skipped: {what} is missing (bash .ci/run installs it)");
}

fn replayed(name: &str) -> Report {
    let path = manifest().join(format!("reports/{name}.capture.json"));
    let text = std::fs::read_to_string(path).expect("the capture is committed");
    let file = CaptureFile::parse(&text).expect("the capture parses");
    run::replay(&file, None, &Selection::default(), false).expect("replay")
}

fn waived() -> Report {
    let mut r = replayed("mock-faults");
    let waiver: Waiver =
        toml::from_str("id = \"PRM-RESOURCE-MATCH\"\nreason = \"migrating\"\nexpires = 2099-01-01")
            .expect("waiver");
    apply_waivers(&mut r, &[waiver], "2026-01-01");
    r
}

fn linted() -> Report {
    let body = std::fs::read(manifest().join("fixtures/prm/resource-mismatch.json"))
        .expect("fixture exists");
    let mut r = run::lint(
        LintKind::Prm,
        body,
        "https://api.example.com/.well-known/oauth-protected-resource",
        Profile::AuthMd,
        &Selection::default(),
        false,
    )
    .expect("lint runs");
    r.input_file = Some("fixtures/prm/resource-mismatch.json".into());
    r
}

fn reports() -> Vec<(&'static str, Report)> {
    vec![
        ("mock-check", replayed("mock-check")),
        ("mock-faults", replayed("mock-faults")),
        ("waived", waived()),
        ("lint", linted()),
    ]
}

/// Runs xmllint on `xml`; `Ok(())` when it validates, else xmllint's complaint.
fn xmllint(xml: &str, dir: &Path, name: &str) -> Result<(), String> {
    let file = dir.join(format!("{name}.xml"));
    std::fs::write(&file, xml).expect("write junit");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(manifest().join("schemas/junit.xsd"))
        .arg(&file)
        .output()
        .expect("xmllint runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn xmllint_present() -> bool {
    Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn junit_validates_against_the_xsd() {
    if !xmllint_present() {
        return missing("xmllint");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, report) in reports() {
        let xml = junit::render(&report).expect("junit renders");
        if let Err(e) = xmllint(&xml, dir.path(), name) {
            panic!("{name}: JUnit does not validate:\n{e}");
        }
    }
    // The validator is live: a count that is not a number is refused.
    let xml = junit::render(&replayed("mock-faults")).expect("junit renders");
    let broken = xml.replacen(" tests=\"", " tests=\"many", 2);
    assert!(
        xmllint(&broken, dir.path(), "broken").is_err(),
        "xmllint accepted tests=\"many…\""
    );
}

fn sarif_schema_path() -> PathBuf {
    std::env::var_os("AUTHSPEC_SARIF_SCHEMA").map_or_else(
        || manifest().join("target/validators/sarif-schema-2.1.0.json"),
        PathBuf::from,
    )
}

#[test]
fn sarif_validates_against_the_oasis_schema() {
    let Ok(text) = std::fs::read_to_string(sarif_schema_path()) else {
        return missing("the SARIF 2.1.0 schema (target/validators/sarif-schema-2.1.0.json)");
    };
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    let validator = jsonschema::draft4::new(&schema).expect("the schema compiles");
    for (name, report) in reports() {
        let log: serde_json::Value =
            serde_json::from_str(&sarif::render(&report).expect("sarif renders"))
                .expect("sarif is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: SARIF is invalid: {errors:#?}");
    }
    // The validator is live: a level outside the enumeration is refused.
    let mut log: serde_json::Value =
        serde_json::from_str(&sarif::render(&replayed("mock-faults")).expect("sarif renders"))
            .expect("sarif is JSON");
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&log), "the schema accepted level fatal");
}

#[test]
fn sarif_points_lint_results_at_the_file_line_and_member() {
    let log: serde_json::Value =
        serde_json::from_str(&sarif::render(&linted()).expect("sarif renders")).expect("json");
    let result = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "prm.resource-match")
        .expect("the mismatch is reported");
    let loc = &result["locations"][0];
    let physical = &loc["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "fixtures/prm/resource-mismatch.json"
    );
    assert_eq!(physical["region"]["startLine"], 2);
    assert_eq!(physical["region"]["startColumn"], 3);
    assert_eq!(physical["region"]["snippet"]["text"], "\"resource\"");
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "/resource"
    );
}

#[test]
fn live_results_point_at_the_document_url_and_line() {
    let report = replayed("mock-faults");
    let located: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.position.is_some())
        .collect();
    assert!(
        !located.is_empty(),
        "no failure of the fault run was located"
    );
    for r in located {
        let pos = r.position.as_ref().expect("filtered");
        let ex = r
            .evidence
            .iter()
            .find(|e| e.id == pos.exchange)
            .expect("the position names one of the result's exchanges");
        assert!(ex.url.starts_with("http"), "{}", ex.url);
        assert!(pos.line >= 1 && pos.column >= 1);
        assert!(
            pos.token().starts_with('"')
                || r.pointer
                    .as_deref()
                    .is_some_and(|p| p.ends_with(char::is_numeric)),
            "{}: {:?}",
            r.id,
            pos
        );
    }
}

#[test]
fn committed_captures_fit_the_capture_schema() {
    let read = |name: &str| {
        std::fs::read_to_string(manifest().join(format!("reports/{name}.capture.json")))
            .expect("committed")
    };
    for name in ["mock-check", "mock-faults"] {
        common::assert_capture_valid(&read(name));
    }
    // The schema is live: an unknown role is refused.
    let mut broken: serde_json::Value = serde_json::from_str(&read("mock-check")).expect("json");
    broken["exchanges"][0]["roles"][0]["role"] = "probe-everything".into();
    assert!(!common::capture_schema().is_valid(&broken));
}
