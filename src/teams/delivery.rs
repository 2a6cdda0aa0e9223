//! Delivery of the bot's messages: the Connector call (paced, retried) and, when it still fails
//! for a reason that may pass, the outbox. Callers learn whether a message was sent or queued;
//! a message is never dropped without a log line, a counter and, where possible, a notice.

use std::sync::Arc;
use std::time::Duration;

use super::activity::{Activity, ResourceResponse};
use super::connector::{
    address_of, reply_operation, ConnectorClient, ConnectorError, ConversationParameters,
    ConversationResourceResponse, Operation, RetryPolicy,
};
use super::outbox::{Outbox, OutboxPolicy};
use super::pacer::PacingPolicy;
use crate::auth::TokenProvider;
use crate::common::error_chain;
use crate::metrics::{DeliveryEvent, DeliverySnapshot};
use crate::store::{MemoryStore, Store};

/// How outgoing messages are paced and kept when they fail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryPolicy {
    pub pacing: PacingPolicy,
    pub outbox: OutboxPolicy,
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    /// The Connector accepted it.
    Sent(ResourceResponse),
    /// It is in the outbox under this reference and will be tried again.
    Queued { reference: String },
}

impl Delivered {
    /// The Connector's answer, when the message was sent now.
    pub fn sent(&self) -> Option<&ResourceResponse> {
        match self {
            Delivered::Sent(response) => Some(response),
            Delivered::Queued { .. } => None,
        }
    }
}

/// Sends messages through the Connector, falling back to the outbox.
pub struct Delivery {
    connector: Arc<ConnectorClient>,
    outbox: Arc<Outbox>,
}

/// How long shutdown waits for the outbox task to finish the message it is sending.
const OUTBOX_STOP_GRACE: Duration = Duration::from_secs(30);

impl Delivery {
    /// Messages that fail go to `store` (shared by replicas when it is Redis).
    pub fn new(
        connector: Arc<ConnectorClient>,
        store: Arc<dyn Store>,
        policy: OutboxPolicy,
    ) -> Self {
        let outbox = Arc::new(Outbox::new(store, connector.clone(), policy));
        Delivery { connector, outbox }
    }

    /// The Connector client (its own HTTP client, no redirects) and the delivery around it,
    /// with the outbox's background task running. Without `store`, the outbox lives in memory
    /// and does not survive a restart. Must be called inside the Tokio runtime.
    pub fn start(
        tokens: Arc<TokenProvider>,
        retry: RetryPolicy,
        policy: DeliveryPolicy,
        store: Option<Arc<dyn Store>>,
    ) -> Result<Arc<Self>, reqwest::Error> {
        let connector = Arc::new(ConnectorClient::new(tokens, retry, policy.pacing)?);
        let store = store.unwrap_or_else(|| Arc::new(MemoryStore::default()));
        let delivery = Arc::new(Delivery::new(connector, store, policy.outbox));
        delivery.start_outbox();
        Ok(delivery)
    }

    /// Starts the outbox's background task. Must be called inside the Tokio runtime.
    pub fn start_outbox(&self) {
        self.outbox.start();
    }

    /// Stops the outbox's background task (after the message it is sending).
    pub async fn stop_outbox(&self) {
        self.outbox.stop(OUTBOX_STOP_GRACE).await;
    }

    /// Tries every message in the outbox now, due or not; returns how many were attempted.
    pub async fn drain_outbox_now(&self) -> usize {
        self.outbox.drain_now().await
    }

    /// Whether messages are paced to Teams' limits (off only for load tests).
    pub fn is_pacing(&self) -> bool {
        self.connector.is_pacing()
    }

    /// The delivery counters now.
    pub fn counters(&self) -> DeliverySnapshot {
        self.connector.counters().snapshot()
    }

    /// Replies to `incoming` with `reply` (the reply endpoint when `incoming` has an id). The
    /// reply is taken and dropped once serialized, as in [`Delivery::update`].
    pub async fn reply_to(
        &self,
        incoming: &Activity,
        reply: Activity,
    ) -> Result<Delivered, ConnectorError> {
        let (operation, service_url, conversation_id) = reply_operation(incoming)?;
        let outgoing = Outgoing::of(&reply);
        drop(reply);
        self.deliver(operation, service_url, conversation_id, outgoing)
            .await
    }

    /// Sends an activity that carries its own `serviceUrl` and `conversation`.
    pub async fn send_addressed(&self, activity: &Activity) -> Result<Delivered, ConnectorError> {
        let (service_url, conversation_id) = address_of(activity)?;
        self.deliver(
            Operation::Send,
            service_url,
            conversation_id,
            Outgoing::of(activity),
        )
        .await
    }

    /// Replaces the message `activity_id` with `activity`. The activity is taken (and dropped
    /// once serialized): a result card waits for its pacing slot as its JSON text, a fraction
    /// of its tree of values (BENCHMARKS.md, "Memory", session 12).
    pub async fn update(
        &self,
        service_url: &str,
        conversation_id: &str,
        activity_id: &str,
        activity: Activity,
    ) -> Result<Delivered, ConnectorError> {
        let operation = Operation::Update {
            activity_id: activity_id.to_owned(),
        };
        let outgoing = Outgoing::of(&activity);
        drop(activity);
        self.deliver(operation, service_url, conversation_id, outgoing)
            .await
    }

    /// Starts a new thread in a Teams channel with `parameters.activity` as its root message:
    /// paced (per channel) and retried like any call, but never put in the outbox, because
    /// the caller needs the new thread's id now to update it later. A failure is returned
    /// (and counted) for the caller to log and count as undeliverable.
    pub async fn create_thread(
        &self,
        service_url: &str,
        channel_id: &str,
        parameters: &ConversationParameters,
    ) -> Result<ConversationResourceResponse, ConnectorError> {
        let counters = self.connector.counters();
        let policy = *self.connector.retry_policy();
        match self
            .connector
            .create_conversation(service_url, channel_id, parameters, &policy)
            .await
        {
            Ok(created) => {
                counters.count(DeliveryEvent::Sent);
                Ok(created)
            }
            Err(error) => {
                counters.count(DeliveryEvent::Refused);
                Err(error)
            }
        }
    }

    /// Sends `activity` (addressed by its own `serviceUrl` and `conversation`) now, without
    /// the outbox: for a first message whose id the caller must learn to update it later.
    pub async fn send_now(&self, activity: &Activity) -> Result<ResourceResponse, ConnectorError> {
        let (service_url, conversation_id) = address_of(activity)?;
        let counters = self.connector.counters();
        let policy = *self.connector.retry_policy();
        match self
            .connector
            .execute(
                &Operation::Send,
                service_url,
                conversation_id,
                activity,
                &policy,
            )
            .await
        {
            Ok(response) => {
                counters.count(DeliveryEvent::Sent);
                Ok(response)
            }
            Err(error) => {
                counters.count(DeliveryEvent::Refused);
                Err(error)
            }
        }
    }

    async fn deliver(
        &self,
        operation: Operation,
        service_url: &str,
        conversation_id: &str,
        outgoing: Outgoing,
    ) -> Result<Delivered, ConnectorError> {
        let counters = self.connector.counters();
        let policy = *self.connector.retry_policy();
        let error = match self
            .connector
            .execute_serialized(
                &operation,
                service_url,
                conversation_id,
                outgoing.tenant_id.as_deref(),
                &outgoing.json,
                &policy,
            )
            .await
        {
            Ok(response) => {
                counters.count(DeliveryEvent::Sent);
                self.outbox.superseded_by(&operation, conversation_id).await;
                return Ok(Delivered::Sent(response));
            }
            Err(error) => error,
        };
        if !error.is_transient() {
            counters.count(DeliveryEvent::Refused);
            return Err(error);
        }
        // The outbox keeps the activity as its entry's JSON, as it was sent.
        let activity = match serde_json::from_str::<Activity>(outgoing.json.get()) {
            Ok(activity) => activity,
            Err(parse_error) => {
                counters.count(DeliveryEvent::Refused);
                tracing::error!(error = %parse_error, "message not kept in the outbox: its JSON does not read back");
                return Err(error);
            }
        };
        match self
            .outbox
            .enqueue(operation, service_url, conversation_id, &activity, &error)
            .await
        {
            Ok(reference) => Ok(Delivered::Queued { reference }),
            Err(outbox_error) => {
                // Already logged, counted and announced as given up by the outbox.
                tracing::debug!(error = %error_chain(&outbox_error), "outbox refused the message");
                Err(error)
            }
        }
    }
}

/// An activity serialized once, before it waits for its pacing slot: its JSON text and the
/// tenant it is paced under.
struct Outgoing {
    json: Box<serde_json::value::RawValue>,
    tenant_id: Option<String>,
}

impl Outgoing {
    fn of(activity: &Activity) -> Self {
        Outgoing {
            json: serde_json::value::to_raw_value(activity).expect("activities serialise"),
            tenant_id: activity.tenant_id().map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn card_update() -> Activity {
        serde_json::from_value(json!({
            "type": "message",
            "id": "1700000000000",
            "serviceUrl": "https://smba.trafficmanager.net/amer/",
            "channelId": "msteams",
            "conversation": {"id": "19:ops@thread.tacv2", "tenantId": "tenant-1"},
            "channelData": {"tenant": {"id": "tenant-2"}},
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {"type": "AdaptiveCard", "body": [
                    {"type": "TextBlock", "text": "CPUUtilization ≥ 80 \"quoted\" \u{1f}"}
                ]}
            }]
        }))
        .unwrap()
    }

    #[test]
    fn a_message_waits_for_its_slot_as_the_json_it_is_sent_as() {
        let activity = card_update();
        let outgoing = Outgoing::of(&activity);
        // The body the Connector gets is the one `execute` sends for the activity itself.
        assert_eq!(
            outgoing.json.get(),
            serde_json::to_string(&activity).unwrap()
        );
        // Paced under the tenant the activity names (channelData first, as `tenant_id()`).
        assert_eq!(outgoing.tenant_id.as_deref(), Some("tenant-2"));
        // What the outbox keeps on a transient failure reads back as the same activity.
        let back: Activity = serde_json::from_str(outgoing.json.get()).unwrap();
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&activity).unwrap()
        );
    }
}
