//! When the token probes may start: as soon as what they borrow is settled, not after all discovery.
//!
//! The forged tokens borrow the issuer of the AS metadata and the resource of the PRM, and go to
//! the first known endpoint that refused a request without credentials. Each of those is settled
//! long before the whole discovery graph is: the issuer with the first AS metadata (two round trips
//! in), the endpoint with the unauthenticated probes (one). Waiting for the rest (JWKS, OpenAPI)
//! only cost a round trip, so the capture asks this gate after every answer. When only the OpenAPI
//! description names an endpoint (no `--endpoint`), its refusal arrives only with the round trip
//! that probes it; the forgeries then go beside that probe, speculatively (see `speculative`).

use super::client::Fetch;
use super::plan::{Plan, refused};
use crate::checks::Profile;
use crate::evidence::{Exchange, GUESSED, Role};

/// Where the token probes go now, while other fetches (`pending`) still run, as the endpoint's
/// label and its unauthenticated fetch; `None` while they must wait. The claims they borrow must
/// be settled. The target is either settled (it cannot change any more) or speculative: an
/// endpoint an OpenAPI description names, whose unauthenticated probe is still on its way (see
/// [`speculative`]). The DPoP question may still be reopened by a late challenge, and a
/// speculation that missed is corrected; the plan does both after discovery.
pub fn target(plan: &Plan, found: &[Exchange], pending: &[&Role]) -> Option<(String, Fetch)> {
    if !claims_settled(found, pending) {
        return None;
    }
    if target_settled(plan, found, pending) {
        return plan.token_target(found);
    }
    speculative(plan, found, pending)
}

/// Whether the token probes may start now (see [`target`]).
#[cfg(test)]
fn settled(plan: &Plan, found: &[Exchange], pending: &[&Role]) -> bool {
    target(plan, found, pending).is_some()
}

/// The first endpoint an answered OpenAPI description names (in its order) whose request without
/// credentials is on its way or was refused, once every endpoint probed from the start has
/// answered and none but a guess refused. Its refusal would make it the target (a described
/// endpoint is preferred to the guessed resource URL), and waiting for it costs a round trip, so
/// the forged tokens go beside its unauthenticated probe. That proves nothing by itself: the
/// judges read a token's answer only where the request without credentials was refused, and
/// when it was not, the plan sends the set once more to the rule's target after discovery.
fn speculative(plan: &Plan, found: &[Exchange], pending: &[&Role]) -> Option<(String, Fetch)> {
    let initial = initial_endpoints(plan);
    let initial_pending = pending
        .iter()
        .any(|r| matches!(r, Role::ProbeUnauth { endpoint } if initial.contains(endpoint)));
    if initial_pending || plan.opts.profile == Profile::Mcp {
        return None;
    }
    found
        .iter()
        .filter(|e| e.roles.iter().any(|r| matches!(r, Role::OpenApi { .. })))
        .flat_map(|e| plan.openapi_probes(e))
        .filter_map(|f| match &f.role {
            Role::ProbeUnauth { endpoint } => Some((endpoint.clone(), f)),
            _ => None,
        })
        .find(|(endpoint, f)| pending.contains(&&f.role) || refused(found, endpoint))
}

/// The endpoints the run probes from the start (not those an OpenAPI description adds later).
fn initial_endpoints(plan: &Plan) -> Vec<String> {
    plan.initial()
        .into_iter()
        .filter_map(|f| match f.role {
            Role::ProbeUnauth { endpoint } => Some(endpoint),
            _ => None,
        })
        .collect()
}

/// The target is the first known endpoint that refused: settled once every endpoint probed from
/// the start has answered and a known one refused, or once no further probe can appear.
fn target_settled(plan: &Plan, found: &[Exchange], pending: &[&Role]) -> bool {
    let initial = initial_endpoints(plan);
    let is_initial =
        |r: &Role| matches!(r, Role::ProbeUnauth { endpoint } if initial.contains(endpoint));
    let initial_answered = !pending.iter().any(|r| is_initial(r));
    let known_refused = found
        .iter()
        .filter(|e| matches!(e.status, Some(401 | 403)))
        .flat_map(|e| e.roles.iter())
        .any(|r| {
            is_initial(r)
                && matches!(r, Role::ProbeUnauth { endpoint } if !endpoint.ends_with(GUESSED))
        });
    // A catalog leads to an OpenAPI description, which leads to more probes.
    let more_probes = pending.iter().any(|r| {
        matches!(
            r,
            Role::ProbeUnauth { .. } | Role::Catalog { .. } | Role::OpenApi { .. }
        )
    });
    (initial_answered && known_refused) || !more_probes
}

/// The claims are the first issuer AS metadata states and the PRM's resource: settled once no PRM
/// is on its way and an issuer is known, or no AS metadata can arrive any more (a 401 still on
/// its way may hint at another PRM, which names more authorization servers).
fn claims_settled(found: &[Exchange], pending: &[&Role]) -> bool {
    let prm_pending = pending
        .iter()
        .any(|r| matches!(r, Role::Prm | Role::PrmHinted { .. } | Role::PrmRoot));
    let issuer_known = found
        .iter()
        .filter(|e| {
            e.roles
                .iter()
                .any(|r| matches!(r, Role::Asm { .. } | Role::AsmOidc { .. }))
        })
        .any(states_issuer);
    let metadata_possible = pending.iter().any(|r| {
        matches!(
            r,
            Role::Asm { .. } | Role::AsmOidc { .. } | Role::ProbeUnauth { .. }
        )
    });
    !prm_pending && (issuer_known || !metadata_possible)
}

/// A 200 JSON object with a string `issuer`, as the forged claims read it.
fn states_issuer(ex: &Exchange) -> bool {
    ex.status == Some(200)
        && ex
            .json()
            .ok()
            .and_then(|j| j.value.get("issuer").map(serde_json::Value::is_string))
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::CaptureOptions;
    use url::Url;

    fn answer(role: Role, status: u16, body: &str) -> Exchange {
        let mut ex = Exchange::new("GET", "https://api.example/x", vec![role]);
        ex.status = Some(status);
        ex.body = body.as_bytes().to_vec();
        ex
    }

    fn asm() -> Role {
        Role::Asm {
            issuer: "https://as.example".into(),
        }
    }

    #[test]
    fn waits_for_the_issuer_not_for_the_jwks() {
        let opts = CaptureOptions {
            endpoints: vec!["GET /v1/items".parse().expect("endpoint")],
            ..CaptureOptions::default()
        };
        let r = Url::parse("https://api.example/").expect("url");
        let plan = Plan {
            resource: &r,
            opts: &opts,
            cimd: None,
            minted: None,
            oauth: Default::default(),
        };
        let probe = Role::ProbeUnauth {
            endpoint: "GET /v1/items".into(),
        };
        let refused = answer(probe.clone(), 401, "");
        let prm = answer(Role::Prm, 200, r#"{"resource":"https://api.example/"}"#);
        // Before the endpoint has answered, nothing is settled.
        assert!(!settled(
            &plan,
            std::slice::from_ref(&prm),
            &[&probe, &asm()]
        ));
        // The endpoint refused, but the AS metadata is still on its way.
        let found = [refused, prm];
        assert!(!settled(&plan, &found, &[&asm()]));
        // The issuer is known: the JWKS and the OpenAPI description still pending do not matter.
        let jwks = Role::Jwks {
            named_by: "https://as.example/.well-known/oauth-authorization-server".into(),
        };
        let openapi = Role::OpenApi {
            found_via: "https://api.example/.well-known/api-catalog".into(),
        };
        let mut found = found.to_vec();
        found.push(answer(asm(), 200, r#"{"issuer":"https://as.example"}"#));
        assert!(settled(&plan, &found, &[&jwks, &openapi]));
        // A PRM still on its way may name another resource: wait for it.
        assert!(!settled(&plan, &found, &[&jwks, &Role::PrmRoot]));
    }

    #[test]
    fn a_guessed_endpoint_waits_for_described_ones() {
        let opts = CaptureOptions::default();
        let r = Url::parse("https://api.example/v1").expect("url");
        let plan = Plan {
            resource: &r,
            opts: &opts,
            cimd: None,
            minted: None,
            oauth: Default::default(),
        };
        let guessed = Role::ProbeUnauth {
            endpoint: format!("GET /v1{GUESSED}"),
        };
        let found = [
            answer(guessed, 401, ""),
            answer(asm(), 200, r#"{"issuer":"https://as.example"}"#),
        ];
        let openapi = Role::OpenApi {
            found_via: "https://api.example/.well-known/api-catalog".into(),
        };
        // An OpenAPI description may still describe an endpoint, which token probes prefer.
        assert!(!settled(&plan, &found, &[&openapi]));
        assert!(settled(&plan, &found, &[]));
    }
}
