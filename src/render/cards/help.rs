//! The help cards made from the service models: a service's operations, and one operation's
//! parameters with their types, allowed values and a link to the AWS CLI reference.

use serde_json::{json, Value};

use super::elements::subtle;
use super::CONTENT_BUDGET_BYTES;
use crate::render::markdown::{escape_markdown, monospace};
use crate::render::template::render;
use crate::render::Card;

const HELP_SERVICE: &str = include_str!("../../../adaptive-cards/help-service.json");
const HELP_OPERATION: &str = include_str!("../../../adaptive-cards/help-operation.json");

/// Most operations a service help card lists before saying how many more there are.
const MAX_LISTED_OPERATIONS: usize = 60;
/// Most allowed values listed for one parameter before saying how many more there are.
const MAX_LISTED_VALUES: usize = 12;

/// One operation as the service help card lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceHelp {
    pub service: String,
    pub full_name: String,
    /// CLI operation names, in the model's order.
    pub operations: Vec<String>,
}

/// One parameter on an operation help card.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterHelp {
    pub option: String,
    /// `string`, `integer`, `list`, ...
    pub type_name: String,
    pub required: bool,
    pub allowed: Vec<String>,
}

/// Help for one operation, generated from its model.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationHelp {
    pub service: String,
    pub operation: String,
    pub parameters: Vec<ParameterHelp>,
    pub paginated: bool,
    pub read_only: bool,
}

/// Help for a service: its operations (trimmed, with a count).
pub fn service_help(help: &ServiceHelp, mention: &str) -> Card {
    let total = help.operations.len();
    let shown: Vec<&str> = help
        .operations
        .iter()
        .take(MAX_LISTED_OPERATIONS)
        .map(String::as_str)
        .collect();
    let mut footer = format!(
        "Type {mention} {} <operation> --help for an operation's parameters.",
        help.service
    );
    if total > shown.len() {
        footer = format!("{} of {total} operations shown. {footer}", shown.len());
    }
    render(
        "help-service",
        HELP_SERVICE,
        &[
            ("title", Value::String(format!("{} help", help.service))),
            (
                "summary",
                Value::String(format!(
                    "{} — {total} operations.",
                    escape_markdown(&help.full_name)
                )),
            ),
            (
                "operations",
                Value::String(monospace(&shown.join("\n"), false)),
            ),
            ("footer", Value::String(escape_markdown(&footer))),
        ],
    )
}

/// Help for an operation: its parameters with type, whether required, allowed values, and a
/// link to the AWS CLI reference page.
pub fn operation_help(help: &OperationHelp) -> Card {
    let (mut parameters, cut) = parameter_blocks(&help.parameters);
    if parameters.is_empty() && cut == 0 {
        parameters.push(subtle("This operation takes no parameters."));
    }
    let mut footer = String::new();
    if cut > 0 {
        footer.push_str(&format!("{cut} parameters not shown; see the reference. "));
    }
    if help.paginated {
        footer.push_str("Results come one page at a time, with a Next page button. ");
    }
    footer.push_str(if help.read_only {
        "This operation only reads."
    } else {
        "This operation changes things: you will be asked to confirm before it runs."
    });
    let required = help.parameters.iter().filter(|p| p.required).count();
    render(
        "help-operation",
        HELP_OPERATION,
        &[
            (
                "title",
                Value::String(format!("{} {}", help.service, help.operation)),
            ),
            (
                "summary",
                Value::String(format!(
                    "{} parameters, {required} required. Missing required parameters are asked for in a form.",
                    help.parameters.len()
                )),
            ),
            ("parameters", Value::Array(parameters)),
            ("footer", Value::String(footer)),
            (
                "reference_url",
                Value::String(format!(
                    "https://docs.aws.amazon.com/cli/latest/reference/{}/{}.html",
                    help.service, help.operation
                )),
            ),
        ],
    )
}

/// One TextBlock per parameter while they fit [`CONTENT_BUDGET_BYTES`], and how many did not.
fn parameter_blocks(parameters: &[ParameterHelp]) -> (Vec<Value>, usize) {
    let mut blocks = Vec::new();
    let mut budget = CONTENT_BUDGET_BYTES;
    let mut cut = 0;
    for parameter in parameters {
        let element = json!({"type": "TextBlock", "text": parameter_text(parameter), "wrap": true, "spacing": "Small"});
        let size = element.to_string().len();
        if size > budget {
            cut += 1;
            continue;
        }
        budget -= size;
        blocks.push(element);
    }
    (blocks, cut)
}

/// `**--option** · type · required`, and the allowed values below it.
fn parameter_text(parameter: &ParameterHelp) -> String {
    let mut text = format!(
        "**--{}** · {}{}",
        escape_markdown(&parameter.option),
        parameter.type_name,
        if parameter.required {
            " · required"
        } else {
            ""
        }
    );
    if !parameter.allowed.is_empty() {
        let mut allowed = parameter.allowed.clone();
        if allowed.len() > MAX_LISTED_VALUES {
            let more = allowed.len() - MAX_LISTED_VALUES;
            allowed.truncate(MAX_LISTED_VALUES);
            allowed.push(format!("… {more} more"));
        }
        text.push_str(&format!(
            "\n\nAllowed: {}",
            escape_markdown(&allowed.join(", "))
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{assert_complete, elements_of_type, texts};

    fn parameter(option: &str, required: bool, allowed: &[&str]) -> ParameterHelp {
        ParameterHelp {
            option: option.to_owned(),
            type_name: "string".to_owned(),
            required,
            allowed: allowed.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn operation(
        parameters: Vec<ParameterHelp>,
        paginated: bool,
        read_only: bool,
    ) -> OperationHelp {
        OperationHelp {
            service: "cloudwatch".to_owned(),
            operation: "describe-alarms".to_owned(),
            parameters,
            paginated,
            read_only,
        }
    }

    #[test]
    fn a_service_lists_its_operations_and_how_to_get_more_help() {
        let card = service_help(
            &ServiceHelp {
                service: "sqs".to_owned(),
                full_name: "Amazon Simple Queue Service".to_owned(),
                operations: vec!["list-queues".to_owned(), "send-message".to_owned()],
            },
            "@AWS",
        );
        assert_complete(&card);
        assert_eq!(card.name, "help-service");
        let texts = texts(&card);
        assert_eq!(texts[0], "sqs help");
        assert_eq!(texts[1], "Amazon Simple Queue Service — 2 operations.");
        assert_eq!(texts[2], "list-queues\nsend-message");
        assert_eq!(
            texts[3],
            r"Type @AWS sqs \<operation> --help for an operation's parameters."
        );
    }

    #[test]
    fn a_long_service_is_trimmed_with_a_count() {
        let operations = (0..75).map(|i| format!("operation-{i:02}")).collect();
        let card = service_help(
            &ServiceHelp {
                service: "ec2".to_owned(),
                full_name: "Amazon EC2".to_owned(),
                operations,
            },
            "@AWS",
        );
        let texts = texts(&card);
        assert_eq!(texts[2].lines().count(), MAX_LISTED_OPERATIONS);
        assert!(texts[2].ends_with("operation-59"));
        assert!(
            texts[3].starts_with("60 of 75 operations shown. Type @AWS ec2"),
            "{}",
            texts[3]
        );
    }

    #[test]
    fn an_operation_shows_each_parameter_with_type_requirement_and_values() {
        let states: Vec<String> = (0..14).map(|i| format!("STATE_{i}")).collect();
        let states: Vec<&str> = states.iter().map(String::as_str).collect();
        let card = operation_help(&operation(
            vec![
                parameter("alarm-names", true, &[]),
                parameter("state-value", false, &states),
            ],
            true,
            true,
        ));
        assert_complete(&card);
        assert_eq!(card.name, "help-operation");
        let texts = texts(&card);
        assert_eq!(texts[0], "cloudwatch describe-alarms");
        assert!(
            texts[1].starts_with("2 parameters, 1 required."),
            "{}",
            texts[1]
        );
        assert_eq!(texts[2], "**--alarm-names** · string · required");
        assert!(
            texts[3].starts_with("**--state-value** · string\n\nAllowed: STATE_0, STATE_1"),
            "{}",
            texts[3]
        );
        assert!(texts[3].ends_with("STATE_11, … 2 more"), "{}", texts[3]);
        assert_eq!(
            texts[4],
            "Results come one page at a time, with a Next page button. This operation only reads."
        );
        let link = &elements_of_type(&card, "Action.OpenUrl")[0];
        assert_eq!(
            link["url"],
            "https://docs.aws.amazon.com/cli/latest/reference/cloudwatch/describe-alarms.html"
        );
    }

    #[test]
    fn no_parameters_and_changes_are_said_plainly() {
        let card = operation_help(&operation(Vec::new(), false, false));
        let texts = texts(&card);
        assert_eq!(texts[2], "This operation takes no parameters.");
        assert_eq!(
            texts[3],
            "This operation changes things: you will be asked to confirm before it runs."
        );
    }

    #[test]
    fn parameters_over_the_budget_are_counted_not_shown() {
        let many: Vec<String> = (0..800)
            .map(|i| format!("VALUE_NUMBER_{i:04}_{}", "x".repeat(40)))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let parameters: Vec<ParameterHelp> = (0..60)
            .map(|i| ParameterHelp {
                option: format!("option-{i}-{}", "long-".repeat(60)),
                ..parameter("x", false, &many)
            })
            .collect();
        let (shown, cut) = parameter_blocks(&parameters);
        assert!(cut > 0 && !shown.is_empty());
        assert_eq!(shown.len() + cut, 60);
        let card = operation_help(&operation(parameters, false, true));
        assert_complete(&card);
        let footer = *texts(&card).last().unwrap();
        assert!(
            footer.starts_with(&format!("{cut} parameters not shown; see the reference. ")),
            "{footer}"
        );
        assert!(footer.ends_with("This operation only reads."), "{footer}");
    }
}
