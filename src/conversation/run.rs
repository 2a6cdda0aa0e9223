//! Running a command and rendering its result: the "Running…" card at once, then (after
//! re-authorizing) the AWS call, its audit record and the result or error card in place. A
//! read that pages leaves a NextPage request for the following page (see [`super::paging`]).

use std::sync::Arc;

use super::paging::PageAt;
use super::pending::{PendingRequest, RequestKind, RequestState, StoredRequester};
use super::{short, update, ClickOutcome, Continuation, Inner};
use crate::audit::{self, AuditRecord};
use crate::bot::{MessageRef, Responder, TurnContext};
use crate::command::Invocation;
use crate::common::error_chain;
use crate::policy::Permit;
use crate::render::{self, Card, ResultView, Status};

/// One call to make and render as a card.
pub(super) struct CallToRender<'a> {
    pub requester: &'a StoredRequester,
    pub invocation: &'a Invocation,
    pub permit: &'a Permit,
    pub page: PageAt,
    pub correlation_id: &'a str,
    /// The request that keeps the cursor of a further page; a new request when `None`.
    pub reuse_request: Option<&'a str>,
    /// Whether the user confirmed the call (a change), for the audit record.
    pub confirmed: bool,
}

/// A claimed (Running) request whose call runs after the click was answered.
struct RunToComplete {
    claimed: PendingRequest,
    invocation: Invocation,
    /// The card that shows the result.
    target: Option<MessageRef>,
    page: PageAt,
    correlation_id: String,
}

impl Inner {
    /// Answers the click that claimed a request for running: the "Running…" card now, and
    /// [`Inner::complete_run`] after the click is answered.
    pub(super) fn start_run(
        self: &Arc<Self>,
        turn: &TurnContext,
        claimed: PendingRequest,
        target: Option<MessageRef>,
        page: PageAt,
    ) -> ClickOutcome {
        let invocation = claimed.invocation.to_invocation();
        let card = render::status(
            Status::Running,
            "Started by the requester. This card shows the result when the command finishes.",
            Some(&self.header(&invocation, None)),
        );
        let inner = self.clone();
        let run = RunToComplete {
            claimed,
            invocation,
            target: target.clone(),
            page,
            correlation_id: turn.correlation_id().to_owned(),
        };
        let then: Continuation = Box::new(move |responder: Responder| {
            Box::pin(async move { inner.complete_run(responder, run).await })
        });
        ClickOutcome::Update {
            card,
            target,
            then: Some(then),
        }
    }

    /// Re-authorizes a claimed request, calls AWS, stores its final state (unless its next
    /// page continues it) and shows the result on its card.
    async fn complete_run(self: Arc<Self>, responder: Responder, run: RunToComplete) {
        let RunToComplete {
            claimed,
            invocation,
            target,
            page,
            correlation_id,
        } = run;
        let requester = claimed.requester.clone();
        let (card, final_state, next_request) =
            match self.reauthorize_running(&claimed, &invocation).await {
                Err(denial_card) => (denial_card, RequestState::Failed, None),
                Ok(permit) => {
                    // A next page continues this same request; a first result may open a new one.
                    let reuse = page.cursor.is_some().then(|| claimed.id.clone());
                    let confirmed = matches!(claimed.kind, RequestKind::Confirm);
                    let (card, next_request) = self
                        .call_and_render(CallToRender {
                            requester: &requester,
                            invocation: &invocation,
                            permit: &permit,
                            page,
                            correlation_id: &correlation_id,
                            reuse_request: reuse.as_deref(),
                            confirmed,
                        })
                        .await;
                    let state = if card.name == "result" {
                        RequestState::Done
                    } else {
                        RequestState::Failed
                    };
                    (card, state, next_request)
                }
            };
        // The same request continues when its next page has a further page.
        let continues = next_request.as_deref() == Some(claimed.id.as_str());
        if !continues {
            let mut done = claimed.clone();
            done.state = final_state;
            done.lease = None;
            if let Err(error) = self.pending.put(&done).await {
                tracing::error!(error = %error_chain(&error), "final request state not stored");
            }
        }
        tracing::info!(request = short(&claimed.id), state = ?final_state, "request finished");
        if let Some(target) = &target {
            update(&responder, target, &card).await;
            if let Some(id) = next_request.filter(|id| *id != claimed.id) {
                self.attach_card(&id, target.clone()).await;
            }
        }
    }

    /// Calls AWS (one page of it when the operation pages), writes the audit record, and
    /// renders the result or error card; when there is a further page, a NextPage request
    /// keeps its cursor, and its id is returned with the card.
    pub(super) async fn call_and_render(&self, call: CallToRender<'_>) -> (Card, Option<String>) {
        let CallToRender {
            requester,
            invocation,
            permit,
            page,
            correlation_id,
            reuse_request,
            confirmed,
        } = call;
        let header = self.header(invocation, Some(permit));
        let started = std::time::Instant::now();
        let called = self
            .call_aws(invocation, permit, page.cursor.as_ref())
            .await;
        self.audit.write(
            &AuditRecord::new(
                &requester.to_requester(),
                invocation,
                audit::Outcome::of_call(&called, confirmed),
            )
            .with_permit(permit)
            .with_latency(started.elapsed())
            .with_correlation_id(correlation_id),
        );
        match called {
            Ok((output, further)) => {
                let next_request = match further {
                    Some(further) => {
                        self.store_next_page(
                            requester,
                            invocation,
                            further,
                            page.number,
                            reuse_request,
                        )
                        .await
                    }
                    None => None,
                };
                let card = render::result(&ResultView {
                    header,
                    output,
                    format: invocation.globals.output,
                    query: invocation.globals.query.clone(),
                    operation: invocation.operation.clone(),
                    page: page.number,
                    next_page_request: next_request.clone(),
                });
                (card, next_request)
            }
            Err(error) => (self.aws_error_card(&header, &error, correlation_id), None),
        }
    }
}
