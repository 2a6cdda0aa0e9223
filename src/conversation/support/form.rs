//! The support-case form: its card, and a submitted form — checked again on the server,
//! shown again with what was wrong, or turned into a draft case whose summary (with the
//! category choice for the chosen service) waits for Create case.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{
    name_of, pairs, parse_cc, summary_facts, support_fields, value_of, ISSUE_TYPES, LANGUAGES,
    MAX_BODY,
};
use crate::aws::support::SupportError;
use crate::bot::{MessageRef, TurnContext};
use crate::command::Invocation;
use crate::conversation::cards::FailedCall;
use crate::conversation::pending::{Loaded, RequestKind, StoredInvocation, SupportDraft};
use crate::conversation::reauthorize::Moment;
use crate::conversation::{already_handled, ClickOutcome, Inner};
use crate::policy::Permit;
use crate::render::{self, Card, CommandHeader, FormView};

/// A support-case form card: the command it completes, the services and severity levels
/// AWS Support offered (code, name), and its request.
pub(super) struct SupportFormCard<'a> {
    pub header: &'a CommandHeader,
    pub invocation: &'a Invocation,
    pub services: &'a [(String, String)],
    pub severities: &'a [(String, String)],
    pub request_id: &'a str,
    pub expires_in_minutes: u64,
}

impl SupportFormCard<'_> {
    /// The card, its fields filled from the command and then from `values` (a submission
    /// shown again), with `error` saying what was wrong.
    pub(super) fn render(
        &self,
        values: Option<&Map<String, Value>>,
        error: Option<String>,
    ) -> Card {
        render::support_form(&FormView {
            header: self.header.clone(),
            fields: support_fields(self.invocation, values),
            choices: vec![
                ("serviceCode".to_owned(), self.services.to_vec()),
                ("severityCode".to_owned(), self.severities.to_vec()),
                ("language".to_owned(), pairs(LANGUAGES)),
                ("issueType".to_owned(), pairs(ISSUE_TYPES)),
            ],
            free_text: false,
            error,
            request_id: self.request_id.to_owned(),
            expires_in_minutes: self.expires_in_minutes,
        })
    }
}

/// The draft case a submitted form describes (without the service's categories yet), or
/// what is wrong with it. Validated here again, whatever the card checked.
fn draft_from_form(
    values: &Map<String, Value>,
    services: &[(String, String)],
    severities: &[(String, String)],
    invocation: &Invocation,
) -> Result<SupportDraft, String> {
    let subject = value_of(values, "subject");
    let body = value_of(values, "communicationBody");
    let service_code = value_of(values, "serviceCode");
    let severity_code = value_of(values, "severityCode");
    let language = value_of(values, "language");
    let issue_type = value_of(values, "issueType");
    if subject.is_empty() {
        return Err("Give the case a subject.".to_owned());
    }
    if body.is_empty() {
        return Err("Describe the problem.".to_owned());
    }
    if body.chars().count() > MAX_BODY {
        return Err(format!(
            "The description is longer than {MAX_BODY} characters; shorten it."
        ));
    }
    let Some(service_name) = name_of(services, &service_code) else {
        return Err("Choose the service from the list.".to_owned());
    };
    let Some(severity_name) = name_of(severities, &severity_code) else {
        return Err("Choose a severity from the list.".to_owned());
    };
    if !LANGUAGES.iter().any(|(code, _)| *code == language) {
        return Err("Choose a language from the list.".to_owned());
    }
    if !ISSUE_TYPES.iter().any(|(code, _)| *code == issue_type) {
        return Err("Choose an issue type from the list.".to_owned());
    }
    let cc = parse_cc(&value_of(values, "ccEmailAddresses"))?;
    Ok(SupportDraft {
        subject,
        service_code,
        service_name,
        severity_code,
        severity_name,
        communication_body: body,
        cc_email_addresses: cc,
        language,
        issue_type,
        category_code: invocation
            .params
            .get("categoryCode")
            .and_then(Value::as_str)
            .map(str::to_owned),
        categories: Vec::new(),
    })
}

/// `invocation` with the draft's values as its parameters (what is authorized and stored).
fn with_draft(invocation: &Invocation, draft: &SupportDraft) -> Invocation {
    let mut full = invocation.clone();
    let text = |value: &String| Value::String(value.clone());
    full.params.insert("subject".into(), text(&draft.subject));
    full.params
        .insert("serviceCode".into(), text(&draft.service_code));
    full.params
        .insert("severityCode".into(), text(&draft.severity_code));
    full.params
        .insert("communicationBody".into(), text(&draft.communication_body));
    if draft.cc_email_addresses.is_empty() {
        full.params.shift_remove("ccEmailAddresses");
    } else {
        full.params.insert(
            "ccEmailAddresses".into(),
            Value::Array(
                draft
                    .cc_email_addresses
                    .iter()
                    .cloned()
                    .map(Value::String)
                    .collect(),
            ),
        );
    }
    full.params.insert("language".into(), text(&draft.language));
    full.params
        .insert("issueType".into(), text(&draft.issue_type));
    full
}

impl Inner {
    /// Submit on the support-case form: a valid form, authorized again, becomes the
    /// summary card with the chosen service's categories; otherwise the form is shown again.
    pub(in crate::conversation) async fn submit_support_form(
        self: &Arc<Self>,
        turn: &TurnContext,
        loaded: &Loaded,
        data: &Value,
        target: Option<MessageRef>,
    ) -> ClickOutcome {
        let request = &loaded.request;
        let RequestKind::SupportForm {
            services,
            severities,
        } = &request.kind
        else {
            return already_handled();
        };
        let invocation = request.invocation.to_invocation();
        let values = data.as_object().cloned().unwrap_or_default();
        let mut draft = match draft_from_form(&values, services, severities, &invocation) {
            Ok(draft) => draft,
            Err(problem) => {
                let form = SupportFormCard {
                    header: &self.support_header(&invocation, None),
                    invocation: &invocation,
                    services,
                    severities,
                    request_id: &request.id,
                    expires_in_minutes: request.minutes_left(),
                };
                let card = form.render(Some(&values), Some(problem));
                return self.form_again(&request.id, card, target).await;
            }
        };
        let full = with_draft(&invocation, &draft);
        let permit = match self
            .reauthorize_or_fail(loaded, &full, &target, Moment::Submission)
            .await
        {
            Ok(permit) => permit,
            Err(outcome) => return outcome,
        };
        let header = self.support_header(&full, Some(&permit));
        draft.categories = match self.service_categories(&permit, &draft).await {
            Ok(categories) => categories,
            Err(error) => {
                return ClickOutcome::ClickerOnly {
                    card: FailedCall::Support(&error).card(&header, turn.correlation_id()),
                    target,
                }
            }
        };
        let stored = StoredInvocation::from(&full);
        let kind = RequestKind::SupportSummary {
            draft: draft.clone(),
        };
        match self
            .claim(loaded, |r| {
                r.kind = kind;
                r.invocation = stored;
            })
            .await
        {
            Some(request) => ClickOutcome::Update {
                card: render::support_summary(
                    &header,
                    &summary_facts(&draft, None),
                    &draft.categories,
                    &request.id,
                    request.minutes_left(),
                ),
                target,
                then: None,
            },
            None => already_handled(),
        }
    }

    /// The categories (code, name) of the draft's service, in the draft's language.
    async fn service_categories(
        &self,
        permit: &Permit,
        draft: &SupportDraft,
    ) -> Result<Vec<(String, String)>, SupportError> {
        let found = self
            .support
            .services(
                permit,
                Some(vec![draft.service_code.clone()]),
                &draft.language,
            )
            .await?;
        Ok(found
            .into_iter()
            .find(|s| s.code == draft.service_code)
            .map(|s| s.categories)
            .unwrap_or_default())
    }
}
