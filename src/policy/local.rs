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
    /// The chain's credentials, fetched once and again only near their expiry: the chain is
    /// not rebuilt for every command.
    ambient: tokio::sync::Mutex<Option<Credentials>>,
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

/// How long before their expiry cached credentials are fetched again.
const REFRESH_BEFORE_EXPIRY: std::time::Duration = std::time::Duration::from_secs(300);

/// The ambient credentials, in the AWS CLI's order: the environment variables first (as
/// botocore's `EnvProvider` reads them, without building the rest of the chain), else the
/// aws-config default provider chain (profile, web identity, SSO, process, container and
/// instance metadata).
async fn credentials_from_environment() -> Result<Credentials, NoCredentials> {
    if let Some(from_vars) = credentials_from_env_vars(|name| std::env::var(name).ok()) {
        return from_vars;
    }
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

/// botocore's `EnvProvider`: nothing when `AWS_ACCESS_KEY_ID` is unset or empty (the chain
/// goes on); the key and secret, with the first of `AWS_SECURITY_TOKEN`/`AWS_SESSION_TOKEN`
/// set as the session token; an error when the secret is missing. Credentials with an
/// `AWS_CREDENTIAL_EXPIRATION` are left to the full chain, which refreshes them.
fn credentials_from_env_vars(
    var: impl Fn(&str) -> Option<String>,
) -> Option<Result<Credentials, NoCredentials>> {
    let non_empty = |name: &str| var(name).filter(|value| !value.is_empty());
    let access_key = non_empty("AWS_ACCESS_KEY_ID")?;
    if non_empty("AWS_CREDENTIAL_EXPIRATION").is_some() {
        return None;
    }
    let Some(secret_key) = non_empty("AWS_SECRET_ACCESS_KEY") else {
        return Some(Err(NoCredentials {
            message: "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY".into(),
        }));
    };
    let token = non_empty("AWS_SECURITY_TOKEN").or_else(|| non_empty("AWS_SESSION_TOKEN"));
    Some(Ok(Credentials::new(
        access_key,
        secret_key,
        token,
        None,
        "Environment",
    )))
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
            ambient: tokio::sync::Mutex::new(None),
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
            ambient: tokio::sync::Mutex::new(None),
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
                .ambient_credentials()
                .await
                .map_err(LocalRefusal::NoCredentials)?,
        };
        Ok(Permit::new(invocation, credentials, region, None, None))
    }

    /// The ambient credentials, cached until five minutes before they expire; one caller
    /// fetches while the others wait.
    async fn ambient_credentials(&self) -> Result<Credentials, NoCredentials> {
        let mut cached = self.ambient.lock().await;
        let fresh = |credentials: &Credentials| {
            credentials.expiry().is_none_or(|expiry| {
                expiry
                    .duration_since(std::time::SystemTime::now())
                    .is_ok_and(|left| left > REFRESH_BEFORE_EXPIRY)
            })
        };
        if let Some(credentials) = cached.as_ref().filter(|c| fresh(c)) {
            return Ok(credentials.clone());
        }
        let credentials = credentials_from_environment().await?;
        *cached = Some(credentials.clone());
        Ok(credentials)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn from_vars(vars: &[(&str, &str)]) -> Option<Result<Credentials, NoCredentials>> {
        credentials_from_env_vars(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    /// The environment variables are read as botocore's EnvProvider reads them.
    #[test]
    fn environment_credentials_as_botocore_reads_them() {
        assert!(from_vars(&[]).is_none(), "no key: the chain goes on");
        assert!(from_vars(&[("AWS_ACCESS_KEY_ID", "")]).is_none());
        let partial = from_vars(&[("AWS_ACCESS_KEY_ID", "AKID")]).unwrap();
        assert_eq!(
            partial.unwrap_err().message,
            "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY"
        );
        let both_tokens = from_vars(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "session"),
            ("AWS_SECURITY_TOKEN", "security"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(both_tokens.access_key_id(), "AKID");
        assert_eq!(both_tokens.secret_access_key(), "secret");
        assert_eq!(both_tokens.session_token(), Some("security"));
        let session = from_vars(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "session"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(session.session_token(), Some("session"));
        assert!(from_vars(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z"),
        ])
        .is_none());
    }
}
