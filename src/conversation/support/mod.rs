//! The support-case journey (F19): `support create-case` → a form (subject, service,
//! severity, description, cc addresses, language, issue type) filled from DescribeServices
//! and DescribeSeverityLevels → a summary with the category choice for the chosen service →
//! Create case (once) → a card with the case id and a link. Attachments are refused.
//!
//! Here: the journey's start (`support create-case` → the form) and what its steps share;
//! the form and its submission in [`form`], creating the case in [`create`].

mod create;
mod form;

use std::sync::Arc;

use serde_json::{Map, Value};

use super::cards::FailedCall;
use super::pending::{RequestKind, StoredRequester, SupportDraft};
use super::Inner;
use crate::bot::{Reply, TurnContext};
use crate::command::Invocation;
use crate::policy::Permit;
use crate::prompt::{FieldKind, FormField};
use crate::render::{self, CommandHeader};
use form::SupportFormCard;

/// The languages AWS Support answers in: (code, name).
const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("ja", "日本語 (Japanese)"),
    ("zh", "中文 (Chinese)"),
    ("ko", "한국어 (Korean)"),
];
/// The issue types of CreateCase: (code, name).
const ISSUE_TYPES: &[(&str, &str)] = &[
    ("technical", "Technical"),
    ("customer-service", "Account and billing"),
];
/// CreateCase accepts at most 10 cc addresses.
const MAX_CC: usize = 10;
/// The longest description CreateCase accepts.
const MAX_BODY: usize = 8000;

const SUPPORT_CENTER: &str = "https://support.console.aws.amazon.com/support/home#/";

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(code, name)| (code.to_string(), name.to_string()))
        .collect()
}

fn text_field(
    member: &str,
    label: &str,
    required: bool,
    multiline: bool,
    hint: &str,
    max: Option<u64>,
) -> FormField {
    FormField {
        member: member.to_owned(),
        option: crate::models::xform_name(member),
        label: label.to_owned(),
        required,
        kind: FieldKind::Text {
            pattern: None,
            max_length: max,
            multiline,
            placeholder: Some(hint.to_owned()),
        },
        hint: hint.to_owned(),
        value: None,
        resource: None,
    }
}

/// The support-case form's fields, pre-filled from the command and then from `values` (a
/// submission shown again). Long because most of it is the table of the seven fields.
pub fn support_fields(
    invocation: &Invocation,
    values: Option<&Map<String, Value>>,
) -> Vec<FormField> {
    let mut fields = vec![
        text_field(
            "subject",
            "Subject",
            true,
            false,
            "A short title for the case",
            Some(250),
        ),
        text_field(
            "serviceCode",
            "Service",
            true,
            false,
            "The AWS service",
            None,
        ),
        text_field(
            "severityCode",
            "Severity",
            true,
            false,
            "How urgent it is",
            None,
        ),
        text_field(
            "communicationBody",
            "Description",
            true,
            true,
            "What happened, what you expected, and what you tried",
            Some(MAX_BODY as u64),
        ),
        text_field(
            "ccEmailAddresses",
            "CC email addresses (optional)",
            false,
            false,
            "alice@example.com, bob@example.com",
            None,
        ),
        text_field(
            "language",
            "Language",
            true,
            false,
            "The language of the answers",
            None,
        ),
        text_field(
            "issueType",
            "Issue type",
            true,
            false,
            "Technical or account and billing",
            None,
        ),
    ];
    for field in &mut fields {
        let from_values = values
            .and_then(|v| v.get(&field.member))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let from_command = invocation.params.get(&field.member).map(|v| match v {
            Value::String(text) => text.clone(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        });
        field.value = from_values.or(from_command);
    }
    for (member, default) in [("language", "en"), ("issueType", "technical")] {
        if let Some(field) = fields.iter_mut().find(|f| f.member == member) {
            field.value.get_or_insert_with(|| default.to_owned());
        }
    }
    fields
}

fn is_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !address
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == ';' || c == '<' || c == '>')
        && !domain.contains('@')
}

/// The cc addresses of a form value, or what is wrong with them.
pub(super) fn parse_cc(text: &str) -> Result<Vec<String>, String> {
    let addresses: Vec<String> = text
        .split([',', ';', ' ', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(bad) = addresses.iter().find(|a| !is_email(a)) {
        return Err(format!(
            "'{bad}' is not an email address. Separate addresses with commas, like alice@example.com, bob@example.com."
        ));
    }
    if addresses.len() > MAX_CC {
        return Err(format!(
            "AWS Support accepts at most {MAX_CC} cc addresses; {} were given.",
            addresses.len()
        ));
    }
    Ok(addresses)
}

fn value_of(values: &Map<String, Value>, member: &str) -> String {
    values
        .get(member)
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default()
        .to_owned()
}

fn name_of(list: &[(String, String)], code: &str) -> Option<String> {
    list.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone())
}

impl Inner {
    fn support_header(&self, invocation: &Invocation, permit: Option<&Permit>) -> CommandHeader {
        let mut header = self.header(invocation, permit);
        header.title = "New AWS Support case".to_owned();
        header
    }

    pub(super) async fn start_support_case(
        self: &Arc<Self>,
        turn: &TurnContext,
        requester: StoredRequester,
        invocation: Invocation,
    ) -> Reply {
        let has_files = turn.activity().attachments.iter().any(|a| {
            !a.content_type.starts_with("text/html")
                && a.content_type != render::ADAPTIVE_CARD_CONTENT_TYPE
        });
        if has_files || invocation.params.contains_key("attachmentSetId") {
            return Reply::Card(render::error(
                "Attachments cannot be added from chat",
                "Support cases opened from chat cannot carry attachments, and the bot never uploads files. Send support create-case without --attachment-set-id or files; once the case exists, add the files to it in the AWS Support Center.",
                Some(&self.support_header(&invocation, None)),
                None,
            ));
        }
        let permit = match self
            .authorizer
            .authorize(&requester.to_requester(), &invocation)
            .await
        {
            Ok(permit) => permit,
            Err(denial) => return Reply::Card(self.denial_card(&invocation, &denial)),
        };
        let header = self.support_header(&invocation, Some(&permit));
        let language = invocation
            .params
            .get("language")
            .and_then(Value::as_str)
            .unwrap_or("en")
            .to_owned();
        let services = match self.support.services(&permit, None, &language).await {
            Ok(services) => services,
            Err(error) => {
                return Reply::Card(
                    FailedCall::Support(&error).card(&header, turn.correlation_id()),
                )
            }
        };
        let severities = match self.support.severity_levels(&permit, &language).await {
            Ok(levels) => levels,
            Err(error) => {
                return Reply::Card(
                    FailedCall::Support(&error).card(&header, turn.correlation_id()),
                )
            }
        };
        let services: Vec<(String, String)> =
            services.into_iter().map(|s| (s.code, s.name)).collect();
        let request = self.new_request(
            requester,
            RequestKind::SupportForm {
                services: services.clone(),
                severities: severities.clone(),
            },
            &invocation,
        );
        let card = SupportFormCard {
            header: &header,
            invocation: &invocation,
            services: &services,
            severities: &severities,
            request_id: &request.id,
            expires_in_minutes: self.minutes(),
        }
        .render(None, None);
        self.post_request_card(turn, request, card).await
    }
}

/// The case as the summary and the result show it.
fn summary_facts(draft: &SupportDraft, category: Option<&str>) -> Vec<(String, String)> {
    let mut facts = vec![
        ("Subject".to_owned(), draft.subject.clone()),
        ("Service".to_owned(), draft.service_name.clone()),
    ];
    if let Some(code) = category {
        let name = name_of(&draft.categories, code).unwrap_or_else(|| code.to_owned());
        facts.push(("Category".to_owned(), name));
    }
    facts.extend([
        ("Severity".to_owned(), draft.severity_name.clone()),
        (
            "Issue type".to_owned(),
            name_of(&pairs(ISSUE_TYPES), &draft.issue_type)
                .unwrap_or_else(|| draft.issue_type.clone()),
        ),
        (
            "Language".to_owned(),
            name_of(&pairs(LANGUAGES), &draft.language).unwrap_or_else(|| draft.language.clone()),
        ),
    ]);
    if !draft.cc_email_addresses.is_empty() {
        facts.push(("CC".to_owned(), draft.cc_email_addresses.join(", ")));
    }
    let mut description: String = draft.communication_body.chars().take(600).collect();
    if description.len() < draft.communication_body.len() {
        description.push('…');
    }
    facts.push(("Description".to_owned(), description));
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cc_addresses_are_validated() {
        assert_eq!(
            parse_cc("alice@example.com, bob@example.org;carol@x.io").unwrap(),
            vec!["alice@example.com", "bob@example.org", "carol@x.io"]
        );
        assert_eq!(parse_cc("  ").unwrap(), Vec::<String>::new());
        for bad in ["alice", "alice@", "@example.com", "a@b", "a@b.", "a@@b.com"] {
            assert!(parse_cc(bad).is_err(), "{bad}");
        }
        let many = (0..11)
            .map(|i| format!("u{i}@example.com"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(parse_cc(&many).unwrap_err().contains("at most 10"));
    }
}
