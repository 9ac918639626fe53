//! The files of a guarded repository, as serde structs that mirror them.
//!
//! These types describe the YAML exactly as a person writes it; their doc
//! comments become the `description` of every property in the JSON Schemas under
//! `schemas/` (generated from these types by a test, so the two cannot drift).
//! Values the schema cannot judge alone (times, durations, references to people
//! and paths) are checked by [`crate::validate`].

pub mod change;
pub mod policy;
pub mod record;
pub mod release;

use serde::{Deserialize, Serialize};

pub use change::StandardChange;
pub use policy::Policy;
pub use record::StageRecord;
pub use release::ReleaseUnit;

/// The only `api` value this version of the tool reads.
pub const API_VERSION: &str = "release-gate/v1";

/// Which kind of file a manifest is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum Kind {
    /// A regular release unit (three-part version).
    Release,
    /// A hotfix (four-part version).
    Hotfix,
    /// An emergency fix, deployed in an emergency window (four-part version).
    EmergencyFix,
    /// What happened to one release unit on one environment.
    StageRecord,
    /// The rules of the gate.
    Policy,
    /// A standard change with a provisioning deadline.
    StandardChange,
}

impl Kind {
    /// The name written in the `kind` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Release => "Release",
            Kind::Hotfix => "Hotfix",
            Kind::EmergencyFix => "EmergencyFix",
            Kind::StageRecord => "StageRecord",
            Kind::Policy => "Policy",
            Kind::StandardChange => "StandardChange",
        }
    }

    /// Reads the `kind` field's text.
    pub fn parse(text: &str) -> Option<Kind> {
        [
            Kind::Release,
            Kind::Hotfix,
            Kind::EmergencyFix,
            Kind::StageRecord,
            Kind::Policy,
            Kind::StandardChange,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }

    /// The schema that validates this kind.
    pub fn schema(self) -> SchemaName {
        match self {
            Kind::Release | Kind::Hotfix | Kind::EmergencyFix => SchemaName::Release,
            Kind::StageRecord => SchemaName::StageRecord,
            Kind::Policy => SchemaName::Policy,
            Kind::StandardChange => SchemaName::StandardChange,
        }
    }

    /// Whether the kind is one of the three release-unit kinds.
    pub fn is_release_unit(self) -> bool {
        matches!(self, Kind::Release | Kind::Hotfix | Kind::EmergencyFix)
    }
}

/// The JSON Schemas the tool ships, one per file kind plus its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemaName {
    Release,
    StageRecord,
    Policy,
    StandardChange,
    LintReport,
    CheckReport,
    SlaReport,
    AccessReviewReport,
}

impl SchemaName {
    pub const ALL: [SchemaName; 8] = [
        SchemaName::Release,
        SchemaName::StageRecord,
        SchemaName::Policy,
        SchemaName::StandardChange,
        SchemaName::LintReport,
        SchemaName::CheckReport,
        SchemaName::SlaReport,
        SchemaName::AccessReviewReport,
    ];

    /// The name used on the command line (`release-gate schema NAME`).
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaName::Release => "release",
            SchemaName::StageRecord => "stage-record",
            SchemaName::Policy => "policy",
            SchemaName::StandardChange => "standard-change",
            SchemaName::LintReport => "lint-report",
            SchemaName::CheckReport => "check-report",
            SchemaName::SlaReport => "sla-report",
            SchemaName::AccessReviewReport => "access-review-report",
        }
    }

    /// The file name under `schemas/`.
    pub fn file_name(self) -> String {
        format!("{}.schema.json", self.as_str())
    }
}

/// A person as named in manifests: the `id` of an entry under `people` in the policy.
pub type PersonId = String;
