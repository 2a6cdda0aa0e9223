//! The default store: one redb file on local disk. Each entry is stored as an 8-byte expiry
//! (milliseconds since the epoch, 0 for none) followed by the value; expired entries read as
//! absent and are swept on writes. redb is synchronous, so every call runs on the blocking pool.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::{live, now_millis, Record, Store, StoreError, StoreResult, Swap};

/// redb's page cache. Its default is 1 GiB, which a long-running bot may fill with pages of
/// pending requests and conversation references it rarely reads again. The entries are small
/// and mostly read soon after they are written; 8 MiB holds the working set of thousands.
const CACHE_BYTES: usize = 8 * 1024 * 1024;

const ENTRIES: TableDefinition<&str, &[u8]> = TableDefinition::new("entries");
/// Separates namespace and key; neither callers' namespaces nor keys contain it.
const SEPARATOR: char = '\u{1f}';

pub struct EmbeddedStore {
    database: Arc<Database>,
    /// Counts writes so that expired entries are swept every `SWEEP_EVERY` writes, not on each.
    writes: Arc<AtomicU64>,
}

const SWEEP_EVERY: u64 = 256;

fn embedded_error(error: impl Into<redb::Error>) -> StoreError {
    StoreError::Embedded(Box::new(error.into()))
}

fn full_key(namespace: &str, key: &str) -> String {
    format!("{namespace}{SEPARATOR}{key}")
}

fn encode(record: &Record) -> Vec<u8> {
    let mut entry = Vec::with_capacity(8 + record.value.len());
    entry.extend_from_slice(&record.expires_at().to_be_bytes());
    entry.extend_from_slice(&record.value);
    entry
}

/// The live value of a stored entry, or `None` when it has expired.
fn decode(entry: &[u8], now: u64) -> Option<&[u8]> {
    let (expiry, value) = entry.split_at_checked(8)?;
    let expires_at = u64::from_be_bytes(expiry.try_into().ok()?);
    live(expires_at, now).then_some(value)
}

impl EmbeddedStore {
    /// Opens (or creates) the store file, creating its parent folder when needed.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_owned();
        let database = tokio::task::spawn_blocking(move || -> Result<Database, StoreError> {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Embedded(Box::new(e)))?;
            }
            let database = redb::Builder::new()
                .set_cache_size(CACHE_BYTES)
                .create(&path)
                .map_err(embedded_error)?;
            let write = database.begin_write().map_err(embedded_error)?;
            write.open_table(ENTRIES).map_err(embedded_error)?;
            write.commit().map_err(embedded_error)?;
            Ok(database)
        })
        .await
        .expect("opening the store does not panic")?;
        Ok(Self {
            database: Arc::new(database),
            writes: Arc::new(AtomicU64::new(0)),
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let database = self.database.clone();
        tokio::task::spawn_blocking(move || work(&database))
            .await
            .expect("store operations do not panic")
    }
}

#[async_trait::async_trait]
impl Store for EmbeddedStore {
    async fn ping(&self) -> StoreResult<()> {
        // A read transaction on the table proves the file is open and readable; it takes no lock
        // writers wait for.
        self.blocking(|database| {
            let read = database.begin_read().map_err(embedded_error)?;
            read.open_table(ENTRIES).map_err(embedded_error)?;
            Ok(())
        })
        .await
    }

    async fn get(&self, namespace: &str, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let key = full_key(namespace, key);
        self.blocking(move |database| {
            let read = database.begin_read().map_err(embedded_error)?;
            let table = read.open_table(ENTRIES).map_err(embedded_error)?;
            let entry = table.get(key.as_str()).map_err(embedded_error)?;
            Ok(entry.and_then(|e| decode(e.value(), now_millis()).map(<[u8]>::to_vec)))
        })
        .await
    }

    async fn put(&self, namespace: &str, key: &str, record: Record) -> StoreResult<()> {
        let key = full_key(namespace, key);
        let sweep = self
            .writes
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY);
        self.blocking(move |database| {
            let write = database.begin_write().map_err(embedded_error)?;
            {
                let mut table = write.open_table(ENTRIES).map_err(embedded_error)?;
                if sweep {
                    let now = now_millis();
                    table
                        .retain(|_, entry| decode(entry, now).is_some())
                        .map_err(embedded_error)?;
                }
                table
                    .insert(key.as_str(), encode(&record).as_slice())
                    .map_err(embedded_error)?;
            }
            write.commit().map_err(embedded_error)
        })
        .await
    }

    async fn delete(&self, namespace: &str, key: &str) -> StoreResult<bool> {
        let key = full_key(namespace, key);
        self.blocking(move |database| {
            let write = database.begin_write().map_err(embedded_error)?;
            let existed = {
                let mut table = write.open_table(ENTRIES).map_err(embedded_error)?;
                let removed = table.remove(key.as_str()).map_err(embedded_error)?;
                removed.is_some_and(|e| decode(e.value(), now_millis()).is_some())
            };
            write.commit().map_err(embedded_error)?;
            Ok(existed)
        })
        .await
    }

    async fn compare_and_swap(&self, namespace: &str, key: &str, swap: Swap) -> StoreResult<bool> {
        let key = full_key(namespace, key);
        // redb allows one write transaction at a time, so read-compare-write inside it is atomic.
        self.blocking(move |database| {
            let write = database.begin_write().map_err(embedded_error)?;
            let swapped = {
                let mut table = write.open_table(ENTRIES).map_err(embedded_error)?;
                let current = table
                    .get(key.as_str())
                    .map_err(embedded_error)?
                    .and_then(|e| decode(e.value(), now_millis()).map(<[u8]>::to_vec));
                if current != swap.expected {
                    false
                } else {
                    match &swap.new {
                        Some(record) => {
                            table
                                .insert(key.as_str(), encode(record).as_slice())
                                .map_err(embedded_error)?;
                        }
                        None => {
                            table.remove(key.as_str()).map_err(embedded_error)?;
                        }
                    }
                    true
                }
            };
            if swapped {
                write.commit().map_err(embedded_error)?;
            } else {
                write.abort().map_err(embedded_error)?;
            }
            Ok(swapped)
        })
        .await
    }

    async fn keys(&self, namespace: &str) -> StoreResult<Vec<String>> {
        let prefix = full_key(namespace, "");
        self.blocking(move |database| {
            let read = database.begin_read().map_err(embedded_error)?;
            let table = read.open_table(ENTRIES).map_err(embedded_error)?;
            let now = now_millis();
            let mut keys = Vec::new();
            for item in table.range(prefix.as_str()..).map_err(embedded_error)? {
                let (key, entry) = item.map_err(embedded_error)?;
                let Some(rest) = key.value().strip_prefix(prefix.as_str()) else {
                    break;
                };
                if decode(entry.value(), now).is_some() {
                    keys.push(rest.to_owned());
                }
            }
            Ok(keys)
        })
        .await
    }
}
