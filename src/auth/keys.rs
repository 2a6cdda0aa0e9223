//! The signing-key cache for one OpenID metadata URL: fetches the metadata and its JWKS, keeps
//! endorsements per key, refreshes on a schedule and on unknown key ids. It must never hand out a
//! key it did not fetch, and never drop the last good key set because a refresh failed.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use url::Url;

use crate::config::is_https_or_loopback;

/// When the cache refreshes itself.
#[derive(Debug, Clone, Copy)]
pub struct KeyRefreshPolicy {
    /// Age after which the key set is refetched before use. Bot Framework asks for at least
    /// daily; 12 h matches Microsoft.IdentityModel.
    pub refresh_interval: Duration,
    /// Minimum time between refreshes forced by an unknown `kid`, so that forged tokens cannot
    /// make us hammer the key endpoint.
    pub forced_refresh_min_interval: Duration,
    /// After a failed refresh, how long to keep using the old keys before trying again.
    pub retry_after_failure: Duration,
    /// Timeout for each metadata or JWKS request.
    pub request_timeout: Duration,
}

impl Default for KeyRefreshPolicy {
    fn default() -> Self {
        KeyRefreshPolicy {
            refresh_interval: Duration::from_secs(12 * 3600),
            forced_refresh_min_interval: Duration::from_secs(5 * 60),
            retry_after_failure: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// One verification key from the JWKS, with the channels it is endorsed for.
pub struct SigningKey {
    pub kid: String,
    pub decoding_key: DecodingKey,
    /// Channel ids (such as `msteams`) this key may sign for. Empty when the JWKS gave none.
    pub endorsements: Vec<String>,
}

/// Why keys could not be fetched. Logged, never shown to callers.
#[derive(Debug, thiserror::Error)]
pub enum KeyFetchError {
    /// The metadata or JWKS request failed at the transport level or timed out.
    #[error("request to {url} failed: {source}")]
    Transport { url: String, source: reqwest::Error },
    /// The metadata or JWKS endpoint answered with a non-success status.
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    /// The body was not the expected JSON document.
    #[error("{url} returned an unreadable document: {reason}")]
    Document { url: String, reason: String },
    /// The metadata's `jwks_uri` is not an https (or loopback) URL.
    #[error("jwks_uri {0:?} is not an https URL")]
    InsecureJwksUri(String),
    /// The JWKS held no usable RSA key.
    #[error("{url} holds no usable RSA signing key")]
    NoKeys { url: String },
}

struct KeySet {
    keys: HashMap<String, Arc<SigningKey>>,
    fetched_at: Instant,
}

#[derive(Default)]
struct RefreshState {
    /// When the last refresh forced by an unknown kid started.
    last_forced: Option<Instant>,
    /// When the last refresh of any kind failed.
    last_failure: Option<Instant>,
    /// Incremented after every refresh attempt; lets waiting tasks see that someone else did it.
    generation: u64,
}

/// Caches the signing keys published through one OpenID metadata document.
pub struct KeyCache {
    metadata_url: Url,
    http: reqwest::Client,
    policy: KeyRefreshPolicy,
    current: RwLock<Option<Arc<KeySet>>>,
    /// Held while a refresh runs: refreshes are single-flight.
    refresh: tokio::sync::Mutex<RefreshState>,
}

impl KeyCache {
    pub fn new(metadata_url: Url, http: reqwest::Client, policy: KeyRefreshPolicy) -> Self {
        KeyCache {
            metadata_url,
            http,
            policy,
            current: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(RefreshState::default()),
        }
    }

    /// True once a key set has been loaded (readiness).
    pub fn is_loaded(&self) -> bool {
        self.snapshot().is_some()
    }

    /// The key published under `kid` in the current set, without any refresh. The verified-token
    /// cache asks this on every hit, so that a key removed by a refresh stops vouching for the
    /// tokens it signed.
    pub fn current(&self, kid: &str) -> Option<Arc<SigningKey>> {
        self.snapshot().and_then(|set| set.keys.get(kid).cloned())
    }

    fn snapshot(&self) -> Option<Arc<KeySet>> {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The key for `kid`, refreshing first when the set is stale, and once more (rate limited)
    /// when the kid is unknown. `None` means no such key could be found.
    pub async fn get(&self, kid: &str) -> Option<Arc<SigningKey>> {
        let snapshot = self.snapshot();
        let stale = snapshot
            .as_ref()
            .is_none_or(|set| set.fetched_at.elapsed() >= self.policy.refresh_interval);
        let snapshot = if stale {
            self.refresh_if(|state, current| {
                let still_stale = current
                    .as_ref()
                    .is_none_or(|set| set.fetched_at.elapsed() >= self.policy.refresh_interval);
                let backing_off = state
                    .last_failure
                    .is_some_and(|at| at.elapsed() < self.policy.retry_after_failure);
                still_stale && !backing_off
            })
            .await;
            self.snapshot()
        } else {
            snapshot
        };
        if let Some(key) = snapshot.as_ref().and_then(|set| set.keys.get(kid)) {
            return Some(key.clone());
        }

        // Unknown kid: a new key may have been published. Allow one forced refresh per interval.
        let kid_owned = kid.to_owned();
        self.refresh_if(|state, current| {
            let appeared = current
                .as_ref()
                .is_some_and(|set| set.keys.contains_key(&kid_owned));
            let allowed = state
                .last_forced
                .is_none_or(|at| at.elapsed() >= self.policy.forced_refresh_min_interval);
            if !appeared && allowed {
                state.last_forced = Some(Instant::now());
                true
            } else {
                false
            }
        })
        .await;
        self.snapshot().and_then(|set| set.keys.get(kid).cloned())
    }

    /// A cache already holding `keys`, fetched now (unit tests of the token validator).
    #[cfg(test)]
    pub(crate) fn preloaded(keys: Vec<SigningKey>) -> Self {
        let cache = KeyCache::new(
            // Nothing listens on the discard port: a forced refresh fails fast and keeps the keys.
            Url::parse("http://127.0.0.1:9/openidconfiguration").expect("a valid URL"),
            reqwest::Client::new(),
            KeyRefreshPolicy::default(),
        );
        cache.replace_keys(keys);
        cache
    }

    /// Replaces the current set as a refresh would (unit tests of key rotation).
    #[cfg(test)]
    pub(crate) fn replace_keys(&self, keys: Vec<SigningKey>) {
        let keys = keys
            .into_iter()
            .map(|key| (key.kid.clone(), Arc::new(key)))
            .collect();
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::new(KeySet {
            keys,
            fetched_at: Instant::now(),
        }));
    }

    /// Refreshes now, whatever the age of the current set (start-up and the background task).
    pub async fn refresh_now(&self) -> Result<(), KeyFetchError> {
        let mut state = self.refresh.lock().await;
        self.refresh_locked(&mut state).await
    }

    /// Takes the refresh lock and refreshes when `should` says so, looking at the state after
    /// the lock is held so that concurrent callers do not refresh twice.
    async fn refresh_if(
        &self,
        should: impl FnOnce(&mut RefreshState, &Option<Arc<KeySet>>) -> bool,
    ) {
        let mut state = self.refresh.lock().await;
        let current = self.snapshot();
        if should(&mut state, &current) {
            // Failures are logged inside; the caller keeps using whatever set is current.
            let _ = self.refresh_locked(&mut state).await;
        }
    }

    async fn refresh_locked(&self, state: &mut RefreshState) -> Result<(), KeyFetchError> {
        state.generation += 1;
        match self.fetch().await {
            Ok(keys) => {
                tracing::info!(
                    metadata_url = %self.metadata_url,
                    keys = keys.len(),
                    "signing keys refreshed"
                );
                let set = Arc::new(KeySet {
                    keys,
                    fetched_at: Instant::now(),
                });
                *self
                    .current
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(set);
                state.last_failure = None;
                Ok(())
            }
            Err(error) => {
                tracing::warn!(
                    metadata_url = %self.metadata_url,
                    error = %crate::common::error_chain(&error),
                    kept_previous_keys = self.is_loaded(),
                    "signing key refresh failed"
                );
                state.last_failure = Some(Instant::now());
                Err(error)
            }
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, Arc<SigningKey>>, KeyFetchError> {
        #[derive(Deserialize)]
        struct Metadata {
            jwks_uri: String,
        }
        #[derive(Deserialize)]
        struct Jwks {
            keys: Vec<Jwk>,
        }
        #[derive(Deserialize)]
        struct Jwk {
            kty: Option<String>,
            kid: Option<String>,
            n: Option<String>,
            e: Option<String>,
            #[serde(default)]
            endorsements: Vec<String>,
        }

        let metadata: Metadata = self.get_json(self.metadata_url.clone()).await?;
        let jwks_url = Url::parse(&metadata.jwks_uri)
            .ok()
            .filter(is_https_or_loopback)
            .ok_or_else(|| KeyFetchError::InsecureJwksUri(metadata.jwks_uri.clone()))?;
        let jwks: Jwks = self.get_json(jwks_url.clone()).await?;

        let mut keys = HashMap::new();
        for jwk in jwks.keys {
            let (Some(kid), Some(n), Some(e)) = (jwk.kid, jwk.n, jwk.e) else {
                continue;
            };
            if jwk.kty.as_deref().is_some_and(|kty| kty != "RSA") {
                continue;
            }
            match DecodingKey::from_rsa_components(&n, &e) {
                Ok(decoding_key) => {
                    keys.insert(
                        kid.clone(),
                        Arc::new(SigningKey {
                            kid,
                            decoding_key,
                            endorsements: jwk.endorsements,
                        }),
                    );
                }
                Err(error) => tracing::warn!(kid, error = %error, "skipping unusable JWK"),
            }
        }
        if keys.is_empty() {
            return Err(KeyFetchError::NoKeys {
                url: jwks_url.to_string(),
            });
        }
        Ok(keys)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: Url) -> Result<T, KeyFetchError> {
        let shown = url.to_string();
        // Sending and reading the body fail the same way: at the transport level.
        let transport = |source| KeyFetchError::Transport {
            url: shown.clone(),
            source,
        };
        let response = self
            .http
            .get(url)
            .timeout(self.policy.request_timeout)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(KeyFetchError::Status {
                url: shown,
                status: status.as_u16(),
            });
        }
        let bytes = response.bytes().await.map_err(transport)?;
        serde_json::from_slice(&bytes).map_err(|error| KeyFetchError::Document {
            url: shown,
            reason: error.to_string(),
        })
    }

    /// Spawns a task that loads the keys now (retrying until it succeeds) and then refreshes
    /// them every `refresh_interval`, so that readiness and freshness do not depend on traffic.
    pub fn spawn_background_refresh(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let cache = Arc::downgrade(self);
        let policy = self.policy;
        tokio::spawn(async move {
            loop {
                let Some(strong) = cache.upgrade() else {
                    return;
                };
                let delay = match strong.refresh_now().await {
                    Ok(()) => policy.refresh_interval,
                    Err(_) => policy.retry_after_failure,
                };
                drop(strong);
                tokio::time::sleep(delay).await;
            }
        })
    }
}
