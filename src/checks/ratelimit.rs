//! RateLimit fields by the rules of the dialect the server speaks, 429 with Retry-After, 402.

use super::{Area, Check, Level, Levels, MUST, SHOULD};
use crate::evidence::{Evidence, Exchange, Mode, Role, Wait};
use crate::finding::{Finding, pass_or};
use crate::parse::ratelimit::{self, Dialect, RateLimit};
use crate::parse::retry;
use std::time::SystemTime;

const DRAFT: &str = "https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/";
const AUTH_MD: &str = "https://github.com/workos/auth.md/blob/main/AUTH.md";

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::Ratelimit, $($t)*)
    };
}

const AUTH_MD_MUST: Levels = Levels::auth_md(Level::Must);
const AUTH_MD_SHOULD: Levels = Levels::auth_md(Level::Should);

/// The rate-limit checks, in report order.
pub static CHECKS: &[Check] = &[
    row!(
        "ratelimit.headers",
        "Keyed responses carry one complete RateLimit dialect",
        AUTH_MD_MUST,
        &["AUTHMD-RATELIMIT-HEADERS", "RL-DIALECT"],
        "auth.md §Rate limits (\"Responses carry RFC RateLimit headers (RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy)\"); catalogue A-1",
        AUTH_MD,
        "Say the limit, what remains, when it resets and the policy on authenticated responses: RateLimit-Limit, -Remaining, -Reset and RateLimit-Policy, or the same four in a later draft (-07: RateLimit limit/remaining/reset + RateLimit-Policy; -08…-12: RateLimit r and t + RateLimit-Policy q). authspec reads the seed's four names as these four things in whatever draft dialect the server speaks, and judges every dialect by the same four.",
        headers
    ),
    row!(
        "ratelimit.reset-delta",
        "Reset is delta-seconds, never a timestamp",
        MUST,
        &["RL-RESET-DELTA"],
        "draft-ietf-httpapi-ratelimit-headers (reset / t)",
        DRAFT,
        "Send the seconds until the window resets (e.g. 30), not an epoch time or an HTTP-date.",
        |ev| by_requirement(ev, "RL-RESET-DELTA")
    ),
    row!(
        "ratelimit.nonneg-int",
        "Limit, remaining, quota and window are non-negative integers",
        MUST,
        &["RL-NONNEG-INT"],
        "draft-ietf-httpapi-ratelimit-headers; RFC 9651",
        DRAFT,
        "Send plain non-negative integers (structured-field Integers in the -07+ dialects).",
        |ev| by_requirement(ev, "RL-NONNEG-INT")
    ),
    row!(
        "ratelimit.param-types",
        "qu is a registered quota-unit String and pk a Byte Sequence (drafts -08…-12)",
        MUST,
        &["RL-PARAM-TYPES"],
        "draft-ietf-httpapi-ratelimit-headers-12 §RateLimit-Policy (qu, pk), §RateLimit (pk)",
        DRAFT,
        "Send qu=\"requests\" (or \"content-bytes\", \"concurrent-requests\") as a quoted String and pk as :base64:.",
        |ev| by_requirement(ev, "RL-PARAM-TYPES")
    ),
    row!(
        "ratelimit.dialect",
        "The RateLimit fields are the newest draft's (-12: RateLimit + RateLimit-Policy lists)",
        Levels {
            auth_md: Some(Level::May),
            rfc: Some(Level::May),
            mcp: Some(Level::May),
        },
        &["RL-DIALECT"],
        "draft-ietf-httpapi-ratelimit-headers-12 §RateLimit-Policy, §RateLimit; catalogue A-1",
        DRAFT,
        "Move to RateLimit-Policy: \"name\";q=…;w=… and RateLimit: \"name\";r=…;t=… (drafts -08 to -12).",
        dialect
    ),
    row!(
        "ratelimit.problem-types",
        "A quota problem type carries violated-policies naming advertised policies",
        SHOULD,
        &["RL-PROBLEM-TYPES"],
        "draft-ietf-httpapi-ratelimit-headers-12 §Problem Types",
        DRAFT,
        "Add \"violated-policies\": [\"<policy name>\", …], each a name RateLimit-Policy advertises.",
        problem_types
    ),
    row!(
        "ratelimit.reset-required",
        "A response with a limit also says when it resets",
        MUST,
        &["RL-RESET-REQUIRED"],
        "draft-ietf-httpapi-ratelimit-headers -03…-07",
        DRAFT,
        "Send RateLimit-Reset with RateLimit-Limit (limit and reset keys in the -07 dictionary).",
        |ev| by_requirement(ev, "RL-RESET-REQUIRED")
    ),
    row!(
        "ratelimit.single-field",
        "Each legacy RateLimit field appears once",
        MUST,
        &["RL-SINGLE-FIELD"],
        "draft-ietf-httpapi-ratelimit-headers -01…-04",
        DRAFT,
        "Send each of RateLimit-Limit/-Remaining/-Reset once.",
        |ev| by_requirement(ev, "RL-SINGLE-FIELD")
    ),
    row!(
        "ratelimit.remaining-le-limit",
        "Remaining never exceeds the limit it counts down from",
        SHOULD,
        &["RL-REMAINING-LE-LIMIT"],
        "draft-ietf-httpapi-ratelimit-headers",
        DRAFT,
        "Report remaining <= limit (r <= q of the named policy).",
        |ev| by_requirement(ev, "RL-REMAINING-LE-LIMIT")
    ),
    row!(
        "ratelimit.policy-items",
        "RateLimit-Policy items fit the dialect (-08+: Strings with q)",
        MUST,
        &["RL-POLICY-ITEM-STRING"],
        "draft-ietf-httpapi-ratelimit-headers -08+",
        DRAFT,
        "In the -08+ dialect write policies as \"name\";q=100;w=60.",
        |ev| by_requirement(ev, "RL-POLICY-ITEM-STRING")
    ),
    row!(
        "ratelimit.policy-unique-quota",
        "No two legacy policies share a quota",
        MUST,
        &["RL-POLICY-UNIQUE-QUOTA"],
        "draft-ietf-httpapi-ratelimit-headers -06, -07",
        DRAFT,
        "Give each policy its own quota value.",
        |ev| by_requirement(ev, "RL-POLICY-UNIQUE-QUOTA")
    ),
    row!(
        "ratelimit.policy-name-ref",
        "Each RateLimit item names an advertised policy",
        SHOULD,
        &["RL-POLICY-NAME-REF"],
        "draft-ietf-httpapi-ratelimit-headers -08+",
        DRAFT,
        "Use the policy names of RateLimit-Policy in RateLimit.",
        |ev| by_requirement(ev, "RL-POLICY-NAME-REF")
    ),
    row!(
        "ratelimit.policy-stable",
        "RateLimit-Policy stays the same across responses",
        SHOULD,
        &["RL-POLICY-STABLE"],
        "draft-ietf-httpapi-ratelimit-headers -09+",
        DRAFT,
        "Keep the advertised policies constant.",
        policy_stable
    ),
    row!(
        "ratelimit.counts-down",
        "Remaining reflects use",
        AUTH_MD_SHOULD,
        &["AUTHMD-RATELIMIT-COUNTS-DOWN"],
        "auth.md §Rate limits",
        AUTH_MD,
        "Decrement remaining with every request inside a window.",
        counts_down
    ),
    row!(
        "ratelimit.retry-after-syntax",
        "Retry-After is delay-seconds or an HTTP-date",
        MUST,
        &["RA-SYNTAX"],
        "RFC 9110 §10.2.3",
        super::rfc!("9110", "10.2.3"),
        "Send Retry-After: 30 (or an IMF-fixdate).",
        retry_after_syntax
    ),
    row!(
        "ratelimit.429-retry-after",
        "A 429 carries Retry-After, reports nothing left, and the retry succeeds",
        AUTH_MD_MUST,
        &["AUTHMD-429-RETRY-AFTER", "HTTP-429"],
        "auth.md §Rate limits; RFC 6585 §4",
        AUTH_MD,
        "On 429 send Retry-After and remaining 0, and admit the request after that delay.",
        too_many
    ),
    row!(
        "ratelimit.retry-after-align",
        "Retry-After and the reset value agree on a 429",
        SHOULD,
        &["RL-RETRY-AFTER-ALIGN"],
        "draft-ietf-httpapi-ratelimit-headers; catalogue A-2",
        DRAFT,
        "Make Retry-After equal the reset delta (-10: not earlier than it).",
        retry_align
    ),
    row!(
        "ratelimit.402-quota",
        "A 402 for an exhausted quota explains itself and is not retried soon",
        AUTH_MD_SHOULD,
        &["AUTHMD-402-QUOTA", "HTTP-402"],
        "auth.md §Errors; RFC 9110 §15.5.3",
        AUTH_MD,
        "Answer quota exhaustion with 402 and a JSON body; no Retry-After under a day.",
        payment_required
    ),
];

/// Exchanges whose rate-limit fields are judged, with their parse.
fn observed(ev: &Evidence) -> Vec<(&Exchange, RateLimit)> {
    ev.exchanges
        .iter()
        .filter(|e| e.status.is_some())
        .map(|e| (e, ratelimit::parse(&e.response_headers)))
        .filter(|(_, rl)| !matches!(rl.dialect, Dialect::Absent | Dialect::Vendor))
        .collect()
}

fn nothing(ev: &Evidence) -> Finding {
    match (ev.mode, ev.api_key_given) {
        (Mode::Lint, _) => Finding::skip("lint was given no RateLimit fields"),
        (_, false) => {
            Finding::skip("no RateLimit fields seen (authenticated responses need --api-key)")
        }
        (_, true) => Finding::skip(
            "no response carried RateLimit fields (ratelimit.headers judges whether they must)",
        ),
    }
}

fn by_requirement(ev: &Evidence, requirement: &str) -> Vec<Finding> {
    let seen = observed(ev);
    if seen.is_empty() {
        return vec![nothing(ev)];
    }
    let mut out = Vec::new();
    for (ex, rl) in &seen {
        for p in rl.problems.iter().filter(|p| p.requirement == requirement) {
            out.push(
                Finding::fail(p.message.clone())
                    .expected(format!("valid {}", rl.dialect.name()))
                    .actual(fields_of(ex))
                    .on(ex),
            );
        }
    }
    pass_or(out, || {
        Finding::pass(format!(
            "{} responses carry valid fields ({})",
            seen.len(),
            seen[0].1.dialect.name()
        ))
    })
}

fn fields_of(ex: &Exchange) -> String {
    ex.response_headers
        .iter()
        .filter(|(k, _)| {
            k.to_ascii_lowercase().starts_with("ratelimit") || k.eq_ignore_ascii_case("retry-after")
        })
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn keyed(ev: &Evidence) -> Vec<&Exchange> {
    ev.with_role(|r| {
        matches!(
            r,
            Role::ProbeAuth { .. }
                | Role::ProbeAuthRepeat { .. }
                | Role::Burst { .. }
                | Role::BurstRetry
        )
    })
}

fn headers(ev: &Evidence) -> Vec<Finding> {
    let ok: Vec<&Exchange> = keyed(ev)
        .into_iter()
        .filter(|e| e.status.is_some_and(|s| (200..300).contains(&s)))
        .collect();
    if ok.is_empty() {
        return vec![match (ev.mode, ev.api_key_given) {
            (Mode::Lint, _) => Finding::skip("lint makes no requests"),
            (_, false) => Finding::skip("needs --api-key"),
            (_, true) => Finding::no_input("no authenticated request succeeded"),
        }];
    }
    ok.into_iter()
        .map(|ex| {
            let rl = ratelimit::parse(&ex.response_headers);
            let missing = seed_parts_missing(&ex.response_headers);
            if missing.is_empty() {
                Finding::pass(format!("limit, remaining, reset and policy, in the {} fields", rl.dialect.name())).on(ex)
            } else {
                Finding::fail(format!("the authenticated response does not say its {} (seen: {})", missing.join(", "), rl.dialect.name()))
                    .expected("limit, remaining, reset and policy: RateLimit-Limit, -Remaining, -Reset and RateLimit-Policy, or the same four in a later draft's RateLimit and RateLimit-Policy")
                    .actual(if rl.fields.is_empty() { "no rate-limit fields".into() } else { rl.fields.join(", ") })
                    .on(ex)
            }
        })
        .collect()
}

/// The seed's sentence ("RFC RateLimit headers (`RateLimit-Limit`, `RateLimit-Remaining`,
/// `RateLimit-Reset`, `RateLimit-Policy`)") read one way for every dialect: the four names are four
/// things a response says (its limit, what remains, when it resets, and its policy), spelled as the
/// draft the server speaks spells them. Drafts -00…-06 spell them as those four fields; -07 as the
/// RateLimit dictionary's `limit`, `remaining` and `reset` with RateLimit-Policy; -08…-12 as
/// RateLimit's `r` and `t` with RateLimit-Policy's `q`. A value that is there but malformed is said (the value rules judge
/// it), so one bad number fails once. Returns the things a response leaves out.
fn seed_parts_missing(headers: &[(String, String)]) -> Vec<&'static str> {
    let ratelimit::Said {
        limit,
        remaining,
        reset,
        policy,
    } = ratelimit::said(headers);
    [
        (limit, "limit"),
        (remaining, "remaining"),
        (reset, "reset"),
        (policy, "policy"),
    ]
    .into_iter()
    .filter(|(said, _)| !said)
    .map(|(_, part)| part)
    .collect()
}

fn policy_stable(ev: &Evidence) -> Vec<Finding> {
    let seen: Vec<(&Exchange, String)> = ev
        .exchanges
        .iter()
        .filter_map(|e| e.header("ratelimit-policy").map(|p| (e, p.to_string())))
        .collect();
    if seen.len() < 2 {
        return vec![Finding::skip(
            "fewer than two responses carried RateLimit-Policy",
        )];
    }
    let first = &seen[0].1;
    let out = seen
        .iter()
        .filter(|(_, p)| p != first)
        .map(|(e, p)| {
            Finding::fail("RateLimit-Policy changed between responses")
                .expected(first.clone())
                .actual(p.clone())
                .on(e)
        })
        .collect();
    pass_or(out, || {
        Finding::pass(format!("the same policy on {} responses", seen.len()))
    })
}

fn remaining(ex: &Exchange) -> Option<(i64, Option<i64>)> {
    let rl = ratelimit::parse(&ex.response_headers);
    rl.limits
        .iter()
        .filter_map(|l| l.remaining.map(|r| (r, l.reset)))
        .min_by_key(|(r, _)| *r)
}

fn counts_down(ev: &Evidence) -> Vec<Finding> {
    let first = ev
        .with_role(|r| matches!(r, Role::ProbeAuth { .. }))
        .into_iter()
        .find(|e| e.status.is_some_and(|s| (200..300).contains(&s)));
    let second = ev
        .with_role(|r| matches!(r, Role::ProbeAuthRepeat { .. }))
        .into_iter()
        .next();
    let (Some(a), Some(b)) = (first, second) else {
        return vec![if ev.api_key_given {
            Finding::no_input("two authenticated requests did not both succeed")
        } else {
            Finding::skip("needs --api-key")
        }];
    };
    vec![match (remaining(a), remaining(b)) {
        (Some((ra, _)), Some((rb, _))) if rb < ra => {
            Finding::pass(format!("remaining went {ra} -> {rb}"))
                .on(a)
                .on(b)
        }
        // A window of a second or less may have rolled over between the two requests.
        (Some((ra, Some(reset))), Some((rb, _))) if reset <= 1 => Finding::no_input(format!(
            "remaining went {ra} -> {rb}, but the {reset} s window may have reset in between"
        ))
        .on(a)
        .on(b),
        (Some((ra, _)), Some((rb, _))) => {
            Finding::fail("remaining did not count down between two requests in one window")
                .expected(format!("less than {ra}"))
                .actual(rb.to_string())
                .on(a)
                .on(b)
        }
        _ => Finding::no_input(
            "the responses carry no remaining value (ratelimit.headers reports it)",
        )
        .on(a),
    }]
}

fn retry_after_syntax(ev: &Evidence) -> Vec<Finding> {
    let seen: Vec<(&Exchange, &str)> = ev
        .exchanges
        .iter()
        .filter_map(|e| e.header("retry-after").map(|v| (e, v)))
        .collect();
    if seen.is_empty() {
        return vec![Finding::skip("no response carried Retry-After")];
    }
    let out = seen
        .iter()
        .filter_map(|(e, v)| {
            retry::parse(v).err().map(|err| {
                Finding::fail(format!("Retry-After does not parse: {err}"))
                    .expected("delay-seconds or an HTTP-date")
                    .actual(v.to_string())
                    .on(e)
            })
        })
        .collect();
    pass_or(out, || Finding::pass("Retry-After values parse"))
}

fn too_many(ev: &Evidence) -> Vec<Finding> {
    let bursts = ev.with_role(|r| matches!(r, Role::Burst { .. }));
    if bursts.is_empty() {
        return vec![Finding::skip("needs --burst (spends quota) and --api-key")];
    }
    let Some(hit) = bursts.iter().find(|e| e.status == Some(429)) else {
        return vec![Finding::no_input(format!(
            "{} keyed requests did not reach a 429 within the request budget",
            bursts.len()
        ))];
    };
    let Some(ra) = hit.header("retry-after") else {
        return vec![
            Finding::fail("the 429 has no Retry-After")
                .expected("Retry-After: <seconds>")
                .actual(fields_of(hit))
                .on(hit),
        ];
    };
    if retry::parse(ra).is_err() {
        return vec![
            Finding::fail("the 429's Retry-After does not parse")
                .expected("delay-seconds or an HTTP-date")
                .actual(ra.to_string())
                .on(hit),
        ];
    }
    if remaining(hit).is_some_and(|(r, _)| r != 0) {
        return vec![
            Finding::fail("the 429 reports quota left")
                .expected("remaining 0")
                .actual(fields_of(hit))
                .on(hit),
        ];
    }
    let Some(retry) = ev.role(&Role::BurstRetry) else {
        return vec![Finding::no_input("the retry after Retry-After was not made").on(hit)];
    };
    vec![match retry.status {
        Some(s) if (200..300).contains(&s) => Finding::pass(format!(
            "429 after {} requests, Retry-After {ra}, and the retry succeeded{}",
            bursts.len(),
            retry
                .wait
                .filter(Wait::capped)
                .map(|w| format!(" (after {} ms, --max-wait)", w.waited_ms))
                .unwrap_or_default()
        ))
        .on(hit)
        .on(retry),
        Some(s) if retry.wait.is_some_and(|w| w.capped()) => Finding::no_input(format!(
            "the retry answered {s}, but the harness waited only {} ms of the {} s asked for (--max-wait), so it proves nothing",
            retry.wait.map_or(0, |w| w.waited_ms),
            retry.wait.map_or(0, |w| w.asked_s)
        ))
        .on(hit)
        .on(retry),
        Some(s) => Finding::fail("the request after waiting Retry-After did not succeed")
            .expected("2xx")
            .actual(s.to_string())
            .on(hit)
            .on(retry),
        None => Finding::no_input(format!(
            "the retry failed: {}",
            retry.error.as_deref().unwrap_or("?")
        ))
        .on(retry),
    }]
}

fn retry_align(ev: &Evidence) -> Vec<Finding> {
    let both: Vec<(&Exchange, u64, i64, Dialect)> = ev
        .exchanges
        .iter()
        .filter_map(|e| {
            let ra = retry::parse(e.header("retry-after")?)
                .ok()?
                .secs_from(SystemTime::now());
            let rl = ratelimit::parse(&e.response_headers);
            let reset = rl.limits.iter().filter_map(|l| l.reset).min()?;
            Some((e, ra, reset, rl.dialect))
        })
        .collect();
    if both.is_empty() {
        return vec![Finding::skip(
            "no response carried both Retry-After and a reset value",
        )];
    }
    let out = both
        .iter()
        .filter(|(_, ra, reset, d)| {
            if *d == Dialect::Structured {
                (*ra as i64) < *reset
            } else {
                (*ra as i64 - *reset).abs() > 1
            }
        })
        .map(|(e, ra, reset, d)| {
            Finding::fail("Retry-After and the reset value disagree")
                .expected(if *d == Dialect::Structured {
                    format!("Retry-After >= {reset}")
                } else {
                    format!("Retry-After = {reset} (±1)")
                })
                .actual(ra.to_string())
                .on(e)
        })
        .collect();
    pass_or(out, || {
        Finding::pass("Retry-After agrees with the reset value")
    })
}

fn payment_required(ev: &Evidence) -> Vec<Finding> {
    let seen: Vec<&Exchange> = ev
        .exchanges
        .iter()
        .filter(|e| e.status == Some(402))
        .collect();
    if seen.is_empty() {
        return vec![Finding::skip(
            "no 402 was observed (it appears only when the quota is spent)",
        )];
    }
    seen.into_iter()
        .map(|e| {
            let soon = e
                .header("retry-after")
                .and_then(retry::secs)
                .is_some_and(|s| s < 86_400);
            match (e.json().is_ok_and(|j| j.value.is_object()), soon) {
                (false, _) => Finding::fail("the 402 has no JSON body explaining it")
                    .expected("a JSON (problem+json) body")
                    .actual(
                        e.header("content-type")
                            .unwrap_or("no body type")
                            .to_string(),
                    )
                    .on(e),
                (true, true) => Finding::fail("the 402 invites a retry within a day")
                    .expected("no Retry-After, or one of a day or more")
                    .actual(e.header("retry-after").unwrap_or("").to_string())
                    .on(e),
                (true, false) => Finding::pass("the 402 explains itself").on(e),
            }
        })
        .collect()
}

/// The three problem types the draft registers (-09 … -12 §Problem Types).
const PROBLEM_TYPES: [&str; 3] = [
    "https://iana.org/assignments/http-problem-types#quota-exceeded",
    "https://iana.org/assignments/http-problem-types#temporary-reduced-capacity",
    "https://iana.org/assignments/http-problem-types#abnormal-usage-detected",
];

fn dialect(ev: &Evidence) -> Vec<Finding> {
    let seen = observed(ev);
    let Some((ex, rl)) = seen.first() else {
        return vec![nothing(ev)];
    };
    vec![if rl.dialect.is_newest() {
        Finding::pass(format!(
            "the server speaks the newest dialect: {}",
            rl.dialect.name()
        ))
        .on(ex)
    } else {
        Finding::fail(format!(
            "the server speaks an older draft: {}",
            rl.dialect.name()
        ))
        .expected(Dialect::Structured.name())
        .actual(fields_of(ex))
        .on(ex)
    }]
}

/// The problem-type body of `ex`, when it uses one of the draft's types.
fn quota_problem(ex: &Exchange) -> Option<(&'static str, serde_json::Value)> {
    let v = ex.json().ok()?.value.clone();
    let t = v.get("type")?.as_str()?;
    PROBLEM_TYPES.iter().find(|p| **p == t).map(|p| (*p, v))
}

fn problem_types(ev: &Evidence) -> Vec<Finding> {
    let out: Vec<Finding> = ev
        .exchanges
        .iter()
        .filter_map(|ex| quota_problem(ex).map(|(t, v)| violated(ex, t, &v)))
        .collect();
    if out.is_empty() {
        return vec![Finding::skip(
            "no response used a quota problem type (they are optional)",
        )];
    }
    out
}

fn violated(ex: &Exchange, t: &str, v: &serde_json::Value) -> Finding {
    let short = t.rsplit('#').next().unwrap_or(t);
    let names: Option<Vec<&str>> = v
        .get("violated-policies")
        .and_then(serde_json::Value::as_array)
        .and_then(|a| a.iter().map(serde_json::Value::as_str).collect());
    let Some(names) = names else {
        return Finding::fail(format!(
            "the {short} problem has no violated-policies array of strings"
        ))
        .expected("\"violated-policies\": [\"<policy name>\", …]")
        .actual(
            v.get("violated-policies")
                .map_or("absent".into(), |x| x.to_string()),
        )
        .at("/violated-policies")
        .on(ex);
    };
    let advertised: Vec<String> = ratelimit::parse(&ex.response_headers)
        .policies
        .into_iter()
        .filter_map(|p| p.name)
        .collect();
    let unknown: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !advertised.is_empty() && !advertised.iter().any(|a| a == n))
        .collect();
    if unknown.is_empty() {
        Finding::pass(format!("{short}: violated-policies {names:?}")).on(ex)
    } else {
        Finding::fail(format!(
            "violated-policies names {unknown:?}, which RateLimit-Policy does not advertise"
        ))
        .expected(format!("names among {advertised:?}"))
        .actual(format!("{names:?}"))
        .at("/violated-policies")
        .on(ex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(fields: &[(&str, &str)]) -> Vec<&'static str> {
        let headers: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        seed_parts_missing(&headers)
    }

    /// One reading of the seed's four names for every dialect: limit, remaining, reset, policy.
    #[test]
    fn every_dialect_is_held_to_the_same_four_things() {
        let legacy = [
            ("RateLimit-Limit", "100"),
            ("RateLimit-Remaining", "99"),
            ("RateLimit-Reset", "30"),
        ];
        assert_eq!(missing(&legacy), ["policy"]);
        let with_policy = [&legacy[..], &[("RateLimit-Policy", "100;w=60")]].concat();
        assert!(missing(&with_policy).is_empty());

        let dictionary = [("RateLimit", "limit=100, remaining=99, reset=30")];
        assert_eq!(missing(&dictionary), ["policy"]);
        let with_policy = [&dictionary[..], &[("RateLimit-Policy", "100;w=60")]].concat();
        assert!(missing(&with_policy).is_empty());

        let structured = [("RateLimit", "\"default\";r=99;t=30")];
        assert_eq!(missing(&structured), ["limit", "policy"]);
        let with_policy = [
            &structured[..],
            &[("RateLimit-Policy", "\"default\";q=100;w=60")],
        ]
        .concat();
        assert!(missing(&with_policy).is_empty());
        let no_reset = [
            ("RateLimit", "\"default\";r=99"),
            ("RateLimit-Policy", "\"default\";q=100;w=60"),
        ];
        assert_eq!(missing(&no_reset), ["reset"]);

        // A malformed value is said: ratelimit.nonneg-int judges it, once.
        let negative = [&legacy[..], &[("RateLimit-Policy", "100;w=60")]]
            .concat()
            .into_iter()
            .map(|(k, v)| (k, if k == "RateLimit-Remaining" { "-1" } else { v }))
            .collect::<Vec<_>>();
        assert!(missing(&negative).is_empty());
        assert_eq!(
            missing(&[("X-RateLimit-Limit", "100")]),
            ["limit", "remaining", "reset", "policy"]
        );
    }
}
