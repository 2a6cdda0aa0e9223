//! botocore's handlers (`botocore/handlers.py`) that change what the AWS CLI sends or shows
//! for an operation we allow, in the three places botocore runs them. Pure: rewrites
//! parameters, a serialised request or a parsed output; never sends anything.
//!
//! - `input` (`before-parameter-build`): idempotency tokens, Route 53 ids, EC2 user data, S3
//!   bucket names, SSE-C keys, copy sources, metadata and list encodings, Glacier's account id;
//! - `wire` (`before-call`, `request-created`): headers and bodies of single services (API
//!   Gateway's `Accept`, Glacier's version and checksums, S3's escaped XML, endpoint discovery,
//!   CloudSearch's POST, Machine Learning's host);
//! - `presign` (`before-call`): EC2 and RDS copies from another Region carry a presigned
//!   request of the source Region;
//! - `output` (`after-call`): CloudFormation template bodies, EC2 console output, S3 list keys.
//!
//! The inventory of every handler and what we do with it is in `docs/cli-compatibility.md`.

mod input;
mod output;
mod presign;
mod wire;

use crate::models::ServiceModel;

pub(super) use input::before_parameter_build;
pub(super) use output::after_call;
pub(super) use presign::{cross_region_copy, inject_presigned_url};
pub(super) use wire::{before_call, switch_host};

/// What the input handlers decided that the output handlers need (botocore keeps it in the
/// request context).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct HandlerContext {
    /// `EncodingType=url` was added to an S3 listing by us, not by the caller, so the keys in
    /// the answer are decoded before they are shown (`encoding_type_auto_set`).
    pub encoding_type_auto_set: bool,
}

/// The service a handler is registered for, by the model's endpoint prefix (`s3`, `ec2`).
fn is_service(model: &ServiceModel, endpoint_prefix: &str) -> bool {
    model.metadata.endpoint_prefix == endpoint_prefix
}
