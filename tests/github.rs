//! `check --comment` against a local stand-in for the GitHub REST API: the one
//! living comment, retries, errors, and the size limit. Every test asserts the
//! requests the tool sends (method, path, headers, body) and that the token
//! never shows up in any output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::fake_github::{FakeGitHub, Reply};
use common::{git, root};
use serde_json::json;
use sha2::{Digest, Sha256};

const UNIT: &str = "releases/gwa-core/4.2.0";
const TOKEN: &str = "ghs_testTokenThatMustNeverBePrinted0001";
const COMMENTS: &str = "/repos/acme/gitops/issues/7/comments?per_page=100";
const MARKER: &str = "<!-- release-gate: decision -->";
const AT: &str = "2026-11-19T10:00:00+01:00";

fn example(name: &str) -> String {
    fs::read_to_string(root().join("examples").join(UNIT).join(name)).unwrap()
}

/// A repository whose branch `delivery` brings the example unit to `dev`, plus
/// `extra` text appended to its release.yaml.
fn repository(extra: &str) -> tempfile::TempDir {
    let dir = common::git_repository();
    let path = dir.path();
    git(path, &["branch", "dev"]);
    git(path, &["checkout", "-q", "-b", "delivery", "dev"]);
    let write = |name: &str, text: &str| {
        let full = path.join(UNIT).join(name);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, text).unwrap();
    };
    let release = format!("{}{extra}", example("release.yaml"));
    write("release.yaml", &release);
    for doc in ["release-notes", "installation", "authentication", "user-guide"] {
        write(&format!("docs/{doc}.md"), &example(&format!("docs/{doc}.md")));
    }
    let digest = |text: &str| format!("sha256:{:x}", Sha256::digest(text.as_bytes()));
    let dev = example("dev.yaml").replace(&digest(&example("release.yaml")), &digest(&release));
    write("dev.yaml", &dev[..dev.find("qa:").unwrap()]);
    git(path, &["add", "."]);
    git(path, &["commit", "-q", "-m", "deliver"]);
    dir
}

fn check(repo: &Path, api: &str, token: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_release-gate"));
    command
        .args(["check", "--base", "dev", "--head", "delivery", "--at", AT])
        .args(["--format", "markdown", "--comment", "--pr", "7"])
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

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The token shows nowhere, and the verdict (allowed: exit 0) does not depend
/// on GitHub.
fn assert_clean(output: &Output) {
    let all = format!("{}{}", String::from_utf8_lossy(&output.stdout), stderr(output));
    assert!(!all.contains(TOKEN), "the token leaked:\n{all}");
    assert_eq!(output.status.code(), Some(0), "{all}");
}

fn comment(id: u64, body: &str) -> serde_json::Value {
    json!({
        "id": id,
        "node_id": format!("IC_kwDO{id}"),
        "url": format!("https://api.github.com/repos/acme/gitops/issues/comments/{id}"),
        "html_url": format!("https://github.com/acme/gitops/pull/7#issuecomment-{id}"),
        "body": body,
        "user": { "login": "github-actions[bot]", "id": 41898282, "type": "Bot" },
        "created_at": "2026-11-19T09:00:00Z",
        "updated_at": "2026-11-19T09:00:00Z",
        "issue_url": "https://api.github.com/repos/acme/gitops/issues/7",
        "author_association": "NONE"
    })
}

#[test]
fn the_first_run_creates_one_comment() {
    let repo = repository("");
    let github = FakeGitHub::start(vec![
        ("GET", COMMENTS, Reply::json(200, json!([comment(3, "Looks good to me")]))),
        ("POST", "/repos/acme/gitops/issues/7/comments", Reply::json(201, comment(11, "x"))),
    ]);
    let output = check(repo.path(), &github.url, Some(TOKEN));
    assert_clean(&output);
    assert!(stderr(&output).contains("commented on pull request #7 (comment 11)"));

    let seen = github.seen();
    assert_eq!(seen.len(), 2, "{seen:#?}");
    assert!(seen.iter().all(|s| s.expected), "{seen:#?}");
    for request in &seen {
        assert_eq!(request.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
        assert_eq!(request.header("accept"), Some("application/vnd.github+json"));
        assert_eq!(request.header("x-github-api-version"), Some("2022-11-28"));
    }
    let body = seen[1].json()["body"].as_str().unwrap().to_string();
    assert!(body.starts_with(MARKER), "{body}");
    assert!(body.contains("release-gate: allowed into `dev`"), "{body}");
    assert!(body.contains("**Acceptance:** accepted"), "{body}");
}

#[test]
fn later_runs_update_it_with_patch_and_remove_duplicates() {
    let repo = repository("");
    let ours = format!("{MARKER}\nold decision");
    let github = FakeGitHub::start(vec![
        (
            "GET",
            COMMENTS,
            Reply::json(
                200,
                json!([comment(3, "Looks good"), comment(12, &ours), comment(11, &ours)]),
            ),
        ),
        ("PATCH", "/repos/acme/gitops/issues/comments/11", Reply::json(200, comment(11, "x"))),
        ("DELETE", "/repos/acme/gitops/issues/comments/12", Reply::json(204, json!(null))),
    ]);
    let output = check(repo.path(), &github.url, Some(TOKEN));
    assert_clean(&output);
    let seen = github.seen();
    assert!(seen.iter().all(|s| s.expected), "{seen:#?}");
    assert_eq!(seen.len(), 3);
    assert!(seen[1].json()["body"].as_str().unwrap().contains("allowed into `dev`"));
    assert!(stderr(&output).contains("comment 11, 1 duplicate(s) removed"), "{}", stderr(&output));
}

#[test]
fn comments_on_a_second_page_are_found() {
    let repo = repository("");
    let next = format!(
        "<{}/repositories/9/issues/7/comments?per_page=100&page=2>; rel=\"next\"",
        "http://127.0.0.1:1"
    );
    let github = FakeGitHub::start(vec![
        (
            "GET",
            COMMENTS,
            Reply::json(200, json!([comment(3, "first page")])).header("link", &next),
        ),
        (
            "GET",
            "/repositories/9/issues/7/comments?per_page=100&page=2",
            Reply::json(200, json!([comment(40, &format!("{MARKER}\nold"))])),
        ),
        ("PATCH", "/repos/acme/gitops/issues/comments/40", Reply::json(200, comment(40, "x"))),
    ]);
    let output = check(repo.path(), &github.url, Some(TOKEN));
    assert_clean(&output);
    assert!(github.seen().iter().all(|s| s.expected), "{:#?}", github.seen());
    assert_eq!(github.seen().len(), 3);
}

#[test]
fn a_server_error_is_retried() {
    let repo = repository("");
    let github = FakeGitHub::start(vec![
        ("GET", COMMENTS, Reply::json(500, json!({"message": "Server Error"}))),
        ("GET", COMMENTS, Reply::json(200, json!([]))),
        ("POST", "/repos/acme/gitops/issues/7/comments", Reply::json(201, comment(11, "x"))),
    ]);
    let output = check(repo.path(), &github.url, Some(TOKEN));
    assert_clean(&output);
    assert!(github.seen().iter().all(|s| s.expected));
    assert_eq!(github.seen().len(), 3);
}

#[test]
fn a_rate_limit_is_waited_out_as_retry_after_says() {
    let repo = repository("");
    let limited = Reply::json(429, json!({"message": "API rate limit exceeded"}))
        .header("retry-after", "2")
        .header("x-ratelimit-remaining", "0");
    let github = FakeGitHub::start(vec![
        ("GET", COMMENTS, limited),
        ("GET", COMMENTS, Reply::json(200, json!([]))),
        ("POST", "/repos/acme/gitops/issues/7/comments", Reply::json(201, comment(11, "x"))),
    ]);
    let started = Instant::now();
    let output = check(repo.path(), &github.url, Some(TOKEN));
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_clean(&output);
    assert_eq!(github.seen().len(), 3);
}

#[test]
fn a_refused_token_is_a_warning_that_changes_nothing() {
    let repo = repository("");
    let github = FakeGitHub::start(vec![(
        "GET",
        COMMENTS,
        Reply::json(
            401,
            json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}),
        ),
    )]);
    let output = check(repo.path(), &github.url, Some(TOKEN));
    assert_clean(&output);
    let err = stderr(&output);
    assert!(err.contains("warning: could not comment on pull request #7"), "{err}");
    assert!(err.contains("GitHub refused the token (401)"), "{err}");
    assert_eq!(github.seen().len(), 1, "no retry after a 401");
}

#[test]
fn no_answer_within_the_timeout_is_a_warning() {
    let repo = repository("");
    let github = FakeGitHub::start(vec![(
        "GET",
        COMMENTS,
        Reply::json(200, json!([])).after(Duration::from_secs(4)),
    )]);
    let started = Instant::now();
    let output = check(repo.path(), &github.url, Some(TOKEN));
    assert!(started.elapsed() < Duration::from_secs(4), "the client waited for the answer");
    assert_clean(&output);
    assert!(stderr(&output).contains("no answer from GitHub"), "{}", stderr(&output));
}

#[test]
fn without_a_token_the_comment_is_skipped_with_a_notice() {
    let repo = repository("");
    let github = FakeGitHub::start(vec![]);
    let output = check(repo.path(), &github.url, None);
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("no GITHUB_TOKEN: the pull-request comment is skipped"));
    assert!(github.seen().is_empty());
}

#[test]
fn a_report_too_long_for_one_comment_is_summarised_by_whole_rows() {
    // 1,500 API calls the role matrix does not allow: 1,500 findings.
    let calls: Vec<String> = (0..1500).map(|i| format!("meter-data.export-{i:04}")).collect();
    let repo = repository(&format!("  EMTp: [{}]\n", calls.join(", ")));
    let github = FakeGitHub::start(vec![
        ("GET", COMMENTS, Reply::json(200, json!([]))),
        ("POST", "/repos/acme/gitops/issues/7/comments", Reply::json(201, comment(11, "x"))),
    ]);
    let output = check(repo.path(), &github.url, Some(TOKEN));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let full = String::from_utf8(output.stdout).unwrap();
    assert!(full.chars().count() > 65_536, "the test needs a report over the limit");

    let seen = github.seen();
    let body = seen[1].json()["body"].as_str().unwrap().to_string();
    assert!(body.chars().count() <= 65_536, "{} characters", body.chars().count());
    assert!(body.contains("more findings did not fit into this comment"), "{body}");
    assert!(body.contains("</details>"));
    for line in body.lines().filter(|l| l.starts_with('|')) {
        assert!(line.ends_with('|'), "a cut table row: {line}");
    }
}

#[test]
fn annotations_stop_at_githubs_limit_and_the_rest_are_log_lines() {
    let calls: Vec<String> = (0..25).map(|i| format!("meter-data.export-{i:02}")).collect();
    let repo = repository(&format!("  EMTp: [{}]\n", calls.join(", ")));
    let output = Command::new(env!("CARGO_BIN_EXE_release-gate"))
        .args(["check", "--base", "dev", "--head", "delivery", "--at", AT, "--format", "github"])
        .current_dir(repo.path())
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("RUNNER_TEMP")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().filter(|l| l.starts_with("::error ")).count(), 10, "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("error: ")).count(), 15, "{text}");
    assert!(text.contains("15 more errors than GitHub annotates per step"), "{text}");
}
