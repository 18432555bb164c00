//! The harness as a guest on someone else's server: key scope, budget, body cap and timeout.

use authspec::capture::{CaptureOptions, capture};
use authspec::report::Verdict;
use authspec::run::{self, CheckConfig};
use authspec::select::Selection;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use url::Url;

type Seen = Arc<Mutex<Vec<Option<String>>>>;

async fn serve(app: Router) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    format!("http://{addr}")
}

async fn record(State(seen): State<Seen>, h: HeaderMap) -> &'static str {
    let auth = h
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    seen.lock().expect("lock").push(auth);
    "{}"
}

const KEY: &str = "jp_live_keyscopekeyscopekeyscope";

#[tokio::test]
async fn the_key_does_not_follow_a_redirect_to_another_origin() {
    let other_seen: Seen = Arc::default();
    let other = serve(
        Router::new()
            .route("/v1/data", get(record))
            .with_state(other_seen.clone()),
    )
    .await;
    let target_seen: Seen = Arc::default();
    let to = format!("{other}/v1/data");
    let target = serve(
        Router::new()
            .route(
                "/v1/data",
                get(move |s: State<Seen>, h: HeaderMap| async move {
                    record(s, h).await;
                    Redirect::temporary(&to)
                }),
            )
            .with_state(target_seen.clone()),
    )
    .await;
    let opts = CaptureOptions {
        api_key: Some(KEY.into()),
        endpoints: vec!["GET /v1/data".parse().expect("endpoint")],
        ..CaptureOptions::default()
    };
    let cap = capture(&Url::parse(&target).expect("url"), &opts)
        .await
        .expect("capture");
    let at_target = target_seen.lock().expect("lock").clone();
    let at_other = other_seen.lock().expect("lock").clone();
    assert!(
        at_target
            .iter()
            .any(|a| a.as_deref() == Some(&format!("Bearer {KEY}"))),
        "the key went to the target: {at_target:?}"
    );
    assert!(!at_other.is_empty(), "the redirect was followed");
    assert!(
        at_other.iter().all(Option::is_none),
        "the key crossed origins: {at_other:?}"
    );
    let recorded = serde_json::to_string(&cap.exchanges).expect("exchanges serialize");
    assert!(
        !recorded.contains(KEY),
        "the recorded exchanges hold the key in clear"
    );
    assert!(
        recorded.contains(&authspec::redact::redact(KEY)),
        "the key is shown as its fingerprint"
    );
    assert!(
        !recorded.contains("jp_live_keys") && !recorded.contains("…cope"),
        "no prefix or tail of the key is shown"
    );
    let keyed: Vec<_> = cap
        .exchanges
        .iter()
        .filter(|e| e.credential == "key")
        .collect();
    assert!(
        keyed
            .iter()
            .all(|e| e.redirects.is_empty() && e.status == Some(307)),
        "a keyed request records the 307 as the answer and follows nothing"
    );
}

#[tokio::test]
async fn the_request_budget_is_never_exceeded() {
    let seen: Seen = Arc::default();
    let target = serve(Router::new().fallback(get(record)).with_state(seen.clone())).await;
    let opts = CaptureOptions {
        max_requests: 2,
        ..CaptureOptions::default()
    };
    let cap = capture(&Url::parse(&format!("{target}/api")).expect("url"), &opts)
        .await
        .expect("capture");
    assert_eq!(cap.requests, 2);
    assert_eq!(
        seen.lock().expect("lock").len(),
        2,
        "the server saw exactly the budget"
    );
    assert!(
        cap.exchanges
            .iter()
            .any(|e| e.error.as_deref().is_some_and(|m| m.contains("budget")))
    );
}

/// Checks `target`, judging only the PRM rows these tests are about.
async fn check(target: String, opts: CaptureOptions) -> authspec::report::Report {
    let cfg = CheckConfig {
        target,
        capture: opts,
        selection: Selection {
            only: vec!["prm".into()],
            skip: Vec::new(),
        },
        strict: false,
    };
    run::check(&cfg).await.expect("check runs")
}

#[tokio::test]
async fn oversized_bodies_are_cut_at_the_cap_and_judged_incomplete() {
    let big = || async {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            vec![b' '; 3 << 20],
        )
            .into_response()
    };
    let target =
        serve(Router::new().route("/.well-known/oauth-protected-resource", get(big))).await;
    let opts = CaptureOptions {
        max_body: 64 << 10,
        profile: authspec::checks::Profile::Rfc,
        ..CaptureOptions::default()
    };
    let report = check(target, opts).await;
    let failed: Vec<(&str, &str)> = report
        .results
        .iter()
        .filter(|r| r.outcome == authspec::finding::Outcome::Fail)
        .map(|r| (r.id.as_str(), r.message.as_str()))
        .collect();
    assert_eq!(report.verdict, Verdict::Incomplete, "{failed:?}");
    let r = report
        .results
        .iter()
        .find(|r| r.id == "prm.resp-200-json")
        .expect("result");
    assert!(r.message.contains("--max-body"), "{}", r.message);
}

#[tokio::test]
async fn a_silent_server_times_out_into_an_incomplete_run() {
    let slow = || async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Response::new(axum::body::Body::empty())
    };
    let target = serve(Router::new().fallback(get(slow))).await;
    let opts = CaptureOptions {
        timeout: Duration::from_millis(300),
        ..CaptureOptions::default()
    };
    let report = check(target, opts).await;
    assert_eq!(report.verdict, Verdict::Incomplete);
    let r = report
        .results
        .iter()
        .find(|r| r.id == "prm.wellknown-insert")
        .expect("result");
    assert!(r.message.contains("timed out"), "{}", r.message);
}

/// The SSRF guard sits in the resolver: a public-looking name whose DNS answer is loopback is
/// refused on connection (the target's own name included), named PRM-SSRF, and the run ends
/// `incomplete`; `--allow-private` follows it. The stub stands in for a DNS server on loopback.
#[tokio::test]
async fn a_public_name_that_resolves_to_loopback_is_refused_at_the_resolver() {
    let seen: Seen = Arc::default();
    let base = serve(
        Router::new()
            .route("/.well-known/oauth-protected-resource", get(record))
            .with_state(seen.clone()),
    )
    .await;
    let port = Url::parse(&base).ok().and_then(|u| u.port()).expect("port");
    let stub: authspec::capture::dns::DnsStub = Arc::new(
        [(
            "api.rebinding.example".to_string(),
            vec![std::net::IpAddr::from([127, 0, 0, 1])],
        )]
        .into_iter()
        .collect(),
    );
    let target = format!("http://api.rebinding.example:{port}/");
    let run_with = |allow_private: bool| {
        let cfg = CheckConfig {
            target: target.clone(),
            capture: CaptureOptions {
                profile: authspec::checks::Profile::Rfc,
                timeout: Duration::from_secs(5),
                allow_private,
                dns_stub: Some(stub.clone()),
                ..CaptureOptions::default()
            },
            selection: Selection::default(),
            strict: false,
        };
        async move { run::check(&cfg).await.expect("check runs") }
    };
    let refused = run_with(false).await;
    assert_eq!(refused.verdict, Verdict::Incomplete);
    assert!(
        seen.lock().expect("lock").is_empty(),
        "a request reached the server"
    );
    let named = refused
        .exchanges
        .iter()
        .all(|e| e.error.as_deref().is_some_and(|m| m.contains("PRM-SSRF")));
    assert!(named, "{:?}", refused.exchanges);
    assert!(
        refused
            .results
            .iter()
            .all(|r| r.outcome != authspec::finding::Outcome::Fail)
    );
    let allowed = run_with(true).await;
    assert!(allowed.exchanges.iter().any(|e| e.status.is_some()));
    assert!(!seen.lock().expect("lock").is_empty());
}
