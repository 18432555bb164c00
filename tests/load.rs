//! The mock under load: its limits hold exactly with 64 clients sharing one key, and a revoked
//! key is refused for every request that starts after the revocation answered.

use authspec::mock::{self, MockOptions};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_clients_get_exactly_the_quota_and_consistent_remaining_values() {
    let m = mock::start(
        ([127, 0, 0, 1], 0).into(),
        MockOptions {
            per_second: 10,
            monthly_quota: 25,
            ..MockOptions::default()
        },
    )
    .await
    .expect("mock");
    let url = format!("{}/v1/jobs/search", m.base_url());
    let client = reqwest::Client::new();
    let done = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (client, url, key, done) =
            (client.clone(), url.clone(), m.api_key.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..100 {
                if done.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(r) = client.post(&url).bearer_auth(&key).body("{}").send().await else {
                    continue;
                };
                let remaining = r
                    .headers()
                    .get("ratelimit-remaining")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<i64>().ok());
                if r.status() == 402 {
                    done.store(true, Ordering::SeqCst);
                }
                seen.push((r.status().as_u16(), remaining));
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            seen
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client task"));
    }
    let ok: Vec<i64> = all
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, r)| r.expect("every 200 carries RateLimit-Remaining"))
        .collect();
    assert_eq!(ok.len(), 25, "exactly the monthly quota was admitted");
    assert!(
        all.iter().any(|(s, _)| *s == 402),
        "quota exhaustion answers 402"
    );
    assert!(
        all.iter().all(|(s, _)| matches!(s, 200 | 402 | 429)),
        "only 200, 402 and 429"
    );
    // Each window hands out 9, 8, …, 0 in order, so no value is seen more often than a larger one.
    let mut count: BTreeMap<i64, usize> = BTreeMap::new();
    for r in &ok {
        assert!(
            (0..=9).contains(r),
            "remaining {r} is within the per-second limit"
        );
        *count.entry(*r).or_default() += 1;
    }
    for v in 0..9 {
        assert!(
            count.get(&v).copied().unwrap_or(0) <= count.get(&(v + 1)).copied().unwrap_or(0),
            "remaining values {count:?}"
        );
    }
    m.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_after_revocation_gets_401() {
    let m = mock::start(([127, 0, 0, 1], 0).into(), MockOptions::default())
        .await
        .expect("mock");
    let url = format!("{}/v1/usage", m.base_url());
    let revoke = format!("{}/agent/auth/revoke", m.base_url());
    let client = reqwest::Client::new();
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (client, url, key) = (client.clone(), url.clone(), m.revocable_key.clone());
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            while t0.elapsed() < Duration::from_millis(600) {
                let started = t0.elapsed();
                if let Ok(r) = client.get(&url).bearer_auth(&key).send().await {
                    seen.push((started, r.status().as_u16()));
                }
            }
            seen
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = client
        .post(&revoke)
        .bearer_auth(&m.revocable_key)
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status(), 200);
    let revoked_at = t0.elapsed();
    let mut after = 0;
    for t in tasks {
        for (started, status) in t.await.expect("client task") {
            if started > revoked_at {
                after += 1;
                assert_eq!(
                    status, 401,
                    "a request started {started:?} after revocation ({revoked_at:?}) got {status}"
                );
            }
        }
    }
    assert!(after > 0, "some requests started after the revocation");
    m.stop().await;
}

#[tokio::test]
async fn the_seeds_retryable_upstream_errors_can_be_triggered_and_are_problem_json() {
    let m = mock::start(([127, 0, 0, 1], 0).into(), MockOptions::default())
        .await
        .expect("mock");
    let client = reqwest::Client::new();
    for code in [502u16, 504] {
        let r = client
            .post(format!("{}/v1/jobs/search", m.base_url()))
            .bearer_auth(&m.api_key)
            .body(format!("{{\"simulate\": \"{code}\"}}"))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), code);
        assert_eq!(
            r.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
        let body: serde_json::Value = r.json().await.expect("JSON body");
        assert_eq!(body["status"], code);
    }
    m.stop().await;
}
