//! The mock's authorization server against a real HTTP client on loopback: code + PKCE, single-use
//! codes, refresh rotation and replay revocation, client credentials, RFC 8707 audiences, DPoP
//! binding at the AS and the resource server, revocation, exact redirect URIs, and each AS fault
//! changing exactly its own behaviour.

use authspec::mock::{self, MockOptions, RunningMock};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// RFC 7636 Appendix B's verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "http://127.0.0.1/callback";

fn b64(v: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(v)
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn start(faults: &[&str], mcp: bool) -> RunningMock {
    let faults = faults
        .iter()
        .map(|f| mock::faults::find(f).expect("a known fault"))
        .collect();
    mock::start(
        ([127, 0, 0, 1], 0).into(),
        MockOptions {
            faults,
            mcp,
            ..MockOptions::default()
        },
    )
    .await
    .expect("mock starts")
}

/// A DPoP key and the proofs it signs (RFC 9449 §4.2).
struct DpopKey(SigningKey);

impl DpopKey {
    fn new() -> Self {
        let mut b = [0u8; 32];
        b[0] = 1;
        getrandom::fill(&mut b).expect("randomness");
        DpopKey(SigningKey::from_slice(&b).expect("a scalar in range"))
    }
    fn jwk(&self) -> Value {
        let p = self.0.verifying_key().to_sec1_bytes();
        json!({"crv": "P-256", "kty": "EC", "x": b64(&p[1..33]), "y": b64(&p[33..65])})
    }
    fn jkt(&self) -> String {
        b64(&Sha256::digest(self.jwk().to_string().as_bytes()))
    }
    fn proof(&self, htm: &str, htu: &str, token: Option<&str>) -> String {
        let mut jti = [0u8; 12];
        getrandom::fill(&mut jti).expect("randomness");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let mut claims = json!({"jti": b64(&jti), "htm": htm, "htu": htu, "iat": now});
        if let Some(t) = token {
            claims["ath"] = json!(b64(&Sha256::digest(t.as_bytes())));
        }
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk()});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig: Signature = self.0.sign(input.as_bytes());
        format!("{input}.{}", b64(&sig.to_bytes()))
    }
}

/// A client of the mock's AS.
struct Client {
    base: String,
    id: String,
    secret: Option<String>,
}

impl Client {
    async fn register(m: &RunningMock, method: &str) -> Client {
        let r: Value = http()
            .post(format!("{}/oauth/register", m.base_url()))
            .json(&json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": method}))
            .send()
            .await
            .expect("register")
            .json()
            .await
            .expect("json");
        Client {
            base: m.base_url(),
            id: r["client_id"].as_str().expect("client_id").to_string(),
            secret: r["client_secret"].as_str().map(str::to_string),
        }
    }

    /// The authorization request; the answer's status and Location.
    async fn authorize(&self, extra: &[(&str, &str)]) -> (u16, Option<String>) {
        let mut url = url::Url::parse(&format!("{}/oauth/authorize", self.base)).expect("url");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &self.id)
                .append_pair("state", "s-1");
            if !extra.iter().any(|(k, _)| *k == "redirect_uri") {
                q.append_pair("redirect_uri", REDIRECT);
            }
            if !extra.iter().any(|(k, _)| *k == "code_challenge") {
                q.append_pair("code_challenge", CHALLENGE)
                    .append_pair("code_challenge_method", "S256");
            }
            for (k, v) in extra {
                q.append_pair(k, v);
            }
        }
        let r = http().get(url).send().await.expect("authorize");
        let loc = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (r.status().as_u16(), loc)
    }

    /// A fresh code (the request approved and redirected to REDIRECT).
    async fn code(&self, extra: &[(&str, &str)]) -> String {
        let (status, loc) = self.authorize(extra).await;
        assert_eq!(status, 302, "authorization redirects");
        let loc = url::Url::parse(&loc.expect("a Location")).expect("a URL");
        assert!(loc.as_str().starts_with(REDIRECT));
        let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
        assert_eq!(q.get("state").map(String::as_str), Some("s-1"));
        assert_eq!(q.get("iss"), Some(&self.base));
        q.get("code").expect("a code").clone()
    }

    /// A token request with `form`; the status and JSON answer.
    async fn token(&self, form: &[(&str, &str)], dpop: Option<String>) -> (u16, Value) {
        let mut pairs: Vec<(&str, &str)> = form.to_vec();
        let mut req = http().post(format!("{}/oauth/token", self.base));
        match &self.secret {
            Some(s) => req = req.basic_auth(&self.id, Some(s)),
            None => pairs.push(("client_id", &self.id)),
        }
        if let Some(p) = dpop {
            req = req.header("dpop", p);
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let r = req
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("token request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn redeem(&self, code: &str, extra: &[(&str, &str)]) -> (u16, Value) {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ];
        form.extend_from_slice(extra);
        self.token(&form, None).await
    }

    async fn refresh(&self, rt: &str) -> (u16, Value) {
        self.token(
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
            None,
        )
        .await
    }

    fn token_endpoint(&self) -> String {
        format!("{}/oauth/token", self.base)
    }
}

/// The claims of a JWT.
fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("b64")).expect("json")
}

fn header_of(jwt: &str) -> Value {
    let part = jwt.split('.').next().expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("b64")).expect("json")
}

/// The REST API's answer to `auth` (an Authorization value) with an optional DPoP proof.
async fn search(m: &RunningMock, auth: &str, dpop: Option<String>) -> u16 {
    let mut req = http()
        .post(format!("{}/v1/jobs/search", m.base_url()))
        .header("authorization", auth)
        .json(&json!({"job_title_or": ["x"]}));
    if let Some(p) = dpop {
        req = req.header("dpop", p);
    }
    req.send().await.expect("search").status().as_u16()
}

fn search_url(m: &RunningMock) -> String {
    format!("{}/v1/jobs/search", m.base_url())
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_default()
}

#[tokio::test]
async fn code_with_pkce_gives_a_jwt_the_resource_server_accepts() {
    let m = start(&[], false).await;
    let c = Client::register(&m, "none").await;
    let code = c.code(&[]).await;
    let (status, t) = c.redeem(&code, &[]).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(s(&t, "token_type"), "Bearer");
    assert!(t["refresh_token"].is_string());
    let at = s(&t, "access_token");
    let h = header_of(at);
    assert_eq!(
        (h["typ"].as_str(), h["kid"].as_str()),
        (Some("at+jwt"), Some("mock-es256-1"))
    );
    let cl = claims(at);
    assert_eq!(cl["aud"], m.resource_url());
    assert_eq!(cl["iss"], m.base_url());
    assert_eq!(cl["client_id"], c.id.as_str());
    assert_eq!(cl["scope"], "jobs:read jobs:search");
    assert!(cl["exp"].as_u64() > cl["iat"].as_u64());
    assert_eq!(search(&m, &format!("Bearer {at}"), None).await, 200);
    // The token is not a key: another mock's RS (same signing key) has no record of it.
    let other = start(&[], false).await;
    assert_eq!(search(&other, &format!("Bearer {at}"), None).await, 401);
}

#[tokio::test]
async fn a_code_is_redeemed_once_and_only_with_its_verifier_and_redirect() {
    let m = start(&[], false).await;
    let c = Client::register(&m, "none").await;
    let code = c.code(&[]).await;
    let wrong = "x".repeat(43);
    let (status, t) = c.redeem(&code, &[("code_verifier", &wrong)]).await;
    // A repeated code_verifier is a repeated parameter: refused before anything else.
    assert_eq!((status, s(&t, "error")), (400, "invalid_request"));
    let form = |code: &'static str, verifier: Option<&'static str>| {
        let mut f = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ];
        if let Some(v) = verifier {
            f.push(("code_verifier", v));
        }
        f
    };
    let code: &'static str = Box::leak(code.into_boxed_str());
    let wrong: &'static str = Box::leak(wrong.into_boxed_str());
    for verifier in [None, Some(wrong)] {
        let fresh: &'static str = Box::leak(c.code(&[]).await.into_boxed_str());
        let (status, t) = c.token(&form(fresh, verifier), None).await;
        assert_eq!(
            (status, s(&t, "error")),
            (400, "invalid_grant"),
            "{verifier:?}"
        );
    }
    let (status, _) = c.token(&form(code, Some(VERIFIER)), None).await;
    assert_eq!(status, 200);
    let (status, t) = c.token(&form(code, Some(VERIFIER)), None).await;
    assert_eq!(
        (status, s(&t, "error")),
        (400, "invalid_grant"),
        "reused code"
    );
    let fresh = c.code(&[]).await;
    let (status, t) = c
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &fresh),
                ("redirect_uri", "http://127.0.0.1/other"),
                ("code_verifier", VERIFIER),
            ],
            None,
        )
        .await;
    assert_eq!((status, s(&t, "error")), (400, "invalid_grant"), "redirect");
    // Another client cannot redeem this one's code.
    let thief = Client::register(&m, "none").await;
    let fresh = c.code(&[]).await;
    assert_eq!(thief.redeem(&fresh, &[]).await.0, 400);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_revokes_the_grant() {
    let m = start(&[], false).await;
    let c = Client::register(&m, "none").await;
    let (_, t) = c.redeem(&c.code(&[]).await, &[]).await;
    let rt1 = s(&t, "refresh_token").to_string();
    let (status, t2) = c.refresh(&rt1).await;
    assert_eq!(status, 200, "{t2}");
    let rt2 = s(&t2, "refresh_token").to_string();
    assert_ne!(rt1, rt2, "rotated");
    assert_eq!(
        search(&m, &format!("Bearer {}", s(&t2, "access_token")), None).await,
        200
    );
    let (status, t) = c.refresh(&rt1).await;
    assert_eq!((status, s(&t, "error")), (400, "invalid_grant"), "old one");
    // The replay revoked the grant: the legitimate client's current token is gone too.
    let (status, t) = c.refresh(&rt2).await;
    assert_eq!((status, s(&t, "error")), (400, "invalid_grant"), "family");
}

#[tokio::test]
async fn scope_narrows_and_never_widens() {
    let m = start(&[], false).await;
    let c = Client::register(&m, "none").await;
    let code = c.code(&[("scope", "jobs:read")]).await;
    let (_, t) = c.redeem(&code, &[]).await;
    assert_eq!(s(&t, "scope"), "jobs:read");
    let at = s(&t, "access_token");
    // The search needs jobs:search: 403 insufficient_scope (RFC 6750 §3.1).
    assert_eq!(search(&m, &format!("Bearer {at}"), None).await, 403);
    let rt = s(&t, "refresh_token");
    let (status, t) = c
        .token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt),
                ("scope", "jobs:search"),
            ],
            None,
        )
        .await;
    assert_eq!((status, s(&t, "error")), (400, "invalid_scope"));
}

#[tokio::test]
async fn a_reduced_scope_token_gets_403_insufficient_scope_on_mcp_tools() {
    let m = start(&[], true).await;
    let c = Client::register(&m, "none").await;
    let resource = m.resource_url().to_string();
    let call = |at: String, method: &'static str| {
        let url = resource.clone();
        async move {
            http()
                .post(url)
                .header("authorization", format!("Bearer {at}"))
                .header("mcp-protocol-version", "2026-07-28")
                .header("mcp-method", method)
                .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method}))
                .send()
                .await
                .expect("mcp")
        }
    };
    let (_, full) = c
        .redeem(&c.code(&[("resource", &resource)]).await, &[])
        .await;
    assert_eq!(claims(s(&full, "access_token"))["aud"], resource.as_str());
    let r = call(s(&full, "access_token").to_string(), "tools/list").await;
    assert_eq!(r.status(), 200);
    let (_, low) = c
        .redeem(&c.code(&[("scope", "mcp:resources")]).await, &[])
        .await;
    let r = call(s(&low, "access_token").to_string(), "tools/list").await;
    assert_eq!(r.status(), 403);
    let challenge = r.headers()["www-authenticate"].to_str().expect("ascii");
    assert!(challenge.contains("insufficient_scope"), "{challenge}");
    let r = call(s(&low, "access_token").to_string(), "server/discover").await;
    assert_eq!(r.status(), 200, "methods that need no scope answer");
}

#[tokio::test]
async fn a_token_for_the_other_resource_is_refused_and_unknown_resources_are_invalid_target() {
    let m = start(&[], false).await;
    let c = Client::register(&m, "none").await;
    let other = format!("{}/other-api", m.base_url());
    let code = c.code(&[]).await;
    let (status, t) = c.redeem(&code, &[("resource", &other)]).await;
    assert_eq!(status, 200, "{t}");
    let at = s(&t, "access_token");
    assert_eq!(claims(at)["aud"], other.as_str());
    assert_eq!(search(&m, &format!("Bearer {at}"), None).await, 401);
    let code = c.code(&[]).await;
    let (status, t) = c
        .redeem(&code, &[("resource", "https://elsewhere.example/")])
        .await;
    assert_eq!((status, s(&t, "error")), (400, "invalid_target"));
    // A code for one resource gives no token for the other (RFC 8707 §2.2).
    let code = c.code(&[("resource", &other)]).await;
    let own = m.resource_url().to_string();
    let (status, t) = c.redeem(&code, &[("resource", &own)]).await;
    assert_eq!((status, s(&t, "error")), (400, "invalid_target"));
    // The other resource is named in the AS metadata.
    let asm: Value = http()
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            m.base_url()
        ))
        .send()
        .await
        .expect("asm")
        .json()
        .await
        .expect("json");
    assert!(
        asm["protected_resources"]
            .as_array()
            .is_some_and(|a| a.contains(&json!(other)))
    );
}

#[tokio::test]
async fn client_credentials_need_a_confidential_client() {
    let m = start(&[], false).await;
    let conf = Client::register(&m, "client_secret_basic").await;
    assert!(conf.secret.is_some());
    let (status, t) = conf
        .token(&[("grant_type", "client_credentials")], None)
        .await;
    assert_eq!(status, 200, "{t}");
    assert!(t.get("refresh_token").is_none());
    assert_eq!(claims(s(&t, "access_token"))["sub"], conf.id.as_str());
    assert_eq!(
        search(&m, &format!("Bearer {}", s(&t, "access_token")), None).await,
        200
    );
    let public = Client::register(&m, "none").await;
    let (status, t) = public
        .token(&[("grant_type", "client_credentials")], None)
        .await;
    assert_eq!((status, s(&t, "error")), (400, "unauthorized_client"));
    let wrong = Client {
        secret: Some("nope".into()),
        ..conf
    };
    let (status, t) = wrong
        .token(&[("grant_type", "client_credentials")], None)
        .await;
    assert_eq!((status, s(&t, "error")), (401, "invalid_client"));
}

#[tokio::test]
async fn dpop_bound_tokens_need_a_proof_from_their_key_for_the_request() {
    let m = start(&[], false).await;
    let c = Client::register(&m, "none").await;
    let key = DpopKey::new();
    let code = c.code(&[]).await;
    let proof = key.proof("POST", &c.token_endpoint(), None);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let (status, t) = c.token(&form, Some(proof)).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(s(&t, "token_type"), "DPoP");
    let at = s(&t, "access_token").to_string();
    assert_eq!(claims(&at)["cnf"]["jkt"], key.jkt().as_str());
    let url = search_url(&m);
    let good = || key.proof("POST", &url, Some(&at));
    assert_eq!(search(&m, &format!("DPoP {at}"), Some(good())).await, 200);
    assert_eq!(
        search(&m, &format!("Bearer {at}"), None).await,
        401,
        "as Bearer"
    );
    assert_eq!(search(&m, &format!("Bearer {at}"), Some(good())).await, 401);
    assert_eq!(
        search(&m, &format!("DPoP {at}"), None).await,
        401,
        "no proof"
    );
    let other = DpopKey::new();
    let stolen = other.proof("POST", &url, Some(&at));
    assert_eq!(
        search(&m, &format!("DPoP {at}"), Some(stolen)).await,
        401,
        "other key"
    );
    let get = key.proof("GET", &url, Some(&at));
    assert_eq!(
        search(&m, &format!("DPoP {at}"), Some(get)).await,
        401,
        "htm"
    );
    let elsewhere = key.proof("POST", &format!("{}/v1/usage", m.base_url()), Some(&at));
    assert_eq!(
        search(&m, &format!("DPoP {at}"), Some(elsewhere)).await,
        401,
        "htu"
    );
    let replay = good();
    assert_eq!(
        search(&m, &format!("DPoP {at}"), Some(replay.clone())).await,
        200
    );
    assert_eq!(
        search(&m, &format!("DPoP {at}"), Some(replay)).await,
        401,
        "jti replay"
    );
    // The public client's refresh token is bound to the key too (RFC 9449 §5).
    let rt = s(&t, "refresh_token");
    let (status, _) = c.refresh(rt).await;
    assert_eq!(status, 400, "refresh without the key's proof");
    let proof = key.proof("POST", &c.token_endpoint(), None);
    let (status, t) = c
        .token(
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
            Some(proof),
        )
        .await;
    assert_eq!((status, s(&t, "token_type")), (200, "DPoP"), "{t}");
    // A proof for another URL is refused at the token endpoint.
    let code = c.code(&[]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let (status, t) = c.token(&form, Some(key.proof("POST", &url, None))).await;
    assert_eq!((status, s(&t, "error")), (400, "invalid_dpop_proof"));
}

#[tokio::test]
async fn revocation_stops_access_and_refresh_tokens() {
    let m = start(&[], false).await;
    let c = Client::register(&m, "none").await;
    let (_, t) = c.redeem(&c.code(&[]).await, &[]).await;
    let at = s(&t, "access_token").to_string();
    let revoke = |token: String| {
        let url = format!("{}/oauth/revoke", m.base_url());
        let id = c.id.clone();
        async move {
            http()
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(
                    url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs([("token", token.as_str()), ("client_id", id.as_str())])
                        .finish(),
                )
                .send()
                .await
                .expect("revoke")
                .status()
                .as_u16()
        }
    };
    assert_eq!(revoke(at.clone()).await, 200);
    assert_eq!(search(&m, &format!("Bearer {at}"), None).await, 401);
    let (_, t) = c.redeem(&c.code(&[]).await, &[]).await;
    let at = s(&t, "access_token").to_string();
    assert_eq!(revoke(s(&t, "refresh_token").to_string()).await, 200);
    assert_eq!(c.refresh(s(&t, "refresh_token")).await.0, 400);
    // RFC 7009 §2.1: revoking the refresh token takes the grant's access tokens with it.
    assert_eq!(search(&m, &format!("Bearer {at}"), None).await, 401);
    assert_eq!(revoke("never-issued".into()).await, 200, "RFC 7009 §2.2");
}

#[tokio::test]
async fn redirect_uris_match_exactly_but_a_loopback_port_may_change() {
    let m = start(&[], false).await;
    let c = Client::register(&m, "none").await;
    for bad in [
        "http://127.0.0.1/callback/extra",
        "http://127.0.0.1/callback?x=1",
        "http://evil.example/callback",
        "http://127.0.0.1.evil.example/callback",
        "http://localhost/callback",
    ] {
        let (status, loc) = c.authorize(&[("redirect_uri", bad)]).await;
        assert_eq!((status, loc), (400, None), "{bad}");
    }
    let (status, loc) = c
        .authorize(&[("redirect_uri", "http://127.0.0.1:53412/callback")])
        .await;
    assert_eq!(status, 302, "RFC 8252 §7.3");
    assert!(loc.is_some_and(|l| l.starts_with("http://127.0.0.1:53412/callback?")));
    // A public client without PKCE is refused at the redirect URI (OAuth 2.1 §7.5.1).
    let (status, loc) = c.authorize(&[("code_challenge", "")]).await;
    assert_eq!(status, 302);
    assert!(loc.is_some_and(|l| l.contains("error=invalid_request")));
}

/// What the AS and its resource server enforce, one rule a field: `true` where the rule holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Rules {
    valid_accepted: bool,
    pkce_enforced: bool,
    code_once: bool,
    redirect_exact: bool,
    refresh_rotated: bool,
    aud_is_resource: bool,
    dpop_token_type: bool,
    other_audience_refused: bool,
    dpop_bearer_refused: bool,
    dpop_key_checked: bool,
    dpop_htm_htu_checked: bool,
    dcr_redirect_secure: bool,
    pkce_at_authorize: bool,
    token_no_store: bool,
    code_client_bound: bool,
}

/// The status of a registration asking for `redirect`.
async fn register_status(m: &RunningMock, redirect: &str) -> u16 {
    http()
        .post(format!("{}/oauth/register", m.base_url()))
        .json(&json!({"redirect_uris": [redirect], "token_endpoint_auth_method": "none"}))
        .send()
        .await
        .expect("register")
        .status()
        .as_u16()
}

/// The `Cache-Control` of the answer to `c`'s proper redemption of a fresh code.
async fn token_cache_control(c: &Client) -> Option<String> {
    let code = c.code(&[]).await;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", c.id.as_str()),
        ])
        .finish();
    let r = http()
        .post(c.token_endpoint())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("token request");
    assert_eq!(r.status().as_u16(), 200);
    r.headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// An MCP `tools/list` at the mock with `auth` and an optional proof; the status.
async fn tools_list(m: &RunningMock, auth: &str, dpop: Option<String>) -> u16 {
    let mut req = http()
        .post(m.resource_url())
        .header("authorization", auth)
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/list")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}));
    if let Some(p) = dpop {
        req = req.header("dpop", p);
    }
    req.send().await.expect("mcp").status().as_u16()
}

/// Observes every rule at the MCP mock `m`, each on fresh codes and tokens.
async fn observe(m: &RunningMock) -> Rules {
    let c = Client::register(m, "none").await;
    let mut o = Rules::default();
    let no_verifier = c
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &c.code(&[]).await),
                ("redirect_uri", REDIRECT),
            ],
            None,
        )
        .await
        .0;
    let wrong = "w".repeat(43);
    let wrong_verifier = c
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &c.code(&[]).await),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &wrong),
            ],
            None,
        )
        .await
        .0;
    o.pkce_enforced = no_verifier == 400 && wrong_verifier == 400;
    let code = c.code(&[]).await;
    let (status, t) = c.redeem(&code, &[]).await;
    assert_eq!(status, 200, "{t}");
    o.code_once = c.redeem(&code, &[]).await.0 == 400;
    let at = s(&t, "access_token").to_string();
    o.aud_is_resource = claims(&at)["aud"] == m.resource_url();
    o.valid_accepted = tools_list(m, &format!("Bearer {at}"), None).await == 200;
    let mut exact = true;
    for bad in [
        "http://127.0.0.1/callback/extra",
        "http://127.0.0.1/callback?x=1",
        "http://127.0.0.1.evil.example/callback",
    ] {
        exact &= c.authorize(&[("redirect_uri", bad)]).await == (400, None);
    }
    o.redirect_exact = exact;
    let rt = s(&t, "refresh_token").to_string();
    let (status, t2) = c.refresh(&rt).await;
    assert_eq!(status, 200, "{t2}");
    o.refresh_rotated = s(&t2, "refresh_token") != rt && c.refresh(&rt).await.0 == 400;
    let other = format!("{}/other-api", m.base_url());
    let (_, t) = c.redeem(&c.code(&[]).await, &[("resource", &other)]).await;
    o.other_audience_refused =
        tools_list(m, &format!("Bearer {}", s(&t, "access_token")), None).await == 401;
    let key = DpopKey::new();
    let proof = key.proof("POST", &c.token_endpoint(), None);
    let code = c.code(&[]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let (status, t) = c.token(&form, Some(proof)).await;
    assert_eq!(status, 200, "{t}");
    o.dpop_token_type = s(&t, "token_type") == "DPoP";
    let at = s(&t, "access_token").to_string();
    let url = m.resource_url().to_string();
    let dpop = format!("DPoP {at}");
    assert_eq!(
        tools_list(m, &dpop, Some(key.proof("POST", &url, Some(&at)))).await,
        200,
        "the bound token with its proof"
    );
    o.dpop_bearer_refused = tools_list(m, &format!("Bearer {at}"), None).await == 401;
    let stranger = DpopKey::new().proof("POST", &url, Some(&at));
    o.dpop_key_checked = tools_list(m, &dpop, Some(stranger)).await == 401;
    let elsewhere = key.proof("POST", &format!("{}/v1/usage", m.base_url()), Some(&at));
    let get = key.proof("GET", &url, Some(&at));
    o.dpop_htm_htu_checked = tools_list(m, &dpop, Some(elsewhere)).await == 401
        && tools_list(m, &dpop, Some(get)).await == 401;
    // MCP §Communication Security: "All redirect URIs MUST be either `localhost` or use HTTPS".
    o.dcr_redirect_secure = register_status(m, "http://evil.example/callback").await == 400
        && register_status(m, "https://app.example/callback").await == 201
        && register_status(m, "http://localhost:3000/callback").await == 201;
    // OAuth 2.1 -13 §4.1.2.1: no code for a public client's request without code_challenge.
    let (status, loc) = c.authorize(&[("code_challenge", "")]).await;
    o.pkce_at_authorize = status == 302 && loc.is_some_and(|l| l.contains("error=invalid_request"));
    o.token_no_store = token_cache_control(&c)
        .await
        .is_some_and(|v| v.contains("no-store"));
    let thief = Client::register(m, "none").await;
    o.code_client_bound = thief.redeem(&c.code(&[]).await, &[]).await.0 == 400;
    o
}

const ALL_HOLD: Rules = Rules {
    valid_accepted: true,
    pkce_enforced: true,
    code_once: true,
    redirect_exact: true,
    refresh_rotated: true,
    aud_is_resource: true,
    dpop_token_type: true,
    other_audience_refused: true,
    dpop_bearer_refused: true,
    dpop_key_checked: true,
    dpop_htm_htu_checked: true,
    dcr_redirect_secure: true,
    pkce_at_authorize: true,
    token_no_store: true,
    code_client_bound: true,
};

#[tokio::test]
async fn the_healthy_mock_holds_every_rule() {
    let m = start(&[], true).await;
    assert_eq!(observe(&m).await, ALL_HOLD);
}

/// How a fault changes [`ALL_HOLD`].
type Breaks = fn(&mut Rules);

#[tokio::test]
async fn each_as_fault_breaks_exactly_its_rule() {
    let cases: [(&str, Breaks); 15] = [
        ("mcp-token-rejected", |r| r.valid_accepted = false),
        ("mcp-as-pkce-ignored", |r| r.pkce_enforced = false),
        ("mcp-as-code-reusable", |r| r.code_once = false),
        ("mcp-as-redirect-prefix", |r| r.redirect_exact = false),
        ("mcp-as-refresh-not-rotated", |r| r.refresh_rotated = false),
        ("mcp-as-aud-issuer", |r| r.aud_is_resource = false),
        ("mcp-as-dpop-token-type-bearer", |r| {
            r.dpop_token_type = false
        }),
        ("mcp-rs-audience-unchecked", |r| {
            r.other_audience_refused = false
        }),
        ("mcp-rs-dpop-as-bearer", |r| r.dpop_bearer_refused = false),
        ("mcp-rs-dpop-any-key", |r| r.dpop_key_checked = false),
        ("mcp-rs-dpop-htu-unchecked", |r| {
            r.dpop_htm_htu_checked = false
        }),
        ("mcp-as-dcr-any-redirect", |r| r.dcr_redirect_secure = false),
        ("mcp-as-pkce-optional", |r| r.pkce_at_authorize = false),
        ("mcp-as-token-cacheable", |r| r.token_no_store = false),
        ("mcp-as-code-any-client", |r| r.code_client_bound = false),
    ];
    for (fault, broken) in cases {
        let m = start(&[fault], true).await;
        let mut expected = ALL_HOLD;
        broken(&mut expected);
        if fault == "mcp-token-rejected" {
            // Refusing every token refuses the bound one with its proof as well: observe asserts
            // that one, so this fault is judged by the valid token alone.
            let c = Client::register(&m, "none").await;
            let (_, t) = c.redeem(&c.code(&[]).await, &[]).await;
            let at = s(&t, "access_token");
            assert_eq!(tools_list(&m, &format!("Bearer {at}"), None).await, 401);
            continue;
        }
        assert_eq!(observe(&m).await, expected, "under {fault}");
    }
    let named: Vec<&str> = cases.iter().map(|(f, _)| *f).collect();
    for f in authspec::mock::AS_FAULTS {
        assert!(named.contains(&f.name), "{} has no case here", f.name);
    }
}

#[tokio::test]
async fn the_low_scope_faults_apply_to_reduced_scope_tokens_too() {
    for (fault, expected) in [
        ("mcp-scope-unchecked", 200),
        ("mcp-insufficient-scope-401", 401),
        ("mcp-403-no-scope", 403),
    ] {
        let m = start(&[fault], true).await;
        let c = Client::register(&m, "none").await;
        let (_, low) = c
            .redeem(&c.code(&[("scope", "mcp:resources")]).await, &[])
            .await;
        let at = s(&low, "access_token");
        assert_eq!(
            tools_list(&m, &format!("Bearer {at}"), None).await,
            expected,
            "{fault}"
        );
    }
}
