//! Verdicts that real servers showed wrong: one-of groups, root causes, transport faults and tool
//! limits, open MCP methods. Each test names the symptom it pins (issue "Truth on real servers").

use assert_cmd::Command;
use authspec::evidence::{Evidence, Exchange, Mode, Role};
use serde_json::Value;

fn run(args: &[&str], code: i32) -> Value {
    let out = Command::cargo_bin("authspec")
        .expect("binary builds")
        .env_remove("AUTHSPEC_API_KEY")
        .env("NO_COLOR", "1")
        .args(args)
        .args(["--format", "json"])
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("a JSON report")
}

/// The MCP mock under `fault` (a fault or a layout) at `version`, expecting exit `code`.
fn mcp(fault: &str, version: &str, code: i32) -> Value {
    run(
        &[
            "check",
            "--mock",
            "--profile",
            "mcp",
            "--mcp-version",
            version,
            "--fault",
            fault,
        ],
        code,
    )
}

fn row<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["results"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("no result {id}"))
}

fn message(r: &Value, id: &str) -> String {
    row(r, id)["message"].as_str().unwrap_or("").to_string()
}

fn failing(r: &Value) -> Vec<String> {
    r["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|x| x["outcome"] == "fail" && x["consequence_of"].is_null() && x["level"] != "may")
        .map(|x| x["id"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_pass_through_the_hint_makes_the_missing_well_known_prm_info() {
    // Symptom 1, conformance metadata-var3: prm.wellknown-insert decided the verdict.
    let r = mcp("mcp-prm-hint-only", "2025-11-25", 0);
    let w = row(&r, "prm.wellknown-insert");
    assert_eq!(w["outcome"], "fail");
    assert_eq!(w["level"], "may", "{w}");
    assert_eq!(w["alternative"]["group"], "mcp.prm-location");
    assert_eq!(w["alternative"]["satisfied"], true);
    assert_eq!(w["alternative"]["level"], "must");
    assert_eq!(row(&r, "mcp.prm-discovery")["outcome"], "pass");
    // The PRM that was found is the one judged, so its rows are not left without input.
    assert_eq!(row(&r, "prm.resource-present")["outcome"], "pass");
    assert!(failing(&r).is_empty(), "{:?}", failing(&r));
}

#[test]
fn a_root_prm_naming_the_origin_is_found() {
    // Symptom 1, conformance metadata-var2: mcp.prm-discovery failed a valid root PRM.
    let r = mcp("mcp-prm-root-only", "2026-07-28", 0);
    let d = row(&r, "mcp.prm-discovery");
    assert_eq!(d["outcome"], "pass");
    assert!(d["message"].as_str().unwrap_or("").contains("root"), "{d}");
    for id in ["wwwa.resource-metadata", "prm.wellknown-insert"] {
        assert_eq!(row(&r, id)["level"], "may", "{id}");
    }
}

#[test]
fn the_same_layouts_fail_where_the_version_does_not_allow_them() {
    // MCP 2025-06-18 has neither the root fallback nor OIDC discovery: the group does not apply.
    let r = mcp("mcp-prm-root-only", "2025-06-18", 1);
    assert!(failing(&r).contains(&"mcp.401-resource-metadata".to_string()));
    let w = row(&r, "wwwa.resource-metadata");
    assert_eq!(w["consequence_of"], "mcp.401-resource-metadata", "{w}");
}

#[test]
fn the_oidc_document_discovery_used_is_judged_by_the_as_rows() {
    // Symptom 2: every asm row was skipped and jwks said no document names a jwks_uri.
    let r = mcp("mcp-oidc-discovery", "2025-11-25", 0);
    for id in [
        "asm.issuer-match",
        "asm.pkce",
        "asm.resp-200-json",
        "jwks.keys-member",
    ] {
        assert_eq!(row(&r, id)["outcome"], "pass", "{id}: {}", row(&r, id));
    }
    assert_eq!(row(&r, "asm.wellknown-insert")["level"], "may");
    // The set was named by the OIDC document: the only AS document this layout serves.
    let asm_fetches: Vec<&Value> = r["exchanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["status"] == 200)
        .filter(|e| {
            e["url"]
                .as_str()
                .unwrap_or("")
                .contains("openid-configuration")
        })
        .collect();
    assert!(!asm_fetches.is_empty());
    let chain = r["chain"].as_array().expect("chain");
    assert!(chain.iter().any(|e| {
        e["to"] == "jwks" && e["from"].as_str().unwrap_or("").starts_with("asm(") && e["ok"] == true
    }));
}

#[test]
fn a_500_for_a_bad_token_is_one_failure_with_its_consequence() {
    // Symptom 3, the SDK example: bearer-header-support failed too, and both counted.
    let r = mcp("mcp-bad-token-500", "2026-07-28", 1);
    assert_eq!(failing(&r), ["mcp.invalid-token-401"]);
    assert_eq!(r["summary"]["must_fail"], 1);
    // The malformed-header probe meets the same 500 refusal path: a consequence too.
    assert_eq!(r["summary"]["consequences"], 2);
    let c = row(&r, "wwwa.error-on-bad-token");
    assert_eq!(c["consequence_of"], "mcp.invalid-token-401");
    let forged = row(&r, "wwwa.forged-token-401");
    assert_eq!(forged["consequence_of"], "mcp.invalid-token-401");
    assert_eq!(row(&r, "wwwa.bearer-header-support")["outcome"], "pass");
}

#[test]
fn every_format_shows_a_consequence_without_counting_it() {
    let args = [
        "check",
        "--mock",
        "--profile",
        "mcp",
        "--fault",
        "mcp-bad-token-500",
    ];
    let text = |format: &str| {
        let out = Command::cargo_bin("authspec")
            .expect("binary")
            .env("NO_COLOR", "1")
            .args(args)
            .args(["--format", format])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        String::from_utf8_lossy(&out).into_owned()
    };
    let human = text("human");
    assert!(human.contains("after wwwa.error-on-bad-token"), "{human}");
    assert!(human.contains("consequence of mcp.invalid-token-401"));
    assert!(human.contains("1 failed (1 must, 0 should), 2 consequences"));
    let junit = text("junit");
    assert!(junit.contains("type=\"consequence\""), "{junit}");
    assert!(text("markdown").contains("consequence of mcp.invalid-token-401"));
    assert!(text("html").contains("consequence of mcp.invalid-token-401"));
    assert!(text("github").contains("consequence of mcp.invalid-token-401"));
    let sarif: Value = serde_json::from_str(&text("sarif")).expect("SARIF");
    let res = sarif["runs"][0]["results"].as_array().expect("results");
    let c = res
        .iter()
        .find(|x| x["ruleId"] == "wwwa.error-on-bad-token")
        .expect("the consequence is a result");
    assert_eq!(c["level"], "note");
}

#[test]
fn an_open_initialize_does_not_make_the_endpoint_unprotected() {
    // Symptom 5, conformance scope-step-up: false wwwa.bearer-challenge failures.
    let r = mcp("mcp-initialize-open", "2025-11-25", 0);
    let b = row(&r, "wwwa.bearer-challenge");
    assert_eq!(b["outcome"], "pass", "{b}");
    assert!(b["message"].as_str().unwrap_or("").contains("POST"));
    let probes: Vec<&str> = r["exchanges"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| e["roles"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .filter(|x| x.starts_with("probe-unauth"))
        .collect();
    assert!(
        probes.contains(&"probe-unauth(POST /mcp [initialize])"),
        "{probes:?}"
    );
    assert!(
        probes.contains(&"probe-unauth(POST /mcp [tools/list])"),
        "{probes:?}"
    );
}

#[test]
fn mcp_method_names_the_methods_probed_and_bad_names_are_usage_errors() {
    let r = run(
        &[
            "check",
            "--mock",
            "--profile",
            "mcp",
            "--mcp-method",
            "tools/call",
        ],
        0,
    );
    let roles = r["exchanges"].to_string();
    assert!(
        roles.contains("[tools/call]") && !roles.contains("[initialize]"),
        "{roles}"
    );
    Command::cargo_bin("authspec")
        .expect("binary")
        .args([
            "check",
            "--mock",
            "--profile",
            "mcp",
            "--mcp-method",
            "tools list",
        ])
        .assert()
        .code(2);
}

#[test]
fn a_spent_request_budget_leaves_the_run_incomplete_never_failed() {
    // Symptom 4: --max-requests 5 on the passing mock exited 1 with two MUST failures.
    let r = run(&["check", "--mock", "--max-requests", "5"], 3);
    assert_eq!(r["verdict"], "incomplete");
    assert!(failing(&r).is_empty(), "{:?}", failing(&r));
    assert_eq!(r["summary"]["fail"], 0);
}

#[test]
fn an_unreachable_target_is_incomplete_even_with_strict() {
    // Symptom 4: a refused connection became SHOULD warnings, which --strict turned into FAIL.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let url = format!("http://{addr}/");
    for profile in ["auth-md", "rfc", "mcp"] {
        let r = run(&["check", &url, "--strict", "--profile", profile], 3);
        let any_fail: Vec<&Value> = r["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| x["outcome"] == "fail")
            .collect();
        assert!(any_fail.is_empty(), "{profile}: {any_fail:?}");
    }
}

#[test]
fn a_may_row_that_fails_is_info_and_not_a_junit_failure() {
    // Symptom 9: "failed (1 may)" on a passing run.
    let r = mcp("mcp-no-iss-parameter", "2026-07-28", 0);
    assert_eq!(r["summary"]["fail"], 0);
    assert_eq!(r["summary"]["info"], 1);
    let out = Command::cargo_bin("authspec")
        .expect("binary")
        .args([
            "check",
            "--mock",
            "--profile",
            "mcp",
            "--fault",
            "mcp-no-iss-parameter",
        ])
        .args(["--format", "junit"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let junit = String::from_utf8_lossy(&out);
    assert!(!junit.contains("<failure"), "{junit}");
}

#[test]
fn openapi_is_not_asked_of_mcp_servers() {
    // Symptom 7: openapi.found warned on every MCP server.
    let r = mcp("mcp-no-hint", "2026-07-28", 0);
    assert_eq!(
        row(&r, "openapi.found")["message"],
        "profile mcp does not apply this row"
    );
}

#[test]
fn loopback_http_tls_rows_are_not_judged_rather_than_passed() {
    // Symptom 9: prm.tls printed a bare pass over loopback http.
    let r = run(&["check", "--mock"], 0);
    for id in ["prm.tls", "asm.tls"] {
        let t = row(&r, id);
        assert_eq!(t["outcome"], "skip", "{id}: {t}");
        assert!(t["message"].as_str().unwrap_or("").contains("not judged"));
    }
}

fn exchange(id: usize, role: Role, status: u16, credential: &str) -> Exchange {
    let mut e = Exchange::new("GET", "https://api.example.com/", vec![role]);
    e.id = id;
    e.status = Some(status);
    e.credential = credential.into();
    e
}

#[test]
fn a_guessed_resource_url_that_refused_anonymous_requests_is_protected() {
    // Symptom 6: under --profile rfc a 500 to a bad key became "not a protected endpoint"
    // although the unauthenticated request to the same URL got 401.
    let endpoint = format!("GET /{}", authspec::evidence::GUESSED);
    let ev = Evidence {
        resource: "https://api.example.com/".into(),
        resource_url: url::Url::parse("https://api.example.com/").expect("url"),
        profile: authspec::checks::Profile::Rfc,
        mode: Mode::Live,
        api_key_given: false,
        exchanges: vec![
            exchange(
                0,
                Role::ProbeUnauth {
                    endpoint: endpoint.clone(),
                },
                401,
                "none",
            ),
            exchange(
                1,
                Role::ProbeBadKey {
                    endpoint: endpoint.clone(),
                },
                500,
                "bad-key",
            ),
        ],
        mcp_version: authspec::checks::McpVersion::default(),
    };
    assert!(ev.guess_unanswered(&ev.exchanges[1]).is_none());
    let mut open = ev.clone();
    open.exchanges[0].status = Some(200);
    assert!(open.guess_unanswered(&open.exchanges[1]).is_some());
}

#[test]
fn a_route_selected_alone_is_still_judged_by_its_group() {
    let r = run(
        &[
            "check",
            "--mock",
            "--profile",
            "mcp",
            "--fault",
            "mcp-prm-hint-only",
            "--only",
            "prm.wellknown-insert",
        ],
        0,
    );
    assert_eq!(row(&r, "prm.wellknown-insert")["level"], "may");
    // Without a route that works the decider fails even when unselected, so nothing passes.
    let r = run(
        &[
            "check",
            "--mock",
            "--profile",
            "mcp",
            "--fault",
            "mcp-hint-404-root-only",
            "--only",
            "prm.wellknown-insert",
        ],
        1,
    );
    assert_eq!(row(&r, "prm.wellknown-insert")["level"], "must");
}

fn fixture(p: &str) -> String {
    format!("{}/fixtures/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn lint(args: &[&str], code: i32) -> Value {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    run(&all, code)
}

#[test]
fn lint_holds_a_plain_rfc8414_document_to_the_rfcs_only() {
    // Symptom 8: with no flag lint used auth-md, so a plain RFC 8414 document failed agent-auth.block.
    let f = fixture("asm/plain-rfc8414.json");
    let url = "https://id.example.com/.well-known/oauth-authorization-server/oidc";
    let r = lint(&["asm", &f, "--url", url], 0);
    assert_eq!(r["profile"], "rfc");
    let r = lint(&["asm", &f, "--url", url, "--profile", "auth-md"], 1);
    assert_eq!(row(&r, "agent-auth.block")["outcome"], "fail");
    // A document with an agent_auth block is judged by the contract without asking.
    let good = fixture("asm/good.json");
    let r = lint(
        &[
            "asm",
            &good,
            "--url",
            "https://api.example.com/.well-known/oauth-authorization-server",
        ],
        0,
    );
    assert_eq!(r["profile"], "auth-md");
}

#[test]
fn lint_judges_an_appended_rfc8414_url_instead_of_refusing_it() {
    // Symptom 8: lint asm on …/oidc/.well-known/oauth-authorization-server exited 2.
    let f = fixture("asm/plain-rfc8414.json");
    let r = lint(
        &[
            "asm",
            &f,
            "--url",
            "https://id.example.com/oidc/.well-known/oauth-authorization-server",
        ],
        1,
    );
    assert_eq!(failing(&r), ["asm.wellknown-insert"]);
    assert_eq!(row(&r, "asm.issuer-match")["outcome"], "pass");
}

#[test]
fn lint_headers_of_a_200_says_why_there_is_no_challenge_and_judges_its_ratelimit() {
    // Symptom 8: a 200 failed wwwa.bearer-challenge without saying credentials were missing,
    // and none of its RateLimit fields were judged.
    let f = fixture("headers/ok-200-remaining-over-limit.txt");
    let r = lint(&["headers", &f, "--url", "https://api.example.com/v1/x"], 0);
    let b = row(&r, "wwwa.bearer-challenge");
    assert_eq!(b["outcome"], "skip");
    assert!(
        b["message"]
            .as_str()
            .unwrap_or("")
            .contains("200, not a 401"),
        "{b}"
    );
    assert_eq!(row(&r, "ratelimit.remaining-le-limit")["outcome"], "fail");
    assert_eq!(row(&r, "ratelimit.reset-delta")["outcome"], "pass");
}

#[test]
fn lint_messages_say_what_a_single_document_cannot_show() {
    // Symptom 9: "the resource has no path" for /mcp, "no hint to follow" beside a hint.
    let r = lint(
        &[
            "prm",
            &fixture("prm/good.json"),
            "--url",
            "https://api.example.com/.well-known/oauth-protected-resource/mcp",
        ],
        1,
    );
    let root = message(&r, "prm.root-form");
    assert!(
        root.contains("another") && !root.contains("no path"),
        "{root}"
    );
    let r = lint(
        &[
            "headers",
            &fixture("headers/good-401.txt"),
            "--url",
            "https://api.example.com/v1/x",
        ],
        0,
    );
    let m = message(&r, "wwwa.rm-fetch");
    assert!(
        m.contains("https://api.example.com/.well-known/oauth-protected-resource"),
        "{m}"
    );
}

#[test]
fn the_slash_rule_does_not_call_a_bare_origin_issuer_a_path() {
    // Symptom 9: "no issuer path ends in '/'" for the issuer http://localhost:3001/.
    let r = run(&["check", "--mock"], 0);
    let m = message(&r, "asm.wellknown-slash");
    assert!(m.contains("bare origin"), "{m}");
}

#[test]
fn a_connection_reset_on_the_as_lookup_is_unjudged_not_failed() {
    // Symptom 4: a server that reset the connection mid-run made mcp.as-discovery a MUST fail.
    let issuer = "https://as.example.com".to_string();
    let mut prm = Exchange::new(
        "GET",
        "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
        vec![Role::Prm],
    );
    prm.id = 0;
    prm.status = Some(200);
    prm.body = br#"{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://as.example.com"]}"#.to_vec();
    let reset = |id: usize, role: Role, url: &str| {
        let mut e = Exchange::new("GET", url, vec![role]);
        e.id = id;
        e.error = Some("connection reset by peer".into());
        e
    };
    let exchanges = vec![
        prm,
        reset(
            1,
            Role::Asm {
                issuer: issuer.clone(),
            },
            "https://as.example.com/.well-known/oauth-authorization-server",
        ),
        reset(
            2,
            Role::AsmOidc {
                issuer: issuer.clone(),
                form: "inserted".into(),
            },
            "https://as.example.com/.well-known/openid-configuration",
        ),
    ];
    let ev = Evidence {
        resource: "https://mcp.example.com/mcp".into(),
        resource_url: url::Url::parse("https://mcp.example.com/mcp").expect("url"),
        profile: authspec::checks::Profile::Mcp,
        mode: Mode::Live,
        api_key_given: false,
        exchanges,
        mcp_version: authspec::checks::McpVersion::V2025_11_25,
    };
    let meta = authspec::run::Meta {
        started_at: "2026-12-01T00:00:00Z".into(),
        duration_ms: 0,
        requests: 3,
        max_requests: 60,
    };
    let report = authspec::run::judge(
        &ev,
        &authspec::select::Selection::default(),
        true,
        meta,
        None,
    );
    let as_row = report
        .results
        .iter()
        .find(|r| r.id == "mcp.as-discovery")
        .expect("row");
    assert_eq!(
        as_row.outcome,
        authspec::finding::Outcome::Error,
        "{as_row:?}"
    );
    let fails: Vec<&str> = report
        .results
        .iter()
        .filter(|r| r.outcome == authspec::finding::Outcome::Fail)
        .filter(|r| r.evidence.iter().any(|e| e.error.is_some()))
        .map(|r| r.id.as_str())
        .collect();
    assert!(fails.is_empty(), "failures resting on the reset: {fails:?}");
    assert_ne!(report.verdict, authspec::report::Verdict::Pass);
}

#[test]
fn a_dpop_only_resource_is_not_held_to_the_bearer_rules() {
    // The conformance suite's auth/dpop scenario (0.2.0-alpha.12) challenges with DPoP alone, as
    // RFC 9449 §7.1 allows; RFC 6750's Bearer rows used to fail it.
    // Under rfc the mock is the seed's API, whose 401s on /v1/… name a root PRM: the literal
    // RFC 9728 §3.3 rule fails that, and nothing else fails (issue 16, item 6).
    for (profile, code) in [("rfc", 1), ("mcp", 0)] {
        let r = run(
            &[
                "check",
                "--mock",
                "--profile",
                profile,
                "--fault",
                "mcp-dpop-only",
            ],
            code,
        );
        let must_failures: Vec<String> = failing(&r)
            .into_iter()
            .filter(|id| row(&r, id)["level"] == "must")
            .collect();
        let want: &[&str] = if profile == "rfc" {
            &["prm.resource-match-wwwa-strict"]
        } else {
            &[]
        };
        assert_eq!(must_failures, want, "{profile}");
        for id in ["wwwa.bearer-challenge", "wwwa.bearer-header-support"] {
            assert_eq!(row(&r, id)["outcome"], "skip", "{profile} {id}");
            assert!(message(&r, id).contains("RFC 9449 §7.1"), "{profile} {id}");
        }
        assert_eq!(
            row(&r, "wwwa.dpop-challenge")["outcome"],
            "pass",
            "{profile}"
        );
        assert_eq!(
            row(&r, "wwwa.resource-metadata")["outcome"],
            "pass",
            "{profile}"
        );
    }
}

#[test]
fn a_guarded_api_catalog_path_is_no_catalog_and_both_rows_say_so() {
    // Issue 16, item 4. RFC 9727 §2: "A Publisher supporting this URI: SHALL resolve an HTTPS GET
    // request to /.well-known/api-catalog and return an API catalog document". A 401 from auth
    // middleware on a path nobody advertised shows no support for the URI: no row fails on it,
    // and catalog.get and catalog.head-link skip with the same words.
    let r = run(&["check", "--mock", "--fault", "catalog-guarded"], 0);
    let get = row(&r, "catalog.get");
    let head = row(&r, "catalog.head-link");
    assert_eq!(get["outcome"], "skip", "{get}");
    assert_eq!(head["outcome"], "skip", "{head}");
    assert_eq!(get["message"], head["message"]);
    assert!(message(&r, "catalog.get").contains("GET -> 401"), "{get}");
    assert!(
        message(&r, "catalog.get").contains("supporting this URI"),
        "{get}"
    );
    // The auth.md contract still asks for a catalog, at its own level.
    assert_eq!(row(&r, "catalog.published")["outcome"], "fail");
    // When HEAD advertises the catalog, the URI is supported and the 401 to GET fails at MUST.
    let r = run(
        &["check", "--mock", "--fault", "catalog-guarded-advertised"],
        1,
    );
    assert_eq!(row(&r, "catalog.get")["outcome"], "fail");
    assert_eq!(row(&r, "catalog.head-link")["outcome"], "pass");
}

#[test]
fn a_hinted_root_prm_passes_at_every_mcp_version() {
    // Issue 16, item 5. MCP 2025-06-18 §2.3.1: "MCP servers MUST use the HTTP header
    // WWW-Authenticate when returning a 401 Unauthorized to indicate the location of the resource
    // server metadata URL"; its sequence diagram has the client "Extract resource_metadata from
    // WWW-Authenticate" and fetch that URL. No sentence asks for the path-inserted URL besides.
    for v in ["2025-06-18", "2025-11-25", "2026-07-28"] {
        let r = mcp("mcp-prm-hint-root", v, 0);
        assert_eq!(r["verdict"], "pass", "{v}");
        // Only the SHOULD of MCP's strict identity reading is left, the same at every version.
        assert_eq!(
            failing(&r),
            ["prm.resource-match-wwwa-strict".to_string()],
            "{v}"
        );
        let w = row(&r, "prm.wellknown-insert");
        assert_eq!(w["outcome"], "fail", "{v}");
        assert_eq!(w["level"], "may", "{v}: {w}");
        assert_eq!(w["alternative"]["satisfied"], true, "{v}");
        for id in [
            "wwwa.rm-fetch",
            "prm.resource-match-wwwa",
            "prm.resource-present",
        ] {
            assert_eq!(row(&r, id)["outcome"], "pass", "{v} {id}");
        }
    }
    assert_eq!(
        row(
            &mcp("mcp-prm-hint-root", "2025-06-18", 0),
            "prm.wellknown-insert"
        )["alternative"]["group"],
        "mcp.prm-hint"
    );
    // A hint that leads nowhere still fails at 2025-06-18, on the row that judges the hint.
    let r = mcp("mcp-hint-404-root-only", "2025-06-18", 1);
    assert!(
        failing(&r).contains(&"wwwa.rm-fetch".to_string()),
        "{:?}",
        failing(&r)
    );
}

/// The report for a PRM with `resource`, fetched because the 401 of `request` named it.
fn judge_hinted_prm(
    profile: authspec::checks::Profile,
    resource: &str,
    request: &str,
) -> authspec::report::Report {
    let mut prm = Exchange::new(
        "GET",
        "https://api.example.com/.well-known/oauth-protected-resource",
        vec![Role::PrmHinted {
            hinted_by: request.into(),
        }],
    );
    prm.status = Some(200);
    prm.response_headers = vec![("content-type".into(), "application/json".into())];
    prm.body = serde_json::json!({"resource": resource, "authorization_servers": ["https://as.example.com"]})
        .to_string()
        .into_bytes();
    let ev = Evidence {
        resource: request.into(),
        resource_url: url::Url::parse(request).expect("url"),
        profile,
        mode: Mode::Live,
        api_key_given: false,
        exchanges: vec![prm],
        mcp_version: authspec::checks::McpVersion::default(),
    };
    let meta = authspec::run::Meta {
        started_at: "2026-12-03T00:00:00Z".into(),
        duration_ms: 0,
        requests: 1,
        max_requests: 60,
    };
    authspec::run::judge(
        &ev,
        &authspec::select::Selection::default(),
        false,
        meta,
        None,
    )
}

#[test]
fn under_the_rfc_profile_the_literal_section_3_3_rule_decides() {
    // Issue 16, item 6. RFC 9728 §3.3: the resource value "MUST be identical to the URL that the
    // client used to make the request to the resource server". The seed's 401s on /v1/… name a
    // root PRM whose resource is the origin: the literal rule fails it under rfc, while auth-md
    // (whose seed text sets up exactly that layout) keeps the prefix rule of the bis draft.
    let r = run(&["check", "--mock", "--profile", "rfc"], 1);
    let strict = row(&r, "prm.resource-match-wwwa-strict");
    assert_eq!(
        (&strict["level"], &strict["outcome"]),
        (&"must".into(), &"fail".into()),
        "{strict}"
    );
    let prefix = row(&r, "prm.resource-match-wwwa");
    assert_eq!(prefix["skip_kind"], "not-applied", "{prefix}");
    // The discovery chain reads the same rule: its hint edge is broken under rfc.
    let hint_edges: Vec<&Value> = r["chain"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["from"] == "401")
        .collect();
    assert!(
        !hint_edges.is_empty() && hint_edges.iter().all(|e| e["ok"] == false),
        "{hint_edges:?}"
    );
    let r = run(&["check", "--mock"], 0);
    assert_eq!(row(&r, "prm.resource-match-wwwa")["outcome"], "pass");
    assert_eq!(row(&r, "prm.resource-match-wwwa-strict")["level"], "may");
    // The same hinted PRM judged from evidence: under rfc only an identical resource passes.
    use authspec::checks::{Level, Profile};
    use authspec::finding::Outcome;
    let request = "https://api.example.com/v1/jobs";
    for (profile, resource, want) in [
        (Profile::Rfc, request, Outcome::Pass),
        (Profile::Rfc, "https://api.example.com", Outcome::Fail),
        (Profile::AuthMd, "https://api.example.com", Outcome::Pass),
    ] {
        let report = judge_hinted_prm(profile, resource, request);
        let decisive: Vec<&authspec::report::CheckResult> = report
            .results
            .iter()
            .filter(|r| r.level == Level::Must && r.id.starts_with("prm.resource-match-wwwa"))
            .filter(|r| r.skip_kind.is_none())
            .collect();
        let want_id = if profile == Profile::Rfc {
            "prm.resource-match-wwwa-strict"
        } else {
            "prm.resource-match-wwwa"
        };
        assert_eq!(decisive.len(), 1, "{profile:?}: {decisive:?}");
        assert_eq!(decisive[0].id, want_id, "{profile:?}");
        assert_eq!(decisive[0].outcome, want, "{profile:?} {resource}");
    }
    // explain says which rule decides where.
    let text = Command::cargo_bin("authspec")
        .expect("binary")
        .args(["explain", "prm.resource-match-wwwa"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&text);
    assert!(text.contains("rfc not applied"), "{text}");
    assert!(
        text.contains("under --profile rfc the literal RFC 9728 §3.3 rule"),
        "{text}"
    );
}
