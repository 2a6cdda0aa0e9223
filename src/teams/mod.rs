//! Bot Framework on the wire: the activity types and the Bot Connector client that sends our
//! replies. It must never decide what to say; `bot/` and `render/` do that.

pub mod activity;
pub mod connector;

pub use activity::{
    activity_types, Activity, Attachment, ChannelAccount, ConversationAccount,
    ConversationReference, Entity, InvokeResponse, Mention, ResourceResponse,
};
pub use connector::{ConnectorClient, ConnectorError, RetryPolicy};
