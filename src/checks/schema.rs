//! JSON Schema validation of documents (schemas/ embedded at build time, no network resolution).

use crate::finding::Finding;
use serde_json::Value;
use std::sync::OnceLock;

/// The documents that have a schema in `schemas/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    Prm,
    Asm,
    Jwks,
    AgentAuth,
    Report,
}

/// The schema text for `kind`.
pub fn schema_source(kind: SchemaKind) -> &'static str {
    match kind {
        SchemaKind::Prm => include_str!("../../schemas/prm.schema.json"),
        SchemaKind::Asm => include_str!("../../schemas/asm.schema.json"),
        SchemaKind::Jwks => include_str!("../../schemas/jwks.schema.json"),
        SchemaKind::AgentAuth => include_str!("../../schemas/agent-auth.schema.json"),
        SchemaKind::Report => include_str!("../../schemas/report.schema.json"),
    }
}

fn validator(kind: SchemaKind) -> Option<&'static jsonschema::Validator> {
    static CELLS: [OnceLock<Option<jsonschema::Validator>>; 5] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    CELLS[kind as usize]
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(schema_source(kind)).ok()?;
            jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .ok()
        })
        .as_ref()
}

/// One failure per schema violation, each at the JSON pointer of the offending member.
/// `base` is prefixed to pointers when `value` is a member of a larger document.
pub fn violations(kind: SchemaKind, value: &Value, base: &str) -> Vec<Finding> {
    let Some(v) = validator(kind) else {
        return vec![Finding::error(format!(
            "internal error: the bundled {kind:?} schema does not compile"
        ))];
    };
    v.iter_errors(value)
        .map(|e| {
            let pointer = format!("{base}{}", e.instance_path());
            let at = if pointer.is_empty() {
                "/".to_string()
            } else {
                pointer.clone()
            };
            Finding::fail(format!("schema violation at {at}: {e}"))
                .actual(super::members::show(e.instance()))
                .expected(format!("a value matching schema {}", e.schema_path()))
                .at(at)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_schema_compiles() {
        for k in [
            SchemaKind::Prm,
            SchemaKind::Asm,
            SchemaKind::Jwks,
            SchemaKind::AgentAuth,
            SchemaKind::Report,
        ] {
            assert!(validator(k).is_some(), "{k:?}");
        }
    }

    #[test]
    fn reports_pointer() {
        let f = violations(
            SchemaKind::Prm,
            &json!({"resource": "https://a", "scopes_supported": "read"}),
            "",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].pointer.as_deref(), Some("/scopes_supported"));
    }
}
