//! Assuming a channel's or a user's IAM role with STS AssumeRole (F12), so CloudTrail names
//! the Teams user: the session name comes from the user's display name, SourceIdentity is
//! their Entra object id, and session tags say which tenant, team and channel asked.
//! Credentials are cached per (account, role, user, session tags) until five minutes before
//! they expire, and concurrent requests for the same key share one STS call.
//!
//! Why aws-sdk-sts and not the engine: `sts` is on the never-allowed list for chat, the SDK
//! speaks STS with the ambient (bot's own) credentials from aws-config's default chain, and it
//! supports SourceIdentity and Tags. aws-config already depends on the same aws-sdk-sts, so it
//! costs no extra build. Never logs or prints credentials. The SDK configuration STS is
//! called with (endpoint, retries, deadline) is the caller's: `aws::sts_sdk_config` builds it
//! from the engine's settings, so this module needs nothing of the engine.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;

use super::Credentials;

/// Cached credentials are used until this long before they expire.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// What to assume, and as whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRequest {
    pub account_id: String,
    pub role_arn: String,
    /// The Entra object id of the user the session is for (part of the cache key).
    pub user_object_id: String,
    /// See [`session_name`].
    pub session_name: String,
    /// Sent as SourceIdentity when set (the object id).
    pub source_identity: Option<String>,
    /// Session tags (already sanitised with [`tag_value`]).
    pub session_tags: Vec<(String, String)>,
    pub duration_seconds: u32,
}

/// Why no credentials could be had for a role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssumeRoleError {
    /// STS answered with an error (AccessDenied: the trust policy does not let the bot assume
    /// the role, or does not allow sts:SetSourceIdentity / sts:TagSession).
    #[error("STS refused to let the bot assume {role_arn}: {code}: {message}")]
    Refused {
        role_arn: String,
        code: String,
        message: String,
    },
    /// STS could not be reached, its answer could not be read, or the bot has no credentials
    /// of its own to call it with. `Display` says only that, in plain words: `detail` (the SDK's
    /// report, which may hold response headers, bodies and endpoint URLs) is for the log.
    #[error("could not get credentials for {role_arn}: STS could not be reached or its answer could not be read")]
    Unavailable { role_arn: String, detail: String },
    /// STS answered without credentials.
    #[error("STS returned no credentials for {role_arn}")]
    Empty { role_arn: String },
}

/// Something that turns a [`RoleRequest`] into credentials. [`StsRoleAssumer`] is the real
/// one; tests of the layers above may use their own.
#[async_trait::async_trait]
pub trait RoleAssumer: Send + Sync + 'static {
    async fn assume(&self, request: &RoleRequest) -> Result<Credentials, AssumeRoleError>;
}

/// The session name for a Teams user: their display name reduced to what STS accepts
/// (`[\w+=,.@-]`, 2–64 characters; spaces become `.`, anything else `-`), or their object id
/// when the name leaves nothing usable.
pub fn session_name(user_name: Option<&str>, user_object_id: &str) -> String {
    let sanitise = |text: &str| -> String {
        text.trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                    c
                } else if c.is_whitespace() {
                    '.'
                } else {
                    '-'
                }
            })
            .take(64)
            .collect()
    };
    let from_name = user_name.map(sanitise).unwrap_or_default();
    let meaningful = from_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .count()
        >= 2;
    if meaningful {
        from_name
    } else {
        let from_id = sanitise(user_object_id);
        if from_id.len() >= 2 {
            from_id
        } else {
            "aws-chatops-user".to_owned()
        }
    }
}

/// A session tag value as STS accepts it: letters, digits, spaces and `_.:/=+-@`, at most 256
/// characters; anything else becomes `-`.
pub fn tag_value(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(256)
        .collect()
}

type CacheKey = (String, String, String, Vec<(String, String)>);
type Slot = Arc<tokio::sync::Mutex<Option<Credentials>>>;

/// STS AssumeRole with a per-key cache and single flight.
pub struct StsRoleAssumer {
    client: aws_sdk_sts::Client,
    slots: Mutex<HashMap<CacheKey, Slot>>,
    calls: AtomicUsize,
    clock: Arc<dyn Fn() -> SystemTime + Send + Sync>,
}

impl StsRoleAssumer {
    pub fn new(sdk_config: &SdkConfig) -> Self {
        Self::with_clock(sdk_config, Arc::new(SystemTime::now))
    }

    /// With a clock of the caller's, so tests can move time past the refresh point.
    pub fn with_clock(
        sdk_config: &SdkConfig,
        clock: Arc<dyn Fn() -> SystemTime + Send + Sync>,
    ) -> Self {
        Self {
            client: aws_sdk_sts::Client::new(sdk_config),
            slots: Mutex::default(),
            calls: AtomicUsize::new(0),
            clock,
        }
    }

    /// How many AssumeRole calls reached STS (for tests of the cache).
    pub fn sts_calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn slot(&self, request: &RoleRequest) -> Slot {
        let key = (
            request.account_id.clone(),
            request.role_arn.clone(),
            request.user_object_id.to_ascii_lowercase(),
            request.session_tags.clone(),
        );
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(key).or_default().clone()
    }

    fn fresh(&self, credentials: &Credentials) -> bool {
        match credentials.expiry() {
            Some(expiry) => (self.clock)() + REFRESH_BEFORE_EXPIRY < expiry,
            None => true,
        }
    }

    async fn call_sts(&self, request: &RoleRequest) -> Result<Credentials, AssumeRoleError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mut call = self
            .client
            .assume_role()
            .role_arn(&request.role_arn)
            .role_session_name(&request.session_name)
            .duration_seconds(request.duration_seconds as i32);
        if let Some(source_identity) = &request.source_identity {
            call = call.source_identity(source_identity);
        }
        for (key, value) in &request.session_tags {
            let tag = aws_sdk_sts::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|error| AssumeRoleError::Unavailable {
                    role_arn: request.role_arn.clone(),
                    detail: error.to_string(),
                })?;
            call = call.tags(tag);
        }
        let output = call.send().await.map_err(|error| {
            use aws_sdk_sts::error::ProvideErrorMetadata as _;
            match (error.code(), error.message()) {
                (Some(code), message) => AssumeRoleError::Refused {
                    role_arn: request.role_arn.clone(),
                    code: code.to_owned(),
                    message: message.unwrap_or("").to_owned(),
                },
                (None, _) => AssumeRoleError::Unavailable {
                    role_arn: request.role_arn.clone(),
                    detail: aws_sdk_sts::error::DisplayErrorContext(&error).to_string(),
                },
            }
        })?;
        let issued = output.credentials().ok_or(AssumeRoleError::Empty {
            role_arn: request.role_arn.clone(),
        })?;
        let expiry = SystemTime::try_from(*issued.expiration()).ok();
        Ok(Credentials::new(
            issued.access_key_id(),
            issued.secret_access_key(),
            Some(issued.session_token().to_owned()),
            expiry,
            "AssumeRole",
        ))
    }
}

#[async_trait::async_trait]
impl RoleAssumer for StsRoleAssumer {
    async fn assume(&self, request: &RoleRequest) -> Result<Credentials, AssumeRoleError> {
        let slot = self.slot(request);
        // Holding the slot's lock across the STS call is the single flight: a second
        // request for the same key waits and then finds the fresh credentials.
        let mut cached = slot.lock().await;
        if let Some(credentials) = cached.as_ref().filter(|c| self.fresh(c)) {
            return Ok(credentials.clone());
        }
        let credentials = self.call_sts(request).await?;
        *cached = Some(credentials.clone());
        Ok(credentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_are_what_sts_accepts() {
        let cases: &[(Option<&str>, &str, &str)] = &[
            (Some("Alice Example"), "id", "Alice.Example"),
            (Some("alice@contoso.com"), "id", "alice@contoso.com"),
            (Some("José Núñez"), "id", "Jos-.N--ez"),
            (Some("  "), "3f2b8c1e-9d4a", "3f2b8c1e-9d4a"),
            (None, "3f2b8c1e-9d4a", "3f2b8c1e-9d4a"),
            (Some("李"), "3f2b8c1e", "3f2b8c1e"),
            (None, "", "aws-chatops-user"),
        ];
        for (name, id, expected) in cases {
            assert_eq!(session_name(*name, id), *expected, "{name:?}");
        }
        let long = "x".repeat(100);
        assert_eq!(session_name(Some(&long), "id").len(), 64);
    }

    #[test]
    fn tag_values_keep_teams_ids() {
        assert_eq!(tag_value("19:abc@thread.tacv2"), "19:abc@thread.tacv2");
        assert_eq!(tag_value("a;b\"c"), "a-b-c");
        assert_eq!(tag_value(&"y".repeat(300)).len(), 256);
    }
}
