//! Durable state behind one trait: pending requests, conversation references, remembered
//! choices. Two backends pass the same conformance suite: an embedded file (redb, the
//! default, nothing to install) and Redis (for several replicas). Time-to-live is the
//! store's job, not the caller's. This module never interprets what it stores.

mod embedded;
mod memory;
mod metered;
mod redis_store;

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::common::now_millis;

pub use embedded::EmbeddedStore;
pub use memory::MemoryStore;
pub use metered::Metered;
pub use redis_store::RedisStore;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The embedded database file could not be opened, read or written.
    #[error("embedded store: {0}")]
    Embedded(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Redis refused a command or could not be reached.
    #[error("redis store: {0}")]
    Redis(#[from] redis::RedisError),
    /// A stored value did not decode as the type asked for (a format change, or a bug).
    #[error("stored value under {namespace}/{key} does not decode")]
    Decode {
        namespace: String,
        key: String,
        #[source]
        source: serde_json::Error,
    },
    /// The backend did not answer a health check in time.
    #[error("store did not answer within {0:?}")]
    Timeout(Duration),
    /// The store location in the configuration is not a path or a `redis://` URL.
    #[error("unsupported store location '{0}': use a file path or a redis:// URL")]
    BadLocation(String),
}

/// A namespaced key-value store with per-entry time-to-live and an atomic
/// compare-and-swap (used for exactly-once state transitions).
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// The value under `key`, or `None` when absent or expired.
    async fn get(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Stores `value`, replacing any previous one; `ttl` of `None` keeps it until deleted.
    async fn put(
        &self,
        namespace: &str,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError>;

    /// Removes `key`; true when an unexpired value was there.
    async fn delete(&self, namespace: &str, key: &str) -> Result<bool, StoreError>;

    /// Atomically replaces the value with `new` (or removes it when `new` is `None`) only if
    /// the current value equals `expected` (`None`: absent or expired). True when replaced.
    async fn compare_and_swap(
        &self,
        namespace: &str,
        key: &str,
        expected: Option<Vec<u8>>,
        new: Option<Vec<u8>>,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError>;

    /// The unexpired keys of a namespace, in no particular order.
    async fn keys(&self, namespace: &str) -> Result<Vec<String>, StoreError>;

    /// Answers when the backend is reachable and usable (readiness): a cheap round trip that
    /// reads and changes nothing. Backends bound the wait themselves.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Opens the store a configuration names: a `redis://` (or `rediss://`) URL, or a file path
/// for the embedded store. Its operations are counted in the process metrics.
pub async fn open(location: &str) -> Result<Arc<dyn Store>, StoreError> {
    if location.starts_with("redis://") || location.starts_with("rediss://") {
        return Ok(Arc::new(Metered::new(
            RedisStore::connect(location, "aws-chatops").await?,
        )));
    }
    if location.is_empty() || location.contains("://") {
        return Err(StoreError::BadLocation(location.to_owned()));
    }
    Ok(Arc::new(Metered::new(EmbeddedStore::open(location).await?)))
}

/// JSON helpers over any [`Store`], so callers deal in their own types.
pub async fn get_json<T: DeserializeOwned>(
    store: &dyn Store,
    namespace: &str,
    key: &str,
) -> Result<Option<T>, StoreError> {
    let Some(bytes) = store.get(namespace, key).await? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| StoreError::Decode {
            namespace: namespace.to_owned(),
            key: key.to_owned(),
            source,
        })
}

pub async fn put_json<T: Serialize>(
    store: &dyn Store,
    namespace: &str,
    key: &str,
    value: &T,
    ttl: Option<Duration>,
) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(value).expect("our state types always serialise");
    store.put(namespace, key, bytes, ttl).await
}
