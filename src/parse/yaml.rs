//! Reads a YAML document (an OpenAPI description) into the same JSON value the judges read.

use super::json::{Json, JsonError};

/// Parses `bytes` as one YAML document; errors carry the line and column where reading stopped.
pub fn parse(bytes: &[u8]) -> Result<Json, JsonError> {
    let (bom, text) = super::json::document_text(bytes)?;
    // serde-saphyr's default budget bounds aliases and nesting, so a hostile file cannot expand.
    match serde_saphyr::from_str::<serde_json::Value>(text) {
        Ok(value) => Ok(Json {
            value,
            duplicates: Vec::new(),
            bom,
        }),
        Err(e) => {
            let (line, column) = e
                .location()
                .map_or((0, 0), |l| (to_usize(l.line()), to_usize(l.column())));
            Err(JsonError::Yaml {
                line,
                column,
                message: plain_message(&e),
            })
        }
    }
}

/// The first line of the error without its snippet or its own position suffix.
fn plain_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("").trim();
    match first.find(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Whether `bytes` look like JSON (an object or array) rather than YAML: a JSON error is then
/// the one to show, since YAML would only restate it less clearly.
pub fn looks_like_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    matches!(
        bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_openapi_description_with_numeric_response_keys() {
        let doc = parse(b"openapi: 3.1.0\ninfo:\n  title: x\n  version: '1'\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n")
            .expect("YAML reads");
        assert_eq!(doc.value["openapi"], "3.1.0");
        assert!(doc.value["paths"]["/a"]["get"]["responses"]["200"].is_object());
    }

    #[test]
    fn a_syntax_error_has_its_position() {
        let err = parse(b"openapi: 3.1.0\ninfo:\n  title: [unclosed\n").expect_err("not YAML");
        match err {
            JsonError::Yaml { line, .. } => assert!(line >= 3, "{err}"),
            other => panic!("{other}"),
        }
        assert!(matches!(parse(b"  \n"), Err(JsonError::Empty)));
        assert!(looks_like_json(b" {\"a\""));
        assert!(!looks_like_json(b"openapi: 3.1.0"));
    }
}
