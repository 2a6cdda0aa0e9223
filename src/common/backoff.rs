//! Exponential retry backoff with a cap, plain or with random jitter. It says how long to wait,
//! never whether to retry: each caller decides that from its own errors and limits.

use std::ops::Range;
use std::time::Duration;

use rand::Rng;

/// Delays that double from `base` with each retry and never exceed `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The delay before retry 0.
    pub base: Duration,
    /// No delay, jittered or not, exceeds this.
    pub cap: Duration,
}

impl Backoff {
    /// `base × 2^retry`, at most `cap`.
    pub fn delay(&self, retry: u32) -> Duration {
        self.base
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.cap)
    }

    /// [`Backoff::delay`] scaled by a random factor drawn from `jitter` (for example
    /// `0.8..1.2`), at most `cap`, so that many clients failing together do not retry together.
    pub fn jittered(&self, retry: u32, jitter: Range<f64>) -> Duration {
        let factor = rand::thread_rng().gen_range(jitter);
        self.delay(retry).mul_f64(factor).min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_until_the_cap() {
        let backoff = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(6400),
        };
        let delays: Vec<u64> = (0..9)
            .map(|retry| backoff.delay(retry).as_millis() as u64)
            .collect();
        assert_eq!(
            delays,
            [100, 200, 400, 800, 1600, 3200, 6400, 6400, 6400],
            "doubles, then stays at the cap"
        );
        assert_eq!(backoff.delay(u32::MAX), backoff.cap, "no overflow");
    }

    #[test]
    fn jitter_stays_within_its_range_and_the_cap() {
        let backoff = Backoff {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(20),
        };
        for retry in 0..8 {
            let nominal = backoff.delay(retry);
            for _ in 0..20 {
                let delay = backoff.jittered(retry, 0.8..1.2);
                assert!(delay >= nominal.mul_f64(0.8), "{delay:?} for {nominal:?}");
                assert!(delay <= nominal.mul_f64(1.2), "{delay:?} for {nominal:?}");
                assert!(delay <= backoff.cap, "{delay:?}");
            }
        }
    }
}
