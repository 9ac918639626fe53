//! `plan`: a forecast of a release unit's path DEV -> TEST -> PROD.
//!
//! The steps and their lengths in working days are the handbook's regular pass
//! (SPEC section 3; at most 17 working days). A step of n working days takes the
//! n working days after the previous step ends. A deployment to an environment
//! with windows lands in the first occurrence, of any of its kinds, that opens
//! after the preparation and satisfies the window rules: downtime allowed where
//! the unit needs it, a notice published when the preparation starts reaching
//! the window in time, and the kind's weekly or monthly budget not spent by the
//! records on the environment's branch. Where a kind prefers weekdays (PROD:
//! Wednesday), an occurrence on a preferred day in the same week wins over an
//! earlier one.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::model::{Policy, ReleaseUnit};
use crate::window::{Fold, Need, Occurrence, Schedule, Used, resolve};

/// One step of the handbook's regular pass.
struct StepRule {
    name: &'static str,
    /// Index into the policy's environments.
    environment: usize,
    working_days: i64,
    /// A deployment: lands in a window occurrence where the environment has windows.
    deployment: bool,
}

/// The regular pass, for three environments.
const REGULAR_PASS: [StepRule; 8] = [
    StepRule { name: "Release preparation", environment: 0, working_days: 3, deployment: false },
    StepRule { name: "Deployment", environment: 0, working_days: 2, deployment: true },
    StepRule { name: "QA", environment: 0, working_days: 1, deployment: false },
    StepRule { name: "Release preparation", environment: 1, working_days: 1, deployment: false },
    StepRule { name: "Deployment", environment: 1, working_days: 1, deployment: true },
    StepRule { name: "QA", environment: 1, working_days: 5, deployment: false },
    StepRule { name: "Release preparation", environment: 2, working_days: 1, deployment: false },
    StepRule { name: "Deployment and QA", environment: 2, working_days: 1, deployment: true },
];

/// The forecast.
#[derive(Debug, Serialize)]
pub struct Forecast {
    pub version: u32,
    pub unit: String,
    pub release: String,
    pub from: DateTime<FixedOffset>,
    pub downtime: bool,
    pub steps: Vec<Step>,
    /// When the unit is released for production use, if every step found its place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done: Option<DateTime<FixedOffset>>,
    /// Working days from the start to the release for production use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_days: Option<i64>,
}

/// One step, placed in time.
#[derive(Debug, Serialize)]
pub struct Step {
    pub environment: String,
    pub name: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    /// The handbook's length of the step, in working days.
    pub working_days: i64,
    /// The window kind a deployment lands in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// The latest moment the customer notice must be published for that window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_by: Option<DateTime<FixedOffset>>,
}

/// Why no forecast can be made.
#[derive(Debug)]
pub enum PlanError {
    /// The policy does not have the three environments the regular pass needs.
    Environments(usize),
    /// No occurrence takes the deployment within the search horizon.
    NoWindow { environment: String },
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Environments(n) => {
                write!(f, "the handbook's pass has three environments; the policy has {n}")
            }
            PlanError::NoWindow { environment } => write!(
                f,
                "no window of `{environment}` takes this unit in the coming two years \
                 (downtime not allowed anywhere, or every budget spent)"
            ),
        }
    }
}

/// Forecasts the path of `unit` from `from` (its delivery, unless given).
pub fn forecast(
    policy: &Policy,
    zone: Tz,
    unit: &ReleaseUnit,
    from: DateTime<FixedOffset>,
    used: &HashMap<String, Vec<Used>>,
) -> Result<Forecast, PlanError> {
    if policy.environments.len() != 3 {
        return Err(PlanError::Environments(policy.environments.len()));
    }
    let calendar = Calendar::of(&policy.calendar);
    let midnight = |date: NaiveDate| {
        resolve(zone, date.and_hms_opt(0, 0, 0).unwrap_or_default(), Fold::Earlier)
    };
    let next_day = |date: NaiveDate| date.succ_opt().unwrap_or(date);

    // `cursor` is the last day the previous step occupied; `since` the instant it ended.
    let mut cursor = from.with_timezone(&zone).date_naive();
    let mut since: DateTime<Tz> = from.with_timezone(&zone);
    let mut steps = Vec::new();
    let mut preparation_start = since;

    for rule in &REGULAR_PASS {
        let environment = &policy.environments[rule.environment];
        if rule.name == "Release preparation" {
            preparation_start = since;
        }

        if rule.deployment && environment.restricted {
            let schedule = Schedule { zone, calendar: &calendar, environment, isb: &policy.isb };
            let records = used.get(&environment.name).map_or(&[][..], Vec::as_slice);
            let need = Need {
                downtime: if unit.downtime { TimeDelta::minutes(1) } else { TimeDelta::zero() },
                published: Some(preparation_start.fixed_offset()),
            };
            let occurrence = land(&schedule, &need, records, since.with_timezone(&Utc))
                .ok_or_else(|| PlanError::NoWindow { environment: environment.name.clone() })?;
            let notice_by = crate::window::notice_rule(occurrence.window, need.downtime)
                .map(|rule| schedule.notice_deadline(rule, &occurrence).fixed_offset());
            steps.push(Step {
                environment: environment.name.clone(),
                name: rule.name.to_string(),
                start: occurrence.start.fixed_offset(),
                end: occurrence.end.fixed_offset(),
                working_days: rule.working_days,
                window: Some(occurrence.window.name.clone()),
                notice_by,
            });
            cursor = occurrence.start.date_naive();
            since = occurrence.end;
            continue;
        }

        let first = calendar.add_working_days(cursor, 1);
        let last = calendar.add_working_days(cursor, rule.working_days);
        let start = midnight(first).max(since);
        let end = midnight(next_day(last));
        steps.push(Step {
            environment: environment.name.clone(),
            name: rule.name.to_string(),
            start: start.fixed_offset(),
            end: end.fixed_offset(),
            working_days: rule.working_days,
            window: None,
            notice_by: None,
        });
        cursor = last;
        since = end;
    }

    let done = steps.last().map(|s| s.end);
    let working_days =
        Some(calendar.working_days_between(from.with_timezone(&zone).date_naive(), cursor));
    Ok(Forecast {
        version: 1,
        unit: unit.unit.clone(),
        release: unit.version.clone(),
        from,
        downtime: unit.downtime,
        steps,
        done,
        working_days,
    })
}

/// The occurrence a deployment lands in: the first that fits, or a fitting one on
/// a preferred weekday in the same ISO week.
fn land<'p>(
    schedule: &Schedule<'p>,
    need: &Need,
    used: &[Used],
    after: DateTime<Utc>,
) -> Option<Occurrence<'p>> {
    let first = schedule.next_allowed(None, need, used, after)?;
    let week = first.start.iso_week();
    let preferred = schedule
        .environment
        .windows
        .iter()
        .filter(|w| !w.emergency && !w.preferred_days.is_empty())
        .filter_map(|w| {
            schedule.occurrences(w, &first.start).take_while(|o| o.start.iso_week() == week).find(
                |o| o.start >= first.start && o.preferred() && schedule.fits(o, need, used, after),
            )
        })
        .min_by_key(|o| o.start);
    Some(preferred.unwrap_or(first))
}

/// A Markdown table of the forecast.
pub fn render_table(forecast: &Forecast, zone: Tz) -> String {
    let time =
        |t: &DateTime<FixedOffset>| t.with_timezone(&zone).format("%a %Y-%m-%d %H:%M").to_string();
    let mut out = format!(
        "Forecast for {} {} from {} ({}, {})\n\n",
        forecast.unit,
        forecast.release,
        time(&forecast.from),
        zone.name(),
        if forecast.downtime { "with downtime" } else { "without downtime" }
    );
    out.push_str("| environment | step | from | until | working days | window | notice by |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for step in &forecast.steps {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            step.environment,
            step.name,
            time(&step.start),
            time(&step.end),
            step.working_days,
            step.window.as_deref().unwrap_or("-"),
            step.notice_by.as_ref().map_or("-".to_string(), time),
        ));
    }
    if let (Some(done), Some(days)) = (&forecast.done, forecast.working_days) {
        out.push_str(&format!(
            "\nReleased for production use by {} ({days} working days; the handbook's regular pass takes at most 17).\n",
            time(done)
        ));
    }
    out
}

/// The forecast as a Mermaid Gantt chart, which GitHub renders in Markdown.
pub fn render_gantt(forecast: &Forecast, zone: Tz) -> String {
    let time =
        |t: &DateTime<FixedOffset>| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
    let mut out = String::from("```mermaid\ngantt\n");
    out.push_str(&format!("    title {} {}: path to PROD\n", forecast.unit, forecast.release));
    out.push_str("    dateFormat YYYY-MM-DD HH:mm\n    axisFormat %d.%m.\n");
    let mut section = "";
    for (index, step) in forecast.steps.iter().enumerate() {
        if step.environment != section {
            section = &step.environment;
            out.push_str(&format!("    section {}\n", section.to_uppercase()));
        }
        let label = match &step.window {
            Some(window) => format!("{} ({window} window)", step.name),
            None => step.name.clone(),
        };
        let tag = if step.window.is_some() { "crit, " } else { "" };
        out.push_str(&format!(
            "    {label} :{tag}s{index}, {}, {}\n",
            time(&step.start),
            time(&step.end)
        ));
    }
    out.push_str("```\n");
    out
}

/// The forecast as JSON.
pub fn render_json(forecast: &Forecast) -> String {
    serde_json::to_string_pretty(forecast).unwrap_or_default() + "\n"
}
