//! The card's REQUIRED members (A2A v1.0.1 §5.7) and its caching headers (§8.6.1).

use super::{Card, card, card_doc, token};
use crate::evidence::{Doc, Evidence, Source};
use crate::finding::{Finding, pass_or};
use serde_json::{Map, Value};

/// How a REQUIRED member must be set: §5.7 "MUST be present and set", and "Arrays marked as
/// required MUST contain at least one element".
#[derive(Clone, Copy)]
enum Want {
    /// A non-empty string (an empty proto3 string is not set).
    Str,
    /// An array with at least one element.
    Arr,
    /// An object (a message or a map).
    Obj,
}

/// a2a.proto `AgentCard`'s REQUIRED fields, in their ProtoJSON names (§5.5).
const CARD: &[(&str, Want)] = &[
    ("name", Want::Str),
    ("description", Want::Str),
    ("supportedInterfaces", Want::Arr),
    ("version", Want::Str),
    ("capabilities", Want::Obj),
    ("defaultInputModes", Want::Arr),
    ("defaultOutputModes", Want::Arr),
    ("skills", Want::Arr),
];
/// `AgentInterface`.
const INTERFACE: &[(&str, Want)] = &[
    ("url", Want::Str),
    ("protocolBinding", Want::Str),
    ("protocolVersion", Want::Str),
];
/// `AgentSkill`.
const SKILL: &[(&str, Want)] = &[
    ("id", Want::Str),
    ("name", Want::Str),
    ("description", Want::Str),
    ("tags", Want::Arr),
];
/// `AgentProvider` (the member itself is optional).
const PROVIDER: &[(&str, Want)] = &[("url", Want::Str), ("organization", Want::Str)];
/// `AgentCardSignature` (the list itself is optional).
const SIGNATURE: &[(&str, Want)] = &[("protected", Want::Str), ("signature", Want::Str)];

/// A JSON type name for Actual lines.
pub(crate) fn kind_of(v: &Value) -> String {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
    .into()
}

/// What is wrong with member `name` of `obj` for `want`, if anything.
fn problem(obj: &Map<String, Value>, name: &str, want: Want) -> Option<String> {
    let Some(v) = obj.get(name) else {
        return Some("absent".into());
    };
    match (want, v) {
        (Want::Str, Value::String(s)) if s.is_empty() => Some("an empty string (not set)".into()),
        (Want::Str, Value::String(_)) => None,
        (Want::Arr, Value::Array(a)) if a.is_empty() => {
            Some("an empty array (a required array holds at least one element)".into())
        }
        (Want::Arr, Value::Array(_)) | (Want::Obj, Value::Object(_)) => None,
        (Want::Str, v) => Some(format!("{}, not a string", kind_of(v))),
        (Want::Arr, v) => Some(format!("{}, not an array", kind_of(v))),
        (Want::Obj, v) => Some(format!("{}, not an object", kind_of(v))),
    }
}

/// Failures for the REQUIRED members of `obj` (at JSON pointer `at`).
fn required(obj: &Map<String, Value>, at: &str, list: &[(&str, Want)]) -> Vec<Finding> {
    list.iter()
        .filter_map(|(name, want)| {
            let p = problem(obj, name, *want)?;
            let pointer = format!("{at}/{name}");
            let mut f = Finding::fail(format!("{pointer} is {p}"))
                .expected(format!("{name} present and set (A2A §5.7)"))
                .at(pointer);
            if let Some(hint) = hint(obj, name) {
                f = f.actual(hint);
            }
            Some(f)
        })
        .collect()
}

/// Why a member may be missing: the snake_case proto name (§5.5 wants camelCase) or a 0.3 card.
fn hint(obj: &Map<String, Value>, name: &str) -> Option<String> {
    let snake: String = name
        .chars()
        .flat_map(|c| {
            if c.is_ascii_uppercase() {
                vec!['_', c.to_ascii_lowercase()]
            } else {
                vec![c]
            }
        })
        .collect();
    if snake != name && obj.contains_key(&snake) {
        return Some(format!(
            "\"{snake}\" is present: A2A §5.5 \"All JSON serializations of the A2A protocol data model MUST use camelCase\""
        ));
    }
    (name == "supportedInterfaces" && obj.contains_key("url")).then(|| {
        "a top-level \"url\" is present: the A2A 0.3 card shape; v1.0 declares supportedInterfaces".into()
    })
}

/// The REQUIRED members of each element of array member `name` that is present.
fn each(obj: &Map<String, Value>, name: &str, list: &[(&str, Want)]) -> Vec<Finding> {
    let Some(Value::Array(items)) = obj.get(name) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .flat_map(|(i, item)| match item.as_object() {
            Some(o) => required(o, &format!("/{}/{i}", token(name)), list),
            None => vec![
                Finding::fail(format!("/{name}/{i} is {}, not an object", kind_of(item)))
                    .at(format!("/{name}/{i}")),
            ],
        })
        .collect()
}

/// agent-card.members.
pub(crate) fn judge(ev: &Evidence) -> Vec<Finding> {
    let d = match card(ev) {
        Card::Doc(d) => d,
        Card::Broken(f) | Card::Absent(f) => return vec![f],
    };
    pass_or(members(d), || {
        Finding::pass("the card sets every member A2A v1.0.1 marks REQUIRED").on(d.ex)
    })
    .into_iter()
    .map(|f| f.on(d.ex))
    .collect()
}

fn members(d: Doc<'_>) -> Vec<Finding> {
    let mut out = required(d.obj, "", CARD);
    out.extend(each(d.obj, "supportedInterfaces", INTERFACE));
    out.extend(each(d.obj, "skills", SKILL));
    out.extend(each(d.obj, "signatures", SIGNATURE));
    match d.get("provider") {
        Some(Value::Object(p)) => out.extend(required(p, "/provider", PROVIDER)),
        Some(v) => out.push(
            Finding::fail(format!("/provider is {}, not an object", kind_of(v))).at("/provider"),
        ),
        None => {}
    }
    out
}

/// agent-card.caching: §8.6.1 "Agent Card HTTP endpoints SHOULD include a `Cache-Control`
/// response header with a `max-age` directive" and "SHOULD include an `ETag` response header".
pub(crate) fn judge_caching(ev: &Evidence) -> Vec<Finding> {
    let d = match card_doc(ev) {
        Ok(d) => d,
        Err(f) => return vec![f],
    };
    if d.ex.source == Source::File {
        return vec![Finding::skip(
            "a card file has no response headers to judge",
        )];
    }
    let max_age = d.ex.headers("cache-control").any(|v| {
        v.split(',')
            .any(|dir| dir.trim().to_ascii_lowercase().starts_with("max-age="))
    });
    let mut out = Vec::new();
    if !max_age {
        out.push(
            Finding::fail("the card is served without a Cache-Control max-age directive")
                .expected("Cache-Control: max-age=N")
                .actual(
                    d.ex.header("cache-control")
                        .map_or("no Cache-Control".into(), |v| format!("Cache-Control: {v}")),
                ),
        );
    }
    if d.ex.header("etag").is_none() {
        out.push(
            Finding::fail("the card is served without an ETag")
                .expected("ETag derived from the card's version or content")
                .actual("no ETag"),
        );
    }
    pass_or(out, || {
        Finding::pass("the card is served with Cache-Control max-age and an ETag")
    })
    .into_iter()
    .map(|f| f.on(d.ex))
    .collect()
}
