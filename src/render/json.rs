//! The report as JSON, as `schemas/lint-report.schema.json` describes it.

use serde::Serialize;

use crate::acceptance::Assessment;
use crate::diagnostic::Finding;
use crate::lint::Report;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    files: usize,
    errors: usize,
    warnings: usize,
    findings: &'a [Finding],
    acceptance: &'a [Assessment],
}

/// Renders the report as one JSON document followed by a newline.
pub fn render(report: &Report) -> String {
    let body = JsonReport {
        version: 1,
        files: report.files,
        errors: report.errors(),
        warnings: report.warnings(),
        findings: &report.findings,
        acceptance: &report.acceptance,
    };
    // Serializing plain data into a string cannot fail.
    serde_json::to_string_pretty(&body).unwrap_or_default() + "\n"
}
