//! RateLimit header fields in every draft dialect (catalogue A-1), normalised with their problems.

use sfv::{BareItem, Dictionary, List, ListEntry, Parser};

/// Which draft the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `RateLimit-Limit` / `-Remaining` / `-Reset` (+ `-Policy`): drafts -00 … -06.
    Legacy,
    /// `RateLimit: limit=…, remaining=…, reset=…` (an SF Dictionary): draft -07.
    Dictionary,
    /// `RateLimit: "name";r=…;t=…` with `RateLimit-Policy: "name";q=…;w=…`: drafts -08 … -12.
    Structured,
    /// Only `X-RateLimit-*`: in no draft.
    Vendor,
    /// No rate-limit fields at all.
    Absent,
}

impl Dialect {
    /// Whether this is the dialect of the newest draft (-12): the one a new server should speak.
    pub fn is_newest(self) -> bool {
        self == Dialect::Structured
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Legacy => "legacy RateLimit-Limit/-Remaining/-Reset (drafts -00…-06)",
            Dialect::Dictionary => "RateLimit dictionary (draft -07)",
            Dialect::Structured => "RateLimit + RateLimit-Policy structured lists (drafts -08…-12)",
            Dialect::Vendor => "vendor X-RateLimit-* (no draft)",
            Dialect::Absent => "none",
        }
    }
}

/// One quota the response reports on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Limit {
    /// The policy name (-08+); `None` in the older dialects.
    pub name: Option<String>,
    pub limit: Option<i64>,
    pub remaining: Option<i64>,
    pub reset: Option<i64>,
}

/// One advertised policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    pub name: Option<String>,
    pub quota: Option<i64>,
    pub window: Option<i64>,
}

/// A rule the fields break, with the catalogue row it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub requirement: &'static str,
    pub message: String,
}

/// What the rate-limit fields of one response say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    pub dialect: Dialect,
    pub limits: Vec<Limit>,
    pub policies: Vec<Policy>,
    pub problems: Vec<Problem>,
    /// Field names present, for messages.
    pub fields: Vec<String>,
}

/// Seconds at or above this are an epoch timestamp, not a delta (RL-RESET-DELTA).
pub const EPOCH_LIKE: i64 = 1_000_000_000;

fn values<'a>(headers: &'a [(String, String)], name: &'a str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

fn problem(out: &mut Vec<Problem>, requirement: &'static str, message: String) {
    out.push(Problem {
        requirement,
        message,
    });
}

/// Detects the dialect of `headers` and checks it by that dialect's rules only.
pub fn parse(headers: &[(String, String)]) -> RateLimit {
    let mut rl = RateLimit {
        dialect: Dialect::Absent,
        limits: Vec::new(),
        policies: Vec::new(),
        problems: Vec::new(),
        fields: Vec::new(),
    };
    rl.fields = headers
        .iter()
        .map(|(k, _)| k.to_ascii_lowercase())
        .filter(|k| k.starts_with("ratelimit") || k.starts_with("x-ratelimit"))
        .collect();
    rl.fields.dedup();
    let legacy = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"]
        .iter()
        .any(|n| !values(headers, n).is_empty());
    let combined = values(headers, "ratelimit").join(", ");
    if legacy {
        rl.dialect = Dialect::Legacy;
        legacy_fields(headers, &mut rl);
    } else if !combined.is_empty() {
        match Parser::new(&combined).parse::<Dictionary>() {
            Ok(d)
                if d.contains_key("limit")
                    || d.contains_key("remaining")
                    || d.contains_key("reset") =>
            {
                rl.dialect = Dialect::Dictionary;
                dictionary_field(&d, &mut rl);
            }
            _ => {
                rl.dialect = Dialect::Structured;
                structured_field(&combined, &mut rl);
            }
        }
    } else if rl.fields.iter().any(|f| f.starts_with("x-ratelimit")) {
        rl.dialect = Dialect::Vendor;
    }
    policy_field(&values(headers, "ratelimit-policy").join(", "), &mut rl);
    if rl.dialect != Dialect::Absent && rl.dialect != Dialect::Vendor {
        cross_checks(&mut rl);
    }
    rl
}

/// Which of limit, remaining, reset and policy the rate-limit fields of a response carry at all,
/// valid or not (whether the values are well formed is other rules' business).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Said {
    pub limit: bool,
    pub remaining: bool,
    pub reset: bool,
    pub policy: bool,
}

/// What the fields of `headers` carry, read in the dialect they are written in: the legacy
/// fields by name (-00…-06); the -07 RateLimit dictionary's `limit`, `remaining` and `reset`
/// keys; the -08…-12 RateLimit items' `r` and `t` and the RateLimit-Policy items' `q`.
pub fn said(headers: &[(String, String)]) -> Said {
    let has = |n: &str| !values(headers, n).is_empty();
    let policy_text = values(headers, "ratelimit-policy").join(", ");
    let policy_quota = Parser::new(&policy_text).parse::<List>().is_ok_and(|l| {
        l.iter().any(|e| match e {
            // -08+: "name";q=…; -03…-07: a bare Integer quota.
            ListEntry::Item(i) => i.params.get("q").is_some() || i.bare_item.as_integer().is_some(),
            ListEntry::InnerList(_) => false,
        })
    });
    let mut out = Said {
        limit: has("ratelimit-limit") || policy_quota,
        remaining: has("ratelimit-remaining"),
        reset: has("ratelimit-reset"),
        policy: has("ratelimit-policy"),
    };
    let combined = values(headers, "ratelimit").join(", ");
    if combined.is_empty() {
        return out;
    }
    if let Ok(d) = Parser::new(&combined).parse::<Dictionary>() {
        out.limit |= d.contains_key("limit");
        out.remaining |= d.contains_key("remaining");
        out.reset |= d.contains_key("reset");
    }
    if let Ok(l) = Parser::new(&combined).parse::<List>() {
        for e in l.iter() {
            if let ListEntry::Item(i) = e {
                out.remaining |= i.params.get("r").is_some();
                out.reset |= i.params.get("t").is_some();
            }
        }
    }
    out
}

/// A legacy integer field: one field line, one non-negative integer (the -00…-03 list form keeps
/// its first member, the expiring limit).
fn legacy_int(headers: &[(String, String)], name: &str, rl: &mut RateLimit) -> Option<i64> {
    let vals = values(headers, name);
    if vals.is_empty() {
        return None;
    }
    if name == "ratelimit-reset"
        && vals.len() == 1
        && httpdate::parse_http_date(vals[0].trim()).is_ok()
    {
        problem(
            &mut rl.problems,
            "RL-RESET-DELTA",
            format!(
                "{name} is an HTTP-date ({:?}); it must be delta-seconds",
                vals[0]
            ),
        );
        return None;
    }
    if vals.len() > 1 || (name != "ratelimit-limit" && vals[0].contains(',')) {
        problem(
            &mut rl.problems,
            "RL-SINGLE-FIELD",
            format!("{name} appears more than once: {:?}", vals),
        );
    }
    let first = vals[0]
        .split(',')
        .next()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim();
    match first.parse::<i64>() {
        Ok(n) if n >= 0 && first.bytes().all(|b| b.is_ascii_digit()) => Some(n),
        _ if name == "ratelimit-reset" && httpdate::parse_http_date(first).is_ok() => {
            problem(
                &mut rl.problems,
                "RL-RESET-DELTA",
                format!("{name} is an HTTP-date ({first:?}); it must be delta-seconds"),
            );
            None
        }
        // All digits but beyond i64: a "reset" like that is no delta anyone can wait out.
        _ if name == "ratelimit-reset"
            && !first.is_empty()
            && first.bytes().all(|b| b.is_ascii_digit()) =>
        {
            problem(
                &mut rl.problems,
                "RL-RESET-DELTA",
                format!("{name} is {first}, absurdly far in the future; it must be delta-seconds"),
            );
            None
        }
        _ => {
            let req = if name == "ratelimit-reset" && first.starts_with('-') {
                "RL-RESET-DELTA"
            } else {
                "RL-NONNEG-INT"
            };
            problem(
                &mut rl.problems,
                req,
                format!("{name} is not a non-negative integer: {first:?}"),
            );
            None
        }
    }
}

fn legacy_fields(headers: &[(String, String)], rl: &mut RateLimit) {
    let limit = legacy_int(headers, "ratelimit-limit", rl);
    let remaining = legacy_int(headers, "ratelimit-remaining", rl);
    let reset = legacy_int(headers, "ratelimit-reset", rl);
    if !values(headers, "ratelimit-limit").is_empty()
        && values(headers, "ratelimit-reset").is_empty()
    {
        problem(
            &mut rl.problems,
            "RL-RESET-REQUIRED",
            "RateLimit-Limit is sent without RateLimit-Reset".into(),
        );
    }
    rl.limits.push(Limit {
        name: None,
        limit,
        remaining,
        reset,
    });
}

fn int_of(item: &BareItem) -> Option<i64> {
    item.as_integer().map(i64::from)
}

fn dictionary_field(d: &Dictionary, rl: &mut RateLimit) {
    let get = |k: &str, rl: &mut RateLimit| -> Option<i64> {
        match d.get(k) {
            None => None,
            Some(ListEntry::Item(i)) => match int_of(&i.bare_item) {
                Some(n) if n >= 0 => Some(n),
                _ => {
                    problem(
                        &mut rl.problems,
                        if k == "reset" {
                            "RL-RESET-DELTA"
                        } else {
                            "RL-NONNEG-INT"
                        },
                        format!("RateLimit {k} is not a non-negative Integer"),
                    );
                    None
                }
            },
            Some(ListEntry::InnerList(_)) => {
                problem(
                    &mut rl.problems,
                    "RL-NONNEG-INT",
                    format!("RateLimit {k} is an inner list, not an Integer"),
                );
                None
            }
        }
    };
    let limit = get("limit", rl);
    let remaining = get("remaining", rl);
    let reset = get("reset", rl);
    for k in ["limit", "reset"] {
        if !d.contains_key(k) {
            problem(
                &mut rl.problems,
                "RL-RESET-REQUIRED",
                format!("the RateLimit dictionary lacks the required {k} key"),
            );
        }
    }
    rl.limits.push(Limit {
        name: None,
        limit,
        remaining,
        reset,
    });
}

/// Quota units the draft's registry defines (-10 … -12 §RateLimit-Policy `qu`).
pub const QUOTA_UNITS: [&str; 3] = ["requests", "content-bytes", "concurrent-requests"];

/// The `qu` and `pk` rules of an item of `field` (drafts -08 … -12): `qu` "MUST be a String"
/// from the quota-unit registry, `pk` "MUST be a Byte Sequence".
fn param_types(field: &str, params: &sfv::Parameters, out: &mut Vec<Problem>) {
    if let Some(qu) = params.get("qu") {
        match qu.as_string().map(|s| s.as_str()) {
            Some(u) if QUOTA_UNITS.contains(&u) => {}
            Some(u) => problem(
                out,
                "RL-PARAM-TYPES",
                format!(
                    "{field} qu={u:?} is not a registered quota unit (requests, content-bytes, concurrent-requests)"
                ),
            ),
            None => problem(
                out,
                "RL-PARAM-TYPES",
                format!("{field} qu is {qu:?}, not a String"),
            ),
        }
    }
    if let Some(pk) = params.get("pk")
        && pk.as_byte_sequence().is_none()
    {
        problem(
            out,
            "RL-PARAM-TYPES",
            format!("{field} pk is {pk:?}, not a Byte Sequence (:base64:)"),
        );
    }
}

fn param_int(params: &sfv::Parameters, key: &str) -> Option<Result<i64, ()>> {
    params
        .get(key)
        .map(|v| int_of(v).filter(|n| *n >= 0).ok_or(()))
}

fn structured_field(text: &str, rl: &mut RateLimit) {
    let list = match Parser::new(text).parse::<List>() {
        Ok(l) => l,
        Err(e) => {
            problem(
                &mut rl.problems,
                "RL-NONNEG-INT",
                format!("RateLimit is not a valid structured field list: {e}"),
            );
            return;
        }
    };
    for entry in list {
        let ListEntry::Item(item) = entry else {
            problem(
                &mut rl.problems,
                "RL-POLICY-ITEM-STRING",
                "a RateLimit member is an inner list".into(),
            );
            continue;
        };
        let name = item.bare_item.as_string().map(|s| s.as_str().to_string());
        if name.is_none() {
            problem(
                &mut rl.problems,
                "RL-POLICY-ITEM-STRING",
                format!(
                    "a RateLimit item is not a String naming a policy: {:?}",
                    item.bare_item
                ),
            );
        }
        param_types("RateLimit", &item.params, &mut rl.problems);
        let mut lim = Limit {
            name,
            ..Limit::default()
        };
        match param_int(&item.params, "r") {
            Some(Ok(r)) => lim.remaining = Some(r),
            Some(Err(())) => problem(
                &mut rl.problems,
                "RL-NONNEG-INT",
                "RateLimit r is not a non-negative Integer".into(),
            ),
            None => problem(
                &mut rl.problems,
                "RL-NONNEG-INT",
                "a RateLimit item lacks r (REQUIRED from -09)".into(),
            ),
        }
        match param_int(&item.params, "t") {
            Some(Ok(t)) => lim.reset = Some(t),
            Some(Err(())) => problem(
                &mut rl.problems,
                "RL-RESET-DELTA",
                "RateLimit t is not a non-negative Integer of delta-seconds".into(),
            ),
            None => {}
        }
        rl.limits.push(lim);
    }
}

fn policy_field(text: &str, rl: &mut RateLimit) {
    if text.trim().is_empty() {
        return;
    }
    let list = match Parser::new(text).parse::<List>() {
        Ok(l) => l,
        Err(e) => {
            problem(
                &mut rl.problems,
                "RL-POLICY-ITEM-STRING",
                format!("RateLimit-Policy is not a valid structured field list: {e}"),
            );
            return;
        }
    };
    for entry in list {
        let ListEntry::Item(item) = entry else {
            continue;
        };
        if rl.dialect == Dialect::Structured {
            param_types("RateLimit-Policy", &item.params, &mut rl.problems);
        }
        let window = match param_int(&item.params, "w") {
            Some(Ok(w)) => Some(w),
            Some(Err(())) => {
                problem(
                    &mut rl.problems,
                    "RL-NONNEG-INT",
                    "RateLimit-Policy w is not a non-negative Integer".into(),
                );
                None
            }
            None => None,
        };
        let p = match (&item.bare_item, rl.dialect) {
            (BareItem::String(s), _) => {
                let quota = match param_int(&item.params, "q") {
                    Some(Ok(q)) => Some(q),
                    _ => {
                        problem(
                            &mut rl.problems,
                            "RL-POLICY-ITEM-STRING",
                            format!("policy {:?} lacks a non-negative Integer q", s.as_str()),
                        );
                        None
                    }
                };
                if window == Some(0) {
                    problem(
                        &mut rl.problems,
                        "RL-NONNEG-INT",
                        format!("policy {:?} has w=0 (non-zero from -09)", s.as_str()),
                    );
                }
                Policy {
                    name: Some(s.as_str().to_string()),
                    quota,
                    window,
                }
            }
            (BareItem::Integer(q), Dialect::Structured) => {
                problem(
                    &mut rl.problems,
                    "RL-POLICY-ITEM-STRING",
                    format!(
                        "policy item {q} is a bare Integer (the -07 syntax) next to a -08+ RateLimit field"
                    ),
                );
                Policy {
                    name: None,
                    quota: Some(i64::from(*q)),
                    window,
                }
            }
            (BareItem::Integer(q), _) => Policy {
                name: None,
                quota: Some(i64::from(*q)),
                window,
            },
            (other, _) => {
                problem(
                    &mut rl.problems,
                    "RL-POLICY-ITEM-STRING",
                    format!("policy item {other:?} is neither a String nor an Integer"),
                );
                continue;
            }
        };
        rl.policies.push(p);
    }
}

fn cross_checks(rl: &mut RateLimit) {
    let mut problems = Vec::new();
    for l in &rl.limits {
        if let Some(t) = l.reset.filter(|t| *t >= EPOCH_LIKE) {
            problems.push(Problem {
                requirement: "RL-RESET-DELTA",
                message: format!(
                    "reset {t} looks like an epoch timestamp; it must be delta-seconds"
                ),
            });
        }
        let quota = match (&l.name, rl.dialect) {
            (Some(n), Dialect::Structured) => rl
                .policies
                .iter()
                .find(|p| p.name.as_deref() == Some(n))
                .and_then(|p| p.quota),
            _ => l.limit,
        };
        if let (Some(r), Some(q)) = (l.remaining, quota)
            && r > q
        {
            problems.push(Problem {
                requirement: "RL-REMAINING-LE-LIMIT",
                message: format!("remaining {r} exceeds the limit {q}"),
            });
        }
        let named_policies = rl.policies.iter().any(|p| p.name.is_some());
        if let (Some(n), Dialect::Structured, true) = (&l.name, rl.dialect, named_policies)
            && !rl.policies.iter().any(|p| p.name.as_deref() == Some(n))
        {
            problems.push(Problem {
                requirement: "RL-POLICY-NAME-REF",
                message: format!(
                    "RateLimit names policy {n:?}, which RateLimit-Policy does not advertise"
                ),
            });
        }
    }
    if matches!(rl.dialect, Dialect::Legacy | Dialect::Dictionary) {
        let quotas: Vec<i64> = rl.policies.iter().filter_map(|p| p.quota).collect();
        if let Some(q) = quotas
            .iter()
            .enumerate()
            .find_map(|(i, q)| quotas[..i].contains(q).then_some(*q))
        {
            problems.push(Problem {
                requirement: "RL-POLICY-UNIQUE-QUOTA",
                message: format!("two policies share the quota {q}"),
            });
        }
    }
    rl.problems.extend(problems);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn reqs(rl: &RateLimit) -> Vec<&'static str> {
        rl.problems.iter().map(|p| p.requirement).collect()
    }

    #[test]
    fn legacy_dialect() {
        let rl = parse(&h(&[
            ("RateLimit-Limit", "10"),
            ("RateLimit-Remaining", "9"),
            ("RateLimit-Reset", "1"),
            ("RateLimit-Policy", "10;w=1"),
        ]));
        assert_eq!(rl.dialect, Dialect::Legacy);
        assert_eq!(
            rl.limits[0],
            Limit {
                name: None,
                limit: Some(10),
                remaining: Some(9),
                reset: Some(1)
            }
        );
        assert_eq!(rl.policies[0].window, Some(1));
        assert!(rl.problems.is_empty(), "{:?}", rl.problems);
    }

    #[test]
    fn legacy_list_form_and_problems() {
        let rl = parse(&h(&[
            ("RateLimit-Limit", "100, 100;w=60"),
            ("RateLimit-Remaining", "150"),
            ("RateLimit-Reset", "1767225600"),
        ]));
        assert_eq!(rl.limits[0].limit, Some(100));
        assert_eq!(reqs(&rl), ["RL-RESET-DELTA", "RL-REMAINING-LE-LIMIT"]);
        let rl = parse(&h(&[
            ("RateLimit-Limit", "10"),
            ("RateLimit-Remaining", "-1"),
        ]));
        assert_eq!(reqs(&rl), ["RL-NONNEG-INT", "RL-RESET-REQUIRED"]);
        let rl = parse(&h(&[
            ("RateLimit-Limit", "10"),
            ("RateLimit-Reset", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ]));
        assert_eq!(reqs(&rl), ["RL-RESET-DELTA"]);
        let rl = parse(&h(&[
            ("RateLimit-Limit", "10"),
            ("RateLimit-Limit", "20"),
            ("RateLimit-Reset", "3"),
        ]));
        assert_eq!(reqs(&rl), ["RL-SINGLE-FIELD"]);
        let rl = parse(&h(&[
            ("RateLimit-Limit", "100"),
            ("RateLimit-Reset", "3"),
            ("RateLimit-Policy", "100;w=1, 100;w=60"),
        ]));
        assert_eq!(reqs(&rl), ["RL-POLICY-UNIQUE-QUOTA"]);
    }

    #[test]
    fn draft_07_dictionary() {
        let rl = parse(&h(&[
            ("RateLimit", "limit=100, remaining=50, reset=5"),
            ("RateLimit-Policy", "100;w=60"),
        ]));
        assert_eq!(rl.dialect, Dialect::Dictionary);
        assert_eq!(rl.limits[0].remaining, Some(50));
        assert!(rl.problems.is_empty());
        let rl = parse(&h(&[("RateLimit", "remaining=50")]));
        assert_eq!(reqs(&rl), ["RL-RESET-REQUIRED", "RL-RESET-REQUIRED"]);
    }

    #[test]
    fn draft_08_structured() {
        let rl = parse(&h(&[
            ("RateLimit", "\"default\";r=50;t=30"),
            (
                "RateLimit-Policy",
                "\"burst\";q=100;w=60,\"default\";q=1000;w=86400",
            ),
        ]));
        assert_eq!(rl.dialect, Dialect::Structured);
        assert_eq!(rl.limits[0].name.as_deref(), Some("default"));
        assert_eq!(rl.policies.len(), 2);
        assert!(rl.problems.is_empty(), "{:?}", rl.problems);
        let rl = parse(&h(&[
            ("RateLimit", "\"day\";r=5000;t=2000000000"),
            ("RateLimit-Policy", "\"default\";q=10"),
        ]));
        assert_eq!(reqs(&rl), ["RL-RESET-DELTA", "RL-POLICY-NAME-REF"]);
        let rl = parse(&h(&[
            ("RateLimit", "\"default\";r=11;t=1"),
            ("RateLimit-Policy", "\"default\";q=10;w=1"),
        ]));
        assert_eq!(reqs(&rl), ["RL-REMAINING-LE-LIMIT"]);
        let rl = parse(&h(&[
            ("RateLimit", "\"default\";r=1"),
            ("RateLimit-Policy", "10;w=1"),
        ]));
        assert_eq!(reqs(&rl), ["RL-POLICY-ITEM-STRING"]);
    }

    #[test]
    fn draft_12_parameters() {
        let rl = parse(&h(&[
            ("RateLimit", "\"peruser\";r=10;t=5;pk=:cHsdsRa894==:"),
            (
                "RateLimit-Policy",
                "\"peruser\";q=65535;qu=\"content-bytes\";w=10;pk=:sdfjLJUOUH==:",
            ),
        ]));
        assert!(rl.problems.is_empty(), "{:?}", rl.problems);
        let rl = parse(&h(&[
            ("RateLimit", "\"a\";r=1;pk=\"user-1\""),
            (
                "RateLimit-Policy",
                "\"a\";q=5;qu=requests;w=1, \"b\";q=5;qu=\"tokens\"",
            ),
        ]));
        assert_eq!(
            reqs(&rl),
            ["RL-PARAM-TYPES", "RL-PARAM-TYPES", "RL-PARAM-TYPES"],
            "{:?}",
            rl.problems
        );
    }

    #[test]
    fn vendor_and_absent() {
        assert_eq!(
            parse(&h(&[("X-RateLimit-Limit", "10")])).dialect,
            Dialect::Vendor
        );
        assert_eq!(
            parse(&h(&[("Content-Type", "application/json")])).dialect,
            Dialect::Absent
        );
        let garbage = parse(&h(&[("RateLimit", "((((")]));
        assert_eq!(garbage.dialect, Dialect::Structured);
        assert!(!garbage.problems.is_empty());
    }
}
