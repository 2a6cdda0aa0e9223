//! Prints an [`Invocation`] back as the canonical AWS CLI command line, for confirmation and
//! result cards. Never parses; the output parses back to the same invocation.

use serde_json::Value;

use crate::models::{Models, ShapeType};

use super::{GlobalOptions, Invocation, OutputFormat};

/// The canonical command, like `aws cloudwatch describe-alarms --state-value ALARM`.
/// Options follow the order of `params`; values are quoted for a POSIX shell where needed;
/// structures, maps and lists of them are printed as compact JSON; booleans as `--flag` or
/// `--no-flag`.
pub fn render_command_line(inv: &Invocation, models: &Models) -> String {
    let model = models.service(&inv.service).ok();
    let operation = model
        .as_ref()
        .and_then(|m| m.operations.get(&inv.operation));
    let options = match (&model, operation) {
        (Some(model), Some(operation)) => super::customizations::command_option_names(
            model,
            operation,
            &inv.service,
            &inv.cli_operation,
        ),
        _ => None,
    };
    let mut line = format!("aws {} {}", inv.service, inv.cli_operation);
    // The CLI's run-instances takes `--count MIN[:MAX]` for the two counts.
    let counted = inv.service == "ec2" && inv.operation == "RunInstances";
    for (member, value) in &inv.params {
        if counted && matches!(member.as_str(), "MinCount" | "MaxCount") {
            if member == "MinCount" || !inv.params.contains_key("MinCount") {
                let count = |name: &str| inv.params.get(name).unwrap_or(&Value::Null).clone();
                let word =
                    super::customizations::count_word(&count("MinCount"), &count("MaxCount"));
                line.push_str(&format!(" --count {word}"));
            }
            continue;
        }
        // EMR's own forms: attribute flags, `key=value` tags.
        if let Some(word) = super::customizations::printed_words(inv, member, value) {
            line.push(' ');
            line.push_str(&word);
            continue;
        }
        // The CLI's flattened options stand for the whole structure (cloudsearch).
        if let Some(words) =
            super::customizations::flattened_words(&inv.service, &inv.operation, member, value)
        {
            for (option, value) in words {
                push_param(&mut line, option, None, &value);
            }
            continue;
        }
        let option = options
            .as_ref()
            .and_then(|o| o.get(member))
            .cloned()
            .unwrap_or_else(|| crate::models::xform_name(member));
        let shape_type = match (&model, operation) {
            (Some(model), Some(operation)) => member_shape(model, operation, member),
            _ => None,
        };
        push_param(&mut line, &option, shape_type, value);
    }
    push_globals(&mut line, &inv.globals);
    line
}

/// What printing a member needs from the model: its shape type, whether it is a document,
/// and whether it is a JSON-valued header.
fn member_shape(
    model: &crate::models::ServiceModel,
    operation: &crate::models::Operation,
    member: &str,
) -> Option<(ShapeType, bool, bool)> {
    model
        .input_shape(operation)
        .and_then(|input| input.members.get(member))
        .and_then(|member_ref| model.shape(&member_ref.shape))
        .map(|shape| {
            (
                shape.shape_type,
                shape.document,
                member_ref_json(model, operation, member),
            )
        })
}

/// Appends one parameter as `--option value` (or `--flag`, `--no-flag`, `--option a b c`).
fn push_param(
    line: &mut String,
    option: &str,
    shape_type: Option<(ShapeType, bool, bool)>,
    value: &Value,
) {
    match (shape_type, value) {
        (Some((ShapeType::Boolean, _, _)), Value::Bool(true)) => {
            line.push_str(&format!(" --{option}"));
        }
        (Some((ShapeType::Boolean, _, _)), Value::Bool(false)) => {
            line.push_str(&format!(" --no-{option}"));
        }
        (Some((ShapeType::List, false, false)), Value::Array(items))
            if items
                .iter()
                .all(|item| !item.is_object() && !item.is_array())
                && !items.is_empty() =>
        {
            line.push_str(&format!(" --{option}"));
            for item in items {
                line.push(' ');
                line.push_str(&quote(&scalar_text(item)));
            }
        }
        // A value that starts with a dash is attached with `=` so it cannot read as an option.
        (_, Value::String(text)) if text.starts_with('-') => {
            line.push_str(&format!(" --{option}={}", quote(text)));
        }
        (_, Value::String(text)) => {
            line.push_str(&format!(" --{option} {}", quote(text)));
        }
        (_, Value::Number(number)) => {
            line.push_str(&format!(" --{option} {number}"));
        }
        (_, other) => {
            line.push_str(&format!(" --{option} {}", quote(&other.to_string())));
        }
    }
}

/// Appends the global options that are set, always in the same order.
fn push_globals(line: &mut String, globals: &GlobalOptions) {
    if let Some(region) = &globals.region {
        line.push_str(&format!(" --region {}", quote(region)));
    }
    if let Some(query) = &globals.query {
        line.push_str(&format!(" --query {}", quote(query)));
    }
    if let Some(output) = globals.output {
        let name = match output {
            OutputFormat::Json => "json",
            OutputFormat::Text => "text",
            OutputFormat::Table => "table",
            OutputFormat::Yaml => "yaml",
        };
        line.push_str(&format!(" --output {name}"));
    }
    if let Some(max_items) = globals.max_items {
        line.push_str(&format!(" --max-items {max_items}"));
    }
    if let Some(token) = &globals.starting_token {
        line.push_str(&format!(" --starting-token {}", quote(token)));
    }
    if let Some(page_size) = globals.page_size {
        line.push_str(&format!(" --page-size {page_size}"));
    }
    if globals.no_paginate {
        line.push_str(" --no-paginate");
    }
}

/// Whether the member is a JSON-valued header (given as JSON, printed as JSON).
fn member_ref_json(
    model: &crate::models::ServiceModel,
    operation: &crate::models::Operation,
    member: &str,
) -> bool {
    model
        .input_shape(operation)
        .and_then(|input| input.members.get(member))
        .is_some_and(|member_ref| member_ref.json_value)
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Quotes a word for a POSIX shell when it needs it: single quotes, with `'` written `'\''`.
pub(super) fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | ',' | '@' | '+' | '%')
        });
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
