//! `@aws history` (B6): each person's last commands in a conversation, with their outcomes,
//! kept in the store for a while (30 days unless configured), and Run again. Sensitive
//! parameter values are never stored: they are dropped with the models the way audit records
//! drop them, and Run again asks for them in the form. Run again carries only an entry id,
//! looked up in the clicker's own history, and the command then goes through authorization,
//! the form and the confirmation again as if typed.

use crate::conversation::click::clicked_request;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::pending::{
    is_well_formed, new_request_id, now_millis, StoredInvocation, StoredRequester,
};
use super::stored_list;
use super::{requester_of, ClickOutcome, Continuation, Inner};
use crate::audit::{self, Outcome};
use crate::bot::{Reply, Responder, TurnContext};
use crate::command::{render_command_line, Invocation};
use crate::common::error_chain;
use crate::models::Models;
use crate::render::{self, Card, HistoryRow, HistoryView};
use crate::store::Record;

/// The store namespace of histories, keyed `<conversation>|<user>`.
pub const NAMESPACE: &str = "command-history";
/// How many commands a history keeps per person and conversation.
pub const KEPT: usize = 20;
/// How long a history is kept after its last command, unless configured.
pub const DEFAULT_HISTORY_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Largest command (as stored JSON) kept for Run again; a larger one is kept as text only.
const MAX_KEPT_INVOCATION_BYTES: usize = 8 * 1024;
/// Longest command line kept for the card.
const MAX_COMMAND_LINE_CHARS: usize = 1000;

/// One command in a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Random, what Run again carries.
    pub id: String,
    /// Milliseconds since the epoch.
    pub at_ms: u64,
    /// The command line without the dropped values.
    pub command_line: String,
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The command without the dropped values; `None` when too large to keep.
    pub invocation: Option<StoredInvocation>,
    /// (member, CLI option) of each value dropped as sensitive.
    #[serde(default)]
    pub dropped: Vec<(String, String)>,
}

/// A person's history in one conversation, newest first.
#[derive(Debug, Default, Serialize, Deserialize)]
struct History {
    entries: Vec<HistoryEntry>,
}

/// The store key of the requester's history in this conversation (threads of a channel
/// share it); `None` without a user id.
fn history_key(requester: &StoredRequester) -> Option<String> {
    let conversation = requester
        .who
        .conversation_id
        .split_once(';')
        .map_or(requester.who.conversation_id.as_str(), |(base, _)| base);
    let user = match (&requester.who.user_object_id, &requester.user_id) {
        (Some(object_id), _) => format!("oid:{}", object_id.to_ascii_lowercase()),
        (None, Some(user_id)) => format!("teams:{user_id}"),
        (None, None) => return None,
    };
    Some(format!("{conversation}|{user}"))
}

/// The command without the values audit records drop (the models' sensitive shapes, blobs,
/// secret-sounding names), and (member, option) of each value dropped.
pub fn without_sensitive_values(
    models: &Models,
    invocation: &Invocation,
) -> (Invocation, Vec<(String, String)>) {
    let mut kept = invocation.clone();
    let mut dropped = Vec::new();
    let model = models.service(&invocation.service).ok();
    let options = model.as_ref().and_then(|model| {
        model
            .operations
            .get(&invocation.operation)
            .and_then(|operation| {
                crate::command::command_option_names(
                    model,
                    operation,
                    &invocation.service,
                    &invocation.cli_operation,
                )
            })
    });
    let parameters = audit::audit_parameters(
        models,
        &invocation.service,
        &invocation.operation,
        &invocation.params,
    );
    for parameter in parameters.into_iter().filter(|p| p.redacted) {
        kept.params.shift_remove(&parameter.name);
        let option = options
            .as_ref()
            .and_then(|o| o.get(&parameter.name).cloned())
            .unwrap_or_else(|| parameter.name.clone());
        dropped.push((parameter.name, option));
    }
    (kept, dropped)
}

/// How an outcome reads in the history.
fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Allowed => "succeeded".to_owned(),
        Outcome::Confirmed => "confirmed, succeeded".to_owned(),
        Outcome::Denied { layer, .. } => format!("refused ({layer})"),
        Outcome::Cancelled => "cancelled".to_owned(),
        Outcome::Expired => "expired".to_owned(),
        Outcome::Failed { error } => format!("failed: {}", cut(error, 120)),
        Outcome::TimedOut => "timed out".to_owned(),
        Outcome::OutcomeUnknown => "outcome unknown".to_owned(),
        Outcome::ApprovalRequested => "waiting for approval".to_owned(),
        Outcome::Approved => "approved".to_owned(),
        Outcome::Rejected => "rejected".to_owned(),
    }
}

fn cut(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(chars).collect::<String>())
    }
}

/// `2026-03-01 14:05 UTC`.
fn time_text(at_ms: u64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

impl Inner {
    /// Adds a finished command to its requester's history here. A failure is logged: the
    /// command itself is not affected.
    pub(super) async fn record_history(
        &self,
        requester: &StoredRequester,
        invocation: &Invocation,
        outcome: &Outcome,
        alias: Option<&str>,
    ) {
        let Some(key) = history_key(requester) else {
            return;
        };
        let (kept, dropped) = without_sensitive_values(self.models, invocation);
        let stored = StoredInvocation::from(&kept);
        let small_enough = serde_json::to_vec(&stored)
            .map(|bytes| bytes.len() <= MAX_KEPT_INVOCATION_BYTES)
            .unwrap_or(false);
        let entry = HistoryEntry {
            id: new_request_id(),
            at_ms: now_millis(),
            command_line: cut(
                &render_command_line(&kept, self.models),
                MAX_COMMAND_LINE_CHARS,
            ),
            outcome: outcome_text(outcome),
            alias: alias.map(str::to_owned),
            invocation: small_enough.then_some(stored),
            dropped,
        };
        let ttl = self.history_ttl;
        let updated = stored_list::update(
            self.pending.store().as_ref(),
            NAMESPACE,
            &key,
            |bytes| Record::expiring(bytes, ttl),
            |history: &mut History| {
                history.entries.insert(0, entry.clone());
                history.entries.truncate(KEPT);
                Ok::<(), ()>(())
            },
        )
        .await;
        if let Err(error) = updated {
            tracing::warn!(error = %error_chain(&error), "history not updated");
        }
    }

    /// The requester's history here, newest first.
    async fn history_of(&self, requester: &StoredRequester) -> Vec<HistoryEntry> {
        let Some(key) = history_key(requester) else {
            return Vec::new();
        };
        match stored_list::read::<History>(self.pending.store().as_ref(), NAMESPACE, &key).await {
            Ok(history) => history.entries,
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "history could not be read");
                Vec::new()
            }
        }
    }

    /// The history card of `requester`.
    async fn history_card(&self, requester: &StoredRequester) -> Card {
        let rows = self
            .history_of(requester)
            .await
            .into_iter()
            .map(|entry| HistoryRow {
                time: time_text(entry.at_ms),
                can_run_again: entry.invocation.is_some(),
                command_line: entry.command_line,
                outcome: entry.outcome,
                alias: entry.alias,
                dropped: entry
                    .dropped
                    .into_iter()
                    .map(|(_, option)| option)
                    .collect(),
                id: entry.id,
            })
            .collect();
        render::history(&HistoryView {
            who: requester
                .who
                .user_name
                .clone()
                .unwrap_or_else(|| "Your".to_owned()),
            rows,
            kept_days: self.history_ttl.as_secs().div_ceil(24 * 60 * 60),
        })
    }

    /// `@aws history`: the sender's last commands in this conversation.
    pub(super) async fn on_history(&self, turn: &TurnContext) -> Reply {
        Reply::Card(self.history_card(&requester_of(turn)).await)
    }

    /// Run again on a history entry: found only in the clicker's own history here, then
    /// opened as if typed (authorized again), with a form pre-filled for editing (asking
    /// again for dropped values), or the confirmation of a change without parameters, or the
    /// result of a read without parameters, in a new message.
    pub(super) async fn run_again(
        self: &Arc<Self>,
        turn: &TurnContext,
        data: &Value,
    ) -> ClickOutcome {
        let id = clicked_request(data);
        let requester = requester_of(turn);
        let entry = if is_well_formed(id) {
            self.history_of(&requester)
                .await
                .into_iter()
                .find(|entry| entry.id == id)
        } else {
            None
        };
        let Some(entry) = entry else {
            tracing::info!("run again on an entry not in the clicker's history refused");
            return ClickOutcome::Refuse(
                "This entry is not in your history here, so nothing was run. Only the person who ran a command can run it again from their history; type `@aws history` to see yours."
                    .to_owned(),
            );
        };
        let Some(stored) = entry.invocation else {
            return ClickOutcome::Refuse(
                "This command was too large to keep, so it cannot be run again from here. Type it again."
                    .to_owned(),
            );
        };
        let invocation = stored.to_invocation();
        let dropped: Vec<String> = entry
            .dropped
            .into_iter()
            .map(|(member, _)| member)
            .collect();
        // Anything to edit opens the form; otherwise the command goes on as typed.
        let missing = (!invocation.params.is_empty() || !dropped.is_empty()).then_some(dropped);
        let card = self.history_card(&requester).await;
        let inner = self.clone();
        let alias = entry.alias;
        let then = continue_as_typed(turn, move |turn| async move {
            inner
                .on_command(&turn, invocation, missing, alias.as_deref())
                .await
        });
        ClickOutcome::Update {
            card,
            target: None,
            then: Some(then),
        }
    }
}

/// Work after a click that answers like a typed message would (a new card in the
/// conversation): `work` gets a turn like the click's, with the responder, and its reply is
/// sent.
pub(super) fn continue_as_typed<Work, Done>(turn: &TurnContext, work: Work) -> Continuation
where
    Work: FnOnce(TurnContext) -> Done + Send + 'static,
    Done: std::future::Future<Output = Reply> + Send + 'static,
{
    let activity = Arc::new(turn.activity().clone());
    let correlation_id = turn.correlation_id().to_owned();
    Box::new(move |responder: Responder| {
        Box::pin(async move {
            let incoming = activity.clone();
            let turn = TurnContext::new(activity, correlation_id).with_responder(responder.clone());
            let reply = work(turn).await;
            let sent = match reply {
                Reply::Card(card) => responder.reply_card(&incoming, card).await.map(|_| ()),
                Reply::Text(text) => responder.reply_text(&incoming, &text).await,
                Reply::Nothing => Ok(()),
            };
            if let Err(error) = sent {
                tracing::error!(error = %error_chain(&error), "reply after a click could not be sent");
            }
        })
    })
}
