//! The default store: one redb file on local disk. Each entry is stored as an 8-byte expiry
//! (milliseconds since the epoch, 0 for none) followed by the value; expired entries read as
//! absent and are swept once a minute. redb is synchronous: reads run on the blocking pool, and
//! every change goes to one writer thread that commits them in groups (group commit): the
//! changes waiting when a commit starts share its write transaction, applied in arrival order
//! (so each compare-and-swap sees the ones before it), and its one durable commit. A change is
//! answered only once its commit is on disk, so durability is what it was with a transaction
//! per change, for a fraction of the commits under load. Only a transaction made of counter
//! increments alone (the notification rate windows, whose loss in a crash costs at most a
//! digest card posted late) commits without syncing: redb makes it durable with the next
//! durable commit.

use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use redb::{
    Database, Durability, ReadableDatabase, ReadableTable, Table, TableDefinition, WriteTransaction,
};
use tokio::sync::{mpsc, oneshot};

use super::{live, now_millis, parse_count, Record, Store, StoreError, StoreResult, Swap};

/// redb's page cache (its read cache and write buffer together). Its default is 1 GiB. The
/// cache fills up to its size and stays full: the minute's sweep of expired entries reads
/// every page of the table, and conversation references never expire, so the file outgrows
/// any cache (20,000 fuzzed activities left 8 MiB of cached pages resident at rest, BENCHMARKS.md,
/// "Memory", session 13). The entries are small and are read through the reference cache of
/// `bot::store` anyway; 1 MiB (256 pages) keeps the tree's branch pages and the pages just
/// written, and a page read again comes from the kernel's page cache.
const CACHE_BYTES: usize = 1024 * 1024;

const ENTRIES: TableDefinition<&str, &[u8]> = TableDefinition::new("entries");
/// Separates namespace and key; neither callers' namespaces nor keys contain it.
const SEPARATOR: char = '\u{1f}';

/// Changes waiting for the writer; a caller past this waits for room (back-pressure).
const QUEUE: usize = 1024;
/// The most changes one write transaction takes.
const MAX_BATCH: usize = 256;
/// Expired entries are swept from the file at most this often.
const SWEEP_EVERY_MS: u64 = 60 * 1000;

pub struct EmbeddedStore {
    database: Arc<Database>,
    /// To the writer thread; `None` once dropped (then the thread ends).
    changes: Option<mpsc::Sender<Change>>,
    writer: Option<JoinHandle<()>>,
}

/// One change for the writer, and who waits for its outcome.
struct Change {
    key: String,
    kind: ChangeKind,
    answer: oneshot::Sender<StoreResult<Outcome>>,
}

enum ChangeKind {
    /// An encoded entry (expiry and value).
    Put(Vec<u8>),
    Delete,
    Swap {
        expected: Option<Vec<u8>>,
        /// The encoded entry, or `None` to remove.
        new: Option<Vec<u8>>,
    },
    Increment(Duration),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    Changed(bool),
    Count(u64),
}

/// A write transaction that failed, reported to every change it carried.
#[derive(Debug, Clone)]
struct WriteFailed(Arc<str>);

impl std::fmt::Display for WriteFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WriteFailed {}

fn embedded_error(error: impl Into<redb::Error>) -> StoreError {
    StoreError::Embedded(Box::new(error.into()))
}

fn writer_gone() -> StoreError {
    StoreError::Embedded(Box::new(WriteFailed(
        "the store's writer thread has stopped; restart the bot".into(),
    )))
}

fn full_key(namespace: &str, key: &str) -> String {
    format!("{namespace}{SEPARATOR}{key}")
}

fn encode(record: &Record) -> Vec<u8> {
    encode_entry(record.expires_at(), &record.value)
}

fn encode_entry(expires_at: u64, value: &[u8]) -> Vec<u8> {
    let mut entry = Vec::with_capacity(8 + value.len());
    entry.extend_from_slice(&expires_at.to_be_bytes());
    entry.extend_from_slice(value);
    entry
}

/// The expiry and value of a stored entry.
fn split(entry: &[u8]) -> Option<(u64, &[u8])> {
    let (expiry, value) = entry.split_at_checked(8)?;
    Some((u64::from_be_bytes(expiry.try_into().ok()?), value))
}

/// The live value of a stored entry, or `None` when it has expired.
fn decode(entry: &[u8], now: u64) -> Option<&[u8]> {
    let (expires_at, value) = split(entry)?;
    live(expires_at, now).then_some(value)
}

/// The live entry under `key`: its expiry and value.
fn live_entry(
    table: &Table<'_, &str, &[u8]>,
    key: &str,
    now: u64,
) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
    let entry = table.get(key).map_err(embedded_error)?;
    Ok(entry.and_then(|e| {
        split(e.value())
            .filter(|(expires_at, _)| live(*expires_at, now))
            .map(|(expires_at, value)| (expires_at, value.to_vec()))
    }))
}

/// Applies one change inside the batch's transaction; whether it changed anything.
fn apply(
    table: &mut Table<'_, &str, &[u8]>,
    key: &str,
    kind: &ChangeKind,
    now: u64,
) -> Result<(Outcome, bool), StoreError> {
    Ok(match kind {
        ChangeKind::Put(entry) => {
            table
                .insert(key, entry.as_slice())
                .map_err(embedded_error)?;
            (Outcome::Done, true)
        }
        ChangeKind::Delete => {
            let removed = table.remove(key).map_err(embedded_error)?;
            let existed = removed.is_some_and(|e| decode(e.value(), now).is_some());
            (Outcome::Changed(existed), true)
        }
        ChangeKind::Swap { expected, new } => {
            let current = live_entry(table, key, now)?.map(|(_, value)| value);
            if current != *expected {
                return Ok((Outcome::Changed(false), false));
            }
            match new {
                Some(entry) => {
                    table
                        .insert(key, entry.as_slice())
                        .map_err(embedded_error)?;
                }
                None => {
                    table.remove(key).map_err(embedded_error)?;
                }
            }
            (Outcome::Changed(true), true)
        }
        ChangeKind::Increment(ttl) => {
            let (namespace, name) = key.split_once(SEPARATOR).unwrap_or((key, ""));
            let (count, expires_at) = match live_entry(table, key, now)? {
                Some((expires_at, value)) => (
                    parse_count(namespace, name, &value)?.saturating_add(1),
                    expires_at,
                ),
                None => (1, Record::expiring(Vec::new(), *ttl).expires_at()),
            };
            let entry = encode_entry(expires_at, count.to_string().as_bytes());
            table
                .insert(key, entry.as_slice())
                .map_err(embedded_error)?;
            (Outcome::Count(count), true)
        }
    })
}

/// One write transaction for `batch`: each change's outcome (a failed change answers its
/// own error and changes nothing else), or the error that failed the whole transaction.
fn commit_batch(
    database: &Database,
    batch: &[Change],
    sweep: bool,
) -> Result<Vec<StoreResult<Outcome>>, StoreError> {
    let mut write: WriteTransaction = database.begin_write().map_err(embedded_error)?;
    let now = now_millis();
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut changed = false;
    {
        let mut table = write.open_table(ENTRIES).map_err(embedded_error)?;
        if sweep {
            table
                .retain(|_, entry| decode(entry, now).is_some())
                .map_err(embedded_error)?;
            changed = true;
        }
        for change in batch {
            match apply(&mut table, &change.key, &change.kind, now) {
                Ok((outcome, did_change)) => {
                    changed |= did_change;
                    outcomes.push(Ok(outcome));
                }
                // A counter that does not hold a count: only this change fails.
                Err(error @ StoreError::Decode { .. }) => outcomes.push(Err(error)),
                // A storage error: the transaction is not trusted any more.
                Err(error) => return Err(error),
            }
        }
    }
    if !changed {
        write.abort().map_err(embedded_error)?;
        return Ok(outcomes);
    }
    let counters_only = batch
        .iter()
        .all(|change| matches!(change.kind, ChangeKind::Increment(_)));
    if counters_only && !sweep {
        write
            .set_durability(Durability::None)
            .map_err(|e| StoreError::Embedded(Box::new(e)))?;
    }
    write.commit().map_err(embedded_error)?;
    Ok(outcomes)
}

/// The writer thread: takes what is waiting, commits it as one transaction, answers each.
fn write_changes(database: Arc<Database>, mut changes: mpsc::Receiver<Change>) {
    let mut swept_at = now_millis();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = changes.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match changes.try_recv() {
                Ok(change) => batch.push(change),
                Err(_) => break,
            }
        }
        let now = now_millis();
        let sweep = now.saturating_sub(swept_at) >= SWEEP_EVERY_MS;
        if sweep {
            swept_at = now;
        }
        match commit_batch(&database, &batch, sweep) {
            Ok(outcomes) => {
                for (change, outcome) in batch.drain(..).zip(outcomes) {
                    // The caller may have given up waiting; its change stands.
                    let _ = change.answer.send(outcome);
                }
            }
            Err(error) => {
                let failed = WriteFailed(crate::common::error_chain(&error).into());
                for change in batch.drain(..) {
                    let _ = change
                        .answer
                        .send(Err(StoreError::Embedded(Box::new(failed.clone()))));
                }
            }
        }
    }
}

impl EmbeddedStore {
    /// Opens (or creates) the store file, creating its parent folder when needed, and starts
    /// its writer thread.
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
        let database = Arc::new(database);
        let (changes, queue) = mpsc::channel(QUEUE);
        let writer = {
            let database = database.clone();
            std::thread::Builder::new()
                .name("store-writer".into())
                .spawn(move || write_changes(database, queue))
                .map_err(|e| StoreError::Embedded(Box::new(e)))?
        };
        Ok(Self {
            database,
            changes: Some(changes),
            writer: Some(writer),
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

    /// Hands a change to the writer and waits until it is committed.
    async fn change(&self, namespace: &str, key: &str, kind: ChangeKind) -> StoreResult<Outcome> {
        let changes = self.changes.as_ref().ok_or_else(writer_gone)?;
        let (answer, outcome) = oneshot::channel();
        let change = Change {
            key: full_key(namespace, key),
            kind,
            answer,
        };
        changes.send(change).await.map_err(|_| writer_gone())?;
        outcome.await.map_err(|_| writer_gone())?
    }
}

impl Drop for EmbeddedStore {
    /// Lets the writer finish what it was given and waits for it, so that the file is closed
    /// when the store is gone (a store opened again on the same file finds it free).
    fn drop(&mut self) {
        self.changes = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// What a change answered that is not what its kind answers: a bug in this file.
fn unexpected(outcome: Outcome) -> StoreError {
    StoreError::Embedded(Box::new(WriteFailed(
        format!("the store's writer answered {outcome:?} to another kind of change").into(),
    )))
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
        match self
            .change(namespace, key, ChangeKind::Put(encode(&record)))
            .await?
        {
            Outcome::Done => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    async fn delete(&self, namespace: &str, key: &str) -> StoreResult<bool> {
        match self.change(namespace, key, ChangeKind::Delete).await? {
            Outcome::Changed(existed) => Ok(existed),
            other => Err(unexpected(other)),
        }
    }

    async fn compare_and_swap(&self, namespace: &str, key: &str, swap: Swap) -> StoreResult<bool> {
        // The writer applies one change at a time inside its transaction, so the read, the
        // comparison and the write are atomic.
        let kind = ChangeKind::Swap {
            expected: swap.expected,
            new: swap.new.as_ref().map(encode),
        };
        match self.change(namespace, key, kind).await? {
            Outcome::Changed(swapped) => Ok(swapped),
            other => Err(unexpected(other)),
        }
    }

    async fn increment(&self, namespace: &str, key: &str, ttl: Duration) -> StoreResult<u64> {
        match self
            .change(namespace, key, ChangeKind::Increment(ttl))
            .await?
        {
            Outcome::Count(count) => Ok(count),
            other => Err(unexpected(other)),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The store outgrows its cache (the conversation references never expire): every entry
    /// written stays readable, through the sweep, and after the file is opened again.
    #[tokio::test]
    async fn a_store_larger_than_its_cache_keeps_every_entry() {
        let directory = tempfile::tempdir().expect("a temporary folder");
        let path = directory.path().join("store.redb");
        let value = |i: usize| format!("{i:>8}").repeat(512).into_bytes();
        let entries = 3 * CACHE_BYTES / value(0).len();
        {
            let store = EmbeddedStore::open(&path).await.expect("opens");
            let puts = (0..entries).map(|i| {
                let store = &store;
                async move {
                    store
                        .put("references", &i.to_string(), Record::lasting(value(i)))
                        .await
                }
            });
            for result in futures_util::future::join_all(puts).await {
                result.expect("stored");
            }
            // A sweep reads every page of the table through the cache.
            let database = store.database.clone();
            let batch: Vec<Change> = Vec::new();
            tokio::task::spawn_blocking(move || commit_batch(&database, &batch, true))
                .await
                .expect("does not panic")
                .expect("sweeps");
            for i in 0..entries {
                let stored = store
                    .get("references", &i.to_string())
                    .await
                    .expect("reads");
                assert_eq!(stored, Some(value(i)), "entry {i}");
            }
        }
        let store = EmbeddedStore::open(&path).await.expect("opens again");
        assert_eq!(
            store.keys("references").await.expect("lists").len(),
            entries
        );
        let last = (entries - 1).to_string();
        let stored = store.get("references", &last).await.expect("reads");
        assert_eq!(stored, Some(value(entries - 1)));
    }
}
