//! The client ID metadata documents authspec serves for the CIMD probe, and who fetched them.
//!
//! draft-ietf-oauth-client-id-metadata-document: a client's `client_id` is the https URL of a JSON
//! document naming that client. To see whether an authorization server validates such documents,
//! authspec serves two that are wrong on purpose and sends authorization requests naming them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;
use url::Url;

/// Where under the served base the documents live.
pub const PREFIX: &str = "authspec-cimd";

/// A client ID metadata document that must be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrong {
    /// The document's `client_id` is another URL than the one it is served at.
    ClientId,
    /// The document lists other `redirect_uris` than the one the request uses.
    RedirectUri,
}

impl Wrong {
    pub const ALL: [Wrong; 2] = [Wrong::ClientId, Wrong::RedirectUri];

    pub fn slug(self) -> &'static str {
        match self {
            Wrong::ClientId => "client-id-mismatch",
            Wrong::RedirectUri => "redirect-uri-mismatch",
        }
    }

    pub fn from_slug(s: &str) -> Option<Wrong> {
        Wrong::ALL.into_iter().find(|w| w.slug() == s)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Wrong::ClientId => "a client ID metadata document whose client_id names another URL",
            Wrong::RedirectUri => {
                "a client ID metadata document that does not list the requested redirect_uri"
            }
        }
    }
}

/// The `client_id` URL of the document for `wrong`.
pub fn client_id(base: &Url, wrong: Wrong) -> Url {
    join(base, &format!("{PREFIX}/{}.json", wrong.slug()))
}

/// The `client_id` URL of the one document that is right: authspec's OAuth client, where the
/// authorization server supports client ID metadata documents and offers no registration.
pub fn client_document(base: &Url) -> Url {
    join(base, &format!("{PREFIX}/{CLIENT}"))
}

/// The file of that document.
const CLIENT: &str = "client.json";

/// The document authspec's OAuth client is known by (its `client_id` is its own URL).
fn client_metadata(base: &Url) -> serde_json::Value {
    json!({
        "client_id": client_document(base).as_str(),
        "client_name": "authspec conformance client (issue 19)",
        "redirect_uris": [super::oauth::REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    })
}

/// The `redirect_uri` the probe's authorization requests use.
pub fn redirect_uri(base: &Url) -> Url {
    join(base, &format!("{PREFIX}/callback"))
}

fn join(base: &Url, path: &str) -> Url {
    let mut b = base.clone();
    if !b.path().ends_with('/') {
        b.set_path(&format!("{}/", b.path()));
    }
    b.join(path).unwrap_or_else(|_| base.clone())
}

/// The document served for `wrong`.
fn document(base: &Url, wrong: Wrong) -> serde_json::Value {
    let (id, redirects) = match wrong {
        Wrong::ClientId => (
            join(base, &format!("{PREFIX}/another-client.json")),
            redirect_uri(base),
        ),
        Wrong::RedirectUri => (
            client_id(base, wrong),
            join(base, &format!("{PREFIX}/another-callback")),
        ),
    };
    json!({
        "client_id": id.as_str(),
        "client_name": "authspec conformance probe (must be refused)",
        "redirect_uris": [redirects.as_str()],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    })
}

struct Served {
    base: Url,
    fetched: Mutex<Vec<String>>,
}

/// The running document server: its base URL and the documents fetched so far.
pub struct Server {
    pub base: Url,
    state: Arc<Served>,
    stop: Option<oneshot::Sender<()>>,
}

impl Server {
    /// Binds `listen` and serves under `base` (default `http://<bound address>/`).
    pub async fn start(listen: SocketAddr, base: Option<Url>) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let base = base
            .or_else(|| Url::parse(&format!("http://{addr}/")).ok())
            .ok_or_else(|| std::io::Error::other("no base URL"))?;
        let state = Arc::new(Served {
            base: base.clone(),
            fetched: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route(&format!("/{PREFIX}/{{file}}"), get(serve))
            .with_state(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Server {
            base,
            state,
            stop: Some(tx),
        })
    }

    /// Whether the document for `wrong` has been fetched.
    pub fn fetched(&self, wrong: Wrong) -> bool {
        self.state
            .fetched
            .lock()
            .is_ok_and(|f| f.iter().any(|s| s == wrong.slug()))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

async fn serve(State(s): State<Arc<Served>>, Path(file): Path<String>) -> Response {
    if file == CLIENT {
        return (
            [(header::CONTENT_TYPE, "application/json")],
            client_metadata(&s.base).to_string(),
        )
            .into_response();
    }
    let Some(wrong) = file.strip_suffix(".json").and_then(Wrong::from_slug) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Ok(mut f) = s.fetched.lock() {
        f.push(wrong.slug().to_string());
    }
    (
        [(header::CONTENT_TYPE, "application/json")],
        document(&s.base, wrong).to_string(),
    )
        .into_response()
}
