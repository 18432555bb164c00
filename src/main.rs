//! The `authspec` command line: the binary's edge, where errors become one line and exit code 2.

use anyhow::{Context, Result, bail};
use authspec::capture::{CaptureOptions, Endpoint};
use authspec::checks::{self, Profile};
use authspec::config::Config;
use authspec::mock::{self, MockOptions};
use authspec::report::{Report, github, html, human, json, junit, markdown, sarif};
use authspec::run::{self, CheckConfig, LintKind, RunError};
use authspec::select::Selection;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Conformance checks for agent-auth API deployments: RFC 9728, RFC 8414, JWKS and auth.md.
#[derive(Parser, Debug)]
#[command(name = "authspec", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a live deployment (or the bundled mock with --mock).
    Check(Box<CheckArgs>),
    /// Judge one document file offline, with the same checks and exit codes.
    Lint(LintArgs),
    /// Print the check catalogue.
    List(ListArgs),
    /// Explain checks: what each judges, where the spec says so, what a fix looks like.
    Explain {
        /// Check ids (prm.resource-match) or requirement IDs (PRM-RESOURCE-MATCH).
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Run the reference deployment until interrupted.
    Mock(MockArgs),
    /// Re-judge a capture file (from `check --capture`) with no network.
    Replay(ReplayArgs),
    /// Check many deployments: one resource URL per line of a file (or - for stdin); JSON lines out.
    Scan(ScanArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from the same definitions as --help.
    Man,
    /// Merge the JSON lines of many scan shards into one summary (stderr) and one Markdown report.
    ScanSummary {
        /// JSON-lines files written by `authspec scan` (one per shard).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Record today's failures as waivers (reason and expiry) in authspec.toml, to gate on new ones.
    Baseline(Box<BaselineArgs>),
}

#[derive(Args, Debug)]
struct BaselineArgs {
    #[command(flatten)]
    check: CheckArgs,
    /// Why today's failures are accepted for now; every waiver carries it.
    #[arg(long)]
    reason: String,
    /// Last day the waivers hold, YYYY-MM-DD (a waiver past it fails the run).
    #[arg(long, value_parser = parse_date)]
    expires: toml::value::Datetime,
}

#[derive(Args, Debug)]
struct ScanArgs {
    /// File with one resource URL per line (# comments and blank lines skipped), or - for stdin.
    targets: PathBuf,
    /// Targets checked at once (one at a time per origin regardless).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: u16,
    /// Check only shard K of N (every N-th target from the K-th), to split a scan across CI jobs;
    /// `auto` reads it from the job runner (GitLab CI_NODE_INDEX/CI_NODE_TOTAL, or a Kubernetes
    /// Indexed Job's JOB_COMPLETION_INDEX with JOB_COMPLETIONS).
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
    /// Profile for every target.
    #[arg(long, value_enum, default_value = "auth-md")]
    profile: Profile,
    /// Per-request timeout.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    timeout: Duration,
    /// Most requests per target.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    max_requests: u64,
    /// SHOULD-level failures fail a target's verdict too.
    #[arg(long)]
    strict: bool,
    /// MCP specification version for --profile mcp [default: 2026-07-28].
    #[arg(long, value_enum)]
    mcp_version: Option<authspec::checks::McpVersion>,
}

#[derive(Args, Debug)]
struct ReplayArgs {
    /// A capture file written by `authspec check --capture FILE`.
    file: PathBuf,
    #[command(flatten)]
    out: Output,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Junit,
    Sarif,
    Markdown,
    /// GitHub Actions workflow-command annotations.
    Github,
    /// One self-contained HTML page.
    Html,
    /// An SVG verdict badge (profile, verdict, date, tool version) for a self-certification page.
    Badge,
}

#[derive(Args, Debug, Clone)]
struct Output {
    /// Profile: which body of rules applies [default: auth-md; lint: rfc, or auth-md for a document with agent_auth; replay: the recorded one].
    #[arg(long = "profile", value_enum)]
    profile_arg: Option<Profile>,
    /// Format written to stdout.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Also write a report: FORMAT=FILE (repeatable; human, json, junit, sarif, markdown, github, html, badge).
    #[arg(long = "report", value_name = "FORMAT=FILE")]
    reports: Vec<String>,
    /// Run only checks matching this id, area or requirement ID (glob; repeatable).
    #[arg(long, value_name = "PATTERN")]
    only: Vec<String>,
    /// Skip checks matching this id, area or requirement ID (glob; repeatable).
    #[arg(long, value_name = "PATTERN")]
    skip: Vec<String>,
    /// SHOULD-level failures fail the verdict too.
    #[arg(long)]
    strict: bool,
    /// Human output: every row, passes and rows the profile does not apply included.
    #[arg(long, short, conflicts_with = "quiet")]
    verbose: bool,
    /// Human output: only the verdict line.
    #[arg(long, short)]
    quiet: bool,
    /// Colour human output: auto (a terminal; NO_COLOR, CLICOLOR_FORCE, FORCE_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    color: human::ColorChoice,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// The resource identifier, e.g. https://api.example.com
    #[arg(conflicts_with = "mock")]
    resource_url: Option<String>,
    /// Start the bundled mock on a loopback port and check it with its own key.
    #[arg(long)]
    mock: bool,
    /// With --mock: break the mock with this fault (repeatable; see `authspec mock --list-faults`).
    #[arg(long, requires = "mock", value_name = "NAME")]
    fault: Vec<String>,
    /// API key for authenticated probes; sent only to the resource's origin.
    #[arg(long, env = "AUTHSPEC_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Per-request timeout: seconds, or a number with ms/s suffix.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    timeout: Duration,
    /// Largest body read per response (bytes, or KiB/MiB suffix).
    #[arg(long, default_value = "2MiB", value_parser = parse_size)]
    max_body: usize,
    /// Most requests one run may send.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    max_requests: u64,
    /// A protected endpoint to probe, "METHOD /path" (repeatable).
    #[arg(long, value_name = "METHOD /PATH", value_parser = parse_endpoint)]
    endpoint: Vec<Endpoint>,
    /// Follow discovered URLs that point at private or loopback addresses.
    #[arg(long)]
    allow_private: bool,
    /// Connect to ADDRESS for HOST:PORT, as curl's --resolve (repeatable).
    #[arg(long, value_name = "HOST:PORT:ADDRESS")]
    resolve: Vec<authspec::capture::Resolve>,
    /// Spend quota: keyed requests until a 429, then one retry after Retry-After.
    #[arg(long)]
    burst: bool,
    /// Allow requests that change state: the agent registration POST, key revocation, and one
    /// public client registered (RFC 7591) at each AS that offers registration, for one
    /// authorization request whose redirect is recorded, never followed.
    #[arg(long)]
    allow_side_effects: bool,
    /// A disposable key to revoke at revocation_uri (with --allow-side-effects). It is sent only
    /// to the resource's origin or to the origin of an issuer the PRM names: a revocation_uri on
    /// any other origin is not requested (no flag widens this).
    #[arg(long, env = "AUTHSPEC_REVOCABLE_KEY", hide_env_values = true)]
    revocable_key: Option<String>,
    /// A live key granted less scope than the probed MCP methods need: the 403
    /// insufficient_scope challenge is judged with it (skipped without one).
    #[arg(long, env = "AUTHSPEC_LOW_SCOPE_KEY", hide_env_values = true)]
    low_scope_key: Option<String>,
    /// Serve the CIMD probe's client ID metadata documents on ADDR (with --allow-side-effects): an
    /// AS advertising client_id_metadata_document_supported gets authorization requests naming
    /// documents it must refuse.
    #[arg(long, value_name = "ADDR")]
    cimd_serve: Option<std::net::SocketAddr>,
    /// The public base URL that reaches --cimd-serve (the AS fetches documents under it).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    cimd_url: Option<url::Url>,
    /// Send the API key once in the access_token query parameter, on the resource's origin only,
    /// to see whether the server accepts it (RFC 6750 §2.3). Servers may log query strings.
    #[arg(long)]
    probe_query_key: bool,
    /// Another origin that serves the api-catalog and OpenAPI (as the seed's jobspipe.dev does).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    site: Option<url::Url>,
    /// Where the OpenAPI description is, when no catalog links it.
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    openapi: Option<url::Url>,
    /// Longest wait for a Retry-After or a spent RateLimit window.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    max_wait: Duration,
    /// Write every exchange of the run (credentials redacted) to FILE, for `authspec replay`.
    #[arg(long, value_name = "FILE")]
    capture: Option<PathBuf>,
    /// MCP specification version for --profile mcp [default: 2026-07-28].
    #[arg(long, value_enum)]
    mcp_version: Option<authspec::checks::McpVersion>,
    /// A JSON-RPC method the MCP probe sends, without credentials and with a bad token
    /// (repeatable; default: server/discover and tools/list at 2026-07-28, initialize and
    /// tools/list before it). Name the methods your server protects.
    #[arg(long = "mcp-method", value_name = "METHOD", value_parser = parse_mcp_method)]
    mcp_methods: Vec<String>,
    /// Configuration file (default: ./authspec.toml when it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the merged configuration (file plus flags) as TOML and exit.
    #[arg(long)]
    print_config: bool,
    #[command(flatten)]
    out: Output,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Profile: without --profile, lint applies the RFCs alone (rfc), and adds the auth.md contract (auth-md) when the document carries an agent_auth block. --profile mcp applies the rows at the levels of MCP 2026-07-28, where a single document can show them."
)]
struct LintArgs {
    /// What the file holds.
    #[arg(value_enum)]
    kind: LintKind,
    /// The document (for headers: a status line and header lines, as `curl -si` prints them).
    file: PathBuf,
    /// The URL the document is served at (for headers: the URL of the request).
    #[arg(long)]
    url: String,
    #[command(flatten)]
    out: Output,
}

#[derive(Args, Debug)]
struct ListArgs {
    /// Show levels under this profile.
    #[arg(long, value_enum, default_value = "auth-md")]
    profile: Profile,
    /// With --profile mcp: the MCP version whose rows to name in the header [default: 2026-07-28].
    #[arg(long, value_enum)]
    mcp_version: Option<authspec::checks::McpVersion>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Args, Debug)]
struct MockArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// The API key to accept (random when absent).
    #[arg(long)]
    api_key: Option<String>,
    /// Break the mock with this fault (repeatable).
    #[arg(long, value_name = "NAME")]
    fault: Vec<String>,
    /// List the faults and exit.
    #[arg(long)]
    list_faults: bool,
    /// RateLimit fields to send: legacy RateLimit-* (default) or the -08+ structured fields.
    #[arg(long, value_enum, default_value = "legacy")]
    ratelimit_dialect: Dialect,
    /// Serve the api-catalog and OpenAPI on a second origin at this address (port 0 picks one).
    #[arg(long, value_name = "ADDR")]
    site_addr: Option<std::net::SocketAddr>,
    /// Delay every response by this many milliseconds (to measure runs against latency).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency: u64,
    /// rest: the JobsPipe-shaped REST API; mcp: an MCP server at /mcp.
    #[arg(long, value_enum, default_value = "rest")]
    mode: MockMode,
    /// The MCP version the mock speaks with --mode mcp [default: 2026-07-28].
    #[arg(long, value_enum)]
    mcp_version: Option<authspec::checks::McpVersion>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum MockMode {
    Rest,
    Mcp,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Dialect {
    Legacy,
    Structured,
}

impl Output {
    fn profile(&self) -> Profile {
        self.profile_arg.unwrap_or_default()
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60_000)
    } else {
        (t, 1000)
    };
    let v: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 10, 10s, 500ms or 5m"))?;
    let ms = v
        .checked_mul(scale)
        .filter(|ms| (1..=600_000).contains(ms))
        .ok_or_else(|| format!("{s:?} must be between 1 ms and 10 m (600 s)"))?;
    Ok(Duration::from_millis(ms))
}

fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (num, scale) = [
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
        ("B", 1),
    ]
    .iter()
    .find_map(|(suf, k)| t.strip_suffix(suf).map(|n| (n, *k)))
    .unwrap_or((t, 1));
    let v: usize = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 1GiB, 2MiB, 512KiB or 4096"))?;
    v.checked_mul(scale)
        .filter(|b| (1..=(1usize << 30)).contains(b))
        .ok_or_else(|| format!("{s:?} must be between 1 byte and 1 GiB"))
}

fn parse_url(s: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(s).map_err(|e| format!("{s:?} is not an absolute URL: {e}"))?;
    if matches!(u.scheme(), "http" | "https") {
        Ok(u)
    } else {
        Err(format!("{s:?} must be an http(s) URL"))
    }
}

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    if s.trim() == "auto" {
        return authspec::scan::shard_from_env(|k| std::env::var(k).ok());
    }
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?} is not K/N"))?;
    let (k, n): (usize, usize) = (
        k.trim()
            .parse()
            .map_err(|_| format!("{s:?}: K is not a number"))?,
        n.trim()
            .parse()
            .map_err(|_| format!("{s:?}: N is not a number"))?,
    );
    if n == 0 || k == 0 || k > n {
        return Err(format!("{s:?}: need 1 <= K <= N"));
    }
    Ok((k, n))
}

/// A calendar date `YYYY-MM-DD`, as waivers' `expires` takes it.
fn parse_date(s: &str) -> Result<toml::value::Datetime, String> {
    let d: toml::value::Datetime = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a date like 2027-03-31"))?;
    if d.date.is_none() || d.time.is_some() {
        return Err(format!("{s:?} is not a date like 2027-03-31"));
    }
    Ok(d)
}

/// A JSON-RPC method name as MCP uses them: `initialize`, `tools/list`, `notifications/…`.
fn parse_mcp_method(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'.'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?} is not a JSON-RPC method name (letters, digits and / _ - . such as tools/list)"
        ))
    }
}

fn parse_endpoint(s: &str) -> Result<Endpoint, String> {
    s.parse()
}

/// clap's message as one line that keeps its useful part: the first line, then the missing
/// arguments, the valid values or the suggestion it offers, and the subcommand's --help.
fn usage_line(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut out = lines
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .trim_end_matches(':')
        .to_string();
    use clap::CommandFactory;
    let sub = std::env::args()
        .nth(1)
        .filter(|a| Cli::command().get_subcommands().any(|s| s.get_name() == a));
    let mut help = sub.map_or("authspec --help".to_string(), |s| {
        format!("authspec {s} --help")
    });
    for l in lines {
        if let Some(usage) = l.strip_prefix("Usage: ") {
            // "Usage: authspec lint [OPTIONS] ..." names the subcommand whose --help to read.
            let words: Vec<&str> = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            help = format!("{} --help", words.join(" "));
        } else if l.starts_with("For more information") {
        } else if let Some(tip) = l.strip_prefix("tip: ") {
            out.push_str(&format!("; {tip}"));
        } else {
            out.push_str(&format!(" {l}"));
        }
    }
    format!("{out} (see {help})")
}

/// A reader that closed the pipe (`authspec list | head -1`) has read what it wanted: print! then
/// panics with a broken pipe, and the process ends quietly with success, as ripgrep does.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if text.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // Bare `authspec`: the usage, on stderr, and the usage-error exit code.
            eprint!("{}", e.render());
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("authspec: {}", usage_line(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        // The reader left (`| head`): what it wanted was written.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("authspec: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn dispatch(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Check(a) => runtime()?.block_on(cmd_check(*a)),
        Command::Lint(a) => cmd_lint(a),
        Command::List(a) => cmd_list(&a),
        Command::Explain { ids } => cmd_explain(&ids),
        Command::Mock(a) => runtime()?.block_on(cmd_mock(a)),
        Command::Replay(a) => cmd_replay(a),
        Command::Scan(a) => runtime()?.block_on(cmd_scan(a)),
        Command::Baseline(a) => runtime()?.block_on(cmd_baseline(*a)),
        Command::ScanSummary { files } => cmd_scan_summary(&files),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "authspec", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man => {
            use clap::CommandFactory;
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            Ok(0)
        }
    }
}

fn selection(out: &Output) -> Result<Selection> {
    let s = Selection {
        only: out.only.clone(),
        skip: out.skip.clone(),
    };
    if let Some(p) = s.unknown_patterns().first() {
        bail!(
            "--only/--skip pattern {p:?} matches no check id, area or requirement ID (see authspec list)"
        );
    }
    // A run that judges nothing must not pass: that is a selection mistake, not a verdict.
    if !checks::catalogue().any(|c| s.includes(c)) {
        bail!(
            "--only {:?} with --skip {:?} leaves no check to run (see authspec list)",
            s.only.join(","),
            s.skip.join(",")
        );
    }
    Ok(s)
}

/// Parsed `--report FORMAT=FILE` targets, validated before any work is done.
fn report_targets(out: &Output) -> Result<Vec<(Format, PathBuf)>> {
    out.reports
        .iter()
        .map(|r| {
            let (f, path) = r
                .split_once('=')
                .with_context(|| format!("--report {r:?} is not FORMAT=FILE"))?;
            let format = Format::from_str(f, true).map_err(|_| {
                anyhow::anyhow!("--report {r:?}: unknown format {f:?} (human, json, junit, sarif, markdown, github, html, badge)")
            })?;
            if path == "-" {
                bail!("--report {r:?}: reports are files; use --format {f} to write to stdout");
            }
            let path = PathBuf::from(path);
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if path.as_os_str().is_empty() || !dir.is_dir() {
                bail!("--report {r:?}: directory {} does not exist", dir.display());
            }
            Ok((format, path))
        })
        .collect()
}

fn cmd_lint(a: LintArgs) -> Result<u8> {
    let sel = selection(&a.out)?;
    let targets = report_targets(&a.out)?;
    let body = read_capped(&a.file, 16 << 20)?;
    let profile = a
        .out
        .profile_arg
        .unwrap_or_else(|| run::lint_profile(&body));
    let mut report = run::lint(a.kind, body, &a.url, profile, &sel, a.out.strict).map_err(usage)?;
    report.input_file = Some(a.file.to_string_lossy().replace('\\', "/"));
    emit(&report, &a.out, &targets, None)
}

fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        bail!("{} is not a file", path.display());
    }
    if meta.len() > cap {
        bail!("{} is larger than {} MiB", path.display(), cap >> 20);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn usage(e: RunError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Reads `--config FILE`, or ./authspec.toml when present.
fn load_config(path: Option<&Path>) -> Result<Config> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("authspec.toml"), false),
    };
    if !required && !path.is_file() {
        return Ok(Config::default());
    }
    let bytes = read_capped(&path, 1 << 20)?;
    let text =
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))?;
    Ok(Config::parse(&text, &path.display().to_string())?)
}

/// Flags override the file: a flag that was given wins, the file fills in the rest.
fn merge(mut a: CheckArgs, cfg: &Config) -> Result<(CheckArgs, Config)> {
    if a.resource_url.is_none() && !a.mock {
        a.resource_url = cfg.target.clone();
    }
    if a.endpoint.is_empty() {
        a.endpoint = cfg
            .endpoints
            .iter()
            .map(|e| {
                e.parse()
                    .map_err(|m| anyhow::anyhow!("config endpoints: {m}"))
            })
            .collect::<Result<_>>()?;
    }
    a.out.profile_arg = a.out.profile_arg.or(cfg.profile);
    if a.site.is_none() {
        a.site = cfg
            .site
            .as_deref()
            .map(parse_url)
            .transpose()
            .map_err(|m| anyhow::anyhow!("config site: {m}"))?;
    }
    if a.openapi.is_none() {
        a.openapi = cfg
            .openapi
            .as_deref()
            .map(parse_url)
            .transpose()
            .map_err(|m| anyhow::anyhow!("config openapi: {m}"))?;
    }
    a.out.strict = a.out.strict || cfg.strict.unwrap_or(false);
    if a.out.only.is_empty() {
        a.out.only = cfg.only.clone();
    }
    if a.out.skip.is_empty() {
        a.out.skip = cfg.skip.clone();
    }
    let merged = Config {
        target: a.resource_url.clone(),
        endpoints: a.endpoint.iter().map(ToString::to_string).collect(),
        profile: Some(a.out.profile()),
        site: a.site.as_ref().map(ToString::to_string),
        openapi: a.openapi.as_ref().map(ToString::to_string),
        strict: Some(a.out.strict),
        only: a.out.only.clone(),
        skip: a.out.skip.clone(),
        waivers: cfg.waivers.clone(),
    };
    Ok((a, merged))
}

/// Flags that would do nothing in this run are usage errors: a flag silently ignored is a check the
/// user believes ran.
fn ignored_flags(a: &CheckArgs) -> Result<()> {
    let mcp = a.out.profile() == Profile::Mcp;
    if !a.fault.is_empty() && !a.mock {
        bail!("--fault breaks the bundled mock, so it needs --mock");
    }
    if a.mcp_version.is_some() && !mcp {
        bail!("--mcp-version applies only with --profile mcp");
    }
    if !a.mcp_methods.is_empty() && !mcp {
        bail!("--mcp-method applies only with --profile mcp");
    }
    if a.probe_query_key && a.api_key.is_none() && !a.mock {
        bail!("--probe-query-key sends the API key in the query string, so it needs --api-key");
    }
    if a.cimd_serve.is_some() && !a.allow_side_effects {
        bail!(
            "--cimd-serve makes the AS fetch documents authspec serves, so it needs --allow-side-effects"
        );
    }
    if a.cimd_url.is_some() && a.cimd_serve.is_none() {
        bail!("--cimd-url names the public URL of --cimd-serve, so it needs --cimd-serve");
    }
    let low_from_env = std::env::var("AUTHSPEC_LOW_SCOPE_KEY").ok() == a.low_scope_key;
    if a.low_scope_key.is_some() && !mcp && !low_from_env {
        bail!(
            "--low-scope-key judges the MCP 403 insufficient_scope challenge, so it needs --profile mcp"
        );
    }
    // From the environment it may be set for every job of a pipeline; only the flag is refused.
    let from_env = std::env::var("AUTHSPEC_REVOCABLE_KEY").ok() == a.revocable_key;
    if a.revocable_key.is_some() && !a.allow_side_effects && !from_env {
        bail!(
            "--revocable-key is only used with --allow-side-effects (revoking it is a side effect)"
        );
    }
    Ok(())
}

async fn cmd_check(a: CheckArgs) -> Result<u8> {
    match run_check(a, true).await? {
        None => Ok(0),
        Some(c) => emit(&c.report, &c.out, &c.targets, c.capture_sha.as_deref()),
    }
}

/// A finished check and what its output needs.
struct Checked {
    report: Report,
    out: Output,
    targets: Vec<(Format, PathBuf)>,
    capture_sha: Option<String>,
}

/// Runs `check` (or prints the merged configuration and returns `None`). A `--config` file must
/// exist unless `config_must_exist` is false (baseline creates it).
async fn run_check(a: CheckArgs, config_must_exist: bool) -> Result<Option<Checked>> {
    let cfg = match a.config.as_deref() {
        Some(p) if !config_must_exist && !p.exists() => Config::default(),
        p => load_config(p)?,
    };
    let (a, merged) = merge(a, &cfg)?;
    if a.print_config {
        print!("{}", merged.to_toml());
        return Ok(None);
    }
    if a.resource_url.is_none() && !a.mock {
        bail!("no resource URL: give one, use --mock, or set target in authspec.toml");
    }
    ignored_flags(&a)?;
    let sel = selection(&a.out)?;
    let targets = report_targets(&a.out)?;
    if let Some(p) = &a.capture {
        check_writable(p, "--capture")?;
    }
    let mut capture = CaptureOptions {
        timeout: a.timeout,
        max_body: a.max_body,
        max_requests: a.max_requests as usize,
        api_key: a.api_key.filter(|k| !k.trim().is_empty()),
        endpoints: a.endpoint,
        allow_private: a.allow_private,
        profile: a.out.profile(),
        burst: a.burst,
        allow_side_effects: a.allow_side_effects,
        revocable_key: a.revocable_key.filter(|k| !k.trim().is_empty()),
        low_scope_key: a.low_scope_key.filter(|k| !k.trim().is_empty()),
        probe_query_key: a.probe_query_key,
        cimd_listen: a.cimd_serve,
        cimd_base: a.cimd_url,
        site: a.site,
        openapi: a.openapi,
        max_wait: a.max_wait,
        mcp_version: a.mcp_version.unwrap_or_default(),
        resolve: a.resolve,
        mcp_methods: a.mcp_methods,
        ..CaptureOptions::default()
    };
    let mut _mock = None;
    let target = if a.mock {
        let faults = a
            .fault
            .iter()
            .map(|n| {
                mock::faults::find(n).with_context(|| {
                    format!("--fault {n:?} is not a mock fault (see authspec mock --list-faults)")
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let m = mock::start(
            ([127, 0, 0, 1], 0).into(),
            MockOptions {
                faults,
                mcp: a.out.profile() == Profile::Mcp,
                mcp_version: a.mcp_version.unwrap_or_default(),
                ..MockOptions::default()
            },
        )
        .await
        .context("cannot start the mock")?;
        capture = m.capture_options(capture);
        let t = m.resource_url().to_string();
        _mock = Some(m);
        t
    } else {
        let t = a.resource_url.unwrap_or_default();
        run::parse_target(&t).map_err(usage)?;
        t
    };
    let mut cfg = CheckConfig {
        target,
        capture,
        selection: sel,
        strict: a.out.strict,
    };
    let bar = progress_bar(&mut cfg);
    let result = run::check_recorded(&cfg).await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let (mut report, recorded) = result.map_err(usage)?;
    if !merged.waivers.is_empty() {
        authspec::report::apply_waivers(&mut report, &merged.waivers, &run::now_rfc3339()[..10]);
    }
    let mut capture_sha = None;
    if let Some(p) = &a.capture {
        let text = serde_json::to_string_pretty(&recorded)?;
        write_atomically(p, &text)?;
        capture_sha = Some(sha256_hex(text.as_bytes()));
    }
    if let Some(m) = _mock {
        m.stop().await;
    }
    Ok(Some(Checked {
        report,
        out: a.out,
        targets,
        capture_sha,
    }))
}

fn cmd_scan_summary(files: &[PathBuf]) -> Result<u8> {
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

/// `authspec baseline`: today's failures become waivers with a reason and an expiry, appended to
/// the configuration file, so a team gates on new failures from the first day.
async fn cmd_baseline(a: BaselineArgs) -> Result<u8> {
    let file = a
        .check
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("authspec.toml"));
    check_writable(&file, "--config")?;
    let Some(c) = run_check(a.check, false).await? else {
        return Ok(0);
    };
    let r = &c.report;
    let ids: Vec<&str> = r
        .results
        .iter()
        .filter(|x| x.outcome == authspec::finding::Outcome::Fail)
        .filter(|x| x.waived.is_none() && !x.is_consequence())
        .filter(|x| x.level != authspec::checks::Level::May)
        .map(|x| x.id.as_str())
        .collect();
    let existing = if file.is_file() {
        String::from_utf8(read_capped(&file, 1 << 20)?)
            .with_context(|| format!("{} is not UTF-8", file.display()))?
    } else {
        String::new()
    };
    let mut text = existing.clone();
    for id in &ids {
        text.push_str(&format!(
            "\n[[waiver]]\nid = {}\nreason = {}\nexpires = {}\n",
            toml::Value::String(id.to_string()),
            toml::Value::String(a.reason.clone()),
            a.expires
        ));
    }
    // The result must still load: a baseline that breaks the configuration is worse than none.
    Config::parse(&text, &file.display().to_string())?;
    if text != existing {
        write_atomically(&file, &text)?;
    }
    eprintln!(
        "authspec baseline: {} waiver(s) written to {} (until {}); verdict of the run: {}{}",
        ids.len(),
        file.display(),
        a.expires,
        r.verdict.as_str(),
        if r.verdict == authspec::report::Verdict::Incomplete {
            " (some MUSTs could not be judged; they are not waived)"
        } else {
            ""
        }
    );
    Ok(0)
}

fn render(
    report: &Report,
    format: Format,
    style: human::Style,
    capture_sha: Option<&str>,
) -> Result<String> {
    Ok(match format {
        Format::Human => human::render(report, &style),
        Format::Json => json::render(report)?,
        Format::Junit => {
            junit::render(report).map_err(|e| anyhow::anyhow!("cannot write JUnit XML: {e}"))?
        }
        Format::Sarif => sarif::render(report)?,
        Format::Markdown => markdown::render(report),
        Format::Github => github::render(report),
        Format::Html => html::render(report, capture_sha),
        Format::Badge => authspec::report::badge::render(report),
    })
}

/// Writes `text` next to `path` and renames it into place, so no half-written file is left.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.authspec-tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("out")
    ));
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot write {}", path.display()))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

fn emit(
    report: &Report,
    out: &Output,
    targets: &[(Format, PathBuf)],
    capture_sha: Option<&str>,
) -> Result<u8> {
    for (format, path) in targets {
        // A report file keeps every row: it is read later, not skimmed.
        let style = human::Style {
            verbose: true,
            ..human::Style::default()
        };
        write_atomically(path, &render(report, *format, style, capture_sha)?)?;
    }
    let style = human::Style {
        color: out.format == Format::Human
            && human::color_choice(out.color, std::io::stdout().is_terminal()),
        verbose: out.verbose,
        quiet: out.quiet,
    };
    let text = render(report, out.format, style, capture_sha)?;
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a non-zero exit of its own.
    let _ = stdout.write_all(text.as_bytes());
    Ok(report.verdict.exit_code() as u8)
}

async fn cmd_scan(a: ScanArgs) -> Result<u8> {
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
        if !a.targets.is_file() {
            bail!(
                "{} is not a file of resource URLs (one per line)",
                a.targets.display()
            );
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
    let top = totals.top_failures(10);
    if !top.is_empty() {
        eprintln!("most common MUST failures (targets):");
        for (id, n) in top {
            eprintln!("  {n:>6}  {id}");
        }
    }
    Ok(authspec::scan::exit_code(&totals) as u8)
}

fn cmd_replay(a: ReplayArgs) -> Result<u8> {
    let sel = selection(&a.out)?;
    let targets = report_targets(&a.out)?;
    let text = String::from_utf8(read_capped(&a.file, 256 << 20)?)
        .with_context(|| format!("{} is not UTF-8", a.file.display()))?;
    let file = authspec::capturefile::CaptureFile::parse(&text)
        .with_context(|| format!("{}", a.file.display()))?;
    let profile = a.out.profile_arg;
    let report = run::replay(&file, profile, &sel, a.out.strict).map_err(usage)?;
    emit(&report, &a.out, &targets, None)
}

/// A spinner on a terminal's stderr while requests run; nothing when stderr is not a terminal.
fn progress_bar(cfg: &mut CheckConfig) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(120));
    let shown = bar.clone();
    cfg.capture.progress = Some(authspec::capture::Progress(std::sync::Arc::new(
        move |n, last| {
            shown.set_message(format!("{n} requests · {last}"));
        },
    )));
    Some(bar)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn check_writable(path: &Path, flag: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        bail!(
            "{flag} {}: directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}

fn cmd_list(a: &ListArgs) -> Result<u8> {
    if !matches!(a.format, Format::Human | Format::Json) {
        bail!("list --format takes human or json (the catalogue is not a report)");
    }
    if a.mcp_version.is_some() && a.profile != Profile::Mcp {
        bail!("--mcp-version applies only with --profile mcp");
    }
    if a.format == Format::Json {
        let rows: Vec<serde_json::Value> = checks::catalogue()
            .map(|c| serde_json::json!({"id": c.id, "area": c.area, "title": c.title, "level": c.levels.get(a.profile), "requirements": c.requirements, "spec": c.spec, "spec_url": c.spec_url, "alternatives": groups_of(c.id).map(|g| g.id).collect::<Vec<_>>()}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    if a.profile == Profile::Mcp {
        let v = a.mcp_version.unwrap_or_default();
        println!(
            "profile mcp at {} (a row whose title names other versions is skipped at this one)\n",
            v.as_str()
        );
    }
    for c in checks::catalogue() {
        let level = c.levels.get(a.profile).map_or("n/a", |l| l.as_str());
        println!(
            "{:<36} {:<6} {:<58} {}  [{}]",
            c.id,
            level,
            c.title,
            c.requirements.join(","),
            c.spec
        );
    }
    println!("\none-of groups (any route suffices; the decider alone decides the verdict):");
    for g in checks::alternatives::GROUPS {
        println!(
            "{:<36} {}: {} decides; routes {}",
            g.id,
            g.scope(),
            g.decider,
            g.members.join(", ")
        );
    }
    Ok(0)
}

/// The one-of groups a check decides or is a route of.
fn groups_of(id: &str) -> impl Iterator<Item = &'static checks::alternatives::Alternatives> {
    checks::alternatives::GROUPS
        .iter()
        .filter(move |g| g.decider == id || g.members.contains(&id))
}

fn cmd_explain(ids: &[String]) -> Result<u8> {
    // Every id is resolved first, so a typo in the third is reported before anything is printed.
    let mut found: Vec<&'static checks::Check> = Vec::new();
    for id in ids {
        let hits: Vec<&'static checks::Check> = match checks::find(id) {
            Some(c) => vec![c],
            None => checks::catalogue()
                .filter(|c| c.requirements.iter().any(|r| r.eq_ignore_ascii_case(id)))
                .collect(),
        };
        if hits.is_empty() {
            bail!(
                "no check or requirement {id:?}{} (see authspec list)",
                nearest(id)
            );
        }
        for c in hits {
            if !found.iter().any(|f| f.id == c.id) {
                found.push(c);
            }
        }
    }
    for (i, c) in found.into_iter().enumerate() {
        if i > 0 {
            println!();
        }
        explain_one(c);
    }
    Ok(0)
}

/// ", did you mean X?" for the catalogue id or requirement ID closest to `id`, when one is close.
fn nearest(id: &str) -> String {
    let lower = id.to_ascii_lowercase();
    checks::catalogue()
        .flat_map(|c| std::iter::once(c.id).chain(c.requirements.iter().copied()))
        .map(|cand| (edit_distance(&lower, &cand.to_ascii_lowercase()), cand))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map_or(String::new(), |(_, c)| format!(", did you mean {c}?"))
}

/// Levenshtein distance over bytes (ids are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn explain_one(c: &checks::Check) {
    let lvl = |p: Profile| c.levels.get(p).map_or("not applied", |l| l.as_str());
    println!("{} — {}", c.id, c.title);
    println!("area:         {} ({})", c.area.slug(), c.area.title());
    println!(
        "level:        auth-md {} · rfc {} · mcp {}",
        lvl(Profile::AuthMd),
        lvl(Profile::Rfc),
        lvl(Profile::Mcp)
    );
    println!("requirements: {}", c.requirements.join(", "));
    for id in c.requirements {
        if let Some(r) = authspec::requirements::row(id) {
            println!("  {id} ({}, {}): {}", r.level, r.source, r.requirement);
        }
    }
    println!("spec:         {} <{}>", c.spec, c.spec_url);
    println!("fix:          {}", c.fix);
    // A fault that breaks the row's own requirement (its first) before one that shares another.
    let breaks = |f: &&mock::Fault, ids: &[&str]| f.breaks.iter().any(|b| ids.contains(b));
    let fault = mock::FAULTS
        .iter()
        .find(|f| breaks(f, &c.requirements[..c.requirements.len().min(1)]))
        .or_else(|| mock::FAULTS.iter().find(|f| breaks(f, c.requirements)));
    if let Some(f) = fault {
        println!("see it fail:  {}", f.command());
    }
    for g in groups_of(c.id) {
        let role = if g.decider == c.id {
            "decides"
        } else {
            "is a route of"
        };
        println!(
            "one of:       {role} {} ({}): {} (routes: {}; decided by {}) — {} <{}>",
            g.id,
            g.scope(),
            g.title,
            g.members.join(", "),
            g.decider,
            g.spec,
            g.spec_url
        );
    }
}

async fn cmd_mock(a: MockArgs) -> Result<u8> {
    if a.list_faults {
        for f in mock::FAULTS {
            println!(
                "{:<34} {:<60} breaks {}",
                f.name,
                f.about,
                f.breaks.join(",")
            );
        }
        for l in mock::LAYOUTS {
            println!("{:<34} {:<60} passes (a valid layout)", l.name, l.about);
        }
        return Ok(0);
    }
    let faults = a
        .fault
        .iter()
        .map(|n| {
            mock::faults::find(n)
                .with_context(|| format!("--fault {n:?} is not a mock fault (see --list-faults)"))
        })
        .collect::<Result<Vec<_>>>()?;
    let m = mock::start(
        a.addr,
        MockOptions {
            api_key: a.api_key,
            faults,
            structured_ratelimit: a.ratelimit_dialect == Dialect::Structured,
            site_addr: a.site_addr,
            latency: Duration::from_millis(a.latency),
            mcp: a.mode == MockMode::Mcp,
            mcp_version: a.mcp_version.unwrap_or_default(),
            ..MockOptions::default()
        },
    )
    .await
    .with_context(|| format!("cannot listen on {}", a.addr))?;
    println!("authspec mock listening on {}", m.base_url());
    println!("resource: {}", m.resource_url());
    println!("api key: {}", m.api_key);
    println!("revocable key: {}", m.revocable_key);
    if a.mode == MockMode::Mcp {
        println!("low-scope key: {}", m.low_scope_key);
    }
    if let Some(site) = m.site_url() {
        println!("site (catalog and OpenAPI): {site}  (check with --site {site})");
    }
    println!("protected endpoints: {}", m.endpoints().join(", "));
    let _ = std::io::stdout().flush();
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    m.stop().await;
    Ok(0)
}
