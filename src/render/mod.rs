//! Renderers: each takes a finished report and only formats it.

pub mod gate;
pub mod json;
pub mod text;

use clap::ValueEnum;

/// The output formats of `lint` and `policy check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: error: message [code]` with a source snippet.
    Text,
    /// The report as JSON (schema: `release-gate schema lint-report`).
    Json,
}
