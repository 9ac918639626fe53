//! `access-review`: who may approve what, for the customer's contact to confirm
//! (SPEC §9), and when the list was last confirmed.
//!
//! Signing keys are shown only as their SHA-256 fingerprints, the form
//! `ssh-keygen -l` prints: enough to compare against a key, never the key itself.

use std::fmt::Write;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::diagnostic::{Finding, Severity};
use crate::gate::signature::AllowedKey;
use crate::model::policy::Enforcement;
use crate::policy::{LoadedPolicy, access_review_due};

/// One person's rights.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Rights {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
    /// Environments whose units this person may approve for the next environment.
    pub approves: Vec<String>,
    /// Whether the person is an information security officer (declares emergencies).
    pub isb: bool,
    /// Whether the person may approve a change of the policy.
    pub policy_admin: bool,
    /// `SHA256:...` per signing key, or what is wrong with an entry.
    pub signing_keys: Vec<KeyPrint>,
}

/// A signing key as shown: its algorithm and fingerprint, or why it cannot be read.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct KeyPrint {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The review dates.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Review {
    pub last: String,
    pub interval_months: u32,
    /// The last day the review is on time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_due: Option<NaiveDate>,
    pub overdue: bool,
    pub on_overdue: Enforcement,
}

/// The whole listing.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct AccessReport {
    pub version: u32,
    pub at: DateTime<FixedOffset>,
    /// Where the policy came from.
    pub policy: String,
    pub environments: Vec<String>,
    /// Absent when the policy records no review.
    pub review: Option<Review>,
    pub people: Vec<Rights>,
    pub findings: Vec<Finding>,
}

impl AccessReport {
    /// Whether a finding says no (an overdue review under `on-overdue: block`, or
    /// an expired policy under `on-expiry: block`).
    pub fn blocked(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Lists every person of the policy with their rights, at `at`.
pub fn report(loaded: &LoadedPolicy, at: DateTime<FixedOffset>) -> AccessReport {
    let policy = &loaded.policy;

    let people = policy
        .people
        .iter()
        .map(|person| Rights {
            id: person.id.clone(),
            name: person.name.clone(),
            github: person.github.clone(),
            approves: policy
                .environments
                .iter()
                .filter(|e| e.approvers.contains(&person.id))
                .map(|e| e.name.clone())
                .collect(),
            isb: policy.isb.contains(&person.id),
            policy_admin: policy.policy_admins.contains(&person.id),
            signing_keys: person.signing_keys.iter().map(|k| key_print(k)).collect(),
        })
        .collect();

    let overdue = loaded.access_review(at);
    let review = policy.access_review.as_ref().map(|review| Review {
        last: review.last.clone(),
        interval_months: review.interval_months,
        next_due: access_review_due(review),
        overdue: overdue.is_some(),
        on_overdue: review.on_overdue,
    });
    let findings = loaded.expiry(at).into_iter().chain(overdue).collect();

    AccessReport {
        version: 1,
        at: at.with_timezone(&loaded.zone).fixed_offset(),
        policy: loaded.path().display().to_string(),
        environments: policy.environments.iter().map(|e| e.name.clone()).collect(),
        review,
        people,
        findings,
    }
}

/// The fingerprint of one `signing-keys` entry; the entry itself is never shown.
fn key_print(entry: &str) -> KeyPrint {
    match AllowedKey::parse(entry) {
        Ok(allowed) => KeyPrint {
            algorithm: Some(allowed.key.algorithm().as_str().to_string()),
            fingerprint: Some(allowed.fingerprint()),
            error: None,
        },
        Err(err) => KeyPrint { algorithm: None, fingerprint: None, error: Some(err) },
    }
}

impl KeyPrint {
    fn shown(&self) -> String {
        match (&self.algorithm, &self.fingerprint, &self.error) {
            (Some(algorithm), Some(fingerprint), _) => format!("{fingerprint} ({algorithm})"),
            (_, _, Some(error)) => format!("unreadable key: {error}"),
            _ => String::new(),
        }
    }
}

impl Rights {
    /// The roles as words: `approver (dev, test)`, `ISB`, `policy admin`.
    fn roles(&self) -> Vec<String> {
        let mut roles = Vec::new();
        if !self.approves.is_empty() {
            roles.push(format!("approver ({})", self.approves.join(", ")));
        }
        if self.isb {
            roles.push("ISB".into());
        }
        if self.policy_admin {
            roles.push("policy admin".into());
        }
        roles
    }
}

fn review_line(report: &AccessReport) -> String {
    match &report.review {
        Some(review) => {
            let due = review.next_due.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into());
            let state = if review.overdue { "OVERDUE" } else { "on time" };
            format!(
                "last reviewed {}; next review due by {due} (every {} months): {state}",
                review.last, review.interval_months
            )
        }
        None => "no access review recorded (`access-review` is missing from the policy)".into(),
    }
}

/// For a person.
pub fn render_text(report: &AccessReport) -> String {
    let mut out = String::new();
    let _ =
        writeln!(out, "Access review as of {} (policy: {})", report.at.date_naive(), report.policy);
    let _ = writeln!(out, "{}", review_line(report));
    for person in &report.people {
        let _ = writeln!(out, "\n{}  {}", person.id, person.name);
        let github = person.github.as_deref().unwrap_or("-");
        let _ = writeln!(out, "  github: {github}");
        let roles = person.roles();
        let roles = if roles.is_empty() { "none".into() } else { roles.join(", ") };
        let _ = writeln!(out, "  roles: {roles}");
        for key in &person.signing_keys {
            let _ = writeln!(out, "  signing key: {}", key.shown());
        }
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }
    for finding in &report.findings {
        let _ = writeln!(out, "{}", crate::render::text::headline(finding));
    }
    out
}

/// A table per person and environment, for the customer's contact to confirm.
pub fn render_markdown(report: &AccessReport) -> String {
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mark = |yes: bool| if yes { "yes" } else { "" };
    let mut out = String::new();
    let _ = writeln!(out, "## Access review as of {}\n", report.at.date_naive());
    let _ = writeln!(out, "Policy: `{}`; {}.\n", cell(&report.policy), review_line(report));

    let mut header = String::from("| person | name | GitHub |");
    let mut rule = String::from("|---|---|---|");
    for environment in &report.environments {
        let _ = write!(header, " approves {} |", cell(environment));
        rule.push_str("---|");
    }
    header.push_str(" ISB | policy admin | signing keys |");
    rule.push_str("---|---|---|");
    let _ = writeln!(out, "{header}\n{rule}");

    for person in &report.people {
        let github = person.github.as_deref().map(|g| format!("`{}`", cell(g))).unwrap_or_default();
        let _ = write!(out, "| `{}` | {} | {github} |", cell(&person.id), cell(&person.name));
        for environment in &report.environments {
            let _ = write!(out, " {} |", mark(person.approves.contains(environment)));
        }
        let keys: Vec<String> =
            person.signing_keys.iter().map(|k| format!("`{}`", cell(&k.shown()))).collect();
        let _ = writeln!(
            out,
            " {} | {} | {} |",
            mark(person.isb),
            mark(person.policy_admin),
            keys.join("<br>")
        );
    }

    for finding in &report.findings {
        let _ = write!(out, "\n> **{}:** {}", finding.severity.as_str(), cell(&finding.message));
        if let Some(hint) = &finding.hint {
            let _ = write!(out, " ({})", cell(hint));
        }
        out.push('\n');
    }
    out.push_str(
        "\nPlease confirm that this list matches the intended configuration, or name the \
         deviations.\n",
    );
    out
}

/// For machines; described by `release-gate schema access-review-report`.
pub fn render_json(report: &AccessReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
}
