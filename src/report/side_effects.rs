//! Every change a run made at the target (`--allow-side-effects`), read from its exchanges:
//! clients registered, tokens minted, and what was revoked.

use crate::evidence::{Evidence, Exchange, Role};
use serde::{Deserialize, Serialize};

/// What kind of change a side effect is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An OAuth client registered (RFC 7591).
    ClientRegistered,
    /// An access token (and perhaps a refresh token) issued to authspec's client.
    TokenMinted,
    /// A revocation request the server accepted (RFC 7009).
    Revoked,
    /// A revocation request the server did not accept.
    RevocationFailed,
    /// An auth.md key registered at `register_uri`.
    KeyRegistered,
    /// The disposable `--revocable-key` revoked at `revocation_uri`.
    KeyRevoked,
}

/// One change at the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideEffect {
    pub kind: Kind,
    /// What changed, in a report's words (secrets as fingerprints).
    pub what: String,
    /// The grant of authspec's OAuth client it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The exchange that made it.
    pub exchange: usize,
    /// For a minted token: whether a revocation of its grant was accepted (none when the
    /// authorization server offers no revocation endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
}

fn ok(ex: &Exchange) -> bool {
    ex.status.is_some_and(|s| (200..300).contains(&s))
}

fn member<'a>(ex: &'a Exchange, name: &str) -> Option<&'a str> {
    ex.json().ok()?.value.get(name)?.as_str()
}

/// The side effects of the run `ev` recorded, in exchange order.
pub fn list(ev: &Evidence) -> Vec<SideEffect> {
    let mut out = Vec::new();
    for ex in &ev.exchanges {
        for role in &ex.roles {
            if let Some(s) = effect(ev, ex, role) {
                out.push(s);
            }
        }
    }
    out
}

fn effect(ev: &Evidence, ex: &Exchange, role: &Role) -> Option<SideEffect> {
    let at = |kind, what: String| SideEffect {
        kind,
        what,
        purpose: None,
        exchange: ex.id,
        revoked: None,
    };
    match role {
        Role::Register if ok(ex) => Some(at(Kind::KeyRegistered, format!("a key at {}", ex.url))),
        Role::Revoke if ok(ex) => Some(at(
            Kind::KeyRevoked,
            format!("--revocable-key at {}", ex.url),
        )),
        Role::DcrProbe { .. } if ok(ex) => Some(at(
            Kind::ClientRegistered,
            format!(
                "client {} at {} (authorization probe)",
                member(ex, "client_id").unwrap_or("?"),
                ex.url
            ),
        )),
        Role::OAuth { step, purpose } => oauth(ev, ex, step, purpose).map(|mut s| {
            s.purpose = Some(purpose.clone());
            s
        }),
        _ => None,
    }
}

fn oauth(ev: &Evidence, ex: &Exchange, step: &str, purpose: &str) -> Option<SideEffect> {
    let at = |kind, what: String| SideEffect {
        kind,
        what,
        purpose: None,
        exchange: ex.id,
        revoked: None,
    };
    match step {
        "register" if ok(ex) => Some(at(
            Kind::ClientRegistered,
            format!(
                "client {} at {}",
                member(ex, "client_id").unwrap_or("?"),
                ex.url
            ),
        )),
        "token" | "refresh" | "old-refresh" | "code-reuse" if ok(ex) => {
            let access = member(ex, "access_token")?;
            let mut what = format!("access token {access}");
            if let Some(r) = member(ex, "refresh_token") {
                what.push_str(&format!(" and refresh token {r}"));
            }
            what.push_str(&format!(" ({step})"));
            let revokes: Vec<&Exchange> = ev
                .with_role(|r| matches!(r, Role::OAuth { step: s, purpose: p } if s == "revoke" && p == purpose));
            let revoked = (!revokes.is_empty()).then(|| revokes.iter().all(|e| ok(e)));
            Some(SideEffect {
                revoked,
                ..at(Kind::TokenMinted, what)
            })
        }
        "revoke" => Some(at(
            if ok(ex) {
                Kind::Revoked
            } else {
                Kind::RevocationFailed
            },
            format!(
                "revocation at {} -> {}",
                ex.url,
                ex.status.map_or("no answer".into(), |s| s.to_string())
            ),
        )),
        _ => None,
    }
}

/// The human-readable lines of `effects`.
pub fn lines(effects: &[SideEffect]) -> Vec<String> {
    effects
        .iter()
        .map(|s| {
            let kind = match s.kind {
                Kind::ClientRegistered => "client registered",
                Kind::TokenMinted => "token minted",
                Kind::Revoked => "revoked",
                Kind::RevocationFailed => "revocation refused",
                Kind::KeyRegistered => "key registered",
                Kind::KeyRevoked => "key revoked",
            };
            let purpose = s
                .purpose
                .as_deref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default();
            let revoked = match s.revoked {
                Some(true) => ", revoked",
                Some(false) => ", NOT revoked (the revocation was refused)",
                None if s.kind == Kind::TokenMinted => ", not revoked (no revocation endpoint)",
                None => "",
            };
            format!("{kind}{purpose}: {}{revoked} (#{})", s.what, s.exchange)
        })
        .collect()
}
