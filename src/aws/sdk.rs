//! What the typed SDK calls (`alarms`, `logs`, `support`) share: the per-call SDK configuration
//! built from a permit and the engine's settings, the check that a permit names the operation
//! about to be called, and how an SDK failure reads (the service's code and message, or why the
//! call could not be made).

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
// The smithy error types every SDK crate re-exports (one version in the tree); read through
// one crate's re-export, they serve all three clients.
use aws_sdk_cloudwatch::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::{endpoint::service_env_key, CallOptions, EngineConfig};
use crate::policy::Permit;

/// The SDK configuration one call on behalf of `permit` is made with: the permit's credentials
/// and region, the engine's retry budget and deadline, and its endpoint override for
/// `service_id` (`AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`). Every service client
/// takes it through `From<&SdkConfig>` (`Client::new`), so the settings are made once here.
pub(super) fn sdk_config(engine: &EngineConfig, permit: &Permit, service_id: &str) -> SdkConfig {
    let call = CallOptions::of(permit);
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(call.region))
        .credentials_provider(SharedCredentialsProvider::new(call.credentials))
        .retry_config(RetryConfig::standard().with_max_attempts(engine.max_attempts))
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(engine.timeout)
                .build(),
        );
    let endpoint = engine
        .service_endpoints
        .get(&service_env_key(service_id))
        .or(engine.endpoint_url.as_ref());
    if let Some(url) = endpoint {
        builder = builder.endpoint_url(url.clone());
    }
    builder.build()
}

/// A typed call was asked for with a permit granted for another operation: a bug in the
/// caller, refused before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the permit for {granted} does not cover {wanted}")]
pub struct NotPermitted {
    /// `service operation` the permit names.
    pub granted: String,
    /// `service operation` the call needed.
    pub wanted: String,
}

/// Refuses a permit granted for anything but `service` `operation`.
pub(super) fn require(permit: &Permit, service: &str, operation: &str) -> Result<(), NotPermitted> {
    if permit.service() == service && permit.operation() == operation {
        return Ok(());
    }
    Err(NotPermitted {
        granted: format!("{} {}", permit.service(), permit.operation()),
        wanted: format!("{service} {operation}"),
    })
}

/// Why the SDK call `operation` failed, before each module names it in its own error type
/// (`From<Failure>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The service answered with an error code (`Unknown` when it named none).
    Service {
        code: String,
        message: String,
        operation: String,
    },
    /// The call could not be made or its answer not read (transport, timeout, credentials).
    Call { operation: String, message: String },
}

/// Awaits the SDK call `operation`; its failure as a [`Failure`], which `?` turns into the
/// caller's error.
pub(super) async fn answer<T, E, R>(
    operation: &str,
    call: impl std::future::Future<Output = Result<T, SdkError<E, R>>>,
) -> Result<T, Failure>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let failure = match call.await {
        Ok(output) => return Ok(output),
        Err(SdkError::ServiceError(service)) => Failure::Service {
            code: service.err().code().unwrap_or("Unknown").to_owned(),
            message: service.err().message().unwrap_or_default().to_owned(),
            operation: operation.to_owned(),
        },
        Err(error) => Failure::Call {
            operation: operation.to_owned(),
            message: DisplayErrorContext(&error).to_string(),
        },
    };
    Err(failure)
}
