//! The alias list card (B1): the aliases of a channel, each with its command and parameters,
//! the administrator's marked as such, and how to run one. It has no buttons.

use serde_json::{json, Value};

use super::elements::{attention_text, code_block, subtle};
use crate::render::markdown::{escape_markdown, monospace};
use crate::render::template::render;
use crate::render::Card;

const ALIAS_LIST: &str = include_str!("../../../adaptive-cards/alias-list.json");

/// One alias as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasRow {
    pub name: String,
    /// The command template, `$parameters` and all.
    pub template: String,
    /// Its parameters in the order `run` takes them positionally.
    pub parameters: Vec<String>,
    /// Defined in the config file: chat cannot change or delete it.
    pub from_config: bool,
    /// Who created it from chat.
    pub created_by: Option<String>,
}

/// The alias list: after `alias list`, and after a create or delete (with `notice`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasListView {
    /// Where the aliases apply: "this channel", "your personal chats".
    pub scope: String,
    /// What just changed (`Alias fn-info created.`), shown on top.
    pub notice: Option<String>,
    /// A refusal instead of a change (shown in the attention colour).
    pub problem: Option<String>,
    pub aliases: Vec<AliasRow>,
}

/// The alias list card.
pub fn alias_list(view: &AliasListView) -> Card {
    let mut notice = Vec::new();
    if let Some(text) = &view.notice {
        notice.push(json!({"type": "TextBlock", "text": escape_markdown(text), "wrap": true}));
    }
    if let Some(problem) = &view.problem {
        notice.push(attention_text(problem));
    }
    let aliases: Vec<Value> = if view.aliases.is_empty() {
        vec![subtle(
            "No aliases yet. Create one with `@aws alias create <name> <command>`; use `$name` in the command for a value given when it runs.",
        )]
    } else {
        view.aliases.iter().map(alias_row).collect()
    };
    render(
        "alias-list",
        ALIAS_LIST,
        &[
            (
                "title",
                Value::String(escape_markdown(&format!("Aliases in {}", view.scope))),
            ),
            ("notice", Value::Array(notice)),
            ("aliases", Value::Array(aliases)),
            (
                "usage",
                Value::String(
                    "Run one with `@aws run <name> value …` (values in parameter order) or `name=value`. Delete one with `@aws alias delete <name>`; aliases from the config file stay."
                        .to_owned(),
                ),
            ),
        ],
    )
}

fn alias_row(row: &AliasRow) -> Value {
    let mut details = Vec::new();
    details.push(if row.parameters.is_empty() {
        "no parameters".to_owned()
    } else {
        format!(
            "parameters: {}",
            row.parameters
                .iter()
                .map(|p| format!("${p}"))
                .collect::<Vec<_>>()
                .join(" ")
        )
    });
    if row.from_config {
        details.push("from the config file".to_owned());
    } else if let Some(who) = &row.created_by {
        details.push(format!("created by {who}"));
    }
    json!({
        "type": "Container",
        "spacing": "Medium",
        "separator": true,
        "items": [
            {"type": "TextBlock", "text": escape_markdown(&row.name), "weight": "Bolder", "wrap": true},
            code_block(monospace(&row.template, false)),
            subtle(&escape_markdown(&details.join(" · "))),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_shows_each_alias_with_its_parameters_and_origin() {
        let card = alias_list(&AliasListView {
            scope: "this channel".into(),
            notice: Some("Alias fn_info created.".into()),
            problem: None,
            aliases: vec![
                AliasRow {
                    name: "fn_info".into(),
                    template: "lambda get-function --function-name $fn".into(),
                    parameters: vec!["fn".into()],
                    from_config: false,
                    created_by: Some("Ada".into()),
                },
                AliasRow {
                    name: "alarms".into(),
                    template: "cloudwatch describe-alarms --state-value ALARM".into(),
                    parameters: vec![],
                    from_config: true,
                    created_by: None,
                },
            ],
        });
        let text = card.content.to_string();
        for needle in [
            "Alias fn_info created.",
            "parameters: $fn",
            "created by Ada",
            "from the config file",
            "no parameters",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
    }
}
