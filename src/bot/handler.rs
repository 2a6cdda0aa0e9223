//! The seam where the command engine plugs in: the `CommandHandler` trait, what a turn exposes
//! to it, and the handler of a server without a command engine. Handlers never see HTTP or
//! tokens.

use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::render::{self, Card};
use crate::teams::{
    Activity, ActivityType, ChannelAccount, ConnectorError, ConversationAccount,
    ConversationReference, Delivered, Delivery, InvokeResponse,
};

/// Where a message the bot sent lives, so that it can be updated in place later (also after a
/// restart: it is plain data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRef {
    pub service_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    pub conversation: ConversationAccount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<ChannelAccount>,
    pub activity_id: String,
}

impl MessageRef {
    /// The message `activity_id` in the conversation of `activity`.
    pub fn in_conversation_of(activity: &Activity, activity_id: &str) -> Option<MessageRef> {
        Some(MessageRef {
            service_url: activity.service_url.clone()?,
            channel_id: activity.channel_id.clone(),
            conversation: activity.conversation.clone()?,
            bot: activity.recipient.clone(),
            activity_id: activity_id.to_owned(),
        })
    }
}

/// Runs work after the turn's answer is sent, tracked so that shutdown waits for it.
pub type BackgroundSpawner = Arc<dyn Fn(BoxFuture<'static, ()>) + Send + Sync>;

/// How a handler talks beyond its one reply: posts cards (and learns their ids), updates them
/// in place for everyone, and runs work that must outlive an invoke's 15 s answer. A message
/// the Connector cannot take now goes to the outbox; that counts as success here (it is logged).
#[derive(Clone)]
pub struct Responder {
    delivery: Arc<Delivery>,
    spawner: BackgroundSpawner,
}

/// Logs a message that went to the outbox instead of the conversation.
fn note_queued(delivered: &Delivered, what: &str) {
    if let Delivered::Queued { reference } = delivered {
        tracing::warn!(reference, what, "not sent yet; kept in the outbox");
    }
}

impl Responder {
    pub fn new(delivery: Arc<Delivery>, spawner: BackgroundSpawner) -> Self {
        Responder { delivery, spawner }
    }

    /// Replies to `incoming` with `card`; the new message's reference, for later updates
    /// (`None` when the Connector gave no id, or the card waits in the outbox). The card is
    /// taken, not copied, as in [`Responder::update_card`].
    pub async fn reply_card(
        &self,
        incoming: &Activity,
        card: Card,
    ) -> Result<Option<MessageRef>, ConnectorError> {
        let mut reply = incoming.reply();
        reply.attachments = vec![card.into_attachment()];
        let delivered = self.delivery.reply_to(incoming, reply).await?;
        note_queued(&delivered, "card reply");
        Ok(delivered.sent().and_then(|sent| {
            MessageRef::in_conversation_of(incoming, &sent.id).filter(|r| !r.activity_id.is_empty())
        }))
    }

    /// Replies to `incoming` with plain text.
    pub async fn reply_text(&self, incoming: &Activity, text: &str) -> Result<(), ConnectorError> {
        let mut reply = incoming.reply();
        reply.text = Some(text.to_owned());
        let delivered = self.delivery.reply_to(incoming, reply).await?;
        note_queued(&delivered, "text reply");
        Ok(())
    }

    /// Replaces the message `target` with `card` for everyone in the conversation. The card
    /// is taken, not copied: nothing keeps its tree of values while the update waits for its
    /// pacing slot (see `Delivery::update`).
    pub async fn update_card(&self, target: &MessageRef, card: Card) -> Result<(), ConnectorError> {
        let update = Activity {
            activity_type: ActivityType::Message,
            id: Some(target.activity_id.clone()),
            service_url: Some(target.service_url.clone()),
            channel_id: target.channel_id.clone(),
            conversation: Some(target.conversation.clone()),
            from: target.bot.clone(),
            attachments: vec![card.into_attachment()],
            ..Activity::default()
        };
        let delivered = self
            .delivery
            .update(
                &target.service_url,
                &target.conversation.id,
                &target.activity_id,
                update,
            )
            .await?;
        note_queued(&delivered, "card update");
        Ok(())
    }

    /// Runs `work` after the turn, tracked like a turn.
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        (self.spawner)(Box::pin(work));
    }

    /// Runs `work` that may take many minutes (a long-running wait) on the current runtime,
    /// not tracked as a turn: it holds no turn slot, and a shutdown does not wait for it (its
    /// lease runs out and the next process resumes it).
    pub fn spawn_long(&self, work: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(async move {
            if futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(work))
                .await
                .is_err()
            {
                tracing::error!("long-running work panicked");
            }
        });
    }
}

/// What the bot says back to a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// One Adaptive Card.
    Card(Card),
    /// Plain text (markdown as Teams renders it).
    Text(String),
    /// Say nothing.
    Nothing,
}

/// An `Action.Execute` from an Adaptive Card (`invoke` named `adaptiveCard/action`).
#[derive(Debug, Clone, PartialEq)]
pub struct CardAction {
    pub verb: String,
    /// The action's `data` merged with the card's input values.
    pub data: Value,
    /// `manual` for a click, `automatic` for a refresh.
    pub trigger: Option<String>,
}

/// What a handler knows about the turn it serves.
#[derive(Debug, Clone)]
pub struct TurnContext {
    activity: Arc<Activity>,
    correlation_id: String,
    responder: Option<Responder>,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Responder")
    }
}

impl TurnContext {
    pub fn new(activity: Arc<Activity>, correlation_id: String) -> Self {
        TurnContext {
            activity,
            correlation_id,
            responder: None,
        }
    }

    /// The same turn, able to post and update messages through `responder`.
    pub fn with_responder(mut self, responder: Responder) -> Self {
        self.responder = Some(responder);
        self
    }

    /// Posts and updates messages; the bot always provides one, tests may not.
    pub fn responder(&self) -> Option<&Responder> {
        self.responder.as_ref()
    }

    /// The verified inbound activity.
    pub fn activity(&self) -> &Activity {
        &self.activity
    }

    /// A short id that ties this turn's logs to what the user sees in error cards.
    pub fn correlation_id(&self) -> &str {
        &self.correlation_id
    }

    /// The Teams tenant id.
    pub fn tenant_id(&self) -> Option<&str> {
        self.activity.tenant_id()
    }

    /// The sender's Entra object id, the identity roles are mapped from.
    pub fn user_aad_object_id(&self) -> Option<&str> {
        self.activity
            .from
            .as_ref()
            .and_then(|from| from.aad_object_id.as_deref())
    }

    /// The conversation id.
    pub fn conversation_id(&self) -> Option<&str> {
        self.activity.conversation_id()
    }

    /// The bot's display name in this conversation.
    pub fn bot_name(&self) -> Option<&str> {
        self.activity
            .recipient
            .as_ref()
            .and_then(|bot| bot.name.as_deref())
    }

    /// A reference to this conversation, for later proactive messages.
    pub fn conversation_reference(&self) -> Option<ConversationReference> {
        self.activity.conversation_reference()
    }
}

/// Answers a user's message. The AWS command engine implements this; a server built without one
/// uses [`NoCommandHandler`]. Handlers are shared between turns and must be cheap to call concurrently.
#[async_trait::async_trait]
pub trait CommandHandler: Send + Sync + 'static {
    /// Handles one message. `text` is already normalised (mention removed, entities decoded,
    /// smart punctuation undone); the raw activity is in `turn`.
    async fn handle(&self, turn: &TurnContext, text: &str) -> Reply;

    /// Answers an `Action.Execute` on a card the handler sent (the bot answers the `help`
    /// verb of its own cards itself). The result becomes the HTTP 200 body
    /// `{statusCode, type, value}`, so it must come back within Teams' 15 s. The default knows
    /// no verb.
    async fn handle_card_action(&self, _turn: &TurnContext, action: &CardAction) -> InvokeResponse {
        error_response(
            400,
            "NotSupported",
            &format!("The action {:?} is not known to this bot.", action.verb),
        )
    }

    /// Work the handler runs for as long as the server does (recovering requests whose
    /// runner died, for example), given a responder to update cards outside any turn. The
    /// server starts it once and stops it at shutdown.
    fn background(&self, _responder: Responder) -> Option<BoxFuture<'static, ()>> {
        None
    }
}

/// The invoke response that replaces the clicked card with `card` for the clicking user.
pub fn card_response(card: &Card) -> InvokeResponse {
    InvokeResponse {
        status_code: 200,
        response_type: render::ADAPTIVE_CARD_CONTENT_TYPE.into(),
        value: card.content.clone(),
    }
}

/// An invoke error response (`application/vnd.microsoft.error`).
pub fn error_response(status_code: u16, code: &str, message: &str) -> InvokeResponse {
    InvokeResponse {
        status_code,
        response_type: "application/vnd.microsoft.error".into(),
        value: json!({"code": code, "message": message}),
    }
}

/// What a server without a command engine says to a message that is not a request for help.
pub const NO_COMMAND_ENGINE: &str =
    "No command engine is configured on this server, so nothing was run.";

/// The handler of a server built without a command engine (`ServerBuilder::new` until
/// `command_handler` is called): `help` or an empty message gets the help card; anything else
/// gets [`NO_COMMAND_ENGINE`]. It runs nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoCommandHandler;

#[async_trait::async_trait]
impl CommandHandler for NoCommandHandler {
    async fn handle(&self, turn: &TurnContext, text: &str) -> Reply {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("help") {
            Reply::Card(render::help(turn.bot_name()))
        } else {
            Reply::Text(NO_COMMAND_ENGINE.to_owned())
        }
    }
}
