//! How a command's output is shown on a result card: a table for a list of flat records, facts
//! for a flat object, otherwise the AWS CLI formatter's text in monospace.

use serde_json::{json, Value};

use super::elements::monospace_block;
use crate::command::OutputFormat;
use crate::output::{self, RenderContext};
use crate::render::markdown::escape_markdown;

/// Tables are used for records with at most this many columns.
const MAX_TABLE_COLUMNS: usize = 6;
/// Key/value results with at most this many keys are shown as facts.
const MAX_FACTS: usize = 24;

/// Chooses how to show a value: a table for a list of flat records with few columns, facts
/// for a flat object, otherwise the formatter's text in monospace.
pub(super) fn lay_out(value: &Value, format: Option<OutputFormat>, operation: &str) -> Vec<Value> {
    if format.is_none() {
        if let Some(elements) = as_table(value).or_else(|| as_facts(value)) {
            return elements;
        }
    }
    let format = format.unwrap_or_default();
    vec![monospace_block(
        &formatted_text(value, format, operation),
        format == OutputFormat::Json,
    )]
}

/// The value as the AWS CLI would print it with `--output format`, for a card's width; JSON
/// when the format cannot show it.
pub(super) fn formatted_text(value: &Value, format: OutputFormat, operation: &str) -> String {
    let context = RenderContext {
        operation_title: operation,
        // Cards are narrower than a terminal.
        terminal_width: 60,
    };
    match output::render_with(value, format, None, &context) {
        Ok(text) => text,
        Err(_) => {
            output::render_with(value, OutputFormat::Json, None, &context).unwrap_or_default()
        }
    }
}

fn is_scalar(value: &Value) -> bool {
    !value.is_object() && !value.is_array()
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn as_table(value: &Value) -> Option<Vec<Value>> {
    // A list of records, alone or as the one list of an object (`{"Functions": [...]}`).
    let (title, records) = match value {
        Value::Array(items) => (None, items),
        Value::Object(map) => {
            let lists: Vec<(&String, &Vec<Value>)> = map
                .iter()
                .filter_map(|(k, v)| v.as_array().map(|a| (k, a)))
                .collect();
            match lists.as_slice() {
                [(key, items)] if map.values().all(|v| v.is_array() || is_scalar(v)) => {
                    (Some(key.as_str()), *items)
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    if records.is_empty() {
        return Some(vec![
            json!({"type": "TextBlock", "text": format!("No {} found.", title.unwrap_or("items")), "wrap": true}),
        ]);
    }
    let mut columns: Vec<&String> = Vec::new();
    for record in records {
        let map = record.as_object()?;
        if !map.values().all(is_scalar) {
            return None;
        }
        for key in map.keys() {
            if !columns.contains(&key) {
                columns.push(key);
            }
        }
    }
    if columns.is_empty() || columns.len() > MAX_TABLE_COLUMNS {
        return None;
    }
    let cell = |text: String, bold: bool| json!({"type": "TableCell", "items": [{"type": "TextBlock", "text": escape_markdown(&text), "wrap": true, "size": "Small", "weight": if bold {"Bolder"} else {"Default"}}]});
    let mut rows = vec![json!({
        "type": "TableRow",
        "cells": columns.iter().map(|c| cell((*c).clone(), true)).collect::<Vec<_>>()
    })];
    for record in records {
        rows.push(json!({
            "type": "TableRow",
            "cells": columns.iter().map(|c| cell(record.get(c.as_str()).map(scalar_text).unwrap_or_default(), false)).collect::<Vec<_>>()
        }));
    }
    let mut elements = Vec::new();
    if let Some(title) = title {
        elements.push(json!({"type": "TextBlock", "text": format!("{} ({})", escape_markdown(title), records.len()), "weight": "Bolder", "wrap": true}));
    }
    elements.push(json!({
        "type": "Table",
        "firstRowAsHeader": true,
        "showGridLines": false,
        "columns": columns.iter().map(|_| json!({"width": 1})).collect::<Vec<_>>(),
        "rows": rows
    }));
    Some(elements)
}

fn as_facts(value: &Value) -> Option<Vec<Value>> {
    let map = value.as_object()?;
    if map.is_empty() || map.len() > MAX_FACTS || !map.values().all(is_scalar) {
        return None;
    }
    let facts: Vec<Value> = map
        .iter()
        .map(|(k, v)| json!({"title": escape_markdown(k), "value": escape_markdown(&scalar_text(v))}))
        .collect();
    Some(vec![json!({"type": "FactSet", "facts": facts})])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The element types `lay_out` chooses: (output, format) → types, top level.
    #[test]
    fn layout_is_chosen_by_the_shape_of_the_output() {
        let wide_record: Value = (0..7)
            .map(|i| (format!("C{i}"), json!(i)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        let cases = [
            (
                json!({"Functions": [{"Name": "a"}, {"Name": "b"}]}),
                None,
                vec!["TextBlock", "Table"],
            ),
            (json!([{"Name": "a", "Size": 1}]), None, vec!["Table"]),
            (json!({"Account": "1", "Arn": "x"}), None, vec!["FactSet"]),
            (json!({"Functions": []}), None, vec!["TextBlock"]),
            // Nested records, too many columns, two lists, a scalar: monospace text.
            (
                json!([{"Name": "a", "Tags": {"k": "v"}}]),
                None,
                vec!["Container"],
            ),
            (json!([wide_record]), None, vec!["Container"]),
            (json!({"A": [], "B": []}), None, vec!["Container"]),
            (json!("plain"), None, vec!["Container"]),
            // An explicit --output is always text.
            (
                json!({"Account": "1"}),
                Some(OutputFormat::Json),
                vec!["Container"],
            ),
            (
                json!([{"Name": "a"}]),
                Some(OutputFormat::Table),
                vec!["Container"],
            ),
        ];
        for (output, format, expected) in cases {
            let elements = lay_out(&output, format, "Operation");
            let types: Vec<&str> = elements
                .iter()
                .map(|e| e["type"].as_str().unwrap())
                .collect();
            assert_eq!(types, expected, "{output} {format:?}");
        }
    }

    #[test]
    fn a_table_has_a_bold_header_row_and_escaped_cells() {
        let elements = lay_out(
            &json!({"Functions": [{"FunctionName": "a_b*", "MemorySize": 128}, {"FunctionName": "c", "Runtime": "java21"}]}),
            None,
            "ListFunctions",
        );
        assert_eq!(elements[0]["text"], "Functions (2)");
        let table = &elements[1];
        assert_eq!(table["columns"].as_array().unwrap().len(), 3);
        let rows = table["rows"].as_array().unwrap();
        let row_text = |row: &Value| -> Vec<String> {
            row["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|cell| cell["items"][0]["text"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            row_text(&rows[0]),
            ["FunctionName", "MemorySize", "Runtime"]
        );
        assert_eq!(rows[0]["cells"][0]["items"][0]["weight"], "Bolder");
        assert_eq!(row_text(&rows[1]), ["a_b*", "128", ""]);
        assert_eq!(row_text(&rows[2]), ["c", "", "java21"]);
        assert_eq!(rows[1]["cells"][0]["items"][0]["weight"], "Default");
    }

    #[test]
    fn an_empty_list_says_what_was_not_found() {
        assert_eq!(
            lay_out(&json!({"Buckets": [], "Owner": "me"}), None, "ListBuckets")[0]["text"],
            "No Buckets found."
        );
        assert_eq!(lay_out(&json!([]), None, "X")[0]["text"], "No items found.");
    }

    #[test]
    fn facts_show_null_as_empty_and_numbers_as_written() {
        let elements = lay_out(&json!({"A": null, "B": 1.5, "C": true}), None, "X");
        assert_eq!(
            elements[0]["facts"],
            json!([{"title": "A", "value": ""}, {"title": "B", "value": "1.5"}, {"title": "C", "value": "true"}])
        );
    }

    #[test]
    fn json_output_halves_its_indentation_and_text_output_does_not() {
        let nbsp = '\u{a0}';
        let value = json!({"A": {"B": 1}});
        let json_text = lay_out(&value, Some(OutputFormat::Json), "X")[0]["items"][0]["text"]
            .as_str()
            .unwrap()
            .to_owned();
        // The formatter indents by four; the card shows two.
        assert!(
            json_text.contains(&format!("\n{nbsp}{nbsp}\"A\"")),
            "{json_text:?}"
        );
        assert!(
            !json_text.contains(&format!("\n{nbsp}{nbsp}{nbsp}\"A\"")),
            "{json_text:?}"
        );
    }
}
