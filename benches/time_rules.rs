//! How fast the time rules are: a year of occurrences for every environment, and
//! 100,000 evaluations of a deployment at random instants.
//!
//! Run with `cargo bench --bench time_rules`. Each measurement is repeated five
//! times; the median is printed. No external harness: the point is the order of
//! magnitude against the one-second bar of issue 3, not nanoseconds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use release_gate::calendar::Calendar;
use release_gate::policy::embedded;
use release_gate::window::{Plan, PublishedNotice, Schedule};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn measure(name: &str, mut work: impl FnMut() -> usize) {
    let mut runs = Vec::new();
    let mut items = 0;
    for _ in 0..5 {
        let started = Instant::now();
        items = work();
        runs.push(started.elapsed());
    }
    let time = median(runs);
    println!("{name:<58} {items:>8} items  {:>9.2} ms (median of 5)", time.as_secs_f64() * 1e3);
}

/// A small deterministic generator (xorshift), so runs are comparable.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() {
    let policy = embedded().policy;
    let calendar = Calendar::of(&policy.calendar);
    let zone = chrono_tz::Europe::Berlin;
    let schedules: Vec<Schedule<'_>> = policy
        .environments
        .iter()
        .map(|environment| Schedule { zone, calendar: &calendar, environment, isb: &policy.isb })
        .collect();
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let year_end = start + TimeDelta::days(365);

    measure("a year of occurrences, every kind of every environment", || {
        let mut count = 0;
        for schedule in &schedules {
            for window in &schedule.environment.windows {
                count +=
                    schedule.occurrences(window, &start).take_while(|o| o.start < year_end).count();
            }
        }
        black_box(count)
    });

    let test = &schedules[1];
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let instants: Vec<DateTime<Utc>> = (0..100_000)
        .map(|_| start + TimeDelta::minutes((random.next() % (365 * 24 * 60)) as i64))
        .collect();

    measure("100,000 evaluations: TEST regular window, 1h downtime", || {
        let mut allowed = 0;
        for at in &instants {
            let local = at.with_timezone(&zone);
            let plan = Plan {
                start: local.fixed_offset(),
                end: (local + TimeDelta::hours(2)).fixed_offset(),
                downtime: TimeDelta::hours(1),
                notice: Some(PublishedNotice {
                    published: (local - TimeDelta::days(4)).fixed_offset(),
                    downtime: Some(TimeDelta::hours(1)),
                }),
                emergency: None,
            };
            if test.evaluate("regular", &plan, &[], *at).breaches.is_empty() {
                allowed += 1;
            }
        }
        black_box(allowed);
        instants.len()
    });

    measure("100,000 next-allowed searches: any TEST window", || {
        let need = release_gate::window::Need { downtime: TimeDelta::zero(), published: None };
        let found = instants
            .iter()
            .filter(|at| test.next_allowed(None, &need, &[], **at).is_some())
            .count();
        black_box(found);
        instants.len()
    });
}
