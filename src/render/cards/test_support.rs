//! What the card modules' tests share: a full header, and ways to pick elements out of a
//! card's JSON (by type, by input id, every text) so that tests assert on structure.

use serde_json::Value;

use super::{CommandHeader, Verb};
use crate::render::Card;

/// A header with every field set.
pub(super) fn full_header() -> CommandHeader {
    CommandHeader {
        title: "kinesis update-shard-count".to_owned(),
        command_line: Some(
            "aws kinesis update-shard-count --stream-name clicks --target-shard-count 4".to_owned(),
        ),
        account: Some("production (123456789012)".to_owned()),
        region: Some("eu-west-1".to_owned()),
        role: Some("arn:aws:iam::123456789012:role/ChatOpsOperator".to_owned()),
        approved_by: None,
        alias: None,
    }
}

/// Every object in the card whose `type` is `kind`, depth first, fallbacks included.
pub(super) fn elements_of_type<'a>(card: &'a Card, kind: &str) -> Vec<&'a Value> {
    fn walk<'a>(value: &'a Value, kind: &str, found: &mut Vec<&'a Value>) {
        match value {
            Value::Object(map) => {
                if map.get("type").and_then(Value::as_str) == Some(kind) {
                    found.push(value);
                }
                map.values().for_each(|v| walk(v, kind, found));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, kind, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(&card.content, kind, &mut found);
    found
}

/// The card's buttons (Action.Execute), each with its Action.Submit fallback checked: same
/// title, same data, so that older clients send the same thing.
pub(super) fn buttons(card: &Card) -> Vec<&Value> {
    let executes = elements_of_type(card, "Action.Execute");
    for execute in &executes {
        let fallback = &execute["fallback"];
        assert_eq!(fallback["type"], "Action.Submit", "{execute}");
        assert_eq!(fallback["title"], execute["title"], "{execute}");
        assert_eq!(fallback["data"], execute["data"], "{execute}");
    }
    assert_eq!(
        executes.len(),
        elements_of_type(card, "Action.Submit").len(),
        "every Submit is a fallback"
    );
    executes
}

/// (title, verb) of each button.
pub(super) fn button_titles_and_verbs(card: &Card) -> Vec<(String, String)> {
    buttons(card)
        .iter()
        .map(|b| {
            (
                b["title"].as_str().unwrap_or_default().to_owned(),
                b["verb"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Checks a card that asks for one answer: complete, named `name`, its buttons the answering
/// one (`title`, `verb`) and then Cancel.
pub(super) fn assert_answer_card(card: &Card, name: &str, title: &str, verb: Verb) {
    assert_complete(card);
    assert_eq!(card.name, name);
    assert_eq!(
        button_titles_and_verbs(card),
        [
            (title.to_owned(), verb.as_str().to_owned()),
            ("Cancel".to_owned(), Verb::Cancel.as_str().to_owned())
        ]
    );
}

/// The input with this id.
pub(super) fn input<'a>(card: &'a Card, id: &str) -> &'a Value {
    [
        "Input.Text",
        "Input.Number",
        "Input.Toggle",
        "Input.ChoiceSet",
    ]
    .iter()
    .flat_map(|kind| elements_of_type(card, kind))
    .find(|input| input["id"] == id)
    .unwrap_or_else(|| panic!("no input {id} in {}", card.content))
}

/// The ids of the card's inputs, in card order.
pub(super) fn input_ids(card: &Card) -> Vec<String> {
    fn walk(value: &Value, ids: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                let is_input = map
                    .get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.starts_with("Input."));
                if let (true, Some(id)) = (is_input, map.get("id").and_then(Value::as_str)) {
                    ids.push(id.to_owned());
                }
                map.values().for_each(|v| walk(v, ids));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, ids)),
            _ => {}
        }
    }
    let mut ids = Vec::new();
    walk(&card.content, &mut ids);
    ids
}

/// The text of every TextBlock, in card order.
pub(super) fn texts(card: &Card) -> Vec<&str> {
    elements_of_type(card, "TextBlock")
        .iter()
        .filter_map(|block| block["text"].as_str())
        .collect()
}

/// Checks what every card must be: an Adaptive Card 1.5, every placeholder filled, under the
/// budget.
pub(super) fn assert_complete(card: &Card) {
    assert_eq!(card.content["type"], "AdaptiveCard", "{}", card.name);
    assert_eq!(card.content["version"], "1.5", "{}", card.name);
    let text = card.content.to_string();
    assert!(
        !text.contains("${"),
        "{} has a placeholder left: {text}",
        card.name
    );
    assert!(
        text.len() < super::CARD_BUDGET_BYTES,
        "{} is too large",
        card.name
    );
}
