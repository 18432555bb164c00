//! Hostile and broken targets: authspec stays bounded and truthful (redirect loops, deep JSON,
//! huge headers, a year-long Retry-After).

use authspec::capture::CaptureOptions;
use authspec::finding::Outcome;
use authspec::report::{Report, Verdict};
use authspec::run::{self, CheckConfig};
use authspec::select::Selection;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use std::time::Duration;
use tokio::net::TcpListener;

async fn serve(app: Router) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    format!("http://{addr}")
}

/// Checks `target` with a hang guard far above any timeout involved.
async fn check(target: String, opts: CaptureOptions, only: &str) -> Report {
    let cfg = CheckConfig {
        target,
        capture: opts,
        selection: Selection {
            only: vec![only.into()],
            skip: Vec::new(),
        },
        strict: false,
    };
    tokio::time::timeout(Duration::from_secs(60), run::check(&cfg))
        .await
        .expect("the run finishes")
        .expect("check runs")
}

fn outcome<'a>(r: &'a Report, id: &str) -> &'a authspec::report::CheckResult {
    r.results
        .iter()
        .find(|x| x.id == id)
        .expect("result present")
}

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
    // Six hops for the looping PRM (the request and five redirects) plus the run's other fetches.
    assert!(
        r.requests <= 6 + 8,
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
async fn a_300_mib_body_is_cut_at_the_cap() {
    let stream = || async {
        let chunk = axum::body::Bytes::from(vec![b' '; 1 << 20]);
        let body = axum::body::Body::from_stream(Repeat { chunk, left: 300 });
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    let target =
        serve(Router::new().route("/.well-known/oauth-protected-resource", get(stream))).await;
    let r = check(
        target,
        CaptureOptions {
            max_body: 2 << 20,
            ..CaptureOptions::default()
        },
        "prm",
    )
    .await;
    assert!(
        outcome(&r, "prm.wellknown-insert")
            .message
            .contains("--max-body")
    );
    assert_eq!(r.verdict, Verdict::Incomplete);
    let peak_kib: u64 = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0);
    assert!(
        peak_kib < 100 * 1024,
        "resident memory stayed bounded: {peak_kib} KiB"
    );
}

/// `n` copies of `chunk` as a body stream, produced lazily (the server never holds 300 MiB).
struct Repeat {
    chunk: axum::body::Bytes,
    left: usize,
}

impl futures_core::Stream for Repeat {
    type Item = Result<axum::body::Bytes, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        self.left -= 1;
        std::task::Poll::Ready(Some(Ok(self.chunk.clone())))
    }
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
