//! Customer notices (handbook section 7): a title and a body per kind and
//! language, filled from a stage record and what the person drafting adds.
//!
//! The built-in wording is ours, in German and English; a policy may replace it
//! per kind and language (`notices.templates`). Placeholders are words in braces;
//! a template may use any of [`PLACEHOLDERS`], and drafting fails with the option
//! that supplies a value the chosen template needs but nobody gave.

use chrono::{DateTime, Datelike, FixedOffset, TimeDelta, Timelike};
use chrono_tz::Tz;
use serde::Serialize;

use crate::model::StageRecord;
use crate::model::policy::{Language, NoticeKind, NoticeTemplate, Policy};
use crate::time::{parse_duration, parse_instant};

/// Every placeholder a template may use, with what fills it.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("version", "the record's version"),
    ("unit", "the record's release unit"),
    ("change", "`Release` or `Hotfix`, by the version's number of parts"),
    ("environment", "the record's environment, in capitals"),
    ("date", "the planned start's day"),
    ("from", "the planned start's time of day"),
    ("to", "the planned end's time of day (with its day when that differs)"),
    ("zone", "the time zone's abbreviation, e.g. CET"),
    ("downtime", "the expected downtime"),
    ("delay", "--delay"),
    ("new-date", "--new-date"),
    ("object", "--object, by default the record's environment"),
    ("until", "--until"),
    ("after", "what ended the outage: the record's installation, else a fixed fault"),
];

/// A drafted notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Drafted {
    pub kind: NoticeKind,
    pub language: Language,
    pub title: String,
    pub body: String,
}

/// What the person drafting adds to the record.
#[derive(Clone, Debug, Default)]
pub struct Extra {
    pub delay: Option<TimeDelta>,
    pub new_date: Option<DateTime<FixedOffset>>,
    pub object: Option<String>,
    pub until: Option<DateTime<FixedOffset>>,
}

/// The kind a record calls for: an emergency window's deployment is an
/// emergency fix, a four-part version a hotfix, otherwise a release.
pub fn kind_of(record: &StageRecord) -> NoticeKind {
    if record.deployment.emergency.is_some()
        || record.deployment.window.as_deref() == Some("emergency")
    {
        NoticeKind::EmergencyFix
    } else if is_hotfix(&record.version) {
        NoticeKind::Hotfix
    } else {
        NoticeKind::Release
    }
}

fn is_hotfix(version: &str) -> bool {
    version.split('.').count() == 4
}

/// The expected downtime of a record's deployment (zero when none is given).
pub fn downtime(record: &StageRecord) -> TimeDelta {
    record.deployment.downtime.as_deref().and_then(parse_duration).unwrap_or_default()
}

/// Drafts a notice. `record` may be absent for maintenance, disruptions and
/// their end, where `extra.object` says what is affected.
pub fn draft(
    policy: &Policy,
    zone: Tz,
    kind: NoticeKind,
    language: Language,
    record: Option<&StageRecord>,
    extra: &Extra,
) -> Result<Drafted, String> {
    if let Some(record) = record {
        let hotfix = is_hotfix(&record.version);
        if kind == NoticeKind::Release && hotfix {
            return Err(format!(
                "{} has four parts: that is a hotfix (--kind hotfix); releases have three (x.x.x)",
                record.version
            ));
        }
        if kind == NoticeKind::Hotfix && !hotfix {
            return Err(format!(
                "{} has three parts: that is a release (--kind release); hotfixes have four (x.x.x.x)",
                record.version
            ));
        }
    }
    let words = Words::of(language);
    let downtime = record.map(downtime).unwrap_or_default();
    let custom = policy.notices.templates.iter().find(|t| t.kind == kind && t.language == language);
    let (title, body) = match custom {
        Some(NoticeTemplate { title, body, body_without_downtime, .. }) => {
            let body = match body_without_downtime {
                Some(quiet) if downtime.is_zero() => quiet.as_str(),
                _ => body.as_str(),
            };
            (title.as_str(), body)
        }
        None => builtin(kind, language, downtime.is_zero()),
    };
    let value = |name: &str| -> Result<String, String> {
        let need =
            |what: &str| format!("the {} notice needs {what} (for `{{{name}}}`)", kind.as_str());
        let given = record;
        let record = || given.ok_or_else(|| need("a stage record"));
        let start = || -> Result<DateTime<Tz>, String> {
            let record = record()?;
            parse_instant(&record.deployment.start)
                .map(|t| t.with_timezone(&zone))
                .map_err(|_| format!("`{}` is not a point in time", record.deployment.start))
        };
        Ok(match name {
            "version" => record()?.version.clone(),
            "unit" => record()?.unit.clone(),
            "change" => {
                if is_hotfix(&record()?.version) { "Hotfix" } else { "Release" }.to_string()
            }
            "environment" => record()?.environment.to_uppercase(),
            "date" => words.date(start()?),
            "from" => clock(start()?),
            "to" => {
                let record = record()?;
                let start = start()?;
                let end = parse_instant(&record.deployment.end)
                    .map(|t| t.with_timezone(&zone))
                    .map_err(|_| format!("`{}` is not a point in time", record.deployment.end))?;
                let next_midnight = end.date_naive()
                    == start.date_naive().succ_opt().unwrap_or_default()
                    && end.hour() == 0
                    && end.minute() == 0;
                if end.date_naive() == start.date_naive() {
                    clock(end)
                } else if next_midnight {
                    "24:00".into()
                } else {
                    format!("{}, {}", words.date(end), clock(end))
                }
            }
            "zone" => words.zone(start()?.format("%Z").to_string()),
            "downtime" => words.duration(downtime),
            "delay" => words.duration(extra.delay.ok_or_else(|| need("--delay, e.g. --delay 2h"))?),
            "new-date" => {
                let at = extra
                    .new_date
                    .ok_or_else(|| need("--new-date, e.g. --new-date 2026-12-10T07:00:00+01:00"))?;
                let at = at.with_timezone(&zone);
                format!("{}, {}", words.date(at), clock(at))
            }
            "object" => match (&extra.object, given) {
                (Some(object), _) => object.clone(),
                (None, Some(record)) => words.environment(&record.environment.to_uppercase()),
                (None, None) => return Err(need("--object, e.g. --object \"the VDI\"")),
            },
            "until" => {
                let at = extra
                    .until
                    .ok_or_else(|| need("--until, e.g. --until 2026-12-03T18:00:00+01:00"))?;
                let at = at.with_timezone(&zone);
                format!("{}, {}", words.date(at), clock(at))
            }
            "after" => match given {
                Some(record) => words.after_installation(
                    if is_hotfix(&record.version) { "Hotfix" } else { "Release" },
                    &record.version,
                ),
                None => words.after_fault().into(),
            },
            other => return Err(format!("`{{{other}}}` is no placeholder")),
        })
    };
    Ok(Drafted { kind, language, title: fill(title, &value)?, body: fill(body, &value)? })
}

/// The placeholders a template uses that are not known, for the policy check.
pub fn unknown_placeholders(template: &str) -> Vec<String> {
    placeholders(template)
        .filter(|name| !PLACEHOLDERS.iter().any(|(known, _)| known == name))
        .map(str::to_string)
        .collect()
}

fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name))
}

fn fill(template: &str, value: &dyn Fn(&str) -> Result<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push_str(&value(&after[..close])?);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn clock(at: DateTime<Tz>) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// Words that differ between the languages.
struct Words {
    language: Language,
}

impl Words {
    fn of(language: Language) -> Words {
        Words { language }
    }

    fn date(&self, at: DateTime<Tz>) -> String {
        const DE_DAYS: [&str; 7] =
            ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"];
        const EN_MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let weekday = at.weekday().num_days_from_monday() as usize;
        match self.language {
            Language::De => format!("{} ({})", at.format("%d.%m.%Y"), DE_DAYS[weekday]),
            Language::En => format!(
                "{}, {} {} {}",
                at.format("%A"),
                at.day(),
                EN_MONTHS[at.month0() as usize],
                at.year()
            ),
        }
    }

    fn zone(&self, abbreviation: String) -> String {
        match (self.language, abbreviation.as_str()) {
            (Language::De, "CET") => "MEZ".into(),
            (Language::De, "CEST") => "MESZ".into(),
            _ => abbreviation,
        }
    }

    fn duration(&self, duration: TimeDelta) -> String {
        let minutes = duration.num_minutes();
        let (hours, minutes) = (minutes / 60, minutes % 60);
        let (hour, hours_word, minute, minutes_word, none, and) = match self.language {
            Language::De => ("Stunde", "Stunden", "Minute", "Minuten", "keine", "und"),
            Language::En => ("hour", "hours", "minute", "minutes", "none", "and"),
        };
        let part =
            |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        match (hours, minutes) {
            (0, 0) => none.into(),
            (0, m) => part(m, minute, minutes_word),
            (h, 0) => part(h, hour, hours_word),
            (h, m) => {
                format!("{} {and} {}", part(h, hour, hours_word), part(m, minute, minutes_word))
            }
        }
    }

    fn environment(&self, name: &str) -> String {
        match self.language {
            Language::De => format!("die Umgebung {name}"),
            Language::En => format!("the {name} environment"),
        }
    }

    fn after_installation(&self, change: &str, version: &str) -> String {
        match self.language {
            Language::De => format!("nach der Installation von {change} {version}"),
            Language::En => {
                format!("after the installation of {} {version}", change.to_lowercase())
            }
        }
    }

    fn after_fault(&self) -> &'static str {
        match self.language {
            Language::De => "nach Behebung der Störung",
            Language::En => "after the fault was fixed",
        }
    }
}

/// The built-in wording: (title, body).
fn builtin(
    kind: NoticeKind,
    language: Language,
    no_downtime: bool,
) -> (&'static str, &'static str) {
    use Language::{De, En};
    use NoticeKind::*;
    match (kind, language, no_downtime) {
        (Release | Hotfix, De, false) => (
            "Installation von {change} {version} auf {environment} am {date}",
            "Wir installieren am {date} von {from} bis {to} Uhr ({zone}) {change} {version} ({unit}) auf der Umgebung {environment}.\n\nZu Beginn des Zeitfensters ist die gesamte Umgebung {environment} voraussichtlich für {downtime} nicht verfügbar.",
        ),
        (Release | Hotfix, De, true) => (
            "Installation von {change} {version} auf {environment} am {date}",
            "Wir installieren am {date} von {from} bis {to} Uhr ({zone}) {change} {version} ({unit}) auf der Umgebung {environment}.\n\nDie Umgebung bleibt dabei verfügbar.",
        ),
        (Release | Hotfix, En, false) => (
            "{change} {version} on {environment}, {date}",
            "On {date}, from {from} to {to} ({zone}), we install {change} {version} ({unit}) on the {environment} environment.\n\nAt the start of this window the whole {environment} environment will be unavailable for about {downtime}.",
        ),
        (Release | Hotfix, En, true) => (
            "{change} {version} on {environment}, {date}",
            "On {date}, from {from} to {to} ({zone}), we install {change} {version} ({unit}) on the {environment} environment.\n\nThe environment stays available.",
        ),
        (EmergencyFix, De, _) => (
            "Notfall-Fix {version} auf {environment}",
            "Um ein dringendes Problem zu beheben, installieren wir am {date} von {from} bis {to} Uhr ({zone}) den Notfall-Fix {version} auf der Umgebung {environment}.\n\nErwartete Ausfallzeit zu Beginn: {downtime}.",
        ),
        (EmergencyFix, En, _) => (
            "Emergency fix {version} on {environment}",
            "To remedy an urgent problem we install emergency fix {version} on the {environment} environment on {date}, from {from} to {to} ({zone}).\n\nExpected downtime at the start: {downtime}.",
        ),
        (Delay, De, _) => (
            "Verzögerung: {change} {version} auf {environment}",
            "Die für {date}, {from} Uhr ({zone}), geplante Installation von {change} {version} auf der Umgebung {environment} verzögert sich um voraussichtlich {delay}.\n\nWir informieren Sie, sobald sie abgeschlossen ist.",
        ),
        (Delay, En, _) => (
            "Delayed: {change} {version} on {environment}",
            "The installation of {change} {version} on the {environment} environment, planned for {date} at {from} ({zone}), is delayed by about {delay}.\n\nWe will tell you once it is complete.",
        ),
        (Abort, De, _) => (
            "Abgebrochen: {change} {version} auf {environment}",
            "Wir haben die Installation von {change} {version} auf der Umgebung {environment} abgebrochen. Das bisherige Release bleibt in Betrieb und ist uneingeschränkt nutzbar.\n\nNeuer geplanter Termin: {new-date} Uhr.",
        ),
        (Abort, En, _) => (
            "Aborted: {change} {version} on {environment}",
            "We have aborted the installation of {change} {version} on the {environment} environment. The previous release stays in service and can be used as before.\n\nNew planned date: {new-date}.",
        ),
        (Maintenance, De, false) => (
            "Geplante Wartung am {date}",
            "Wir führen am {date} von {from} bis {to} Uhr ({zone}) geplante Wartungsarbeiten durch.\n\nBetroffen: {object}. Voraussichtliche Ausfallzeit ab {from} Uhr: {downtime}.",
        ),
        (Maintenance, De, true) => (
            "Geplante Wartung am {date}",
            "Wir führen am {date} von {from} bis {to} Uhr ({zone}) geplante Wartungsarbeiten durch.\n\nBetroffen: {object}. Eine Ausfallzeit ist nicht zu erwarten.",
        ),
        (Maintenance, En, false) => (
            "Planned maintenance on {date}",
            "On {date}, from {from} to {to} ({zone}), we carry out planned maintenance.\n\nAffected: {object}. Expected downtime from {from}: {downtime}.",
        ),
        (Maintenance, En, true) => (
            "Planned maintenance on {date}",
            "On {date}, from {from} to {to} ({zone}), we carry out planned maintenance.\n\nAffected: {object}. No downtime is expected.",
        ),
        (Disruption, De, _) => (
            "Störung: {object}",
            "Betroffen: {object}. Derzeit nicht verfügbar; wir arbeiten an der Behebung.\n\nVoraussichtlich wieder verfügbar: {until} Uhr.",
        ),
        (Disruption, En, _) => (
            "Disruption: {object}",
            "Affected: {object}. It is currently unavailable; we are working on it.\n\nExpected to be available again by {until}.",
        ),
        (Restored, De, _) => (
            "Wieder verfügbar: {object}",
            "Betroffen: {object}.\n\nAlles ist {after} wieder uneingeschränkt verfügbar.",
        ),
        (Restored, En, _) => (
            "Available again: {object}",
            "Affected: {object}.\n\nEverything is available again {after}.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_uses_known_placeholders_only() {
        for kind in <NoticeKind as clap::ValueEnum>::value_variants() {
            for language in [Language::De, Language::En] {
                for quiet in [false, true] {
                    let (title, body) = builtin(*kind, language, quiet);
                    assert!(unknown_placeholders(title).is_empty(), "{kind:?} {language:?}");
                    assert!(unknown_placeholders(body).is_empty(), "{kind:?} {language:?}");
                }
            }
        }
    }

    #[test]
    fn durations_read_as_words() {
        let de = Words::of(Language::De);
        let en = Words::of(Language::En);
        assert_eq!(de.duration(TimeDelta::minutes(90)), "1 Stunde und 30 Minuten");
        assert_eq!(en.duration(TimeDelta::minutes(120)), "2 hours");
        assert_eq!(en.duration(TimeDelta::minutes(1)), "1 minute");
        assert_eq!(de.duration(TimeDelta::zero()), "keine");
    }

    #[test]
    fn braces_without_a_name_stay() {
        let value = |name: &str| Ok(name.to_uppercase());
        assert_eq!(fill("a {b} { c", &value).unwrap(), "a B { c");
    }
}
