//! The store operations the hub's state changes are made of: read a value with the bytes a
//! compare-and-swap expects, swap it, change it in a retried compare-and-swap loop; and the
//! per-key locks that make one process's deliveries of one card take turns.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::state::MAX_ATTEMPTS;
use super::HubError;
use crate::store::{Record, Store, StoreError, StoreResult, Swap};

/// The value under `key` and its bytes (what a compare-and-swap expects), if any.
pub(in crate::conversation) async fn read_json<T: DeserializeOwned>(
    store: &dyn Store,
    namespace: &str,
    key: &str,
) -> StoreResult<Option<(Vec<u8>, T)>> {
    let Some(bytes) = store.get(namespace, key).await? else {
        return Ok(None);
    };
    let value = serde_json::from_slice(&bytes).map_err(|source| StoreError::Decode {
        namespace: namespace.to_owned(),
        key: key.to_owned(),
        source,
    })?;
    Ok(Some((bytes, value)))
}

/// Replaces `expected` (nothing, when `None`) with `new` (removes the entry, when `None`)
/// unless it changed meanwhile; true when it was done.
pub(in crate::conversation) async fn swap_json<T: Serialize>(
    store: &dyn Store,
    namespace: &str,
    key: &str,
    expected: Option<Vec<u8>>,
    new: Option<&T>,
    ttl: Duration,
) -> StoreResult<bool> {
    let new = new.map(|value| {
        Record::expiring(
            serde_json::to_vec(value).expect("our state types always serialise"),
            ttl,
        )
    });
    store
        .compare_and_swap(namespace, key, Swap { expected, new })
        .await
}

/// Changes the stored value under `key` with `change` (compare-and-swap, retried): the new
/// value, `change`'s refusal (nothing written), or `None` when nothing is stored.
pub(in crate::conversation) async fn update_json<T, R>(
    store: &dyn Store,
    namespace: &str,
    key: &str,
    ttl: Duration,
    mut change: impl FnMut(&mut T) -> Result<(), R>,
) -> Result<Option<Result<T, R>>, HubError>
where
    T: Serialize + DeserializeOwned,
{
    for _ in 0..MAX_ATTEMPTS {
        let Some((bytes, mut value)) = read_json::<T>(store, namespace, key).await? else {
            return Ok(None);
        };
        if let Err(refusal) = change(&mut value) {
            return Ok(Some(Err(refusal)));
        }
        if swap_json(store, namespace, key, Some(bytes), Some(&value), ttl).await? {
            return Ok(Some(Ok(value)));
        }
    }
    Err(HubError::Contended)
}

/// One async lock per key, for the deliveries of one process; unused keys are forgotten.
#[derive(Default)]
pub(super) struct KeyLocks(std::sync::Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>);

impl KeyLocks {
    pub(super) async fn lock(&self, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.0.lock().unwrap_or_else(|p| p.into_inner());
            if locks.len() > 1024 {
                locks.retain(|_, lock| lock.strong_count() > 0);
            }
            match locks.get(key).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    locks.insert(key.to_owned(), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
    }
}
