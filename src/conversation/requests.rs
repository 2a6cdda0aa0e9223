//! The life of a pending request: opened with its card, its card's place recorded, moved on
//! by compare-and-swap (exactly one click wins), cancelled or expired without running, and
//! the audit record and history entry of a request that ended without running.

use super::pending::{
    new_request_id, now_millis, Loaded, PendingRequest, RequestKind, RequestState, RunLease,
    StoredInvocation, StoredRequester,
};
use super::{already_handled, short, ClickOutcome, Inner};
use crate::audit::{AuditGrant, AuditRecord, Outcome as AuditOutcome};
use crate::bot::{MessageRef, Reply, TurnContext};
use crate::command::Invocation;
use crate::common::error_chain;
use crate::policy::Permit;
use crate::render::{self, Card, Status};

impl Inner {
    /// How long a new request stays open, in whole minutes, as its card says.
    pub(super) fn minutes(&self) -> u64 {
        self.request_ttl.as_secs().div_ceil(60)
    }

    /// A new open request for `invocation`, expiring after the request time-to-live.
    pub(super) fn new_request(
        &self,
        requester: StoredRequester,
        kind: RequestKind,
        invocation: &Invocation,
    ) -> PendingRequest {
        PendingRequest {
            id: new_request_id(),
            requester,
            kind,
            state: RequestState::Open,
            invocation: StoredInvocation::from(invocation),
            expires_at_ms: now_millis() + self.request_ttl.as_millis() as u64,
            lease: None,
            grant: None,
            alias: None,
        }
    }

    /// Stores the request, posts its card, and remembers where the card is.
    pub(super) async fn post_request_card(
        &self,
        turn: &TurnContext,
        request: PendingRequest,
        card: Card,
    ) -> Reply {
        if let Err(error) = self.pending.put(&request).await {
            tracing::error!(error = %error_chain(&error), "pending request not stored");
            return Reply::Card(render::internal_error(turn.correlation_id()));
        }
        tracing::info!(
            request = short(&request.id),
            kind = card.name,
            "request opened"
        );
        let card = match others_line(&request) {
            Some(line) => self.private_card(turn, &request.id, card, &line).await,
            None => card,
        };
        let Some(responder) = turn.responder() else {
            return Reply::Card(card);
        };
        match responder.reply_card(turn.activity(), card).await {
            Ok(Some(card_ref)) => self.attach_card(&request.id, card_ref).await,
            Ok(None) => {}
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "request card could not be sent")
            }
        }
        Reply::Nothing
    }

    /// Records where a request's card is, for updates in place.
    pub(super) async fn attach_card(&self, id: &str, card_ref: MessageRef) {
        let expires_at_ms = now_millis() + self.request_ttl.as_millis() as u64;
        if let Err(error) = self.pending.set_card(id, &card_ref, expires_at_ms).await {
            tracing::error!(error = %error_chain(&error), request = short(id), "the card reference could not be recorded");
        }
    }

    /// Moves a request on with `change`, only if nobody else did first. The new request, or
    /// `None` when another click won (or the store failed, which is logged).
    pub(super) async fn claim(
        &self,
        loaded: &Loaded,
        change: impl FnOnce(&mut PendingRequest),
    ) -> Option<PendingRequest> {
        let mut next = loaded.request.clone();
        change(&mut next);
        let starts_running =
            next.state == RequestState::Running && loaded.request.state != RequestState::Running;
        if starts_running {
            next.lease = Some(RunLease::new(&self.runner, now_millis()));
        }
        match self.pending.transition(loaded, &next).await {
            Ok(true) => {
                if starts_running {
                    if let Err(error) = self.pending.mark_running(&next).await {
                        // The click path still finds it abandoned by its lease; only the sweep
                        // that updates its card without a click misses it.
                        tracing::warn!(error = %error_chain(&error), "running request not noted");
                    }
                }
                Some(next)
            }
            Ok(false) => None,
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "pending request could not be updated");
                None
            }
        }
    }

    /// Claims an open request for running (once), with `invocation` as the command it runs
    /// when a click completed or changed it. `None` when another click won.
    pub(super) async fn claim_running(
        &self,
        loaded: &Loaded,
        invocation: Option<&Invocation>,
    ) -> Option<PendingRequest> {
        let stored = invocation.map(StoredInvocation::from);
        self.claim(loaded, |r| {
            r.state = RequestState::Running;
            if let Some(stored) = stored {
                r.invocation = stored;
            }
        })
        .await
    }

    /// Stores the final state of a claimed request that ran; its lease ends with the run. A
    /// failure is logged: the card still shows the outcome.
    pub(super) async fn store_final_state(&self, claimed: &PendingRequest, state: RequestState) {
        let mut done = claimed.clone();
        done.state = state;
        done.lease = None;
        if let Err(error) = self.pending.put(&done).await {
            tracing::error!(error = %error_chain(&error), "final request state not stored");
        }
    }

    /// A click on a request whose time ran out: marks it Expired (once) and says so on the
    /// card. Nothing runs.
    pub(super) async fn expire(
        &self,
        loaded: &Loaded,
        target: Option<MessageRef>,
        correlation_id: &str,
    ) -> ClickOutcome {
        let text = format!(
            "This request expired after {} without an answer. Nothing was run. Send the command again to start over.",
            minutes(self.minutes())
        );
        let end = Unrun {
            state: RequestState::Expired,
            status: Status::Expired,
            text,
        };
        self.end_unrun(loaded, end, target, correlation_id).await
    }

    /// Cancel on a request's card: marks it Cancelled (once) and says who cancelled it.
    /// Nothing runs.
    pub(super) async fn cancel(
        &self,
        loaded: &Loaded,
        target: Option<MessageRef>,
        correlation_id: &str,
    ) -> ClickOutcome {
        let who = loaded
            .request
            .requester
            .who
            .user_name
            .as_deref()
            .unwrap_or("the requester");
        let text = format!("Cancelled by {who}. Nothing was run.");
        let end = Unrun {
            state: RequestState::Cancelled,
            status: Status::Cancelled,
            text,
        };
        self.end_unrun(loaded, end, target, correlation_id).await
    }

    /// Ends a request without running it: claims the final state (once), audits it as
    /// cancelled or expired and shows the status card; a click that lost the claim is told so.
    async fn end_unrun(
        &self,
        loaded: &Loaded,
        end: Unrun,
        target: Option<MessageRef>,
        correlation_id: &str,
    ) -> ClickOutcome {
        let request = &loaded.request;
        let header = self.header(&request.invocation.to_invocation(), None);
        let state = end.state;
        if self.claim(loaded, |r| r.state = state).await.is_none() {
            return already_handled();
        }
        let outcome = if end.state == RequestState::Expired {
            AuditOutcome::Expired
        } else {
            tracing::info!(request = short(&request.id), "request cancelled");
            AuditOutcome::Cancelled
        };
        self.audit_unrun(request, outcome.clone(), correlation_id);
        self.history_unrun(request, &outcome).await;
        ClickOutcome::Update {
            card: render::status(end.status, &end.text, Some(&header)),
            target,
            then: None,
        }
    }

    /// The audit record of a request that ended without running (cancelled or expired).
    pub(super) fn audit_unrun(
        &self,
        request: &PendingRequest,
        outcome: AuditOutcome,
        correlation_id: &str,
    ) {
        if !request.kind.holds_a_command() {
            return;
        }
        let invocation = request.invocation.to_invocation();
        let mut record = AuditRecord::new(&request.requester.to_requester(), &invocation, outcome)
            .with_correlation_id(correlation_id)
            .with_alias(request.alias.as_deref());
        // A request opened before a permit (an account question) has no grant to name.
        if let Some(grant) = &request.grant {
            record = record.with_permit(grant.clone());
        }
        // A wait cancelled while it polled names its waiter and the calls it made.
        if let RequestKind::Wait(state) = &request.kind {
            record = record.with_wait(&state.waiter, state.progress.attempts);
        }
        self.audit.write(&record);
    }

    /// Adds a request that ended without running (cancelled or expired) to its requester's
    /// history, with the alias it came from. Not a placeholder (see
    /// [`RequestKind::holds_a_command`]), nor a next page: its command is in the history
    /// since its first page.
    pub(super) async fn history_unrun(&self, request: &PendingRequest, outcome: &AuditOutcome) {
        if !request.kind.holds_a_command() || matches!(request.kind, RequestKind::NextPage { .. }) {
            return;
        }
        self.record_history(
            &request.requester,
            &request.invocation.to_invocation(),
            outcome,
            request.alias.as_deref(),
        )
        .await;
    }
}

impl PendingRequest {
    /// The request, keeping the facts of `permit` (channel entry, account, role, region)
    /// for its audit record should it end without running.
    pub(super) fn granted(mut self, permit: &Permit) -> Self {
        self.grant = Some(AuditGrant::from(permit));
        self
    }

    /// The request, remembering the alias its command was expanded from.
    pub(super) fn via_alias(mut self, alias: Option<&str>) -> Self {
        self.alias = alias.map(str::to_owned);
        self
    }
}

/// `1 minute`, `15 minutes`.
pub(super) fn minutes(count: u64) -> String {
    match count {
        1 => "1 minute".to_owned(),
        n => format!("{n} minutes"),
    }
}

/// What everyone but the requester sees of a request's card in a channel (see `views`);
/// `None` for an approval card, whose views are made with it.
fn others_line(request: &PendingRequest) -> Option<String> {
    let who = request.requester.display_name();
    let invocation = request.invocation.to_invocation();
    let command = format!("{} {}", invocation.service, invocation.cli_operation);
    Some(match request.kind {
        RequestKind::Form { .. }
        | RequestKind::SupportForm { .. }
        | RequestKind::AliasForm { .. } => {
            format!("{who} is filling in a form for {command}.")
        }
        RequestKind::Confirm | RequestKind::SupportSummary { .. } => {
            format!("{who} is confirming a change: {command}.")
        }
        RequestKind::AccountChoice { .. } => {
            format!("{who} is choosing an AWS account for {command}.")
        }
        RequestKind::NextPage { .. } => format!("{who} is paging through {command}."),
        RequestKind::Approval { .. } | RequestKind::Wait(_) | RequestKind::SlowRead { .. } => {
            return None
        }
    })
}

/// How a request ends without running: its final state, and the status card's words.
struct Unrun {
    state: RequestState,
    status: Status,
    text: String,
}

#[cfg(test)]
mod tests {
    #[test]
    fn minutes_read_right_in_the_singular_and_the_plural() {
        for (count, expected) in [(1, "1 minute"), (2, "2 minutes"), (15, "15 minutes")] {
            assert_eq!(super::minutes(count), expected);
        }
    }
}
