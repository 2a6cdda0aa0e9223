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
    Card {
        name,
        content: fill(template_value, values),
    }
}

fn placeholder(text: &str) -> Option<&str> {
    text.strip_prefix("${")?.strip_suffix('}')
}

fn fill(value: Value, values: &[(&str, Value)]) -> Value {
    let lookup = |key: &str| values.iter().find(|(name, _)| *name == key).map(|(_, v)| v);
    match value {
        Value::String(text) => match placeholder(&text).and_then(lookup) {
            Some(replacement) => replacement.clone(),
            None if text.contains("${") => {
                let mut text = text;
                for (key, replacement) in values {
                    let needle = format!("${{{key}}}");
                    if text.contains(&needle) {
                        let shown = match replacement {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        text = text.replace(&needle, &shown);
                    }
                }
                Value::String(text)
            }
            None => Value::String(text),
        },
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let spliced = item
                    .as_str()
                    .and_then(placeholder)
                    .and_then(lookup)
                    .and_then(Value::as_array);
                match spliced {
                    Some(elements) => out.extend(elements.iter().cloned()),
                    None => out.push(fill(item, values)),
                }
            }
            Value::Array(out)
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, item)| (key, fill(item, values)))
                .collect(),
        ),
        other => other,
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
