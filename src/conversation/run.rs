//! Running a command and rendering its result: the "Running…" card at once, then (after
//! re-authorizing) the AWS call, its audit record and the result or error card in place. A
//! read that pages leaves a NextPage request for the following page (see [`super::paging`]).

use std::future::Future;
use std::sync::Arc;

use super::alarm_list::AlarmListCall;
use super::cards::FailedCall;
use super::customized::{customized_result, AuditedCall, ShownPage};
use super::paging::PageAt;
use super::pending::{
    Loaded, PendingRequest, RequestKind, RequestState, StoredInvocation, StoredRequester,
};
use super::{already_handled, short, update, ClickOutcome, Continuation, Inner};
use crate::audit::{self, AuditRecord};
use crate::bot::{MessageRef, Responder, TurnContext};
use crate::command::{Customization, Invocation};
use crate::policy::Permit;
use crate::prompt;
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
    /// The second person who approved it (four-eyes approval), for the card and the audit
    /// record.
    pub approver: Option<&'a StoredRequester>,
    /// The alias the command was expanded from, for its card, audit record and history.
    pub alias: Option<&'a str>,
}

/// A request a click claimed for running (Running), whose work runs after the click was
/// answered: a command's call, or the creation of a support case.
pub(super) struct Claimed {
    pub request: PendingRequest,
    /// The command it runs.
    pub invocation: Invocation,
    /// The card that shows the outcome.
    pub target: Option<MessageRef>,
    /// The clicking turn's, for the logs and audit records of the work.
    pub correlation_id: String,
}

impl Claimed {
    /// `request`, claimed by the click of `turn` to run `invocation`; the outcome shows on
    /// `target`.
    pub(super) fn by_click(
        turn: &TurnContext,
        request: PendingRequest,
        invocation: Invocation,
        target: Option<MessageRef>,
    ) -> Self {
        Claimed {
            request,
            invocation,
            target,
            correlation_id: turn.correlation_id().to_owned(),
        }
    }
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
            Some(
                &self
                    .header(&invocation, None)
                    .with_alias(claimed.alias.as_deref()),
            ),
        );
        let run = Claimed::by_click(turn, claimed, invocation, target);
        self.run_after_click(run, card, move |inner, responder, run| {
            inner.complete_run(responder, run, page)
        })
    }

    /// Answers the click that claimed a request for running: `card` (its "Running…" card)
    /// for everyone now, and `work` on the claim after the click was answered.
    pub(super) fn run_after_click<Work, Done>(
        self: &Arc<Self>,
        claimed: Claimed,
        card: Card,
        work: Work,
    ) -> ClickOutcome
    where
        Work: FnOnce(Arc<Inner>, Responder, Claimed) -> Done + Send + 'static,
        Done: Future<Output = ()> + Send + 'static,
    {
        let inner = self.clone();
        let target = claimed.target.clone();
        let then: Continuation =
            Box::new(move |responder| Box::pin(work(inner, responder, claimed)));
        ClickOutcome::Update {
            card,
            target,
            then: Some(then),
        }
    }

    /// A command a click completed (a form submitted, an account chosen) and authorized,
    /// stored with its request: one the channel's approval rule names waits for an approver,
    /// a change waits for its confirmation on the same card, a read is claimed and starts
    /// running.
    pub(super) async fn confirm_or_run(
        self: &Arc<Self>,
        turn: &TurnContext,
        loaded: &Loaded,
        invocation: &Invocation,
        permit: &Permit,
        target: Option<MessageRef>,
    ) -> ClickOutcome {
        if let Some(Customization::Wait { waiter }) = &invocation.globals.customization {
            return self
                .start_wait_on_card(turn, loaded, invocation, permit, waiter, target)
                .await;
        }
        if permit.approval().is_some() {
            if let Some(answer) = self
                .ask_approval_on_card(turn, loaded, invocation, permit, target.clone())
                .await
            {
                return answer;
            }
        }
        if !prompt::is_read_only(&invocation.service, &invocation.operation) {
            let stored = StoredInvocation::from(invocation);
            return match self
                .claim(loaded, |r| {
                    r.kind = RequestKind::Confirm;
                    r.invocation = stored;
                    r.grant = Some(permit.into());
                })
                .await
            {
                Some(request) => ClickOutcome::Update {
                    card: render::confirm(
                        &self
                            .confirm_header(invocation, permit)
                            .with_alias(request.alias.as_deref()),
                        &request.id,
                        request.minutes_left(),
                    ),
                    target,
                    then: None,
                },
                None => already_handled(),
            };
        }
        match self.claim_running(loaded, Some(invocation)).await {
            Some(claimed) => self.start_run(turn, claimed, target, PageAt::first()),
            None => already_handled(),
        }
    }

    /// Re-authorizes a claimed request, calls AWS, stores its final state (unless its next
    /// page continues it) and shows the result on its card.
    pub(super) async fn complete_run(
        self: Arc<Self>,
        responder: Responder,
        run: Claimed,
        page: PageAt,
    ) {
        match self
            .reauthorize_running(&run.request, &run.invocation)
            .await
        {
            Err(denial_card) => {
                self.show_outcome(&responder, &run, denial_card, RequestState::Failed, None)
                    .await
            }
            Ok(permit) if permit.long_running() => {
                // A call that may take minutes runs outside the turn tracker: it holds no
                // turn slot and a shutdown does not wait for it (see `long_running::slow_call`).
                let for_task = responder.clone();
                responder.spawn_long(async move {
                    self.run_permitted(for_task, run, page, permit).await
                });
            }
            Ok(permit) => self.run_permitted(responder, run, page, permit).await,
        }
    }

    /// The call of a claimed request that is authorized, its final state and its card.
    async fn run_permitted(
        self: Arc<Self>,
        responder: Responder,
        run: Claimed,
        page: PageAt,
        permit: Permit,
    ) {
        let claimed = &run.request;
        // A next page continues this same request; a first result may open a new one.
        let reuse = (page.number > 1).then(|| claimed.id.clone());
        let approver = match &claimed.kind {
            RequestKind::Approval { approved_by, .. } => approved_by.as_ref(),
            _ => None,
        };
        let confirmed = matches!(claimed.kind, RequestKind::Confirm) || approver.is_some();
        let call = self.call_and_render(CallToRender {
            requester: &claimed.requester,
            invocation: &run.invocation,
            permit: &permit,
            page,
            correlation_id: &run.correlation_id,
            reuse_request: reuse.as_deref(),
            confirmed,
            approver,
            alias: claimed.alias.as_deref(),
        });
        let (card, next_request) = self
            .with_live_ticks(&permit, claimed, &responder, run.target.as_ref(), call)
            .await;
        let state = if matches!(
            card.name,
            "result" | "logs" | "alarm-list" | "lambda-invoke"
        ) {
            RequestState::Done
        } else {
            RequestState::Failed
        };
        self.show_outcome(&responder, &run, card, state, next_request)
            .await;
    }

    /// Stores a claimed request's final state (unless its next page continues it) and shows
    /// `card` on its card.
    async fn show_outcome(
        &self,
        responder: &Responder,
        run: &Claimed,
        card: Card,
        final_state: RequestState,
        next_request: Option<String>,
    ) {
        let claimed = &run.request;
        // The same request continues when its next page has a further page.
        let continues = next_request.as_deref() == Some(claimed.id.as_str());
        if !continues {
            self.store_final_state(claimed, final_state).await;
        }
        tracing::info!(request = short(&claimed.id), state = ?final_state, "request finished");
        if let Some(target) = &run.target {
            update(responder, target, card).await;
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
            approver,
            alias,
        } = call;
        let mut header = self.header(invocation, Some(permit)).with_alias(alias);
        header.approved_by = approver.map(|a| a.display_name().to_owned());
        let started = std::time::Instant::now();
        // An alarm list shows every alarm (the CLI's automatic pagination), not one page.
        let alarm_list = super::alarm_list::shows_alarm_list(invocation);
        let plan = match &invocation.globals.customization {
            Some(Customization::Calls { plan }) => Some(*plan),
            _ => None,
        };
        let called = if let Some(plan) = plan {
            // Each call it makes is audited as its own operation.
            let audited = AuditedCall {
                requester,
                correlation_id,
                confirmed,
                approver,
                alias,
            };
            self.run_plan(invocation, permit, plan, &audited)
                .await
                .map(|output| (output, None))
        } else if alarm_list {
            self.engine
                .call_all(permit, invocation)
                .await
                .map(|output| (output, None))
        } else {
            self.call_aws(invocation, permit, page.cursor.as_ref())
                .await
        };
        let outcome = audit::Outcome::of_call(&called, confirmed);
        if page.number <= 1 {
            self.record_history(requester, invocation, &outcome, alias)
                .await;
        }
        if plan.is_none() {
            self.audit.write(
                &AuditRecord::new(&requester.to_requester(), invocation, outcome)
                    .with_permit(permit)
                    .with_latency(started.elapsed())
                    .with_correlation_id(correlation_id)
                    .with_approver(approver.map(StoredRequester::audit_user))
                    .with_alias(alias),
            );
        }
        let next_page = |first_unshown: Option<usize>, further: Option<serde_json::Value>| {
            let next = page.after(invocation, first_unshown, further);
            async move {
                match next {
                    Some(next) => {
                        self.store_next_page(requester, invocation, permit, next, reuse_request)
                            .await
                    }
                    None => None,
                }
            }
        };
        match called {
            Ok((output, _)) if alarm_list => {
                let list = AlarmListCall {
                    requester,
                    header: &header,
                    permit,
                    page: &page,
                };
                let (fit, card) = self.alarm_list_card(&list, &output).await;
                match next_page(fit.first_unshown, None).await {
                    Some(id) => (card(Some(&id)), Some(id)),
                    None => (card(None), None),
                }
            }
            Ok((output, further)) => {
                // `logs start-query` in chat shows the query's results (see `logs::typed`).
                if let Some(card) = self
                    .start_query_results(requester, invocation, permit, &output, correlation_id)
                    .await
                {
                    return (card, None);
                }
                // A result the CLI prints its own way pages by the service's token; a plan's
                // answer prints as its operation's unless the CLI writes lines of its own.
                let own_way = invocation.globals.customization.as_ref().filter(
                    |c| !matches!(c, Customization::Calls { plan } if !plan.prints_lines()),
                );
                if let Some(customization) = own_way {
                    let next_request = next_page(None, further).await;
                    let shown = ShownPage {
                        number: page.number,
                        next_page_request: next_request.clone(),
                    };
                    let card =
                        customized_result(customization, invocation, &header, &output, &shown);
                    return (card, next_request);
                }
                let title = plan.and_then(|plan| plan.table_title());
                let mut view = ResultView {
                    header,
                    output,
                    format: invocation.globals.output,
                    query: invocation.globals.query.clone(),
                    operation: title.unwrap_or(&invocation.operation).to_owned(),
                    page: page.number,
                    next_page_request: None,
                };
                let fitted = render::fit_result(&view, page.skip);
                view.next_page_request = next_page(fitted.first_unshown(), further).await;
                let card = render::fitted_result(&view, fitted);
                (card, view.next_page_request)
            }
            Err(error) => (FailedCall::Aws(&error).card(&header, correlation_id), None),
        }
    }
}
