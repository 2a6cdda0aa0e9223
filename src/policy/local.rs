//! The local operator: the authorizer of `aws-chatops exec` without `--as`/`--channel`, and of
//! tests that run the chat flow without an `[access]` table. It grants the ambient AWS
//! credentials (the default provider chain, or fixed ones in tests) and region, with no
//! channel configuration; the never-allowed list still applies. It reads credentials only
//! through the `aws` module's engine.

use std::sync::Arc;

use super::{never_allowed, Authorizer, Denial, DenialLayer, Permit, Requester};
use crate::aws::{AwsError, Credentials, Engine};
use crate::command::Invocation;

/// Grants the ambient credentials and region (see the module documentation).
pub struct LocalOperator {
    engine: Arc<Engine>,
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
    NoCredentials(AwsError),
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
    pub fn new(engine: Arc<Engine>, default_region: impl Into<String>) -> Self {
        Self {
            engine,
            default_region: Some(default_region.into()),
            fixed_credentials: None,
        }
    }

    /// The local operator with fixed credentials rather than the default provider chain.
    pub fn with_credentials(
        engine: Arc<Engine>,
        default_region: impl Into<String>,
        credentials: Credentials,
    ) -> Self {
        Self {
            fixed_credentials: Some(credentials),
            ..Self::new(engine, default_region)
        }
    }

    /// What `exec` runs as: the default credential chain and the engine's region (from the
    /// environment), if any.
    pub fn ambient(engine: Arc<Engine>) -> Self {
        Self {
            default_region: engine.config().default_region.clone(),
            engine,
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
            None => self
                .engine
                .credentials_from_environment()
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
