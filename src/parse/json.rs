//! A JSON reader that records duplicate member names (with their JSON pointer) and caps nesting.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Deepest nesting accepted; serde_json's own recursion guard (128) backs this up.
pub const MAX_DEPTH: usize = 64;

/// A parsed document plus what a plain `serde_json::Value` would hide.
#[derive(Debug, Clone)]
pub struct Json {
    /// The value; for duplicate members the last one wins, as RFC 7517 §5 allows.
    pub value: Value,
    /// JSON pointers of members whose name appeared more than once in the same object.
    pub duplicates: Vec<String>,
    /// The body started with a UTF-8 byte order mark (RFC 8259 §8.1 forbids sending one).
    pub bom: bool,
}

/// Why a body is not JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    #[error("body is not UTF-8 (invalid byte at offset {0})")]
    Utf8(usize),
    #[error("body is empty")]
    Empty,
    #[error("nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("invalid JSON at line {line} column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("invalid YAML at line {line} column {column}: {message}")]
    Yaml {
        line: usize,
        column: usize,
        message: String,
    },
}

/// The text of a document: whether it began with a BOM (dropped), and the UTF-8 after it; an
/// empty or blank document is an error. JSON and YAML are read from the same text.
pub(super) fn document_text(bytes: &[u8]) -> Result<(bool, &str), JsonError> {
    let (bom, bytes) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let text = std::str::from_utf8(bytes).map_err(|e| JsonError::Utf8(e.valid_up_to()))?;
    if text.trim().is_empty() {
        return Err(JsonError::Empty);
    }
    Ok((bom, text))
}

/// Parses `bytes` strictly as UTF-8 JSON (a leading BOM is tolerated and reported).
pub fn parse(bytes: &[u8]) -> Result<Json, JsonError> {
    let (bom, text) = document_text(bytes)?;
    let state = State::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = Seed {
        state: &state,
        path: String::new(),
        depth: 0,
    };
    let value = seed.deserialize(&mut de).and_then(|v| de.end().map(|_| v));
    match value {
        Ok(value) => Ok(Json {
            value,
            duplicates: state.duplicates.into_inner(),
            bom,
        }),
        Err(_) if state.too_deep.get() => Err(JsonError::TooDeep),
        Err(e) if e.to_string().contains("recursion limit") => Err(JsonError::TooDeep),
        Err(e) => Err(JsonError::Syntax {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        }),
    }
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Escapes one reference token for a JSON pointer (RFC 6901 §3).
pub fn pointer_token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[derive(Default)]
struct State {
    duplicates: RefCell<Vec<String>>,
    too_deep: std::cell::Cell<bool>,
}

struct Seed<'s> {
    state: &'s State,
    path: String,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Seed<'_> {
    fn child(&self, token: &str) -> Result<Seed<'_>, ()> {
        if self.depth + 1 > MAX_DEPTH {
            self.state.too_deep.set(true);
            return Err(());
        }
        Ok(Seed {
            state: self.state,
            path: format!("{}/{}", self.path, token),
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let child = self
                .child(&out.len().to_string())
                .map_err(|_| serde::de::Error::custom("nesting too deep"))?;
            match seq.next_element_seed(child)? {
                Some(v) => out.push(v),
                None => return Ok(Value::Array(out)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let token = pointer_token(&key);
            let child = self
                .child(&token)
                .map_err(|_| serde::de::Error::custom("nesting too deep"))?;
            let value = map.next_value_seed(child)?;
            if out.insert(key, value).is_some() {
                self.state
                    .duplicates
                    .borrow_mut()
                    .push(format!("{}/{}", self.path, token));
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_with_pointers() {
        let j = parse(br#"{"a":1,"keys":[{"kid":"x","kid":"y"}],"a":2}"#).unwrap();
        assert_eq!(j.duplicates, vec!["/keys/0/kid", "/a"]);
        assert_eq!(j.value["a"], 2);
        assert_eq!(j.value["keys"][0]["kid"], "y");
    }

    #[test]
    fn caps_depth() {
        let deep = "[".repeat(200_000) + &"]".repeat(200_000);
        assert_eq!(parse(deep.as_bytes()).unwrap_err(), JsonError::TooDeep);
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn reports_bom_utf8_and_syntax() {
        assert!(parse(b"\xEF\xBB\xBF{}").unwrap().bom);
        assert_eq!(parse(b"{\"a\":\"\xff\"}").unwrap_err(), JsonError::Utf8(6));
        assert_eq!(parse(b"  ").unwrap_err(), JsonError::Empty);
        let err = parse(b"{\"a\":}").unwrap_err();
        assert!(matches!(err, JsonError::Syntax { line: 1, .. }), "{err:?}");
        assert!(parse(b"{} x").is_err());
    }

    #[test]
    fn escapes_pointer_tokens() {
        let j = parse(br#"{"a/b":{"c~d":1,"c~d":2}}"#).unwrap();
        assert_eq!(j.duplicates, vec!["/a~1b/c~0d"]);
    }
}
