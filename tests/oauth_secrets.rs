//! Nothing authspec's OAuth client is issued ever reaches an output (HARNESS-SECRETS, issue 19):
//! a malicious authorization server mints a fresh client secret, code, access and refresh token
//! for every request, echoes every credential it was sent (and pieces of them) in bodies,
//! headers and error descriptions, and its resource echoes the Authorization and DPoP headers.
//! The run's every report format, its capture and its stdout/stderr hold none of them, not even
//! a 10-character piece.

mod common;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

#[derive(Default)]
struct Minted {
    /// Every credential the AS issued, and every one it was sent.
    all: Mutex<Vec<String>>,
    n: AtomicUsize,
    /// Requests to the resource that carried a minted token.
    used: AtomicUsize,
}

impl Minted {
    fn fresh(&self, prefix: &str) -> String {
        let n = self.n.fetch_add(1, Ordering::SeqCst);
        let v = format!("{prefix}{n:04}Zq8Wm3Kx7Pv2Ly9Tn5Rb");
        self.keep(&v);
        v
    }
    /// The credentials a token or revocation request carried.
    fn keep_sent(&self, body: &[u8]) {
        for (k, v) in url::form_urlencoded::parse(body) {
            let secret = [
                "code",
                "code_verifier",
                "refresh_token",
                "token",
                "client_secret",
            ];
            if secret.contains(&k.as_ref()) {
                self.keep(&v);
            }
        }
    }
    fn keep(&self, v: &str) {
        if v.len() >= 10 {
            self.all.lock().expect("lock").push(v.to_string());
        }
    }
}

fn echo(status: StatusCode, mut body: serde_json::Value, sent: &str) -> axum::response::Response {
    if let Some(o) = body.as_object_mut() {
        o.insert(
            "error_description".into(),
            format!("you sent {sent}").into(),
        );
        o.insert("echo".into(), sent.into());
    }
    let mut r = (status, axum::Json(body)).into_response();
    if let Ok(v) = format!("echo {}", sent.replace(['\r', '\n'], " ")).parse() {
        r.headers_mut().insert("x-echo", v);
    }
    r
}

fn header_text(h: &HeaderMap, name: header::HeaderName) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn malicious(m: Arc<Minted>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let me = format!("http://{}", l.local_addr().expect("addr"));
    let prm = serde_json::json!({
        "resource": format!("{me}/mcp"),
        "authorization_servers": [me],
        "scopes_supported": ["mcp:tools", "mcp:resources"],
    });
    let asm = serde_json::json!({
        "issuer": me,
        "authorization_endpoint": format!("{me}/authorize"),
        "token_endpoint": format!("{me}/token"),
        "registration_endpoint": format!("{me}/register"),
        "revocation_endpoint": format!("{me}/revoke"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "dpop_signing_alg_values_supported": ["ES256"],
        "protected_resources": [format!("{me}/mcp"), format!("{me}/other")],
    });
    let doc = |d: serde_json::Value| move || async move { axum::Json(d.clone()) };
    let register = |State(m): State<Arc<Minted>>, body: Bytes| async move {
        let sent = String::from_utf8_lossy(&body).into_owned();
        let secret = m.fresh("cs_");
        let reg = m.fresh("rat_");
        echo(
            StatusCode::CREATED,
            serde_json::json!({"client_id": "hostile-client", "client_secret": secret,
                "registration_access_token": reg, "token_endpoint_auth_method": "client_secret_post"}),
            &format!("{sent} {}", &secret[..12]),
        )
    };
    let authorize = |State(m): State<Arc<Minted>>, RawQuery(q): RawQuery| async move {
        let q = q.unwrap_or_default();
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let (Some(redirect), Some(state)) = (get("redirect_uri"), get("state")) else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        let code = m.fresh("code_");
        let mut r = echo(StatusCode::FOUND, serde_json::json!({}), &q);
        let to = format!("{redirect}?code={code}&state={state}&echo={}", &code[..11]);
        if let Ok(v) = to.parse() {
            r.headers_mut().insert(header::LOCATION, v);
        }
        r
    };
    let token = |State(m): State<Arc<Minted>>, h: HeaderMap, body: Bytes| async move {
        let sent = String::from_utf8_lossy(&body).into_owned();
        m.keep_sent(&body);
        let resource = url::form_urlencoded::parse(&body)
            .find(|(k, _)| k == "resource")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let claims = serde_json::json!({"aud": resource, "scope": "mcp:tools"}).to_string();
        let sig = m.fresh("SiGnAtUrE_");
        let access = format!(
            "eyJhbGciOiJFUzI1NiJ9.{}.{sig}",
            URL_SAFE_NO_PAD.encode(claims)
        );
        m.keep(&access);
        let refresh = m.fresh("rt_");
        let dpop = !header_text(&h, header::HeaderName::from_static("dpop")).is_empty();
        echo(
            StatusCode::OK,
            serde_json::json!({"access_token": access, "refresh_token": refresh,
                "token_type": if dpop { "DPoP" } else { "Bearer" }, "id_token": m.fresh("idt_")}),
            &format!(
                "{sent} {} {}",
                header_text(&h, header::AUTHORIZATION),
                &refresh[..12]
            ),
        )
    };
    let revoke = |State(m): State<Arc<Minted>>, body: Bytes| async move {
        m.keep_sent(&body);
        echo(
            StatusCode::OK,
            serde_json::json!({}),
            &String::from_utf8_lossy(&body),
        )
    };
    let base = me.clone();
    let mcp = move |State(m): State<Arc<Minted>>, h: HeaderMap| {
        let base = base.clone();
        async move {
            let auth = header_text(&h, header::AUTHORIZATION);
            let proof = header_text(&h, header::HeaderName::from_static("dpop"));
            if auth.contains("eyJhbGciOiJFUzI1NiJ9") {
                m.used.fetch_add(1, Ordering::SeqCst);
                let body = serde_json::json!({"jsonrpc": "2.0", "id": 1,
                    "result": {"you": auth, "proof": proof}});
                return echo(StatusCode::OK, body, &auth);
            }
            let mut r = echo(StatusCode::UNAUTHORIZED, serde_json::json!({}), &auth);
            let c = format!(
                "Bearer scope=\"mcp:tools\", resource_metadata=\"{base}/.well-known/oauth-protected-resource/mcp\""
            );
            if let Ok(v) = c.parse() {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            r
        }
    };
    let app = Router::new()
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(doc(prm.clone())),
        )
        .route("/.well-known/oauth-protected-resource", get(doc(prm)))
        .route("/.well-known/oauth-authorization-server", get(doc(asm)))
        .route("/register", post(register))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/revoke", post(revoke))
        .route("/mcp", post(mcp))
        .with_state(m);
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    me
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_the_oauth_client_is_issued_reaches_any_output() {
    let minted = Arc::new(Minted::default());
    let target = format!("{}/mcp", malicious(minted.clone()).await);
    let dir = tempfile::tempdir().expect("tempdir");
    let args: Vec<String> = [
        "check",
        &target,
        "--profile",
        "mcp",
        "--allow-side-effects",
        "--verbose",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let outputs = common::run_with_every_output(args, dir.path()).await;
    // The flow really ran: tokens were minted and used at the resource.
    let all = minted.all.lock().expect("lock").clone();
    assert!(
        all.iter().any(|s| s.starts_with("eyJ")),
        "no token was minted"
    );
    assert!(
        minted.used.load(Ordering::SeqCst) > 0,
        "no minted token was used"
    );
    let stdout = &outputs[0].1;
    assert!(
        stdout.contains("token minted"),
        "side effects listed: {stdout}"
    );
    for (name, text) in &outputs {
        for secret in &all {
            common::assert_no_piece(name, text, secret);
        }
    }
}
