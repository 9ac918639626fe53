//! `access-review`: who may approve what, the review's due date and its
//! boundary, and that keys appear only as fingerprints. Also that the other
//! commands say so once the review is overdue.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{json, root, run, stdout};

/// A folder whose policy is the default with the review and people edited.
fn repository(last: &str, on_overdue: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let policy = release_gate::policy::DEFAULT_TEXT
        .replace("last: 2026-01-15", &format!("last: {last}"))
        .replace("on-overdue: warn", &format!("on-overdue: {on_overdue}"));
    fs::write(dir.path().join(".release-gate.yaml"), policy).unwrap();
    dir
}

fn review(dir: &Path, at: &str, format: &str) -> Output {
    run(dir, &["access-review", "--at", at, "--format", format])
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_review_366_days_old_is_overdue_and_blocks_when_the_policy_says_so() {
    // 2 Dec 2025 + 12 months = 2 Dec 2026; 3 Dec 2026 is 366 days later.
    let dir = repository("2025-12-02", "warn");
    let output = review(dir.path(), "2026-12-03T09:00:00+01:00", "json");
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let report = json(&output);
    assert_eq!(report["review"]["next-due"], "2026-12-02");
    assert_eq!(report["review"]["overdue"], true);
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"access-review-overdue"), "{codes:?}");

    let text = stdout(&review(dir.path(), "2026-12-03T09:00:00+01:00", "text"));
    assert!(
        text.contains(".release-gate.yaml:142:9: warning: the access review is overdue: last reviewed 2025-12-02, due again by 2026-12-02 [access-review-overdue]"),
        "{text}"
    );
    let markdown = stdout(&review(dir.path(), "2026-12-03T09:00:00+01:00", "markdown"));
    assert!(markdown.contains("> **warning:** the access review is overdue"), "{markdown}");

    let blocking = repository("2025-12-02", "block");
    let output = review(blocking.path(), "2026-12-03T09:00:00+01:00", "text");
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(stdout(&output).contains("error: the access review is overdue"));
}

#[test]
fn exactly_twelve_months_is_not_overdue() {
    let dir = repository("2025-12-03", "block");
    let output = review(dir.path(), "2026-12-03T23:59:59+01:00", "json");
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let report = json(&output);
    assert_eq!(report["review"]["next-due"], "2026-12-03");
    assert_eq!(report["review"]["overdue"], false);
    assert!(
        report["findings"].as_array().unwrap().iter().all(|f| f["code"] != "access-review-overdue")
    );

    // The next local day, however early, is overdue.
    let output = review(dir.path(), "2026-12-04T00:00:00+01:00", "json");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn people_are_listed_with_roles_per_environment_and_key_fingerprints_only() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("anna");
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "anna", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    let public = fs::read_to_string(key.with_extension("pub")).unwrap().trim().to_string();
    let base64 = public.split_whitespace().nth(1).unwrap().to_string();
    // ssh-keygen's own fingerprint of the key: `256 SHA256:... anna (ED25519)`.
    let listed = Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(key.with_extension("pub"))
        .output()
        .unwrap();
    let fingerprint =
        String::from_utf8_lossy(&listed.stdout).split_whitespace().nth(1).unwrap().to_string();
    assert!(fingerprint.starts_with("SHA256:"));

    let policy = release_gate::policy::DEFAULT_TEXT.replace(
        "{ id: anna, name: Anna Example (DEV approver) }",
        &format!(
            "{{ id: anna, name: Anna Example (DEV approver), github: anna-gh, signing-keys: [\"{public}\", \"ssh-ed25519 AAAAnotakey\"] }}"
        ),
    );
    let policy = policy.replace("approvers: [ben]", "approvers: [ben, anna]");
    fs::write(dir.path().join(".release-gate.yaml"), policy).unwrap();

    for format in ["markdown", "json", "text"] {
        let output = review(dir.path(), "2026-12-03T09:00:00+01:00", format);
        assert_eq!(output.status.code(), Some(0));
        let text = stdout(&output);
        assert!(text.contains(&fingerprint), "{format}: {text}");
        assert!(!text.contains(&base64), "{format} shows the key itself: {text}");
        assert!(!text.contains(&base64[20..40]), "{format} shows part of the key: {text}");
    }

    let report = json(&review(dir.path(), "2026-12-03T09:00:00+01:00", "json"));
    let anna = &report["people"][1];
    assert_eq!(anna["id"], "anna");
    assert_eq!(anna["github"], "anna-gh");
    assert_eq!(anna["approves"], serde_json::json!(["dev", "test"]));
    assert_eq!(anna["signing-keys"][0]["fingerprint"], fingerprint.as_str());
    assert_eq!(anna["signing-keys"][0]["algorithm"], "ssh-ed25519");
    // An entry that is no key says so, without repeating the entry.
    assert!(anna["signing-keys"][1]["error"].as_str().unwrap().contains("not an SSH public key"));
    assert!(!report.to_string().contains("AAAAnotakey"));
    assert_eq!(report["people"][4]["isb"], true);
    assert_eq!(report["people"][5]["policy-admin"], true);

    let markdown = stdout(&review(dir.path(), "2026-12-03T09:00:00+01:00", "markdown"));
    assert!(
        markdown.contains("| person | name | GitHub | approves dev | approves test | approves prod | ISB | policy admin | signing keys |"),
        "{markdown}"
    );
    assert!(
        markdown
            .contains("| `anna` | Anna Example (DEV approver) | `anna-gh` | yes | yes |  |  |  |"),
        "{markdown}"
    );

    let text = stdout(&review(dir.path(), "2026-12-03T09:00:00+01:00", "text"));
    assert!(text.contains("roles: approver (dev, test)"), "{text}");
    assert!(text.contains("last reviewed 2026-01-15; next review due by 2027-01-15"), "{text}");
}

#[test]
fn the_json_report_matches_its_schema() {
    let dir = repository("2025-12-02", "warn");
    let report = json(&review(dir.path(), "2026-12-03T09:00:00+01:00", "json"));
    let schema: serde_json::Value =
        serde_json::from_slice(&run(&root(), &["schema", "access-review-report"]).stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{report:#}");

    // Without a recorded review, `review` is null.
    let dir = tempfile::tempdir().unwrap();
    let policy = release_gate::policy::DEFAULT_TEXT.replace(
        "access-review:\n  last: 2026-01-15\n  interval-months: 12\n  on-overdue: warn\n",
        "",
    );
    fs::write(dir.path().join(".release-gate.yaml"), policy).unwrap();
    let report = json(&review(dir.path(), "2026-12-03T09:00:00+01:00", "json"));
    assert!(report["review"].is_null(), "{report:#}");
    assert!(validator.iter_errors(&report).next().is_none());
}

#[test]
fn other_commands_warn_once_the_review_is_overdue() {
    let dir = repository("2025-12-02", "warn");
    let at = "2026-12-03T09:00:00+01:00";

    let lint = run(dir.path(), &["lint", "--at", at]);
    assert_eq!(lint.status.code(), Some(0), "{}", stdout(&lint));
    assert!(stdout(&lint).contains("[access-review-overdue]"), "{}", stdout(&lint));

    let windows = run(dir.path(), &["windows", "--from", at, "--count", "1"]);
    assert_eq!(windows.status.code(), Some(0));
    assert!(stderr(&windows).contains("[access-review-overdue]"), "{}", stderr(&windows));

    fs::create_dir(dir.path().join("changes")).unwrap();
    let sla = run(dir.path(), &["sla", "--at", at]);
    assert_eq!(sla.status.code(), Some(0));
    assert!(stderr(&sla).contains("[access-review-overdue]"), "{}", stderr(&sla));

    // Blocking, it fails lint like an expired policy under `on-expiry: block`.
    let blocking = repository("2025-12-02", "block");
    let lint = run(blocking.path(), &["lint", "--at", at]);
    assert_eq!(lint.status.code(), Some(1), "{}", stdout(&lint));
}

#[test]
fn check_reports_an_overdue_review_and_blocks_under_block() {
    for (on_overdue, code) in [("warn", 0), ("block", 1)] {
        let dir = common::git_repository();
        let policy = release_gate::policy::DEFAULT_TEXT
            .replace("last: 2026-01-15", "last: 2025-12-02")
            .replace("on-overdue: warn", &format!("on-overdue: {on_overdue}"));
        common::git(dir.path(), &["checkout", "-q", "-b", "dev"]);
        common::commit_file(dir.path(), ".release-gate.yaml", &policy, "policy");
        common::git(dir.path(), &["checkout", "-q", "-b", "docs"]);
        common::commit_file(dir.path(), "README.md", "# docs\n", "docs");

        let at = "2026-12-03T09:00:00+01:00";
        let output = run(
            dir.path(),
            &["check", "--base", "dev", "--head", "docs", "--at", at, "--format", "json"],
        );
        let report = json(&output);
        assert_eq!(output.status.code(), Some(code), "{report:#}");
        let overdue: Vec<&serde_json::Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "access-review-overdue")
            .collect();
        assert_eq!(overdue.len(), 1, "{report:#}");
        assert_eq!(overdue[0]["file"], ".release-gate.yaml");
        assert_eq!(overdue[0]["line"], 142);
    }
}
