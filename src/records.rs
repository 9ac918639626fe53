//! Stage records as committed on an environment's branch.

use std::path::Path;

use crate::git::Repo;
use crate::model::StageRecord;
use crate::model::policy::Environment;
use crate::time::parse_instant;
use crate::window::Used;

/// The stage records for `environment` at a commit, by path. Files that do not
/// parse are left out here: `lint` and `check` report them.
pub fn records_at(
    repo: &Repo,
    commit: git2::Oid,
    environment: &str,
) -> Result<Vec<(String, StageRecord)>, String> {
    let file_name = format!("{environment}.yaml");
    let mut records = Vec::new();
    for (path, blob) in repo.files_under(commit, "releases")? {
        let depth = path.components().count();
        if depth != 4 || path.file_name().and_then(|n| n.to_str()) != Some(file_name.as_str()) {
            continue;
        }
        let bytes = repo.blob(blob)?;
        let Ok(text) = String::from_utf8(bytes) else { continue };
        let parsed = crate::yaml::parse(Path::new(&path), &text)
            .ok()
            .and_then(|value| serde_json::from_value::<StageRecord>(value).ok());
        if let Some(record) = parsed {
            records.push((path.display().to_string(), record));
        }
    }
    Ok(records)
}

/// The window occurrence a record's deployment uses, if it names one.
pub fn used(record: &StageRecord) -> Option<Used> {
    let window = record.deployment.window.clone()?;
    let start = parse_instant(&record.deployment.start).ok()?;
    Some(Used { window, start })
}

/// The window occurrences the records on an environment's branch use; `None` when
/// the branch is not there.
pub fn used_on_branch(repo: &Repo, environment: &Environment) -> Result<Option<Vec<Used>>, String> {
    let Some(tip) = repo.branch_tip(&environment.branch) else {
        return Ok(None);
    };
    let records = records_at(repo, tip, &environment.name)?;
    Ok(Some(records.iter().filter_map(|(_, record)| used(record)).collect()))
}
