//! The HTTP front door and the only module that knows actix-web: routes `/api/messages`,
//! `/healthz` and `/readyz`, authenticates before reading a body, bounds what bodies and
//! connections may hold (size, deadline, concurrent reads, connection limits), maps outcomes and
//! errors to status codes, opens one tracing span per turn, and wires the server together. It
//! must never read a body for a request without a valid token, never put a failure reason in a
//! 401 body, and never log tokens or card payloads.
//!
//! Where things are: `server` builds, starts and stops the server (connection limits, routes);
//! `messages` answers `/api/messages`; `body` reads its body within the limits; `health`
//! answers `/healthz`, `/readyz` and `/metrics`; `sns` answers `/api/sns` (SNS deliveries,
//! authenticated by their own signature) and hands notifications to the hub; `charts` serves
//! `/charts/{id}.png`.

mod body;
mod charts;
mod health;
mod messages;
mod server;
mod sns;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::auth::TokenValidator;
use crate::bot::{Bot, ConversationStore};

pub use sns::SNS_MAX_BODY_BYTES;

pub use server::{
    RunningServer, ServerBuilder, StartError, BACKLOG, CLIENT_DISCONNECT_TIMEOUT,
    CLIENT_REQUEST_TIMEOUT, DEFAULT_MAX_CONNECTIONS_PER_WORKER, KEEP_ALIVE,
};

/// What every request handler shares.
struct AppState {
    validator: Arc<TokenValidator>,
    bot: Arc<Bot>,
    store: Arc<dyn ConversationStore>,
    max_body_bytes: usize,
    body_read_timeout: Duration,
    /// One permit per body being read: memory held by bodies in flight is at most this many
    /// times `max_body_bytes`.
    body_reads: Arc<Semaphore>,
    max_body_reads: usize,
    /// `/api/sns`, when the server posts notifications.
    sns: Option<Arc<sns::SnsEndpoint>>,
    /// Where alarm chart PNGs are kept (`None`: every chart is 404).
    charts: Option<Arc<dyn crate::store::Store>>,
}
