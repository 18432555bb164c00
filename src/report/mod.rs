//! The one result model every output format renders, and the verdict rule.

pub mod badge;
pub mod coverage;
pub mod curl;
pub mod diff;
pub mod gate;
pub mod github;
pub mod hints;
pub mod html;
pub mod human;
pub mod inventory;
pub mod json;
pub mod junit;
pub mod levels;
pub mod markdown;
pub mod sarif;
pub mod side_effects;

use crate::checks::{Area, Check, Level};
use crate::evidence::{Evidence, Exchange, Mode, Role};
use crate::finding::{Finding, Outcome, SkipKind};
use crate::profile::Profile;
use serde::{Deserialize, Serialize};

/// Version of the JSON report layout (schemas/report.schema.json).
pub const REPORT_VERSION: u32 = 1;

/// The whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub report_version: u32,
    pub tool: Tool,
    pub target: String,
    pub profile: Profile,
    pub mode: Mode,
    pub started_at: String,
    pub duration_ms: u64,
    /// Requests actually sent (HARNESS-BUDGET).
    pub requests: usize,
    pub max_requests: usize,
    /// The target was judged over loopback http: not production evidence.
    pub non_production: bool,
    pub strict: bool,
    pub verdict: Verdict,
    pub summary: Summary,
    pub results: Vec<CheckResult>,
    /// The discovery chain, edge by edge.
    pub chain: Vec<Edge>,
    /// Every exchange the run recorded (no bodies; credentials redacted).
    pub exchanges: Vec<ExchangeRef>,
    /// The configuration's waivers and what became of them.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub waivers: Vec<WaiverStatus>,
    /// For `lint`: the file that was judged, so results can point at it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub input_file: Option<String>,
    /// For `check`: the flags that shaped the run (a key given or not, burst, side effects...).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub flags: Option<coverage::RunFlags>,
    /// For `check`: rows left unjudged for want of a flag the run was not given.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub coverage: Vec<coverage::Coverage>,
    /// The public keys of every JWKS the run read, by thumbprint (for `authspec diff`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub keys: Vec<inventory::KeyRef>,
    /// Rows whose level `authspec.toml`'s `[levels]` changed, with the catalogue's level.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub level_overrides: Vec<levels::LevelOverride>,
    /// Where the run looks set up for another kind of deployment, what to run instead (for
    /// example `--profile mcp` for an MCP server). Never changes a result.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub hints: Vec<String>,
    /// Every change the run made at the target (`--allow-side-effects`): clients registered,
    /// tokens minted, and whether each was revoked.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub side_effects: Vec<side_effects::SideEffect>,
}

/// What a waiver did in this run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WaiverStatus {
    pub id: String,
    pub reason: String,
    pub expires: String,
    /// `applied` (it waived failures), `expired` (it fails the run) or `stale` (nothing to waive).
    pub status: String,
    /// Check ids it waived.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub waived: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn current() -> Self {
        Tool {
            name: "authspec".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    Incomplete,
}

impl Verdict {
    /// The process exit code: 0 pass, 1 fail, 3 incomplete (2 is for usage errors).
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
            Verdict::Incomplete => 3,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Incomplete => "incomplete",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    pub fail: usize,
    pub skip: usize,
    pub error: usize,
    /// Failures at MUST level (these decide the verdict).
    pub must_fail: usize,
    /// Failures at SHOULD level (warnings unless --strict).
    pub should_fail: usize,
    /// Failures a waiver accepted (still counted in `fail`).
    #[serde(default)]
    pub waived: usize,
    /// Failures at MAY level: information, never counted in `fail`.
    #[serde(default)]
    pub info: usize,
    /// Failures that follow from another failure (`consequence_of`): counted here, not in `fail`.
    #[serde(default)]
    pub consequences: usize,
}

/// A pointer to one exchange, as results cite it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExchangeRef {
    pub id: usize,
    pub roles: Vec<String>,
    pub method: String,
    pub url: String,
    /// `none`, `key`, `bad-key`, `revocable-key`, `low-scope-key`, `forged-token` or `query-key`.
    pub credential: String,
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// Hex SHA-256 of the response body, so two reports show which documents changed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub body_sha256: Option<String>,
    /// When the request started, in ms from the run's start.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub started_ms: Option<u64>,
    /// The exchange whose answer this request waited for (the dependency chain).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub after: Option<usize>,
    /// Where the answer finally came from, when a redirect was followed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub final_url: Option<String>,
}

impl ExchangeRef {
    pub fn of(ex: &Exchange) -> Self {
        ExchangeRef {
            id: ex.id,
            roles: ex.roles.iter().map(Role::label).collect(),
            method: ex.method.clone(),
            url: ex.url.clone(),
            credential: ex.credential.clone(),
            status: ex.status,
            error: ex
                .error
                .clone()
                .or_else(|| ex.not_fetched.clone().map(|r| format!("not fetched: {r}"))),
            body_sha256: inventory::body_digest(ex),
            started_ms: ex.started_ms,
            after: ex.after,
            final_url: ex.final_url.clone(),
        }
    }
}

/// One further finding of a result that judged several subjects.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Detail {
    pub outcome: Outcome,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub actual: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pointer: Option<String>,
}

/// The result of one check.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CheckResult {
    pub id: String,
    pub area: Area,
    pub title: String,
    pub level: Level,
    pub outcome: Outcome,
    /// For skips: `no-input` (counts against completeness) or `chosen`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub skip_kind: Option<SkipKind>,
    pub requirements: Vec<String>,
    pub spec: String,
    pub spec_url: String,
    /// What a fix looks like (from the catalogue).
    pub fix: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub actual: Option<String>,
    /// JSON pointer of the offending member.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pointer: Option<String>,
    /// Where `pointer` sits in the text of the document it came from.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub position: Option<SourcePosition>,
    pub evidence: Vec<ExchangeRef>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub details: Vec<Detail>,
    /// The reason of the waiver that accepted this failure.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub waived: Option<String>,
    /// The check whose failure this one follows from: reported, not counted as another failure.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consequence_of: Option<String>,
    /// The "one of" group this row is a route of, and what became of the group.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub alternative: Option<AlternativeNote>,
}

/// How a group of alternative routes treated one of its member rows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AlternativeNote {
    /// The group's id (`mcp.prm-location`).
    pub group: String,
    /// The row that decides the group.
    pub decider: String,
    /// Whether the decider passed: another route suffices, so this row's failure is info.
    pub satisfied: bool,
    /// The level the row had before the group spoke.
    pub level: Level,
}

/// A member's place in a recorded document: which exchange's body, which line and column.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourcePosition {
    /// The exchange whose body holds the member.
    pub exchange: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in Unicode scalar values.
    pub column: u32,
    /// The text of that line (for long lines, a window of 160 characters around the member).
    pub source_line: String,
    /// 1-based column of the member within `source_line`.
    pub source_column: u32,
}

impl SourcePosition {
    /// The token at the position: a member's quoted name, or an array element's first token.
    pub fn token(&self) -> String {
        let start = usize::try_from(self.source_column)
            .unwrap_or(1)
            .saturating_sub(1);
        let rest: String = self.source_line.chars().skip(start).collect();
        let end = match rest.strip_prefix('"') {
            Some(name) => name.find('"').map_or(rest.len(), |i| i + 2),
            None => rest.find([',', ']', '}', ' ']).unwrap_or(rest.len()),
        };
        match &rest[..end] {
            "" => rest.chars().take(1).collect(),
            token => token.to_string(),
        }
    }

    /// Finds `pointer` in the first of `exchanges` (by id) whose body holds it.
    fn find(pointer: &str, exchanges: &[usize], ev: &Evidence) -> Option<Self> {
        exchanges.iter().find_map(|id| {
            let ex = ev.exchanges.iter().find(|e| e.id == *id)?;
            let p = crate::parse::jsonpos::locate(&ex.body, pointer)?;
            Some(SourcePosition {
                exchange: ex.id,
                line: p.line,
                column: p.column,
                source_line: p.source_line,
                source_column: p.source_column,
            })
        })
    }
}

impl Report {
    /// The results grouped by area, in catalogue area order, leaving out areas with none.
    pub fn by_area(&self) -> Vec<(Area, Vec<&CheckResult>)> {
        Area::ALL
            .into_iter()
            .map(|a| {
                (
                    a,
                    self.results
                        .iter()
                        .filter(|r| r.area == a)
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, rows)| !rows.is_empty())
            .collect()
    }
}

impl CheckResult {
    /// The offending member: its pointer, and its line and column when they are known.
    pub fn place(&self) -> Option<String> {
        let p = self.pointer.as_deref()?;
        Some(match &self.position {
            Some(pos) => format!("{p} (line {}, column {})", pos.line, pos.column),
            None => p.to_string(),
        })
    }

    /// Folds a check's findings into one result: the worst finding speaks, the rest become details.
    pub fn from_findings(
        check: &Check,
        level: Level,
        mut findings: Vec<Finding>,
        ev: &Evidence,
    ) -> Self {
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity()));
        let head = findings
            .first()
            .cloned()
            .unwrap_or_else(|| Finding::skip("nothing to judge"));
        let same: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.severity() == head.severity())
            .collect();
        let mut message = head.message.clone();
        if head.outcome != Outcome::Pass && same.len() > 1 {
            message.push_str(&format!(" (and {} more)", same.len() - 1));
        }
        let mut ids: Vec<usize> = findings
            .iter()
            .flat_map(|f| f.evidence.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let details = if head.outcome == Outcome::Pass || findings.len() < 2 {
            Vec::new()
        } else {
            findings
                .iter()
                .map(|f| Detail {
                    outcome: f.outcome,
                    message: f.message.clone(),
                    expected: f.expected.clone(),
                    actual: f.actual.clone(),
                    pointer: f.pointer.clone(),
                })
                .collect()
        };
        CheckResult {
            id: check.id.into(),
            area: check.area,
            title: check.title.into(),
            level,
            outcome: head.outcome,
            skip_kind: head.skip,
            requirements: check.requirements.iter().map(|s| s.to_string()).collect(),
            spec: check.spec.into(),
            spec_url: check.spec_url.into(),
            fix: check.fix.into(),
            message,
            expected: head.expected,
            actual: head.actual,
            position: head
                .pointer
                .as_deref()
                .and_then(|p| SourcePosition::find(p, &head.evidence, ev)),
            pointer: head.pointer,
            waived: None,
            consequence_of: head.because.map(str::to_string),
            alternative: None,
            evidence: ids
                .into_iter()
                .filter_map(|i| ev.exchanges.iter().find(|e| e.id == i))
                .map(ExchangeRef::of)
                .collect(),
            details,
        }
    }

    /// A result for a check that the profile does not apply.
    pub fn not_applied(check: &Check, profile: Profile) -> Self {
        CheckResult {
            id: check.id.into(),
            area: check.area,
            title: check.title.into(),
            level: Level::May,
            outcome: Outcome::Skip,
            skip_kind: Some(SkipKind::NotApplied),
            requirements: check.requirements.iter().map(|s| s.to_string()).collect(),
            spec: check.spec.into(),
            spec_url: check.spec_url.into(),
            fix: check.fix.into(),
            message: format!("profile {} does not apply this row", profile.as_str()),
            expected: None,
            actual: None,
            pointer: None,
            position: None,
            evidence: Vec::new(),
            details: Vec::new(),
            waived: None,
            consequence_of: None,
            alternative: None,
        }
    }

    /// A failure that decides nothing by itself: a consequence of another failure, or a route of a
    /// group another route satisfied (its level is then `may`).
    pub fn is_consequence(&self) -> bool {
        self.outcome == Outcome::Fail && self.consequence_of.is_some()
    }
}

/// What one result means to a reader. Every format maps this, and only this, to its own words,
/// so a row cannot be `info` in one report and a failure in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Pass,
    /// A MUST failure: decides the verdict.
    Fail,
    /// A SHOULD failure: decides the verdict only with `--strict`.
    Warn,
    /// A MAY failure, or a route another route made unnecessary: information.
    Info,
    /// A failure that follows from another failure (`consequence_of`).
    Consequence,
    /// A failure a waiver accepted.
    Waived,
    Error,
    /// Skipped because its input did not arrive: leaves a MUST incomplete.
    NoInput,
    Skip,
}

impl Standing {
    pub fn of(r: &CheckResult) -> Self {
        if r.waived.is_some() && matches!(r.outcome, Outcome::Fail | Outcome::Error) {
            return Standing::Waived;
        }
        match (r.outcome, r.level, r.skip_kind) {
            (Outcome::Pass, _, _) => Standing::Pass,
            (Outcome::Fail, _, _) if r.is_consequence() => Standing::Consequence,
            (Outcome::Fail, Level::Must, _) => Standing::Fail,
            (Outcome::Fail, Level::Should, _) => Standing::Warn,
            (Outcome::Fail, Level::May, _) => Standing::Info,
            (Outcome::Error, _, _) => Standing::Error,
            (Outcome::Skip, _, Some(SkipKind::NoInput)) => Standing::NoInput,
            (Outcome::Skip, _, _) => Standing::Skip,
        }
    }

    /// The word human, HTML and Markdown output print (five characters or fewer).
    pub fn word(self) -> &'static str {
        match self {
            Standing::Pass => "pass",
            Standing::Fail => "FAIL",
            Standing::Warn => "warn",
            Standing::Info => "info",
            Standing::Consequence => "after",
            Standing::Waived => "waived",
            Standing::Error => "ERROR",
            Standing::NoInput => "skip!",
            Standing::Skip => "skip",
        }
    }

    /// A problem worth listing: everything but passes, info and chosen skips.
    pub fn is_problem(self) -> bool {
        !matches!(self, Standing::Pass | Standing::Info | Standing::Skip)
    }
}

/// One sentence on why a failure does not count by itself, for every format to show.
pub fn attribution(r: &CheckResult) -> Option<String> {
    if r.outcome != Outcome::Fail {
        return None;
    }
    match (&r.alternative, &r.consequence_of) {
        (Some(a), _) if a.satisfied => Some(format!(
            "another route suffices: {} passed, so this row of the one-of group {} is info ({} alone)",
            a.decider,
            a.group,
            a.level.as_str()
        )),
        (Some(a), Some(c)) => Some(format!(
            "consequence of {c}: no route of the one-of group {} works; {c} is counted, this route is not",
            a.group
        )),
        (_, Some(c)) => Some(format!(
            "consequence of {c}: follows from that failure and is not counted again"
        )),
        (Some(a), None) => Some(format!(
            "a route of the one-of group {}; {} could not judge the group, so this row decides nothing alone",
            a.group, a.decider
        )),
        _ => None,
    }
}

/// Root-cause attribution and "one of" groups, applied once every check has a result.
///
/// A finding that named its possible cause keeps `consequence_of` only when that cause failed in
/// this run. A group's member rows become info when the decider passed, and consequences of the
/// decider when it failed, so the verdict is decided by the group.
///
/// `unselected` holds the outcomes of checks that judged but were not selected for the report (a
/// group's decider left out by `--only`): a route is still judged by its group.
pub fn attribute(
    results: &mut [CheckResult],
    unselected: &[(&str, Outcome)],
    profile: Profile,
    version: crate::profile::McpVersion,
) {
    let selected = |rs: &[CheckResult], id: &str| rs.iter().find(|r| r.id == id).map(|r| r.outcome);
    let outcome = |rs: &[CheckResult], id: &str| {
        selected(rs, id).or_else(|| unselected.iter().find(|(i, _)| *i == id).map(|(_, o)| *o))
    };
    // A consequence is only not counted when the failure it follows from is in the report.
    let failed: Vec<bool> = results
        .iter()
        .map(|r| {
            r.consequence_of
                .as_deref()
                .is_some_and(|c| c != r.id && selected(results, c) == Some(Outcome::Fail))
        })
        .collect();
    for (r, keep) in results.iter_mut().zip(&failed) {
        if !keep || r.outcome != Outcome::Fail {
            r.consequence_of = None;
        }
    }
    for i in 0..results.len() {
        let Some(g) = crate::profile::alternatives::governing(&results[i].id, profile, version)
        else {
            continue;
        };
        let Some(decided) = outcome(results, g.decider) else {
            continue;
        };
        let reported = selected(results, g.decider).is_some();
        let r = &mut results[i];
        if r.outcome != Outcome::Fail {
            continue;
        }
        r.alternative = Some(AlternativeNote {
            group: g.id.into(),
            decider: g.decider.into(),
            satisfied: decided == Outcome::Pass,
            level: r.level,
        });
        match decided {
            Outcome::Pass => {
                r.level = Level::May;
                r.consequence_of = None;
            }
            // Counted through the decider only when the decider is in the report.
            Outcome::Fail if reported => r.consequence_of = Some(g.decider.into()),
            Outcome::Fail => {}
            // The decider could not judge the group: this route's absence decides nothing alone.
            Outcome::Skip | Outcome::Error => r.level = Level::May,
        }
    }
}

/// One edge of the discovery chain: 401 -> PRM -> AS metadata -> JWKS.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub url: String,
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub compared: Option<Compared>,
    pub ok: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Compared {
    pub member: String,
    pub expected: String,
    pub actual: Option<String>,
}

/// The verdict rule: fail on a MUST failure (or SHOULD with `strict`); incomplete when a MUST
/// errored or lacked its input; else pass.
pub fn verdict(results: &[CheckResult], strict: bool) -> Verdict {
    let decisive = |r: &CheckResult| gate::decisive(r, strict);
    if results
        .iter()
        .any(|r| decisive(r) && r.outcome == Outcome::Fail)
    {
        return Verdict::Fail;
    }
    let unjudged = |r: &CheckResult| {
        r.outcome == Outcome::Error
            || (r.outcome == Outcome::Skip && r.skip_kind == Some(SkipKind::NoInput))
    };
    if results.iter().any(|r| decisive(r) && unjudged(r)) {
        return Verdict::Incomplete;
    }
    Verdict::Pass
}

/// Counts of outcomes.
pub fn summarize(results: &[CheckResult]) -> Summary {
    let mut s = Summary {
        total: results.len(),
        ..Summary::default()
    };
    for r in results {
        match r.outcome {
            Outcome::Pass => s.pass += 1,
            Outcome::Fail if r.is_consequence() => s.consequences += 1,
            Outcome::Fail if r.level == Level::May => s.info += 1,
            Outcome::Fail => s.fail += 1,
            Outcome::Skip => s.skip += 1,
            Outcome::Error => s.error += 1,
        }
        if r.waived.is_some() {
            s.waived += 1;
        }
        if r.outcome == Outcome::Fail && !r.is_consequence() {
            match r.level {
                Level::Must => s.must_fail += 1,
                Level::Should => s.should_fail += 1,
                Level::May => {}
            }
        }
    }
    s
}

/// Applies `waivers` (as of `today`, `YYYY-MM-DD`): matching failures are marked waived and no
/// longer decide the verdict; an expired waiver fails the run; one that matches nothing is stale.
pub fn apply_waivers(report: &mut Report, waivers: &[crate::config::Waiver], today: &str) {
    let mut expired = false;
    for w in waivers {
        let expiry = w.expiry();
        let mut status = WaiverStatus {
            id: w.id.clone(),
            reason: w.reason.clone(),
            expires: expiry.clone(),
            status: String::new(),
            waived: Vec::new(),
        };
        if expiry.as_str() < today {
            status.status = "expired".into();
            expired = true;
        } else {
            for r in report
                .results
                .iter_mut()
                .filter(|r| matches!(r.outcome, Outcome::Fail | Outcome::Error))
            {
                if r.id == w.id || r.requirements.contains(&w.id) {
                    r.waived = Some(w.reason.clone());
                    status.waived.push(r.id.clone());
                }
            }
            status.status = if status.waived.is_empty() {
                "stale".into()
            } else {
                "applied".into()
            };
        }
        report.waivers.push(status);
    }
    report.summary = summarize(&report.results);
    report.verdict = if expired {
        Verdict::Fail
    } else {
        verdict(&report.results, report.strict)
    };
}

/// The chain node of the document fetched from `url`: `prm`, `asm(issuer)`, or the URL itself.
fn node_of(ev: &Evidence, url: &str) -> String {
    ev.exchanges
        .iter()
        .filter(|e| e.url == url)
        .flat_map(|e| e.roles.iter())
        .find_map(|r| match r {
            Role::Prm | Role::PrmHinted { .. } | Role::PrmRoot => Some("prm".to_string()),
            Role::Asm { issuer } => Some(format!("asm({issuer})")),
            Role::AsmOidc { issuer, .. } => Some(format!("asm({issuer})")),
            _ => None,
        })
        .unwrap_or_else(|| url.to_string())
}

/// The discovery chain as the evidence shows it.
pub fn chain(ev: &Evidence) -> Vec<Edge> {
    let mut out = Vec::new();
    for ex in &ev.exchanges {
        for role in &ex.roles {
            let (from, to, compared) = match role {
                Role::PrmHinted { hinted_by } => (
                    "401".to_string(),
                    "prm".to_string(),
                    Some(("resource", hinted_by.clone())),
                ),
                Role::Prm => (
                    "resource".into(),
                    "prm".into(),
                    Some(("resource", ev.resource.clone())),
                ),
                Role::Asm { issuer } => (
                    "prm".into(),
                    format!("asm({issuer})"),
                    Some(("issuer", issuer.clone())),
                ),
                // The document that named the set is a node of its own: name it as that node.
                Role::Jwks { named_by } => (node_of(ev, named_by), "jwks".into(), None),
                _ => continue,
            };
            let actual = compared.as_ref().and_then(|(m, _)| {
                ex.json()
                    .ok()
                    .and_then(|j| j.value.get(*m))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            });
            let fetched = ex.status == Some(200) && ex.json().is_ok_and(|j| j.value.is_object());
            let matches = match (&compared, &actual, role) {
                // Under rfc the literal RFC 9728 §3.3 rule: identical to the URL called.
                (Some(_), Some(a), Role::PrmHinted { hinted_by }) if ev.profile == Profile::Rfc => {
                    a == hinted_by
                }
                (Some(_), Some(a), Role::PrmHinted { hinted_by }) => url::Url::parse(a)
                    .ok()
                    .zip(url::Url::parse(hinted_by).ok())
                    .is_some_and(|(r, q)| crate::identifier::is_prefix_resource(&r, &q)),
                (Some((_, e)), Some(a), _) => a == e,
                (Some(_), None, _) => false,
                (None, _, _) => true,
            };
            let ok = fetched && matches;
            // Two probes whose 401s name one PRM are one edge of the chain, unless one broke it.
            if out
                .iter()
                .any(|e: &Edge| e.from == from && e.to == to && e.url == ex.url && e.ok == ok)
            {
                continue;
            }
            out.push(Edge {
                from,
                to,
                url: ex.url.clone(),
                status: ex.status,
                compared: compared.map(|(m, e)| Compared {
                    member: m.into(),
                    expected: e,
                    actual,
                }),
                ok,
            });
        }
    }
    out
}
