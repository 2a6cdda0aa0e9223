//! The notification hub: a verified SNS notification from a configured topic becomes cards in
//! the channels the topic maps to. By concern: [`routing`] (topic → channels → where to post,
//! from the stored conversation references), [`posting`] (new channel threads, chat messages,
//! updates in place, thread replies), [`state`] (one card per alarm per channel, created and
//! changed with compare-and-swap), [`digest`] (more than 10 notifications a minute in a
//! channel collapse into one digest card). The `/api/sns` endpoint calls
//! [`NotificationHub::first_delivery`] and then [`NotificationHub::deliver`] on a task.
//!
//! Nothing is dropped silently: a channel a notification cannot reach is logged with the SNS
//! `MessageId` and counted as undeliverable. Message bodies are never logged.

mod cas;
mod digest;
mod posting;
mod routing;

pub use routing::channels_without_reference;
mod state;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{Conversations, Inner};
use crate::bot::{ConversationStore, Responder};
use crate::common::error_chain;
use crate::metrics::NotificationEvent;
use crate::notify::message::Notification;
use crate::notify::sns::SnsMessage;
use crate::policy::config::{NotificationTopic, NotificationsConfig};
use crate::store::{Record, StoreResult, Swap};
use crate::teams::Delivery;

pub(super) use state::{
    card_of_record, read_json, update_json, utc_time, AlarmCardPointer, StoredChart, ThreadState,
    ALARM_CARDS_NAMESPACE, THREADS_NAMESPACE,
};

/// The store namespace of the `MessageId`s seen, kept a day so a redelivery is posted once.
pub const SEEN_MESSAGES_NAMESPACE: &str = "sns-messages";
/// How long a `MessageId` is remembered.
pub const SEEN_MESSAGE_TTL: Duration = Duration::from_secs(24 * 3600);

/// Counts of what the hub did since start-up (also in the process metrics).
#[derive(Debug, Default)]
struct Counters {
    received: AtomicU64,
    posted: AtomicU64,
    duplicate: AtomicU64,
    undeliverable: AtomicU64,
}

/// A snapshot of the hub's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NotificationCounts {
    pub received: u64,
    /// One per channel a notification was posted (or updated) in.
    pub posted: u64,
    pub duplicate: u64,
    /// One per channel a notification could not be delivered to.
    pub undeliverable: u64,
}

/// Posts notifications to channels. Built once per server by
/// [`Conversations::notification_hub`].
pub struct NotificationHub {
    inner: Arc<Inner>,
    delivery: Arc<Delivery>,
    references: Arc<dyn ConversationStore>,
    responder: Responder,
    counters: Counters,
    locks: cas::KeyLocks,
}

impl Conversations {
    /// The hub that posts this flow's notifications through `delivery`, finding conversations
    /// in `references`; `responder` runs its tasks (tracked, so shutdown waits for them).
    pub fn notification_hub(
        &self,
        delivery: Arc<Delivery>,
        references: Arc<dyn ConversationStore>,
        responder: Responder,
    ) -> Arc<NotificationHub> {
        Arc::new(NotificationHub {
            inner: self.inner.clone(),
            delivery,
            references,
            responder,
            counters: Counters::default(),
            locks: cas::KeyLocks::default(),
        })
    }
}

impl NotificationHub {
    /// The `[notifications]` configuration in force.
    pub fn config(&self) -> Arc<NotificationsConfig> {
        self.inner.authorizer.notifications()
    }

    /// Runs `work` as a tracked task (shutdown waits for it).
    pub fn spawn(&self, work: impl std::future::Future<Output = ()> + Send + 'static) {
        self.responder.spawn(work);
    }

    /// What the hub did since start-up.
    pub fn counts(&self) -> NotificationCounts {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        NotificationCounts {
            received: read(&self.counters.received),
            posted: read(&self.counters.posted),
            duplicate: read(&self.counters.duplicate),
            undeliverable: read(&self.counters.undeliverable),
        }
    }

    fn count(&self, event: NotificationEvent) {
        let counter = match event {
            NotificationEvent::Received => &self.counters.received,
            NotificationEvent::Posted => &self.counters.posted,
            NotificationEvent::Duplicate => &self.counters.duplicate,
            NotificationEvent::Undeliverable => &self.counters.undeliverable,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        crate::metrics::global().notification(event);
    }

    /// Notes `message_id` as seen (for 24 h, across replicas); false when it was seen
    /// already: the delivery is accepted but not posted again.
    pub async fn first_delivery(&self, message_id: &str) -> StoreResult<bool> {
        let record = Record::expiring(b"1".to_vec(), SEEN_MESSAGE_TTL);
        let first = self
            .inner
            .pending
            .store()
            .compare_and_swap(SEEN_MESSAGES_NAMESPACE, message_id, Swap::create(record))
            .await?;
        self.count(if first {
            NotificationEvent::Received
        } else {
            NotificationEvent::Duplicate
        });
        Ok(first)
    }

    /// Posts `message` to every channel its topic maps to, concurrently.
    pub async fn deliver(&self, message: &SnsMessage) {
        let config = self.config();
        let Some(topic) = config.topic_for_arn(message.topic_arn.as_str()) else {
            // The configuration was reloaded between the check and now.
            tracing::warn!(
                message_id = message.message_id,
                topic = %message.topic_arn,
                "notification from a topic no longer configured; not posted"
            );
            return;
        };
        let notification = Notification::parse(message.subject.as_deref(), &message.message);
        let deliveries = topic
            .channels
            .iter()
            .map(|key| self.deliver_to_channel(key, topic, &notification, &message.message_id));
        futures_util::future::join_all(deliveries).await;
    }

    /// One notification in one channel: its own card, an update of its alarm's card, a reply
    /// in its thread, or a line in the channel's digest when the channel is flooded.
    async fn deliver_to_channel(
        &self,
        key: &str,
        topic: &NotificationTopic,
        notification: &Notification,
        message_id: &str,
    ) {
        let Some(place) = self.place_of(key).await else {
            self.undeliverable(
                key,
                message_id,
                "no conversation reference for the channel yet",
            );
            return;
        };
        let flooded = self.flooded(key).await;
        let delivered = match notification.thread_key() {
            Some(thread) => {
                let ctx = posting::Context {
                    key,
                    place: &place,
                    topic,
                    message_id,
                    flooded,
                };
                self.deliver_threaded(&ctx, notification, &thread).await
            }
            None if flooded => self.add_to_digest(key, &place, notification).await,
            None => self
                .post_single(&place, topic, notification)
                .await
                .map(|_| ()),
        };
        match delivered {
            Ok(()) => self.count(NotificationEvent::Posted),
            Err(error) => self.undeliverable(key, message_id, &error_chain(&error)),
        }
    }

    /// Logs and counts a notification that did not reach the channel `key`.
    fn undeliverable(&self, key: &str, message_id: &str, reason: &str) {
        tracing::error!(
            message_id,
            channel = key,
            reason,
            "notification undeliverable to this channel"
        );
        self.count(NotificationEvent::Undeliverable);
    }
}

/// Why a notification did not reach a channel.
#[derive(Debug, thiserror::Error)]
pub(super) enum HubError {
    #[error(transparent)]
    Connector(#[from] crate::teams::ConnectorError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the card's state kept changing under concurrent deliveries")]
    Contended,
}
