//! What authspec's OAuth client was issued, in clear, for the next request of the flow; nothing
//! here is ever recorded (each value is a registered secret).

use super::{Purpose, Step, parse_role};
use crate::evidence::{Exchange, TOKEN_CLAIMS};
use crate::secret::{Pkce, Secret, Secrets};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::SigningKey;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use url::Url;

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1, OAuth 2.1 §2.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// A public client: `client_id` in the form, no secret.
    None,
    /// `Authorization: Basic` with the client ID and secret.
    Basic,
    /// `client_id` and `client_secret` in the form.
    Post,
}

/// The client the flow runs as.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub secret: Option<Secret>,
    pub auth: ClientAuth,
}

/// The authorization server's endpoints the flow uses (from its metadata).
#[derive(Debug, Clone)]
pub struct Server {
    pub issuer: String,
    pub authorize: Url,
    pub token: Url,
    pub revoke: Option<Url>,
    /// It lists ES256 among `dpop_signing_alg_values_supported`.
    pub dpop: bool,
    /// `token_endpoint_auth_methods_supported`, as listed.
    pub auth_methods: Vec<String>,
}

/// One token response's credentials.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: Secret,
    pub refresh: Option<Secret>,
}

/// The OAuth client's state for one run.
#[derive(Default)]
pub struct Vault {
    secrets: Secrets,
    state: Mutex<State>,
    /// `--login`'s listener: the main grant's authorization goes through the user's browser.
    login: Option<super::login::Listener>,
}

#[derive(Default)]
struct State {
    started: bool,
    server: Option<Server>,
    client: Option<Client>,
    /// A client registered (RFC 7591) beside a main client known by its metadata document: the
    /// redirect probes run as it, against its pre-registered redirect URI.
    registered: Option<Client>,
    /// Whether that registration was sent.
    registers_for_redirects: bool,
    state_param: Option<Secret>,
    pkce: HashMap<Purpose, Pkce>,
    codes: HashMap<Purpose, Secret>,
    tokens: HashMap<Purpose, Tokens>,
    refreshed: Option<Tokens>,
    dpop_key: Option<SigningKey>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

impl Vault {
    /// An empty vault whose values are registered in `secrets`.
    pub fn new(secrets: Secrets, login: Option<super::login::Listener>) -> Self {
        Vault {
            secrets,
            state: Mutex::default(),
            login,
        }
    }

    /// Whether the main grant is authorized interactively (`--login`).
    pub fn interactive(&self) -> bool {
        self.login.is_some()
    }

    /// The redirect URI `purpose`'s requests name: `--login`'s listener for the main grant.
    pub fn redirect_uri(&self, purpose: Purpose) -> String {
        match (&self.login, purpose) {
            (Some(l), Purpose::Main) => l.redirect.clone(),
            _ => purpose.redirect_uri(),
        }
    }

    /// With `--login`, the main grant's authorization request made through the user's browser:
    /// the answer is the listener's callback, recorded as the redirect that brought it.
    pub async fn sign_in(&self, role: &crate::evidence::Role, url: &Url) -> Option<Exchange> {
        let login = self.login.as_ref()?;
        if parse_role(role) != Some((Step::Authorize, Purpose::Main)) {
            return None;
        }
        let started = std::time::Instant::now();
        let mut ex = Exchange::new("GET", url.as_str(), vec![role.clone()]);
        ex.credential = "none".into();
        match login.wait(url).await {
            Ok(callback) => {
                ex.status = Some(302);
                ex.response_headers = vec![
                    ("location".into(), callback),
                    (
                        "x-authspec-login".into(),
                        "the browser returned to the loopback listener".into(),
                    ),
                ];
                crate::capture::issued::learn(&self.secrets, &ex.response_headers, b"");
                self.keep(&mut ex, b"");
            }
            Err(why) => ex.error = Some(why),
        }
        ex.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.secrets.scrub_exchange(&mut ex);
        Some(ex)
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        match self.state.lock() {
            Ok(mut s) => f(&mut s),
            Err(p) => f(&mut p.into_inner()),
        }
    }

    /// Registers `value` as a secret of the run.
    pub fn register(&self, value: &str) {
        self.secrets.add(Secret::new(value));
    }

    /// Marks the flow started; false when it already was (one flow a run).
    pub fn start(&self, server: Server, state: Secret) -> bool {
        self.with(|s| {
            if s.started {
                return false;
            }
            s.started = true;
            s.server = Some(server);
            s.state_param = Some(state);
            true
        })
    }

    pub fn server(&self) -> Option<Server> {
        self.with(|s| s.server.clone())
    }

    pub fn client(&self) -> Option<Client> {
        self.with(|s| s.client.clone())
    }

    pub fn set_client(&self, c: Client) {
        if let Some(sec) = &c.secret {
            self.secrets.add(sec.clone());
        }
        self.with(|s| s.client = Some(c));
    }

    /// The client registered for the redirect probes, when the main one is a document's.
    pub fn registered(&self) -> Option<Client> {
        self.with(|s| s.registered.clone())
    }

    /// Notes that a client is being registered for the redirect probes.
    pub fn register_for_redirects(&self) {
        self.with(|s| s.registers_for_redirects = true);
    }

    /// Whether the redirect probes wait for a registered client.
    pub fn registers_for_redirects(&self) -> bool {
        self.with(|s| s.registers_for_redirects)
    }

    pub fn state_param(&self) -> Option<Secret> {
        self.with(|s| s.state_param.clone())
    }

    /// A fresh PKCE pair for `purpose`, registered; `None` without OS randomness.
    pub fn fresh_pkce(&self, purpose: Purpose) -> Option<Pkce> {
        let p = Pkce::fresh()?;
        self.secrets.add(p.verifier.clone());
        self.with(|s| s.pkce.insert(purpose, p.clone()));
        Some(p)
    }

    pub fn pkce(&self, purpose: Purpose) -> Option<Pkce> {
        self.with(|s| s.pkce.get(&purpose).cloned())
    }

    pub fn code(&self, purpose: Purpose) -> Option<Secret> {
        self.with(|s| s.codes.get(&purpose).cloned())
    }

    pub fn tokens(&self, purpose: Purpose) -> Option<Tokens> {
        self.with(|s| s.tokens.get(&purpose).cloned())
    }

    pub fn refreshed(&self) -> Option<Tokens> {
        self.with(|s| s.refreshed.clone())
    }

    /// The latest tokens of every grant, with the purpose it serves: the main grant's are those
    /// its refresh issued, when it was refreshed.
    pub fn minted(&self) -> Vec<(Purpose, Tokens)> {
        self.with(|s| {
            let mut out: Vec<(Purpose, Tokens)> = s
                .tokens
                .iter()
                .map(|(p, t)| match (p, &s.refreshed) {
                    (Purpose::Main, Some(r)) => (*p, r.clone()),
                    _ => (*p, t.clone()),
                })
                .collect();
            out.sort_by_key(|(p, _)| *p);
            out
        })
    }

    /// The DPoP key of the run, made on first use; `None` without OS randomness.
    pub fn dpop_key(&self) -> Option<SigningKey> {
        self.with(|s| {
            if s.dpop_key.is_none() {
                s.dpop_key = crate::capture::forge::fresh_key();
            }
            s.dpop_key.clone()
        })
    }

    /// Keeps what the answer `ex` (headers not yet scrubbed, `body` in clear) issued to the OAuth
    /// client, and notes the claims of an access token it carried as [`TOKEN_CLAIMS`].
    pub fn keep(&self, ex: &mut Exchange, body: &[u8]) {
        let Some((step, purpose)) = ex.roles.iter().find_map(parse_role) else {
            return;
        };
        let ok = ex.status.is_some_and(|s| (200..300).contains(&s));
        match step {
            // The insecure-redirect probe's client, if the AS made one, is never used.
            Step::Register if ok && purpose != Purpose::InsecureRedirect => self.keep_client(body),
            Step::Authorize => self.keep_code(purpose, ex),
            Step::Token | Step::Refresh if ok => {
                let json: Option<Value> = serde_json::from_slice(body).ok();
                let Some(tokens) = json.as_ref().and_then(tokens_of) else {
                    return;
                };
                if let Some(claims) = claims_of(tokens.access.expose()) {
                    ex.response_headers
                        .push((TOKEN_CLAIMS.into(), claims.to_string()));
                }
                self.with(|s| {
                    if step == Step::Refresh {
                        s.refreshed = Some(tokens);
                    } else {
                        s.tokens.insert(purpose, tokens);
                    }
                });
            }
            _ => {}
        }
    }

    fn keep_client(&self, body: &[u8]) {
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return;
        };
        let Some(id) = v.get("client_id").and_then(Value::as_str) else {
            return;
        };
        let secret = v
            .get("client_secret")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(Secret::new);
        let auth = match (
            &secret,
            v.get("token_endpoint_auth_method").and_then(Value::as_str),
        ) {
            (None, _) => ClientAuth::None,
            (Some(_), Some("client_secret_post")) => ClientAuth::Post,
            (Some(_), _) => ClientAuth::Basic,
        };
        let c = Client {
            id: id.to_string(),
            secret,
            auth,
        };
        if let Some(sec) = &c.secret {
            self.secrets.add(sec.clone());
        }
        self.with(|s| {
            if s.client.is_some() {
                s.registered = Some(c);
            } else {
                s.client = Some(c);
            }
        });
    }

    /// The `code` of an authorization response whose `state` is this run's, from the
    /// `Location` of the redirect to the client's own redirect URI.
    fn keep_code(&self, purpose: Purpose, ex: &Exchange) {
        let Some(loc) = ex.header("location") else {
            return;
        };
        let Some(url) = Url::parse(&ex.url).ok().and_then(|u| u.join(loc).ok()) else {
            return;
        };
        let state = self.state_param();
        let mut code = None;
        let mut state_ok = false;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "code" => code = Some(Secret::new(v.as_ref())),
                "state" => state_ok = state.as_ref().is_some_and(|s| s.expose() == v),
                _ => {}
            }
        }
        if let (Some(c), true) = (code, state_ok) {
            self.secrets.add(c.clone());
            self.with(|s| s.codes.insert(purpose, c));
        }
    }
}

/// The access and refresh token of a token response.
fn tokens_of(v: &Value) -> Option<Tokens> {
    let access = v.get("access_token")?.as_str()?;
    let refresh = v
        .get("refresh_token")
        .and_then(Value::as_str)
        .map(Secret::new);
    Some(Tokens {
        access: Secret::new(access),
        refresh,
    })
}

/// `{"typ", "alg", "claims"}` of a JWT access token; `None` for an opaque token.
pub fn claims_of(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (h, p) = (parts.next()?, parts.next()?);
    let decode = |s: &str| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()?).ok()
    };
    let header = decode(h)?;
    let claims = decode(p)?;
    claims.is_object().then(|| {
        serde_json::json!({
            "typ": header.get("typ").cloned().unwrap_or(Value::Null),
            "alg": header.get("alg").cloned().unwrap_or(Value::Null),
            "claims": claims,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Role;

    fn jwt(claims: &Value) -> String {
        let h = URL_SAFE_NO_PAD.encode(br#"{"typ":"at+jwt","alg":"ES256"}"#);
        let p = URL_SAFE_NO_PAD.encode(claims.to_string());
        format!("{h}.{p}.c2lnbmF0dXJlc2lnbmF0dXJl")
    }

    #[test]
    fn keeps_the_code_only_with_this_runs_state() {
        let v = Vault::default();
        let server = Server {
            issuer: "https://as.example".into(),
            authorize: Url::parse("https://as.example/authorize").unwrap(),
            token: Url::parse("https://as.example/token").unwrap(),
            revoke: None,
            dpop: false,
            auth_methods: Vec::new(),
        };
        assert!(v.start(server.clone(), Secret::new("state-123456789")));
        assert!(!v.start(server, Secret::new("other")), "one flow a run");
        let mut ex = Exchange::new(
            "GET",
            "https://as.example/authorize?x",
            vec![super::super::role(Step::Authorize, Purpose::Main)],
        );
        ex.status = Some(302);
        ex.response_headers.push((
            "location".into(),
            "http://127.0.0.1/cb?code=abc123abc123&state=wrong".into(),
        ));
        v.keep(&mut ex, b"");
        assert!(
            v.code(Purpose::Main).is_none(),
            "a foreign state is no answer of ours"
        );
        ex.response_headers[0].1 =
            "http://127.0.0.1/cb?code=abc123abc123&state=state-123456789".into();
        v.keep(&mut ex, b"");
        assert_eq!(
            v.code(Purpose::Main).map(|c| c.expose().to_string()),
            Some("abc123abc123".into())
        );
    }

    #[test]
    fn keeps_tokens_and_notes_jwt_claims() {
        let v = Vault::default();
        let at = jwt(&serde_json::json!({"aud": "https://api.example/mcp", "scope": "a"}));
        let body = serde_json::json!({"access_token": at, "token_type": "Bearer", "refresh_token": "rt-0123456789"});
        let mut ex = Exchange::new(
            "POST",
            "https://as.example/token",
            vec![Role::OAuth {
                step: "token".into(),
                purpose: "main".into(),
            }],
        );
        ex.status = Some(200);
        v.keep(&mut ex, body.to_string().as_bytes());
        let t = v.tokens(Purpose::Main).expect("kept");
        assert_eq!(t.access.expose(), at);
        let claims = ex.header(TOKEN_CLAIMS).expect("noted");
        assert!(claims.contains("https://api.example/mcp"), "{claims}");
        assert!(!claims.contains("c2lnbmF0dXJl"), "no signature in the note");
    }
}
