//! Keeping the API key out of every output (HARNESS-REDACT).

/// The display form of a key: its `prefix_` part and the last four characters, `jp_live_…abcd`.
pub fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "…".to_string();
    }
    let prefix: String = match key.rfind('_') {
        Some(i) if i < key.len() / 2 => key[..=i].to_string(),
        _ => String::new(),
    };
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{tail}")
}

/// Replaces every occurrence of `key` in `bytes`; returns whether there was one.
pub fn scrub(bytes: &mut Vec<u8>, key: &str) -> bool {
    let needle = key.as_bytes();
    if needle.is_empty() || bytes.len() < needle.len() {
        return false;
    }
    let replacement = redact(key).into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let mut found = false;
    while i < bytes.len() {
        if bytes[i..].starts_with(needle) {
            out.extend_from_slice(&replacement);
            i += needle.len();
            found = true;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    if found {
        *bytes = out;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_keeping_prefix_and_tail() {
        assert_eq!(redact("jp_live_0123456789abcdef"), "jp_live_…cdef");
        assert_eq!(redact("short"), "…");
        assert_eq!(redact("0123456789abcdefghij"), "…ghij");
    }

    #[test]
    fn scrubs_every_occurrence() {
        let key = "jp_live_0123456789abcdef";
        let mut b = format!("a {key} b {key}").into_bytes();
        assert!(scrub(&mut b, key));
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "a jp_live_…cdef b jp_live_…cdef"
        );
        let mut clean = b"nothing here".to_vec();
        assert!(!scrub(&mut clean, key));
    }
}
