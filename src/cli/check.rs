//! `authspec check`: its flags, the configuration merge, and the run.

use super::destination::{self, Destination};
use super::files::{read_capped, sha256_hex};
use super::output::{Format, Output, emit, report_targets, selection};
use super::progress::progress_bar;
use super::usage::usage;
use super::values::{parse_duration, parse_endpoint, parse_mcp_method, parse_size, parse_url};
use anyhow::{Context, Result, bail};
use authspec::capture::{CaptureOptions, Endpoint};
use authspec::config::Config;
use authspec::mock::{self, MockOptions};
use authspec::profile::Profile;
use authspec::report::Report;
use authspec::run::{self, CheckConfig};
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// The resource identifier, e.g. https://api.example.com
    #[arg(conflicts_with = "mock")]
    pub(crate) resource_url: Option<String>,
    /// Start the bundled mock on a loopback port and check it with its own key.
    #[arg(long)]
    pub(crate) mock: bool,
    /// With --mock: break the mock with this fault (repeatable; see `authspec mock --list-faults`).
    #[arg(long, requires = "mock", value_name = "NAME")]
    pub(crate) fault: Vec<String>,
    /// API key for authenticated probes; sent only to the resource's origin.
    #[arg(long, env = "AUTHSPEC_API_KEY", hide_env_values = true)]
    pub(crate) api_key: Option<String>,
    /// A valid access token for the resource, sent as `Authorization: Bearer` only to its origin
    /// and redacted as the API key is. It fills the same credential slot (and wins over
    /// --api-key): under --profile mcp each probed method is sent once with it and must not be
    /// refused; under the other profiles it is the key of the keyed probes.
    #[arg(long, env = "AUTHSPEC_TOKEN", hide_env_values = true)]
    pub(crate) token: Option<String>,
    /// Per-request timeout: seconds, or a number with ms/s suffix.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub(crate) timeout: Duration,
    /// Largest body read per response (bytes, or KiB/MiB suffix).
    #[arg(long, default_value = "2MiB", value_parser = parse_size)]
    pub(crate) max_body: usize,
    /// Most requests one run may send (a run with --allow-side-effects and a token flow sends
    /// about 80).
    #[arg(long, default_value_t = 150, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) max_requests: u64,
    /// A protected endpoint to probe, "METHOD /path" (repeatable).
    #[arg(long, value_name = "METHOD /PATH", value_parser = parse_endpoint)]
    pub(crate) endpoint: Vec<Endpoint>,
    /// Follow discovered URLs that point at private or loopback addresses.
    #[arg(long)]
    pub(crate) allow_private: bool,
    /// Connect to ADDRESS for HOST:PORT, as curl's --resolve (repeatable).
    #[arg(long, value_name = "HOST:PORT:ADDRESS")]
    pub(crate) resolve: Vec<authspec::capture::Resolve>,
    /// Spend quota: keyed requests until a 429, then one retry after Retry-After.
    #[arg(long)]
    pub(crate) burst: bool,
    /// Allow requests that change state: the agent registration POST, key revocation, and one
    /// public client registered (RFC 7591) at each AS that offers registration, for one
    /// authorization request whose redirect is recorded, never followed.
    #[arg(long)]
    pub(crate) allow_side_effects: bool,
    /// A disposable key to revoke at revocation_uri (with --allow-side-effects). It is sent only
    /// to the resource's origin or to the origin of an issuer the PRM names: a revocation_uri on
    /// any other origin is not requested (no flag widens this).
    #[arg(long, env = "AUTHSPEC_REVOCABLE_KEY", hide_env_values = true)]
    pub(crate) revocable_key: Option<String>,
    /// A live key granted less scope than the probed MCP methods need: the 403
    /// insufficient_scope challenge is judged with it (skipped without one).
    #[arg(long, env = "AUTHSPEC_LOW_SCOPE_KEY", hide_env_values = true)]
    pub(crate) low_scope_key: Option<String>,
    /// A client registered beforehand at the authorization server, for authspec's OAuth client
    /// (with --allow-side-effects; without it the client registers itself where the AS offers
    /// registration). Its redirect URI must be http://127.0.0.1/authspec-oauth/callback.
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: Option<String>,
    /// The secret of --client-id (a confidential client; it also asks for a client_credentials
    /// token). Sent only to the authorization server's token and revocation endpoints.
    #[arg(long, env = "AUTHSPEC_CLIENT_SECRET", hide_env_values = true)]
    pub(crate) client_secret: Option<String>,
    /// Another resource of the same authorization server: authspec's OAuth client asks for a
    /// token for it and sends it here, where it must be refused (default: one the AS metadata's
    /// protected_resources or the api-catalog names).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub(crate) other_resource: Option<url::Url>,
    /// Sign in interactively for authspec's OAuth client (with --allow-side-effects): a loopback
    /// listener on 127.0.0.1 (RFC 8252 §7.3) prints the URL to open; the authorization server's
    /// redirect back to it gives the code. Only the main grant runs this way (the probes that need
    /// codes of their own are skipped, saying so).
    #[arg(long)]
    pub(crate) login: bool,
    /// How long --login waits for the browser to come back.
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    pub(crate) login_timeout: Duration,
    /// Serve the CIMD probe's client ID metadata documents on ADDR (with --allow-side-effects): an
    /// AS advertising client_id_metadata_document_supported gets authorization requests naming
    /// documents it must refuse.
    #[arg(long, value_name = "ADDR")]
    pub(crate) cimd_serve: Option<std::net::SocketAddr>,
    /// The public base URL that reaches --cimd-serve (the AS fetches documents under it).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub(crate) cimd_url: Option<url::Url>,
    /// Send the API key once in the access_token query parameter, on the resource's origin only,
    /// to see whether the server accepts it (RFC 6750 §2.3). Servers may log query strings.
    #[arg(long)]
    pub(crate) probe_query_key: bool,
    /// Another origin that serves the api-catalog and OpenAPI (as the seed's jobspipe.dev does).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub(crate) site: Option<url::Url>,
    /// Where the OpenAPI description is, when no catalog links it.
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub(crate) openapi: Option<url::Url>,
    /// Longest wait for a Retry-After or a spent RateLimit window.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub(crate) max_wait: Duration,
    /// After the report, print each failing probe as a curl command (a key you gave appears as
    /// the environment variable it is read from, never its value).
    #[arg(long)]
    pub(crate) curl: bool,
    /// Write every exchange of the run (credentials redacted) to FILE, for `authspec replay`.
    #[arg(long, value_name = "FILE")]
    pub(crate) capture: Option<PathBuf>,
    /// MCP specification version for --profile mcp [default: 2026-07-28].
    #[arg(long, value_enum)]
    pub(crate) mcp_version: Option<authspec::profile::McpVersion>,
    /// A JSON-RPC method the MCP probe sends, without credentials and with a bad token
    /// (repeatable; default: server/discover and tools/list at 2026-07-28, initialize and
    /// tools/list before it). Name the methods your server protects.
    #[arg(long = "mcp-method", value_name = "METHOD", value_parser = parse_mcp_method)]
    pub(crate) mcp_methods: Vec<String>,
    /// Configuration file (default: ./authspec.toml when it exists).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Print the merged configuration (file plus flags) as TOML and exit.
    #[arg(long)]
    pub(crate) print_config: bool,
    #[command(flatten)]
    pub(crate) out: Output,
}

/// Reads `--config FILE`, or ./authspec.toml when present.
pub(crate) fn load_config(path: Option<&Path>) -> Result<Config> {
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
pub(crate) fn merge(mut a: CheckArgs, cfg: &Config) -> Result<(CheckArgs, Config)> {
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
        levels: cfg.levels.clone(),
    };
    Ok((a, merged))
}

/// A key that is given but empty is a missing input, not a keyless run: a CI secret that did not
/// reach a fork's pull request must not turn into a quiet PASS.
fn empty_keys(a: &CheckArgs) -> Result<()> {
    let keys = [
        (&a.api_key, "--api-key", "AUTHSPEC_API_KEY"),
        (&a.token, "--token", "AUTHSPEC_TOKEN"),
        (
            &a.revocable_key,
            "--revocable-key",
            "AUTHSPEC_REVOCABLE_KEY",
        ),
        (
            &a.low_scope_key,
            "--low-scope-key",
            "AUTHSPEC_LOW_SCOPE_KEY",
        ),
        (
            &a.client_secret,
            "--client-secret",
            "AUTHSPEC_CLIENT_SECRET",
        ),
    ];
    for (value, flag, var) in keys {
        let Some(v) = value.as_deref().filter(|v| v.trim().is_empty()) else {
            continue;
        };
        if std::env::var(var).ok().as_deref() == Some(v) {
            bail!(
                "{var} is set but empty (a CI secret that did not arrive?): set it to the key, or unset it to run without {flag}"
            );
        }
        bail!("{flag} is empty: give the key, or leave the flag out to run without it");
    }
    let token_flag = a.token.is_some() && std::env::var("AUTHSPEC_TOKEN").ok() != a.token;
    let key_flag = a.api_key.is_some() && std::env::var("AUTHSPEC_API_KEY").ok() != a.api_key;
    if token_flag && key_flag && a.token != a.api_key {
        bail!(
            "--token and --api-key both give the valid credential: give one (--token is used when both come from the environment)"
        );
    }
    if a.burst && valid_credential(a).is_none() && !a.mock {
        bail!(
            "--burst spends quota with keyed requests until a 429, so it needs --api-key (or AUTHSPEC_API_KEY)"
        );
    }
    Ok(())
}

/// The valid credential of the run: `--token`, else `--api-key` (one slot: both are sent as
/// `Authorization: Bearer`, MCP's "Authorization: Bearer <access-token>" and auth.md's "Send the
/// API key as a Bearer token").
fn valid_credential(a: &CheckArgs) -> Option<&String> {
    a.token.as_ref().or(a.api_key.as_ref())
}

/// Flags that would do nothing in this run are usage errors: a flag silently ignored is a check the
/// user believes ran.
pub(crate) fn ignored_flags(a: &CheckArgs) -> Result<()> {
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
    if a.probe_query_key && valid_credential(a).is_none() && !a.mock {
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
    oauth_flags(a)?;
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

/// The OAuth client's flags act only with --allow-side-effects (it registers clients and mints
/// tokens), and a client secret belongs to a client ID.
fn oauth_flags(a: &CheckArgs) -> Result<()> {
    let secret_from_env = std::env::var("AUTHSPEC_CLIENT_SECRET").ok() == a.client_secret;
    let given = [
        ("--client-id", a.client_id.is_some()),
        (
            "--client-secret",
            a.client_secret.is_some() && !secret_from_env,
        ),
        ("--other-resource", a.other_resource.is_some()),
        ("--login", a.login),
    ];
    if let Some((flag, _)) = given.iter().find(|(_, g)| *g)
        && !a.allow_side_effects
    {
        bail!(
            "{flag} is for authspec's OAuth client, which runs only with --allow-side-effects (it registers clients and mints tokens)"
        );
    }
    if a.client_id.as_deref().is_some_and(|c| c.trim().is_empty()) {
        bail!("--client-id is empty: give the client ID, or leave the flag out");
    }
    if a.client_secret.is_some() && !secret_from_env && a.client_id.is_none() {
        bail!("--client-secret is the secret of --client-id, so it needs --client-id");
    }
    Ok(())
}

pub(crate) async fn cmd_check(a: CheckArgs) -> Result<u8> {
    match run_check(a, true).await? {
        None => Ok(0),
        Some(c) => {
            let code = emit(&c.report, &c.out, &c.targets, c.capture_sha.as_deref())?;
            if let Some(exchanges) = &c.exchanges {
                super::curl::print_probes(&c.report, exchanges, &c.out);
            }
            Ok(code)
        }
    }
}

/// A finished check and what its output needs.
pub(crate) struct Checked {
    pub(crate) report: Report,
    pub(crate) out: Output,
    pub(crate) targets: Vec<(Format, Destination)>,
    pub(crate) capture_sha: Option<String>,
    /// The recorded exchanges, kept for `--curl`.
    pub(crate) exchanges: Option<Vec<authspec::evidence::Exchange>>,
}

/// Runs `check` (or prints the merged configuration and returns `None`). A `--config` file must
/// exist unless `config_must_exist` is false (baseline creates it).
pub(crate) async fn run_check(a: CheckArgs, config_must_exist: bool) -> Result<Option<Checked>> {
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
    empty_keys(&a)?;
    ignored_flags(&a)?;
    let sel = selection(&a.out)?;
    let targets = report_targets(&a.out)?;
    let capture_dest = a
        .capture
        .as_deref()
        .map(|p| destination::destination(p, "--capture"))
        .transpose()?;
    let mut capture = CaptureOptions {
        timeout: a.timeout,
        max_body: a.max_body,
        max_requests: a.max_requests as usize,
        key_is_token: a.token.is_some(),
        api_key: a.token.or(a.api_key).filter(|k| !k.trim().is_empty()),
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
        oauth: authspec::capture::oauth::ClientOptions {
            // From the environment alone, a secret has no client to belong to.
            client_secret: a
                .client_secret
                .filter(|s| !s.trim().is_empty() && a.client_id.is_some()),
            client_id: a.client_id,
            other_resource: a.other_resource,
            login: a.login.then_some(a.login_timeout),
        },
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
    authspec::report::levels::apply_levels(&mut report, &merged.levels);
    if !merged.waivers.is_empty() {
        authspec::report::apply_waivers(&mut report, &merged.waivers, &run::now_rfc3339()[..10]);
    }
    let mut capture_sha = None;
    if let Some(dest) = &capture_dest {
        let text = serde_json::to_string_pretty(&recorded)?;
        destination::write(dest, &text)?;
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
        exchanges: a.curl.then_some(recorded.exchanges),
    }))
}
