//! One JSON document in the store changed by read, change, compare-and-swap, retried a few
//! times when another turn or replica changed it first: a channel's aliases, a person's
//! history. Nothing here knows what the documents hold.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::store::{Record, Store, StoreError, Swap};

/// How many times a change is tried against a document others keep changing.
const ATTEMPTS: usize = 8;

/// Why a stored document could not be changed.
#[derive(Debug, thiserror::Error)]
pub(super) enum UpdateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Every attempt lost to another change.
    #[error("the stored document kept changing while it was updated")]
    Contended,
}

/// The document under `namespace`/`key` (its default when absent or unreadable).
pub(super) async fn read<T: Default + DeserializeOwned>(
    store: &dyn Store,
    namespace: &str,
    key: &str,
) -> Result<T, StoreError> {
    Ok(store
        .get(namespace, key)
        .await?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default())
}

/// Applies `change` to the document under `namespace`/`key` (its default when absent) and
/// stores it with `record` (which wraps the new bytes), unless `change` answers `Err`: then
/// nothing is stored and its answer is returned. `change` may run more than once.
pub(super) async fn update<T, R, E>(
    store: &dyn Store,
    namespace: &str,
    key: &str,
    record: impl Fn(Vec<u8>) -> Record,
    mut change: impl FnMut(&mut T) -> Result<R, E>,
) -> Result<Result<R, E>, UpdateError>
where
    T: Default + Serialize + DeserializeOwned,
{
    for _ in 0..ATTEMPTS {
        let current = store.get(namespace, key).await?;
        let mut document: T = current
            .as_deref()
            .and_then(|bytes| serde_json::from_slice(bytes).ok())
            .unwrap_or_default();
        let answer = match change(&mut document) {
            Ok(answer) => answer,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let bytes = serde_json::to_vec(&document).expect("stored documents serialise");
        let swap = match current {
            Some(raw) => Swap::replace(raw, record(bytes)),
            None => Swap::create(record(bytes)),
        };
        if store.compare_and_swap(namespace, key, swap).await? {
            return Ok(Ok(answer));
        }
    }
    Err(UpdateError::Contended)
}
