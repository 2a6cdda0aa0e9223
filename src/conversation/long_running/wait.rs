//! Waiters in chat (`dynamodb wait table-exists …`) in a channel whose entry sets
//! `long_running = true`. A wait is a Running request with a live card; after the turn, a
//! runner polls as botocore's `Waiter.wait` does (one call, the acceptors decide, sleep the
//! waiter's delay), writes its progress to the store after every call and updates the card in
//! place (elapsed time, calls, what the last response showed, Cancel), until the condition
//! holds, the waiter fails, the requester cancels it, or the 15-minute cap of chat is reached.
//! Every call is authorized again first, so a permission removed meanwhile stops the wait.
//!
//! A wait survives its process: its runner holds a lease that every progress write renews;
//! when the lease runs out (the process died), the periodic sweep of another or the next
//! process resumes it from the stored progress (a waiter only reads, so calling again is
//! safe). Channels without `long_running` keep the 15-second limit, and a waiter there is
//! refused with the setting that allows it.

use std::sync::Arc;
use std::time::Duration;

use super::LONG_RUNNING_CAP;
use crate::audit::{AuditRecord, Outcome as AuditOutcome};
use crate::aws::waiter::{Polled, Step, WaitError};
use crate::bot::{MessageRef, Reply, Responder, TurnContext};
use crate::command::Invocation;
use crate::common::error_chain;
use crate::conversation::cards::FailedCall;
use crate::conversation::pending::{
    now_millis, Loaded, PendingRequest, RequestKind, RequestState, RunLease, StoredRequester,
    WaitState, RUN_LEASE,
};
use crate::conversation::{already_handled, short, ClickOutcome, Inner};
use crate::models::Waiter;
use crate::policy::{DenialLayer, Permit};
use crate::render::{self, Card, WaitPhase, WaitView};

impl WaitState {
    /// A wait of `waiter` that starts at `now_ms`, its first call due at once.
    fn starting(waiter: &str, now_ms: u64) -> Self {
        WaitState {
            waiter: waiter.to_owned(),
            progress: Default::default(),
            started_at_ms: now_ms,
            deadline_ms: now_ms + LONG_RUNNING_CAP.as_millis() as u64,
            next_poll_at_ms: now_ms,
            seen: None,
        }
    }
}

/// How a wait ended.
enum WaitEnd {
    Met,
    /// botocore's `WaiterError` words.
    Failed(String),
    /// A call failed in a way that is not a service's answer (transport, credentials).
    CallFailed(crate::aws::AwsError),
    /// The 15-minute cap.
    Stopped,
    /// Authorized no longer: the denial card.
    Denied(Card),
}

impl Inner {
    /// A typed waiter with its permit: refused unless the channel allows long-running
    /// commands; otherwise stored as a Running wait, its live card posted, and polled after
    /// the turn.
    pub(in crate::conversation) async fn start_wait(
        self: &Arc<Self>,
        turn: &TurnContext,
        requester: StoredRequester,
        invocation: &Invocation,
        permit: &Permit,
        waiter_name: &str,
        alias: Option<&str>,
    ) -> Reply {
        let Some(waiter) = self.waiter(&invocation.service, waiter_name) else {
            tracing::error!(service = %invocation.service, waiter = waiter_name, "a parsed waiter is not in its model");
            return Reply::Card(render::internal_error(turn.correlation_id()));
        };
        if let Some(refusal) =
            self.refuse_wait(turn, &requester, invocation, permit, &waiter, alias)
        {
            return Reply::Card(refusal);
        }
        let now = now_millis();
        let state = WaitState::starting(waiter_name, now);
        let mut request = self
            .new_request(requester, RequestKind::Wait(state.clone()), invocation)
            .granted(permit)
            .via_alias(alias);
        request.state = RequestState::Running;
        request.expires_at_ms = state.deadline_ms;
        request.lease = Some(self.wait_lease(&waiter, now));
        if let Err(error) = self.pending.put(&request).await {
            tracing::error!(error = %error_chain(&error), "wait request not stored");
            return Reply::Card(render::internal_error(turn.correlation_id()));
        }
        if let Err(error) = self.pending.mark_running(&request).await {
            tracing::warn!(error = %error_chain(&error), "running wait not noted");
        }
        tracing::info!(
            request = short(&request.id),
            waiter = waiter_name,
            "wait started"
        );
        let card = self.wait_card(&request, &state, WaitPhase::Waiting, Some(permit));
        let Some(responder) = turn.responder().cloned() else {
            return Reply::Card(card);
        };
        self.post_live_card(turn, &responder, &request, &card).await;
        let runner = self.clone();
        let id = request.id.clone();
        let correlation_id = turn.correlation_id().to_owned();
        let for_task = responder.clone();
        responder.spawn_long(async move { runner.run_wait(for_task, id, correlation_id).await });
        Reply::Nothing
    }

    /// A waiter whose form a click completed (or whose account was chosen), authorized: the
    /// open request becomes the Running wait (once), its card the live card, and the runner
    /// starts after the click is answered. A channel that keeps the 15-second limit ends the
    /// request with the refusal.
    pub(in crate::conversation) async fn start_wait_on_card(
        self: &Arc<Self>,
        turn: &TurnContext,
        loaded: &Loaded,
        invocation: &Invocation,
        permit: &Permit,
        waiter_name: &str,
        target: Option<MessageRef>,
    ) -> ClickOutcome {
        let Some(waiter) = self.waiter(&invocation.service, waiter_name) else {
            return ClickOutcome::Refuse(format!(
                "Something went wrong on my side (reference {}). Nothing was run.",
                turn.correlation_id()
            ));
        };
        let requester = loaded.request.requester.clone();
        let alias = loaded.request.alias.clone();
        if let Some(refusal) = self.refuse_wait(
            turn,
            &requester,
            invocation,
            permit,
            &waiter,
            alias.as_deref(),
        ) {
            return match self.claim(loaded, |r| r.state = RequestState::Failed).await {
                Some(_) => ClickOutcome::Update {
                    card: refusal,
                    target,
                    then: None,
                },
                None => already_handled(),
            };
        }
        let now = now_millis();
        let state = WaitState::starting(waiter_name, now);
        let stored = crate::conversation::pending::StoredInvocation::from(invocation);
        let Some(claimed) = self
            .claim(loaded, |r| {
                r.kind = RequestKind::Wait(state.clone());
                r.state = RequestState::Running;
                r.invocation = stored;
                r.grant = Some(permit.into());
                r.expires_at_ms = state.deadline_ms;
            })
            .await
        else {
            return already_handled();
        };
        if let Some(target) = &target {
            self.attach_live_card(&claimed, target.clone()).await;
        }
        tracing::info!(
            request = short(&claimed.id),
            waiter = waiter_name,
            "wait started"
        );
        let card = self.wait_card(&claimed, &state, WaitPhase::Waiting, Some(permit));
        let runner = self.clone();
        let id = claimed.id.clone();
        let correlation_id = turn.correlation_id().to_owned();
        ClickOutcome::Update {
            card,
            target,
            then: Some(Box::new(move |responder| {
                Box::pin(async move {
                    let for_task = responder.clone();
                    responder.spawn_long(async move {
                        runner.run_wait(for_task, id, correlation_id).await
                    });
                })
            })),
        }
    }

    /// Resumes a wait whose runner died (its lease ran out): claims it with a new lease
    /// (once, compare-and-swap) and polls on from its stored progress. False when another
    /// process got there first.
    pub(in crate::conversation) async fn resume_wait(
        self: &Arc<Self>,
        loaded: &Loaded,
        responder: &Responder,
    ) -> bool {
        let RequestKind::Wait(state) = &loaded.request.kind else {
            return false;
        };
        let lease = match self.waiter(
            &loaded.request.invocation.to_invocation().service,
            &state.waiter,
        ) {
            Some(waiter) => self.wait_lease(&waiter, now_millis()),
            None => RunLease::new(&self.runner, now_millis()),
        };
        if self
            .claim(loaded, |r| r.lease = Some(lease))
            .await
            .is_none()
        {
            return false;
        }
        tracing::info!(
            request = short(&loaded.request.id),
            attempts = state.progress.attempts,
            "resuming a wait whose runner stopped"
        );
        let runner = self.clone();
        let id = loaded.request.id.clone();
        let for_task = responder.clone();
        responder.spawn_long(async move {
            runner
                .run_wait(for_task, id, crate::bot::new_correlation_id())
                .await
        });
        true
    }

    /// Cancel on a live wait's card (the requester's, as every click is checked): ends the
    /// wait once and shows who cancelled it. The runner sees the state at its next step and
    /// stops.
    pub(in crate::conversation) async fn cancel_wait(
        &self,
        loaded: &Loaded,
        target: Option<MessageRef>,
        correlation_id: &str,
    ) -> ClickOutcome {
        let request = &loaded.request;
        let RequestKind::Wait(state) = &request.kind else {
            return already_handled();
        };
        let Some(cancelled) = self.cancel_running(loaded, correlation_id).await else {
            return already_handled();
        };
        let by = request.requester.display_name().to_owned();
        ClickOutcome::Update {
            card: self.wait_card(&cancelled, state, WaitPhase::Cancelled(by), None),
            target,
            then: None,
        }
    }

    /// Polls the wait `id` until it ends, as long as this runner holds it. Each round reads
    /// the request again, so a cancellation or another runner's claim stops it.
    async fn run_wait(self: Arc<Self>, responder: Responder, id: String, correlation_id: String) {
        let mut showed_progress = false;
        loop {
            let loaded = match self.pending.load(&id).await {
                Ok(Some(loaded)) => loaded,
                Ok(None) => return,
                Err(error) => {
                    // The lease runs out and a sweep resumes it once the store answers.
                    tracing::warn!(error = %error_chain(&error), request = short(&id), "wait paused: its request could not be read");
                    return;
                }
            };
            let request = &loaded.request;
            let RequestKind::Wait(state) = &request.kind else {
                return;
            };
            let ours = request
                .lease
                .as_ref()
                .is_some_and(|lease| lease.owner == self.runner);
            if request.state != RequestState::Running || !ours {
                // A progress card may have gone out after the click's cancelled card.
                if showed_progress && request.state == RequestState::Cancelled {
                    let by = request.requester.display_name().to_owned();
                    let card = self.wait_card(request, state, WaitPhase::Cancelled(by), None);
                    self.update_live_card(&responder, &id, &card).await;
                }
                return;
            }
            let now = now_millis();
            if now >= state.deadline_ms {
                self.end_wait(
                    &responder,
                    &loaded,
                    state.clone(),
                    WaitEnd::Stopped,
                    None,
                    &correlation_id,
                )
                .await;
                return;
            }
            if state.next_poll_at_ms > now {
                let until = state.next_poll_at_ms.min(state.deadline_ms);
                tokio::time::sleep(Duration::from_millis(until - now)).await;
                continue;
            }
            let invocation = request.invocation.to_invocation();
            let permit = match self.reauthorize_running(request, &invocation).await {
                Ok(permit) => permit,
                Err(denial) => {
                    self.end_wait(
                        &responder,
                        &loaded,
                        state.clone(),
                        WaitEnd::Denied(denial),
                        None,
                        &correlation_id,
                    )
                    .await;
                    return;
                }
            };
            let Some(waiter) = self.waiter(&invocation.service, &state.waiter) else {
                let reason = format!(
                    "{} has no waiter {} any more",
                    invocation.service, state.waiter
                );
                self.end_wait(
                    &responder,
                    &loaded,
                    state.clone(),
                    WaitEnd::Failed(reason),
                    Some(&permit),
                    &correlation_id,
                )
                .await;
                return;
            };
            let mut next = state.clone();
            let polled = self
                .engine
                .poll(
                    &permit,
                    &state.waiter,
                    &waiter,
                    &invocation.params,
                    &mut next.progress,
                )
                .await;
            let end = match polled {
                Ok(Polled {
                    step: Step::Again,
                    seen,
                }) => {
                    next.seen = Some(seen);
                    next.next_poll_at_ms =
                        now_millis() + self.poll_delay(&waiter).as_millis() as u64;
                    let lease = self.wait_lease(&waiter, now_millis());
                    let written = self
                        .claim(&loaded, |r| {
                            r.kind = RequestKind::Wait(next.clone());
                            r.lease = Some(lease);
                        })
                        .await;
                    if let Some(written) = written {
                        let card =
                            self.wait_card(&written, &next, WaitPhase::Waiting, Some(&permit));
                        self.update_live_card(&responder, &id, &card).await;
                        showed_progress = true;
                    }
                    continue;
                }
                Ok(Polled {
                    step: Step::Done,
                    seen,
                }) => {
                    next.seen = Some(seen);
                    WaitEnd::Met
                }
                Err(WaitError::Failed(failed)) => WaitEnd::Failed(failed.to_string()),
                Err(WaitError::Call(error)) => WaitEnd::CallFailed(error),
            };
            self.end_wait(
                &responder,
                &loaded,
                next,
                end,
                Some(&permit),
                &correlation_id,
            )
            .await;
            return;
        }
    }

    /// Ends a wait (once: compare-and-swap against `loaded`): its final state and progress
    /// stored, the audit record and history entry written, the final card shown.
    async fn end_wait(
        &self,
        responder: &Responder,
        loaded: &Loaded,
        state: WaitState,
        end: WaitEnd,
        permit: Option<&Permit>,
        correlation_id: &str,
    ) {
        let final_state = match end {
            WaitEnd::Met => RequestState::Done,
            _ => RequestState::Failed,
        };
        let Some(ended) = self
            .claim(loaded, |r| {
                r.kind = RequestKind::Wait(state.clone());
                r.state = final_state;
                r.lease = None;
            })
            .await
        else {
            return;
        };
        if let Err(error) = self.pending.unmark_running(&ended.id).await {
            tracing::warn!(error = %error_chain(&error), "running note not removed");
        }
        let invocation = ended.invocation.to_invocation();
        let outcome = match &end {
            WaitEnd::Met => Some(AuditOutcome::Allowed),
            WaitEnd::Failed(reason) => Some(AuditOutcome::Failed {
                error: reason.clone(),
            }),
            WaitEnd::CallFailed(error) => Some(AuditOutcome::of_error(error)),
            WaitEnd::Stopped => Some(AuditOutcome::TimedOut),
            // The authorizer writes its refusals itself.
            WaitEnd::Denied(_) => None,
        };
        if let Some(outcome) = outcome {
            let elapsed = Duration::from_millis(now_millis().saturating_sub(state.started_at_ms));
            let mut record = AuditRecord::new(
                &ended.requester.to_requester(),
                &invocation,
                outcome.clone(),
            )
            .with_latency(elapsed)
            .with_correlation_id(correlation_id)
            .with_alias(ended.alias.as_deref())
            .with_wait(&state.waiter, state.progress.attempts);
            record = match (permit, &ended.grant) {
                (Some(permit), _) => record.with_permit(permit),
                (None, Some(grant)) => record.with_permit(grant.clone()),
                (None, None) => record,
            };
            self.audit.write(&record);
            self.record_history(
                &ended.requester,
                &invocation,
                &outcome,
                ended.alias.as_deref(),
            )
            .await;
        }
        tracing::info!(request = short(&ended.id), state = ?final_state, attempts = state.progress.attempts, "wait ended");
        let card = match end {
            WaitEnd::Met => self.wait_card(&ended, &state, WaitPhase::Met, permit),
            WaitEnd::Failed(reason) => {
                self.wait_card(&ended, &state, WaitPhase::Failed(reason), permit)
            }
            WaitEnd::Stopped => self.wait_card(&ended, &state, WaitPhase::Stopped, permit),
            WaitEnd::CallFailed(error) => {
                let header = self
                    .header(&invocation, permit)
                    .with_alias(ended.alias.as_deref());
                FailedCall::Aws(&error).card(&header, correlation_id)
            }
            WaitEnd::Denied(card) => card,
        };
        self.update_live_card(responder, &ended.id, &card).await;
    }

    /// A waiter in a channel that keeps the 15-second limit, or one whose operation needs an
    /// approver (a wait cannot wait for one): the refusal card, with the setting that would
    /// allow it and the operation that shows the current state, audited as refused. `None`
    /// when the wait may start.
    fn refuse_wait(
        &self,
        turn: &TurnContext,
        requester: &StoredRequester,
        invocation: &Invocation,
        permit: &Permit,
        waiter: &Waiter,
        alias: Option<&str>,
    ) -> Option<Card> {
        if permit.long_running() && permit.approval().is_none() {
            return None;
        }
        let minutes = (waiter.delay * u64::from(waiter.max_attempts)).div_ceil(60);
        let operation = self
            .models
            .service(&invocation.service)
            .ok()
            .and_then(|model| {
                model
                    .cli_operation_name(&invocation.operation)
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| crate::models::xform_name(&invocation.operation));
        let channel = permit.channel_key().unwrap_or("<key>");
        let command = format!("{} {}", invocation.service, invocation.cli_operation);
        let instead = format!("{} {operation}", invocation.service);
        let message = match permit.approval() {
            Some(needed) => format!(
                "{command} calls an action that this channel's approval rule {} names, and a wait cannot wait for an approver. Run {instead} instead, which asks for approval and shows the current state.",
                needed.pattern
            ),
            None => format!(
                "{command} polls until its condition holds, for up to {minutes} minutes, and this channel runs commands for at most 15 seconds. An administrator can let waiters run here, with a live card for up to 15 minutes, by setting long_running = true under [access.channels.{channel}]. Meanwhile, run {instead} to see the current state."
            ),
        };
        let outcome = AuditOutcome::denied(DenialLayer::Channel.name(), message.clone());
        self.audit.write(
            &AuditRecord::new(&requester.to_requester(), invocation, outcome)
                .with_permit(permit)
                .with_correlation_id(turn.correlation_id())
                .with_alias(alias),
        );
        Some(render::error(
            "This wait cannot run here",
            &message,
            Some(&self.header(invocation, Some(permit)).with_alias(alias)),
            None,
        ))
    }

    /// The waiter `name` of `service`'s model.
    fn waiter(&self, service: &str, name: &str) -> Option<Waiter> {
        self.models
            .service(service)
            .ok()?
            .waiters
            .get(name)
            .cloned()
    }

    /// How long to sleep between calls: the waiter's delay, or the one tests set.
    fn poll_delay(&self, waiter: &Waiter) -> Duration {
        self.wait_delay.unwrap_or(Duration::from_secs(waiter.delay))
    }

    /// A runner's lease on a wait: across the sleep to its next call and that call's run.
    fn wait_lease(&self, waiter: &Waiter, now_ms: u64) -> RunLease {
        RunLease::lasting(&self.runner, now_ms, self.poll_delay(waiter) + RUN_LEASE)
    }

    /// The wait card of `request` in `phase`.
    fn wait_card(
        &self,
        request: &PendingRequest,
        state: &WaitState,
        phase: WaitPhase,
        permit: Option<&Permit>,
    ) -> Card {
        let invocation = request.invocation.to_invocation();
        let waiter = self.waiter(&invocation.service, &state.waiter);
        let typed = invocation
            .cli_operation
            .strip_prefix("wait ")
            .unwrap_or(&state.waiter)
            .to_owned();
        let end = match phase {
            WaitPhase::Waiting => now_millis(),
            _ => now_millis().min(state.deadline_ms.max(state.started_at_ms)),
        };
        render::wait(&WaitView {
            header: self
                .header(&invocation, permit)
                .with_alias(request.alias.as_deref()),
            phase,
            waiter: typed,
            attempts: state.progress.attempts,
            max_attempts: waiter.as_ref().map_or(0, |w| w.max_attempts),
            delay_seconds: waiter
                .as_ref()
                .map_or(0, |w| self.poll_delay(w).as_secs().max(1)),
            elapsed_seconds: end.saturating_sub(state.started_at_ms) / 1000,
            cap_minutes: LONG_RUNNING_CAP.as_secs() / 60,
            seen: state.seen.clone(),
            requester: request.requester.display_name().to_owned(),
            request_id: request.id.clone(),
        })
    }
}
