//! Authentication in both directions: verifying the tokens Bot Framework sends us, and obtaining
//! the token we send to the Bot Connector. It must never log a token or a secret, and it knows
//! nothing of HTTP servers or activities beyond the two fields it checks.

pub mod inbound;
pub mod keys;
pub mod outbound;
mod token_cache;

pub use inbound::{AuthError, Clock, SystemClock, TokenValidator, VerifiedCaller, VerifiedToken};
pub use keys::{KeyCache, KeyFetchError, KeyRefreshPolicy};
pub use outbound::{AccessToken, TokenError, TokenProvider};
pub use token_cache::DEFAULT_TOKEN_CACHE_CAPACITY;
