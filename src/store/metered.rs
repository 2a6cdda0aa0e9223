//! A [`Store`] that counts its operations and their failures in the process metrics, around
//! any backend. It changes nothing it forwards.

use std::time::Duration;

use super::{Store, StoreError};
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

fn counted<T>(operation: &'static str, result: Result<T, StoreError>) -> Result<T, StoreError> {
    metrics::global().store_operation(operation, result.is_ok());
    result
}

#[async_trait::async_trait]
impl<S: Store> Store for Metered<S> {
    async fn get(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        counted("get", self.inner.get(namespace, key).await)
    }

    async fn put(
        &self,
        namespace: &str,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        counted("put", self.inner.put(namespace, key, value, ttl).await)
    }

    async fn delete(&self, namespace: &str, key: &str) -> Result<bool, StoreError> {
        counted("delete", self.inner.delete(namespace, key).await)
    }

    async fn compare_and_swap(
        &self,
        namespace: &str,
        key: &str,
        expected: Option<Vec<u8>>,
        new: Option<Vec<u8>>,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        counted(
            "compare_and_swap",
            self.inner
                .compare_and_swap(namespace, key, expected, new, ttl)
                .await,
        )
    }

    async fn keys(&self, namespace: &str) -> Result<Vec<String>, StoreError> {
        counted("keys", self.inner.keys(namespace).await)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        counted("ping", self.inner.ping().await)
    }
}
