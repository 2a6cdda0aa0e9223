//! Where a channel's notifications go: the channel entry's location in `[access.channels]`
//! and the service URL of a conversation reference the bot stored when it was installed
//! (the channel's own, else its team's, else any of its tenant's: Teams serves a tenant from
//! one service URL).

use super::NotificationHub;
use crate::bot::{ConversationStore, ReferenceIndex};
use crate::common::error_chain;
use crate::policy::config::{AccessConfig, ChannelLocation};
use crate::store::StoreResult;
use crate::teams::{ChannelAccount, ConversationAccount, ConversationReference};

/// Where one channel entry's cards are posted.
#[derive(Debug, Clone)]
pub(super) enum Place {
    /// A channel of a team: each card starts a new thread (create conversation).
    Channel {
        service_url: String,
        tenant_id: String,
        channel_id: String,
        bot: ChannelAccount,
    },
    /// A group chat: cards are messages in the chat.
    Chat {
        reference: Box<ConversationReference>,
    },
}

impl Place {
    /// The conversation a card's clicks come from (before its thread exists: the channel).
    pub(super) fn conversation_id(&self) -> &str {
        match self {
            Place::Channel { channel_id, .. } => channel_id,
            Place::Chat { reference } => &reference.conversation.id,
        }
    }
}

impl NotificationHub {
    /// Where the channel entry `key` posts, or `None` when it is not a team channel or group
    /// chat of the config, or no reference for it (or its team or tenant) is stored yet.
    pub(super) async fn place_of(&self, key: &str) -> Option<Place> {
        match self.inner.authorizer.channel_location(key)? {
            ChannelLocation::TeamsChannel {
                tenant_id,
                team_id,
                channel_id,
            } => {
                let reference = self
                    .reference(&channel_id, team_id.as_deref(), &tenant_id)
                    .await?;
                Some(Place::Channel {
                    service_url: reference.service_url,
                    tenant_id,
                    channel_id,
                    bot: reference.bot,
                })
            }
            ChannelLocation::Chat {
                tenant_id,
                conversation_id,
            } => {
                let mut reference = self.reference(&conversation_id, None, &tenant_id).await?;
                if reference.conversation.id != conversation_id {
                    // The tenant's service URL, addressed to the configured chat.
                    reference.conversation = ConversationAccount {
                        id: conversation_id,
                        conversation_type: Some("groupChat".into()),
                        tenant_id: Some(tenant_id.clone()),
                        is_group: Some(true),
                        name: None,
                    };
                    reference.tenant_id = Some(tenant_id);
                }
                Some(Place::Chat {
                    reference: Box::new(reference),
                })
            }
            // Refused by the config check: there is no one conversation to post to.
            ChannelLocation::PersonalChats { .. } => None,
        }
    }

    /// The stored reference of `conversation_id`, else of its team, else of its tenant.
    async fn reference(
        &self,
        conversation_id: &str,
        team_id: Option<&str>,
        tenant_id: &str,
    ) -> Option<ConversationReference> {
        match stored_reference(
            self.references.as_ref(),
            conversation_id,
            team_id,
            tenant_id,
        )
        .await
        {
            Ok(found) => found,
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "conversation reference could not be read");
                None
            }
        }
    }

    /// Logs every channel a topic maps to that the bot cannot post to yet (not installed in
    /// its team or chat, or not a team channel or group chat), naming it. Run at start-up.
    pub async fn check_references(&self) -> Vec<String> {
        let config = self.config();
        let mut missing = Vec::new();
        for key in config
            .topics
            .values()
            .flat_map(|topic| topic.channels.iter())
        {
            if missing.contains(key) || self.place_of(key).await.is_some() {
                continue;
            }
            tracing::warn!(
                channel = key.as_str(),
                "notifications for this channel cannot be posted yet: the bot has no conversation reference for it (install the app in its team or chat); they are counted as undeliverable until then"
            );
            missing.push(key.clone());
        }
        missing
    }
}

/// The stored reference of `conversation_id`, else of its team, else of its tenant.
async fn stored_reference(
    references: &dyn ConversationStore,
    conversation_id: &str,
    team_id: Option<&str>,
    tenant_id: &str,
) -> StoreResult<Option<ConversationReference>> {
    let lookups = [
        (None, conversation_id),
        (Some(ReferenceIndex::Team), team_id.unwrap_or_default()),
        (Some(ReferenceIndex::Tenant), tenant_id),
    ];
    for (index, key) in lookups {
        if key.is_empty() {
            continue;
        }
        let found = match index {
            None => references.get(key).await?,
            Some(index) => references.find(index, key).await?,
        };
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// The channels `[notifications]` maps a topic to that the bot has no conversation reference
/// for yet (by the same lookup posting uses), in file order: what `check-config` names.
pub async fn channels_without_reference(
    config: &AccessConfig,
    references: &dyn ConversationStore,
) -> StoreResult<Vec<String>> {
    let mut missing: Vec<String> = Vec::new();
    for key in config.notifications.mapped_channels() {
        let found = match config.channel(key).map(|channel| &channel.location) {
            Some(ChannelLocation::TeamsChannel {
                tenant_id,
                team_id,
                channel_id,
            }) => stored_reference(references, channel_id, team_id.as_deref(), tenant_id).await?,
            Some(ChannelLocation::Chat {
                tenant_id,
                conversation_id,
            }) => stored_reference(references, conversation_id, None, tenant_id).await?,
            Some(ChannelLocation::PersonalChats { .. }) | None => None,
        };
        if found.is_none() && !missing.iter().any(|known| known == key) {
            missing.push(key.to_owned());
        }
    }
    Ok(missing)
}
