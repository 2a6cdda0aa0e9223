//! Creating the support case: Create case on the summary claims the request once, and the
//! case is created (after re-authorizing) and audited after the click was answered; the card
//! then shows the case id and a link to it.

use std::sync::Arc;

use serde_json::Value;

use super::{name_of, summary_facts, SUPPORT_CENTER};
use crate::audit::{self, AuditRecord};
use crate::aws::support::NewCase;
use crate::bot::{MessageRef, Responder, TurnContext};
use crate::conversation::cards::FailedCall;
use crate::conversation::pending::{Loaded, RequestState, SupportDraft};
use crate::conversation::run::Claimed;
use crate::conversation::{already_handled, short, update, ClickOutcome, Inner};
use crate::render::{self, Status};

/// The category the case is created in: the one chosen on the summary, else the one given
/// with the command; it must be one of the service's categories when the service has any.
/// Otherwise what the clicker is told.
fn chosen_category(draft: &SupportDraft, data: &Value) -> Result<Option<String>, &'static str> {
    let chosen = data
        .get("categoryCode")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|c| !c.is_empty())
        .or(draft.category_code.clone());
    match (chosen, draft.categories.is_empty()) {
        (Some(code), false) => match name_of(&draft.categories, &code) {
            Some(_) => Ok(Some(code)),
            None => Err("Choose the category from the list on the card, then Create case."),
        },
        (None, false) => Err("Choose a category on the card first, then Create case."),
        (chosen, true) => Ok(chosen),
    }
}

impl Inner {
    /// Create case on the summary: the category is checked, the request claimed for running
    /// (once), and the "Creating…" card shown; [`Inner::create_case`] runs after the click is
    /// answered.
    pub(in crate::conversation) async fn confirm_support_case(
        self: &Arc<Self>,
        turn: &TurnContext,
        loaded: &Loaded,
        draft: SupportDraft,
        data: &Value,
        target: Option<MessageRef>,
    ) -> ClickOutcome {
        let category = match chosen_category(&draft, data) {
            Ok(category) => category,
            Err(refusal) => return ClickOutcome::Refuse(refusal.to_owned()),
        };
        let mut invocation = loaded.request.invocation.to_invocation();
        if let Some(code) = &category {
            invocation
                .params
                .insert("categoryCode".into(), Value::String(code.clone()));
        }
        let Some(claimed) = self.claim_running(loaded, Some(&invocation)).await else {
            return already_handled();
        };
        tracing::info!(
            request = short(&claimed.id),
            "support case confirmed; creating it once"
        );
        let header = self.support_header(&invocation, None);
        let card = render::status(
            Status::Running,
            "Creating the support case. This card shows the case id when AWS Support answers.",
            Some(&header),
        );
        let case = Claimed::by_click(turn, claimed, invocation, target);
        self.run_after_click(case, card, move |inner, responder, case| {
            inner.create_case(responder, case, draft, category)
        })
    }

    /// Re-authorizes the claimed request, creates the case (once), audits it, stores the
    /// request's final state and shows the case (or the error) on its card. `category`: the
    /// one chosen on the summary (or given with the command), if the service has any.
    async fn create_case(
        self: Arc<Self>,
        responder: Responder,
        case: Claimed,
        draft: SupportDraft,
        category: Option<String>,
    ) {
        let claimed = &case.request;
        let (card, state) = match self.reauthorize_running(claimed, &case.invocation).await {
            Err(denial_card) => (denial_card, RequestState::Failed),
            Ok(permit) => {
                let header = self.support_header(&case.invocation, Some(&permit));
                let new_case = NewCase {
                    subject: draft.subject.clone(),
                    service_code: draft.service_code.clone(),
                    category_code: category.clone(),
                    severity_code: draft.severity_code.clone(),
                    communication_body: draft.communication_body.clone(),
                    cc_email_addresses: draft.cc_email_addresses.clone(),
                    language: draft.language.clone(),
                    issue_type: draft.issue_type.clone(),
                };
                let started = std::time::Instant::now();
                let created = self.support.create_case(&permit, &new_case).await;
                let outcome = match &created {
                    Ok(_) => audit::Outcome::Confirmed,
                    Err(error) => audit::Outcome::failed(error),
                };
                self.audit.write(
                    &AuditRecord::new(&claimed.requester.to_requester(), &case.invocation, outcome)
                        .with_permit(&permit)
                        .with_latency(started.elapsed())
                        .with_correlation_id(case.correlation_id.as_str()),
                );
                match created {
                    Ok(created) => {
                        let mut facts = vec![("Case id".to_owned(), created.case_id.clone())];
                        if let Some(display) = &created.display_id {
                            facts.push(("Case number".to_owned(), display.clone()));
                        }
                        facts.extend(summary_facts(&draft, category.as_deref()));
                        let url = match &created.display_id {
                            Some(display) => format!(
                                "{SUPPORT_CENTER}case/?displayId={display}&language={}",
                                draft.language
                            ),
                            None => format!("{SUPPORT_CENTER}case/history"),
                        };
                        (
                            render::support_case(&header, &facts, &url),
                            RequestState::Done,
                        )
                    }
                    Err(error) => (
                        FailedCall::Support(&error).card(&header, &case.correlation_id),
                        RequestState::Failed,
                    ),
                }
            }
        };
        self.store_final_state(claimed, state).await;
        tracing::info!(request = short(&claimed.id), state = ?state, "support case request finished");
        if let Some(target) = &case.target {
            update(&responder, target, card).await;
        }
    }
}
