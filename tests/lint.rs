//! `lint` on real folders: what fixture files cannot show (sizes, permissions,
//! symbolic links), the shipped examples, the README's manifests, and the JSON
//! report against its schema.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::os::unix::fs::symlink;

use common::{json, root, run, stdout};

const AT: &str = "2020-06-01T12:00:00+02:00";

/// A folder that looks like a guarded repository (it has `.git`).
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

fn example(name: &str) -> String {
    fs::read_to_string(root().join("examples/releases/gwa-core/4.2.0").join(name)).unwrap()
}

#[test]
fn the_shipped_examples_are_clean_but_the_default_policy_has_expired() {
    let output = run(&root(), &["lint", "--at", "2026-12-03T12:00:00+01:00", "examples"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains(
        "<embedded default policy>:15:14: warning: the policy was valid until 2020-12-31"
    ));
    assert!(text.contains("[policy-expired]"));
    assert!(text.ends_with("0 errors, 1 warning in 6 files\n"), "{text}");
}

#[test]
fn a_policy_that_blocks_on_expiry_makes_lint_fail() {
    let repo = repository();
    let policy = release_gate::policy::DEFAULT_TEXT.replace("on-expiry: warn", "on-expiry: block");
    fs::write(repo.path().join(".release-gate.yaml"), policy).unwrap();
    let output =
        run(repo.path(), &["lint", "--at", "2026-12-03T12:00:00+01:00", "--format", "json"]);
    let report = json(&output);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(report["findings"][0]["code"], "policy-expired");
    assert_eq!(report["findings"][0]["file"], ".release-gate.yaml");
    assert_eq!(report["findings"][0]["severity"], "error");
}

#[test]
fn a_file_over_the_size_bound_is_refused_before_it_is_read() {
    let repo = repository();
    let big = format!("api: release-gate/v1\n#{}\n", "x".repeat(1024 * 1024));
    fs::write(repo.path().join("big.yaml"), big).unwrap();
    let output = run(repo.path(), &["lint", "--at", AT, "big.yaml"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(text.starts_with("big.yaml: error: the file has 1048599 bytes; manifests may have at most 1048576 [file-too-large]"), "{text}");
}

#[test]
fn an_unreadable_file_is_a_finding_not_a_skip() {
    let repo = repository();
    let unit = repo.path().join("releases/gwa-core/4.2.0");
    fs::create_dir_all(&unit).unwrap();
    // A dangling link: the walk finds it by its name, but it cannot be read.
    symlink(repo.path().join("nowhere.yaml"), unit.join("release.yaml")).unwrap();
    let output = run(repo.path(), &["lint", "--at", AT]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("[unreadable-file]"), "{text}");
}

#[test]
fn a_missing_path_makes_the_invocation_unusable() {
    let output = run(&root(), &["lint", "no/such/folder"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/folder: cannot read"));
}

#[test]
fn references_through_a_symbolic_link_out_of_the_repository_are_refused() {
    let repo = repository();
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.md"), "# not ours\n").unwrap();

    let unit = repo.path().join("releases/gwa-core/4.2.0");
    fs::create_dir_all(unit.join("docs")).unwrap();
    for doc in ["release-notes.md", "installation.md", "authentication.md"] {
        fs::write(unit.join("docs").join(doc), example(&format!("docs/{doc}"))).unwrap();
    }
    symlink(outside.path().join("secret.md"), unit.join("docs/user-guide.md")).unwrap();
    fs::write(unit.join("release.yaml"), example("release.yaml")).unwrap();

    let output = run(repo.path(), &["lint", "--at", AT, "--format", "json"]);
    let report = json(&output);
    assert_eq!(output.status.code(), Some(1));
    let findings = report["findings"].as_array().unwrap();
    let codes: Vec<&str> = findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    // The reference is refused, and neither the acceptance scan nor the
    // documentation check follows the link.
    assert_eq!(
        codes,
        ["unscannable-file", "path-escapes-repository", "user-documentation-incomplete"]
    );
    assert_eq!(findings[0]["file"], "releases/gwa-core/4.2.0/docs/user-guide.md");
    assert_eq!(findings[0]["outcome"], "reject");
    let finding = &findings[1];
    assert_eq!(finding["file"], "releases/gwa-core/4.2.0/release.yaml");
    assert_eq!(finding["pointer"], "/documentation/user-guide");
    assert_eq!((finding["line"].as_u64(), finding["column"].as_u64()), (Some(36), Some(15)));
    assert_eq!(report["acceptance"][0]["verdict"], "rejected");
}

#[test]
fn a_manifest_that_is_a_link_out_of_the_repository_is_refused() {
    let repo = repository();
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("release.yaml"), example("release.yaml")).unwrap();
    let unit = repo.path().join("releases/gwa-core/4.2.0");
    fs::create_dir_all(&unit).unwrap();
    symlink(outside.path().join("release.yaml"), unit.join("release.yaml")).unwrap();

    let report = json(&run(repo.path(), &["lint", "--at", AT, "--format", "json"]));
    assert_eq!(report["findings"][0]["code"], "path-escapes-repository");
    assert!(report["findings"][0]["message"].as_str().unwrap().contains("symbolic link"));
}

#[test]
fn folders_are_searched_by_layout_and_findings_come_sorted() {
    let repo = repository();
    let unit = repo.path().join("releases/gwa-core/4.2.0");
    fs::create_dir_all(&unit).unwrap();
    let record = example("dev.yaml");
    fs::write(
        unit.join("dev.yaml"),
        record.replace("by: anna\n  at: 2026-11-20T15:30", "by: anne\n  at: 2026-11-20T15:30"),
    )
    .unwrap();
    fs::write(
        unit.join("test.yaml"),
        example("test.yaml").replace("window: regular", "window: reguler"),
    )
    .unwrap();
    // Not in the layout: ignored when a folder is linted.
    fs::write(repo.path().join("notes.yaml"), "this: [is not checked\n").unwrap();

    let output = run(repo.path(), &["lint", "--at", AT]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1));
    let headlines: Vec<&str> = text.lines().filter(|l| l.starts_with("releases/")).collect();
    assert_eq!(
        headlines,
        [
            "releases/gwa-core/4.2.0/dev.yaml:19:7: error: `anne` is not a person of the policy [unknown-person]",
            "releases/gwa-core/4.2.0/test.yaml:11:11: error: `reguler` is not a window of `test` [unknown-window]",
        ]
    );
    assert!(text.contains("did you mean `anna`?"));
    assert!(text.ends_with("2 errors, 0 warnings in 2 files\n"), "{text}");
}

#[test]
fn the_json_report_matches_its_published_schema() {
    let dir = root().join("tests/fixtures");
    let mut files: Vec<String> = fs::read_dir(dir.join("bad"))
        .unwrap()
        .map(|e| format!("bad/{}", e.unwrap().file_name().to_str().unwrap()))
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    files.push("good".into());
    let mut args = vec!["lint", "--at", AT, "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let output = run(&dir, &args);
    let report = json(&output);
    let schema: serde_json::Value =
        serde_json::from_slice(&run(&root(), &["schema", "lint-report"]).stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(report["errors"].as_u64().unwrap() >= 30);
}

#[test]
fn the_readme_manifests_are_valid() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut linted = 0;
    for (index, block) in readme.split("```yaml\n").skip(1).enumerate() {
        let block = block.split("```").next().unwrap();
        if !block.contains("api: release-gate/v1") {
            continue;
        }
        let path = dir.path().join(format!("readme-{index}.yaml"));
        fs::write(&path, block).unwrap();
        let output = run(dir.path(), &["lint", "--at", AT, path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0), "README block {index}:\n{}", stdout(&output));
        linted += 1;
    }
    assert!(linted >= 1, "the README shows no manifest");
}

#[test]
fn policy_init_scaffolds_a_repository_that_lints_clean() {
    let repo = repository();
    let output = run(repo.path(), &["policy", "init"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(repo.path().join("schemas/release.schema.json").exists());

    let lint = run(repo.path(), &["lint", "--at", AT]);
    assert_eq!(lint.status.code(), Some(0), "{}", stdout(&lint));
    assert!(stdout(&lint).ends_with("5 files clean\n"), "{}", stdout(&lint));

    // A second init refuses to overwrite.
    let again = run(repo.path(), &["policy", "init"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("pass --force"));
}

#[test]
fn policy_check_reports_a_broken_policy_and_show_prints_the_default() {
    let dir = root().join("tests/fixtures");
    let output = run(&dir, &["policy", "check", "bad/policy-contradictions.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("`22:00-06:00` is not a time range within one day"));

    let good = run(&dir, &["policy", "check", "good/policy-minimal.yaml"]);
    assert_eq!(good.status.code(), Some(0), "{}", stdout(&good));

    let shown = stdout(&run(&dir, &["policy", "show"]));
    assert!(shown.starts_with("# Effective policy: the embedded default"));
    assert!(shown.contains("times: [\"07:00-09:00\", \"15:00-17:00\"]"));
}

#[test]
fn a_broken_repository_policy_makes_lint_unusable() {
    let repo = repository();
    fs::write(repo.path().join(".release-gate.yaml"), "api: release-gate/v1\nkind: Policy\n")
        .unwrap();
    let output = run(repo.path(), &["lint"]);
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains(".release-gate.yaml:1:1: error: missing field `calendar` [missing-field]"),
        "{err}"
    );
    assert!(err.contains("the policy is unusable"));
}

#[test]
fn every_shipped_schema_is_printed() {
    // Every file under schemas/ is what `schema NAME` prints.
    let mut names = Vec::new();
    for entry in std::fs::read_dir(root().join("schemas")).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_str().unwrap().to_string();
        let Some(name) = file.strip_suffix(".schema.json") else { continue };
        let output = run(&root(), &["schema", name]);
        assert_eq!(output.status.code(), Some(0), "schema {name}");
        assert_eq!(output.stdout, std::fs::read(&path).unwrap(), "schema {name}");
        let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
        names.push(name.to_string());
    }
    assert_eq!(names.len(), 8, "{names:?}");
    let unknown = run(&root(), &["schema", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
}
