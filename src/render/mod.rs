//! Adaptive Cards (schema 1.5) built from the JSON templates in `/adaptive-cards/`, with user text
//! escaped. It does no IO and never decides what to say; callers choose the card.

mod conversation;

use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::teams::Attachment;

pub use conversation::{
    account_choice, confirm, error, form, monospace, operation_help, result, service_help, status,
    support_case, support_form, support_summary, verbs, AccountChoiceView, CommandHeader, FormView,
    OperationHelp, ParameterHelp, ResultView, ServiceHelp, Status, CARD_BUDGET_BYTES,
};

/// The content type of an Adaptive Card attachment.
pub const ADAPTIVE_CARD_CONTENT_TYPE: &str = "application/vnd.microsoft.card.adaptive";

const WELCOME: &str = include_str!("../../adaptive-cards/welcome.json");
const HELP: &str = include_str!("../../adaptive-cards/help.json");
const INTERNAL_ERROR: &str = include_str!("../../adaptive-cards/internal-error.json");

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

/// Escapes the characters Adaptive Card markdown would interpret, so user text shows as typed.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let escape = match c {
            '\\' | '*' | '_' | '`' | '[' | ']' | '~' | '<' | '>' => true,
            // List and heading markers only mean something at the start of a line.
            '-' | '+' | '#' if line_start => chars.peek().is_none_or(|n| n.is_whitespace()),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        line_start = c == '\n' || (line_start && c == ' ');
    }
    out
}

/// Parses a template (once) and fills its `${name}` placeholders with values: a string that is
/// exactly a placeholder becomes the value (an array value is spliced into an enclosing array);
/// a placeholder inside a longer string is replaced by the value's text.
fn render(name: &'static str, template: &'static str, values: &[(&str, Value)]) -> Card {
    static PARSED: OnceLock<std::sync::Mutex<Vec<(&'static str, Value)>>> = OnceLock::new();
    let cache = PARSED.get_or_init(Default::default);
    let template_value = {
        let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
        match cache.iter().find(|(cached, _)| *cached == name) {
            Some((_, value)) => value.clone(),
            None => {
                // The templates are compiled in and checked by tests, so this cannot fail at runtime.
                let value: Value = serde_json::from_str(template).expect("card template is JSON");
                cache.push((name, value.clone()));
                value
            }
        }
    };
    Card {
        name,
        content: fill(template_value, values),
    }
}

fn placeholder(text: &str) -> Option<&str> {
    text.strip_prefix("${")?.strip_suffix('}')
}

fn fill(value: Value, values: &[(&str, Value)]) -> Value {
    let lookup = |key: &str| values.iter().find(|(name, _)| *name == key).map(|(_, v)| v);
    match value {
        Value::String(text) => match placeholder(&text).and_then(lookup) {
            Some(replacement) => replacement.clone(),
            None if text.contains("${") => {
                let mut text = text;
                for (key, replacement) in values {
                    let needle = format!("${{{key}}}");
                    if text.contains(&needle) {
                        let shown = match replacement {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        text = text.replace(&needle, &shown);
                    }
                }
                Value::String(text)
            }
            None => Value::String(text),
        },
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let spliced = item
                    .as_str()
                    .and_then(placeholder)
                    .and_then(lookup)
                    .and_then(Value::as_array);
                match spliced {
                    Some(elements) => out.extend(elements.iter().cloned()),
                    None => out.push(fill(item, values)),
                }
            }
            Value::Array(out)
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, item)| (key, fill(item, values)))
                .collect(),
        ),
        other => other,
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
