//! Error responses: problem details (RFC 9457) that tell the truth and leak nothing.

use super::members::{quote, show};
use super::{Area, Check, Level, Levels, MAY, MUST, SHOULD, rfc};
use crate::evidence::{Evidence, Exchange, Mode};
use crate::finding::{Finding, pass_or};
use serde_json::{Map, Value};

/// A row of this area.
macro_rules! row {
    ($($t:tt)*) => {
        super::check!(Area::Errors, $($t)*)
    };
}

/// The error-response checks, in report order.
pub static CHECKS: &[Check] = &[
    row!(
        "errors.no-leak",
        "Error bodies expose no stack traces, file paths or SQL errors",
        MUST,
        &["PD-NO-LEAK"],
        "RFC 9457 §5",
        rfc!("9457", "5"),
        "Log internals server-side; send a short detail and an instance id instead.",
        no_leak
    ),
    row!(
        "errors.problem-media",
        "Problem-details bodies are served as application/problem+json",
        SHOULD,
        &["PD-MEDIA"],
        "RFC 9457 §3",
        rfc!("9457", "3"),
        "Send Content-Type: application/problem+json with problem details.",
        problem_media
    ),
    row!(
        "errors.problem-status",
        "A problem's status equals the HTTP status sent",
        MUST,
        &["PD-STATUS-MATCH"],
        "RFC 9457 §3.1.2",
        rfc!("9457", "3.1.2"),
        "Set status to the response's status code, as a JSON number.",
        problem_status
    ),
    row!(
        "errors.problem-members",
        "type, title, detail and instance are strings (type a URI reference)",
        SHOULD,
        &[
            "PD-TYPE",
            "PD-TITLE",
            "PD-DETAIL",
            "PD-INSTANCE",
            "PD-WRONG-TYPE-IGNORED"
        ],
        "RFC 9457 §3.1",
        rfc!("9457", "3.1"),
        "Send the standard members with their defined JSON types; clients ignore mistyped ones.",
        problem_members
    ),
    row!(
        "errors.about-blank-title",
        "With type about:blank, title is the status's reason phrase",
        SHOULD,
        &["PD-ABOUT-BLANK-TITLE"],
        "RFC 9457 §4.2.1",
        rfc!("9457", "4.2.1"),
        "Use the HTTP reason phrase (e.g. \"Unauthorized\") as title, or a specific type URI.",
        about_blank_title
    ),
    row!(
        "errors.extension-names",
        "Extension member names are letters, digits and _, three or more long",
        SHOULD,
        &["PD-EXT-NAMES", "PD-EXT-IGNORED"],
        "RFC 9457 §3.2",
        rfc!("9457", "3.2"),
        "Name extensions like retry_hint: a letter first, then ALPHA/DIGIT/_, at least 3 characters.",
        extension_names
    ),
    row!(
        "errors.429-body",
        "A 429 explains itself and is not cacheable",
        SHOULD,
        &["HTTP-429"],
        "RFC 6585 §4",
        rfc!("6585", "4"),
        "Give 429 a body saying what was exceeded, and no Cache-Control: public or max-age > 0.",
        too_many_body
    ),
    row!(
        "errors.5xx-body",
        "502 and 504 answers carry a JSON body",
        Levels::auth_md(Level::Should),
        &["AUTHMD-5XX-BODY", "HTTP-502", "HTTP-504"],
        "auth.md §Errors; RFC 9110 §15.6",
        rfc!("9110", "15.6"),
        "Answer upstream failures with a JSON (problem+json) body that says whether to retry.",
        server_errors
    ),
    row!(
        "errors.problem-details",
        "Error responses use problem details",
        MAY,
        &["PD-USED"],
        "RFC 9457 §1, §3",
        rfc!("9457", "3"),
        "Answer errors with application/problem+json bodies (type, title, status, detail) so clients read them one way.",
        problem_details_used
    ),
];

/// Error responses with a body.
fn errors_with_body(ev: &Evidence) -> Vec<&Exchange> {
    ev.exchanges
        .iter()
        .filter(|e| e.status.is_some_and(|s| s >= 400) && !e.body.is_empty())
        .collect()
}

fn none(ev: &Evidence) -> Finding {
    match ev.mode {
        Mode::Lint => Finding::skip("lint was given no error response"),
        Mode::Live => Finding::skip("no error response with a body was observed"),
    }
}

/// Markers of implementation internals (PD-NO-LEAK); each is specific enough not to appear in prose.
const LEAKS: [(&str, &str); 14] = [
    ("Traceback (most recent call last)", "a Python traceback"),
    ("\tat java.", "a Java stack trace"),
    ("at java.base/", "a Java stack trace"),
    ("Exception in thread \"", "a Java stack trace"),
    ("panicked at ", "a Rust panic message"),
    ("node_modules/", "a Node.js module path"),
    ("    at async ", "a JavaScript stack trace"),
    ("goroutine ", "a Go stack trace"),
    ("SQLSTATE[", "an SQL error"),
    ("syntax error at or near", "a PostgreSQL error"),
    ("You have an error in your SQL syntax", "a MySQL error"),
    ("ORA-0", "an Oracle error"),
    ("/var/www/", "a server file path"),
    ("/home/", "a server file path"),
];

/// What in `body` looks like leaked internals.
pub fn leak_in(body: &str) -> Option<(&'static str, String)> {
    for (needle, what) in LEAKS {
        // A path marker counts only where a path starts, not inside a URL such as https://x/home/.
        let path_marker = needle.starts_with('/');
        let found = body.match_indices(needle).map(|(i, _)| i).find(|i| {
            !path_marker || *i == 0 || body[..*i].ends_with([' ', '"', '\'', '(', '\n', '\t', '='])
        });
        if let Some(i) = found {
            let excerpt: String = body[i..].chars().take(60).collect();
            return Some((what, excerpt));
        }
    }
    let re_java = body
        .find(".java:")
        .filter(|i| body[..*i].rfind("at ").is_some_and(|a| *i - a < 120));
    re_java.map(|i| {
        (
            "a Java stack frame",
            body[i.saturating_sub(40)..].chars().take(60).collect(),
        )
    })
}

fn no_leak(ev: &Evidence) -> Vec<Finding> {
    let list = errors_with_body(ev);
    if list.is_empty() {
        return vec![none(ev)];
    }
    let out = list
        .iter()
        .filter_map(|e| {
            leak_in(&String::from_utf8_lossy(&e.body)).map(|(what, excerpt)| (e, what, excerpt))
        })
        .map(|(e, what, excerpt)| {
            Finding::fail(format!("the {} body exposes {what}", e.status.unwrap_or(0)))
                .expected("no implementation internals")
                .actual(excerpt)
                .on(e)
        })
        .collect();
    pass_or(out, || {
        Finding::pass(format!("{} error bodies expose no internals", list.len()))
    })
}

/// Error bodies that are problem details: served as such, or JSON objects with problem members.
fn problems(ev: &Evidence) -> Vec<(&Exchange, &Map<String, Value>)> {
    errors_with_body(ev)
        .into_iter()
        .filter_map(|e| {
            let obj = e.json().ok()?.value.as_object()?;
            let typed = e
                .media_type()
                .is_some_and(|m| m.essence == "application/problem+json");
            let shaped = ["type", "title", "status", "detail"]
                .iter()
                .filter(|m| obj.contains_key(**m))
                .count()
                >= 2;
            (typed || shaped).then_some((e, obj))
        })
        .collect()
}

fn each_problem(
    ev: &Evidence,
    mut judge: impl FnMut(&Exchange, &Map<String, Value>) -> Vec<Finding>,
) -> Vec<Finding> {
    let list = problems(ev);
    if list.is_empty() {
        return vec![Finding::skip("no problem-details body was observed")];
    }
    let mut out = Vec::new();
    for (e, obj) in list {
        out.extend(judge(e, obj).into_iter().map(|f| f.on(e)));
    }
    out
}

fn problem_media(ev: &Evidence) -> Vec<Finding> {
    each_problem(ev, |e, _| {
        let essence = e.media_type().map(|m| m.essence).unwrap_or_default();
        vec![if essence == "application/problem+json" {
            Finding::pass("problem details are served as application/problem+json")
        } else {
            Finding::fail("a problem-details body is not served as application/problem+json")
                .expected("application/problem+json")
                .actual(if essence.is_empty() {
                    "no Content-Type".into()
                } else {
                    essence
                })
        }]
    })
}

fn problem_status(ev: &Evidence) -> Vec<Finding> {
    each_problem(ev, |e, obj| {
        let sent = e.status.unwrap_or(0);
        vec![match obj.get("status") {
            None => Finding::skip("no status member"),
            Some(Value::Number(n)) if n.as_u64() == Some(u64::from(sent)) => {
                Finding::pass(format!("status {sent} matches"))
            }
            Some(Value::Number(n)) => {
                Finding::fail("the problem's status differs from the HTTP status")
                    .expected(sent.to_string())
                    .actual(n.to_string())
                    .at("/status")
            }
            Some(other) => Finding::skip(format!(
                "status is not a number ({}); errors.problem-members reports it",
                show(other)
            )),
        }]
    })
}

fn problem_members(ev: &Evidence) -> Vec<Finding> {
    each_problem(ev, |_, obj| {
        let mut out = Vec::new();
        for m in ["type", "title", "detail", "instance"] {
            if let Some(v) = obj.get(m).filter(|v| !v.is_string()) {
                out.push(
                    Finding::fail(format!("{m} is not a string (clients treat it as absent)"))
                        .expected("a string")
                        .actual(show(v))
                        .at(format!("/{m}")),
                );
            }
        }
        if let Some(v) = obj.get("status").filter(|v| !v.is_number()) {
            out.push(
                Finding::fail("status is not a JSON number")
                    .expected("a number")
                    .actual(show(v))
                    .at("/status"),
            );
        }
        if let Some(t) = obj
            .get("type")
            .and_then(Value::as_str)
            .filter(|t| url::Url::parse(t).is_err() && *t != "about:blank")
        {
            out.push(
                Finding::fail("type is a relative reference (absolute URIs are recommended)")
                    .expected("an absolute URI or about:blank")
                    .actual(quote(t))
                    .at("/type"),
            );
        }
        pass_or(out, || Finding::pass("members have their defined types"))
    })
}

/// The RFC 9110 reason phrase of an error status.
fn reason(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        410 => "Gone",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

fn about_blank_title(ev: &Evidence) -> Vec<Finding> {
    each_problem(ev, |e, obj| {
        let blank = obj
            .get("type")
            .and_then(Value::as_str)
            .is_none_or(|t| t == "about:blank");
        let (Some(title), true, Some(want)) = (
            obj.get("title").and_then(Value::as_str),
            blank,
            reason(e.status.unwrap_or(0)),
        ) else {
            return vec![Finding::skip(
                "not an about:blank problem with a title and a known status",
            )];
        };
        vec![if title.eq_ignore_ascii_case(want)
            || (want == "Unprocessable Content" && title == "Unprocessable Entity")
        {
            Finding::pass("title is the reason phrase")
        } else {
            Finding::fail("an about:blank problem's title is not the status's reason phrase")
                .expected(quote(want))
                .actual(quote(title))
                .at("/title")
        }]
    })
}

fn extension_names(ev: &Evidence) -> Vec<Finding> {
    each_problem(ev, |_, obj| {
        let std = ["type", "title", "status", "detail", "instance"];
        let bad: Vec<Finding> = obj
            .keys()
            .filter(|k| !std.contains(&k.as_str()))
            .filter(|k| {
                !(k.len() >= 3
                    && k.starts_with(|c: char| c.is_ascii_alphabetic())
                    && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            })
            .map(|k| {
                Finding::fail(format!(
                    "extension member {k:?} does not follow the naming rule"
                ))
                .expected("a letter, then letters, digits or _, 3+ characters")
                .actual(quote(k))
                .at(format!("/{}", crate::parse::json::pointer_token(k)))
            })
            .collect();
        pass_or(bad, || Finding::pass("extension names follow the rule"))
    })
}

fn too_many_body(ev: &Evidence) -> Vec<Finding> {
    let list: Vec<&Exchange> = ev
        .exchanges
        .iter()
        .filter(|e| e.status == Some(429))
        .collect();
    if list.is_empty() {
        return vec![Finding::skip("no 429 was observed (--burst provokes one)")];
    }
    list.into_iter()
        .map(|e| {
            let cc = e.header("cache-control").unwrap_or("").to_ascii_lowercase();
            let cacheable = cc.contains("public")
                || cc.split(',').any(|d| {
                    d.trim()
                        .strip_prefix("max-age=")
                        .and_then(|v| v.parse::<u64>().ok())
                        .is_some_and(|v| v > 0)
                });
            if e.body.is_empty() {
                Finding::fail("the 429 has an empty body")
                    .expected("a body explaining the limit")
                    .actual("empty")
                    .on(e)
            } else if cacheable {
                Finding::fail("the 429 may be cached")
                    .expected("no Cache-Control: public / max-age > 0")
                    .actual(cc)
                    .on(e)
            } else {
                Finding::pass("the 429 explains itself and is not cacheable").on(e)
            }
        })
        .collect()
}

fn server_errors(ev: &Evidence) -> Vec<Finding> {
    let list: Vec<&Exchange> = ev
        .exchanges
        .iter()
        .filter(|e| matches!(e.status, Some(502 | 504)))
        .collect();
    if list.is_empty() {
        return vec![Finding::skip("no 502 or 504 was observed")];
    }
    list.into_iter()
        .map(|e| {
            if e.json().is_ok_and(|j| j.value.is_object()) {
                Finding::pass(format!("the {} has a JSON body", e.status.unwrap_or(0))).on(e)
            } else {
                Finding::fail(format!("the {} body is not JSON", e.status.unwrap_or(0)))
                    .expected("a JSON (problem+json) body")
                    .actual(
                        e.header("content-type")
                            .unwrap_or("no Content-Type")
                            .to_string(),
                    )
                    .on(e)
            }
        })
        .collect()
}

/// RFC 9457 offers problem details so that APIs need not define error formats of their own; it
/// asks no API to use them, so a run where no error body is one says so as information.
fn problem_details_used(ev: &Evidence) -> Vec<Finding> {
    let bodies = errors_with_body(ev);
    let Some(first) = bodies.first() else {
        return vec![none(ev)];
    };
    let used = problems(ev).len();
    vec![if used > 0 {
        Finding::pass(format!(
            "{used} of {} error bodies are problem details",
            bodies.len()
        ))
    } else {
        Finding::fail(format!(
            "none of {} error bodies uses problem details",
            bodies.len()
        ))
        .expected("application/problem+json with type, title, status, detail (RFC 9457 §3)")
        .actual(first.summary())
        .on(first)
    }]
}

#[cfg(test)]
mod tests {
    use super::leak_in;

    #[test]
    fn leak_markers() {
        assert!(leak_in("Traceback (most recent call last):\n  File \"app.py\"").is_some());
        assert!(
            leak_in("java.lang.NullPointerException\n\tat com.x.Auth.check(Auth.java:42)")
                .is_some()
        );
        assert!(leak_in("thread 'main' panicked at src/main.rs:3:5").is_some());
        assert!(leak_in("SQLSTATE[42S02]: table not found").is_some());
        assert!(
            leak_in("{\"title\":\"Unauthorized\",\"detail\":\"missing or invalid API key\"}")
                .is_none()
        );
        assert!(
            leak_in("see https://example.com/home/errors").is_none(),
            "a URL path is not a server path"
        );
        assert!(leak_in("open(\"/home/app/config.yml\") failed").is_some());
    }
}
