//! The JSON report (schemas/report.schema.json): the result model serialized as is.

use super::Report;

/// Pretty JSON; never fails for this model, but the error is passed on rather than hidden.
pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(report).map(|mut s| {
        s.push('\n');
        s
    })
}
