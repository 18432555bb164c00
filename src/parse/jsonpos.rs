//! Finds where a JSON pointer's member sits in a document's text (line, column, source line).

/// Where a member starts in the document text: 1-based line and column (in Unicode scalar
/// values), and the text of that line, so reports can show it the way a compiler would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextPosition {
    pub line: u32,
    pub column: u32,
    /// The line, or for a long (minified) line a window of it around the member.
    pub source_line: String,
    /// 1-based column of the member within `source_line`.
    pub source_column: u32,
}

/// Longest source line a report carries; minified documents are one very long line.
const MAX_SOURCE_LINE: usize = 160;
/// How much of a long line is kept before the member.
const LEAD: usize = 40;

/// Locates `pointer` (RFC 6901) in `body`. For an object member the position is its name (the
/// last occurrence when the name repeats, as the reader keeps the last), for an array element
/// the element itself. `None` when the body is not UTF-8 JSON or the pointer leads nowhere.
pub fn locate(body: &[u8], pointer: &str) -> Option<TextPosition> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = std::str::from_utf8(body).ok()?;
    let tokens = tokens(pointer)?;
    let start = skip_ws(text.as_bytes(), 0);
    let mark = walk(text.as_bytes(), start, start, &tokens)?;
    Some(position(text, mark))
}

/// Follows `tokens` from the value at `at`; `mark` is where the pointer so far points. When a
/// name repeats, the last occurrence is tried first, then earlier ones: a pointer the reader
/// reports inside a repeated member may lead through any of them.
fn walk(b: &[u8], mark: usize, at: usize, tokens: &[String]) -> Option<usize> {
    let Some((token, rest)) = tokens.split_first() else {
        return Some(mark);
    };
    match b.get(at)? {
        b'{' => members(b, at, token)?
            .into_iter()
            .rev()
            .find_map(|(key, value)| walk(b, key, value, rest)),
        b'[' => {
            let (mark, value) = element(b, at, token.parse().ok()?)?;
            walk(b, mark, value, rest)
        }
        _ => None,
    }
}

/// The pointer's reference tokens, unescaped (`~1` is `/`, `~0` is `~`).
fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Every member of the object at `open` named `name`: (where its name starts, where its value
/// starts), in document order.
fn members(b: &[u8], open: usize, name: &str) -> Option<Vec<(usize, usize)>> {
    let mut at = skip_ws(b, open + 1);
    let mut found = Vec::new();
    while b.get(at) == Some(&b'"') {
        let key_end = string_end(b, at)?;
        let key: String = serde_json::from_slice(&b[at..key_end]).ok()?;
        let colon = skip_ws(b, key_end);
        let value = skip_ws(b, colon + 1);
        if key == name {
            found.push((at, value));
        }
        at = skip_ws(b, value_end(b, value)?);
        if b.get(at) != Some(&b',') {
            break;
        }
        at = skip_ws(b, at + 1);
    }
    Some(found)
}

fn element(b: &[u8], open: usize, index: usize) -> Option<(usize, usize)> {
    let mut at = skip_ws(b, open + 1);
    for _ in 0..index {
        at = skip_ws(b, value_end(b, at)?);
        if b.get(at) != Some(&b',') {
            return None;
        }
        at = skip_ws(b, at + 1);
    }
    (b.get(at).is_some_and(|c| *c != b']')).then_some((at, at))
}

/// The index just past the value starting at `at`, without recursion (nesting is unbounded here).
fn value_end(b: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    loop {
        match b.get(i)? {
            b'"' => i = string_end(b, i)?,
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            _ if depth == 0 => {
                while b.get(i).is_some_and(|c| !b",}] \t\r\n".contains(c)) {
                    i += 1;
                }
                return Some(i);
            }
            _ => i += 1,
        }
        if depth == 0 {
            return Some(i);
        }
    }
}

/// The index just past the string whose opening quote is at `at`.
fn string_end(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        match b.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

fn skip_ws(b: &[u8], mut at: usize) -> usize {
    while b.get(at).is_some_and(|c| b" \t\r\n".contains(c)) {
        at += 1;
    }
    at
}

fn position(text: &str, offset: usize) -> TextPosition {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let column = text[line_start..offset].chars().count();
    let skip = column.saturating_sub(LEAD);
    let source_line: String = text[line_start..line_end]
        .trim_end_matches('\r')
        .chars()
        .skip(skip)
        .take(MAX_SOURCE_LINE)
        .collect();
    TextPosition {
        line: u32::try_from(before.matches('\n').count() + 1).unwrap_or(u32::MAX),
        column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        source_line,
        source_column: u32::try_from(column - skip + 1).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "{\n  \"resource\": \"https://a\",\n  \"scopes\": [\"x\", {\"a/b\": 1}],\n  \"é\": 2,\n  \"resource\": \"https://b\"\n}";

    fn at(pointer: &str) -> Option<(u32, u32)> {
        locate(DOC.as_bytes(), pointer).map(|p| (p.line, p.column))
    }

    #[test]
    fn finds_members_elements_and_the_last_duplicate() {
        assert_eq!(at(""), Some((1, 1)));
        assert_eq!(at("/resource"), Some((5, 3)));
        assert_eq!(at("/scopes"), Some((3, 3)));
        assert_eq!(at("/scopes/1"), Some((3, 19)));
        assert_eq!(at("/scopes/1/a~1b"), Some((3, 20)));
        assert_eq!(at("/é"), Some((4, 3)));
        let p = locate(DOC.as_bytes(), "/scopes/0").expect("found");
        assert_eq!(p.source_line, "  \"scopes\": [\"x\", {\"a/b\": 1}],");
    }

    #[test]
    fn misses_are_none_not_panics() {
        assert_eq!(at("/absent"), None);
        assert_eq!(at("/scopes/7"), None);
        assert_eq!(at("/resource/0"), None);
        assert_eq!(at("no-slash"), None);
        // The reader reports /x/0/y inside the first of two "x" members: it is found there.
        let doc = br#"{"x": [{"y": 1, "y": 2}], "x": [{"z": 2}]}"#;
        assert_eq!(locate(doc, "/x/0/y").map(|p| p.column), Some(17));
        assert_eq!(locate(b"{\"a\": [1, 2", "/a/1"), None);
        assert_eq!(locate(b"\xff", ""), None);
        assert_eq!(locate(b"{\"a\": \"unterminated", "/a"), None);
    }

    #[test]
    fn deep_nesting_is_skipped_without_recursion() {
        let deep = format!(
            "{{\"x\": {}1{}, \"y\": 2}}",
            "[".repeat(200_000),
            "]".repeat(200_000)
        );
        let p = locate(deep.as_bytes(), "/y").expect("found");
        assert_eq!(p.column, 400_010);
        assert_eq!(p.source_column, 41);
        assert!(
            p.source_line[40..].starts_with("\"y\": 2}"),
            "{}",
            p.source_line
        );
    }
}
