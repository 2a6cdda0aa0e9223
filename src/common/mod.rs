//! Small helpers every layer uses the same way: an error's cause chain for logs, wall-clock
//! milliseconds for stored deadlines, and retry backoff. Pure except for reading the clock and
//! the random source; no IO, no knowledge of Teams, AWS or commands.

pub mod backoff;
pub mod clock;
pub mod errors;

pub use backoff::Backoff;
pub use clock::now_millis;
pub use errors::error_chain;
