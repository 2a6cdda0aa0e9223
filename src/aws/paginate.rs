//! The AWS CLI's pagination, after botocore's `paginate.py` and the only place that knows
//! it: whether an invocation is paged automatically, the small path language of the
//! paginator definitions (`A.B`, `A[-1].B`, `X || Y`), next and starting tokens (base64 of
//! Python's `json.dumps`), and merging pages into one result with `--max-items`. Pure: the
//! engine fetches the pages that [`FullResult`] asks for.

use base64::Engine as _;
use serde_json::{Map, Value};

use super::AwsError;
use crate::command::Invocation;
use crate::models::{Paginator, ServiceModel};
use crate::output::Pages;

/// Whether the AWS CLI pages through `invocation` by itself, and with which paginator: the
/// operation has a paginator with a result key, `--no-paginate` is off, and the user passed
/// no pagination token or page limit by hand (the CLI turns pagination off then).
pub(crate) fn automatic_pagination<'m>(
    model: &'m ServiceModel,
    invocation: &Invocation,
) -> Option<&'m Paginator> {
    let operation = model.operations.get(invocation.operation.as_str())?;
    let paginator = model.paginator(operation)?;
    let manual = paginator
        .input_token
        .as_slice()
        .iter()
        .chain(paginator.limit_key.iter())
        .any(|name| invocation.params.contains_key(name));
    if invocation.globals.no_paginate || manual {
        return None;
    }
    paginator.result_key.as_ref()?.as_slice().first()?;
    Some(paginator)
}

/// The input members that fetch the page after `output` (`{"nextToken": "..."}`), when the
/// service said there is more.
pub(crate) fn next_page_input(paginator: &Paginator, output: &Value) -> Option<Value> {
    next_tokens(
        output,
        paginator.more_results.as_deref(),
        paginator.output_token.as_slice(),
        paginator.input_token.as_slice(),
    )
    .map(Value::Object)
}

/// One automatic pagination of an invocation (botocore's `PageIterator` with
/// `build_full_result`), without IO: fetch a page with the parameters of
/// [`FullResult::next_request`] and hand it to [`FullResult::add_page`] until there is no
/// next request; [`FullResult::finish`] is the merged output, with a `NextToken` when
/// `--max-items` stopped early.
pub(crate) struct FullResult<'p> {
    paginator: &'p Paginator,
    /// The operation, named in errors.
    operation: String,
    input_tokens: Vec<String>,
    output_tokens: Vec<String>,
    /// The paginator's result keys; the first is the one `--max-items` counts.
    result_keys: Vec<String>,
    primary_key: String,
    /// The parameters of the next page.
    params: Map<String, Value>,
    /// Items of the first page that a `--starting-token` says were already seen, when one
    /// was given.
    starting_skip: Option<usize>,
    max_items: Option<usize>,
    complete: Map<String, Value>,
    non_aggregate: Map<String, Value>,
    /// The token to print as `NextToken` when `--max-items` stopped the run.
    resume: Option<Map<String, Value>>,
    total: usize,
    first: bool,
    /// The tokens that fetched the current page (none for the first).
    previous: Option<Map<String, Value>>,
    done: bool,
    /// Each page instead of the merged output, for the text formatter, which prints page by
    /// page ([`FullResult::keeping_pages`]); `None` merges.
    pages: Option<Vec<Value>>,
}

impl<'p> FullResult<'p> {
    /// Starts at `--starting-token`, with `--page-size` and `--max-items` applied.
    pub(crate) fn start(
        paginator: &'p Paginator,
        invocation: &Invocation,
    ) -> Result<Self, AwsError> {
        let operation = invocation.operation.as_str();
        let globals = &invocation.globals;
        let input_tokens = paginator.input_token.as_slice().to_vec();
        let result_keys: Vec<String> = match &paginator.result_key {
            Some(keys) => keys.as_slice().to_vec(),
            None => Vec::new(),
        };
        let primary_key = result_keys
            .first()
            .cloned()
            .ok_or_else(|| AwsError::parse(operation, "the paginator has no result key"))?;
        let mut params = invocation.params.clone();
        let mut starting_skip = None;
        if let Some(starting) = &globals.starting_token {
            let (token, amount) = decode_token(starting, &input_tokens)
                .map_err(|m| AwsError::serialize(operation, m))?;
            starting_skip = Some(amount);
            inject_tokens(&mut params, &token);
        }
        if let (Some(page_size), Some(limit_key)) = (globals.page_size, &paginator.limit_key) {
            params.insert(limit_key.clone(), Value::from(page_size));
        }
        Ok(Self {
            paginator,
            operation: operation.to_owned(),
            output_tokens: paginator.output_token.as_slice().to_vec(),
            input_tokens,
            result_keys,
            primary_key,
            params,
            starting_skip,
            max_items: globals.max_items.map(|m| m as usize),
            complete: Map::new(),
            non_aggregate: Map::new(),
            resume: None,
            total: 0,
            first: true,
            previous: None,
            done: false,
            pages: None,
        })
    }

    /// Keeps each page as fetched (after the cuts of `--starting-token` and `--max-items`)
    /// instead of merging them: [`FullResult::finish_pages`] gives them back.
    pub(crate) fn keeping_pages(mut self) -> Self {
        self.pages = Some(Vec::new());
        self
    }

    /// The parameters of the next page to fetch; `None` when the run is over.
    pub(crate) fn next_request(&self) -> Option<&Map<String, Value>> {
        (!self.done).then_some(&self.params)
    }

    /// Merges the page fetched with [`FullResult::next_request`]'s parameters.
    pub(crate) fn add_page(&mut self, mut page: Value) -> Result<(), AwsError> {
        let mut starting_truncation = 0;
        if self.first {
            if let Some(skip) = self.starting_skip {
                starting_truncation = skip;
                truncate_front(&mut page, &self.primary_key, &self.result_keys, skip);
            }
            // botocore records every non-aggregate key, absent ones as None (null).
            for key in &self.paginator.non_aggregate_keys {
                let value = search(&page, key).cloned().unwrap_or(Value::Null);
                set_path(&mut self.non_aggregate, key, value);
            }
            self.first = false;
        }
        let count = search(&page, &self.primary_key)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let next_token = next_tokens(
            &page,
            self.paginator.more_results.as_deref(),
            &self.output_tokens,
            &self.input_tokens,
        );
        let overflow = self
            .max_items
            .map_or(0, |max| (self.total + count).saturating_sub(max));
        if overflow > 0 {
            self.stop_inside(page, count - overflow, starting_truncation);
            return Ok(());
        }
        self.keep(page);
        self.total += count;
        let Some(token) = next_token else {
            self.done = true;
            return Ok(());
        };
        if self.max_items == Some(self.total) {
            self.resume = Some(token);
            self.done = true;
            return Ok(());
        }
        if self.previous.as_ref() == Some(&token) {
            return Err(AwsError::parse(
                &self.operation,
                format!(
                    "The same next token was received twice: {}",
                    Value::Object(token)
                ),
            ));
        }
        inject_tokens(&mut self.params, &token);
        self.previous = Some(token);
        Ok(())
    }

    /// `--max-items` ends inside `page`: keep its first `keep` items and resume from the
    /// tokens that fetched it, skipping what was shown (botocore's `boto_truncate_amount`).
    fn stop_inside(&mut self, mut page: Value, keep: usize, starting_truncation: usize) {
        if let Some(Value::Array(items)) = search(&page, &self.primary_key).cloned() {
            if let Value::Object(map) = &mut page {
                set_path(map, &self.primary_key, Value::Array(items[..keep].to_vec()));
            }
        }
        let mut token = previous_or_start(&self.previous, &self.params, &self.input_tokens);
        token.insert(
            "boto_truncate_amount".into(),
            Value::from(keep + starting_truncation),
        );
        self.resume = Some(token);
        self.keep(page);
        self.done = true;
    }

    /// Merges `page`, or keeps it whole when [`FullResult::keeping_pages`].
    fn keep(&mut self, page: Value) {
        match &mut self.pages {
            Some(pages) => pages.push(page),
            None => merge_page(&mut self.complete, &page, &self.result_keys),
        }
    }

    /// The pages kept by [`FullResult::keeping_pages`], as the text formatter takes them.
    pub(crate) fn finish_pages(self) -> Pages {
        Pages {
            result_keys: self.result_keys,
            non_aggregate: self.non_aggregate,
            pages: self.pages.unwrap_or_default(),
            resume_token: self.resume.as_ref().map(encode_token),
        }
    }

    /// The merged output: result keys, then the non-aggregate keys, then `NextToken`.
    pub(crate) fn finish(self) -> Value {
        let mut complete = self.complete;
        merge_objects(&mut complete, self.non_aggregate);
        if let Some(token) = self.resume {
            complete.insert("NextToken".into(), Value::String(encode_token(&token)));
        }
        Value::Object(complete)
    }
}
use crate::output::{json_dumps, JsonStyle};

/// JMESPath truthiness: null, false, and empty strings, lists and objects are false.
fn truthy(value: &Value) -> bool {
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
fn search<'v>(value: &'v Value, expression: &str) -> Option<&'v Value> {
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
fn set_path(target: &mut Map<String, Value>, path: &str, value: Value) {
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
fn encode_token(token: &Map<String, Value>) -> String {
    base64::engine::general_purpose::STANDARD.encode(json_dumps(
        &Value::Object(token.clone()),
        JsonStyle::PYTHON_DEFAULT,
    ))
}

/// Decodes a `--starting-token` into the input tokens and the number of items to skip.
/// Tokens in the older `a___b___3` form are accepted as botocore accepts them.
fn decode_token(
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

/// botocore's `_get_next_token`: `None` when the page is the last.
fn next_tokens(
    page: &Value,
    more_results: Option<&str>,
    output_tokens: &[String],
    input_tokens: &[String],
) -> Option<Map<String, Value>> {
    if let Some(more) = more_results {
        if !search(page, more).is_some_and(truthy) {
            return None;
        }
    }
    let mut tokens = Map::new();
    let mut any = false;
    for (output, input) in output_tokens.iter().zip(input_tokens) {
        match search(page, output) {
            Some(value) if !matches!(value, Value::String(s) if s.is_empty()) => {
                tokens.insert(input.clone(), value.clone());
                any = true;
            }
            _ => {
                tokens.insert(input.clone(), Value::Null);
            }
        }
    }
    any.then_some(tokens)
}

fn inject_tokens(params: &mut Map<String, Value>, tokens: &Map<String, Value>) {
    for (name, value) in tokens {
        if value.is_null() || value == &Value::String("None".into()) {
            params.shift_remove(name);
        } else {
            params.insert(name.clone(), value.clone());
        }
    }
}

/// The tokens that fetched the current page: botocore's resume point when `--max-items`
/// cuts a page in the middle.
fn previous_or_start(
    previous: &Option<Map<String, Value>>,
    params: &Map<String, Value>,
    input_tokens: &[String],
) -> Map<String, Value> {
    if let Some(previous) = previous {
        return previous.clone();
    }
    input_tokens
        .iter()
        .map(|name| {
            (
                name.clone(),
                params.get(name).cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

/// botocore's `_handle_first_request`: drop the items a starting token says were seen.
fn truncate_front(page: &mut Value, primary_key: &str, result_keys: &[String], skip: usize) {
    let Value::Object(map) = page else { return };
    let current = search(&Value::Object(map.clone()), primary_key).cloned();
    let trimmed = match current {
        Some(Value::Array(items)) => Value::Array(items.into_iter().skip(skip).collect()),
        Some(Value::String(text)) => Value::String(text.chars().skip(skip).collect()),
        _ => Value::Null,
    };
    set_path(map, primary_key, trimmed);
    for key in result_keys.iter().skip(1) {
        let sample = search(&Value::Object(map.clone()), key).cloned();
        let empty = match sample {
            Some(Value::Array(_)) => Value::Array(Vec::new()),
            Some(Value::String(_)) => Value::String(String::new()),
            Some(number @ Value::Number(_)) => number,
            _ => Value::Null,
        };
        set_path(map, key, empty);
    }
}

/// botocore's `build_full_result` for one page: lists extend, numbers and strings add up.
/// The accumulated result is changed in place, so a long run costs the size of its pages,
/// not the size of the result once per page.
fn merge_page(complete: &mut Map<String, Value>, page: &Value, result_keys: &[String]) {
    for key in result_keys {
        let Some(value) = search(page, key) else {
            continue;
        };
        match result_mut(complete, key) {
            Some(existing) if !existing.is_null() => merge_value(existing, value),
            _ => set_path(complete, key, value.clone()),
        }
    }
}

/// The accumulated value at a result key (`A` or `A.B`, as `set_path` writes them).
fn result_mut<'v>(complete: &'v mut Map<String, Value>, path: &str) -> Option<&'v mut Value> {
    let mut parts = path.split('.');
    let mut current = complete.get_mut(parts.next()?)?;
    for part in parts {
        current = current.get_mut(part)?;
    }
    Some(current)
}

fn merge_value(existing: &mut Value, value: &Value) {
    match (existing, value) {
        (Value::Array(items), Value::Array(more)) => items.extend(more.iter().cloned()),
        (Value::String(text), Value::String(more)) => text.push_str(more),
        (Value::Number(sum), Value::Number(more)) => {
            *sum = match (sum.as_i64(), more.as_i64()) {
                (Some(a), Some(b)) => (a + b).into(),
                _ => {
                    let total = sum.as_f64().unwrap_or(0.0) + more.as_f64().unwrap_or(0.0);
                    serde_json::Number::from_f64(total).unwrap_or_else(|| 0.into())
                }
            }
        }
        _ => {}
    }
}

/// botocore's `merge_dicts`: nested objects merge, other values replace.
fn merge_objects(target: &mut Map<String, Value>, source: Map<String, Value>) {
    for (key, value) in source {
        match (target.get_mut(&key), value) {
            (Some(Value::Object(existing)), Value::Object(more)) => merge_objects(existing, more),
            (_, value) => {
                target.insert(key, value);
            }
        }
    }
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

    #[test]
    fn next_tokens_stop_when_more_results_is_false() {
        let tokens = ["Marker".to_owned()];
        let outputs = ["NextMarker || Contents[-1].Key".to_owned()];
        let more =
            serde_json::json!({"IsTruncated": true, "Contents": [{"Key": "a"}, {"Key": "b"}]});
        let next = next_tokens(&more, Some("IsTruncated"), &outputs, &tokens).unwrap();
        assert_eq!(next["Marker"], "b");
        let last = serde_json::json!({"IsTruncated": false, "Contents": [{"Key": "c"}]});
        assert_eq!(
            next_tokens(&last, Some("IsTruncated"), &outputs, &tokens),
            None
        );
        let no_token = serde_json::json!({"nextToken": ""});
        assert_eq!(
            next_tokens(
                &no_token,
                None,
                &["nextToken".into()],
                &["nextToken".into()]
            ),
            None
        );
    }

    #[test]
    fn pages_merge_into_the_result_in_place() {
        let keys = [
            "Items".to_owned(),
            "List.Names".to_owned(),
            "Count".to_owned(),
        ];
        let mut complete = Map::new();
        merge_page(
            &mut complete,
            &json!({"Items": [1], "List": {"Names": "ab"}, "Count": 1}),
            &keys,
        );
        merge_page(
            &mut complete,
            &json!({"Items": [2, 3], "List": {"Names": "c"}, "Count": 2, "Other": 9}),
            &keys,
        );
        merge_page(&mut complete, &json!({"Count": 0.5}), &keys);
        assert_eq!(
            Value::Object(complete),
            json!({"Items": [1, 2, 3], "List": {"Names": "abc"}, "Count": 3.5})
        );
    }

    #[test]
    fn max_items_cuts_a_page_and_resumes_inside_it() {
        let model = crate::models::Models::global()
            .service("cloudwatch")
            .unwrap();
        let invocation = Invocation {
            service: "cloudwatch".into(),
            operation: "DescribeAlarms".into(),
            cli_operation: "describe-alarms".into(),
            params: Map::new(),
            globals: crate::command::GlobalOptions {
                max_items: Some(3),
                ..Default::default()
            },
        };
        let paginator = automatic_pagination(&model, &invocation).unwrap();
        let mut pages = FullResult::start(paginator, &invocation).unwrap();
        assert_eq!(pages.next_request(), Some(&Map::new()));
        let first = json!({"MetricAlarms": [{"N": 1}, {"N": 2}], "NextToken": "t1"});
        pages.add_page(first).unwrap();
        assert_eq!(pages.next_request().unwrap()["NextToken"], json!("t1"));
        let second = json!({"MetricAlarms": [{"N": 3}, {"N": 4}], "NextToken": "t2"});
        pages.add_page(second).unwrap();
        assert_eq!(pages.next_request(), None);
        let output = pages.finish();
        assert_eq!(
            output["MetricAlarms"],
            json!([{"N": 1}, {"N": 2}, {"N": 3}])
        );
        let next = output["NextToken"].as_str().unwrap();
        let (token, skip) = decode_token(next, &["NextToken".into()]).unwrap();
        assert_eq!((token["NextToken"].clone(), skip), (json!("t1"), 1));
    }
}
