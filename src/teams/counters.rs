//! Delivery counters: what happened to the bot's outgoing messages, as plain atomics that a
//! metrics exporter can read later. They count; they never hold message content.

use std::sync::atomic::{AtomicU64, Ordering};

/// Running totals since start-up (depth: the outbox's current size).
#[derive(Debug, Default)]
pub struct DeliveryCounters {
    sent: AtomicU64,
    retried: AtomicU64,
    refused: AtomicU64,
    outboxed: AtomicU64,
    delivered_from_outbox: AtomicU64,
    given_up: AtomicU64,
    outbox_depth: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliverySnapshot {
    /// Messages (sends, replies, updates) the Connector accepted on their first call.
    pub sent: u64,
    /// Retries made within calls (Connector requests and token requests).
    pub retried: u64,
    /// Messages the Connector refused for good (4xx, redirects, invalid ids): not outboxed.
    pub refused: u64,
    /// Messages put in the outbox after their call failed.
    pub outboxed: u64,
    /// Messages the outbox delivered later.
    pub delivered_from_outbox: u64,
    /// Messages abandoned (attempts or age used up, outbox full or unusable).
    pub given_up: u64,
    /// Messages in the outbox at the last look (all replicas, as the store holds them).
    pub outbox_depth: u64,
}

impl DeliveryCounters {
    pub fn snapshot(&self) -> DeliverySnapshot {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        DeliverySnapshot {
            sent: read(&self.sent),
            retried: read(&self.retried),
            refused: read(&self.refused),
            outboxed: read(&self.outboxed),
            delivered_from_outbox: read(&self.delivered_from_outbox),
            given_up: read(&self.given_up),
            outbox_depth: read(&self.outbox_depth),
        }
    }

    pub(crate) fn sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn retried(&self) {
        self.retried.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn refused(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn outboxed(&self) {
        self.outboxed.fetch_add(1, Ordering::Relaxed);
        self.outbox_depth.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a delivery; the entry's removal is counted by [`Self::left_outbox`].
    pub(crate) fn delivered_from_outbox(&self) {
        self.delivered_from_outbox.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn given_up(&self) {
        self.given_up.fetch_add(1, Ordering::Relaxed);
    }

    /// An entry left the outbox (delivered or given up).
    pub(crate) fn left_outbox(&self) {
        let _ = self
            .outbox_depth
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |depth| {
                depth.checked_sub(1)
            });
    }

    pub(crate) fn set_outbox_depth(&self, depth: u64) {
        self.outbox_depth.store(depth, Ordering::Relaxed);
    }
}
