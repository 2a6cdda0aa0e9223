//! The retry policy: which failures are worth another attempt, and the jittered exponential
//! backoff between attempts. Knows nothing of HTTP; the caller's deadline bounds it all.

use crate::common::Backoff;
use std::future::Future;
use std::time::Duration;

use super::AwsError;

/// Runs `attempt` until it succeeds, fails for good, or `max_attempts` (the first included,
/// at least one) are spent.
pub(super) async fn with_retries<T, F, Fut>(
    max_attempts: u32,
    mut attempt: F,
) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let attempts = max_attempts.max(1);
    let mut attempt_number = 1;
    loop {
        match attempt().await {
            Err(error) if attempt_number < attempts && retryable(&error) => {
                tokio::time::sleep(backoff(attempt_number)).await;
                attempt_number += 1;
            }
            other => return other,
        }
    }
}

/// The delay before retry `attempt_number`: 100 ms doubling up to 6.4 s, scaled by a random
/// factor in [0.5, 1) so that callers failing together do not retry together.
fn backoff(attempt_number: u32) -> Duration {
    Backoff {
        base: Duration::from_millis(100),
        cap: Duration::from_millis(6400),
    }
    .jittered(attempt_number, 0.5..1.0)
}

/// Transport failures, 5xx answers and throttling are retried; everything else is final.
fn retryable(error: &AwsError) -> bool {
    match error {
        AwsError::Transport { .. } => true,
        AwsError::Service { code, status, .. } => {
            *status >= 500
                || matches!(
                    code.as_str(),
                    "Throttling"
                        | "ThrottlingException"
                        | "ThrottledException"
                        | "RequestThrottledException"
                        | "TooManyRequestsException"
                        | "ProvisionedThroughputExceededException"
                        | "TransactionInProgressException"
                        | "RequestLimitExceeded"
                        | "BandwidthLimitExceeded"
                        | "LimitExceededException"
                        | "RequestThrottled"
                        | "SlowDown"
                        | "PriorRequestNotComplete"
                        | "EC2ThrottledException"
                )
        }
        _ => false,
    }
}
