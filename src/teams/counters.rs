//! Delivery counters: what happened to the bot's outgoing messages, as plain atomics that a
//! metrics exporter can read later. They count; they never hold message content.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::metrics::{DeliveryEvent, DeliverySnapshot};

/// Running totals since start-up (depth: the outbox's current size).
#[derive(Debug, Default)]
pub struct DeliveryCounters {
    /// One total per event, in the order of [`DeliveryEvent::ALL`].
    events: [AtomicU64; DeliveryEvent::ALL.len()],
    outbox_depth: AtomicU64,
}

impl DeliveryCounters {
    pub fn snapshot(&self) -> DeliverySnapshot {
        let read = |event: DeliveryEvent| self.events[event as usize].load(Ordering::Relaxed);
        DeliverySnapshot {
            sent: read(DeliveryEvent::Sent),
            retried: read(DeliveryEvent::Retried),
            refused: read(DeliveryEvent::Refused),
            outboxed: read(DeliveryEvent::Outboxed),
            delivered_from_outbox: read(DeliveryEvent::DeliveredFromOutbox),
            given_up: read(DeliveryEvent::GivenUp),
            outbox_depth: self.outbox_depth.load(Ordering::Relaxed),
        }
    }

    /// Counts one `event`. A message put in the outbox also adds to its depth; leaving it
    /// (delivered or given up) is counted by [`Self::left_outbox`].
    pub(crate) fn count(&self, event: DeliveryEvent) {
        self.events[event as usize].fetch_add(1, Ordering::Relaxed);
        if event == DeliveryEvent::Outboxed {
            self.outbox_depth.fetch_add(1, Ordering::Relaxed);
        }
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
