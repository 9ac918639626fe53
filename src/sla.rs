//! `sla`: standard changes against their maximum provisioning times (SPEC §6).
//!
//! The rules, also stated in the README:
//! - The clock starts at `documents-complete`. The day it falls on (local date in
//!   the policy's zone) never counts, as for every "n working days after" in the
//!   tool. The change is due at the end (23:59:59 local time) of the `days`-th
//!   counted day after it.
//! - A counted day is a working day of the policy's calendar that no pause
//!   touches. A pause [from, until) touches a day when it starts before the day
//!   ends and ends after the day begins, so a working day spent even partly
//!   waiting for the customer does not count. Overlapping pauses touch a day once.
//! - Exactly at the due instant the change is still on time; one second later it
//!   is overdue. A completion is on time when it is not later than the due instant.
//! - For kinds with `auto-accept-after`, the customer's feedback is due at the end
//!   of that many working days after the completion's day (pauses do not apply).
//!   Without feedback by then the result is accepted automatically.
//! - A completion or feedback dated after the evaluation instant has not
//!   happened yet at that instant.
//! - Feedback given before `completed` belongs to an earlier result and is not
//!   counted. A `rejected` result means the change goes on: it is treated as not
//!   completed, against the same due date, until `completed` names a later result.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::diagnostic::{Code, Finding};
use crate::model::StandardChange;
use crate::model::change::FeedbackResult;
use crate::model::policy::ChangeRule;
use crate::time::parse_instant;
use crate::window::{Fold, resolve};

/// A customer-side pause as two instants, `from` before `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pause {
    pub from: DateTime<FixedOffset>,
    pub until: DateTime<FixedOffset>,
}

/// Working-day counting in the policy's zone: its calendar minus pauses (a
/// standard change's customer-side pauses; none for the acceptance rework deadline).
#[derive(Clone, Debug)]
pub struct Clock<'a> {
    pub calendar: &'a Calendar,
    pub zone: Tz,
    pub pauses: &'a [Pause],
}

impl Clock<'_> {
    /// The first instant of a local date (after a spring gap, its first minute).
    fn start_of(&self, day: NaiveDate) -> DateTime<FixedOffset> {
        resolve(self.zone, day.and_time(chrono::NaiveTime::MIN), Fold::Earlier).fixed_offset()
    }

    /// The last second of a local date: what "the end of the day" means for a deadline.
    pub fn end_of(&self, day: NaiveDate) -> DateTime<FixedOffset> {
        let next = day.succ_opt().unwrap_or(day);
        self.start_of(next) - TimeDelta::seconds(1)
    }

    /// Whether a pause covers any part of the local date.
    pub fn paused(&self, day: NaiveDate) -> bool {
        let start = self.start_of(day);
        let end = self.start_of(day.succ_opt().unwrap_or(day));
        self.pauses.iter().any(|p| p.from < end && p.until > start)
    }

    /// A working day that no pause touches.
    pub fn counts(&self, day: NaiveDate) -> bool {
        self.calendar.is_working_day(day) && !self.paused(day)
    }

    /// The `n`-th counted day after `start` (`start` itself never counts).
    pub fn nth_after(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            match day.succ_opt() {
                Some(next) => day = next,
                None => return day,
            }
            if self.counts(day) {
                left -= 1;
            }
        }
        day
    }

    /// Counted days after `start`, up to and including `end`.
    pub fn counted_between(&self, start: NaiveDate, end: NaiveDate) -> u32 {
        let days = start.iter_days().skip(1).take_while(|d| *d <= end);
        days.filter(|d| self.counts(*d)).count().try_into().unwrap_or(u32::MAX)
    }

    /// The local date of an instant.
    pub fn day_of(&self, instant: DateTime<FixedOffset>) -> NaiveDate {
        instant.with_timezone(&self.zone).date_naive()
    }
}

/// Where a standard change stands at the evaluation instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The documents are complete only after the evaluation instant: the clock
    /// has not started.
    Pending,
    /// Not completed, and the due instant has not passed.
    Open,
    /// Open, with no more than the kind's `due-soon` counted days left.
    DueSoon,
    /// Not completed, and the due instant has passed.
    Overdue,
    /// Completed; the kind has no acceptance test.
    Completed,
    /// Completed; the customer's feedback is due and not given yet.
    AwaitingFeedback,
    /// Completed; no feedback came in time, so the result counts as accepted.
    AutoAccepted,
    /// Completed; the customer accepted the result.
    Accepted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Open => "open",
            Status::DueSoon => "due-soon",
            Status::Overdue => "overdue",
            Status::Completed => "completed",
            Status::AwaitingFeedback => "awaiting-feedback",
            Status::AutoAccepted => "auto-accepted",
            Status::Accepted => "accepted",
        }
    }
}

/// One change's times, computed from the manifest and the policy.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Entry {
    /// The manifest, as named on the command line or found.
    pub file: PathBuf,
    pub id: String,
    pub change: String,
    pub customer: String,
    /// The kind's maximum provisioning time in working days.
    pub days: u32,
    pub documents_complete: DateTime<FixedOffset>,
    /// Working days not counted because a pause touches them.
    pub paused_days: Vec<NaiveDate>,
    /// The last instant the change is on time.
    pub due: DateTime<FixedOffset>,
    pub status: Status,
    /// Counted days used: up to the completion, or up to the evaluation instant.
    pub working_days_used: u32,
    /// While open: counted days after the evaluation day up to the due day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_days_left: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<DateTime<FixedOffset>>,
    /// Whether the completion was not later than the due instant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_time: Option<bool>,
    /// For kinds with an acceptance test: the last instant feedback counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback_due: Option<DateTime<FixedOffset>>,
    /// When the customer rejected the result; the change goes on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected: Option<DateTime<FixedOffset>>,
}

/// Why a change's times cannot be computed. Linting the manifest first reports
/// these with positions; this is the guard for callers that did not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable(pub String);

/// Computes one change's due date and status at `at`.
pub fn evaluate(
    file: &Path,
    change: &StandardChange,
    rule: &ChangeRule,
    calendar: &Calendar,
    zone: Tz,
    at: DateTime<FixedOffset>,
) -> Result<Entry, Unreadable> {
    let instant = |pointer: &str, text: &str| {
        parse_instant(text).map_err(|_| Unreadable(format!("{pointer}: `{text}`")))
    };

    // Gather: the instants the manifest names.
    let start = instant("/documents-complete", &change.documents_complete)?;
    let mut pauses = Vec::new();
    for (index, pause) in change.pauses.iter().enumerate() {
        let from = instant(&format!("/pauses/{index}/from"), &pause.from)?;
        let until = instant(&format!("/pauses/{index}/until"), &pause.until)?;
        if until < from {
            return Err(Unreadable(format!("/pauses/{index}: ends before it starts")));
        }
        pauses.push(Pause { from, until });
    }
    let completed = change.completed.as_deref().map(|c| instant("/completed", c)).transpose()?;
    let feedback = match &change.feedback {
        Some(feedback) => Some((instant("/feedback/at", &feedback.at)?, feedback.result)),
        None => None,
    };
    // As of `at`: a completion or feedback dated later has not happened yet, so
    // replaying an earlier instant shows what was known then.
    let completed = completed.filter(|done| *done <= at);
    let feedback = feedback.filter(|(given, _)| *given <= at);

    // The due date over counted days.
    let clock = Clock { calendar, zone, pauses: &pauses };
    let first = clock.day_of(start);
    let due_day = clock.nth_after(first, rule.days);
    let due = clock.end_of(due_day);
    let paused_days = first
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= due_day)
        .filter(|d| calendar.is_working_day(*d) && clock.paused(*d))
        .collect();

    // Feedback older than the completion was about an earlier result; feedback
    // after the acceptance deadline comes too late to change anything.
    let feedback_due = match (completed, rule.auto_accept_after) {
        (Some(done), Some(after)) => {
            let calendar_only = Clock { calendar, zone, pauses: &[] };
            Some(calendar_only.end_of(calendar_only.nth_after(clock.day_of(done), after)))
        }
        _ => None,
    };
    let feedback = feedback
        .filter(|(given, _)| completed.is_some_and(|done| *given >= done))
        .filter(|(given, _)| feedback_due.is_none_or(|by| *given <= by));
    let rejected = feedback.filter(|(_, r)| *r == FeedbackResult::Rejected).map(|(at, _)| at);
    let done = completed.filter(|_| rejected.is_none());
    let feedback_due = feedback_due.filter(|_| done.is_some());

    let today = clock.day_of(at);
    let left = clock.counted_between(today.max(first), due_day);
    let accepted = feedback.is_some_and(|(_, r)| r == FeedbackResult::Accepted);
    let status = match (done, feedback_due) {
        (None, _) if at < start => Status::Pending,
        (None, _) if at > due => Status::Overdue,
        (None, _) if left <= rule.due_soon => Status::DueSoon,
        (None, _) => Status::Open,
        (Some(_), _) if accepted => Status::Accepted,
        (Some(_), None) => Status::Completed,
        (Some(_), Some(by)) if at > by => Status::AutoAccepted,
        (Some(_), Some(_)) => Status::AwaitingFeedback,
    };

    let used_until = clock.day_of(done.unwrap_or(at));
    Ok(Entry {
        file: file.to_path_buf(),
        id: change.id.clone(),
        change: change.change.clone(),
        customer: change.customer.clone(),
        days: rule.days,
        documents_complete: start,
        paused_days,
        due,
        status,
        working_days_used: clock.counted_between(first, used_until),
        working_days_left: matches!(status, Status::Open | Status::DueSoon).then_some(left),
        completed: done,
        on_time: done.map(|done| done <= due),
        feedback_due,
        rejected,
    })
}

impl Entry {
    /// The finding an overdue change raises, pointing at `documents-complete`.
    pub fn overdue(&self) -> Option<Finding> {
        if self.status != Status::Overdue {
            return None;
        }
        let message = format!(
            "{} ({}) is overdue: {} working days from {} ended at {}",
            self.id,
            self.change,
            self.days,
            local(self.documents_complete),
            local(self.due)
        );
        Some(
            Finding::error(Code::ChangeOverdue, &self.file, message)
                .at("/documents-complete")
                .hint("complete the change and record `completed`, or record customer-side pauses"),
        )
    }

    /// One sentence on the status, for people.
    pub fn sentence(&self) -> String {
        let used = format!("{} of {} working days used", self.working_days_used, self.days);
        let timing = |on_time: Option<bool>| {
            if on_time == Some(false) { "late" } else { "on time" }
        };
        let completed = self.completed.map(local).unwrap_or_default();
        let rejected = match self.rejected {
            Some(at) => format!("; result rejected {}, the change goes on", local(at)),
            None => String::new(),
        };
        match self.status {
            Status::Pending => {
                format!("pending: the clock starts at {}", local(self.documents_complete))
            }
            Status::Open => format!("open, {used}{rejected}"),
            Status::DueSoon => {
                let left = match self.working_days_left {
                    Some(0) | None => "due today".to_string(),
                    Some(1) => "1 working day left".to_string(),
                    Some(n) => format!("{n} working days left"),
                };
                format!("DUE SOON, {left}: {used}{rejected}")
            }
            Status::Overdue => format!("OVERDUE since {}, {used}{rejected}", local(self.due)),
            Status::Completed => {
                format!("completed {completed}, {} ({used})", timing(self.on_time))
            }
            Status::AwaitingFeedback => format!(
                "completed {completed}, {} ({used}); awaiting feedback, accepted automatically \
                 after {}",
                timing(self.on_time),
                self.feedback_due.map(local).unwrap_or_default()
            ),
            Status::AutoAccepted => format!(
                "completed {completed}, {} ({used}); auto-accepted: no feedback by {}",
                timing(self.on_time),
                self.feedback_due.map(local).unwrap_or_default()
            ),
            Status::Accepted => format!(
                "completed {completed}, {} ({used}); accepted by the customer",
                timing(self.on_time)
            ),
        }
    }
}

/// An instant as the reports show it: weekday, local date and time, offset.
pub fn local(instant: DateTime<FixedOffset>) -> String {
    instant.format("%a %Y-%m-%d %H:%M:%S %:z").to_string()
}

/// Every change's entry, with the findings of the overdue ones.
#[derive(Clone, Debug)]
pub struct SlaReport {
    /// The evaluation instant, in the calendar's zone.
    pub at: DateTime<FixedOffset>,
    pub zone: String,
    pub policy: String,
    pub entries: Vec<Entry>,
    pub findings: Vec<Finding>,
}

impl SlaReport {
    pub fn overdue(&self) -> usize {
        self.count(Status::Overdue)
    }

    pub fn due_soon(&self) -> usize {
        self.count(Status::DueSoon)
    }

    fn count(&self, status: Status) -> usize {
        self.entries.iter().filter(|e| e.status == status).count()
    }
}

/// For a person: one block per change, then the overdue findings.
pub fn render_text(report: &SlaReport) -> String {
    let mut out = String::new();
    let at = local(report.at);
    out.push_str(&format!("Standard changes at {at} ({})\n", report.zone));
    for entry in &report.entries {
        out.push_str(&format!(
            "\n{}  {}  {}\n  documents complete {}; {} working days; due {}\n",
            entry.id,
            entry.change,
            entry.customer,
            local(entry.documents_complete),
            entry.days,
            local(entry.due)
        ));
        if !entry.paused_days.is_empty() {
            let days: Vec<String> = entry.paused_days.iter().map(|d| d.to_string()).collect();
            out.push_str(&format!("  paused (not counted): {}\n", days.join(", ")));
        }
        out.push_str(&format!("  {}\n", entry.sentence()));
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }
    for finding in &report.findings {
        out.push_str(&crate::render::text::headline(finding));
        out.push('\n');
    }
    let changes = if report.entries.len() == 1 { "change" } else { "changes" };
    out.push_str(&format!(
        "\n{} {changes}, {} overdue, {} due soon\n",
        report.entries.len(),
        report.overdue(),
        report.due_soon()
    ));
    out
}

/// A Markdown table, one row per change.
pub fn render_markdown(report: &SlaReport) -> String {
    let mut out = String::new();
    let at = local(report.at);
    out.push_str(&format!("## Standard changes at {at} ({})\n\n", report.zone));
    out.push_str("| change | kind | customer | documents complete | due | status |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for entry in &report.entries {
        let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(&entry.id),
            cell(&entry.change),
            cell(&entry.customer),
            local(entry.documents_complete),
            local(entry.due),
            cell(&entry.sentence())
        ));
    }
    out.push_str(&format!(
        "\n{} of {} changes overdue, {} due soon.\n",
        report.overdue(),
        report.entries.len(),
        report.due_soon()
    ));
    out
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct JsonReport<'a> {
    version: u32,
    at: DateTime<FixedOffset>,
    timezone: &'a str,
    policy: &'a str,
    overdue: usize,
    due_soon: usize,
    changes: &'a [Entry],
    findings: &'a [Finding],
}

/// For machines; described by `release-gate schema sla-report`.
pub fn render_json(report: &SlaReport) -> String {
    let body = JsonReport {
        version: 1,
        at: report.at,
        timezone: &report.zone,
        policy: &report.policy,
        overdue: report.overdue(),
        due_soon: report.due_soon(),
        changes: &report.entries,
        findings: &report.findings,
    };
    serde_json::to_string_pretty(&body).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::policy::State;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn instant(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn the_start_day_never_counts_and_holidays_are_skipped() {
        let calendar = Calendar::new(State::SL, []);
        let clock = Clock { calendar: &calendar, zone: chrono_tz::Europe::Berlin, pauses: &[] };
        // Tue 22 Dec 2026: 23, 24 (Wed, Thu) count, 25/26 are holidays, 28, 29, 30.
        assert_eq!(clock.nth_after(date("2026-12-22"), 5), date("2026-12-30"));
        assert_eq!(clock.end_of(date("2026-12-30")), instant("2026-12-30T23:59:59+01:00"));
        // A Saturday start counts from Monday.
        assert_eq!(clock.nth_after(date("2026-11-28"), 1), date("2026-11-30"));
    }

    #[test]
    fn overlapping_pauses_touch_a_day_once() {
        let calendar = Calendar::new(State::SL, []);
        let pauses = [
            Pause {
                from: instant("2026-11-09T09:00:00+01:00"),
                until: instant("2026-11-10T12:00:00+01:00"),
            },
            Pause {
                from: instant("2026-11-10T08:00:00+01:00"),
                until: instant("2026-11-11T00:00:00+01:00"),
            },
        ];
        let clock = Clock { calendar: &calendar, zone: chrono_tz::Europe::Berlin, pauses: &pauses };
        assert!(clock.paused(date("2026-11-09")));
        assert!(clock.paused(date("2026-11-10")));
        // Ending at midnight does not touch the next day.
        assert!(!clock.paused(date("2026-11-11")));
        // Mon 2 Nov + 5: 3, 4, 5, 6, (9, 10 paused) 11.
        assert_eq!(clock.nth_after(date("2026-11-02"), 5), date("2026-11-11"));
        assert_eq!(clock.counted_between(date("2026-11-02"), date("2026-11-11")), 5);
    }

    #[test]
    fn days_end_at_local_midnight_across_daylight_saving() {
        let calendar = Calendar::new(State::SL, []);
        let clock = Clock { calendar: &calendar, zone: chrono_tz::Europe::Berlin, pauses: &[] };
        assert_eq!(clock.end_of(date("2026-03-28")), instant("2026-03-28T23:59:59+01:00"));
        assert_eq!(clock.end_of(date("2026-03-29")), instant("2026-03-29T23:59:59+02:00"));
    }
}
