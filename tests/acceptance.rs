//! The acceptance checklist on whole deliveries.
//!
//! Every case under `tests/fixtures/acceptance/{bad,good}/NAME/` is laid over the
//! shipped example unit (`examples/releases/gwa-core/4.2.0`) in a temporary
//! repository, then linted by the real binary:
//!
//! - files of the case replace or join the unit's files;
//! - `release.edits` and `policy.edits` change the example's `release.yaml` and the
//!   default policy, one `OLD => NEW` literal replacement per line (`\n` for a
//!   line break), each of which must apply;
//! - `NAME.sqlite.sql` becomes the SQLite database `NAME.sqlite` built from it;
//! - `expect` (bad cases): `verdict: V`, then `CODE PATH[:LINE:COL] OUTCOME` per
//!   finding (PATH relative to the unit's folder; every finding listed, in report
//!   order), `incident: CODE -> WHOM` per finding that hints at a reportable
//!   security incident (in report order), and `never-shown: TEXT` for secrets no
//!   output may contain;
//! - `expected.out` (bad cases): the exact text output. `BLESS=1` rewrites it.
//!
//! A good case must be accepted with no finding at all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{json, root, run, stdout};

const UNIT: &str = "releases/gwa-core/4.2.0";
/// The day after the example's delivery (Mon 2026-11-16): inside its rework period.
const AT: &str = "2026-11-17T12:00:00+01:00";

fn edits(path: &Path, text: &mut String) {
    let Ok(lines) = fs::read_to_string(path) else { return };
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let (old, new) = line.split_once(" => ").unwrap_or_else(|| panic!("{line}: no ` => `"));
        let (old, new) = (old.replace("\\n", "\n"), new.replace("\\n", "\n"));
        assert!(text.contains(&old), "{}: `{old}` does not occur", path.display());
        *text = text.replacen(&old, &new, 1);
    }
}

fn copy(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Builds `NAME.sqlite` from every `NAME.sqlite.sql` below a folder.
fn databases(dir: &Path) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            databases(&path);
        } else if path.to_str().unwrap().ends_with(".sqlite.sql") {
            let db = path.with_extension("");
            let script = fs::read_to_string(&path).unwrap();
            rusqlite::Connection::open(&db).unwrap().execute_batch(&script).unwrap();
            fs::remove_file(&path).unwrap();
        }
    }
}

/// A repository holding the example unit with the case laid over it.
fn delivery(case: &Path) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    fs::create_dir(repo.path().join(".git")).unwrap();
    let unit = repo.path().join(UNIT);
    fs::create_dir_all(&unit).unwrap();
    copy(&root().join("examples").join(UNIT), &unit);
    for record in ["dev.yaml", "test.yaml"] {
        fs::remove_file(unit.join(record)).unwrap();
    }

    let mut release = fs::read_to_string(unit.join("release.yaml")).unwrap();
    edits(&case.join("release.edits"), &mut release);
    fs::write(unit.join("release.yaml"), release).unwrap();

    let mut policy = fs::read_to_string(root().join("policy/default.yaml")).unwrap();
    policy = policy.replace("valid-until: 2020-12-31", "valid-until: 2027-12-31");
    edits(&case.join("policy.edits"), &mut policy);
    fs::write(repo.path().join(".release-gate.yaml"), policy).unwrap();

    for entry in fs::read_dir(case).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if matches!(name.as_str(), "release.edits" | "policy.edits" | "expect" | "expected.out") {
            continue;
        }
        let target = unit.join(&name);
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
    databases(&unit);
    repo
}

fn cases(kind: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(root().join("tests/fixtures/acceptance").join(kind))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn describe(finding: &serde_json::Value) -> String {
    let file = finding["file"].as_str().unwrap();
    let file = file.strip_prefix(&format!("{UNIT}/")).unwrap_or(file);
    let place = match (finding["line"].as_u64(), finding["column"].as_u64()) {
        (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
        _ => file.to_string(),
    };
    let outcome = finding["outcome"].as_str().unwrap_or("-");
    format!("{} {place} {outcome}", finding["code"].as_str().unwrap())
}

#[test]
fn bad_deliveries_fail_where_and_how_they_say() {
    let cases = cases("bad");
    assert!(cases.len() >= 12, "only {} bad deliveries", cases.len());
    let bless = std::env::var_os("BLESS").is_some();
    let schema: serde_json::Value =
        serde_json::from_slice(&run(&root(), &["schema", "lint-report"]).stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_str().unwrap();
        let expect = fs::read_to_string(case.join("expect")).unwrap();
        let repo = delivery(case);

        let output = run(repo.path(), &["lint", "--at", AT, "--format", "json", UNIT]);
        assert_eq!(output.status.code(), Some(1), "{name} should fail");
        let report = json(&output);
        for error in validator.iter_errors(&report) {
            failures.push(format!("{name}: the report breaks its schema: {error}"));
        }
        let found: Vec<String> =
            report["findings"].as_array().unwrap().iter().map(describe).collect();
        let verdict = report["acceptance"][0]["verdict"].as_str().unwrap_or("none").to_string();
        let incidents: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f.get("incident").is_some())
            .map(|f| {
                let whom: Vec<&str> = f["incident"]["report-to"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| w.as_str().unwrap())
                    .collect();
                format!("{} -> {}", f["code"].as_str().unwrap(), whom.join(", "))
            })
            .collect();

        let mut wanted = Vec::new();
        let mut wanted_incidents = Vec::new();
        let mut hidden = Vec::new();
        let mut wanted_verdict = String::new();
        for line in expect.lines().filter(|l| !l.trim().is_empty()) {
            if let Some(v) = line.strip_prefix("verdict: ") {
                wanted_verdict = v.to_string();
            } else if let Some(incident) = line.strip_prefix("incident: ") {
                wanted_incidents.push(incident.to_string());
            } else if let Some(secret) = line.strip_prefix("never-shown: ") {
                hidden.push(secret.to_string());
            } else {
                wanted.push(line.to_string());
            }
        }
        if found != wanted || verdict != wanted_verdict {
            failures.push(format!(
                "{name}: wanted verdict {wanted_verdict} and\n  {}\nfound verdict {verdict} and\n  {}",
                wanted.join("\n  "),
                found.join("\n  ")
            ));
        }

        if incidents != wanted_incidents {
            failures.push(format!(
                "{name}: wanted incident hints\n  {}\nfound\n  {}",
                wanted_incidents.join("\n  "),
                incidents.join("\n  ")
            ));
        }

        let text = stdout(&run(repo.path(), &["lint", "--at", AT, UNIT]));
        let raw_json = stdout(&output);
        for secret in &hidden {
            if text.contains(secret.as_str()) || raw_json.contains(secret.as_str()) {
                failures.push(format!("{name}: the output shows the secret `{secret}`"));
            }
        }
        let expected_path = case.join("expected.out");
        if bless {
            fs::write(&expected_path, &text).unwrap();
        } else if fs::read_to_string(&expected_path).unwrap_or_default() != text {
            failures.push(format!("{name}: text output differs from expected.out:\n{text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn good_deliveries_are_accepted() {
    let cases = cases("good");
    assert!(cases.len() >= 6, "only {} good deliveries", cases.len());
    for case in cases {
        let name = case.file_name().unwrap().to_str().unwrap().to_string();
        let repo = delivery(&case);
        let output = run(repo.path(), &["lint", "--at", AT, "--format", "json", UNIT]);
        let report = json(&output);
        assert_eq!(report["findings"], serde_json::json!([]), "{name}");
        assert_eq!(report["acceptance"][0]["verdict"], "accepted", "{name}");
        assert_eq!(output.status.code(), Some(0), "{name}");
    }
}

#[test]
fn the_shipped_example_is_accepted() {
    let nothing = tempfile::tempdir().unwrap();
    let repo = delivery(nothing.path());
    let output = run(repo.path(), &["lint", "--at", AT, "--format", "json", UNIT]);
    let report = json(&output);
    let acceptance = &report["acceptance"][0];
    assert_eq!(acceptance["verdict"], "accepted");
    assert_eq!(acceptance["files-scanned"], 5);
}

#[test]
fn a_file_of_a_unit_named_alone_runs_the_units_checklist() {
    // What pre-commit passes when only a configuration file changed.
    let repo = delivery(&root().join("tests/fixtures/acceptance/bad/password-in-properties"));
    let file = format!("{UNIT}/config/application.properties");
    let output = run(repo.path(), &["lint", "--at", AT, "--format", "json", &file]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["findings"][0]["code"], "plaintext-secret");
    assert_eq!(report["acceptance"][0]["file"], format!("{UNIT}/release.yaml"));
}

#[test]
fn a_symbolic_link_in_a_delivery_is_not_followed() {
    let repo = delivery(tempfile::tempdir().unwrap().path());
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("app.properties"), "db.password=Outside-S3cret\n").unwrap();
    let link = repo.path().join(UNIT).join("config.properties");
    std::os::unix::fs::symlink(outside.path().join("app.properties"), link).unwrap();
    let output = run(repo.path(), &["lint", "--at", AT, "--format", "json", UNIT]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "unscannable-file");
    assert_eq!(finding["outcome"], "reject");
    assert!(!stdout(&output).contains("Outside-S3cret"));
    assert_eq!(report["acceptance"][0]["verdict"], "rejected");
}
