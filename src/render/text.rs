//! The report for a person: one line per finding in the form editors and problem
//! matchers understand (`path:line:col: severity: message [code]`), then the
//! offending source lines with the value underlined, then the hint.

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::acceptance::Verdict;
use crate::diagnostic::{Finding, Severity};
use crate::lint::Report;

/// Renders every finding and a closing summary line.
pub fn render(report: &Report, color: bool) -> String {
    let mut out = findings(report, color);
    out.push_str(&acceptance(report));
    let _ = writeln!(out, "{}", summary(report));
    out
}

/// One line per release unit the acceptance checklist did not accept, and a count
/// of those it accepted.
pub fn acceptance(report: &Report) -> String {
    let mut out = String::new();
    let mut accepted = 0;
    for assessment in &report.acceptance {
        if assessment.verdict == Verdict::Accepted {
            accepted += 1;
            continue;
        }
        let _ = writeln!(
            out,
            "{}: acceptance of {} {}: {}",
            assessment.file.display(),
            assessment.unit,
            assessment.version,
            assessment.sentence()
        );
    }
    if accepted > 0 {
        let units = if accepted == 1 { "unit" } else { "units" };
        let _ = writeln!(out, "acceptance: {accepted} release {units} accepted");
    }
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
            let incident = finding.incident.map(|i| i.sentence());
            if let Some(incident) = &incident {
                group = group.element(Level::NOTE.message(incident.as_str()));
            }
            let _ = writeln!(out, "{}", renderer.render(&[group]));
        } else {
            if let Some(hint) = &finding.hint {
                let _ = writeln!(out, "  = help: {hint}");
            }
            if let Some(incident) = &finding.incident {
                let _ = writeln!(out, "  = note: {}", incident.sentence());
            }
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
    let outcome = finding.outcome_prefix();
    let (severity, message, code) = (finding.severity.as_str(), &finding.message, finding.code);
    format!("{place}: {severity}: {outcome}{message} [{code}]")
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
