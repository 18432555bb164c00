//! The parts of an OpenAPI description authspec reads: version, secured operations, examples.

use serde_json::{Map, Value};

/// One operation of the description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub method: String,
    pub path: String,
    /// Whether its effective `security` requires a credential.
    pub secured: bool,
    /// The request body example, serialized, when the description gives one.
    pub example: Option<Vec<u8>>,
    /// Response status codes it documents.
    pub responses: Vec<String>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Whether a `security` requirement list demands a credential (`[]` or `[{}]` does not).
fn requires(security: &Value) -> bool {
    security.as_array().is_some_and(|alts| {
        !alts.is_empty()
            && alts
                .iter()
                .all(|a| a.as_object().is_some_and(|o| !o.is_empty()))
    })
}

/// Every operation with its effective security (operation-level overrides the top level).
pub fn operations(doc: &Map<String, Value>) -> Vec<Operation> {
    let top = doc.get("security").map(requires).unwrap_or(false);
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for m in METHODS {
            let Some(op) = item.get(m).and_then(Value::as_object) else {
                continue;
            };
            let secured = op.get("security").map(requires).unwrap_or(top);
            out.push(Operation {
                method: m.to_ascii_uppercase(),
                path: path.clone(),
                secured,
                example: example(op),
                responses: op
                    .get("responses")
                    .and_then(Value::as_object)
                    .map(|r| r.keys().cloned().collect())
                    .unwrap_or_default(),
            });
        }
    }
    out
}

/// Operations that require a credential.
pub fn secured_operations(doc: &Map<String, Value>) -> Vec<Operation> {
    operations(doc).into_iter().filter(|o| o.secured).collect()
}

fn example(op: &Map<String, Value>) -> Option<Vec<u8>> {
    let media = op
        .get("requestBody")?
        .get("content")?
        .get("application/json")?;
    let ex = media.get("example").or_else(|| {
        media
            .get("examples")?
            .as_object()?
            .values()
            .next()?
            .get("value")
    })?;
    serde_json::to_vec(ex).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn effective_security_and_examples() {
        let doc = json!({
            "openapi": "3.1.0",
            "security": [{"bearer": []}],
            "paths": {
                "/a": {"get": {}, "post": {"security": [], "requestBody": {"content": {"application/json": {"example": {"q": 1}}}}}},
                "/b": {"get": {"security": [{}]}, "put": {"responses": {"200": {}, "401": {}}}}
            }
        });
        let ops = operations(doc.as_object().unwrap());
        let secured: Vec<String> = ops
            .iter()
            .filter(|o| o.secured)
            .map(|o| format!("{} {}", o.method, o.path))
            .collect();
        assert_eq!(secured, ["GET /a", "PUT /b"]);
        assert_eq!(ops[1].example.as_deref(), Some(&b"{\"q\":1}"[..]));
        assert_eq!(ops[3].responses, ["200", "401"]);
    }
}
