//! A typed message arrives: the Action.Submit fallback of a card click, `set
//! default-account`, or a command. A command is parsed and authorized, then answered with help,
//! a form for missing parameters, an account choice, a confirmation of a change, or (for a
//! complete read) the result.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::accounts::{account_choice_card, set_default_account_command};
use super::aliases::{chat_word, ChatWord};
use super::follow_up::FollowUp;
use super::form::FormCard;
use super::paging::PageAt;
use super::pending::{RequestKind, StoredRequester};
use super::run::CallToRender;
use super::{requester_of, Inner};
use crate::audit::{AuditRecord, Outcome as AuditOutcome};
use crate::bot::{Reply, TurnContext};
use crate::command::{self, Command, CommandError, Customization, Invocation, ParseContext};
use crate::common::error_chain;
use crate::policy::{Decision, DenialLayer, Permit};
use crate::prompt;
use crate::render::{self, Card};

impl Inner {
    /// Answers one message: a card click's Action.Submit fallback goes to
    /// [`Inner::on_submit`], everything else is read as a command.
    pub(super) async fn on_message(self: &Arc<Self>, turn: &TurnContext, text: &str) -> Reply {
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
        if let Some(word) = chat_word(text) {
            return match word {
                ChatWord::Alias(rest) => self.on_alias(turn, rest).await,
                ChatWord::Run(rest) => self.on_run_alias(turn, rest).await,
                ChatWord::History => self.on_history(turn).await,
            };
        }
        let command = command::parse(text, self.models, ParseContext::Chat);
        // Parameters for an open form (`function-name orders-worker`) start with a word that
        // is no service, or with a dash and are no command (`--region x ec2 ...` is one).
        let maybe_follow_up = matches!(command, Err(CommandError::UnknownService { .. }))
            || (text.trim_start().starts_with('-')
                && !matches!(command, Ok(Command::Run(_) | Command::S3(_))));
        if maybe_follow_up {
            if let FollowUp::Answered(reply) = self.follow_up(turn, text).await {
                return reply;
            }
        }
        self.answer_command(turn, command, None).await
    }

    /// Answers a parsed command (typed, or expanded from `alias`): help, a refusal, or on to
    /// authorization and a form, a confirmation or the result.
    pub(super) async fn answer_command(
        self: &Arc<Self>,
        turn: &TurnContext,
        command: Result<Command, CommandError>,
        alias: Option<&str>,
    ) -> Reply {
        match command {
            Ok(Command::Help(request)) => Reply::Card(self.help_card(turn, request)),
            // The aliases run as the s3api call they stand for, through the same path: the
            // listing as a result card, the copy after a confirmation.
            Ok(Command::S3(s3)) => {
                self.on_command(turn, s3.equivalent_invocation(), None, alias)
                    .await
            }
            Ok(Command::Run(invocation)) => self.on_command(turn, invocation, None, alias).await,
            Err(CommandError::MissingRequired {
                invocation,
                missing,
            }) => {
                let missing = missing.into_iter().map(|m| m.member).collect();
                self.on_command(turn, *invocation, Some(missing), alias)
                    .await
            }
            Err(CommandError::NeverAllowed {
                service,
                operation,
                reason,
            }) => self.refuse_never_allowed(turn, service, operation, reason, alias),
            Err(error @ CommandError::UnknownService { .. }) => Reply::Card(render::error(
                "I do not know that command",
                &format!(
                    "{error} A command starts with an AWS service, like `cloudwatch describe-alarms`. Type `help` to see what I can run, or `<service> help` for a service's operations."
                ),
                None,
                None,
            )),
            Err(error) => Reply::Card(render::error(
                "I could not read that command",
                &error.to_string(),
                None,
                None,
            )),
        }
    }

    /// A command that is never allowed from chat: refused before any policy, but still an
    /// attempt, so it is audited.
    pub(super) fn refuse_never_allowed(
        &self,
        turn: &TurnContext,
        service: String,
        operation: Option<String>,
        reason: &'static str,
        alias: Option<&str>,
    ) -> Reply {
        let error = CommandError::NeverAllowed {
            service: service.clone(),
            operation: operation.clone(),
            reason,
        };
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
                AuditOutcome::denied(DenialLayer::NeverAllowed, error.to_string()),
            )
            .with_correlation_id(turn.correlation_id())
            .with_alias(alias),
        );
        Reply::Card(render::error(
            "Not allowed here",
            &error.to_string(),
            None,
            Some(&format!(
                "Refused by {}",
                DenialLayer::NeverAllowed.describe()
            )),
        ))
    }

    /// A parsed command (`missing`: the required members it lacks; `alias`: the alias it was
    /// expanded from): authorized, then a form, an account choice, a confirmation or the
    /// result.
    pub(super) async fn on_command(
        self: &Arc<Self>,
        turn: &TurnContext,
        invocation: Invocation,
        missing: Option<Vec<String>>,
        alias: Option<&str>,
    ) -> Reply {
        let requester = requester_of(turn);
        if invocation.service == "support" && invocation.operation == "CreateCase" {
            return self.start_support_case(turn, requester, invocation).await;
        }
        let permit = match self
            .authorizer
            .decide_via_alias(&requester.to_requester(), &invocation, alias)
            .await
        {
            Decision::Permit(permit) => permit,
            Decision::Deny(denial) => {
                let outcome = AuditOutcome::denied(denial.layer, denial.message.clone());
                self.record_history(&requester, &invocation, &outcome, alias)
                    .await;
                let card = self.denial_card(&invocation, &denial);
                let line = format!(
                    "{} was refused {} {}.",
                    requester.display_name(),
                    invocation.service,
                    invocation.cli_operation
                );
                let view_id = super::pending::new_request_id();
                return Reply::Card(self.private_card(turn, &view_id, card, &line).await);
            }
            Decision::ChooseAccount(question) => {
                let leads_to_form = missing.is_some();
                let request = self
                    .new_request(
                        requester,
                        RequestKind::AccountChoice {
                            missing,
                            run_after: true,
                        },
                        &invocation,
                    )
                    .via_alias(alias);
                if leads_to_form {
                    self.remember_form(&request).await;
                }
                let card = account_choice_card(
                    Some(self.header(&invocation, None).with_alias(alias)),
                    &question,
                    &request.id,
                );
                return self.post_request_card(turn, request, card).await;
            }
        };
        if let Some(missing) = missing {
            return self
                .open_form(turn, requester, invocation, &permit, missing, alias)
                .await;
        }
        if let Some(Customization::Wait { waiter }) = &invocation.globals.customization {
            let waiter = waiter.clone();
            return self
                .start_wait(turn, requester, &invocation, &permit, &waiter, alias)
                .await;
        }
        if let Some(needed) = permit.approval() {
            return self
                .ask_approval(turn, requester, &invocation, &permit, needed)
                .await;
        }
        if !prompt::is_read_only(&invocation.service, &invocation.operation) {
            let request = self
                .new_request(requester, RequestKind::Confirm, &invocation)
                .granted(&permit)
                .via_alias(alias);
            let card = render::confirm(
                &self.confirm_header(&invocation, &permit).with_alias(alias),
                &request.id,
                self.minutes(),
            );
            return self.post_request_card(turn, request, card).await;
        }
        if permit.long_running() {
            return self
                .run_read_that_may_be_slow(turn, requester, invocation, permit, alias)
                .await;
        }
        let (card, next_request) = self
            .call_and_render(CallToRender {
                requester: &requester,
                invocation: &invocation,
                permit: &permit,
                page: PageAt::first(),
                correlation_id: turn.correlation_id(),
                reuse_request: None,
                confirmed: false,
                approver: None,
                alias,
            })
            .await;
        self.reply_with_result(turn, card, next_request).await
    }

    /// Opens a form request for the `missing` members, with the resource choices the
    /// requester may list, and posts its card.
    async fn open_form(
        &self,
        turn: &TurnContext,
        requester: StoredRequester,
        invocation: Invocation,
        permit: &Permit,
        missing: Vec<String>,
        alias: Option<&str>,
    ) -> Reply {
        let fields = prompt::form_fields(self.models, &invocation, &missing);
        let choices = self
            .resource_choices(&requester, &fields, &invocation)
            .await;
        let request = self
            .new_request(
                requester,
                RequestKind::Form {
                    missing,
                    choices: choices.clone(),
                },
                &invocation,
            )
            .granted(permit)
            .via_alias(alias);
        self.remember_form(&request).await;
        let card = FormCard {
            header: self.header(&invocation, Some(permit)).with_alias(alias),
            fields,
            choices: &choices,
            error: None,
            request_id: &request.id,
            expires_in_minutes: self.minutes(),
        }
        .render();
        self.post_request_card(turn, request, card).await
    }

    /// Sends a result card as the reply; when it offers a next page, the next-page request
    /// learns where the card is.
    pub(super) async fn reply_with_result(
        &self,
        turn: &TurnContext,
        card: Card,
        next_request: Option<String>,
    ) -> Reply {
        let Some(responder) = turn.responder() else {
            return Reply::Card(card);
        };
        match responder.reply_card(turn.activity(), card).await {
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
}
