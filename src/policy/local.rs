//! The local operator: the authorizer of `aws-chatops exec` without `--as`/`--channel`, and of
//! tests that run the chat flow without an `[access]` table. It grants the ambient AWS
//! credentials (the default provider chain, or fixed ones in tests) and region, with no
//! channel configuration; the never-allowed list still applies. It reads the default chain
//! through aws-config itself: getting credentials is the policy's job, not the engine's.

use aws_credential_types::provider::ProvideCredentials;

use super::{never_allowed, Authorizer, Credentials, Denial, DenialLayer, Permit, Requester};
use crate::command::Invocation;

/// Grants the ambient credentials and region (see the module documentation).
pub struct LocalOperator {
    /// The region when the command gives none; `None` refuses such commands.
    default_region: Option<String>,
    /// Fixed credentials instead of the default provider chain (tests against moto).
    fixed_credentials: Option<Credentials>,
}

/// Why the local operator refused: the terminal prints each its own way.
#[derive(Debug)]
pub enum LocalRefusal {
    /// The never-allowed list names the operation.
    NeverAllowed(Denial),
    /// Neither the command nor the environment gives a region.
    NoRegion,
    /// The default credential chain gave no credentials.
    NoCredentials(NoCredentials),
}

/// Why the default credential chain gave no credentials. Says what the engine says of missing
/// credentials (`aws::AwsError::Credentials`), so `exec` prints the same either way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no usable AWS credentials: {message}")]
pub struct NoCredentials {
    pub message: String,
}

/// Credentials from the aws-config default provider chain (environment, profile, web
/// identity, container and instance metadata).
async fn credentials_from_environment() -> Result<Credentials, NoCredentials> {
    let loaded = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let provider = loaded.credentials_provider().ok_or_else(|| NoCredentials {
        message: "no credentials provider is configured".into(),
    })?;
    provider
        .provide_credentials()
        .await
        .map_err(|e| NoCredentials {
            message: e.to_string(),
        })
}

impl LocalRefusal {
    /// The refusal as the chat flow shows it.
    pub fn into_denial(self) -> Denial {
        match self {
            LocalRefusal::NeverAllowed(denial) => denial,
            LocalRefusal::NoRegion => Denial {
                layer: DenialLayer::Credentials,
                message: "No AWS region is configured for the bot.".into(),
            },
            LocalRefusal::NoCredentials(error) => Denial {
                layer: DenialLayer::Credentials,
                message: format!("No AWS credentials are available to the bot: {error}"),
            },
        }
    }
}

impl LocalOperator {
    /// The local operator with the default credential chain and `default_region` for
    /// commands that give none.
    pub fn new(default_region: impl Into<String>) -> Self {
        Self {
            default_region: Some(default_region.into()),
            fixed_credentials: None,
        }
    }

    /// The local operator with fixed credentials rather than the default provider chain.
    pub fn with_credentials(default_region: impl Into<String>, credentials: Credentials) -> Self {
        Self {
            fixed_credentials: Some(credentials),
            ..Self::new(default_region)
        }
    }

    /// What `exec` runs as: the default credential chain and the region of the environment
    /// (the engine's `AWS_REGION`/`AWS_DEFAULT_REGION`), if any.
    pub fn ambient(default_region: Option<String>) -> Self {
        Self {
            default_region,
            fixed_credentials: None,
        }
    }

    /// A permit for `invocation`, or why not. The region is checked before the credentials,
    /// as the AWS CLI does.
    pub async fn grant(&self, invocation: &Invocation) -> Result<Permit, LocalRefusal> {
        if let Some(denial) = never_allowed(invocation) {
            return Err(LocalRefusal::NeverAllowed(denial));
        }
        let region = invocation
            .globals
            .region
            .clone()
            .or_else(|| self.default_region.clone())
            .ok_or(LocalRefusal::NoRegion)?;
        let credentials = match &self.fixed_credentials {
            Some(credentials) => credentials.clone(),
            None => credentials_from_environment()
                .await
                .map_err(LocalRefusal::NoCredentials)?,
        };
        Ok(Permit::new(invocation, credentials, region, None, None))
    }
}

#[async_trait::async_trait]
impl Authorizer for LocalOperator {
    async fn authorize(
        &self,
        _requester: &Requester,
        invocation: &Invocation,
    ) -> Result<Permit, Denial> {
        self.grant(invocation)
            .await
            .map_err(LocalRefusal::into_denial)
    }
}
