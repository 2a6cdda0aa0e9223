//! How the engine reaches AWS: the endpoints, region, deadline and attempts of
//! [`EngineConfig`] (read from the standard AWS variables), who calls in [`CallOptions`], and
//! the same settings as the SDK configuration STS role assumption is called with.

use std::collections::HashMap;
use std::time::Duration;

use aws_config::SdkConfig;

use crate::policy::{Credentials, Permit};

/// The deadline of one command, every page included (F5).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// How the engine reaches AWS. Built from values in tests; [`EngineConfig::from_env`] is the
/// only place that reads the process environment.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// `AWS_ENDPOINT_URL`: one endpoint for every service (moto, LocalStack, a proxy).
    pub endpoint_url: Option<String>,
    /// `AWS_ENDPOINT_URL_<SERVICE>` by service key (`CLOUDWATCH_LOGS`, see
    /// [`super::service_env_key`]); wins over `endpoint_url`.
    pub service_endpoints: HashMap<String, String>,
    /// `AWS_REGION` / `AWS_DEFAULT_REGION`.
    pub default_region: Option<String>,
    /// The deadline of one command, every page and retry included.
    pub timeout: Duration,
    /// Attempts per request, the first included (1 turns retries off).
    pub max_attempts: u32,
    /// `AWS_ENDPOINT_DISCOVERY_ENABLED` (`auto`, the default, or `true`: discover where an
    /// operation requires it; `false`: refuse those operations), see `discovery`.
    pub endpoint_discovery: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            endpoint_url: None,
            service_endpoints: HashMap::new(),
            default_region: None,
            timeout: DEFAULT_TIMEOUT,
            max_attempts: 3,
            endpoint_discovery: true,
        }
    }
}

impl EngineConfig {
    /// Reads the standard AWS variables, as the AWS CLI does.
    pub fn from_env() -> Self {
        Self::from_vars(std::env::vars())
    }

    /// The same as [`EngineConfig::from_env`] from given variables.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut config = Self::default();
        let mut region = None;
        let mut default_region = None;
        for (key, value) in vars {
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "AWS_ENDPOINT_URL" => config.endpoint_url = Some(value),
                "AWS_REGION" => region = Some(value),
                "AWS_DEFAULT_REGION" => default_region = Some(value),
                "AWS_ENDPOINT_DISCOVERY_ENABLED" => {
                    config.endpoint_discovery = !value.trim().eq_ignore_ascii_case("false");
                }
                "AWS_MAX_ATTEMPTS" => {
                    if let Ok(attempts) = value.parse::<u32>() {
                        config.max_attempts = attempts.max(1);
                    }
                }
                _ => {
                    if let Some(service) = key.strip_prefix("AWS_ENDPOINT_URL_") {
                        config.service_endpoints.insert(service.to_owned(), value);
                    }
                }
            }
        }
        config.default_region = region.or(default_region);
        config
    }
}

/// Who calls and where: the credentials (the default chain's or an assumed role's) and the
/// region a [`Permit`] grants. Private to the engine and made only from a permit, so no AWS
/// call happens without one.
#[derive(Debug, Clone)]
pub(super) struct CallOptions {
    pub(super) credentials: Credentials,
    pub(super) region: String,
    /// The permit's own deadline (a channel that lets commands run long), instead of the
    /// engine's.
    pub(super) limit: Option<Duration>,
}

impl CallOptions {
    pub(super) fn of(permit: &Permit) -> Self {
        CallOptions {
            credentials: permit.credentials().clone(),
            region: permit.region().to_owned(),
            limit: permit.call_limit(),
        }
    }
}

/// Builds the SDK configuration STS is called with (role assumption in
/// [`crate::policy::assume_role`]): the default credential chain (the bot's own identity), the
/// given region and the engine's endpoint override (`AWS_ENDPOINT_URL` or
/// `AWS_ENDPOINT_URL_STS`), with the engine's retry budget.
pub async fn sts_sdk_config(engine: &EngineConfig, region: &str) -> SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_owned()))
        .retry_config(
            aws_config::retry::RetryConfig::standard().with_max_attempts(engine.max_attempts),
        )
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(engine.timeout)
                .build(),
        );
    if let Some(endpoint) = engine
        .service_endpoints
        .get("STS")
        .or(engine.endpoint_url.as_ref())
    {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_from_variables() {
        let vars = [
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            ("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:6000"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_REGION", "eu-central-1"),
            ("AWS_MAX_ATTEMPTS", "1"),
            ("HOME", "/root"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let config = EngineConfig::from_vars(vars);
        assert_eq!(
            config.endpoint_url.as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(
            config.service_endpoints["CLOUDWATCH_LOGS"],
            "http://127.0.0.1:6000"
        );
        assert_eq!(config.default_region.as_deref(), Some("eu-central-1"));
        assert_eq!(config.max_attempts, 1);
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        assert!(config.endpoint_discovery, "on unless turned off");
        for (value, on) in [
            ("false", false),
            ("FALSE ", false),
            ("auto", true),
            ("true", true),
        ] {
            let vars = [(
                "AWS_ENDPOINT_DISCOVERY_ENABLED".to_owned(),
                value.to_owned(),
            )];
            assert_eq!(
                EngineConfig::from_vars(vars).endpoint_discovery,
                on,
                "{value}"
            );
        }
    }
}
