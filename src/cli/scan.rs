//! `authspec scan` and `scan-summary`: many deployments, JSON lines out, shards merged.

use super::files::read_capped;
use super::values::{parse_duration, parse_shard};
use anyhow::{Context, Result, bail};
use authspec::capture::CaptureOptions;
use authspec::profile::Profile;
use authspec::select::Selection;
use clap::Args;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub(crate) struct ScanArgs {
    /// File with one resource URL per line (# comments and blank lines skipped), or - for stdin.
    pub(crate) targets: PathBuf,
    /// Targets checked at once (one at a time per origin regardless).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub(crate) jobs: u16,
    /// Check only shard K of N (every N-th target from the K-th), to split a scan across CI jobs;
    /// `auto` reads it from the job runner (GitLab CI_NODE_INDEX/CI_NODE_TOTAL, or a Kubernetes
    /// Indexed Job's JOB_COMPLETION_INDEX with JOB_COMPLETIONS).
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub(crate) shard: Option<(usize, usize)>,
    /// Profile for every target.
    #[arg(long, value_enum, default_value = "auth-md")]
    pub(crate) profile: Profile,
    /// Per-request timeout.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub(crate) timeout: Duration,
    /// Most requests per target.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) max_requests: u64,
    /// SHOULD-level failures fail a target's verdict too.
    #[arg(long)]
    pub(crate) strict: bool,
    /// MCP specification version for --profile mcp [default: 2026-07-28].
    #[arg(long, value_enum)]
    pub(crate) mcp_version: Option<authspec::profile::McpVersion>,
}

pub(crate) async fn cmd_scan(a: ScanArgs) -> Result<u8> {
    if a.mcp_version.is_some() && a.profile != Profile::Mcp {
        bail!("--mcp-version applies only with --profile mcp");
    }
    let lines: Box<dyn Iterator<Item = String> + Send> = if a.targets.as_os_str() == "-" {
        Box::new(
            std::io::BufReader::new(std::io::stdin())
                .lines()
                .map_while(Result::ok),
        )
    } else {
        match std::fs::metadata(&a.targets) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "targets file {} does not exist (give a file of resource URLs, one per line, or - for stdin)",
                a.targets.display()
            ),
            Ok(m) if !m.is_file() => bail!(
                "targets file {} is not a file (give a file of resource URLs, one per line, or - for stdin)",
                a.targets.display()
            ),
            _ => {}
        }
        let f = std::fs::File::open(&a.targets)
            .with_context(|| format!("cannot read {}", a.targets.display()))?;
        Box::new(std::io::BufReader::new(f).lines().map_while(Result::ok))
    };
    let opts = authspec::scan::ScanOptions {
        jobs: usize::from(a.jobs),
        shard: a.shard,
        capture: CaptureOptions {
            timeout: a.timeout,
            max_requests: a.max_requests as usize,
            profile: a.profile,
            mcp_version: a.mcp_version.unwrap_or_default(),
            ..CaptureOptions::default()
        },
        selection: Selection::default(),
        strict: a.strict,
    };
    let t0 = std::time::Instant::now();
    let mut stdout = std::io::stdout().lock();
    let totals = authspec::scan::scan(lines, opts, |line| {
        if let Ok(text) = serde_json::to_string(line) {
            let _ = writeln!(stdout, "{text}");
            let _ = stdout.flush();
        }
    })
    .await;
    // Scanning nothing is a mistake in the input, never a green scan (a shard may be empty).
    if totals.targets == 0 && a.shard.is_none() {
        bail!(
            "{} names no target (one resource URL per line; # starts a comment)",
            a.targets.display()
        );
    }
    eprintln!(
        "\nscanned {} targets in {:.1} s",
        totals.targets,
        t0.elapsed().as_secs_f64()
    );
    for (verdict, n) in &totals.by_verdict {
        eprintln!("  {verdict:<11} {n}");
    }
    if totals.duplicates > 0 {
        eprintln!(
            "  {} duplicate target line(s) skipped (each target is scanned once)",
            totals.duplicates
        );
    }
    let top = totals.top_failures(10);
    if !top.is_empty() {
        eprintln!("most common MUST failures (targets):");
        for (id, n) in top {
            eprintln!("  {n:>6}  {id}");
        }
    }
    Ok(authspec::scan::exit_code(&totals) as u8)
}

pub(crate) fn cmd_scan_summary(files: &[PathBuf]) -> Result<u8> {
    let mut text = String::new();
    for f in files {
        let body = String::from_utf8(read_capped(f, 1 << 30)?)
            .with_context(|| format!("{} is not UTF-8", f.display()))?;
        // Each file is checked on its own, so an error names the right file and line.
        authspec::scan::merge_lines(&body, &f.display().to_string())
            .map_err(|e| anyhow::anyhow!(e))?;
        text.push_str(&body);
        text.push('\n');
    }
    let (totals, lines) =
        authspec::scan::merge_lines(&text, "input").map_err(|e| anyhow::anyhow!(e))?;
    if totals.targets == 0 {
        bail!("the scan files hold no target");
    }
    eprintln!(
        "merged {} targets from {} files",
        totals.targets,
        files.len()
    );
    for (verdict, n) in &totals.by_verdict {
        eprintln!("  {verdict:<11} {n}");
    }
    print!("{}", authspec::scan::markdown(&totals, &lines));
    Ok(authspec::scan::exit_code(&totals) as u8)
}
