//! The `Link` header (RFC 8288 §3): targets with their parameters, `rel` split into relation types.

use super::ParseError;

/// One link-value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target: String,
    /// Relation types, lower-cased (they compare case-insensitively).
    pub rels: Vec<String>,
    pub params: Vec<(String, String)>,
}

/// Parses a combined `Link` value.
pub fn parse(input: &str) -> Result<Vec<Link>, ParseError> {
    let b = input.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b',') {
            i += 1;
        }
        if i >= b.len() {
            return Ok(out);
        }
        if b[i] != b'<' {
            return Err(ParseError::at(i, "expected '<' starting a link target"));
        }
        let end = input[i..]
            .find('>')
            .map(|e| i + e)
            .ok_or_else(|| ParseError::at(i, "unterminated '<'"))?;
        let target = input[i + 1..end].to_string();
        i = end + 1;
        let mut params = Vec::new();
        loop {
            while i < b.len() && matches!(b[i], b' ' | b'\t') {
                i += 1;
            }
            if i >= b.len() || b[i] == b',' {
                break;
            }
            if b[i] != b';' {
                return Err(ParseError::at(i, "expected ';' or ',' after a link target"));
            }
            i += 1;
            while i < b.len() && matches!(b[i], b' ' | b'\t') {
                i += 1;
            }
            let start = i;
            while i < b.len() && !matches!(b[i], b'=' | b';' | b',' | b' ') {
                i += 1;
            }
            let name = input[start..i].to_ascii_lowercase();
            if name.is_empty() {
                return Err(ParseError::at(i, "empty link parameter name"));
            }
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                while i < b.len() && b[i] == b' ' {
                    i += 1;
                }
                if i < b.len() && b[i] == b'"' {
                    let close = input[i + 1..]
                        .find('"')
                        .map(|e| i + 1 + e)
                        .ok_or_else(|| ParseError::at(i, "unterminated quoted parameter"))?;
                    value = input[i + 1..close].to_string();
                    i = close + 1;
                } else {
                    let s = i;
                    while i < b.len() && !matches!(b[i], b';' | b',' | b' ') {
                        i += 1;
                    }
                    value = input[s..i].to_string();
                }
            }
            params.push((name, value));
        }
        let rels = params
            .iter()
            .filter(|(n, _)| n == "rel")
            .flat_map(|(_, v)| v.split_ascii_whitespace().map(str::to_ascii_lowercase))
            .collect();
        out.push(Link {
            target,
            rels,
            params,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links() {
        let l = parse(r#"</.well-known/api-catalog>; rel="api-catalog", <https://a.example/x>;rel="Service-Desc item";type="application/json""#).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].target, "/.well-known/api-catalog");
        assert_eq!(l[0].rels, ["api-catalog"]);
        assert_eq!(l[1].rels, ["service-desc", "item"]);
        assert!(parse("https://x; rel=a").is_err());
        assert_eq!(parse("<x>; rel=\"a").unwrap_err().offset, 9);
        assert!(parse("").unwrap().is_empty());
    }
}
