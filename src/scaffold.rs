//! `policy init`: a new guarded repository's first files.
//!
//! Writes the handbook policy as `.release-gate.yaml`, the JSON Schemas under
//! `schemas/` (which the files' `yaml-language-server` lines point editors to)
//! and the shipped example release unit, so `release-gate lint` has something to
//! say from the first minute.

use std::fs;
use std::path::{Path, PathBuf};

use crate::model::SchemaName;
use crate::policy;
use crate::schema;

/// The example manifests, by their path in a guarded repository.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "releases/gwa-core/4.2.0/release.yaml",
        include_str!("../examples/releases/gwa-core/4.2.0/release.yaml"),
    ),
    (
        "releases/gwa-core/4.2.0/dev.yaml",
        include_str!("../examples/releases/gwa-core/4.2.0/dev.yaml"),
    ),
    (
        "releases/gwa-core/4.2.0/test.yaml",
        include_str!("../examples/releases/gwa-core/4.2.0/test.yaml"),
    ),
    (
        "releases/gwa-core/4.2.0/docs/release-notes.md",
        include_str!("../examples/releases/gwa-core/4.2.0/docs/release-notes.md"),
    ),
    (
        "releases/gwa-core/4.2.0/docs/installation.md",
        include_str!("../examples/releases/gwa-core/4.2.0/docs/installation.md"),
    ),
    (
        "releases/gwa-core/4.2.0/docs/authentication.md",
        include_str!("../examples/releases/gwa-core/4.2.0/docs/authentication.md"),
    ),
    (
        "releases/gwa-core/4.2.0/docs/user-guide.md",
        include_str!("../examples/releases/gwa-core/4.2.0/docs/user-guide.md"),
    ),
    ("changes/CHG-2026-0042.yaml", include_str!("../examples/changes/CHG-2026-0042.yaml")),
];

/// Writes the starter files below `dir`; refuses to overwrite unless `force`.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>, String> {
    // The default policy's editor line points at `../schemas/` from `policy/`;
    // at the repository root the schemas sit in `schemas/`.
    let policy_text = policy::DEFAULT_TEXT.replacen("$schema=../schemas/", "$schema=schemas/", 1);
    let mut files: Vec<(PathBuf, String)> = vec![(dir.join(policy::FILE_NAME), policy_text)];
    for name in SchemaName::ALL {
        files.push((dir.join("schemas").join(name.file_name()), schema::text(name).to_string()));
    }
    for (path, text) in EXAMPLES {
        files.push((dir.join(path), (*text).to_string()));
    }

    if !force {
        let existing: Vec<String> = files
            .iter()
            .filter(|(p, _)| p.exists())
            .map(|(p, _)| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(format!(
                "these files exist already: {}\nnothing was written; pass --force to overwrite them",
                existing.join(", ")
            ));
        }
    }

    let mut written = Vec::new();
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|err| format!("cannot write {}: {err}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
