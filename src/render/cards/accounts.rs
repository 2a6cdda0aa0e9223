//! The account choice card: on first use in a channel with several AWS accounts, and for
//! `@aws set default-account`, one button per account.

use serde_json::{json, Value};

use super::elements::{action, action_set};
use super::header::{header_elements, CommandHeader};
use super::Verb;
use crate::render::markdown::escape_markdown;
use crate::render::template::render;
use crate::render::Card;

const ACCOUNT_CHOICE: &str = include_str!("../../../adaptive-cards/account-choice.json");

/// The account choice card: on first use in a channel with several accounts, and for
/// `@aws set default-account`.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountChoiceView {
    /// "Which AWS account?", or "Default account set" once chosen.
    pub title: String,
    /// The command waiting for the choice, when there is one.
    pub header: Option<CommandHeader>,
    pub message: String,
    /// (name, id) of each account, in the order the configuration lists them.
    pub accounts: Vec<(String, String)>,
    /// The current choice, (name, id).
    pub current: Option<(String, String)>,
    pub request_id: String,
}

/// Card asking which account to use: one button per account.
pub fn account_choice(view: &AccountChoiceView) -> Card {
    let buttons = view
        .accounts
        .iter()
        .map(|(name, id)| {
            let mut button = action(
                &format!("{name} ({id})"),
                Verb::ChooseAccount,
                &view.request_id,
                None,
                false,
            );
            button["data"]["account"] = Value::String(id.clone());
            button["fallback"]["data"]["account"] = Value::String(id.clone());
            button
        })
        .collect();
    let current = match &view.current {
        Some((name, id)) => vec![json!({
            "type": "TextBlock",
            "text": escape_markdown(&format!("Current default: {name} ({id})")),
            "isSubtle": true,
            "wrap": true
        })],
        None => Vec::new(),
    };
    render(
        "account-choice",
        ACCOUNT_CHOICE,
        &[
            ("title", Value::String(escape_markdown(&view.title))),
            ("message", Value::String(escape_markdown(&view.message))),
            (
                "header",
                Value::Array(
                    view.header
                        .as_ref()
                        .map(header_elements)
                        .unwrap_or_default(),
                ),
            ),
            ("current", Value::Array(current)),
            (
                "actions",
                Value::Array(if view.accounts.is_empty() {
                    Vec::new()
                } else {
                    vec![action_set(buttons)]
                }),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{
        assert_complete, button_titles_and_verbs, buttons, full_header, texts,
    };

    fn view() -> AccountChoiceView {
        AccountChoiceView {
            title: "Which AWS account?".to_owned(),
            header: Some(full_header()),
            message: "This channel can use several accounts. Choose one for `s3 ls`.".to_owned(),
            accounts: vec![
                ("production".to_owned(), "123456789012".to_owned()),
                ("staging".to_owned(), "210987654321".to_owned()),
            ],
            current: None,
            request_id: "req-5".to_owned(),
        }
    }

    #[test]
    fn one_button_per_account_in_configuration_order() {
        let card = account_choice(&view());
        assert_complete(&card);
        assert_eq!(card.name, "account-choice");
        assert_eq!(
            button_titles_and_verbs(&card),
            [
                (
                    "production (123456789012)".to_owned(),
                    Verb::ChooseAccount.as_str().to_owned()
                ),
                (
                    "staging (210987654321)".to_owned(),
                    Verb::ChooseAccount.as_str().to_owned()
                )
            ]
        );
        let buttons = buttons(&card);
        // The fallback carries the account too (checked by `buttons`), and nothing else is sent.
        assert_eq!(
            buttons[1]["data"],
            json!({"verb": "choose-account", "request": "req-5", "account": "210987654321"})
        );
        assert_eq!(buttons[1]["associatedInputs"], "none");
    }

    #[test]
    fn the_current_default_and_the_waiting_command_are_shown() {
        let card = account_choice(&AccountChoiceView {
            current: Some(("staging".to_owned(), "210987654321".to_owned())),
            ..view()
        });
        let texts = texts(&card);
        assert_eq!(texts[0], "Which AWS account?");
        assert_eq!(
            texts[1],
            r"This channel can use several accounts. Choose one for \`s3 ls\`."
        );
        assert!(texts.contains(&"kinesis update-shard-count"));
        assert!(texts.contains(&"Current default: staging (210987654321)"));
    }

    #[test]
    fn no_accounts_means_no_buttons_and_no_header_is_fine() {
        let card = account_choice(&AccountChoiceView {
            title: "Default account set".to_owned(),
            header: None,
            accounts: Vec::new(),
            ..view()
        });
        assert_complete(&card);
        assert!(buttons(&card).is_empty());
        assert_eq!(card.content["body"].as_array().unwrap().len(), 2);
    }
}
