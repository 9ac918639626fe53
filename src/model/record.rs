//! A stage record: `releases/<unit>/<version>/<environment>.yaml`.

use serde::{Deserialize, Serialize};

use super::{Kind, PersonId};

/// What happened to one release unit on one environment: the deployment plan,
/// then the QA result and the approval for the next environment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(title = "release-gate stage record"))]
pub struct StageRecord {
    /// Format version of this file; always `release-gate/v1`.
    #[cfg_attr(test, schemars(extend("const" = "release-gate/v1")))]
    pub api: String,
    /// Always `StageRecord`.
    #[cfg_attr(test, schemars(with = "StageRecordKind"))]
    pub kind: Kind,
    /// The release unit this record is about (same as its folder).
    pub unit: String,
    /// The version of the release unit (same as its folder).
    #[cfg_attr(test, schemars(pattern(r"^[0-9]+(\.[0-9]+){2,3}$")))]
    pub version: String,
    /// The environment, as named in the policy; the file is named after it.
    pub environment: String,
    /// Digest of the exact `release.yaml` this record refers to: `sha256:` and the
    /// hex SHA-256 of the file's bytes. Evidence for another digest does not count.
    #[cfg_attr(test, schemars(pattern(r"^sha256:[0-9a-f]{64}$")))]
    pub release_digest: String,
    /// How and when the unit is deployed.
    pub deployment: Deployment,
    /// The QA run on this environment, once it has happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qa: Option<Qa>,
    /// The documented release of this exact version for the next environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
}

/// The one `kind` a stage record has (for the schema).
#[cfg(test)]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
enum StageRecordKind {
    StageRecord,
}

/// The deployment plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Deployment {
    /// The maintenance window kind used, as the policy names it for this environment
    /// (e.g. `regular`, `small`, `large`, `emergency`). Omit on environments without
    /// window restrictions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Planned start, with UTC offset (RFC 3339).
    pub start: String,
    /// Planned end, with UTC offset (RFC 3339).
    pub end: String,
    /// Expected downtime, e.g. `30m` or `1h30m`; `0m` or absent for none. Downtime
    /// starts at the start of the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(pattern(r"^([0-9]+h([0-9]+m)?|[0-9]+m)$")))]
    pub downtime: Option<String>,
    /// The customer notice, where the window kind requires one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
    /// The emergency declaration, for the `emergency` window kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<Emergency>,
    /// Set when this deployment returns the environment to the version that ran
    /// there before: the version being replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(pattern(r"^[0-9]+(\.[0-9]+){2,3}$")))]
    pub rollback_from: Option<String>,
}

/// The notice published to customers before the deployment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Notice {
    /// When the notice was published, with UTC offset.
    pub published: String,
    /// The expected downtime the notice states, e.g. `30m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(pattern(r"^([0-9]+h([0-9]+m)?|[0-9]+m)$")))]
    pub downtime: Option<String>,
    /// Where the notice was published (support portal article, mail archive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// An emergency, declared with the information security officer.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Emergency {
    /// Person id of the ISB who declared the emergency.
    pub declared_by: PersonId,
    /// When it was declared, with UTC offset.
    pub declared_at: String,
    /// Why the change cannot wait for a regular window.
    #[cfg_attr(test, schemars(length(min = 1)))]
    pub reason: String,
}

/// The QA run against the environment's test-case catalogue.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Qa {
    /// The test-case catalogue run, with its version.
    pub catalogue: String,
    /// Link to the documented results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// Person id responsible for the QA run.
    pub by: PersonId,
    /// When QA finished, with UTC offset.
    pub at: String,
    /// `passed` or `failed`. A failure stops QA; the fix is a new version.
    pub result: QaResult,
    /// Malfunctions found.
    #[serde(default)]
    pub findings: Vec<QaFinding>,
    /// On TEST: the case-by-case decision whether the unit still goes on to PROD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

/// The outcome of a QA run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum QaResult {
    /// Every test case passed.
    Passed,
    /// QA stopped on a failure.
    Failed,
}

/// A malfunction found during QA.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct QaFinding {
    /// Identifier in the defect tracker.
    pub id: String,
    /// What went wrong.
    pub summary: String,
}

/// A recorded go or no-go decision, with its reason.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Decision {
    /// `true`: the unit goes on despite the findings.
    pub go: bool,
    /// Person id of who decided.
    pub by: PersonId,
    /// When, with UTC offset.
    pub at: String,
    /// Why.
    #[cfg_attr(test, schemars(length(min = 1)))]
    pub reason: String,
}

/// The approval of this exact version for the next environment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Approval {
    /// Person id of the approver; listed as an approver of this environment, and not
    /// the unit's author.
    pub by: PersonId,
    /// When, with UTC offset.
    pub at: String,
    /// The environment the unit is approved for: the next one in order. Left out on
    /// the last environment, where the approval releases the unit for production use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}
