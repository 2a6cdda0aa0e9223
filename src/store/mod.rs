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

/// What every operation of a [`Store`] answers.
pub type StoreResult<T> = Result<T, StoreError>;

/// A value to store and how long the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub value: Vec<u8>,
    /// `None`: kept until deleted or replaced.
    pub ttl: Option<Duration>,
}

impl Record {
    /// `value`, kept until deleted or replaced.
    pub fn lasting(value: Vec<u8>) -> Self {
        Record { value, ttl: None }
    }

    /// `value`, kept for `ttl`.
    pub fn expiring(value: Vec<u8>, ttl: Duration) -> Self {
        Record {
            value,
            ttl: Some(ttl),
        }
    }

    /// When the record expires in milliseconds since the epoch, 0 for never: the form the
    /// backends without a time-to-live of their own keep next to the value.
    fn expires_at(&self) -> u64 {
        self.ttl
            .map(|t| now_millis().saturating_add(t.as_millis() as u64).max(1))
            .unwrap_or(0)
    }
}

/// Whether an entry that expires at `expires_at` (as [`Record::expires_at`] gives it) is still
/// there at `now`.
fn live(expires_at: u64, now: u64) -> bool {
    expires_at == 0 || expires_at > now
}

/// A compare-and-swap: what must be stored for it to happen, and what is stored after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swap {
    /// The value that must be there now; `None`: nothing (absent or expired).
    pub expected: Option<Vec<u8>>,
    /// What replaces it; `None`: the entry is removed.
    pub new: Option<Record>,
}

impl Swap {
    /// Stores `new` only where nothing is stored yet.
    pub fn create(new: Record) -> Self {
        Swap {
            expected: None,
            new: Some(new),
        }
    }

    /// Replaces `expected` with `new`, unless the value changed since it was read.
    pub fn replace(expected: Vec<u8>, new: Record) -> Self {
        Swap {
            expected: Some(expected),
            new: Some(new),
        }
    }

    /// Removes the entry, unless its value changed from `expected` since it was read.
    pub fn remove(expected: Vec<u8>) -> Self {
        Swap {
            expected: Some(expected),
            new: None,
        }
    }
}

/// A namespaced key-value store with per-entry time-to-live and an atomic
/// compare-and-swap (used for exactly-once state transitions).
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// The value under `key`, or `None` when absent or expired.
    async fn get(&self, namespace: &str, key: &str) -> StoreResult<Option<Vec<u8>>>;

    /// Stores `record`, replacing any previous value.
    async fn put(&self, namespace: &str, key: &str, record: Record) -> StoreResult<()>;

    /// Removes `key`; true when an unexpired value was there.
    async fn delete(&self, namespace: &str, key: &str) -> StoreResult<bool>;

    /// Atomically makes the change `swap` describes, only if the current value is
    /// `swap.expected`. True when it was made.
    async fn compare_and_swap(&self, namespace: &str, key: &str, swap: Swap) -> StoreResult<bool>;

    /// Adds one to the counter under `key` and answers the new count: 1 when nothing (or an
    /// expired entry) was there, which then expires after `ttl`; later increments keep that
    /// expiry. The value reads back with [`get`](Store::get) as the count in decimal digits.
    /// One atomic step: one round trip, never a read and a compare-and-swap.
    async fn increment(&self, namespace: &str, key: &str, ttl: Duration) -> StoreResult<u64>;

    /// The unexpired keys of a namespace, in no particular order.
    async fn keys(&self, namespace: &str) -> StoreResult<Vec<String>>;

    /// Answers when the backend is reachable and usable (readiness): a cheap round trip that
    /// reads and changes nothing. Backends bound the wait themselves.
    async fn ping(&self) -> StoreResult<()>;
}

/// The count an [`Store::increment`] counter holds (decimal digits).
fn parse_count(namespace: &str, key: &str, bytes: &[u8]) -> StoreResult<u64> {
    serde_json::from_slice::<u64>(bytes).map_err(|source| StoreError::Decode {
        namespace: namespace.to_owned(),
        key: key.to_owned(),
        source,
    })
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
    let value = serde_json::to_vec(value).expect("our state types always serialise");
    store.put(namespace, key, Record { value, ttl }).await
}
