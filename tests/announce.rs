//! `announce`: customer notices drafted from real stage records, in German and
//! English, with the policy's own wording where it has some, and the drafted
//! notice in the pull-request comment of a deployment with downtime.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;

use common::{json, root, run, stdout};

const UNIT: &str = "releases/gwa-core/4.2.0";

fn example(name: &str) -> String {
    fs::read_to_string(root().join("examples").join(UNIT).join(name)).unwrap()
}

/// A folder (a repository root by its `.git`) with the example unit and, where
/// given, a policy.
fn workspace(policy: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    let unit = dir.path().join(UNIT);
    fs::create_dir_all(unit.join("docs")).unwrap();
    for name in ["release.yaml", "dev.yaml", "test.yaml"] {
        fs::write(unit.join(name), example(name)).unwrap();
    }
    if let Some(policy) = policy {
        fs::write(dir.path().join(".release-gate.yaml"), policy).unwrap();
    }
    dir
}

/// Writes a record at `path` under the folder.
fn put(dir: &Path, path: &str, text: &str) {
    let full = dir.join(path);
    fs::create_dir_all(full.parent().unwrap()).unwrap();
    fs::write(full, text).unwrap();
}

fn announce(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = run(dir, &[&["announce"], args].concat());
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap(), stdout(&output), stderr)
}

#[test]
fn a_release_notice_in_german_from_the_test_record() {
    let dir = workspace(None);
    let (code, out, err) = announce(dir.path(), &[&format!("{UNIT}/test.yaml")]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "Installation von Release 4.2.0 auf TEST am 26.11.2026 (Donnerstag)\n\n\
         Wir installieren am 26.11.2026 (Donnerstag) von 07:00 bis 11:00 Uhr (MEZ) Release 4.2.0 (gwa-core) auf der Umgebung TEST.\n\n\
         Zu Beginn des Zeitfensters ist die gesamte Umgebung TEST voraussichtlich für 1 Stunde nicht verfügbar.\n"
    );
}

#[test]
fn a_hotfix_in_summer_time_in_english_as_json() {
    let dir = workspace(None);
    let record = example("test.yaml")
        .replace("version: 4.2.0", "version: 4.2.0.1")
        .replace("2026-11-26T07:00:00+01:00", "2026-07-02T07:00:00+02:00")
        .replace("2026-11-26T11:00:00+01:00", "2026-07-02T08:30:00+02:00")
        .replace("downtime: 1h", "downtime: 1h30m");
    put(dir.path(), "releases/gwa-core/4.2.0.1/test.yaml", &record);
    let path = "releases/gwa-core/4.2.0.1/test.yaml";
    let (code, out, err) = announce(dir.path(), &[path, "--lang", "en", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let notice: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(notice["kind"], "hotfix");
    assert_eq!(notice["language"], "en");
    assert_eq!(notice["title"], "Hotfix 4.2.0.1 on TEST, Thursday, 2 July 2026");
    let body = notice["body"].as_str().unwrap();
    assert!(body.contains("from 07:00 to 08:30 (CEST)"), "{body}");
    assert!(body.contains("unavailable for about 1 hour and 30 minutes"), "{body}");

    // A four-part version is no release.
    let (code, _, err) = announce(dir.path(), &[path, "--kind", "release"]);
    assert_eq!(code, 2);
    assert!(err.contains("4.2.0.1 has four parts: that is a hotfix"), "{err}");
}

#[test]
fn delay_and_abort_need_what_the_record_cannot_know() {
    let dir = workspace(None);
    let record = format!("{UNIT}/test.yaml");
    let (code, _, err) = announce(dir.path(), &[&record, "--kind", "delay"]);
    assert_eq!(code, 2);
    assert!(err.contains("the delay notice needs --delay"), "{err}");

    let (code, out, _) = announce(dir.path(), &[&record, "--kind", "delay", "--delay", "2h"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Verzögerung: Release 4.2.0 auf TEST\n"), "{out}");
    assert!(out.contains("verzögert sich um voraussichtlich 2 Stunden"), "{out}");

    let new_date = "2026-12-03T07:00:00+01:00";
    let args = [record.as_str(), "--kind", "abort", "--new-date", new_date, "--lang", "en"];
    let (code, out, _) = announce(dir.path(), &args);
    assert_eq!(code, 0);
    assert!(out.contains("The previous release stays in service"), "{out}");
    assert!(out.contains("New planned date: Thursday, 3 December 2026, 07:00."), "{out}");
}

#[test]
fn a_disruption_and_its_end_without_a_record() {
    let dir = workspace(None);
    let until = "2026-12-03T18:00:00+01:00";
    let args = ["--kind", "disruption", "--object", "die VDI", "--until", until];
    let (code, out, err) = announce(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Störung: die VDI\n"), "{out}");
    assert!(out.contains("Voraussichtlich wieder verfügbar: 03.12.2026 (Donnerstag), 18:00 Uhr."));

    let (code, out, _) =
        announce(dir.path(), &["--kind", "restored", "--object", "the VDI", "--lang", "en"]);
    assert_eq!(code, 0);
    assert!(out.contains("Everything is available again after the fault was fixed."), "{out}");

    let (code, _, err) = announce(dir.path(), &["--kind", "disruption", "--until", until]);
    assert_eq!(code, 2);
    assert!(err.contains("needs --object"), "{err}");
}

#[test]
fn the_policy_replaces_the_wording_and_its_placeholders_are_checked() {
    let policy = release_gate::policy::DEFAULT_TEXT.replace(
        "notices:\n  language: de\n  templates: []\n",
        "notices:\n  language: en\n  templates:\n    - kind: release\n      language: en\n      title: \"Maintenance release {version} ({environment})\"\n      body: \"Planned for {date} {from}-{to}, downtime {downtime}.\"\n",
    );
    assert_ne!(policy, release_gate::policy::DEFAULT_TEXT);
    let dir = workspace(Some(&policy));
    let (code, out, err) = announce(dir.path(), &[&format!("{UNIT}/test.yaml")]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "Maintenance release 4.2.0 (TEST)\n\nPlanned for Thursday, 26 November 2026 07:00-11:00, downtime 1 hour.\n"
    );

    let bad = policy.replace("downtime {downtime}", "downtime {outage}");
    let dir = workspace(Some(&bad));
    let (code, _, err) = announce(dir.path(), &[&format!("{UNIT}/test.yaml")]);
    assert_eq!(code, 2);
    assert!(err.contains(".release-gate.yaml:"), "{err}");
    assert!(err.contains("`{outage}` is no placeholder of a notice"), "{err}");
    assert!(err.contains("use one of {version}"), "{err}");
}

/// A repository whose branch `promote` brings the example unit from `dev` to
/// `test` (with an hour of downtime); `policy` committed first, on every branch.
fn promotion(policy: Option<&str>) -> tempfile::TempDir {
    let dir = common::git_repository();
    let path = dir.path();
    if let Some(policy) = policy {
        common::commit_file(path, ".release-gate.yaml", policy, "policy");
    }
    for branch in ["dev", "test", "prod"] {
        common::git(path, &["branch", branch]);
    }
    common::git(path, &["checkout", "-q", "dev"]);
    let unit = path.join(UNIT);
    fs::create_dir_all(unit.join("docs")).unwrap();
    fs::write(unit.join("release.yaml"), example("release.yaml")).unwrap();
    for doc in ["release-notes", "installation", "authentication", "user-guide"] {
        fs::write(unit.join(format!("docs/{doc}.md")), example(&format!("docs/{doc}.md"))).unwrap();
    }
    fs::write(unit.join("dev.yaml"), example("dev.yaml")).unwrap();
    common::git(path, &["add", "."]);
    common::git(path, &["commit", "-q", "-m", "dev"]);
    common::git(path, &["checkout", "-q", "-b", "promote", "test"]);
    common::git(path, &["checkout", "dev", "--", UNIT]);
    let record = example("test.yaml");
    fs::write(unit.join("test.yaml"), &record[..record.find("qa:").unwrap()]).unwrap();
    common::git(path, &["add", "."]);
    common::git(path, &["commit", "-q", "-m", "promote"]);
    dir
}

fn check(path: &Path, format: &str) -> std::process::Output {
    let at = "2026-11-26T07:30:00+01:00";
    run(path, &["check", "--base", "test", "--head", "promote", "--at", at, "--format", format])
}

#[test]
fn the_pull_request_comment_carries_the_drafted_notice() {
    let dir = promotion(None);
    let markdown = stdout(&check(dir.path(), "markdown"));
    assert!(
        markdown.contains(
            "<details><summary>Drafted customer notice (de): Installation von Release 4.2.0 auf TEST am 26.11.2026 (Donnerstag)</summary>"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("> Zu Beginn des Zeitfensters ist die gesamte Umgebung TEST voraussichtlich für 1 Stunde nicht verfügbar."));
    let report = json(&check(dir.path(), "json"));
    assert_eq!(report["units"][0]["notice"]["kind"], "release");
    assert_eq!(report["units"][0]["notice"]["language"], "de");
}

#[test]
fn a_template_the_record_cannot_fill_is_a_warning_not_a_block() {
    let policy = release_gate::policy::DEFAULT_TEXT.replace(
        "  templates: []\n",
        "  templates:\n    - { kind: release, language: de, title: \"Release {version}\", body: \"Verzögerung {delay}\" }\n",
    );
    let dir = promotion(Some(&policy));
    let output = check(dir.path(), "json");
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let report = json(&output);
    assert!(report["units"][0].get("notice").is_none());
    let warning = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "notice-not-drafted")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["file"], format!("{UNIT}/test.yaml"));
    assert!(warning["message"].as_str().unwrap().contains("needs --delay"));
}
