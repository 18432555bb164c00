//! Secrets: what grants access, held so it cannot be shown in clear, and the run-wide registry
//! that every sink scrubs with (HARNESS-REDACT).
//!
//! A secret is anything that grants access: the keys the user gives, everything a server issues
//! (authorization codes, access, refresh and ID tokens, client secrets, registration access
//! tokens, session cookies) and everything authspec makes (the PKCE verifier, `state`, `nonce`).
//! Each is registered the moment it first exists, and no part of it is ever shown: where a person
//! needs to tell two apart, output shows a short fingerprint of its hash, `‹redacted sha256:3f9a1c›`.

use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::{Arc, RwLock};

/// A value that grants access. It has no clear `Display`, `Debug` or `Serialize`: each of them
/// writes its fingerprint, so a new field holding one cannot leak it by accident. The clear value
/// is reachable only through [`Secret::expose`], for the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().into_boxed_str())
    }

    /// `bytes` random bytes from the operating system's CSPRNG, base64url without padding.
    /// `None` when the OS has no randomness to give: a predictable value is never made instead.
    pub fn random(bytes: usize) -> Option<Self> {
        use base64::Engine;
        let mut b = vec![0u8; bytes];
        getrandom::fill(&mut b).ok()?;
        Some(Secret::new(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b),
        ))
    }

    /// The clear value, for the request that carries it. Never for output.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The redacted form that stands in for it in every output.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fingerprint())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fingerprint())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.fingerprint())
    }
}

/// `‹redacted sha256:3f9a1c›`: the first 24 bits of the value's SHA-256, enough to tell two
/// secrets of one run apart and far too little to guess one.
pub fn fingerprint(value: &str) -> String {
    let h = Sha256::digest(value.as_bytes());
    format!("‹redacted sha256:{:02x}{:02x}{:02x}›", h[0], h[1], h[2])
}

/// A PKCE pair (RFC 7636 §4.1, §4.2): a fresh 43-character verifier from the CSPRNG and its S256
/// challenge. The verifier is a secret; the challenge is not (it is its hash).
#[derive(Debug, Clone)]
pub struct Pkce {
    pub verifier: Secret,
    pub challenge: String,
}

impl Pkce {
    /// A fresh pair; `None` without OS randomness.
    pub fn fresh() -> Option<Self> {
        use base64::Engine;
        // 32 bytes give the 43 characters RFC 7636 §4.1 asks for at least.
        let verifier = Secret::random(32)?;
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.expose().as_bytes()));
        Some(Pkce {
            verifier,
            challenge,
        })
    }
}

/// The values authspec makes for one run's authorization requests, fresh per run.
#[derive(Debug, Clone)]
pub struct Minted {
    pub pkce: Pkce,
    pub state: Secret,
    pub nonce: Secret,
}

impl Minted {
    /// Fresh values, each registered in `secrets`; `None` without OS randomness (the
    /// authorization requests are then not made).
    pub fn fresh(secrets: &Secrets) -> Option<Self> {
        let m = Minted {
            pkce: Pkce::fresh()?,
            state: Secret::random(24)?,
            nonce: Secret::random(24)?,
        };
        for s in [&m.pkce.verifier, &m.state, &m.nonce] {
            secrets.add(s.clone());
        }
        Some(m)
    }
}

/// Shortest value read out of a response that is registered as a secret: shorter ones would
/// scrub ordinary words out of every output, and grant nothing a guess would not.
pub const MIN_ISSUED: usize = 8;

/// Every secret of one run, shared by all of its requests and sinks.
#[derive(Clone, Default)]
pub struct Secrets(Arc<RwLock<Registry>>);

/// The registered secrets and the scrubber prepared for exactly them.
#[derive(Default)]
struct Registry {
    all: Vec<Secret>,
    scrubber: Option<Arc<crate::redact::Scrubber>>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} registered)", self.all().len())
    }
}

impl Secrets {
    /// Registers `s` (once).
    pub fn add(&self, s: Secret) {
        if s.expose().is_empty() {
            return;
        }
        let mut reg = match self.0.write() {
            Ok(r) => r,
            Err(p) => p.into_inner(),
        };
        if !reg.all.contains(&s) {
            reg.all.push(s);
            reg.scrubber = None;
        }
    }

    /// Registers `value` when it is at least `min` characters long.
    pub fn add_str(&self, value: &str, min: usize) {
        if value.chars().count() >= min {
            self.add(Secret::new(value));
        }
    }

    /// A snapshot of every registered secret.
    pub fn all(&self) -> Vec<Secret> {
        match self.0.read() {
            Ok(r) => r.all.clone(),
            // A poisoned lock still holds every secret registered before the panic.
            Err(p) => p.into_inner().all.clone(),
        }
    }

    /// The scrubber for every secret registered so far, prepared once per change.
    fn scrubber(&self) -> Arc<crate::redact::Scrubber> {
        let mut reg = match self.0.write() {
            Ok(r) => r,
            Err(p) => p.into_inner(),
        };
        let all = reg.all.clone();
        reg.scrubber
            .get_or_insert_with(|| Arc::new(crate::redact::Scrubber::new(&all)))
            .clone()
    }

    /// `text` with every registered secret, and every 10-character piece of one, replaced by
    /// its fingerprint.
    pub fn scrub(&self, text: &str) -> String {
        self.scrubber().text(text)
    }

    /// `bytes` scrubbed the same way; returns whether anything was replaced.
    pub fn scrub_bytes(&self, bytes: &mut Vec<u8>) -> bool {
        self.scrubber().scrub(bytes)
    }

    /// Every text of `ex` scrubbed: URL, headers (names too), body, errors, redirects.
    pub fn scrub_exchange(&self, ex: &mut crate::evidence::Exchange) {
        let sc = self.scrubber();
        let s = |t: &mut String| *t = sc.text(t);
        s(&mut ex.url);
        for (k, v) in ex
            .request_headers
            .iter_mut()
            .chain(ex.response_headers.iter_mut())
        {
            s(k);
            s(v);
        }
        for t in [&mut ex.error, &mut ex.not_fetched, &mut ex.final_url]
            .into_iter()
            .flatten()
        {
            s(t);
        }
        for r in &mut ex.redirects {
            s(&mut r.from);
            s(&mut r.location);
        }
        let mut body = std::mem::take(&mut ex.body);
        if sc.scrub(&mut body) {
            ex.replace_body(body);
        } else {
            // Unchanged: what was parsed from it still holds.
            ex.body = body;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAR: &str = "sk_live_9f8e7d6c5b4a39281706";

    #[test]
    fn a_secret_cannot_be_formatted_or_serialized_in_clear() {
        let s = Secret::new(CLEAR);
        let shown = [
            format!("{s}"),
            format!("{s:?}"),
            format!("{s:#?}"),
            format!("{:?}", Some(&s)),
            serde_json::to_string(&s).expect("serializes"),
            serde_json::to_string(&vec![s.clone()]).expect("serializes"),
        ];
        for out in shown {
            assert!(!out.contains(CLEAR), "{out}");
            assert!(!out.contains("sk_live_9f"), "no prefix: {out}");
            assert!(!out.contains("1706"), "no tail: {out}");
            assert!(out.contains("‹redacted sha256:"), "{out}");
        }
        assert_eq!(s.expose(), CLEAR, "the wire still gets the value");
    }

    #[test]
    fn fingerprints_tell_secrets_apart_and_are_stable() {
        assert_eq!(fingerprint("a-secret-value"), fingerprint("a-secret-value"));
        assert_ne!(fingerprint("a-secret-value"), fingerprint("b-secret-value"));
        assert_eq!(
            fingerprint("x").chars().count(),
            "‹redacted sha256:›".chars().count() + 6
        );
    }

    #[test]
    fn pkce_is_fresh_s256_and_never_the_rfc_example() {
        let a = Pkce::fresh().expect("randomness");
        let b = Pkce::fresh().expect("randomness");
        assert!(a.verifier.expose().len() >= 43);
        assert!(a.verifier.expose().len() <= 128);
        assert_ne!(a.verifier, b.verifier);
        // RFC 7636 Appendix B's published pair.
        assert_ne!(
            a.verifier.expose(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
        assert_ne!(a.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        use base64::Engine;
        let want = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(a.verifier.expose().as_bytes()));
        assert_eq!(a.challenge, want);
    }

    #[test]
    fn minted_values_are_registered() {
        let reg = Secrets::default();
        let m = Minted::fresh(&reg).expect("randomness");
        let text = format!("state={} v={}", m.state.expose(), m.pkce.verifier.expose());
        let out = reg.scrub(&text);
        assert!(!out.contains(m.state.expose()), "{out}");
        assert!(!out.contains(m.pkce.verifier.expose()), "{out}");
    }
}
