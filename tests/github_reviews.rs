//! `github-review` approvals against a local stand-in for the GitHub REST API:
//! a promotion to `test` counts the DEV approval only when the approver's listed
//! login approved the pull request at its head, and was not its author. Every
//! test asserts the requests the tool sends and that the token never shows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::fake_github::{FakeGitHub, Reply};
use common::{git, json, root};
use serde_json::json;

const UNIT: &str = "releases/gwa-core/4.2.0";
const TOKEN: &str = "ghs_reviewTokenThatMustNeverBePrinted01";
const PULL: &str = "/repos/acme/gitops/pulls/7";
const REVIEWS: &str = "/repos/acme/gitops/pulls/7/reviews?per_page=100";
/// Thursday, inside TEST's regular window.
const IN_WINDOW: &str = "2026-11-26T07:30:00+01:00";
const OLD_COMMIT: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";

fn example(name: &str) -> String {
    fs::read_to_string(root().join("examples").join(UNIT).join(name)).unwrap()
}

/// The embedded policy with approvals by review and GitHub logins for the people.
fn policy() -> String {
    let text = release_gate::policy::DEFAULT_TEXT.replace("mode: none", "mode: github-review");
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.to_string();
        if let Some(rest) = line.strip_prefix("  - { id: ")
            && let Some((id, _)) = rest.split_once(',')
        {
            line = line.replace(" }", &format!(", github: {id}-gh }}"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    assert!(out.contains("github: anna-gh"), "the policy's people changed shape");
    out
}

/// `dev` holds gwa-core 4.2.0 approved for test by anna; branch `promote` from
/// `test` brings it there with the TEST plan. Returns the folder and the head.
fn promotion() -> (tempfile::TempDir, String) {
    let dir = common::git_repository();
    let path = dir.path();
    common::commit_file(path, ".release-gate.yaml", &policy(), "policy");
    for branch in ["dev", "test", "prod"] {
        git(path, &["branch", branch]);
    }
    git(path, &["checkout", "-q", "dev"]);
    let write = |name: &str, text: &str| {
        let full = path.join(UNIT).join(name);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, text).unwrap();
    };
    write("release.yaml", &example("release.yaml"));
    for doc in ["release-notes", "installation", "authentication", "user-guide"] {
        write(&format!("docs/{doc}.md"), &example(&format!("docs/{doc}.md")));
    }
    write("dev.yaml", &example("dev.yaml"));
    git(path, &["add", "."]);
    git(path, &["commit", "-q", "-m", "gwa-core 4.2.0 on dev"]);
    git(path, &["checkout", "-q", "-b", "promote", "test"]);
    git(path, &["checkout", "dev", "--", UNIT]);
    let record = example("test.yaml");
    write("test.yaml", &record[..record.find("qa:").unwrap()]);
    git(path, &["add", "."]);
    git(path, &["commit", "-q", "-m", "promote to test"]);
    let head = git(path, &["rev-parse", "HEAD"]).trim().to_string();
    (dir, head)
}

fn check(repo: &Path, api: &str, token: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_release-gate"));
    command
        .args(["check", "--base", "test", "--head", "promote", "--at", IN_WINDOW])
        .args(["--format", "json", "--pr", "7"])
        .current_dir(repo)
        .env("NO_COLOR", "1")
        .env("GITHUB_REPOSITORY", "acme/gitops")
        .env("GITHUB_API_URL", api)
        .env("RELEASE_GATE_GITHUB_TIMEOUT", "1")
        .env_remove("GITHUB_TOKEN");
    if let Some(token) = token {
        command.env("GITHUB_TOKEN", token);
    }
    command.output().unwrap()
}

/// GitHub's answer for `GET /repos/{owner}/{repo}/pulls/{number}`, abridged.
fn pull(author: &str, head: &str) -> Reply {
    Reply::json(
        200,
        json!({
            "url": "https://api.github.com/repos/acme/gitops/pulls/7",
            "id": 1_900_000_007,
            "node_id": "PR_kwDOAAAB",
            "number": 7,
            "state": "open",
            "title": "Promote gwa-core 4.2.0 to test",
            "user": { "login": author, "id": 1001, "type": "User" },
            "head": { "label": "acme:promote", "ref": "promote", "sha": head },
            "base": { "label": "acme:test", "ref": "test", "sha": "0000000000000000000000000000000000000000" },
            "draft": false,
            "merged": false
        }),
    )
}

/// One review, in the shape of `GET .../pulls/{number}/reviews`.
fn review(id: u64, login: &str, state: &str, commit: &str) -> serde_json::Value {
    json!({
        "id": id,
        "node_id": format!("PRR_kwDO{id}"),
        "user": { "login": login, "id": 2000 + id, "type": "User" },
        "body": "",
        "state": state,
        "html_url": format!("https://github.com/acme/gitops/pull/7#pullrequestreview-{id}"),
        "pull_request_url": "https://api.github.com/repos/acme/gitops/pulls/7",
        "author_association": "MEMBER",
        "submitted_at": "2026-11-25T16:00:00Z",
        "commit_id": commit
    })
}

fn reviews(list: Vec<serde_json::Value>) -> Reply {
    Reply::json(200, serde_json::Value::Array(list))
}

/// Runs the check against a server answering the pull request and its reviews;
/// asserts the two requests and that the token stayed hidden.
fn decide(author: &str, list: impl Fn(&str) -> Vec<serde_json::Value>) -> (i32, serde_json::Value) {
    let (dir, head) = promotion();
    let github = FakeGitHub::start(vec![
        ("GET", PULL, pull(author, &head)),
        ("GET", REVIEWS, reviews(list(&head))),
    ]);
    let output = check(dir.path(), &github.url, Some(TOKEN));
    let all = format!("{}{}", common::stdout(&output), String::from_utf8_lossy(&output.stderr));
    assert!(!all.contains(TOKEN), "the token leaked:\n{all}");
    let seen = github.seen();
    let paths: Vec<(&str, &str)> =
        seen.iter().map(|s| (s.method.as_str(), s.path.as_str())).collect();
    assert_eq!(paths, [("GET", PULL), ("GET", REVIEWS)]);
    for request in &seen {
        assert!(request.expected, "unexpected request {} {}", request.method, request.path);
        assert_eq!(request.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
        assert_eq!(request.header("x-github-api-version"), Some("2022-11-28"));
    }
    let code = output.status.code().unwrap();
    assert_ne!(code, 2, "unusable: {}", String::from_utf8_lossy(&output.stderr));
    (code, json(&output))
}

fn errors(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| (f["code"].as_str().unwrap().into(), f["message"].as_str().unwrap().into()))
        .collect()
}

fn rule(report: &serde_json::Value, name: &str) -> bool {
    report["units"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == name)
        .unwrap_or_else(|| panic!("no rule `{name}` in {report:#}"))["passed"]
        .as_bool()
        .unwrap()
}

/// The only error is `approval-not-reviewed`, on the DEV record, saying `why`.
fn assert_not_reviewed(code: i32, report: &serde_json::Value, why: &str) {
    assert_eq!(code, 1, "{report:#}");
    let errors = errors(report);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].0, "approval-not-reviewed");
    assert!(errors[0].1.contains(why), "{:?} does not say {why:?}", errors[0].1);
    assert!(!rule(report, "approval reviewed on the pull request"));
}

#[test]
fn an_approval_by_the_listed_login_on_the_head_lets_the_unit_in() {
    // A comment-only review after the approval leaves it standing, as on GitHub.
    let (code, report) = decide("dora-gh", |head| {
        vec![review(1, "anna-gh", "APPROVED", head), review(2, "anna-gh", "COMMENTED", head)]
    });
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["verdict"], "allowed");
    assert!(rule(&report, "approval reviewed on the pull request"));
}

#[test]
fn a_review_approved_on_an_old_commit_does_not_count() {
    let (code, report) = decide("dora-gh", |_| vec![review(1, "anna-gh", "APPROVED", OLD_COMMIT)]);
    assert_not_reviewed(code, &report, "approved commit 0f1e2d3c4b5a, not the pull request's head");
}

#[test]
fn a_review_by_the_pull_requests_author_does_not_count() {
    let (code, report) = decide("anna-gh", |head| vec![review(1, "anna-gh", "APPROVED", head)]);
    assert_not_reviewed(code, &report, "@anna-gh (`anna`) opened pull request #7");
}

#[test]
fn a_review_by_a_login_the_policy_does_not_list_does_not_count() {
    let (code, report) = decide("dora-gh", |head| vec![review(1, "mallory", "APPROVED", head)]);
    assert_not_reviewed(code, &report, "approved by @mallory, which is not `anna`'s login");
}

#[test]
fn a_later_request_for_changes_withdraws_the_approval() {
    let (code, report) = decide("dora-gh", |head| {
        vec![
            review(1, "anna-gh", "APPROVED", head),
            review(2, "anna-gh", "CHANGES_REQUESTED", head),
        ]
    });
    assert_not_reviewed(
        code,
        &report,
        "latest review by @anna-gh (`anna`) on pull request #7 is changes requested",
    );
}

#[test]
fn without_a_token_the_approval_is_unproven_and_blocks() {
    let (dir, _) = promotion();
    let github = FakeGitHub::start(vec![]);
    let output = check(dir.path(), &github.url, None);
    assert!(github.seen().is_empty());
    assert_not_reviewed(
        output.status.code().unwrap(),
        &json(&output),
        "cannot read the reviews of pull request #7: GITHUB_TOKEN is not set",
    );
}

#[test]
fn a_pull_request_github_does_not_know_blocks_rather_than_trusting() {
    let (dir, _) = promotion();
    let github = FakeGitHub::start(vec![(
        "GET",
        PULL,
        Reply::json(404, json!({ "message": "Not Found", "status": "404" })),
    )]);
    let output = check(dir.path(), &github.url, Some(TOKEN));
    assert!(!String::from_utf8_lossy(&output.stderr).contains(TOKEN));
    assert_eq!(github.seen().len(), 1, "a 404 is not retried");
    assert_not_reviewed(
        output.status.code().unwrap(),
        &json(&output),
        "cannot read the reviews of pull request #7",
    );
}

#[test]
fn a_policy_change_needs_a_policy_admins_review() {
    let (dir, _) = promotion();
    let path = dir.path();
    fs::write(path.join(".release-gate.yaml"), format!("{}# reviewed again\n", policy())).unwrap();
    git(path, &["commit", "-q", "-am", "policy comment"]);
    let head = git(path, &["rev-parse", "HEAD"]).trim().to_string();
    let run = |reviewers: &[&str]| {
        let list: Vec<serde_json::Value> = reviewers
            .iter()
            .enumerate()
            .map(|(i, login)| review(i as u64 + 1, login, "APPROVED", &head))
            .collect();
        let github = FakeGitHub::start(vec![
            ("GET", PULL, pull("dora-gh", &head)),
            ("GET", REVIEWS, reviews(list)),
        ]);
        let output = check(path, &github.url, Some(TOKEN));
        assert_eq!(github.seen().len(), 2, "the reviews are read once per run");
        json(&output)
    };
    let report = run(&["anna-gh"]);
    let errors = errors(&report);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].0, "policy-change-unapproved");
    assert!(
        errors[0].1.contains("pull request #7 has no review by @paula-gh (`paula`)"),
        "{}",
        errors[0].1
    );
    assert_eq!(run(&["anna-gh", "paula-gh"])["verdict"], "allowed");
}

#[test]
fn reviews_of_a_newer_head_do_not_cover_the_commit_this_run_judges() {
    // GitHub reports a head the run did not judge (a push after the run started):
    // the approval there says nothing about this run's content.
    let (dir, _) = promotion();
    let github = FakeGitHub::start(vec![
        ("GET", PULL, pull("dora-gh", OLD_COMMIT)),
        ("GET", REVIEWS, reviews(vec![review(1, "anna-gh", "APPROVED", OLD_COMMIT)])),
    ]);
    let output = check(dir.path(), &github.url, Some(TOKEN));
    assert_not_reviewed(
        output.status.code().unwrap(),
        &json(&output),
        "pull request #7 is at 0f1e2d3c4b5a on GitHub, while this run judges",
    );
}

/// Runs the check as a merge-queue run on the queue's commit `group`, built from
/// pull request #7 at `pull_head`, with anna's approval there.
fn queued(path: &Path, group: &str, pull_head: &str) -> Output {
    let base = git(path, &["rev-parse", "test"]).trim().to_string();
    let payload = fs::read_to_string(root().join("tests/fixtures/events/merge_group.json"))
        .unwrap()
        .replace("pr-42-BASE_SHA", &format!("pr-7-{base}"))
        .replace("BASE_SHA", &base)
        .replace("HEAD_SHA", group);
    fs::write(path.join("event.json"), payload).unwrap();
    let github = FakeGitHub::start(vec![
        ("GET", PULL, pull("dora-gh", pull_head)),
        ("GET", REVIEWS, reviews(vec![review(1, "anna-gh", "APPROVED", pull_head)])),
    ]);
    let output = Command::new(env!("CARGO_BIN_EXE_release-gate"))
        .args(["check", "--at", IN_WINDOW, "--format", "json"])
        .current_dir(path)
        .env("GITHUB_EVENT_NAME", "merge_group")
        .env("GITHUB_EVENT_PATH", path.join("event.json"))
        .env("GITHUB_REPOSITORY", "acme/gitops")
        .env("GITHUB_API_URL", &github.url)
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(github.seen().len(), 2);
    output
}

#[test]
fn a_merge_queue_run_reads_the_reviews_of_the_queued_pull_request() {
    let (dir, head) = promotion();
    let output = queued(dir.path(), &head, &head);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_squashed_queue_commit_with_the_pull_requests_content_is_covered_by_its_reviews() {
    let (dir, head) = promotion();
    let path = dir.path();
    let tree = format!("{head}^{{tree}}");
    let squashed = git(path, &["commit-tree", &tree, "-p", "test", "-m", "squash"]);
    let output = queued(path, squashed.trim(), &head);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_queue_commit_built_from_a_head_the_clone_lacks_is_not_covered() {
    let (dir, head) = promotion();
    let output = queued(dir.path(), &head, OLD_COMMIT);
    let report = json(&output);
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    assert!(
        errors(&report).iter().any(|(code, message)| code == "approval-not-reviewed"
            && message.contains("which this clone does not have")
            && message.contains("fetch-depth: 0")),
        "{report:#}"
    );
}

#[test]
fn a_queue_commit_with_content_the_pull_request_lacks_is_not_covered() {
    // A group that also carries another pull request's change (or a merge
    // resolution nobody reviewed) differs from the reviewed head.
    let (dir, head) = promotion();
    let path = dir.path();
    let guide = path.join(UNIT).join("docs/user-guide.md");
    fs::write(&guide, format!("{}\nOne more line.\n", fs::read_to_string(&guide).unwrap()))
        .unwrap();
    git(path, &["commit", "-q", "-am", "another pull request in the group"]);
    let group = git(path, &["rev-parse", "HEAD"]).trim().to_string();
    let output = queued(path, &group, &head);
    let report = json(&output);
    let errors = errors(&report);
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    assert!(
        errors.iter().any(|(code, message)| code == "approval-not-reviewed"
            && message.contains(&format!("differs from pull request #7 at {}", &head[..12]))
            && message.contains("docs/user-guide.md")),
        "{errors:#?}"
    );
}
