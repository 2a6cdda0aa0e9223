//! Slow calls in channels that let commands run long (B5, `long_running = true`): there a
//! call may take up to 15 minutes instead of 15 seconds (the permit carries the limit to the
//! engine). A typed read that has not answered after [`Inner::live_after`] becomes a Running
//! request with a live card (elapsed time, Cancel); the call goes on outside the turn, the
//! card is updated every [`Inner::live_tick`] and replaced by the result. Its runner renews
//! its lease at every update; when the process dies, the sweep calls the read again (it only
//! reads). A click-started run (a confirmed change, a submitted form) keeps its "Running…"
//! card, and while its call runs the card shows the elapsed time and the lease is renewed, so
//! a slow change is never taken for one whose runner died; a change cannot be called back, so
//! it has no Cancel, and if its runner dies its outcome is unknown, as for any change.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::bot::{MessageRef, Reply, Responder, TurnContext};
use crate::command::Invocation;
use crate::common::error_chain;
use crate::conversation::paging::PageAt;
use crate::conversation::pending::{
    now_millis, Loaded, PendingRequest, RequestKind, RequestState, RunLease, StoredRequester,
    RUN_LEASE,
};
use crate::conversation::run::CallToRender;
use crate::conversation::{already_handled, short, update, ClickOutcome, Inner};
use crate::policy::{Permit, LONG_RUNNING_LIMIT};
use crate::render::{self, Card, SlowCallView};

/// How long a typed read in a long-running channel may take before its live card is posted.
pub const DEFAULT_LIVE_AFTER: Duration = Duration::from_secs(10);
/// How often a live card shows the elapsed time (and its runner renews its lease).
pub const DEFAULT_LIVE_TICK: Duration = Duration::from_secs(15);

/// What a finished call left: its card and the request of its next page, if any.
type Rendered = (Card, Option<String>);

impl Inner {
    /// A typed read in a channel that lets commands run long: answered as usual when the call
    /// ends within [`Inner::live_after`]; otherwise a live card now and the result on it later.
    pub(in crate::conversation) async fn run_read_that_may_be_slow(
        self: &Arc<Self>,
        turn: &TurnContext,
        requester: StoredRequester,
        invocation: Invocation,
        permit: Permit,
        alias: Option<&str>,
    ) -> Reply {
        let (call, mut result) = self.spawn_read(
            requester.clone(),
            invocation.clone(),
            permit.clone(),
            turn.correlation_id().to_owned(),
            alias.map(str::to_owned),
        );
        match tokio::time::timeout(self.live_after, &mut result).await {
            Ok(Ok((card, next_request))) => {
                return self.reply_with_result(turn, card, next_request).await
            }
            Ok(Err(_)) => return Reply::Card(render::internal_error(turn.correlation_id())),
            Err(_) => {}
        }
        let Some(responder) = turn.responder().cloned() else {
            // Without a connector to update a card later, the answer waits for the call.
            return match result.await {
                Ok((card, _)) => Reply::Card(card),
                Err(_) => Reply::Card(render::internal_error(turn.correlation_id())),
            };
        };
        let now = now_millis();
        let mut request = self
            .new_request(
                requester,
                RequestKind::SlowRead { started_at_ms: now },
                &invocation,
            )
            .granted(&permit)
            .via_alias(alias);
        request.state = RequestState::Running;
        request.expires_at_ms = now + LONG_RUNNING_LIMIT.as_millis() as u64;
        request.lease = Some(self.live_lease(now));
        if let Err(error) = self.pending.put(&request).await {
            tracing::error!(error = %error_chain(&error), "slow read not stored; it answers when it ends");
            return match result.await {
                Ok((card, next)) => self.reply_with_result(turn, card, next).await,
                Err(_) => Reply::Card(render::internal_error(turn.correlation_id())),
            };
        }
        if let Err(error) = self.pending.mark_running(&request).await {
            tracing::warn!(error = %error_chain(&error), "running slow read not noted");
        }
        tracing::info!(request = short(&request.id), "slow read: live card");
        let card = self.slow_read_card(&request, None, Some(&permit));
        self.post_live_card(turn, &responder, &request, &card).await;
        let runner = self.clone();
        let id = request.id.clone();
        let for_task = responder.clone();
        responder.spawn_long(async move {
            runner
                .finish_slow_read(for_task, id, call, result, Some(permit))
                .await
        });
        Reply::Nothing
    }

    /// Calls the read again for a slow read whose runner died (its lease ran out): claims
    /// it with a new lease (once) and finishes it here. False when another process got there
    /// first.
    pub(in crate::conversation) async fn resume_slow_read(
        self: &Arc<Self>,
        loaded: &Loaded,
        responder: &Responder,
    ) -> bool {
        let lease = self.live_lease(now_millis());
        let Some(claimed) = self.claim(loaded, |r| r.lease = Some(lease)).await else {
            return false;
        };
        tracing::info!(
            request = short(&claimed.id),
            "calling a slow read again: its runner stopped"
        );
        let runner = self.clone();
        let for_task = responder.clone();
        responder.spawn_long(async move {
            let invocation = claimed.invocation.to_invocation();
            let correlation_id = crate::bot::new_correlation_id();
            let permit = match runner.reauthorize_running(&claimed, &invocation).await {
                Ok(permit) => permit,
                Err(denial) => {
                    runner
                        .end_slow_read(&for_task, &claimed.id, denial, None)
                        .await;
                    return;
                }
            };
            let (call, result) = runner.spawn_read(
                claimed.requester.clone(),
                invocation,
                permit.clone(),
                correlation_id,
                claimed.alias.clone(),
            );
            runner
                .finish_slow_read(for_task, claimed.id.clone(), call, result, Some(permit))
                .await
        });
        true
    }

    /// Cancel on a slow read's live card (the requester's, as every click is checked): ends
    /// it once; its runner stops the call at its next tick.
    pub(in crate::conversation) async fn cancel_slow_read(
        &self,
        loaded: &Loaded,
        target: Option<MessageRef>,
        correlation_id: &str,
    ) -> ClickOutcome {
        let Some(cancelled) = self.cancel_running(loaded, correlation_id).await else {
            return already_handled();
        };
        let by = cancelled.requester.display_name().to_owned();
        ClickOutcome::Update {
            card: self.slow_read_card(&cancelled, Some(by), None),
            target,
            then: None,
        }
    }

    /// Runs `work` (a click-started call and its card) for a Running request `claimed` while
    /// the card shows the elapsed time and the lease is renewed every tick: a slow change is
    /// never taken for one whose runner died. Only in a channel that lets commands run long;
    /// elsewhere `work` runs as it is.
    pub(in crate::conversation) async fn with_live_ticks<T>(
        &self,
        permit: &Permit,
        claimed: &PendingRequest,
        responder: &Responder,
        target: Option<&MessageRef>,
        work: impl Future<Output = T>,
    ) -> T {
        if !permit.long_running() {
            return work.await;
        }
        tokio::pin!(work);
        let started = now_millis();
        loop {
            tokio::select! {
                done = &mut work => return done,
                _ = tokio::time::sleep(self.live_tick) => {
                    let lease = self.live_lease(now_millis());
                    if let Ok(Some(loaded)) = self.pending.load(&claimed.id).await {
                        if loaded.request.state == RequestState::Running {
                            self.claim(&loaded, |r| r.lease = Some(lease)).await;
                        }
                    }
                    if let Some(target) = target {
                        let card = self.slow_card(claimed, started, None, Some(permit), false);
                        update(responder, target, card).await;
                    }
                }
            }
        }
    }

    /// Starts the call of a read outside the turn; its task, and where its card arrives.
    fn spawn_read(
        self: &Arc<Self>,
        requester: StoredRequester,
        invocation: Invocation,
        permit: Permit,
        correlation_id: String,
        alias: Option<String>,
    ) -> (tokio::task::AbortHandle, oneshot::Receiver<Rendered>) {
        let (sender, receiver) = oneshot::channel();
        let inner = self.clone();
        let task = tokio::spawn(async move {
            let rendered = inner
                .call_and_render(CallToRender {
                    requester: &requester,
                    invocation: &invocation,
                    permit: &permit,
                    page: PageAt::first(),
                    correlation_id: &correlation_id,
                    reuse_request: None,
                    confirmed: false,
                    approver: None,
                    alias: alias.as_deref(),
                })
                .await;
            let _ = sender.send(rendered);
        });
        (task.abort_handle(), receiver)
    }

    /// Waits for a slow read's card while updating its live card every tick; stops the call
    /// when the request was cancelled (or taken over), and shows the result when it ends.
    async fn finish_slow_read(
        self: Arc<Self>,
        responder: Responder,
        id: String,
        call: tokio::task::AbortHandle,
        mut result: oneshot::Receiver<Rendered>,
        permit: Option<Permit>,
    ) {
        let mut showed_progress = false;
        loop {
            tokio::select! {
                rendered = &mut result => {
                    let card = match rendered {
                        Ok((card, next_request)) => {
                            if let (Some(next), Some(target)) = (next_request, self.pending.card(&id).await) {
                                self.attach_card(&next, target).await;
                            }
                            card
                        }
                        Err(_) => render::internal_error(&crate::bot::new_correlation_id()),
                    };
                    self.end_slow_read(&responder, &id, card, Some(RequestState::Done)).await;
                    return;
                }
                _ = tokio::time::sleep(self.live_tick) => {
                    let loaded = match self.pending.load(&id).await {
                        Ok(Some(loaded)) => loaded,
                        _ => continue,
                    };
                    let request = &loaded.request;
                    let ours = request.lease.as_ref().is_some_and(|l| l.owner == self.runner);
                    if request.state != RequestState::Running || !ours {
                        call.abort();
                        if showed_progress && request.state == RequestState::Cancelled {
                            let by = request.requester.display_name().to_owned();
                            let card = self.slow_read_card(request, Some(by), None);
                            self.update_live_card(&responder, &id, &card).await;
                        }
                        return;
                    }
                    let lease = self.live_lease(now_millis());
                    if let Some(renewed) = self.claim(&loaded, |r| r.lease = Some(lease)).await {
                        let card = self.slow_read_card(&renewed, None, permit.as_ref());
                        self.update_live_card(&responder, &id, &card).await;
                        showed_progress = true;
                    }
                }
            }
        }
    }

    /// Ends slow read `id` (once: compare-and-swap) with `card` on its card; `state` Done, or
    /// Failed when `None` (a denial).
    async fn end_slow_read(
        &self,
        responder: &Responder,
        id: &str,
        card: Card,
        state: Option<RequestState>,
    ) {
        let Ok(Some(loaded)) = self.pending.load(id).await else {
            return;
        };
        if loaded.request.state != RequestState::Running {
            return;
        }
        let state = state.unwrap_or(RequestState::Failed);
        if self
            .claim(&loaded, |r| {
                r.state = state;
                r.lease = None;
            })
            .await
            .is_none()
        {
            return;
        }
        if let Err(error) = self.pending.unmark_running(id).await {
            tracing::warn!(error = %error_chain(&error), "running note not removed");
        }
        tracing::info!(request = short(id), state = ?state, "slow read ended");
        self.update_live_card(responder, id, &card).await;
    }

    /// A live runner's lease: across one tick and the update after it.
    fn live_lease(&self, now_ms: u64) -> RunLease {
        RunLease::lasting(&self.runner, now_ms, self.live_tick + RUN_LEASE)
    }

    /// The live (or cancelled) card of slow read `request`, timed from its start.
    fn slow_read_card(
        &self,
        request: &PendingRequest,
        cancelled_by: Option<String>,
        permit: Option<&Permit>,
    ) -> Card {
        let started = match request.kind {
            RequestKind::SlowRead { started_at_ms } => started_at_ms,
            _ => now_millis(),
        };
        self.slow_card(request, started, cancelled_by, permit, true)
    }

    /// The card of a slow call of `request` that started at `started_ms`.
    fn slow_card(
        &self,
        request: &PendingRequest,
        started_ms: u64,
        cancelled_by: Option<String>,
        permit: Option<&Permit>,
        cancellable: bool,
    ) -> Card {
        let invocation = request.invocation.to_invocation();
        render::slow_call(&SlowCallView {
            header: self
                .header(&invocation, permit)
                .with_alias(request.alias.as_deref()),
            elapsed_seconds: now_millis().saturating_sub(started_ms) / 1000,
            cap_minutes: LONG_RUNNING_LIMIT.as_secs() / 60,
            cancelled_by,
            cancellable,
            requester: request.requester.display_name().to_owned(),
            request_id: request.id.clone(),
        })
    }
}
