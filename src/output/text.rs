//! `--output text`: the AWS CLI's tab-separated format (awscli `text.py`). Dictionaries print
//! their scalar values sorted by key on one line (prefixed by the upper-cased key they hang
//! under), then their non-scalar members; lists of scalars print on one line.

use serde_json::Value;

use super::python::py_str;
use super::OutputError;

pub fn format_text(value: &Value, out: &mut String) -> Result<(), OutputError> {
    check_lists(value)?;
    format_item(value, None, None, out);
    Ok(())
}

/// text.py reads every element of a list that holds a dict as a dict; a list mixing dicts
/// with other values makes the CLI fail with an `AttributeError`, and so does this.
fn check_lists(value: &Value) -> Result<(), OutputError> {
    match value {
        Value::Array(items) => {
            if items.iter().any(Value::is_object) && !items.iter().all(Value::is_object) {
                return Err(OutputError::Text(
                    "a list mixes objects with other values; the text format cannot print it"
                        .to_owned(),
                ));
            }
            items.iter().try_for_each(check_lists)
        }
        Value::Object(map) => map.values().try_for_each(check_lists),
        _ => Ok(()),
    }
}

fn is_container(value: &Value) -> bool {
    matches!(value, Value::Array(_) | Value::Object(_))
}

fn format_item(
    item: &Value,
    identifier: Option<&str>,
    scalar_keys: Option<&[String]>,
    out: &mut String,
) {
    match item {
        Value::Object(_) => format_dict(scalar_keys, item, identifier, out),
        Value::Array(items) => format_list(items, identifier, out),
        scalar => {
            out.push_str(&py_str(scalar));
            out.push('\n');
        }
    }
}

fn format_list(items: &[Value], identifier: Option<&str>, out: &mut String) {
    if items.is_empty() {
        return;
    }
    if items.iter().any(Value::is_object) {
        let all_keys = all_scalar_keys(items);
        for element in items {
            format_item(element, identifier, Some(&all_keys), out);
        }
    } else if items.iter().any(Value::is_array) {
        let (scalars, non_scalars): (Vec<&Value>, Vec<&Value>) =
            items.iter().partition(|v| !is_container(v));
        if !scalars.is_empty() {
            format_scalar_list(&scalars, identifier, out);
        }
        for non_scalar in non_scalars {
            format_item(non_scalar, identifier, None, out);
        }
    } else {
        let scalars: Vec<&Value> = items.iter().collect();
        format_scalar_list(&scalars, identifier, out);
    }
}

fn format_scalar_list(elements: &[&Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(identifier) => {
            for item in elements {
                out.push_str(&identifier.to_uppercase());
                out.push('\t');
                out.push_str(&py_str(item));
                out.push('\n');
            }
        }
        None => {
            let cells: Vec<String> = elements.iter().map(|v| py_str(v)).collect();
            out.push_str(&cells.join("\t"));
            out.push('\n');
        }
    }
}

fn format_dict(
    scalar_keys: Option<&[String]>,
    item: &Value,
    identifier: Option<&str>,
    out: &mut String,
) {
    let Value::Object(map) = item else {
        return;
    };
    let mut scalars = Vec::new();
    let mut non_scalars: Vec<(&str, &Value)> = Vec::new();
    match scalar_keys {
        None => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (key, value) in entries {
                if is_container(value) {
                    non_scalars.push((key, value));
                } else {
                    scalars.push(py_str(value));
                }
            }
        }
        Some(keys) => {
            for key in keys {
                scalars.push(map.get(key).map(py_str).unwrap_or_default());
            }
            let mut remaining: Vec<&String> = map.keys().filter(|k| !keys.contains(k)).collect();
            remaining.sort();
            for key in remaining {
                non_scalars.push((key, &map[key.as_str()]));
            }
        }
    }
    if !scalars.is_empty() {
        if let Some(identifier) = identifier {
            scalars.insert(0, identifier.to_uppercase());
        }
        out.push_str(&scalars.join("\t"));
        out.push('\n');
    }
    for (key, value) in non_scalars {
        format_item(value, Some(key), None, out);
    }
}

fn all_scalar_keys(items: &[Value]) -> Vec<String> {
    let mut keys: Vec<String> = items
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|map| {
            map.iter()
                .filter(|(_, v)| !is_container(v))
                .map(|(k, _)| k.clone())
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}
