//! The report for a person: one line per finding in the form editors and problem
//! matchers understand (`path:line:col: severity: message [code]`), then the
//! offending source lines with the value underlined, then the hint.

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diagnostic::{Finding, Severity};
use crate::lint::Report;

/// Renders every finding and a closing summary line.
pub fn render(report: &Report, color: bool) -> String {
    let mut out = findings(report, color);
    let _ = writeln!(out, "{}", summary(report));
    out
}

/// Renders every finding: the one-line form, the snippet, the hint.
pub fn findings(report: &Report, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();

    for finding in &report.findings {
        out.push_str(&headline(finding));
        out.push('\n');
        let source = report.sources.get(&finding.file);
        if let (Some(source), Some(location)) = (source, &finding.location) {
            let level = match finding.severity {
                Severity::Error => Level::ERROR,
                Severity::Warning => Level::WARNING,
            };
            let span = underline(source, location.bytes.clone());
            let mut group = Group::with_level(level.clone()).element(
                Snippet::source(source.as_str())
                    .line_start(1)
                    .annotation(AnnotationKind::Primary.span(span)),
            );
            if let Some(hint) = &finding.hint {
                group = group.element(Level::HELP.message(hint.as_str()));
            }
            let _ = writeln!(out, "{}", renderer.render(&[group]));
        } else if let Some(hint) = &finding.hint {
            let _ = writeln!(out, "  = help: {hint}");
        }
    }

    out
}

/// The one-line form of a finding.
pub fn headline(finding: &Finding) -> String {
    let place = match &finding.location {
        Some(l) => format!("{}:{}:{}", finding.file.display(), l.line, l.column),
        None => finding.file.display().to_string(),
    };
    format!("{place}: {}: {} [{}]", finding.severity.as_str(), finding.message, finding.code)
}

/// An empty range (a place, not a value) still gets one character underlined.
fn underline(source: &str, bytes: std::ops::Range<usize>) -> std::ops::Range<usize> {
    if !bytes.is_empty() {
        return bytes;
    }
    let start = bytes.start.min(source.len());
    let width = source[start..].chars().next().filter(|c| *c != '\n').map_or(0, char::len_utf8);
    start..start + width
}

fn summary(report: &Report) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let (errors, warnings) = (report.errors(), report.warnings());
    if errors == 0 && warnings == 0 {
        return format!("{} clean", plural(report.files, "file"));
    }
    format!(
        "{}, {} in {}",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(report.files, "file")
    )
}
