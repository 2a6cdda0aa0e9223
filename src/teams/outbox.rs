//! The durable outbox: a message whose Connector call failed for a reason that may pass (the
//! Connector or the token endpoint down, throttling beyond the in-call budget) is kept in the
//! store under `outbox/<reference>` and tried again by a background task on a schedule of
//! minutes, also after a restart. Replicas sharing a store claim an entry with
//! compare-and-swap before sending it, so one replica sends it. When the outbox gives up, it
//! says so in the conversation, in the log (with the cause) and in the counters.
//!
//! Delivery is at least once: a replica that dies after the Connector accepted a message but
//! before removing the entry leaves it to be sent again when its claim expires. The message
//! body is stored (the outbox must be able to send it) but never logged.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::activity::{Activity, ActivityType, ConversationAccount};
use super::connector::{ConnectorClient, ConnectorError, Operation};
use super::counters::DeliveryCounters;
use crate::common::{error_chain, now_millis};
use crate::metrics::DeliveryEvent;
use crate::store::{Record, Store, StoreError, Swap};

/// The store namespace of outbox entries; the key is the entry's reference.
pub const NAMESPACE: &str = "outbox";

/// When and how long the outbox tries again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxPolicy {
    /// The wait after each failed attempt (the first is the failed call itself); the last
    /// value repeats.
    pub backoff: Vec<Duration>,
    /// Attempts in all, counting the failed call that put the message in the outbox.
    pub max_attempts: u32,
    /// How long an entry is kept at most; the outbox gives up before it expires.
    pub ttl: Duration,
    /// Entries the outbox holds at most; a message beyond this is given up at once.
    pub max_entries: usize,
    /// How often the background task looks for entries that are due.
    pub poll_interval: Duration,
    /// How long a claim keeps other replicas off an entry (longer than one attempt takes).
    pub claim_lease: Duration,
}

impl Default for OutboxPolicy {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        OutboxPolicy {
            backoff: vec![
                minutes(1),
                minutes(2),
                minutes(5),
                minutes(10),
                minutes(30),
                minutes(60),
            ],
            max_attempts: 10,
            ttl: Duration::from_secs(24 * 3600),
            max_entries: 10_000,
            poll_interval: Duration::from_secs(15),
            claim_lease: minutes(2),
        }
    }
}

impl OutboxPolicy {
    /// The wait after attempt number `attempts` (1-based) failed.
    fn backoff_after(&self, attempts: u32) -> Duration {
        let index = (attempts.max(1) - 1) as usize;
        self.backoff
            .get(index)
            .or(self.backoff.last())
            .copied()
            .unwrap_or(Duration::from_secs(60))
    }
}

/// Why a message could not be put in the outbox.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The store could not be read or written.
    #[error("outbox store: {0}")]
    Store(#[from] StoreError),
    /// The outbox already holds `limit` messages.
    #[error("the outbox is full ({limit} messages)")]
    Full { limit: usize },
    /// Three fresh references were all taken (a broken random source or store).
    #[error("no free outbox reference")]
    NoFreeReference,
}

/// One message waiting in the outbox. No `Debug`: it holds the message body.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    id: String,
    operation: Operation,
    service_url: String,
    conversation_id: String,
    activity: Activity,
    /// Attempts made so far, the failed call that queued it included.
    attempts: u32,
    created_at_ms: u64,
    next_attempt_at_ms: u64,
    /// The cause chain of the last failure (never the body).
    last_error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    claimed_by: Option<String>,
    #[serde(default)]
    claimed_until_ms: u64,
}

impl Entry {
    fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("outbox entries always serialise")
    }
}

fn millis(duration: Duration) -> u64 {
    duration.as_millis().min(u64::MAX as u128) as u64
}

/// A new outbox reference: 16 hex digits, shown to users and written in logs.
fn new_reference() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// The fixed reference of a queued update of one message. Only the latest update of a message
/// is worth sending: an older one delivered late would undo a newer one (a "Running" card
/// replacing its result), so a newer update replaces it in the outbox, and one sent directly
/// removes it. FNV-1a, so every replica and every build computes the same reference.
fn update_reference(conversation_id: &str, activity_id: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in conversation_id
        .bytes()
        .chain(std::iter::once(0x1f))
        .chain(activity_id.bytes())
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("u{hash:015x}")
}

/// The message store and the task that empties it.
pub struct Outbox {
    store: Arc<dyn Store>,
    connector: Arc<ConnectorClient>,
    counters: Arc<DeliveryCounters>,
    policy: OutboxPolicy,
    /// Written into claims, so a replica recognises its own.
    replica: String,
    stop: tokio::sync::watch::Sender<bool>,
    worker: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Outbox {
    pub fn new(
        store: Arc<dyn Store>,
        connector: Arc<ConnectorClient>,
        policy: OutboxPolicy,
    ) -> Self {
        Outbox {
            store,
            counters: connector.counters().clone(),
            connector,
            policy,
            replica: new_reference(),
            stop: tokio::sync::watch::channel(false).0,
            worker: Mutex::new(None),
        }
    }

    /// Keeps a message whose call failed with `error`; returns its reference.
    pub async fn enqueue(
        &self,
        operation: Operation,
        service_url: &str,
        conversation_id: &str,
        activity: &Activity,
        error: &ConnectorError,
    ) -> Result<String, OutboxError> {
        let now = now_millis();
        let id = match &operation {
            Operation::Update { activity_id } => update_reference(conversation_id, activity_id),
            Operation::Send | Operation::Reply { .. } => new_reference(),
        };
        let mut entry = Entry {
            id,
            operation,
            service_url: service_url.to_owned(),
            conversation_id: conversation_id.to_owned(),
            activity: activity.clone(),
            attempts: 1,
            created_at_ms: now,
            next_attempt_at_ms: now + millis(self.policy.backoff_after(1)),
            last_error: error_chain(error),
            claimed_by: None,
            claimed_until_ms: 0,
        };
        let result = self.insert(&mut entry).await;
        if let Err(outbox_error) = &result {
            self.give_up(&entry, &format!("not kept in the outbox: {outbox_error}"))
                .await;
        }
        result
    }

    async fn insert(&self, entry: &mut Entry) -> Result<String, OutboxError> {
        let depth = self.store.keys(NAMESPACE).await?.len();
        self.counters.set_outbox_depth(depth as u64);
        if depth >= self.policy.max_entries {
            return Err(OutboxError::Full {
                limit: self.policy.max_entries,
            });
        }
        if let Operation::Update { .. } = entry.operation {
            // The latest update of a message replaces an older one still waiting.
            let replaced = self.store.get(NAMESPACE, &entry.id).await?.is_some();
            self.store
                .put(
                    NAMESPACE,
                    &entry.id,
                    Record::expiring(entry.to_bytes(), self.policy.ttl),
                )
                .await?;
            self.kept(entry, Some(replaced));
            if replaced {
                self.counters.left_outbox();
            }
            return Ok(entry.id.clone());
        }
        // A fresh reference never collides in practice; compare-and-swap makes sure.
        for _ in 0..3 {
            let inserted = self
                .store
                .compare_and_swap(
                    NAMESPACE,
                    &entry.id,
                    Swap::create(Record::expiring(entry.to_bytes(), self.policy.ttl)),
                )
                .await?;
            if inserted {
                self.kept(entry, None);
                return Ok(entry.id.clone());
            }
            entry.id = new_reference();
        }
        Err(OutboxError::NoFreeReference)
    }

    /// Counts and logs an entry the outbox now keeps. `replaced` is for an update, which
    /// waits in place of an older one or not; a new message instead says when it is tried next.
    fn kept(&self, entry: &Entry, replaced: Option<bool>) {
        self.counters.count(DeliveryEvent::Outboxed);
        let (what, next_attempt_in_s) = match replaced {
            Some(_) => ("update", None),
            None => ("message", Some(self.policy.backoff_after(1).as_secs())),
        };
        tracing::warn!(
            reference = entry.id,
            operation = entry.operation.name(),
            conversation_id = entry.conversation_id,
            error = entry.last_error,
            replaced,
            next_attempt_in_s,
            "{what} kept in the outbox"
        );
    }

    /// Called after `operation` succeeded directly: an older update of the same message still
    /// waiting in the outbox must not be sent after it.
    pub async fn superseded_by(&self, operation: &Operation, conversation_id: &str) {
        let Operation::Update { activity_id } = operation else {
            return;
        };
        let reference = update_reference(conversation_id, activity_id);
        match self.store.delete(NAMESPACE, &reference).await {
            Ok(true) => {
                self.counters.left_outbox();
                tracing::info!(
                    reference,
                    "an older queued update was superseded and removed"
                );
            }
            Ok(false) => {}
            Err(error) => {
                tracing::error!(reference, error = %error_chain(&error), "a superseded update could not be removed from the outbox")
            }
        }
    }

    /// Starts the background task (once); it picks up whatever the store already holds.
    pub fn start(self: &Arc<Self>) {
        let mut worker = self.worker.lock().unwrap_or_else(|p| p.into_inner());
        if worker.is_some() {
            return;
        }
        let outbox = self.clone();
        let mut stop = self.stop.subscribe();
        *worker = Some(tokio::spawn(async move {
            loop {
                outbox.process(false).await;
                tokio::select! {
                    _ = tokio::time::sleep(outbox.policy.poll_interval) => {}
                    _ = stop.changed() => {}
                }
                if *stop.borrow() {
                    return;
                }
            }
        }));
    }

    /// Stops the background task after the entry it is sending, waiting at most `grace`.
    pub async fn stop(&self, grace: Duration) {
        self.stop.send_replace(true);
        let worker = self.worker.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(mut worker) = worker {
            if tokio::time::timeout(grace, &mut worker).await.is_err() {
                tracing::warn!("outbox task still busy after the grace period; stopped");
                worker.abort();
                let _ = worker.await;
            }
        }
    }

    /// Tries every entry now, due or not (entries claimed by another replica excepted).
    /// Returns how many were attempted.
    pub async fn drain_now(&self) -> usize {
        self.process(true).await
    }

    /// One pass over the store: every due entry, oldest first.
    async fn process(&self, everything: bool) -> usize {
        let keys = match self.store.keys(NAMESPACE).await {
            Ok(keys) => keys,
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "outbox unreadable; will look again");
                return 0;
            }
        };
        self.counters.set_outbox_depth(keys.len() as u64);
        let now = now_millis();
        let mut due = Vec::new();
        for key in keys {
            let bytes = match self.store.get(NAMESPACE, &key).await {
                Ok(Some(bytes)) => bytes,
                Ok(None) => continue,
                Err(error) => {
                    tracing::error!(reference = key, error = %error_chain(&error), "outbox entry unreadable");
                    continue;
                }
            };
            let entry: Entry = match serde_json::from_slice(&bytes) {
                Ok(entry) => entry,
                Err(error) => {
                    // Nothing can send it; keeping it would only hide it until it expires.
                    tracing::error!(reference = key, error = %error, "outbox entry does not decode; removed");
                    if let Ok(true) = self.store.delete(NAMESPACE, &key).await {
                        self.counters.count(DeliveryEvent::GivenUp);
                        self.counters.left_outbox();
                    }
                    continue;
                }
            };
            let claimed_elsewhere = entry.claimed_until_ms > now;
            if claimed_elsewhere || (!everything && entry.next_attempt_at_ms > now) {
                continue;
            }
            due.push((entry, bytes));
        }
        due.sort_by_key(|(entry, _)| entry.created_at_ms);
        let mut attempted = 0;
        for (entry, bytes) in due {
            if *self.stop.borrow() {
                break;
            }
            if let Some((claimed, claimed_bytes)) = self.claim(entry, bytes).await {
                attempted += 1;
                self.attempt(claimed, claimed_bytes).await;
            }
        }
        attempted
    }

    /// Marks the entry as ours for the lease; `None` when another replica got there first.
    async fn claim(&self, mut entry: Entry, current: Vec<u8>) -> Option<(Entry, Vec<u8>)> {
        entry.claimed_by = Some(self.replica.clone());
        entry.claimed_until_ms = now_millis() + millis(self.policy.claim_lease);
        let claimed = entry.to_bytes();
        let ttl = self.remaining_ttl(&entry)?;
        match self
            .store
            .compare_and_swap(
                NAMESPACE,
                &entry.id,
                Swap::replace(current, Record::expiring(claimed.clone(), ttl)),
            )
            .await
        {
            Ok(true) => Some((entry, claimed)),
            Ok(false) => None,
            Err(error) => {
                tracing::error!(reference = entry.id, error = %error_chain(&error), "outbox entry could not be claimed");
                None
            }
        }
    }

    /// What is left of the entry's time to live, `None` when nothing is.
    fn remaining_ttl(&self, entry: &Entry) -> Option<Duration> {
        let expires_at = entry.created_at_ms + millis(self.policy.ttl);
        let left = expires_at.checked_sub(now_millis())?;
        (left > 0).then(|| Duration::from_millis(left))
    }

    /// One more attempt at a claimed entry, then success, a new schedule, or giving up.
    async fn attempt(&self, mut entry: Entry, claimed: Vec<u8>) {
        let policy = self.connector.retry_policy().single_attempt();
        let result = self
            .connector
            .execute(
                &entry.operation,
                &entry.service_url,
                &entry.conversation_id,
                &entry.activity,
                &policy,
            )
            .await;
        entry.attempts += 1;
        let error = match result {
            Ok(_) => {
                tracing::info!(
                    reference = entry.id,
                    operation = entry.operation.name(),
                    attempts = entry.attempts,
                    "message delivered from the outbox"
                );
                self.release(&entry, claimed, None).await;
                // Counted once the entry is gone, so the counter never runs ahead of the store.
                self.counters.count(DeliveryEvent::DeliveredFromOutbox);
                return;
            }
            Err(error) => error,
        };
        entry.last_error = error_chain(&error);
        let next_attempt_at_ms = now_millis() + millis(self.policy.backoff_after(entry.attempts));
        let expires_at_ms = entry.created_at_ms + millis(self.policy.ttl);
        // Give up while the entry still exists, rather than let it expire unseen.
        let out_of_time = next_attempt_at_ms + millis(self.policy.claim_lease) >= expires_at_ms;
        if !error.is_transient() || entry.attempts >= self.policy.max_attempts || out_of_time {
            self.give_up(&entry, &entry.last_error).await;
            self.release(&entry, claimed, None).await;
            return;
        }
        tracing::warn!(
            reference = entry.id,
            attempts = entry.attempts,
            error = entry.last_error,
            next_attempt_in_s = self.policy.backoff_after(entry.attempts).as_secs(),
            "outbox attempt failed; will try again"
        );
        entry.next_attempt_at_ms = next_attempt_at_ms;
        entry.claimed_by = None;
        entry.claimed_until_ms = 0;
        self.release(&entry, claimed, Some(entry.to_bytes())).await;
    }

    /// Replaces our claimed entry with `new` (or removes it), unless someone else took it.
    async fn release(&self, entry: &Entry, claimed: Vec<u8>, new: Option<Vec<u8>>) {
        let removing = new.is_none();
        let ttl = self.remaining_ttl(entry).unwrap_or(Duration::from_secs(1));
        let swap = Swap {
            expected: Some(claimed),
            new: new.map(|value| Record::expiring(value, ttl)),
        };
        match self
            .store
            .compare_and_swap(NAMESPACE, &entry.id, swap)
            .await
        {
            Ok(true) => {
                if removing {
                    self.counters.left_outbox();
                }
            }
            Ok(false) => tracing::warn!(
                reference = entry.id,
                "outbox entry changed while it was being sent (claim expired)"
            ),
            Err(error) => {
                tracing::error!(reference = entry.id, error = %error_chain(&error), "outbox entry could not be updated")
            }
        }
    }

    /// Abandons a message: logs why with its reference, counts it, and tells the
    /// conversation if the Connector lets us.
    async fn give_up(&self, entry: &Entry, cause: &str) {
        self.counters.count(DeliveryEvent::GivenUp);
        tracing::error!(
            reference = entry.id,
            operation = entry.operation.name(),
            conversation_id = entry.conversation_id,
            attempts = entry.attempts,
            error = cause,
            "message given up"
        );
        let notice = give_up_notice(entry);
        if let Err(error) = self
            .connector
            .execute(
                &Operation::Send,
                &entry.service_url,
                &entry.conversation_id,
                &notice,
                self.connector.retry_policy(),
            )
            .await
        {
            tracing::error!(reference = entry.id, error = %error_chain(&error), "the notice of a message given up could not be posted either");
        }
    }
}

/// The short message a conversation gets when one of our messages is abandoned.
fn give_up_notice(entry: &Entry) -> Activity {
    let original = &entry.activity;
    let attempts = entry.attempts;
    let plural = if attempts == 1 { "" } else { "s" };
    Activity {
        activity_type: ActivityType::Message,
        service_url: Some(entry.service_url.clone()),
        channel_id: original.channel_id.clone(),
        conversation: original
            .conversation
            .clone()
            .or_else(|| {
                Some(ConversationAccount {
                    id: entry.conversation_id.clone(),
                    ..ConversationAccount::default()
                })
            }),
        from: original.from.clone(),
        recipient: original.recipient.clone(),
        text: Some(format!(
            "A reply could not be delivered to this conversation after {attempts} attempt{plural} (reference {}).",
            entry.id
        )),
        ..Activity::default()
    }
}

#[cfg(test)]
mod tests;
