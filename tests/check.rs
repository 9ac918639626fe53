//! The gate on real repositories: dev, test and prod branches, promotions made
//! the way people make them (`git checkout dev -- releases/...`), SSH-signed
//! approvals made with keys from `ssh-keygen`, and the real binary deciding.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{git, json, root};
use sha2::{Digest, Sha256};

const UNIT: &str = "releases/gwa-core/4.2.0";

fn example(name: &str) -> String {
    fs::read_to_string(root().join("examples").join(UNIT).join(name)).unwrap()
}

fn digest(text: &str) -> String {
    format!("sha256:{:x}", Sha256::digest(text.as_bytes()))
}

/// A GitOps repository with `main`, `dev`, `test` and `prod`.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo { dir: common::git_repository() };
        for branch in ["dev", "test", "prod"] {
            repo.git(&["branch", branch]);
        }
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> String {
        git(self.path(), args)
    }

    fn write(&self, path: &str, text: &str) {
        let full = self.path().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, text).unwrap();
        self.git(&["add", path]);
    }

    fn commit(&self, message: &str) {
        self.git(&["commit", "-q", "-m", message]);
    }

    fn checkout(&self, branch: &str) {
        self.git(&["checkout", "-q", branch]);
    }

    fn branch_from(&self, new: &str, from: &str) {
        self.git(&["checkout", "-q", "-b", new, from]);
    }

    /// Delivers the example unit to `dev` with its DEV record (approved for test).
    fn deliver_to_dev(&self, release: &str, dev_record: &str) {
        self.checkout("dev");
        self.write(&format!("{UNIT}/release.yaml"), release);
        for doc in ["release-notes", "installation", "authentication", "user-guide"] {
            self.write(&format!("{UNIT}/docs/{doc}.md"), &example(&format!("docs/{doc}.md")));
        }
        self.write(&format!("{UNIT}/dev.yaml"), dev_record);
        self.commit("gwa-core 4.2.0 on dev");
    }

    /// A promotion branch from `to`, bringing the unit from `from` and a record.
    fn promote(&self, name: &str, from: &str, to: &str, record: &str) {
        self.branch_from(name, to);
        self.git(&["checkout", from, "--", UNIT]);
        self.write(&format!("{UNIT}/{to}.yaml"), record);
        self.commit(&format!("promote to {to}"));
    }

    fn merge_into(&self, branch: &str, from: &str) {
        self.checkout(branch);
        self.git(&["merge", "-q", "--ff-only", from]);
    }

    /// Runs `check` with an output format, as a person or CI would.
    fn run_check(&self, base: &str, head: &str, at: &str, format: &str) -> std::process::Output {
        common::run(
            self.path(),
            &["check", "--base", base, "--head", head, "--at", at, "--format", format],
        )
    }

    fn check(&self, base: &str, head: &str, at: &str) -> (i32, serde_json::Value) {
        let output = common::run(
            self.path(),
            &["check", "--base", base, "--head", head, "--at", at, "--format", "json"],
        );
        let code = output.status.code().unwrap();
        assert_ne!(code, 2, "unusable: {}", String::from_utf8_lossy(&output.stderr));
        (code, json(&output))
    }
}

/// The codes of a decision's errors.
fn errors(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(report: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
}

fn at_line(report: &serde_json::Value, code: &str, file: &str, line: u64) {
    let f = finding(report, code);
    assert_eq!(f["file"], file, "{f:#}");
    assert_eq!(f["line"], line, "{f:#}");
}

/// A repository where gwa-core 4.2.0 is on dev, approved for test, and a
/// promotion branch `promote` brings it to test with the example TEST record.
fn promoted_to_test(test_record: &str) -> Repo {
    let repo = Repo::new();
    repo.deliver_to_dev(&example("release.yaml"), &example("dev.yaml"));
    repo.promote("promote", "dev", "test", test_record);
    repo
}

/// The example TEST record before QA: only the deployment plan.
fn test_plan() -> String {
    let record = example("test.yaml");
    record[..record.find("qa:").unwrap()].to_string()
}

const IN_WINDOW: &str = "2026-11-26T07:30:00+01:00";

#[test]
fn an_allowed_promotion_from_dev_to_test_in_the_regular_window() {
    let repo = promoted_to_test(&test_plan());
    let (code, report) = repo.check("test", "promote", IN_WINDOW);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["verdict"], "allowed");
    assert_eq!(report["units"][0]["change"], "deployment");
    // The embedded policy has expired and trusts approvals unverified: both said.
    let warnings: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(warnings, ["approvals-unverified", "policy-expired"]);
}

#[test]
fn the_same_promotion_at_17_01_is_outside_the_window() {
    let repo = promoted_to_test(&test_plan());
    let (code, report) = repo.check("test", "promote", "2026-11-26T17:01:00+01:00");
    assert_eq!(code, 1);
    assert_eq!(errors(&report), ["outside-window"]);
    at_line(&report, "outside-window", &format!("{UNIT}/test.yaml"), 11);
    assert!(
        finding(&report, "outside-window")["hint"]
            .as_str()
            .unwrap()
            .contains("next allowed: regular window Thu 2026-12-03 07:00 +01:00 to 17:00")
    );
    assert_eq!(report["next_window"]["start"], "2026-12-03T07:00:00+01:00");
}

#[test]
fn every_output_format_renders_the_same_decision() {
    let repo = promoted_to_test(&test_plan());
    let run = |format: &str| {
        let output = repo.run_check("test", "promote", "2026-11-26T17:01:00+01:00", format);
        assert_eq!(output.status.code(), Some(1), "{format}");
        String::from_utf8(output.stdout).unwrap()
    };
    let text = run("text");
    assert!(
        text.contains(&format!(
            "{UNIT}/test.yaml:11:11: error: the change is merged at Thu 2026-11-26 17:01 +01:00"
        )),
        "{text}"
    );
    assert!(text.contains("  FAIL inside an allowed window"));
    assert!(text.ends_with("BLOCKED: 1 error, 2 warnings\n"), "{text}");

    let markdown = run("markdown");
    assert!(markdown.starts_with("### ⛔ release-gate: blocked into `test`"), "{markdown}");
    assert!(markdown.contains("| inside an allowed window | ❌ failed |"));
    assert!(
        markdown.contains(
            "**Next allowed window:** regular window, Thu 2026-12-03 07:00 +01:00 to 17:00"
        )
    );
    assert!(markdown.contains("<details><summary>Findings</summary>"));

    let github = run("github");
    assert!(github.contains(&format!("::error file={UNIT}/test.yaml,line=11,col=11,endLine=11,title=outside-window::the change is merged at Thu 2026-11-26 17%3A01 +01%3A00").replace("17%3A01 +01%3A00", "17:01 +01:00")), "{github}");

    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "outside-window")
        .unwrap()["locations"][0]["physicalLocation"];
    assert_eq!(result["artifactLocation"]["uri"], format!("{UNIT}/test.yaml"));
    assert_eq!(result["region"]["startLine"], 11);

    let report: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(report["verdict"], "blocked");
}

#[test]
fn github_format_writes_outputs_and_the_job_summary() {
    let repo = promoted_to_test(&test_plan());
    let outputs = repo.path().join("outputs");
    let summary = repo.path().join("summary.md");
    let output = Command::new(env!("CARGO_BIN_EXE_release-gate"))
        .args([
            "check",
            "--base",
            "test",
            "--head",
            "promote",
            "--at",
            "2026-11-26T17:01:00+01:00",
            "--format",
            "github",
        ])
        .current_dir(repo.path())
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = repo.path().join("release-gate-report.json");
    assert_eq!(
        fs::read_to_string(outputs).unwrap(),
        format!(
            "verdict=blocked\nnext-window=2026-12-03T07:00:00+01:00\nreport-path={}\n",
            report.display()
        )
    );
    let written: serde_json::Value = serde_json::from_slice(&fs::read(report).unwrap()).unwrap();
    assert_eq!(written["verdict"], "blocked");
    assert!(
        fs::read_to_string(summary)
            .unwrap()
            .starts_with("### ⛔ release-gate: blocked into `test`")
    );
}

#[test]
fn prod_without_test_approval_is_blocked() {
    let repo = promoted_to_test(&test_plan());
    repo.merge_into("test", "promote");
    // TEST records QA but no approval.
    let record = example("test.yaml");
    let without_approval = &record[..record.find("approval:").unwrap()];
    repo.checkout("test");
    repo.write(&format!("{UNIT}/test.yaml"), without_approval);
    repo.commit("QA on test");
    let prod = example("test.yaml")
        .replace("environment: test", "environment: prod")
        .replace("window: regular", "window: small-downtime")
        .replace("2026-11-26T07:00:00+01:00", "2026-12-09T17:00:00+01:00")
        .replace("2026-11-26T11:00:00+01:00", "2026-12-09T19:00:00+01:00");
    let prod = prod[..prod.find("qa:").unwrap()].to_string();
    repo.promote("to-prod", "test", "prod", &prod);

    let (code, report) = repo.check("prod", "to-prod", "2026-12-09T17:30:00+01:00");
    assert_eq!(code, 1);
    assert_eq!(errors(&report), ["approval-missing"]);
    let f = finding(&report, "approval-missing");
    assert_eq!(f["file"], format!("{UNIT}/test.yaml"));
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("`test` has not approved gwa-core 4.2.0 for `prod`")
    );
}

#[test]
fn an_approval_for_a_different_digest_does_not_count() {
    let repo = Repo::new();
    let other = digest("another release.yaml");
    let dev = example("dev.yaml").replace(&digest(&example("release.yaml")), &other);
    repo.deliver_to_dev(&example("release.yaml"), &dev);
    repo.promote("promote", "dev", "test", &test_plan());
    let (code, report) = repo.check("test", "promote", IN_WINDOW);
    assert_eq!(code, 1);
    assert_eq!(errors(&report), ["digest-mismatch"]);
    at_line(&report, "digest-mismatch", &format!("{UNIT}/dev.yaml"), 7);
}

#[test]
fn a_unit_edited_on_the_way_is_blocked() {
    let repo = Repo::new();
    repo.deliver_to_dev(&example("release.yaml"), &example("dev.yaml"));
    repo.branch_from("promote", "test");
    repo.git(&["checkout", "dev", "--", UNIT]);
    repo.write(
        &format!("{UNIT}/release.yaml"),
        &example("release.yaml").replace("quarterly release", "quarterly release, patched"),
    );
    repo.write(&format!("{UNIT}/test.yaml"), &test_plan());
    repo.commit("promote with a change");
    let (code, report) = repo.check("test", "promote", IN_WINDOW);
    assert_eq!(code, 1);
    let codes = errors(&report);
    assert!(codes.contains(&"differs-from-earlier-branch".to_string()), "{codes:?}");
    assert!(codes.contains(&"digest-mismatch".to_string()), "{codes:?}");
    assert_eq!(
        finding(&report, "differs-from-earlier-branch")["file"],
        format!("{UNIT}/release.yaml")
    );
}

#[test]
fn a_record_edited_on_the_way_is_blocked() {
    let repo = Repo::new();
    repo.deliver_to_dev(&example("release.yaml"), &example("dev.yaml"));
    repo.branch_from("promote", "test");
    repo.git(&["checkout", "dev", "--", UNIT]);
    repo.write(
        &format!("{UNIT}/dev.yaml"),
        &example("dev.yaml").replace("result: passed", "result: passed\n  findings: []"),
    );
    repo.write(&format!("{UNIT}/test.yaml"), &test_plan());
    repo.commit("promote with an edited record");
    let (_, report) = repo.check("test", "promote", IN_WINDOW);
    assert_eq!(errors(&report), ["differs-from-earlier-branch"]);
    assert_eq!(finding(&report, "differs-from-earlier-branch")["file"], format!("{UNIT}/dev.yaml"));
}

#[test]
fn a_unit_created_directly_on_test_is_blocked() {
    let repo = Repo::new();
    repo.branch_from("direct", "test");
    repo.write(&format!("{UNIT}/release.yaml"), &example("release.yaml"));
    for doc in ["release-notes", "installation", "authentication", "user-guide"] {
        repo.write(&format!("{UNIT}/docs/{doc}.md"), &example(&format!("docs/{doc}.md")));
    }
    repo.write(&format!("{UNIT}/test.yaml"), &test_plan());
    repo.commit("straight to test");
    let (code, report) = repo.check("test", "direct", IN_WINDOW);
    assert_eq!(code, 1);
    assert_eq!(errors(&report), ["missing-evidence"]);
    assert!(
        finding(&report, "missing-evidence")["message"]
            .as_str()
            .unwrap()
            .contains("was never on `dev`")
    );
}

#[test]
fn an_approver_not_listed_and_a_self_approval_are_blocked() {
    let repo = Repo::new();
    // ben approves TEST, not DEV; and anna approves a unit anna authored.
    let release = example("release.yaml").replace("author: dora", "author: anna");
    let dev = example("dev.yaml").replace(&digest(&example("release.yaml")), &digest(&release));
    repo.deliver_to_dev(&release, &dev);
    let plan = test_plan().replace(&digest(&example("release.yaml")), &digest(&release));
    repo.promote("promote", "dev", "test", &plan);
    let (_, report) = repo.check("test", "promote", IN_WINDOW);
    assert_eq!(errors(&report), ["self-approval"]);
    at_line(&report, "self-approval", &format!("{UNIT}/dev.yaml"), 19);

    let repo = Repo::new();
    repo.deliver_to_dev(
        &example("release.yaml"),
        &example("dev.yaml")
            .replace("by: anna\n  at: 2026-11-20T15:30", "by: ben\n  at: 2026-11-20T15:30"),
    );
    repo.promote("promote", "dev", "test", &test_plan());
    let (_, report) = repo.check("test", "promote", IN_WINDOW);
    assert_eq!(errors(&report), ["approver-not-listed"]);
    assert!(
        finding(&report, "approver-not-listed")["hint"]
            .as_str()
            .unwrap()
            .contains("approvers of `dev`: anna")
    );
}

/// A key pair made by ssh-keygen, and the git settings to sign with it.
struct Key {
    private: PathBuf,
    public: String,
}

fn keygen(dir: &Path, name: &str) -> Key {
    let private = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&private)
        .status()
        .unwrap();
    assert!(status.success());
    let public = fs::read_to_string(private.with_extension("pub")).unwrap().trim().to_string();
    Key { private, public }
}

fn signed_commit(repo: &Repo, key: Option<&Key>, message: &str) {
    match key {
        Some(key) => repo.git(&[
            "-c",
            "gpg.format=ssh",
            "-c",
            &format!("user.signingkey={}", key.private.display()),
            "commit",
            "-q",
            "-S",
            "-m",
            message,
        ]),
        None => repo.git(&["commit", "-q", "-m", message]),
    };
}

/// The embedded policy with `ssh-signature` approvals and keys for anna (DEV) and
/// paula (policy admin), committed on every environment branch.
fn signed_policy(repo: &Repo, anna: &Key, paula: &Key) -> String {
    let policy = release_gate::policy::DEFAULT_TEXT
        .replace("approvals:\n  mode: none", "approvals:\n  mode: ssh-signature")
        .replace(
            "- { id: anna, name: Anna Example (DEV approver) }",
            &format!("- {{ id: anna, name: Anna, signing-keys: [\"{}\"] }}", anna.public),
        )
        .replace(
            "- { id: paula, name: Paula Example (policy admin) }",
            &format!("- {{ id: paula, name: Paula, signing-keys: [\"{}\"] }}", paula.public),
        );
    assert!(policy.contains("ssh-signature") && policy.contains(&anna.public));
    for branch in ["dev", "test", "prod"] {
        repo.checkout(branch);
        repo.write(".release-gate.yaml", &policy);
        repo.commit("policy");
    }
    policy
}

fn signed_scenario(signer: Option<&str>) -> (Repo, serde_json::Value) {
    let repo = Repo::new();
    let keys = tempfile::tempdir().unwrap();
    let anna = keygen(keys.path(), "anna");
    let mallory = keygen(keys.path(), "mallory");
    let paula = keygen(keys.path(), "paula");
    signed_policy(&repo, &anna, &paula);

    repo.checkout("dev");
    repo.write(&format!("{UNIT}/release.yaml"), &example("release.yaml"));
    for doc in ["release-notes", "installation", "authentication", "user-guide"] {
        repo.write(&format!("{UNIT}/docs/{doc}.md"), &example(&format!("docs/{doc}.md")));
    }
    repo.write(&format!("{UNIT}/dev.yaml"), &example("dev.yaml"));
    let key = match signer {
        Some("anna") => Some(&anna),
        Some(_) => Some(&mallory),
        None => None,
    };
    signed_commit(&repo, key, "approve on dev");
    repo.promote("promote", "dev", "test", &test_plan());
    let (_, report) = repo.check("test", "promote", IN_WINDOW);
    (repo, report)
}

#[test]
fn a_signed_approval_counts() {
    let (_, report) = signed_scenario(Some("anna"));
    assert_eq!(report["verdict"], "allowed", "{report:#}");
    let rules = report["units"][0]["rules"].as_array().unwrap();
    assert!(
        rules.iter().any(|r| r["rule"] == "approval signed by the approver" && r["passed"] == true)
    );
}

#[test]
fn an_unsigned_approval_and_one_signed_by_another_key_do_not_count() {
    let (_, report) = signed_scenario(None);
    assert_eq!(errors(&report), ["approval-unsigned"]);
    let (_, report) = signed_scenario(Some("mallory"));
    assert_eq!(errors(&report), ["approval-bad-signature"]);
    assert!(
        finding(&report, "approval-bad-signature")["message"]
            .as_str()
            .unwrap()
            .contains("not signed by anna")
    );
}

#[test]
fn a_pull_request_cannot_relax_its_own_gate() {
    let repo = promoted_to_test(&test_plan());
    let keys = tempfile::tempdir().unwrap();
    let anna = keygen(keys.path(), "anna");
    let paula = keygen(keys.path(), "paula");
    // The target branch's policy wants signed approvals and has TEST windows.
    repo.checkout("test");
    let strict = signed_policy(&repo, &anna, &paula);
    repo.checkout("promote");
    repo.git(&["merge", "-q", "--no-edit", "test"]);
    // The pull request relaxes the policy: TEST unrestricted, approvals unverified.
    let relaxed = strict.replace("mode: ssh-signature", "mode: none").replace(
        "  - name: test\n    branch: test\n",
        "  - name: test\n    branch: test\n    restricted: false\n",
    );
    repo.write(".release-gate.yaml", &relaxed);
    repo.commit("relax the gate");

    let (code, report) = repo.check("test", "promote", "2026-11-26T20:00:00+01:00");
    assert_eq!(code, 1);
    let codes = errors(&report);
    assert!(
        codes.contains(&"outside-window".to_string()),
        "base policy's windows apply: {codes:?}"
    );
    assert!(codes.contains(&"policy-change-unapproved".to_string()), "{codes:?}");
    assert!(
        codes.contains(&"approval-unsigned".to_string()),
        "base policy's mode applies: {codes:?}"
    );
}

#[test]
fn a_delta_without_its_base_on_test_is_blocked() {
    let repo = Repo::new();
    let release = example("release.yaml").replace("scope: full", "scope: delta\nbase: 4.1.0");
    let dev = example("dev.yaml").replace(&digest(&example("release.yaml")), &digest(&release));
    repo.deliver_to_dev(&release, &dev);
    repo.promote(
        "promote",
        "dev",
        "test",
        &test_plan().replace(&digest(&example("release.yaml")), &digest(&release)),
    );
    let (_, report) = repo.check("test", "promote", IN_WINDOW);
    assert_eq!(errors(&report), ["delta-base-missing"]);
    assert!(
        finding(&report, "delta-base-missing")["message"]
            .as_str()
            .unwrap()
            .contains("a delta on 4.1.0, which is not deployed on `test`")
    );
}

#[test]
fn a_rollback_needs_a_window_but_no_new_approvals() {
    let repo = promoted_to_test(&test_plan());
    repo.merge_into("test", "promote");
    // 4.1.0 was on test before: pretend its record is there too.
    repo.checkout("test");
    let old_release = example("release.yaml").replace("version: 4.2.0", "version: 4.1.0");
    let old = test_plan()
        .replace("version: 4.2.0", "version: 4.1.0")
        .replace("2026-11-26T", "2026-11-19T")
        .replace(&digest(&example("release.yaml")), &digest(&old_release));
    repo.write("releases/gwa-core/4.1.0/test.yaml", &old);
    repo.write("releases/gwa-core/4.1.0/release.yaml", &old_release);
    for doc in ["release-notes", "installation", "authentication", "user-guide"] {
        let text = example(&format!("docs/{doc}.md"));
        repo.write(&format!("releases/gwa-core/4.1.0/docs/{doc}.md"), &text);
    }
    repo.commit("4.1.0 history");
    repo.branch_from("rollback", "test");
    let back = old
        .replace("2026-11-19T07:00:00+01:00", "2026-12-03T07:00:00+01:00")
        .replace("2026-11-19T11:00:00+01:00", "2026-12-03T09:00:00+01:00")
        .replace("  downtime: 1h\n  notice:", "  downtime: 1h\n  rollback-from: 4.2.0\n  notice:");
    repo.write("releases/gwa-core/4.1.0/test.yaml", &back);
    repo.commit("roll back to 4.1.0");

    let (code, report) = repo.check("test", "rollback", "2026-12-03T07:10:00+01:00");
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["units"][0]["change"], "rollback");
    let (code, report) = repo.check("test", "rollback", "2026-12-03T18:00:00+01:00");
    assert_eq!(code, 1);
    assert_eq!(errors(&report), ["outside-window"]);
}

/// Promotes the example to test and on to prod with a PROD record built from `plan`.
fn to_prod(prod_plan: &str) -> Repo {
    let repo = promoted_to_test(&test_plan());
    repo.merge_into("test", "promote");
    repo.checkout("test");
    repo.write(&format!("{UNIT}/test.yaml"), &example("test.yaml"));
    repo.commit("QA and approval on test");
    repo.promote("to-prod", "test", "prod", prod_plan);
    repo
}

fn prod_record(window: &str, start: &str, end: &str, extra: &str) -> String {
    format!(
        "api: release-gate/v1\nkind: StageRecord\nunit: gwa-core\nversion: 4.2.0\nenvironment: prod\nrelease-digest: {}\ndeployment:\n  window: {window}\n  start: {start}\n  end: {end}\n{extra}",
        digest(&example("release.yaml"))
    )
}

#[test]
fn downtime_in_the_small_window_without_downtime_is_blocked() {
    let repo = to_prod(&prod_record(
        "small",
        "2026-12-09T07:00:00+01:00",
        "2026-12-09T09:00:00+01:00",
        "  downtime: 30m\n",
    ));
    let (_, report) = repo.check("prod", "to-prod", "2026-12-09T07:10:00+01:00");
    assert_eq!(errors(&report), ["downtime-not-allowed"]);
    at_line(&report, "downtime-not-allowed", &format!("{UNIT}/prod.yaml"), 11);
}

#[test]
fn a_notice_published_too_late_is_blocked() {
    let notice =
        "  downtime: 30m\n  notice:\n    published: 2026-12-07T09:00:00+01:00\n    downtime: 30m\n";
    let repo = to_prod(&prod_record(
        "small-downtime",
        "2026-12-09T17:00:00+01:00",
        "2026-12-09T18:00:00+01:00",
        notice,
    ));
    let (_, report) = repo.check("prod", "to-prod", "2026-12-09T17:10:00+01:00");
    assert_eq!(errors(&report), ["notice-too-late"]);
    let f = finding(&report, "notice-too-late");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("after the deadline Sun 2026-12-06 17:00 +01:00 (3 days before the window)"),
        "{f:#}"
    );
    assert!(
        f["hint"]
            .as_str()
            .unwrap()
            .contains("next allowed: small-downtime window Thu 2026-12-10 17:00"),
        "{f:#}"
    );
}

#[test]
fn a_second_small_window_in_one_week_is_blocked() {
    let repo = Repo::new();
    // test already used a small window on Tuesday of week 49.
    repo.checkout("test");
    let used = test_plan()
        .replace("version: 4.2.0", "version: 4.1.0")
        .replace("window: regular", "window: small")
        .replace("2026-11-26T07:00:00+01:00", "2026-12-01T07:00:00+01:00")
        .replace("2026-11-26T11:00:00+01:00", "2026-12-01T08:00:00+01:00");
    repo.write("releases/gwa-core/4.1.0/test.yaml", &used);
    repo.write(
        "releases/gwa-core/4.1.0/release.yaml",
        &example("release.yaml").replace("version: 4.2.0", "version: 4.1.0"),
    );
    repo.commit("4.1.0 on test");
    repo.deliver_to_dev(&example("release.yaml"), &example("dev.yaml"));
    let plan = test_plan()
        .replace("window: regular", "window: small")
        .replace("2026-11-26T07:00:00+01:00", "2026-12-03T15:00:00+01:00")
        .replace("2026-11-26T11:00:00+01:00", "2026-12-03T16:00:00+01:00");
    repo.promote("promote", "dev", "test", &plan);
    let (_, report) = repo.check("test", "promote", "2026-12-03T15:10:00+01:00");
    assert_eq!(errors(&report), ["window-limit-exceeded"]);
    assert_eq!(report["next_window"]["start"], "2026-12-07T07:00:00+01:00");
}

#[test]
fn emergencies_need_the_isb() {
    let emergency = |by: &str| {
        format!(
            "  downtime: 20m\n  emergency:\n    declared-by: {by}\n    declared-at: 2026-12-06T02:55:00+01:00\n    reason: Gateways reject renewed certificates.\n"
        )
    };
    let repo = to_prod(&prod_record(
        "emergency",
        "2026-12-06T03:00:00+01:00",
        "2026-12-06T04:00:00+01:00",
        &emergency("carla"),
    ));
    let (_, report) = repo.check("prod", "to-prod", "2026-12-06T03:05:00+01:00");
    assert_eq!(errors(&report), ["emergency-not-declared"]);

    let repo = to_prod(&prod_record(
        "emergency",
        "2026-12-06T03:00:00+01:00",
        "2026-12-06T04:00:00+01:00",
        &emergency("erik"),
    ));
    let (code, report) = repo.check("prod", "to-prod", "2026-12-06T03:05:00+01:00");
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn adding_evidence_needs_no_window() {
    let repo = promoted_to_test(&test_plan());
    repo.merge_into("test", "promote");
    repo.branch_from("qa", "test");
    repo.write(&format!("{UNIT}/test.yaml"), &example("test.yaml"));
    repo.commit("QA passed, approved for prod");
    // Saturday night: no TEST window is open.
    let (code, report) = repo.check("test", "qa", "2026-12-05T23:00:00+01:00");
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["units"][0]["change"], "evidence");
}

#[test]
fn an_unknown_path_is_blocked_by_name() {
    let repo = promoted_to_test(&test_plan());
    repo.write("scripts/deploy.sh", "#!/bin/sh\n");
    repo.write("docs/runbook.md", "ignored by the policy\n");
    repo.commit("more");
    let (_, report) = repo.check("test", "promote", IN_WINDOW);
    assert_eq!(errors(&report), ["unknown-path"]);
    assert_eq!(finding(&report, "unknown-path")["file"], "scripts/deploy.sh");
}

#[test]
fn a_missing_environment_branch_says_how_to_fetch_it() {
    let repo = promoted_to_test(&test_plan());
    repo.git(&["branch", "-D", "dev"]);
    let output = common::run(
        repo.path(),
        &["check", "--base", "test", "--head", "promote", "--at", IN_WINDOW],
    );
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("the branch `dev` of environment `dev` is not in this clone"), "{err}");
    assert!(err.contains("git fetch origin dev:refs/remotes/origin/dev"), "{err}");
}

#[test]
fn a_unit_already_on_test_is_never_edited_or_deleted() {
    let repo = promoted_to_test(&test_plan());
    repo.merge_into("test", "promote");
    repo.branch_from("edit", "test");
    repo.write(
        &format!("{UNIT}/release.yaml"),
        &example("release.yaml").replace("quarterly release", "quarterly release (fixed)"),
    );
    repo.commit("fix in place");
    let (_, report) = repo.check("test", "edit", IN_WINDOW);
    assert!(errors(&report).contains(&"unit-edited".to_string()), "{report:#}");
    assert!(finding(&report, "unit-edited")["hint"].as_str().unwrap().contains("new version"));

    repo.branch_from("delete", "test");
    repo.git(&["rm", "-q", &format!("{UNIT}/test.yaml")]);
    repo.commit("forget test");
    let (_, report) = repo.check("test", "delete", IN_WINDOW);
    assert_eq!(errors(&report), ["deleted-manifest"]);
}

#[test]
fn a_unit_needs_its_record_and_records_come_in_order() {
    let repo = Repo::new();
    repo.deliver_to_dev(&example("release.yaml"), &example("dev.yaml"));
    repo.branch_from("bare", "test");
    repo.git(&["checkout", "dev", "--", UNIT]);
    repo.commit("unit without a test record");
    let (_, report) = repo.check("test", "bare", IN_WINDOW);
    assert_eq!(errors(&report), ["missing-stage-record"]);

    repo.promote("ahead", "dev", "test", &test_plan());
    repo.write(
        &format!("{UNIT}/prod.yaml"),
        &prod_record("small", "2026-12-09T07:00:00+01:00", "2026-12-09T08:00:00+01:00", ""),
    );
    repo.commit("prod record early");
    let (_, report) = repo.check("test", "ahead", IN_WINDOW);
    assert_eq!(errors(&report), ["record-out-of-order"]);
}

#[test]
fn failed_qa_on_dev_blocks_test() {
    let repo = Repo::new();
    repo.deliver_to_dev(
        &example("release.yaml"),
        &example("dev.yaml").replace("result: passed", "result: failed"),
    );
    repo.promote("promote", "dev", "test", &test_plan());
    let (_, report) = repo.check("test", "promote", IN_WINDOW);
    assert_eq!(errors(&report), ["qa-not-passed"]);
    assert!(
        finding(&report, "qa-not-passed")["message"]
            .as_str()
            .unwrap()
            .contains("QA on `dev` failed")
    );
}

#[test]
fn github_review_approvals_without_a_pull_request_block() {
    let repo = promoted_to_test(&test_plan());
    repo.checkout("test");
    repo.write(
        ".release-gate.yaml",
        &release_gate::policy::DEFAULT_TEXT.replace("mode: none", "mode: github-review"),
    );
    repo.commit("policy");
    let (_, report) = repo.check("test", "promote", IN_WINDOW);
    assert_eq!(errors(&report), ["approval-not-reviewed"], "{report:#}");
    assert!(
        finding(&report, "approval-not-reviewed")["message"]
            .as_str()
            .unwrap()
            .contains("knows no pull request")
    );
}

#[test]
fn a_policy_at_another_path_is_read_from_the_target_branch() {
    let repo = promoted_to_test(&test_plan());
    repo.checkout("test");
    let strict = release_gate::policy::DEFAULT_TEXT.replace("mode: none", "mode: github-review");
    repo.write("ops/gate.yaml", &strict);
    repo.commit("policy at ops/gate.yaml");
    let run = |extra: &[&str]| {
        let args = ["check", "--base", "test", "--head", "promote", "--at", IN_WINDOW];
        common::run(repo.path(), &[&args[..], &["--format", "json"], extra].concat())
    };
    // The default path holds nothing: the embedded default, approvals unverified.
    assert_eq!(run(&[]).status.code(), Some(0));
    let output = run(&["--policy-path", "./ops/gate.yaml"]);
    let report = json(&output);
    assert_eq!(errors(&report), ["approval-not-reviewed"], "{report:#}");
    assert!(report["policy"].as_str().unwrap().starts_with("ops/gate.yaml at "));

    // Nothing there on the target branch is unusable, not the embedded default.
    let output = run(&["--policy-path", "ops/missing.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the target branch has no policy at ops/missing.yaml"), "{stderr}");
    let output = run(&["--policy-path", "../elsewhere.yaml"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_rollback_to_a_version_never_on_test_is_refused() {
    let repo = promoted_to_test(&test_plan());
    repo.merge_into("test", "promote");
    repo.branch_from("rollback", "test");
    let back = test_plan()
        .replace("  downtime: 1h\n  notice:", "  downtime: 1h\n  rollback-from: 4.3.0\n  notice:")
        .replace("2026-11-26T07:00:00+01:00", "2026-12-03T07:00:00+01:00")
        .replace("2026-11-26T11:00:00+01:00", "2026-12-03T09:00:00+01:00");
    repo.write(&format!("{UNIT}/test.yaml"), &back);
    repo.commit("roll back");
    let (_, report) = repo.check("test", "rollback", "2026-12-03T07:10:00+01:00");
    assert_eq!(errors(&report), ["rollback-unknown"]);
}

#[test]
fn the_json_and_sarif_reports_match_their_schemas() {
    let repo = promoted_to_test(&test_plan());
    let run = |format: &str| {
        let output = repo.run_check("test", "promote", "2026-11-26T17:01:00+01:00", format);
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let schema: serde_json::Value =
        serde_json::from_slice(&common::run(&root(), &["schema", "check-report"]).stdout).unwrap();
    let report = run("json");
    let errors: Vec<String> = jsonschema::validator_for(&schema)
        .unwrap()
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    // The official SARIF 2.1.0 schema (draft-04), from tests/data. Its pattern for
    // `language` properties has a stray `]` that strict regex engines refuse; it
    // is replaced in memory by the pattern the schema means (`xx` or `xx-XX`).
    let text = include_str!("data/sarif-2.1.0-rtm.5.json")
        .replace("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$", "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    let sarif_schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sarif = run("sarif");
    let validator = jsonschema::validator_for(&sarif_schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

/// Runs `check` the way the Actions step does: no --base/--head, the event file.
fn event_check(repo: &Repo, event: &str, at: &str) -> std::process::Output {
    let base = repo.git(&["rev-parse", "test"]).trim().to_string();
    let head = repo.git(&["rev-parse", "promote"]).trim().to_string();
    let payload = fs::read_to_string(root().join(format!("tests/fixtures/events/{event}.json")))
        .unwrap()
        .replace("BASE_SHA", &base)
        .replace("HEAD_SHA", &head);
    let path = repo.path().join("event.json");
    fs::write(&path, payload).unwrap();
    Command::new(env!("CARGO_BIN_EXE_release-gate"))
        .args(["check", "--at", at, "--format", "json"])
        .current_dir(repo.path())
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", &path)
        .output()
        .unwrap()
}

#[test]
fn the_actions_event_names_the_change_and_the_target() {
    let repo = promoted_to_test(&test_plan());
    for event in ["pull_request", "pull_request_target", "merge_group"] {
        let output = event_check(&repo, event, IN_WINDOW);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{event}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report = json(&output);
        assert_eq!(report["environment"], "test", "{event}");
        assert_eq!(report["units"][0]["change"], "deployment", "{event}");
        let blocked = event_check(&repo, event, "2026-11-26T17:01:00+01:00");
        assert_eq!(errors(&json(&blocked)), ["outside-window"], "{event}");
    }
}

#[test]
fn other_events_and_a_missing_event_are_unusable() {
    let repo = promoted_to_test(&test_plan());
    let path = repo.path().join("push.json");
    fs::write(&path, r#"{"ref": "refs/heads/test", "before": "0000", "after": "1111"}"#).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_release-gate"))
        .args(["check"])
        .current_dir(repo.path())
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_EVENT_PATH", &path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not `push`"));

    let output = Command::new(env!("CARGO_BIN_EXE_release-gate"))
        .args(["check"])
        .current_dir(repo.path())
        .env_remove("GITHUB_EVENT_NAME")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not in GitHub Actions"));
}

/// A delivery branch from `dev` with the example unit, its DEV plan, and extra
/// files of the unit.
fn delivery_to_dev(extra: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    repo.branch_from("delivery", "dev");
    repo.write(&format!("{UNIT}/release.yaml"), &example("release.yaml"));
    for doc in ["release-notes", "installation", "authentication", "user-guide"] {
        repo.write(&format!("{UNIT}/docs/{doc}.md"), &example(&format!("docs/{doc}.md")));
    }
    let dev = example("dev.yaml");
    repo.write(&format!("{UNIT}/dev.yaml"), &dev[..dev.find("qa:").unwrap()]);
    for (path, text) in extra {
        repo.write(&format!("{UNIT}/{path}"), text);
    }
    repo.commit("deliver gwa-core 4.2.0");
    repo
}

#[test]
fn a_delivery_with_a_plaintext_password_is_rejected_in_every_format() {
    let secret = "Gw4-Pr0d!2026";
    let properties = format!("db.user=gwa\ndb.password={secret}\n");
    let repo = delivery_to_dev(&[("config/application.properties", &properties)]);
    let at = "2026-11-19T10:00:00+01:00";

    let (code, report) = repo.check("dev", "delivery", at);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(errors(&report), ["plaintext-secret"]);
    at_line(&report, "plaintext-secret", &format!("{UNIT}/config/application.properties"), 2);
    assert_eq!(finding(&report, "plaintext-secret")["outcome"], "reject");
    let acceptance = &report["units"][0]["acceptance"];
    assert_eq!(acceptance["verdict"], "rejected");
    assert_eq!(acceptance["reject"], 1);
    assert!(
        report["units"][0]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| { r["rule"] == "acceptance checklist" && r["passed"] == false })
    );

    for format in ["text", "json", "markdown", "github", "sarif"] {
        let output = repo.run_check("dev", "delivery", at, format);
        let shown = String::from_utf8(output.stdout).unwrap();
        assert!(!shown.contains(secret), "{format} shows the secret:\n{shown}");
        assert!(shown.contains("reject"), "{format} does not say reject:\n{shown}");
        // Plaintext credentials may amount to a reportable incident: every format
        // says whom to tell.
        assert!(shown.contains("service desk"), "{format} gives no incident hint:\n{shown}");
    }
    let incident = &finding(&report, "plaintext-secret")["incident"];
    assert_eq!(incident["report-to"], serde_json::json!(["service desk", "ISB"]));
    assert!(incident["category"].as_str().unwrap().contains("unauthorised access"));
    let schema: serde_json::Value =
        serde_json::from_slice(&common::run(&root(), &["schema", "check-report"]).stdout).unwrap();
    let broken: Vec<String> = jsonschema::validator_for(&schema)
        .unwrap()
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(broken.is_empty(), "{broken:?}");
    let text = String::from_utf8(repo.run_check("dev", "delivery", at, "text").stdout).unwrap();
    assert!(text.contains("  acceptance: rejected (1 reject finding)"), "{text}");
    assert!(text.contains("db.password=*************"), "{text}");
}

#[test]
fn a_delivery_missing_an_installation_variable_gets_a_rework_deadline_across_holidays() {
    // Delivered Tue 2026-12-22; Fri 25 and Sat 26 December are holidays, so the
    // third working day is Mon 28 December.
    let release = example("release.yaml")
        .replace("delivered: 2026-11-16T09:30:00+01:00", "delivered: 2026-12-22T10:00:00+01:00");
    let guide = format!(
        "{}\nThen run `./install.sh --smtp ${{GWA_SMTP_HOST}}`.\n",
        example("docs/installation.md")
    );
    let repo = Repo::new();
    repo.branch_from("delivery", "dev");
    repo.write(&format!("{UNIT}/release.yaml"), &release);
    for doc in ["release-notes", "authentication", "user-guide"] {
        repo.write(&format!("{UNIT}/docs/{doc}.md"), &example(&format!("docs/{doc}.md")));
    }
    repo.write(&format!("{UNIT}/docs/installation.md"), &guide);
    let dev = example("dev.yaml")
        .replace(&digest(&example("release.yaml")), &digest(&release))
        .replace("2026-11-19T10:00:00", "2026-12-23T10:00:00")
        .replace("2026-11-19T12:00:00", "2026-12-23T12:00:00");
    repo.write(&format!("{UNIT}/dev.yaml"), &dev[..dev.find("qa:").unwrap()]);
    repo.commit("deliver gwa-core 4.2.0");

    let (code, report) = repo.check("dev", "delivery", "2026-12-23T10:00:00+01:00");
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(errors(&report), ["installation-guide-incomplete"]);
    let f = finding(&report, "installation-guide-incomplete");
    assert_eq!(f["outcome"], "rework");
    assert!(f["message"].as_str().unwrap().contains("`GWA_SMTP_HOST`"), "{f:#}");
    let acceptance = &report["units"][0]["acceptance"];
    assert_eq!(acceptance["verdict"], "rework-required");
    assert_eq!(acceptance["deadline"], "2026-12-28T23:59:59+01:00");

    // Past the deadline without an updated version, the case is closed.
    let (_, later) = repo.check("dev", "delivery", "2026-12-29T00:00:00+01:00");
    assert_eq!(later["units"][0]["acceptance"]["verdict"], "closed");
    let markdown = String::from_utf8(
        repo.run_check("dev", "delivery", "2026-12-29T00:00:00+01:00", "markdown").stdout,
    )
    .unwrap();
    assert!(
        markdown.contains("**Acceptance:** closed: rework was due by Mon 2026-12-28 23:59 +01:00"),
        "{markdown}"
    );
}
