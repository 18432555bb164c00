//! Forged bearer credentials for the negative token probes: tokens no server may accept.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

/// How a forged credential is wrong. Each one is a probe of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Forgery {
    /// `Authorization: Bearer` followed by characters RFC 6750 §2.1's b64token does not allow.
    Malformed,
    /// A JWT whose header says `"alg": "none"`, with an empty signature (RFC 7519 §6).
    AlgNone,
    /// A JWT that claims RS256 but carries no signature.
    Unsigned,
    /// A JWT signed by a key authspec made, with that key embedded in its `jwk` header.
    SelfSigned,
    /// A JWT from the deployment's issuer, for this resource, that expired an hour ago.
    Expired,
    /// A JWT from the deployment's issuer for another audience.
    OtherAudience,
}

impl Forgery {
    /// Every forgery, in probe order.
    pub const ALL: [Forgery; 6] = [
        Forgery::Malformed,
        Forgery::AlgNone,
        Forgery::Unsigned,
        Forgery::SelfSigned,
        Forgery::Expired,
        Forgery::OtherAudience,
    ];

    /// The name reports use (`alg-none`, …).
    pub fn slug(self) -> &'static str {
        match self {
            Forgery::Malformed => "malformed",
            Forgery::AlgNone => "alg-none",
            Forgery::Unsigned => "unsigned",
            Forgery::SelfSigned => "self-signed",
            Forgery::Expired => "expired",
            Forgery::OtherAudience => "other-audience",
        }
    }

    /// The forgery named `slug`.
    pub fn from_slug(slug: &str) -> Option<Forgery> {
        Forgery::ALL.into_iter().find(|f| f.slug() == slug)
    }

    /// What the credential is, in a report's words.
    pub fn describe(self) -> &'static str {
        match self {
            Forgery::Malformed => "a malformed Authorization header (not a b64token)",
            Forgery::AlgNone => "a JWT with alg \"none\" and no signature",
            Forgery::Unsigned => "a JWT claiming RS256 with an empty signature",
            Forgery::SelfSigned => {
                "a JWT signed by a key of authspec's, embedded in its jwk header"
            }
            Forgery::Expired => "a JWT from the deployment's issuer that expired an hour ago",
            Forgery::OtherAudience => "a JWT from the deployment's issuer for another audience",
        }
    }
}

/// The claims forged tokens borrow from the deployment: its issuer and its resource.
#[derive(Debug, Clone)]
pub struct Claims {
    pub issuer: String,
    pub audience: String,
}

/// The whole `Authorization` header value for `forgery`.
pub fn authorization(forgery: Forgery, claims: &Claims) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let payload = |aud: &str, exp: u64| {
        json!({
            "iss": claims.issuer, "aud": aud, "sub": "authspec-forged",
            "iat": now.saturating_sub(60), "exp": exp, "jti": random_hex(),
            "scope": "openid",
        })
    };
    let fresh = payload(&claims.audience, now + 3600);
    let token = match forgery {
        Forgery::Malformed => return "Bearer not a b64token; \"forged\"".into(),
        Forgery::AlgNone => unsigned(&json!({"alg": "none", "typ": "JWT"}), &fresh),
        Forgery::Unsigned => unsigned(&json!({"alg": "RS256", "typ": "JWT"}), &fresh),
        Forgery::SelfSigned => self_signed(&fresh, true),
        Forgery::Expired => {
            self_signed(&payload(&claims.audience, now.saturating_sub(3600)), false)
        }
        Forgery::OtherAudience => self_signed(
            &payload("https://authspec.invalid/another-audience", now + 3600),
            false,
        ),
    };
    format!("Bearer {token}")
}

fn b64(v: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(v)
}

fn unsigned(header: &Value, payload: &Value) -> String {
    format!(
        "{}.{}.",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    )
}

/// An ES256 JWT signed by a fresh key; `embed` puts the public key in the `jwk` header, which a
/// verifier must never trust on its own (RFC 7515 §4.1.3, RFC 8725 §3.10).
fn self_signed(payload: &Value, embed: bool) -> String {
    let Some(key) = fresh_key() else {
        // Without OS randomness the token is still well-formed and still unsigned by the issuer.
        return unsigned(&json!({"alg": "ES256", "typ": "JWT"}), payload);
    };
    let point = key.verifying_key().to_sec1_bytes();
    let mut header =
        json!({"alg": "ES256", "typ": "JWT", "kid": format!("authspec-{}", random_hex())});
    if embed && point.len() == 65 {
        header["jwk"] =
            json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65])});
    }
    let input = unsigned(&header, payload);
    let input = input.trim_end_matches('.');
    let sig: Signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64(&sig.to_bytes()))
}

fn fresh_key() -> Option<SigningKey> {
    (0..4).find_map(|_| {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).ok()?;
        SigningKey::from_slice(&b).ok()
    })
}

fn random_hex() -> String {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(h: &str) -> Vec<Value> {
        let t = h.strip_prefix("Bearer ").unwrap();
        t.split('.')
            .take(2)
            .map(|p| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap())
            .collect()
    }

    fn claims() -> Claims {
        Claims {
            issuer: "https://as.example".into(),
            audience: "https://api.example/mcp".into(),
        }
    }

    #[test]
    fn each_forgery_is_what_it_says() {
        let c = claims();
        assert!(authorization(Forgery::Malformed, &c).contains(' '));
        let none = parts(&authorization(Forgery::AlgNone, &c));
        assert_eq!(none[0]["alg"], "none");
        assert!(authorization(Forgery::AlgNone, &c).ends_with('.'));
        assert!(authorization(Forgery::Unsigned, &c).ends_with('.'));
        let own = authorization(Forgery::SelfSigned, &c);
        let own_parts = parts(&own);
        assert_eq!(own_parts[0]["jwk"]["crv"], "P-256");
        assert_eq!(own_parts[1]["iss"], "https://as.example");
        let sig = own.rsplit('.').next().unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(sig).unwrap().len(), 64);
        let expired = parts(&authorization(Forgery::Expired, &c));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(expired[1]["exp"].as_u64().unwrap() < now);
        assert_eq!(expired[1]["aud"], "https://api.example/mcp");
        let other = parts(&authorization(Forgery::OtherAudience, &c));
        assert_ne!(other[1]["aud"], "https://api.example/mcp");
        assert!(other[1]["exp"].as_u64().unwrap() > now);
    }

    #[test]
    fn slugs_round_trip() {
        for f in Forgery::ALL {
            assert_eq!(Forgery::from_slug(f.slug()), Some(f));
        }
    }
}
