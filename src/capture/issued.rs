//! What a server hands out that grants access, read out of each answer before anything records
//! it, so it is registered as a secret the moment it first exists.

use crate::secret::{MIN_ISSUED, Secrets};
use serde_json::Value;

/// JSON members whose string values grant access (RFC 6749 §5.1, RFC 7591 §3.2.1, RFC 7592 §3,
/// OpenID Connect Core §3.1.3.3, RFC 8628 §3.2, RFC 8693 §2.2.1). A bare `code` member is not
/// among them: error bodies use it for error codes, which must stay readable.
const MEMBERS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "registration_access_token",
    "device_code",
    "issued_token",
];

/// Parameters of a `Location` (query or fragment) that grant access: an authorization response
/// (RFC 6749 §4.1.2, §4.2.2; OpenID Connect Core §3.2.2.5).
const PARAMS: &[&str] = &["code", "access_token", "refresh_token", "id_token"];

/// Deepest JSON nesting searched for members.
const MAX_DEPTH: usize = 16;

/// Registers every secret in one answer: token members of a JSON body, authorization-response
/// parameters of a `Location`, and the value of every cookie a `Set-Cookie` sets.
pub fn learn(secrets: &Secrets, headers: &[(String, String)], body: &[u8]) {
    for (k, v) in headers {
        if k.eq_ignore_ascii_case("location") {
            location(secrets, v);
        } else if k.eq_ignore_ascii_case("set-cookie") {
            cookie(secrets, v);
        }
    }
    // Only a body that names a member is parsed: most bodies (JWKS, OpenAPI) hold none.
    let names = std::str::from_utf8(body).is_ok_and(|t| MEMBERS.iter().any(|m| t.contains(m)));
    if names && let Ok(v) = serde_json::from_slice::<Value>(body) {
        members(secrets, &v, 0);
    }
}

fn members(secrets: &Secrets, v: &Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                match v {
                    Value::String(s) if MEMBERS.contains(&k.as_str()) => {
                        secrets.add_str(s, MIN_ISSUED)
                    }
                    _ => members(secrets, v, depth + 1),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| members(secrets, v, depth + 1)),
        _ => {}
    }
}

fn location(secrets: &Secrets, value: &str) {
    let (query, fragment) = match value.split_once('#') {
        Some((q, f)) => (q, f),
        None => (value, ""),
    };
    let query = query.split_once('?').map_or("", |(_, q)| q);
    for part in [query, fragment] {
        // A second `?` (a redirect URI that had a query, joined carelessly) still starts a
        // parameter: read it as one, so no code hides behind it.
        let part = part.replace('?', "&");
        for (k, v) in url::form_urlencoded::parse(part.as_bytes()) {
            if PARAMS.contains(&k.as_ref()) {
                secrets.add_str(&v, MIN_ISSUED);
            }
        }
    }
}

/// A cookie's value grants what its session grants (RFC 6265 §4.1: `name=value; attributes`).
fn cookie(secrets: &Secrets, value: &str) {
    let pair = value.split(';').next().unwrap_or("");
    if let Some((_, v)) = pair.split_once('=') {
        secrets.add_str(v.trim().trim_matches('"'), MIN_ISSUED);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_tokens_codes_and_cookies() {
        let s = Secrets::default();
        let headers = vec![
            (
                "Location".to_string(),
                "http://127.0.0.1/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=x#id_token=eyJ.e.sig12345"
                    .to_string(),
            ),
            (
                "set-cookie".to_string(),
                "session=c00kieVALUEc00kie; HttpOnly".to_string(),
            ),
        ];
        let body = br#"{"client_id":"public-id","client_secret":"cs-0123456789","nested":{"access_token":"at-0123456789"},"error":{"code":"invalid_request"}}"#;
        learn(&s, &headers, body);
        let text = "SplxlOBeZQQYbYS6WxSbIA eyJ.e.sig12345 c00kieVALUEc00kie cs-0123456789 at-0123456789 invalid_request public-id";
        let out = s.scrub(text);
        for gone in [
            "SplxlOBeZQQYbYS6WxSbIA",
            "eyJ.e.sig12345",
            "c00kieVALUEc00kie",
            "cs-0123456789",
            "at-0123456789",
        ] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        assert!(
            out.contains("invalid_request") && out.contains("public-id"),
            "{out}"
        );
    }
}
