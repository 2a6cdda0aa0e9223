//! Bot Framework on the wire: the activity types, the Bot Connector client that sends our
//! replies (paced, retried, never redirected), and their delivery through the outbox when the
//! Connector fails. It must never decide what to say; `bot/` and `render/` do that.

pub mod activity;
pub mod address;
pub mod connector;
pub mod counters;
pub mod delivery;
pub mod outbox;
pub mod pacer;
pub mod retry;

pub use activity::{
    Activity, ActivityType, Attachment, ChannelAccount, ConversationAccount, ConversationReference,
    Entity, InvokeResponse, Mention, ResourceResponse,
};
pub use connector::{
    ConnectorClient, ConnectorError, ConversationParameters, ConversationResourceResponse,
    Operation, RetryPolicy, MAX_CONNECTOR_REQUESTS,
};
pub use counters::DeliveryCounters;
pub use delivery::{Delivered, Delivery, DeliveryPolicy};
pub use outbox::{OutboxError, OutboxPolicy};
pub use pacer::{PacingPolicy, RateLimit};
// The snapshot is metrics' type; the delivery counters here fill it, so callers find it here too.
pub use crate::metrics::DeliverySnapshot;
