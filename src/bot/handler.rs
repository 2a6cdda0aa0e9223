//! The seam where the command engine plugs in: the `CommandHandler` trait, what a turn exposes
//! to it, and the default handler used until the engine exists. Handlers never see HTTP or tokens.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde_json::{json, Value};

use super::text;
use crate::render::{self, Card};
use crate::teams::{Activity, ConversationReference, InvokeResponse};

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
}

impl TurnContext {
    pub fn new(activity: Arc<Activity>, correlation_id: String) -> Self {
        TurnContext {
            activity,
            correlation_id,
        }
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

/// Answers a user's message. The AWS command engine implements this; [`DefaultCommandHandler`]
/// is used until then. Handlers are shared between turns and must be cheap to call concurrently.
pub trait CommandHandler: Send + Sync + 'static {
    /// Handles one message. `text` is already normalised (mention removed, entities decoded,
    /// smart punctuation undone); the raw activity is in `turn`.
    fn handle<'a>(&'a self, turn: &'a TurnContext, text: &'a str) -> BoxFuture<'a, Reply>;

    /// Answers an `Action.Execute`. The result becomes the HTTP 200 body
    /// `{statusCode, type, value}`, so it must come back within Teams' 15 s. The default knows
    /// the `help` verb of the bot's own cards.
    fn handle_card_action<'a>(
        &'a self,
        turn: &'a TurnContext,
        action: &'a CardAction,
    ) -> BoxFuture<'a, InvokeResponse> {
        Box::pin(async move {
            match action.verb.as_str() {
                "help" => card_response(&render::help(turn.bot_name())),
                other => error_response(
                    400,
                    "NotSupported",
                    &format!("The action {other:?} is not known to this bot."),
                ),
            }
        })
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

/// Until the command engine exists: `help` (or an empty message) gets the help card; anything
/// else gets a card showing how the text was read, word by word.
#[derive(Debug, Default, Clone, Copy)]
pub struct DefaultCommandHandler;

impl CommandHandler for DefaultCommandHandler {
    fn handle<'a>(&'a self, turn: &'a TurnContext, text: &'a str) -> BoxFuture<'a, Reply> {
        Box::pin(async move {
            let tokens = text::tokenize(text);
            let is_help = match &tokens {
                Ok(words) => {
                    words.is_empty() || (words.len() == 1 && words[0].eq_ignore_ascii_case("help"))
                }
                Err(_) => false,
            };
            if is_help {
                Reply::Card(render::help(turn.bot_name()))
            } else {
                Reply::Card(render::parsed_text(text, &tokens))
            }
        })
    }
}
