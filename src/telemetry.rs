//! Logging set-up: structured JSON lines to stdout, filtered by `RUST_LOG` (default `info`).
//! It must never be given tokens, secrets or card payloads to log; callers log ids only.

use tracing_subscriber::EnvFilter;

/// Installs the global JSON subscriber. Call once, from `main`.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(true)
        .init();
}
