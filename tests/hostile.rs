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
use common::{assert_no_piece, check, outcome, serve};

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
    assert!(r.requests <= 80);
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

/// A loopback listener that counts the connections it accepts: the proof that an address was
/// never connected to.
async fn canary() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            drop(s);
        }
    });
    (port, hits)
}

/// Every spelling of a private address a redirect may name: loopback (dotted, hex, octal,
/// IPv4-mapped IPv6) on the canary's port, and the metadata address (dotted, decimal, mapped).
fn private_spellings(port: u16) -> Vec<String> {
    vec![
        format!("http://127.0.0.1:{port}/canary"),
        format!("http://[::ffff:7f00:1]:{port}/canary"),
        format!("http://0x7f.1:{port}/canary"),
        format!("http://0177.0.0.1:{port}/canary"),
        format!("http://[::1]:{port}/canary"),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://2852039166/latest/meta-data/".into(),
        "http://[::ffff:a9fe:a9fe]/latest/meta-data/".into(),
    ]
}

/// A public-looking target (pinned to loopback, as `--resolve` does) whose every answer, to
/// every method, is `status` to `location`; returns its URL and the options that pin it.
async fn redirecting_target(status: StatusCode, location: String) -> (String, CaptureOptions) {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    let app = Router::new().fallback(move || {
        let location = location.clone();
        async move { (status, [(header::LOCATION, location)]).into_response() }
    });
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    let opts = CaptureOptions {
        resolve: vec![
            format!("api.public-example.com:{port}:127.0.0.1")
                .parse()
                .expect("resolve"),
        ],
        timeout: Duration::from_secs(3),
        ..CaptureOptions::default()
    };
    (format!("http://api.public-example.com:{port}"), opts)
}

#[tokio::test]
async fn redirect_hops_to_private_addresses_are_refused_in_every_spelling() {
    let (port, hits) = canary().await;
    for spelled in private_spellings(port) {
        let (target, opts) = redirecting_target(StatusCode::FOUND, spelled.clone()).await;
        let r = check(target, opts, "prm").await;
        let prm = r
            .exchanges
            .iter()
            .find(|e| e.roles.iter().any(|x| x == "prm"))
            .expect("the PRM exchange");
        let err = prm.error.as_deref().unwrap_or("");
        assert!(err.contains("PRM-SSRF"), "{spelled}: {err:?}");
        assert_eq!(prm.status, None, "{spelled}: no answer is judged");
        let row = outcome(&r, "prm.wellknown-insert");
        assert_eq!(row.outcome, Outcome::Error, "{spelled}: {}", row.message);
        assert!(row.message.contains("PRM-SSRF"), "{}", row.message);
        assert!(
            r.results
                .iter()
                .filter(|x| x.id != "prm.root-form")
                .all(|x| x.outcome != Outcome::Pass),
            "{spelled}: nothing passes"
        );
        assert_eq!(r.verdict, Verdict::Incomplete, "{spelled}");
    }
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the canary was connected to"
    );
}

#[tokio::test]
async fn keyed_and_forged_token_probes_never_follow_a_redirect() {
    let (port, hits) = canary().await;
    let spelled = format!("http://[::ffff:7f00:1]:{port}/latest/meta-data/");
    let (target, mut opts) = redirecting_target(StatusCode::TEMPORARY_REDIRECT, spelled).await;
    opts.endpoints = vec!["GET /v1/x".parse().expect("endpoint")];
    let r = check(target, opts, "wwwa").await;
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    for ex in &r.exchanges {
        if ex.credential == "none" {
            // Unkeyed discovery may follow, under the guard: refused here.
            if ex.status.is_none() {
                let e = ex.error.as_deref().unwrap_or("");
                assert!(e.contains("PRM-SSRF"), "{} {e}", ex.url);
            }
        } else {
            assert_eq!(
                ex.status,
                Some(307),
                "{} with {}: the 307 is the answer",
                ex.url,
                ex.credential
            );
        }
        assert_eq!(ex.final_url, None, "no answer came from elsewhere");
    }
    for id in ["wwwa.forged-token-refused", "wwwa.forged-token-401"] {
        let row = outcome(&r, id);
        assert_ne!(row.outcome, Outcome::Pass, "{id}: {}", row.message);
        assert_ne!(row.outcome, Outcome::Fail, "{id}: {}", row.message);
    }
    assert_eq!(r.verdict, Verdict::Incomplete);
}

#[tokio::test]
async fn a_followed_redirect_says_where_the_answer_came_from() {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let me = format!("http://{}", l.local_addr().expect("addr"));
    let prm = serde_json::json!({"resource": me}).to_string();
    let app = Router::new()
        .route(
            "/.well-known/oauth-protected-resource",
            get(|| async { Redirect::temporary("/moved/prm") }),
        )
        .route(
            "/moved/prm",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], prm.clone()) }),
        );
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    let r = check(me.clone(), CaptureOptions::default(), "prm").await;
    let ex = r
        .exchanges
        .iter()
        .find(|e| e.roles.iter().any(|x| x == "prm"))
        .expect("the PRM exchange");
    assert_eq!(ex.final_url.as_deref(), Some(&*format!("{me}/moved/prm")));
}

/// The registration, agent-registration and revocation endpoints of a public-looking AS
/// answer `status` to `location`; the metadata is served at the target's origin.
async fn side_effect_redirects(status: StatusCode, location: String) -> (String, CaptureOptions) {
    use axum::routing::post;
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    let me = format!("http://api.public-example.com:{port}");
    let prm = serde_json::json!({"resource": me, "authorization_servers": [me]}).to_string();
    let asm = serde_json::json!({
        "issuer": me,
        "authorization_endpoint": format!("{me}/authorize"),
        "token_endpoint": format!("{me}/token"),
        "registration_endpoint": format!("{me}/register"),
        "response_types_supported": ["code"],
        "agent_auth": {
            "register_uri": format!("{me}/agent/register"),
            "revocation_uri": format!("{me}/agent/revoke"),
        },
    })
    .to_string();
    let json = |b: String| ([(header::CONTENT_TYPE, "application/json")], b);
    let hop = move || {
        let location = location.clone();
        async move { (status, [(header::LOCATION, location)]).into_response() }
    };
    let app = Router::new()
        .route(
            "/.well-known/oauth-protected-resource",
            get(move || async move { json(prm.clone()) }),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(move || async move { json(asm.clone()) }),
        )
        .route("/register", post(hop.clone()))
        .route("/token", post(hop.clone()))
        .route("/agent/register", post(hop.clone()))
        .route("/agent/revoke", post(hop))
        .fallback(|| async { StatusCode::UNAUTHORIZED });
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    let opts = CaptureOptions {
        resolve: vec![
            format!("api.public-example.com:{port}:127.0.0.1")
                .parse()
                .expect("resolve"),
        ],
        allow_side_effects: true,
        revocable_key: Some("jp_live_disposableDISPOSABLE0123".into()),
        timeout: Duration::from_secs(3),
        ..CaptureOptions::default()
    };
    (me, opts)
}

#[tokio::test]
async fn requests_with_a_body_or_a_secret_record_the_redirect_and_never_follow_it() {
    let (port, hits) = canary().await;
    for status in [
        StatusCode::TEMPORARY_REDIRECT,
        StatusCode::PERMANENT_REDIRECT,
    ] {
        for spelled in private_spellings(port) {
            let (target, opts) = side_effect_redirects(status, spelled.clone()).await;
            let r = check(target, opts, "authmd.*").await;
            for role in ["dcr-probe", "register", "revoke"] {
                let ex = r
                    .exchanges
                    .iter()
                    .find(|e| e.roles.iter().any(|x| x == role))
                    .unwrap_or_else(|| panic!("{role}: the request was made"));
                assert_eq!(
                    ex.status,
                    Some(status.as_u16()),
                    "{role} {spelled}: the server's {status} is the recorded answer"
                );
                assert_eq!(ex.final_url, None, "{role}: not followed");
                assert_eq!(ex.error, None, "{role}: {:?}", ex.error);
            }
            let register = outcome(&r, "authmd.register-answers");
            assert_eq!(register.outcome, Outcome::Fail, "{}", register.message);
            let said = register.actual.as_deref().unwrap_or("");
            assert!(
                said.contains(&status.as_u16().to_string()),
                "the row says what the server did: {said}"
            );
            let revoke = outcome(&r, "authmd.revoke-immediate");
            assert_eq!(revoke.outcome, Outcome::Fail, "{}", revoke.message);
            let said = revoke.actual.as_deref().unwrap_or("");
            assert!(
                said.contains(&status.as_u16().to_string()),
                "the row says what the server did: {said}"
            );
        }
    }
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the canary was connected to"
    );
}

#[tokio::test]
async fn the_disposable_key_never_goes_to_a_revocation_uri_on_another_origin() {
    use axum::routing::post;
    let (other, seen) = other_origin("{}").await;
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let me = format!("http://{}", l.local_addr().expect("addr"));
    let asm = serde_json::json!({
        "issuer": me,
        "agent_auth": {"revocation_uri": format!("{other}/revoke")},
    })
    .to_string();
    let app = Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], asm.clone()) }),
        )
        .route("/revoke", post(|| async { StatusCode::OK }))
        .fallback(|| async { StatusCode::UNAUTHORIZED });
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    let opts = CaptureOptions {
        allow_side_effects: true,
        revocable_key: Some("jp_live_disposableDISPOSABLE0123".into()),
        ..CaptureOptions::default()
    };
    let r = check(me, opts, "authmd.*").await;
    assert!(
        seen.lock().expect("lock").is_empty(),
        "a request went to the other origin"
    );
    let row = outcome(&r, "authmd.revoke-immediate");
    assert_eq!(row.outcome, Outcome::Skip, "{}", row.message);
    assert!(
        row.message.contains("HARNESS-REVOCABLE-SCOPE"),
        "{}",
        row.message
    );
}

/// Every kind of secret a malicious authorization server hands out, each unique.
const ISSUED: &[&str] = &[
    "cs_Q7mZp4Lx9RtV2nB8wK3e",
    "rat_H5sJ2dF8gK1lZ0xC7vB4",
    "at_P9oI8uY7tR6eW5qA4sD3",
    "rt_M1nB2vC3xZ4lK5jH6gF7",
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJob3N0aWxlIn0.SIGn4tur3_Xk29Fj38Dk47Sl56Aq",
    "code_T4yU5iO6pL7kJ8hG9fD0",
    "sess_W2eR3tY4uI5oP6aS7dF8",
];
const LEAK_KEY: &str = "jp_live_leakKEYleakKEYleak0042";
const LEAK_REVOCABLE: &str = "jp_live_revocableREVOKEme0987654";

/// What every answer of the malicious AS carries: each secret, the credential it was sent, and a
/// 10-character piece of the client secret, in the body, headers, a cookie and an
/// `error_description`.
fn echo_everything(
    sent: &str,
    status: StatusCode,
    extra: serde_json::Value,
) -> axum::response::Response {
    let mut body = serde_json::json!({
        "client_id": "hostile-client",
        "client_secret": ISSUED[0],
        "registration_access_token": ISSUED[1],
        "access_token": ISSUED[2],
        "token_type": "Bearer",
        "refresh_token": ISSUED[3],
        "id_token": ISSUED[4],
        "error": "invalid_token",
        "error_description": format!("you sent {sent}; code {} hint {}", ISSUED[5], &ISSUED[0][..10]),
        "echo": sent,
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let all = ISSUED.join(" ");
    let challenge = format!(
        "Bearer error=\"invalid_token\", error_description=\"{all} {sent} {}\"",
        &ISSUED[1][..10]
    );
    let mut r = (status, axum::Json(body)).into_response();
    let h = r.headers_mut();
    let mut put = |k: &'static str, v: String| {
        if let Ok(v) = v.parse() {
            h.append(k, v);
        }
    };
    put(
        "set-cookie",
        format!("session={}; HttpOnly; Path=/", ISSUED[6]),
    );
    put("x-echo", format!("{all} {sent}"));
    put("www-authenticate", challenge);
    r
}

/// A malicious AS on loopback: every endpoint echoes every secret; the authorization endpoint
/// answers with a code and echoes the `state`, which it records.
async fn malicious_as() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::extract::{RawQuery, State};
    use axum::http::HeaderMap;
    use axum::routing::post;
    use std::sync::{Arc, Mutex};
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let me = format!("http://{}", l.local_addr().expect("addr"));
    let states: Arc<Mutex<Vec<String>>> = Arc::default();
    let prm = serde_json::json!({"resource": me, "authorization_servers": [me]});
    let asm = serde_json::json!({
        "issuer": me,
        "authorization_endpoint": format!("{me}/authorize"),
        "token_endpoint": format!("{me}/token"),
        "registration_endpoint": format!("{me}/register"),
        "response_types_supported": ["code"],
        "agent_auth": {
            "register_uri": format!("{me}/agent/register"),
            "revocation_uri": format!("{me}/agent/revoke"),
        },
    });
    let auth = |h: &HeaderMap| {
        h.get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let doc = |d: serde_json::Value| {
        move |h: HeaderMap| async move { echo_everything(&auth(&h), StatusCode::OK, d.clone()) }
    };
    let answer = |status: StatusCode| {
        move |h: HeaderMap| async move { echo_everything(&auth(&h), status, serde_json::json!({})) }
    };
    let issuer = me.clone();
    let authorize = move |State(states): State<Arc<Mutex<Vec<String>>>>, RawQuery(q): RawQuery| {
        let issuer = issuer.clone();
        async move {
            let q = q.unwrap_or_default();
            let state = url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "state")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            states.lock().expect("lock").push(state.clone());
            let mut r = echo_everything(
                &format!("{q} {state}"),
                StatusCode::FOUND,
                serde_json::json!({}),
            );
            let to = format!(
                "{}?code={}&state={state}&iss={issuer}",
                authspec::capture::AUTHZ_REDIRECT,
                ISSUED[5]
            );
            if let Ok(v) = to.parse() {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
    };
    let app = Router::new()
        .route("/.well-known/oauth-protected-resource", get(doc(prm)))
        .route("/.well-known/oauth-authorization-server", get(doc(asm)))
        .route("/register", post(answer(StatusCode::CREATED)))
        .route("/token", post(answer(StatusCode::OK)))
        .route("/agent/register", post(answer(StatusCode::OK)))
        .route("/agent/revoke", post(answer(StatusCode::OK)))
        .route("/authorize", get(authorize))
        .fallback(answer(StatusCode::UNAUTHORIZED))
        .with_state(states.clone());
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    (me, states)
}

/// Runs the authspec binary with `args` off the async runtime, so loopback servers keep serving.
async fn run_cli(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("authspec")
            .expect("binary builds")
            .env_remove("AUTHSPEC_API_KEY")
            .env_remove("AUTHSPEC_REVOCABLE_KEY")
            .env("NO_COLOR", "1")
            .args(&args)
            .timeout(Duration::from_secs(120))
            .output()
            .expect("authspec runs")
    })
    .await
    .expect("join")
}

#[tokio::test]
async fn no_secret_or_piece_of_one_reaches_any_output() {
    let (target, states) = malicious_as().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let args: Vec<String> = [
        "check",
        &target,
        "--api-key",
        LEAK_KEY,
        "--allow-side-effects",
        "--revocable-key",
        LEAK_REVOCABLE,
        "--verbose",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let outputs = common::run_with_every_output(args, dir.path()).await;
    let capture = &outputs.last().expect("capture").1;
    for role in ["dcr-probe", "authz-probe", "register", "revoke"] {
        assert!(
            capture.contains(&format!("\"role\":\"{role}\""))
                || capture.contains(&format!("\"role\": \"{role}\"")),
            "the {role} request was made"
        );
    }
    let states = states.lock().expect("lock").clone();
    assert!(!states.is_empty(), "the authorization request was made");
    let mut secrets: Vec<String> = ISSUED.iter().map(|s| s.to_string()).collect();
    secrets.extend([LEAK_KEY.to_string(), LEAK_REVOCABLE.to_string()]);
    secrets.extend(states.iter().filter(|s| !s.is_empty()).cloned());
    for (name, text) in &outputs {
        for s in &secrets {
            assert_no_piece(name, text, s);
        }
    }
    assert!(
        capture.contains("‹redacted sha256:"),
        "secrets are shown as fingerprints"
    );
}

#[tokio::test]
async fn a_mock_capture_holds_no_code_secret_or_verifier_and_replays_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("c.json").to_string_lossy().into_owned();
    let live = run_cli(
        [
            "check",
            "--mock",
            "--profile",
            "mcp",
            "--allow-side-effects",
            "--capture",
            &file,
            "--format",
            "json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    )
    .await;
    let capture = std::fs::read_to_string(&file).expect("the capture was written");
    let replayed = run_cli(
        ["replay", &file, "--format", "json"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    )
    .await;
    // The mock's authorization code, RFC 7636 Appendix B's published pair, and any state.
    for gone in [
        "mock-code",
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    ] {
        assert!(!capture.contains(gone), "{gone} is in the capture");
    }
    let cap: serde_json::Value = serde_json::from_str(&capture).expect("capture is JSON");
    let exchanges = cap["exchanges"].as_array().expect("exchanges");
    let authz = exchanges
        .iter()
        .find(|e| {
            e["roles"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x["role"] == "authz-probe"))
        })
        .expect("the authorization request was made");
    let url = url::Url::parse(authz["url"].as_str().expect("url")).expect("a URL");
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("a state");
    assert!(
        state.starts_with("‹redacted sha256:"),
        "state in clear: {state}"
    );
    let location = authz["response_headers"]
        .as_array()
        .and_then(|h| h.iter().find(|p| p[0] == "location"))
        .and_then(|p| p[1].as_str())
        .expect("a Location");
    assert!(location.contains("code=‹redacted sha256:"), "{location}");
    let verdicts = |o: &std::process::Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a JSON report");
        let rows: Vec<(String, String)> = v["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["id"].to_string(),
                    format!("{} {}", r["outcome"], r["message"]),
                )
            })
            .collect();
        (v["verdict"].clone(), rows)
    };
    assert_eq!(
        verdicts(&live),
        verdicts(&replayed),
        "replay judges as live did"
    );
    assert_eq!(live.status.code(), replayed.status.code());
}
