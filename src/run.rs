//! Runs: capture (or read a file), judge with the catalogue, and assemble the report.

use crate::capture::{self, CaptureOptions};
use crate::checks::{self, Area};
use crate::evidence::{Evidence, Exchange, Mode, Role, Source};
use crate::finding::SkipKind;
use crate::identifier::{
    ASM_SUFFIX, OIDC_SUFFIX, PRM_SUFFIX, Scheme, from_well_known, scheme_rule, well_known,
};
use crate::profile::Profile;
use crate::report::{self, CheckResult, ExchangeRef, Report, Tool};
use crate::select::Selection;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use url::Url;

/// Errors that stop a run before any verdict (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Capture(#[from] capture::CaptureError),
}

/// What a live check needs.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// The resource identifier exactly as given.
    pub target: String,
    pub capture: CaptureOptions,
    pub selection: Selection,
    pub strict: bool,
}

/// Whether the URL as typed names a host: the URL parser reads `http:///path` as host `path`,
/// so the text itself must carry `//host`.
pub fn names_a_host(s: &str) -> bool {
    let after_scheme = s.trim().split_once(':').map_or("", |(_, rest)| rest);
    let typed_host = after_scheme.strip_prefix("//").unwrap_or("/");
    !(typed_host.starts_with('/') || typed_host.is_empty())
}

/// Validates a resource URL given on the command line.
pub fn parse_target(s: &str) -> Result<Url, RunError> {
    let url = Url::parse(s.trim())
        .map_err(|e| RunError::Usage(format!("resource URL {s:?} is not an absolute URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(RunError::Usage(format!(
            "resource URL {s:?} must use https (or http on a loopback host)"
        )));
    }
    if !names_a_host(s) {
        return Err(RunError::Usage(format!("resource URL {s:?} has no host")));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(RunError::Usage(format!("resource URL {s:?} has no host")));
    }
    if url.fragment().is_some() {
        return Err(RunError::Usage(format!(
            "resource URL {s:?} has a #fragment; resource identifiers cannot (RFC 9728 §1.2)"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(RunError::Usage(format!(
            "resource URL {s:?} carries credentials; pass the key with --api-key instead"
        )));
    }
    Ok(url)
}

/// Captures the deployment at `cfg.target` and judges it.
pub async fn check(cfg: &CheckConfig) -> Result<Report, RunError> {
    check_recorded(cfg).await.map(|(report, _)| report)
}

/// Like [`check`], also returning what a capture file records.
pub async fn check_recorded(
    cfg: &CheckConfig,
) -> Result<(Report, crate::capturefile::CaptureFile), RunError> {
    let url = parse_target(&cfg.target)?;
    let started_at = now_rfc3339();
    let t0 = Instant::now();
    let cap = capture::capture(&url, &cfg.capture).await?;
    let ev = Evidence {
        resource: cfg.target.trim().to_string(),
        resource_url: url,
        profile: cfg.capture.profile,
        mode: Mode::Live,
        api_key_given: cfg.capture.api_key.is_some(),
        exchanges: cap.exchanges,
        mcp_version: cfg.capture.mcp_version,
    };
    let meta = Meta {
        started_at,
        duration_ms: t0.elapsed().as_millis() as u64,
        requests: cap.requests,
        max_requests: cfg.capture.max_requests,
    };
    let file = crate::capturefile::CaptureFile::new(&ev, &meta);
    let mut report = judge(&ev, &cfg.selection, cfg.strict, meta, None);
    record_flags(&mut report, &cfg.capture);
    Ok((report, file))
}

/// Records the flags that shaped a live run, and what it left unjudged for want of the others.
fn record_flags(report: &mut Report, o: &capture::CaptureOptions) {
    let flags = report::coverage::RunFlags {
        api_key: o.api_key.is_some(),
        token: o.api_key.is_some() && o.key_is_token,
        burst: o.burst,
        allow_side_effects: o.allow_side_effects,
        revocable_key: o.revocable_key.is_some(),
        low_scope_key: o.low_scope_key.is_some(),
        probe_query_key: o.probe_query_key,
        mcp_version: (o.profile == Profile::Mcp).then_some(o.mcp_version),
    };
    report.coverage = report::coverage::unjudged(&report.results, &flags.given());
    report.flags = Some(flags);
}

/// Re-judges a capture file with no network: same evidence, same results (for the same version).
pub fn replay(
    file: &crate::capturefile::CaptureFile,
    profile: Option<Profile>,
    selection: &Selection,
    strict: bool,
) -> Result<Report, RunError> {
    let ev = file
        .evidence(profile)
        .map_err(|e| RunError::Usage(e.to_string()))?;
    Ok(judge(&ev, selection, strict, file.meta(), None))
}

// `Meta` is defined beside the capture file that records it, so the arrow runs one way: the run
// uses the capture file, never back.
pub use crate::capturefile::Meta;

/// Judges `ev` with every selected check (of `areas`, when given) and builds the report.
pub fn judge(
    ev: &Evidence,
    selection: &Selection,
    strict: bool,
    meta: Meta,
    areas: Option<&[Area]>,
) -> Report {
    let mut results = Vec::new();
    for check in checks::catalogue()
        .filter(|c| selection.includes(c) && areas.is_none_or(|a| a.contains(&c.area)))
    {
        let result = match check.levels.get(ev.profile) {
            None => CheckResult::not_applied(check, ev.profile),
            Some(level) => {
                let mut findings = checks::run_judge(check, ev);
                if ev.mode == Mode::Lint {
                    // A file cannot miss a download: what it lacks is out of its scope, not missing input.
                    for f in &mut findings {
                        if f.skip == Some(SkipKind::NoInput) {
                            f.skip = Some(SkipKind::Chosen);
                        }
                    }
                }
                CheckResult::from_findings(check, level, findings, ev)
            }
        };
        results.push(result);
    }
    let unselected = unselected_deciders(ev, &results);
    report::attribute(&mut results, &unselected, ev.profile, ev.mcp_version);
    let verdict = report::verdict(&results, strict);
    Report {
        report_version: report::REPORT_VERSION,
        tool: Tool::current(),
        target: ev.resource.clone(),
        profile: ev.profile,
        mode: ev.mode,
        started_at: meta.started_at,
        duration_ms: meta.duration_ms,
        requests: meta.requests,
        max_requests: meta.max_requests,
        non_production: scheme_rule(&ev.resource_url) == Scheme::LoopbackHttp,
        strict,
        verdict,
        summary: report::summarize(&results),
        results,
        chain: report::chain(ev),
        exchanges: ev.exchanges.iter().map(ExchangeRef::of).collect(),
        waivers: Vec::new(),
        input_file: None,
        flags: None,
        coverage: Vec::new(),
        keys: report::inventory::keys(ev),
        level_overrides: Vec::new(),
        hints: report::hints::from_evidence(ev),
        side_effects: report::side_effects::list(ev),
    }
}

/// The outcomes of in-force groups' deciders that the selection left out, so that `--only` on a
/// route still gets the group's judgement.
fn unselected_deciders(
    ev: &Evidence,
    results: &[CheckResult],
) -> Vec<(&'static str, crate::finding::Outcome)> {
    crate::profile::alternatives::GROUPS
        .iter()
        .filter(|g| g.applies(ev.profile, ev.mcp_version))
        .filter(|g| !results.iter().any(|r| r.id == g.decider))
        .filter_map(|g| checks::find(g.decider))
        .filter_map(|c| {
            let level = c.levels.get(ev.profile)?;
            let r = CheckResult::from_findings(c, level, checks::run_judge(c, ev), ev);
            Some((c.id, r.outcome))
        })
        .collect()
}

/// The document kinds `lint` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintKind {
    Prm,
    Asm,
    Jwks,
    Catalog,
    Openapi,
    Headers,
    /// An A2A agent card (`/.well-known/agent-card.json`, or any URL a card is configured at).
    AgentCard,
}

/// The profile `lint` applies when none is given: the RFCs alone, plus the auth.md contract when
/// the document carries an `agent_auth` block (a plain RFC 8414 document is not held to auth.md).
pub fn lint_profile(body: &[u8]) -> Profile {
    let has_block = crate::parse::json::parse(body)
        .ok()
        .is_some_and(|d| d.value.get("agent_auth").is_some());
    if has_block {
        Profile::AuthMd
    } else {
        Profile::Rfc
    }
}

/// Judges one document file as if it had been served at `url`.
pub fn lint(
    kind: LintKind,
    body: Vec<u8>,
    url_text: &str,
    profile: Profile,
    selection: &Selection,
    strict: bool,
) -> Result<Report, RunError> {
    let url = parse_target(url_text).map_err(|e| RunError::Usage(format!("--url: {e}")))?;
    let t0 = Instant::now();
    let started_at = now_rfc3339();
    // A headers file is parsed once: its status picks the probe role, its fields are the answer.
    let headers = match kind {
        LintKind::Headers => Some(parse_header_file(&body)?),
        _ => None,
    };
    let (resource, roles, areas): (String, Vec<Role>, &[Area]) = match kind {
        LintKind::Prm => {
            let r = from_well_known(&url, PRM_SUFFIX).ok_or_else(|| {
                RunError::Usage(format!(
                    "--url {url_text:?} is not a /.well-known/{PRM_SUFFIX} URL"
                ))
            })?;
            let r = named_identifier(&body, "resource", |id| well_known(id, PRM_SUFFIX) == url)
                .unwrap_or(r);
            (r, vec![Role::Prm], &[Area::Prm])
        }
        LintKind::Asm => {
            let issuer = lint_issuer(&body, &url).ok_or_else(|| {
                RunError::Usage(format!(
                    "--url {url_text:?} is neither a /.well-known/{ASM_SUFFIX} URL (inserted or appended) nor an OpenID Connect /.well-known/{OIDC_SUFFIX} URL"
                ))
            })?;
            (
                issuer.clone(),
                vec![Role::Asm { issuer }],
                &[Area::Asm, Area::AgentAuth],
            )
        }
        LintKind::Jwks => (
            url_text.to_string(),
            vec![Role::Jwks {
                named_by: "(file)".into(),
            }],
            &[Area::Jwks],
        ),
        LintKind::Headers => {
            let endpoint = format!("GET {}", url.path());
            // A 2xx is a response to a request that carried credentials: its RateLimit fields are
            // judged, and there is no challenge to judge.
            let role = match headers.as_ref().map_or(0, |(status, _)| *status) {
                200..=299 => Role::ProbeAuth { endpoint },
                _ => Role::ProbeUnauth { endpoint },
            };
            (
                url_text.to_string(),
                vec![role],
                &[Area::Wwwa, Area::Ratelimit],
            )
        }
        LintKind::Catalog => (
            url_text.to_string(),
            vec![Role::Catalog {
                origin: url.origin().ascii_serialization(),
            }],
            &[Area::Catalog],
        ),
        LintKind::Openapi => (
            url_text.to_string(),
            vec![Role::OpenApi {
                found_via: "(file)".into(),
            }],
            &[Area::Openapi],
        ),
        LintKind::AgentCard => (
            url.origin().ascii_serialization(),
            vec![Role::AgentCard],
            &[Area::AgentCard],
        ),
    };
    let mut ex = Exchange::new("GET", url.as_str(), roles);
    ex.source = Source::File;
    if let Some((status, fields)) = headers {
        ex.status = Some(status);
        ex.response_headers = fields;
    } else {
        ex.status = Some(200);
        ex.body = body;
        if kind == LintKind::Openapi {
            read_description(&mut ex);
        }
    }
    let ev = Evidence {
        resource,
        resource_url: url,
        profile,
        mode: Mode::Lint,
        api_key_given: false,
        exchanges: vec![ex],
        mcp_version: crate::profile::McpVersion::default(),
    };
    let meta = Meta {
        started_at,
        duration_ms: 0,
        requests: 0,
        max_requests: 0,
    };
    let mut report = judge(&ev, selection, strict, meta, Some(areas));
    // A lint is all judging, so its duration is the judge's time.
    report.duration_ms = u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(report)
}

/// An OpenAPI description is JSON or YAML: a file that is not JSON is read as YAML, and the YAML
/// error is the one reported unless the file looks like JSON or YAML reads it as a mere scalar.
fn read_description(ex: &mut Exchange) {
    if ex.json().is_ok() || crate::parse::yaml::looks_like_json(&ex.body) {
        return;
    }
    match crate::parse::yaml::parse(&ex.body) {
        // Text that YAML reads only as a scalar (`not json {`) was not meant as YAML.
        Ok(doc) if !doc.value.is_object() => {}
        read => ex.set_document(read),
    }
}

/// The identifier a linted document names in `member`, when inserting the well-known suffix into
/// it gives the URL the document is served at. A URL does not name one identifier: `…/mcp` and
/// `…/mcp/` (and a bare origin with or without `/`) build the same well-known URL (RFC 9728 §3.1,
/// RFC 8414 §3.1), so a document naming either one is consistent with where it is served.
fn named_identifier(body: &[u8], member: &str, builds: impl Fn(&Url) -> bool) -> Option<String> {
    let doc = crate::parse::json::parse(body).ok()?;
    let named = doc.value.get(member)?.as_str()?;
    builds(&Url::parse(named).ok()?).then(|| named.to_string())
}

/// The issuer an AS metadata file served at `url` is judged against: derived from an RFC 8414
/// well-known URL, or from an OpenID Connect discovery URL (appended or inserted form), preferring
/// the one the document names when that one builds `url`.
fn lint_issuer(body: &[u8], url: &Url) -> Option<String> {
    let derived = from_well_known(url, ASM_SUFFIX);
    let builds = |i: &Url| match derived {
        Some(_) => well_known(i, ASM_SUFFIX) == *url,
        None => {
            well_known(i, OIDC_SUFFIX) == *url
                || crate::identifier::oidc_appended(i.as_str()).is_some_and(|u| u == *url)
        }
    };
    named_identifier(body, "issuer", builds).or_else(|| {
        derived
            .clone()
            .or_else(|| crate::identifier::issuers_from_oidc(url).into_iter().next())
            .or_else(|| appended_issuer(url, ASM_SUFFIX))
    })
}

/// The issuer of a metadata URL that appends the well-known suffix to the issuer path
/// (`https://as.example/tenant/.well-known/oauth-authorization-server`): not where RFC 8414 §3.1
/// puts it, which asm.wellknown-insert reports, but the document can still be judged.
fn appended_issuer(url: &Url, suffix: &str) -> Option<String> {
    let tail = format!("/.well-known/{suffix}");
    let prefix = url.path().strip_suffix(&tail).filter(|p| !p.is_empty())?;
    let mut issuer = url.clone();
    issuer.set_path(prefix);
    issuer.set_query(None);
    Some(issuer.to_string())
}

/// Reads `curl -si` style headers: a status line, then `Name: value` lines up to a blank line.
pub fn parse_header_file(bytes: &[u8]) -> Result<(u16, Vec<(String, String)>), RunError> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let status_line = lines
        .next()
        .ok_or_else(|| RunError::Usage("headers file is empty".into()))?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..600).contains(s) && status_line.starts_with("HTTP/"))
        .ok_or_else(|| RunError::Usage(format!("headers file: first line {status_line:?} is not a status line like \"HTTP/1.1 401 Unauthorized\"")))?;
    let mut headers = Vec::new();
    for (i, line) in lines.enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').ok_or_else(|| {
            RunError::Usage(format!(
                "headers file line {}: {line:?} is not \"Name: value\"",
                i + 2
            ))
        })?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok((status, headers))
}

/// The current time as RFC 3339 UTC, without pulling in a date crate.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert!(parse_target("https://api.example.com").is_ok());
        assert!(parse_target("ftp://x").is_err());
        assert!(parse_target("not a url").is_err());
        assert!(parse_target("https://a.example/#x").is_err());
        assert!(parse_target("https://u:p@a.example/").is_err());
    }

    #[test]
    fn header_files() {
        let (s, h) = parse_header_file(
            b"HTTP/2 401 \r\nwww-authenticate: Bearer realm=\"x\"\r\ncontent-length: 0\r\n\r\nbody",
        )
        .unwrap();
        assert_eq!(s, 401);
        assert_eq!(h.len(), 2);
        assert!(parse_header_file(b"hello\n").is_err());
        assert!(parse_header_file(b"HTTP/1.1 200 OK\nbad line\n").is_err());
    }

    #[test]
    fn timestamp_shape() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 20);
        assert!(t.starts_with("20") && t.ends_with('Z'));
    }
}
