//! `windows`: the coming occurrences of every window kind, per environment, with
//! what a person planning a change needs to know about each.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::model::Policy;
use crate::model::policy::Period;
use crate::window::{Schedule, Used, local, notice_rule};

/// How far the listing reaches.
#[derive(Clone, Copy, Debug)]
pub enum Reach {
    /// Up to this instant.
    Until(DateTime<FixedOffset>),
    /// This many occurrences per environment.
    Count(usize),
}

/// The listing, ready to render.
#[derive(Debug, Serialize)]
pub struct Listing {
    pub version: u32,
    pub timezone: String,
    pub from: DateTime<FixedOffset>,
    pub environments: Vec<EnvironmentListing>,
}

/// One environment's occurrences.
#[derive(Debug, Serialize)]
pub struct EnvironmentListing {
    pub name: String,
    pub branch: String,
    /// `false`: changes at any time (no windows).
    pub restricted: bool,
    /// Whether the stage records on the branch were read for the frequency budgets.
    pub records_read: bool,
    pub occurrences: Vec<Listed>,
    /// The emergency window kind, which is always open, if the environment has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency: Option<String>,
}

/// One occurrence.
#[derive(Debug, Serialize)]
pub struct Listed {
    pub window: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    /// Whether work with downtime may use it.
    pub downtime: bool,
    /// Whether it falls on a preferred weekday of its kind.
    pub preferred: bool,
    /// The public holiday or closing day it falls on, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holiday: Option<String>,
    /// The latest moment a notice for a deployment with downtime must be published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_deadline: Option<DateTime<FixedOffset>>,
    /// The kind's frequency limit, e.g. `1 per week`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Whether that limit is already reached by other occurrences in this period;
    /// absent when the kind has no limit or the branch could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_spent: Option<bool>,
}

/// Lists occurrences from `from`. `used` holds, per environment name, the
/// occurrences its branch's records use (absent: not known).
pub fn list(
    policy: &Policy,
    zone: Tz,
    only: Option<&str>,
    from: DateTime<FixedOffset>,
    reach: Reach,
    used: &HashMap<String, Vec<Used>>,
) -> Listing {
    let calendar = Calendar::of(&policy.calendar);
    let mut environments = Vec::new();

    for environment in policy.environments.iter().filter(|e| only.is_none_or(|name| e.name == name))
    {
        let schedule = Schedule { zone, calendar: &calendar, environment, isb: &policy.isb };
        let records = used.get(&environment.name);
        let empty = Vec::new();
        let records_used = records.unwrap_or(&empty);

        let mut occurrences: Vec<_> = environment
            .windows
            .iter()
            .filter(|w| !w.emergency)
            .flat_map(|w| {
                schedule
                    .occurrences(w, &from)
                    .take_while(move |o| match reach {
                        Reach::Until(until) => o.start < until,
                        Reach::Count(_) => true,
                    })
                    .take(match reach {
                        Reach::Count(n) => n,
                        Reach::Until(_) => usize::MAX,
                    })
            })
            .collect();
        occurrences.sort_by_key(|o| (o.start, o.window.name.clone()));
        if let Reach::Count(n) = reach {
            occurrences.truncate(n);
        }

        let listed = occurrences
            .iter()
            .map(|o| {
                let date = o.start.date_naive();
                let holiday = calendar
                    .holiday(date)
                    .map(str::to_string)
                    .or_else(|| calendar.is_closing_day(date).then(|| "closing day".to_string()));
                let notice_deadline = o
                    .window
                    .downtime
                    .then(|| notice_rule(o.window, TimeDelta::minutes(1)))
                    .flatten()
                    .map(|rule| schedule.notice_deadline(rule, o).fixed_offset());
                let limit = o.window.limit.as_ref().map(|l| {
                    format!(
                        "{} per {}",
                        l.count,
                        match l.per {
                            Period::Week => "week",
                            Period::Month => "month",
                        }
                    )
                });
                Listed {
                    window: o.window.name.clone(),
                    start: o.start.fixed_offset(),
                    end: o.end.fixed_offset(),
                    downtime: o.window.downtime,
                    preferred: o.preferred(),
                    holiday,
                    notice_deadline,
                    limit,
                    budget_spent: records.and_then(|_| schedule.budget_spent(o, records_used)),
                }
            })
            .collect();

        environments.push(EnvironmentListing {
            name: environment.name.clone(),
            branch: environment.branch.clone(),
            restricted: environment.restricted,
            records_read: records.is_some(),
            occurrences: listed,
            emergency: environment.windows.iter().find(|w| w.emergency).map(|w| w.name.clone()),
        });
    }

    Listing { version: 1, timezone: zone.name().to_string(), from, environments }
}

/// The listing for a person.
pub fn render_text(listing: &Listing, zone: Tz) -> String {
    let mut out =
        format!("Maintenance windows from {} ({})\n", local(zone, &listing.from), listing.timezone);
    for env in &listing.environments {
        out.push('\n');
        if !env.restricted {
            out.push_str(&format!(
                "{} (branch {}): no window restrictions\n",
                env.name, env.branch
            ));
            continue;
        }
        out.push_str(&format!("{} (branch {})\n", env.name, env.branch));
        for o in &env.occurrences {
            let start = o.start.with_timezone(&zone);
            let end = o.end.with_timezone(&zone);
            let end_text = if end.date_naive() > start.date_naive()
                && end.format("%H:%M").to_string() == "00:00"
            {
                "24:00".to_string()
            } else {
                end.format("%H:%M").to_string()
            };
            let mut notes =
                vec![if o.downtime { "downtime allowed" } else { "no downtime" }.to_string()];
            if let Some(deadline) = o.notice_deadline {
                notes.push(format!(
                    "notice by {}",
                    deadline.with_timezone(&zone).format("%a %Y-%m-%d %H:%M")
                ));
            }
            if o.preferred {
                notes.push("preferred day".into());
            }
            if let Some(holiday) = &o.holiday {
                notes.push(format!("on {holiday}"));
            }
            match (&o.limit, o.budget_spent) {
                (Some(limit), Some(true)) => notes.push(format!("{limit}: used")),
                (Some(limit), Some(false)) => notes.push(format!("{limit}: free")),
                (Some(limit), None) => notes.push(limit.clone()),
                (None, _) => {}
            }
            out.push_str(&format!(
                "  {} {}-{} {}  {:<15} {}\n",
                start.format("%a %Y-%m-%d"),
                start.format("%H:%M"),
                end_text,
                start.format("%:z"),
                o.window,
                notes.join(", ")
            ));
        }
        if let Some(emergency) = &env.emergency {
            out.push_str(&format!(
                "  any time                            {emergency:<15} declared by an ISB with a reason\n"
            ));
        }
        if !env.records_read {
            out.push_str(&format!(
                "  (frequency budgets not checked: branch `{}` not found here)\n",
                env.branch
            ));
        }
    }
    out
}

/// The listing as JSON.
pub fn render_json(listing: &Listing) -> String {
    serde_json::to_string_pretty(listing).unwrap_or_default() + "\n"
}

/// The listing as an iCalendar file (RFC 5545) with the zone's definition.
pub fn render_ics(listing: &Listing, zone: Tz, stamp: DateTime<Utc>) -> String {
    let events: Vec<crate::ics::Event> = listing
        .environments
        .iter()
        .flat_map(|env| {
            env.occurrences.iter().map(move |o| {
                let mut description = vec![if o.downtime {
                    "Work with downtime allowed; it starts when the window opens.".to_string()
                } else {
                    "No downtime allowed.".to_string()
                }];
                if let Some(deadline) = o.notice_deadline {
                    description.push(format!(
                        "A notice for downtime must be published by {}.",
                        local(zone, &deadline)
                    ));
                }
                if let Some(limit) = &o.limit {
                    description.push(format!("At most {limit}."));
                }
                crate::ics::Event {
                    uid: format!(
                        "{}-{}-{}@release-gate",
                        env.name,
                        o.window,
                        o.start.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ")
                    ),
                    start: o.start.with_timezone(&zone),
                    end: o.end.with_timezone(&zone),
                    summary: format!("{}: {} maintenance window", env.name, o.window),
                    description: description.join(" "),
                    categories: vec![env.name.clone(), o.window.clone()],
                }
            })
        })
        .collect();
    crate::ics::calendar("Maintenance windows", zone, stamp, &events)
}
