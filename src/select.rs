//! `--only` / `--skip`: choosing checks by id, area or requirement ID, with `*` and `?` globs.

use crate::checks::Check;

/// Which checks a run includes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

/// Case-insensitive glob match supporting `*` and `?`.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn matches(pattern: &str, check: &Check) -> bool {
    glob(pattern, check.id)
        || glob(pattern, check.area.slug())
        || check.requirements.iter().any(|r| glob(pattern, r))
}

impl Selection {
    /// Whether `check` runs.
    pub fn includes(&self, check: &Check) -> bool {
        (self.only.is_empty() || self.only.iter().any(|p| matches(p, check)))
            && !self.skip.iter().any(|p| matches(p, check))
    }

    /// Patterns that match no check at all: almost always a typo, so they are a usage error.
    pub fn unknown_patterns(&self) -> Vec<String> {
        self.only
            .iter()
            .chain(&self.skip)
            .filter(|p| !crate::checks::catalogue().any(|c| matches(p, c)))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("prm.*", "prm.resource-match"));
        assert!(glob("PRM-RESOURCE-*", "PRM-RESOURCE-MATCH"));
        assert!(glob("jwks.rsa-????", "jwks.rsa-2048"));
        assert!(!glob("prm.*", "asm.issuer-match"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
    }

    #[test]
    fn selects_by_id_area_and_requirement() {
        let s = Selection {
            only: vec!["jwks".into(), "PRM-RESOURCE-MATCH".into()],
            skip: vec!["jwks.x5*".into()],
        };
        let ids: Vec<&str> = crate::checks::catalogue()
            .filter(|c| s.includes(c))
            .map(|c| c.id)
            .collect();
        assert!(ids.contains(&"jwks.rsa-2048"));
        assert!(ids.contains(&"prm.resource-match"));
        assert!(!ids.contains(&"jwks.x5c"));
        assert!(!ids.contains(&"asm.issuer-match"));
        let bad = Selection {
            only: vec!["prm.resorce-match".into()],
            skip: vec![],
        };
        assert_eq!(bad.unknown_patterns(), vec!["prm.resorce-match"]);
    }
}
