//! The command line: argument definitions (help text lives in doc comments) and
//! the dispatch to the library. Results go to stdout, problems with the
//! invocation to stderr.
//!
//! Exit codes: 0 allowed or clean, 1 a rule says no, 2 the input or
//! configuration is unusable.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use clap::{Parser, Subcommand};

use crate::lint::{self, Report};
use crate::model::SchemaName;
use crate::model::policy::{Language, NoticeKind};
use crate::policy::{self, LoadedPolicy, Origin};
use crate::render::{self, Format};
use crate::validate::{Context, Files};

/// Guards a GitOps repository: release manifests, approvals, maintenance windows.
#[derive(Debug, Parser)]
#[command(name = "release-gate", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate manifests against the schemas and the policy (no git needed).
    ///
    /// Folders are searched for files where the repository layout puts manifests
    /// (.release-gate.yaml, releases/<unit>/<version>/*.yaml, changes/*.yaml);
    /// files named explicitly are linted whatever their name, their kind read from
    /// `kind:`. Exit 0 when clean (warnings allowed), 1 on errors, 2 when the
    /// invocation or the policy is unusable.
    Lint {
        /// Files or folders to lint.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Decide whether a change may merge into an environment branch.
    ///
    /// Reads everything from git: the policy from the base commit (the target
    /// branch), the manifests from the head, earlier environments' evidence from
    /// their branches. Exit 0 allowed, 1 blocked, 2 when it cannot decide (a
    /// revision or an environment branch is missing, the target's policy is
    /// unusable).
    Check {
        /// The target branch (e.g. `test`, `origin/test`) or a commit on it.
        /// Without --base and --head, the GitHub Actions event says (pull_request,
        /// pull_request_target, merge_group).
        #[arg(long, value_name = "REV", requires = "head")]
        base: Option<String>,
        /// The change's head (branch or commit).
        #[arg(long, value_name = "REV", requires = "base")]
        head: Option<String>,
        /// The target environment; by default the one whose branch --base names.
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        /// Evaluation instant (RFC 3339 with offset); defaults to now. Replays a
        /// decision for audits.
        #[arg(long, value_name = "TIME", value_parser = instant)]
        at: Option<DateTime<FixedOffset>>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// The repository; by default the one around the working directory.
        #[arg(long, value_name = "DIR")]
        repo: Option<PathBuf>,
        /// Create or update the gate's comment on the pull request (one comment,
        /// found again by a hidden marker). Needs GITHUB_TOKEN and
        /// GITHUB_REPOSITORY; GITHUB_API_URL for GitHub Enterprise Server. A
        /// failure to comment is a warning: it never changes the verdict.
        #[arg(long)]
        comment: bool,
        /// Where the policy lives in the repository, if not at .release-gate.yaml.
        /// Read from the target branch like the default (never from the work
        /// tree or the change), and it must exist there.
        #[arg(long, value_name = "PATH", value_parser = repository_path)]
        policy_path: Option<PathBuf>,
        /// The pull request: where to comment, and whose reviews prove approvals
        /// under the `github-review` mode; by default the event's.
        #[arg(long, value_name = "NUMBER")]
        pr: Option<u64>,
    },
    /// Show, check or scaffold a policy.
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// List the coming maintenance windows per environment.
    ///
    /// Shows each occurrence's local start and end (with UTC offset), whether it
    /// allows downtime, the latest moment a notice for a deployment with downtime
    /// must be published, preferred days, holidays, and, inside a repository whose
    /// environment branches are present, whether the kind's weekly or monthly
    /// budget is already used by the stage records on that branch.
    Windows {
        /// Only this environment.
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        /// List from this instant (RFC 3339 with offset); defaults to now.
        #[arg(long, value_name = "TIME", value_parser = instant)]
        from: Option<DateTime<FixedOffset>>,
        /// List up to this instant.
        #[arg(long, value_name = "TIME", value_parser = instant, conflicts_with = "count")]
        until: Option<DateTime<FixedOffset>>,
        /// List this many occurrences per environment (default 10).
        #[arg(long, value_name = "N")]
        count: Option<usize>,
        /// Output format: text, json, or ics (an iCalendar file to subscribe to).
        #[arg(long, value_enum, default_value_t = WindowsFormat::Text)]
        format: WindowsFormat,
        /// Policy file to use instead of the repository's .release-gate.yaml.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Forecast a release unit's path DEV -> TEST -> PROD over real windows.
    ///
    /// Uses the handbook's regular pass (at most 17 working days: preparation,
    /// deployment and QA per environment) from the unit's delivery, landing each
    /// deployment in the first window occurrence that satisfies the window,
    /// notice and frequency rules (budgets read from the environment branches when
    /// run inside the repository). Prints a table and a Mermaid Gantt chart.
    Plan {
        /// The release unit: its release.yaml, or the folder holding it.
        release: PathBuf,
        /// Start the forecast here instead of at the delivery time.
        #[arg(long, value_name = "TIME", value_parser = instant)]
        from: Option<DateTime<FixedOffset>>,
        /// Output format: text (table and Gantt chart) or json.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Policy file to use instead of the repository's .release-gate.yaml.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Draft a customer notice (handbook section 7) from a stage record.
    ///
    /// The kind follows from the record unless given: an emergency window's
    /// deployment is an emergency fix, a four-part version a hotfix, otherwise a
    /// release. Maintenance, disruption and restored notices may go without a
    /// record, naming what is affected with --object. The wording is built in (German and
    /// English) unless the policy's `notices.templates` replace it; templates may
    /// use the placeholders {version}, {unit}, {change}, {environment}, {date},
    /// {from}, {to}, {zone}, {downtime}, {delay}, {new-date}, {object}, {until}
    /// and {after}. Nothing is published: the text is printed for a person to
    /// check and post.
    Announce {
        /// The stage record: releases/<unit>/<version>/<environment>.yaml.
        record: Option<PathBuf>,
        /// What happens.
        #[arg(long, value_enum)]
        kind: Option<NoticeKind>,
        /// Language; by default the policy's `notices.language` (de).
        #[arg(long, value_enum)]
        lang: Option<Language>,
        /// For a delay: by how much, e.g. 2h or 90m.
        #[arg(long, value_name = "DURATION", value_parser = duration)]
        delay: Option<TimeDelta>,
        /// For an abort: the new planned start (RFC 3339 with offset).
        #[arg(long, value_name = "TIME", value_parser = instant)]
        new_date: Option<DateTime<FixedOffset>>,
        /// What is affected, e.g. "the VDI" (maintenance, disruption, restored);
        /// by default the record's environment.
        #[arg(long, value_name = "TEXT")]
        object: Option<String>,
        /// For a disruption: when it is expected to be over.
        #[arg(long, value_name = "TIME", value_parser = instant)]
        until: Option<DateTime<FixedOffset>>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = NoticeFormat::Text)]
        format: NoticeFormat,
        /// Policy file to use instead of the repository's .release-gate.yaml.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Standard changes against their provisioning times: due soon, overdue, auto-accepted.
    ///
    /// Reads every standard change (changes/*.yaml of the repository, or the
    /// files and folders given) and computes, over the policy's working days, when
    /// each is due: at the end (23:59:59 local time) of the N-th working day after
    /// the day the documents were complete, not counting that day nor any working
    /// day a customer-side pause touches. An open change with no more than the
    /// kind's `due-soon` working days left (default 2) is due soon. Exit 0 when
    /// none is overdue, 1 when one is (so it can run on a schedule), 2 when a
    /// change or the policy cannot be used.
    Sla {
        /// Standard-change files, or folders searched for changes/<id>.yaml.
        paths: Vec<PathBuf>,
        /// Evaluation instant (RFC 3339 with offset); defaults to now.
        #[arg(long, value_name = "TIME", value_parser = instant)]
        at: Option<DateTime<FixedOffset>>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Policy file to use instead of the repository's .release-gate.yaml.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Who may approve what, and when the list was last reviewed.
    ///
    /// Lists every person of the policy with their roles per environment
    /// (approver, ISB, policy admin), GitHub login and the SHA-256 fingerprints of
    /// their signing keys (never the keys), for the customer's contact to confirm.
    /// The review is due `interval-months` after `access-review.last` (the same
    /// day of the month) and overdue from the day after. Exit 1 when it is
    /// overdue and the policy says `on-overdue: block` (or the policy has expired
    /// under `on-expiry: block`), else 0.
    AccessReview {
        /// Evaluation instant (RFC 3339 with offset); defaults to now.
        #[arg(long, value_name = "TIME", value_parser = instant)]
        at: Option<DateTime<FixedOffset>>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
        format: ReportFormat,
        /// Policy file to use instead of the repository's .release-gate.yaml.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Print one of the JSON Schemas the tool ships.
    Schema {
        /// Which schema.
        #[arg(value_parser = schema_name)]
        name: SchemaName,
    },
}

#[derive(Debug, Subcommand)]
enum PolicyAction {
    /// Print the effective policy: the repository's .release-gate.yaml, or the
    /// embedded default that encodes the handbook.
    Show {
        /// Read this policy file instead of the repository's.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Validate a policy file; exit 1 when it has errors.
    Check {
        /// The policy file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write a commented starter policy, the schemas and example manifests.
    Init {
        /// The repository to write into.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite files that exist already.
        #[arg(long)]
        force: bool,
    },
}

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum CheckFormat {
    /// For a person.
    Text,
    /// The decision as data (`release-gate schema check-report`).
    Json,
    /// The pull-request comment.
    Markdown,
    /// Workflow annotations on manifest lines, the job summary and step outputs.
    Github,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
}

/// Output formats of `announce`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum NoticeFormat {
    /// Title, an empty line, the body.
    Text,
    /// Title in bold, then the body.
    Markdown,
    /// `{kind, language, title, body}`.
    Json,
}

/// Output formats of `windows`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum WindowsFormat {
    Text,
    Json,
    Ics,
}

/// Output formats of `sla` and `access-review`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    /// For a person.
    Text,
    /// As data, described by `release-gate schema sla-report` or
    /// `access-review-report`.
    Json,
    /// A table to paste into an issue or an e-mail.
    Markdown,
}

/// Options shared by the commands that judge manifests.
#[derive(Debug, clap::Args)]
struct Common {
    /// Policy file to use instead of the repository's .release-gate.yaml.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Evaluation instant (RFC 3339 with offset); defaults to now.
    #[arg(long, value_name = "TIME", value_parser = instant)]
    at: Option<DateTime<FixedOffset>>,
}

fn schema_name(text: &str) -> Result<SchemaName, String> {
    SchemaName::ALL.into_iter().find(|n| n.as_str() == text).ok_or_else(|| {
        let names: Vec<&str> = SchemaName::ALL.iter().map(|n| n.as_str()).collect();
        format!("one of {}", names.join(", "))
    })
}

/// A path inside the repository, relative to its root, without `..`.
fn repository_path(text: &str) -> Result<PathBuf, String> {
    use std::path::Component;
    let mut path = PathBuf::new();
    for component in Path::new(text).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            _ => return Err("give a path relative to the repository's root, without `..`".into()),
        }
    }
    if path.as_os_str().is_empty() {
        return Err("give the policy's path, e.g. ops/release-gate.yaml".into());
    }
    Ok(path)
}

fn duration(text: &str) -> Result<TimeDelta, String> {
    crate::time::parse_duration(text)
        .filter(|d| *d > TimeDelta::zero())
        .ok_or_else(|| "write a duration such as 2h, 45m or 1h30m".into())
}

fn instant(text: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text)
        .map_err(|err| format!("{err}; write e.g. 2026-12-03T07:00:00+01:00"))
}

/// Parses the arguments, runs the command and returns its exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Lint { paths, common } => run_lint(&paths, &common),
        Command::Policy { action } => run_policy(action),
        Command::Check { base, head, env, at, format, repo, comment, policy_path, pr } => {
            (move || {
                let at = at.unwrap_or_else(|| Utc::now().fixed_offset());
                // Without --base/--head the Actions event names the change: read it
                // first, so that outside Actions that is what the message says.
                let change = if base.is_some() && head.is_some() {
                    None
                } else {
                    Some(crate::github::event::from_environment()?)
                };
                let repo = open_repository(repo.as_deref())?;
                let (request, event_pr, queued) = match (change, base.zip(head)) {
                    (Some(change), _) => (
                        event_request(&repo, &change, env, at, policy_path),
                        change.number,
                        change.event == "merge_group",
                    ),
                    (None, Some((base, head))) => {
                        let request = crate::gate::Request {
                            base,
                            head,
                            environment: env,
                            branch: None,
                            at,
                            policy: policy_path,
                        };
                        (request, None, false)
                    }
                    (None, None) => {
                        return Err("give --base and --head, or run in GitHub Actions".into());
                    }
                };
                let number = pr.or(event_pr);
                let reviews = number.map(|number| crate::github::reviews::ApiReviews {
                    api: api_url(),
                    token: token(),
                    repository: std::env::var("GITHUB_REPOSITORY").ok(),
                    number,
                    queued,
                });
                // A merge-queue run has no comment of its own: the pull request's
                // runs keep it.
                let comment = comment.then_some(if queued { None } else { number });
                let reviews = reviews.as_ref().map(|r| r as &dyn crate::gate::review::ReviewSource);
                run_check(&repo, &request, format, comment, reviews)
            })()
        }
        Command::Plan { release, from, format, policy } => {
            run_plan(&release, from, format, policy.as_deref())
        }
        Command::Windows { env, from, until, count, format, policy } => {
            run_windows(env.as_deref(), from, until, count, format, policy.as_deref())
        }
        Command::Announce {
            record,
            kind,
            lang,
            delay,
            new_date,
            object,
            until,
            format,
            policy,
        } => {
            let extra = crate::notice::Extra { delay, new_date, object, until };
            run_announce(record.as_deref(), kind, lang, &extra, format, policy.as_deref())
        }
        Command::Sla { paths, at, format, policy } => {
            run_sla(&paths, at, format, policy.as_deref())
        }
        Command::AccessReview { at, format, policy } => {
            run_access_review(at, format, policy.as_deref())
        }
        Command::Schema { name } => {
            write_out(crate::schema::text(name));
            Ok(ExitCode::SUCCESS)
        }
    };
    outcome.unwrap_or_else(|unusable| {
        write_err(&unusable);
        ExitCode::from(2)
    })
}

/// Prints to stdout; a closed pipe (`| head`) ends the output quietly.
fn write_out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn write_err(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = err.write_all(b"\n");
    }
}

fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn render_report(report: &Report, format: Format) -> String {
    match format {
        Format::Text => render::text::render(report, use_color()),
        Format::Json => render::json::render(report),
    }
}

/// A policy that cannot be used: its findings, rendered, become the message.
fn unusable_policy(report: &Report) -> String {
    let body = render::text::render(report, false);
    format!("{body}the policy is unusable; fix it, or pass another one with --policy")
}

fn load_policy(explicit: Option<&Path>, root: &Path, cwd: &Path) -> Result<LoadedPolicy, String> {
    policy::load(explicit, root, cwd).map_err(|report| unusable_policy(&report))
}

/// The working directory, the repository root around it, and the policy to use.
fn workspace(policy_file: Option<&Path>) -> Result<(PathBuf, PathBuf, LoadedPolicy), String> {
    let cwd = std::env::current_dir().map_err(|err| format!("no working directory: {err}"))?;
    let root = policy::find_root(&cwd);
    let loaded = load_policy(policy_file, &root, &cwd)?;
    Ok((cwd, root, loaded))
}

fn run_lint(paths: &[PathBuf], common: &Common) -> Result<ExitCode, String> {
    let (_, root, loaded) = workspace(common.policy.as_deref())?;
    let at = common.at.unwrap_or_else(|| Utc::now().fixed_offset());
    let files = Files::Disk(root);
    let ctx = Context { policy: &loaded.policy, zone: loaded.zone, files, at, checklist: true };

    let mut report = lint::lint(&ctx, paths)?;
    for finding in loaded.access_review(at).into_iter().chain(loaded.expiry(at)) {
        report.findings.insert(0, finding);
        report.sources.insert(loaded.path().to_path_buf(), loaded.text.clone());
    }

    write_out(&render_report(&report, common.format));
    Ok(if report.errors() > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn run_policy(action: PolicyAction) -> Result<ExitCode, String> {
    match action {
        PolicyAction::Show { policy } => {
            let (_, _, loaded) = workspace(policy.as_deref())?;
            let origin = match &loaded.origin {
                Origin::Embedded => {
                    "the embedded default (no .release-gate.yaml found)".to_string()
                }
                Origin::File(path) => path.display().to_string(),
            };
            write_out(&format!("# Effective policy: {origin}\n{}", loaded.text));
            Ok(ExitCode::SUCCESS)
        }
        PolicyAction::Check { file, format } => {
            let report = match policy::load_file(&file) {
                Ok(_) => Report { files: 1, ..Report::default() },
                Err(report) => report,
            };
            write_out(&render_report(&report, format));
            Ok(if report.errors() > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        PolicyAction::Init { dir, force } => {
            let written = crate::scaffold::init(&dir, force)?;
            let mut out = String::new();
            for path in &written {
                out.push_str(&format!("wrote {}\n", path.display()));
            }
            out.push_str("next: edit .release-gate.yaml (people, role matrix), then run `release-gate lint`\n");
            write_out(&out);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_windows(
    only: Option<&str>,
    from: Option<DateTime<FixedOffset>>,
    until: Option<DateTime<FixedOffset>>,
    count: Option<usize>,
    format: WindowsFormat,
    policy_file: Option<&Path>,
) -> Result<ExitCode, String> {
    let (cwd, _, loaded) = workspace(policy_file)?;
    if let Some(name) = only
        && !loaded.policy.environments.iter().any(|e| e.name == name)
    {
        let names: Vec<&str> = loaded.policy.environments.iter().map(|e| e.name.as_str()).collect();
        return Err(format!(
            "--env {name}: not an environment of the policy ({})",
            names.join(", ")
        ));
    }

    let now = Utc::now().fixed_offset();
    let from = from.unwrap_or(now);
    let reach = match until {
        Some(until) => crate::windows::Reach::Until(until),
        None => crate::windows::Reach::Count(count.unwrap_or(10)),
    };

    // Inside a repository, the records on each environment's branch spend budgets.
    let used = used_windows(&cwd, &loaded.policy)?;

    let listing = crate::windows::list(&loaded.policy, loaded.zone, only, from, reach, &used);
    let text = match format {
        WindowsFormat::Text => crate::windows::render_text(&listing, loaded.zone),
        WindowsFormat::Json => crate::windows::render_json(&listing),
        WindowsFormat::Ics => {
            crate::windows::render_ics(&listing, loaded.zone, from.with_timezone(&Utc))
        }
    };
    write_out(&text);
    warn_policy(&loaded, from);
    Ok(ExitCode::SUCCESS)
}

/// Every run says so when the policy's validity has ended or its access review
/// is overdue (on stderr, so the output stays what was asked for).
fn warn_policy(loaded: &LoadedPolicy, at: DateTime<FixedOffset>) {
    for finding in loaded.expiry(at).into_iter().chain(loaded.access_review(at)) {
        write_err(&render::text::headline(&finding));
    }
}

/// Used window occurrences per environment, from the branches of the repository
/// around `cwd` (empty outside a repository).
fn used_windows(
    cwd: &Path,
    policy: &crate::model::Policy,
) -> Result<std::collections::HashMap<String, Vec<crate::window::Used>>, String> {
    let mut used = std::collections::HashMap::new();
    if let Ok(repo) = crate::git::Repo::discover(cwd) {
        for environment in &policy.environments {
            if let Some(records) = crate::records::used_on_branch(&repo, environment)? {
                used.insert(environment.name.clone(), records);
            }
        }
    }
    Ok(used)
}

fn run_announce(
    record_file: Option<&Path>,
    kind: Option<NoticeKind>,
    language: Option<Language>,
    extra: &crate::notice::Extra,
    format: NoticeFormat,
    policy_file: Option<&Path>,
) -> Result<ExitCode, String> {
    let (_, root, loaded) = workspace(policy_file)?;
    let record = match record_file {
        None => None,
        Some(file) => match read_valid(&loaded, root, file, "stage record")? {
            lint::Document::Record(record) => Some(record),
            _ => return Err(format!("{}: not a stage record", file.display())),
        },
    };
    let kind = match (kind, &record) {
        (Some(kind), _) => kind,
        (None, Some(record)) => crate::notice::kind_of(record),
        (None, None) => return Err("give a stage record, or --kind with --object".into()),
    };
    let language = language.unwrap_or(loaded.policy.notices.language);
    let drafted = crate::notice::draft(
        &loaded.policy,
        loaded.zone,
        kind,
        language,
        record.as_deref(),
        extra,
    )?;
    let text = match format {
        NoticeFormat::Text => format!("{}\n\n{}\n", drafted.title, drafted.body),
        NoticeFormat::Markdown => format!("**{}**\n\n{}\n", drafted.title, drafted.body),
        NoticeFormat::Json => {
            let mut json = serde_json::to_string_pretty(&drafted).unwrap_or_default();
            json.push('\n');
            json
        }
    };
    write_out(&text);
    Ok(ExitCode::SUCCESS)
}

/// Reads one manifest through `lint`'s checks, without the acceptance checklist
/// (a forecast or a notice is no acceptance); an invalid one is unusable input.
fn read_valid(
    loaded: &LoadedPolicy,
    root: PathBuf,
    file: &Path,
    what: &str,
) -> Result<lint::Document, String> {
    let at = Utc::now().fixed_offset();
    let files = Files::Disk(root);
    let ctx = Context { policy: &loaded.policy, zone: loaded.zone, files, at, checklist: false };
    match lint::check_file(&ctx, file) {
        (Some(document), report) if report.errors() == 0 => Ok(document),
        (_, report) => {
            let body = render::text::render(&report, false);
            Err(format!("{body}{}: the {what} is not valid; fix it first", file.display()))
        }
    }
}

fn run_plan(
    release: &Path,
    from: Option<DateTime<FixedOffset>>,
    format: Format,
    policy_file: Option<&Path>,
) -> Result<ExitCode, String> {
    let (cwd, root, loaded) = workspace(policy_file)?;
    let file = if release.is_dir() { release.join("release.yaml") } else { release.to_path_buf() };

    let lint::Document::Release(unit) = read_valid(&loaded, root, &file, "release unit")? else {
        return Err(format!("{}: not a release unit", file.display()));
    };
    let start = match from {
        Some(from) => from,
        None => crate::time::parse_instant(&unit.delivered)
            .map_err(|_| format!("{}: `delivered` is not a point in time", file.display()))?,
    };

    let used = used_windows(&cwd, &loaded.policy)?;
    let forecast = crate::plan::forecast(&loaded.policy, loaded.zone, &unit, start, &used)
        .map_err(|err| err.to_string())?;
    let text = match format {
        Format::Json => crate::plan::render_json(&forecast),
        Format::Text => format!(
            "{}\n{}",
            crate::plan::render_table(&forecast, loaded.zone),
            crate::plan::render_gantt(&forecast, loaded.zone)
        ),
    };
    write_out(&text);
    warn_policy(&loaded, Utc::now().fixed_offset());
    Ok(ExitCode::SUCCESS)
}

fn run_sla(
    paths: &[PathBuf],
    at: Option<DateTime<FixedOffset>>,
    format: ReportFormat,
    policy_file: Option<&Path>,
) -> Result<ExitCode, String> {
    let (cwd, root, loaded) = workspace(policy_file)?;
    let at = at.unwrap_or_else(|| Utc::now().fixed_offset());
    let files = change_files(paths, &root, &cwd)?;

    // Each change goes through lint's pipeline first, so bad input gets the same
    // positions and hints; the times are computed only for clean ones.
    let files_root = Files::Disk(root);
    let ctx = Context {
        policy: &loaded.policy,
        zone: loaded.zone,
        files: files_root,
        at,
        checklist: false,
    };
    let calendar = crate::calendar::Calendar::of(&loaded.policy.calendar);
    let mut unusable = Report::default();
    let mut report = crate::sla::SlaReport {
        at: at.with_timezone(&loaded.zone).fixed_offset(),
        zone: loaded.zone.to_string(),
        policy: loaded.path().display().to_string(),
        entries: Vec::new(),
        findings: Vec::new(),
    };
    for file in &files {
        let (document, checked) = lint::check_file(&ctx, file);
        if checked.errors() > 0 {
            unusable.merge(checked);
            continue;
        }
        let Some(lint::Document::Change(change)) = document else {
            let finding = crate::diagnostic::Finding::error(
                crate::diagnostic::Code::KindMismatch,
                file,
                "not a standard change",
            )
            .hint("`sla` reads standard changes: changes/<id>.yaml, `kind: StandardChange`");
            unusable.merge(Report::single(finding));
            continue;
        };
        if checked.warnings() > 0 {
            write_err(&render::text::findings(&checked, false));
        }
        // Validation refused unknown kinds, so the rule is there.
        let Some(rule) = loaded.policy.standard_changes.get(&change.change) else { continue };
        let entry = crate::sla::evaluate(file, &change, rule, &calendar, loaded.zone, at)
            .map_err(|err| format!("{}: {}", file.display(), err.0))?;
        if let Some(mut finding) = entry.overdue() {
            if let Ok(text) = crate::source::read_manifest(file) {
                crate::yaml::PositionIndex::locate_one(&text, &mut finding);
            }
            report.findings.push(finding);
        }
        report.entries.push(entry);
    }
    if unusable.errors() > 0 {
        let body = render::text::findings(&unusable, false);
        return Err(format!(
            "{body}the standard changes above cannot be used; fix them (`release-gate lint` \
             checks them the same way), or name only standard changes"
        ));
    }

    let text = match format {
        ReportFormat::Text => crate::sla::render_text(&report),
        ReportFormat::Json => crate::sla::render_json(&report),
        ReportFormat::Markdown => crate::sla::render_markdown(&report),
    };
    write_out(&text);
    warn_policy(&loaded, at);
    Ok(if report.overdue() > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The standard changes to read: files as given, folders searched for
/// `changes/<id>.yaml`, and without paths the repository's `changes/` folder.
fn change_files(paths: &[PathBuf], root: &Path, cwd: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    if paths.is_empty() {
        let folder = root.join("changes");
        let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
        let shown = folder.strip_prefix(&cwd).map_or(folder.clone(), Path::to_path_buf);
        if folder.is_dir() {
            collect_changes(&shown, &mut files)?;
        }
    }
    for path in paths {
        let meta = std::fs::symlink_metadata(path)
            .map_err(|err| format!("{}: cannot read: {err}", path.display()))?;
        if meta.is_dir() {
            collect_changes(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn collect_changes(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|err| format!("{}: cannot read: {err}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|err| format!("{}: {err}", dir.display()))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|err| format!("{}: {err}", path.display()))?;
        let name = entry.file_name();
        if kind.is_dir() && !matches!(name.to_str(), Some(".git" | "target" | "node_modules")) {
            collect_changes(&path, files)?;
        } else if kind.is_file()
            && matches!(
                crate::validate::Layout::of(&path),
                Some(crate::validate::Layout::Change { .. })
            )
        {
            files.push(path);
        }
    }
    Ok(())
}

fn run_access_review(
    at: Option<DateTime<FixedOffset>>,
    format: ReportFormat,
    policy_file: Option<&Path>,
) -> Result<ExitCode, String> {
    let (_, _, loaded) = workspace(policy_file)?;
    let at = at.unwrap_or_else(|| Utc::now().fixed_offset());
    let report = crate::access_review::report(&loaded, at);
    let text = match format {
        ReportFormat::Text => crate::access_review::render_text(&report),
        ReportFormat::Json => crate::access_review::render_json(&report),
        ReportFormat::Markdown => crate::access_review::render_markdown(&report),
    };
    write_out(&text);
    Ok(if report.blocked() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The repository named by `--repo`, or the one around the working directory.
fn open_repository(repo: Option<&Path>) -> Result<crate::git::Repo, String> {
    let cwd = std::env::current_dir().map_err(|err| format!("no working directory: {err}"))?;
    crate::git::Repo::discover(repo.unwrap_or(&cwd))
}

/// Runs the gate and prints its decision. `comment` is `Some` when `--comment`
/// was given, holding the pull request if one is known.
fn run_check(
    repo: &crate::git::Repo,
    request: &crate::gate::Request,
    format: CheckFormat,
    comment: Option<Option<u64>>,
    reviews: Option<&dyn crate::gate::review::ReviewSource>,
) -> Result<ExitCode, String> {
    let decision = crate::gate::check(repo, request, reviews)?;

    let text = match format {
        CheckFormat::Text => render::gate::text(&decision, use_color()),
        CheckFormat::Json => render::gate::json(&decision),
        CheckFormat::Markdown => render::gate::markdown(&decision),
        CheckFormat::Sarif => render::gate::sarif(&decision),
        CheckFormat::Github => {
            github_files(&decision)?;
            render::gate::github(&decision)
        }
    };
    write_out(&text);
    if let Some(number) = comment {
        publish_comment(&decision, number, format == CheckFormat::Github);
    }
    Ok(if decision.allowed() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Keeps the pull request's comment current. Whatever happens is said on stderr
/// (as a workflow command under `--format github`) and changes nothing else.
fn publish_comment(decision: &crate::gate::Decision, number: Option<u64>, github: bool) {
    let say = |level: &str, message: &str| {
        if github {
            write_err(&format!("::{level}::release-gate: {message}"));
        } else {
            write_err(&format!("release-gate: {level}: {message}"));
        }
    };
    let Some(token) = token() else {
        say("notice", "no GITHUB_TOKEN: the pull-request comment is skipped");
        return;
    };
    let Some(number) = number else {
        say("notice", "no pull request (a merge-queue run, or no --pr): no comment");
        return;
    };
    let Some(repository) = std::env::var("GITHUB_REPOSITORY").ok() else {
        say("warning", "GITHUB_REPOSITORY is not set: cannot comment");
        return;
    };
    let api = api_url();
    let total = decision.report.findings.len();
    let body =
        crate::github::comment::fit(total, |shown| render::gate::markdown_with(decision, shown));
    let published = crate::github::api::Client::new(&api, token, &repository)
        .and_then(|client| crate::github::comment::publish(&client, number, &body));
    match published {
        Ok(crate::github::comment::Published::Created { id }) => {
            say("notice", &format!("commented on pull request #{number} (comment {id})"));
        }
        Ok(crate::github::comment::Published::Updated { id, removed }) => {
            let extra = if removed > 0 {
                format!(", {removed} duplicate(s) removed")
            } else {
                String::new()
            };
            say(
                "notice",
                &format!("updated the comment on pull request #{number} (comment {id}{extra})"),
            );
        }
        Err(err) => say("warning", &format!("could not comment on pull request #{number}: {err}")),
    }
}

/// The token for GitHub's API, from `GITHUB_TOKEN`.
fn token() -> Option<String> {
    std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.trim().is_empty())
}

/// GitHub's API, or GitHub Enterprise Server's (`GITHUB_API_URL`).
fn api_url() -> String {
    std::env::var("GITHUB_API_URL").unwrap_or_else(|_| "https://api.github.com".into())
}

/// Under GitHub Actions: the job summary and the step outputs `verdict` and
/// `next-window`, appended to the files the runner names.
fn github_files(decision: &crate::gate::Decision) -> Result<(), String> {
    let append = |variable: &str, text: &str| -> Result<(), String> {
        let Some(path) = std::env::var_os(variable) else { return Ok(()) };
        let mut file =
            std::fs::OpenOptions::new().append(true).create(true).open(&path).map_err(|err| {
                format!("{variable}: cannot open {}: {err}", Path::new(&path).display())
            })?;
        file.write_all(text.as_bytes()).map_err(|err| format!("{variable}: {err}"))
    };
    append("GITHUB_STEP_SUMMARY", &render::gate::markdown(decision))?;
    let next = decision.next_window().map(|n| n.start.to_rfc3339()).unwrap_or_default();
    let verdict = if decision.allowed() { "allowed" } else { "blocked" };
    // The decision as JSON, for later steps of the job.
    let mut report = String::new();
    if let Some(dir) = std::env::var_os("RUNNER_TEMP") {
        let path = Path::new(&dir).join("release-gate-report.json");
        std::fs::write(&path, render::gate::json(decision))
            .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
        report = path.display().to_string();
    }
    append(
        "GITHUB_OUTPUT",
        &format!("verdict={verdict}\nnext-window={next}\nreport-path={report}\n"),
    )
}

/// The gate's request for the change an Actions event names. The target branch
/// is read from the remote-tracking branch when the clone has it (current at run
/// time), else the local branch, else the commit the event names.
fn event_request(
    repo: &crate::git::Repo,
    change: &crate::github::event::Change,
    environment: Option<String>,
    at: DateTime<FixedOffset>,
    policy: Option<PathBuf>,
) -> crate::gate::Request {
    let branch = &change.base_branch;
    let base = [format!("origin/{branch}"), branch.clone()]
        .into_iter()
        .find(|candidate| repo.commit(candidate).is_ok())
        .unwrap_or_else(|| change.base_sha.clone());
    crate::gate::Request {
        base,
        head: change.head_sha.clone(),
        environment,
        branch: Some(branch.clone()),
        at,
        policy,
    }
}
