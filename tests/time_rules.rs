//! The time rules as pure functions: the handbook's window tables, daylight
//! saving, notice and frequency limits, and the invariants that must hold for
//! every instant (property tests).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use release_gate::calendar::Calendar;
use release_gate::diagnostic::Code;
use release_gate::model::Policy;
use release_gate::model::policy::{Environment, Window};
use release_gate::policy::embedded;
use release_gate::window::{Declaration, Need, Plan, PublishedNotice, Schedule, Used};

fn t(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    t(text).with_timezone(&Utc)
}

struct Fixture {
    policy: Policy,
    calendar: Calendar,
}

impl Fixture {
    fn new() -> Fixture {
        let policy = embedded().policy;
        let calendar = Calendar::of(&policy.calendar);
        Fixture { policy, calendar }
    }

    fn schedule(&self, env: &str) -> Schedule<'_> {
        let environment: &Environment =
            self.policy.environments.iter().find(|e| e.name == env).unwrap();
        Schedule {
            zone: chrono_tz::Europe::Berlin,
            calendar: &self.calendar,
            environment,
            isb: &self.policy.isb,
        }
    }
}

fn plan(start: &str, end: &str, downtime: i64) -> Plan {
    Plan {
        start: t(start),
        end: t(end),
        downtime: TimeDelta::minutes(downtime),
        notice: None,
        emergency: None,
    }
}

fn codes(schedule: &Schedule<'_>, window: &str, plan: &Plan, used: &[Used], at: &str) -> Vec<Code> {
    schedule.evaluate(window, plan, used, utc(at)).breaches.iter().map(|b| b.code).collect()
}

fn listed(schedule: &Schedule<'_>, window: &str, from: &str, n: usize) -> Vec<String> {
    let window: &Window = schedule.window(window).unwrap();
    schedule
        .occurrences(window, &t(from))
        .take(n)
        .map(|o| {
            format!("{} {}", o.start.fixed_offset().to_rfc3339(), o.end.fixed_offset().to_rfc3339())
        })
        .collect()
}

#[test]
fn the_handbook_windows_of_test_and_prod() {
    let f = Fixture::new();
    let test = f.schedule("test");
    let prod = f.schedule("prod");
    let from = "2026-11-30T00:00:00+01:00"; // a Monday

    assert_eq!(
        listed(&test, "small", from, 3),
        [
            "2026-11-30T07:00:00+01:00 2026-11-30T09:00:00+01:00",
            "2026-11-30T15:00:00+01:00 2026-11-30T17:00:00+01:00",
            "2026-12-01T07:00:00+01:00 2026-12-01T09:00:00+01:00",
        ]
    );
    assert_eq!(
        listed(&test, "regular", from, 1),
        ["2026-12-03T07:00:00+01:00 2026-12-03T17:00:00+01:00"]
    );
    assert_eq!(
        listed(&test, "large", from, 1),
        ["2026-12-05T00:00:00+01:00 2026-12-06T00:00:00+01:00"]
    );
    assert_eq!(
        listed(&prod, "small", from, 1),
        ["2026-11-30T07:00:00+01:00 2026-11-30T17:00:00+01:00"]
    );
    assert_eq!(
        listed(&prod, "small-downtime", from, 1),
        ["2026-11-30T17:00:00+01:00 2026-11-30T22:00:00+01:00"]
    );
    assert!(prod.window("regular").is_none());
    // Summer time: the same local hours, another offset.
    assert_eq!(
        listed(&test, "regular", "2026-07-01T00:00:00+02:00", 1),
        ["2026-07-02T07:00:00+02:00 2026-07-02T17:00:00+02:00"]
    );
    // Windows open on public holidays unless the kind says otherwise (Thursday
    // 2026-06-04 is Corpus Christi in Saarland).
    assert_eq!(
        listed(&test, "regular", "2026-06-01T00:00:00+02:00", 1),
        ["2026-06-04T07:00:00+02:00 2026-06-04T17:00:00+02:00"]
    );
}

#[test]
fn skip_holidays_moves_to_the_next_open_day() {
    let mut f = Fixture::new();
    f.policy.environments[1].windows[1].skip_holidays = true; // test/regular
    let test = f.schedule("test");
    assert_eq!(
        listed(&test, "regular", "2026-06-01T00:00:00+02:00", 1),
        ["2026-06-11T07:00:00+02:00 2026-06-11T17:00:00+02:00"]
    );
}

/// A Sunday window across the transitions: 01:00-04:00 local.
fn sunday_night(f: &mut Fixture) {
    let mut window = f.policy.environments[1].windows[1].clone();
    window.name = "night".into();
    window.days = vec![release_gate::model::policy::Weekday::Sun];
    window.times = vec!["01:00-04:00".into(), "02:30-03:30".into()];
    window.limit = None;
    f.policy.environments[1].windows.push(window);
}

#[test]
fn daylight_saving_gap_and_fold_over_several_years() {
    let mut f = Fixture::new();
    sunday_night(&mut f);
    let test = f.schedule("test");
    let night = test.window("night").unwrap();
    let zone = chrono_tz::Europe::Berlin;

    // Last Sundays of March (gap: 02:00-03:00 does not exist) and of October
    // (fold: 02:00-03:00 happens twice), 2024 to 2030.
    let spring = [
        "2024-03-31",
        "2025-03-30",
        "2026-03-29",
        "2027-03-28",
        "2028-03-26",
        "2029-03-25",
        "2030-03-31",
    ];
    let autumn = [
        "2024-10-27",
        "2025-10-26",
        "2026-10-25",
        "2027-10-31",
        "2028-10-29",
        "2029-10-28",
        "2030-10-27",
    ];
    for day in spring {
        let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        let occurrences = test.occurrences_on(night, date);
        // 01:00 CET to 04:00 CEST is two hours of real time.
        assert_eq!(occurrences[0].length(), TimeDelta::hours(2), "{day}");
        assert_eq!(
            occurrences[0].start.fixed_offset().to_rfc3339(),
            format!("{day}T01:00:00+01:00")
        );
        // 02:30 does not exist: the window opens when the gap ends, 03:00 CEST.
        assert_eq!(
            occurrences[1].start.fixed_offset().to_rfc3339(),
            format!("{day}T03:00:00+02:00")
        );
        assert_eq!(occurrences[1].length(), TimeDelta::minutes(30), "{day}");
    }
    for day in autumn {
        let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        let occurrences = test.occurrences_on(night, date);
        // 01:00 CEST to 04:00 CET is four hours of real time.
        assert_eq!(occurrences[0].length(), TimeDelta::hours(4), "{day}");
        // 02:30 exists twice: a start takes the first, the end (03:30, once) stays.
        assert_eq!(
            occurrences[1].start.fixed_offset().to_rfc3339(),
            format!("{day}T02:30:00+02:00")
        );
        assert_eq!(occurrences[1].length(), TimeDelta::hours(2), "{day}");
        assert_eq!(occurrences[1].start.timezone(), zone);
    }
}

#[test]
fn a_large_window_on_the_saturday_before_a_transition_is_24_hours() {
    let f = Fixture::new();
    let test = f.schedule("test");
    let large = test.window("large").unwrap();
    // Saturday 2026-03-28: 00:00 to 24:00 (Sunday 00:00), before the gap at 02:00 Sunday.
    let date = NaiveDate::from_ymd_opt(2026, 3, 28).unwrap();
    let o = &test.occurrences_on(large, date)[0];
    assert_eq!(o.length(), TimeDelta::hours(24));
    assert_eq!(o.end.fixed_offset().to_rfc3339(), "2026-03-29T00:00:00+01:00");
}

#[test]
fn a_promotion_in_the_regular_window_is_allowed_and_at_17_01_it_is_not() {
    let f = Fixture::new();
    let test = f.schedule("test");
    let p = plan("2026-12-03T07:00:00+01:00", "2026-12-03T11:00:00+01:00", 0);
    assert_eq!(codes(&test, "regular", &p, &[], "2026-12-03T07:30:00+01:00"), []);

    let evaluation = test.evaluate("regular", &p, &[], utc("2026-12-03T17:01:00+01:00"));
    assert_eq!(evaluation.breaches.len(), 1);
    let breach = &evaluation.breaches[0];
    assert_eq!(breach.code, Code::OutsideWindow);
    assert!(breach.message.contains("merged at Thu 2026-12-03 17:01 +01:00"), "{}", breach.message);
    let next = breach.next.as_ref().unwrap();
    assert_eq!((next.window.as_str(), next.start), ("regular", t("2026-12-10T07:00:00+01:00")));
}

#[test]
fn downtime_rules() {
    let f = Fixture::new();
    let prod = f.schedule("prod");
    let at = "2026-12-02T07:05:00+01:00";

    // No downtime in "small" on PROD; the next window allowing it is suggested.
    let p = plan("2026-12-02T07:00:00+01:00", "2026-12-02T09:00:00+01:00", 30);
    let evaluation = prod.evaluate("small", &p, &[], utc(at));
    assert_eq!(evaluation.breaches[0].code, Code::DowntimeNotAllowed);
    let next = evaluation.breaches[0].next.as_ref().unwrap();
    assert!(next.window == "small-downtime" || next.window == "large", "{next:?}");

    // Downtime must start when the window opens and fit into it.
    let test = f.schedule("test");
    let mut late = plan("2026-12-03T08:00:00+01:00", "2026-12-03T12:00:00+01:00", 60);
    late.notice = Some(PublishedNotice {
        published: t("2026-11-20T10:00:00+01:00"),
        downtime: Some(TimeDelta::hours(1)),
    });
    assert_eq!(
        codes(&test, "regular", &late, &[], "2026-12-03T08:05:00+01:00"),
        [Code::DowntimeNotAtStart]
    );

    let mut long = plan("2026-12-03T07:00:00+01:00", "2026-12-03T09:00:00+01:00", 180);
    long.notice = Some(PublishedNotice {
        published: t("2026-11-20T10:00:00+01:00"),
        downtime: Some(TimeDelta::hours(3)),
    });
    assert_eq!(
        codes(&test, "regular", &long, &[], "2026-12-03T07:05:00+01:00"),
        [Code::DowntimeTooLong]
    );
}

#[test]
fn notice_rules() {
    let f = Fixture::new();
    let test = f.schedule("test");
    let at = "2026-12-03T07:05:00+01:00";
    let mut p = plan("2026-12-03T07:00:00+01:00", "2026-12-03T09:00:00+01:00", 60);

    assert_eq!(codes(&test, "regular", &p, &[], at), [Code::NoticeMissing]);

    // Regular window: 3 calendar days ahead, so by Monday 07:00.
    p.notice = Some(PublishedNotice {
        published: t("2026-11-30T07:00:00+01:00"),
        downtime: Some(TimeDelta::hours(1)),
    });
    assert_eq!(codes(&test, "regular", &p, &[], at), []);
    p.notice = Some(PublishedNotice {
        published: t("2026-11-30T07:01:00+01:00"),
        downtime: Some(TimeDelta::hours(1)),
    });
    let evaluation = test.evaluate("regular", &p, &[], utc(at));
    assert_eq!(evaluation.breaches[0].code, Code::NoticeTooLate);
    assert_eq!(evaluation.breaches[0].next.as_ref().unwrap().start, t("2026-12-10T07:00:00+01:00"));

    // The notice must state the expected downtime.
    p.notice = Some(PublishedNotice { published: t("2026-11-20T07:00:00+01:00"), downtime: None });
    assert_eq!(codes(&test, "regular", &p, &[], at), [Code::NoticeDowntimeMissing]);

    // Without downtime, the regular window needs no notice.
    let quiet = plan("2026-12-03T10:00:00+01:00", "2026-12-03T11:00:00+01:00", 0);
    assert_eq!(codes(&test, "regular", &quiet, &[], "2026-12-03T10:00:00+01:00"), []);

    // Small window: 1 working day. Monday 2026-12-07 07:00 needs the notice by Friday 07:00.
    let mut small = plan("2026-12-07T07:00:00+01:00", "2026-12-07T08:00:00+01:00", 30);
    small.notice = Some(PublishedNotice {
        published: t("2026-12-04T07:00:00+01:00"),
        downtime: Some(TimeDelta::minutes(30)),
    });
    assert_eq!(codes(&test, "small", &small, &[], "2026-12-07T07:00:00+01:00"), []);
    small.notice = Some(PublishedNotice {
        published: t("2026-12-04T08:00:00+01:00"),
        downtime: Some(TimeDelta::minutes(30)),
    });
    assert_eq!(
        codes(&test, "small", &small, &[], "2026-12-07T07:00:00+01:00"),
        [Code::NoticeTooLate]
    );

    // Large windows always need 14 days, even without downtime.
    let large = plan("2026-12-05T01:00:00+01:00", "2026-12-05T02:00:00+01:00", 0);
    assert_eq!(
        codes(&test, "large", &large, &[], "2026-12-05T01:00:00+01:00"),
        [Code::NoticeMissing]
    );
}

#[test]
fn a_working_day_notice_skips_holidays() {
    let f = Fixture::new();
    let test = f.schedule("test");
    // Friday 2026-06-05 15:00 small window; Thursday 06-04 is Corpus Christi, so the
    // notice is due Wednesday 06-03 15:00.
    let window = test.window("small").unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 6, 5).unwrap();
    let afternoon = &test.occurrences_on(window, date)[1];
    let rule = window.notice.as_ref().unwrap();
    assert_eq!(
        test.notice_deadline(rule, afternoon).fixed_offset(),
        t("2026-06-03T15:00:00+02:00")
    );
}

#[test]
fn frequency_limits_count_occurrences_not_units() {
    let f = Fixture::new();
    let test = f.schedule("test");
    let used = [Used { window: "small".into(), start: t("2026-12-01T07:00:00+01:00") }];

    // A second small window in the same ISO week is refused...
    let p = plan("2026-12-03T15:00:00+01:00", "2026-12-03T16:00:00+01:00", 0);
    let evaluation = test.evaluate("small", &p, &used, utc("2026-12-03T15:00:00+01:00"));
    assert_eq!(evaluation.breaches.len(), 1);
    assert_eq!(evaluation.breaches[0].code, Code::WindowLimitExceeded);
    // ...and the next one that fits is in the following week.
    assert_eq!(evaluation.breaches[0].next.as_ref().unwrap().start, t("2026-12-07T07:00:00+01:00"));

    // Joining the occurrence already used counts once.
    let join = plan("2026-12-01T07:30:00+01:00", "2026-12-01T08:30:00+01:00", 0);
    assert_eq!(codes(&test, "small", &join, &used, "2026-12-01T07:30:00+01:00"), []);

    // Monthly limit of the large window.
    let used = [Used { window: "large".into(), start: t("2026-12-05T00:00:00+01:00") }];
    let mut p = plan("2026-12-19T00:00:00+01:00", "2026-12-19T04:00:00+01:00", 0);
    p.notice = Some(PublishedNotice { published: t("2026-11-01T00:00:00+01:00"), downtime: None });
    assert_eq!(
        codes(&test, "large", &p, &used, "2026-12-19T00:00:00+01:00"),
        [Code::WindowLimitExceeded]
    );
}

#[test]
fn emergencies_need_the_isb_and_a_reason() {
    let f = Fixture::new();
    let prod = f.schedule("prod");
    let at = "2026-12-06T03:00:00+01:00";
    let mut p = plan("2026-12-06T03:00:00+01:00", "2026-12-06T04:00:00+01:00", 30);
    assert_eq!(codes(&prod, "emergency", &p, &[], at), [Code::EmergencyNotDeclared]);
    p.emergency = Some(Declaration { by: "carla".into(), reason: "gateways down".into() });
    assert_eq!(codes(&prod, "emergency", &p, &[], at), [Code::EmergencyNotDeclared]);
    p.emergency = Some(Declaration { by: "erik".into(), reason: " ".into() });
    assert_eq!(codes(&prod, "emergency", &p, &[], at), [Code::EmergencyNotDeclared]);
    p.emergency = Some(Declaration {
        by: "erik".into(),
        reason: "gateways reject renewed certificates".into(),
    });
    assert_eq!(codes(&prod, "emergency", &p, &[], at), []);
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2020-01-01 .. 2035-01-01, minute resolution.
    (1_577_836_800i64 / 60..2_051_222_400i64 / 60)
        .prop_map(|m| Utc.timestamp_opt(m * 60, 0).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_next_allowed_occurrence_is_allowed_and_not_before_the_instant(
        at in instant(), env in 1usize..3, kind in 0usize..3, downtime in 0i64..4,
    ) {
        let f = Fixture::new();
        let name = &f.policy.environments[env].name;
        let schedule = f.schedule(name);
        let window = &schedule.environment.windows[kind];
        let need = Need { downtime: TimeDelta::minutes(downtime * 30), published: Some(at.fixed_offset()) };
        if let Some(o) = schedule.next_allowed(Some(&window.name), &need, &[], at) {
            prop_assert!(o.start >= at);
            let notice = release_gate::window::notice_rule(window, need.downtime)
                .map(|_| PublishedNotice { published: at.fixed_offset(), downtime: Some(need.downtime) });
            let p = Plan { start: o.start.fixed_offset(), end: o.end.fixed_offset(), downtime: need.downtime, notice, emergency: None };
            let breaches = schedule.evaluate(&window.name, &p, &[], o.start.with_timezone(&Utc)).breaches;
            prop_assert!(breaches.is_empty(), "{:?} at {} for {:?}", breaches, at, o);
        } else {
            // Only a kind without downtime refuses a deployment with downtime.
            prop_assert!(downtime > 0 && !window.downtime);
        }
    }

    #[test]
    fn occurrences_are_ordered_and_lie_in_their_local_hours(at in instant(), env in 1usize..3, kind in 0usize..3) {
        let f = Fixture::new();
        let name = &f.policy.environments[env].name;
        let schedule = f.schedule(name);
        let window = &schedule.environment.windows[kind];
        let list: Vec<_> = schedule.occurrences(window, &at).take(20).collect();
        for pair in list.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start);
        }
        for o in &list {
            prop_assert!(o.end > at && o.start < o.end);
        }
    }

    #[test]
    fn working_day_addition_and_subtraction_agree(days in 0i64..20_000, n in 0i64..40) {
        let f = Fixture::new();
        let date = NaiveDate::from_ymd_opt(1995, 1, 1).unwrap() + TimeDelta::days(days);
        let forward = f.calendar.add_working_days(date, n);
        prop_assert!(n == 0 || f.calendar.is_working_day(forward));
        prop_assert_eq!(f.calendar.working_days_between(date, forward), n);
        if f.calendar.is_working_day(date) {
            prop_assert_eq!(f.calendar.add_working_days(forward, -n), date);
        }
    }

    #[test]
    fn working_day_notice_deadlines_are_working_days(at in instant()) {
        let f = Fixture::new();
        let schedule = f.schedule("test");
        let small = schedule.window("small").unwrap();
        let rule = small.notice.as_ref().unwrap();
        let o = schedule.occurrences(small, &at).next().unwrap();
        let deadline = schedule.notice_deadline(rule, &o);
        prop_assert!(f.calendar.is_working_day(deadline.date_naive()));
        prop_assert_eq!(f.calendar.add_working_days(o.start.date_naive(), -1), deadline.date_naive());
        prop_assert_eq!(deadline.time(), o.start.time());
    }
}
