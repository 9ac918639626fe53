//! Writing iCalendar files (RFC 5545) people can subscribe to.
//!
//! Event times are local times with a `TZID`, and the file carries a `VTIMEZONE`
//! that lists every offset change of the zone around the events, read from the
//! time-zone database itself, so calendar programs show the windows at the right
//! wall-clock time on both sides of a daylight-saving change.

use std::fmt::Write;

use chrono::{DateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// One calendar entry.
#[derive(Clone, Debug)]
pub struct Event {
    pub uid: String,
    pub start: DateTime<Tz>,
    pub end: DateTime<Tz>,
    pub summary: String,
    pub description: String,
    pub categories: Vec<String>,
}

/// A whole calendar: header, time zone, events. Lines end in CRLF and are folded
/// at 75 octets, as RFC 5545 section 3.1 requires.
pub fn calendar(name: &str, zone: Tz, stamp: DateTime<Utc>, events: &[Event]) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//release-gate//maintenance windows//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        format!("X-WR-CALNAME:{}", escape(name)),
        format!("X-WR-TIMEZONE:{}", zone.name()),
    ];

    let first = events.iter().map(|e| e.start.with_timezone(&Utc)).min().unwrap_or(stamp);
    let last = events.iter().map(|e| e.end.with_timezone(&Utc)).max().unwrap_or(stamp);
    lines.extend(timezone(zone, first, last));

    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for event in events {
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}", escape(&event.uid)));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART;TZID={}:{}", zone.name(), event.start.format("%Y%m%dT%H%M%S")));
        lines.push(format!("DTEND;TZID={}:{}", zone.name(), event.end.format("%Y%m%dT%H%M%S")));
        lines.push(format!("SUMMARY:{}", escape(&event.summary)));
        lines.push(format!("DESCRIPTION:{}", escape(&event.description)));
        let categories: Vec<String> = event.categories.iter().map(|c| escape(c)).collect();
        lines.push(format!("CATEGORIES:{}", categories.join(",")));
        lines.push("TRANSP:TRANSPARENT".into());
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());

    let mut out = String::new();
    for line in lines {
        out.push_str(&fold(&line));
    }
    out
}

/// The `VTIMEZONE` component: one `STANDARD` or `DAYLIGHT` block per offset change
/// between a year before `first` and `last`, plus the offset in force at the start.
fn timezone(zone: Tz, first: DateTime<Utc>, last: DateTime<Utc>) -> Vec<String> {
    let begin = first - TimeDelta::days(366);
    let mut lines = vec!["BEGIN:VTIMEZONE".to_string(), format!("TZID:{}", zone.name())];

    let mut blocks = Vec::new();
    let mut previous = zone.offset_from_utc_datetime(&begin.naive_utc());
    let mut probe = begin;
    while probe <= last {
        let next = probe + TimeDelta::hours(1);
        let offset = zone.offset_from_utc_datetime(&next.naive_utc());
        if offset.fix() != previous.fix() {
            // Narrow the change down to the minute.
            let (mut lo, mut hi) = (probe, next);
            while hi - lo > TimeDelta::minutes(1) {
                let mid = lo + (hi - lo) / 2;
                if zone.offset_from_utc_datetime(&mid.naive_utc()).fix() == previous.fix() {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            blocks.push((hi, previous, offset));
            previous = offset;
        }
        probe = next;
    }
    if blocks.is_empty() {
        // No change in the range: one block that holds since 1970.
        let epoch = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).single().unwrap_or(begin);
        blocks.push((epoch, previous, previous));
    }

    for (at, from, to) in blocks {
        let kind = if to.dst_offset() > TimeDelta::zero() { "DAYLIGHT" } else { "STANDARD" };
        // DTSTART is the local time of the change, read in the offset before it.
        let local = at.naive_utc() + TimeDelta::seconds(i64::from(from.fix().local_minus_utc()));
        lines.push(format!("BEGIN:{kind}"));
        lines.push(format!("DTSTART:{}", local.format("%Y%m%dT%H%M%S")));
        lines.push(format!("TZOFFSETFROM:{}", offset_text(from.fix().local_minus_utc())));
        lines.push(format!("TZOFFSETTO:{}", offset_text(to.fix().local_minus_utc())));
        if let Some(abbreviation) = to.abbreviation() {
            lines.push(format!("TZNAME:{abbreviation}"));
        }
        lines.push(format!("END:{kind}"));
    }
    lines.push("END:VTIMEZONE".into());
    lines
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// Escapes TEXT values (RFC 5545 section 3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            other => out.push(other),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character, and
/// ends it with CRLF.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let size = c.len_utf8();
        if width + size > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += size;
    }
    let _ = write!(out, "\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_and_escapes() {
        let long = format!("DESCRIPTION:{}", "ä".repeat(60));
        let folded = fold(&long);
        for line in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets", line.len());
        }
        assert_eq!(folded.replace("\r\n ", ""), format!("{long}\r\n"));
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }

    #[test]
    fn berlin_has_its_changes_listed() {
        let zone = chrono_tz::Europe::Berlin;
        let first = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let last = Utc.with_ymd_and_hms(2027, 4, 30, 0, 0, 0).unwrap();
        let lines = timezone(zone, first, last).join("\n");
        assert!(lines.contains("BEGIN:DAYLIGHT\nDTSTART:20270328T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST"), "{lines}");
        assert!(lines.contains("BEGIN:STANDARD\nDTSTART:20261025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET"), "{lines}");
    }
}
