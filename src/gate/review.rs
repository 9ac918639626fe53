//! `github-review` approvals: an approval recorded in a stage record counts when
//! the approver's GitHub login approved the pull request at its current head.
//!
//! The gate stays offline. Whoever runs it (the CLI, with the GitHub API) hands it
//! a [`ReviewSource`], asked only when the target branch's policy uses this mode.

/// The pull request as far as approvals are concerned.
#[derive(Clone, Debug)]
pub struct PullReviews {
    pub number: u64,
    /// The login of who opened the pull request.
    pub author: String,
    /// The pull request's current head commit.
    pub head: String,
    /// Whether the run judges a merge-queue commit built from this pull request
    /// rather than the pull request's head itself.
    pub queued: bool,
    /// Every submitted review, oldest first (the order GitHub lists them in).
    pub reviews: Vec<Review>,
}

/// One submitted review.
#[derive(Clone, Debug)]
pub struct Review {
    pub login: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED` or `PENDING`.
    pub state: String,
    /// The commit the review was given on.
    pub commit: String,
}

/// Where the pull request's reviews come from.
pub trait ReviewSource {
    /// Called at most once per check.
    fn reviews(&self) -> Result<PullReviews, String>;
}

/// Whether the person with GitHub login `login` (person id `who`) approved the
/// pull request at its head. The latest review that decides something counts, as
/// on GitHub: a later comment-only review leaves an approval standing, a later
/// request for changes or a dismissal withdraws it.
pub fn approved_by(pull: &PullReviews, who: &str, login: Option<&str>) -> Result<(), String> {
    let number = pull.number;
    let Some(login) = login else {
        return Err(format!(
            "`{who}` has no GitHub login in the policy (`people[].github`), so no review can be theirs"
        ));
    };
    let same = |other: &str| other.eq_ignore_ascii_case(login);
    if same(&pull.author) {
        return Err(format!(
            "@{login} (`{who}`) opened pull request #{number}; the author's review does not count"
        ));
    }
    let latest = pull.reviews.iter().rfind(|r| {
        same(&r.login) && matches!(r.state.as_str(), "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED")
    });
    match latest {
        None => {
            let others: Vec<String> = pull
                .reviews
                .iter()
                .filter(|r| r.state == "APPROVED" && !same(&r.login))
                .map(|r| format!("@{}", r.login))
                .collect();
            let mut message = format!("pull request #{number} has no review by @{login} (`{who}`)");
            if !others.is_empty() {
                let mut others = others;
                others.sort();
                others.dedup();
                message.push_str(&format!(
                    "; approved by {}, which is not `{who}`'s login",
                    others.join(", ")
                ));
            }
            Err(message)
        }
        Some(review) if review.state != "APPROVED" => Err(format!(
            "the latest review by @{login} (`{who}`) on pull request #{number} is {}",
            review.state.to_lowercase().replace('_', " ")
        )),
        Some(review) if review.commit != pull.head => Err(format!(
            "@{login} (`{who}`) approved commit {}, not the pull request's head {}; the approval must be given again after the last push",
            short(&review.commit),
            short(&pull.head)
        )),
        Some(_) => Ok(()),
    }
}

pub(crate) fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "1111111111111111111111111111111111111111";
    const OLD: &str = "2222222222222222222222222222222222222222";

    fn review(login: &str, state: &str, commit: &str) -> Review {
        Review { login: login.into(), state: state.into(), commit: commit.into() }
    }

    fn pull(reviews: Vec<Review>) -> PullReviews {
        PullReviews {
            number: 7,
            author: "dora-gh".into(),
            head: HEAD.into(),
            queued: false,
            reviews,
        }
    }

    #[test]
    fn an_approval_on_the_head_by_the_listed_login_counts() {
        let pull = pull(vec![review("Anna-GH", "APPROVED", HEAD)]);
        assert_eq!(approved_by(&pull, "anna", Some("anna-gh")), Ok(()));
    }

    #[test]
    fn a_later_comment_keeps_the_approval_and_a_later_change_request_withdraws_it() {
        let kept =
            pull(vec![review("anna-gh", "APPROVED", HEAD), review("anna-gh", "COMMENTED", HEAD)]);
        assert_eq!(approved_by(&kept, "anna", Some("anna-gh")), Ok(()));
        let withdrawn = pull(vec![
            review("anna-gh", "APPROVED", HEAD),
            review("anna-gh", "CHANGES_REQUESTED", HEAD),
        ]);
        let err = approved_by(&withdrawn, "anna", Some("anna-gh")).unwrap_err();
        assert!(err.contains("is changes requested"), "{err}");
    }

    #[test]
    fn what_does_not_count() {
        let old = pull(vec![review("anna-gh", "APPROVED", OLD)]);
        assert!(approved_by(&old, "anna", Some("anna-gh")).unwrap_err().contains("222222222222"));
        let author = pull(vec![review("dora-gh", "APPROVED", HEAD)]);
        assert!(approved_by(&author, "dora", Some("dora-gh")).unwrap_err().contains("opened"));
        let other = pull(vec![review("mallory", "APPROVED", HEAD)]);
        let err = approved_by(&other, "anna", Some("anna-gh")).unwrap_err();
        assert!(err.contains("approved by @mallory"), "{err}");
        assert!(approved_by(&other, "anna", None).unwrap_err().contains("no GitHub login"));
    }
}
