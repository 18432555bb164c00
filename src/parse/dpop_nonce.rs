//! The DPoP-Nonce field and the `use_dpop_nonce` challenge that asks for it (RFC 9449 §8, §9).

use super::challenge;

/// Whether a response's `WWW-Authenticate` fields ask for a DPoP nonce: a `DPoP` challenge with
/// `error="use_dpop_nonce"` (RFC 9449 §9).
pub fn asks_for_nonce<'a>(www_authenticate: impl Iterator<Item = &'a str>) -> bool {
    challenge::parse_fields(www_authenticate)
        .unwrap_or_default()
        .iter()
        .any(|c| {
            c.is("dpop")
                && c.param("error")
                    .is_some_and(|e| e.value.eq_ignore_ascii_case("use_dpop_nonce"))
        })
}

/// Whether `value` is a nonce in RFC 9449 §8.1's syntax: `1*NQCHAR`, where NQCHAR (RFC 6749
/// Appendix A) is any visible ASCII character but the double quote and the backslash.
pub fn valid(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// The one nonce a response supplies, when it supplies exactly one in the right syntax.
pub fn supplied<'a>(mut fields: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let first = fields.next()?.trim();
    (fields.next().is_none() && valid(first)).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_use_dpop_nonce_challenge_asks_for_a_nonce() {
        let ask = r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#;
        assert!(asks_for_nonce([ask].into_iter()));
        assert!(!asks_for_nonce(
            [r#"Bearer error="use_dpop_nonce""#].into_iter()
        ));
        assert!(!asks_for_nonce([r#"DPoP algs="ES256""#].into_iter()));
    }

    #[test]
    fn nonces_are_nqchars() {
        assert!(valid("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
        assert!(!valid(""));
        assert!(!valid("a b"));
        assert!(!valid("a\"b"));
        assert!(!valid("a\\b"));
        assert_eq!(supplied(["n1"].into_iter()), Some("n1"));
        assert_eq!(supplied(["n1", "n2"].into_iter()), None);
        assert_eq!(supplied(std::iter::empty()), None);
    }
}
