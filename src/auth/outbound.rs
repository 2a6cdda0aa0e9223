//! The bot's own access token for the Bot Connector (OAuth 2.0 client credentials), cached and
//! refreshed single-flight. It must never log the token or the client secret, and never send the
//! secret anywhere but the configured token endpoint.

use std::sync::{Arc, RwLock};
use std::time::Duration;

// Tokio's clock (the monotonic clock unless a test pauses it), so that a test can move a
// token past its refresh point without waiting.
use tokio::time::Instant;

use serde::Deserialize;
use url::Url;

use crate::config::{Config, Secret};

/// Refresh this long before the token expires (botbuilder moves `expiresOn` 5 minutes earlier).
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Why no token could be obtained.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token endpoint could not be reached or timed out.
    #[error("token endpoint unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// The endpoint refused, for example `AADSTS700016` when a single-tenant bot asks the
    /// `botframework.com` tenant. `error` is the OAuth `error` code, never the secret.
    #[error("token endpoint answered HTTP {status} ({error})")]
    Refused { status: u16, error: String },
    /// The answer was not a token response.
    #[error("token endpoint returned an unreadable response: {0}")]
    Unreadable(String),
}

impl TokenError {
    /// True when asking again later may succeed: the endpoint was unreachable, timed out,
    /// throttled (429) or failed on its side (5xx). A refusal (bad secret, unknown app or
    /// tenant) or an unreadable answer will not change by asking again.
    pub fn is_transient(&self) -> bool {
        match self {
            TokenError::Transport(_) => true,
            TokenError::Refused { status, .. } => *status == 429 || *status >= 500,
            TokenError::Unreadable(_) => false,
        }
    }
}

/// A bearer token, cheap to clone. `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Arc<str>);

impl AccessToken {
    /// The `Authorization` header value.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

struct Cached {
    token: AccessToken,
    refresh_at: Instant,
}

/// Obtains and caches the token that authenticates the bot to the Bot Connector.
pub struct TokenProvider {
    endpoint: Url,
    client_id: String,
    client_secret: Secret,
    scope: String,
    http: reqwest::Client,
    cached: RwLock<Option<Cached>>,
    /// Held while a token request runs, so only one request is in flight.
    fetching: tokio::sync::Mutex<()>,
}

impl TokenProvider {
    pub fn new(config: &Config, http: reqwest::Client) -> Self {
        TokenProvider {
            endpoint: config.token_endpoint(),
            client_id: config.app_id.clone(),
            client_secret: config.app_password.clone(),
            scope: config.token_scope(),
            http,
            cached: RwLock::new(None),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    fn fresh(&self) -> Option<AccessToken> {
        let cached = self.cached.read().unwrap_or_else(|p| p.into_inner());
        cached
            .as_ref()
            .filter(|cached| Instant::now() < cached.refresh_at)
            .map(|cached| cached.token.clone())
    }

    /// A token valid for at least the refresh margin, fetched only when needed.
    pub async fn token(&self) -> Result<AccessToken, TokenError> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _guard = self.fetching.lock().await;
        // Someone else may have fetched while we waited for the lock.
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        self.fetch().await
    }

    /// Called after the Connector answered 401 to `rejected`: fetch a new token unless another
    /// task already replaced it.
    pub async fn refresh_after_rejection(
        &self,
        rejected: &AccessToken,
    ) -> Result<AccessToken, TokenError> {
        let _guard = self.fetching.lock().await;
        if let Some(token) = self.fresh().filter(|token| token != rejected) {
            return Ok(token);
        }
        self.fetch().await
    }

    async fn fetch(&self) -> Result<AccessToken, TokenError> {
        #[derive(Deserialize)]
        struct TokenResponse {
            access_token: String,
            expires_in: Option<u64>,
        }
        #[derive(Deserialize)]
        struct ErrorResponse {
            error: Option<String>,
        }

        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("scope", self.scope.as_str()),
        ];
        let response = self
            .http
            .post(self.endpoint.clone())
            .form(&form)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(TokenError::Transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(TokenError::Transport)?;
        if !status.is_success() {
            let error = serde_json::from_slice::<ErrorResponse>(&body)
                .ok()
                .and_then(|e| e.error)
                .unwrap_or_else(|| "no error code".into());
            return Err(TokenError::Refused {
                status: status.as_u16(),
                error,
            });
        }
        let parsed: TokenResponse = serde_json::from_slice(&body)
            .map_err(|error| TokenError::Unreadable(error.to_string()))?;
        let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600));
        // Refresh 5 minutes early; for (unusually) short-lived tokens, at half their lifetime.
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        let token = AccessToken(Arc::from(parsed.access_token));
        *self.cached.write().unwrap_or_else(|p| p.into_inner()) = Some(Cached {
            token: token.clone(),
            refresh_at: Instant::now() + lifetime - margin,
        });
        tracing::info!(
            expires_in_seconds = lifetime.as_secs(),
            "connector access token obtained"
        );
        Ok(token)
    }
}
