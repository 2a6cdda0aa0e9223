//! `[access.guardrails.<name>]` and inline guardrail statements: IAM-style statements of
//! actions, checked against the action grammar.

use std::ops::Range;

use serde::Deserialize;
use serde_spanned::Spanned;

use super::problems::Problems;
use crate::policy::guardrail::{ActionPattern, Effect, Policy, Statement};

/// A string or a list of strings (IAM's `Action` takes both).
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(super) fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStatement {
    #[serde(alias = "Sid")]
    #[allow(dead_code)]
    sid: Option<String>,
    #[serde(alias = "Effect")]
    effect: Spanned<String>,
    #[serde(alias = "Action")]
    action: Option<Spanned<OneOrMany>>,
    #[serde(alias = "NotAction")]
    not_action: Option<Spanned<OneOrMany>>,
    #[serde(alias = "Resource")]
    resource: Option<Spanned<OneOrMany>>,
}

impl RawStatement {
    pub(super) fn validate(
        self,
        path: &str,
        table_span: Option<Range<usize>>,
        problems: &mut Problems,
    ) -> Option<Statement> {
        let before = problems.0.len();
        let effect = match self.effect.get_ref().as_str() {
            "Allow" | "allow" => Some(Effect::Allow),
            "Deny" | "deny" => Some(Effect::Deny),
            other => {
                problems.push(
                    Some(self.effect.span()),
                    format!("{path}.effect"),
                    format!("effect {other:?} is neither \"Allow\" nor \"Deny\""),
                );
                None
            }
        };
        if let Some(resource) = self.resource {
            let span = resource.span();
            let resources = resource.into_inner().into_vec();
            if resources.iter().any(|r| r != "*") {
                problems.push(
                    Some(span),
                    format!("{path}.resource"),
                    "guardrails cap actions, not resources: `resource` can only be \"*\" (scope resources in the role's own IAM policy)".into(),
                );
            }
        }
        let (negated, actions) = match (self.action, self.not_action) {
            (Some(action), None) => (false, action),
            (None, Some(not_action)) => (true, not_action),
            (Some(_), Some(not_action)) => {
                problems.push(
                    Some(not_action.span()),
                    path,
                    "a statement has either `action` or `not_action`, not both".into(),
                );
                return None;
            }
            (None, None) => {
                problems.push(
                    table_span,
                    path,
                    "a statement needs `action = [...]` or `not_action = [...]`".into(),
                );
                return None;
            }
        };
        let span = actions.span();
        let names = actions.into_inner().into_vec();
        if names.is_empty() {
            problems.push(
                Some(span.clone()),
                path,
                "the action list is empty; name at least one action such as \"cloudwatch:Describe*\"".into(),
            );
        }
        let mut patterns = Vec::new();
        for name in names {
            match ActionPattern::parse(&name) {
                Ok(pattern) => patterns.push(pattern),
                Err(reason) => problems.push(
                    Some(span.clone()),
                    format!("{path}.{}", if negated { "not_action" } else { "action" }),
                    format!("{name:?}: {reason}"),
                ),
            }
        }
        if problems.0.len() != before {
            return None;
        }
        let effect = effect?;
        Some(if negated {
            Statement::not_action(effect, patterns)
        } else {
            Statement::action(effect, patterns)
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(alias = "Statement")]
    statement: Vec<RawStatement>,
}

/// The spans of the `[[…<key>]]` tables under a table item, for "needs an action" messages
/// (serde does not see the spans of tables in an array of tables).
pub(super) fn statement_spans(item: &toml_edit::Item, key: &str) -> Vec<Option<Range<usize>>> {
    let Some(table) = item.as_table_like() else {
        return Vec::new();
    };
    let Some((_, statements)) = table.get_key_value(key) else {
        return Vec::new();
    };
    match statements {
        toml_edit::Item::ArrayOfTables(tables) => tables.iter().map(|t| t.span()).collect(),
        toml_edit::Item::Value(toml_edit::Value::Array(values)) => {
            values.iter().map(|v| v.span()).collect()
        }
        _ => Vec::new(),
    }
}

impl RawPolicy {
    pub(super) fn validate(
        self,
        name: &str,
        path: &str,
        item: &toml_edit::Item,
        problems: &mut Problems,
    ) -> Option<Policy> {
        if self.statement.is_empty() {
            problems.push(
                item.span(),
                path,
                "a guardrail policy needs at least one [[…statement]]".into(),
            );
            return None;
        }
        let spans = statement_spans(item, "statement");
        let statements = validate_statements(
            self.statement,
            &spans,
            item.span(),
            &format!("{path}.statement"),
            problems,
        )?;
        Some(Policy::new(name, statements))
    }
}

pub(super) fn validate_statements(
    raw: Vec<RawStatement>,
    spans: &[Option<Range<usize>>],
    fallback_span: Option<Range<usize>>,
    path: &str,
    problems: &mut Problems,
) -> Option<Vec<Statement>> {
    let before = problems.0.len();
    let statements: Vec<Statement> = raw
        .into_iter()
        .enumerate()
        .filter_map(|(index, statement)| {
            let span = spans
                .get(index)
                .cloned()
                .flatten()
                .or_else(|| fallback_span.clone());
            statement.validate(&format!("{path}[{index}]"), span, problems)
        })
        .collect();
    (problems.0.len() == before).then_some(statements)
}
