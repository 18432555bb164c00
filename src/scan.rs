//! `scan`: many deployments with bounded concurrency and one run at a time per origin, streamed.

use crate::capture::CaptureOptions;
use crate::report::Verdict;
use crate::run::{self, CheckConfig};
use crate::select::Selection;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use tokio::sync::{Semaphore, mpsc};

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Targets checked at once.
    pub jobs: usize,
    /// `(k, n)`: only every n-th target, starting at the k-th (1-based), for splitting across CI jobs.
    pub shard: Option<(usize, usize)>,
    /// Options of each target's capture (its key, timeout, budget, profile).
    pub capture: CaptureOptions,
    pub selection: Selection,
    pub strict: bool,
}

/// One JSON line of output: a target's verdict in brief.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    pub target: String,
    /// `pass`, `fail`, `incomplete`, or `error` when the target could not be checked at all.
    pub verdict: String,
    pub pass: usize,
    pub fail: usize,
    pub skip: usize,
    pub errors: usize,
    pub failed_requirements: Vec<String>,
    pub duration_ms: u64,
    pub requests: usize,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// For `incomplete`: the rows that decide the verdict but could not be judged.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unjudged: Vec<String>,
    /// For `incomplete`: why, in the words of the first row not judged.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
}

/// Totals of a scan, for the closing table.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub targets: usize,
    pub by_verdict: BTreeMap<String, usize>,
    /// How many targets failed each requirement ID.
    pub failures: BTreeMap<String, usize>,
    /// Targets named again after their first line, and not scanned again.
    pub duplicates: usize,
}

impl Totals {
    /// Counts one target's line.
    pub fn add(&mut self, l: &Line) {
        self.targets += 1;
        *self.by_verdict.entry(l.verdict.clone()).or_default() += 1;
        for r in &l.failed_requirements {
            *self.failures.entry(r.clone()).or_default() += 1;
        }
    }

    /// The most common failures, most frequent first.
    pub fn top_failures(&self, n: usize) -> Vec<(&str, usize)> {
        let mut v: Vec<(&str, usize)> = self
            .failures
            .iter()
            .map(|(k, c)| (k.as_str(), *c))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.truncate(n);
        v
    }
}

/// Whether the `index`-th target (0-based) belongs to shard `k` of `n`.
pub fn in_shard(index: usize, shard: Option<(usize, usize)>) -> bool {
    shard.is_none_or(|(k, n)| index % n == k - 1)
}

async fn check_one(target: String, opts: Arc<ScanOptions>) -> Line {
    let cfg = CheckConfig {
        target: target.clone(),
        capture: opts.capture.clone(),
        selection: opts.selection.clone(),
        strict: opts.strict,
    };
    let t0 = std::time::Instant::now();
    match run::check(&cfg).await {
        Ok(r) => {
            let mut failed: Vec<String> = r
                .results
                .iter()
                .filter(|x| {
                    x.outcome == crate::finding::Outcome::Fail
                        && x.level == crate::checks::Level::Must
                        && !x.is_consequence()
                })
                .flat_map(|x| x.requirements.clone())
                .collect();
            failed.sort();
            failed.dedup();
            let unjudged: Vec<&crate::report::CheckResult> = r
                .results
                .iter()
                .filter(|x| {
                    crate::report::gate::weight(x, r.strict)
                        == crate::report::gate::Weight::Unjudged
                })
                .collect();
            let reason = (r.verdict == Verdict::Incomplete)
                .then(|| unjudged.first().map(|x| format!("{}: {}", x.id, x.message)))
                .flatten();
            Line {
                target,
                verdict: r.verdict.as_str().into(),
                pass: r.summary.pass,
                fail: r.summary.fail,
                skip: r.summary.skip,
                errors: r.summary.error,
                failed_requirements: failed,
                duration_ms: r.duration_ms,
                requests: r.requests,
                error: None,
                unjudged: unjudged.iter().map(|x| x.id.clone()).collect(),
                reason,
            }
        }
        Err(e) => Line {
            target,
            verdict: "error".into(),
            pass: 0,
            fail: 0,
            skip: 0,
            errors: 0,
            failed_requirements: Vec::new(),
            duration_ms: t0.elapsed().as_millis() as u64,
            requests: 0,
            error: Some(e.to_string()),
            unjudged: Vec::new(),
            reason: None,
        },
    }
}

fn origin_of(target: &str) -> String {
    url::Url::parse(target)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| target.to_string())
}

/// Scans the targets `lines` yields (blank lines and `#` comments skipped), calling `emit` for each
/// finished target as soon as it finishes. Memory stays flat: only in-flight targets are held.
pub async fn scan(
    lines: impl Iterator<Item = String> + Send + 'static,
    opts: ScanOptions,
    mut emit: impl FnMut(&Line),
) -> Totals {
    // Reading may block (stdin); it runs on its own thread and hands targets over a bounded channel.
    let (line_tx, mut line_rx) = mpsc::channel::<String>(64);
    let reader = tokio::task::spawn_blocking(move || {
        for l in lines {
            if line_tx.blocking_send(l).is_err() {
                break;
            }
        }
    });
    let opts = Arc::new(opts);
    let jobs = Arc::new(Semaphore::new(opts.jobs.max(1)));
    let per_origin: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = Arc::default();
    let (tx, mut rx) = mpsc::channel::<Line>(opts.jobs.max(1) * 2);
    let opts2 = opts.clone();
    let duplicates: Arc<Mutex<usize>> = Arc::default();
    let dup_count = duplicates.clone();
    let producer = tokio::spawn(async move {
        let mut index = 0;
        // A target named twice is scanned once (before sharding, so every shard agrees).
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        while let Some(line) = line_rx.recv().await {
            let target = line.trim().to_string();
            if target.is_empty() || target.starts_with('#') {
                continue;
            }
            if !seen.insert(target.clone()) {
                if let Ok(mut d) = duplicates.lock() {
                    *d += 1;
                }
                continue;
            }
            let mine = in_shard(index, opts2.shard);
            index += 1;
            if !mine {
                continue;
            }
            let Ok(permit) = jobs.clone().acquire_owned().await else {
                break;
            };
            let lock = per_origin
                .lock()
                .map(|mut m| m.entry(origin_of(&target)).or_default().clone())
                .ok();
            let (tx, opts) = (tx.clone(), opts2.clone());
            tokio::spawn(async move {
                // One run at a time per origin: a registry full of one host's servers stays polite.
                let _turn = match &lock {
                    Some(l) => Some(l.lock().await),
                    None => None,
                };
                let line = check_one(target, opts).await;
                drop(permit);
                let _ = tx.send(line).await;
            });
        }
    });
    drop(opts);
    let mut totals = Totals::default();
    while let Some(line) = rx.recv().await {
        totals.add(&line);
        emit(&line);
    }
    let _ = producer.await;
    let _ = reader.await;
    totals.duplicates = dup_count.lock().map_or(0, |d| *d);
    totals
}

/// The shard a CI job runner assigns: GitLab's `CI_NODE_INDEX`/`CI_NODE_TOTAL` (1-based), or a
/// Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` (0-based) with `JOB_COMPLETIONS` (the job's
/// `completions`, which the manifest passes in: Kubernetes sets only the index).
pub fn shard_from_env(var: impl Fn(&str) -> Option<String>) -> Result<(usize, usize), String> {
    let num = |name: &str| -> Result<Option<usize>, String> {
        var(name)
            .map(|v| {
                v.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("{name}={v:?} is not a number"))
            })
            .transpose()
    };
    let (k, n) = match (num("CI_NODE_INDEX")?, num("CI_NODE_TOTAL")?) {
        (Some(k), Some(n)) => (k, n),
        _ => match (num("JOB_COMPLETION_INDEX")?, num("JOB_COMPLETIONS")?) {
            (Some(i), Some(n)) => (i + 1, n),
            (Some(_), None) => {
                return Err("JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not (set it to the Job's completions)".into());
            }
            _ => {
                return Err("no shard in the environment (CI_NODE_INDEX/CI_NODE_TOTAL, or JOB_COMPLETION_INDEX/JOB_COMPLETIONS)".into());
            }
        },
    };
    if n == 0 || k == 0 || k > n {
        return Err(format!(
            "the environment's shard {k}/{n} is not 1 <= K <= N"
        ));
    }
    Ok((k, n))
}

/// Merges the JSON lines of many shards (`scan` outputs) into totals, counting each target once.
pub fn merge_lines(text: &str, source: &str) -> Result<(Totals, Vec<Line>), String> {
    let mut totals = Totals::default();
    let mut lines: Vec<Line> = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let line: Line = serde_json::from_str(l)
            .map_err(|e| format!("{source} line {}: not a scan line: {e}", i + 1))?;
        if lines.iter().any(|x| x.target == line.target) {
            continue;
        }
        totals.add(&line);
        lines.push(line);
    }
    Ok((totals, lines))
}

/// One Markdown report of a merged scan: verdicts, the most common MUST failures, every target.
pub fn markdown(totals: &Totals, lines: &[Line]) -> String {
    use std::fmt::Write;
    let mut out = format!(
        "## authspec scan: {} targets\n\n| verdict | targets |\n|---|---:|\n",
        totals.targets
    );
    for (v, n) in &totals.by_verdict {
        let _ = writeln!(out, "| {v} | {n} |");
    }
    let top = totals.top_failures(10);
    if !top.is_empty() {
        let _ = writeln!(
            out,
            "\n### Most common MUST failures\n\n| requirement | targets |\n|---|---:|"
        );
        for (id, n) in top {
            let _ = writeln!(out, "| {id} | {n} |");
        }
    }
    let _ = writeln!(
        out,
        "\n<details><summary>every target</summary>\n\n| target | verdict | failed |\n|---|---|---|"
    );
    for l in lines {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            l.target.replace('|', "\\|"),
            l.verdict,
            failed_cell(l).replace('|', "\\|").replace('\n', " ")
        );
    }
    let _ = writeln!(out, "\n</details>");
    out
}

/// What the `failed` column says of a target: its MUST failures; for one not fully judged, what
/// was not judged and why; for one not checked at all, the error.
fn failed_cell(l: &Line) -> String {
    if !l.failed_requirements.is_empty() {
        return l.failed_requirements.join(", ");
    }
    if let Some(e) = &l.error {
        return format!("not checked: {e}");
    }
    match (&l.reason, l.unjudged.is_empty()) {
        (Some(r), _) => format!("not judged: {} ({r})", l.unjudged.join(", ")),
        (None, false) => format!("not judged: {}", l.unjudged.join(", ")),
        (None, true) => String::new(),
    }
}

/// The process exit code of a scan: 1 if any target failed, 3 if any could not be fully judged.
pub fn exit_code(t: &Totals) -> i32 {
    if t.by_verdict
        .get(Verdict::Fail.as_str())
        .is_some_and(|n| *n > 0)
    {
        1
    } else if t
        .by_verdict
        .iter()
        .any(|(k, n)| (k == "incomplete" || k == "error") && *n > 0)
    {
        3
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_targets() {
        let picked: Vec<Vec<usize>> = (1..=3)
            .map(|k| (0..10).filter(|i| in_shard(*i, Some((k, 3)))).collect())
            .collect();
        assert_eq!(picked[0], [0, 3, 6, 9]);
        assert_eq!(picked[1], [1, 4, 7]);
        assert_eq!(picked[2], [2, 5, 8]);
        assert!(in_shard(5, None));
    }

    #[test]
    fn shards_from_the_job_runner() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            shard_from_env(env(&[("CI_NODE_INDEX", "2"), ("CI_NODE_TOTAL", "4")])),
            Ok((2, 4))
        );
        assert_eq!(
            shard_from_env(env(&[
                ("JOB_COMPLETION_INDEX", "0"),
                ("JOB_COMPLETIONS", "3")
            ])),
            Ok((1, 3))
        );
        assert!(shard_from_env(env(&[("JOB_COMPLETION_INDEX", "0")])).is_err());
        assert!(shard_from_env(env(&[])).is_err());
        assert!(shard_from_env(env(&[("CI_NODE_INDEX", "5"), ("CI_NODE_TOTAL", "4")])).is_err());
    }
}
