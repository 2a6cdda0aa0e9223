//! Adaptive Cards (schema 1.5) built from the JSON templates in `/adaptive-cards/`, with user text
//! escaped. It does no IO and never decides what to say; callers choose the card.

mod cards;
pub mod chart;
mod markdown;
mod template;

use serde_json::Value;

use crate::teams::Attachment;

pub use cards::{
    account_choice, alarm_list, confirm, error, form, help, internal_error, logs, notification,
    notification_digest, operation_help, result, service_help, state_change_text, status,
    support_case, support_form, support_summary, welcome, AccountChoiceView, AlarmSection,
    CommandHeader, DigestEntry, FittedOutput, FormView, LabeledChart, LogRow, LogsView,
    NotificationButton, NotificationView, OperationHelp, ParameterHelp, ResultView, ServiceHelp,
    Status, Verb, CARD_BUDGET_BYTES,
};
pub use cards::{
    alarm_list_page, alarm_sections_that_fit, fit_result, fitted_result, AlarmListPage,
};
pub use cards::{alias_list, history, AliasListView, AliasRow, HistoryRow, HistoryView};
pub use cards::{approval, ApprovalButtons, ApprovalView};
pub use cards::{duration_words, slow_call, wait, SlowCallView, WaitPhase, WaitView};
pub use cards::{lambda_invoke, LambdaInvokeView};
pub use cards::{log_groups_form, window_text, LogGroupsForm, LOG_GROUPS_INPUT};
pub use cards::{others_view, with_refresh, MAX_REFRESH_USERS};
pub use markdown::{escape_markdown, monospace};

/// The content type of an Adaptive Card attachment.
pub const ADAPTIVE_CARD_CONTENT_TYPE: &str = "application/vnd.microsoft.card.adaptive";

/// A rendered Adaptive Card.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Which template produced it (`welcome`, `help`, ...), for logs and samples.
    pub name: &'static str,
    pub content: Value,
}

impl Card {
    /// The card wrapped as an activity attachment (a copy; see [`Card::into_attachment`]).
    pub fn to_attachment(&self) -> Attachment {
        self.clone().into_attachment()
    }

    /// The card wrapped as an activity attachment, without copying it.
    pub fn into_attachment(self) -> Attachment {
        Attachment {
            content_type: ADAPTIVE_CARD_CONTENT_TYPE.into(),
            content: Some(self.content),
            content_url: None,
            name: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_cards() -> Vec<Card> {
        vec![
            welcome(Some("AWS")),
            welcome(None),
            help(Some("AWS")),
            internal_error("c0ffee12"),
        ]
    }

    #[test]
    fn every_card_is_an_adaptive_card_1_5_without_placeholders() {
        for card in all_cards() {
            let content = &card.content;
            assert_eq!(content["type"], "AdaptiveCard", "{}", card.name);
            assert_eq!(content["version"], "1.5", "{}", card.name);
            assert_eq!(
                content["$schema"],
                "http://adaptivecards.io/schemas/adaptive-card.json"
            );
            let text = content.to_string();
            assert!(
                !text.contains("${"),
                "{} still has a placeholder: {text}",
                card.name
            );
            assert!(text.len() < 28 * 1024, "{} is too large", card.name);
        }
    }

    #[test]
    fn escape_markdown_table() {
        let cases = [
            ("plain text", "plain text"),
            ("a_b*c", "a_b*c"),
            ("_a_ *b*", r"\_a\_ \*b\*"),
            ("- item", r"\- item"),
            ("--flag", "--flag"),
            ("x - y", "x - y"),
            ("# title", r"\# title"),
            ("<at>x</at>", r"\<at>x\</at>"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_markdown(input), expected, "{input}");
        }
    }
}
