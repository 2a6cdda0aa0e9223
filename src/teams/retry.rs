//! How long and how often a Bot Connector call is retried within one call: which statuses are
//! worth another attempt, the jittered exponential backoff, `Retry-After`, and the bound on the
//! whole call. It decides nothing about the outbox, which retries in minutes, not seconds.

use std::time::Duration;

use reqwest::StatusCode;

use crate::common::Backoff;

/// How the client retries throttled or failed requests. Teams' rate-limit guidance says to
/// retry 429, 412, 502, 503 and 504 with exponential backoff and random jitter; 500 is retried
/// as well, because the Connector answers it for transient faults (botframework.md §3.7).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt (for the Connector and, separately, the token endpoint).
    pub max_retries: u32,
    /// Delay before the first retry; doubled for each further retry.
    pub base_delay: Duration,
    /// No computed delay exceeds this.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this makes the client give up rather than wait.
    pub max_retry_after: Duration,
    /// Timeout of each request.
    pub request_timeout: Duration,
    /// No retry starts once this much time has passed since the call began, so one call never
    /// takes much longer than this plus one request timeout.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// The example of Teams' rate-limit page: 3 retries, 2 s first delay, 20 s at most.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            request_timeout: Duration::from_secs(15),
            max_elapsed: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The same timeouts without retries: what one attempt from the outbox uses, since the
    /// outbox's own schedule is the retry.
    pub fn single_attempt(&self) -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..*self
        }
    }

    /// The delay before retry number `retry` (0-based): exponential, ±20% jitter, capped, and
    /// never shorter than the server's `Retry-After`.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let backoff = Backoff {
            base: self.base_delay,
            cap: self.max_delay,
        };
        let computed = backoff.jittered(retry, 0.8..1.2);
        match retry_after {
            Some(wait) => wait.max(computed.min(wait + wait / 5)),
            None => computed,
        }
    }

    /// The delay before the next retry, or `None` when the call must stop: retries used up, a
    /// `Retry-After` beyond the limit, or the wait would end past `max_elapsed`.
    pub(crate) fn next_delay(
        &self,
        retries_done: u32,
        retry_after: Option<Duration>,
        elapsed: Duration,
    ) -> Option<Duration> {
        if retries_done >= self.max_retries {
            return None;
        }
        if retry_after.is_some_and(|wait| wait > self.max_retry_after) {
            return None;
        }
        let delay = self.delay(retries_done, retry_after);
        (elapsed + delay <= self.max_elapsed).then_some(delay)
    }
}

/// Statuses worth another attempt: throttling (429), a conflicting concurrent write (412) and
/// the server-side failures Teams asks bots to retry.
pub fn is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 412 | 500 | 502 | 503 | 504)
}

/// `Retry-After` as delta-seconds (what the Connector sends) or an HTTP date.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let wait = at - time::OffsetDateTime::now_utc();
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statuses_teams_asks_to_retry_are_retried_and_no_others() {
        let cases = [
            (429, true),
            (412, true),
            (500, true),
            (502, true),
            (503, true),
            (504, true),
            (400, false),
            (401, false),
            (403, false),
            (404, false),
            (405, false),
            (413, false),
            (501, false),
            (307, false),
            (200, false),
        ];
        for (status, expected) in cases {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(is_retryable(status), expected, "{status}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = time::OffsetDateTime::now_utc() + time::Duration::seconds(30);
        let date = later
            .format(&time::format_description::well_known::Rfc2822)
            .unwrap()
            .replace("+0000", "GMT");
        headers.insert("retry-after", date.parse().unwrap());
        let wait = retry_after(&headers).expect("an HTTP date parses");
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn backoff_grows_honours_retry_after_and_stays_capped() {
        let policy = RetryPolicy {
            base_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        for retry in 0..6 {
            let delay = policy.delay(retry, None);
            let nominal = Duration::from_secs(1 << retry).min(policy.max_delay);
            assert!(
                delay >= nominal.mul_f64(0.8).min(policy.max_delay),
                "{delay:?}"
            );
            assert!(delay <= policy.max_delay, "{delay:?}");
        }
        let delay = policy.delay(0, Some(Duration::from_secs(7)));
        assert!(delay >= Duration::from_secs(7) && delay <= Duration::from_millis(8400));
    }

    #[test]
    fn the_next_delay_stops_at_the_retry_count_the_retry_after_limit_and_the_time_bound() {
        let policy = RetryPolicy::default();
        let none = Duration::ZERO;
        assert!(policy.next_delay(0, None, none).is_some());
        assert!(policy.next_delay(2, None, none).is_some());
        assert_eq!(policy.next_delay(3, None, none), None, "retries used up");
        assert_eq!(
            policy.next_delay(0, Some(Duration::from_secs(61)), none),
            None,
            "Retry-After beyond max_retry_after"
        );
        assert!(policy
            .next_delay(0, Some(Duration::from_secs(60)), none)
            .is_some());
        assert_eq!(
            policy.next_delay(0, Some(Duration::from_secs(30)), Duration::from_secs(31)),
            None,
            "the wait would end past max_elapsed"
        );
        assert_eq!(policy.single_attempt().next_delay(0, None, none), None);
    }
}
