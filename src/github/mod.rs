//! GitHub: reading the Actions event that started a run.
//!
//! Only the event input lives here so far; the pull-request comment and
//! `github-review` approvals come with the rest of the GitHub integration.

pub mod event;
