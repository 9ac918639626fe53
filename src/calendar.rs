//! Working days: Monday to Friday, minus the public holidays of the policy's
//! German state, minus the closing days the policy lists.
//!
//! Holidays are computed, not typed in: fixed dates, dates relative to Easter
//! Sunday (Gauss/Meeus computus for the Gregorian calendar), the Wednesday before
//! 23 November, and the one-off days some years have (Reformation Day 2017 in every
//! state; Berlin's 8 May 2020 and 2025 and 17 June 2028). Rules follow the states'
//! holiday laws since 1990. Two days that are holidays only in some municipalities
//! of a state are not counted (Assumption in Bavaria; Corpus Christi in Saxony and
//! Thuringia): list them under `closing-days` where they apply to you.
//!
//! Semantics of working-day arithmetic (documented in the README):
//! - `add_working_days(d, n)` for n > 0 is the n-th working day after `d`; `d`
//!   itself never counts, whether or not it is a working day. For n < 0 it is the
//!   |n|-th working day before `d`. For n = 0 it is `d`.
//! - A deadline of "n working days after instant T" ends at the end (24:00 local
//!   time) of `add_working_days(local date of T, n)`.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::model::policy::{Calendar as CalendarPolicy, State};
use crate::time::parse_date;

/// The working-day calendar of one policy.
#[derive(Clone, Debug)]
pub struct Calendar {
    state: State,
    closing: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn new(state: State, closing: impl IntoIterator<Item = NaiveDate>) -> Calendar {
        Calendar { state, closing: closing.into_iter().collect() }
    }

    /// The calendar a policy describes (its closing days were checked when it was loaded).
    pub fn of(policy: &CalendarPolicy) -> Calendar {
        Calendar::new(policy.state, policy.closing_days.iter().filter_map(|d| parse_date(d)))
    }

    /// The public holiday on this date in the calendar's state, if any.
    pub fn holiday(&self, date: NaiveDate) -> Option<&'static str> {
        holiday(self.state, date)
    }

    /// Whether the date is a closing day listed in the policy.
    pub fn is_closing_day(&self, date: NaiveDate) -> bool {
        self.closing.contains(&date)
    }

    /// Monday to Friday, not a public holiday, not a closing day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
            && self.holiday(date).is_none()
            && !self.is_closing_day(date)
    }

    /// The n-th working day after (n > 0) or before (n < 0) `date`; see the module docs.
    pub fn add_working_days(&self, date: NaiveDate, n: i64) -> NaiveDate {
        let step = |d: NaiveDate| {
            if n >= 0 { d.checked_add_days(Days::new(1)) } else { d.checked_sub_days(Days::new(1)) }
        };
        let mut day = date;
        let mut left = n.unsigned_abs();
        while left > 0 {
            match step(day) {
                Some(next) => day = next,
                None => return day,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// How many working days lie after `from` up to and including `to`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (lo, hi, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        let count = lo
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= hi)
            .filter(|d| self.is_working_day(*d))
            .count();
        sign * count as i64
    }
}

/// Easter Sunday of a Gregorian year (anonymous Gregorian algorithm).
pub fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

/// The Wednesday before 23 November (Day of Repentance and Prayer).
fn repentance_day(year: i32) -> Option<NaiveDate> {
    let nov22 = NaiveDate::from_ymd_opt(year, 11, 22)?;
    let back =
        (nov22.weekday().num_days_from_monday() + 7 - Weekday::Wed.num_days_from_monday()) % 7;
    nov22.checked_sub_days(Days::new(u64::from(back)))
}

/// Every public holiday of a state in a year, in date order, with its German name.
pub fn holidays(state: State, year: i32) -> Vec<(NaiveDate, &'static str)> {
    use State::*;

    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day);
    let easter = easter(year);
    let from_easter = |days: i64| easter.checked_add_signed(chrono::TimeDelta::days(days));
    let in_states = |states: &[State]| states.contains(&state);

    let mut days: Vec<(Option<NaiveDate>, &'static str)> = vec![
        (fixed(1, 1), "Neujahr"),
        (from_easter(-2), "Karfreitag"),
        (from_easter(1), "Ostermontag"),
        (fixed(5, 1), "Tag der Arbeit"),
        (from_easter(39), "Christi Himmelfahrt"),
        (from_easter(50), "Pfingstmontag"),
        (fixed(10, 3), "Tag der Deutschen Einheit"),
        (fixed(12, 25), "1. Weihnachtstag"),
        (fixed(12, 26), "2. Weihnachtstag"),
    ];
    if in_states(&[BW, BY, ST]) {
        days.push((fixed(1, 6), "Heilige Drei Könige"));
    }
    if (state == BE && year >= 2019) || (state == MV && year >= 2023) {
        days.push((fixed(3, 8), "Internationaler Frauentag"));
    }
    if state == BB {
        days.push((Some(easter), "Ostersonntag"));
        days.push((from_easter(49), "Pfingstsonntag"));
    }
    if in_states(&[BW, BY, HE, NW, RP, SL]) {
        days.push((from_easter(60), "Fronleichnam"));
    }
    if state == SL {
        days.push((fixed(8, 15), "Mariä Himmelfahrt"));
    }
    if state == TH && year >= 2019 {
        days.push((fixed(9, 20), "Weltkindertag"));
    }
    let reformation = in_states(&[BB, MV, SN, ST, TH])
        || (in_states(&[HB, HH, NI, SH]) && year >= 2018)
        || year == 2017;
    if reformation {
        days.push((fixed(10, 31), "Reformationstag"));
    }
    if in_states(&[BW, BY, NW, RP, SL]) {
        days.push((fixed(11, 1), "Allerheiligen"));
    }
    if year <= 1994 || state == SN {
        days.push((repentance_day(year), "Buß- und Bettag"));
    }
    if state == BE {
        match year {
            2020 | 2025 => days.push((fixed(5, 8), "Tag der Befreiung")),
            2028 => days.push((fixed(6, 17), "Jahrestag des Aufstandes vom 17. Juni 1953")),
            _ => {}
        }
    }

    let mut days: Vec<(NaiveDate, &'static str)> =
        days.into_iter().filter_map(|(date, name)| date.map(|d| (d, name))).collect();
    days.sort();
    days.dedup_by_key(|(date, _)| *date);
    days
}

/// The public holiday on a date in a state, if any.
pub fn holiday(state: State, date: NaiveDate) -> Option<&'static str> {
    holidays(state, date.year()).into_iter().find(|(d, _)| *d == date).map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    #[test]
    fn easter_dates() {
        assert_eq!(easter(2024), date("2024-03-31"));
        assert_eq!(easter(2025), date("2025-04-20"));
        assert_eq!(easter(2026), date("2026-04-05"));
        assert_eq!(easter(2038), date("2038-04-25"));
        assert_eq!(easter(2008), date("2008-03-23"));
    }

    #[test]
    fn one_off_and_changed_holidays() {
        assert_eq!(holiday(State::SL, date("2017-10-31")), Some("Reformationstag"));
        assert_eq!(holiday(State::SL, date("2018-10-31")), None);
        assert_eq!(holiday(State::NI, date("2018-10-31")), Some("Reformationstag"));
        assert_eq!(holiday(State::BE, date("2020-05-08")), Some("Tag der Befreiung"));
        assert_eq!(holiday(State::BE, date("2018-03-08")), None);
        assert_eq!(holiday(State::BE, date("2019-03-08")), Some("Internationaler Frauentag"));
        assert_eq!(holiday(State::SN, date("2026-11-18")), Some("Buß- und Bettag"));
        assert_eq!(holiday(State::BY, date("1994-11-16")), Some("Buß- und Bettag"));
        assert_eq!(holiday(State::BY, date("1995-11-22")), None);
        assert_eq!(holiday(State::SL, date("2026-08-15")), Some("Mariä Himmelfahrt"));
        assert_eq!(holiday(State::SL, date("2026-06-04")), Some("Fronleichnam"));
        assert_eq!(holiday(State::BY, date("2026-08-15")), None);
    }

    #[test]
    fn working_day_arithmetic_in_saarland() {
        let cal = Calendar::new(State::SL, [date("2026-12-24"), date("2026-12-31")]);
        // Thursday 2026-06-04 is Corpus Christi in Saarland.
        assert_eq!(cal.add_working_days(date("2026-06-02"), 3), date("2026-06-08"));
        assert_eq!(cal.add_working_days(date("2026-06-08"), -3), date("2026-06-02"));
        // Christmas: 24th closing day, 25th and 26th holidays, 31st closing day.
        assert_eq!(cal.add_working_days(date("2026-12-23"), 1), date("2026-12-28"));
        assert_eq!(cal.add_working_days(date("2026-12-30"), 1), date("2027-01-04"));
        assert_eq!(cal.add_working_days(date("2026-12-05"), 0), date("2026-12-05"));
        assert_eq!(cal.working_days_between(date("2026-06-02"), date("2026-06-08")), 3);
        assert_eq!(cal.working_days_between(date("2026-06-08"), date("2026-06-02")), -3);
    }
}
