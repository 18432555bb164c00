//! DPoP proofs (RFC 9449 §4) from the run's key, and the ways a probe makes one wrong.

use crate::capture::forge::{b64, fresh_key, public_jwk, random_hex, sign, unix_now};
use p256::ecdsa::SigningKey;
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;

/// How a resource request presents the DPoP-bound token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Presentation {
    /// `Authorization: DPoP` with a proof right in every part: must be accepted.
    Proper,
    /// `Authorization: Bearer`, no proof (RFC 9449 §7.2).
    AsBearer,
    /// A proof signed by another key than the one the token is bound to (§4.3 item 12).
    OtherKey,
    /// A proof for another HTTP method (§4.3 item 8).
    OtherMethod,
    /// A proof for another URL (§4.3 item 9).
    OtherUrl,
}

impl Presentation {
    pub const ALL: [Presentation; 5] = [
        Presentation::Proper,
        Presentation::AsBearer,
        Presentation::OtherKey,
        Presentation::OtherMethod,
        Presentation::OtherUrl,
    ];

    /// The name evidence uses: the purpose of the use exchange is `dpop-<slug>`.
    pub fn slug(self) -> &'static str {
        match self {
            Presentation::Proper => "proper",
            Presentation::AsBearer => "as-bearer",
            Presentation::OtherKey => "other-key",
            Presentation::OtherMethod => "other-method",
            Presentation::OtherUrl => "other-url",
        }
    }

    /// The presentation named `slug`.
    pub fn from_slug(slug: &str) -> Option<Presentation> {
        Presentation::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

/// A proof by `key` for `method url`, binding `token` when given (`ath`).
pub fn proof(key: &SigningKey, method: &str, url: &Url, token: Option<&str>) -> Option<String> {
    let jwk = public_jwk(key)?;
    let mut htu = url.clone();
    htu.set_query(None);
    htu.set_fragment(None);
    let mut claims = json!({
        "jti": random_hex(), "htm": method, "htu": htu.as_str(), "iat": unix_now(),
    });
    if let Some(t) = token {
        claims["ath"] = json!(b64(&Sha256::digest(t.as_bytes())));
    }
    Some(sign(
        key,
        &json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}),
        &claims,
    ))
}

/// A proof for `method url` carrying the AS's `nonce` (RFC 9449 §8): the token request retried.
pub fn proof_with_nonce(key: &SigningKey, method: &str, url: &Url, nonce: &str) -> Option<String> {
    let jwk = public_jwk(key)?;
    let mut htu = url.clone();
    htu.set_query(None);
    htu.set_fragment(None);
    let claims = json!({
        "jti": random_hex(), "htm": method, "htu": htu.as_str(), "iat": unix_now(), "nonce": nonce,
    });
    Some(sign(
        key,
        &json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}),
        &claims,
    ))
}

/// Whether the DPoP proof `jws` carries a `nonce` claim.
pub fn has_nonce(jws: &str) -> bool {
    use base64::Engine;
    jws.split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|c| c.get("nonce").is_some())
}

/// The `Authorization` value and `DPoP` header (if any) presenting `token` as `how` in a
/// `method url` request.
pub fn present(
    how: Presentation,
    key: &SigningKey,
    token: &str,
    method: &str,
    url: &Url,
) -> Option<(String, Option<String>)> {
    let bound = format!("DPoP {token}");
    let made = match how {
        Presentation::AsBearer => return Some((format!("Bearer {token}"), None)),
        Presentation::Proper => proof(key, method, url, Some(token)),
        Presentation::OtherKey => proof(&fresh_key()?, method, url, Some(token)),
        Presentation::OtherMethod => {
            let other = if method.eq_ignore_ascii_case("PUT") {
                "PATCH"
            } else {
                "PUT"
            };
            proof(key, other, url, Some(token))
        }
        Presentation::OtherUrl => {
            let mut u = url.clone();
            u.set_path(&format!(
                "{}/authspec-other",
                url.path().trim_end_matches('/')
            ));
            proof(key, method, &u, Some(token))
        }
    }?;
    Some((bound, Some(made)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::Value;

    fn payload(proof: &str) -> Value {
        let p = proof.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
    }

    #[test]
    fn each_presentation_is_wrong_in_one_part_only() {
        let key = fresh_key().unwrap();
        let url = Url::parse("https://api.example/mcp?x=1").unwrap();
        let (auth, p) = present(Presentation::Proper, &key, "tok", "POST", &url).unwrap();
        assert_eq!(auth, "DPoP tok");
        let good = payload(&p.unwrap());
        assert_eq!(good["htm"], "POST");
        assert_eq!(good["htu"], "https://api.example/mcp");
        assert_eq!(good["ath"], b64(&Sha256::digest(b"tok")));
        let (auth, p) = present(Presentation::AsBearer, &key, "tok", "POST", &url).unwrap();
        assert_eq!((auth.as_str(), p), ("Bearer tok", None));
        let (_, p) = present(Presentation::OtherMethod, &key, "tok", "POST", &url).unwrap();
        assert_eq!(payload(&p.unwrap())["htm"], "PUT");
        let (_, p) = present(Presentation::OtherUrl, &key, "tok", "POST", &url).unwrap();
        assert_eq!(
            payload(&p.unwrap())["htu"],
            "https://api.example/mcp/authspec-other"
        );
        let (_, p) = present(Presentation::OtherKey, &key, "tok", "POST", &url).unwrap();
        let p = p.unwrap();
        let h: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(p.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_ne!(h["jwk"], public_jwk(&key).unwrap());
    }
}
