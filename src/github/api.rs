//! A small, careful client for the few GitHub REST calls the gate makes.
//!
//! Requests go through `octocrab` (rustls with ring) as raw calls, so that this
//! module decides what happens with each answer:
//!
//! - `5xx`: retried after 1, 2 and 4 seconds (or the `retry-after` the answer
//!   names), at most three times;
//! - `429`, or `403` with `x-ratelimit-remaining: 0`: retried after `retry-after`
//!   or at `x-ratelimit-reset`, when that is at most a minute away; otherwise the
//!   error says when the limit resets;
//! - `401`, `403`, `404`: an error that says what to check;
//! - no answer within the timeout (`RELEASE_GATE_GITHUB_TIMEOUT` seconds, 10 by
//!   default): an error, not retried.
//!
//! The token is handed to octocrab once and never formatted: no message of this
//! module can contain it.

use std::time::Duration;

use octocrab::Octocrab;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Longest wait for a rate limit before giving up.
const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// Retries after the first attempt.
const RETRIES: u32 = 3;

/// Where the API is and which repository the calls are about.
#[derive(Debug)]
pub struct Client {
    octocrab: Octocrab,
    runtime: tokio::runtime::Runtime,
    /// `owner/name`.
    pub repository: String,
}

/// The HTTP methods the gate uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// One answer: status, the headers the client reads, and the body.
#[derive(Debug)]
struct Answer {
    status: u16,
    retry_after: Option<u64>,
    remaining: Option<u64>,
    reset: Option<i64>,
    link: Option<String>,
    body: String,
}

impl Client {
    /// A client for `api_url` (e.g. `https://api.github.com`, or
    /// `https://ghe.example/api/v3` for GitHub Enterprise Server).
    pub fn new(api_url: &str, token: String, repository: &str) -> Result<Client, String> {
        if repository.split('/').count() != 2 || repository.split('/').any(str::is_empty) {
            return Err(format!("`{repository}` is not a repository name (owner/name)"));
        }
        let timeout = std::env::var("RELEASE_GATE_GITHUB_TIMEOUT")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| *s > 0.0)
            .map_or(Duration::from_secs(10), Duration::from_secs_f64);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| format!("cannot start the HTTP client: {err}"))?;
        let accept = http::header::ACCEPT;
        let version = http::HeaderName::from_static("x-github-api-version");
        let octocrab = runtime.block_on(async {
            Octocrab::builder()
                .base_uri(api_url.trim_end_matches('/'))
                .map_err(|err| format!("`{api_url}` is not a URL: {err}"))
                .map(|builder| {
                    builder
                        .personal_token(token)
                        .add_header(accept, "application/vnd.github+json".into())
                        .add_header(version, "2022-11-28".into())
                        .set_connect_timeout(Some(timeout))
                        .set_read_timeout(Some(timeout))
                        .set_write_timeout(Some(timeout))
                })
                .and_then(|builder| {
                    builder.build().map_err(|err| format!("cannot set up the client: {err}"))
                })
        })?;
        Ok(Client { octocrab, runtime, repository: repository.to_string() })
    }

    /// Sends a request, retrying as the module says; returns the body of a 2xx
    /// answer and the `Link` header.
    fn send<B: Serialize + Sync>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<(String, Option<String>), String> {
        let mut attempt = 0;
        loop {
            let answer = self.attempt(method, path, body)?;
            let what = format!("{} {path}", method.as_str());
            let wait = match answer.status {
                200..=299 => return Ok((answer.body, answer.link)),
                401 => {
                    return Err(format!(
                        "{what}: GitHub refused the token (401); check the `token` input or GITHUB_TOKEN"
                    ));
                }
                status if rate_limited(status, &answer) => rate_limit_wait(&answer)
                    .ok_or_else(|| format!("{what}: rate limited; {}", reset_text(&answer)))?,
                403 => {
                    return Err(format!(
                        "{what}: forbidden (403): the token lacks a permission (`pull-requests: write` to comment, `pull-requests: read` for reviews){}",
                        github_message(&answer.body)
                    ));
                }
                404 => {
                    return Err(format!(
                        "{what}: not found (404): the repository `{}` or the pull request does not exist, or the token cannot see it",
                        self.repository
                    ));
                }
                500..=599 => answer
                    .retry_after
                    .map(Duration::from_secs)
                    .unwrap_or(Duration::from_secs(1 << attempt)),
                status => {
                    return Err(format!(
                        "{what}: GitHub answered {status}{}",
                        github_message(&answer.body)
                    ));
                }
            };
            if attempt == RETRIES {
                return Err(format!(
                    "{what}: GitHub answered {} {} times; giving up",
                    answer.status,
                    RETRIES + 1
                ));
            }
            attempt += 1;
            std::thread::sleep(wait.min(LONGEST_WAIT));
        }
    }

    fn attempt<B: Serialize + Sync>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Answer, String> {
        // octocrab's own message carries a backtrace when RUST_BACKTRACE is set:
        // say what went wrong from the causes only.
        let failed = |err: octocrab::Error| {
            let mut causes = Vec::new();
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                let text = cause.to_string();
                if !causes.contains(&text) {
                    causes.push(text);
                }
                source = cause.source();
            }
            let detail =
                if causes.is_empty() { "the request failed".into() } else { causes.join(": ") };
            format!("{} {path}: no answer from GitHub: {detail}", method.as_str())
        };
        self.runtime.block_on(async {
            let response = match method {
                Method::Get => self.octocrab._get(path).await,
                Method::Post => self.octocrab._post(path, body).await,
                Method::Patch => self.octocrab._patch(path, body).await,
                Method::Delete => self.octocrab._delete(path, body).await,
            }
            .map_err(failed)?;
            let header = |name: &str| {
                response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
            };
            let number = |name: &str| header(name).and_then(|v| v.trim().parse::<i64>().ok());
            let status = response.status().as_u16();
            let retry_after = number("retry-after").map(i64::unsigned_abs);
            let remaining = number("x-ratelimit-remaining").map(i64::unsigned_abs);
            let reset = number("x-ratelimit-reset");
            let link = header("link");
            let body = self.octocrab.body_to_string(response).await.map_err(failed)?;
            Ok(Answer { status, retry_after, remaining, reset, link, body })
        })
    }

    /// GET, every page (GitHub's `Link: <...>; rel="next"`), as one list.
    pub fn get_all<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, String> {
        let mut items = Vec::new();
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{separator}per_page=100"));
        let mut pages = 0;
        while let Some(page) = next.take() {
            pages += 1;
            if pages > 100 {
                return Err(format!("GET {path}: more than 100 pages; stopping"));
            }
            let (body, link) = self.send::<()>(Method::Get, &page, None)?;
            let mut batch: Vec<T> = serde_json::from_str(&body)
                .map_err(|err| format!("GET {page}: unexpected answer: {err}"))?;
            items.append(&mut batch);
            next = link.as_deref().and_then(next_link).map(|url| relative(&url));
        }
        Ok(items)
    }

    /// GET one resource.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        let (text, _) = self.send::<()>(Method::Get, path, None)?;
        serde_json::from_str(&text).map_err(|err| format!("GET {path}: unexpected answer: {err}"))
    }

    /// A request with a JSON body whose answer is decoded.
    pub fn call<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T, String> {
        let (text, _) = self.send(method, path, Some(body))?;
        serde_json::from_str(&text)
            .map_err(|err| format!("{} {path}: unexpected answer: {err}", method.as_str()))
    }

    /// A DELETE, whose answer has no body.
    pub fn delete(&self, path: &str) -> Result<(), String> {
        self.send::<()>(Method::Delete, path, None).map(|_| ())
    }
}

/// A 429, or a 403 that says the rate limit is spent (GitHub answers both).
fn rate_limited(status: u16, answer: &Answer) -> bool {
    status == 429 || (status == 403 && answer.remaining == Some(0))
}

/// How long a rate limit asks to wait, if at most [`LONGEST_WAIT`].
fn rate_limit_wait(answer: &Answer) -> Option<Duration> {
    let wait = match (answer.retry_after, answer.reset) {
        (Some(seconds), _) => Duration::from_secs(seconds),
        (None, Some(reset)) => {
            let now = chrono::Utc::now().timestamp();
            Duration::from_secs(reset.saturating_sub(now).max(0).unsigned_abs() + 1)
        }
        (None, None) => Duration::from_secs(60),
    };
    (wait <= LONGEST_WAIT).then_some(wait)
}

fn reset_text(answer: &Answer) -> String {
    match answer.reset.and_then(|r| chrono::DateTime::from_timestamp(r, 0)) {
        Some(reset) => format!("the limit resets at {}", reset.format("%Y-%m-%d %H:%M:%S UTC")),
        None => match answer.retry_after {
            Some(seconds) => format!("GitHub asks to wait {seconds} s"),
            None => "GitHub names no time to retry".into(),
        },
    }
}

/// GitHub's own `message`, when the body has one.
fn github_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
        .map(|m| format!("; GitHub said: {m}"))
        .unwrap_or_default()
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .contains("rel=\"next\"")
            .then(|| url.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

/// Path and query of a URL (the client joins them to its base).
fn relative(url: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/".into(), |at| rest[at..].to_string()),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_followed_by_path() {
        let link = r#"<https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=3>; rel="last""#;
        let next = next_link(link).unwrap();
        assert_eq!(relative(&next), "/repositories/1/issues/2/comments?per_page=100&page=2");
        assert_eq!(next_link(r#"<https://x/a?page=1>; rel="prev""#), None);
    }
}
