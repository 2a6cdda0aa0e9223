//! Fills the card templates of `/adaptive-cards/` with values: the one way a card's JSON is
//! made. Pure; the templates are compiled in, parsed once and cached.

use std::sync::OnceLock;

use serde_json::Value;

use super::Card;

/// Parses a template (once) and fills its `${name}` placeholders with values: a string that is
/// exactly a placeholder becomes the value (an array value is spliced into an enclosing array);
/// a placeholder inside a longer string is replaced by the value's text.
pub(super) fn render(name: &'static str, template: &'static str, values: &[(&str, Value)]) -> Card {
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
    let mut content = template_value;
    fill_in_place(&mut content, values);
    Card { name, content }
}

fn placeholder(text: &str) -> Option<&str> {
    text.strip_prefix("${")?.strip_suffix('}')
}

/// The template `value` with its placeholders filled (see [`render`]).
#[cfg(test)]
fn fill(mut value: Value, values: &[(&str, Value)]) -> Value {
    fill_in_place(&mut value, values);
    value
}

/// Fills the placeholders where they are: objects and arrays without a spliced placeholder are
/// not rebuilt (rebuilding every object of a large card was most of a help card's cost).
fn fill_in_place(value: &mut Value, values: &[(&str, Value)]) {
    let lookup = |key: &str| values.iter().find(|(name, _)| *name == key).map(|(_, v)| v);
    match value {
        Value::String(text) => {
            if let Some(replacement) = placeholder(text).and_then(lookup) {
                *value = replacement.clone();
            } else if text.contains("${") {
                for (key, replacement) in values {
                    let needle = format!("${{{key}}}");
                    if text.contains(&needle) {
                        let shown = match replacement {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        *text = text.replace(&needle, &shown);
                    }
                }
            }
        }
        Value::Array(items) => {
            let spliced = |item: &Value| {
                item.as_str()
                    .and_then(placeholder)
                    .and_then(lookup)
                    .and_then(Value::as_array)
            };
            if items.iter().any(|item| spliced(item).is_some()) {
                let old = std::mem::take(items);
                for mut item in old {
                    match spliced(&item) {
                        Some(elements) => items.extend(elements.iter().cloned()),
                        None => {
                            fill_in_place(&mut item, values);
                            items.push(item);
                        }
                    }
                }
            } else {
                for item in items.iter_mut() {
                    fill_in_place(item, values);
                }
            }
        }
        Value::Object(map) => {
            for item in map.values_mut() {
                fill_in_place(item, values);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn placeholders_are_replaced_spliced_or_interpolated() {
        let template = json!({
            "title": "${title}",
            "body": ["${head}", {"text": "Hello ${name}, ${count} new"}, "${tail}"],
            "missing": "${unknown}",
            "number": 3
        });
        let filled = fill(
            template,
            &[
                ("title", json!({"nested": true})),
                ("head", json!([{"a": 1}, {"b": 2}])),
                ("name", json!("Ada")),
                ("count", json!(4)),
                ("tail", json!([])),
            ],
        );
        assert_eq!(
            filled,
            json!({
                "title": {"nested": true},
                "body": [{"a": 1}, {"b": 2}, {"text": "Hello Ada, 4 new"}],
                "missing": "${unknown}",
                "number": 3
            })
        );
    }

    #[test]
    fn a_non_array_value_in_an_array_slot_is_kept_as_one_item() {
        let filled = fill(json!(["${one}", "plain"]), &[("one", json!("x"))]);
        assert_eq!(filled, json!(["x", "plain"]));
    }

    #[test]
    fn a_template_is_parsed_once_and_filled_fresh_each_time() {
        const TEMPLATE: &str = r#"{"body": ["${items}"], "text": "${text}"}"#;
        let first = render(
            "template-test",
            TEMPLATE,
            &[("items", json!([1])), ("text", json!("a"))],
        );
        let second = render(
            "template-test",
            TEMPLATE,
            &[("items", json!([])), ("text", json!("b"))],
        );
        assert_eq!(first.name, "template-test");
        assert_eq!(first.content, json!({"body": [1], "text": "a"}));
        assert_eq!(second.content, json!({"body": [], "text": "b"}));
    }
}
