//! SARIF 2.1.0: one rule per catalogue check, one result per failed or errored check.

use super::{CheckResult, Report};
use crate::checks::{self, Level};
use crate::finding::Outcome;
use serde_json::{Value, json};

fn level(l: Level) -> &'static str {
    match l {
        Level::Must => "error",
        Level::Should => "warning",
        Level::May => "note",
    }
}

fn rules(report: &Report) -> Vec<Value> {
    checks::catalogue()
        .map(|c| {
            let lvl = c.levels.get(report.profile).unwrap_or(Level::May);
            json!({
                "id": c.id,
                "name": c.id.replace(['.', '-'], "_"),
                "shortDescription": {"text": c.title},
                "fullDescription": {"text": format!("{} ({})", c.title, c.spec)},
                "help": {"text": c.fix, "markdown": format!("{}\n\nSpec: [{}]({})", c.fix, c.spec, c.spec_url)},
                "helpUri": c.spec_url,
                "defaultConfiguration": {"level": level(lvl)},
                "properties": {"requirements": c.requirements, "area": c.area.slug(), "tags": c.requirements}
            })
        })
        .collect()
}

/// Where a result points: the lint input file or the document's URL, the member's line and
/// column when the document is JSON, and its pointer as a logical location.
fn location(r: &CheckResult, report: &Report) -> Value {
    let shown = r
        .position
        .as_ref()
        .and_then(|p| r.evidence.iter().find(|e| e.id == p.exchange))
        .or(r.evidence.first());
    let uri = match (&report.input_file, shown) {
        (Some(file), _) => file.clone(),
        (None, Some(e)) => e.url.clone(),
        (None, None) => report.target.clone(),
    };
    let mut physical = json!({"artifactLocation": {"uri": uri}});
    if let Some(p) = &r.position {
        let token = p.token();
        physical["region"] = json!({
            "startLine": p.line,
            "startColumn": p.column,
            "endColumn": p.column as usize + token.chars().count(),
            "snippet": {"text": token}
        });
        physical["contextRegion"] = json!({
            "startLine": p.line,
            "snippet": {"text": p.source_line}
        });
    }
    let mut loc = json!({"physicalLocation": physical});
    if let Some(p) = &r.pointer {
        loc["logicalLocations"] = json!([{"fullyQualifiedName": p, "kind": "member"}]);
    }
    loc
}

/// One `error` notification per MUST row that erred: what leaves the run incomplete, said as a
/// fault of the run (SARIF §3.58) rather than as a finding against the server.
fn notifications(report: &Report) -> Vec<Value> {
    report
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Error && r.level == Level::Must && r.waived.is_none())
        .map(|r| {
            json!({
                "level": "error",
                "message": {"text": format!("{} was not judged: {}", r.id, r.message)},
                "associatedRule": {"id": r.id}
            })
        })
        .collect()
}

/// Renders `report` as a SARIF 2.1.0 log.
pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    let ids: Vec<&str> = checks::catalogue().map(|c| c.id).collect();
    let results: Vec<Value> = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fail | Outcome::Error))
        .map(|r| {
            let mut text = r.message.clone();
            if let (Some(e), Some(a)) = (&r.expected, &r.actual) {
                text.push_str(&format!(" (expected {e}; actual {a})"));
            }
            if let Some(why) = super::attribution(r) {
                text.push_str(&format!(" [{why}]"));
            }
            // SARIF 2.1.0 §3.27.9/§3.27.10: a row authspec could not judge is `open` ("unable to
            // determine whether the result satisfied the rule"), and any kind but `fail` carries
            // level `none`; the MUST rows it leaves incomplete are raised as notifications instead.
            let (kind, lvl) = match super::Standing::of(r) {
                super::Standing::Error => ("open", "none"),
                super::Standing::Info | super::Standing::Consequence => ("fail", "note"),
                _ => ("fail", level(r.level)),
            };
            json!({
                "ruleId": r.id,
                "ruleIndex": ids.iter().position(|i| *i == r.id).unwrap_or(0),
                "level": lvl,
                "kind": kind,
                "message": {"text": text},
                "locations": [location(r, report)],
                "properties": {"requirements": r.requirements, "outcome": r.outcome, "expected": r.expected, "actual": r.actual, "consequenceOf": r.consequence_of},
                "suppressions": r.waived.as_ref().map_or_else(Vec::new, |why| vec![json!({"kind": "external", "status": "accepted", "justification": why})])
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "authspec", "version": report.tool.version, "informationUri": "https://github.com/authspec/authspec", "rules": rules(report)}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": report.verdict != super::Verdict::Incomplete, "startTimeUtc": report.started_at, "toolExecutionNotifications": notifications(report)}],
            "properties": {"target": report.target, "profile": report.profile.as_str(), "verdict": report.verdict.as_str()},
            "results": results
        }]
    });
    serde_json::to_string_pretty(&log).map(|mut s| {
        s.push('\n');
        s
    })
}
