//! Accounts in the chat flow (F13): the account choice card on first use in a channel with
//! several accounts, `@aws set default-account [name or id]`, and what a chosen account
//! leads to (the waiting command continues to its form, confirmation or result). The
//! choices themselves are kept by the authorizer; this module only converses.

use std::sync::Arc;

use serde_json::Value;

use super::form::FormCard;
use super::pending::{Loaded, RequestKind, RequestState};
use super::reauthorize::Moment;
use super::{already_handled, requester_of, ClickOutcome, Inner};
use crate::bot::{MessageRef, Reply, TurnContext};
use crate::command::{GlobalOptions, Invocation};
use crate::policy::{AccountQuestion, Permit};
use crate::prompt;
use crate::render::{self, AccountChoiceView, Card, CommandHeader};

/// `set default-account` with an optional account: `Some(None)` for the bare command,
/// `Some(Some("production"))` with an account, `None` for any other text.
pub(super) fn set_default_account_command(text: &str) -> Option<Option<&str>> {
    let text = text.trim();
    let (first, rest) = text.split_once(char::is_whitespace)?;
    if !first.eq_ignore_ascii_case("set") {
        return None;
    }
    let rest = rest.trim_start();
    let (second, choice) = match rest.split_once(char::is_whitespace) {
        Some((second, choice)) => (second, choice.trim()),
        None => (rest, ""),
    };
    if !second.eq_ignore_ascii_case("default-account") {
        return None;
    }
    Some((!choice.is_empty()).then_some(choice))
}

pub(super) fn account_choice_card(
    header: Option<CommandHeader>,
    question: &AccountQuestion,
    request_id: &str,
) -> Card {
    render::account_choice(&AccountChoiceView {
        title: "Which AWS account?".into(),
        header,
        message: question.message.clone(),
        accounts: question
            .accounts
            .iter()
            .map(|a| (a.name.clone(), a.id.clone()))
            .collect(),
        current: question
            .current
            .as_ref()
            .map(|a| (a.name.clone(), a.id.clone())),
        request_id: request_id.to_owned(),
    })
}

fn chosen_card(name: &str, id: &str, header: Option<CommandHeader>, then: &str) -> Card {
    render::account_choice(&AccountChoiceView {
        title: "Default account set".into(),
        header,
        message: format!(
            "Your commands in this channel now run in {name} ({id}); the choice is remembered for 7 days. {then}"
        ),
        accounts: Vec::new(),
        current: None,
        request_id: String::new(),
    })
}

/// The invocation a bare `set default-account` request stores: it never runs.
fn placeholder_invocation() -> Invocation {
    Invocation {
        service: "set".into(),
        operation: "DefaultAccount".into(),
        cli_operation: "default-account".into(),
        params: serde_json::Map::new(),
        globals: GlobalOptions::default(),
    }
}

impl Inner {
    /// `@aws set default-account [account]`.
    pub(super) async fn on_set_default_account(
        self: &Arc<Self>,
        turn: &TurnContext,
        choice: Option<&str>,
    ) -> Reply {
        let requester = requester_of(turn);
        if let Some(choice) = choice {
            return match self
                .authorizer
                .set_default_account(&requester.to_requester(), choice)
                .await
            {
                Ok(chosen) => Reply::Card(chosen_card(&chosen.name, &chosen.id, None, "")),
                Err(denial) => Reply::Card(render::error(
                    "Not allowed here",
                    &denial.message,
                    None,
                    Some(&format!("Refused by {}", denial.layer.describe())),
                )),
            };
        }
        let question = match self
            .authorizer
            .account_choices(&requester.to_requester())
            .await
        {
            Ok(question) => question,
            Err(denial) => {
                return Reply::Card(render::error(
                    "Not allowed here",
                    &denial.message,
                    None,
                    Some(&format!("Refused by {}", denial.layer.describe())),
                ))
            }
        };
        let request = self.new_request(
            requester,
            RequestKind::AccountChoice {
                missing: None,
                run_after: false,
            },
            &placeholder_invocation(),
        );
        let card = account_choice_card(None, &question, &request.id);
        self.post_request_card(turn, request, card).await
    }

    /// A click on an account: remember it, then let the waiting command continue as if it
    /// had just arrived (form, confirmation or result), re-authorized with the new account.
    pub(super) async fn account_chosen(
        self: &Arc<Self>,
        turn: &TurnContext,
        loaded: &Loaded,
        missing: Option<Vec<String>>,
        run_after: bool,
        data: &Value,
        target: Option<MessageRef>,
    ) -> ClickOutcome {
        let request = &loaded.request;
        let requester = request.requester.to_requester();
        let account = data
            .get("account")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let chosen = match self
            .authorizer
            .set_default_account(&requester, account)
            .await
        {
            Ok(chosen) => chosen,
            Err(denial) => return ClickOutcome::Refuse(denial.message),
        };
        if !run_after {
            return match self.claim(loaded, |r| r.state = RequestState::Done).await {
                Some(_) => ClickOutcome::Update {
                    card: chosen_card(&chosen.name, &chosen.id, None, ""),
                    target,
                    then: None,
                },
                None => already_handled(),
            };
        }
        let invocation = request.invocation.to_invocation();
        let permit = match self
            .reauthorize_or_fail(loaded, &invocation, &target, Moment::AccountChosen)
            .await
        {
            Ok(permit) => permit,
            Err(outcome) => return outcome,
        };
        self.continue_waiting_command(turn, loaded, &invocation, &permit, missing, target)
            .await
    }

    /// The command that waited for an account choice, now authorized: its form (with
    /// `missing` fields), its confirmation (a change), or its run (a read).
    async fn continue_waiting_command(
        self: &Arc<Self>,
        turn: &TurnContext,
        loaded: &Loaded,
        invocation: &Invocation,
        permit: &Permit,
        missing: Option<Vec<String>>,
        target: Option<MessageRef>,
    ) -> ClickOutcome {
        let request = &loaded.request;
        if let Some(missing) = missing.filter(|m| !m.is_empty()) {
            let fields = prompt::form_fields(self.models, invocation, &missing);
            let choices = self
                .resource_choices(&request.requester, &fields, invocation)
                .await;
            let stored_choices = choices.clone();
            return match self
                .claim(loaded, |r| {
                    r.kind = RequestKind::Form {
                        missing: missing.clone(),
                        choices: stored_choices,
                    }
                })
                .await
            {
                Some(request) => ClickOutcome::Update {
                    card: FormCard {
                        header: self.header(invocation, Some(permit)),
                        fields,
                        choices: &choices,
                        error: None,
                        request_id: &request.id,
                        expires_in_minutes: request.minutes_left(),
                    }
                    .render(),
                    target,
                    then: None,
                },
                None => already_handled(),
            };
        }
        self.confirm_or_run(turn, loaded, invocation, permit, target)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::set_default_account_command;

    #[test]
    fn set_default_account_is_recognised() {
        let cases: &[(&str, Option<Option<&str>>)] = &[
            ("set default-account", Some(None)),
            ("Set Default-Account production", Some(Some("production"))),
            (
                "set  default-account   123456789012 ",
                Some(Some("123456789012")),
            ),
            ("set", None),
            ("set region", None),
            ("cloudwatch describe-alarms", None),
        ];
        for (text, expected) in cases {
            assert_eq!(set_default_account_command(text), *expected, "{text:?}");
        }
    }
}
