//! A process-local store for one-shot use (the terminal's `exec --as`): nothing survives the
//! process. Same semantics as the durable backends, checked by the same conformance suite.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::{live, now_millis, parse_count, Record, Store, StoreResult, Swap};

/// (namespace, key).
type EntryKey = (String, String);
/// The value and its expiry in epoch milliseconds (0: none).
type Entry = (Vec<u8>, u64);
type Entries = HashMap<EntryKey, Entry>;

/// Entries by (namespace, key).
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<Entries>,
}

fn entry_key(namespace: &str, key: &str) -> EntryKey {
    (namespace.to_owned(), key.to_owned())
}

fn entry(record: Record) -> Entry {
    let expires_at = record.expires_at();
    (record.value, expires_at)
}

/// The value under `key` unless it has expired.
fn live_value(entries: &Entries, key: &EntryKey) -> Option<Vec<u8>> {
    entries
        .get(key)
        .filter(|entry| live(entry.1, now_millis()))
        .map(|entry| entry.0.clone())
}

impl MemoryStore {
    fn entries(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait::async_trait]
impl Store for MemoryStore {
    async fn ping(&self) -> StoreResult<()> {
        // Process memory is always reachable.
        Ok(())
    }

    async fn get(&self, namespace: &str, key: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(live_value(&self.entries(), &entry_key(namespace, key)))
    }

    async fn put(&self, namespace: &str, key: &str, record: Record) -> StoreResult<()> {
        self.entries()
            .insert(entry_key(namespace, key), entry(record));
        Ok(())
    }

    async fn delete(&self, namespace: &str, key: &str) -> StoreResult<bool> {
        Ok(self
            .entries()
            .remove(&entry_key(namespace, key))
            .is_some_and(|entry| live(entry.1, now_millis())))
    }

    async fn compare_and_swap(&self, namespace: &str, key: &str, swap: Swap) -> StoreResult<bool> {
        let mut entries = self.entries();
        let key = entry_key(namespace, key);
        if live_value(&entries, &key) != swap.expected {
            return Ok(false);
        }
        match swap.new {
            Some(record) => {
                entries.insert(key, entry(record));
            }
            None => {
                entries.remove(&key);
            }
        }
        Ok(true)
    }

    async fn increment(&self, namespace: &str, key: &str, ttl: Duration) -> StoreResult<u64> {
        let mut entries = self.entries();
        let entry_key = entry_key(namespace, key);
        let (count, expires_at) = match entries.get(&entry_key) {
            Some((value, expires_at)) if live(*expires_at, now_millis()) => (
                parse_count(namespace, key, value)?.saturating_add(1),
                *expires_at,
            ),
            _ => (1, Record::expiring(Vec::new(), ttl).expires_at()),
        };
        entries.insert(entry_key, (count.to_string().into_bytes(), expires_at));
        Ok(count)
    }

    async fn keys(&self, namespace: &str) -> StoreResult<Vec<String>> {
        let now = now_millis();
        Ok(self
            .entries()
            .iter()
            .filter(|((ns, _), entry)| ns == namespace && live(entry.1, now))
            .map(|((_, key), _)| key.clone())
            .collect())
    }
}
