//! The acceptance checklist run on every delivery (SPEC §2).
//!
//! Ten rules, each with its own code, grouped into the policy's checklist items;
//! the policy says whether an item's failure rejects the delivery or sends it back
//! for rework:
//!
//! | rule (code) | item |
//! |---|---|
//! | `plaintext-secret`, `plaintext-private-key` | security-defects |
//! | `prefilled-database` | security-defects |
//! | `certificate-check-disabled` | security-defects |
//! | `missing-authentication` | security-defects |
//! | `role-nonconformity` | role-conformity |
//! | `system-requirements-missing` | system-requirements |
//! | `communication-relations-incomplete` | communication-relations |
//! | `installation-guide-incomplete` | installation-guide |
//! | `authentication-undescribed` | authentication-description |
//! | `user-documentation-incomplete` | user-documentation |
//!
//! [`run`] does it all: `declared` reads what `release.yaml` declares (and the
//! documents it names); `scan` reads every file of the unit's folder for secrets
//! databases and settings that turn off TLS certificate checks, the documents
//! from what `declared` read already. A
//! file the scanner cannot read is a finding (`unscannable-file`), never a skip;
//! binary files other than SQLite databases are skipped and counted.
//! `assess` turns the findings into the unit's outcome: rejected, rework
//! required until a deadline counted in working days, closed once that passed,
//! or accepted.

pub mod database;
pub mod secrets;
pub mod tls;

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::calendar::Calendar;
use crate::diagnostic::{Code, Finding, LineIndex};
use crate::git::EntryKind;
use crate::model::policy::{ChecklistItem, Outcome};
use crate::model::release::Relation;
use crate::model::{Policy, ReleaseUnit};
use crate::schema::suggest;
use crate::time::parse_instant;
use crate::validate::{Context, Files};
use secrets::Format;

/// Text files larger than this are not scanned: they are a finding.
pub const MAX_TEXT_BYTES: u64 = 64 << 20;
/// SQLite files larger than this are not opened: they are a finding.
pub const MAX_DATABASE_BYTES: u64 = 512 << 20;
/// How much of a file decides whether it is binary (a NUL byte in it).
const SNIFF_BYTES: usize = 8 << 10;

/// The checklist item a rule belongs to.
pub fn item_of(code: Code) -> Option<ChecklistItem> {
    Some(match code {
        Code::PlaintextSecret
        | Code::PlaintextPrivateKey
        | Code::PrefilledDatabase
        | Code::CertificateCheckDisabled
        | Code::UnscannableFile
        | Code::MissingAuthentication => ChecklistItem::SecurityDefects,
        Code::RoleNonconformity => ChecklistItem::RoleConformity,
        Code::SystemRequirementsMissing => ChecklistItem::SystemRequirements,
        Code::CommunicationRelationsIncomplete => ChecklistItem::CommunicationRelations,
        Code::InstallationGuideIncomplete => ChecklistItem::InstallationGuide,
        Code::AuthenticationUndescribed => ChecklistItem::AuthenticationDescription,
        Code::UserDocumentationIncomplete => ChecklistItem::UserDocumentation,
        _ => return None,
    })
}

/// What failing an item means under the policy (the handbook's outcome if the
/// policy, which `policy check` requires to name every item, does not say).
pub fn outcome(policy: &Policy, item: ChecklistItem) -> Outcome {
    policy.checklist.items.get(&item).copied().unwrap_or(match item {
        ChecklistItem::SecurityDefects | ChecklistItem::RoleConformity => Outcome::Reject,
        _ => Outcome::Rework,
    })
}

/// A checklist finding, tagged with its outcome.
fn finding(policy: &Policy, code: Code, file: &Path, message: String) -> Finding {
    let mut finding = Finding::error(code, file, message);
    finding.outcome = item_of(code).map(|item| outcome(policy, item));
    finding
}

/// The outcome of the acceptance check for one release unit.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Assessment {
    /// The unit's `release.yaml`.
    pub file: PathBuf,
    pub unit: String,
    pub version: String,
    pub verdict: Verdict,
    /// The last moment the vendor may deliver an updated version (end of the
    /// last working day, local time), when rework is required or the case closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<FixedOffset>>,
    /// Findings that reject the delivery, and findings that ask for rework.
    pub reject: usize,
    pub rework: usize,
    /// Scan findings waived by an exception of the policy.
    pub waived: usize,
    /// Files read by the scanners, bytes read, binary files skipped.
    pub files_scanned: usize,
    pub bytes_scanned: u64,
    pub binary_skipped: usize,
}

/// What happens to the delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every item passed.
    Accepted,
    /// Rework items failed; the vendor may deliver an updated version until the deadline.
    ReworkRequired,
    /// Rework was required and the deadline has passed: the case is closed, a new
    /// delivery starts over.
    Closed,
    /// A reject item failed.
    Rejected,
}

impl Assessment {
    /// One sentence for people: the verdict, and the deadline where there is one.
    pub fn sentence(&self) -> String {
        let deadline = self.deadline.map(|d| d.format("%a %Y-%m-%d %H:%M %:z").to_string());
        let counts = |n: usize, what: &str| format!("{n} {what} finding{}", plural(n));
        match (self.verdict, deadline) {
            (Verdict::Accepted, _) => "accepted".into(),
            (Verdict::Rejected, _) => format!("rejected ({})", counts(self.reject, "reject")),
            (Verdict::ReworkRequired, Some(deadline)) => format!(
                "rework required ({}): an updated version is due by {deadline}",
                counts(self.rework, "rework")
            ),
            (Verdict::Closed, Some(deadline)) => format!(
                "closed: rework was due by {deadline} ({}); a new delivery starts over",
                counts(self.rework, "rework")
            ),
            (_, None) => format!(
                "rework required ({}); no deadline: `delivered` cannot be read",
                counts(self.rework, "rework")
            ),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What the checklist gave for one release unit.
#[derive(Debug)]
pub struct Checked {
    /// Findings about `release.yaml` by JSON pointer, to be placed by the caller.
    pub declared: Vec<Finding>,
    /// Findings of the scan over the unit's files, placed, with masked sources.
    pub scan: Scan,
    pub assessment: Assessment,
}

/// Runs the checklist on the release unit in `file`, whose `text` the caller read.
pub fn run(ctx: &Context<'_>, file: &Path, text: &str, unit: &ReleaseUnit) -> Checked {
    let (declared, documents) = declared(ctx, file, unit);
    let mut known: Vec<(&Path, &[u8])> = vec![(file, text.as_bytes())];
    known.extend(documents.iter().filter_map(|(path, document)| match document {
        Document::Text(text) => Some((path.as_path(), text.as_bytes())),
        _ => None,
    }));
    let scan = scan(ctx, file, &known);
    let assessment = assess(ctx, file, unit, declared.iter().chain(&scan.findings), &scan);
    Checked { declared, scan, assessment }
}

/// Weighs the unit's checklist findings (after exceptions) into its outcome.
fn assess<'f>(
    ctx: &Context<'_>,
    file: &Path,
    unit: &ReleaseUnit,
    findings: impl Iterator<Item = &'f Finding>,
    scan: &Scan,
) -> Assessment {
    let (mut reject, mut rework) = (0, 0);
    for finding in findings {
        match finding.outcome {
            Some(Outcome::Reject) => reject += 1,
            Some(Outcome::Rework) => rework += 1,
            None => {}
        }
    }
    // The calendar is only consulted when there is a deadline to tell.
    let deadline = (reject == 0 && rework > 0).then(|| rework_deadline(ctx, &unit.delivered));
    let (verdict, deadline) = match deadline {
        _ if reject > 0 => (Verdict::Rejected, None),
        None => (Verdict::Accepted, None),
        Some(Some(deadline)) if ctx.at > deadline => (Verdict::Closed, Some(deadline)),
        Some(deadline) => (Verdict::ReworkRequired, deadline),
    };
    Assessment {
        file: file.to_path_buf(),
        unit: unit.unit.clone(),
        version: unit.version.clone(),
        verdict,
        deadline,
        reject,
        rework,
        waived: scan.waived,
        files_scanned: scan.files,
        bytes_scanned: scan.bytes,
        binary_skipped: scan.binary,
    }
}

/// The end of the policy's `rework-days`-th working day after the delivery's day,
/// in the calendar's time zone (a delivery on a Saturday counts from Monday).
fn rework_deadline(ctx: &Context<'_>, delivered: &str) -> Option<DateTime<FixedOffset>> {
    let delivered = parse_instant(delivered).ok()?;
    let calendar = Calendar::of(&ctx.policy.calendar);
    let clock = crate::sla::Clock { calendar: &calendar, zone: ctx.zone, pauses: &[] };
    let last = clock.nth_after(clock.day_of(delivered), ctx.policy.checklist.rework_days);
    Some(clock.end_of(last))
}

// ---------------------------------------------------------------------------
// What release.yaml declares.

/// Findings about `release.yaml`, each pointing into it by JSON pointer.
struct Findings<'a> {
    policy: &'a Policy,
    file: &'a Path,
    list: Vec<Finding>,
}

impl Findings<'_> {
    fn add(&mut self, code: Code, pointer: &str, message: String, hint: &str) {
        self.list.push(finding(self.policy, code, self.file, message).at(pointer).hint(hint));
    }
}

/// The rules over what `release.yaml` declares and the documents it names:
/// authentication of exposed interfaces, role conformity, and the five
/// documentation items. Returns the findings and the documents it read (each
/// path once), which the scan then does not read again.
fn declared(
    ctx: &Context<'_>,
    file: &Path,
    unit: &ReleaseUnit,
) -> (Vec<Finding>, Vec<(PathBuf, Document)>) {
    let base = file.parent().unwrap_or(Path::new("."));
    let docs = &unit.documentation;
    let mut documents: Vec<(PathBuf, Document)> = Vec::new();
    let mut read = |reference: Option<&str>| {
        let reference = reference?;
        let path = base.join(reference);
        let known = documents.iter().position(|(p, _)| *p == path);
        Some(known.unwrap_or_else(|| {
            documents.push((path, read_document(ctx, base, reference)));
            documents.len() - 1
        }))
    };
    let guide = read(docs.installation_guide.as_deref());
    let description = read(docs.authentication.as_deref());
    let user_guide = read(docs.user_guide.as_deref());
    let get = |at: Option<usize>| at.map_or(&Document::Missing, |at| &documents[at].1);

    let mut out = Findings { policy: ctx.policy, file, list: Vec::new() };
    authentication(&mut out, unit);
    role_conformity(&mut out, unit);
    system_requirements(&mut out, unit);
    communication_relations(&mut out, unit);
    installation_guide(&mut out, unit, get(guide));
    authentication_description(&mut out, unit, get(description));
    user_documentation(&mut out, unit, get(user_guide));
    (out.list, documents)
}

/// Every exposed interface declares a method the policy allows (reject).
fn authentication(out: &mut Findings<'_>, unit: &ReleaseUnit) {
    let methods = &out.policy.checklist.authentication_methods;
    let allowed: Vec<String> = methods.iter().map(|m| m.to_lowercase()).collect();
    let allowed_list = methods.join(", ");
    for (i, interface) in unit.interfaces.iter().enumerate() {
        if !interface.exposed() {
            continue;
        }
        let name = &interface.name;
        let Some(method) = interface.authentication.as_deref().map(str::trim) else {
            out.add(
                Code::MissingAuthentication,
                &format!("/interfaces/{i}"),
                format!("interface `{name}` is exposed and declares no authentication"),
                &format!("add `authentication:` with one of: {allowed_list}"),
            );
            continue;
        };
        if allowed.contains(&method.to_lowercase()) {
            continue;
        }
        let none = method.eq_ignore_ascii_case("none") || method.is_empty();
        let message = if none {
            format!("interface `{name}` is exposed without authentication")
        } else {
            format!("interface `{name}` uses `{method}`, which the policy does not allow")
        };
        let options: Vec<&str> = allowed.iter().map(String::as_str).collect();
        let hint = match suggest(&method.to_lowercase(), &options) {
            Some(best) if !none => format!("did you mean `{best}`? allowed: {allowed_list}"),
            _ => format!("protect it with one of: {allowed_list}"),
        };
        out.add(
            Code::MissingAuthentication,
            &format!("/interfaces/{i}/authentication"),
            message,
            &hint,
        );
    }
}

/// Every API call a role makes is in the policy's role matrix (reject).
fn role_conformity(out: &mut Findings<'_>, unit: &ReleaseUnit) {
    for (role, calls) in &unit.api_calls {
        let permitted: Vec<&str> = out
            .policy
            .role_matrix
            .get(role)
            .map(|calls| calls.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let role = role.as_str();
        for (j, call) in calls.iter().enumerate() {
            if permitted.contains(&call.as_str()) {
                continue;
            }
            let hint = match suggest(call, &permitted) {
                Some(best) => {
                    format!("did you mean `{best}`? `{role}` may call: {}", permitted.join(", "))
                }
                None if permitted.is_empty() => {
                    format!("the policy's role matrix allows `{role}` no API call")
                }
                None => format!("`{role}` may call: {}", permitted.join(", ")),
            };
            out.add(
                Code::RoleNonconformity,
                &format!("/api-calls/{role}/{j}"),
                format!("role `{role}` may not call `{call}` under the policy's role matrix"),
                &hint,
            );
        }
    }
}

/// Runtime, operating system and dependencies are named (rework).
fn system_requirements(out: &mut Findings<'_>, unit: &ReleaseUnit) {
    let Some(requirements) = &unit.documentation.system_requirements else {
        out.add(
            Code::SystemRequirementsMissing,
            "/documentation",
            "the release description names no system requirements".into(),
            "add `system-requirements:` with `runtime`, `os` and `dependencies`",
        );
        return;
    };
    let lists = [
        ("runtime", Some(&requirements.runtime), "runtime versions, e.g. `Java 21`"),
        ("os", Some(&requirements.os), "operating system and kernel, e.g. `Debian 12, kernel 6.1`"),
        (
            "dependencies",
            requirements.dependencies.as_ref(),
            "dependencies, or `[]` if there are none",
        ),
    ];
    for (field, list, what) in lists {
        let pointer = format!("/documentation/system-requirements/{field}");
        let Some(list) = list else {
            out.add(
                Code::SystemRequirementsMissing,
                "/documentation/system-requirements",
                format!("the system requirements do not list `{field}`"),
                &format!("add `{field}:` with the {what}"),
            );
            continue;
        };
        // `dependencies: []` says there are none; no runtime or OS is no answer.
        if list.is_empty() && field != "dependencies" {
            out.add(
                Code::SystemRequirementsMissing,
                &pointer,
                format!("the system requirements name no `{field}`"),
                &format!("list the {what}"),
            );
        }
        for (k, entry) in list.iter().enumerate() {
            if entry.trim().is_empty() {
                out.add(
                    Code::SystemRequirementsMissing,
                    &format!("{pointer}/{k}"),
                    format!("an entry of `{field}` is empty"),
                    &format!("name the {what}"),
                );
            }
        }
    }
}

/// Interfaces are declared, each with protocol and, past the user, its peer (rework).
fn communication_relations(out: &mut Findings<'_>, unit: &ReleaseUnit) {
    if unit.interfaces.is_empty() {
        out.add(
            Code::CommunicationRelationsIncomplete,
            "",
            "the unit declares no communication relations".into(),
            "add `interfaces:` with protocol and port for every user, application and backend relation",
        );
    }
    for (i, interface) in unit.interfaces.iter().enumerate() {
        if interface.protocol.trim().is_empty() {
            out.add(
                Code::CommunicationRelationsIncomplete,
                &format!("/interfaces/{i}/protocol"),
                format!("interface `{}` names no protocol", interface.name),
                "name the protocol, e.g. `https`, `ldaps`, `smtp`",
            );
        }
        let needs_peer = interface.relation != Relation::UserToApplication;
        if needs_peer && interface.peer.as_deref().is_none_or(|p| p.trim().is_empty()) {
            out.add(
                Code::CommunicationRelationsIncomplete,
                &format!("/interfaces/{i}"),
                format!("interface `{}` does not name the other side", interface.name),
                "add `peer:`, e.g. `LDAP`, `Active Directory`, `SMTP relay`, `metering backend`",
            );
        }
    }
}

/// The guide is there, and every variable it uses is listed and described (rework).
fn installation_guide(out: &mut Findings<'_>, unit: &ReleaseUnit, guide: &Document) {
    let code = Code::InstallationGuideIncomplete;
    guide.require(out, code, "/documentation/installation-guide", "installation guide");
    let Some(variables) = &unit.documentation.installation_variables else {
        out.add(
            code,
            "/documentation",
            "the installation variables are not listed".into(),
            "add `installation-variables:` naming and describing every variable a scripted installation needs (`[]` if none)",
        );
        return;
    };
    described(out, code, "/documentation/installation-variables", variables, "variable");
    let Document::Text(text) = guide else { return };
    let listed: BTreeSet<&str> = variables.iter().map(|v| v.name.as_str()).collect();
    for (name, line) in guide_variables(text) {
        if !listed.contains(name.as_str()) {
            out.add(
                code,
                "/documentation/installation-variables",
                format!(
                    "the installation guide uses `{name}` (line {line}), which `installation-variables` does not name"
                ),
                &format!("add `{name}` with a description to `installation-variables`"),
            );
        }
    }
}

/// The description is there and mentions every method an interface uses (rework).
fn authentication_description(out: &mut Findings<'_>, unit: &ReleaseUnit, description: &Document) {
    let code = Code::AuthenticationUndescribed;
    description.require(out, code, "/documentation/authentication", "authentication description");
    let Document::Text(text) = description else { return };
    let lower = text.to_lowercase();
    let mut seen = BTreeSet::new();
    for interface in &unit.interfaces {
        let Some(method) = interface.authentication.as_deref() else { continue };
        let method = method.trim().to_lowercase();
        if method.is_empty() || method == "none" || !seen.insert(method.clone()) {
            continue;
        }
        if !method_names(&method).iter().any(|name| lower.contains(name)) {
            out.add(
                code,
                "/documentation/authentication",
                format!(
                    "the authentication description does not mention `{method}`, which interface `{}` uses",
                    interface.name
                ),
                &format!("describe how `{method}` is used: issuer, tokens or certificates, lifetimes"),
            );
        }
    }
}

/// The user guide is there and every setting is listed and described (rework).
fn user_documentation(out: &mut Findings<'_>, unit: &ReleaseUnit, user_guide: &Document) {
    let code = Code::UserDocumentationIncomplete;
    user_guide.require(out, code, "/documentation/user-guide", "user documentation");
    match &unit.documentation.settings {
        None => out.add(
            code,
            "/documentation",
            "the user-configurable settings are not listed".into(),
            "add `settings:` naming and describing every setting a user can configure (`[]` if none)",
        ),
        Some(settings) => described(out, code, "/documentation/settings", settings, "setting"),
    }
}

/// Every entry names something and says what it is.
fn described(
    out: &mut Findings<'_>,
    code: Code,
    pointer: &str,
    entries: &[crate::model::release::Setting],
    what: &str,
) {
    for (i, entry) in entries.iter().enumerate() {
        let description = entry.description.trim();
        if description.is_empty() || description == entry.name {
            out.add(
                code,
                &format!("{pointer}/{i}/description"),
                format!("{what} `{}` is not described", entry.name),
                "say what it does and which values it takes",
            );
        }
    }
}

/// Names under which a method may be described.
fn method_names(method: &str) -> Vec<String> {
    let aliases: &[&str] = match method {
        "mtls" => &["mtls", "mutual tls", "client certificate", "mutual authentication"],
        "oauth2" | "oauth" => &["oauth"],
        "oidc" => &["oidc", "openid"],
        "jwt" => &["jwt", "json web token"],
        "ldap" | "ldaps" => &["ldap"],
        _ => &[],
    };
    let mut names: Vec<String> = aliases.iter().map(|a| a.to_string()).collect();
    names.push(method.to_string());
    names
}

/// Variables a guide uses: `${NAME}`, `$NAME` and `export NAME=` with an
/// upper-case name, with the line of their first use.
fn guide_variables(text: &str) -> Vec<(String, usize)> {
    static VARIABLE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        #[allow(clippy::expect_used)]
        regex::Regex::new(
            r"\$\{([A-Z][A-Z0-9_]+)(?:[:?=+-][^}]*)?\}|\$([A-Z][A-Z0-9_]+)\b|(?m:^[ \t]*export[ \t]+([A-Z][A-Z0-9_]+)=)",
        )
            .expect("constant pattern")
    });
    // Variables every shell has; a guide uses them without declaring them.
    const ENVIRONMENT: &[&str] = &["HOME", "PATH", "USER", "PWD", "SHELL", "HOSTNAME", "TMPDIR"];
    let index = LineIndex::new(text);
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for capture in VARIABLE.captures_iter(text) {
        let Some(name) = capture.get(1).or_else(|| capture.get(2)).or_else(|| capture.get(3))
        else {
            continue;
        };
        if ENVIRONMENT.contains(&name.as_str()) || !seen.insert(name.as_str()) {
            continue;
        }
        found.push((name.as_str().to_string(), index.line_col(name.start()).0));
    }
    found
}

/// A document a release unit names.
enum Document {
    /// Not named.
    Missing,
    /// Named, but not readable (the path check says why).
    Unreadable,
    /// Named, and only whitespace.
    Empty,
    /// A binary document (PDF, office file): present, its content is not read.
    Binary,
    Text(String),
}

impl Document {
    /// A finding unless the document is there with content.
    fn require(&self, out: &mut Findings<'_>, code: Code, pointer: &str, what: &str) {
        let field = pointer.rsplit('/').next().unwrap_or("");
        match self {
            Document::Missing => out.add(
                code,
                "/documentation",
                format!("the delivery names no {what}"),
                &format!("add `{field}:` with the path of the {what}"),
            ),
            Document::Unreadable => out.add(
                code,
                pointer,
                format!("the {what} cannot be read"),
                "commit the document inside the unit's folder",
            ),
            Document::Empty => {
                out.add(
                    code,
                    pointer,
                    format!("the {what} is empty"),
                    &format!("write the {what}"),
                );
            }
            Document::Binary | Document::Text(_) => {}
        }
    }
}

/// Reads a document `release.yaml` names; the path check of [`crate::validate`]
/// reports references that escape the repository, here they are only not read.
fn read_document(ctx: &Context<'_>, base: &Path, reference: &str) -> Document {
    let relative = Path::new(reference);
    if relative.is_absolute()
        || relative.components().any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Document::Unreadable;
    }
    let bytes = match &ctx.files {
        // A link is refused here as the path check refuses it: not followed.
        Files::Disk(_) => {
            let path = base.join(relative);
            let link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
            if link { None } else { fs::read(path).ok() }
        }
        Files::Commit(repo, commit) => {
            let path = base.join(relative);
            match repo.entry_kind(*commit, &path) {
                Some(EntryKind::File) => repo.read(*commit, &path).ok().flatten(),
                _ => None,
            }
        }
    };
    let Some(bytes) = bytes else { return Document::Unreadable };
    if bytes.iter().take(SNIFF_BYTES).any(|b| *b == 0) {
        return Document::Binary;
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if text.trim().is_empty() { Document::Empty } else { Document::Text(text) }
}

// ---------------------------------------------------------------------------
// Scanning the unit's files.

/// What the scanners found in a unit's folder.
#[derive(Debug, Default)]
pub struct Scan {
    pub findings: Vec<Finding>,
    /// Masked text of every file with a finding, for snippets.
    pub sources: Vec<(PathBuf, String)>,
    pub files: usize,
    pub bytes: u64,
    pub binary: usize,
    pub waived: usize,
}

/// One file to scan: where it is reported, where exceptions match it, and how
/// to get its bytes.
struct Entry<'k> {
    shown: PathBuf,
    repository_path: String,
    source: Source<'k>,
}

enum Source<'k> {
    /// Read from disk when scanned.
    Disk(PathBuf),
    /// A blob read from the commit.
    Owned(Vec<u8>),
    /// Bytes the caller read already.
    Known(&'k [u8]),
    Link,
    Failed(String),
}

/// Scans every file of the unit's folder (the folder of `file`). Files in
/// `known` (`release.yaml`, the documents the rules read) are scanned from those
/// bytes, not read again.
fn scan(ctx: &Context<'_>, file: &Path, known: &[(&Path, &[u8])]) -> Scan {
    let folder = file.parent().unwrap_or(Path::new("."));
    let entries = match list(ctx, folder, known) {
        Ok(entries) => entries,
        Err(message) => {
            let mut scan = Scan::default();
            scan.findings.push(
                finding(ctx.policy, Code::UnscannableFile, folder, message)
                    .hint("make the folder readable; an unscanned delivery is not accepted"),
            );
            return scan;
        }
    };

    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(entries.len()));
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(entry) = entries.get(i) else { break };
            let result = scan_entry(ctx.policy, entry);
            if let Ok(mut results) = results.lock() {
                results.push(result);
            }
        }
    };
    let total: u64 = entries
        .iter()
        .map(|e| match &e.source {
            Source::Owned(b) => b.len() as u64,
            Source::Known(b) => b.len() as u64,
            Source::Disk(_) => 4096,
            _ => 0,
        })
        .sum();
    let large = entries.len() > 16 || total > (4 << 20);
    let workers =
        if large { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { 1 };
    if workers > 1 {
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(work);
            }
        });
    } else {
        work();
    }

    let mut scan = Scan::default();
    // A poisoned lock still holds every result pushed before the panic, and
    // the scope has re-raised that panic already: nothing is silently dropped.
    let results = results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    for result in results {
        scan.files += usize::from(result.read);
        scan.bytes += result.bytes;
        scan.binary += usize::from(result.binary);
        let kept: Vec<Finding> = result
            .findings
            .into_iter()
            .filter_map(|(finding, table)| {
                let waived =
                    waived(ctx.policy, &finding, table.as_deref(), &result.repository_path);
                scan.waived += usize::from(waived);
                (!waived).then_some(finding)
            })
            .collect();
        if !kept.is_empty()
            && let Some(source) = result.masked
        {
            scan.sources.push((result.shown.clone(), source));
        }
        scan.findings.extend(kept);
    }
    scan
}

/// Whether a policy exception covers the finding; `table` is the table a
/// `prefilled-database` finding is about.
fn waived(policy: &Policy, finding: &Finding, table: Option<&str>, path: &str) -> bool {
    policy.checklist.exceptions.iter().any(|exception| {
        exception.rule == finding.code.as_str()
            && crate::gate::glob(&exception.path, path)
            && match (&exception.tables, table) {
                (Some(tables), Some(table)) => tables.iter().any(|t| t == table),
                (Some(_), None) => false,
                (None, _) => true,
            }
    })
}

fn list<'k>(
    ctx: &Context<'_>,
    folder: &Path,
    known: &[(&Path, &'k [u8])],
) -> Result<Vec<Entry<'k>>, String> {
    let known_bytes = |path: &Path| known.iter().find(|(p, _)| *p == path).map(|(_, b)| *b);
    match &ctx.files {
        Files::Disk(root) => {
            // Repository paths only matter to exceptions; resolving them costs a
            // system call per path component, so only a policy with exceptions pays.
            let relative = if ctx.policy.checklist.exceptions.is_empty() {
                folder.to_path_buf()
            } else {
                let canonical = folder
                    .canonicalize()
                    .map_err(|err| format!("cannot read the unit's folder: {err}"))?;
                canonical.strip_prefix(root).unwrap_or(&canonical).to_path_buf()
            };
            let mut entries = Vec::new();
            walk(folder, &relative, &mut entries)
                .map_err(|err| format!("cannot list the unit's folder: {err}"))?;
            for entry in &mut entries {
                if let Some(bytes) = known_bytes(&entry.shown) {
                    entry.source = Source::Known(bytes);
                }
            }
            Ok(entries)
        }
        Files::Commit(repo, commit) => {
            let mut entries = Vec::new();
            for (path, blob, kind) in repo.entries_under(*commit, folder)? {
                let source = match (kind, known_bytes(&path)) {
                    (EntryKind::Link, _) => Source::Link,
                    (_, Some(bytes)) => Source::Known(bytes),
                    _ => match repo.blob(blob) {
                        Ok(bytes) => Source::Owned(bytes),
                        Err(err) => Source::Failed(err),
                    },
                };
                entries.push(Entry { repository_path: slash(&path), shown: path, source });
            }
            Ok(entries)
        }
    }
}

fn walk(dir: &Path, relative: &Path, entries: &mut Vec<Entry<'_>>) -> std::io::Result<()> {
    let mut children: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    children.sort_by_key(|c| c.file_name());
    for child in children {
        let shown = dir.join(child.file_name());
        let repository_path = slash(&relative.join(child.file_name()));
        let kind = child.file_type()?;
        if kind.is_dir() {
            walk(&shown, &relative.join(child.file_name()), entries)?;
            continue;
        }
        let source = if kind.is_symlink() { Source::Link } else { Source::Disk(shown.clone()) };
        entries.push(Entry { shown, repository_path, source });
    }
    Ok(())
}

fn slash(path: &Path) -> String {
    path.components().filter_map(|c| c.as_os_str().to_str()).collect::<Vec<_>>().join("/")
}

/// What scanning one file gave.
struct FileResult {
    shown: PathBuf,
    repository_path: String,
    /// Each finding with the table it is about (for exceptions by table).
    findings: Vec<(Finding, Option<String>)>,
    masked: Option<String>,
    read: bool,
    bytes: u64,
    binary: bool,
}

fn scan_entry(policy: &Policy, entry: &Entry<'_>) -> FileResult {
    let mut result = FileResult {
        shown: entry.shown.clone(),
        repository_path: entry.repository_path.clone(),
        findings: Vec::new(),
        masked: None,
        read: false,
        bytes: 0,
        binary: false,
    };
    let unscannable = |message: String, hint: &str| {
        vec![(finding(policy, Code::UnscannableFile, &entry.shown, message).hint(hint), None)]
    };
    let bytes = match &entry.source {
        Source::Link => {
            result.findings = unscannable(
                "the delivery holds a symbolic link; its target cannot be vouched for".into(),
                "replace the link by the file itself",
            );
            return result;
        }
        Source::Failed(err) => {
            result.findings =
                unscannable(format!("cannot be read: {err}"), "an unscanned file is not accepted");
            return result;
        }
        Source::Owned(bytes) => std::borrow::Cow::Borrowed(bytes.as_slice()),
        Source::Known(bytes) => std::borrow::Cow::Borrowed(*bytes),
        Source::Disk(path) => match read_bounded(path) {
            Ok(Some(bytes)) => std::borrow::Cow::Owned(bytes),
            Ok(None) => {
                result.binary = true;
                return result;
            }
            Err(message) => {
                result.findings = unscannable(
                    message,
                    "make the file readable and scannable, or leave it out of the delivery",
                );
                return result;
            }
        },
    };
    result.read = true;
    result.bytes = bytes.len() as u64;

    if bytes.starts_with(database::SQLITE_MAGIC) {
        result.findings = sqlite(policy, &entry.shown, &bytes);
        return result;
    }
    if bytes.iter().take(SNIFF_BYTES).any(|b| *b == 0) {
        result.binary = true;
        return result;
    }
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        result.findings = unscannable(
            format!(
                "the text file has {} bytes, more than the scan limit of {MAX_TEXT_BYTES}",
                bytes.len()
            ),
            "split the file, or compress it: an unscanned file is not accepted",
        );
        return result;
    }
    let text = String::from_utf8_lossy(&bytes);
    let index = LineIndex::new(&text);
    let format = Format::of(&entry.shown, &text);
    let hits = secrets::scan(&text, format);
    for hit in &hits {
        let (code, hint) = match hit.kind {
            secrets::Kind::PrivateKey => (
                Code::PlaintextPrivateKey,
                "remove the key from the delivery and replace it: everyone who can read the repository has it now",
            ),
            secrets::Kind::Secret => (
                Code::PlaintextSecret,
                "remove it, change it (it is exposed now), and reference the secret store instead, e.g. `${DB_PASSWORD}`",
            ),
        };
        let found = finding(policy, code, &entry.shown, hit.what.clone())
            .located(index.location(hit.anchor.clone()))
            .hint(hint);
        result.findings.push((found, None));
    }
    for hit in tls::scan(&text, format) {
        let found = finding(policy, Code::CertificateCheckDisabled, &entry.shown, hit.what)
            .located(index.location(hit.at))
            .hint("keep certificate checks on; to trust a private CA, configure its certificate as a trust anchor");
        result.findings.push((found, None));
    }
    if entry.shown.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql")) {
        for insert in database::sql_inserts(&text) {
            let statements = insert.statements;
            let found = finding(
                policy,
                Code::PrefilledDatabase,
                &entry.shown,
                format!(
                    "`{}` is filled with data by {statements} statement{}",
                    insert.table,
                    plural(statements)
                ),
            )
            .located(index.location(insert.first))
            .hint("ship the schema only; if this is reference data, the policy can declare it (checklist exceptions)");
            result.findings.push((found, Some(insert.table)));
        }
    }
    if !result.findings.is_empty() {
        let ranges: Vec<_> = hits.iter().map(|h| h.secret.clone()).collect();
        result.masked = Some(secrets::mask(&text, &ranges));
    }
    result
}

fn sqlite(policy: &Policy, path: &Path, bytes: &[u8]) -> Vec<(Finding, Option<String>)> {
    if bytes.len() as u64 > MAX_DATABASE_BYTES {
        return vec![(
            finding(
                policy,
                Code::UnscannableFile,
                path,
                format!(
                    "the SQLite database has {} bytes, more than the limit of {MAX_DATABASE_BYTES}",
                    bytes.len()
                ),
            )
            .hint("ship the schema only"),
            None,
        )];
    }
    match database::sqlite_rows(bytes) {
        Ok(tables) => tables
            .into_iter()
            .map(|(table, rows)| {
                let found = finding(
                    policy,
                    Code::PrefilledDatabase,
                    path,
                    format!("`{table}` of the SQLite database holds {rows} row{}", plural(rows as usize)),
                )
                .hint("ship an empty database; if this is reference data, the policy can declare it (checklist exceptions)");
                (found, Some(table))
            })
            .collect(),
        Err(message) => vec![(
            finding(policy, Code::UnscannableFile, path, message)
                .hint("ship a valid SQLite database, or none"),
            None,
        )],
    }
}

/// Reads a file for scanning: `None` for a binary file that is not a SQLite
/// database (its first bytes hold a NUL), the bytes otherwise.
fn read_bounded(path: &Path) -> Result<Option<Vec<u8>>, String> {
    let mut file = fs::File::open(path).map_err(|err| format!("cannot be read: {err}"))?;
    let length = file.metadata().map_err(|err| format!("cannot be read: {err}"))?.len();
    let mut head = vec![0; SNIFF_BYTES.min(length as usize)];
    file.read_exact(&mut head).map_err(|err| format!("cannot be read: {err}"))?;
    let database = head.starts_with(database::SQLITE_MAGIC);
    if !database && head.contains(&0) {
        return Ok(None);
    }
    let limit = if database { MAX_DATABASE_BYTES } else { MAX_TEXT_BYTES };
    if length > limit {
        return Err(format!("the file has {length} bytes, more than the scan limit of {limit}"));
    }
    let mut bytes = head;
    file.read_to_end(&mut bytes).map_err(|err| format!("cannot be read: {err}"))?;
    Ok(Some(bytes))
}
