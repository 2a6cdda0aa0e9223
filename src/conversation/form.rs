//! Forms for missing parameters: the form card, and a submitted form — checked again on the
//! server and shown again with what was wrong, or turned into the complete command that then
//! needs its confirmation (a change) or runs (a read).

use std::sync::Arc;

use serde_json::Value;

use super::pending::Loaded;
use super::reauthorize::Moment;
use super::{ClickOutcome, Inner};
use crate::bot::{MessageRef, TurnContext};
use crate::prompt::{self, FormField};
use crate::render::{self, Card, CommandHeader, FormView};

/// A form card for the fields a command still needs, with the resource choices it offers
/// (member, names) beside free text.
pub(super) struct FormCard<'a> {
    pub header: CommandHeader,
    pub fields: Vec<FormField>,
    pub choices: &'a [(String, Vec<String>)],
    /// What was wrong with the last submission, shown above the fields.
    pub error: Option<String>,
    pub request_id: &'a str,
    pub expires_in_minutes: u64,
}

impl FormCard<'_> {
    pub(super) fn render(self) -> Card {
        render::form(&FormView {
            header: self.header,
            fields: self.fields,
            choices: prompt::as_choice_pairs(self.choices),
            free_text: true,
            error: self.error,
            request_id: self.request_id.to_owned(),
            expires_in_minutes: self.expires_in_minutes,
        })
    }
}

impl Inner {
    /// Submit on a form: the values are applied and validated again whatever the card
    /// checked, the command is authorized again, and then it waits for its confirmation (a
    /// change) or starts running (a read).
    pub(super) async fn submit_form(
        self: &Arc<Self>,
        turn: &TurnContext,
        loaded: &Loaded,
        missing: &[String],
        choices: &[(String, Vec<String>)],
        data: &Value,
        target: Option<MessageRef>,
    ) -> ClickOutcome {
        let request = &loaded.request;
        let base = request.invocation.to_invocation();
        let fields = prompt::form_fields(self.models, &base, missing);
        let submitted = data.as_object().cloned().unwrap_or_default();
        let invocation = match prompt::apply_submission(self.models, &base, &fields, &submitted) {
            Ok(invocation) => invocation,
            Err(problem) => {
                let card = FormCard {
                    header: self.header(&base, None),
                    fields: prompt::with_submitted_values(fields, &submitted),
                    choices,
                    error: Some(problem.to_string()),
                    request_id: &request.id,
                    expires_in_minutes: request.minutes_left(),
                }
                .render();
                return self.form_again(&request.id, card, target).await;
            }
        };
        let permit = match self
            .reauthorize_or_fail(loaded, &invocation, &target, Moment::Submission)
            .await
        {
            Ok(permit) => permit,
            Err(outcome) => return outcome,
        };
        self.confirm_or_run(turn, loaded, &invocation, &permit, target)
            .await
    }
}
