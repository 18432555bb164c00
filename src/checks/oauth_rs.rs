//! What the resource does with real tokens its authorization server issued to authspec's client:
//! one minted for another resource (RFC 8707, RFC 9068 §4, MCP §Access Token Privilege
//! Restriction) and a DPoP-bound one presented wrongly (RFC 9449 §4.3, §7.2).

use super::token_flow::{
    accepted, aud_names, claims, exchange, interactive, missing_probe, requested_resource, token,
};
use super::{Area, Check, MUST};
use crate::evidence::{Evidence, Exchange, Role};
use crate::finding::Finding;

/// The resource-server rows of the token flow.
pub static CHECKS: &[Check] = &[
    super::check!(
        Area::Oauth,
        "oauth.other-audience-refused",
        "A token the authorization server minted for another resource is refused with 401",
        MUST,
        &["TOKEN-AUDIENCE-REFUSED"],
        "MCP authorization §Access Token Privilege Restriction, §Token Handling; RFC 8707 §2; RFC 9068 §4",
        "https://www.rfc-editor.org/rfc/rfc9068#section-4",
        "Check that aud names this server's canonical URI (or its own identifier) and answer 401 invalid_token when it does not.",
        other_audience
    ),
    super::check!(
        Area::Oauth,
        "oauth.dpop-bound-as-bearer",
        "A DPoP-bound token sent as a Bearer token is refused",
        MUST,
        &["DPOP-BOUND-AS-BEARER"],
        "RFC 9449 §7.2",
        "https://www.rfc-editor.org/rfc/rfc9449#section-7.2",
        "When a token carries cnf.jkt, accept it only under the DPoP scheme with a matching proof.",
        as_bearer
    ),
    super::check!(
        Area::Oauth,
        "oauth.dpop-proof-key",
        "A DPoP-bound token with a proof from another key is refused",
        MUST,
        &["DPOP-PROOF-KEY"],
        "RFC 9449 §4.3 (item 12), §6",
        "https://www.rfc-editor.org/rfc/rfc9449#section-4.3",
        "Compare the RFC 7638 thumbprint of the proof's jwk with the token's cnf.jkt and refuse a mismatch.",
        proof_key
    ),
    super::check!(
        Area::Oauth,
        "oauth.dpop-proof-htm-htu",
        "A DPoP proof made for another HTTP method or another URL is refused",
        MUST,
        &["DPOP-PROOF-HTM-HTU"],
        "RFC 9449 §4.3 (items 8 and 9)",
        "https://www.rfc-editor.org/rfc/rfc9449#section-4.3",
        "Compare htm with the request's method and htu with its URL (without query and fragment), and refuse a mismatch.",
        proof_htm_htu
    ),
];

/// The uses of the main (valid) token: its refusals prove something only where it was accepted.
fn valid_accepted(ev: &Evidence) -> Result<(), Finding> {
    let uses: Vec<&Exchange> = ev
        .with_role(|r| {
            matches!(r, Role::ProbeValidToken { .. })
                || matches!(r, Role::OAuth { step, purpose } if step == "use" && purpose == "main")
        })
        .into_iter()
        .filter(|e| e.credential == "minted")
        .collect();
    if uses.iter().any(|e| accepted(e)) {
        return Ok(());
    }
    let mut f = Finding::no_input(match uses.first() {
        Some(e) => format!(
            "the valid token minted for this resource was not accepted either ({}), so a refusal proves nothing",
            e.summary()
        ),
        None => "the valid token minted for this resource was not used".into(),
    });
    for e in uses {
        f = f.on(e);
    }
    Err(f)
}

/// A use that must be refused: accepted fails; 401 passes.
fn judge_use(ex: &Exchange, what: &str) -> Finding {
    if accepted(ex) {
        return Finding::fail(format!("the resource accepted {what}"))
            .expected("401 (invalid_token)")
            .actual(ex.summary())
            .on(ex);
    }
    match ex.status {
        Some(401) => Finding::pass(format!("{what}: refused with 401")).on(ex),
        Some(403) => Finding::fail(format!("{what}: refused with 403, not 401"))
            .expected("401: the token is not valid here (RFC 6750 §3.1 invalid_token)")
            .actual(ex.summary())
            .on(ex),
        Some(s) => Finding::no_input(format!(
            "{what}: answered {s}; whether it was accepted cannot be told"
        ))
        .on(ex),
        None => Finding::no_input(format!("{what}: no answer ({})", ex.summary())).on(ex),
    }
}

fn other_audience(ev: &Evidence) -> Vec<Finding> {
    if let Err(f) = token(ev, "main") {
        return vec![f];
    }
    if exchange(ev, "authorize", "other-audience").is_none() {
        if interactive(ev) {
            return vec![missing_probe(ev, "other-audience")];
        }
        return vec![Finding::skip(
            "no other resource of this authorization server is known (name one with --other-resource, or list it in the AS metadata's protected_resources)",
        )];
    }
    let minted = match token(ev, "other-audience") {
        Ok(t) => t,
        Err(f) => return vec![f],
    };
    if let Err(f) = valid_accepted(ev) {
        return vec![f];
    }
    let Some(used) = exchange(ev, "use", "other-audience") else {
        return vec![Finding::no_input("the other resource's token was not sent here").on(minted)];
    };
    let f = judge_use(used, "a token minted for another resource").on(minted);
    // A token whose aud names this resource too (or not the other one) was not audience-
    // restricted by its AS: this server taking it follows from that (oauth.token-audience).
    let other = requested_resource(ev, "other-audience").unwrap_or_default();
    let unrestricted =
        claims(minted).is_some_and(|c| !aud_names(&c, &other) || aud_names(&c, &ev.resource));
    if f.outcome == crate::finding::Outcome::Fail && unrestricted {
        return vec![f.because("oauth.token-audience")];
    }
    vec![f]
}

/// The DPoP uses, once the bound token was issued and taken when presented properly; why not.
fn dpop_ready(ev: &Evidence) -> Result<(), Finding> {
    let minted = match token(ev, "dpop") {
        Ok(t) => t,
        Err(f)
            if exchange(ev, "authorize", "dpop").is_none()
                && f.skip != Some(crate::finding::SkipKind::Chosen) =>
        {
            return Err(Finding::skip(
                "the authorization server does not offer DPoP (ES256 in dpop_signing_alg_values_supported)",
            ));
        }
        Err(f) => return Err(f),
    };
    let Some(proper) = exchange(ev, "use", "dpop-proper") else {
        return Err(Finding::no_input("the DPoP-bound token was not used").on(minted));
    };
    if !accepted(proper) {
        // A resource unaware of DPoP refuses the scheme; RFC 9449 §7.2 lets it take a bound
        // token as Bearer, so nothing here can be judged.
        return Err(Finding::skip(format!(
            "the resource did not accept the DPoP-bound token presented properly ({}): it does not take DPoP here",
            proper.summary()
        ))
        .on(proper));
    }
    Ok(())
}

fn dpop_rows(ev: &Evidence, uses: &[(&str, &str)]) -> Vec<Finding> {
    if let Err(f) = dpop_ready(ev) {
        return vec![f];
    }
    uses.iter()
        .map(|(purpose, what)| match exchange(ev, "use", purpose) {
            Some(e) => judge_use(e, what),
            None => Finding::no_input(format!("{what} was not sent")),
        })
        .collect()
}

fn as_bearer(ev: &Evidence) -> Vec<Finding> {
    dpop_rows(
        ev,
        &[("dpop-as-bearer", "a DPoP-bound token sent as Bearer")],
    )
}

fn proof_key(ev: &Evidence) -> Vec<Finding> {
    dpop_rows(
        ev,
        &[(
            "dpop-other-key",
            "a DPoP-bound token with a proof from another key",
        )],
    )
}

fn proof_htm_htu(ev: &Evidence) -> Vec<Finding> {
    dpop_rows(
        ev,
        &[
            ("dpop-other-method", "a DPoP proof for another HTTP method"),
            ("dpop-other-url", "a DPoP proof for another URL"),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Outcome, SkipKind};

    use crate::checks::token_flow::fixtures::{self, GRANT};

    fn oauth(step: &str, purpose: &str, status: u16, body: &str) -> Exchange {
        fixtures::oauth(
            "POST",
            "https://api.example/mcp",
            step,
            purpose,
            status,
            body,
        )
    }

    fn authz(purpose: &str, resource: &str) -> Exchange {
        let mut e = oauth("authorize", purpose, 302, "");
        e.url = format!(
            "https://as.example/authorize?resource={}",
            url::form_urlencoded::byte_serialize(resource.as_bytes()).collect::<String>()
        );
        e.response_headers.push((
            "location".into(),
            "http://127.0.0.1/authspec-oauth/callback?code=x&state=y".into(),
        ));
        e
    }

    fn minted(purpose: &str, aud: &str) -> Exchange {
        let mut e = oauth("token", purpose, 200, GRANT);
        let note = serde_json::json!({"typ": "at+jwt", "alg": "ES256", "claims": {"aud": aud}});
        e.response_headers
            .push((crate::evidence::TOKEN_CLAIMS.into(), note.to_string()));
        e
    }

    /// The run's exchanges, each sent with a token authspec minted.
    fn evidence(mut exchanges: Vec<Exchange>) -> Evidence {
        for e in &mut exchanges {
            e.credential = "minted".into();
        }
        fixtures::evidence(exchanges)
    }

    const RPC: &str = r#"{"jsonrpc":"2.0","id":1,"result":{}}"#;

    fn valid_use(status: u16) -> Exchange {
        let role = Role::ProbeValidToken {
            endpoint: "POST /mcp [tools/list]".into(),
        };
        let mut e = Exchange::new("POST", "https://api.example/mcp", vec![role]);
        e.status = Some(status);
        e.body = if status == 200 { RPC } else { "" }.as_bytes().to_vec();
        e
    }

    fn run(valid: u16, other_aud: &str, other_use: u16) -> Finding {
        let ev = evidence(vec![
            authz("main", "https://api.example/mcp"),
            minted("main", "https://api.example/mcp"),
            valid_use(valid),
            authz("other-audience", "https://api.example/other"),
            minted("other-audience", other_aud),
            oauth(
                "use",
                "other-audience",
                other_use,
                if other_use == 200 { RPC } else { "" },
            ),
        ]);
        other_audience(&ev).remove(0)
    }

    #[test]
    fn another_audience_must_get_401_where_the_valid_token_is_taken() {
        assert_eq!(
            run(200, "https://api.example/other", 401).outcome,
            Outcome::Pass
        );
        let f = run(200, "https://api.example/other", 200);
        assert_eq!((f.outcome, f.because), (Outcome::Fail, None));
        // The AS did not restrict the token to the other resource: taking it follows from that.
        let f = run(200, "https://api.example/mcp", 200);
        assert_eq!(f.because, Some("oauth.token-audience"));
        // A server that refuses the valid token too proves nothing by refusing this one.
        let f = run(401, "https://api.example/other", 401);
        assert_eq!(f.skip, Some(SkipKind::NoInput));
    }

    #[test]
    fn dpop_refusals_count_only_where_the_proper_presentation_is_taken() {
        let dpop = |proper: u16, bearer: u16| {
            let ev = evidence(vec![
                authz("main", "https://api.example/mcp"),
                minted("main", "https://api.example/mcp"),
                authz("dpop", "https://api.example/mcp"),
                minted("dpop", "https://api.example/mcp"),
                oauth(
                    "use",
                    "dpop-proper",
                    proper,
                    if proper == 200 { RPC } else { "" },
                ),
                oauth(
                    "use",
                    "dpop-as-bearer",
                    bearer,
                    if bearer == 200 { RPC } else { "" },
                ),
            ]);
            as_bearer(&ev).remove(0)
        };
        assert_eq!(dpop(200, 401).outcome, Outcome::Pass);
        assert_eq!(dpop(200, 200).outcome, Outcome::Fail);
        let f = dpop(401, 200);
        assert_eq!((f.outcome, f.skip), (Outcome::Skip, Some(SkipKind::Chosen)));
    }
}
