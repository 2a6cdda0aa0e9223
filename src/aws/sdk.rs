//! What the typed SDK calls (`alarms`, `logs`, `support`) share: the per-call SDK configuration
//! built from a permit and the engine's settings (over one shared HTTPS client), the check that a permit names the operation
//! about to be called, and how an SDK failure reads (the service's code and message, or why the
//! call could not be made).

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_cloudwatch::config::SharedHttpClient;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
// The smithy error types every SDK crate re-exports (one version in the tree); read through
// one crate's re-export, they serve all three clients.
use aws_sdk_cloudwatch::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::{endpoint::service_env_key, CallOptions, EngineConfig};
use crate::policy::Permit;

/// What the typed SDK clients of one API (`AlarmsApi`, `LogsApi`, `SupportApi`) are made
/// from: the engine's settings and one HTTPS client, which keeps one connector (the root
/// certificates loaded once, a connection pool) for every call. A client of its own per call
/// loaded the certificates for each call in flight (about 11 MB each) and reused no
/// connection.
#[derive(Debug, Clone)]
pub(super) struct SdkBase {
    engine: EngineConfig,
    http: SharedHttpClient,
}

impl SdkBase {
    pub(super) fn new(engine: EngineConfig) -> Self {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
            .build_https();
        SdkBase { engine, http }
    }

    /// The SDK configuration one call on behalf of `permit` is made with: the permit's
    /// credentials and region, the engine's retry budget and deadline, and its endpoint
    /// override for `service_id` (`AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`). Every
    /// service client takes it through `From<&SdkConfig>` (`Client::new`), so the settings are
    /// made once here.
    pub(super) fn config(&self, permit: &Permit, service_id: &str) -> SdkConfig {
        let engine = &self.engine;
        let call = CallOptions::of(permit);
        let mut builder = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(call.region))
            .credentials_provider(SharedCredentialsProvider::new(call.credentials))
            .http_client(self.http.clone())
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
}

/// Why a typed SDK call failed. CloudWatch's and CloudWatch Logs' calls answer it as it is
/// (`AlarmsError`, `LogsError`); Support tells one service error apart (`SupportError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The permit was granted for another operation (`service operation` each): a bug in the
    /// caller, refused before anything is sent.
    #[error("the permit for {granted} does not cover {wanted}")]
    NotPermitted { granted: String, wanted: String },
    /// The service refused the call, in the AWS CLI's words (`Unknown` when it named no code).
    #[error("An error occurred ({code}) when calling the {operation} operation: {message}")]
    Service {
        code: String,
        message: String,
        operation: String,
    },
    /// The call could not be made or its answer not read (transport, timeout, credentials).
    #[error("the {operation} call failed: {message}")]
    Call { operation: String, message: String },
}

/// Refuses a permit granted for anything but `service` `operation`.
pub(super) fn require(permit: &Permit, service: &str, operation: &str) -> Result<(), CallError> {
    if permit.service() == service && permit.operation() == operation {
        return Ok(());
    }
    Err(CallError::NotPermitted {
        granted: format!("{} {}", permit.service(), permit.operation()),
        wanted: format!("{service} {operation}"),
    })
}

/// Awaits the SDK call `operation`; its failure as a [`CallError`].
pub(super) async fn answer<T, E, R>(
    operation: &str,
    call: impl std::future::Future<Output = Result<T, SdkError<E, R>>>,
) -> Result<T, CallError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let failure = match call.await {
        Ok(output) => return Ok(output),
        Err(SdkError::ServiceError(service)) => CallError::Service {
            code: service.err().code().unwrap_or("Unknown").to_owned(),
            message: service.err().message().unwrap_or_default().to_owned(),
            operation: operation.to_owned(),
        },
        Err(error) => CallError::Call {
            operation: operation.to_owned(),
            message: DisplayErrorContext(&error).to_string(),
        },
    };
    Err(failure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{GlobalOptions, Invocation};
    use crate::policy::{Credentials, LocalOperator};

    async fn permit(service: &str, operation: &str) -> Permit {
        let invocation = Invocation {
            service: service.into(),
            operation: operation.into(),
            cli_operation: String::new(),
            params: serde_json::Map::new(),
            globals: GlobalOptions::default(),
        };
        LocalOperator::with_credentials("eu-west-1", Credentials::new("a", "b", None, None, "t"))
            .grant(&invocation)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_permit_covers_only_its_own_service_and_operation() {
        let permit = permit("cloudwatch", "GetMetricData").await;
        assert_eq!(require(&permit, "cloudwatch", "GetMetricData"), Ok(()));
        assert_eq!(
            require(&permit, "cloudwatch", "DescribeAlarms")
                .unwrap_err()
                .to_string(),
            "the permit for cloudwatch GetMetricData does not cover cloudwatch DescribeAlarms"
        );
        assert!(require(&permit, "logs", "GetMetricData").is_err());
    }

    #[tokio::test]
    async fn the_config_carries_the_permit_and_the_service_endpoint() {
        let engine = EngineConfig {
            endpoint_url: Some("http://127.0.0.1:5000".into()),
            service_endpoints: [(
                "CLOUDWATCH_LOGS".to_owned(),
                "http://127.0.0.1:6000".to_owned(),
            )]
            .into(),
            ..EngineConfig::default()
        };
        let permit = permit("logs", "StartQuery").await;
        let base = SdkBase::new(engine.clone());
        let logs = base.config(&permit, "CloudWatch Logs");
        assert_eq!(logs.endpoint_url(), Some("http://127.0.0.1:6000"));
        assert_eq!(logs.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert_eq!(
            logs.retry_config().map(|r| r.max_attempts()),
            Some(engine.max_attempts)
        );
        assert_eq!(
            logs.timeout_config().and_then(|t| t.operation_timeout()),
            Some(engine.timeout)
        );
        let cloudwatch = base.config(&permit, "CloudWatch");
        assert_eq!(cloudwatch.endpoint_url(), Some("http://127.0.0.1:5000"));
    }
}
