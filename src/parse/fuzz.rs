//! Entry points for the fuzz targets in `fuzz/` and their regression fixtures: each feeds raw bytes
//! to one parser and checks what must hold of any answer, so a crash or a broken invariant panics.

use super::{challenge, json, jsonpos, link, mediatype::MediaType, ratelimit, retry};

/// A fuzz target: raw bytes in, a panic when something that must hold does not.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `fuzz/fuzz_targets/<name>.rs` and `fuzz/regressions/<name>/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("challenge", challenge_bytes),
    ("ratelimit", ratelimit_bytes),
    ("link", link_bytes),
    ("mediatype", mediatype_bytes),
    ("json", json_bytes),
];

/// Header values arrive as bytes; authspec reads them as (lossy) text.
fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// WWW-Authenticate: a parsed challenge always has a scheme, and an error points into the input.
pub fn challenge_bytes(data: &[u8]) {
    let input = text(data);
    match challenge::parse(&input) {
        Ok(list) => assert!(list.iter().all(|c| !c.scheme.is_empty())),
        Err(e) => assert!(
            e.offset <= input.len(),
            "offset {} past the input",
            e.offset
        ),
    }
}

/// RateLimit in every dialect: split on newlines into header lines, then parse them all together.
pub fn ratelimit_bytes(data: &[u8]) {
    let input = text(data);
    let headers: Vec<(String, String)> = input
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let _ = ratelimit::parse(&headers);
    if let Some((_, v)) = headers.first() {
        let _ = retry::parse(v);
        let _ = retry::secs(v);
    }
}

/// Link: every parsed link has lower-cased relation types.
pub fn link_bytes(data: &[u8]) {
    let input = text(data);
    if let Ok(links) = link::parse(&input) {
        for l in links {
            assert!(
                l.rels
                    .iter()
                    .all(|r| !r.bytes().any(|b| b.is_ascii_uppercase()))
            );
        }
    }
}

/// Media types: a parsed essence is `type/subtype`, two RFC 9110 tokens without upper case.
pub fn mediatype_bytes(data: &[u8]) {
    if let Some(m) = MediaType::parse(&text(data)) {
        assert_eq!(m.essence.matches('/').count(), 1, "{:?}", m.essence);
        assert!(m.essence.is_ascii(), "{:?}", m.essence);
        assert!(
            !m.essence
                .bytes()
                .any(|b| b.is_ascii_uppercase() || b <= b' ')
        );
    }
}

/// The duplicate-aware JSON reader, and the locator on whatever it accepts: every duplicate it
/// reports can be found in the text.
pub fn json_bytes(data: &[u8]) {
    if let Ok(doc) = json::parse(data) {
        for p in &doc.duplicates {
            assert!(
                jsonpos::locate(data, p).is_some(),
                "duplicate {p} not located"
            );
        }
        let _ = jsonpos::locate(data, "");
    }
}
