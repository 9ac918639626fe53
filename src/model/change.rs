//! A standard change: `changes/<id>.yaml`.

use serde::{Deserialize, Serialize};

use super::Kind;

/// A standard change for a customer, tracked against its maximum provisioning
/// time in working days.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(title = "release-gate standard change"))]
pub struct StandardChange {
    /// Format version of this file; always `release-gate/v1`.
    #[cfg_attr(test, schemars(extend("const" = "release-gate/v1")))]
    pub api: String,
    /// Always `StandardChange`.
    #[cfg_attr(test, schemars(with = "StandardChangeKind"))]
    pub kind: Kind,
    /// Identifier of the change; the file is named after it.
    #[cfg_attr(test, schemars(pattern(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")))]
    pub id: String,
    /// Kind of change as the policy's `standard-changes` names it, e.g.
    /// `tenant-creation`, `certificate-renewal`.
    pub change: String,
    /// The customer.
    pub customer: String,
    /// When every required document was complete and correct and every
    /// coordination done, with UTC offset. The clock starts here.
    pub documents_complete: String,
    /// Periods on the customer's side (delays, faults, fixes) that do not count.
    #[serde(default)]
    pub pauses: Vec<Pause>,
    /// When the change was completed, with UTC offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
    /// The customer's feedback on the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Feedback>,
}

/// The one `kind` a standard change has (for the schema).
#[cfg(test)]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
enum StandardChangeKind {
    StandardChange,
}

/// A period the customer is responsible for.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Pause {
    /// Start, with UTC offset.
    pub from: String,
    /// End, with UTC offset.
    pub until: String,
    /// What the customer was waited for.
    pub reason: String,
}

/// The customer's acceptance test result.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Feedback {
    /// When the customer answered, with UTC offset.
    pub at: String,
    /// `accepted` or `rejected`.
    pub result: FeedbackResult,
}

/// The customer's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum FeedbackResult {
    /// The result is accepted.
    Accepted,
    /// The result is not accepted; the change goes on.
    Rejected,
}
