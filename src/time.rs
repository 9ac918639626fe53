//! Reading the points in time, dates and durations written in manifests.
//!
//! A point in time must carry its UTC offset (RFC 3339): `2026-12-03T07:00:00+01:00`.
//! Without one, the same text means different instants in winter and summer, and
//! does not exist at all inside the spring daylight-saving gap; the tool refuses
//! it and proposes the offset the policy's time zone has at that local time.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeDelta, TimeZone};
use chrono_tz::Tz;

/// Why a point in time could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// A local date and time without offset.
    NoOffset(NaiveDateTime),
    /// Not a date and time at all, or an impossible one (say, February 30).
    Invalid,
}

/// Reads an RFC 3339 point in time, which must have an offset (`Z` counts).
pub fn parse_instant(text: &str) -> Result<DateTime<FixedOffset>, TimeError> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant);
    }
    let local = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok());
    match local {
        Some(local) => Err(TimeError::NoOffset(local)),
        None => Err(TimeError::Invalid),
    }
}

/// Reads a calendar date, `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|_| text.len() == 10)
}

/// Reads a duration of the form `2h`, `45m` or `1h30m` (`0m` for none).
pub fn parse_duration(text: &str) -> Option<TimeDelta> {
    let (hours, rest) = match text.split_once('h') {
        Some((hours, rest)) => (hours.parse::<i64>().ok()?, rest),
        None => (0, text),
    };
    let minutes = match rest.strip_suffix('m') {
        Some(minutes) => minutes.parse::<i64>().ok()?,
        None if rest.is_empty() && text.ends_with('h') => 0,
        None => return None,
    };
    if hours > 24 * 366 || minutes > 60 * 24 * 366 {
        return None;
    }
    Some(TimeDelta::hours(hours) + TimeDelta::minutes(minutes))
}

/// Reads a local time range `HH:MM-HH:MM` into minutes since midnight. The end
/// may be `24:00` (midnight at the end of the day) and must lie after the start.
pub fn parse_time_range(text: &str) -> Option<(u32, u32)> {
    let minutes = |hhmm: &str| -> Option<u32> {
        let (h, m) = hhmm.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
        (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
    };
    let (start, end) = text.split_once('-')?;
    let (start, end) = (minutes(start)?, minutes(end)?);
    (start < end && start < 24 * 60).then_some((start, end))
}

/// Says how to write a local time with its offset in the given zone.
pub fn offset_hint(local: NaiveDateTime, zone: Tz) -> String {
    let stamp = |t: DateTime<Tz>| t.fixed_offset().to_rfc3339();
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => format!("add the offset: `{}` ({zone})", stamp(t)),
        LocalResult::Ambiguous(early, late) => format!(
            "{local} happens twice in {zone} (clocks go back); write `{}` or `{}`",
            stamp(early),
            stamp(late)
        ),
        LocalResult::None => format!(
            "{local} does not exist in {zone} (clocks go forward); pick a time outside the gap, \
             with its offset"
        ),
    }
}

/// Formats a duration the way manifests write it.
pub fn format_duration(duration: TimeDelta) -> String {
    let minutes = duration.num_minutes();
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_need_an_offset() {
        assert!(parse_instant("2026-12-03T07:00:00+01:00").is_ok());
        assert!(parse_instant("2026-12-03T06:00:00Z").is_ok());
        assert!(matches!(parse_instant("2026-12-03T07:00:00"), Err(TimeError::NoOffset(_))));
        assert_eq!(parse_instant("2026-02-30T07:00:00+01:00"), Err(TimeError::Invalid));
        assert_eq!(parse_instant("tomorrow"), Err(TimeError::Invalid));
    }

    #[test]
    fn offset_hints_know_daylight_saving() {
        let at = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap();
        let zone = chrono_tz::Europe::Berlin;
        assert!(offset_hint(at("2026-12-03T07:00:00"), zone).contains("+01:00"));
        assert!(offset_hint(at("2026-07-03T07:00:00"), zone).contains("+02:00"));
        assert!(offset_hint(at("2026-03-29T02:30:00"), zone).contains("does not exist"));
        assert!(offset_hint(at("2026-10-25T02:30:00"), zone).contains("twice"));
    }

    #[test]
    fn time_ranges() {
        assert_eq!(parse_time_range("07:00-09:00"), Some((420, 540)));
        assert_eq!(parse_time_range("00:00-24:00"), Some((0, 1440)));
        assert_eq!(parse_time_range("17:00-07:00"), None);
        assert_eq!(parse_time_range("24:00-24:00"), None);
        assert_eq!(parse_time_range("7:00-9:00"), None);
        assert_eq!(parse_time_range("07:60-09:00"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Some(TimeDelta::minutes(30)));
        assert_eq!(parse_duration("2h"), Some(TimeDelta::hours(2)));
        assert_eq!(parse_duration("1h30m"), Some(TimeDelta::minutes(90)));
        assert_eq!(parse_duration("0m"), Some(TimeDelta::zero()));
        assert_eq!(parse_duration("90"), None);
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(format_duration(TimeDelta::minutes(90)), "1h30m");
    }
}
