//! GitHub: the Actions event that started a run, the REST calls the gate makes,
//! the one pull-request comment it keeps current, and the reviews that prove
//! `github-review` approvals.

pub mod api;
pub mod comment;
pub mod event;
pub mod reviews;
