//! Compact ES256 JWS for the mock's AS: signing access tokens with its published key, and
//! verifying its own tokens and clients' DPoP proofs.

use super::super::site::fixture_key;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// The `kid` of the key the mock signs access tokens with; its public half is in the JWKS.
pub const KID: &str = "mock-es256-1";

/// The mock's token signing key, from the fixture's private scalar `ec_p256_d`.
fn signing_key() -> Option<&'static SigningKey> {
    static KEY: OnceLock<Option<SigningKey>> = OnceLock::new();
    KEY.get_or_init(|| {
        let d = fixture_key("ec_p256_d");
        let bytes = URL_SAFE_NO_PAD.decode(d.as_str()?).ok()?;
        SigningKey::from_slice(&bytes).ok()
    })
    .as_ref()
}

/// base64url without padding.
pub fn b64(v: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(v)
}

/// base64url(SHA-256(text)): PKCE's S256 (RFC 7636 §4.2) and DPoP's `ath` (RFC 9449 §4.2).
pub fn sha256_b64(text: &str) -> String {
    b64(&Sha256::digest(text.as_bytes()))
}

/// Seconds since the epoch (0 if the clock is before it).
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `n` random bytes as lowercase hex, from the OS source.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    // A failing OS RNG leaves zeros: predictable values, which a local mock survives.
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// An access token (RFC 9068 §2.1: `typ` "at+jwt") carrying `claims`, signed with [`KID`].
/// `None` only if the fixture key is missing, which the mock's tests rule out.
pub fn sign_access_token(claims: &Value) -> Option<String> {
    let key = signing_key()?;
    let header = json!({"alg": "ES256", "typ": "at+jwt", "kid": KID});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig: Signature = key.sign(input.as_bytes());
    Some(format!("{input}.{}", b64(&sig.to_bytes())))
}

/// A JWS split into its decoded header and payload, the signing input and the signature.
pub struct Parsed<'a> {
    pub header: Value,
    pub payload: Value,
    input: &'a str,
    signature: Vec<u8>,
}

/// Splits a compact JWS; `None` unless it has three parts whose first two are JSON objects.
pub fn parse(token: &str) -> Option<Parsed<'_>> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let json = |part: &str| -> Option<Value> {
        let v: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()?;
        v.is_object().then_some(v)
    };
    Some(Parsed {
        header: json(h)?,
        payload: json(p)?,
        input: &token[..h.len() + 1 + p.len()],
        signature: URL_SAFE_NO_PAD.decode(s).ok()?,
    })
}

impl Parsed<'_> {
    /// Whether the ES256 signature verifies under `key`.
    pub fn verifies(&self, key: &VerifyingKey) -> bool {
        Signature::from_slice(&self.signature)
            .is_ok_and(|sig| key.verify(self.input.as_bytes(), &sig).is_ok())
    }

    /// Whether this is an access token the mock signed: `typ` at+jwt (RFC 9068 §4), ES256 under
    /// [`KID`], and the signature verifies.
    pub fn signed_by_mock(&self) -> bool {
        let ours = self.header["alg"] == "ES256"
            && self.header["kid"] == KID
            && self.header["typ"].as_str().is_some_and(|t| {
                // RFC 9068 §4: "at+jwt" or "application/at+jwt"; media types are case-insensitive.
                t.eq_ignore_ascii_case("at+jwt") || t.eq_ignore_ascii_case("application/at+jwt")
            });
        ours && signing_key().is_some_and(|k| self.verifies(k.verifying_key()))
    }
}

/// The P-256 public key of an EC JWK (`kty` EC, `crv` P-256, `x`, `y`).
pub fn ec_key(jwk: &Value) -> Option<VerifyingKey> {
    if jwk["kty"] != "EC" || jwk["crv"] != "P-256" || jwk.get("d").is_some() {
        return None;
    }
    let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str()?).ok()?;
    let y = URL_SAFE_NO_PAD.decode(jwk["y"].as_str()?).ok()?;
    if x.len() != 32 || y.len() != 32 {
        return None;
    }
    let mut sec1 = vec![4u8];
    sec1.extend(x);
    sec1.extend(y);
    VerifyingKey::from_sec1_bytes(&sec1).ok()
}

/// The RFC 7638 thumbprint of an EC public JWK: SHA-256 over its required members in
/// lexicographic order, no whitespace.
pub fn thumbprint(jwk: &Value) -> Option<String> {
    let canonical = json!({
        "crv": jwk["crv"].as_str()?, "kty": jwk["kty"].as_str()?,
        "x": jwk["x"].as_str()?, "y": jwk["y"].as_str()?,
    });
    // Written in RFC 7638 §3's order: serde_json keeps it whether its maps sort or preserve order.
    Some(sha256_b64(&canonical.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_and_a_changed_one_does_not() {
        let t = sign_access_token(&json!({"aud": "x"})).expect("fixture key loads");
        assert!(parse(&t).expect("three parts").signed_by_mock());
        let tampered = t.replacen('.', ".e30", 1);
        assert!(parse(&tampered).is_none_or(|p| !p.signed_by_mock()));
    }

    #[test]
    fn the_signing_key_is_the_published_one() {
        let published = fixture_key("ec_p256");
        assert_eq!(published["kid"], KID);
        let public = ec_key(&published).expect("an EC key");
        let k = signing_key().expect("fixture key loads");
        assert_eq!(&public, k.verifying_key());
    }

    #[test]
    fn the_thumbprint_is_rfc_9449s_example() {
        let jwk = json!({"kty": "EC", "crv": "P-256",
            "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
            "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"});
        assert_eq!(
            thumbprint(&jwk).as_deref(),
            Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I")
        );
    }
}
