//! GitHub: the Actions event that started a run, the REST calls the gate makes,
//! and the one pull-request comment it keeps current.

pub mod api;
pub mod comment;
pub mod event;
