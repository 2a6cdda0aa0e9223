//! Conversations about commands: the [`CommandHandler`] that runs AWS CLI commands from
//! chat. A message is parsed; a complete read runs at once and answers with a result card; a
//! command missing required parameters gets a form; a change gets a confirmation card; `support
//! create-case` gets its own journey. Forms and confirmations are pending requests in the
//! durable store (see [`pending`]), clicked through Action.Execute or its Action.Submit
//! fallback, moved Open → Running → Done/Failed/Cancelled/Expired with compare-and-swap so that
//! they run exactly once, only for the person who started them, and re-authorized on every
//! submission. Cards are updated in place for everyone.
//!
//! This module decides and orchestrates; it never builds card JSON (`render/`), never talks
//! to AWS except through `aws/`, and never logs card payloads or credentials.
//!
//! The map of a conversation, by what comes in:
//! - a typed command → [`message`]: parsed, authorized, then a form, a confirmation, an
//!   account choice or a result; `set default-account` → [`accounts`]; `support create-case`
//!   → [`support`]; parameters for the sender's open form (`function-name x`) →
//!   [`follow_up`];
//! - a click on a card (Action.Execute, or the message of its Action.Submit fallback) →
//!   [`click`]: who may click, which state the request is in, then by verb to [`form`],
//!   [`run`], [`accounts`] or [`support`]; every submission is authorized again
//!   ([`reauthorize`]);
//! - a read or a confirmed change → [`run`]: the "Running…" card, the call ([`paging`] for
//!   one page at a time), the audit record and the result card;
//! - the pending requests themselves (open, store, claim, record the card) → [`requests`];
//!   requests whose runner died → [`abandoned`]; a waiter in a channel that allows
//!   long-running commands, or a slow call there → [`long_running`] (a live card, resumed
//!   after a restart);
//! - the cards' headers and error cards → [`cards`]; help → [`help`]; the resource choices a
//!   form offers → [`resource_choices`].

mod abandoned;
mod accounts;
mod alarm_clicks;
mod alarm_list;
pub mod alarm_records;
mod aliases;
mod approval;
mod cards;
mod charts;
mod click;
mod customized;
mod follow_up;
mod form;
mod help;
pub mod history;
mod logs;
mod long_running;
mod message;
pub mod notifications;
mod paging;
pub mod pending;
mod reauthorize;
mod requests;
mod resource_choices;
mod run;
mod stored_list;
mod support;
mod views;

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::Value;

use crate::audit::AuditLog;
use crate::aws::alarms::AlarmsApi;
use crate::aws::logs::LogsApi;
use crate::aws::support::SupportApi;
use crate::aws::Engine;
use crate::bot::{card_response, CommandHandler, MessageRef, Reply, TurnContext};
use crate::bot::{CardAction, Responder};
use crate::common::error_chain;
use crate::models::Models;
use crate::policy::{Authorizer, Requester};
use crate::render::Card;
use crate::store::Store;
use crate::teams::InvokeResponse;

use pending::{new_request_id, PendingRequests, StoredRequester};

pub use charts::{CHARTS_NAMESPACE, CHART_TTL};
pub use support::support_fields;

/// The chat command flow. Cheap to clone.
#[derive(Clone)]
pub struct Conversations {
    inner: Arc<Inner>,
}

struct Inner {
    models: &'static Models,
    engine: Arc<Engine>,
    support: SupportApi,
    alarms: AlarmsApi,
    logs: LogsApi,
    /// `AWS_CHATOPS_PUBLIC_URL` ending in `/`: charts are served under it when set.
    public_url: Option<String>,
    authorizer: Arc<dyn Authorizer>,
    pending: PendingRequests,
    request_ttl: Duration,
    /// How long a command stays in `@aws history`.
    history_ttl: Duration,
    audit: Arc<AuditLog>,
    /// This runner's name on the requests it claims (see [`pending::RunLease`]).
    runner: String,
    /// Whether cards in channels get user-specific views (see [`views`]).
    user_specific_views: bool,
    /// The sleep between a chat wait's calls, instead of its waiter's delay (tests).
    wait_delay: Option<Duration>,
    /// How long a typed read in a long-running channel may take before its live card, and
    /// how often live cards show the elapsed time (see [`long_running`]).
    live_after: Duration,
    live_tick: Duration,
}

impl Conversations {
    /// Commands run through `engine` as `authorizer` allows; pending requests live in `store`
    /// for `request_ttl`.
    pub fn new(
        engine: Arc<Engine>,
        authorizer: Arc<dyn Authorizer>,
        store: Arc<dyn Store>,
        request_ttl: Duration,
    ) -> Self {
        let support = SupportApi::new(engine.config().clone());
        let alarms = AlarmsApi::new(engine.config().clone());
        let logs = LogsApi::new(engine.config().clone());
        Conversations {
            inner: Arc::new(Inner {
                models: Models::global(),
                engine,
                support,
                alarms,
                logs,
                public_url: None,
                authorizer,
                pending: PendingRequests::new(store),
                request_ttl,
                history_ttl: history::DEFAULT_HISTORY_TTL,
                audit: Arc::new(AuditLog::stdout()),
                runner: new_request_id(),
                user_specific_views: false,
                wait_delay: None,
                live_after: long_running::DEFAULT_LIVE_AFTER,
                live_tick: long_running::DEFAULT_LIVE_TICK,
            }),
        }
    }

    /// Writes the audit records of attempts that got a permit (results, failures, timeouts,
    /// confirmations, cancellations) to `audit`; refusals are written by the authorizer (told
    /// the alias of a command `@aws run` expanded, so that its one record names it).
    /// Records go to standard output unless this is called. Call before sharing.
    pub fn with_audit(mut self, audit: Arc<AuditLog>) -> Self {
        Arc::get_mut(&mut self.inner)
            .expect("with_audit is called before the handler is shared")
            .audit = audit;
        self
    }

    /// Shows a form, confirmation or denial in a channel in full only to its requester, and
    /// an approval card's buttons only to approvers, through Universal Actions' `refresh`
    /// (everyone else sees one line). Off unless this is called. Call before sharing.
    pub fn with_user_specific_views(mut self, enabled: bool) -> Self {
        Arc::get_mut(&mut self.inner)
            .expect("with_user_specific_views is called before the handler is shared")
            .user_specific_views = enabled;
        self
    }

    /// Sleeps `delay` between the calls of a wait in chat instead of its waiter's delay
    /// (20 s for `dynamodb wait table-exists`), so that tests watch a wait in milliseconds.
    /// Call before sharing.
    pub fn with_wait_delay(mut self, delay: Duration) -> Self {
        Arc::get_mut(&mut self.inner)
            .expect("with_wait_delay is called before the handler is shared")
            .wait_delay = Some(delay);
        self
    }

    /// Posts the live card of a slow read in a long-running channel after `after` (10 s
    /// unless this is called) and updates live cards every `tick` (15 s), so that tests see
    /// them in milliseconds. Call before sharing.
    pub fn with_live_timing(mut self, after: Duration, tick: Duration) -> Self {
        let inner = Arc::get_mut(&mut self.inner)
            .expect("with_live_timing is called before the handler is shared");
        inner.live_after = after;
        inner.live_tick = tick;
        self
    }

    /// Keeps commands in `@aws history` for `ttl` (30 days unless this is called). Call
    /// before sharing.
    pub fn with_history_ttl(mut self, ttl: Duration) -> Self {
        Arc::get_mut(&mut self.inner)
            .expect("with_history_ttl is called before the handler is shared")
            .history_ttl = ttl;
        self
    }

    /// Serves alarm charts under `public_url` (`AWS_CHATOPS_PUBLIC_URL`); without it, charts
    /// are inline images or sparklines. Call before sharing.
    pub fn with_public_url(mut self, public_url: Option<&url::Url>) -> Self {
        let base = public_url.map(|url| {
            let text = url.as_str();
            if text.ends_with('/') {
                text.to_owned()
            } else {
                format!("{text}/")
            }
        });
        Arc::get_mut(&mut self.inner)
            .expect("with_public_url is called before the handler is shared")
            .public_url = base;
        self
    }
}

impl Conversations {
    /// One sweep for requests whose runner died (see [`Inner::sweep_abandoned`]); the number
    /// found. The server runs it at start-up and then periodically.
    pub async fn sweep_abandoned(&self, responder: &Responder) -> usize {
        self.inner.sweep_abandoned(responder).await
    }
}

#[async_trait::async_trait]
impl CommandHandler for Conversations {
    fn background(&self, responder: Responder) -> Option<BoxFuture<'static, ()>> {
        let this = self.clone();
        Some(Box::pin(async move {
            loop {
                this.sweep_abandoned(&responder).await;
                tokio::time::sleep(pending::RUN_LEASE / 4).await;
            }
        }))
    }

    async fn handle(&self, turn: &TurnContext, text: &str) -> Reply {
        self.inner.on_message(turn, text).await
    }

    async fn handle_card_action(&self, turn: &TurnContext, action: &CardAction) -> InvokeResponse {
        let outcome = self
            .inner
            .answer_click(turn, &action.verb, &action.data)
            .await;
        match outcome {
            ClickOutcome::Refuse(message) => InvokeResponse {
                status_code: 200,
                response_type: "application/vnd.microsoft.activity.message".into(),
                value: Value::String(message),
            },
            ClickOutcome::ClickerOnly { card, .. } => card_response(&card),
            ClickOutcome::Update { card, target, then } => {
                // The clicker sees the new card at once; everyone else through the update,
                // and the slow part runs after the invoke is answered.
                let response = card_response(&card);
                if let Some(responder) = turn.responder() {
                    let responder_for_task = responder.clone();
                    responder.spawn(async move {
                        if let Some(target) = &target {
                            update(&responder_for_task, target, card).await;
                        }
                        if let Some(then) = then {
                            then(responder_for_task).await;
                        }
                    });
                }
                response
            }
        }
    }
}

/// Work that continues after a click was answered; it updates the card itself.
type Continuation = Box<dyn FnOnce(Responder) -> BoxFuture<'static, ()> + Send>;

/// What a click on a pending request's card leads to (answered as an invoke response, or
/// through card updates and a text reply for the Action.Submit fallback).
enum ClickOutcome {
    /// Nothing changes; the clicker is told why.
    Refuse(String),
    /// The card changes for everyone, and work may continue.
    Update {
        card: Card,
        target: Option<MessageRef>,
        then: Option<Continuation>,
    },
    /// Only the clicker's view changes (a form shown again with what was wrong). An
    /// Action.Submit cannot answer with a card, so there the card is updated for everyone.
    ClickerOnly {
        card: Card,
        target: Option<MessageRef>,
    },
}

/// Replaces the card at `target` for everyone; a failure is logged, not returned. The card is
/// taken so that it is not kept while the update waits for its pacing slot.
async fn update(responder: &Responder, target: &MessageRef, card: Card) {
    let name = card.name;
    if let Err(error) = responder.update_card(target, card).await {
        tracing::error!(error = %error_chain(&error), card = name, "card could not be updated");
    }
}

/// Who sent this turn's activity, in the shape a pending request stores.
fn requester_of(turn: &TurnContext) -> StoredRequester {
    let activity = turn.activity();
    let from = activity.from.as_ref();
    StoredRequester {
        user_id: from.map(|f| f.id.clone()),
        who: Requester {
            user_object_id: from.and_then(|f| f.aad_object_id.clone()),
            user_name: from.and_then(|f| f.name.clone()),
            tenant_id: turn.tenant_id().map(str::to_owned),
            team_id: activity.team_id().map(str::to_owned),
            channel_id: activity.teams_channel_id().map(str::to_owned),
            conversation_id: activity.conversation_id().unwrap_or_default().to_owned(),
            conversation_type: activity
                .conversation
                .as_ref()
                .and_then(|c| c.conversation_type.clone()),
        },
    }
}

/// The refusal of a click that lost the race to another click (or replica).
fn already_handled() -> ClickOutcome {
    ClickOutcome::Refuse("Someone already used this card, so nothing was run again.".to_owned())
}

/// The first characters of a request id, enough to find it in the logs.
fn short(id: &str) -> &str {
    id.get(..6).unwrap_or(id)
}
