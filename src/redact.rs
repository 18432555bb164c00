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
    Scrubber::new(secrets).text(text)
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

/// The protocol's own words, which some servers spell into their tokens
/// (`test_access_token_…`, FastMCP's in-memory AS). A piece that lies inside one of them is not
/// secret, and scrubbing it would eat the member names of every token response
/// (`"access_token"`), leaving nothing for the judges to read. The whole token is still scrubbed.
const VOCABULARY: &[&str] = &[
    "access_token",
    "refresh_token",
    "registration_access_token",
    "authorization_code",
    "client_credentials",
    "client_secret",
    "code_verifier",
    "code_challenge",
    "redirect_uri",
    "device_code",
    "token_type",
    "expires_in",
];

/// Whether the piece `w` lies inside one of the [`VOCABULARY`] words.
fn is_vocabulary(w: &[u8]) -> bool {
    VOCABULARY
        .iter()
        .any(|v| v.as_bytes().windows(w.len()).any(|x| x == w))
}

/// Replaces every secret, and every [`PIECE`]-byte piece of one, by its fingerprint; returns
/// whether anything was replaced.
pub fn scrub_all(bytes: &mut Vec<u8>, secrets: &[Secret]) -> bool {
    Scrubber::new(secrets).scrub(bytes)
}

/// What scrubbing needs of a set of secrets, prepared once: their fingerprints, the forms
/// searched whole, and the rolling-hash table of their pieces.
pub struct Scrubber {
    fingerprints: Vec<String>,
    /// Forms not covered by pieces (shorter than a piece, or a whole JWT), with their owner.
    whole: Vec<(String, u16)>,
    pieces: Pieces,
}

impl Scrubber {
    /// Prepares `secrets` (at most 65535 of them).
    pub fn new(secrets: &[Secret]) -> Self {
        let secrets = &secrets[..secrets.len().min(usize::from(u16::MAX))];
        let mut whole = Vec::new();
        let mut pieces = Pieces::default();
        for (i, s) in secrets.iter().enumerate() {
            let who = i as u16;
            let part = secret_part(s.expose());
            let mut worded = false;
            for f in forms(part) {
                for w in f.as_bytes().windows(PIECE) {
                    if is_vocabulary(w) {
                        worded = true;
                    } else {
                        pieces.add(w, who);
                    }
                }
            }
            for f in forms(s.expose()) {
                // A form whose every byte is in some piece is found by the piece scan.
                if f.len() < PIECE || part.len() != s.expose().len() || worded {
                    whole.push((f, who));
                }
            }
        }
        Scrubber {
            fingerprints: secrets.iter().map(Secret::fingerprint).collect(),
            whole,
            pieces,
        }
    }

    /// `text` scrubbed.
    pub fn text(&self, text: &str) -> String {
        let mut b = text.as_bytes().to_vec();
        if self.scrub(&mut b) {
            String::from_utf8_lossy(&b).into_owned()
        } else {
            text.to_string()
        }
    }

    /// Scrubs `bytes` in place; returns whether anything was replaced.
    pub fn scrub(&self, bytes: &mut Vec<u8>) -> bool {
        if self.fingerprints.is_empty() || bytes.is_empty() {
            return false;
        }
        let mut owner: Vec<Option<u16>> = Vec::new();
        for (f, who) in &self.whole {
            for at in occurrences(bytes, f.as_bytes()) {
                mark(&mut owner, bytes.len(), at, f.len(), *who);
            }
        }
        self.pieces.scan(bytes, &mut owner);
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
                    out.extend_from_slice(self.fingerprints[usize::from(who)].as_bytes());
                    while i < bytes.len() && owner[i] == Some(who) {
                        i += 1;
                    }
                }
            }
        }
        *bytes = out;
        true
    }
}

/// Marks `len` bytes from `from` as `who`'s, unless an earlier secret has them.
fn mark(owner: &mut Vec<Option<u16>>, total: usize, from: usize, len: usize, who: u16) {
    if owner.is_empty() {
        owner.resize(total, None);
    }
    for o in &mut owner[from..from + len] {
        o.get_or_insert(who);
    }
}

/// Where `needle` occurs in `hay` (the standard library's search when both are text).
fn occurrences(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return Vec::new();
    }
    match (std::str::from_utf8(hay), std::str::from_utf8(needle)) {
        (Ok(h), Ok(n)) => h.match_indices(n).map(|(i, _)| i).collect(),
        _ => hay
            .windows(needle.len())
            .enumerate()
            .filter(|(_, w)| *w == needle)
            .map(|(i, _)| i)
            .collect(),
    }
}

/// Multiplier of the rolling hash over [`PIECE`]-byte windows.
const BASE: u64 = 0x0000_0100_0000_01b3;

fn hash(w: &[u8]) -> u64 {
    w.iter().fold(0u64, |h, b| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(*b))
    })
}

/// Every piece of every secret, found in one pass with a rolling hash (Rabin-Karp): a filter of
/// 65536 bits rejects almost every position with one lookup, so big bodies stay cheap.
#[derive(Default)]
struct Pieces {
    by_hash: HashMap<u64, Vec<(Vec<u8>, u16)>>,
    filter: Vec<u64>,
}

impl Pieces {
    fn add(&mut self, w: &[u8], who: u16) {
        if self.filter.is_empty() {
            self.filter = vec![0; 1024];
        }
        let h = hash(w);
        let bit = (h >> 48) as usize;
        self.filter[bit / 64] |= 1 << (bit % 64);
        self.by_hash.entry(h).or_default().push((w.to_vec(), who));
    }

    fn scan(&self, bytes: &[u8], owner: &mut Vec<Option<u16>>) {
        if self.by_hash.is_empty() || bytes.len() < PIECE {
            return;
        }
        let top = (0..PIECE - 1).fold(1u64, |p, _| p.wrapping_mul(BASE));
        let mut h = hash(&bytes[..PIECE]);
        for p in 0..=bytes.len() - PIECE {
            if p > 0 {
                h = h
                    .wrapping_sub(u64::from(bytes[p - 1]).wrapping_mul(top))
                    .wrapping_mul(BASE)
                    .wrapping_add(u64::from(bytes[p + PIECE - 1]));
            }
            let bit = (h >> 48) as usize;
            if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
                continue;
            }
            let window = &bytes[p..p + PIECE];
            if let Some((_, who)) = self
                .by_hash
                .get(&h)
                .and_then(|c| c.iter().find(|(w, _)| w.as_slice() == window))
            {
                mark(owner, bytes.len(), p, PIECE, *who);
            }
        }
    }
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
    fn a_token_spelled_with_the_protocol_s_words_leaves_the_member_names_readable() {
        let t = Secret::new("test_access_token_0123456789abcdef0123456789abcdef");
        let body = format!(
            "{{\"access_token\":\"{}\",\"token_type\":\"Bearer\"}}",
            t.expose()
        );
        let out = scrub_text(&body, std::slice::from_ref(&t));
        assert!(out.starts_with("{\"access_token\":\""), "{out}");
        assert!(out.contains(&t.fingerprint()), "{out}");
        assert!(!out.contains("0123456789"), "{out}");
        // A truncated echo of the random part is still caught piece by piece.
        let half = scrub_text("…token_0123456789ab…", std::slice::from_ref(&t));
        assert!(!half.contains("0123456789"), "{half}");
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
