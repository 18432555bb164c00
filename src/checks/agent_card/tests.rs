//! The card judged over hand-built evidence: absence, catch-all pages, and the AS cross-check.

use super::*;
use crate::evidence::{Exchange, Mode, Role};
use crate::finding::{Outcome, SkipKind};
use crate::profile::{McpVersion, Profile};
use serde_json::{Value, json};

const CARD_URL: &str = "https://api.example/.well-known/agent-card.json";
const ASM_URL: &str = "https://as.example/.well-known/oauth-authorization-server";

fn answer(id: usize, url: &str, role: Role, status: u16, ct: &str, body: &str) -> Exchange {
    let mut ex = Exchange::new("GET", url, vec![role]);
    ex.id = id;
    ex.status = Some(status);
    ex.response_headers.push(("content-type".into(), ct.into()));
    ex.body = body.as_bytes().to_vec();
    ex
}

fn asm() -> Exchange {
    let doc = json!({
        "issuer": "https://as.example",
        "authorization_endpoint": "https://as.example/authorize",
        "token_endpoint": "https://as.example/token",
    });
    let role = Role::Asm {
        issuer: "https://as.example".into(),
    };
    answer(2, ASM_URL, role, 200, "application/json", &doc.to_string())
}

fn evidence(card: Exchange) -> Evidence {
    Evidence {
        resource: "https://api.example".into(),
        resource_url: url::Url::parse("https://api.example").expect("a URL"),
        profile: Profile::Rfc,
        mode: Mode::Live,
        api_key_given: false,
        exchanges: vec![card, asm()],
        mcp_version: McpVersion::default(),
    }
}

fn card_with(schemes: Value) -> Exchange {
    let card = json!({
        "name": "A", "description": "B", "version": "1",
        "supportedInterfaces": [{"url": "https://api.example/a2a", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}],
        "capabilities": {}, "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"],
        "skills": [{"id": "s", "name": "S", "description": "D", "tags": ["t"]}],
        "securitySchemes": schemes,
    });
    let body = card.to_string();
    answer(1, CARD_URL, Role::AgentCard, 200, "application/json", &body)
}

fn outcomes(fs: &[Finding]) -> Vec<Outcome> {
    fs.iter().map(|f| f.outcome).collect()
}

#[test]
fn an_unpublished_card_or_a_catch_all_page_skips_by_choice() {
    for ex in [
        answer(1, CARD_URL, Role::AgentCard, 404, "text/plain", "no"),
        answer(
            1,
            CARD_URL,
            Role::AgentCard,
            200,
            "text/html",
            "<!doctype html>",
        ),
    ] {
        let ev = evidence(ex);
        for c in CHECKS {
            let fs = (c.judge)(&ev);
            assert!(
                fs.iter()
                    .all(|f| f.outcome == Outcome::Skip && f.skip == Some(SkipKind::Chosen)),
                "{}: {fs:?}",
                c.id
            );
        }
    }
}

#[test]
fn broken_json_declared_as_json_fails_members_alone() {
    let ev = evidence(answer(
        1,
        CARD_URL,
        Role::AgentCard,
        200,
        "application/json",
        "{",
    ));
    for c in CHECKS {
        let want = if c.id == "agent-card.members" {
            Outcome::Fail
        } else {
            Outcome::Skip
        };
        assert_eq!(outcomes(&(c.judge)(&ev)), [want], "{}", c.id);
    }
}

#[test]
fn an_oidc_discovery_url_resolves_to_the_issuer_the_prm_names() {
    let ev = evidence(card_with(json!({"sso": {"openIdConnectSecurityScheme": {
        "openIdConnectUrl": "https://as.example/.well-known/openid-configuration"
    }}})));
    assert_eq!(outcomes(&graph::judge(&ev)), [Outcome::Pass]);
    let e = edges(&ev);
    assert_eq!(e.len(), 2);
    assert_eq!(
        (e[1].to.as_str(), e[1].ok),
        ("asm(https://as.example)", true)
    );
}

#[test]
fn flow_urls_must_be_the_metadata_endpoints() {
    let scheme = |token: &str| {
        json!({"o": {"oauth2SecurityScheme": {
            "oauth2MetadataUrl": ASM_URL,
            "flows": {"authorizationCode": {
                "authorizationUrl": "https://as.example/authorize",
                "tokenUrl": token, "scopes": {}
            }}
        }}})
    };
    let ev = evidence(card_with(scheme("https://as.example/token")));
    assert!(graph::judge(&ev).iter().all(|f| f.outcome == Outcome::Pass));
    let ev = evidence(card_with(scheme("https://other.example/token")));
    let fs = graph::judge(&ev);
    let failed: Vec<&Finding> = fs.iter().filter(|f| f.outcome == Outcome::Fail).collect();
    assert_eq!(failed.len(), 1, "{fs:?}");
    assert_eq!(
        failed[0].expected.as_deref(),
        Some("\"https://as.example/token\"")
    );
}

#[test]
fn a_scheme_naming_two_kinds_or_two_flows_fails() {
    let two_kinds =
        json!({"x": {"mtlsSecurityScheme": {}, "httpAuthSecurityScheme": {"scheme": "Bearer"}}});
    let two_flows = json!({"x": {"oauth2SecurityScheme": {"flows": {
        "clientCredentials": {"tokenUrl": "https://as.example/token", "scopes": {}},
        "deviceCode": {"deviceAuthorizationUrl": "https://as.example/device", "tokenUrl": "https://as.example/token", "scopes": {}}
    }}}});
    for s in [two_kinds, two_flows] {
        let ev = evidence(card_with(s));
        assert_eq!(outcomes(&schemes::judge_schemes(&ev)), [Outcome::Fail]);
    }
}
