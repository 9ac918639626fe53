//! The pull request's reviews, read from the REST API for `github-review`
//! approvals: `GET /repos/{owner}/{repo}/pulls/{number}` for the author and the
//! current head, then every page of `.../pulls/{number}/reviews`.

use serde::Deserialize;

use super::api::Client;
use crate::gate::review::{PullReviews, Review, ReviewSource};

/// Reads the reviews of one pull request when the gate asks for them.
pub struct ApiReviews {
    pub api: String,
    pub token: Option<String>,
    pub repository: Option<String>,
    pub number: u64,
    /// The run judges a merge-queue commit built from the pull request.
    pub queued: bool,
}

/// Never shows the token.
impl std::fmt::Debug for ApiReviews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiReviews")
            .field("api", &self.api)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("repository", &self.repository)
            .field("number", &self.number)
            .field("queued", &self.queued)
            .finish()
    }
}

#[derive(Deserialize)]
struct Pull {
    user: Option<User>,
    head: Head,
}

#[derive(Deserialize)]
struct Head {
    sha: String,
}

#[derive(Deserialize)]
struct User {
    login: String,
}

#[derive(Deserialize)]
struct RawReview {
    /// Null for a deleted account.
    user: Option<User>,
    state: String,
    /// Null for reviews on commits GitHub no longer has.
    commit_id: Option<String>,
}

impl ReviewSource for ApiReviews {
    fn reviews(&self) -> Result<PullReviews, String> {
        let number = self.number;
        let cannot =
            |why: &str| format!("cannot read the reviews of pull request #{number}: {why}");
        let token = self.token.clone().ok_or_else(|| cannot("GITHUB_TOKEN is not set"))?;
        let repository =
            self.repository.as_deref().ok_or_else(|| cannot("GITHUB_REPOSITORY is not set"))?;
        let client = Client::new(&self.api, token, repository).map_err(|err| cannot(&err))?;
        let pull: Pull = client
            .get(&format!("/repos/{repository}/pulls/{number}"))
            .map_err(|err| cannot(&err))?;
        let raw: Vec<RawReview> = client
            .get_all(&format!("/repos/{repository}/pulls/{number}/reviews"))
            .map_err(|err| cannot(&err))?;
        let reviews = raw
            .into_iter()
            .filter_map(|r| {
                Some(Review { login: r.user?.login, state: r.state, commit: r.commit_id? })
            })
            .collect();
        Ok(PullReviews {
            number,
            author: pull.user.map(|u| u.login).unwrap_or_default(),
            head: pull.head.sha,
            queued: self.queued,
            reviews,
        })
    }
}
