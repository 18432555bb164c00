//! The auth.md contract as live behaviour: one 401 leads to everything, keys are judged and never echoed.

use super::members::quote;
use super::{Area, Check, Level, Levels};
use crate::evidence::{Evidence, Exchange, Mode, Role, Subject};
use crate::finding::{Finding, pass_or};
use crate::identifier::is_prefix_resource;
use crate::parse::challenge;
use serde_json::Value;
use url::Url;

const SPEC: &str = "auth.md (JobsPipe)";
const SPEC_URL: &str = "https://github.com/workos/auth.md/blob/main/AUTH.md";

/// An auth-md-only row of this area (the shared `check!` with this file's spec).
macro_rules! row {
    ($id:expr, $title:expr, $level:expr, $reqs:expr, $fix:expr, $judge:expr $(,)?) => {
        super::check!(
            Area::Authmd,
            $id,
            $title,
            Levels::auth_md($level),
            $reqs,
            SPEC,
            SPEC_URL,
            $fix,
            $judge
        )
    };
}

/// The live contract checks, in report order (auth-md profile only).
pub static CHECKS: &[Check] = &[
    row!(
        "authmd.401-hint",
        "A request without credentials gets 401 naming this resource's PRM",
        Level::Must,
        &["AUTHMD-401-HINT", "AA-401-HINT"],
        "Answer with 401 and WWW-Authenticate: Bearer resource_metadata=\"<PRM URL>\", where that URL serves this resource's PRM.",
        hint,
    ),
    row!(
        "authmd.401-invalid-key",
        "An invalid key gets 401 whose challenge still points at the PRM",
        Level::Must,
        &["AUTHMD-401-INVALID-KEY"],
        "Answer unknown keys with 401 (not 403, 404 or 5xx) and the same resource_metadata challenge.",
        invalid_key,
    ),
    row!(
        "authmd.discovery-chain",
        "401 -> PRM -> AS metadata -> JWKS is one consistent chain",
        Level::Must,
        &["AUTHMD-DISCOVERY-CHAIN"],
        "Make every edge hold: the hint serves the PRM, its resource covers the URL, each issuer's metadata names that issuer, jwks_uri serves keys.",
        discovery_chain,
    ),
    row!(
        "authmd.key-not-echoed",
        "No response reflects the credential that was sent",
        Level::Must,
        &["AUTHMD-KEY-NOT-ECHOED"],
        "Never include the presented key in bodies, headers or error messages; log a hash or prefix instead.",
        not_echoed,
    ),
    row!(
        "authmd.register-answers",
        "POST register_uri answers with JSON pointing a key-less agent onward",
        Level::Should,
        &["AUTHMD-REGISTER-ANSWERS"],
        "Answer the registration POST with a JSON body and a 2xx or 4xx status, never 5xx or HTML.",
        register_answers,
    ),
    row!(
        "authmd.revoke-immediate",
        "A revoked key stops working at once",
        Level::Must,
        &["AUTHMD-REVOKE-IMMEDIATE"],
        "Invalidate the key before the revocation response is sent; the next request with it must get 401.",
        revoke_immediate,
    ),
];

fn hint_of(ex: &Exchange) -> Option<(String, bool)> {
    let chs = challenge::parse_fields(ex.headers("www-authenticate")).ok()?;
    challenge::param(&chs, "resource_metadata").map(|p| (p.value.clone(), p.quoted))
}

fn no_probe(ev: &Evidence, what: &str) -> Finding {
    match ev.mode {
        Mode::Lint => Finding::skip(format!("lint makes no {what}")),
        Mode::Live => Finding::no_input(format!("no {what} was made")),
    }
}

/// The hinted PRM document for a probe, with whether it covers the probed URL.
fn hinted_prm<'a>(
    ev: &'a Evidence,
    probe: &Exchange,
    hint: &str,
) -> Result<(&'a Exchange, bool), Finding> {
    let ex = ev
        .exchanges
        .iter()
        .find(|e| {
            e.url == hint
                && e.roles
                    .iter()
                    .any(|r| matches!(r, Role::PrmHinted { .. } | Role::Prm))
        })
        .ok_or_else(|| Finding::no_input(format!("the hinted PRM {hint} was not fetched")))?;
    match ev.subject(Some(ex), "hinted PRM") {
        Subject::Doc(d) => {
            let covers = d
                .str("resource")
                .and_then(|r| Url::parse(r).ok())
                .zip(Url::parse(&probe.url).ok())
                .is_some_and(|(r, q)| is_prefix_resource(&r, &q));
            Ok((ex, covers))
        }
        Subject::Absent(f) => Err(Finding::fail(format!(
            "the hinted PRM does not serve the document: {}",
            f.message
        ))
        .expected(format!("200 JSON at {hint}"))
        .actual(ex.summary())
        .on(ex)),
    }
}

fn hint(ev: &Evidence) -> Vec<Finding> {
    let list = ev.probes(|r| matches!(r, Role::ProbeUnauth { .. }));
    if list.is_empty() {
        return vec![no_probe(ev, "unauthenticated probe")];
    }
    list.into_iter()
        .map(|ex| judge_hint(ev, ex, "without credentials"))
        .collect()
}

fn judge_hint(ev: &Evidence, ex: &Exchange, how: &str) -> Finding {
    if let Some(f) = ev.guess_unanswered(ex) {
        return f;
    }
    if let Some(e) = &ex.error {
        return Finding::error(format!("the probe failed: {e}")).on(ex);
    }
    if ex.status != Some(401) {
        return Finding::fail(format!("{} {} {how} did not answer 401", ex.method, ex.url))
            .expected("401")
            .actual(ex.status.map_or("no status".into(), |s| s.to_string()))
            .on(ex);
    }
    let Some((hint, quoted)) = hint_of(ex) else {
        return Finding::fail("the 401 has no Bearer resource_metadata")
            .expected("WWW-Authenticate: Bearer resource_metadata=\"<PRM URL>\"")
            .actual(
                ex.headers("www-authenticate")
                    .collect::<Vec<_>>()
                    .join(", "),
            )
            .on(ex);
    };
    if !quoted {
        return Finding::fail("resource_metadata is not quoted")
            .expected(format!("resource_metadata={}", quote(&hint)))
            .actual(format!("resource_metadata={hint}"))
            .on(ex);
    }
    match hinted_prm(ev, ex, &hint) {
        Ok((prm, true)) => Finding::pass(format!("401 names {hint}, which describes {}", ex.url))
            .on(ex)
            .on(prm),
        Ok((prm, false)) => Finding::fail("the hinted PRM describes another resource")
            .expected(format!("a resource covering {}", ex.url))
            .actual(
                prm.json()
                    .ok()
                    .and_then(|j| j.value.get("resource").cloned())
                    .map_or("no resource".into(), |v| v.to_string()),
            )
            .on(ex)
            .on(prm),
        Err(f) => f.on(ex),
    }
}

fn invalid_key(ev: &Evidence) -> Vec<Finding> {
    let list = ev.probes(|r| matches!(r, Role::ProbeBadKey { .. }));
    if list.is_empty() {
        return vec![no_probe(ev, "bad-key probe")];
    }
    list.into_iter()
        .map(|ex| judge_hint(ev, ex, "with an invalid key"))
        .collect()
}

fn discovery_chain(ev: &Evidence) -> Vec<Finding> {
    let probes = ev.probes(|r| matches!(r, Role::ProbeUnauth { .. }));
    // Start from a probe that got 401 when there is one: that is the request an agent learns from.
    let Some(probe) = probes
        .iter()
        .find(|e| e.status == Some(401))
        .or_else(|| probes.iter().find(|e| e.status.is_some()))
        .copied()
    else {
        return vec![no_probe(ev, "unauthenticated probe")];
    };
    if let Some(f) = ev.guess_unanswered(probe) {
        return vec![f];
    }
    let broken = |edge: &str, f: Finding| {
        vec![Finding {
            message: format!("edge {edge}: {}", f.message),
            ..f
        }]
    };
    if probe.status != Some(401) {
        return broken(
            "request -> 401",
            Finding::fail("the probe did not get 401")
                .expected("401")
                .actual(probe.summary())
                .on(probe),
        );
    }
    let Some((hint, _)) = hint_of(probe) else {
        return broken(
            "401 -> resource_metadata",
            Finding::fail("no resource_metadata in the challenge")
                .expected("resource_metadata=\"…\"")
                .actual("absent")
                .on(probe),
        );
    };
    let prm = match hinted_prm(ev, probe, &hint) {
        Ok((prm, true)) => prm,
        Ok((prm, false)) => {
            return broken(
                "PRM resource",
                Finding::fail("resource does not cover the probed URL")
                    .expected(probe.url.clone())
                    .actual(prm_resource(prm))
                    .on(prm),
            );
        }
        Err(f) => return broken("resource_metadata -> PRM", f),
    };
    let issuers: Vec<String> = prm
        .json()
        .ok()
        .and_then(|j| j.value.get("authorization_servers").cloned())
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    if issuers.is_empty() {
        return broken(
            "PRM -> authorization_servers",
            Finding::fail("the PRM names no authorization server")
                .expected("authorization_servers: [issuer]")
                .actual("absent or empty")
                .on(prm),
        );
    }
    let mut path = vec![probe.url.clone(), hint.clone()];
    for issuer in &issuers {
        let Some(asm) = ev.role(&Role::Asm {
            issuer: issuer.clone(),
        }) else {
            return broken(
                "PRM -> AS metadata",
                Finding::no_input(format!("AS metadata of {issuer} was not fetched")),
            );
        };
        let Subject::Doc(d) = ev.subject(Some(asm), "AS metadata") else {
            return broken(
                "PRM -> AS metadata",
                Finding::fail("the AS metadata does not answer 200 JSON")
                    .expected(format!("200 at {}", asm.url))
                    .actual(asm.summary())
                    .on(asm),
            );
        };
        if d.str("issuer") != Some(issuer.as_str()) {
            return broken(
                "AS metadata issuer",
                Finding::fail("issuer differs from the authorization_servers entry")
                    .expected(quote(issuer))
                    .actual(d.get("issuer").map_or("absent".into(), Value::to_string))
                    .on(asm),
            );
        }
        path.push(asm.url.clone());
        let Some(jwks_uri) = d.str("jwks_uri").or_else(|| {
            prm.json()
                .ok()
                .and_then(|j| j.value.get("jwks_uri"))
                .and_then(Value::as_str)
        }) else {
            return broken(
                "AS metadata -> jwks_uri",
                Finding::fail("neither the AS metadata nor the PRM names a jwks_uri")
                    .expected("jwks_uri")
                    .actual("absent")
                    .on(asm),
            );
        };
        let Some(jwks) = ev
            .exchanges
            .iter()
            .find(|e| e.url == jwks_uri && e.roles.iter().any(|r| matches!(r, Role::Jwks { .. })))
        else {
            return broken(
                "jwks_uri -> JWKS",
                Finding::no_input(format!("{jwks_uri} was not fetched")),
            );
        };
        if !matches!(ev.subject(Some(jwks), "JWK Set"), Subject::Doc(d) if d.get("keys").is_some_and(Value::is_array))
        {
            return broken(
                "jwks_uri -> JWKS",
                Finding::fail("the JWK Set does not answer 200 with a keys array")
                    .expected(format!("200 JSON at {jwks_uri}"))
                    .actual(jwks.summary())
                    .on(jwks),
            );
        }
        path.push(jwks.url.clone());
    }
    vec![
        Finding::pass(format!("every edge holds: {}", path.join(" -> ")))
            .on(probe)
            .on(prm),
    ]
}

fn prm_resource(ex: &Exchange) -> String {
    ex.json()
        .ok()
        .and_then(|j| j.value.get("resource").cloned())
        .map_or("no resource".into(), |v| v.to_string())
}

fn not_echoed(ev: &Evidence) -> Vec<Finding> {
    let sent: Vec<&Exchange> = ev
        .exchanges
        .iter()
        .filter(|e| e.credential != "none" && e.status.is_some())
        .collect();
    if sent.is_empty() {
        return vec![match ev.mode {
            Mode::Lint => Finding::skip("lint sends no credential"),
            Mode::Live => Finding::no_input("no request with a credential got a response"),
        }];
    }
    let out = sent
        .iter()
        .filter(|e| e.key_echoed)
        .map(|e| {
            Finding::fail(format!(
                "the response to {} {} contains the {} that was sent",
                e.method, e.url, e.credential
            ))
            .expected("no trace of the credential")
            .actual("the credential appears in the response (scrubbed from this report)")
            .on(e)
        })
        .collect();
    pass_or(out, || {
        Finding::pass(format!(
            "{} responses to requests with a credential do not reflect it",
            sent.len()
        ))
    })
}

fn register_answers(ev: &Evidence) -> Vec<Finding> {
    let Some(ex) = ev.role(&Role::Register) else {
        return vec![Finding::skip(
            "needs --allow-side-effects (and an agent_auth register_uri)",
        )];
    };
    let status = ex.status.unwrap_or(0);
    let json = ex.media_type().is_some_and(|m| m.is_json())
        && ex.json().is_ok_and(|j| j.value.is_object());
    vec![match (ex.error.as_deref(), status, json) {
        (Some(e), _, _) => Finding::error(format!("the registration POST failed: {e}")).on(ex),
        (_, 200..=499, true) => {
            Finding::pass(format!("POST {} answered {status} with JSON", ex.url)).on(ex)
        }
        _ => Finding::fail(
            "the registration endpoint does not answer with JSON and a 2xx/4xx status",
        )
        .expected("2xx or 4xx with a JSON object")
        .actual(format!(
            "{status} {}",
            ex.header("content-type").unwrap_or("(no type)")
        ))
        .on(ex),
    }]
}

fn revoke_immediate(ev: &Evidence) -> Vec<Finding> {
    let Some(rev) = ev.role(&Role::Revoke) else {
        return vec![Finding::skip(
            "needs --allow-side-effects and --revocable-key",
        )];
    };
    // Not sent (the key's scope, PRM-SSRF) or no answer: the tool's limit, not the server's fault.
    if let Some(why) = rev.tool_limit() {
        return vec![Finding::no_input(why).on(rev)];
    }
    if !rev.status.is_some_and(|s| (200..300).contains(&s)) {
        return vec![
            Finding::fail("the revocation request was not accepted")
                .expected("2xx")
                .actual(rev.summary())
                .on(rev),
        ];
    }
    let Some(after) = ev
        .with_role(|r| matches!(r, Role::RevokedProbe { .. }))
        .into_iter()
        .next()
    else {
        return vec![Finding::no_input(
            "no request was made with the revoked key",
        )];
    };
    vec![match after.status {
        Some(401) => Finding::pass("the revoked key got 401 on the next request")
            .on(rev)
            .on(after),
        Some(s) if (200..300).contains(&s) => Finding::fail("the revoked key still works")
            .expected("401")
            .actual(s.to_string())
            .on(rev)
            .on(after),
        Some(s) => Finding::fail(format!("the revoked key got {s}, not 401"))
            .expected("401")
            .actual(s.to_string())
            .on(rev)
            .on(after),
        None => Finding::no_input(format!(
            "the request after revocation failed: {}",
            after.error.as_deref().unwrap_or("?")
        ))
        .on(after),
    }]
}
