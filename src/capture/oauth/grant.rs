//! The requests of the flow, one function each: registration, authorization, token, refresh,
//! revocation (RFC 7591, OAuth 2.1 §4.1, §4.3, RFC 8707, RFC 7009). Each request carries its
//! secrets only in its body or Authorization header, to the authorization server's origin.

use super::vault::{Client, ClientAuth, Server, Tokens};
use super::{Purpose, Step, Vault, role, seq};
use crate::capture::client::{Cred, Fetch};
use crate::secret::Secret;
use url::Url;
use url::form_urlencoded::Serializer;

const FORM: &str = "application/x-www-form-urlencoded";
const HTML: &str = "text/html, application/json;q=0.9, */*;q=0.5";

/// The RFC 7591 registration of a public native client with a loopback redirect URI.
pub fn register(url: Url, redirect: &str, purpose: Purpose) -> Fetch {
    let body = serde_json::json!({
        "client_name": "authspec conformance client (issue 19)",
        "redirect_uris": [redirect],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
    });
    Fetch {
        method: "POST".into(),
        body: Some(body.to_string().into_bytes()),
        seq: seq(Step::Register, purpose, 0),
        ..Fetch::get(role(Step::Register, purpose), url)
    }
}

/// What an authorization request asks for, besides the client.
pub struct Ask<'a> {
    pub resource: &'a str,
    pub scope: Option<&'a str>,
    /// The S256 `code_challenge`; `None` for the probe that sends none.
    pub challenge: Option<&'a str>,
    pub state: &'a Secret,
}

/// The authorization request for `purpose` (PKCE S256, RFC 8707 `resource`); its redirect is
/// recorded, never followed.
pub fn authorize(
    vault: &Vault,
    server: &Server,
    client: &Client,
    purpose: Purpose,
    ask: &Ask,
) -> Fetch {
    let mut url = server.authorize.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &client.id)
            .append_pair("redirect_uri", &vault.redirect_uri(purpose))
            .append_pair("state", ask.state.expose());
        if let Some(c) = ask.challenge {
            q.append_pair("code_challenge", c)
                .append_pair("code_challenge_method", "S256");
        }
        q.append_pair("resource", ask.resource);
        if let Some(s) = ask.scope.filter(|s| !s.is_empty()) {
            q.append_pair("scope", s);
        }
    }
    Fetch {
        no_follow: true,
        accept: Some(HTML),
        seq: seq(Step::Authorize, purpose, 0),
        ..Fetch::get(role(Step::Authorize, purpose), url)
    }
}

/// A POST of `form` to the token (or revocation) endpoint, with the client's authentication.
fn post(
    vault: &Vault,
    url: &Url,
    client: &Client,
    mut form: Serializer<'_, String>,
    step: Step,
    purpose: Purpose,
    n: u32,
) -> Fetch {
    let mut authorization = None;
    match (client.auth, &client.secret) {
        (ClientAuth::Basic, Some(secret)) => {
            use base64::Engine;
            let enc = |s: &str| Serializer::new(String::new()).append_key_only(s).finish();
            let pair = format!("{}:{}", enc(&client.id), enc(secret.expose()));
            let basic = base64::engine::general_purpose::STANDARD.encode(pair);
            vault.register(&basic);
            authorization = Some(format!("Basic {basic}"));
        }
        (ClientAuth::Post, Some(secret)) => {
            form.append_pair("client_id", &client.id);
            form.append_pair("client_secret", secret.expose());
        }
        _ => {
            form.append_pair("client_id", &client.id);
        }
    }
    Fetch {
        method: "POST".into(),
        body: Some(form.finish().into_bytes()),
        content_type: Some(FORM),
        cred: if authorization.is_some() {
            Cred::Minted
        } else {
            Cred::None
        },
        forged: authorization,
        // Client authentication goes to the authorization server's origin, nowhere else.
        scope: Some(url.clone()),
        seq: seq(step, purpose, n),
        ..Fetch::get(role(step, purpose), url.clone())
    }
}

/// How the code of `purpose` is redeemed: `verifier` (none, the right one or another).
pub struct Redeem<'a> {
    pub code: &'a Secret,
    pub verifier: Option<&'a str>,
    pub resource: &'a str,
    pub dpop: Option<String>,
}

/// The authorization-code token request (OAuth 2.1 §4.1.3, RFC 8707 `resource`); `step` is
/// [`Step::Token`], or [`Step::CodeReuse`] for the second redemption.
pub fn redeem(
    vault: &Vault,
    server: &Server,
    client: &Client,
    purpose: Purpose,
    step: Step,
    r: &Redeem,
) -> Fetch {
    let mut form = Serializer::new(String::new());
    form.append_pair("grant_type", "authorization_code")
        .append_pair("code", r.code.expose())
        .append_pair("redirect_uri", &vault.redirect_uri(purpose))
        .append_pair("resource", r.resource);
    if let Some(v) = r.verifier {
        form.append_pair("code_verifier", v);
    }
    let mut f = post(vault, &server.token, client, form, step, purpose, 0);
    if let Some(p) = &r.dpop {
        f.headers.push(("dpop", p.clone()));
    }
    f
}

/// The refresh request for `refresh` (OAuth 2.1 §4.3.1), `step` [`Step::Refresh`] or
/// [`Step::OldRefresh`].
pub fn refresh(
    vault: &Vault,
    server: &Server,
    client: &Client,
    refresh: &Secret,
    resource: &str,
    step: Step,
) -> Fetch {
    let mut form = Serializer::new(String::new());
    form.append_pair("grant_type", "refresh_token")
        .append_pair("refresh_token", refresh.expose())
        .append_pair("resource", resource);
    post(vault, &server.token, client, form, step, Purpose::Main, 0)
}

/// The `client_credentials` token request of a confidential client, for `resource`.
pub fn client_credentials(
    vault: &Vault,
    server: &Server,
    client: &Client,
    resource: &str,
) -> Fetch {
    let mut form = Serializer::new(String::new());
    form.append_pair("grant_type", "client_credentials")
        .append_pair("resource", resource);
    post(
        vault,
        &server.token,
        client,
        form,
        Step::Token,
        Purpose::ClientCredentials,
        0,
    )
}

/// The RFC 7009 revocation of a grant's `tokens`: its refresh token, which ends the grant and
/// (RFC 7009 §2.1) the access tokens issued on it, else its access token.
pub fn revoke(
    vault: &Vault,
    url: &Url,
    client: &Client,
    purpose: Purpose,
    tokens: &Tokens,
    n: &mut u32,
) -> Vec<Fetch> {
    let mut out = Vec::new();
    let pairs = match &tokens.refresh {
        Some(r) => [(r, "refresh_token")],
        None => [(&tokens.access, "access_token")],
    };
    for (token, hint) in pairs {
        let mut form = Serializer::new(String::new());
        form.append_pair("token", token.expose())
            .append_pair("token_type_hint", hint);
        out.push(post(vault, url, client, form, Step::Revoke, purpose, *n));
        *n += 1;
    }
    out
}
