//! Requests whose runner died while they were Running (their lease ran out): marked
//! "outcome unknown" once, audited, and shown so on their card, by a click or by the
//! periodic sweep. Such a request is never run again automatically, except a wait, which
//! only reads: the sweep resumes it (see [`super::long_running`]).

use std::sync::Arc;

use super::pending::{now_millis, Loaded, RequestKind, RequestState};
use super::{short, update, Inner};
use crate::audit::Outcome as AuditOutcome;
use crate::bot::Responder;
use crate::common::error_chain;
use crate::render::{self, Card, Status};

impl Inner {
    /// Marks a Running request whose runner died as OutcomeUnknown (once: compare-and-swap)
    /// and audits it. The card that says so, or `None` when another click or replica got there
    /// first. Nothing is ever run again automatically: the change may already have happened.
    pub(super) async fn give_up_abandoned(
        &self,
        loaded: &Loaded,
        correlation_id: &str,
    ) -> Option<Card> {
        let request = &loaded.request;
        self.claim(loaded, |r| r.state = RequestState::OutcomeUnknown)
            .await?;
        if let Err(error) = self.pending.unmark_running(&request.id).await {
            tracing::warn!(error = %error_chain(&error), "running note not removed");
        }
        tracing::warn!(
            request = short(&request.id),
            runner = request.lease.as_ref().map(|lease| lease.owner.as_str()),
            "the runner of this request stopped while it ran; its outcome is unknown"
        );
        self.audit_unrun(request, AuditOutcome::OutcomeUnknown, correlation_id);
        let invocation = request.invocation.to_invocation();
        Some(render::status(
            Status::OutcomeUnknown,
            "The bot stopped while this command was running, so I cannot tell whether it ran. Check in AWS before you run it again; it will not be run again by itself.",
            Some(&self.header(&invocation, None)),
        ))
    }

    /// Shows every request whose runner died (its lease ran out) as "outcome unknown" on its
    /// card, without waiting for a click, and resumes every such wait. Returns how many were
    /// found.
    pub(super) async fn sweep_abandoned(self: &Arc<Self>, responder: &Responder) -> usize {
        let ids = match self.pending.running_ids().await {
            Ok(ids) => ids,
            Err(error) => {
                tracing::warn!(error = %error_chain(&error), "running requests could not be listed");
                return 0;
            }
        };
        let mut found = 0;
        let mut still_running = 0;
        for id in ids {
            let loaded = match self.pending.load(&id).await {
                Ok(Some(loaded)) => loaded,
                Ok(None) | Err(_) => {
                    let _ = self.pending.unmark_running(&id).await;
                    continue;
                }
            };
            if loaded.request.state != RequestState::Running {
                let _ = self.pending.unmark_running(&id).await;
                continue;
            }
            if !loaded.request.is_abandoned(now_millis()) {
                still_running += 1;
                continue;
            }
            // A wait or a slow read only reads: it goes on rather than being given up.
            let resumed = match loaded.request.kind {
                RequestKind::Wait(_) => Some(self.resume_wait(&loaded, responder).await),
                RequestKind::SlowRead { .. } => {
                    Some(self.resume_slow_read(&loaded, responder).await)
                }
                _ => None,
            };
            if let Some(resumed) = resumed {
                found += usize::from(resumed);
                continue;
            }
            let correlation_id = crate::bot::new_correlation_id();
            if let Some(card) = self.give_up_abandoned(&loaded, &correlation_id).await {
                found += 1;
                if let Some(target) = self.pending.card(&id).await {
                    update(responder, &target, card).await;
                }
            }
        }
        crate::metrics::global().set_requests_running(still_running);
        found
    }
}
