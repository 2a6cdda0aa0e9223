//! The cards that are not about one command: the welcome when the bot is added, the help
//! card, and the internal-error card with its correlation id.

use std::sync::{Mutex, PoisonError};

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

/// What the bot does beyond the AWS CLI, on the help card: (what it does, command).
/// Concrete commands, not `<placeholders>`: people copy them, and a `<` needs escaping that
/// some clients show.
const BEYOND_THE_CLI: [(&str, &str); 5] = [
    (
        "Save a command",
        "alias create fn-info lambda get-function --function-name $fn",
    ),
    ("List the aliases", "alias list"),
    ("Run an alias", "run fn-info orders-worker"),
    ("Your last commands", "history"),
    (
        "Wait for a state",
        "dynamodb wait table-exists --table-name orders",
    ),
];

/// The same on the welcome card, in one line.
const BEYOND_THE_CLI_LINE: &str = "Also: alias create, alias list and run for saved commands with $parameters; history for your last 20 commands, with Run again; waiters such as dynamodb wait table-exists on a live card in channels with long_running = true.";

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
            ("beyond", Value::String(escape_markdown(BEYOND_THE_CLI_LINE))),
        ],
    )
}

/// The help card, rendered once per bot name (it depends on nothing else) and copied after:
/// `help` is the most frequent command, and rendering (template, Markdown escapes) was a
/// tenth of a turn's CPU (BENCHMARKS.md, bench-compare).
pub fn help(bot_name: Option<&str>) -> Card {
    static RENDERED: Mutex<Option<(Option<String>, Card)>> = Mutex::new(None);
    let mut rendered = RENDERED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((name, card)) = rendered.as_ref() {
        if name.as_deref() == bot_name {
            return card.clone();
        }
    }
    let card = render(
        "help",
        HELP,
        &[
            ("mention", Value::String(mention_hint(bot_name))),
            ("examples", facts(&HELP_EXAMPLES)),
            ("beyond", facts(&BEYOND_THE_CLI)),
        ],
    );
    *rendered = Some((bot_name.map(str::to_owned), card.clone()));
    card
}

/// (title, command) pairs as the facts of a FactSet, the commands shown as typed.
fn facts(pairs: &[(&str, &str)]) -> Value {
    pairs
        .iter()
        .map(|(title, command)| json!({"title": title, "value": escape_markdown(command)}))
        .collect()
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
        // Kept per name: another name gets its own mention, and the first one comes back.
        let other = help(Some("Ops"));
        assert!(texts(&other)[1].ends_with("start with @Ops."));
        assert_eq!(help(Some("AWS")), card);
        assert_eq!(help(Some("Ops")), other);
    }

    #[test]
    fn help_lists_aliases_history_and_waits_after_the_examples() {
        let card = help(None);
        assert_eq!(card.content["body"][4]["text"], "More than the CLI");
        let beyond: Vec<(&str, String)> = card.content["body"][5]["facts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|fact| {
                let value = fact["value"].as_str().unwrap().replace('\\', "");
                (fact["title"].as_str().unwrap(), value)
            })
            .collect();
        let commands: Vec<&str> = beyond.iter().map(|(_, value)| value.as_str()).collect();
        assert_eq!(
            commands,
            [
                "alias create fn-info lambda get-function --function-name $fn",
                "alias list",
                "run fn-info orders-worker",
                "history",
                "dynamodb wait table-exists --table-name orders",
            ]
        );
        // Shown as typed: nothing in them needs a backslash.
        assert!(!card.content["body"][5].to_string().contains("\\\\"));
        let note = texts(&card)[5];
        for words in [
            "last 20 commands",
            "Run again",
            "long_running = true",
            "live card",
        ] {
            assert!(note.contains(words), "{note}");
        }
    }

    #[test]
    fn the_welcome_mentions_aliases_history_and_waits_in_one_line() {
        let card = welcome(Some("AWS"));
        let line = texts(&card)[2].replace('\\', "");
        for words in [
            "alias create, alias list and run",
            "history for your last 20 commands, with Run again",
            "dynamodb wait table-exists",
            "live card in channels with long_running = true",
        ] {
            assert!(line.contains(words), "{words}: {line}");
        }
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
