//! Reading a repository's history: every git access of the tool goes through here.
//!
//! The tool only reads: commits, trees and blobs at named revisions. It never
//! touches the work tree or the index, so it judges what is committed, not what
//! happens to lie on disk.

use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

/// What a path in a tree is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Link,
    Folder,
}

/// How a path changed between two commits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Added,
    Modified,
    Deleted,
}

/// One changed path.
#[derive(Clone, Debug)]
pub struct Change {
    pub path: PathBuf,
    pub status: Status,
}

/// A repository opened for reading.
pub struct Repo {
    repo: Repository,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo").field("path", &self.repo.path()).finish()
    }
}

impl Repo {
    /// Opens the repository containing `path` (searching upwards, as git does).
    pub fn discover(path: &Path) -> Result<Repo, String> {
        Repository::discover(path).map(|repo| Repo { repo }).map_err(|err| {
            format!("{}: not inside a git repository ({})", path.display(), err.message())
        })
    }

    /// The commit a revision names: a branch, a remote-tracking branch such as
    /// `origin/test`, a tag, or a commit id.
    pub fn commit(&self, revision: &str) -> Result<Oid, String> {
        self.repo
            .revparse_single(revision)
            .and_then(|object| object.peel_to_commit())
            .map(|commit| commit.id())
            .map_err(|err| format!("cannot resolve `{revision}`: {}", err.message()))
    }

    /// The tip of an environment branch: the local branch, else `origin/<branch>`.
    pub fn branch_tip(&self, branch: &str) -> Option<Oid> {
        [format!("refs/heads/{branch}"), format!("refs/remotes/origin/{branch}")]
            .iter()
            .find_map(|name| self.repo.refname_to_id(name).ok())
    }

    /// The bytes of a file at a commit, or `None` when the commit has no such file.
    pub fn read(&self, commit: Oid, path: &Path) -> Result<Option<Vec<u8>>, String> {
        let tree = self.tree(commit)?;
        let entry = match tree.get_path(path) {
            Ok(entry) => entry,
            Err(err) if err.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(err) => return Err(err.message().to_string()),
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self.repo.find_blob(entry.id()).map_err(|err| err.message().to_string())?;
        Ok(Some(blob.content().to_vec()))
    }

    /// What a path is in a commit's tree, if it is there.
    pub fn entry_kind(&self, commit: Oid, path: &Path) -> Option<EntryKind> {
        let entry = self.tree(commit).ok()?.get_path(path).ok()?;
        Some(match (entry.kind(), entry.filemode()) {
            (Some(ObjectType::Blob), 0o120000) => EntryKind::Link,
            (Some(ObjectType::Blob), _) => EntryKind::File,
            _ => EntryKind::Folder,
        })
    }

    /// Every file below a folder at a commit, with its blob id.
    pub fn files_under(&self, commit: Oid, folder: &str) -> Result<Vec<(PathBuf, Oid)>, String> {
        let entries = self.entries_under(commit, Path::new(folder))?;
        Ok(entries.into_iter().map(|(path, blob, _)| (path, blob)).collect())
    }

    /// Every file below a folder of a commit, with whether it is a symbolic link.
    pub fn entries_under(
        &self,
        commit: Oid,
        folder: &Path,
    ) -> Result<Vec<(PathBuf, Oid, EntryKind)>, String> {
        let tree = self.tree(commit)?;
        let Ok(entry) = tree.get_path(folder) else {
            return Ok(Vec::new());
        };
        let sub = self.repo.find_tree(entry.id()).map_err(|err| err.message().to_string())?;
        let mut files = Vec::new();
        sub.walk(TreeWalkMode::PreOrder, |parent, entry| {
            if entry.kind() == Some(ObjectType::Blob)
                && let Ok(name) = entry.name()
            {
                let kind =
                    if entry.filemode() == 0o120000 { EntryKind::Link } else { EntryKind::File };
                files.push((folder.join(parent).join(name), entry.id(), kind));
            }
            TreeWalkResult::Ok
        })
        .map_err(|err| err.message().to_string())?;
        Ok(files)
    }

    /// The bytes of a blob.
    pub fn blob(&self, id: Oid) -> Result<Vec<u8>, String> {
        self.repo
            .find_blob(id)
            .map(|b| b.content().to_vec())
            .map_err(|err| err.message().to_string())
    }

    /// The best common ancestor of two commits: a pull request's changes are
    /// those from here to its head, as GitHub shows them.
    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Oid, String> {
        self.repo
            .merge_base(a, b)
            .map_err(|err| format!("no common history between {a} and {b}: {}", err.message()))
    }

    /// The paths that differ between two commits, with how they changed.
    pub fn changed_paths(&self, from: Oid, to: Oid) -> Result<Vec<Change>, String> {
        let old = self.tree(from)?;
        let new = self.tree(to)?;
        let diff = self
            .repo
            .diff_tree_to_tree(Some(&old), Some(&new), None)
            .map_err(|err| err.message().to_string())?;
        let mut changes = Vec::new();
        for delta in diff.deltas() {
            let status = match delta.status() {
                git2::Delta::Added => Status::Added,
                git2::Delta::Deleted => Status::Deleted,
                _ => Status::Modified,
            };
            let file = if status == Status::Deleted { delta.old_file() } else { delta.new_file() };
            if let Some(path) = file.path() {
                changes.push(Change { path: path.to_path_buf(), status });
            }
        }
        Ok(changes)
    }

    /// The blob id of a path at a commit.
    pub fn blob_id(&self, commit: Oid, path: &Path) -> Option<Oid> {
        let entry = self.tree(commit).ok()?.get_path(path).ok()?;
        (entry.kind() == Some(ObjectType::Blob)).then(|| entry.id())
    }

    /// The newest commit reachable from `tip` that changed `path` (added it or
    /// changed its content), following every parent.
    pub fn last_change(&self, tip: Oid, path: &Path) -> Result<Option<Oid>, String> {
        let mut walk = self.repo.revwalk().map_err(|err| err.message().to_string())?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)
            .map_err(|err| err.message().to_string())?;
        walk.push(tip).map_err(|err| err.message().to_string())?;
        for id in walk {
            let id = id.map_err(|err| err.message().to_string())?;
            let here = self.blob_id(id, path);
            let Some(here) = here else { continue };
            let commit = self.repo.find_commit(id).map_err(|err| err.message().to_string())?;
            let same_in_a_parent =
                commit.parent_ids().any(|parent| self.blob_id(parent, path) == Some(here));
            if !same_in_a_parent {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// A commit's signature (if any) and the bytes it signs.
    pub fn signature(&self, commit: Oid) -> Result<(Option<String>, Vec<u8>), String> {
        match self.repo.extract_signature(&commit, None) {
            Ok((signature, signed)) => {
                Ok((Some(String::from_utf8_lossy(&signature).into_owned()), signed.to_vec()))
            }
            Err(err) if err.code() == git2::ErrorCode::NotFound => Ok((None, Vec::new())),
            Err(err) => Err(err.message().to_string()),
        }
    }

    /// When a commit was committed.
    pub fn commit_time(&self, commit: Oid) -> Result<chrono::DateTime<chrono::Utc>, String> {
        let commit = self.repo.find_commit(commit).map_err(|err| err.message().to_string())?;
        chrono::DateTime::from_timestamp(commit.time().seconds(), 0)
            .ok_or_else(|| "commit time out of range".to_string())
    }

    /// The short form of a commit id.
    pub fn short(&self, commit: Oid) -> String {
        commit.to_string()[..10].to_string()
    }

    fn tree(&self, commit: Oid) -> Result<git2::Tree<'_>, String> {
        self.repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|err| format!("cannot read commit {commit}: {}", err.message()))
    }
}
