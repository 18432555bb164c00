//! Judges on documents under fixtures/: good ones pass, each broken one fails exactly what its name says.

use authspec::checks::Profile;
use authspec::evidence::{Evidence, Exchange, Mode};
use authspec::finding::Outcome;
use authspec::report::{Report, Verdict};
use authspec::run::{self, LintKind, Meta};
use authspec::select::Selection;
use std::collections::BTreeSet;

const PRM_URL: &str = "https://api.example.com/.well-known/oauth-protected-resource";
const ASM_URL: &str = "https://api.example.com/.well-known/oauth-authorization-server";
const JWKS_URL: &str = "https://api.example.com/api/auth/jwks";
const PROBE_URL: &str = "https://api.example.com/v1/jobs/search";

fn lint(kind: LintKind, file: &str, url: &str) -> Report {
    let body = std::fs::read(format!("{}/fixtures/{file}", env!("CARGO_MANIFEST_DIR")))
        .expect("fixture exists");
    run::lint(
        kind,
        body,
        url,
        Profile::AuthMd,
        &Selection::default(),
        false,
    )
    .expect("lint runs")
}

fn failed(r: &Report) -> BTreeSet<&str> {
    r.results
        .iter()
        .filter(|x| x.outcome == Outcome::Fail)
        .map(|x| x.id.as_str())
        .collect()
}

fn assert_fails(kind: LintKind, file: &str, url: &str, expected: &[&str]) {
    let r = lint(kind, file, url);
    let got = failed(&r);
    let want: BTreeSet<&str> = expected.iter().copied().collect();
    assert_eq!(got, want, "{file}: failed checks");
    let must_failed = r.summary.must_fail > 0;
    assert_eq!(
        r.verdict,
        if must_failed {
            Verdict::Fail
        } else {
            Verdict::Pass
        },
        "{file}: verdict"
    );
    assert_ne!(
        r.verdict,
        Verdict::Incomplete,
        "{file}: a file never makes a run incomplete"
    );
}

#[test]
fn good_documents_pass() {
    for (kind, file, url) in [
        (LintKind::Prm, "prm/good.json", PRM_URL),
        (LintKind::Asm, "asm/good.json", ASM_URL),
        (LintKind::Jwks, "jwks/good.json", JWKS_URL),
        (LintKind::Headers, "headers/good-401.txt", PROBE_URL),
    ] {
        let r = lint(kind, file, url);
        assert!(failed(&r).is_empty(), "{file}: {:?}", failed(&r));
        assert_eq!(r.verdict, Verdict::Pass, "{file}");
        assert!(r.summary.pass > 0, "{file}: something was judged");
    }
}

/// An OpenID Connect discovery document (appended or inserted form) is linted as AS metadata
/// against the issuer its URL names (RFC 8414 §5 lets clients use one).
#[test]
fn lint_takes_openid_configuration_urls() {
    let oidc = "https://api.example.com/.well-known/openid-configuration";
    let r = lint(LintKind::Asm, "asm/good.json", oidc);
    assert!(failed(&r).is_empty(), "{:?}", failed(&r));
    assert_eq!(r.target, "https://api.example.com");
    assert_fails(
        LintKind::Asm,
        "asm/good.json",
        "https://api.example.com/tenant/.well-known/openid-configuration",
        &["asm.issuer-match"],
    );
}

/// `…/mcp` and `…/mcp/` build the same well-known URL (RFC 9728 §3.1), so a document naming
/// `…/mcp/` is consistent with being served at `…/oauth-protected-resource/mcp`; served at a
/// URL that keeps the '/', it breaks the stripping rule.
#[test]
fn lint_accepts_either_identifier_that_builds_the_url() {
    let stripped = "https://api.example.com/.well-known/oauth-protected-resource/mcp";
    let r = lint(LintKind::Prm, "prm/path-trailing-slash.json", stripped);
    assert!(failed(&r).is_empty(), "{:?}", failed(&r));
    assert_eq!(r.target, "https://api.example.com/mcp/");
    let slash = r.results.iter().find(|x| x.id == "prm.wellknown-slash");
    assert_eq!(slash.map(|x| x.outcome), Some(Outcome::Pass));
    assert_fails(
        LintKind::Prm,
        "prm/path-trailing-slash.json",
        &format!("{stripped}/"),
        &["prm.wellknown-insert", "prm.wellknown-slash"],
    );
}

#[test]
fn broken_prm_documents() {
    let p = |file, ids: &[&str]| assert_fails(LintKind::Prm, file, PRM_URL, ids);
    p("prm/resource-mismatch.json", &["prm.resource-match"]);
    p(
        "prm/resource-http.json",
        &["prm.resource-https", "prm.resource-match"],
    );
    p("prm/resource-missing.json", &["prm.resource-present"]);
    p("prm/scopes-string.json", &["prm.member-types"]);
    p("prm/empty-member.json", &["prm.no-empty"]);
    p("prm/signing-alg-none.json", &["prm.signing-alg-no-none"]);
    p("prm/bearer-query.json", &["prm.bearer-no-query"]);
    p("prm/i18n-orphan.json", &["prm.i18n"]);
    p("prm/jwks-uri-http.json", &["prm.jwks-https"]);
    p("prm/as-issuer-query.json", &["prm.as-issuer-form"]);
    p("prm/signed-metadata-none.json", &["prm.signed-jwt"]);
    p("prm/not-json.json", &["prm.resp-200-json"]);
    p("prm/duplicate-resource.json", &["prm.resp-200-json"]);
    p("prm/bom.json", &["prm.resp-200-json"]);
    // The auth.md reference sample serves a root PRM naming <base>/api/ (catalogue AA-PRM-MATCH).
    p("prm/workos-sample-root.json", &["prm.resource-match"]);
}

#[test]
fn broken_asm_documents() {
    let a = |file, ids: &[&str]| assert_fails(LintKind::Asm, file, ASM_URL, ids);
    a("asm/issuer-other-path.json", &["asm.issuer-match"]);
    a("asm/issuer-missing.json", &["asm.issuer-present"]);
    a("asm/no-response-types.json", &["asm.response-types"]);
    a("asm/alg-none.json", &["asm.alg-no-none", "asm.rs256"]);
    a("asm/jwt-auth-without-algs.json", &["asm.auth-alg-cond"]);
    a("asm/agent-auth-missing.json", &["agent-auth.block"]);
    a(
        "asm/no-authorization-endpoint.json",
        &["asm.authorization-endpoint"],
    );
    // An agent_auth block does not exempt the document from RFC 8414 (AA-ASM-STILL-8414).
    a(
        "asm/workos-sample.json",
        &[
            "asm.issuer-present",
            "asm.response-types",
            "asm.authorization-endpoint",
            "asm.token-endpoint",
            "asm.pkce",
        ],
    );
}

#[test]
fn broken_jwks_documents() {
    let j = |file, ids: &[&str]| assert_fails(LintKind::Jwks, file, JWKS_URL, ids);
    j("jwks/private-key.json", &["jwks.no-private"]);
    j("jwks/rsa-1024.json", &["jwks.rsa-2048"]);
    j("jwks/padded-base64.json", &["jwks.b64url"]);
    j("jwks/ec-off-curve.json", &["jwks.ec-on-curve"]);
    j(
        "jwks/ec-short-x.json",
        &["jwks.ec-length", "jwks.ec-on-curve"],
    );
    j("jwks/oct-key.json", &["jwks.no-private"]);
    j("jwks/alg-kty-mismatch.json", &["jwks.alg-kty"]);
    j(
        "jwks/use-key-ops-conflict.json",
        &["jwks.use-key-ops", "jwks.use-or-key-ops"],
    );
    j("jwks/x5t-wrong.json", &["jwks.x5t"]);
    j("jwks/no-keys.json", &["jwks.keys-member"]);
    j("jwks/duplicate-member.json", &["jwks.unique-names"]);
}

#[test]
fn broken_challenges() {
    let h = |file, ids: &[&str]| assert_fails(LintKind::Headers, file, PROBE_URL, ids);
    h(
        "headers/hint-unquoted.txt",
        &[
            "wwwa.resource-metadata",
            "wwwa.rm-syntax",
            "wwwa.parse",
            "wwwa.bearer-challenge",
        ],
    );
    h("headers/hint-relative.txt", &["wwwa.rm-syntax"]);
    h("headers/no-hint.txt", &["wwwa.resource-metadata"]);
}

#[test]
fn lint_judges_the_url_it_is_given() {
    let url = "https://api.example.com/.well-known/oauth-protected-resource/api/";
    let r = lint(LintKind::Prm, "prm/good.json", url);
    let got = failed(&r);
    assert!(got.contains("prm.wellknown-slash"), "{got:?}");
    assert!(got.contains("prm.resource-match"), "{got:?}");
}

#[derive(serde::Deserialize)]
struct CaptureFixture {
    resource: String,
    exchanges: Vec<Exchange>,
}

fn judge_capture(file: &str, profile: Profile) -> Report {
    let text = std::fs::read_to_string(format!(
        "{}/fixtures/captures/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    let cap: CaptureFixture = serde_json::from_str(&text).expect("capture parses");
    let ev = Evidence {
        resource_url: url::Url::parse(&cap.resource).expect("url"),
        resource: cap.resource,
        profile,
        mode: Mode::Live,
        api_key_given: false,
        exchanges: cap.exchanges,
        mcp_version: authspec::checks::McpVersion::default(),
    };
    let meta = Meta {
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_ms: 0,
        requests: 2,
        max_requests: 60,
    };
    run::judge(&ev, &Selection::default(), false, meta, None)
}

/// TLS failures cannot be staged on the loopback mock, so a recorded capture proves those checks fail.
#[test]
fn tls_failures_from_a_capture() {
    let r = judge_capture("tls-broken.json", Profile::Rfc);
    let got = failed(&r);
    assert!(
        got.contains("prm.tls") && got.contains("asm.tls"),
        "{got:?}"
    );
    assert!(got.contains("prm.resource-https"), "{got:?}");
    assert_eq!(r.verdict, Verdict::Fail);
}

/// A public catalog cannot be staged on loopback either (the mock is local by construction).
#[test]
fn public_catalog_failures_from_a_capture() {
    let r = judge_capture("catalog-public-broken.json", Profile::Rfc);
    let got = failed(&r);
    for id in ["catalog.tls", "catalog.no-internal", "catalog.head-nobody"] {
        assert!(got.contains(id), "{id} in {got:?}");
    }
}

const CARD_URL: &str = "https://api.example.com/.well-known/agent-card.json";

/// A good A2A v1.0.1 card passes every row a file can show; each broken one fails its row alone.
#[test]
fn agent_cards() {
    let r = lint(LintKind::AgentCard, "agent-card/good.json", CARD_URL);
    assert!(failed(&r).is_empty(), "{:?}", failed(&r));
    assert_eq!(r.verdict, Verdict::Pass);
    let passed: BTreeSet<&str> = r
        .results
        .iter()
        .filter(|x| x.outcome == Outcome::Pass)
        .map(|x| x.id.as_str())
        .collect();
    for id in [
        "agent-card.members",
        "agent-card.security-schemes",
        "agent-card.tls",
        "agent-card.security-requirements",
    ] {
        assert!(passed.contains(id), "{id} did not pass: {passed:?}");
    }
    let c = |file, ids: &[&str]| assert_fails(LintKind::AgentCard, file, CARD_URL, ids);
    c("agent-card/members-missing.json", &["agent-card.members"]);
    c("agent-card/not-object.json", &["agent-card.members"]);
    c(
        "agent-card/scheme-v03.json",
        &["agent-card.security-schemes"],
    );
    c(
        "agent-card/two-flows-no-token-url.json",
        &["agent-card.security-schemes"],
    );
    c("agent-card/http-token-url.json", &["agent-card.tls"]);
    c(
        "agent-card/undeclared-scheme.json",
        &["agent-card.security-requirements"],
    );
    c(
        "agent-card/legacy-security.json",
        &["agent-card.security-requirements"],
    );
}
