//! The error card: a command that does not parse, a refusal, an AWS error, with the CLI's
//! error line in monospace.

use serde_json::Value;

use super::elements::code_block;
use super::header::{header_elements, CommandHeader};
use crate::render::markdown::{escape_markdown, monospace};
use crate::render::template::render;
use crate::render::Card;

const ERROR: &str = include_str!("../../../adaptive-cards/error.json");

/// Card for something that went wrong: a command that does not parse, a denial, an AWS
/// error. `details` is shown in monospace (the AWS CLI's error line); `reference` is the
/// correlation id of internal errors.
pub fn error(
    title: &str,
    message: &str,
    header_view: Option<&CommandHeader>,
    details: Option<&str>,
) -> Card {
    let details = match details {
        Some(text) => vec![code_block(monospace(text, false))],
        None => Vec::new(),
    };
    render(
        "error",
        ERROR,
        &[
            ("title", Value::String(title.to_owned())),
            (
                "header",
                Value::Array(header_view.map(header_elements).unwrap_or_default()),
            ),
            ("message", Value::String(escape_markdown(message))),
            ("details", Value::Array(details)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{
        assert_complete, buttons, elements_of_type, full_header, texts,
    };

    #[test]
    fn a_parse_error_is_title_and_escaped_message_only() {
        let card = error(
            "I could not read that command",
            "Unknown service 'cloud_watch'. Did you mean <cloudwatch>?",
            None,
            None,
        );
        assert_complete(&card);
        assert_eq!(card.name, "error");
        assert_eq!(
            texts(&card),
            [
                "I could not read that command",
                r"Unknown service 'cloud_watch'. Did you mean \<cloudwatch>?"
            ]
        );
        assert_eq!(card.content["body"][0]["color"], "Attention");
        assert!(buttons(&card).is_empty());
    }

    #[test]
    fn an_aws_error_shows_the_command_and_the_cli_error_line() {
        let line = "An error occurred (AccessDenied) when calling the UpdateShardCount operation: not authorized to perform kinesis:UpdateShardCount on arn:aws:kinesis:eu-west-1:123456789012:stream/clicks";
        let card = error(
            "AWS refused the call",
            "Ask for the permission.",
            Some(&full_header()),
            Some(line),
        );
        assert_complete(&card);
        let blocks = elements_of_type(&card, "Container");
        // The command line of the header, then the details.
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1]["items"][0]["fontType"], "Monospace");
        assert_eq!(blocks[1]["items"][0]["text"], line);
        let body = card.content["body"].as_array().unwrap();
        assert_eq!(body.last().unwrap(), blocks[1]);
        assert!(texts(&card).contains(&"kinesis update-shard-count"));
    }
}
