//! Finding, reading and checking the policy.
//!
//! A repository's `.release-gate.yaml` replaces the embedded default, which
//! encodes the handbook (see `policy/default.yaml`). A policy goes through the
//! same pipeline as every manifest; one with errors makes the run unusable
//! (exit 2), since no verdict can be trusted on top of it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Months, NaiveDate};
use chrono_tz::Tz;

use crate::diagnostic::{Code, Finding, Severity};
use crate::lint::{self, Document, Report};
use crate::model::policy::{AccessReview, Enforcement};
use crate::model::{Kind, Policy};
use crate::time::parse_date;
use crate::yaml::PositionIndex;

/// The handbook's rules, as shipped inside the binary.
pub const DEFAULT_TEXT: &str = include_str!("../policy/default.yaml");

/// The name under which findings about the embedded policy are reported.
pub const EMBEDDED_NAME: &str = "<embedded default policy>";

/// The file name of a repository's policy.
pub const FILE_NAME: &str = ".release-gate.yaml";

/// Where the effective policy came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Embedded,
    File(PathBuf),
}

/// A policy that passed every check, with what is needed to report on it.
#[derive(Debug)]
pub struct LoadedPolicy {
    pub policy: Policy,
    pub origin: Origin,
    pub text: String,
    pub zone: Tz,
}

impl LoadedPolicy {
    /// The path findings about this policy carry.
    pub fn path(&self) -> &Path {
        match &self.origin {
            Origin::Embedded => Path::new(EMBEDDED_NAME),
            Origin::File(path) => path,
        }
    }

    /// Says so when the policy's validity has ended before `at` (local date).
    pub fn expiry(&self, at: DateTime<FixedOffset>) -> Option<Finding> {
        let end = parse_date(&self.policy.valid_until)?;
        let today = at.with_timezone(&self.zone).date_naive();
        if today <= end {
            return None;
        }
        let message = format!(
            "the policy was valid until {end}; its maintenance windows must be confirmed again"
        );
        let mut finding = Finding::warning(Code::PolicyExpired, self.path(), message)
            .at("/valid-until")
            .hint("after the windows are confirmed or changed by announcement, set a new `valid-until`");
        if self.policy.on_expiry == Enforcement::Block {
            finding.severity = Severity::Error;
        }
        PositionIndex::locate_one(&self.text, &mut finding);
        Some(finding)
    }

    /// Says so when the access review is overdue at `at` (local date): every
    /// command that reads the policy reports it, as it does the validity end.
    pub fn access_review(&self, at: DateTime<FixedOffset>) -> Option<Finding> {
        let review = self.policy.access_review.as_ref()?;
        let due = access_review_due(review)?;
        let today = at.with_timezone(&self.zone).date_naive();
        if today <= due {
            return None;
        }
        let message = format!(
            "the access review is overdue: last reviewed {}, due again by {due}",
            review.last
        );
        let mut finding = Finding::warning(Code::AccessReviewOverdue, self.path(), message)
            .at("/access-review/last")
            .hint(
                "send `release-gate access-review --format markdown` to the customer's contact; \
                 once confirmed, set `access-review.last` to that date",
            );
        if review.on_overdue == Enforcement::Block {
            finding.severity = Severity::Error;
        }
        PositionIndex::locate_one(&self.text, &mut finding);
        Some(finding)
    }
}

/// The last day the access review is on time: `last` plus `interval-months`,
/// the same day of the month (the month's last day where that day does not
/// exist, as 29 February in other years). From the day after it is overdue.
pub fn access_review_due(review: &AccessReview) -> Option<NaiveDate> {
    let last = parse_date(&review.last)?;
    last.checked_add_months(Months::new(review.interval_months))
}

/// Finds the repository root: the nearest ancestor of `start` holding `.git`,
/// else the nearest holding a policy file, else `start` itself.
pub fn find_root(start: &Path) -> PathBuf {
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    let marked = |name: &str| start.ancestors().find(|dir| dir.join(name).exists());
    marked(".git").or_else(|| marked(FILE_NAME)).unwrap_or(&start).to_path_buf()
}

/// Loads the policy named on the command line, the repository's, or the default.
/// The repository's policy is named relative to `cwd` in findings when it can be.
pub fn load(explicit: Option<&Path>, root: &Path, cwd: &Path) -> Result<LoadedPolicy, Report> {
    if let Some(path) = explicit {
        return load_file(path);
    }
    let path = root.join(FILE_NAME);
    if !path.exists() {
        return Ok(embedded());
    }
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    match path.strip_prefix(&cwd) {
        Ok(relative) => load_file(relative),
        Err(_) => load_file(&path),
    }
}

/// The embedded default. The test `embedded_policy_is_clean` runs it through the
/// whole pipeline (schema and semantic checks); at run time it is only parsed,
/// which keeps the schema compiler out of every pre-commit run.
pub fn embedded() -> LoadedPolicy {
    let path = Path::new(EMBEDDED_NAME);
    let policy = crate::yaml::parse(path, DEFAULT_TEXT)
        .ok()
        .and_then(|value| serde_json::from_value::<Policy>(value).ok());
    match policy {
        Some(policy) => LoadedPolicy {
            policy,
            origin: Origin::Embedded,
            text: DEFAULT_TEXT.to_string(),
            zone: chrono_tz::Europe::Berlin,
        },
        None => unreachable_default(),
    }
}

#[allow(clippy::panic)]
fn unreachable_default() -> ! {
    panic!("the embedded policy does not parse; the test embedded_policy_is_clean says why")
}

/// Reads and checks a policy file.
pub fn load_file(path: &Path) -> Result<LoadedPolicy, Report> {
    let text = match crate::source::read_manifest(path) {
        Ok(text) => text,
        Err(refused) => return Err(Report::refused(refused)),
    };
    parse(path, text, Origin::File(path.to_path_buf()))
}

/// Reads and checks a policy from bytes (a blob of a commit).
pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<LoadedPolicy, Report> {
    let text = crate::source::decode(path, bytes).map_err(Report::refused)?;
    parse(path, text, Origin::File(path.to_path_buf()))
}

fn parse(path: &Path, text: String, origin: Origin) -> Result<LoadedPolicy, Report> {
    let (document, mut report) = lint::check_text(None, path, &text, Some(Kind::Policy));
    let policy = match document {
        Some(Document::Policy(policy)) if report.errors() == 0 => policy,
        _ => {
            report.files = 1;
            return Err(report);
        }
    };
    let zone = policy.calendar.timezone.parse::<Tz>().unwrap_or(chrono_tz::Europe::Berlin);
    Ok(LoadedPolicy { policy: *policy, origin, text, zone })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_policy_is_clean() {
        let (document, report) =
            lint::check_text(None, Path::new(EMBEDDED_NAME), DEFAULT_TEXT, Some(Kind::Policy));
        assert!(report.findings.is_empty(), "{:#?}", report.findings);
        assert!(matches!(document, Some(Document::Policy(_))));
    }

    #[test]
    fn embedded_policy_encodes_the_handbook_tables() {
        let policy = embedded().policy;
        let names: Vec<&str> = policy.environments.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["dev", "test", "prod"]);
        assert!(!policy.environments[0].restricted);

        let window = |env: usize, name: &str| {
            policy.environments[env].windows.iter().find(|w| w.name == name).unwrap()
        };
        let regular = window(1, "regular");
        assert_eq!(regular.times, ["07:00-17:00"]);
        assert_eq!(window(1, "small").times, ["07:00-09:00", "15:00-17:00"]);
        assert!(!window(2, "small").downtime);
        assert_eq!(window(2, "small-downtime").times, ["17:00-22:00"]);
        assert_eq!(window(2, "large").notice.as_ref().unwrap().lead, 14);
        assert!(window(2, "emergency").emergency);
        assert!(policy.environments[2].windows.iter().all(|w| w.name != "regular"));
        assert_eq!(policy.valid_until, "2020-12-31");
        assert_eq!(policy.checklist.rework_days, 3);
        assert_eq!(policy.standard_changes["tenant-creation"].days, 20);
    }

    #[test]
    fn the_access_review_is_due_on_the_same_day_interval_months_later() {
        let review = |last: &str, months| AccessReview {
            last: last.into(),
            interval_months: months,
            on_overdue: Enforcement::Warn,
        };
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(access_review_due(&review("2025-12-03", 12)), Some(day("2026-12-03")));
        assert_eq!(access_review_due(&review("2024-02-29", 12)), Some(day("2025-02-28")));
        assert_eq!(access_review_due(&review("2026-08-31", 6)), Some(day("2027-02-28")));
        assert_eq!(access_review_due(&review("not a date", 12)), None);

        let mut policy = embedded();
        policy.policy.access_review = Some(review("2025-12-03", 12));
        let at = |s| DateTime::parse_from_rfc3339(s).unwrap();
        assert!(policy.access_review(at("2026-12-03T23:59:59+01:00")).is_none());
        let overdue = policy.access_review(at("2026-12-04T00:00:00+01:00")).unwrap();
        assert_eq!(overdue.code, Code::AccessReviewOverdue);
        assert_eq!(overdue.severity, Severity::Warning);
    }

    #[test]
    fn embedded_policy_has_expired_and_says_so() {
        let policy = embedded();
        let now = DateTime::parse_from_rfc3339("2026-12-03T12:00:00+01:00").unwrap();
        let finding = policy.expiry(now).unwrap();
        assert_eq!(finding.code, Code::PolicyExpired);
        assert_eq!(finding.severity, Severity::Warning);
        let before = DateTime::parse_from_rfc3339("2020-12-31T23:30:00+01:00").unwrap();
        assert!(policy.expiry(before).is_none());
    }
}
