//! The policy: `.release-gate.yaml` on the target branch, or the embedded default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::release::Role;
use super::{Kind, PersonId};

/// The rules the gate enforces: environments and their maintenance windows, the
/// working-day calendar, the people who approve, the acceptance checklist.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(title = "release-gate policy"))]
pub struct Policy {
    /// Format version of this file; always `release-gate/v1`.
    #[cfg_attr(test, schemars(extend("const" = "release-gate/v1")))]
    pub api: String,
    /// Always `Policy`.
    #[cfg_attr(test, schemars(with = "PolicyKind"))]
    pub kind: Kind,
    /// Last day (YYYY-MM-DD, in the calendar's time zone) the window tables are
    /// agreed for. Past it, every run says so.
    #[cfg_attr(test, schemars(pattern(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")))]
    pub valid_until: String,
    /// What happens once `valid-until` has passed: `warn` (default) or `block`.
    #[serde(default)]
    pub on_expiry: Enforcement,
    /// Time zone, state holidays and closing days that define working days.
    pub calendar: Calendar,
    /// How approvals are authenticated.
    pub approvals: Approvals,
    /// The environments in promotion order (DEV, TEST, PROD).
    #[cfg_attr(test, schemars(length(min = 1)))]
    pub environments: Vec<Environment>,
    /// Everyone the policy names: approvers, the ISB, policy admins.
    #[serde(default)]
    pub people: Vec<Person>,
    /// Person ids of the information security officers; they declare emergencies.
    #[serde(default)]
    pub isb: Vec<PersonId>,
    /// Person ids who may approve a change of this policy.
    #[serde(default)]
    pub policy_admins: Vec<PersonId>,
    /// The acceptance checklist run on every delivery.
    pub checklist: Checklist,
    /// API calls allowed per role; a unit declaring others is rejected.
    #[serde(default)]
    #[cfg_attr(test, schemars(extend("propertyNames" = {"enum": ["GWA", "EMTa", "EMTp"]})))]
    pub role_matrix: BTreeMap<Role, Vec<String>>,
    /// The yearly review of who may approve what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_review: Option<AccessReview>,
    /// Maximum provisioning time per standard change kind.
    #[serde(default)]
    pub standard_changes: BTreeMap<String, ChangeRule>,
    /// Customer notices: the language drafted in the pull-request comment, and
    /// templates replacing the built-in wording.
    #[serde(default)]
    pub notices: Notices,
    /// Paths outside `releases/` a pull request may change freely (glob patterns).
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// The one `kind` a policy has (for the schema).
#[cfg(test)]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
enum PolicyKind {
    Policy,
}

/// Whether a broken rule warns or blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum Enforcement {
    /// Say so, and go on.
    #[default]
    Warn,
    /// Say so, and block.
    Block,
}

/// What makes a day a working day.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Calendar {
    /// IANA time zone of all window times, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// German state whose public holidays are not working days (two-letter code,
    /// e.g. `SL` for Saarland).
    pub state: State,
    /// Further days (YYYY-MM-DD) that are not working days, e.g. company closing days.
    #[serde(default)]
    #[cfg_attr(test, schemars(inner(pattern(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))))]
    pub closing_days: Vec<String>,
}

/// The sixteen German states, by their official two-letter codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum State {
    /// Baden-Württemberg.
    BW,
    /// Bayern.
    BY,
    /// Berlin.
    BE,
    /// Brandenburg.
    BB,
    /// Bremen.
    HB,
    /// Hamburg.
    HH,
    /// Hessen.
    HE,
    /// Mecklenburg-Vorpommern.
    MV,
    /// Niedersachsen.
    NI,
    /// Nordrhein-Westfalen.
    NW,
    /// Rheinland-Pfalz.
    RP,
    /// Saarland.
    SL,
    /// Sachsen.
    SN,
    /// Sachsen-Anhalt.
    ST,
    /// Schleswig-Holstein.
    SH,
    /// Thüringen.
    TH,
}

/// How the gate decides that an approval is genuine.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Approvals {
    /// `ssh-signature`: the commit adding the approval is SSH-signed by the
    /// approver's key. `github-review`: the approver's APPROVED review on the pull
    /// request's head. `none`: trust branch protection (the gate warns).
    pub mode: ApprovalMode,
}

/// The ways to authenticate an approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum ApprovalMode {
    /// The commit that adds the approval is signed by the approver's SSH key.
    SshSignature,
    /// The approver's latest review on the pull request's head is APPROVED.
    GithubReview,
    /// Approvals are not authenticated; the gate warns on every run.
    None,
}

/// One environment and its branch.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Environment {
    /// Name used in stage records and file names, e.g. `test`.
    #[cfg_attr(test, schemars(pattern(r"^[a-z][a-z0-9-]*$")))]
    pub name: String,
    /// The branch whose tip is deployed to the environment.
    pub branch: String,
    /// Person ids who may approve a unit on this environment for the next one.
    #[serde(default)]
    pub approvers: Vec<PersonId>,
    /// Whether changes need a maintenance window. `false` (DEV in the handbook):
    /// any time.
    #[serde(default = "yes")]
    pub restricted: bool,
    /// The maintenance window kinds of this environment.
    #[serde(default)]
    pub windows: Vec<Window>,
}

fn yes() -> bool {
    true
}

/// A kind of maintenance window and the rules for using it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Window {
    /// Name of the kind, used in stage records, e.g. `regular`.
    #[cfg_attr(test, schemars(pattern(r"^[a-z][a-z0-9-]*$")))]
    pub name: String,
    /// One sentence on when to use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `true` for the emergency window: open at any time, declared by an ISB with a
    /// reason. `days` and `times` are then left out.
    #[serde(default)]
    pub emergency: bool,
    /// Weekdays the window opens on: `Mon` .. `Sun`.
    #[serde(default)]
    pub days: Vec<Weekday>,
    /// Local time ranges on those days, `HH:MM-HH:MM`; `24:00` ends at midnight.
    #[serde(default)]
    #[cfg_attr(test, schemars(inner(pattern(r"^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$"))))]
    pub times: Vec<String>,
    /// Whether work with downtime may use this window.
    pub downtime: bool,
    /// Preferred weekdays; shown and used for planning, never enforced.
    #[serde(default)]
    pub preferred_days: Vec<Weekday>,
    /// `true`: no occurrence on public holidays and closing days.
    #[serde(default)]
    pub skip_holidays: bool,
    /// How early customers must be told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<NoticeRule>,
    /// How often the kind may be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
}

/// Days of the week, as written in the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

/// The notice a window kind requires.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct NoticeRule {
    /// How long before the window opens the notice must be published.
    pub lead: u32,
    /// Whether `lead` counts `days` (calendar days) or `working-days`.
    pub unit: LeadUnit,
    /// `downtime`: only deployments with downtime need a notice. `always`: every
    /// deployment in this window does.
    pub when: NoticeWhen,
}

/// What a notice lead time counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum LeadUnit {
    /// Calendar days, 24 hours of local time each.
    Days,
    /// Working days of the policy's calendar.
    WorkingDays,
}

/// Which deployments need a notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum NoticeWhen {
    /// Only those with downtime.
    Downtime,
    /// All of them.
    Always,
}

/// A frequency limit: at most `count` occurrences of the kind used per period.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Limit {
    /// How many occurrences may be used per period.
    #[cfg_attr(test, schemars(range(min = 1)))]
    pub count: u32,
    /// `week` (ISO week) or `month` (calendar month).
    pub per: Period,
}

/// The period of a frequency limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum Period {
    /// An ISO week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
}

/// Someone the policy names.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Person {
    /// Short id used in manifests, e.g. `anna`.
    #[cfg_attr(test, schemars(pattern(r"^[a-z0-9][a-z0-9._-]*$")))]
    pub id: PersonId,
    /// Full name.
    pub name: String,
    /// GitHub login, for `github-review` approvals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
    /// Public SSH signing keys in git's allowed-signers form, without the principal:
    /// optional options, key type and base64 key, e.g. `ssh-ed25519 AAAA...`.
    #[serde(default)]
    pub signing_keys: Vec<String>,
}

/// The acceptance checklist: what each item's failure means.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Checklist {
    /// Working days the vendor has for rework, counted from the delivery.
    #[cfg_attr(test, schemars(range(max = 366)))]
    pub rework_days: u32,
    /// Outcome per checklist item: `reject` or `rework`.
    pub items: BTreeMap<ChecklistItem, Outcome>,
    /// Authentication methods an exposed interface may declare (lower case, e.g.
    /// `mtls`, `oauth2`, `jwt`, `saml`, `ldap`). Anything else, `none` included, is
    /// a missing authentication.
    #[serde(default = "default_authentication_methods")]
    pub authentication_methods: Vec<String>,
    /// Reviewed exceptions to the security scans. Only the policy can grant them,
    /// never the delivery itself.
    #[serde(default)]
    pub exceptions: Vec<ChecklistException>,
}

/// The methods the handbook names, and mutual TLS.
fn default_authentication_methods() -> Vec<String> {
    ["mtls", "oauth2", "oidc", "jwt", "saml", "ldap", "kerberos"].map(String::from).to_vec()
}

/// One reviewed exception to a scan rule for some files of deliveries.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ChecklistException {
    /// Glob over repository paths (`*` within a folder, `**` across folders),
    /// e.g. `releases/gwa-core/*/testdata/**`.
    pub path: String,
    /// The finding code it waives: `plaintext-secret`, `plaintext-private-key`,
    /// `prefilled-database` or `certificate-check-disabled`.
    #[cfg_attr(
        test,
        schemars(extend("enum" = ["plaintext-secret", "plaintext-private-key", "prefilled-database", "certificate-check-disabled"]))
    )]
    pub rule: String,
    /// For `prefilled-database`: the tables declared as reference data; every
    /// table when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<Vec<String>>,
    /// Why the exception is safe, and who reviewed it.
    pub reason: String,
}

/// The items of the acceptance checklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum ChecklistItem {
    /// Security-critical defects: plaintext passwords, pre-filled databases, missing
    /// authentication.
    SecurityDefects,
    /// API calls per role conform to the role matrix.
    RoleConformity,
    /// The release description names the system requirements.
    SystemRequirements,
    /// Communication relations, protocols and ports are described.
    CommunicationRelations,
    /// The installation guide names every variable for scripted installation.
    InstallationGuide,
    /// The authentication methods are described.
    AuthenticationDescription,
    /// The user documentation describes every setting.
    UserDocumentation,
}

impl ChecklistItem {
    /// Every item, in the handbook's order.
    pub const ALL: &'static [ChecklistItem] = &[
        ChecklistItem::SecurityDefects,
        ChecklistItem::RoleConformity,
        ChecklistItem::SystemRequirements,
        ChecklistItem::CommunicationRelations,
        ChecklistItem::InstallationGuide,
        ChecklistItem::AuthenticationDescription,
        ChecklistItem::UserDocumentation,
    ];

    /// The name written in the policy.
    pub fn as_str(self) -> &'static str {
        match self {
            ChecklistItem::SecurityDefects => "security-defects",
            ChecklistItem::RoleConformity => "role-conformity",
            ChecklistItem::SystemRequirements => "system-requirements",
            ChecklistItem::CommunicationRelations => "communication-relations",
            ChecklistItem::InstallationGuide => "installation-guide",
            ChecklistItem::AuthenticationDescription => "authentication-description",
            ChecklistItem::UserDocumentation => "user-documentation",
        }
    }
}

/// What a failed checklist item means for the delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum Outcome {
    /// The delivery is refused outright.
    Reject,
    /// The vendor must deliver an updated version within the rework deadline.
    Rework,
}

/// The yearly access review.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AccessReview {
    /// Date (YYYY-MM-DD) the list of people and rights was last confirmed.
    #[cfg_attr(test, schemars(pattern(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")))]
    pub last: String,
    /// Months after which the review is due again.
    #[serde(default = "twelve")]
    pub interval_months: u32,
    /// What happens when the review is overdue: `warn` or `block`.
    #[serde(default)]
    pub on_overdue: Enforcement,
}

fn twelve() -> u32 {
    12
}

/// The maximum provisioning time of one standard change kind.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ChangeRule {
    /// Working days from complete documents to completion.
    #[cfg_attr(test, schemars(range(min = 1, max = 366)))]
    pub days: u32,
    /// Working days after completion without customer feedback after which the
    /// result counts as accepted; absent where the handbook names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(range(min = 1, max = 366)))]
    pub auto_accept_after: Option<u32>,
    /// An open change is due soon when at most this many counted working days
    /// are left after the evaluation day (0: only on the due day itself).
    #[serde(default = "two")]
    #[cfg_attr(test, schemars(range(max = 366)))]
    pub due_soon: u32,
}

fn two() -> u32 {
    2
}

/// How customer notices are drafted.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Notices {
    /// The language of the notice drafted in the pull-request comment.
    #[serde(default)]
    pub language: Language,
    /// Wording that replaces the built-in one for a kind and language.
    #[serde(default)]
    pub templates: Vec<NoticeTemplate>,
}

/// The wording of one kind of notice in one language. Placeholders in braces,
/// e.g. `{version}`; `release-gate announce --help` lists them.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct NoticeTemplate {
    /// The kind of notice this wording is for.
    pub kind: NoticeKind,
    /// The language it is written in.
    pub language: Language,
    /// The notice's title.
    #[cfg_attr(test, schemars(length(min = 1)))]
    pub title: String,
    /// The notice's text; an empty line separates paragraphs.
    #[cfg_attr(test, schemars(length(min = 1)))]
    pub body: String,
    /// The body used when the deployment has no downtime; `body` if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_without_downtime: Option<String>,
}

/// The events customers are told about (handbook section 7).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum NoticeKind {
    /// A release (three-part version) is installed.
    Release,
    /// A hotfix (four-part version) is installed.
    Hotfix,
    /// An emergency fix is installed.
    EmergencyFix,
    /// An announced installation is delayed.
    Delay,
    /// An installation was aborted; the previous release stays in use.
    Abort,
    /// Planned maintenance.
    Maintenance,
    /// Something is unavailable.
    Disruption,
    /// It is available again.
    Restored,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Release => "release",
            NoticeKind::Hotfix => "hotfix",
            NoticeKind::EmergencyFix => "emergency-fix",
            NoticeKind::Delay => "delay",
            NoticeKind::Abort => "abort",
            NoticeKind::Maintenance => "maintenance",
            NoticeKind::Disruption => "disruption",
            NoticeKind::Restored => "restored",
        }
    }
}

/// The languages notices are drafted in.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum Language {
    /// German.
    #[default]
    De,
    /// English.
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
        }
    }
}
