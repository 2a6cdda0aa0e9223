//! Long-running commands in chat (B5), in channels whose `[access.channels.<key>]` entry sets
//! `long_running = true`: waiters with a live card ([`wait`]) and calls slower than a chat
//! answer ([`slow_call`]), both Running requests whose runner renews a lease, resumed (or
//! called again) by the abandoned-request sweep when their process died, since they only read.
//! This module holds what both share: the 15-minute cap, where a live card is and how it is
//! posted and replaced, and Cancel on a running request.

mod slow_call;
mod wait;

use std::time::Duration;

use super::pending::{Loaded, PendingRequest, RequestState};
use super::{short, update, Inner};
use crate::audit::Outcome as AuditOutcome;
use crate::bot::{MessageRef, Responder, TurnContext};
use crate::common::error_chain;
use crate::render::Card;

pub(super) use slow_call::{DEFAULT_LIVE_AFTER, DEFAULT_LIVE_TICK};

/// The longest a command runs from chat, whatever its waiter allows.
pub const LONG_RUNNING_CAP: Duration = crate::policy::LONG_RUNNING_LIMIT;

impl Inner {
    /// Ends a Running wait or slow read that its requester cancelled (once: compare-and-swap),
    /// audited and in their history; `None` when it had moved on first. Its runner sees the
    /// state at its next step and stops.
    pub(in crate::conversation) async fn cancel_running(
        &self,
        loaded: &Loaded,
        correlation_id: &str,
    ) -> Option<PendingRequest> {
        let cancelled = self
            .claim(loaded, |r| {
                r.state = RequestState::Cancelled;
                r.lease = None;
            })
            .await?;
        if let Err(error) = self.pending.unmark_running(&cancelled.id).await {
            tracing::warn!(error = %error_chain(&error), "running note not removed");
        }
        tracing::info!(request = short(&cancelled.id), "cancelled while running");
        self.audit_unrun(&cancelled, AuditOutcome::Cancelled, correlation_id);
        self.history_unrun(&cancelled, &AuditOutcome::Cancelled)
            .await;
        Some(cancelled)
    }

    /// Posts `card`, the live card of `request`, as the reply to this turn and records where
    /// it is.
    async fn post_live_card(
        &self,
        turn: &TurnContext,
        responder: &Responder,
        request: &PendingRequest,
        card: &Card,
    ) {
        match responder.reply_card(turn.activity(), card.clone()).await {
            Ok(Some(card_ref)) => self.attach_live_card(request, card_ref).await,
            Ok(None) => {}
            Err(error) => {
                tracing::error!(error = %error_chain(&error), card = card.name, "live card could not be sent")
            }
        }
    }

    /// Records where a live card (a wait's, a slow call's) is, for as long as its request
    /// may run.
    pub(in crate::conversation) async fn attach_live_card(
        &self,
        request: &PendingRequest,
        card_ref: MessageRef,
    ) {
        if let Err(error) = self
            .pending
            .set_card(&request.id, &card_ref, request.expires_at_ms)
            .await
        {
            tracing::error!(error = %error_chain(&error), request = short(&request.id), "the live card's place could not be recorded");
        }
    }

    /// Replaces a live card, wherever it was recorded.
    pub(in crate::conversation) async fn update_live_card(
        &self,
        responder: &Responder,
        id: &str,
        card: &Card,
    ) {
        match self.pending.card(id).await {
            Some(target) => update(responder, &target, card.clone()).await,
            None => tracing::warn!(
                request = short(id),
                "the live card's place is unknown; not updated"
            ),
        }
    }
}
