//! A click on a pending request's card (Action.Execute, or the message its Action.Submit
//! fallback sends): who may click, whether the request can still move, and where each verb
//! goes. Only the requester may act, only in the request's conversation, only on an open,
//! unexpired request, and only one click wins.

use std::sync::Arc;

use serde_json::Value;

use super::paging::PageAt;
use super::pending::{now_millis, Loaded, RequestKind, RequestState};
use super::{already_handled, short, update, ClickOutcome, Inner};
use crate::bot::{MessageRef, TurnContext};
use crate::command::render_command_line;
use crate::common::error_chain;
use crate::render::Verb;

/// The pending request (or record) a card's button names: its data's `request`, empty when
/// missing (then nothing is found).
pub(super) fn clicked_request(data: &Value) -> &str {
    data.get("request")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl Inner {
    /// The card a click came from: the one recorded for request `id`, else the message the
    /// click replies to.
    pub(super) async fn clicked_card(&self, turn: &TurnContext, id: &str) -> Option<MessageRef> {
        let activity = turn.activity();
        let replied_to = activity
            .reply_to_id
            .as_deref()
            .and_then(|reply_to| MessageRef::in_conversation_of(activity, reply_to));
        self.pending.card(id).await.or(replied_to)
    }

    /// An Action.Submit fallback: the same answers as [`Inner::answer_click`], delivered as
    /// card updates and a text reply.
    pub(super) async fn on_submit(self: &Arc<Self>, turn: &TurnContext, verb: &str, data: &Value) {
        let outcome = self.answer_click(turn, verb, data).await;
        let Some(responder) = turn.responder().cloned() else {
            return;
        };
        match outcome {
            ClickOutcome::Refuse(message) => {
                if let Err(error) = responder.reply_text(turn.activity(), &message).await {
                    tracing::error!(error = %error_chain(&error), "refusal could not be sent");
                }
            }
            ClickOutcome::ClickerOnly { card, target } => {
                if let Some(target) = &target {
                    update(&responder, target, card).await;
                }
            }
            ClickOutcome::Update { card, target, then } => {
                if let Some(target) = &target {
                    update(&responder, target, card).await;
                }
                if let Some(then) = then {
                    then(responder).await;
                }
            }
        }
    }

    /// What a click with `verb` on a pending request's card leads to: the request is loaded
    /// and checked ([`Inner::load_clicked`], [`Inner::answer_unless_open`]), then the verb
    /// moves it on.
    pub(super) async fn answer_click(
        self: &Arc<Self>,
        turn: &TurnContext,
        verb: &str,
        data: &Value,
    ) -> ClickOutcome {
        match Verb::from_card(verb) {
            Some(verb @ (Verb::ShowLogs | Verb::ShowErrorLogs | Verb::RefreshLogs)) => {
                return self.logs_click(turn, verb, data).await;
            }
            Some(verb @ (Verb::ShowChart | Verb::Acknowledge | Verb::RunButton)) => {
                return self.alarm_click(turn, verb, data).await;
            }
            Some(Verb::Refresh) => return self.refresh_view(turn, data).await,
            Some(verb @ (Verb::Approve | Verb::Reject)) => {
                return self.approval_click(turn, verb, data).await;
            }
            Some(Verb::RunAgain) => return self.run_again(turn, data).await,
            _ => {}
        }
        let id = clicked_request(data);
        let loaded = match self.load_clicked(turn, verb, id).await {
            Ok(loaded) => loaded,
            Err(refusal) => return refusal,
        };
        let target = self.clicked_card(turn, id).await;
        // A wait is Running while it polls; Cancel stops it.
        if Verb::from_card(verb) == Some(Verb::Cancel)
            && loaded.request.state == RequestState::Running
        {
            match loaded.request.kind {
                RequestKind::Wait(_) => {
                    return self
                        .cancel_wait(&loaded, target, turn.correlation_id())
                        .await
                }
                RequestKind::SlowRead { .. } => {
                    return self
                        .cancel_slow_read(&loaded, target, turn.correlation_id())
                        .await
                }
                _ => {}
            }
        }
        if let Some(answer) = self.answer_unless_open(turn, &loaded, &target).await {
            return answer;
        }
        if loaded.request.is_expired() {
            return self.expire(&loaded, target, turn.correlation_id()).await;
        }
        match (Verb::from_card(verb), &loaded.request.kind) {
            (Some(Verb::Cancel), _) => self.cancel(&loaded, target, turn.correlation_id()).await,
            (Some(Verb::Submit), RequestKind::Form { missing, choices }) => {
                self.submit_form(turn, &loaded, missing, choices, data, target)
                    .await
            }
            (Some(Verb::Confirm), RequestKind::Confirm) => {
                let Some(claimed) = self.claim_running(&loaded, None).await else {
                    return already_handled();
                };
                tracing::info!(request = short(id), "confirmed; running once");
                self.start_run(turn, claimed, target, PageAt::first())
            }
            (Some(Verb::NextPage), RequestKind::NextPage { next, page, skip }) => {
                let page = PageAt::of_next_page(next, *page, *skip);
                let Some(claimed) = self.claim_running(&loaded, None).await else {
                    return already_handled();
                };
                self.start_run(turn, claimed, target, page)
            }
            (Some(Verb::Submit), RequestKind::AliasForm { .. }) => {
                self.submit_alias_form(turn, &loaded, data, target).await
            }
            (Some(Verb::Submit), RequestKind::SupportForm { .. }) => {
                self.submit_support_form(turn, &loaded, data, target).await
            }
            (Some(Verb::ChooseAccount), RequestKind::AccountChoice { missing, run_after }) => {
                self.account_chosen(turn, &loaded, missing.clone(), *run_after, data, target)
                    .await
            }
            (Some(Verb::Confirm), RequestKind::SupportSummary { draft }) => {
                self.confirm_support_case(turn, &loaded, draft.clone(), data, target)
                    .await
            }
            _ => ClickOutcome::Refuse(
                "This button does not belong to this request. Nothing was changed.".to_owned(),
            ),
        }
    }

    /// The clicked request, if it exists and the clicker is its requester in its own
    /// conversation; otherwise the refusal to answer with.
    async fn load_clicked(
        &self,
        turn: &TurnContext,
        verb: &str,
        id: &str,
    ) -> Result<Loaded, ClickOutcome> {
        let loaded = match self.pending.load(id).await {
            Ok(Some(loaded)) => loaded,
            Ok(None) => {
                tracing::info!(verb, "click on an unknown request refused");
                return Err(ClickOutcome::Refuse(
                    "I do not know this request, so nothing was run. Send the command again to start over."
                        .to_owned(),
                ));
            }
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "pending request could not be read");
                return Err(ClickOutcome::Refuse(format!(
                    "Something went wrong on my side (reference {}). Nothing was run.",
                    turn.correlation_id()
                )));
            }
        };
        let request = &loaded.request;
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
                .who
                .user_name
                .clone()
                .unwrap_or_else(|| "the person".to_owned());
            return Err(ClickOutcome::Refuse(format!(
                "Only {name}, who sent this command, can use its buttons. Nothing was changed; send the command yourself to run it as you."
            )));
        }
        if activity.conversation_id() != Some(request.requester.who.conversation_id.as_str()) {
            tracing::warn!(
                request = short(id),
                verb,
                "click from another conversation than the request's refused"
            );
            return Err(ClickOutcome::Refuse(
                "This card belongs to another conversation, so nothing was run. Use the buttons on the card where you sent the command, or send the command here."
                    .to_owned(),
            ));
        }
        Ok(loaded)
    }

    /// `None` for an open request; for any other state, the answer to the click. A Running
    /// request whose runner died is given up as "outcome unknown" here.
    pub(super) async fn answer_unless_open(
        &self,
        turn: &TurnContext,
        loaded: &Loaded,
        target: &Option<MessageRef>,
    ) -> Option<ClickOutcome> {
        let request = &loaded.request;
        let refusal = match request.state {
            RequestState::Open => return None,
            RequestState::Running if request.is_abandoned(now_millis()) => {
                return Some(
                    match self
                        .give_up_abandoned(loaded, turn.correlation_id())
                        .await
                    {
                        Some(card) => ClickOutcome::Update {
                            card,
                            target: target.clone(),
                            then: None,
                        },
                        None => already_handled(),
                    },
                )
            }
            RequestState::Running => {
                "This request is already running; its card will show the result.".to_owned()
            }
            RequestState::OutcomeUnknown => format!(
                "The bot stopped while this command was running, so its outcome is unknown. Check in AWS before you run it again: {}",
                render_command_line(&request.invocation.to_invocation(), self.models)
            ),
            RequestState::Done | RequestState::Failed => {
                "This request was already handled, so nothing was run again.".to_owned()
            }
            RequestState::Cancelled => {
                "This request was cancelled. Send the command again to start over.".to_owned()
            }
            RequestState::Expired => {
                "This request has expired. Send the command again to start over.".to_owned()
            }
            RequestState::Rejected => {
                "This request was rejected, so nothing was run. Send the command again to ask for approval again.".to_owned()
            }
        };
        Some(ClickOutcome::Refuse(refusal))
    }
}
