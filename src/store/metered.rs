//! A [`Store`] that counts its operations and their failures in the process metrics, around
//! any backend. It changes nothing it forwards.

use std::time::Duration;

use super::{Record, Store, StoreResult, Swap};
use crate::metrics;

/// `inner`, counted.
pub struct Metered<S> {
    inner: S,
}

impl<S: Store> Metered<S> {
    pub fn new(inner: S) -> Self {
        Metered { inner }
    }
}

fn counted<T>(operation: &'static str, result: StoreResult<T>) -> StoreResult<T> {
    metrics::global().store_operation(operation, result.is_ok());
    result
}

#[async_trait::async_trait]
impl<S: Store> Store for Metered<S> {
    async fn get(&self, namespace: &str, key: &str) -> StoreResult<Option<Vec<u8>>> {
        counted("get", self.inner.get(namespace, key).await)
    }

    async fn put(&self, namespace: &str, key: &str, record: Record) -> StoreResult<()> {
        counted("put", self.inner.put(namespace, key, record).await)
    }

    async fn delete(&self, namespace: &str, key: &str) -> StoreResult<bool> {
        counted("delete", self.inner.delete(namespace, key).await)
    }

    async fn compare_and_swap(&self, namespace: &str, key: &str, swap: Swap) -> StoreResult<bool> {
        let swapped = self.inner.compare_and_swap(namespace, key, swap).await;
        counted("compare_and_swap", swapped)
    }

    async fn increment(&self, namespace: &str, key: &str, ttl: Duration) -> StoreResult<u64> {
        counted("increment", self.inner.increment(namespace, key, ttl).await)
    }

    async fn keys(&self, namespace: &str) -> StoreResult<Vec<String>> {
        counted("keys", self.inner.keys(namespace).await)
    }

    async fn ping(&self) -> StoreResult<()> {
        counted("ping", self.inner.ping().await)
    }
}
