//! A follow-up message that only supplies parameters (`@aws function-name orders-worker`
//! after `@aws lambda get-function` opened a form, as the AWS Chatbot documentation
//! describes): the parameters go into the sender's newest open form in this conversation,
//! which then continues exactly as if the form were submitted with them.
//!
//! Which forms are open is remembered per conversation and user under
//! [`FORMS_NAMESPACE`] (the newest [`REMEMBERED`] request ids), so a follow-up never scans the
//! pending requests; each id is loaded and checked like a click (requester, conversation,
//! state, expiry).

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::pending::{Loaded, PendingRequest, RequestKind, RequestState, StoredRequester};
use super::{requester_of, update, ClickOutcome, Inner};
use crate::bot::{Reply, TurnContext};
use crate::command::{self, render_command_line};
use crate::common::error_chain;
use crate::render;
use crate::store::Record;

/// The store namespace of the open forms per conversation and user.
pub const FORMS_NAMESPACE: &str = "pending-forms";
/// How many of a user's newest forms per conversation are remembered.
pub const REMEMBERED: usize = 8;

/// What a message turned out to be.
pub(super) enum FollowUp {
    /// Not parameters for an open form: read it as a command.
    NotOne,
    /// Handled; the reply to send (often nothing: the form's card shows the outcome).
    Answered(Reply),
}

/// The store key of `requester`'s forms: the conversation and the user, encoded to one
/// segment.
fn forms_key(requester: &StoredRequester) -> Option<String> {
    let user = requester
        .who
        .user_object_id
        .as_deref()
        .or(requester.user_id.as_deref())?;
    let key = format!("{}\n{user}", requester.who.conversation_id);
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key))
}

/// The option name of a word written as a parameter (`function-name`, `--function-name`,
/// `-function-name`), when it could be one.
fn parameter_name(word: &str) -> Option<&str> {
    let name = word.trim_start_matches('-');
    let plausible = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    plausible.then_some(name)
}

impl Inner {
    /// Remembers that `request` (a form, or an account choice that leads to one) is open, for
    /// follow-up messages. A failure is logged: the form still works by its card.
    pub(super) async fn remember_form(&self, request: &PendingRequest) {
        let Some(key) = forms_key(&request.requester) else {
            return;
        };
        let store = self.pending.store();
        let mut ids: Vec<String> = match store.get(FORMS_NAMESPACE, &key).await {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
            _ => Vec::new(),
        };
        ids.retain(|id| *id != request.id);
        ids.insert(0, request.id.clone());
        ids.truncate(REMEMBERED);
        let bytes = serde_json::to_vec(&ids).unwrap_or_default();
        if let Err(error) = store
            .put(
                FORMS_NAMESPACE,
                &key,
                Record::expiring(bytes, self.request_ttl),
            )
            .await
        {
            tracing::warn!(error = %error_chain(&error), "open form not remembered");
        }
    }

    /// The sender's newest open, unexpired form in this conversation.
    async fn newest_open_form(&self, requester: &StoredRequester) -> Option<Loaded> {
        let key = forms_key(requester)?;
        let bytes = self
            .pending
            .store()
            .get(FORMS_NAMESPACE, &key)
            .await
            .ok()??;
        let ids: Vec<String> = serde_json::from_slice(&bytes).ok()?;
        for id in ids {
            let Ok(Some(loaded)) = self.pending.load(&id).await else {
                continue;
            };
            let request = &loaded.request;
            let same_person = request.requester.is(
                requester.who.user_object_id.as_deref(),
                requester.user_id.as_deref(),
            );
            let usable = same_person
                && request.requester.who.conversation_id == requester.who.conversation_id
                && request.state == RequestState::Open
                && !request.is_expired()
                && matches!(request.kind, RequestKind::Form { .. });
            if usable {
                return Some(loaded);
            }
        }
        None
    }

    /// Reads `text` as parameters for the sender's newest open form when its first word is a
    /// parameter of that form's command and not a service.
    pub(super) async fn follow_up(self: &Arc<Self>, turn: &TurnContext, text: &str) -> FollowUp {
        let Ok(words) = command::tokenize(text) else {
            return FollowUp::NotOne;
        };
        let Some(first) = words.first() else {
            return FollowUp::NotOne;
        };
        let dashed = first.starts_with('-');
        let is_service = self.models.contains(&first.to_lowercase()) || first == "s3";
        let Some(name) = parameter_name(first).filter(|_| !is_service) else {
            return FollowUp::NotOne;
        };
        let requester = requester_of(turn);
        let Some(loaded) = self.newest_open_form(&requester).await else {
            if !dashed {
                return FollowUp::NotOne;
            }
            return FollowUp::Answered(Reply::Card(render::error(
                "Nothing is waiting for parameters",
                &format!(
                    "--{name} looks like a parameter, but no command of yours in this conversation is waiting for one. Send the whole command, for example `lambda get-function --function-name my-function`."
                ),
                None,
                None,
            )));
        };
        let base = loaded.request.invocation.to_invocation();
        let options = self
            .models
            .service(&base.service)
            .ok()
            .and_then(|model| {
                let operation = model.operations.get(&base.operation)?;
                crate::command::command_option_names(
                    &model,
                    operation,
                    &base.service,
                    &base.cli_operation,
                )
            })
            .unwrap_or_default();
        let member_of = |option: &str| {
            options
                .iter()
                .find(|(_, o)| o.as_str() == option)
                .map(|(member, _)| member.clone())
        };
        if member_of(name).is_none() {
            if !dashed {
                return FollowUp::NotOne;
            }
            let known: Vec<String> = options.values().map(|o| format!("--{o}")).collect();
            return FollowUp::Answered(Reply::Card(render::error(
                "Not a parameter of your pending command",
                &format!(
                    "--{name} is not a parameter of `{}`, which is waiting for you. Its parameters: {}.",
                    render_command_line(&base, self.models),
                    known.join(", ")
                ),
                None,
                None,
            )));
        }
        // Each parameter with the words after it: several make a list, none a flag.
        let mut submitted = Map::new();
        let mut given: Vec<String> = Vec::new();
        let mut current: Option<(String, Vec<String>)> = None;
        let mut finish = |entry: Option<(String, Vec<String>)>,
                          submitted: &mut Map<String, Value>|
         -> Result<(), String> {
            let Some((option, values)) = entry else {
                return Ok(());
            };
            let member = member_of(&option).ok_or(option.clone())?;
            let value = if values.is_empty() {
                "true".to_owned()
            } else {
                values.join(", ")
            };
            submitted.insert(member.clone(), Value::String(value));
            if !given.contains(&member) {
                given.push(member);
            }
            Ok(())
        };
        let mut unknown = None;
        for (index, word) in words.iter().enumerate() {
            let option = if index == 0 {
                Some(name.to_owned())
            } else if word.starts_with("--") {
                parameter_name(word).map(str::to_owned)
            } else {
                None
            };
            match option {
                Some(option) => {
                    if let Err(option) = finish(current.take(), &mut submitted) {
                        unknown = Some(option);
                    }
                    current = Some((option, Vec::new()));
                }
                None => {
                    if let Some((_, values)) = &mut current {
                        values.push(word.clone());
                    }
                }
            }
        }
        if let Err(option) = finish(current.take(), &mut submitted) {
            unknown = Some(option);
        }
        if let Some(option) = unknown {
            return FollowUp::Answered(Reply::Card(render::error(
                "Not a parameter of your pending command",
                &format!(
                    "--{option} is not a parameter of `{}`. Nothing was filled in.",
                    render_command_line(&base, self.models)
                ),
                None,
                None,
            )));
        }
        let RequestKind::Form { missing, choices } = &loaded.request.kind else {
            return FollowUp::NotOne;
        };
        let mut fields = missing.clone();
        fields.extend(given.into_iter().filter(|m| !missing.contains(m)));
        let id = loaded.request.id.clone();
        let Some(target) = self.pending.card(&id).await else {
            return FollowUp::Answered(Reply::Card(render::error(
                "I cannot find your form",
                "The form of your pending command has no card I can update. Fill in the form itself, or send the whole command again.",
                None,
                None,
            )));
        };
        tracing::info!(
            request = super::short(&id),
            "parameters given by a follow-up message"
        );
        let outcome = self
            .submit_form(
                turn,
                &loaded,
                &fields,
                choices,
                &Value::Object(submitted),
                Some(target),
            )
            .await;
        FollowUp::Answered(self.deliver(turn, outcome).await)
    }

    /// Delivers what a submission led to as a message answer: the card of the request is
    /// updated (and the work after it runs); a refusal is the reply.
    async fn deliver(&self, turn: &TurnContext, outcome: ClickOutcome) -> Reply {
        let responder = turn.responder().cloned();
        match (outcome, responder) {
            (ClickOutcome::Refuse(message), _) => {
                Reply::Card(render::error("Nothing was filled in", &message, None, None))
            }
            (ClickOutcome::ClickerOnly { card, target }, Some(responder)) => {
                if let Some(target) = &target {
                    update(&responder, target, card).await;
                }
                Reply::Nothing
            }
            (ClickOutcome::Update { card, target, then }, Some(responder)) => {
                if let Some(target) = &target {
                    update(&responder, target, card).await;
                }
                if let Some(then) = then {
                    then(responder).await;
                }
                Reply::Nothing
            }
            (ClickOutcome::ClickerOnly { card, .. } | ClickOutcome::Update { card, .. }, None) => {
                Reply::Card(card)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_recognised_with_or_without_dashes() {
        for (word, expected) in [
            ("function-name", Some("function-name")),
            ("--function-name", Some("function-name")),
            ("-qualifier", Some("qualifier")),
            ("Hello", None),
            ("--", None),
            ("s3://x", None),
            ("@.{a}", None),
        ] {
            assert_eq!(parameter_name(word), expected, "{word}");
        }
    }
}
