//! How an attempt ended, computed from what a call returned: the constructors of [`Outcome`]
//! for the callers that make calls (the chat flow, the support-case journey).

use std::fmt::Display;

use super::Outcome;
use crate::aws::AwsError;

impl Outcome {
    /// The outcome of an engine call: success (`Confirmed` when the user confirmed it,
    /// otherwise `Allowed`), a timeout, or a failure named by AWS's error code (or the first
    /// line of any other error).
    pub fn of_call<T>(result: &Result<T, AwsError>, confirmed: bool) -> Self {
        match result {
            Ok(_) if confirmed => Outcome::Confirmed,
            Ok(_) => Outcome::Allowed,
            Err(AwsError::Timeout { .. }) => Outcome::TimedOut,
            Err(AwsError::Service { code, .. }) => Outcome::Failed {
                error: code.clone(),
            },
            Err(other) => Outcome::failed(other),
        }
    }

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
