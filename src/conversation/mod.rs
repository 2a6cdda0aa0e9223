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

mod accounts;
pub mod pending;
mod support;

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value};

use crate::audit::{AuditLog, AuditRecord, Outcome as AuditOutcome};
use crate::aws::support::SupportApi;
use crate::aws::{AwsError, CallOptions, Engine};
use crate::bot::{card_response, error_chain, CommandHandler, MessageRef, Reply, TurnContext};
use crate::bot::{CardAction, Responder};
use crate::command::{
    self, render_command_line, Command, CommandError, HelpRequest, Invocation, ParseContext,
};
use crate::models::{Models, ShapeType};
use crate::output::Query;
use crate::policy::{Authorizer, Decision, Denial, Permit};
use crate::prompt::{self, FormField};
use crate::render::{self, verbs, Card, CommandHeader, FormView, ResultView, Status};
use crate::store::Store;
use crate::teams::InvokeResponse;

use accounts::{account_choice_card, set_default_account_command};
use pending::{
    new_request_id, now_millis, Loaded, PendingRequest, PendingRequests, RequestKind, RequestState,
    RunLease, StoredInvocation, StoredRequester,
};

/// How long the list calls that fill resource choices may take before the form is sent
/// without them (free text still works).
const RESOURCE_LIST_TIMEOUT: Duration = Duration::from_secs(5);

/// The chat command flow. Cheap to clone.
#[derive(Clone)]
pub struct Conversations {
    inner: Arc<Inner>,
}

struct Inner {
    models: &'static Models,
    engine: Arc<Engine>,
    support: SupportApi,
    authorizer: Arc<dyn Authorizer>,
    pending: PendingRequests,
    request_ttl: Duration,
    audit: Arc<AuditLog>,
    /// This runner's name on the requests it claims (see [`pending::RunLease`]).
    runner: String,
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
        Conversations {
            inner: Arc::new(Inner {
                models: Models::global(),
                engine,
                support,
                authorizer,
                pending: PendingRequests::new(store),
                request_ttl,
                audit: Arc::new(AuditLog::stdout()),
                runner: new_request_id(),
            }),
        }
    }

    /// Writes the audit records of attempts that got a permit (results, failures, timeouts,
    /// confirmations, cancellations) to `audit`; refusals are written by the authorizer.
    /// Records go to standard output unless this is called. Call before sharing.
    pub fn with_audit(mut self, audit: Arc<AuditLog>) -> Self {
        Arc::get_mut(&mut self.inner)
            .expect("with_audit is called before the handler is shared")
            .audit = audit;
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

    fn handle<'a>(&'a self, turn: &'a TurnContext, text: &'a str) -> BoxFuture<'a, Reply> {
        Box::pin(self.inner.on_message(turn, text))
    }

    fn handle_card_action<'a>(
        &'a self,
        turn: &'a TurnContext,
        action: &'a CardAction,
    ) -> BoxFuture<'a, InvokeResponse> {
        Box::pin(async move {
            if action.verb == "help" {
                return card_response(&render::help(turn.bot_name()));
            }
            let outcome = self.inner.decide(turn, &action.verb, &action.data).await;
            match outcome {
                Outcome::Refuse(message) => InvokeResponse {
                    status_code: 200,
                    response_type: "application/vnd.microsoft.activity.message".into(),
                    value: Value::String(message),
                },
                Outcome::ClickerOnly { card, .. } => card_response(&card),
                Outcome::Update { card, target, then } => {
                    // The clicker sees the new card at once; everyone else through the update,
                    // and the slow part runs after the invoke is answered.
                    let response = card_response(&card);
                    if let Some(responder) = turn.responder() {
                        let responder_for_task = responder.clone();
                        responder.spawn(async move {
                            if let Some(target) = &target {
                                update(&responder_for_task, target, &card).await;
                            }
                            if let Some(then) = then {
                                then(responder_for_task).await;
                            }
                        });
                    }
                    response
                }
            }
        })
    }
}

/// Work that continues after a click was answered; it updates the card itself.
type Continuation = Box<dyn FnOnce(Responder) -> BoxFuture<'static, ()> + Send>;

/// What a click leads to.
enum Outcome {
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

async fn update(responder: &Responder, target: &MessageRef, card: &Card) {
    if let Err(error) = responder.update_card(target, card).await {
        tracing::error!(error = %error_chain(&error), card = card.name, "card could not be updated");
    }
}

fn requester_of(turn: &TurnContext) -> StoredRequester {
    let activity = turn.activity();
    let from = activity.from.as_ref();
    StoredRequester {
        user_id: from.map(|f| f.id.clone()),
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
    }
}

fn call_options(permit: &Permit) -> CallOptions {
    CallOptions {
        credentials: permit.credentials().clone(),
        region: permit.region().to_owned(),
    }
}

impl Inner {
    fn header(&self, invocation: &Invocation, permit: Option<&Permit>) -> CommandHeader {
        CommandHeader {
            title: format!("{} {}", invocation.service, invocation.cli_operation),
            command_line: Some(render_command_line(invocation, self.models)),
            account: permit.and_then(|p| p.account()).map(|a| {
                if a.name.is_empty() || a.name == a.id {
                    a.id.clone()
                } else {
                    format!("{} ({})", a.name, a.id)
                }
            }),
            region: permit
                .map(|p| p.region().to_owned())
                .or_else(|| invocation.globals.region.clone()),
            role: permit.and_then(|p| p.role_arn()).map(str::to_owned),
        }
    }

    /// The header of a confirmation: account and role are always named, also when the bot
    /// runs on its own credentials.
    fn confirm_header(&self, invocation: &Invocation, permit: &Permit) -> CommandHeader {
        let mut header = self.header(invocation, Some(permit));
        header
            .account
            .get_or_insert_with(|| "the account of the bot's own credentials".to_owned());
        header
            .role
            .get_or_insert_with(|| "the bot's own credentials (no role configured)".to_owned());
        header
    }

    fn minutes(&self) -> u64 {
        self.request_ttl.as_secs().div_ceil(60)
    }

    fn new_request(
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
        }
    }

    // -----------------------------------------------------------------------------------------
    // Messages

    async fn on_message(self: &Arc<Self>, turn: &TurnContext, text: &str) -> Reply {
        let activity = turn.activity();
        // An Action.Submit fallback of our cards: a message whose value names the request.
        if let Some(value) = activity
            .value
            .as_ref()
            .filter(|v| v.get("request").is_some())
        {
            let verb = value
                .get("verb")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            self.on_submit(turn, &verb, value).await;
            return Reply::Nothing;
        }
        if let Some(choice) = set_default_account_command(text) {
            return self.on_set_default_account(turn, choice).await;
        }
        let command = command::parse(text, self.models, ParseContext::Chat);
        match command {
            Ok(Command::Help(request)) => Reply::Card(self.help_card(turn, request)),
            // The aliases run as the s3api call they stand for, through the same path: the
            // listing as a result card, the copy after a confirmation.
            Ok(Command::S3(alias)) => {
                self.on_command(turn, alias.equivalent_invocation(), None)
                    .await
            }
            Ok(Command::Run(invocation)) => self.on_command(turn, invocation, None).await,
            Err(CommandError::MissingRequired {
                invocation,
                missing,
            }) => {
                let missing = missing.into_iter().map(|m| m.member).collect();
                self.on_command(turn, *invocation, Some(missing)).await
            }
            Err(CommandError::NeverAllowed {
                service,
                operation,
                reason,
            }) => {
                let error = CommandError::NeverAllowed {
                    service: service.clone(),
                    operation: operation.clone(),
                    reason,
                };
                // Refused before any policy: still an attempt, so it is audited.
                let attempted = Invocation {
                    service,
                    operation: operation.clone().unwrap_or_else(|| "*".to_owned()),
                    cli_operation: operation.unwrap_or_default(),
                    params: Map::new(),
                    globals: command::GlobalOptions::default(),
                };
                self.audit.write(
                    &AuditRecord::new(
                        &requester_of(turn).to_requester(),
                        &attempted,
                        AuditOutcome::denied(
                            crate::policy::DenialLayer::NeverAllowed,
                            error.to_string(),
                        ),
                    )
                    .with_correlation_id(turn.correlation_id()),
                );
                Reply::Card(render::error(
                    "Not allowed here",
                    &error.to_string(),
                    None,
                    Some(&format!(
                        "Refused by {}",
                        crate::policy::DenialLayer::NeverAllowed.describe()
                    )),
                ))
            }
            Err(error) => Reply::Card(render::error(
                "I could not read that command",
                &error.to_string(),
                None,
                None,
            )),
        }
    }

    async fn on_command(
        self: &Arc<Self>,
        turn: &TurnContext,
        invocation: Invocation,
        missing: Option<Vec<String>>,
    ) -> Reply {
        let requester = requester_of(turn);
        if invocation.service == "support" && invocation.operation == "CreateCase" {
            return self.start_support_case(turn, requester, invocation).await;
        }
        let permit = match self
            .authorizer
            .decide(&requester.to_requester(), &invocation)
            .await
        {
            Decision::Permit(permit) => permit,
            Decision::Deny(denial) => return Reply::Card(self.denial_card(&invocation, &denial)),
            Decision::ChooseAccount(question) => {
                let request = self.new_request(
                    requester,
                    RequestKind::AccountChoice {
                        missing,
                        run_after: true,
                    },
                    &invocation,
                );
                let card = account_choice_card(
                    Some(self.header(&invocation, None)),
                    &question,
                    &request.id,
                );
                return self.post_request_card(turn, request, card).await;
            }
        };
        if let Some(missing) = missing {
            let fields = prompt::form_fields(self.models, &invocation, &missing);
            let choices = self
                .resource_choices(&requester, &fields, &invocation)
                .await;
            let request = self.new_request(
                requester,
                RequestKind::Form {
                    missing,
                    choices: choices.clone(),
                },
                &invocation,
            );
            let card = render::form(&FormView {
                header: self.header(&invocation, Some(&permit)),
                fields,
                choices: as_choice_pairs(&choices),
                free_text: true,
                error: None,
                request_id: request.id.clone(),
                expires_in_minutes: self.minutes(),
            });
            return self.post_request_card(turn, request, card).await;
        }
        if !prompt::is_read_only(&invocation.service, &invocation.operation) {
            let request = self.new_request(requester, RequestKind::Confirm, &invocation);
            let card = render::confirm(
                &self.confirm_header(&invocation, &permit),
                &request.id,
                self.minutes(),
            );
            return self.post_request_card(turn, request, card).await;
        }
        let (card, next_request) = self
            .run(
                &requester,
                &invocation,
                &permit,
                None,
                1,
                turn.correlation_id(),
                None,
                false,
            )
            .await;
        let Some(responder) = turn.responder() else {
            return Reply::Card(card);
        };
        match responder.reply_card(turn.activity(), &card).await {
            Ok(Some(card_ref)) => {
                if let Some(id) = next_request {
                    self.attach_card(&id, card_ref).await;
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "result card could not be sent")
            }
        }
        Reply::Nothing
    }

    /// Stores the request, posts its card, and remembers where the card is.
    async fn post_request_card(
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
        let Some(responder) = turn.responder() else {
            return Reply::Card(card);
        };
        match responder.reply_card(turn.activity(), &card).await {
            Ok(Some(card_ref)) => self.attach_card(&request.id, card_ref).await,
            Ok(None) => {}
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "request card could not be sent")
            }
        }
        Reply::Nothing
    }

    /// Records where a request's card is, for updates in place.
    async fn attach_card(&self, id: &str, card_ref: MessageRef) {
        let expires_at_ms = now_millis() + self.request_ttl.as_millis() as u64;
        if let Err(error) = self.pending.set_card(id, &card_ref, expires_at_ms).await {
            tracing::error!(error = %error_chain(&error), request = short(id), "the card reference could not be recorded");
        }
    }

    // -----------------------------------------------------------------------------------------
    // Clicks

    /// An Action.Submit fallback: the same decisions, answered with card updates and text.
    async fn on_submit(self: &Arc<Self>, turn: &TurnContext, verb: &str, data: &Value) {
        let outcome = self.decide(turn, verb, data).await;
        let Some(responder) = turn.responder().cloned() else {
            return;
        };
        match outcome {
            Outcome::Refuse(message) => {
                if let Err(error) = responder.reply_text(turn.activity(), &message).await {
                    tracing::error!(error = %error_chain(&error), "refusal could not be sent");
                }
            }
            Outcome::ClickerOnly { card, target } => {
                if let Some(target) = &target {
                    update(&responder, target, &card).await;
                }
            }
            Outcome::Update { card, target, then } => {
                if let Some(target) = &target {
                    update(&responder, target, &card).await;
                }
                if let Some(then) = then {
                    then(responder).await;
                }
            }
        }
    }

    /// What a click on a pending request's card does. Only the requester may act, only on
    /// an open, unexpired request, and only one click wins.
    async fn decide(self: &Arc<Self>, turn: &TurnContext, verb: &str, data: &Value) -> Outcome {
        let id = data
            .get("request")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let loaded = match self.pending.load(id).await {
            Ok(Some(loaded)) => loaded,
            Ok(None) => {
                tracing::info!(verb, "click on an unknown request refused");
                return Outcome::Refuse(
                    "I do not know this request, so nothing was run. Send the command again to start over."
                        .to_owned(),
                );
            }
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "pending request could not be read");
                return Outcome::Refuse(format!(
                    "Something went wrong on my side (reference {}). Nothing was run.",
                    turn.correlation_id()
                ));
            }
        };
        let request = loaded.request.clone();
        let activity = turn.activity();
        let clicking_user_id = activity.from.as_ref().map(|f| f.id.as_str());
        if !request
            .requester
            .is(turn.user_aad_object_id(), clicking_user_id)
        {
            tracing::info!(
                request = short(id),
                verb,
                "click by someone other than the requester refused"
            );
            let name = request
                .requester
                .user_name
                .clone()
                .unwrap_or_else(|| "the person".to_owned());
            return Outcome::Refuse(format!(
                "Only {name}, who sent this command, can use its buttons. Nothing was changed; send the command yourself to run it as you."
            ));
        }
        if activity.conversation_id() != Some(request.requester.conversation_id.as_str()) {
            tracing::warn!(
                request = short(id),
                verb,
                "click from another conversation than the request's refused"
            );
            return Outcome::Refuse(
                "This card belongs to another conversation, so nothing was run. Use the buttons on the card where you sent the command, or send the command here."
                    .to_owned(),
            );
        }
        let fallback_target = activity
            .reply_to_id
            .as_deref()
            .and_then(|reply_to| MessageRef::in_conversation_of(activity, reply_to));
        let target = self.pending.card(id).await.or(fallback_target);
        match request.state {
            RequestState::Open => {}
            RequestState::Running if request.is_abandoned(now_millis()) => {
                return match self
                    .give_up_abandoned(&loaded, turn.correlation_id())
                    .await
                {
                    Some(card) => Outcome::Update {
                        card,
                        target,
                        then: None,
                    },
                    None => already_handled(),
                };
            }
            RequestState::Running => {
                return Outcome::Refuse(
                    "This request is already running; its card will show the result.".to_owned(),
                )
            }
            RequestState::OutcomeUnknown => {
                return Outcome::Refuse(format!(
                    "The bot stopped while this command was running, so its outcome is unknown. Check in AWS before you run it again: {}",
                    render_command_line(&request.invocation.to_invocation(), self.models)
                ))
            }
            RequestState::Done | RequestState::Failed => {
                return Outcome::Refuse(
                    "This request was already handled, so nothing was run again.".to_owned(),
                )
            }
            RequestState::Cancelled => {
                return Outcome::Refuse(
                    "This request was cancelled. Send the command again to start over.".to_owned(),
                )
            }
            RequestState::Expired => {
                return Outcome::Refuse(
                    "This request has expired. Send the command again to start over.".to_owned(),
                )
            }
        }
        let invocation = request.invocation.to_invocation();
        let header = self.header(&invocation, None);
        if request.is_expired() {
            return match self
                .claim(&loaded, |r| r.state = RequestState::Expired)
                .await
            {
                Some(_) => {
                    self.audit_unrun(&request, AuditOutcome::Cancelled, turn.correlation_id());
                    Outcome::Update {
                    card: render::status(
                        Status::Expired,
                        &format!(
                            "This request expired after {} minutes without an answer. Nothing was run. Send the command again to start over.",
                            self.minutes()
                        ),
                        Some(&header),
                    ),
                    target,
                    then: None,
                }
                }
                None => already_handled(),
            };
        }
        match (verb, &request.kind) {
            (verbs::CANCEL, _) => match self
                .claim(&loaded, |r| r.state = RequestState::Cancelled)
                .await
            {
                Some(_) => {
                    tracing::info!(request = short(id), "request cancelled");
                    self.audit_unrun(&request, AuditOutcome::Cancelled, turn.correlation_id());
                    Outcome::Update {
                        card: render::status(
                            Status::Cancelled,
                            &format!(
                                "Cancelled by {}. Nothing was run.",
                                request
                                    .requester
                                    .user_name
                                    .as_deref()
                                    .unwrap_or("the requester")
                            ),
                            Some(&header),
                        ),
                        target,
                        then: None,
                    }
                }
                None => already_handled(),
            },
            (verbs::SUBMIT, RequestKind::Form { missing, choices }) => {
                self.submit_form(turn, &loaded, missing, choices, data, target)
                    .await
            }
            (verbs::CONFIRM, RequestKind::Confirm) => {
                let Some(claimed) = self
                    .claim(&loaded, |r| r.state = RequestState::Running)
                    .await
                else {
                    return already_handled();
                };
                tracing::info!(request = short(id), "confirmed; running once");
                self.running(turn, claimed, target, None, 1)
            }
            (verbs::NEXT_PAGE, RequestKind::NextPage { next, page }) => {
                let (next, page) = (next.clone(), *page);
                let Some(claimed) = self
                    .claim(&loaded, |r| r.state = RequestState::Running)
                    .await
                else {
                    return already_handled();
                };
                self.running(turn, claimed, target, Some(next), page)
            }
            (verbs::SUBMIT, RequestKind::SupportForm { .. }) => {
                self.submit_support_form(turn, &loaded, data, target).await
            }
            (verbs::CHOOSE_ACCOUNT, RequestKind::AccountChoice { missing, run_after }) => {
                self.account_chosen(turn, &loaded, missing.clone(), *run_after, data, target)
                    .await
            }
            (verbs::CONFIRM, RequestKind::SupportSummary { draft }) => {
                self.confirm_support_case(turn, &loaded, draft.clone(), data, target)
                    .await
            }
            _ => Outcome::Refuse(
                "This button does not belong to this request. Nothing was changed.".to_owned(),
            ),
        }
    }

    /// Marks a Running request whose runner died as OutcomeUnknown (once: compare-and-swap)
    /// and audits it. The card that says so, or `None` when another click or replica got there
    /// first. Nothing is ever run again automatically: the change may already have happened.
    async fn give_up_abandoned(&self, loaded: &Loaded, correlation_id: &str) -> Option<Card> {
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
    /// card, without waiting for a click. Returns how many were found.
    async fn sweep_abandoned(&self, responder: &Responder) -> usize {
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
            let correlation_id = crate::bot::new_correlation_id();
            if let Some(card) = self.give_up_abandoned(&loaded, &correlation_id).await {
                found += 1;
                if let Some(target) = self.pending.card(&id).await {
                    update(responder, &target, &card).await;
                }
            }
        }
        crate::metrics::global().set_requests_running(still_running);
        found
    }

    /// Moves a request on with `change`, only if nobody else did first. The new request, or
    /// `None` when another click won (or the store failed, which is logged).
    async fn claim(
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

    async fn submit_form(
        self: &Arc<Self>,
        turn: &TurnContext,
        loaded: &Loaded,
        missing: &[String],
        choices: &[(String, Vec<String>)],
        data: &Value,
        target: Option<MessageRef>,
    ) -> Outcome {
        let request = &loaded.request;
        let base = request.invocation.to_invocation();
        let fields = prompt::form_fields(self.models, &base, missing);
        let submitted = data.as_object().cloned().unwrap_or_default();
        let invocation = match prompt::apply_submission(self.models, &base, &fields, &submitted) {
            Ok(invocation) => invocation,
            Err(problem) => {
                let fields = with_submitted_values(fields, &submitted);
                let card = render::form(&FormView {
                    header: self.header(&base, None),
                    fields,
                    choices: as_choice_pairs(choices),
                    free_text: true,
                    error: Some(problem.to_string()),
                    request_id: request.id.clone(),
                    expires_in_minutes: request.minutes_left(),
                });
                return Outcome::ClickerOnly { card, target };
            }
        };
        let permit = match self
            .authorizer
            .authorize(&request.requester.to_requester(), &invocation)
            .await
        {
            Ok(permit) => permit,
            Err(denial) => {
                return match self.claim(loaded, |r| r.state = RequestState::Failed).await {
                    Some(_) => Outcome::Update {
                        card: self.denial_card(&invocation, &denial),
                        target,
                        then: None,
                    },
                    None => already_handled(),
                }
            }
        };
        let stored = StoredInvocation::from(&invocation);
        if !prompt::is_read_only(&invocation.service, &invocation.operation) {
            // A change still needs its confirmation, on the same card.
            return match self
                .claim(loaded, |r| {
                    r.kind = RequestKind::Confirm;
                    r.invocation = stored;
                })
                .await
            {
                Some(request) => Outcome::Update {
                    card: render::confirm(
                        &self.confirm_header(&invocation, &permit),
                        &request.id,
                        request.minutes_left(),
                    ),
                    target,
                    then: None,
                },
                None => already_handled(),
            };
        }
        let Some(claimed) = self
            .claim(loaded, |r| {
                r.state = RequestState::Running;
                r.invocation = stored;
            })
            .await
        else {
            return already_handled();
        };
        self.running(turn, claimed, target, None, 1)
    }

    /// The "Running…" card now, then (after re-authorizing) the call and the result in place.
    fn running(
        self: &Arc<Self>,
        turn: &TurnContext,
        claimed: PendingRequest,
        target: Option<MessageRef>,
        next: Option<Value>,
        page: u32,
    ) -> Outcome {
        let invocation = claimed.invocation.to_invocation();
        let card = render::status(
            Status::Running,
            "Started by the requester. This card shows the result when the command finishes.",
            Some(&self.header(&invocation, None)),
        );
        let inner = self.clone();
        let correlation_id = turn.correlation_id().to_owned();
        let result_target = target.clone();
        let then: Continuation = Box::new(move |responder: Responder| {
            Box::pin(async move {
                inner
                    .finish(
                        responder,
                        claimed,
                        invocation,
                        result_target,
                        next,
                        page,
                        correlation_id,
                    )
                    .await
            })
        });
        Outcome::Update {
            card,
            target,
            then: Some(then),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish(
        self: Arc<Self>,
        responder: Responder,
        claimed: PendingRequest,
        invocation: Invocation,
        target: Option<MessageRef>,
        next: Option<Value>,
        page: u32,
        correlation_id: String,
    ) {
        let requester = claimed.requester.clone();
        let (card, final_state, next_request) = match self
            .authorizer
            .authorize(&requester.to_requester(), &invocation)
            .await
        {
            Err(denial) => (
                self.denial_card(&invocation, &denial),
                RequestState::Failed,
                None,
            ),
            Ok(permit) => {
                // A next page continues this same request; a first result may open a new one.
                let reuse = next.is_some().then(|| claimed.id.clone());
                let confirmed = matches!(claimed.kind, RequestKind::Confirm);
                let (card, next_request) = self
                    .run(
                        &requester,
                        &invocation,
                        &permit,
                        next,
                        page,
                        &correlation_id,
                        reuse.as_deref(),
                        confirmed,
                    )
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

    /// Runs a read (one page of it when the operation pages) and renders the result; when
    /// there is a further page, a NextPage request keeps its cursor (reusing `reuse` if given).
    #[allow(clippy::too_many_arguments)]
    async fn run(
        &self,
        requester: &StoredRequester,
        invocation: &Invocation,
        permit: &Permit,
        next: Option<Value>,
        page: u32,
        correlation_id: &str,
        reuse: Option<&str>,
        confirmed: bool,
    ) -> (Card, Option<String>) {
        let header = self.header(invocation, Some(permit));
        let started = std::time::Instant::now();
        let executed = self.execute(invocation, permit, next.as_ref()).await;
        let outcome = match &executed {
            Ok(_) if confirmed => AuditOutcome::Confirmed,
            Ok(_) => AuditOutcome::Allowed,
            Err(AwsError::Timeout { .. }) => AuditOutcome::TimedOut,
            Err(AwsError::Service { code, .. }) => AuditOutcome::Failed {
                error: code.clone(),
            },
            Err(other) => AuditOutcome::Failed {
                error: other
                    .to_string()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            },
        };
        self.audit.write(
            &AuditRecord::new(&requester.to_requester(), invocation, outcome)
                .with_permit(permit)
                .with_latency(started.elapsed())
                .with_correlation_id(correlation_id),
        );
        match executed {
            Ok((output, further)) => {
                let next_request = match further {
                    Some(further) => {
                        let mut request = self.new_request(
                            requester.clone(),
                            RequestKind::NextPage {
                                next: further,
                                page: page + 1,
                            },
                            invocation,
                        );
                        if let Some(id) = reuse {
                            request.id = id.to_owned();
                        }
                        match self.pending.put(&request).await {
                            Ok(()) => Some(request.id),
                            Err(error) => {
                                tracing::error!(error = %error_chain(&error), "next-page request not stored");
                                None
                            }
                        }
                    }
                    None => None,
                };
                let card = render::result(&ResultView {
                    header,
                    output,
                    format: invocation.globals.output,
                    query: invocation.globals.query.clone(),
                    operation: invocation.operation.clone(),
                    page,
                    next_page_request: next_request.clone(),
                });
                (card, next_request)
            }
            Err(error) => (self.aws_error_card(&header, &error, correlation_id), None),
        }
    }

    /// Whether the command is shown one page at a time (B2): the operation pages and the
    /// user left paging to the bot (`--page-size` sets the items per card page). The output
    /// token names, and the member that limits a page.
    fn pages_one_at_a_time(
        &self,
        invocation: &Invocation,
    ) -> Option<(Vec<String>, Option<String>)> {
        let globals = &invocation.globals;
        if globals.max_items.is_some() || globals.starting_token.is_some() || globals.no_paginate {
            return None;
        }
        let model = self.models.service(&invocation.service).ok()?;
        let operation = model.operations.get(&invocation.operation)?;
        let paginator = model.paginator(operation)?;
        paginator.result_key.as_ref()?;
        let manual = paginator
            .input_token
            .as_slice()
            .iter()
            .chain(paginator.limit_key.iter())
            .any(|name| invocation.params.contains_key(name));
        (!manual).then(|| {
            (
                paginator.output_token.as_slice().to_vec(),
                paginator.limit_key.clone(),
            )
        })
    }

    async fn execute(
        &self,
        invocation: &Invocation,
        permit: &Permit,
        next: Option<&Value>,
    ) -> Result<(Value, Option<Value>), AwsError> {
        let call = call_options(permit);
        let Some((output_tokens, limit_key)) = self.pages_one_at_a_time(invocation) else {
            return Ok((self.engine.call_all(invocation, &call).await?, None));
        };
        let mut params = invocation.params.clone();
        if let (Some(page_size), Some(limit_key)) = (invocation.globals.page_size, limit_key) {
            params.insert(limit_key, Value::from(page_size));
        }
        if let Some(Value::Object(next)) = next {
            params.extend(next.clone());
        }
        let page = self
            .engine
            .call(&invocation.service, &invocation.operation, &params, &call)
            .await?;
        let mut output = page.output;
        // The cursor stays on the server; the card does not show it.
        if let Value::Object(map) = &mut output {
            for token in &output_tokens {
                map.shift_remove(token);
            }
        }
        Ok((output, page.next))
    }

    /// Choices for resource fields, from the list calls the requester may make (a denied,
    /// failing or slow list call leaves the field as free text).
    async fn resource_choices(
        &self,
        requester: &StoredRequester,
        fields: &[FormField],
        invocation: &Invocation,
    ) -> Vec<(String, Vec<String>)> {
        let mut all = Vec::new();
        for field in fields {
            let Some(list) = field.resource else {
                continue;
            };
            let Some(cli_operation) = self
                .models
                .service(list.service)
                .ok()
                .and_then(|m| m.cli_operation_name(list.operation).map(str::to_owned))
            else {
                continue;
            };
            let list_invocation = Invocation {
                service: list.service.to_owned(),
                operation: list.operation.to_owned(),
                cli_operation,
                params: Map::new(),
                globals: command::GlobalOptions {
                    region: invocation.globals.region.clone(),
                    ..Default::default()
                },
            };
            let Ok(permit) = self
                .authorizer
                .authorize_for_lookup(&requester.to_requester(), &list_invocation)
                .await
            else {
                continue;
            };
            let call = call_options(&permit);
            let listed = tokio::time::timeout(
                RESOURCE_LIST_TIMEOUT,
                self.engine
                    .call(list.service, list.operation, &Map::new(), &call),
            )
            .await;
            let Ok(Ok(page)) = listed else {
                tracing::info!(
                    list = list.operation,
                    "resource choices unavailable; free text only"
                );
                continue;
            };
            let names = Query::parse(list.names)
                .ok()
                .and_then(|q| q.search(&page.output).ok());
            let mut names: Vec<String> = names
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            names.sort();
            names.dedup();
            names.truncate(prompt::MAX_RESOURCE_CHOICES);
            if !names.is_empty() {
                all.push((field.member.clone(), names));
            }
        }
        all
    }

    // -----------------------------------------------------------------------------------------
    // Cards

    fn denial_card(&self, invocation: &Invocation, denial: &Denial) -> Card {
        render::error(
            "Not allowed here",
            &denial.message,
            Some(&self.header(invocation, None)),
            Some(&format!("Refused by {}", denial.layer.describe())),
        )
    }

    fn aws_error_card(
        &self,
        header: &CommandHeader,
        error: &AwsError,
        correlation_id: &str,
    ) -> Card {
        match error {
            AwsError::Service { .. } => render::error(
                "AWS refused the call",
                "AWS answered with the error below. Check the parameters, or ask for the permission it names.",
                Some(header),
                Some(&error.to_string()),
            ),
            AwsError::Timeout { .. } => render::error(
                "The command took too long",
                &error.to_string(),
                Some(header),
                None,
            ),
            other => {
                // The details (endpoint URLs, response bodies, SDK internals) go to the log only.
                tracing::error!(error = %error_chain(other), correlation_id, "command failed");
                let what = match other {
                    AwsError::Transport { .. } => "AWS could not be reached".to_owned(),
                    AwsError::Parse { operation, .. } => {
                        format!("The answer of AWS to {operation} could not be read")
                    }
                    AwsError::Credentials { .. } => {
                        "The bot has no usable AWS credentials for this call".to_owned()
                    }
                    shown => shown.to_string(),
                };
                render::error(
                    "The command could not be run",
                    &format!(
                        "{what}. Nothing more is known here. Try again; if it keeps failing, give your administrator the reference {correlation_id}."
                    ),
                    Some(header),
                    None,
                )
            }
        }
    }

    fn help_card(&self, turn: &TurnContext, request: HelpRequest) -> Card {
        let mention = format!("@{}", turn.bot_name().unwrap_or("the bot"));
        match request {
            HelpRequest::General => render::help(turn.bot_name()),
            HelpRequest::Service { service } => {
                let Ok(model) = self.models.service(&service) else {
                    return render::help(turn.bot_name());
                };
                let operations = model
                    .cli
                    .operations
                    .iter()
                    .filter(|(_, key)| command::is_never_allowed(&service, key).is_none())
                    .map(|(cli, _)| cli.clone())
                    .collect();
                render::service_help(
                    &render::ServiceHelp {
                        service,
                        full_name: model.metadata.service_full_name.clone(),
                        operations,
                    },
                    &mention,
                )
            }
            HelpRequest::Operation {
                service,
                operation,
                cli_operation,
            } => {
                let Ok(model) = self.models.service(&service) else {
                    return render::help(turn.bot_name());
                };
                let Some(op) = model.operations.get(&operation) else {
                    return render::help(turn.bot_name());
                };
                let hidden = model.hidden_members(op).to_vec();
                let mut parameters = Vec::new();
                if let (Some(input), Some(options)) = (model.input_shape(op), model.cli_options(op))
                {
                    for (member, member_ref) in &input.members {
                        if hidden.contains(member) {
                            continue;
                        }
                        let shape = model.shape(&member_ref.shape);
                        let type_name = shape
                            .map(|s| type_name(s.shape_type))
                            .unwrap_or("string")
                            .to_owned();
                        parameters.push(render::ParameterHelp {
                            option: options.get(member).cloned().unwrap_or_default(),
                            type_name,
                            required: input.is_required(member),
                            allowed: shape.map(|s| s.enum_values.clone()).unwrap_or_default(),
                        });
                    }
                }
                parameters.sort_by_key(|p| !p.required);
                render::operation_help(&render::OperationHelp {
                    read_only: prompt::is_read_only(&service, &operation),
                    paginated: model.paginator(op).is_some(),
                    service,
                    operation: cli_operation,
                    parameters,
                })
            }
            HelpRequest::S3Alias { command } => render::service_help(
                &render::ServiceHelp {
                    service: "s3".to_owned(),
                    full_name: format!("The AWS CLI's s3 {command} alias"),
                    operations: vec![
                        "ls [s3://bucket[/prefix]]".to_owned(),
                        "cp s3://bucket/key s3://other-bucket/key".to_owned(),
                    ],
                },
                &mention,
            ),
        }
    }
}

fn already_handled() -> Outcome {
    Outcome::Refuse("Someone already used this card, so nothing was run again.".to_owned())
}

fn short(id: &str) -> &str {
    id.get(..6).unwrap_or(id)
}

fn type_name(shape_type: ShapeType) -> &'static str {
    match shape_type {
        ShapeType::Structure => "structure",
        ShapeType::List => "list",
        ShapeType::Map => "map",
        ShapeType::String => "string",
        ShapeType::Integer => "integer",
        ShapeType::Long => "long",
        ShapeType::Float => "float",
        ShapeType::Double => "double",
        ShapeType::Boolean => "boolean",
        ShapeType::Timestamp => "timestamp",
        ShapeType::Blob => "blob",
        ShapeType::BigDecimal => "decimal",
        ShapeType::BigInteger => "integer",
    }
}

fn as_choice_pairs(choices: &[(String, Vec<String>)]) -> Vec<(String, Vec<(String, String)>)> {
    choices
        .iter()
        .map(|(member, names)| {
            (
                member.clone(),
                names.iter().map(|n| (n.clone(), n.clone())).collect(),
            )
        })
        .collect()
}

/// The form's fields with what was just submitted, so that a form shown again keeps it.
fn with_submitted_values(
    mut fields: Vec<FormField>,
    submitted: &Map<String, Value>,
) -> Vec<FormField> {
    for field in &mut fields {
        let typed = submitted
            .get(&format!("{}{}", field.member, prompt::FREE_TEXT_SUFFIX))
            .or_else(|| submitted.get(&field.member));
        if let Some(Value::String(text)) = typed {
            if !text.is_empty() {
                field.value = Some(text.clone());
            }
        }
    }
    fields
}
