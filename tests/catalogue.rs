//! The catalogue's own invariants: unique ids, known requirement IDs, faults that name real rows.

use authspec::checks::{self, Area};
use authspec::mock::{AS_FAULTS, FAULTS};
use std::collections::BTreeSet;

/// Row IDs of spec/requirements.md (the repository's copy of the shared catalogue).
fn catalogue_rows() -> BTreeSet<String> {
    let text = include_str!("../spec/requirements.md");
    text.lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .map(str::trim)
        .filter(|id| {
            id.len() > 3
                && id
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
                && id.contains('-')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn check_ids_are_unique_and_prefixed_by_their_area() {
    let mut seen = BTreeSet::new();
    for c in checks::catalogue() {
        assert!(seen.insert(c.id), "duplicate id {}", c.id);
        assert!(
            c.id.starts_with(&format!("{}.", c.area.slug())),
            "{} is not in area {}",
            c.id,
            c.area.slug()
        );
        assert!(!c.requirements.is_empty(), "{} names no requirement", c.id);
        assert!(
            c.spec_url.starts_with("https://"),
            "{}: {}",
            c.id,
            c.spec_url
        );
        assert!(!c.fix.is_empty() && !c.title.is_empty(), "{}", c.id);
    }
    for a in Area::ALL {
        assert!(
            checks::catalogue().any(|c| c.area == a),
            "area {} has no checks",
            a.slug()
        );
    }
}

#[test]
fn every_requirement_named_is_a_catalogue_row() {
    let rows = catalogue_rows();
    assert!(
        rows.len() > 150,
        "the catalogue parsed: {} rows",
        rows.len()
    );
    for c in checks::catalogue() {
        for r in c.requirements {
            assert!(
                rows.contains(*r),
                "{} names {r}, which is not a row of spec/requirements.md",
                c.id
            );
        }
    }
    for f in FAULTS.iter().chain(AS_FAULTS) {
        for r in f.breaks {
            assert!(
                rows.contains(*r),
                "fault {} names {r}, which is not a row",
                f.name
            );
        }
    }
}

#[test]
fn every_fault_is_unique_and_breaks_something_a_check_judges() {
    let judged: BTreeSet<&str> = checks::catalogue()
        .flat_map(|c| c.requirements.iter().copied())
        .collect();
    let mut names = BTreeSet::new();
    for f in FAULTS.iter().chain(AS_FAULTS) {
        assert!(names.insert(f.name), "duplicate fault {}", f.name);
        assert!(!f.breaks.is_empty(), "fault {} breaks nothing", f.name);
        for r in f.breaks {
            assert!(
                judged.contains(r),
                "fault {} breaks {r}, which no check judges",
                f.name
            );
        }
    }
}

/// The shared catalogue allows adding rows ("Add rows when you find a requirement that is
/// missing ... never rename or reuse an ID"), so the repository's copy must keep every shared
/// line, in order and unchanged, and may only add table rows that say authspec added them.
#[test]
fn the_repository_catalogue_extends_the_shared_one_when_present() {
    let shared =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/requirements.md");
    let Ok(text) = std::fs::read_to_string(shared) else {
        return;
    };
    let ours: Vec<&str> = include_str!("../spec/requirements.md").lines().collect();
    let mut i = 0;
    for (n, line) in text.lines().enumerate() {
        while i < ours.len() && ours[i] != line {
            assert!(
                is_added_row(ours[i]),
                "spec/requirements.md line {} is neither in ../shared/spec/requirements.md \
                 nor a row marked as added by authspec: {}",
                i + 1,
                ours[i]
            );
            i += 1;
        }
        assert!(
            i < ours.len(),
            "spec/requirements.md lost or changed shared line {}: {line}",
            n + 1
        );
        i += 1;
    }
    // After the shared text: rows marked as added, or whole sections authspec adds (for
    // subjects the shared catalogue has no table for), each headed as added by authspec.
    let mut appendix = false;
    for rest in &ours[i..] {
        if rest.starts_with("## ") {
            appendix = rest.contains("(added by authspec");
        }
        assert!(
            appendix || rest.trim().is_empty() || is_added_row(rest),
            "unexpected trailing line (neither a marked row nor in a section headed \"(added by authspec …)\"): {rest}"
        );
    }
}

fn is_added_row(line: &str) -> bool {
    line.starts_with("| ") && line.contains("(Row added by authspec")
}

/// One-of groups name real rows, the decider is not its own member, and every layout (a valid
/// alternative deployment) is named uniquely beside the faults and breaks nothing.
#[test]
fn alternatives_groups_and_layouts_name_real_rows() {
    use authspec::checks::alternatives::GROUPS;
    let ids: BTreeSet<&str> = checks::catalogue().map(|c| c.id).collect();
    let mut seen = BTreeSet::new();
    for g in GROUPS {
        assert!(seen.insert(g.id), "duplicate group {}", g.id);
        assert!(ids.contains(g.decider), "{}: decider {}", g.id, g.decider);
        assert!(!g.members.is_empty(), "{} has no member", g.id);
        for m in g.members {
            assert!(ids.contains(m) && *m != g.decider, "{}: member {m}", g.id);
        }
        assert!(
            g.from <= g.until && g.spec_url.starts_with("https://"),
            "{}",
            g.id
        );
    }
    let faults: BTreeSet<&str> = FAULTS.iter().map(|f| f.name).collect();
    for l in authspec::mock::LAYOUTS {
        assert!(l.breaks.is_empty(), "layout {} declares breaks", l.name);
        assert!(
            !faults.contains(l.name),
            "layout {} is also a fault",
            l.name
        );
    }
}
