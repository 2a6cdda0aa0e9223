//! The AWS CLI's pagination bookkeeping, after botocore's `paginate.py`: the small path
//! language of the paginator definitions (`A.B`, `A[-1].B`, `X || Y`), starting tokens
//! (base64 of Python's `json.dumps`) and merging pages into one result. Pure.

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::output::{json_dumps, JsonStyle};

/// JMESPath truthiness: null, false, and empty strings, lists and objects are false.
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn search_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let mut current = value;
    for segment in path.trim().split('.') {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<i64>().ok()),
            None => (segment, None),
        };
        current = current.get(name)?;
        if let Some(index) = index {
            let items = current.as_array()?;
            let position = if index < 0 {
                items.len().checked_sub(index.unsigned_abs() as usize)?
            } else {
                index as usize
            };
            current = items.get(position)?;
        }
    }
    Some(current)
}

/// Evaluates a paginator expression; `None` for a missing or null result.
pub(crate) fn search<'v>(value: &'v Value, expression: &str) -> Option<&'v Value> {
    let alternatives: Vec<&str> = expression.split("||").collect();
    let mut last = None;
    for alternative in alternatives {
        last = search_path(value, alternative);
        if last.is_some_and(truthy) {
            return last;
        }
    }
    last.filter(|v| !v.is_null())
}

/// Sets a dotted path (`A.B`) in `target`, creating objects on the way.
pub(crate) fn set_path(target: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts = path.split('.').peekable();
    let mut current = target;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            current.insert(part.to_owned(), value);
            return;
        }
        let entry = current
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        current = entry.as_object_mut().expect("just made an object");
    }
}

/// The CLI's `NextToken`: base64 of `json.dumps` of the next input tokens.
pub(crate) fn encode_token(token: &Map<String, Value>) -> String {
    base64::engine::general_purpose::STANDARD.encode(json_dumps(
        &Value::Object(token.clone()),
        JsonStyle::PYTHON_DEFAULT,
    ))
}

/// Decodes a `--starting-token` into the input tokens and the number of items to skip.
/// Tokens in the older `a___b___3` form are accepted as botocore accepts them.
pub(crate) fn decode_token(
    text: &str,
    input_tokens: &[String],
) -> Result<(Map<String, Value>, usize), String> {
    let bad = || format!("Bad starting token: {text}");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    if let Some(Value::Object(mut token)) = decoded {
        let skip = match token.shift_remove("boto_truncate_amount") {
            Some(amount) => amount.as_u64().ok_or_else(bad)? as usize,
            None => 0,
        };
        let mut keys: Vec<&String> = token.keys().collect();
        keys.sort();
        let mut expected: Vec<&String> = input_tokens.iter().collect();
        expected.sort();
        if keys != expected {
            return Err(bad());
        }
        return Ok((token, skip));
    }
    let mut parts: Vec<&str> = text.split("___").collect();
    let mut skip = 0;
    if parts.len() == input_tokens.len() + 1 {
        skip = parts.pop().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    }
    if parts.len() > input_tokens.len() {
        return Err(bad());
    }
    let mut token = Map::new();
    for (i, name) in input_tokens.iter().enumerate() {
        let value = match parts.get(i) {
            Some(&"None") | None => Value::Null,
            Some(part) => Value::String((*part).to_owned()),
        };
        token.insert(name.clone(), value);
    }
    Ok((token, skip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paginator_expressions() {
        let page = json!({"NextMarker": null, "Contents": [{"Key": "a"}, {"Key": "b"}],
                          "Stream": {"Shards": [{"Id": 1}], "More": true}, "Empty": ""});
        assert_eq!(
            search(&page, "NextMarker || Contents[-1].Key"),
            Some(&json!("b"))
        );
        assert_eq!(search(&page, "Stream.Shards[-1].Id"), Some(&json!(1)));
        assert_eq!(search(&page, "Stream.More"), Some(&json!(true)));
        assert_eq!(search(&page, "Missing"), None);
        assert_eq!(search(&page, "NextMarker"), None);
        let mut target = Map::new();
        set_path(&mut target, "List.Items", json!([1]));
        assert_eq!(Value::Object(target), json!({"List": {"Items": [1]}}));
    }

    #[test]
    fn tokens_round_trip_in_the_cli_format() {
        let mut token = Map::new();
        token.insert("nextToken".into(), json!("abc"));
        token.insert("boto_truncate_amount".into(), json!(1));
        let text = encode_token(&token);
        // base64 of '{"nextToken": "abc", "boto_truncate_amount": 1}', as the CLI prints it.
        assert_eq!(
            text,
            "eyJuZXh0VG9rZW4iOiAiYWJjIiwgImJvdG9fdHJ1bmNhdGVfYW1vdW50IjogMX0="
        );
        let (decoded, skip) = decode_token(&text, &["nextToken".into()]).unwrap();
        assert_eq!(skip, 1);
        assert_eq!(decoded["nextToken"], json!("abc"));
        assert!(decode_token(&text, &["Marker".into()]).is_err());
        let (old, skip) = decode_token("abc___2", &["nextToken".into()]).unwrap();
        assert_eq!((old["nextToken"].clone(), skip), (json!("abc"), 2));
    }
}
