//! `check`: may a change merge into an environment branch?
//!
//! The gate reads everything from git, never from the work tree: the policy from
//! the base commit (the target branch; a pull request cannot relax its own gate),
//! the manifests from the head commit, the evidence of earlier environments from
//! their branch tips. It classifies every changed path, then judges each release
//! unit the change touches, collecting every reason to block, each with where it
//! is and what would make it pass.

pub mod review;
pub mod signature;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use git2::Oid;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::acceptance::{Assessment, Verdict};
use crate::calendar::Calendar;
use crate::diagnostic::{self, Code, Finding};
use crate::git::{Repo, Status};
use crate::lint::{self, Document, Report};
use crate::model::policy::{ApprovalMode, Person};
use crate::model::{ReleaseUnit, StageRecord};
use crate::policy::{self, LoadedPolicy, Origin};
use crate::time::{parse_duration, parse_instant};
use crate::validate::{Context, Files, Layout};
use crate::window::{Declaration, Next, Plan, PublishedNotice, Schedule, Used};
use review::{PullReviews, ReviewSource};
use signature::{AllowedKey, SignatureProblem};

/// What to judge.
#[derive(Clone, Debug)]
pub struct Request {
    /// The target branch (or a commit on it): where the change would merge.
    pub base: String,
    /// The change's head.
    pub head: String,
    /// The target environment; by default the one whose branch `branch` or
    /// `base` names.
    pub environment: Option<String>,
    /// The target branch's name, when `base` is a commit (an Actions event).
    pub branch: Option<String>,
    /// The evaluation instant.
    pub at: DateTime<FixedOffset>,
    /// Where the policy lives in the repository, when not at
    /// `.release-gate.yaml`. It is read from the target branch all the same, and
    /// must exist there.
    pub policy: Option<PathBuf>,
}

/// The gate's decision with every reason.
#[derive(Debug)]
pub struct Decision {
    pub environment: String,
    pub base: String,
    pub head: String,
    pub at: DateTime<FixedOffset>,
    pub policy: String,
    pub units: Vec<UnitSummary>,
    pub report: Report,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        self.report.errors() == 0
    }

    /// The earliest next allowed window any blocked unit was told about.
    pub fn next_window(&self) -> Option<&Next> {
        self.units.iter().filter_map(|u| u.next_window.as_ref()).min_by_key(|n| n.start)
    }
}

/// One release unit the change touches.
#[derive(Debug, Serialize)]
pub struct UnitSummary {
    pub unit: String,
    pub version: String,
    /// What the change does with the unit on the target environment.
    pub change: UnitChange,
    /// Every rule evaluated for the unit, with its outcome.
    pub rules: Vec<RuleOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_window: Option<Next>,
    /// The acceptance checklist's outcome, when the release unit could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acceptance: Option<Assessment>,
    /// The customer notice drafted for a deployment with downtime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<crate::notice::Drafted>,
}

/// What a change does with a unit on the target environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnitChange {
    /// Deploys it (a new stage record, or a changed deployment plan).
    Deployment,
    /// Returns the environment to this earlier version.
    Rollback,
    /// Only adds QA results or an approval to the target's own record.
    Evidence,
    /// Touches the unit's files without deploying it (blocked).
    Other,
}

/// A rule and whether it held.
#[derive(Debug, Serialize)]
pub struct RuleOutcome {
    pub rule: &'static str,
    pub passed: bool,
}

/// Why the gate could not decide at all (exit 2).
pub type Unusable = String;

/// Runs the gate. `reviews` is the pull request's reviews, for a policy whose
/// approvals mode is `github-review`; it is asked only then.
pub fn check(
    repo: &Repo,
    request: &Request,
    reviews: Option<&dyn ReviewSource>,
) -> Result<Decision, Unusable> {
    let base = repo.commit(&request.base)?;
    let head = repo.commit(&request.head)?;
    let fork = repo.merge_base(base, head)?;

    // The policy always comes from the base commit.
    let policy_path = request.policy.as_deref().unwrap_or(Path::new(policy::FILE_NAME));
    let loaded = policy_at(repo, base, policy_path, request.policy.is_some())?;
    let target = target_environment(&loaded, request)?;

    let mut gate = Gate {
        repo,
        loaded: &loaded,
        calendar: Calendar::of(&loaded.policy.calendar),
        target,
        base,
        head,
        fork,
        at: request.at,
        report: Report::default(),
        units: Vec::new(),
        tips: HashMap::new(),
        reviews,
        pull: None,
        policy_path,
    };
    gate.run()?;

    diagnostic::sort(&mut gate.report.findings);
    let environment = loaded.policy.environments[target].name.clone();
    let policy = match &loaded.origin {
        Origin::Embedded => {
            "the embedded default (no .release-gate.yaml on the target branch)".into()
        }
        Origin::File(path) => format!("{} at {}", path.display(), repo.short(base)),
    };
    Ok(Decision {
        environment,
        base: format!("{} ({})", request.base, repo.short(base)),
        head: format!("{} ({})", request.head, repo.short(head)),
        at: request.at,
        policy,
        units: gate.units,
        report: gate.report,
    })
}

/// Reads the policy of a commit; an unusable one stops the gate. Without one at
/// the default path the embedded default applies; a path given explicitly must
/// hold one.
fn policy_at(
    repo: &Repo,
    commit: Oid,
    path: &Path,
    explicit: bool,
) -> Result<LoadedPolicy, Unusable> {
    match repo.read(commit, path)? {
        None if explicit => Err(format!(
            "the target branch has no policy at {} ({}); commit it there first, or name the right path",
            path.display(),
            repo.short(commit)
        )),
        None => Ok(policy::embedded()),
        Some(bytes) => policy::from_bytes(path, bytes).map_err(|report| {
            let body = crate::render::text::render(&report, false);
            format!("{body}the target branch's policy is unusable; fix it there first")
        }),
    }
}

fn target_environment(loaded: &LoadedPolicy, request: &Request) -> Result<usize, Unusable> {
    let environments = &loaded.policy.environments;
    let names = || environments.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", ");
    if let (None, Some(branch)) = (&request.environment, &request.branch) {
        return environments.iter().position(|e| &e.branch == branch).ok_or_else(|| {
            format!("the target branch `{branch}` is no environment's branch ({})", names())
        });
    }
    if let Some(name) = &request.environment {
        return environments.iter().position(|e| &e.name == name).ok_or_else(|| {
            format!("--env {name}: not an environment of the target branch's policy ({})", names())
        });
    }
    let branch = request.base.strip_prefix("refs/heads/").unwrap_or(&request.base);
    let branch = branch.strip_prefix("refs/remotes/").unwrap_or(branch);
    let branch = branch.strip_prefix("origin/").unwrap_or(branch);
    environments.iter().position(|e| e.branch == branch).ok_or_else(|| {
        format!(
            "--base {}: no environment's branch is named so; pass --env (environments: {})",
            request.base,
            names()
        )
    })
}

/// What the change holds for one release unit.
#[derive(Debug, Default)]
struct Touched {
    release: bool,
    files: Vec<PathBuf>,
    records: Vec<(String, PathBuf)>,
}

struct Gate<'a> {
    repo: &'a Repo,
    loaded: &'a LoadedPolicy,
    calendar: Calendar,
    target: usize,
    base: Oid,
    head: Oid,
    fork: Oid,
    at: DateTime<FixedOffset>,
    report: Report,
    units: Vec<UnitSummary>,
    tips: HashMap<usize, Oid>,
    reviews: Option<&'a dyn ReviewSource>,
    /// The reviews once asked for (at most once per check).
    pull: Option<Result<PullReviews, String>>,
    /// Where the policy lives in the repository.
    policy_path: &'a Path,
}

impl<'a> Gate<'a> {
    fn policy(&self) -> &'a crate::model::Policy {
        &self.loaded.policy
    }

    fn target_name(&self) -> &'a str {
        &self.loaded.policy.environments[self.target].name
    }

    fn run(&mut self) -> Result<(), Unusable> {
        // The policy's own state: its validity end and its access review.
        let at = self.at;
        for finding in self.loaded.expiry(at).into_iter().chain(self.loaded.access_review(at)) {
            self.report.sources.insert(self.loaded.path().to_path_buf(), self.loaded.text.clone());
            self.report.findings.push(finding);
        }
        match self.policy().approvals.mode {
            ApprovalMode::None => self.report.findings.push(
                Finding::warning(
                    Code::ApprovalsUnverified,
                    self.loaded.path(),
                    "approvals are not authenticated (approvals mode `none`); branch protection is trusted",
                )
                .hint("set `approvals: { mode: ssh-signature }` and list signing keys under `people`"),
            ),
            ApprovalMode::GithubReview | ApprovalMode::SshSignature => {}
        }

        let changes = self.repo.changed_paths(self.fork, self.head)?;
        let mut units: BTreeMap<(String, String), Touched> = BTreeMap::new();
        let mut policy_changed = false;

        for change in &changes {
            let path = &change.path;
            if path == self.policy_path {
                policy_changed = true;
                continue;
            }
            let layout = Layout::of(path);
            if change.status == Status::Deleted
                && layout.is_some()
                && layout != Some(Layout::Policy)
            {
                self.report.findings.push(
                    Finding::error(
                        Code::DeletedManifest,
                        path,
                        "the change deletes a manifest from the branch",
                    )
                    .hint("keep the history; to return to an earlier version, record a rollback"),
                );
                continue;
            }
            match layout {
                Some(Layout::Release { unit, version }) if is_top(path, 4) => {
                    units.entry((unit, version)).or_default().release = true;
                }
                Some(Layout::Record { unit, version, environment }) if is_top(path, 4) => {
                    units.entry((unit, version)).or_default().records.push((environment, path.clone()));
                }
                Some(Layout::Change { .. }) if is_top(path, 2) => {
                    self.lint_at_head(path);
                }
                _ => match unit_of(path) {
                    Some(key) => units.entry(key).or_default().files.push(path.clone()),
                    None if self.ignored(path) => {}
                    None => self.report.findings.push(
                        Finding::error(
                            Code::UnknownPath,
                            path,
                            "the change touches a path that is neither a manifest nor ignored by the policy",
                        )
                        .hint("move it out of this change, or list it under `ignore` in the policy on the target branch"),
                    ),
                },
            }
        }

        if policy_changed {
            self.policy_change()?;
        }
        for ((unit, version), touched) in units {
            self.unit(&unit, &version, &touched)?;
        }
        Ok(())
    }

    /// Whether a path matches one of the policy's `ignore` globs.
    fn ignored(&self, path: &Path) -> bool {
        let text = path.to_string_lossy();
        self.policy().ignore.iter().any(|pattern| glob(pattern, &text))
    }

    /// Lints a manifest as committed at the head; returns its document.
    fn lint_at_head(&mut self, path: &Path) -> Option<Document> {
        let Ok(Some(bytes)) = self.repo.read(self.head, path) else {
            return None;
        };
        let text = match crate::source::decode(path, bytes) {
            Ok(text) => text,
            Err(refused) => {
                self.report.merge(Report::refused(refused));
                return None;
            }
        };
        let ctx = Context {
            policy: self.policy(),
            zone: self.loaded.zone,
            files: Files::Commit(self.repo, self.head),
            at: self.at,
            checklist: true,
        };
        let (document, mut report) = lint::check_text(Some(&ctx), path, &text, None);
        report.files = 0;
        report.sources.entry(path.to_path_buf()).or_insert(text);
        self.report.merge(report);
        document
    }

    /// Adds an error at a pointer of a manifest whose text is known at the head.
    fn block(&mut self, code: Code, path: &Path, pointer: &str, message: String, hint: String) {
        let mut finding = Finding::error(code, path, message).at(pointer).hint(hint);
        self.place(path, &mut finding);
        self.report.findings.push(finding);
    }

    fn place(&mut self, path: &Path, finding: &mut Finding) {
        if !self.report.sources.contains_key(path)
            && let Ok(Some(bytes)) = self.repo.read(self.head, path)
            && let Ok(text) = String::from_utf8(bytes)
        {
            self.report.sources.insert(path.to_path_buf(), text);
        }
        if let Some(text) = self.report.sources.get(path) {
            crate::yaml::PositionIndex::locate_one(text, finding);
        }
    }

    fn tip(&mut self, environment: usize) -> Result<Oid, Unusable> {
        if let Some(tip) = self.tips.get(&environment) {
            return Ok(*tip);
        }
        let branch = &self.policy().environments[environment].branch;
        let tip = self.repo.branch_tip(branch).ok_or_else(|| {
            format!(
                "the branch `{branch}` of environment `{}` is not in this clone, and the rules need it.\n\
                 fetch it: git fetch origin {branch}:refs/remotes/origin/{branch}\n\
                 (in GitHub Actions: actions/checkout with `fetch-depth: 0`)",
                self.policy().environments[environment].name
            )
        })?;
        self.tips.insert(environment, tip);
        Ok(tip)
    }

    fn policy_change(&mut self) -> Result<(), Unusable> {
        let path = self.policy_path;
        if let Some(bytes) = self.repo.read(self.head, path)?
            && let Err(report) = policy::from_bytes(path, bytes)
        {
            self.report.merge(report);
        }
        let admins: Vec<&Person> = self
            .policy()
            .people
            .iter()
            .filter(|p| self.policy().policy_admins.contains(&p.id))
            .collect();
        match self.policy().approvals.mode {
            ApprovalMode::SshSignature => {
                let commit = self.repo.last_change(self.head, path)?;
                let verdict = match commit {
                    Some(commit) => self.signed_by_any(commit, &admins)?,
                    None => Err("the policy's last change has no commit".into()),
                };
                if let Err(reason) = verdict {
                    self.report.findings.push(
                        Finding::error(
                            Code::PolicyChangeUnapproved,
                            path,
                            format!(
                                "the policy change is not approved by a policy admin: {reason}"
                            ),
                        )
                        .hint(format!(
                            "a policy admin ({}) signs the commit that changes the policy",
                            self.policy().policy_admins.join(", ")
                        )),
                    );
                }
            }
            ApprovalMode::GithubReview => {
                let mut reasons = Vec::new();
                for admin in &admins {
                    match self.reviewed_by(admin.id.as_str()) {
                        Ok(()) => return Ok(()),
                        Err(reason) => reasons.push(reason),
                    }
                }
                if reasons.is_empty() {
                    reasons.push("the policy lists no policy admin".into());
                }
                self.report.findings.push(
                    Finding::error(
                        Code::PolicyChangeUnapproved,
                        path,
                        format!(
                            "the policy change is not approved by a policy admin: {}",
                            reasons.join("; ")
                        ),
                    )
                    .hint(format!(
                        "a policy admin ({}) approves the pull request at its head",
                        self.policy().policy_admins.join(", ")
                    )),
                );
            }
            // Under `none` the run already warns that nothing is verified.
            ApprovalMode::None => {}
        }
        Ok(())
    }

    /// Checks that a commit is signed by one of these people; `Ok(Ok(id))` names the signer.
    fn signed_by_any(
        &self,
        commit: Oid,
        people: &[&Person],
    ) -> Result<Result<String, String>, Unusable> {
        let (signature, signed) = self.repo.signature(commit)?;
        let when = self.repo.commit_time(commit)?;
        let mut reasons = Vec::new();
        for person in people {
            let keys: Vec<AllowedKey> =
                person.signing_keys.iter().filter_map(|k| AllowedKey::parse(k).ok()).collect();
            match signature::verify(signature.as_deref(), &signed, &keys, when) {
                Ok(_) => return Ok(Ok(person.id.clone())),
                Err(SignatureProblem::Unsigned) => {
                    return Ok(Err(format!("commit {} is not signed", self.repo.short(commit))));
                }
                Err(
                    SignatureProblem::Unreadable(reason)
                    | SignatureProblem::NotByAllowedKey(reason),
                ) => {
                    reasons.push(format!("{}: {reason}", person.id));
                }
            }
        }
        Ok(Err(format!(
            "commit {} is not signed by {}",
            self.repo.short(commit),
            if reasons.is_empty() { "anyone listed".to_string() } else { reasons.join("; ") }
        )))
    }

    fn unit(&mut self, unit: &str, version: &str, touched: &Touched) -> Result<(), Unusable> {
        let folder = PathBuf::from("releases").join(unit).join(version);
        let release_path = folder.join("release.yaml");
        let target = self.target_name().to_string();
        let mut rules: Vec<RuleOutcome> = Vec::new();
        let findings_before = self.report.findings.len();

        // Every manifest of the unit that the change touches passes lint at the head.
        let release = match self.lint_at_head(&release_path) {
            Some(Document::Release(release)) => Some(release),
            _ => None,
        };
        let mut records: HashMap<String, StageRecord> = HashMap::new();
        for (environment, path) in &touched.records {
            if let Some(Document::Record(record)) = self.lint_at_head(path) {
                records.insert(environment.clone(), *record);
            }
        }
        // The checklist's findings have their own rule below.
        let invalid = self.report.findings[findings_before..]
            .iter()
            .any(|f| f.severity == diagnostic::Severity::Error && f.outcome.is_none());
        rules.push(RuleOutcome { rule: "manifests valid", passed: !invalid });

        let Some(release) = release else {
            if self.repo.blob_id(self.head, &release_path).is_none() {
                self.report.findings.push(
                    Finding::error(
                        Code::MissingEvidence,
                        &folder,
                        "the change touches a unit whose release.yaml is not there",
                    )
                    .hint("bring the release unit with the change"),
                );
            }
            self.units.push(UnitSummary {
                unit: unit.into(),
                version: version.into(),
                change: UnitChange::Other,
                rules,
                next_window: None,
                acceptance: None,
                notice: None,
            });
            return Ok(());
        };
        // The acceptance checklist ran while the release unit was linted.
        let acceptance =
            self.report.acceptance.iter().rev().find(|a| a.file == release_path).cloned();
        if let Some(assessment) = &acceptance {
            rules.push(RuleOutcome {
                rule: "acceptance checklist",
                passed: assessment.verdict == Verdict::Accepted,
            });
        }
        let digest = format!(
            "sha256:{:x}",
            Sha256::digest(self.repo.read(self.head, &release_path)?.unwrap_or_default())
        );

        // A unit on the target branch is never edited.
        let on_target = self.repo.blob_id(self.base, &release_path);
        let edited = touched.release
            && on_target.is_some()
            && on_target != self.repo.blob_id(self.head, &release_path);
        let unit_files_edited = on_target.is_some()
            && touched
                .files
                .iter()
                .any(|f| self.repo.blob_id(self.base, f) != self.repo.blob_id(self.head, f));
        if edited || unit_files_edited {
            let path = if edited { release_path.clone() } else { touched.files[0].clone() };
            self.report.findings.push(
                Finding::error(
                    Code::UnitEdited,
                    &path,
                    format!("{unit} {version} is already on `{target}` and may not change"),
                )
                .hint("deliver the fix as a new version"),
            );
        }
        rules.push(RuleOutcome {
            rule: "unit unchanged on target",
            passed: !(edited || unit_files_edited),
        });

        // Records for later environments do not belong here.
        for (environment, path) in &touched.records {
            let index = self.policy().environments.iter().position(|e| &e.name == environment);
            if index.is_some_and(|i| i > self.target) {
                self.report.findings.push(
                    Finding::error(
                        Code::RecordOutOfOrder,
                        path,
                        format!("a record for `{environment}` cannot reach `{target}` first"),
                    )
                    .hint(format!(
                        "environments are passed in order; `{environment}` comes after `{target}`"
                    )),
                );
            }
        }

        // What the change does on the target environment.
        let record_path = folder.join(format!("{target}.yaml"));
        let own = records.get(&target).cloned();
        let before = self.record_at(self.base, &record_path);
        let change = match (&own, &before) {
            (None, _) if touched.records.iter().all(|(e, _)| e != &target) => {
                if on_target.is_none() {
                    self.report.findings.push(
                        Finding::error(
                            Code::MissingStageRecord,
                            &release_path,
                            format!(
                                "{unit} {version} reaches `{target}` without its stage record {}",
                                record_path.display()
                            ),
                        )
                        .hint(format!(
                            "add {} with the deployment plan for `{target}`",
                            record_path.display()
                        )),
                    );
                }
                UnitChange::Other
            }
            (None, _) => UnitChange::Other,
            (Some(record), Some(old))
                if serde_json::to_value(&record.deployment).ok()
                    == serde_json::to_value(&old.deployment).ok() =>
            {
                UnitChange::Evidence
            }
            (Some(record), _) if record.deployment.rollback_from.is_some() => UnitChange::Rollback,
            (Some(_), _) => UnitChange::Deployment,
        };

        let mut next_window = None;
        if let Some(record) = &own {
            self.digest_rule(&record_path, record, &digest, &mut rules);
            match change {
                UnitChange::Deployment => {
                    self.evidence_chain(&folder, &release, &digest, &mut rules)?;
                    self.delta_rule(&release, &record_path, &mut rules)?;
                    next_window =
                        self.window_rule(&record_path, record, unit, version, &mut rules)?;
                }
                UnitChange::Rollback => {
                    self.rollback_rule(&folder, &record_path, record, &mut rules)?;
                    next_window =
                        self.window_rule(&record_path, record, unit, version, &mut rules)?;
                }
                UnitChange::Evidence => {
                    if let Some(approval) = &record.approval {
                        let by = approval.by.clone();
                        self.approval_checks(
                            self.target,
                            None,
                            &record_path,
                            &by,
                            &release,
                            &mut rules,
                        )?;
                    }
                }
                UnitChange::Other => {}
            }
        }

        let notice = match &own {
            Some(record) if change != UnitChange::Evidence && change != UnitChange::Other => {
                self.draft_notice(&record_path, record)
            }
            _ => None,
        };
        self.units.push(UnitSummary {
            unit: unit.into(),
            version: version.into(),
            change,
            rules,
            next_window,
            acceptance,
            notice,
        });
        Ok(())
    }

    /// The customer notice for a deployment with downtime, in the policy's
    /// language, for the pull request's reviewers to check and publish.
    fn draft_notice(
        &mut self,
        path: &Path,
        record: &StageRecord,
    ) -> Option<crate::notice::Drafted> {
        if crate::notice::downtime(record).is_zero() {
            return None;
        }
        let policy = self.policy();
        let kind = crate::notice::kind_of(record);
        let extra = crate::notice::Extra::default();
        let language = policy.notices.language;
        match crate::notice::draft(policy, self.loaded.zone, kind, language, Some(record), &extra) {
            Ok(drafted) => Some(drafted),
            Err(reason) => {
                self.report.findings.push(
                    Finding::warning(
                        Code::NoticeNotDrafted,
                        path,
                        format!("no customer notice could be drafted: {reason}"),
                    )
                    .hint("the policy's notice template for this kind uses a value only `release-gate announce` options give"),
                );
                None
            }
        }
    }

    fn record_at(&self, commit: Oid, path: &Path) -> Option<StageRecord> {
        let bytes = self.repo.read(commit, path).ok()??;
        let text = String::from_utf8(bytes).ok()?;
        let value = crate::yaml::parse(path, &text).ok()?;
        serde_json::from_value(value).ok()
    }

    fn digest_rule(
        &mut self,
        path: &Path,
        record: &StageRecord,
        digest: &str,
        rules: &mut Vec<RuleOutcome>,
    ) {
        let passed = record.release_digest == digest;
        if !passed {
            self.block(
                Code::DigestMismatch,
                path,
                "/release-digest",
                format!(
                    "the record refers to {}, but release.yaml has {digest}",
                    record.release_digest
                ),
                "evidence counts only for the exact release unit; record it again for this one"
                    .into(),
            );
        }
        rules.push(RuleOutcome { rule: "record refers to this unit's digest", passed });
    }

    /// Every earlier environment passed QA, approved this exact unit for the next,
    /// and holds byte-identical copies of the unit and its record on its branch.
    fn evidence_chain(
        &mut self,
        folder: &Path,
        release: &ReleaseUnit,
        digest: &str,
        rules: &mut Vec<RuleOutcome>,
    ) -> Result<(), Unusable> {
        let errors_before = self.report.errors();
        let unit_files = self.unit_files(self.head, folder)?;

        for earlier in 0..self.target {
            let tip = self.tip(earlier)?;
            let environment = self.policy().environments[earlier].name.clone();
            let next = self.policy().environments[earlier + 1].name.clone();
            let record_path = folder.join(format!("{environment}.yaml"));

            // The unit's files are the same on the earlier branch.
            let there = self.unit_files(tip, folder)?;
            if there.is_empty() {
                self.report.findings.push(
                    Finding::error(
                        Code::MissingEvidence,
                        folder.join("release.yaml").as_path(),
                        format!(
                            "{} {} was never on `{environment}`",
                            release.unit, release.version
                        ),
                    )
                    .hint(format!(
                        "environments are passed in order: merge it into `{environment}` first"
                    )),
                );
                continue;
            }
            if let Some(path) = differing(&unit_files, &there) {
                self.report.findings.push(
                    Finding::error(
                        Code::DiffersFromEarlierBranch,
                        &path,
                        format!("{} differs from the copy on `{environment}`", path.display()),
                    )
                    .hint("nothing may change on the way: bring the files exactly as they are on the earlier branch"),
                );
            }

            // The earlier record is on its branch and comes along unchanged.
            let Some(record) = self.record_at(tip, &record_path) else {
                self.report.findings.push(
                    Finding::error(
                        Code::MissingEvidence,
                        &record_path,
                        format!("no stage record for `{environment}` on its branch"),
                    )
                    .hint(format!("record QA and approval on `{environment}` first")),
                );
                continue;
            };
            let here = self.repo.blob_id(self.head, &record_path);
            if here != self.repo.blob_id(tip, &record_path) {
                let message = if here.is_none() {
                    format!(
                        "the change does not bring {} from `{environment}`",
                        record_path.display()
                    )
                } else {
                    format!("{} differs from the copy on `{environment}`", record_path.display())
                };
                let code = if here.is_none() {
                    Code::MissingEvidence
                } else {
                    Code::DiffersFromEarlierBranch
                };
                self.report.findings.push(
                    Finding::error(code, &record_path, message)
                        .hint(format!("bring the record exactly as it is on `{environment}`")),
                );
            }

            // QA passed (with a go decision where defects were found).
            let qa_ok = match &record.qa {
                Some(qa) if qa.result == crate::model::record::QaResult::Passed => {
                    qa.findings.is_empty() || qa.decision.as_ref().is_some_and(|d| d.go)
                }
                _ => false,
            };
            if !qa_ok {
                let message = match &record.qa {
                    None => format!("`{environment}` has no QA result"),
                    Some(qa) if qa.result == crate::model::record::QaResult::Failed => {
                        format!(
                            "QA on `{environment}` failed; the fix is a new version that passes every environment again"
                        )
                    }
                    Some(_) => format!(
                        "QA on `{environment}` found defects and no go decision is recorded"
                    ),
                };
                self.evidence_finding(
                    tip,
                    &record_path,
                    Code::QaNotPassed,
                    "/qa",
                    message,
                    "record a passed QA (and a go decision, with reason, for known defects)".into(),
                );
            }

            // The approval for the next environment, by an approver of this one.
            match &record.approval {
                Some(approval) if approval.to.as_deref() == Some(next.as_str()) => {
                    if record.release_digest != digest {
                        self.evidence_finding(
                            tip,
                            &record_path,
                            Code::DigestMismatch,
                            "/release-digest",
                            format!("the `{environment}` approval is for {}, not for this unit ({digest})", record.release_digest),
                            "approvals count only for the exact release unit".into(),
                        );
                    }
                    let by = approval.by.clone();
                    self.approval_checks(earlier, Some(tip), &record_path, &by, release, rules)?;
                }
                _ => self.evidence_finding(
                    tip,
                    &record_path,
                    Code::ApprovalMissing,
                    "/approval",
                    format!(
                        "`{environment}` has not approved {} {} for `{next}`",
                        release.unit, release.version
                    ),
                    format!(
                        "an approver of `{environment}` records the approval with `to: {next}`"
                    ),
                ),
            }
        }
        rules.push(RuleOutcome {
            rule: "passed every earlier environment",
            passed: self.report.errors() == errors_before,
        });
        Ok(())
    }

    /// A finding about an earlier environment's record, placed in its text there.
    fn evidence_finding(
        &mut self,
        tip: Oid,
        path: &Path,
        code: Code,
        pointer: &str,
        message: String,
        hint: String,
    ) {
        let mut finding = Finding::error(code, path, message).at(pointer).hint(hint);
        if let Ok(Some(bytes)) = self.repo.read(tip, path)
            && let Ok(text) = String::from_utf8(bytes)
        {
            crate::yaml::PositionIndex::locate_one(&text, &mut finding);
            self.report.sources.entry(path.to_path_buf()).or_insert(text);
        }
        self.report.findings.push(finding);
    }

    /// The approver is listed for the environment, is not the author, and (under
    /// `ssh-signature`) signed the commit that last changed the record.
    fn approval_checks(
        &mut self,
        environment: usize,
        tip: Option<Oid>,
        path: &Path,
        by: &str,
        release: &ReleaseUnit,
        rules: &mut Vec<RuleOutcome>,
    ) -> Result<(), Unusable> {
        let env = &self.policy().environments[environment];
        let name = env.name.clone();
        let listed = env.approvers.iter().any(|a| a == by);
        let at = tip.unwrap_or(self.head);
        let report = |gate: &mut Gate<'_>, code: Code, message: String, hint: String| match tip {
            Some(tip) => gate.evidence_finding(tip, path, code, "/approval/by", message, hint),
            None => gate.block(code, path, "/approval/by", message, hint),
        };
        if !listed {
            let hint = format!("approvers of `{name}`: {}", env.approvers.join(", "));
            report(
                self,
                Code::ApproverNotListed,
                format!("`{by}` is not an approver of `{name}`"),
                hint,
            );
        }
        if by == release.author {
            report(
                self,
                Code::SelfApproval,
                format!(
                    "`{by}` authored {} {} and cannot approve it",
                    release.unit, release.version
                ),
                "a second person approves (four eyes)".into(),
            );
        }
        rules.push(RuleOutcome {
            rule: "approver listed, not the author",
            passed: listed && by != release.author,
        });

        if self.policy().approvals.mode == ApprovalMode::SshSignature {
            let person: Vec<&Person> = self.policy().people.iter().filter(|p| p.id == by).collect();
            let commit = self.repo.last_change(at, path)?;
            let verdict = match commit {
                Some(commit) => self.signed_by_any(commit, &person)?,
                None => Err("no commit adds the record".into()),
            };
            let passed = verdict.is_ok();
            if let Err(reason) = verdict {
                let code = if reason.contains("is not signed") && !reason.contains("not signed by")
                {
                    Code::ApprovalUnsigned
                } else {
                    Code::ApprovalBadSignature
                };
                report(
                    self,
                    code,
                    format!("the approval by `{by}` on `{name}` is not proven: {reason}"),
                    format!(
                        "`{by}` signs the commit that records the approval (git commit -S with their SSH key)"
                    ),
                );
            }
            rules.push(RuleOutcome { rule: "approval signed by the approver", passed });
        }

        // Under `github-review` the approval that lets the unit into the target (or
        // one this change adds) is proven on this pull request; earlier approvals
        // were proven on the pull requests that promoted the unit before.
        let on_this_pull = tip.is_none() || environment + 1 == self.target;
        if self.policy().approvals.mode == ApprovalMode::GithubReview && on_this_pull {
            let verdict = self.reviewed_by(by);
            let passed = verdict.is_ok();
            if let Err(reason) = verdict {
                report(
                    self,
                    Code::ApprovalNotReviewed,
                    format!("the approval by `{by}` on `{name}` is not proven: {reason}"),
                    format!(
                        "`{by}` approves the pull request on GitHub, with the login the policy lists, after its last push"
                    ),
                );
            }
            rules.push(RuleOutcome { rule: "approval reviewed on the pull request", passed });
        }
        Ok(())
    }

    /// Whether person `who` approved this pull request at its head. The reviews
    /// are asked for on first use.
    fn reviewed_by(&mut self, who: &str) -> Result<(), String> {
        let person = self.policy().people.iter().find(|p| p.id == who);
        let login = person.and_then(|p| p.github.as_deref());
        let pull = match self.pull.take() {
            Some(pull) => pull,
            None => self.load_reviews(),
        };
        match self.pull.insert(pull) {
            Ok(pull) => review::approved_by(pull, who, login),
            Err(reason) => Err(reason.clone()),
        }
    }

    /// The pull request's reviews, once they are known to be about the content
    /// this run judges.
    fn load_reviews(&self) -> Result<PullReviews, String> {
        let Some(source) = self.reviews else {
            return Err("approvals mode `github-review` needs the pull request's reviews, and this run knows no pull request (run on a `pull_request` or `merge_group` event, or pass --pr with GITHUB_TOKEN and GITHUB_REPOSITORY)".into());
        };
        let pull = source.reviews()?;
        self.judges_reviewed_content(&pull)?;
        Ok(pull)
    }

    /// Reviews are given on the pull request's head; they prove approvals of what
    /// this run judges only when that is the same content. A pull request's own
    /// run judges its head, which must still be the head GitHub reports (a newer
    /// push has a run of its own). A merge queue builds a commit of its own
    /// (merge, squash or rebase), which must carry the pull request's content in
    /// every path the change touches: a group with other pull requests' changes,
    /// or a merge resolution nobody reviewed, is not covered.
    fn judges_reviewed_content(&self, pull: &PullReviews) -> Result<(), String> {
        let number = pull.number;
        let judged = self.head.to_string();
        if pull.head == judged {
            return Ok(());
        }
        let reviewed = review::short(&pull.head);
        let judged = review::short(&judged);
        if !pull.queued {
            return Err(format!(
                "pull request #{number} is at {reviewed} on GitHub, while this run judges {judged}; the run for the pull request's current head decides"
            ));
        }
        let Ok(reviewed_commit) = self.repo.commit(&pull.head) else {
            return Err(format!(
                "the merge queue's commit {judged} is built from pull request #{number} at {reviewed}, which this clone does not have (check out with `fetch-depth: 0`, or fetch the pull request's head)"
            ));
        };
        for change in self.repo.changed_paths(self.fork, self.head)? {
            let path = &change.path;
            if self.repo.blob_id(reviewed_commit, path) != self.repo.blob_id(self.head, path) {
                return Err(format!(
                    "the merge queue's commit {judged} differs from pull request #{number} at {reviewed} in `{}`, so the pull request's reviews do not cover it (let the queue build one pull request at a time into this branch)",
                    path.display()
                ));
            }
        }
        Ok(())
    }

    /// The files of a unit folder at a commit (not the stage records), by path.
    fn unit_files(&self, commit: Oid, folder: &Path) -> Result<BTreeMap<PathBuf, Oid>, Unusable> {
        let files = self.repo.files_under(commit, &folder.to_string_lossy())?;
        Ok(files
            .into_iter()
            .filter(|(path, _)| {
                let is_record = path.parent() == Some(folder)
                    && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n != "release.yaml" && (n.ends_with(".yaml") || n.ends_with(".yml"))
                    });
                !is_record
            })
            .collect())
    }

    fn delta_rule(
        &mut self,
        release: &ReleaseUnit,
        record_path: &Path,
        rules: &mut Vec<RuleOutcome>,
    ) -> Result<(), Unusable> {
        let Some(base_version) = &release.base else { return Ok(()) };
        if release.scope != crate::model::release::Scope::Delta {
            return Ok(());
        }
        let target = self.target_name().to_string();
        let tip = self.tip(self.target)?;
        let base_record = PathBuf::from("releases")
            .join(&release.unit)
            .join(base_version)
            .join(format!("{target}.yaml"));
        let passed = self.repo.blob_id(tip, &base_record).is_some();
        if !passed {
            self.block(
                Code::DeltaBaseMissing,
                record_path,
                "/version",
                format!(
                    "{} {} is a delta on {base_version}, which is not deployed on `{target}`",
                    release.unit, release.version
                ),
                format!("deploy {base_version} to `{target}` first, or deliver a full unit"),
            );
        }
        rules.push(RuleOutcome { rule: "delta base deployed", passed });
        Ok(())
    }

    fn rollback_rule(
        &mut self,
        folder: &Path,
        record_path: &Path,
        record: &StageRecord,
        rules: &mut Vec<RuleOutcome>,
    ) -> Result<(), Unusable> {
        let target = self.target_name().to_string();
        let tip = self.tip(self.target)?;
        let replaced = record.deployment.rollback_from.clone().unwrap_or_default();
        let replaced_record =
            folder.parent().unwrap_or(folder).join(&replaced).join(format!("{target}.yaml"));
        let was_here = self.repo.blob_id(tip, record_path).is_some();
        let replaced_here = self.repo.blob_id(tip, &replaced_record).is_some();
        let passed = was_here && replaced_here;
        if !passed {
            let message = if was_here {
                format!("the rollback replaces {replaced}, which is not deployed on `{target}`")
            } else {
                format!(
                    "{} {} was never deployed on `{target}`, so it cannot be rolled back to",
                    record.unit, record.version
                )
            };
            self.block(Code::RollbackUnknown, record_path, "/deployment/rollback-from", message, "a rollback returns to the version deployed before; deploy other versions through every environment".into());
        }
        rules.push(RuleOutcome { rule: "rollback to a version deployed before", passed });
        Ok(())
    }

    /// The deployment's window, downtime, notice and frequency rules.
    fn window_rule(
        &mut self,
        path: &Path,
        record: &StageRecord,
        unit: &str,
        version: &str,
        rules: &mut Vec<RuleOutcome>,
    ) -> Result<Option<Next>, Unusable> {
        let environment = &self.loaded.policy.environments[self.target];
        if !environment.restricted {
            return Ok(None);
        }
        let plan = &record.deployment;
        let (Ok(start), Ok(end)) = (parse_instant(&plan.start), parse_instant(&plan.end)) else {
            return Ok(None);
        };
        let Some(window) = plan.window.clone() else {
            return Ok(None);
        };
        let tip = self.tip(self.target)?;
        let used: Vec<Used> = crate::records::records_at(self.repo, tip, &environment.name)?
            .iter()
            .filter(|(_, r)| !(r.unit == unit && r.version == version))
            .filter_map(|(_, r)| crate::records::used(r))
            .collect();
        let schedule = Schedule {
            zone: self.loaded.zone,
            calendar: &self.calendar,
            environment,
            isb: &self.loaded.policy.isb,
        };
        let deployment = Plan {
            start,
            end,
            downtime: plan
                .downtime
                .as_deref()
                .and_then(parse_duration)
                .unwrap_or(TimeDelta::zero()),
            notice: plan.notice.as_ref().and_then(|n| {
                Some(PublishedNotice {
                    published: parse_instant(&n.published).ok()?,
                    downtime: n.downtime.as_deref().and_then(parse_duration),
                })
            }),
            emergency: plan
                .emergency
                .as_ref()
                .map(|e| Declaration { by: e.declared_by.clone(), reason: e.reason.clone() }),
        };
        let evaluation =
            schedule.evaluate(&window, &deployment, &used, self.at.with_timezone(&Utc));
        let passed = evaluation.breaches.is_empty();
        let mut next = None;
        for breach in evaluation.breaches {
            let pointer = match breach.code {
                Code::NoticeMissing | Code::NoticeTooLate | Code::NoticeDowntimeMissing
                    if plan.notice.is_some() =>
                {
                    "/deployment/notice"
                }
                Code::DowntimeNotAllowed | Code::DowntimeTooLong => "/deployment/downtime",
                Code::DowntimeNotAtStart => "/deployment/start",
                Code::EmergencyNotDeclared if plan.emergency.is_some() => "/deployment/emergency",
                _ => "/deployment/window",
            };
            let mut hint = breach.hint.clone();
            if let Some(n) = &breach.next {
                hint = format!(
                    "{hint}; next allowed: {} window {} to {}",
                    n.window,
                    crate::window::local(self.loaded.zone, &n.start),
                    n.end.with_timezone(&self.loaded.zone).format("%H:%M")
                );
                if next.as_ref().is_none_or(|m: &Next| n.start < m.start) {
                    next = Some(n.clone());
                }
            }
            self.block(breach.code, path, pointer, breach.message, hint);
        }
        rules.push(RuleOutcome { rule: "inside an allowed window", passed });
        Ok(next)
    }
}

/// Whether a path has exactly `depth` components (a manifest at its layout place).
fn is_top(path: &Path, depth: usize) -> bool {
    path.components().count() == depth
}

/// The unit a path under `releases/<unit>/<version>/` belongs to.
fn unit_of(path: &Path) -> Option<(String, String)> {
    let mut parts = path.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
    match (parts.next().as_deref(), parts.next(), parts.next(), parts.next()) {
        (Some("releases"), Some(unit), Some(version), Some(_)) => Some((unit, version)),
        _ => None,
    }
}

/// The first path whose content differs between two file maps.
fn differing(here: &BTreeMap<PathBuf, Oid>, there: &BTreeMap<PathBuf, Oid>) -> Option<PathBuf> {
    here.iter()
        .find(|(path, id)| there.get(*path) != Some(id))
        .map(|(path, _)| path.clone())
        .or_else(|| there.keys().find(|path| !here.contains_key(*path)).cloned())
}

/// Matches a path against a glob: `*` within a segment, `**` across segments,
/// `?` one character.
pub fn glob(pattern: &str, path: &str) -> bool {
    fn matches(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) if p.get(1) == Some(&b'*') => {
                let rest = if p.get(2) == Some(&b'/') { &p[3..] } else { &p[2..] };
                (0..=s.len()).any(|i| matches(rest, &s[i..]))
            }
            (Some(b'*'), _) => (0..=s.len())
                .take_while(|i| *i == 0 || s[i - 1] != b'/')
                .any(|i| matches(&p[1..], &s[i..])),
            (Some(b'?'), Some(c)) if *c != b'/' => matches(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => matches(&p[1..], &s[1..]),
            _ => false,
        }
    }
    matches(pattern.as_bytes(), path.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("docs/**", "docs/a/b.md"));
        assert!(glob("README.md", "README.md"));
        assert!(!glob("README.md", "docs/README.md"));
        assert!(glob(".github/**", ".github/workflows/ci.yml"));
        assert!(glob("*.md", "NOTES.md"));
        assert!(!glob("*.md", "docs/NOTES.md"));
        assert!(glob("**/*.md", "docs/NOTES.md"));
    }
}
