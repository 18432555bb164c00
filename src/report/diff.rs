//! `authspec diff`: what changed between two JSON reports — new, fixed and changed rows, the
//! documents whose bodies changed, and the keys that came or went.

use super::{CheckResult, ExchangeRef, Report, Standing};
use serde::Serialize;
use std::fmt::Write;

/// One row as it stood in each report (`None`: the report has no such row).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RowChange {
    pub id: String,
    pub level: String,
    /// The standing word (`pass`, `FAIL`, `warn`, `skip!`...) before and after.
    pub old: Option<String>,
    pub new: Option<String>,
    /// The row's message in the new report (or the old one, for a row that is gone).
    pub message: String,
}

/// A document (an uncredentialed GET) whose answer differs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DocumentChange {
    pub url: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    pub old_status: Option<u16>,
    pub new_status: Option<u16>,
}

/// A key that one report's JWKS has and the other's has not.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KeyChange {
    pub url: String,
    /// `added` or `removed`.
    pub change: &'static str,
    pub kid: Option<String>,
    pub thumbprint: String,
}

/// Everything that differs between two reports.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Diff {
    /// Problems in the new report that the old one did not have.
    pub new: Vec<RowChange>,
    /// Problems of the old report that the new one no longer has.
    pub fixed: Vec<RowChange>,
    /// Rows whose standing changed otherwise (a failure that became an error, a pass that became
    /// a skip, a row no longer run).
    pub changed: Vec<RowChange>,
    pub documents: Vec<DocumentChange>,
    pub keys: Vec<KeyChange>,
}

impl Diff {
    /// Whether the new report has a problem the old one had not.
    pub fn has_new(&self) -> bool {
        !self.new.is_empty()
    }
}

/// Compares `old` with `new`.
pub fn diff(old: &Report, new: &Report) -> Diff {
    let mut d = Diff::default();
    let find = |r: &Report, id: &str| r.results.iter().find(|x| x.id == id).cloned();
    let mut ids: Vec<&str> = new.results.iter().map(|r| r.id.as_str()).collect();
    ids.extend(
        old.results
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| !new.results.iter().any(|n| n.id == *id)),
    );
    for id in ids {
        let (o, n) = (find(old, id), find(new, id));
        let problem = |r: &Option<CheckResult>| r.as_ref().is_some_and(is_problem);
        let word = |r: &Option<CheckResult>| r.as_ref().map(|r| Standing::of(r).word().to_string());
        let Some(shown) = n.as_ref().or(o.as_ref()) else {
            continue;
        };
        let change = RowChange {
            id: id.to_string(),
            level: shown.level.as_str().to_string(),
            old: word(&o),
            new: word(&n),
            message: shown.message.clone(),
        };
        match (problem(&o), problem(&n)) {
            (false, true) => d.new.push(change),
            (true, false) if n.is_some() => d.fixed.push(change),
            _ if change.old != change.new => d.changed.push(change),
            _ => {}
        }
    }
    d.documents = documents(old, new);
    d.keys = keys(old, new);
    d
}

/// A row that needs attention: a failure, warning, error or missing input (not a waived one).
fn is_problem(r: &CheckResult) -> bool {
    let s = Standing::of(r);
    s.is_problem() && s != Standing::Waived && s != Standing::Consequence
}

/// Where a document sits, as compared: its path when it is on the report's own origin (so staging
/// and production, or two mock ports, compare), its whole URL otherwise.
fn place(report: &Report, url: &str) -> String {
    let origin = url::Url::parse(&report.target)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    match url.strip_prefix(&origin) {
        Some(path) if !origin.is_empty() && (path.is_empty() || path.starts_with('/')) => {
            format!("<target>{path}")
        }
        _ => url.to_string(),
    }
}

/// Documents: uncredentialed GETs, by place, compared by status and body digest.
fn documents(old: &Report, new: &Report) -> Vec<DocumentChange> {
    let docs = |r: &Report| -> Vec<(String, Option<u16>, Option<String>)> {
        let list: &[ExchangeRef] = &r.exchanges;
        let mut out: Vec<(String, Option<u16>, Option<String>)> = Vec::new();
        for e in list
            .iter()
            .filter(|e| e.method == "GET" && e.credential == "none")
        {
            let at = place(r, &e.url);
            if !out.iter().any(|(u, _, _)| *u == at) {
                out.push((at, e.status, e.body_sha256.clone()));
            }
        }
        out
    };
    let (o, n) = (docs(old), docs(new));
    let mut out = Vec::new();
    for (url, status, digest) in &n {
        match o.iter().find(|(u, _, _)| u == url) {
            None => out.push(DocumentChange {
                url: url.clone(),
                change: "added",
                old_status: None,
                new_status: *status,
            }),
            Some((_, os, od)) if os != status || od != digest => out.push(DocumentChange {
                url: url.clone(),
                change: "changed",
                old_status: *os,
                new_status: *status,
            }),
            Some(_) => {}
        }
    }
    for (url, status, _) in &o {
        if !n.iter().any(|(u, _, _)| u == url) {
            out.push(DocumentChange {
                url: url.clone(),
                change: "removed",
                old_status: *status,
                new_status: None,
            });
        }
    }
    out
}

fn keys(old: &Report, new: &Report) -> Vec<KeyChange> {
    let mut out = Vec::new();
    let mut one_way = |from: &Report, to: &Report, change: &'static str| {
        for k in &from.keys {
            if !to.keys.iter().any(|t| t.thumbprint == k.thumbprint) {
                out.push(KeyChange {
                    url: k.url.clone(),
                    change,
                    kid: k.kid.clone(),
                    thumbprint: k.thumbprint.clone(),
                });
            }
        }
    };
    one_way(new, old, "added");
    one_way(old, new, "removed");
    out
}

/// The diff for a terminal: one section per kind of change, nothing for an empty one.
pub fn render(d: &Diff, old_name: &str, new_name: &str) -> String {
    let mut out = format!("authspec diff {old_name} -> {new_name}\n");
    let rows = |out: &mut String, title: &str, list: &[RowChange]| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title} ({}):", list.len());
        for r in list {
            let _ = writeln!(
                out,
                "  {:<36} [{}] {} -> {}  {}",
                r.id,
                r.level,
                r.old.as_deref().unwrap_or("absent"),
                r.new.as_deref().unwrap_or("absent"),
                printable(&r.message)
            );
        }
    };
    rows(&mut out, "new problems", &d.new);
    rows(&mut out, "fixed", &d.fixed);
    rows(&mut out, "changed", &d.changed);
    if !d.documents.is_empty() {
        let _ = writeln!(out, "\ndocuments ({}):", d.documents.len());
        for c in &d.documents {
            let status = |s: Option<u16>| s.map_or("—".to_string(), |s| s.to_string());
            let _ = writeln!(
                out,
                "  {:<8} {} [{} -> {}]",
                c.change,
                printable(&c.url),
                status(c.old_status),
                status(c.new_status)
            );
        }
    }
    if !d.keys.is_empty() {
        let _ = writeln!(out, "\nkeys ({}):", d.keys.len());
        for k in &d.keys {
            let _ = writeln!(
                out,
                "  {:<8} kid {} ({}) at {}",
                k.change,
                printable(k.kid.as_deref().unwrap_or("none")),
                k.thumbprint,
                printable(&k.url)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{} new, {} fixed, {} changed rows; {} documents and {} keys changed",
        d.new.len(),
        d.fixed.len(),
        d.changed.len(),
        d.documents.len(),
        d.keys.len()
    );
    out
}

/// Server text as it may reach a terminal: control characters escaped, never raw.
fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}
