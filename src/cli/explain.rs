//! `authspec explain`: what a check judges, where the spec says so, and how to see it fail.

use super::list::groups_of;
use anyhow::{Result, bail};
use authspec::checks;
use authspec::mock;
use authspec::profile::Profile;
use authspec::select::Selection;

pub(crate) fn cmd_explain(ids: &[String]) -> Result<u8> {
    // Every id is resolved first, so a typo in the third is reported before anything is printed.
    let mut found: Vec<&'static checks::Check> = Vec::new();
    for id in ids {
        // What `--only` takes: an id, an area or a requirement ID, each a glob.
        let one = Selection {
            only: vec![id.clone()],
            skip: Vec::new(),
        };
        let hits: Vec<&'static checks::Check> =
            checks::catalogue().filter(|c| one.includes(c)).collect();
        if hits.is_empty() {
            bail!(
                "no check, area or requirement matches {id:?}{} (see authspec list)",
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
pub(crate) fn nearest(id: &str) -> String {
    let lower = id.to_ascii_lowercase();
    checks::catalogue()
        .flat_map(|c| std::iter::once(c.id).chain(c.requirements.iter().copied()))
        .map(|cand| (edit_distance(&lower, &cand.to_ascii_lowercase()), cand))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map_or(String::new(), |(_, c)| format!(", did you mean {c}?"))
}

/// Levenshtein distance over bytes (ids are ASCII).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
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

pub(crate) fn explain_one(c: &checks::Check) {
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
