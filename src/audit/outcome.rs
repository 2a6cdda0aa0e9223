//! How an attempt ended: the constructors of [`Outcome`] for the callers that make calls. The
//! one from an engine call's result lives beside the engine's error (`aws/error.rs`), so that
//! `audit` depends on nothing that calls AWS.

use std::fmt::Display;

use super::Outcome;

impl Outcome {
    /// A failure, named by the first line of `error`.
    pub fn failed(error: &dyn Display) -> Self {
        Outcome::Failed {
            error: error
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
        }
    }
}
