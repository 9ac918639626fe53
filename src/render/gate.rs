//! The gate's decision in every format: text for a person, JSON for machines,
//! Markdown for the pull-request comment, GitHub workflow commands, and SARIF
//! 2.1.0 for code scanning. All of them render the same [`Decision`].

use std::fmt::Write;

use serde::Serialize;
use serde_json::json;

use crate::diagnostic::{Code, Finding, Severity};
use crate::gate::{Decision, UnitChange, UnitSummary};
use crate::window::Next;

fn verdict(decision: &Decision) -> &'static str {
    if decision.allowed() { "allowed" } else { "blocked" }
}

fn change_text(unit: &UnitSummary, environment: &str) -> String {
    match unit.change {
        UnitChange::Deployment => format!("deployment to {environment}"),
        UnitChange::Rollback => format!("rollback on {environment}"),
        UnitChange::Evidence => format!("evidence for {environment}"),
        UnitChange::Other => "files of the unit".to_string(),
    }
}

fn next_text(next: &Next) -> String {
    format!(
        "{} window, {} to {}",
        next.window,
        next.start.format("%a %Y-%m-%d %H:%M %:z"),
        next.end.format("%H:%M")
    )
}

/// For a person: the verdict, each unit's rules, then every finding with its snippet.
pub fn text(decision: &Decision, color: bool) -> String {
    let mut out = format!(
        "release-gate check: {} into `{}`, base {}, at {}\npolicy: {}\n",
        decision.head,
        decision.environment,
        decision.base,
        decision.at.format("%a %Y-%m-%d %H:%M %:z"),
        decision.policy
    );
    for unit in &decision.units {
        let _ = writeln!(
            out,
            "\n{} {}: {}",
            unit.unit,
            unit.version,
            change_text(unit, &decision.environment)
        );
        for rule in &unit.rules {
            let _ = writeln!(out, "  {} {}", if rule.passed { "ok  " } else { "FAIL" }, rule.rule);
        }
        if let Some(next) = &unit.next_window {
            let _ = writeln!(out, "  next allowed: {}", next_text(next));
        }
        if let Some(acceptance) = &unit.acceptance {
            let _ = writeln!(out, "  acceptance: {}", acceptance.sentence());
        }
    }
    out.push('\n');
    out.push_str(&super::text::findings(&decision.report, color));
    let (errors, warnings) = (decision.report.errors(), decision.report.warnings());
    let _ = writeln!(
        out,
        "{}: {errors} error{}, {warnings} warning{}",
        verdict(decision).to_uppercase(),
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    );
    out
}

#[derive(Serialize)]
struct JsonDecision<'a> {
    version: u32,
    verdict: &'static str,
    environment: &'a str,
    base: &'a str,
    head: &'a str,
    at: String,
    policy: &'a str,
    errors: usize,
    warnings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_window: Option<&'a Next>,
    units: &'a [UnitSummary],
    findings: &'a [Finding],
}

/// For machines; described by `release-gate schema check-report`.
pub fn json(decision: &Decision) -> String {
    let body = JsonDecision {
        version: 1,
        verdict: verdict(decision),
        environment: &decision.environment,
        base: &decision.base,
        head: &decision.head,
        at: decision.at.to_rfc3339(),
        policy: &decision.policy,
        errors: decision.report.errors(),
        warnings: decision.report.warnings(),
        next_window: decision.next_window(),
        units: &decision.units,
        findings: &decision.report.findings,
    };
    serde_json::to_string_pretty(&body).unwrap_or_default() + "\n"
}

fn place(finding: &Finding) -> String {
    match &finding.location {
        Some(l) => format!("{}:{}:{}", finding.file.display(), l.line, l.column),
        None => finding.file.display().to_string(),
    }
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The pull-request comment: verdict first, a section per unit with its rules,
/// the next allowed window, and the findings folded away in details.
pub fn markdown(decision: &Decision) -> String {
    markdown_with(decision, usize::MAX)
}

/// The pull-request comment with at most `shown` findings in its table; the
/// others are counted, and found in the job summary and the annotations.
pub fn markdown_with(decision: &Decision, shown: usize) -> String {
    let mut out = String::new();
    let icon = if decision.allowed() { "✅" } else { "⛔" };
    let _ = writeln!(
        out,
        "### {icon} release-gate: {} into `{}`\n",
        if decision.allowed() { "allowed" } else { "blocked" },
        decision.environment
    );
    let _ = writeln!(
        out,
        "{} error(s), {} warning(s). Head {}, base {}, evaluated at {}.\n",
        decision.report.errors(),
        decision.report.warnings(),
        decision.head,
        decision.base,
        decision.at.format("%Y-%m-%d %H:%M %:z")
    );
    if let Some(next) = decision.next_window() {
        let _ = writeln!(out, "**Next allowed window:** {}\n", next_text(next));
    }
    for unit in &decision.units {
        let _ = writeln!(
            out,
            "#### {} {} ({})\n",
            unit.unit,
            unit.version,
            change_text(unit, &decision.environment)
        );
        out.push_str("| rule | result |\n|---|---|\n");
        for rule in &unit.rules {
            let _ = writeln!(
                out,
                "| {} | {} |",
                rule.rule,
                if rule.passed { "✅ passed" } else { "❌ failed" }
            );
        }
        out.push('\n');
        if let Some(acceptance) = &unit.acceptance {
            let _ = writeln!(out, "**Acceptance:** {}\n", escape_cell(&acceptance.sentence()));
        }
        if let Some(notice) = &unit.notice {
            let _ = writeln!(
                out,
                "<details><summary>Drafted customer notice ({}): {}</summary>\n",
                notice.language.as_str(),
                escape_cell(&notice.title)
            );
            let _ = writeln!(out, "> **{}**\n>", escape_cell(&notice.title));
            for line in notice.body.lines() {
                let _ = writeln!(out, "> {}", escape_cell(line));
            }
            out.push_str("\n</details>\n\n");
        }
    }
    if !decision.report.findings.is_empty() {
        out.push_str("<details><summary>Findings</summary>\n\n");
        out.push_str("| where | rule | what | how to fix |\n|---|---|---|---|\n");
        for finding in decision.report.findings.iter().take(shown) {
            let incident = finding
                .incident
                .map(|i| format!(" 🚨 {}", escape_cell(&i.sentence())))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| `{}` | `{}` {} | {}{}{incident} | {} |",
                place(finding),
                finding.code,
                if finding.severity == Severity::Warning { "(warning)" } else { "" },
                finding.outcome_prefix(),
                escape_cell(&finding.message),
                escape_cell(finding.hint.as_deref().unwrap_or(""))
            );
        }
        let left = decision.report.findings.len().saturating_sub(shown);
        if left > 0 {
            let _ = writeln!(
                out,
                "\n{left} more finding{} did not fit into this comment: see the job summary, the annotations, or run `release-gate check` locally.",
                if left == 1 { "" } else { "s" }
            );
        }
        out.push_str("\n</details>\n");
    }
    let _ = writeln!(out, "\n<sub>policy: {}</sub>", decision.policy);
    out
}

/// Escapes a workflow command's data (message) part.
fn command_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn command_property(text: &str) -> String {
    command_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub shows at most this many annotations of one level per step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// GitHub workflow commands: one annotation per finding, on the manifest line,
/// up to GitHub's display limit per level; the rest are plain log lines (the
/// job summary lists every finding).
pub fn github(decision: &Decision) -> String {
    let mut out = String::new();
    let (mut errors, mut warnings) = (0, 0);
    for finding in &decision.report.findings {
        let level = if finding.severity == Severity::Error { "error" } else { "warning" };
        let shown = if level == "error" { &mut errors } else { &mut warnings };
        *shown += 1;
        if *shown > ANNOTATIONS_PER_LEVEL {
            let _ = writeln!(
                out,
                "{level}: {}: {}{} [{}]",
                place(finding),
                finding.outcome_prefix(),
                finding.message,
                finding.code
            );
            continue;
        }
        let mut properties =
            vec![format!("file={}", command_property(&finding.file.display().to_string()))];
        if let Some(l) = &finding.location {
            properties.push(format!("line={}", l.line));
            properties.push(format!("col={}", l.column));
            properties.push(format!("endLine={}", l.end_line));
        }
        properties.push(format!("title={}", command_property(finding.code.as_str())));
        let mut message = format!("{}{}", finding.outcome_prefix(), finding.message);
        if let Some(hint) = &finding.hint {
            message = format!("{message}\n{hint}");
        }
        if let Some(incident) = &finding.incident {
            message = format!("{message}\n{}", incident.sentence());
        }
        let _ = writeln!(out, "::{level} {}::{}", properties.join(","), command_data(&message));
    }
    for (count, level) in [(errors, "error"), (warnings, "warning")] {
        if count > ANNOTATIONS_PER_LEVEL {
            let _ = writeln!(
                out,
                "release-gate: {} more {level}s than GitHub annotates per step are listed above as log lines and in the job summary",
                count - ANNOTATIONS_PER_LEVEL
            );
        }
    }
    for unit in &decision.units {
        if let Some(acceptance) = &unit.acceptance {
            let _ = writeln!(
                out,
                "release-gate: acceptance of {} {}: {}",
                unit.unit,
                unit.version,
                acceptance.sentence()
            );
        }
    }
    let _ = writeln!(out, "release-gate: {} into `{}`", verdict(decision), decision.environment);
    out
}

/// SARIF 2.1.0, for GitHub code scanning.
pub fn sarif(decision: &Decision) -> String {
    let mut codes: Vec<Code> = decision.report.findings.iter().map(|f| f.code).collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<serde_json::Value> = codes
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "name": code.as_str(),
                "shortDescription": { "text": code.about() },
                "helpUri": format!("https://release-gate.invalid/codes#{}", code.as_str()),
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = decision
        .report
        .findings
        .iter()
        .map(|finding| {
            let mut region = json!({});
            if let Some(l) = &finding.location {
                region = json!({
                    "startLine": l.line,
                    "startColumn": l.column,
                    "endLine": l.end_line,
                    "endColumn": l.end_column.max(l.column + usize::from(l.end_line == l.line)),
                });
            }
            let mut message = format!("{}{}", finding.outcome_prefix(), finding.message);
            if let Some(hint) = &finding.hint {
                message = format!("{message}. {hint}");
            }
            if let Some(incident) = &finding.incident {
                message = format!("{message}. {}", incident.sentence());
            }
            let mut physical =
                json!({ "artifactLocation": { "uri": finding.file.to_string_lossy() } });
            if finding.location.is_some() {
                physical["region"] = region;
            }
            let mut result = json!({
                "ruleId": finding.code.as_str(),
                "ruleIndex": codes.iter().position(|c| *c == finding.code).unwrap_or(0),
                "level": if finding.severity == Severity::Error { "error" } else { "warning" },
                "message": { "text": message },
                "locations": [{ "physicalLocation": physical }],
            });
            if let Some(outcome) = finding.outcome {
                result["properties"] = json!({ "outcome": outcome });
            }
            if let Some(incident) = &finding.incident {
                result["properties"]["incident"] = json!(incident);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "release-gate",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://release-gate.invalid/",
                "rules": rules,
            }},
            "results": results,
            "properties": {
                "acceptance": decision.units.iter().filter_map(|u| u.acceptance.as_ref()).collect::<Vec<_>>(),
            },
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}
