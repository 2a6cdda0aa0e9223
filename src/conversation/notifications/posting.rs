//! Putting cards in front of a channel: a new thread in a Teams channel (Bot Connector create
//! conversation), a message in a group chat, an update in place, and a reply in a card's
//! thread. Paced and retried by `teams`; updates and replies fall back to the outbox, while a
//! new card is posted without it, because its id is needed now to update it later.

use super::routing::Place;
use super::state::ThreadState;
use super::{HubError, NotificationHub};
use crate::bot::MessageRef;
use crate::notify::message::Notification;
use crate::policy::config::NotificationTopic;
use crate::render::{self, Card, NotificationView};
use crate::teams::{
    Activity, ActivityType, ConnectorError, ConversationAccount, ConversationParameters,
};

/// What every step of one notification's delivery to one channel needs.
pub(super) struct Context<'a> {
    /// The channel entry (`[access.channels.<key>]`).
    pub key: &'a str,
    pub place: &'a Place,
    pub topic: &'a NotificationTopic,
    /// The SNS `MessageId`, for the logs.
    pub message_id: &'a str,
    /// More than 10 notifications this minute in the channel: no new cards or replies.
    pub flooded: bool,
}

/// A message activity carrying `card`.
fn card_activity(card: &Card) -> Activity {
    Activity {
        activity_type: ActivityType::Message,
        attachments: vec![card.to_attachment()],
        ..Activity::default()
    }
}

impl NotificationHub {
    /// Posts `card` as a new thread in a channel or a new message in a chat; where it is.
    pub(super) async fn post_card(
        &self,
        place: &Place,
        card: &Card,
    ) -> Result<MessageRef, HubError> {
        match place {
            Place::Channel {
                service_url,
                tenant_id,
                channel_id,
                bot,
            } => {
                let parameters = ConversationParameters::channel_thread(
                    channel_id,
                    tenant_id,
                    Some(bot.clone()),
                    card_activity(card),
                );
                let created = self
                    .delivery
                    .create_thread(service_url, channel_id, &parameters)
                    .await?;
                // `<channel>;messageid=<root>`: the root is the card, when no id is given.
                let activity_id = created
                    .activity_id
                    .clone()
                    .filter(|id| !id.is_empty())
                    .or_else(|| {
                        created
                            .id
                            .split_once(";messageid=")
                            .map(|(_, id)| id.to_owned())
                    })
                    .ok_or(ConnectorError::Unreadable(
                        "create conversation answered without a message id".into(),
                    ))?;
                Ok(MessageRef {
                    service_url: service_url.clone(),
                    channel_id: Some("msteams".into()),
                    conversation: ConversationAccount {
                        id: created.id,
                        conversation_type: Some("channel".into()),
                        tenant_id: Some(tenant_id.clone()),
                        is_group: Some(true),
                        name: None,
                    },
                    bot: Some(bot.clone()),
                    activity_id,
                })
            }
            Place::Chat { reference } => {
                let mut activity = reference.message();
                activity.attachments = vec![card.to_attachment()];
                let sent = self.delivery.send_now(&activity).await?;
                if sent.id.is_empty() {
                    return Err(ConnectorError::Unreadable(
                        "the Connector answered without a message id".into(),
                    )
                    .into());
                }
                Ok(MessageRef {
                    service_url: reference.service_url.clone(),
                    channel_id: Some(reference.channel_id.clone()),
                    conversation: reference.conversation.clone(),
                    bot: Some(reference.bot.clone()),
                    activity_id: sent.id,
                })
            }
        }
    }

    /// Replaces the card at `target` for everyone.
    pub(super) async fn update_card(
        &self,
        target: &MessageRef,
        card: &Card,
    ) -> Result<(), HubError> {
        self.responder.update_card(target, card.clone()).await?;
        Ok(())
    }

    /// Posts in the thread (or chat) of the card at `target`: the state change line of an
    /// alarm, or the card of another custom notification of the thread.
    pub(super) async fn thread_reply(
        &self,
        target: &MessageRef,
        state: &ThreadState,
        notification: &Notification,
    ) -> Result<(), HubError> {
        let mut activity = Activity {
            activity_type: ActivityType::Message,
            service_url: Some(target.service_url.clone()),
            channel_id: target.channel_id.clone(),
            conversation: Some(target.conversation.clone()),
            from: target.bot.clone(),
            ..Activity::default()
        };
        match notification {
            Notification::Alarm(alarm) => {
                activity.text = Some(render::state_change_text(
                    alarm.old_state,
                    alarm.new_state,
                    alarm.changed_at_millis,
                ));
            }
            other => {
                let card = single_card(&state.topic, other);
                activity.attachments = vec![card.into_attachment()];
            }
        }
        self.delivery.send_addressed(&activity).await?;
        Ok(())
    }

    /// A notification without a thread (an event, plain text): a card of its own.
    pub(super) async fn post_single(
        &self,
        place: &Place,
        topic: &NotificationTopic,
        notification: &Notification,
    ) -> Result<MessageRef, HubError> {
        self.post_card(place, &single_card(&topic.name, notification))
            .await
    }
}

/// The card of a notification without buttons (events, custom notifications, text).
fn single_card(topic: &str, notification: &Notification) -> Card {
    render::notification(&NotificationView {
        notification,
        topic,
        charts: &[],
        buttons: &[],
        acknowledged_by: None,
        history: &[],
    })
}
