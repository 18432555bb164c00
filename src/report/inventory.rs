//! What a run saw, so two reports can be compared: the digest of each body, and the public keys of
//! every JWKS (by RFC 7638 thumbprint, never a private or symmetric member).

use crate::evidence::{Evidence, Exchange, Role};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One public key a JWKS served.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeyRef {
    /// The JWKS URL.
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kid: Option<String>,
    pub kty: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub alg: Option<String>,
    /// RFC 7638 §3 thumbprint (base64url SHA-256 of the required public members, sorted).
    pub thumbprint: String,
}

/// Hex SHA-256 of a body, when there is one.
pub fn body_digest(ex: &Exchange) -> Option<String> {
    (!ex.body.is_empty()).then(|| {
        Sha256::digest(&ex.body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    })
}

/// Every public key of every JWKS the run fetched, in exchange order, each (URL, thumbprint) once.
pub fn keys(ev: &Evidence) -> Vec<KeyRef> {
    let mut out: Vec<KeyRef> = Vec::new();
    for ex in ev.with_role(|r| matches!(r, Role::Jwks { .. })) {
        let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&ex.body) else {
            continue;
        };
        let Some(list) = doc.get("keys").and_then(|k| k.as_array()) else {
            continue;
        };
        for k in list {
            let Some(key) = key_ref(&ex.url, k) else {
                continue;
            };
            if !out
                .iter()
                .any(|o| o.url == key.url && o.thumbprint == key.thumbprint)
            {
                out.push(key);
            }
        }
    }
    out
}

fn key_ref(url: &str, k: &serde_json::Value) -> Option<KeyRef> {
    let s = |name: &str| k.get(name).and_then(|v| v.as_str()).map(str::to_string);
    let kty = s("kty")?;
    Some(KeyRef {
        url: url.to_string(),
        kid: s("kid"),
        alg: s("alg"),
        thumbprint: thumbprint(&kty, k)?,
        kty,
    })
}

/// RFC 7638 §3.2: the required members of the key type, in lexicographic order, no whitespace.
/// A symmetric (`oct`) key gets none: its thumbprint would be a digest of the secret.
fn thumbprint(kty: &str, k: &serde_json::Value) -> Option<String> {
    let members: &[&str] = match kty {
        "RSA" => &["e", "kty", "n"],
        "EC" => &["crv", "kty", "x", "y"],
        "OKP" => &["crv", "kty", "x"],
        _ => return None,
    };
    // Written by hand: a map's order depends on serde_json's features; these lists are sorted.
    let mut parts: Vec<String> = Vec::new();
    for m in members {
        let value = serde_json::to_string(k.get(*m)?.as_str()?).ok()?;
        parts.push(format!("\"{m}\":{value}"));
    }
    let text = format!("{{{}}}", parts.join(","));
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 §3.1's example key and its thumbprint.
    #[test]
    fn the_rfc_7638_example_thumbprint() {
        let k = serde_json::json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        assert_eq!(
            thumbprint("RSA", &k).as_deref(),
            Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
        assert_eq!(
            thumbprint("oct", &serde_json::json!({"k": "c2VjcmV0"})),
            None
        );
    }
}
