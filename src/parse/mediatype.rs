//! Media types (RFC 9110 §8.3.1): the lower-cased essence and its parameters.

/// A parsed `Content-Type` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType {
    /// `type/subtype`, lower-cased.
    pub essence: String,
    /// Parameters with lower-cased names and unquoted values.
    pub params: Vec<(String, String)>,
}

impl MediaType {
    /// Parses a `Content-Type` value; `None` when there is no `type/subtype`.
    pub fn parse(value: &str) -> Option<MediaType> {
        let mut parts = value.split(';');
        let essence = parts.next()?.trim().to_ascii_lowercase();
        let (ty, sub) = essence.split_once('/')?;
        if !is_token(ty) || !is_token(sub) {
            return None;
        }
        let params = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                Some((
                    k.trim().to_ascii_lowercase(),
                    v.trim().trim_matches('"').to_string(),
                ))
            })
            .collect();
        Some(MediaType { essence, params })
    }

    /// Whether this is `application/json` or a `+json` structured-syntax type.
    pub fn is_json(&self) -> bool {
        self.essence == "application/json" || self.essence.ends_with("+json")
    }
}

/// RFC 9110 §5.6.2: `token = 1*tchar`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::MediaType;

    #[test]
    fn parses_essence_and_params() {
        let m = MediaType::parse("Application/JSON; charset=\"utf-8\"").unwrap();
        assert_eq!(m.essence, "application/json");
        assert_eq!(m.params, vec![("charset".into(), "utf-8".into())]);
        assert!(
            MediaType::parse("application/jwk-set+json")
                .unwrap()
                .is_json()
        );
        assert!(!MediaType::parse("text/html").unwrap().is_json());
        assert!(MediaType::parse("json").is_none());
        assert!(MediaType::parse("").is_none());
        assert!(MediaType::parse("application/js on").is_none());
        assert!(MediaType::parse("application/json/x").is_none());
        assert!(MediaType::parse("applicat\u{e9}on/json").is_none());
    }
}
