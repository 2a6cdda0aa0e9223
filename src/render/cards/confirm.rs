//! The confirmation card: a change runs only when its requester chooses Confirm, once.

use serde_json::Value;

use super::elements::{answer_or_cancel, expiry_text};
use super::header::{header_elements, CommandHeader};
use super::Verb;
use crate::render::template::render;
use crate::render::Card;

const CONFIRM: &str = include_str!("../../../adaptive-cards/confirm.json");

/// Card asking the requester to confirm a change.
pub fn confirm(header_view: &CommandHeader, request_id: &str, expires_in_minutes: u64) -> Card {
    confirm_card(ConfirmCard {
        name: "confirm",
        title: "Confirm this change",
        header: header_view,
        intro: "This command changes something. It runs only when you choose **Confirm**, and only once.",
        extra: Vec::new(),
        request_id,
        confirm_title: "Confirm",
        expires_in_minutes,
    })
}

/// What a confirmation card shows; the support-case summary is one too.
pub(super) struct ConfirmCard<'a> {
    /// The card's name, for logs and samples.
    pub name: &'static str,
    pub title: &'a str,
    pub header: &'a CommandHeader,
    pub intro: &'a str,
    /// Elements shown under the header (the case summary and its category choice).
    pub extra: Vec<Value>,
    pub request_id: &'a str,
    /// The title of the confirming button.
    pub confirm_title: &'a str,
    pub expires_in_minutes: u64,
}

/// A confirmation card: title, intro, header and extra elements, and the confirming button
/// next to Cancel.
pub(super) fn confirm_card(card: ConfirmCard<'_>) -> Card {
    let mut head = header_elements(card.header);
    head.extend(card.extra);
    let actions = vec![answer_or_cancel(
        card.confirm_title,
        Verb::Confirm,
        card.request_id,
    )];
    render(
        card.name,
        CONFIRM,
        &[
            ("title", Value::String(card.title.to_owned())),
            ("intro", Value::String(card.intro.to_owned())),
            ("header", Value::Array(head)),
            (
                "expiry",
                Value::String(expiry_text(card.expires_in_minutes)),
            ),
            ("actions", Value::Array(actions)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::render::cards::test_support::{
        assert_answer_card, button_titles_and_verbs, buttons, full_header, input_ids, texts,
    };

    #[test]
    fn a_change_is_confirmed_or_cancelled_by_its_request() {
        let card = confirm(&full_header(), "req-9", 15);
        assert_answer_card(&card, "confirm", "Confirm", Verb::Confirm);
        for button in buttons(&card) {
            assert_eq!(button["data"]["request"], "req-9");
            assert_eq!(
                button["data"].as_object().unwrap().len(),
                2,
                "verb and request only"
            );
        }
        assert!(input_ids(&card).is_empty());
    }

    #[test]
    fn the_card_shows_the_command_where_it_runs_and_when_it_expires() {
        let card = confirm(&full_header(), "req-9", 1);
        let texts = texts(&card);
        assert_eq!(texts[0], "Confirm this change");
        assert!(texts[1].contains("only once"));
        assert!(texts.contains(&"kinesis update-shard-count"));
        assert!(texts
            .iter()
            .any(|t| t.starts_with("aws kinesis update-shard-count --stream-name clicks")));
        assert!(texts.last().unwrap().ends_with("expires in 1 minute."));
        let facts = &card.content["body"][3]["facts"];
        assert_eq!(
            facts[0],
            json!({"title": "Account", "value": "production (123456789012)"})
        );
        assert_eq!(facts[1]["value"], "eu-west-1");
    }

    #[test]
    fn extra_elements_follow_the_header() {
        let header = full_header();
        let card = confirm_card(ConfirmCard {
            name: "confirm-test",
            title: "Check it",
            header: &header,
            intro: "intro",
            extra: vec![json!({"type": "TextBlock", "text": "extra"})],
            request_id: "r",
            confirm_title: "Do it",
            expires_in_minutes: 5,
        });
        assert_eq!(card.name, "confirm-test");
        let body = card.content["body"].as_array().unwrap();
        // Title, intro, header title, facts, command line, extra, expiry, buttons.
        assert_eq!(body[5]["text"], "extra");
        assert_eq!(button_titles_and_verbs(&card)[0].0, "Do it");
    }
}
