//! The AWS command engine: signs, serialises, sends and parses any operation of any AWS
//! service, driven by the botocore models, with the AWS CLI's pagination semantics. This is
//! the only module that runs commands against AWS (getting the credentials a permit carries
//! is `policy`'s); it never formats output for people and knows no chat.
//!
//! Where things are:
//! - `engine`: [`Engine`], one call or one invocation under a deadline, with metrics;
//! - `calls`: the CLI commands that make several calls (`emr describe-cluster`), run by plan;
//! - `config`: [`EngineConfig`] from the AWS variables, the call options a permit grants,
//!   the SDK configuration for STS ([`sts_sdk_config`]);
//! - `paginate`: the AWS CLI's pagination, and whether an invocation is paged at all;
//! - `retry`: which failures are retried, and the backoff;
//! - `request`: one attempt on the wire: URL, checksum, signature, HTTP, answer;
//!   `s3_redirect`: an S3 answer that names the bucket's other Region sends it once more there;
//! - `customizations`: botocore's handlers: input fixes (idempotency tokens, Route 53 ids, S3
//!   SSE-C keys, ...), service headers, and output fixes (template bodies, console output);
//! - `serialize`, `parse`, `xml`, `timestamp`, `shape`: the wire protocols, as botocore;
//! - `endpoint`, `sign`: endpoint resolution and SigV4;
//! - `error`: [`AwsError`];
//! - `support`: the Support API through the SDK;
//! - `logs`: CloudWatch Logs Insights, metric filters, log groups and alarm tags through the SDK.
//! - `alarms`: GetMetricData and DescribeAlarms for alarm charts, through the SDK;
//! - `sdk`: what those three typed clients share: the per-call `SdkConfig` from a permit, the
//!   permit-names-this-operation check, and how an SDK failure reads.

pub mod alarms;
mod calls;
mod config;
mod customizations;
mod discovery;
mod endpoint;
mod engine;
mod error;
pub mod logs;
pub(crate) mod paginate;
mod parse;
mod request;
mod retry;
mod s3_redirect;
mod sdk;
mod serialize;
mod shape;
mod sign;
pub mod support;
mod timestamp;
pub mod waiter;
mod xml;

pub use crate::policy::Credentials;

use config::CallOptions;
pub use config::{sts_sdk_config, EngineConfig, DEFAULT_TIMEOUT};
pub use endpoint::service_env_key;
pub use engine::{Engine, Fetched, Page};
pub use error::AwsError;
pub use sdk::CallError;
