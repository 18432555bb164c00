//! DPoP proof validation (RFC 9449 §4.3), shared by the token endpoint and the resource server.

use super::jwt;
use axum::http::HeaderMap;
use std::collections::HashSet;
use std::sync::Mutex;

/// How far a proof's `iat` may be from now, in seconds, either way (RFC 9449 §11.1 leaves the
/// window to the server; two minutes covers slow test machines and refuses a replay later on).
const IAT_WINDOW: u64 = 120;

/// What the proof must be for: the request it came with.
pub struct Expect<'a> {
    /// The HTTP method of the request (`htm`).
    pub method: &'a str,
    /// The request's URL without query and fragment (`htu`).
    pub url: &'a str,
    /// The access token it comes with, whose hash `ath` must carry (RFC 9449 §4.2).
    pub token: Option<&'a str>,
    /// Check `htm` and `htu` (a fault turns this off).
    pub bind_request: bool,
}

/// Why a proof was refused: the `error_description` the answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `DPoP` header.
    Missing,
    /// More than one `DPoP` header.
    Several,
    /// Not a well-formed proof (§4.2).
    Malformed,
    /// The signature does not verify under the proof's own `jwk`.
    Signature,
    /// `htm` is not the request's method.
    Method,
    /// `htu` is not the request's URL.
    Url,
    /// `ath` is not the hash of the token sent with it.
    Ath,
    /// `iat` is too old or in the future.
    Stale,
    /// The `jti` was used before.
    Replayed,
}

impl Refusal {
    /// Words for the error description.
    pub fn describe(self) -> &'static str {
        match self {
            Refusal::Missing => "a DPoP proof is required",
            Refusal::Several => "more than one DPoP header field",
            Refusal::Malformed => {
                "the DPoP proof is not a dpop+jwt JWS with an ES256 public jwk, jti, htm, htu and iat"
            }
            Refusal::Signature => "the DPoP proof's signature does not verify under its jwk",
            Refusal::Method => "the DPoP proof's htm is not this request's method",
            Refusal::Url => "the DPoP proof's htu is not this request's URL",
            Refusal::Ath => "the DPoP proof's ath is not the hash of the access token",
            Refusal::Stale => "the DPoP proof's iat is outside the accepted window",
            Refusal::Replayed => "the DPoP proof's jti was seen before",
        }
    }
}

/// The one `DPoP` header value of a request, if any (more than one is an error).
pub fn proof_header(headers: &HeaderMap) -> Result<Option<&str>, Refusal> {
    let mut all = headers.get_all("dpop").iter();
    let first = all.next();
    if all.next().is_some() {
        return Err(Refusal::Several);
    }
    first
        .map(|v| v.to_str().map_err(|_| Refusal::Malformed))
        .transpose()
}

/// Validates `proof` for `expect` per RFC 9449 §4.3 and records its `jti` in `seen`; returns the
/// RFC 7638 thumbprint of its key (the `jkt` a bound token carries).
pub fn verify(
    proof: Option<&str>,
    expect: &Expect,
    seen: &Mutex<HashSet<String>>,
) -> Result<String, Refusal> {
    let proof = proof.ok_or(Refusal::Missing)?;
    let p = jwt::parse(proof).ok_or(Refusal::Malformed)?;
    let well_typed = p.header["typ"] == "dpop+jwt" && p.header["alg"] == "ES256";
    let key = jwt::ec_key(&p.header["jwk"]).filter(|_| well_typed);
    let claims = &p.payload;
    let (Some(key), Some(jti), Some(htm), Some(htu), Some(iat)) = (
        key,
        claims["jti"].as_str(),
        claims["htm"].as_str(),
        claims["htu"].as_str(),
        claims["iat"].as_u64(),
    ) else {
        return Err(Refusal::Malformed);
    };
    if !p.verifies(&key) {
        return Err(Refusal::Signature);
    }
    if expect.bind_request && htm != expect.method {
        return Err(Refusal::Method);
    }
    if expect.bind_request && !same_url(htu, expect.url) {
        return Err(Refusal::Url);
    }
    if let Some(t) = expect.token
        && claims["ath"].as_str() != Some(jwt::sha256_b64(t).as_str())
    {
        return Err(Refusal::Ath);
    }
    if jwt::now().abs_diff(iat) > IAT_WINDOW {
        return Err(Refusal::Stale);
    }
    let fresh = seen
        .lock()
        .map(|mut s| s.insert(jti.to_string()))
        .unwrap_or(false);
    if !fresh {
        return Err(Refusal::Replayed);
    }
    jwt::thumbprint(&p.header["jwk"]).ok_or(Refusal::Malformed)
}

/// `htu` compared with the request URL, query and fragment ignored, after the syntax-based
/// normalisation of RFC 3986 §6.2.2 that URL parsing does (RFC 9449 §4.3 step 9).
fn same_url(htu: &str, request: &str) -> bool {
    let bare = |s: &str| {
        url::Url::parse(s).ok().map(|mut u| {
            u.set_query(None);
            u.set_fragment(None);
            u
        })
    };
    matches!((bare(htu), bare(request)), (Some(a), Some(b)) if a == b)
}
