//! Wall-clock time as stored in deadlines and schedules.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (0 if the clock is before it). Stored deadlines use wall
/// time rather than `Instant`, so they survive restarts and mean the same to every replica.
pub fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
