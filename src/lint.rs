//! `lint`: every manifest through read, parse, schema and semantic checks.
//!
//! The pipeline per file is [`check_file`]: bounded read, strict YAML, kind from
//! the repository layout and the `kind` field, schema validation, then the typed
//! document and its semantic checks. Positions are resolved only for files with
//! findings. Files are spread over the machine's cores; the report is sorted, so
//! the output does not depend on scheduling.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::acceptance::Assessment;
use crate::diagnostic::{self, Code, Finding, Severity};
use crate::model::{Kind, Policy, ReleaseUnit, StageRecord, StandardChange};
use crate::schema;
use crate::source::Refused;
use crate::validate::{self, Context, Files, Layout};
use crate::yaml::{self, PositionIndex};

/// The findings of a run, with the text of every file that has one (for snippets).
#[derive(Debug, Default)]
pub struct Report {
    pub files: usize,
    pub findings: Vec<Finding>,
    pub sources: HashMap<PathBuf, String>,
    /// The acceptance checklist's outcome for every release unit checked.
    pub acceptance: Vec<Assessment>,
}

impl Report {
    /// A report of one finding about one file.
    pub fn single(finding: Finding) -> Report {
        Report { files: 1, findings: vec![finding], ..Report::default() }
    }

    /// A report about a file that could not be used as a manifest.
    pub fn refused(refused: Refused) -> Report {
        let mut report = Report::single(refused.finding);
        if let Some(shown) = refused.shown {
            report.sources.insert(report.findings[0].file.clone(), shown);
        }
        report
    }

    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Warning).count()
    }

    /// Takes in another report's findings and sources.
    pub fn merge(&mut self, other: Report) {
        self.files += other.files;
        self.findings.extend(other.findings);
        self.sources.extend(other.sources);
        self.acceptance.extend(other.acceptance);
    }
}

/// A manifest that passed its schema, as its typed model.
#[derive(Debug)]
pub enum Document {
    Release(Box<ReleaseUnit>),
    Record(Box<StageRecord>),
    Policy(Box<Policy>),
    Change(Box<StandardChange>),
}

/// Lints files and folders. A folder is searched recursively for files that sit
/// where the repository layout puts manifests; a file is linted whatever its name.
pub fn lint(ctx: &Context<'_>, paths: &[PathBuf]) -> Result<Report, String> {
    let mut files = Vec::new();
    for path in paths {
        let meta = fs::symlink_metadata(path)
            .map_err(|err| format!("{}: cannot read: {err}", path.display()))?;
        if meta.is_dir() {
            walk(path, &mut files).map_err(|err| format!("{}: {err}", path.display()))?;
        } else {
            files.push(unit_of_file(path).unwrap_or_else(|| path.clone()));
        }
    }
    files.sort();
    files.dedup();

    let mut report = Report { files: files.len(), ..Report::default() };
    for part in run_parallel(ctx, &files) {
        report.findings.extend(part.findings);
        report.sources.extend(part.sources);
        report.acceptance.extend(part.acceptance);
    }
    diagnostic::sort(&mut report.findings);
    report.acceptance.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(report)
}

/// Spreads the files over the available cores in contiguous chunks. Files on
/// disk only: a repository handle cannot be shared between threads.
fn run_parallel(ctx: &Context<'_>, files: &[PathBuf]) -> Vec<Report> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_worker = files.len().div_ceil(workers).max(64);
    let Files::Disk(root) = &ctx.files else {
        return vec![check_all(ctx, files)];
    };
    if files.len() <= per_worker {
        return vec![check_all(ctx, files)];
    }
    let (policy, zone, at, checklist) = (ctx.policy, ctx.zone, ctx.at, ctx.checklist);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(per_worker)
            .map(|chunk| {
                scope.spawn(move || {
                    let files = Files::Disk(root.clone());
                    let local = Context { policy, zone, files, at, checklist };
                    check_all(&local, chunk)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    })
}

fn check_all(ctx: &Context<'_>, files: &[PathBuf]) -> Report {
    let mut report = Report::default();
    for file in files {
        report.merge(check_file(ctx, file).1);
    }
    report
}

/// Collects the manifests below a folder, without following symbolic links to
/// folders (no loops, no escapes) and skipping version-control and build folders.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        // `lint .` reports `releases/...`, not `./releases/...`.
        let path = match dir.as_os_str().to_str() {
            Some(".") => PathBuf::from(entry.file_name()),
            _ => entry.path(),
        };
        let kind = entry.file_type()?;
        let name = entry.file_name();
        if kind.is_dir() {
            if !matches!(name.to_str(), Some(".git" | "target" | "node_modules")) {
                walk(&path, files)?;
            }
        } else if Layout::of(&path).is_some() {
            files.push(path);
        }
    }
    Ok(())
}

/// For a file of a release unit's folder that is no manifest (a document, a
/// configuration file), the unit's `release.yaml`: its checklist reads the file.
fn unit_of_file(path: &Path) -> Option<PathBuf> {
    if Layout::of(path).is_some() {
        return None;
    }
    let names: Vec<&std::ffi::OsStr> = path.iter().collect();
    let at = names.iter().rposition(|n| *n == "releases")?;
    if names.len() < at + 4 {
        return None;
    }
    let release: PathBuf = names[..at + 3].iter().collect::<PathBuf>().join("release.yaml");
    release.is_file().then_some(release)
}

/// Runs one file through the pipeline.
pub fn check_file(ctx: &Context<'_>, path: &Path) -> (Option<Document>, Report) {
    if let Files::Disk(root) = &ctx.files
        && let Some(finding) = symlink_escape(root, path)
    {
        return (None, Report::single(finding));
    }
    match crate::source::read_manifest(path) {
        Ok(text) => check_text(Some(ctx), path, &text, None),
        Err(refused) => (None, Report::refused(refused)),
    }
}

fn symlink_escape(root: &Path, path: &Path) -> Option<Finding> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    let real = path.canonicalize().ok()?;
    (!real.starts_with(root)).then(|| {
        Finding::error(
            Code::PathEscapesRepository,
            path,
            format!("the file is a symbolic link to {}, outside the repository", real.display()),
        )
        .hint("commit the manifest itself, not a link to it")
    })
}

/// Runs text through parse, kind, schema and semantic checks. Without a context
/// (while the policy itself is being read) only a policy can be checked.
pub fn check_text(
    ctx: Option<&Context<'_>>,
    path: &Path,
    text: &str,
    expected: Option<Kind>,
) -> (Option<Document>, Report) {
    let (document, mut findings) = match yaml::parse(path, text) {
        Ok(value) => judge(ctx, path, value, expected),
        Err(finding) => (None, vec![finding]),
    };

    // The acceptance checklist of a release unit: what it declares, then its files.
    // A delivery is a folder of the layout; a lone file elsewhere is only linted.
    let mut acceptance = None;
    if let (Some(ctx), Some(Document::Release(unit))) = (ctx, &document)
        && ctx.checklist
        && matches!(Layout::of(path), Some(Layout::Release { .. }))
    {
        let checked = crate::acceptance::run(ctx, path, text, unit);
        findings.extend(checked.declared);
        acceptance = Some((checked.assessment, checked.scan));
    }

    let mut report = Report { files: 1, ..Report::default() };
    if !findings.is_empty() {
        PositionIndex::new(text).resolve(&mut findings);
        report.findings = findings;
        report.sources.insert(path.to_path_buf(), text.to_string());
    }
    if let Some((assessment, scan)) = acceptance {
        report.findings.extend(scan.findings);
        // Masked copies replace the plain text: a secret is never shown.
        report.sources.extend(scan.sources);
        report.acceptance.push(assessment);
    }
    (document, report)
}

fn judge(
    ctx: Option<&Context<'_>>,
    path: &Path,
    value: Value,
    expected: Option<Kind>,
) -> (Option<Document>, Vec<Finding>) {
    let kind = match expected.map(Ok).unwrap_or_else(|| kind_of(path, &value)) {
        Ok(kind) => kind,
        Err(finding) => return (None, vec![finding]),
    };

    let findings = schema::validate(kind.schema(), path, &value);
    if !findings.is_empty() {
        return (None, findings);
    }

    match (kind, ctx) {
        (Kind::Policy, _) => {
            typed(path, value, |p: &Policy| validate::policy(path, p), Document::Policy)
        }
        (Kind::StageRecord, Some(ctx)) => {
            typed(path, value, |r| validate::record(ctx, path, r), Document::Record)
        }
        (Kind::StandardChange, Some(ctx)) => {
            typed(path, value, |c| validate::change(ctx, path, c), Document::Change)
        }
        (_, Some(ctx)) => {
            typed(path, value, |u| validate::release(ctx, path, u), Document::Release)
        }
        (_, None) => {
            (None, vec![Finding::error(Code::KindMismatch, path, "expected a policy").at("/kind")])
        }
    }
}

/// Deserializes a schema-valid value into its model and runs its checks.
fn typed<T: DeserializeOwned>(
    path: &Path,
    value: Value,
    check: impl FnOnce(&T) -> Vec<Finding>,
    wrap: impl FnOnce(Box<T>) -> Document,
) -> (Option<Document>, Vec<Finding>) {
    match serde_json::from_value::<T>(value) {
        Ok(model) => {
            let findings = check(&model);
            (Some(wrap(Box::new(model))), findings)
        }
        // The schema accepted what the model refuses: a bug of ours, said plainly.
        Err(err) => (
            None,
            vec![
                Finding::error(
                    Code::InvalidValue,
                    path,
                    format!("internal: the schema and the model disagree: {err}"),
                )
                .hint("please report this with the file attached"),
            ],
        ),
    }
}

/// Decides which kind a document is, from its place in the layout and its `kind`.
fn kind_of(path: &Path, value: &Value) -> Result<Kind, Finding> {
    let layout = Layout::of(path);
    let written = value.get("kind");
    let parsed = written.and_then(Value::as_str).and_then(Kind::parse);

    match (&layout, parsed) {
        (Some(layout), Some(kind)) if !layout.allows(kind) => Err(Finding::error(
            Code::KindMismatch,
            path,
            format!(
                "`kind: {}` does not fit the file's place, which holds {}",
                kind.as_str(),
                layout.describe()
            ),
        )
        .at("/kind")
        .hint("move the file, or correct `kind`")),
        (_, Some(kind)) => Ok(kind),
        // The schema will explain a missing or misspelt kind.
        (Some(layout), None) => Ok(layout.default_kind()),
        (None, None) => {
            let kinds =
                ["Release", "Hotfix", "EmergencyFix", "StageRecord", "Policy", "StandardChange"];
            let finding = Finding::error(
                Code::UnknownKind,
                path,
                "cannot tell what this file is: it is outside the repository layout and has no known `kind`",
            );
            Err(match written {
                Some(Value::String(text)) => {
                    let finding = finding.at("/kind");
                    match schema::suggest(text, &kinds) {
                        Some(best) => finding.hint(format!("did you mean `{best}`?")),
                        None => finding.hint(format!("`kind` is one of {}", kinds.join(", "))),
                    }
                }
                _ => {
                    finding.at_key("").hint(format!("add `kind:` with one of {}", kinds.join(", ")))
                }
            })
        }
    }
}
