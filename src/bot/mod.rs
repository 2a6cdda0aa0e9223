//! Turn dispatch: decides what each verified activity means (message, card action, bot added,
//! anything else), acknowledges fast and does slow work on tracked tasks. It never sees HTTP
//! requests or tokens; it receives activities that `http/` and `auth/` already verified.

mod busy;
pub mod handler;
pub mod store;
pub mod text;

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use tracing::Instrument as _;

pub use busy::{BUSY_NOTICE, MAX_TURNS_PER_CONVERSATION};
pub use handler::{
    card_response, error_response, BackgroundSpawner, CardAction, CommandHandler, MessageRef,
    NoCommandHandler, Reply, Responder, TurnContext, NO_COMMAND_ENGINE,
};
pub use store::{ConversationStore, DurableConversationStore, ReferenceIndex};

use crate::common::error_chain;
use crate::render;
use crate::teams::{Activity, ActivityType, Delivered, Delivery, InvokeResponse};

/// Turns that may run at once by default. Beyond this, new activities wait for a free slot
/// (backpressure on the caller) instead of piling up tasks and memory.
pub const DEFAULT_MAX_TURNS_IN_FLIGHT: usize = 256;
/// How long an activity waits for a free turn slot before the bot answers 503.
const TURN_SLOT_WAIT: Duration = Duration::from_secs(5);

/// How long after a welcome card another install event for the same conversation stays quiet.
/// Teams sends both `conversationUpdate` and `installationUpdate` for one install.
const WELCOME_QUIET_PERIOD: Duration = Duration::from_secs(10 * 60);
/// At most this many conversations are remembered as recently welcomed.
const MAX_RECENT_WELCOMES: usize = 4096;

/// What the HTTP layer should answer.
#[derive(Debug, Clone, PartialEq)]
pub enum TurnOutcome {
    /// Accepted; work continues on a task. HTTP 200, empty body.
    Accepted,
    /// Nothing to do for this activity. HTTP 200, empty body.
    Ignored,
    /// An invoke answered synchronously: HTTP 200 with this body.
    Invoke(InvokeResponse),
    /// An invoke this bot does not handle. HTTP 501, as botbuilder answers.
    InvokeNotImplemented,
    /// Every turn slot stayed busy for too long. HTTP 503 with `Retry-After`.
    Overloaded,
    /// Not run: its conversation already has [`MAX_TURNS_PER_CONVERSATION`] turns; the
    /// conversation is told (once while the notice is on its way). HTTP 200, empty body.
    ConversationBusy,
}

/// Counts turns in flight so that shutdown can wait for them, and bounds how many run at once.
struct TurnTracker {
    active: AtomicUsize,
    idle: tokio::sync::Notify,
    slots: Arc<tokio::sync::Semaphore>,
}

struct TurnGuard(
    Arc<TurnTracker>,
    #[allow(dead_code)] Option<tokio::sync::OwnedSemaphorePermit>,
);

impl TurnGuard {
    /// Waits for a free slot; `None` when none came free in time.
    async fn acquire(tracker: &Arc<TurnTracker>) -> Option<Self> {
        let permit = tokio::time::timeout(TURN_SLOT_WAIT, tracker.slots.clone().acquire_owned())
            .await
            .ok()?
            .ok()?;
        tracker.active.fetch_add(1, Ordering::SeqCst);
        Some(TurnGuard(tracker.clone(), Some(permit)))
    }

    /// Tracks work that continues a turn already admitted (it takes no new slot).
    fn continuation(tracker: &Arc<TurnTracker>) -> Self {
        tracker.active.fetch_add(1, Ordering::SeqCst);
        TurnGuard(tracker.clone(), None)
    }
}

impl Drop for TurnGuard {
    fn drop(&mut self) {
        if self.0.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// The bot: dispatches verified activities.
pub struct Bot {
    delivery: Arc<Delivery>,
    store: Arc<dyn ConversationStore>,
    handler: Arc<dyn CommandHandler>,
    turns: Arc<TurnTracker>,
    /// Turn tasks run here (the main runtime), not on an HTTP worker's runtime, so that stopping
    /// the HTTP server does not cancel them.
    runtime: tokio::runtime::Handle,
    recent_welcomes: Mutex<HashMap<String, Instant>>,
    /// The per-conversation bound of turns; `None` when replies are not paced (load tests):
    /// it bounds what one conversation's pacing backlog takes.
    conversation_turns: Option<Arc<busy::ConversationTurns>>,
}

impl Bot {
    /// Must be called inside the Tokio runtime that will run the turns. At most
    /// `max_turns_in_flight` turns run at once.
    pub fn new(
        delivery: Arc<Delivery>,
        store: Arc<dyn ConversationStore>,
        handler: Arc<dyn CommandHandler>,
        max_turns_in_flight: usize,
    ) -> Self {
        let conversation_turns = delivery.is_pacing().then(Arc::default);
        Bot {
            conversation_turns,
            delivery,
            store,
            handler,
            turns: Arc::new(TurnTracker {
                active: AtomicUsize::new(0),
                idle: tokio::sync::Notify::new(),
                slots: Arc::new(tokio::sync::Semaphore::new(max_turns_in_flight.max(1))),
            }),
            runtime: tokio::runtime::Handle::current(),
            recent_welcomes: Mutex::default(),
        }
    }

    /// The conversation store.
    pub fn store(&self) -> &Arc<dyn ConversationStore> {
        &self.store
    }

    /// Message delivery (Connector plus outbox), for proactive messages and its counters.
    pub fn delivery(&self) -> &Arc<Delivery> {
        &self.delivery
    }

    /// Conversations with turns (or a busy notice) in flight: what the per-conversation
    /// bound remembers.
    pub fn conversations_with_turns(&self) -> usize {
        self.conversation_turns
            .as_ref()
            .map_or(0, |turns| turns.tracked())
    }

    /// Turns still running.
    pub fn turns_in_flight(&self) -> usize {
        self.turns.active.load(Ordering::SeqCst)
    }

    /// Waits until no turn is running, or `limit` passes. Returns whether all turns finished.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.turns.idle.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if self.turns.active.load(Ordering::SeqCst) == 0 {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }

    /// What handlers use to post, update and continue work after the turn's answer (and the
    /// handler's background work, outside any turn).
    pub fn responder(&self) -> Responder {
        let tracker = self.turns.clone();
        let runtime = self.runtime.clone();
        let spawner: BackgroundSpawner = Arc::new(move |work| {
            let guard = TurnGuard::continuation(&tracker);
            let span = tracing::Span::current();
            runtime.spawn(
                async move {
                    if AssertUnwindSafe(work).catch_unwind().await.is_err() {
                        tracing::error!("background work of a turn panicked");
                    }
                    drop(guard);
                }
                .instrument(span),
            );
        });
        Responder::new(self.delivery.clone(), spawner)
    }

    /// Dispatches one verified activity. Call inside the turn's tracing span, which carries
    /// `correlation_id` (made with [`new_correlation_id`] before the span).
    ///
    /// The turns' futures are boxed: a future is as large as the largest state of everything it
    /// awaits inline (kilobytes here), and it is moved several times on its way to the
    /// runtime; boxed, each move is a pointer (BENCHMARKS.md, bench-compare, session 13).
    pub async fn on_activity(
        self: &Arc<Self>,
        activity: Activity,
        correlation_id: String,
    ) -> TurnOutcome {
        let activity = Arc::new(activity);
        match &activity.activity_type {
            ActivityType::Message => {
                let conversation = activity.conversation_id().unwrap_or_default();
                let admission = self
                    .conversation_turns
                    .as_ref()
                    .map(|t| t.admit(conversation));
                let slot = match admission {
                    None => None,
                    Some(busy::Admission::Run(slot)) => Some(slot),
                    Some(busy::Admission::NotRunNotify(notice)) => {
                        self.send_busy_notice(activity, notice);
                        return TurnOutcome::ConversationBusy;
                    }
                    Some(busy::Admission::NotRun) => {
                        tracing::warn!("conversation busy; command not run (notice on its way)");
                        return TurnOutcome::ConversationBusy;
                    }
                };
                let turn =
                    TurnContext::new(activity, correlation_id).with_responder(self.responder());
                let bot = self.clone();
                self.spawn_turn(Box::pin(async move {
                    bot.answer_message(turn).await;
                    drop(slot);
                }))
                .await
            }
            ActivityType::Invoke => {
                if activity.name.as_deref() != Some("adaptiveCard/action") {
                    tracing::info!(name = ?activity.name, "invoke not handled");
                    return TurnOutcome::InvokeNotImplemented;
                }
                let turn =
                    TurnContext::new(activity, correlation_id).with_responder(self.responder());
                TurnOutcome::Invoke(Box::pin(self.answer_card_action(&turn)).await)
            }
            ActivityType::ConversationUpdate | ActivityType::InstallationUpdate => {
                Box::pin(self.on_membership(activity, correlation_id)).await
            }
            other => {
                tracing::debug!(activity_type = other.as_str(), "activity ignored");
                TurnOutcome::Ignored
            }
        }
    }

    /// Tells the conversation of `activity` that its command was not run ([`BUSY_NOTICE`]),
    /// after the turn and tracked like one, without a turn slot; `notice` is given back once
    /// the notice is sent or given up.
    fn send_busy_notice(&self, activity: Arc<Activity>, notice: busy::NoticeSlot) {
        tracing::warn!(
            limit = MAX_TURNS_PER_CONVERSATION,
            "conversation busy; command not run, the conversation is told"
        );
        let responder = self.responder();
        responder.clone().spawn(async move {
            if let Err(error) = responder.reply_text(&activity, BUSY_NOTICE).await {
                tracing::error!(error = %error_chain(&error), "busy notice could not be sent");
            }
            drop(notice);
        });
    }

    /// Runs `work` on a tracked task once a turn slot is free.
    async fn spawn_turn(&self, work: impl Future<Output = ()> + Send + 'static) -> TurnOutcome {
        let Some(guard) = TurnGuard::acquire(&self.turns).await else {
            tracing::warn!("all turn slots busy; answering 503");
            return TurnOutcome::Overloaded;
        };
        let span = tracing::Span::current();
        self.runtime.spawn(
            async move {
                if let Err(panic) = AssertUnwindSafe(work).catch_unwind().await {
                    let message = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    tracing::error!(panic = message, "turn panicked");
                }
                drop(guard);
            }
            .instrument(span),
        );
        TurnOutcome::Accepted
    }

    async fn answer_message(&self, turn: TurnContext) {
        let activity = turn.activity();
        // An Action.Submit fallback of our own cards arrives as a message with a `verb` value.
        let submitted_verb = activity
            .value
            .as_ref()
            .and_then(|value| value.get("verb"))
            .and_then(|verb| verb.as_str());
        let raw_text = match (activity.text.as_deref(), submitted_verb) {
            (Some(text), _) if !text.trim().is_empty() => text.to_owned(),
            (_, Some(verb)) => verb.to_owned(),
            _ => String::new(),
        };
        let normalized =
            text::normalize(&raw_text, &activity.entities, activity.recipient.as_ref());

        let reply = AssertUnwindSafe(self.handler.handle(&turn, &normalized))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                tracing::error!("command handler panicked");
                Reply::Card(render::internal_error(turn.correlation_id()))
            });
        let mut outgoing = activity.reply();
        match reply {
            Reply::Nothing => return,
            Reply::Text(text) => outgoing.text = Some(text),
            Reply::Card(card) => outgoing.attachments = vec![card.into_attachment()],
        }
        let started = Instant::now();
        match self.delivery.reply_to(activity, outgoing).await {
            // Debug, not info: a line per turn was a fifteenth of a turn's CPU (BENCHMARKS.md,
            // bench-compare, session 13). Replies sent are counted in `/metrics`; a reply not
            // sent is logged below.
            Ok(Delivered::Sent(sent)) => tracing::debug!(
                reply_id = sent.id,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "reply sent"
            ),
            Ok(Delivered::Queued { reference }) => {
                tracing::warn!(reference, "reply not sent yet; kept in the outbox")
            }
            Err(error) => tracing::error!(error = %error_chain(&error), "reply could not be sent"),
        }
    }

    async fn answer_card_action(&self, turn: &TurnContext) -> InvokeResponse {
        let Some(value) = turn.activity().value.as_ref() else {
            return error_response(400, "BadRequest", "Missing value property");
        };
        let action = value.get("action").cloned().unwrap_or_default();
        if action.get("type").and_then(|t| t.as_str()) != Some("Action.Execute") {
            return error_response(400, "NotSupported", "Only Action.Execute is supported");
        }
        // The welcome card's Help button is the bot's own: answered here, whatever the handler.
        let verb = action
            .get("verb")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if render::Verb::from_card(verb) == Some(render::Verb::Help) {
            return card_response(&render::help(turn.bot_name()));
        }
        let card_action = CardAction {
            verb: verb.to_owned(),
            data: action.get("data").cloned().unwrap_or_default(),
            trigger: value
                .get("trigger")
                .and_then(|t| t.as_str())
                .map(str::to_owned),
        };
        match AssertUnwindSafe(self.handler.handle_card_action(turn, &card_action))
            .catch_unwind()
            .await
        {
            Ok(response) => response,
            Err(_) => {
                tracing::error!(verb = card_action.verb, "card action handler panicked");
                error_response(
                    500,
                    "InternalError",
                    &format!(
                        "Something went wrong on my side (reference {}).",
                        turn.correlation_id()
                    ),
                )
            }
        }
    }

    async fn on_membership(&self, activity: Arc<Activity>, correlation_id: String) -> TurnOutcome {
        let bot_id = activity.recipient.as_ref().map(|bot| bot.id.as_str());
        let installed = match activity.activity_type {
            ActivityType::InstallationUpdate => {
                matches!(
                    activity.action.as_deref(),
                    Some("add") | Some("add-upgrade")
                )
            }
            _ => activity
                .members_added
                .iter()
                .any(|member| Some(member.id.as_str()) == bot_id),
        };
        if !installed {
            return TurnOutcome::Ignored;
        }
        let Some(reference) = activity.conversation_reference() else {
            tracing::warn!("bot added but the activity cannot be addressed; ignored");
            return TurnOutcome::Ignored;
        };
        let conversation_id = reference.conversation.id.clone();
        if let Err(error) = self.store.put(reference).await {
            tracing::error!(error = %error, "conversation reference not stored");
        }
        self.index_reference(&activity, &conversation_id).await;
        if activity.action.as_deref() == Some("add-upgrade")
            || !self.first_welcome(&conversation_id)
        {
            return TurnOutcome::Accepted;
        }
        let delivery = self.delivery.clone();
        self.spawn_turn(async move {
            let mut welcome = activity.reply();
            welcome.reply_to_id = None;
            let bot_name = activity
                .recipient
                .as_ref()
                .and_then(|bot| bot.name.as_deref());
            welcome.attachments = vec![render::welcome(bot_name).to_attachment()];
            match delivery.send_addressed(&welcome).await {
                Ok(Delivered::Sent(_)) => tracing::info!(correlation_id, "welcome card sent"),
                Ok(Delivered::Queued { reference }) => {
                    tracing::warn!(correlation_id, reference, "welcome card kept in the outbox")
                }
                Err(error) => {
                    tracing::error!(error = %error_chain(&error), "welcome card not sent")
                }
            }
        })
        .await
    }

    /// Indexes the conversation by its team (`channelData.team.id` and `.aadGroupId`) and
    /// tenant, so notifications for any channel of the team find the service URL.
    async fn index_reference(&self, activity: &Activity, conversation_id: &str) {
        let team = activity
            .channel_data
            .as_ref()
            .and_then(|data| data.get("team"));
        let group = team
            .and_then(|team| team.get("aadGroupId"))
            .and_then(|id| id.as_str());
        let keys = [
            (ReferenceIndex::Team, activity.team_id()),
            (ReferenceIndex::Team, group),
            (ReferenceIndex::Tenant, activity.tenant_id()),
        ];
        for (index, key) in keys {
            let Some(key) = key else { continue };
            if let Err(error) = self.store.index(index, key, conversation_id).await {
                tracing::error!(error = %error, "conversation reference not indexed");
            }
        }
    }

    /// True when no welcome went to this conversation within the quiet period (and records it).
    fn first_welcome(&self, conversation_id: &str) -> bool {
        let mut recent = self
            .recent_welcomes
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        recent.retain(|_, at| at.elapsed() < WELCOME_QUIET_PERIOD);
        if recent.contains_key(conversation_id) {
            return false;
        }
        if recent.len() >= MAX_RECENT_WELCOMES {
            // More new conversations than any tenant has in ten minutes: forget the oldest
            // rather than grow (at worst a conversation is welcomed twice).
            let oldest = recent
                .iter()
                .min_by_key(|(_, at)| **at)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                recent.remove(&oldest);
            }
        }
        recent.insert(conversation_id.to_owned(), Instant::now());
        true
    }
}

/// A short random id (8 hex digits) shown to users and written in logs.
pub fn new_correlation_id() -> String {
    format!("{:08x}", rand::random::<u32>())
}
