//! Where conversation references are kept for proactive messages: a narrow trait over the
//! durable [`Store`](crate::store::Store), so the bot asks only for what it needs (put, get,
//! ping) and fails with the store's own [`StoreError`](crate::store::StoreError). References are
//! also indexed by team and by tenant, so a notification for a configured channel finds the
//! service URL of the team (or tenant) the bot was installed in.

use std::sync::Arc;

use async_trait::async_trait;

use crate::store::{self, MemoryStore, Store, StoreResult};
use crate::teams::ConversationReference;

/// What a reference can be found by, besides its conversation id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceIndex {
    /// A team: `channelData.team.id` (`19:…@thread.tacv2`) or `team.aadGroupId` (a GUID).
    Team,
    /// A tenant: any conversation of the tenant carries its service URL.
    Tenant,
}

impl ReferenceIndex {
    fn prefix(self) -> &'static str {
        match self {
            ReferenceIndex::Team => "team",
            ReferenceIndex::Tenant => "tenant",
        }
    }
}

/// Keeps the latest reference per conversation id.
#[async_trait]
pub trait ConversationStore: Send + Sync + 'static {
    /// Stores (or replaces) the reference for `reference.conversation.id`.
    async fn put(&self, reference: ConversationReference) -> StoreResult<()>;
    /// The reference stored for `conversation_id`, if any.
    async fn get(&self, conversation_id: &str) -> StoreResult<Option<ConversationReference>>;
    /// Answers when the backend is reachable (readiness); reads and changes nothing.
    async fn ping(&self) -> StoreResult<()>;

    /// Notes that `key` (a team or tenant id, compared ignoring case) was last seen in the
    /// conversation `conversation_id`. Stores without indexes ignore it.
    async fn index(
        &self,
        _index: ReferenceIndex,
        _key: &str,
        _conversation_id: &str,
    ) -> StoreResult<()> {
        Ok(())
    }

    /// The reference of the conversation `key` was last seen in, if any.
    async fn find(
        &self,
        _index: ReferenceIndex,
        _key: &str,
    ) -> StoreResult<Option<ConversationReference>> {
        Ok(None)
    }
}

/// The store namespace of the team and tenant indexes of conversation references.
pub const REFERENCE_INDEX_NAMESPACE: &str = "conversation-reference-index";

fn index_key(index: ReferenceIndex, key: &str) -> String {
    format!("{}:{}", index.prefix(), key.trim().to_ascii_lowercase())
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

    async fn index(
        &self,
        index: ReferenceIndex,
        key: &str,
        conversation_id: &str,
    ) -> StoreResult<()> {
        if key.trim().is_empty() {
            return Ok(());
        }
        store::put_json(
            self.store.as_ref(),
            REFERENCE_INDEX_NAMESPACE,
            &index_key(index, key),
            &conversation_id,
            None,
        )
        .await
    }

    async fn find(
        &self,
        index: ReferenceIndex,
        key: &str,
    ) -> StoreResult<Option<ConversationReference>> {
        let conversation: Option<String> = store::get_json(
            self.store.as_ref(),
            REFERENCE_INDEX_NAMESPACE,
            &index_key(index, key),
        )
        .await?;
        match conversation {
            Some(conversation) => self.get(&conversation).await,
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::teams::{ChannelAccount, ConversationAccount};

    fn reference(conversation: &str) -> ConversationReference {
        ConversationReference {
            service_url: "https://smba.trafficmanager.net/emea/".into(),
            channel_id: "msteams".into(),
            conversation: ConversationAccount {
                id: conversation.into(),
                ..ConversationAccount::default()
            },
            bot: ChannelAccount::default(),
            user: None,
            tenant_id: None,
            team_id: None,
            teams_channel_id: None,
            activity_id: None,
        }
    }

    #[tokio::test]
    async fn references_are_found_by_team_and_tenant_ignoring_case() {
        let store = DurableConversationStore::in_memory();
        store
            .put(reference("19:general@thread.tacv2"))
            .await
            .unwrap();
        store
            .index(ReferenceIndex::Team, "ABC-1", "19:general@thread.tacv2")
            .await
            .unwrap();
        store
            .index(ReferenceIndex::Tenant, "T-1", "19:general@thread.tacv2")
            .await
            .unwrap();
        for (index, key) in [
            (ReferenceIndex::Team, "abc-1"),
            (ReferenceIndex::Tenant, "t-1"),
        ] {
            let found = store.find(index, key).await.unwrap().expect("indexed");
            assert_eq!(found.conversation.id, "19:general@thread.tacv2");
        }
        assert_eq!(store.find(ReferenceIndex::Team, "t-1").await.unwrap(), None);
        assert_eq!(
            store.find(ReferenceIndex::Tenant, "other").await.unwrap(),
            None
        );
    }
}
