//! `release-gate` guards a GitOps repository: it reads the release manifests
//! committed there, validates them against schemas and the operator's handbook,
//! and decides whether a change may move into an environment branch.
//!
//! The library holds everything; `main.rs` only calls [`cli::main`]. Parsing
//! ([`yaml`], [`model`]) is kept apart from judging ([`schema`], [`validate`]),
//! and both from output ([`render`]): every command builds one report value and a
//! renderer formats it.

pub mod acceptance;
pub mod access_review;
pub mod calendar;
pub mod cli;
pub mod diagnostic;
pub mod gate;
pub mod git;
pub mod github;
pub mod ics;
pub mod lint;
pub mod model;
pub mod notice;
pub mod plan;
pub mod policy;
pub mod records;
pub mod render;
pub mod scaffold;
pub mod schema;
pub mod sla;
pub mod source;
pub mod time;
pub mod validate;
pub mod window;
pub mod windows;
pub mod yaml;
