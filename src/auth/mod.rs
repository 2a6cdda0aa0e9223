//! Authentication in both directions: verifying the tokens Bot Framework sends us, and obtaining
//! the token we send to the Bot Connector. It must never log a token or a secret, and it knows
//! nothing of HTTP servers or activities beyond the two fields it checks.

pub mod inbound;
pub mod keys;
pub mod outbound;

pub use inbound::{AuthError, TokenValidator, VerifiedCaller};
pub use keys::{KeyCache, KeyFetchError, KeyRefreshPolicy};
pub use outbound::{AccessToken, TokenError, TokenProvider};
