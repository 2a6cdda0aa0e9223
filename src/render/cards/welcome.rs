//! The cards that are not about one command: the welcome when the bot is added, the help
//! card, and the internal-error card with its correlation id.

use serde_json::{json, Value};

use crate::render::markdown::escape_markdown;
use crate::render::template::render;
use crate::render::Card;

const WELCOME: &str = include_str!("../../../adaptive-cards/welcome.json");
const HELP: &str = include_str!("../../../adaptive-cards/help.json");
const INTERNAL_ERROR: &str = include_str!("../../../adaptive-cards/internal-error.json");

/// Example commands shown on the help card: (what it does, command).
const HELP_EXAMPLES: [(&str, &str); 4] = [
    (
        "Alarms firing",
        "cloudwatch describe-alarms --state-value ALARM",
    ),
    (
        "One function",
        "lambda get-function --function-name my-function",
    ),
    ("Buckets", "s3 ls"),
    ("Open a support case", "support create-case"),
];

/// The card sent when the bot is added to a team, chat or personal scope.
pub fn welcome(bot_name: Option<&str>) -> Card {
    let mention = mention_hint(bot_name);
    render(
        "welcome",
        WELCOME,
        &[
            (
                "intro",
                Value::String(format!(
                    "I run AWS CLI commands for this conversation. Mention me with a command, for example {mention} followed by the command, or type `help` in a personal chat."
                )),
            ),
            (
                "example_command",
                Value::String(format!("{mention} cloudwatch describe-alarms --state-value ALARM")),
            ),
            ("example_help", Value::String(format!("{mention} help"))),
        ],
    )
}

/// The help card.
pub fn help(bot_name: Option<&str>) -> Card {
    let examples = HELP_EXAMPLES
        .iter()
        .map(|(title, command)| json!({"title": title, "value": escape_markdown(command)}))
        .collect();
    render(
        "help",
        HELP,
        &[
            ("mention", Value::String(mention_hint(bot_name))),
            ("examples", Value::Array(examples)),
        ],
    )
}

/// The card shown when handling failed on our side; `correlation_id` is also in the logs.
pub fn internal_error(correlation_id: &str) -> Card {
    render(
        "internal-error",
        INTERNAL_ERROR,
        &[(
            "correlation_id",
            Value::String(escape_markdown(correlation_id)),
        )],
    )
}

fn mention_hint(bot_name: Option<&str>) -> String {
    let name = bot_name.map(str::trim).filter(|name| !name.is_empty());
    format!("@{}", escape_markdown(name.unwrap_or("the bot")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{assert_complete, buttons, texts};

    #[test]
    fn the_welcome_mentions_the_bot_by_its_name_or_generically() {
        let named = welcome(Some(" AWS_Bot "));
        assert_complete(&named);
        assert_eq!(named.name, "welcome");
        let facts = &named.content["body"][2]["facts"];
        assert_eq!(
            facts[0]["value"],
            "@AWS_Bot cloudwatch describe-alarms --state-value ALARM"
        );
        assert_eq!(facts[1]["value"], "@AWS_Bot help");
        for unnamed in [welcome(None), welcome(Some("  "))] {
            assert!(texts(&unnamed)[1].contains("for example @the bot followed by the command"));
        }
    }

    #[test]
    fn the_welcome_offers_help_with_a_fallback() {
        let card = welcome(None);
        let buttons = buttons(&card);
        assert_eq!(buttons.len(), 1);
        assert_eq!(buttons[0]["verb"], "help");
    }

    #[test]
    fn help_lists_the_examples_with_the_mention() {
        let card = help(Some("AWS"));
        assert_complete(&card);
        assert_eq!(card.name, "help");
        assert!(texts(&card)[1].ends_with("start with @AWS."));
        let examples = card.content["body"][3]["facts"].as_array().unwrap();
        assert_eq!(examples.len(), HELP_EXAMPLES.len());
        assert_eq!(examples[2], json!({"title": "Buckets", "value": "s3 ls"}));
    }

    #[test]
    fn an_internal_error_shows_only_the_reference() {
        let card = internal_error("c0ffee_12");
        assert_complete(&card);
        assert_eq!(card.name, "internal-error");
        assert_eq!(
            card.content["body"][2]["columns"][1]["items"][0]["text"],
            "c0ffee_12"
        );
        assert!(buttons(&card).is_empty());
    }
}
