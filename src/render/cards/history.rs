//! The history card (B6): the requester's last commands in a conversation, newest first,
//! each with its time, outcome and command line (sensitive values already dropped), and a
//! Run again button that carries only the entry's id.

use serde_json::{json, Value};

use super::elements::{action, action_set, code_block, subtle};
use super::Verb;
use crate::render::markdown::{escape_markdown, monospace};
use crate::render::template::render;
use crate::render::Card;

const HISTORY: &str = include_str!("../../../adaptive-cards/history.json");

/// One command as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The entry's id, which Run again carries.
    pub id: String,
    /// `2026-03-01 14:05 UTC`.
    pub time: String,
    /// `aws lambda get-function --function-name orders`.
    pub command_line: String,
    /// `succeeded`, `failed: ResourceNotFoundException`, `refused by the channel guardrail`.
    pub outcome: String,
    /// The alias it was run through.
    pub alias: Option<String>,
    /// Options whose values were not kept (sensitive), asked for again on Run again.
    pub dropped: Vec<String>,
    /// Whether Run again can rebuild it (a very large command is kept as text only).
    pub can_run_again: bool,
}

/// The history of one person in one conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryView {
    /// Whose history it is (`Ada Lovelace`).
    pub who: String,
    pub rows: Vec<HistoryRow>,
    /// How long entries are kept, in days.
    pub kept_days: u64,
}

/// The history card.
pub fn history(view: &HistoryView) -> Card {
    let entries: Vec<Value> = if view.rows.is_empty() {
        vec![subtle("No commands yet in this conversation.")]
    } else {
        view.rows.iter().map(history_row).collect()
    };
    render(
        "history",
        HISTORY,
        &[
            (
                "title",
                Value::String(escape_markdown(&match view.rows.len() {
                    0 => "Your history here".to_owned(),
                    1 => "Your last command here".to_owned(),
                    n => format!("Your last {n} commands here"),
                })),
            ),
            (
                "message",
                Value::String(escape_markdown(&format!(
                    "{}'s commands in this conversation, newest first, kept for {} days. Sensitive values are never kept: Run again asks for them.",
                    view.who, view.kept_days
                ))),
            ),
            ("entries", Value::Array(entries)),
        ],
    )
}

fn history_row(row: &HistoryRow) -> Value {
    let mut facts = vec![
        json!({"title": "When", "value": escape_markdown(&row.time)}),
        json!({"title": "Outcome", "value": escape_markdown(&row.outcome)}),
    ];
    if let Some(alias) = &row.alias {
        facts.push(json!({"title": "Alias", "value": escape_markdown(alias)}));
    }
    let mut items = vec![
        json!({"type": "FactSet", "facts": facts}),
        code_block(monospace(&row.command_line, false)),
    ];
    if !row.dropped.is_empty() {
        items.push(subtle(&escape_markdown(&format!(
            "Not kept: {}",
            row.dropped
                .iter()
                .map(|o| format!("--{o}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))));
    }
    if row.can_run_again {
        items.push(action_set(vec![action(
            "Run again",
            Verb::RunAgain,
            &row.id,
            None,
            false,
        )]));
    }
    json!({"type": "Container", "separator": true, "spacing": "Medium", "items": items})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{assert_complete, texts};

    #[test]
    fn an_empty_history_says_so_without_counting_zero() {
        let card = history(&HistoryView {
            who: "Ada".into(),
            rows: vec![],
            kept_days: 30,
        });
        assert_complete(&card);
        let shown = texts(&card).join("\n");
        assert!(shown.contains("Your history here"), "{shown}");
        assert!(shown.contains("No commands yet"), "{shown}");
        assert!(!shown.contains("0 commands"), "{shown}");
    }

    #[test]
    fn each_entry_has_its_outcome_and_a_run_again_button_with_only_its_id() {
        let card = history(&HistoryView {
            who: "Ada".into(),
            kept_days: 30,
            rows: vec![HistoryRow {
                id: "e1".into(),
                time: "2026-03-01 14:05 UTC".into(),
                command_line: "aws ssm put-parameter --name db".into(),
                outcome: "confirmed".into(),
                alias: None,
                dropped: vec!["value".into()],
                can_run_again: true,
            }],
        });
        let text = card.content.to_string();
        assert!(text.contains("Not kept: --value"), "{text}");
        assert!(
            text.contains(r#""data":{"verb":"run-again","request":"e1"}"#),
            "{text}"
        );
        assert!(text.contains("Action.Submit"), "{text}");
    }
}
