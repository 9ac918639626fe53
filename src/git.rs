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
        let tree = self.tree(commit)?;
        let Ok(entry) = tree.get_path(Path::new(folder)) else {
            return Ok(Vec::new());
        };
        let sub = self.repo.find_tree(entry.id()).map_err(|err| err.message().to_string())?;
        let mut files = Vec::new();
        sub.walk(TreeWalkMode::PreOrder, |parent, entry| {
            if entry.kind() == Some(ObjectType::Blob)
                && let Ok(name) = entry.name()
            {
                files.push((Path::new(folder).join(parent).join(name), entry.id()));
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

    fn tree(&self, commit: Oid) -> Result<git2::Tree<'_>, String> {
        self.repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|err| format!("cannot read commit {commit}: {}", err.message()))
    }
}
