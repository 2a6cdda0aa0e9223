//! Adaptive Cards (schema 1.5) built from the JSON templates in `/adaptive-cards/`, with user text
//! escaped. It does no IO and never decides what to say; callers choose the card.

mod cards;
mod markdown;
mod template;

use serde_json::{json, Value};

use crate::bot::text::TokenizeError;
use crate::teams::Attachment;
use template::render;

pub use cards::{
    account_choice, confirm, error, form, help, internal_error, operation_help, result,
    service_help, status, support_case, support_form, support_summary, verbs, welcome,
    AccountChoiceView, CommandHeader, FormView, OperationHelp, ParameterHelp, ResultView,
    ServiceHelp, Status, CARD_BUDGET_BYTES,
};
pub use markdown::{escape_markdown, monospace};

/// The content type of an Adaptive Card attachment.
pub const ADAPTIVE_CARD_CONTENT_TYPE: &str = "application/vnd.microsoft.card.adaptive";

const PARSED_TEXT: &str = include_str!("../../adaptive-cards/parsed-text.json");

/// A rendered Adaptive Card.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Which template produced it (`welcome`, `help`, ...), for logs and samples.
    pub name: &'static str,
    pub content: Value,
}

impl Card {
    /// The card wrapped as an activity attachment.
    pub fn to_attachment(&self) -> Attachment {
        Attachment {
            content_type: ADAPTIVE_CARD_CONTENT_TYPE.into(),
            content: Some(self.content.clone()),
            content_url: None,
            name: None,
        }
    }
}

/// The card that shows how a message was read: the normalised text and its words, or why it
/// could not be split.
pub fn parsed_text(normalized: &str, tokens: &Result<Vec<String>, TokenizeError>) -> Card {
    let shown_text = if normalized.is_empty() {
        "(empty message)".to_owned()
    } else {
        escape_markdown(normalized)
    };
    let (summary, facts, status) = match tokens {
        Ok(words) => {
            let facts = words
                .iter()
                .enumerate()
                .map(|(index, word)| {
                    let value = if word.is_empty() {
                        "(empty)".to_owned()
                    } else {
                        escape_markdown(word)
                    };
                    json!({"title": format!("{}", index + 1), "value": value})
                })
                .collect::<Vec<_>>();
            let summary = match words.len() {
                0 => "No words".to_owned(),
                1 => "1 word".to_owned(),
                n => format!("{n} words"),
            };
            (
                summary,
                facts,
                "The AWS command engine will run commands like this one; it is not connected yet, so nothing was run.".to_owned(),
            )
        }
        Err(error) => (
            "I could not split this into words".to_owned(),
            vec![json!({"title": "Problem", "value": escape_markdown(&error.to_string())})],
            "Close the quote (or remove it) and send the command again. Nothing was run."
                .to_owned(),
        ),
    };
    render(
        "parsed-text",
        PARSED_TEXT,
        &[
            ("normalized_text", Value::String(shown_text)),
            ("token_summary", Value::String(summary)),
            ("token_facts", Value::Array(facts)),
            ("status", Value::String(status)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_cards() -> Vec<Card> {
        vec![
            welcome(Some("AWS")),
            welcome(None),
            help(Some("AWS")),
            parsed_text(
                "s3 ls \"a b\"",
                &Ok(vec!["s3".into(), "ls".into(), "a b".into()]),
            ),
            parsed_text(
                "x \"y",
                &Err(TokenizeError::UnterminatedQuote {
                    quote: '"',
                    position: 2,
                }),
            ),
            parsed_text("", &Ok(vec![])),
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
    fn user_text_is_escaped_and_words_become_facts() {
        let card = parsed_text(
            "[click](https://evil) **x**",
            &Ok(vec![
                "[click](https://evil)".into(),
                "**x**".into(),
                "".into(),
            ]),
        );
        let text = card.content.to_string();
        assert!(!text.contains("\"[click]"), "{text}");
        assert!(text.contains(r"\\[click\\](https://evil)"), "{text}");
        let facts = card.content["body"][3]["facts"].as_array().unwrap();
        assert_eq!(facts.len(), 3);
        assert_eq!(facts[1]["value"], r"\*\*x\*\*");
        assert_eq!(facts[2]["value"], "(empty)");
        assert_eq!(card.content["body"][2]["text"], "3 words");
    }

    #[test]
    fn escape_markdown_table() {
        let cases = [
            ("plain text", "plain text"),
            ("a_b*c", r"a\_b\*c"),
            ("- item", r"\- item"),
            ("--flag", "--flag"),
            ("x - y", "x - y"),
            ("# title", r"\# title"),
            ("<at>x</at>", r"\<at\>x\</at\>"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_markdown(input), expected, "{input}");
        }
    }
}
