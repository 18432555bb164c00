//! Rules shared by the document checks: URL members under the https rule, empty values, string lists.

use crate::finding::Finding;
use crate::identifier::{Scheme, scheme_rule};
use crate::parse::json::pointer_token;
use serde_json::{Map, Value};
use url::Url;

/// JSON pointer of a top-level member.
pub fn ptr(name: &str) -> String {
    format!("/{}", pointer_token(name))
}

/// Checks that `value` is an absolute URL that uses https (http only for loopback hosts, A-18)
/// and, when `no_query_fragment`, carries neither query nor fragment. `None` when it conforms.
pub fn https_problem(
    value: &str,
    what: &str,
    no_query: bool,
    no_fragment: bool,
) -> Option<Finding> {
    let url = match Url::parse(value) {
        Ok(u) => u,
        Err(e) => {
            return Some(
                Finding::fail(format!("{what} is not an absolute URL ({e})"))
                    .expected("an absolute https URL")
                    .actual(quote(value)),
            );
        }
    };
    if scheme_rule(&url) == Scheme::NotHttps {
        return Some(
            Finding::fail(format!(
                "{what} does not use https (http is accepted only for loopback hosts)"
            ))
            .expected("https://...")
            .actual(quote(value)),
        );
    }
    if no_fragment && url.fragment().is_some() {
        return Some(
            Finding::fail(format!("{what} has a fragment"))
                .expected("no '#' component")
                .actual(quote(value)),
        );
    }
    if no_query && url.query().is_some() {
        return Some(
            Finding::fail(format!("{what} has a query"))
                .expected("no '?' component")
                .actual(quote(value)),
        );
    }
    None
}

/// The pass message for a URL that passed [`https_problem`]: says when loopback http was accepted.
pub fn https_ok(value: &str, what: &str) -> Finding {
    match Url::parse(value).map(|u| scheme_rule(&u)) {
        // Accepted for local development, but nothing about https was seen: not a pass.
        Ok(Scheme::LoopbackHttp) => Finding::skip(format!(
            "not judged: {what} uses http on a loopback host (accepted for local development, A-18; not production evidence)"
        )),
        _ => Finding::pass(format!("{what} uses https")),
    }
}

/// JSON-quoted rendering of a string for Expected/Actual lines.
pub fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// Compact JSON rendering of a value, cut to a readable length.
pub fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// Members whose value is `[]`, `null` or `""`, except those in `allowed_empty_array`.
pub fn empty_members(obj: &Map<String, Value>, allowed_empty_array: &[&str]) -> Vec<Finding> {
    obj.iter()
        .filter(|(k, v)| match v {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::Array(a) => a.is_empty() && !allowed_empty_array.contains(&k.as_str()),
            _ => false,
        })
        .map(|(k, v)| {
            Finding::fail(format!("member {k} has zero values; omit it instead"))
                .expected("the member left out")
                .actual(format!("\"{k}\": {v}"))
                .at(ptr(k))
        })
        .collect()
}

/// The strings of an array member (non-strings are skipped; the schema check reports them).
pub fn strings<'a>(obj: &'a Map<String, Value>, name: &str) -> Vec<&'a str> {
    obj.get(name)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Findings for every entry of array member `name` equal to `none`.
pub fn alg_none(obj: &Map<String, Value>, name: &str) -> Vec<Finding> {
    let Some(arr) = obj.get(name).and_then(Value::as_array) else {
        return Vec::new();
    };
    arr.iter()
        .enumerate()
        .filter(|(_, v)| v.as_str() == Some("none"))
        .map(|(i, _)| {
            Finding::fail(format!("{name} lists the \"none\" algorithm"))
                .expected("no \"none\"")
                .actual(show(&obj[name]))
                .at(format!("{}/{i}", ptr(name)))
        })
        .collect()
}

/// Parts of a compact JWT, decoded: header and payload objects, or why not.
pub struct Jwt {
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
}

/// Decodes a compact JWS (three base64url parts) without verifying it.
pub fn decode_jwt(token: &str) -> Result<Jwt, String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(format!(
            "{} dot-separated parts, a compact JWS has 3",
            parts.len()
        ));
    }
    let obj = |i: usize, what: &str| -> Result<Map<String, Value>, String> {
        let bytes = crate::checks::jwks::b64url_strict(parts[i])
            .map_err(|e| format!("{what} is not base64url: {e}"))?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(format!("{what} is not a JSON object")),
        }
    };
    Ok(Jwt {
        header: obj(0, "JOSE header")?,
        payload: obj(1, "payload")?,
    })
}

/// The checks shared by PRM-SIGNED-JWT and ASM-SIGNED: compact form, no `none`, an `iss` claim.
#[allow(
    clippy::result_large_err,
    reason = "a Finding is the natural error of a judge step; judges are not hot paths"
)]
pub fn signed_metadata_problems(token: &Value) -> Result<Jwt, Finding> {
    let Some(s) = token.as_str() else {
        return Err(Finding::fail("signed_metadata is not a string")
            .expected("a compact JWT")
            .actual(show(token))
            .at("/signed_metadata"));
    };
    let jwt = decode_jwt(s).map_err(|e| {
        Finding::fail(format!("signed_metadata is not a compact JWT: {e}")).at("/signed_metadata")
    })?;
    let alg = jwt.header.get("alg").and_then(Value::as_str);
    if alg.is_none_or(|a| a.eq_ignore_ascii_case("none")) {
        return Err(Finding::fail("signed_metadata is not signed or MACed")
            .expected("a JOSE header alg other than none")
            .actual(format!("alg = {}", alg.unwrap_or("(absent)")))
            .at("/signed_metadata"));
    }
    if !jwt.payload.get("iss").is_some_and(Value::is_string) {
        return Err(Finding::fail("signed_metadata carries no iss claim")
            .expected("an iss claim naming the signer")
            .actual("no iss")
            .at("/signed_metadata"));
    }
    Ok(jwt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Outcome;
    use serde_json::json;

    #[test]
    fn https_rule() {
        assert!(https_problem("https://a.example/x", "u", true, true).is_none());
        assert!(https_problem("http://127.0.0.1:8080/x", "u", true, true).is_none());
        assert!(https_problem("http://a.example/x", "u", true, true).is_some());
        assert!(https_problem("/relative", "u", true, true).is_some());
        assert!(https_problem("https://a.example/x#f", "u", false, true).is_some());
        assert!(https_problem("https://a.example/x?q", "u", true, false).is_some());
        assert!(https_problem("https://a.example/x?q", "u", false, false).is_none());
    }

    #[test]
    fn empty_and_none() {
        let o = json!({"a": [], "b": null, "c": "", "d": [1], "bearer_methods_supported": []});
        let f = empty_members(o.as_object().unwrap(), &["bearer_methods_supported"]);
        assert_eq!(f.len(), 3);
        assert!(f.iter().all(|f| f.outcome == Outcome::Fail));
        let o = json!({"x": ["RS256", "none"]});
        assert_eq!(
            alg_none(o.as_object().unwrap(), "x")[0].pointer.as_deref(),
            Some("/x/1")
        );
    }

    #[test]
    fn jwt_shape() {
        // {"alg":"RS256"} . {"iss":"https://a"} . sig
        let ok = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2EifQ.c2ln";
        assert!(signed_metadata_problems(&json!(ok)).is_ok());
        // {"alg":"none"}
        let none = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2EifQ.";
        assert!(signed_metadata_problems(&json!(none)).is_err());
        assert!(signed_metadata_problems(&json!("a.b")).is_err());
    }
}
