//! The mock's authorization server: authorize (approving on its own), a token endpoint
//! (authorization code + PKCE, refresh with rotation, client credentials, DPoP binding, RFC 8707
//! `resource` → `aud`), RFC 7009 revocation, dynamic client registration, and the resource
//! server's verification of the JWT access tokens it issues (RFC 9068, signed with the key its
//! JWKS publishes).
//!
//! It serves two resources: the deployment's own (REST or `/mcp`) and `{base}/other-api`, a
//! second resource on the same AS whose tokens the deployment must refuse.

pub mod authorize;
pub mod dpop;
pub mod jwt;
pub mod register;
pub mod resource;
pub mod revoke;
pub mod store;
pub mod token;

use super::State;
use serde_json::Value;

pub use store::Store;

/// Where the AS departs from the standards, one fault each (all `false` when healthy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rules {
    /// The token endpoint redeems a code whatever `code_verifier` comes with it (or none).
    pub pkce_ignored: bool,
    /// A code can be redeemed more than once.
    pub code_reusable: bool,
    /// A redirect URI is matched as a prefix of the one asked for.
    pub redirect_prefix: bool,
    /// Refresh returns the same refresh token, which keeps working.
    pub refresh_not_rotated: bool,
    /// Access tokens carry the issuer as `aud` whatever resource was asked for; the resource
    /// server then checks the recipient through the AS's records instead of `aud`.
    pub aud_issuer: bool,
    /// A DPoP-bound token is answered with `token_type` Bearer (the token is still bound).
    pub dpop_token_type_bearer: bool,
    /// The resource server takes tokens for any audience.
    pub rs_audience_unchecked: bool,
    /// The resource server takes a DPoP-bound token sent as Bearer, without a proof.
    pub rs_dpop_as_bearer: bool,
    /// The resource server takes a proof from any key for a bound token.
    pub rs_dpop_any_key: bool,
    /// The resource server does not check a proof's `htm` and `htu`.
    pub rs_dpop_htu_unchecked: bool,
    /// Registration takes any redirect URI, even one neither https nor loopback.
    pub dcr_any_redirect: bool,
    /// The authorization endpoint issues a code to a public client's request without
    /// `code_challenge`.
    pub pkce_optional: bool,
    /// Token responses carry no `Cache-Control: no-store`.
    pub token_cacheable: bool,
    /// The token endpoint redeems a code for any client, not only the one it was issued to.
    pub code_any_client: bool,
}

/// How long an access token lives, in seconds.
pub const ACCESS_TTL: u64 = 300;

/// The second resource this AS serves: tokens for it are "for another audience" at the
/// deployment's own resource server.
pub fn other_resource(st: &State) -> String {
    format!("{}/other-api", st.site.base)
}

/// Every resource this AS issues tokens for: the deployment's, then the other one.
pub fn served_resources(st: &State) -> Vec<String> {
    vec![st.site.resource.clone(), other_resource(st)]
}

/// The served resource `asked` names, compared as parsed URLs (so `http://h:1` and
/// `http://h:1/` are one resource); `None` when this AS serves no such resource (RFC 8707 §2:
/// `invalid_target`). A resource indicator carries no fragment (RFC 8707 §2).
pub fn canonical_resource(st: &State, asked: &str) -> Option<String> {
    let a = url::Url::parse(asked)
        .ok()
        .filter(|u| u.fragment().is_none())?;
    served_resources(st)
        .into_iter()
        .find(|r| url::Url::parse(r).is_ok_and(|u| u == a))
}

/// The issuer the tokens carry: the AS metadata's `issuer`, as served.
pub fn issuer(st: &State) -> String {
    st.site.asm.value["issuer"]
        .as_str()
        .map_or_else(|| st.site.base.clone(), str::to_string)
}

/// The scopes this AS grants: what its metadata and the PRM advertise.
pub fn supported_scopes(st: &State) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for doc in [&st.site.asm.value, &st.site.prm.value] {
        let listed = doc["scopes_supported"].as_array().into_iter().flatten();
        for s in listed.filter_map(Value::as_str) {
            if !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
    }
    out
}

/// The scope granted for a request asking for `asked` (space-separated): the advertised scopes
/// among those asked, or every advertised scope when none is asked. Unknown scopes are left
/// out, which RFC 6749 §3.3 allows (the response then says which were granted).
pub fn granted_scope(st: &State, asked: Option<&str>) -> Vec<String> {
    let supported = supported_scopes(st);
    match asked {
        None => supported,
        Some(a) => {
            let mut out: Vec<String> = Vec::new();
            for s in a.split(' ').filter(|s| supported.iter().any(|x| x == s)) {
                if !out.iter().any(|o| o == s) {
                    out.push(s.to_string());
                }
            }
            out
        }
    }
}

/// A fresh opaque credential: `prefix` and 32 random bytes in hex.
pub fn random_token(prefix: &str) -> String {
    format!("{prefix}_{}", jwt::random_hex(32))
}

/// Form or query parameters in order, repeats kept (`resource` may repeat, RFC 8707 §2).
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` text (a query or a form body).
    pub fn parse(text: &str) -> Self {
        Params(
            url::form_urlencoded::parse(text.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A parameter other than `resource` that appears more than once (RFC 6749 §3.1: "Request
    /// and response parameters MUST NOT be included more than once").
    pub fn repeated(&self) -> Option<&str> {
        self.0.iter().enumerate().find_map(|(i, (k, _))| {
            (k != "resource" && self.0[..i].iter().any(|(j, _)| j == k)).then_some(k.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Params;

    #[test]
    fn parameters_keep_repeats_and_only_resource_may_repeat() {
        let p = Params::parse("resource=a&resource=b&scope=x%20y");
        assert_eq!(p.all("resource").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(p.get("scope"), Some("x y"));
        assert_eq!(p.repeated(), None);
        assert_eq!(Params::parse("code=1&x=2&code=3").repeated(), Some("code"));
    }
}
