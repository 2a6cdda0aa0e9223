//! Amazon SNS's HTTP(S) delivery protocol: the JSON envelope SNS POSTs, the topic ARN, and the
//! signature check every envelope must pass before it is used. Nothing here trusts a field of the
//! body until [`SnsVerifier::verify`] has checked the signature over it.

mod certs;
mod envelope;
mod signature;
mod topic;

pub use certs::{CertUrlPolicy, CertUrlRefusal, SigningCertCache};
pub use envelope::{SnsMessage, SnsMessageType};
/// The offline checks of an envelope, for the property tests.
#[cfg(test)]
pub(crate) use signature::prepare;
pub use signature::{SignatureVersion, SnsRefusal, SnsVerifier};
pub use topic::{TopicArn, TopicArnError};

#[cfg(test)]
mod tests;
