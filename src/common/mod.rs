//! Small helpers every layer uses the same way: an error's cause chain for logs, wall-clock
//! milliseconds for stored deadlines, retry backoff, and what a Region code looks like. Pure
//! except for reading the clock and the random source; no IO, no knowledge of Teams or commands.

pub mod backoff;
pub mod clock;
pub mod errors;
pub mod region;

pub use backoff::Backoff;
pub use clock::now_millis;
pub use errors::error_chain;
pub use region::is_region;
