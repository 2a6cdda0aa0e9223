//! Where conversation references are kept for proactive messages: a narrow trait over the
//! durable [`Store`](crate::store::Store), so the bot asks only for what it needs (put, get,
//! ping) and fails with the store's own [`StoreError`](crate::store::StoreError). References are
//! also indexed by team and by tenant, so a notification for a configured channel finds the
//! service URL of the team (or tenant) the bot was installed in.
//!
//! Every notification looks a reference up (its chat, else its team's or tenant's), so the
//! durable store keeps what it read in a bounded in-process cache for
//! [`REFERENCE_CACHE_TTL`]: a reference changes only when the app is installed again, and this
//! process's own writes replace the cached entry at once. Another replica's new install is
//! seen here at most that long after.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

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

/// How long a reference (or its absence) read from the store is used without reading again.
pub const REFERENCE_CACHE_TTL: Duration = Duration::from_secs(30);

/// At most this many lookups are cached (conversations, teams and tenants together): the
/// conversations notifications go to. Writes do not fill it (they invalidate), so a flood of
/// new conversations costs no memory here.
const REFERENCE_CACHE_ENTRIES: usize = 4_096;

/// A cached lookup: a reference by conversation id, or the conversation an index points to.
#[derive(Clone)]
enum Cached {
    Reference(Option<Arc<ConversationReference>>),
    Conversation(Option<String>),
}

/// References kept in the durable store (embedded file or Redis): they survive restarts and
/// are shared by replicas. They never expire; a new install event replaces them.
pub struct DurableConversationStore {
    store: Arc<dyn Store>,
    /// Lookups by store key (`c:<conversation>` or the index key), with when they were read.
    cache: quick_cache::sync::Cache<String, (Instant, Cached)>,
}

impl DurableConversationStore {
    pub fn new(store: Arc<dyn Store>) -> Self {
        DurableConversationStore {
            store,
            cache: quick_cache::sync::Cache::new(REFERENCE_CACHE_ENTRIES),
        }
    }

    fn cached(&self, key: &str) -> Option<Cached> {
        self.cache
            .get(key)
            .filter(|(read_at, _)| read_at.elapsed() < REFERENCE_CACHE_TTL)
            .map(|(_, cached)| cached)
    }

    fn remember(&self, key: String, cached: Cached) {
        self.cache.insert(key, (Instant::now(), cached));
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
        .await?;
        // The next lookup reads what was just written.
        self.cache.remove(&format!("c:{key}"));
        Ok(())
    }

    async fn get(&self, conversation_id: &str) -> StoreResult<Option<ConversationReference>> {
        let key = format!("c:{conversation_id}");
        if let Some(Cached::Reference(found)) = self.cached(&key) {
            return Ok(found.map(|reference| (*reference).clone()));
        }
        let found: Option<ConversationReference> = store::get_json(
            self.store.as_ref(),
            CONVERSATIONS_NAMESPACE,
            conversation_id,
        )
        .await?;
        self.remember(key, Cached::Reference(found.clone().map(Arc::new)));
        Ok(found)
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
        let key = index_key(index, key);
        store::put_json(
            self.store.as_ref(),
            REFERENCE_INDEX_NAMESPACE,
            &key,
            &conversation_id,
            None,
        )
        .await?;
        self.cache.remove(&key);
        Ok(())
    }

    async fn find(
        &self,
        index: ReferenceIndex,
        key: &str,
    ) -> StoreResult<Option<ConversationReference>> {
        let key = index_key(index, key);
        let conversation = match self.cached(&key) {
            Some(Cached::Conversation(conversation)) => conversation,
            _ => {
                let conversation: Option<String> =
                    store::get_json(self.store.as_ref(), REFERENCE_INDEX_NAMESPACE, &key).await?;
                self.remember(key, Cached::Conversation(conversation.clone()));
                conversation
            }
        };
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

    #[tokio::test(start_paused = true)]
    async fn lookups_are_cached_for_the_ttl_and_own_writes_replace_them() {
        let backing: Arc<dyn Store> = Arc::new(MemoryStore::default());
        let store = DurableConversationStore::new(backing.clone());
        let other_replica = DurableConversationStore::new(backing.clone());
        let reads = || async {
            (
                store.get("19:a@thread.v2").await.unwrap().is_some(),
                store
                    .find(ReferenceIndex::Tenant, "t-1")
                    .await
                    .unwrap()
                    .is_some(),
            )
        };
        assert_eq!(reads().await, (false, false));
        // Another replica's install is not seen until the cached absence is older than the TTL.
        other_replica
            .put(reference("19:a@thread.v2"))
            .await
            .unwrap();
        other_replica
            .index(ReferenceIndex::Tenant, "t-1", "19:a@thread.v2")
            .await
            .unwrap();
        assert_eq!(reads().await, (false, false));
        tokio::time::advance(REFERENCE_CACHE_TTL).await;
        assert_eq!(reads().await, (true, true));
        // This process's own writes are seen at once.
        store.put(reference("19:b@thread.v2")).await.unwrap();
        store
            .index(ReferenceIndex::Team, "team-b", "19:b@thread.v2")
            .await
            .unwrap();
        let found = store.find(ReferenceIndex::Team, "TEAM-B").await.unwrap();
        assert_eq!(found.unwrap().conversation.id, "19:b@thread.v2");
    }
}
