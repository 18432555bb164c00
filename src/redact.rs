//! Keeping secrets out of every output (HARNESS-REDACT): each registered secret, in clear,
//! percent-encoded or JSON-escaped, and every 10-character piece of one, becomes its fingerprint.

use crate::secret::{Secret, fingerprint};
use std::collections::HashMap;

/// Length of the pieces of a secret that are scrubbed wherever they appear: a server that
/// echoes half a token leaks half a token.
pub const PIECE: usize = 10;

/// The display form of a key: its fingerprint, `‹redacted sha256:3f9a1c›`. No part of the key
/// is shown, not a prefix and not a tail.
pub fn redact(key: &str) -> String {
    fingerprint(key)
}

/// Replaces every occurrence of `key` (and every piece of it) in `bytes`; returns whether
/// there was one.
pub fn scrub(bytes: &mut Vec<u8>, key: &str) -> bool {
    scrub_all(bytes, &[Secret::new(key)])
}

/// `text` with every secret in `secrets` scrubbed.
pub fn scrub_text(text: &str, secrets: &[Secret]) -> String {
    let mut b = text.as_bytes().to_vec();
    if scrub_all(&mut b, secrets) {
        String::from_utf8_lossy(&b).into_owned()
    } else {
        text.to_string()
    }
}

/// The spellings a secret travels in: clear, percent-encoded (a URL, a form) and JSON-escaped.
fn forms(s: &str) -> Vec<String> {
    let mut out = vec![s.to_string()];
    let pct: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
    let json = serde_json::to_string(s).unwrap_or_default();
    let json = json
        .strip_prefix('"')
        .and_then(|j| j.strip_suffix('"'))
        .unwrap_or(s)
        .replace('/', "\\/");
    for f in [pct, json] {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// The part of a secret whose pieces are secret. A signed JWT's header and claims are the same
/// base64 prefixes in every token (`eyJhbGciOi` is `{"alg":`), so only its signature counts;
/// the whole token is still scrubbed wherever it appears.
fn secret_part(s: &str) -> &str {
    let parts: Vec<&str> = s.split('.').collect();
    match parts.as_slice() {
        [h, _, sig] if h.starts_with("eyJ") => sig,
        _ => s,
    }
}

/// Replaces every secret, and every [`PIECE`]-byte piece of one, by its fingerprint; returns
/// whether anything was replaced.
pub fn scrub_all(bytes: &mut Vec<u8>, secrets: &[Secret]) -> bool {
    if secrets.is_empty() || bytes.is_empty() {
        return false;
    }
    let mut owner: Vec<Option<u16>> = Vec::new();
    let mark = |owner: &mut Vec<Option<u16>>, from: usize, len: usize, who: u16| {
        if owner.is_empty() {
            owner.resize(bytes.len(), None);
        }
        for o in &mut owner[from..from + len] {
            o.get_or_insert(who);
        }
    };
    let all_forms: Vec<(u16, Vec<String>)> = secrets
        .iter()
        .take(usize::from(u16::MAX))
        .enumerate()
        .map(|(i, s)| (i as u16, forms(s.expose())))
        .collect();
    let parts: Vec<(u16, String)> = secrets
        .iter()
        .take(usize::from(u16::MAX))
        .enumerate()
        .flat_map(|(i, s)| {
            forms(secret_part(s.expose()))
                .into_iter()
                .map(move |f| (i as u16, f))
        })
        .collect();
    for (who, forms) in &all_forms {
        for f in forms {
            let needle = f.as_bytes();
            if needle.is_empty() || needle.len() > bytes.len() {
                continue;
            }
            for p in 0..=bytes.len() - needle.len() {
                if bytes[p] == needle[0] && bytes[p..].starts_with(needle) {
                    mark(&mut owner, p, needle.len(), *who);
                }
            }
        }
    }
    let mut pieces: HashMap<&[u8], u16> = HashMap::new();
    for (who, part) in &parts {
        for w in part.as_bytes().windows(PIECE) {
            pieces.entry(w).or_insert(*who);
        }
    }
    if !pieces.is_empty() && bytes.len() >= PIECE {
        // Most bytes start no piece: a table of first bytes keeps the scan cheap on big bodies.
        let mut starts = [false; 256];
        for k in pieces.keys() {
            starts[usize::from(k[0])] = true;
        }
        for p in 0..=bytes.len() - PIECE {
            if starts[usize::from(bytes[p])]
                && let Some(who) = pieces.get(&bytes[p..p + PIECE])
            {
                mark(&mut owner, p, PIECE, *who);
            }
        }
    }
    if owner.is_empty() {
        return false;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match owner[i] {
            None => {
                out.push(bytes[i]);
                i += 1;
            }
            Some(who) => {
                out.extend_from_slice(secrets[usize::from(who)].fingerprint().as_bytes());
                while i < bytes.len() && owner[i] == Some(who) {
                    i += 1;
                }
            }
        }
    }
    *bytes = out;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "jp_live_0123456789abcdef";

    #[test]
    fn redacts_to_a_fingerprint_with_no_part_of_the_key() {
        let r = redact(KEY);
        assert!(r.starts_with("‹redacted sha256:"), "{r}");
        assert!(!r.contains("jp_live_") && !r.contains("cdef"), "{r}");
        assert_eq!(redact(KEY), redact(KEY));
    }

    #[test]
    fn scrubs_every_occurrence() {
        let mut b = format!("a {KEY} b {KEY}").into_bytes();
        assert!(scrub(&mut b, KEY));
        let f = redact(KEY);
        assert_eq!(String::from_utf8(b).unwrap(), format!("a {f} b {f}"));
        let mut clean = b"nothing here".to_vec();
        assert!(!scrub(&mut clean, KEY));
    }

    #[test]
    fn scrubs_pieces_and_encoded_forms() {
        let s = [Secret::new("tok/en+9f8e7d6c5b4a3928")];
        for text in [
            "echo: tok%2Fen%2B9f8e7d6c5b4a3928 end",
            "echo: \"tok\\/en+9f8e7d6c5b4a3928\" end",
            "half: 9f8e7d6c5b4a end",
            "head: tok/en+9f8e7 end",
        ] {
            let out = scrub_text(text, &s);
            assert!(out.contains("‹redacted sha256:"), "{text} -> {out}");
            for w in "tok/en+9f8e7d6c5b4a3928".as_bytes().windows(PIECE) {
                assert!(!out.as_bytes().windows(PIECE).any(|x| x == w), "{out}");
            }
        }
        assert_eq!(scrub_text("no secret here", &s), "no secret here");
    }

    #[test]
    fn a_jwt_keeps_its_common_header_but_not_its_signature() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        let s = [Secret::new(jwt)];
        let forged = "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ5In0.";
        assert_eq!(
            scrub_text(forged, &s),
            forged,
            "a forged token is not this one"
        );
        assert!(!scrub_text(&format!("x {jwt} y"), &s).contains("c2lnbmF0dX"));
        assert!(!scrub_text("sig c2lnbmF0dXJlLXNp", &s).contains("c2lnbmF0dX"));
    }
}
