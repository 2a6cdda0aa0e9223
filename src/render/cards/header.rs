//! The header every command card shows on top: the command, where and as whom it runs, and
//! the exact command line.

use serde_json::{json, Value};

use super::elements::code_block;
use crate::render::markdown::{breakable, escape_markdown, monospace};

/// What every command card shows on top: the command, and where and as whom it runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommandHeader {
    /// `cloudwatch describe-alarms`.
    pub title: String,
    /// The exact command line, `aws cloudwatch describe-alarms --state-value ALARM`.
    pub command_line: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub role: Option<String>,
    /// Who approved the command, when it needed a second person (four-eyes approval).
    pub approved_by: Option<String>,
    /// The alias the command was expanded from (`@aws run <alias>`), shown as a fact.
    pub alias: Option<String>,
}

impl CommandHeader {
    /// The header, naming the alias the command was expanded from when there is one.
    pub fn with_alias(mut self, alias: Option<&str>) -> Self {
        self.alias = alias.map(str::to_owned);
        self
    }
}

/// The header elements: title, where it runs, and the command line.
pub(super) fn header_elements(view: &CommandHeader) -> Vec<Value> {
    let mut elements = vec![json!({
        "type": "TextBlock",
        "text": escape_markdown(&view.title),
        "weight": "Bolder",
        "wrap": true
    })];
    let mut facts = Vec::new();
    if let Some(account) = &view.account {
        facts.push(json!({"title": "Account", "value": breakable(account)}));
    }
    if let Some(region) = &view.region {
        facts.push(json!({"title": "Region", "value": escape_markdown(region)}));
    }
    if let Some(role) = &view.role {
        facts.push(json!({"title": "Role", "value": breakable(role)}));
    }
    if let Some(approver) = &view.approved_by {
        facts.push(json!({"title": "Approved by", "value": escape_markdown(approver)}));
    }
    if let Some(alias) = &view.alias {
        facts.push(json!({"title": "Alias", "value": escape_markdown(alias)}));
    }
    if !facts.is_empty() {
        elements.push(json!({"type": "FactSet", "facts": facts, "spacing": "Small"}));
    }
    if let Some(line) = &view.command_line {
        elements.push(code_block(monospace(line, false)));
    }
    elements
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_header_has_title_facts_and_command_line() {
        let elements = header_elements(&CommandHeader {
            title: "lambda get_function".to_owned(),
            command_line: Some("aws lambda get-function --function-name my_fn".to_owned()),
            account: Some("production (123456789012)".to_owned()),
            region: Some("eu-west-1".to_owned()),
            role: Some("arn:aws:iam::123456789012:role/ChatOpsOperator".to_owned()),
            approved_by: None,
            alias: None,
        });
        assert_eq!(elements.len(), 3);
        assert_eq!(elements[0]["text"], "lambda get_function");
        assert_eq!(elements[0]["weight"], "Bolder");
        let facts = elements[1]["facts"].as_array().unwrap();
        let titles: Vec<&str> = facts.iter().map(|f| f["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Account", "Region", "Role"]);
        assert!(facts[2]["value"]
            .as_str()
            .unwrap()
            .contains(":\u{200b}role/\u{200b}"));
        let line = &elements[2]["items"][0];
        assert_eq!(line["fontType"], "Monospace");
        // In code-like text an underscore inside a word is left alone.
        assert_eq!(
            line["text"],
            "aws lambda get-function --function-name my_fn"
        );
    }

    #[test]
    fn a_bare_header_is_only_its_title() {
        let elements = header_elements(&CommandHeader {
            title: "help".to_owned(),
            ..CommandHeader::default()
        });
        assert_eq!(
            elements,
            vec![json!({"type": "TextBlock", "text": "help", "weight": "Bolder", "wrap": true})]
        );
    }

    #[test]
    fn region_alone_makes_a_one_fact_set() {
        let elements = header_elements(&CommandHeader {
            title: "s3 ls".to_owned(),
            region: Some("us-east-1".to_owned()),
            ..CommandHeader::default()
        });
        assert_eq!(elements.len(), 2);
        assert_eq!(
            elements[1]["facts"],
            json!([{"title": "Region", "value": "us-east-1"}])
        );
    }
}
