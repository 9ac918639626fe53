//! The Actions event: which change, into which branch, decided when.
//!
//! Under `pull_request` and `pull_request_target` the gate judges the pull
//! request's head against its base branch, at the time the workflow runs. Such a
//! check can go stale: it may pass at 16:55 inside a window and stay green while
//! the merge happens at 17:30, after the window closed. Under `merge_group` (a
//! merge queue) the run happens when the merge is about to happen, so a window
//! check is right at merge time; with plain pull requests, re-run the check on a
//! schedule so a closed window turns it red.

use std::path::Path;

use serde::Deserialize;

/// What the gate needs from an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The event's name (`pull_request`, `pull_request_target`, `merge_group`).
    pub event: String,
    /// The target branch's name, e.g. `test`.
    pub base_branch: String,
    /// The target branch's commit the event names.
    pub base_sha: String,
    /// The change's head commit.
    pub head_sha: String,
    /// The pull request's number. Under `merge_group`, the one the queue's branch
    /// is named after (`gh-readonly-queue/<base>/pr-<number>-<sha>`): the last of
    /// the group.
    pub number: Option<u64>,
}

#[derive(Deserialize)]
struct PullRequestEvent {
    pull_request: PullRequest,
}

#[derive(Deserialize)]
struct PullRequest {
    number: u64,
    base: Ref,
    head: Ref,
}

#[derive(Deserialize)]
struct Ref {
    #[serde(rename = "ref")]
    name: String,
    sha: String,
}

#[derive(Deserialize)]
struct MergeGroupEvent {
    merge_group: MergeGroup,
}

#[derive(Deserialize)]
struct MergeGroup {
    head_sha: String,
    base_sha: String,
    base_ref: String,
    head_ref: String,
}

/// Reads the event from the files and variables GitHub Actions sets.
pub fn from_environment() -> Result<Change, String> {
    let name = std::env::var("GITHUB_EVENT_NAME").map_err(|_| {
        "no --base/--head given and not in GitHub Actions (GITHUB_EVENT_NAME is not set)"
            .to_string()
    })?;
    let path = std::env::var("GITHUB_EVENT_PATH")
        .map_err(|_| "GITHUB_EVENT_PATH is not set; cannot read the event".to_string())?;
    read(&name, Path::new(&path))
}

/// Reads an event of the given name from its payload file.
pub fn read(name: &str, path: &Path) -> Result<Change, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("{}: cannot read the event payload: {err}", path.display()))?;
    let bad =
        |err: serde_json::Error| format!("{}: not a `{name}` event payload: {err}", path.display());
    match name {
        "pull_request" | "pull_request_target" => {
            let event: PullRequestEvent = serde_json::from_str(&text).map_err(bad)?;
            let pr = event.pull_request;
            Ok(Change {
                event: name.to_string(),
                base_branch: pr.base.name,
                base_sha: pr.base.sha,
                head_sha: pr.head.sha,
                number: Some(pr.number),
            })
        }
        "merge_group" => {
            let event: MergeGroupEvent = serde_json::from_str(&text).map_err(bad)?;
            let group = event.merge_group;
            let branch = group.base_ref.strip_prefix("refs/heads/").unwrap_or(&group.base_ref);
            Ok(Change {
                event: name.to_string(),
                base_branch: branch.to_string(),
                base_sha: group.base_sha,
                head_sha: group.head_sha,
                number: queued_pull_request(&group.head_ref),
            })
        }
        other => Err(format!(
            "the gate runs on `pull_request`, `pull_request_target` or `merge_group` events, not `{other}`"
        )),
    }
}

/// The pull request a merge queue's branch is named after.
fn queued_pull_request(head_ref: &str) -> Option<u64> {
    let (_, rest) = head_ref.rsplit_once("/pr-")?;
    let (number, _) = rest.split_once('-')?;
    number.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_branch_names_the_pull_request() {
        let name =
            "refs/heads/gh-readonly-queue/test/pr-42-0123456789abcdef0123456789abcdef01234567";
        assert_eq!(queued_pull_request(name), Some(42));
        assert_eq!(queued_pull_request("refs/heads/feature/pr-x"), None);
    }
}
