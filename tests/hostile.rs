//! Hostile and broken targets: authspec finishes, says why in `error`/`fail`/`skip!`, never passes,
//! and never leaks the key (redirects, hostile JSON, huge headers and waits, cross-origin and
//! private-address documents, huge key sets).

use authspec::capture::CaptureOptions;
use authspec::finding::Outcome;
use authspec::report::{Report, Verdict};
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use std::time::Duration;
use tokio::net::TcpListener;

mod common;
use common::{check, outcome, serve};

#[tokio::test]
async fn a_redirect_loop_is_an_error_not_a_pass() {
    let target = serve(Router::new().route(
        "/.well-known/oauth-protected-resource",
        get(|| async { Redirect::temporary("/.well-known/oauth-protected-resource") }),
    ))
    .await;
    let r = check(target, CaptureOptions::default(), "prm").await;
    let w = outcome(&r, "prm.wellknown-insert");
    assert_eq!(w.outcome, Outcome::Error);
    assert!(w.message.contains("redirects"), "{}", w.message);
    assert!(
        r.results
            .iter()
            .all(|x| x.outcome != Outcome::Pass || x.id == "prm.root-form"),
        "nothing passes on a loop"
    );
    assert_eq!(r.verdict, Verdict::Incomplete);
    // Six hops for the looping PRM (the request and five redirects), the run's other fetches and
    // the six forged-token probes.
    assert!(
        r.requests <= 6 + 8 + 6,
        "the redirect cap bounds the requests: {}",
        r.requests
    );
}

#[tokio::test]
async fn json_nested_200000_deep_fails_with_the_reason() {
    let deep = "[".repeat(200_000) + &"]".repeat(200_000);
    let target = serve(Router::new().route(
        "/.well-known/oauth-protected-resource",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], deep.clone()) }),
    ))
    .await;
    let r = check(
        target,
        CaptureOptions {
            max_body: 1 << 20,
            ..CaptureOptions::default()
        },
        "prm",
    )
    .await;
    let f = outcome(&r, "prm.resp-200-json");
    assert_eq!(f.outcome, Outcome::Fail);
    assert!(f.message.contains("nesting deeper"), "{}", f.message);
    assert_eq!(r.verdict, Verdict::Fail);
}

#[tokio::test]
async fn thousands_of_challenges_in_a_100k_header_are_judged() {
    let many = vec!["Basic realm=\"x\""; 5000].join(", ");
    let target = serve(Router::new().fallback(get(move || async move {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, many.clone())],
        )
            .into_response()
    })))
    .await;
    let r = check(target, CaptureOptions::default(), "wwwa").await;
    let b = outcome(&r, "wwwa.bearer-challenge");
    assert!(
        matches!(b.outcome, Outcome::Fail | Outcome::Skip),
        "no Bearer among 5000 Basic challenges: {:?} {}",
        b.outcome,
        b.message
    );
    assert_eq!(outcome(&r, "wwwa.parse").outcome, Outcome::Pass);
}

#[tokio::test]
async fn a_retry_after_of_a_year_is_capped_at_max_wait() {
    let target = serve(Router::new().route(
        "/v1/x",
        get(|| async {
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "31536000")],
                "slow down",
            )
                .into_response()
        }),
    ))
    .await;
    let opts = CaptureOptions {
        api_key: Some("jp_live_hostilehostilehostile".into()),
        endpoints: vec!["GET /v1/x".parse().expect("endpoint")],
        burst: true,
        max_wait: Duration::from_millis(200),
        ..CaptureOptions::default()
    };
    let r = check(target, opts, "ratelimit").await;
    assert!(
        r.exchanges
            .iter()
            .any(|e| e.roles.iter().any(|x| x == "burst-retry")),
        "the retry was made after the capped wait"
    );
    assert!(r.requests <= 60);
    // The retry met another 429 after 200 ms of a year: that proves nothing, and says so.
    let t = outcome(&r, "ratelimit.429-retry-after");
    assert_eq!(t.outcome, Outcome::Skip, "{}", t.message);
    assert!(
        t.message.contains("waited only 200 ms of the 31536000 s"),
        "{}",
        t.message
    );
    assert_eq!(r.verdict, Verdict::Incomplete);
}

/// A raw TCP server: every connection gets `behave` (for what HTTP libraries will not send).
async fn raw(
    behave: fn(
        tokio::net::TcpStream,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            tokio::spawn(behave(s));
        }
    });
    format!("http://{addr}")
}

fn quick() -> CaptureOptions {
    CaptureOptions {
        timeout: Duration::from_millis(600),
        ..CaptureOptions::default()
    }
}

fn prm_unjudged(r: &Report) {
    let w = outcome(r, "prm.wellknown-insert");
    assert_eq!(w.outcome, Outcome::Error, "{}", w.message);
    assert!(
        r.results
            .iter()
            .filter(|x| x.id != "prm.root-form")
            .all(|x| x.outcome != Outcome::Pass),
        "nothing passes"
    );
    assert_eq!(r.verdict, Verdict::Incomplete);
}

#[tokio::test]
async fn a_body_that_drips_times_out() {
    use tokio::io::AsyncWriteExt;
    let target = raw(|mut s| {
        Box::pin(async move {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n").await;
            for _ in 0..100 {
                let _ = s.write_all(b" ").await;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    })
    .await;
    let r = check(target, quick(), "prm").await;
    prm_unjudged(&r);
    assert!(
        outcome(&r, "prm.wellknown-insert")
            .message
            .contains("timed out")
    );
}

#[tokio::test]
async fn headers_that_never_finish_time_out() {
    use tokio::io::AsyncWriteExt;
    let target = raw(|mut s| {
        Box::pin(async move {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nx-slow: ").await;
            tokio::time::sleep(Duration::from_secs(30)).await;
        })
    })
    .await;
    prm_unjudged(&check(target, quick(), "prm").await);
}

#[tokio::test]
async fn a_reset_mid_body_is_an_error_with_the_cause() {
    use tokio::io::AsyncWriteExt;
    let target = raw(|mut s| {
        Box::pin(async move {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"resource\":").await;
            drop(s);
        })
    })
    .await;
    let r = check(target, quick(), "prm").await;
    prm_unjudged(&r);
    assert!(
        outcome(&r, "prm.wellknown-insert").message.contains("body"),
        "{}",
        outcome(&r, "prm.wellknown-insert").message
    );
}

#[tokio::test]
async fn a_gzip_body_that_was_not_asked_for_is_not_json() {
    let target = serve(Router::new().route(
        "/.well-known/oauth-protected-resource",
        get(|| async {
            (
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::CONTENT_ENCODING, "gzip"),
                ],
                vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3],
            )
                .into_response()
        }),
    ))
    .await;
    let r = check(target, CaptureOptions::default(), "prm").await;
    let f = outcome(&r, "prm.resp-200-json");
    assert_eq!(f.outcome, Outcome::Fail, "{}", f.message);
    assert!(
        f.message.contains("not JSON") || f.message.contains("UTF-8"),
        "{}",
        f.message
    );
}

/// A PRM route serving `body` as JSON.
async fn prm_serving(body: Vec<u8>) -> String {
    serve(Router::new().route(
        "/.well-known/oauth-protected-resource",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], body.clone()) }),
    ))
    .await
}

/// `prm.resp-200-json` fails, naming `cause`, and the verdict is not a pass.
async fn prm_body_fails(body: Vec<u8>, cause: &str) {
    let r = check(prm_serving(body).await, CaptureOptions::default(), "prm").await;
    let f = outcome(&r, "prm.resp-200-json");
    assert_eq!(f.outcome, Outcome::Fail, "{}", f.message);
    assert!(
        f.message.contains(cause),
        "{cause:?} not in {:?}",
        f.message
    );
    assert_ne!(r.verdict, Verdict::Pass);
}

#[tokio::test]
async fn invalid_utf8_fails_naming_the_byte() {
    prm_body_fails(b"{\"resource\": \"\xff\xfe\"}".to_vec(), "not UTF-8").await;
}

#[tokio::test]
async fn a_byte_order_mark_fails() {
    let body = [b"\xEF\xBB\xBF".as_slice(), b"{\"resource\": \"x\"}"].concat();
    prm_body_fails(body, "byte order mark").await;
}

#[tokio::test]
async fn conflicting_duplicate_members_fail() {
    let body = br#"{"resource": "https://evil.example", "resource": "https://good.example"}"#;
    prm_body_fails(body.to_vec(), "/resource appears more than once").await;
}

#[tokio::test]
async fn a_number_of_10000_digits_fails_without_hanging() {
    let body = format!("{{\"resource\": \"x\", \"n\": {}}}", "9".repeat(10_000));
    prm_body_fails(body.into_bytes(), "number out of range").await;
}

#[tokio::test]
async fn a_redirect_chain_longer_than_the_cap_stops_at_the_cap() {
    use axum::extract::{Path, State};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    let deepest = Arc::new(AtomicU32::new(0));
    let hop = |State(deepest): State<Arc<AtomicU32>>, Path(n): Path<u32>| async move {
        deepest.fetch_max(n, Ordering::SeqCst);
        Redirect::temporary(&format!("/hop/{}", n + 1))
    };
    let app = Router::new()
        .route(
            "/.well-known/oauth-protected-resource",
            get(|| async { Redirect::temporary("/hop/1") }),
        )
        .route("/hop/{n}", get(hop))
        .with_state(deepest.clone());
    let r = check(serve(app).await, CaptureOptions::default(), "prm").await;
    let w = outcome(&r, "prm.wellknown-insert");
    assert_eq!(w.outcome, Outcome::Error);
    assert!(w.message.contains("more than 5 redirects"), "{}", w.message);
    assert_eq!(
        deepest.load(Ordering::SeqCst),
        5,
        "followed exactly five hops"
    );
    assert_eq!(r.verdict, Verdict::Incomplete);
}

#[tokio::test]
async fn a_ratelimit_reset_of_10_to_the_30_fails_and_is_not_waited_for() {
    let target = serve(Router::new().route(
        "/v1/x",
        get(|| async {
            (
                [
                    ("ratelimit-limit", "10"),
                    ("ratelimit-remaining", "0"),
                    ("ratelimit-reset", "1000000000000000000000000000000"),
                ],
                "{}",
            )
                .into_response()
        }),
    ))
    .await;
    let opts = CaptureOptions {
        endpoints: vec!["GET /v1/x".parse().expect("endpoint")],
        max_wait: Duration::from_millis(200),
        ..CaptureOptions::default()
    };
    let started = std::time::Instant::now();
    let r = check(target, opts, "ratelimit").await;
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "no wait for 10^30 s"
    );
    let bad: Vec<_> = r
        .results
        .iter()
        .filter(|x| x.outcome == Outcome::Fail)
        .map(|x| x.id.as_str())
        .collect();
    assert!(
        bad.contains(&"ratelimit.nonneg-int") || bad.contains(&"ratelimit.reset-delta"),
        "a reset of 10^30 fails a RateLimit rule: {bad:?}"
    );
}

/// A second origin that records whether any request to it carried a credential.
async fn other_origin(
    body: &'static str,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::extract::State;
    use axum::http::HeaderMap;
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = move |State(seen): State<Arc<Mutex<Vec<String>>>>, h: HeaderMap| async move {
        let auth = h
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or("?").to_string())
            .unwrap_or_default();
        seen.lock().expect("lock").push(auth);
        ([(header::CONTENT_TYPE, "application/json")], body)
    };
    let app = Router::new().fallback(get(record)).with_state(seen.clone());
    (serve(app).await, seen)
}

#[tokio::test]
async fn documents_on_another_origin_are_fetched_without_the_key() {
    let (other, seen) = other_origin(r#"{"keys": []}"#).await;
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let me = format!("http://{}", l.local_addr().expect("addr"));
    let prm = serde_json::json!({
        "resource": me,
        "authorization_servers": [other],
        "jwks_uri": format!("{other}/jwks"),
    })
    .to_string();
    let app = Router::new()
        .route(
            "/.well-known/oauth-protected-resource",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], prm.clone()) }),
        )
        .fallback(get(|| async { StatusCode::UNAUTHORIZED }));
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    let r = check(me, CaptureOptions::default(), "prm").await;
    let seen = seen.lock().expect("lock").clone();
    assert!(
        seen.len() >= 2,
        "the AS metadata and the JWKS were fetched: {seen:?}"
    );
    assert!(
        seen.iter().all(String::is_empty),
        "a credential went to another origin: {seen:?}"
    );
    assert!(r.requests > 0);
}

#[tokio::test]
async fn private_addresses_named_by_a_public_target_are_not_fetched() {
    let (internal, seen) = other_origin(r#"{"keys": []}"#).await;
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    // The target is a public-looking name, pinned to loopback the way curl --resolve does it.
    let me = format!("http://api.public-example.com:{}", addr.port());
    let prm = serde_json::json!({
        "resource": me,
        "authorization_servers": ["http://169.254.169.254"],
        "jwks_uri": format!("{internal}/jwks"),
    })
    .to_string();
    let app = Router::new().route(
        "/.well-known/oauth-protected-resource",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], prm.clone()) }),
    );
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    let resolve = vec![
        format!("api.public-example.com:{}:127.0.0.1", addr.port())
            .parse()
            .expect("resolve"),
    ];
    let opts = CaptureOptions {
        resolve,
        ..CaptureOptions::default()
    };
    let r = check(me, opts, "jwks").await;
    assert!(
        seen.lock().expect("lock").is_empty(),
        "the private JWKS address was fetched"
    );
    let refused: Vec<_> = r
        .exchanges
        .iter()
        .filter(|e| e.error.as_deref().is_some_and(|m| m.contains("PRM-SSRF")))
        .map(|e| e.url.clone())
        .collect();
    assert_eq!(
        refused.len(),
        2,
        "both private URLs are refused: {refused:?}"
    );
    let jwks = outcome(&r, "jwks.keys-member");
    assert_eq!(jwks.outcome, Outcome::Skip, "{}", jwks.message);
    assert!(jwks.message.contains("PRM-SSRF"), "{}", jwks.message);
    assert_eq!(r.verdict, Verdict::Incomplete);
}

/// Checks a target whose PRM names a same-origin JWKS serving `set`.
async fn jwks_run(set: String) -> Report {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let me = format!("http://{}", l.local_addr().expect("addr"));
    let prm = serde_json::json!({"resource": me, "jwks_uri": format!("{me}/jwks")}).to_string();
    let json = |b: String| ([(header::CONTENT_TYPE, "application/json")], b);
    let app = Router::new()
        .route(
            "/.well-known/oauth-protected-resource",
            get(move || async move { json(prm.clone()) }),
        )
        .route("/jwks", get(move || async move { json(set.clone()) }));
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    let opts = CaptureOptions {
        max_body: 16 << 20,
        ..CaptureOptions::default()
    };
    check(me, opts, "jwks").await
}

#[tokio::test]
async fn a_jwks_of_100000_keys_is_judged_and_fails() {
    let keys: Vec<String> = (0..100_000)
        .map(|i| {
            format!(
                r#"{{"kty":"RSA","kid":"k{i}","use":"sig","alg":"RS256","n":"AQAB","e":"AQAB"}}"#
            )
        })
        .collect();
    let r = jwks_run(format!("{{\"keys\":[{}]}}", keys.join(","))).await;
    let f = outcome(&r, "jwks.rsa-2048");
    assert_eq!(f.outcome, Outcome::Fail, "{}", f.message);
    assert!(f.message.contains("(and 99999 more)"), "{}", f.message);
    assert_eq!(r.verdict, Verdict::Fail);
}

#[tokio::test]
async fn an_rsa_modulus_of_65536_bits_is_flagged_not_passed() {
    use base64::Engine;
    let mut n = vec![0x77_u8; 8192];
    n[0] = 0xc1;
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(n);
    let set = serde_json::json!({"keys": [{"kty": "RSA", "kid": "huge", "use": "sig", "alg": "RS256", "n": n, "e": "AQAB"}]});
    let r = jwks_run(set.to_string()).await;
    let f = outcome(&r, "jwks.rsa-max");
    assert_eq!(f.outcome, Outcome::Fail, "{}", f.message);
    assert!(f.message.contains("65536 bits"), "{}", f.message);
    assert_eq!(outcome(&r, "jwks.rsa-2048").outcome, Outcome::Pass);
}

#[tokio::test]
async fn forged_tokens_at_a_url_that_is_not_protected_prove_nothing() {
    // The resource URL 404s to everyone: forged tokens that get 404 there were not refused as
    // tokens, so neither forged-token row may fail (a guessed endpoint leaves them unjudged).
    let target = serve(Router::new().fallback(|| async { StatusCode::NOT_FOUND })).await;
    let r = check(target, CaptureOptions::default(), "wwwa").await;
    for id in ["wwwa.forged-token-refused", "wwwa.forged-token-401"] {
        let row = outcome(&r, id);
        assert_ne!(row.outcome, Outcome::Fail, "{id}: {}", row.message);
        assert_ne!(row.outcome, Outcome::Pass, "{id}: {}", row.message);
    }
}
