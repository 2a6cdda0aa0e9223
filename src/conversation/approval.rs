//! Four-eyes approval (B3): a command whose IAM action the channel's `approval` rule names
//! waits for a second person. Its approval card goes to the conversation; Approve or Reject
//! is taken only from someone other than the requester whom the configuration in force at
//! the click allows, in the request's conversation, on an open unexpired request, and only
//! once (the store's compare-and-swap). Approval re-authorizes the requester at that moment
//! and runs the command as the requester's role; decisions are audited with both people.

use crate::conversation::click::clicked_request;
use std::sync::Arc;

use serde_json::Value;

use super::pending::{Loaded, PendingRequest, RequestKind, RequestState, StoredRequester};
use super::reauthorize::Moment;
use super::run::Claimed;
use super::views::ApprovalViews;
use super::{already_handled, requester_of, short, ClickOutcome, Inner};
use crate::audit::{AuditRecord, Outcome as AuditOutcome};
use crate::bot::{MessageRef, Reply, TurnContext};
use crate::command::Invocation;
use crate::common::error_chain;
use crate::policy::approval::ApprovalNeeded;
use crate::policy::Permit;
use crate::render::{self, ApprovalButtons, ApprovalView, Card, Status, Verb};

use super::paging::PageAt;

impl Inner {
    /// A new command that needs approval: an Approval request, its audit record, and the
    /// approval card posted to the conversation.
    pub(super) async fn ask_approval(
        &self,
        turn: &TurnContext,
        requester: StoredRequester,
        invocation: &Invocation,
        permit: &Permit,
        needed: &ApprovalNeeded,
    ) -> Reply {
        let request = self
            .new_request(
                requester,
                RequestKind::Approval {
                    rule: needed.pattern.clone(),
                    approved_by: None,
                },
                invocation,
            )
            .granted(permit);
        self.audit_decision(&request, AuditOutcome::ApprovalRequested, None, turn);
        let view = |buttons| self.approval_card(&request, invocation, permit, needed, buttons);
        let line = format!(
            "{} asks for approval of {} {}.",
            request.requester.display_name(),
            invocation.service,
            invocation.cli_operation
        );
        let approver = ApprovalViews {
            approver_card: view(ApprovalButtons::Approver),
            approvers: needed.approvers.clone(),
        };
        let card = self
            .approval_views(
                turn,
                &request.id,
                view(ApprovalButtons::All),
                view(ApprovalButtons::Requester),
                &line,
                approver,
            )
            .await;
        self.post_request_card(turn, request, card).await
    }

    /// A command a click completed (a form, an account choice) that needs approval: the
    /// request becomes an Approval request and its card the approval card.
    pub(super) async fn ask_approval_on_card(
        &self,
        turn: &TurnContext,
        loaded: &Loaded,
        invocation: &Invocation,
        permit: &Permit,
        target: Option<MessageRef>,
    ) -> Option<ClickOutcome> {
        let needed = permit.approval()?;
        let stored = invocation.into();
        let claimed = self
            .claim(loaded, |r| {
                r.kind = RequestKind::Approval {
                    rule: needed.pattern.clone(),
                    approved_by: None,
                };
                r.invocation = stored;
                r.grant = Some(permit.into());
            })
            .await;
        Some(match claimed {
            Some(request) => {
                self.audit_decision(&request, AuditOutcome::ApprovalRequested, None, turn);
                ClickOutcome::Update {
                    card: self.approval_card(
                        &request,
                        invocation,
                        permit,
                        needed,
                        ApprovalButtons::All,
                    ),
                    target,
                    then: None,
                }
            }
            None => already_handled(),
        })
    }

    /// The approval card of `request` with `buttons` (the server checks each click).
    fn approval_card(
        &self,
        request: &PendingRequest,
        invocation: &Invocation,
        permit: &Permit,
        needed: &ApprovalNeeded,
        buttons: ApprovalButtons,
    ) -> Card {
        render::approval(
            &ApprovalView {
                header: self.confirm_header(invocation, permit),
                requester: request.requester.display_name().to_owned(),
                approvers: needed.approvers.describe(),
                rule: needed.pattern.clone(),
                request_id: request.id.clone(),
                expires_in_minutes: request.minutes_left(),
            },
            buttons,
        )
    }

    /// Approve or Reject on an approval card.
    pub(super) async fn approval_click(
        self: &Arc<Self>,
        turn: &TurnContext,
        verb: Verb,
        data: &Value,
    ) -> ClickOutcome {
        let id = clicked_request(data);
        let loaded = match self.load_for_approver(turn, verb, id).await {
            Ok(loaded) => loaded,
            Err(refusal) => return refusal,
        };
        let target = self.clicked_card(turn, id).await;
        if let Some(answer) = self.answer_unless_open(turn, &loaded, &target).await {
            return answer;
        }
        if loaded.request.is_expired() {
            return self.expire(&loaded, target, turn.correlation_id()).await;
        }
        let RequestKind::Approval { rule, .. } = &loaded.request.kind else {
            return ClickOutcome::Refuse(
                "This button does not belong to this request. Nothing was changed.".to_owned(),
            );
        };
        // The requester is authorized again now, and the approvers are the ones the
        // configuration names now: both may have changed since the card was posted.
        let invocation = loaded.request.invocation.to_invocation();
        let permit = match self
            .reauthorize_or_fail(&loaded, &invocation, &target, Moment::Submission)
            .await
        {
            Ok(permit) => permit,
            Err(answer) => return answer,
        };
        let approver = requester_of(turn);
        if let Some(needed) = permit.approval() {
            let requester_id = loaded.request.requester.who.user_object_id.as_deref();
            if !needed
                .approvers
                .may_approve(requester_id, approver.who.user_object_id.as_deref())
            {
                tracing::info!(
                    request = short(id),
                    "approval by someone who may not approve refused"
                );
                return ClickOutcome::Refuse(format!(
                    "Only {} may approve or reject this command, and you are not one of them now. Nothing was changed; ask an administrator to add your Entra object id ({}) to the channel's approvers if you should be.",
                    needed.approvers.describe(),
                    approver.who.user_object_id.as_deref().unwrap_or("unknown"),
                ));
            }
        }
        let rule = rule.clone();
        match verb {
            Verb::Reject => self.reject(turn, &loaded, approver, target).await,
            _ => {
                self.approve(turn, &loaded, approver, rule, invocation, target)
                    .await
            }
        }
    }

    /// The approval: claimed for running exactly once, audited with both people, then run as
    /// the requester (re-authorized again just before the call).
    async fn approve(
        self: &Arc<Self>,
        turn: &TurnContext,
        loaded: &Loaded,
        approver: StoredRequester,
        rule: String,
        invocation: Invocation,
        target: Option<MessageRef>,
    ) -> ClickOutcome {
        let approved_by = Some(approver.clone());
        let Some(claimed) = self
            .claim(loaded, |r| {
                r.state = RequestState::Running;
                r.kind = RequestKind::Approval { rule, approved_by };
            })
            .await
        else {
            return already_handled();
        };
        tracing::info!(request = short(&claimed.id), "approved; running once");
        self.audit_decision(&claimed, AuditOutcome::Approved, Some(&approver), turn);
        let mut header = self.header(&invocation, None);
        header.approved_by = Some(approver.display_name().to_owned());
        let card = render::status(
            Status::Running,
            &format!(
                "Approved by {}. Running as {}'s role; this card shows the result when the command finishes.",
                approver.display_name(),
                claimed.requester.display_name()
            ),
            Some(&header),
        );
        let run = Claimed::by_click(turn, claimed, invocation, target);
        self.run_after_click(run, card, move |inner, responder, run| {
            inner.complete_run(responder, run, PageAt::first())
        })
    }

    /// The rejection: the request ends Rejected exactly once, audited with both people;
    /// nothing runs.
    async fn reject(
        &self,
        turn: &TurnContext,
        loaded: &Loaded,
        approver: StoredRequester,
        target: Option<MessageRef>,
    ) -> ClickOutcome {
        let Some(rejected) = self
            .claim(loaded, |r| r.state = RequestState::Rejected)
            .await
        else {
            return already_handled();
        };
        tracing::info!(request = short(&rejected.id), "approval rejected");
        self.audit_decision(&rejected, AuditOutcome::Rejected, Some(&approver), turn);
        // The requester's history shows the command as rejected.
        self.history_unrun(&rejected, &AuditOutcome::Rejected).await;
        let header = self.header(&rejected.invocation.to_invocation(), None);
        ClickOutcome::Update {
            card: render::status(
                Status::Rejected,
                &format!(
                    "Rejected by {}. Nothing was run. {} can send the command again to ask again.",
                    approver.display_name(),
                    rejected.requester.display_name()
                ),
                Some(&header),
            ),
            target,
            then: None,
        }
    }

    /// The request an approver clicked, if it exists, the click comes from its conversation
    /// and the clicker is not its requester; otherwise the refusal to answer with.
    async fn load_for_approver(
        &self,
        turn: &TurnContext,
        verb: Verb,
        id: &str,
    ) -> Result<Loaded, ClickOutcome> {
        let loaded = match self.pending.load(id).await {
            Ok(Some(loaded)) => loaded,
            Ok(None) => {
                return Err(ClickOutcome::Refuse(
                    "I do not know this request, so nothing was run.".to_owned(),
                ))
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
        if activity.conversation_id() != Some(request.requester.who.conversation_id.as_str()) {
            tracing::warn!(
                request = short(id),
                verb = verb.as_str(),
                "approval from another conversation refused"
            );
            return Err(ClickOutcome::Refuse(
                "This card belongs to another conversation, so nothing was changed. Approve it on the card where it was asked.".to_owned(),
            ));
        }
        let clicking_user_id = activity.from.as_ref().map(|f| f.id.as_str());
        if request
            .requester
            .is(turn.user_aad_object_id(), clicking_user_id)
        {
            tracing::info!(request = short(id), "self-approval refused");
            return Err(ClickOutcome::Refuse(
                "You sent this command, so you cannot approve or reject it yourself: someone else has to. Nothing was changed; choose Withdraw if it is no longer needed.".to_owned(),
            ));
        }
        Ok(loaded)
    }

    /// The audit record of an approval step: requested, approved or rejected, with the
    /// facts of the permit the request was opened with and the approver.
    fn audit_decision(
        &self,
        request: &PendingRequest,
        outcome: AuditOutcome,
        approver: Option<&StoredRequester>,
        turn: &TurnContext,
    ) {
        let invocation = request.invocation.to_invocation();
        let mut record = AuditRecord::new(&request.requester.to_requester(), &invocation, outcome)
            .with_correlation_id(turn.correlation_id())
            .with_approver(approver.map(StoredRequester::audit_user));
        if let Some(grant) = &request.grant {
            record = record.with_permit(grant.clone());
        }
        self.audit.write(&record);
    }
}
