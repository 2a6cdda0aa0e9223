//! Where conversation references are kept for proactive messages: a narrow trait over the
//! durable [`Store`](crate::store::Store), so the bot asks only for what it needs (put, get,
//! ping) and fails with the store's own [`StoreError`](crate::store::StoreError).

use std::sync::Arc;

use async_trait::async_trait;

use crate::store::{self, MemoryStore, Store, StoreResult};
use crate::teams::ConversationReference;

/// Keeps the latest reference per conversation id.
#[async_trait]
pub trait ConversationStore: Send + Sync + 'static {
    /// Stores (or replaces) the reference for `reference.conversation.id`.
    async fn put(&self, reference: ConversationReference) -> StoreResult<()>;
    /// The reference stored for `conversation_id`, if any.
    async fn get(&self, conversation_id: &str) -> StoreResult<Option<ConversationReference>>;
    /// Answers when the backend is reachable (readiness); reads and changes nothing.
    async fn ping(&self) -> StoreResult<()>;
}

/// The store namespace of conversation references.
pub const CONVERSATIONS_NAMESPACE: &str = "conversation-references";

/// References kept in the durable store (embedded file or Redis): they survive restarts and
/// are shared by replicas. They never expire; a new install event replaces them.
pub struct DurableConversationStore {
    store: Arc<dyn Store>,
}

impl DurableConversationStore {
    pub fn new(store: Arc<dyn Store>) -> Self {
        DurableConversationStore { store }
    }

    /// References in process memory only (lost on restart): a server built without a store.
    pub fn in_memory() -> Self {
        DurableConversationStore::new(Arc::new(MemoryStore::default()))
    }
}

#[async_trait]
impl ConversationStore for DurableConversationStore {
    async fn put(&self, reference: ConversationReference) -> StoreResult<()> {
        let key = reference.conversation.id.clone();
        store::put_json(
            self.store.as_ref(),
            CONVERSATIONS_NAMESPACE,
            &key,
            &reference,
            None,
        )
        .await
    }

    async fn get(&self, conversation_id: &str) -> StoreResult<Option<ConversationReference>> {
        store::get_json(
            self.store.as_ref(),
            CONVERSATIONS_NAMESPACE,
            conversation_id,
        )
        .await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.store.ping().await
    }
}
