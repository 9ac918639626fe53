//! A release unit: `releases/<unit>/<version>/release.yaml`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Kind, PersonId};

/// One assembled delivery (software, documentation, configuration) that moves
/// from environment to environment as a whole. Never edited once it is on an
/// environment branch: a fix is a new version.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(title = "release-gate release unit"))]
pub struct ReleaseUnit {
    /// Format version of this file; always `release-gate/v1`.
    #[cfg_attr(test, schemars(extend("const" = "release-gate/v1")))]
    pub api: String,
    /// `Release` (three-part version), `Hotfix` or `EmergencyFix` (four-part version).
    #[cfg_attr(test, schemars(with = "ReleaseKind"))]
    pub kind: Kind,
    /// Name of the unit; the folder `releases/<unit>/` carries the same name.
    #[cfg_attr(test, schemars(pattern(r"^[a-z0-9][a-z0-9._-]*$")))]
    pub unit: String,
    /// Version: `x.y.z` for a release, `w.x.y.z` for a hotfix or emergency fix.
    #[cfg_attr(test, schemars(pattern(r"^[0-9]+(\.[0-9]+){2,3}$")))]
    pub version: String,
    /// One line saying what the unit brings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Person id (from the policy's `people`) who checked the delivery in. They may
    /// not approve this unit anywhere (four eyes).
    pub author: PersonId,
    /// Who delivered the software.
    pub vendor: Vendor,
    /// When the delivery arrived, with UTC offset (RFC 3339). Rework deadlines count
    /// working days from here.
    pub delivered: String,
    /// `full`: every component moves and is tested. `delta`: only changed or new
    /// components move, on top of `base`.
    pub scope: Scope,
    /// For a delta unit: the version it builds on, which must already be deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(pattern(r"^[0-9]+(\.[0-9]+){2,3}$")))]
    pub base: Option<String>,
    /// Whether moving the unit stops the environment (`true`) or can happen during
    /// operation (`false`).
    pub downtime: bool,
    /// The artifacts of the unit, each pinned by digest.
    #[cfg_attr(test, schemars(length(min = 1)))]
    pub components: Vec<Component>,
    /// The documentation the acceptance checklist reviews.
    pub documentation: Documentation,
    /// Every interface the unit exposes or uses: protocol, port, direction and
    /// authentication.
    #[serde(default)]
    pub interfaces: Vec<Interface>,
    /// The API calls the unit makes per smart-metering role (`GWA`, `EMTa`, `EMTp`),
    /// checked against the policy's role matrix.
    #[serde(default)]
    #[cfg_attr(test, schemars(extend("propertyNames" = {"enum": ["GWA", "EMTa", "EMTp"]})))]
    pub api_calls: BTreeMap<Role, Vec<String>>,
}

/// The three kinds a release unit can have (for the schema).
#[cfg(test)]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
enum ReleaseKind {
    Release,
    Hotfix,
    EmergencyFix,
}

/// Who delivered the software; rework requests go back to them.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Vendor {
    /// Company name of the vendor.
    pub name: String,
    /// Where rework requests and rejections go (mail address or ticket queue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// Whether the whole unit moves, or only what changed since a base version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum Scope {
    /// Every component moves to the next environment.
    Full,
    /// Only changed or new components move; the base version must be in place.
    Delta,
}

/// One artifact of a release unit.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Component {
    /// Name of the component.
    pub name: String,
    /// The component's own version.
    pub version: String,
    /// Where the artifact is stored (image reference, package URL).
    pub artifact: String,
    /// Content digest of the artifact, `sha256:` and 64 lower-case hex digits.
    #[cfg_attr(test, schemars(pattern(r"^sha256:[0-9a-f]{64}$")))]
    pub digest: String,
}

/// The documentation the acceptance checklist reviews. Paths are relative to the
/// folder of `release.yaml` and must stay inside the repository.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Documentation {
    /// Release notes: what changed, for people reading the rollout notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_notes: Option<String>,
    /// System requirements from the release description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_requirements: Option<SystemRequirements>,
    /// Path of the installation guide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installation_guide: Option<String>,
    /// Every variable needed to install by script, each described; `[]` when the
    /// installation needs none. Left out, the checklist asks for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installation_variables: Option<Vec<Setting>>,
    /// Path of the description of the authentication methods (JWT, OAuth, LDAP, SAML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<String>,
    /// Path of the user documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_guide: Option<String>,
    /// Every setting a user can configure, each described; `[]` when users
    /// configure nothing. Left out, the checklist asks for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Vec<Setting>>,
}

/// What the unit needs to run.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SystemRequirements {
    /// Runtime versions, e.g. `Java 21`.
    #[serde(default)]
    pub runtime: Vec<String>,
    /// Operating system and kernel, e.g. `Debian 12, kernel 6.1`.
    #[serde(default)]
    pub os: Vec<String>,
    /// Other dependencies, e.g. `PostgreSQL 16`; `[]` when there are none. Left
    /// out, the checklist asks for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<String>>,
}

/// A named variable or setting with its description.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Setting {
    /// Name as it appears in the installation script or settings screen.
    pub name: String,
    /// What it does and which values it takes.
    pub description: String,
}

/// One communication relation of the unit.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Interface {
    /// Name of the interface.
    pub name: String,
    /// Kind of the relation.
    pub relation: Relation,
    /// `inbound` when others call the unit (it exposes the interface), `outbound`
    /// when the unit calls them. By default user-to-application and
    /// application-to-application are inbound, application-to-backend outbound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// The other side, e.g. `browser`, `LDAP`, `SMTP relay`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// Protocol, e.g. `https`, `ldaps`, `smtp`.
    pub protocol: String,
    /// TCP or UDP port.
    #[cfg_attr(test, schemars(range(min = 1, max = 65535)))]
    pub port: u32,
    /// Authentication method, one of the policy's `authentication-methods` for an
    /// inbound interface; `none` or left out there rejects the delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<String>,
}

impl Interface {
    /// Whether others call the unit through this interface.
    pub fn exposed(&self) -> bool {
        match self.direction {
            Some(direction) => direction == Direction::Inbound,
            None => self.relation != Relation::ApplicationToBackend,
        }
    }
}

/// Who starts the communication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum Direction {
    /// Others call the unit: the unit exposes the interface.
    Inbound,
    /// The unit calls others.
    Outbound,
}

/// Direction of a communication relation, as the acceptance checklist names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum Relation {
    /// A person uses the application.
    UserToApplication,
    /// Another application calls this one, or this one calls another.
    ApplicationToApplication,
    /// The application uses a backend service (LDAP, AD, SMTP, database).
    ApplicationToBackend,
}

/// Market roles of the smart-metering domain whose API calls are restricted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum Role {
    /// Gateway administrator.
    #[serde(rename = "GWA")]
    Gwa,
    /// External market participant, active.
    #[serde(rename = "EMTa")]
    EmtActive,
    /// External market participant, passive.
    #[serde(rename = "EMTp")]
    EmtPassive,
}

impl Role {
    /// The name written in manifests and the policy's role matrix.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Gwa => "GWA",
            Role::EmtActive => "EMTa",
            Role::EmtPassive => "EMTp",
        }
    }
}
