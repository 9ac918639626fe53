//! Semantic checks: what a schema cannot say on its own.
//!
//! Each check reads one typed document and the policy, and collects every problem
//! it finds (never only the first), each pointing at a node by JSON pointer.
//! Positions are resolved later, and only for files that have findings.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;

use crate::diagnostic::{Code, Finding};
use crate::model::policy::{Environment, Window};
use crate::model::{Kind, Policy, ReleaseUnit, StageRecord, StandardChange};
use crate::schema::suggest;
use crate::time::{TimeError, offset_hint, parse_date, parse_duration, parse_instant};

/// What the checks need besides the document: the policy, and where referenced
/// files are looked up.
#[derive(Debug)]
pub struct Context<'p> {
    pub policy: &'p Policy,
    pub zone: Tz,
    pub files: Files<'p>,
    /// The evaluation instant (when a rework deadline counts as passed).
    pub at: DateTime<FixedOffset>,
    /// Whether release units go through the acceptance checklist.
    pub checklist: bool,
}

/// Where the files a manifest references live.
#[derive(Debug)]
pub enum Files<'r> {
    /// On disk, below this canonical repository root (`lint`).
    Disk(PathBuf),
    /// In a commit's tree (`check`): what is committed, not what lies on disk.
    Commit(&'r crate::git::Repo, git2::Oid),
}

/// Where a file sits in the repository layout, read from its path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `.release-gate.yaml`
    Policy,
    /// `releases/<unit>/<version>/release.yaml`
    Release { unit: String, version: String },
    /// `releases/<unit>/<version>/<environment>.yaml`
    Record { unit: String, version: String, environment: String },
    /// `changes/<id>.yaml`
    Change { id: String },
}

impl Layout {
    /// Reads the layout from the last components of a path.
    pub fn of(path: &Path) -> Option<Layout> {
        let names: Vec<&str> = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(name) => name.to_str(),
                _ => None,
            })
            .collect();
        let file = *names.last()?;
        if file == ".release-gate.yaml" {
            return Some(Layout::Policy);
        }
        let stem = file.strip_suffix(".yaml").or_else(|| file.strip_suffix(".yml"))?;
        match names.as_slice() {
            [.., "releases", unit, version, _] => {
                let (unit, version) = (unit.to_string(), version.to_string());
                Some(if stem == "release" {
                    Layout::Release { unit, version }
                } else {
                    Layout::Record { unit, version, environment: stem.to_string() }
                })
            }
            [.., "changes", _] => Some(Layout::Change { id: stem.to_string() }),
            _ => None,
        }
    }

    /// The kinds a file at this place may have.
    pub fn allows(&self, kind: Kind) -> bool {
        match self {
            Layout::Policy => kind == Kind::Policy,
            Layout::Release { .. } => kind.is_release_unit(),
            Layout::Record { .. } => kind == Kind::StageRecord,
            Layout::Change { .. } => kind == Kind::StandardChange,
        }
    }

    /// The kind assumed when the `kind` field is missing.
    pub fn default_kind(&self) -> Kind {
        match self {
            Layout::Policy => Kind::Policy,
            Layout::Release { .. } => Kind::Release,
            Layout::Record { .. } => Kind::StageRecord,
            Layout::Change { .. } => Kind::StandardChange,
        }
    }

    /// How the layout names files of this place, for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Layout::Policy => "a policy (.release-gate.yaml)",
            Layout::Release { .. } => "a release unit (releases/<unit>/<version>/release.yaml)",
            Layout::Record { .. } => "a stage record (releases/<unit>/<version>/<env>.yaml)",
            Layout::Change { .. } => "a standard change (changes/<id>.yaml)",
        }
    }
}

/// Collects findings for one file.
struct Checker<'a> {
    file: &'a Path,
    zone: Tz,
    findings: Vec<Finding>,
    base_inside: Option<bool>,
}

impl<'a> Checker<'a> {
    fn new(file: &'a Path, zone: Tz) -> Checker<'a> {
        Checker { file, zone, findings: Vec::new(), base_inside: None }
    }

    fn error(&mut self, code: Code, pointer: &str, message: String, hint: Option<String>) {
        let mut finding = Finding::error(code, self.file, message).at(pointer);
        finding.hint = hint;
        self.findings.push(finding);
    }

    /// A point in time with offset; `None` (after a finding) when it cannot be read.
    fn instant(&mut self, pointer: &str, text: &str) -> Option<DateTime<FixedOffset>> {
        match parse_instant(text) {
            Ok(instant) => Some(instant),
            Err(TimeError::NoOffset(local)) => {
                let hint = offset_hint(local, self.zone);
                self.error(
                    Code::TimeWithoutOffset,
                    pointer,
                    format!("`{text}` has no UTC offset"),
                    Some(hint),
                );
                None
            }
            Err(TimeError::Invalid) => {
                self.error(
                    Code::InvalidTime,
                    pointer,
                    format!("`{text}` is not a point in time"),
                    Some(
                        "write it as RFC 3339 with offset, e.g. `2026-12-03T07:00:00+01:00`".into(),
                    ),
                );
                None
            }
        }
    }

    fn date(&mut self, pointer: &str, text: &str) -> Option<NaiveDate> {
        let date = parse_date(text);
        if date.is_none() {
            self.error(
                Code::InvalidTime,
                pointer,
                format!("`{text}` is not a date"),
                Some("write it as YYYY-MM-DD, e.g. `2026-12-31`".into()),
            );
        }
        date
    }

    fn duration(&mut self, pointer: &str, text: &str) {
        if parse_duration(text).is_none() {
            self.error(
                Code::InvalidDuration,
                pointer,
                format!("`{text}` is not a duration"),
                Some("write hours and minutes, e.g. `30m`, `2h` or `1h30m`".into()),
            );
        }
    }

    fn person(&mut self, policy: &Policy, pointer: &str, id: &str) {
        if policy.people.iter().any(|p| p.id == id) {
            return;
        }
        let ids: Vec<&str> = policy.people.iter().map(|p| p.id.as_str()).collect();
        let hint = match suggest(id, &ids) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "add the person under `people` in the policy, or name one listed there".into(),
        };
        self.error(
            Code::UnknownPerson,
            pointer,
            format!("`{id}` is not a person of the policy"),
            Some(hint),
        );
    }

    fn order(
        &mut self,
        pointer: &str,
        earlier: Option<DateTime<FixedOffset>>,
        later: Option<DateTime<FixedOffset>>,
        what: &str,
    ) {
        if let (Some(earlier), Some(later)) = (earlier, later)
            && later < earlier
        {
            self.error(
                Code::TimeOrder,
                pointer,
                format!("{what} ({later}) lies before {earlier}"),
                None,
            );
        }
    }

    fn unique<'n>(&mut self, pointer: &str, names: impl Iterator<Item = &'n str>, what: &str) {
        let mut seen = HashSet::new();
        for (index, name) in names.enumerate() {
            if !seen.insert(name) {
                self.error(
                    Code::DuplicateName,
                    &format!("{pointer}/{index}"),
                    format!("{what} `{name}` appears twice"),
                    Some("give each entry its own name".into()),
                );
            }
        }
    }

    /// A path referenced by a manifest: relative, without `..`, existing, and
    /// (after following symlinks) inside the repository. In a commit, symbolic
    /// links are refused outright: their target is not the repository's to vouch for.
    fn reference(&mut self, files: &Files<'_>, base: &Path, pointer: &str, reference: &str) {
        let relative = Path::new(reference);
        let escapes = relative.is_absolute()
            || relative
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if escapes {
            self.error(
                Code::PathEscapesRepository,
                pointer,
                format!("`{reference}` may point outside the repository"),
                Some("use a path relative to the manifest's folder, without `..`".into()),
            );
            return;
        }
        let target = base.join(relative);
        let root = match files {
            Files::Disk(root) => root,
            Files::Commit(repo, commit) => {
                match repo.entry_kind(*commit, &target) {
                    Some(crate::git::EntryKind::File) => {}
                    Some(crate::git::EntryKind::Link) => self.error(
                        Code::PathEscapesRepository,
                        pointer,
                        format!("`{reference}` is a symbolic link"),
                        Some("commit the file itself, not a link to it".into()),
                    ),
                    _ => self.error(
                        Code::PathNotFound,
                        pointer,
                        format!(
                            "`{reference}` is not in the commit (looked for {})",
                            target.display()
                        ),
                        Some("commit the file, or correct the path".into()),
                    ),
                }
                return;
            }
        };
        // Without a symbolic link on the way (the usual case, two `lstat` calls),
        // the file is where the path says: inside the repository, as the manifest
        // is. Only a link needs the full resolution.
        let mut walked = base.to_path_buf();
        let mut plain = true;
        for component in relative.components() {
            walked.push(component);
            match std::fs::symlink_metadata(&walked) {
                Ok(meta) if !meta.file_type().is_symlink() => {}
                _ => {
                    plain = false;
                    break;
                }
            }
        }
        if plain && self.inside(root, base) {
            return;
        }
        let Ok(real) = target.canonicalize() else {
            self.error(
                Code::PathNotFound,
                pointer,
                format!("`{reference}` does not exist (looked for {})", target.display()),
                Some("commit the file, or correct the path".into()),
            );
            return;
        };
        if !real.starts_with(root) {
            self.error(
                Code::PathEscapesRepository,
                pointer,
                format!("`{reference}` leads outside the repository through a symbolic link"),
                Some("replace the link by the file itself".into()),
            );
        }
    }

    /// Whether the manifest's folder lies inside the repository (resolved once
    /// per manifest: a folder reached through a link may lie elsewhere).
    fn inside(&mut self, root: &Path, base: &Path) -> bool {
        *self
            .base_inside
            .get_or_insert_with(|| base.canonicalize().is_ok_and(|real| real.starts_with(root)))
    }

    fn layout_field(&mut self, pointer: &str, field: &str, written: &str, expected: &str) {
        if written != expected {
            self.error(
                Code::LayoutMismatch,
                pointer,
                format!("{field} `{written}` differs from the path, which says `{expected}`"),
                Some(format!("write `{expected}`, or move the file")),
            );
        }
    }
}

/// Checks a release unit.
pub fn release(ctx: &Context<'_>, file: &Path, unit: &ReleaseUnit) -> Vec<Finding> {
    let mut check = Checker::new(file, ctx.zone);

    let parts = unit.version.split('.').count();
    let (wanted, shape) = match unit.kind {
        Kind::Release => (3, "x.y.z"),
        _ => (4, "w.x.y.z"),
    };
    if parts != wanted {
        check.error(
            Code::VersionShape,
            "/version",
            format!(
                "a {} has a {wanted}-part version ({shape}), not `{}`",
                unit.kind.as_str(),
                unit.version
            ),
            Some(match unit.kind {
                Kind::Release => "use three parts, or make it `kind: Hotfix`".into(),
                _ => "use four parts, or make it `kind: Release`".into(),
            }),
        );
    }

    match (unit.scope, &unit.base) {
        (crate::model::release::Scope::Delta, None) => check.error(
            Code::DeltaBase,
            "/scope",
            "a delta unit must name its base version".into(),
            Some("add `base:` with the version this delta builds on".into()),
        ),
        (crate::model::release::Scope::Full, Some(_)) => check.error(
            Code::DeltaBase,
            "/base",
            "a full unit has no base version".into(),
            Some("remove `base:`, or make it `scope: delta`".into()),
        ),
        (_, Some(base)) if base == &unit.version => check.error(
            Code::DeltaBase,
            "/base",
            "a delta unit cannot build on its own version".into(),
            None,
        ),
        _ => {}
    }

    check.instant("/delivered", &unit.delivered);
    check.person(ctx.policy, "/author", &unit.author);
    check.unique("/components", unit.components.iter().map(|c| c.name.as_str()), "component");
    check.unique("/interfaces", unit.interfaces.iter().map(|i| i.name.as_str()), "interface");

    let base = file.parent().unwrap_or(Path::new("."));
    let docs = &unit.documentation;
    let references = [
        ("/documentation/release-notes", &docs.release_notes),
        ("/documentation/installation-guide", &docs.installation_guide),
        ("/documentation/authentication", &docs.authentication),
        ("/documentation/user-guide", &docs.user_guide),
    ];
    for (pointer, reference) in references {
        if let Some(reference) = reference {
            check.reference(&ctx.files, base, pointer, reference);
        }
    }

    if let Some(Layout::Release { unit: folder, version }) = Layout::of(file) {
        check.layout_field("/unit", "unit", &unit.unit, &folder);
        check.layout_field("/version", "version", &unit.version, &version);
    }

    check.findings
}

/// Checks a stage record.
pub fn record(ctx: &Context<'_>, file: &Path, record: &StageRecord) -> Vec<Finding> {
    let mut check = Checker::new(file, ctx.zone);
    let policy = ctx.policy;

    let position = policy.environments.iter().position(|e| e.name == record.environment);
    let environment = position.map(|i| &policy.environments[i]);
    if environment.is_none() {
        let names: Vec<&str> = policy.environments.iter().map(|e| e.name.as_str()).collect();
        check.error(
            Code::UnknownEnvironment,
            "/environment",
            format!("`{}` is not an environment of the policy", record.environment),
            Some(match suggest(&record.environment, &names) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("environments: {}", names.join(", ")),
            }),
        );
    }

    // The deployment plan.
    let plan = &record.deployment;
    let start = check.instant("/deployment/start", &plan.start);
    let end = check.instant("/deployment/end", &plan.end);
    if let (Some(start), Some(end)) = (start, end)
        && end <= start
    {
        check.error(
            Code::TimeOrder,
            "/deployment/end",
            format!("the deployment ends ({end}) before it starts ({start})"),
            Some("the end must come after the start".into()),
        );
    }
    if let Some(downtime) = &plan.downtime {
        check.duration("/deployment/downtime", downtime);
    }
    if let Some(notice) = &plan.notice {
        check.instant("/deployment/notice/published", &notice.published);
        if let Some(downtime) = &notice.downtime {
            check.duration("/deployment/notice/downtime", downtime);
        }
    }
    if let Some(emergency) = &plan.emergency {
        check.person(policy, "/deployment/emergency/declared-by", &emergency.declared_by);
        check.instant("/deployment/emergency/declared-at", &emergency.declared_at);
    }
    if let Some(environment) = environment {
        window_reference(&mut check, environment, plan.window.as_deref());
    }

    // QA and approval.
    if let Some(qa) = &record.qa {
        check.person(policy, "/qa/by", &qa.by);
        let at = check.instant("/qa/at", &qa.at);
        check.order("/qa/at", start, at, "QA");
        if let Some(decision) = &qa.decision {
            check.person(policy, "/qa/decision/by", &decision.by);
            check.instant("/qa/decision/at", &decision.at);
        }
    }
    if let Some(approval) = &record.approval {
        check.person(policy, "/approval/by", &approval.by);
        check.instant("/approval/at", &approval.at);
        if let Some(index) = position {
            let next = policy.environments.get(index + 1).map(|e| e.name.as_str());
            match (next, approval.to.as_deref()) {
                (Some(next), Some(to)) if to != next => check.error(
                    Code::NotNextEnvironment,
                    "/approval/to",
                    format!("an approval on `{}` is for `{next}`, not `{to}`", record.environment),
                    Some(format!("write `to: {next}`; environments are passed in order")),
                ),
                (Some(next), None) => check.error(
                    Code::NotNextEnvironment,
                    "/approval",
                    format!("the approval does not say it is for `{next}`"),
                    Some(format!("add `to: {next}`")),
                ),
                (None, Some(to)) => check.error(
                    Code::NotNextEnvironment,
                    "/approval/to",
                    format!(
                        "`{}` is the last environment; there is no `{to}` after it",
                        record.environment
                    ),
                    Some(
                        "remove `to:`; an approval here releases the unit for production use"
                            .into(),
                    ),
                ),
                _ => {}
            }
        }
    }

    if let Some(Layout::Record { unit, version, environment }) = Layout::of(file) {
        check.layout_field("/unit", "unit", &record.unit, &unit);
        check.layout_field("/version", "version", &record.version, &version);
        check.layout_field("/environment", "environment", &record.environment, &environment);
    }

    check.findings
}

fn window_reference(check: &mut Checker<'_>, environment: &Environment, window: Option<&str>) {
    let names: Vec<&str> = environment.windows.iter().map(|w| w.name.as_str()).collect();
    match window {
        None if environment.restricted => check.error(
            Code::MissingField,
            "/deployment",
            format!(
                "`{}` changes only inside a maintenance window; none is named",
                environment.name
            ),
            Some(format!("add `window:` with one of {}", names.join(", "))),
        ),
        Some(name) if !names.contains(&name) => {
            let hint = if !environment.restricted {
                format!("`{}` has no window restrictions; remove `window:`", environment.name)
            } else if let Some(best) = suggest(name, &names) {
                format!("did you mean `{best}`?")
            } else {
                format!("windows of `{}`: {}", environment.name, names.join(", "))
            };
            check.error(
                Code::UnknownWindow,
                "/deployment/window",
                format!("`{name}` is not a window of `{}`", environment.name),
                Some(hint),
            );
        }
        _ => {}
    }
}

/// Checks a standard change.
pub fn change(ctx: &Context<'_>, file: &Path, change: &StandardChange) -> Vec<Finding> {
    let mut check = Checker::new(file, ctx.zone);

    if !ctx.policy.standard_changes.contains_key(&change.change) {
        let kinds: Vec<&str> = ctx.policy.standard_changes.keys().map(String::as_str).collect();
        check.error(
            Code::UnknownChange,
            "/change",
            format!("`{}` is not a standard change of the policy", change.change),
            Some(match suggest(&change.change, &kinds) {
                Some(best) => format!(
                    "did you mean `{best}`? The policy's standard changes: {}",
                    kinds.join(", ")
                ),
                None => format!("the policy's standard changes: {}", kinds.join(", ")),
            }),
        );
    }

    let complete = check.instant("/documents-complete", &change.documents_complete);
    for (index, pause) in change.pauses.iter().enumerate() {
        let from = check.instant(&format!("/pauses/{index}/from"), &pause.from);
        let until = check.instant(&format!("/pauses/{index}/until"), &pause.until);
        check.order(&format!("/pauses/{index}/until"), from, until, "the pause's end");
    }
    if let Some(completed) = &change.completed {
        let done = check.instant("/completed", completed);
        check.order("/completed", complete, done, "completion");
    }
    if let Some(feedback) = &change.feedback {
        check.instant("/feedback/at", &feedback.at);
        if change.completed.is_none() {
            check.error(
                Code::MissingField,
                "/feedback",
                "`feedback` is about a completed result, but `completed` is missing".into(),
                Some("add `completed:` with the time the result was handed over".into()),
            );
        }
    }

    if let Some(Layout::Change { id }) = Layout::of(file) {
        check.layout_field("/id", "id", &change.id, &id);
    }
    check.findings
}

/// Checks a policy for contradictions. The zone is read from the policy itself;
/// when it is unknown, times are checked against Europe/Berlin.
pub fn policy(file: &Path, policy: &Policy) -> Vec<Finding> {
    let zone = policy.calendar.timezone.parse::<Tz>().ok();
    let mut check = Checker::new(file, zone.unwrap_or(chrono_tz::Europe::Berlin));

    if zone.is_none() {
        check.error(
            Code::InvalidPolicy,
            "/calendar/timezone",
            format!("`{}` is not an IANA time zone", policy.calendar.timezone),
            Some("write a zone such as `Europe/Berlin`".into()),
        );
    }
    check.date("/valid-until", &policy.valid_until);
    for (index, day) in policy.calendar.closing_days.iter().enumerate() {
        check.date(&format!("/calendar/closing-days/{index}"), day);
    }
    if let Some(review) = &policy.access_review {
        check.date("/access-review/last", &review.last);
    }

    for (index, template) in policy.notices.templates.iter().enumerate() {
        let texts = [("title", Some(&template.title)), ("body", Some(&template.body))];
        let quiet = [("body-without-downtime", template.body_without_downtime.as_ref())];
        for (field, text) in texts.into_iter().chain(quiet) {
            let Some(text) = text else { continue };
            for name in crate::notice::unknown_placeholders(text) {
                let known: Vec<String> =
                    crate::notice::PLACEHOLDERS.iter().map(|(n, _)| format!("{{{n}}}")).collect();
                check.error(
                    Code::InvalidPolicy,
                    &format!("/notices/templates/{index}/{field}"),
                    format!("`{{{name}}}` is no placeholder of a notice"),
                    Some(format!("use one of {}", known.join(", "))),
                );
            }
        }
    }
    let keys: Vec<String> = policy
        .notices
        .templates
        .iter()
        .map(|t| format!("{} {}", t.kind.as_str(), t.language.as_str()))
        .collect();
    check.unique(
        "/notices/templates",
        keys.iter().map(String::as_str),
        "notice template (kind and language)",
    );
    check.unique("/people", policy.people.iter().map(|p| p.id.as_str()), "person id");
    check.unique(
        "/environments",
        policy.environments.iter().map(|e| e.name.as_str()),
        "environment",
    );
    check.unique("/environments", policy.environments.iter().map(|e| e.branch.as_str()), "branch");
    for (index, id) in policy.isb.iter().enumerate() {
        check.person(policy, &format!("/isb/{index}"), id);
    }
    for (index, id) in policy.policy_admins.iter().enumerate() {
        check.person(policy, &format!("/policy-admins/{index}"), id);
    }

    for (e, environment) in policy.environments.iter().enumerate() {
        let at = format!("/environments/{e}");
        for (index, id) in environment.approvers.iter().enumerate() {
            check.person(policy, &format!("{at}/approvers/{index}"), id);
        }
        check.unique(
            &format!("{at}/windows"),
            environment.windows.iter().map(|w| w.name.as_str()),
            "window",
        );
        if environment.restricted && environment.windows.is_empty() {
            check.error(
                Code::InvalidPolicy,
                &format!("{at}/name"),
                format!("`{}` is restricted but has no maintenance window, so nothing could ever deploy", environment.name),
                Some("add `windows:`, or set `restricted: false`".into()),
            );
        }
        for (w, window) in environment.windows.iter().enumerate() {
            window_rules(&mut check, &format!("{at}/windows/{w}"), window);
        }
    }

    for item in crate::model::policy::ChecklistItem::ALL {
        if !policy.checklist.items.contains_key(item) {
            check.error(
                Code::InvalidPolicy,
                "/checklist/items",
                format!("the checklist item `{}` has no outcome", item.as_str()),
                Some(format!("add `{}: reject` or `{}: rework`", item.as_str(), item.as_str())),
            );
        }
    }

    check.findings
}

fn window_rules(check: &mut Checker<'_>, at: &str, window: &Window) {
    if window.emergency {
        if !window.days.is_empty() || !window.times.is_empty() {
            check.error(
                Code::InvalidPolicy,
                &format!("{at}/emergency"),
                format!(
                    "the emergency window `{}` is always open; it takes no days or times",
                    window.name
                ),
                Some("remove `days:` and `times:`".into()),
            );
        }
        return;
    }
    if window.days.is_empty() || window.times.is_empty() {
        check.error(
            Code::InvalidPolicy,
            &format!("{at}/name"),
            format!("the window `{}` needs `days:` and `times:`", window.name),
            Some("name the weekdays and local time ranges, or set `emergency: true`".into()),
        );
    }
    for (index, range) in window.times.iter().enumerate() {
        if crate::time::parse_time_range(range).is_none() {
            check.error(
                Code::InvalidPolicy,
                &format!("{at}/times/{index}"),
                format!("`{range}` is not a time range within one day"),
                Some(
                    "write `HH:MM-HH:MM` with the start before the end; `24:00` ends at midnight"
                        .into(),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_read_from_the_path_end() {
        assert_eq!(
            Layout::of(Path::new("examples/releases/gwa/4.2.0/release.yaml")),
            Some(Layout::Release { unit: "gwa".into(), version: "4.2.0".into() })
        );
        assert_eq!(
            Layout::of(Path::new("releases/gwa/4.2.0/test.yaml")),
            Some(Layout::Record {
                unit: "gwa".into(),
                version: "4.2.0".into(),
                environment: "test".into()
            })
        );
        assert_eq!(
            Layout::of(Path::new("changes/CHG-1.yaml")),
            Some(Layout::Change { id: "CHG-1".into() })
        );
        assert_eq!(Layout::of(Path::new("./.release-gate.yaml")), Some(Layout::Policy));
        assert_eq!(Layout::of(Path::new("tests/fixtures/bad/x.yaml")), None);
    }
}
