//! `--curl`: each failing probe of a run as a `curl` command, after the report.

use super::output::{Format, Output};
use authspec::evidence::Exchange;
use authspec::report::{Report, Standing};
use std::io::Write;

/// Writes one `curl` line per failed, warned or errored row that has a recorded request: to
/// stdout after a human report, to stderr after any other format (machine output stays clean).
pub(crate) fn print_probes(report: &Report, exchanges: &[Exchange], out: &Output) {
    let token = report.flags.as_ref().is_some_and(|f| f.token);
    let mut text = String::new();
    for r in &report.results {
        if !matches!(
            Standing::of(r),
            Standing::Fail | Standing::Warn | Standing::Error
        ) {
            continue;
        }
        let Some(ex) = r
            .evidence
            .first()
            .and_then(|e| exchanges.iter().find(|x| x.id == e.id))
        else {
            continue;
        };
        text.push_str(&format!(
            "# {} [{}]\n{}\n",
            r.id,
            r.level.as_str(),
            authspec::report::curl::command_for(ex, token)
        ));
    }
    if text.is_empty() {
        return;
    }
    let text = format!("\nreproduce the failing probes (keys come from the environment):\n{text}");
    let _ = if out.format == Format::Human {
        std::io::stdout().lock().write_all(text.as_bytes())
    } else {
        std::io::stderr().lock().write_all(text.as_bytes())
    };
}
