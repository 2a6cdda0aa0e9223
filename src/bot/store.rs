//! Where conversation references are kept for proactive messages: the narrow trait, an
//! in-memory implementation and one over the durable [`Store`](crate::store::Store).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

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
    /// Answers when the backend is reachable (readiness); reads and changes nothing.
    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>>;
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

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        // Process memory is always reachable.
        Box::pin(async { Ok(()) })
    }
}

/// The store namespace of conversation references.
pub const CONVERSATIONS_NAMESPACE: &str = "conversation-references";

/// References kept in the durable store (embedded file or Redis): they survive restarts and
/// are shared by replicas. They never expire; a new install event replaces them.
pub struct DurableConversationStore {
    store: Arc<dyn crate::store::Store>,
}

impl DurableConversationStore {
    pub fn new(store: Arc<dyn crate::store::Store>) -> Self {
        DurableConversationStore { store }
    }
}

impl ConversationStore for DurableConversationStore {
    fn put(&self, reference: ConversationReference) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move {
            let key = reference.conversation.id.clone();
            crate::store::put_json(
                self.store.as_ref(),
                CONVERSATIONS_NAMESPACE,
                &key,
                &reference,
                None,
            )
            .await
            .map_err(|error| StoreError::Unavailable(error.to_string()))
        })
    }

    fn get<'a>(
        &'a self,
        conversation_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<ConversationReference>, StoreError>> {
        Box::pin(async move {
            crate::store::get_json(
                self.store.as_ref(),
                CONVERSATIONS_NAMESPACE,
                conversation_id,
            )
            .await
            .map_err(|error| StoreError::Unavailable(error.to_string()))
        })
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move {
            self.store
                .ping()
                .await
                .map_err(|error| StoreError::Unavailable(error.to_string()))
        })
    }
}
