//! `sla`: standard changes in a temporary repository, judged by the real binary
//! against the embedded policy's provisioning times and the Saarland calendar
//! (or another state's, where a test says so).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::{json, root, run, stdout};

/// A folder with the default policy (optionally edited) and the given changes.
fn repository(policy_edit: impl Fn(&str) -> String, changes: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy_edit(release_gate::policy::DEFAULT_TEXT);
    fs::write(dir.path().join(".release-gate.yaml"), policy).unwrap();
    fs::create_dir(dir.path().join("changes")).unwrap();
    for (id, body) in changes {
        fs::write(dir.path().join(format!("changes/{id}.yaml")), change(id, body)).unwrap();
    }
    dir
}

fn unchanged(policy: &str) -> String {
    policy.to_string()
}

/// A standard change with its header; `body` holds `change:` and the times.
fn change(id: &str, body: &str) -> String {
    format!(
        "api: release-gate/v1\nkind: StandardChange\nid: {id}\ncustomer: Stadtwerke Example\n{body}"
    )
}

fn sla(dir: &Path, at: &str) -> (Output, serde_json::Value) {
    let output = run(dir, &["sla", "--at", at, "--format", "json"]);
    let report = json(&output);
    (output, report)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The one change of a report.
fn only(report: &serde_json::Value) -> &serde_json::Value {
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{report:#}");
    &changes[0]
}

/// The public holidays of a state in a year, from the Python `holidays` package
/// (tests/data/holidays-de.txt), as `MM-DD`.
fn reference_holidays(state: &str, year: &str) -> Vec<String> {
    let text = include_str!("data/holidays-de.txt");
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{state} {year} ")))
        .unwrap_or_else(|| panic!("no {state} {year} in the reference"));
    line.split(' ').skip(2).map(str::to_string).collect()
}

#[test]
fn a_certificate_renewal_across_christmas_is_due_after_five_working_days() {
    // Tue 22 Dec 2026: the day itself does not count; 23 and 24 Dec do, 25 and 26
    // Dec are holidays in Saarland (the reference agrees), then the weekend, then
    // 28, 29 and 30 Dec: due at the end of Wed 30 Dec.
    let holidays = reference_holidays("SL", "2026");
    assert!(holidays.contains(&"12-25".to_string()) && holidays.contains(&"12-26".to_string()));
    assert!(!holidays.contains(&"12-24".to_string()));

    let dir = repository(
        unchanged,
        &[(
            "CHG-1",
            "change: certificate-renewal\ndocuments-complete: 2026-12-22T16:45:00+01:00\n",
        )],
    );
    let (output, report) = sla(dir.path(), "2026-12-28T12:00:00+01:00");
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    let entry = only(&report);
    assert_eq!(entry["due"], "2026-12-30T23:59:59+01:00");
    // Two counted days left (29 and 30 Dec): due soon, by the default `due-soon: 2`.
    assert_eq!(entry["status"], "due-soon");
    assert_eq!(entry["working-days-left"], 2);
    // 23, 24 and 28 Dec so far.
    assert_eq!(entry["working-days-used"], 3);
    assert_eq!(entry["paused-days"], serde_json::json!([]));
}

#[test]
fn the_policy_state_decides_which_days_are_holidays() {
    // A certificate revocation (2 working days) from Mon 4 Jan 2027: Epiphany
    // (6 Jan) is a holiday in Bavaria but not in Saarland.
    assert!(reference_holidays("BY", "2027").contains(&"01-06".to_string()));
    assert!(!reference_holidays("SL", "2027").contains(&"01-06".to_string()));
    let body = "change: certificate-revocation\ndocuments-complete: 2027-01-04T09:00:00+01:00\n";
    let at = "2027-01-04T12:00:00+01:00";

    let saarland = repository(unchanged, &[("CHG-1", body)]);
    assert_eq!(only(&sla(saarland.path(), at).1)["due"], "2027-01-06T23:59:59+01:00");

    let bavaria = repository(|p| p.replace("state: SL", "state: BY"), &[("CHG-1", body)]);
    assert_eq!(only(&sla(bavaria.path(), at).1)["due"], "2027-01-07T23:59:59+01:00");

    // A closing day counts like a holiday.
    let closed = repository(
        |p| p.replace("closing-days: []", "closing-days: [2027-01-05]"),
        &[("CHG-1", body)],
    );
    assert_eq!(only(&sla(closed.path(), at).1)["due"], "2027-01-07T23:59:59+01:00");
}

#[test]
fn customer_pauses_extend_the_due_date_and_overlapping_pauses_count_once() {
    // Five working days from Mon 2 Nov 2026 end on Mon 9 Nov without pauses.
    let plain = "change: certificate-renewal\ndocuments-complete: 2026-11-02T10:00:00+01:00\n";
    let dir = repository(unchanged, &[("CHG-1", plain)]);
    let at = "2026-11-03T12:00:00+01:00";
    assert_eq!(only(&sla(dir.path(), at).1)["due"], "2026-11-09T23:59:59+01:00");

    // Wednesday afternoon to Thursday morning, and all of Thursday again
    // (overlapping): two working days touched, two days later. A pause over the
    // weekend touches no working day; one ending at midnight does not touch the
    // next day.
    let paused = format!(
        "{plain}pauses:
  - {{ from: 2026-11-04T14:00:00+01:00, until: 2026-11-05T10:00:00+01:00, reason: VPN sheet }}
  - {{ from: 2026-11-05T08:00:00+01:00, until: 2026-11-05T18:00:00+01:00, reason: call }}
  - {{ from: 2026-11-07T09:00:00+01:00, until: 2026-11-09T00:00:00+01:00, reason: weekend }}
"
    );
    let dir = repository(unchanged, &[("CHG-1", &paused)]);
    let (output, report) = sla(dir.path(), at);
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    let entry = only(&report);
    assert_eq!(entry["paused-days"], serde_json::json!(["2026-11-04", "2026-11-05"]));
    assert_eq!(entry["due"], "2026-11-11T23:59:59+01:00");

    // The text names the days that did not count.
    let text = stdout(&run(dir.path(), &["sla", "--at", at]));
    assert!(text.contains("paused (not counted): 2026-11-04, 2026-11-05"), "{text}");
}

#[test]
fn a_pause_that_ends_before_it_starts_is_unusable_input() {
    let body = "change: certificate-renewal
documents-complete: 2026-11-02T10:00:00+01:00
pauses:
  - from: 2026-11-05T10:00:00+01:00
    until: 2026-11-04T10:00:00+01:00
    reason: typo
";
    let dir = repository(unchanged, &[("CHG-1", body)]);
    let output = run(dir.path(), &["sla", "--at", "2026-11-06T12:00:00+01:00"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("changes/CHG-1.yaml:9:12: error: the pause's end"), "{err}");
    assert!(err.contains("[time-order]"), "{err}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn on_time_at_the_due_instant_and_overdue_one_second_later() {
    let body = "change: certificate-renewal\ndocuments-complete: 2026-12-22T09:30:00+01:00\n";
    let dir = repository(unchanged, &[("CHG-1", body)]);

    // Before the documents are complete the clock has not started.
    let (output, report) = sla(dir.path(), "2026-12-22T09:29:59+01:00");
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    assert_eq!(only(&report)["status"], "pending");
    let (_, report) = sla(dir.path(), "2026-12-22T09:30:00+01:00");
    assert_eq!(only(&report)["status"], "open");

    let (output, report) = sla(dir.path(), "2026-12-30T23:59:59+01:00");
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    assert_eq!(only(&report)["status"], "due-soon");
    assert_eq!(only(&report)["working-days-left"], 0);
    assert_eq!(report["overdue"], 0);

    let (output, report) = sla(dir.path(), "2026-12-31T00:00:00+01:00");
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    assert_eq!(only(&report)["status"], "overdue");
    assert_eq!(report["overdue"], 1);
    assert_eq!(report["findings"][0]["code"], "change-overdue");

    // The text form points at the start of the clock, for editors and CI logs.
    let text = stdout(&run(dir.path(), &["sla", "--at", "2026-12-31T00:00:00+01:00"]));
    assert!(
        text.contains("changes/CHG-1.yaml:6:21: error: CHG-1 (certificate-renewal) is overdue"),
        "{text}"
    );
    assert!(text.contains("[change-overdue]"), "{text}");
    assert!(text.ends_with("1 change, 1 overdue, 0 due soon\n"), "{text}");

    // Completing exactly at the due instant is on time; a second later is late.
    let done = |at: &str| format!("{body}completed: {at}\n");
    let dir = repository(
        unchanged,
        &[
            ("CHG-1", &done("2026-12-30T23:59:59+01:00")),
            ("CHG-2", &done("2026-12-31T00:00:00+01:00")),
        ],
    );
    let (output, report) = sla(dir.path(), "2027-01-15T12:00:00+01:00");
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes[0]["status"], "completed");
    assert_eq!(changes[0]["on-time"], true);
    assert_eq!(changes[0]["working-days-used"], 5);
    assert_eq!(changes[1]["on-time"], false);
    // 31 December is a working day (unless the policy lists it as closing day).
    assert_eq!(changes[1]["working-days-used"], 6);
}

#[test]
fn due_soon_counts_working_days_left_and_the_policy_sets_the_threshold() {
    // Tenant creation (20 working days) from Mon 2 Nov 2026 in Saarland: due at
    // the end of Mon 30 Nov. On Wed 25 Nov three counted days are left (26, 27
    // and 30 Nov); on Thu 26 Nov two; the weekend between changes nothing.
    let body = "change: tenant-creation\ndocuments-complete: 2026-11-02T10:00:00+01:00\n";
    let dir = repository(unchanged, &[("CHG-1", body)]);
    let at = |when: &str| only(&sla(dir.path(), when).1).clone();

    let wednesday = at("2026-11-25T23:59:59+01:00");
    assert_eq!(wednesday["status"], "open");
    assert_eq!(wednesday["working-days-left"], 3);
    let thursday = at("2026-11-26T00:00:00+01:00");
    assert_eq!(thursday["status"], "due-soon");
    assert_eq!(thursday["working-days-left"], 2);
    assert_eq!(at("2026-11-28T12:00:00+01:00")["working-days-left"], 1);
    let monday = at("2026-11-30T08:00:00+01:00");
    assert_eq!(monday["working-days-left"], 0);

    // Due soon does not fail the run; the text says how much time is left.
    let output = run(dir.path(), &["sla", "--at", "2026-11-27T09:00:00+01:00"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("DUE SOON, 1 working day left: 19 of 20 working days used"), "{text}");
    assert!(text.ends_with("1 change, 0 overdue, 1 due soon\n"), "{text}");

    // Completed, the count is gone.
    let done = repository(
        unchanged,
        &[("CHG-1", &format!("{body}completed: 2026-11-26T10:00:00+01:00\n"))],
    );
    assert!(
        only(&sla(done.path(), "2026-11-27T09:00:00+01:00").1).get("working-days-left").is_none()
    );

    // `due-soon: 0` warns on the due day only.
    let strict = repository(
        |p| p.replace("tenant-creation: { days: 20,", "tenant-creation: { days: 20, due-soon: 0,"),
        &[("CHG-1", body)],
    );
    let friday = only(&sla(strict.path(), "2026-11-27T09:00:00+01:00").1).clone();
    assert_eq!(friday["status"], "open");
    let due_day = only(&sla(strict.path(), "2026-11-30T09:00:00+01:00").1).clone();
    assert_eq!(due_day["status"], "due-soon");
    let text = stdout(&run(strict.path(), &["sla", "--at", "2026-11-30T09:00:00+01:00"]));
    assert!(text.contains("DUE SOON, due today: 20 of 20 working days used"), "{text}");
}

#[test]
fn a_result_is_accepted_automatically_after_five_working_days_without_feedback() {
    // VPN provisioning completed on Fri 27 Nov 2026: feedback is due by the end
    // of the fifth working day after it, Fri 4 Dec.
    let body = "change: vpn-apn-provisioning
documents-complete: 2026-11-16T08:00:00+01:00
completed: 2026-11-27T16:00:00+01:00
";
    let dir = repository(unchanged, &[("CHG-1", body)]);

    let (output, report) = sla(dir.path(), "2026-12-04T23:59:59+01:00");
    assert_eq!(output.status.code(), Some(0));
    let entry = only(&report);
    assert_eq!(entry["status"], "awaiting-feedback");
    assert_eq!(entry["feedback-due"], "2026-12-04T23:59:59+01:00");
    assert_eq!(entry["on-time"], true);

    let (_, report) = sla(dir.path(), "2026-12-05T00:00:00+01:00");
    assert_eq!(only(&report)["status"], "auto-accepted");

    // Before the completion, the change was open (one working day left: due soon).
    let (_, report) = sla(dir.path(), "2026-11-27T15:59:59+01:00");
    assert_eq!(only(&report)["status"], "due-soon");
    assert!(only(&report).get("completed").is_none());
    let text = stdout(&run(dir.path(), &["sla", "--at", "2026-12-05T00:00:00+01:00"]));
    assert!(
        text.contains("auto-accepted: no feedback by Fri 2026-12-04 23:59:59 +01:00"),
        "{text}"
    );

    // Feedback in time decides; feedback after the deadline changes nothing.
    let with =
        |at: &str, result: &str| format!("{body}feedback: {{ at: {at}, result: {result} }}\n");
    let accepted =
        repository(unchanged, &[("CHG-1", &with("2026-12-02T10:00:00+01:00", "accepted"))]);
    assert_eq!(only(&sla(accepted.path(), "2026-12-03T12:00:00+01:00").1)["status"], "accepted");
    let before = sla(accepted.path(), "2026-12-02T09:59:59+01:00").1;
    assert_eq!(only(&before)["status"], "awaiting-feedback");
    let late = repository(unchanged, &[("CHG-1", &with("2026-12-07T10:00:00+01:00", "rejected"))]);
    assert_eq!(only(&sla(late.path(), "2026-12-08T12:00:00+01:00").1)["status"], "auto-accepted");

    // Kinds without an acceptance test are simply completed.
    let renewal = repository(
        unchanged,
        &[("CHG-1", &body.replace("vpn-apn-provisioning", "certificate-renewal"))],
    );
    let (_, report) = sla(renewal.path(), "2026-12-30T12:00:00+01:00");
    assert_eq!(only(&report)["status"], "completed");
    assert!(only(&report).get("feedback-due").is_none());
}

#[test]
fn a_rejected_result_means_the_change_goes_on_against_the_same_due_date() {
    // Due Mon 30 Nov 2026 (ten working days from Mon 16 Nov); completed on Fri 27
    // Nov, rejected on Wed 2 Dec: not completed, and past its due date.
    let body = "change: vpn-apn-provisioning
documents-complete: 2026-11-16T08:00:00+01:00
completed: 2026-11-27T16:00:00+01:00
feedback: { at: 2026-12-02T10:00:00+01:00, result: rejected }
";
    let dir = repository(unchanged, &[("CHG-1", body)]);
    let (output, report) = sla(dir.path(), "2026-12-03T12:00:00+01:00");
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    let entry = only(&report);
    assert_eq!(entry["status"], "overdue");
    assert_eq!(entry["due"], "2026-11-30T23:59:59+01:00");
    assert_eq!(entry["rejected"], "2026-12-02T10:00:00+01:00");
    assert!(entry.get("completed").is_none());

    // The corrected result: `completed` moves past the rejection, which then
    // belongs to the earlier result. It is late, and awaits feedback again.
    let redone = body
        .replace("completed: 2026-11-27T16:00:00+01:00", "completed: 2026-12-03T09:00:00+01:00");
    let dir = repository(unchanged, &[("CHG-1", &redone)]);
    let (output, report) = sla(dir.path(), "2026-12-03T12:00:00+01:00");
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    let entry = only(&report);
    assert_eq!(entry["status"], "awaiting-feedback");
    assert_eq!(entry["on-time"], false);
    assert!(entry.get("rejected").is_none());
}

#[test]
fn an_unknown_change_kind_is_unusable_input_naming_the_known_kinds() {
    let body = "change: certificate-renewals\ndocuments-complete: 2026-11-02T10:00:00+01:00\n";
    let dir = repository(unchanged, &[("CHG-1", body)]);
    let output = run(dir.path(), &["sla", "--at", "2026-11-03T12:00:00+01:00"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("changes/CHG-1.yaml:5:9: error: `certificate-renewals` is not a standard change of the policy [unknown-change-kind]"),
        "{err}"
    );
    assert!(err.contains("did you mean `certificate-renewal`?"), "{err}");
    assert!(err.contains("tenant-creation, user-creation, vpn-apn-provisioning"), "{err}");
}

#[test]
fn feedback_without_completion_is_unusable_input() {
    let body = "change: certificate-renewal
documents-complete: 2026-11-02T10:00:00+01:00
feedback: { at: 2026-11-04T10:00:00+01:00, result: accepted }
";
    let dir = repository(unchanged, &[("CHG-1", body)]);
    let output = run(dir.path(), &["sla", "--at", "2026-11-05T12:00:00+01:00"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("changes/CHG-1.yaml:7:11: error: `feedback` is about a completed result"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn paths_name_files_and_folders_and_the_markdown_is_a_table() {
    let output = run(
        &root(),
        &["sla", "--at", "2026-12-03T12:00:00+01:00", "--format", "markdown", "examples/changes"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("| change | kind | customer | documents complete | due | status |"));
    assert!(
        text.contains("| CHG-2026-0043 | certificate-renewal | Stadtwerke Example |"),
        "{text}"
    );
    // CHG-2026-0042 is due at the end of that day.
    assert!(text.contains("| DUE SOON, due today: 20 of 20 working days used |"), "{text}");
    assert!(text.contains("0 of 3 changes overdue, 1 due soon."), "{text}");

    let one = run(
        &root(),
        &["sla", "--at", "2026-12-03T12:00:00+01:00", "examples/changes/CHG-2026-0042.yaml"],
    );
    assert!(stdout(&one).ends_with("1 change, 0 overdue, 1 due soon\n"), "{}", stdout(&one));
}

#[test]
fn the_json_report_matches_its_schema() {
    let body = "change: vpn-apn-provisioning
documents-complete: 2026-11-16T08:00:00+01:00
pauses:
  - { from: 2026-11-18T08:00:00+01:00, until: 2026-11-18T12:00:00+01:00, reason: call }
completed: 2026-11-27T16:00:00+01:00
";
    let late = "change: certificate-renewal\ndocuments-complete: 2026-11-02T10:00:00+01:00\n";
    let dir = repository(unchanged, &[("CHG-1", body), ("CHG-2", late)]);
    let (output, report) = sla(dir.path(), "2026-12-03T12:00:00+01:00");
    assert_eq!(output.status.code(), Some(1));
    let schema: serde_json::Value =
        serde_json::from_slice(&run(&root(), &["schema", "sla-report"]).stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{report:#}");
    assert_eq!(report["changes"].as_array().unwrap().len(), 2);
}

/// The README's example outputs of `sla` and `access-review`, run as written.
#[test]
fn the_readme_examples_are_what_the_commands_print() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let mut shown = 0;
    for block in readme.split("```console\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let (command, expected) = block.split_once('\n').unwrap();
        let Some(args) = command.strip_prefix("$ release-gate ") else { continue };
        if !(args.starts_with("sla ") || args.starts_with("access-review ")) {
            continue;
        }
        let args: Vec<&str> = args.split_whitespace().collect();
        let output = run(&root(), &args);
        assert_eq!(stdout(&output), expected, "README: {command}");
        shown += 1;
    }
    assert_eq!(shown, 2, "the README shows no sla or access-review example");
}
