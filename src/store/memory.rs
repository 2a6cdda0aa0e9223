//! A process-local store for one-shot use (the terminal's `exec --as`): nothing survives the
//! process. Same semantics as the durable backends, checked by the same conformance suite.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::{now_millis, Store, StoreError};

/// (namespace, key).
type EntryKey = (String, String);
/// The value and its expiry in epoch milliseconds (0: none).
type Entry = (Vec<u8>, u64);

/// Entries by (namespace, key).
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<EntryKey, Entry>>,
}

fn expiry(ttl: Option<Duration>) -> u64 {
    ttl.map(|t| now_millis().saturating_add(t.as_millis() as u64).max(1))
        .unwrap_or(0)
}

fn live(entry: &Entry, now: u64) -> bool {
    entry.1 == 0 || entry.1 > now
}

impl MemoryStore {
    fn live_value(&self, namespace: &str, key: &str) -> Option<Vec<u8>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(&(namespace.to_owned(), key.to_owned()))
            .filter(|entry| live(entry, now_millis()))
            .map(|entry| entry.0.clone())
    }
}

#[async_trait::async_trait]
impl Store for MemoryStore {
    async fn ping(&self) -> Result<(), StoreError> {
        // Process memory is always reachable.
        Ok(())
    }

    async fn get(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.live_value(namespace, key))
    }

    async fn put(
        &self,
        namespace: &str,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert((namespace.to_owned(), key.to_owned()), (value, expiry(ttl)));
        Ok(())
    }

    async fn delete(&self, namespace: &str, key: &str) -> Result<bool, StoreError> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        Ok(entries
            .remove(&(namespace.to_owned(), key.to_owned()))
            .is_some_and(|entry| live(&entry, now_millis())))
    }

    async fn compare_and_swap(
        &self,
        namespace: &str,
        key: &str,
        expected: Option<Vec<u8>>,
        new: Option<Vec<u8>>,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let full_key = (namespace.to_owned(), key.to_owned());
        let current = entries
            .get(&full_key)
            .filter(|entry| live(entry, now_millis()))
            .map(|entry| entry.0.clone());
        if current != expected {
            return Ok(false);
        }
        match new {
            Some(value) => {
                entries.insert(full_key, (value, expiry(ttl)));
            }
            None => {
                entries.remove(&full_key);
            }
        }
        Ok(true)
    }

    async fn keys(&self, namespace: &str) -> Result<Vec<String>, StoreError> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let now = now_millis();
        Ok(entries
            .iter()
            .filter(|((ns, _), entry)| ns == namespace && live(entry, now))
            .map(|((_, key), _)| key.clone())
            .collect())
    }
}
