//! Maintenance windows: their occurrences in local time, and the rules a planned
//! deployment must satisfy to use one.
//!
//! Everything here is a pure function of the policy, the records already on the
//! environment's branch (as [`Used`] occurrences) and an evaluation instant, so it
//! is tested without git.
//!
//! Time semantics (also in the README):
//! - Window times are local times of the policy's zone. `24:00` is midnight at the
//!   end of the day, i.e. 00:00 of the next day.
//! - A window boundary that falls into the spring gap (a local time that does not
//!   exist) moves to the end of the gap: 02:30 on the last Sunday of March is
//!   03:00 CEST.
//! - A boundary in the autumn fold (a local time that exists twice) is read so the
//!   window is as long as written on the wall clock allows: a start takes the
//!   earlier of the two instants, an end the later.
//! - An occurrence is the half-open interval [start, end).

use chrono::{
    DateTime, Datelike, Days, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime,
    TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;

use crate::calendar::Calendar;
use crate::diagnostic::Code;
use crate::model::policy::{
    Environment, LeadUnit, NoticeRule, NoticeWhen, Period, Weekday, Window,
};
use crate::time::{format_duration, parse_time_range};

/// How far ahead the tool looks for an allowed occurrence before giving up.
const SEARCH_DAYS: u64 = 800;

/// One occurrence of a window kind.
#[derive(Clone, Debug)]
pub struct Occurrence<'p> {
    pub window: &'p Window,
    pub start: DateTime<Tz>,
    pub end: DateTime<Tz>,
}

impl Occurrence<'_> {
    /// Whether an instant lies inside [start, end).
    pub fn contains<T: TimeZone>(&self, instant: &DateTime<T>) -> bool {
        self.start <= *instant && *instant < self.end
    }

    /// The length of the occurrence.
    pub fn length(&self) -> TimeDelta {
        self.end.signed_duration_since(self.start)
    }

    /// Whether the occurrence falls on a preferred weekday of its kind.
    pub fn preferred(&self) -> bool {
        self.window.preferred_days.contains(&weekday(self.start.date_naive()))
    }
}

/// Which instant a local time in the fold stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fold {
    Earlier,
    Later,
}

/// The instant of a local time: in the gap, the end of the gap; in the fold, as asked.
pub fn resolve(zone: Tz, local: NaiveDateTime, fold: Fold) -> DateTime<Tz> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(early, late) => match fold {
            Fold::Earlier => early,
            Fold::Later => late,
        },
        LocalResult::None => {
            // The first local minute after the gap exists; gaps last at most hours.
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += TimeDelta::minutes(1);
                if let Some(t) = zone.from_local_datetime(&probe).earliest() {
                    return t;
                }
            }
            zone.from_utc_datetime(&local)
        }
    }
}

fn weekday(date: NaiveDate) -> Weekday {
    match date.weekday() {
        chrono::Weekday::Mon => Weekday::Mon,
        chrono::Weekday::Tue => Weekday::Tue,
        chrono::Weekday::Wed => Weekday::Wed,
        chrono::Weekday::Thu => Weekday::Thu,
        chrono::Weekday::Fri => Weekday::Fri,
        chrono::Weekday::Sat => Weekday::Sat,
        chrono::Weekday::Sun => Weekday::Sun,
    }
}

/// The time rules of one environment.
#[derive(Clone, Debug)]
pub struct Schedule<'p> {
    pub zone: Tz,
    pub calendar: &'p Calendar,
    pub environment: &'p Environment,
    /// Person ids of the ISB, who declare emergencies.
    pub isb: &'p [String],
}

impl<'p> Schedule<'p> {
    /// The window kind of this environment with that name.
    pub fn window(&self, name: &str) -> Option<&'p Window> {
        self.environment.windows.iter().find(|w| w.name == name)
    }

    /// The occurrences of a window kind on one local date.
    pub fn occurrences_on(&self, window: &'p Window, date: NaiveDate) -> Vec<Occurrence<'p>> {
        let open = window.days.contains(&weekday(date))
            && !(window.skip_holidays
                && (self.calendar.holiday(date).is_some() || self.calendar.is_closing_day(date)));
        if window.emergency || !open {
            return Vec::new();
        }
        window
            .times
            .iter()
            .filter_map(|range| parse_time_range(range))
            .map(|(from, to)| {
                let local = |minutes: u32| {
                    let days = u64::from(minutes / (24 * 60));
                    let time =
                        NaiveTime::from_num_seconds_from_midnight_opt((minutes % 1440) * 60, 0)
                            .unwrap_or(NaiveTime::MIN);
                    date.checked_add_days(Days::new(days)).unwrap_or(date).and_time(time)
                };
                Occurrence {
                    window,
                    start: resolve(self.zone, local(from), Fold::Earlier),
                    end: resolve(self.zone, local(to), Fold::Later),
                }
            })
            .collect()
    }

    /// Occurrences of a window kind that end after `from`, in order, looking
    /// [`SEARCH_DAYS`] ahead. Emergency windows have none: they are always open.
    pub fn occurrences<Z: TimeZone>(
        &self,
        window: &'p Window,
        from: &DateTime<Z>,
    ) -> impl Iterator<Item = Occurrence<'p>> + '_ {
        let from = from.with_timezone(&Utc);
        let first =
            from.with_timezone(&self.zone).date_naive().pred_opt().unwrap_or(NaiveDate::MIN);
        first
            .iter_days()
            .take(SEARCH_DAYS as usize)
            .flat_map(move |date| self.occurrences_on(window, date))
            .filter(move |occurrence| occurrence.end > from)
    }

    /// The occurrence of a window kind that contains an instant.
    pub fn occurrence_at<Z: TimeZone>(
        &self,
        window: &'p Window,
        at: &DateTime<Z>,
    ) -> Option<Occurrence<'p>> {
        self.occurrences(window, at).take_while(|o| o.start <= *at).find(|o| o.contains(at))
    }

    /// The latest moment a notice for a deployment in this occurrence may be published:
    /// the occurrence's start moved back by the lead, keeping the local time of day.
    pub fn notice_deadline(&self, rule: &NoticeRule, occurrence: &Occurrence<'_>) -> DateTime<Tz> {
        let local = occurrence.start.naive_local();
        let lead = i64::from(rule.lead);
        let date = match rule.unit {
            LeadUnit::Days => local.date().checked_sub_days(Days::new(lead as u64)),
            LeadUnit::WorkingDays => Some(self.calendar.add_working_days(local.date(), -lead)),
        }
        .unwrap_or(local.date());
        resolve(self.zone, date.and_time(local.time()), Fold::Earlier)
    }

    /// Which period (ISO week or calendar month) a local date falls into, for limits.
    fn period(per: Period, date: NaiveDate) -> (i32, u32) {
        match per {
            Period::Week => (date.iso_week().year(), date.iso_week().week()),
            Period::Month => (date.year(), date.month()),
        }
    }

    /// How many distinct occurrences of the kind other than `this` are used in the
    /// same period as `this`.
    fn used_in_period(
        &self,
        window: &Window,
        per: Period,
        this: &Occurrence<'_>,
        used: &[Used],
    ) -> usize {
        let here = Self::period(per, this.start.date_naive());
        let mut starts: Vec<DateTime<Tz>> = used
            .iter()
            .filter(|u| u.window == window.name)
            .filter_map(|u| self.occurrence_at(self.window(&u.window)?, &u.start))
            .filter(|o| Self::period(per, o.start.date_naive()) == here && o.start != this.start)
            .map(|o| o.start)
            .collect();
        starts.sort();
        starts.dedup();
        starts.len()
    }

    /// Whether the kind's frequency budget for the occurrence's period is spent by
    /// other occurrences; `None` when the kind has no limit.
    pub fn budget_spent(&self, occurrence: &Occurrence<'_>, used: &[Used]) -> Option<bool> {
        let limit = occurrence.window.limit.as_ref()?;
        Some(
            self.used_in_period(occurrence.window, limit.per, occurrence, used)
                >= limit.count as usize,
        )
    }

    /// Whether an occurrence could take a deployment with this downtime and notice,
    /// judged at `at`: long enough, downtime allowed, notice in time (or still
    /// possible, if none is published yet), budget left.
    pub fn fits(
        &self,
        occurrence: &Occurrence<'_>,
        need: &Need,
        used: &[Used],
        at: DateTime<Utc>,
    ) -> bool {
        let window = occurrence.window;
        if need.downtime > TimeDelta::zero()
            && (!window.downtime || need.downtime > occurrence.length())
        {
            return false;
        }
        if let Some(rule) = notice_rule(window, need.downtime) {
            let deadline = self.notice_deadline(rule, occurrence).with_timezone(&Utc);
            let published = need.published.map_or(at, |p| p.with_timezone(&Utc));
            if published > deadline {
                return false;
            }
        }
        match &window.limit {
            Some(limit) => {
                self.used_in_period(window, limit.per, occurrence, used) < limit.count as usize
            }
            None => true,
        }
    }

    /// The first occurrence, of the named kind or (with `None`) of any kind of the
    /// environment, that starts after `at` and would take the deployment.
    pub fn next_allowed(
        &self,
        window: Option<&str>,
        need: &Need,
        used: &[Used],
        at: DateTime<Utc>,
    ) -> Option<Occurrence<'p>> {
        let kinds: Vec<&'p Window> = self
            .environment
            .windows
            .iter()
            .filter(|w| !w.emergency && window.is_none_or(|name| w.name == name))
            .collect();
        kinds
            .into_iter()
            .filter_map(|w| {
                self.occurrences(w, &at)
                    .filter(|o| o.start >= at)
                    .find(|o| self.fits(o, need, used, at))
            })
            .min_by_key(|o| o.start)
    }

    /// Judges a planned deployment in a window kind at an evaluation instant.
    pub fn evaluate(
        &self,
        window_name: &str,
        plan: &Plan,
        used: &[Used],
        at: DateTime<Utc>,
    ) -> Evaluation<'p> {
        let mut evaluation = Evaluation { occurrence: None, breaches: Vec::new() };
        let Some(window) = self.window(window_name) else {
            evaluation.breaches.push(Breach::new(
                Code::UnknownWindow,
                format!("`{window_name}` is not a window of `{}`", self.environment.name),
                "name one of the environment's windows".into(),
            ));
            return evaluation;
        };
        if window.emergency {
            self.judge_emergency(plan, &mut evaluation);
            return evaluation;
        }

        let need =
            Need { downtime: plan.downtime, published: plan.notice.as_ref().map(|n| n.published) };
        let next = |kind: Option<&str>| self.next_allowed(kind, &need, used, at);
        let occurrence = self.occurrence_at(window, &plan.start);

        // The evaluation instant and the planned interval lie in one occurrence.
        let inside = occurrence
            .as_ref()
            .is_some_and(|o| o.contains(&at) && plan.end <= o.end && plan.start < plan.end);
        if !inside {
            let message = match &occurrence {
                None => format!(
                    "the planned start {} lies outside every `{window_name}` window of `{}`",
                    local(self.zone, &plan.start),
                    self.environment.name
                ),
                Some(o) if plan.end > o.end => format!(
                    "the deployment runs until {}, past the window's end at {}",
                    local(self.zone, &plan.end),
                    local(self.zone, &o.end)
                ),
                Some(o) => format!(
                    "the change is merged at {}, outside the window {} to {} it is planned for",
                    local(self.zone, &at),
                    local(self.zone, &o.start),
                    local(self.zone, &o.end)
                ),
            };
            evaluation.breaches.push(
                Breach::new(
                    Code::OutsideWindow,
                    message,
                    "merge inside the window the record names, or plan the next one".into(),
                )
                .next(next(Some(window_name))),
            );
        }

        // Downtime: allowed by the kind, at the window's start, not longer than it.
        if plan.downtime > TimeDelta::zero() {
            if !window.downtime {
                evaluation.breaches.push(
                    Breach::new(
                        Code::DowntimeNotAllowed,
                        format!(
                            "the `{window_name}` window of `{}` allows no downtime",
                            self.environment.name
                        ),
                        "plan it in a window that allows downtime, or deploy without downtime"
                            .into(),
                    )
                    .next(next(None)),
                );
            }
            if let Some(o) = &occurrence {
                if plan.start != o.start {
                    evaluation.breaches.push(
                        Breach::new(
                            Code::DowntimeNotAtStart,
                            format!(
                                "work with downtime must start when the window opens ({}), not at {}",
                                local(self.zone, &o.start),
                                local(self.zone, &plan.start)
                            ),
                            format!("set `start:` to {}", o.start.fixed_offset().to_rfc3339()),
                        )
                        .next(None),
                    );
                }
                let room = o.length().min(plan.end.signed_duration_since(plan.start));
                if plan.downtime > room {
                    evaluation.breaches.push(
                        Breach::new(
                            Code::DowntimeTooLong,
                            format!(
                                "the expected downtime {} is longer than the {} it has",
                                format_duration(plan.downtime),
                                format_duration(room)
                            ),
                            "use a larger window, or split the change".into(),
                        )
                        .next(next(None)),
                    );
                }
            }
        }

        // Notice: early enough, and stating the expected downtime.
        if let (Some(rule), Some(o)) = (notice_rule(window, plan.downtime), &occurrence) {
            let deadline = self.notice_deadline(rule, o);
            let lead = match rule.unit {
                LeadUnit::Days => format!("{} days", rule.lead),
                LeadUnit::WorkingDays => format!("{} working days", rule.lead),
            };
            match &plan.notice {
                None => evaluation.breaches.push(
                    Breach::new(
                        Code::NoticeMissing,
                        format!("the `{window_name}` window needs a customer notice {lead} ahead; none is recorded"),
                        format!("publish the notice by {} and record it under `deployment.notice`", local(self.zone, &deadline)),
                    )
                    .next(next(Some(window_name))),
                ),
                Some(notice) if notice.published > deadline => evaluation.breaches.push(
                    Breach::new(
                        Code::NoticeTooLate,
                        format!(
                            "the notice was published {}, after the deadline {} ({lead} before the window)",
                            local(self.zone, &notice.published),
                            local(self.zone, &deadline)
                        ),
                        "move the deployment to a window the notice still reaches in time".into(),
                    )
                    .next(next(Some(window_name))),
                ),
                Some(_) => {}
            }
            if let Some(notice) = &plan.notice
                && plan.downtime > TimeDelta::zero()
                && notice.downtime.is_none_or(|stated| stated < plan.downtime)
            {
                evaluation.breaches.push(Breach::new(
                    Code::NoticeDowntimeMissing,
                    format!(
                        "the notice must state the expected downtime ({}); it states {}",
                        format_duration(plan.downtime),
                        notice.downtime.map_or("none".to_string(), format_duration)
                    ),
                    "record the downtime the notice announced under `notice.downtime`".into(),
                ));
            }
        }

        // Frequency: at most `count` occurrences of the kind per period.
        if let (Some(limit), Some(o)) = (&window.limit, &occurrence) {
            let taken = self.used_in_period(window, limit.per, o, used);
            if taken >= limit.count as usize {
                let period = match limit.per {
                    Period::Week => format!("ISO week {}", o.start.iso_week().week()),
                    Period::Month => o.start.format("%B %Y").to_string(),
                };
                evaluation.breaches.push(
                    Breach::new(
                        Code::WindowLimitExceeded,
                        format!(
                            "the `{window_name}` window of `{}` may be used {} per {}; {period} has used it already",
                            self.environment.name,
                            times(limit.count),
                            match limit.per { Period::Week => "week", Period::Month => "month" }
                        ),
                        "join the occurrence already used this period, or plan the next period".into(),
                    )
                    .next(next(Some(window_name))),
                );
            }
        }

        evaluation.occurrence = occurrence;
        evaluation
    }

    fn judge_emergency(&self, plan: &Plan, evaluation: &mut Evaluation<'p>) {
        let (message, hint) = match &plan.emergency {
            None => (
                "an emergency change needs an emergency declaration; none is recorded".to_string(),
                "record `deployment.emergency` with the ISB who declared it and the reason"
                    .to_string(),
            ),
            Some(declaration) if !self.isb.contains(&declaration.by) => (
                format!(
                    "`{}` declared the emergency but is not an ISB of the policy",
                    declaration.by
                ),
                format!("an emergency is declared with the ISB ({})", self.isb.join(", ")),
            ),
            Some(declaration) if declaration.reason.trim().is_empty() => (
                "the emergency declaration gives no reason".to_string(),
                "say why the change cannot wait for a regular window".to_string(),
            ),
            Some(_) => return,
        };
        evaluation.breaches.push(Breach::new(Code::EmergencyNotDeclared, message, hint));
    }
}

fn times(count: u32) -> String {
    match count {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    }
}

/// The notice rule that applies to a deployment with this downtime, if any.
pub fn notice_rule(window: &Window, downtime: TimeDelta) -> Option<&NoticeRule> {
    window.notice.as_ref().filter(|rule| match rule.when {
        NoticeWhen::Always => true,
        NoticeWhen::Downtime => downtime > TimeDelta::zero(),
    })
}

/// Formats an instant in the zone, for messages.
pub fn local<Z: TimeZone>(zone: Tz, instant: &DateTime<Z>) -> String {
    instant.with_timezone(&zone).format("%a %Y-%m-%d %H:%M %:z").to_string()
}

/// A planned deployment, from a stage record.
#[derive(Clone, Debug)]
pub struct Plan {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub downtime: TimeDelta,
    pub notice: Option<PublishedNotice>,
    pub emergency: Option<Declaration>,
}

/// A published customer notice.
#[derive(Clone, Debug)]
pub struct PublishedNotice {
    pub published: DateTime<FixedOffset>,
    pub downtime: Option<TimeDelta>,
}

/// An emergency declaration.
#[derive(Clone, Debug)]
pub struct Declaration {
    pub by: String,
    pub reason: String,
}

/// What a deployment needs from an occurrence, for finding the next one that fits.
#[derive(Clone, Debug)]
pub struct Need {
    pub downtime: TimeDelta,
    pub published: Option<DateTime<FixedOffset>>,
}

/// An occurrence already used by a record on the environment's branch: the window
/// kind and the planned start.
#[derive(Clone, Debug)]
pub struct Used {
    pub window: String,
    pub start: DateTime<FixedOffset>,
}

/// The verdict on a planned deployment.
#[derive(Debug)]
pub struct Evaluation<'p> {
    /// The occurrence the deployment is planned in, if the start lies in one.
    pub occurrence: Option<Occurrence<'p>>,
    /// Every rule broken; empty when the deployment is allowed.
    pub breaches: Vec<Breach>,
}

/// One broken time rule, with the next occurrence that would satisfy it.
#[derive(Clone, Debug)]
pub struct Breach {
    pub code: Code,
    pub message: String,
    pub hint: String,
    pub next: Option<Next>,
}

/// An occurrence proposed instead.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Next {
    pub window: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
}

impl Breach {
    fn new(code: Code, message: String, hint: String) -> Breach {
        Breach { code, message, hint, next: None }
    }

    fn next(mut self, occurrence: Option<Occurrence<'_>>) -> Breach {
        self.next = occurrence.map(|o| Next {
            window: o.window.name.clone(),
            start: o.start.fixed_offset(),
            end: o.end.fixed_offset(),
        });
        self
    }
}
