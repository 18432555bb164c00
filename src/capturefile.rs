//! The capture file: every exchange of a run (redacted), so `replay` can re-judge it with no network.

use crate::evidence::{Evidence, Exchange, Mode};
use crate::profile::Profile;
use crate::report::Tool;
use serde::{Deserialize, Serialize};
use url::Url;

/// Name in the `format` member, so a stray JSON file is refused with a clear message.
pub const FORMAT: &str = "authspec-capture";
/// Version of the layout below; bumped on any incompatible change.
pub const VERSION: u32 = 1;

/// A recorded run. Credentials were redacted when the exchanges were recorded (HARNESS-REDACT).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaptureFile {
    pub format: String,
    pub version: u32,
    /// The tool that recorded it (replays by other versions may judge differently).
    pub tool: Tool,
    pub target: String,
    pub profile: Profile,
    pub started_at: String,
    pub duration_ms: u64,
    pub requests: usize,
    pub max_requests: usize,
    pub api_key_given: bool,
    pub exchanges: Vec<Exchange>,
    /// The MCP version an `mcp` run judged against.
    #[serde(default)]
    pub mcp_version: crate::profile::McpVersion,
}

/// Facts about a run that are not evidence: when it started, how long it took, how many requests.
#[derive(Debug, Clone)]
pub struct Meta {
    pub started_at: String,
    pub duration_ms: u64,
    pub requests: usize,
    pub max_requests: usize,
}

/// Why a capture file cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum CaptureFileError {
    #[error("not a capture file: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not an authspec capture (format is {0:?})")]
    Format(String),
    #[error(
        "this is an authspec report, not a capture: replay reads the file `check --capture FILE` writes"
    )]
    Report,
    #[error("capture version {0} is not supported (this authspec reads version {VERSION})")]
    Version(u32),
    #[error("the capture's target {0:?} is not a URL")]
    Target(String),
}

impl CaptureFile {
    /// Records `ev` with the facts of its run.
    pub fn new(ev: &Evidence, meta: &Meta) -> Self {
        CaptureFile {
            format: FORMAT.into(),
            version: VERSION,
            tool: Tool::current(),
            target: ev.resource.clone(),
            profile: ev.profile,
            started_at: meta.started_at.clone(),
            duration_ms: meta.duration_ms,
            requests: meta.requests,
            max_requests: meta.max_requests,
            api_key_given: ev.api_key_given,
            exchanges: ev.exchanges.clone(),
            mcp_version: ev.mcp_version,
        }
    }

    /// Reads a capture from JSON text.
    pub fn parse(text: &str) -> Result<Self, CaptureFileError> {
        let probe: serde_json::Value = serde_json::from_str(text)?;
        let format = probe.get("format").and_then(|f| f.as_str()).unwrap_or("");
        if format.is_empty() && probe.get("report_version").is_some() {
            return Err(CaptureFileError::Report);
        }
        if format != FORMAT {
            return Err(CaptureFileError::Format(format.to_string()));
        }
        let version = probe.get("version").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
        if version != VERSION {
            return Err(CaptureFileError::Version(version));
        }
        let mut file: CaptureFile = serde_json::from_value(probe)?;
        file.exchanges.iter_mut().for_each(adopt_final_url);
        Ok(file)
    }

    /// The evidence to judge, under `profile` (the recorded one unless overridden).
    pub fn evidence(&self, profile: Option<Profile>) -> Result<Evidence, CaptureFileError> {
        let resource_url =
            Url::parse(&self.target).map_err(|_| CaptureFileError::Target(self.target.clone()))?;
        Ok(Evidence {
            resource: self.target.clone(),
            resource_url,
            profile: profile.unwrap_or(self.profile),
            mode: Mode::Live,
            api_key_given: self.api_key_given,
            exchanges: self.exchanges.clone(),
            mcp_version: self.mcp_version,
        })
    }

    /// The run facts for the replayed report.
    pub fn meta(&self) -> Meta {
        Meta {
            started_at: self.started_at.clone(),
            duration_ms: self.duration_ms,
            requests: self.requests,
            max_requests: self.max_requests,
        }
    }
}

/// The pseudo-header captures before `final_url` used for where a redirected answer came from.
const OLD_FINAL_URL: &str = "x-authspec-final-url";

/// Moves an older capture's `x-authspec-final-url` pseudo-header into `final_url`, so it replays
/// as a capture of this version records it.
fn adopt_final_url(ex: &mut Exchange) {
    if let Some(i) = ex
        .response_headers
        .iter()
        .position(|(k, _)| k.eq_ignore_ascii_case(OLD_FINAL_URL))
    {
        let (_, v) = ex.response_headers.remove(i);
        ex.final_url.get_or_insert(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_final_url_pseudo_header_becomes_the_field() {
        let mut ex = Exchange::new("GET", "https://a.example/x", Vec::new());
        ex.response_headers = vec![
            (OLD_FINAL_URL.into(), "https://a.example/moved".into()),
            ("content-type".into(), "application/json".into()),
        ];
        adopt_final_url(&mut ex);
        assert_eq!(ex.final_url.as_deref(), Some("https://a.example/moved"));
        assert_eq!(ex.response_headers.len(), 1, "the pseudo-header is gone");
    }
}
