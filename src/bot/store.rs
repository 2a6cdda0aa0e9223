//! Where conversation references are kept for proactive messages. This file holds the narrow
//! trait and the in-memory implementation; it must never talk to the network.

use std::collections::HashMap;
use std::sync::RwLock;

use futures_util::future::BoxFuture;

use crate::teams::ConversationReference;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend could not be reached or refused the operation.
    #[error("conversation store unavailable: {0}")]
    Unavailable(String),
}

/// Keeps the latest reference per conversation id. Durable backends come later; keep it narrow.
pub trait ConversationStore: Send + Sync + 'static {
    /// Stores (or replaces) the reference for `reference.conversation.id`.
    fn put(&self, reference: ConversationReference) -> BoxFuture<'_, Result<(), StoreError>>;
    /// The reference stored for `conversation_id`, if any.
    fn get<'a>(
        &'a self,
        conversation_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<ConversationReference>, StoreError>>;
}

/// A process-local store; references are lost on restart.
#[derive(Default)]
pub struct InMemoryConversationStore {
    references: RwLock<HashMap<String, ConversationReference>>,
}

impl ConversationStore for InMemoryConversationStore {
    fn put(&self, reference: ConversationReference) -> BoxFuture<'_, Result<(), StoreError>> {
        let mut references = self.references.write().unwrap_or_else(|p| p.into_inner());
        references.insert(reference.conversation.id.clone(), reference);
        Box::pin(async { Ok(()) })
    }

    fn get<'a>(
        &'a self,
        conversation_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<ConversationReference>, StoreError>> {
        let found = self
            .references
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(conversation_id)
            .cloned();
        Box::pin(async move { Ok(found) })
    }
}
