//! One pull-request comment that stays current.
//!
//! The comment carries a hidden marker. Each run lists the pull request's
//! comments, updates the oldest one with the marker (PATCH, as GitHub's REST
//! description says), deletes any others with the marker (left by concurrent
//! runs), or creates one when there is none.

use serde::{Deserialize, Serialize};

use super::api::{Client, Method};

/// Hidden in every comment the gate writes; how it finds its own.
pub const MARKER: &str = "<!-- release-gate: decision -->";

/// GitHub's limit for a comment body, in characters.
pub const LIMIT: usize = 65_536;

#[derive(Debug, Deserialize)]
struct Comment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    body: &'a str,
}

/// What publishing did.
#[derive(Debug, PartialEq, Eq)]
pub enum Published {
    Created { id: u64 },
    Updated { id: u64, removed: usize },
}

/// Creates or updates the gate's comment on pull request `number`.
pub fn publish(client: &Client, number: u64, text: &str) -> Result<Published, String> {
    let repository = &client.repository;
    let body = format!("{MARKER}\n{text}");
    let comments: Vec<Comment> =
        client.get_all(&format!("/repos/{repository}/issues/{number}/comments"))?;
    let mut ours: Vec<&Comment> =
        comments.iter().filter(|c| c.body.as_deref().is_some_and(|b| b.contains(MARKER))).collect();
    ours.sort_by_key(|c| c.id);
    match ours.split_first() {
        None => {
            let created: Comment = client.call(
                Method::Post,
                &format!("/repos/{repository}/issues/{number}/comments"),
                &Body { body: &body },
            )?;
            Ok(Published::Created { id: created.id })
        }
        Some((keep, duplicates)) => {
            let _: Comment = client.call(
                Method::Patch,
                &format!("/repos/{repository}/issues/comments/{}", keep.id),
                &Body { body: &body },
            )?;
            for duplicate in duplicates {
                client.delete(&format!("/repos/{repository}/issues/comments/{}", duplicate.id))?;
            }
            Ok(Published::Updated { id: keep.id, removed: duplicates.len() })
        }
    }
}

/// The longest rendering that fits GitHub's limit (with the marker): `render(n)`
/// renders the report with its first `n` findings (and says how many it left
/// out); the search keeps whole table rows, never cutting one.
pub fn fit(total: usize, render: impl Fn(usize) -> String) -> String {
    let budget = LIMIT - MARKER.chars().count() - 1;
    let full = render(total);
    if full.chars().count() <= budget {
        return full;
    }
    let (mut low, mut high) = (0, total);
    while low < high {
        let middle = (low + high).div_ceil(2);
        if render(middle).chars().count() <= budget {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    render(low)
}
