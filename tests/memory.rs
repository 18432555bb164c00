//! Memory stays bounded whatever the body size: a 300 MiB body, with and without Content-Length,
//! is cut at --max-body. Its own test binary, so no other test's allocations share the peak.

use authspec::capture::CaptureOptions;
use authspec::report::Verdict;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

mod common;
use common::{check, outcome, serve};

#[tokio::test]
async fn a_300_mib_body_is_cut_at_the_cap() {
    huge_body(false).await;
}

#[tokio::test]
async fn a_300_mib_body_with_content_length_is_cut_at_the_cap() {
    huge_body(true).await;
}

async fn huge_body(with_length: bool) {
    let stream = move || async move {
        let chunk = axum::body::Bytes::from(vec![b' '; 1 << 20]);
        let body = axum::body::Body::from_stream(Repeat { chunk, left: 300 });
        let mut resp = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
        if with_length {
            resp.headers_mut()
                .insert(header::CONTENT_LENGTH, (300u64 << 20).into());
        }
        resp
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
