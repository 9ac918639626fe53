//! `plan` on the shipped example and on a repository whose PROD branch has
//! already used this week's window.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{commit_file, git, git_repository, json, root, run, stdout};

const EXAMPLE: &str = "examples/releases/gwa-core/4.2.0/release.yaml";

fn steps(report: &serde_json::Value) -> Vec<(String, String, String, String)> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["environment"].as_str().unwrap().to_string(),
                s["name"].as_str().unwrap().to_string(),
                s["start"].as_str().unwrap().to_string(),
                s["window"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

#[test]
fn the_example_release_reaches_prod_on_the_preferred_wednesday() {
    let output = run(&root(), &["plan", EXAMPLE, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    let steps = steps(&report);
    assert_eq!(steps.len(), 8);
    assert_eq!(steps[0].2, "2026-11-17T00:00:00+01:00");
    // TEST: the first window allowing downtime after one day of preparation, with the
    // notice (published when preparation starts) one working day ahead.
    assert_eq!(
        steps[4],
        ("test".into(), "Deployment".into(), "2026-11-26T07:00:00+01:00".into(), "small".into())
    );
    assert_eq!(report["steps"][4]["notice_by"], "2026-11-25T07:00:00+01:00");
    // PROD: Monday 7 December would fit, but Wednesday is preferred in the same week.
    assert_eq!(steps[7].2, "2026-12-09T17:00:00+01:00");
    assert_eq!(steps[7].3, "small-downtime");
    assert_eq!(report["working_days"], 17);

    let text = stdout(&run(&root(), &["plan", EXAMPLE]));
    assert!(text.contains("```mermaid\ngantt\n    title gwa-core 4.2.0: path to PROD\n"), "{text}");
    assert!(text.contains("    Deployment and QA (small-downtime window) :crit, s7, 2026-12-09 17:00, 2026-12-09 22:00\n"));
    assert!(text.contains("| test | Deployment | Thu 2026-11-26 07:00 | Thu 2026-11-26 09:00 | 1 | small | Wed 2026-11-25 07:00 |"));
}

#[test]
fn holidays_push_the_working_days_back() {
    // Delivered on Monday 2026-12-21: Christmas (25th, 26th) and New Year count not.
    let output =
        run(&root(), &["plan", EXAMPLE, "--from", "2026-12-21T09:00:00+01:00", "--format", "json"]);
    let report = json(&output);
    let steps = steps(&report);
    // Preparation: Tue 22, Wed 23, Thu 24 (a working day in Saarland by law).
    assert_eq!(steps[0].2, "2026-12-22T00:00:00+01:00");
    assert_eq!(report["steps"][0]["end"], "2026-12-25T00:00:00+01:00");
    // Deployment to DEV: Mon 28, Tue 29.
    assert_eq!(report["steps"][1]["end"], "2026-12-30T00:00:00+01:00");
}

#[test]
fn a_spent_weekly_budget_moves_prod_to_the_next_week() {
    let repo = git_repository();
    let dir = repo.path();
    git(dir, &["checkout", "-q", "-b", "prod"]);
    let record = std::fs::read_to_string(root().join("examples/releases/gwa-core/4.2.0/test.yaml"))
        .unwrap()
        .replace("environment: test", "environment: prod")
        .replace("window: regular", "window: small-downtime")
        .replace("start: 2026-11-26T07:00:00+01:00", "start: 2026-12-07T17:00:00+01:00")
        .replace("end: 2026-11-26T11:00:00+01:00", "end: 2026-12-07T19:00:00+01:00")
        .replace("version: 4.2.0", "version: 4.1.0")
        .replace("  to: prod\n", "");
    commit_file(dir, "releases/gwa-core/4.1.0/prod.yaml", &record, "4.1.0 on prod");
    git(dir, &["checkout", "-q", "main"]);
    commit_file(
        dir,
        "releases/gwa-core/4.2.0/release.yaml",
        &std::fs::read_to_string(root().join(EXAMPLE)).unwrap(),
        "deliver",
    );
    for doc in ["release-notes", "installation", "authentication", "user-guide"] {
        let path = format!("releases/gwa-core/4.2.0/docs/{doc}.md");
        commit_file(dir, &path, "text\n", "docs");
    }

    // Delivered two days later than the example, PROD preparation ends on
    // Wednesday 9 December; the first window whose notice can still be in time is
    // Friday's small window with downtime.
    let from = "2026-11-18T09:30:00+01:00";
    let alone = json(&run(&root(), &["plan", EXAMPLE, "--from", from, "--format", "json"]));
    assert_eq!(steps(&alone)[7].2, "2026-12-11T17:00:00+01:00");

    // But Monday's occurrence of week 50 is used by 4.1.0 on the prod branch, and
    // the kind allows one a week: the next week, on its preferred Wednesday.
    let output = run(dir, &["plan", "releases/gwa-core/4.2.0", "--from", from, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let planned = steps(&json(&output));
    assert_eq!(planned[7].2, "2026-12-16T17:00:00+01:00");

    // Without a later start, 4.2.0 simply joins the occurrence 4.1.0 uses.
    let joined = json(&run(dir, &["plan", "releases/gwa-core/4.2.0", "--format", "json"]));
    assert_eq!(steps(&joined)[7].2, "2026-12-07T17:00:00+01:00");
}

#[test]
fn an_invalid_release_cannot_be_planned() {
    let dir = root().join("tests/fixtures");
    let output = run(&dir, &["plan", "bad/version-shape.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("[version-shape]") && err.contains("the release unit is not valid"),
        "{err}"
    );
}
