//! `windows` on the embedded policy and on a real repository whose environment
//! branch already uses a window.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{commit_file, git, git_repository, json, root, run, stdout};

#[test]
fn prod_windows_from_the_first_of_december_2026() {
    let output = run(
        &root(),
        &["windows", "--env", "prod", "--from", "2026-12-01T00:00:00+01:00", "--count", "10"],
    );
    assert_eq!(output.status.code(), Some(0));
    let expected = "\
Maintenance windows from Tue 2026-12-01 00:00 +01:00 (Europe/Berlin)

prod (branch prod)
  Tue 2026-12-01 07:00-17:00 +01:00  small           no downtime, 1 per week
  Tue 2026-12-01 17:00-22:00 +01:00  small-downtime  downtime allowed, notice by Sat 2026-11-28 17:00, 1 per week
  Wed 2026-12-02 07:00-17:00 +01:00  small           no downtime, preferred day, 1 per week
  Wed 2026-12-02 17:00-22:00 +01:00  small-downtime  downtime allowed, notice by Sun 2026-11-29 17:00, preferred day, 1 per week
  Thu 2026-12-03 07:00-17:00 +01:00  small           no downtime, 1 per week
  Thu 2026-12-03 17:00-22:00 +01:00  small-downtime  downtime allowed, notice by Mon 2026-11-30 17:00, 1 per week
  Fri 2026-12-04 07:00-17:00 +01:00  small           no downtime, 1 per week
  Fri 2026-12-04 17:00-22:00 +01:00  small-downtime  downtime allowed, notice by Tue 2026-12-01 17:00, 1 per week
  Sat 2026-12-05 00:00-24:00 +01:00  large           downtime allowed, notice by Sat 2026-11-21 00:00, 1 per month
  Mon 2026-12-07 07:00-17:00 +01:00  small           no downtime, 1 per week
  any time                            emergency       declared by an ISB with a reason
  (frequency budgets not checked: branch `prod` not found here)
";
    assert_eq!(stdout(&output), expected);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("[policy-expired]"), "{err}");
}

#[test]
fn test_windows_as_json_around_christmas() {
    let output = run(
        &root(),
        &[
            "windows",
            "--env",
            "test",
            "--from",
            "2026-12-21T00:00:00+01:00",
            "--until",
            "2026-12-27T00:00:00+01:00",
            "--format",
            "json",
        ],
    );
    let listing = json(&output);
    let occurrences = listing["environments"][0]["occurrences"].as_array().unwrap();
    let starts: Vec<(&str, &str)> = occurrences
        .iter()
        .map(|o| (o["window"].as_str().unwrap(), o["start"].as_str().unwrap()))
        .collect();
    // Small windows Mon-Fri twice a day, the regular window on Thursday, the large one
    // on Saturday; they open on holidays (25 December is a Friday).
    assert_eq!(starts.len(), 10 + 1 + 1);
    assert!(starts.contains(&("regular", "2026-12-24T07:00:00+01:00")));
    assert!(starts.contains(&("large", "2026-12-26T00:00:00+01:00")));
    let christmas = occurrences.iter().find(|o| o["start"] == "2026-12-25T07:00:00+01:00").unwrap();
    assert_eq!(christmas["holiday"], "1. Weihnachtstag");
    // A 1-working-day notice for Monday 28th... is not in range; for Friday 25th 07:00
    // it is Thursday 24th 07:00.
    assert_eq!(christmas["notice_deadline"], "2026-12-24T07:00:00+01:00");
    let large = occurrences.iter().find(|o| o["window"] == "large").unwrap();
    assert_eq!(large["end"], "2026-12-27T00:00:00+01:00");
    assert_eq!(large["notice_deadline"], "2026-12-12T00:00:00+01:00");
}

#[test]
fn budgets_are_read_from_the_environment_branch() {
    let repo = git_repository();
    let dir = repo.path();
    git(dir, &["checkout", "-q", "-b", "test"]);
    let record = std::fs::read_to_string(root().join("examples/releases/gwa-core/4.2.0/test.yaml"))
        .unwrap()
        .replace("window: regular", "window: small")
        .replace("start: 2026-11-26T07:00:00+01:00", "start: 2026-12-01T07:00:00+01:00")
        .replace("end: 2026-11-26T11:00:00+01:00", "end: 2026-12-01T08:00:00+01:00");
    commit_file(dir, "releases/gwa-core/4.2.0/test.yaml", &record, "deploy to test");
    git(dir, &["checkout", "-q", "main"]);

    let output = run(
        dir,
        &[
            "windows",
            "--env",
            "test",
            "--from",
            "2026-12-01T00:00:00+01:00",
            "--until",
            "2026-12-08T00:00:00+01:00",
            "--format",
            "json",
        ],
    );
    let listing = json(&output);
    let env = &listing["environments"][0];
    assert_eq!(env["records_read"], true);
    let small: Vec<(&str, bool)> = env["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["window"] == "small")
        .map(|o| (o["start"].as_str().unwrap(), o["budget_spent"].as_bool().unwrap()))
        .collect();
    // The occurrence the record uses can still be shared; every other small window
    // of ISO week 49 is spent; week 50 (from Monday the 7th) is free again.
    assert_eq!(small[0], ("2026-12-01T07:00:00+01:00", false));
    assert!(small[1..].iter().filter(|(s, _)| *s < "2026-12-07").all(|(_, spent)| *spent));
    assert_eq!(small.last().unwrap(), &("2026-12-07T15:00:00+01:00", false));

    let text = stdout(&run(
        dir,
        &["windows", "--env", "test", "--from", "2026-12-01T00:00:00+01:00", "--count", "3"],
    ));
    assert!(text.contains("Tue 2026-12-01 15:00-17:00 +01:00  small           downtime allowed, notice by Mon 2026-11-30 15:00, 1 per week: used"), "{text}");
}

#[test]
fn the_calendar_file_is_rfc_5545() {
    let output = run(
        &root(),
        &[
            "windows",
            "--from",
            "2026-03-20T00:00:00+01:00",
            "--until",
            "2026-04-10T00:00:00+02:00",
            "--format",
            "ics",
        ],
    );
    let text = stdout(&output);
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line longer than 75 octets: {line}");
        assert!(!line.contains('\n'), "bare line feed in {line:?}");
    }
    let count = |needle: &str| text.matches(needle).count();
    assert_eq!(count("BEGIN:VEVENT"), count("END:VEVENT"));
    assert!(text.contains(
        "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200"
    ));
    // After the change, the regular window is still 07:00 local.
    assert!(text.contains(
        "DTSTART;TZID=Europe/Berlin:20260402T070000\r\nDTEND;TZID=Europe/Berlin:20260402T170000"
    ));
    assert!(text.contains("UID:test-regular-20260402T050000Z@release-gate"));
}

#[test]
fn an_unknown_environment_is_an_unusable_invocation() {
    let output = run(&root(), &["windows", "--env", "staging"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("--env staging: not an environment of the policy (dev, test, prod)")
    );
}
