//! Forged bearer credentials for the negative token probes: tokens no server may accept.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};
use url::Url;

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
    /// `Authorization: DPoP` with a JWT bound (`cnf.jkt`) to a key of authspec's and signed by
    /// another, beside a well-formed DPoP proof from the bound key (RFC 9449 §4, §7).
    Dpop,
    /// [`Forgery::Dpop`] again, its proof carrying the nonce the server asked for (RFC 9449 §9).
    DpopNonce,
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

    /// The DPoP-bound forgeries, sent only where the resource advertises DPoP.
    pub const DPOP: [Forgery; 2] = [Forgery::Dpop, Forgery::DpopNonce];

    /// The name reports use (`alg-none`, …).
    pub fn slug(self) -> &'static str {
        match self {
            Forgery::Malformed => "malformed",
            Forgery::AlgNone => "alg-none",
            Forgery::Unsigned => "unsigned",
            Forgery::SelfSigned => "self-signed",
            Forgery::Expired => "expired",
            Forgery::OtherAudience => "other-audience",
            Forgery::Dpop => "dpop",
            Forgery::DpopNonce => "dpop-nonce",
        }
    }

    /// The forgery named `slug`.
    pub fn from_slug(slug: &str) -> Option<Forgery> {
        Forgery::ALL
            .into_iter()
            .chain(Forgery::DPOP)
            .find(|f| f.slug() == slug)
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
            Forgery::Dpop => {
                "a DPoP-bound JWT signed by a key of authspec's, with a valid DPoP proof"
            }
            Forgery::DpopNonce => {
                "a DPoP-bound JWT signed by a key of authspec's, with a valid DPoP proof carrying the server's nonce"
            }
        }
    }

    /// Whether this forgery is sent with the DPoP scheme.
    pub fn is_dpop(self) -> bool {
        matches!(self, Forgery::Dpop | Forgery::DpopNonce)
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
    let now = unix_now();
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
        // A DPoP token needs its request for the proof: see [`dpop`].
        Forgery::Dpop | Forgery::DpopNonce => self_signed(&fresh, false),
    };
    format!("Bearer {token}")
}

/// The `Authorization` and `DPoP` header values of a DPoP-bound forgery sent as `method` to
/// `url`: a token from the deployment's issuer bound (`cnf.jkt`, RFC 9449 §6.1) to a key authspec
/// made and signed by another of its keys, and a proof from the bound key that is right in every
/// part (RFC 9449 §4.2: `typ`, `alg`, `jwk`, `jti`, `htm`, `htu`, `iat`, `ath`, and `nonce` when the
/// server supplied one). Only the token is wrong, so only the token's verification can refuse it.
pub fn dpop(
    claims: &Claims,
    method: &str,
    url: &Url,
    nonce: Option<&str>,
) -> Option<(String, String)> {
    let now = unix_now();
    let proof_key = fresh_key()?;
    let token_key = fresh_key()?;
    let jwk = public_jwk(&proof_key)?;
    let token = sign(
        &token_key,
        &json!({"alg": "ES256", "typ": "at+jwt", "kid": format!("authspec-{}", random_hex())}),
        &json!({
            "iss": claims.issuer, "aud": claims.audience, "sub": "authspec-forged",
            "iat": now.saturating_sub(60), "exp": now + 3600, "jti": random_hex(),
            "cnf": {"jkt": thumbprint(&jwk)},
        }),
    );
    let mut htu = url.clone();
    htu.set_query(None);
    htu.set_fragment(None);
    let mut claims = json!({
        "jti": random_hex(), "htm": method, "htu": htu.as_str(), "iat": now,
        "ath": b64(&Sha256::digest(token.as_bytes())),
    });
    if let Some(n) = nonce {
        claims["nonce"] = json!(n);
    }
    let proof = sign(
        &proof_key,
        &json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}),
        &claims,
    );
    Some((format!("DPoP {token}"), proof))
}

/// The issuer and audience a recorded forged `Authorization` value claimed, to forge again.
pub fn claims_of(authorization: &str) -> Option<Claims> {
    let (_, token) = authorization.split_once(' ')?;
    let payload = token.split('.').nth(1)?;
    let v: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    Some(Claims {
        issuer: v.get("iss")?.as_str()?.to_string(),
        audience: v.get("aud")?.as_str()?.to_string(),
    })
}

pub(super) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The public half of `key` as a JWK, members in RFC 7638's order.
pub(super) fn public_jwk(key: &SigningKey) -> Option<Value> {
    let point = key.verifying_key().to_sec1_bytes();
    (point.len() == 65).then(
        || json!({"crv": "P-256", "kty": "EC", "x": b64(&point[1..33]), "y": b64(&point[33..65])}),
    )
}

/// The RFC 7638 thumbprint of an EC public JWK: SHA-256 over its required members, sorted.
pub(super) fn thumbprint(jwk: &Value) -> String {
    let canonical = format!(
        r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk["crv"].as_str().unwrap_or_default(),
        jwk["x"].as_str().unwrap_or_default(),
        jwk["y"].as_str().unwrap_or_default()
    );
    b64(&Sha256::digest(canonical.as_bytes()))
}

/// A compact ES256 JWS of `payload` under `header`, signed by `key`.
pub(super) fn sign(key: &SigningKey, header: &Value, payload: &Value) -> String {
    let input = unsigned(header, payload);
    let input = input.trim_end_matches('.');
    let sig: Signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64(&sig.to_bytes()))
}

pub(super) fn b64(v: &[u8]) -> String {
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
    let mut header =
        json!({"alg": "ES256", "typ": "JWT", "kid": format!("authspec-{}", random_hex())});
    if let (true, Some(jwk)) = (embed, public_jwk(&key)) {
        header["jwk"] = jwk;
    }
    sign(&key, &header, payload)
}

pub(super) fn fresh_key() -> Option<SigningKey> {
    (0..4).find_map(|_| {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).ok()?;
        SigningKey::from_slice(&b).ok()
    })
}

pub(super) fn random_hex() -> String {
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
        assert!(Forgery::ALL.iter().all(|f| !f.is_dpop()));
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
        let now = unix_now();
        assert!(expired[1]["exp"].as_u64().unwrap() < now);
        assert_eq!(expired[1]["aud"], "https://api.example/mcp");
        let other = parts(&authorization(Forgery::OtherAudience, &c));
        assert_ne!(other[1]["aud"], "https://api.example/mcp");
        assert!(other[1]["exp"].as_u64().unwrap() > now);
    }

    #[test]
    fn a_dpop_forgery_has_a_proof_that_is_right_in_every_part() {
        let url = Url::parse("https://api.example/mcp?x=1#f").unwrap();
        let (auth, proof) = dpop(&claims(), "POST", &url, Some("n-1")).unwrap();
        let token = auth.strip_prefix("DPoP ").unwrap();
        let p: Vec<Value> = proof
            .split('.')
            .take(2)
            .map(|p| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap())
            .collect();
        assert_eq!(p[0]["typ"], "dpop+jwt");
        assert_eq!(p[1]["htm"], "POST");
        assert_eq!(p[1]["htu"], "https://api.example/mcp");
        assert_eq!(p[1]["nonce"], "n-1");
        assert_eq!(p[1]["ath"], b64(&Sha256::digest(token.as_bytes())));
        let t = parts(&format!("Bearer {token}"));
        assert_eq!(t[1]["cnf"]["jkt"], thumbprint(&p[0]["jwk"]));
        assert_eq!(t[1]["iss"], "https://as.example");
        let back = claims_of(&auth).unwrap();
        assert_eq!(back.audience, "https://api.example/mcp");
    }

    #[test]
    fn the_thumbprint_is_rfc_9449s_example() {
        // The key of RFC 9449 §4.1's proof example and the jkt §6.1 gives for it.
        let jwk = json!({"kty": "EC", "crv": "P-256",
            "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
            "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"});
        assert_eq!(
            thumbprint(&jwk),
            "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
        );
    }

    #[test]
    fn slugs_round_trip() {
        for f in Forgery::ALL.into_iter().chain(Forgery::DPOP) {
            assert_eq!(Forgery::from_slug(f.slug()), Some(f));
        }
    }
}
