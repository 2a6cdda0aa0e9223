//! Turns the words given to one option into the member's typed JSON value, by the member's
//! model shape, with the AWS CLI's rules (scalars, space-separated lists, JSON, shorthand),
//! and checks the value against the model (types, structure keys, enums, ranges). Also
//! describes shapes for error messages. Never reads files: `file://` values are refused.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Number, Value};

use crate::models::{ServiceModel, Shape, ShapeRef, ShapeType};

use super::shorthand::{self, ShorthandError};
use super::CommandError;

/// How deep a JSON option value may nest arrays and objects. serde_json refuses past 128
/// levels on its own; the value is then walked by recursive code (the model check below, the
/// request serialisers, the audit record), so the bot keeps a tighter bound that no AWS input
/// needs (the deepest input shapes nest about ten levels) and that keeps each of those walks a
/// few dozen frames deep on a 2 MiB worker stack.
pub(crate) const MAX_JSON_VALUE_DEPTH: usize = 32;

/// Everything needed to check one option's value.
pub(crate) struct ValueParser<'a> {
    pub model: &'a ServiceModel,
    /// The option name without dashes, for messages.
    pub option: &'a str,
}

/// How strictly scalar values are read. Words from the command line and shorthand leaves are
/// text that the model types (`"5"` becomes 5); JSON values must already have the right type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Text,
    Json,
}

impl ValueParser<'_> {
    /// The value of a top-level member from the words that followed its option. A list takes
    /// all of them, anything else exactly one (the caller guarantees at least one).
    pub fn parse_member(&self, member: &ShapeRef, words: &[String]) -> Result<Value, CommandError> {
        for word in words {
            if let Some(prefix) = shorthand::file_prefix(word) {
                return Err(CommandError::FileReference {
                    option: self.option.to_owned(),
                    prefix: prefix.to_owned(),
                });
            }
        }
        let shape = self.shape(&member.shape)?;
        let is_list = shape.shape_type == ShapeType::List && !shape.document;
        if !is_list && words.len() > 1 {
            return Err(CommandError::UnexpectedArgument {
                value: words[1].clone(),
                after: Some(self.option.to_owned()),
            });
        }
        let mut path = String::new();
        if shape.document || member.json_value {
            let value = self.json(&words[0], &member.shape)?;
            return self.check(&member.shape, value, Source::Json, &mut path);
        }
        match shape.shape_type {
            ShapeType::Structure | ShapeType::Map => {
                let text = &words[0];
                if text.trim_start().starts_with('{') {
                    let value = self.json(text, &member.shape)?;
                    return self.check(&member.shape, value, Source::Json, &mut path);
                }
                // The CLI's special case: a structure whose only member is a string `Value`
                // takes the bare string.
                if shape.shape_type == ShapeType::Structure
                    && shape.members.len() == 1
                    && shape.members.contains_key("Value")
                    && !text.contains('=')
                    && self.shape_type_of(&shape.members["Value"]) == Some(ShapeType::String)
                {
                    let mut object = Map::new();
                    object.insert("Value".to_owned(), Value::String(text.clone()));
                    return self.check(
                        &member.shape,
                        Value::Object(object),
                        Source::Text,
                        &mut path,
                    );
                }
                let parsed = self.shorthand(text, &member.shape)?;
                self.check(&member.shape, parsed, Source::Text, &mut path)
            }
            ShapeType::List => {
                let element = shape
                    .member
                    .as_ref()
                    .ok_or_else(|| self.broken_model(&member.shape))?;
                if words.len() == 1 && words[0].trim_start().starts_with('[') {
                    let value = self.json(&words[0], &member.shape)?;
                    return self.check(&member.shape, value, Source::Json, &mut path);
                }
                let element_shape = self.shape(&element.shape)?;
                let complex = matches!(
                    element_shape.shape_type,
                    ShapeType::Structure | ShapeType::List | ShapeType::Map
                ) && !element_shape.document;
                let json_elements = words[0].trim_start().starts_with(['{', '[']);
                let mut items = Vec::with_capacity(words.len());
                for (index, word) in words.iter().enumerate() {
                    let mut item_path = format!("[{index}]");
                    let item = if complex && json_elements {
                        let value = self.json(word, &element.shape)?;
                        self.check(&element.shape, value, Source::Json, &mut item_path)?
                    } else if complex {
                        let parsed = self.shorthand(word, &element.shape)?;
                        self.check(&element.shape, parsed, Source::Text, &mut item_path)?
                    } else {
                        self.check(
                            &element.shape,
                            Value::String(word.clone()),
                            Source::Text,
                            &mut item_path,
                        )?
                    };
                    items.push(item);
                }
                self.check_length(shape, items.len(), "items", &path)?;
                Ok(Value::Array(items))
            }
            _ => self.check(
                &member.shape,
                Value::String(words[0].clone()),
                Source::Text,
                &mut path,
            ),
        }
    }

    fn json(&self, text: &str, shape_name: &str) -> Result<Value, CommandError> {
        let value: Value =
            serde_json::from_str(text).map_err(|error| CommandError::InvalidValue {
                option: self.option.to_owned(),
                path: String::new(),
                problem: format!("invalid JSON ({error})"),
                expected: self.expected(shape_name),
            })?;
        if json_depth(&value) > MAX_JSON_VALUE_DEPTH {
            return Err(CommandError::InvalidValue {
                option: self.option.to_owned(),
                path: String::new(),
                problem: format!(
                    "the JSON nests arrays and objects more than {MAX_JSON_VALUE_DEPTH} levels \
                     deep, the limit; flatten the value"
                ),
                expected: self.expected(shape_name),
            });
        }
        Ok(value)
    }

    fn shorthand(&self, text: &str, shape_name: &str) -> Result<Value, CommandError> {
        match shorthand::parse(text) {
            Ok(map) => Ok(Value::Object(map)),
            Err(ShorthandError::FileReference { prefix }) => Err(CommandError::FileReference {
                option: self.option.to_owned(),
                prefix: prefix.to_owned(),
            }),
            Err(error) => Err(CommandError::InvalidValue {
                option: self.option.to_owned(),
                path: String::new(),
                problem: error.to_string(),
                expected: self.expected(shape_name),
            }),
        }
    }

    /// Types `value` by the shape (for text) and checks it against the model. `path` names
    /// where inside the option's value we are, for messages.
    fn check(
        &self,
        shape_name: &str,
        value: Value,
        source: Source,
        path: &mut String,
    ) -> Result<Value, CommandError> {
        let shape = self.shape(shape_name)?;
        if shape.document {
            if source == Source::Text {
                return Err(self.invalid(
                    path,
                    "shorthand cannot give a document value".to_owned(),
                    shape_name,
                ));
            }
            return Ok(value);
        }
        match shape.shape_type {
            ShapeType::Structure => self.check_structure(shape_name, shape, value, source, path),
            ShapeType::List => {
                let element = shape
                    .member
                    .as_ref()
                    .ok_or_else(|| self.broken_model(shape_name))?;
                let items = match value {
                    Value::Array(items) => items,
                    // Shorthand `Values=a` means the one-element list, as the CLI reads it.
                    other if source == Source::Text && !other.is_null() => vec![other],
                    other => {
                        return Err(self.invalid(
                            path,
                            format!("got {}", describe_json(&other)),
                            shape_name,
                        ))
                    }
                };
                self.check_length(shape, items.len(), "items", path)?;
                let mut checked = Vec::with_capacity(items.len());
                for (index, item) in items.into_iter().enumerate() {
                    let mut item_path = format!("{path}[{index}]");
                    checked.push(self.check(&element.shape, item, source, &mut item_path)?);
                }
                Ok(Value::Array(checked))
            }
            ShapeType::Map => {
                let Value::Object(entries) = value else {
                    return Err(self.invalid(
                        path,
                        format!("got {}", describe_json(&value)),
                        shape_name,
                    ));
                };
                let key_ref = shape.key.as_ref();
                let value_ref = shape
                    .value
                    .as_ref()
                    .ok_or_else(|| self.broken_model(shape_name))?;
                self.check_length(shape, entries.len(), "entries", path)?;
                let mut checked = Map::new();
                for (key, entry) in entries {
                    let mut entry_path = format!("{path}.{key}");
                    if let Some(key_ref) = key_ref {
                        self.check(
                            &key_ref.shape,
                            Value::String(key.clone()),
                            Source::Text,
                            &mut entry_path,
                        )?;
                    }
                    let entry = self.check(&value_ref.shape, entry, source, &mut entry_path)?;
                    checked.insert(key, entry);
                }
                Ok(Value::Object(checked))
            }
            ShapeType::String => {
                let Value::String(text) = value else {
                    return Err(self.invalid(
                        path,
                        format!("got {}", describe_json(&value)),
                        shape_name,
                    ));
                };
                if !shape.enum_values.is_empty() && !shape.enum_values.contains(&text) {
                    return Err(CommandError::InvalidEnum {
                        option: self.option.to_owned(),
                        path: path.clone(),
                        value: text,
                        allowed: shape.enum_values.clone(),
                    });
                }
                self.check_length(shape, text.chars().count(), "characters", path)?;
                Ok(Value::String(text))
            }
            ShapeType::Integer | ShapeType::Long => {
                let number = match (&value, source) {
                    (Value::String(text), Source::Text) => text.trim().parse::<i64>().ok(),
                    (Value::Number(number), Source::Json) => number.as_i64(),
                    _ => None,
                };
                let Some(number) = number else {
                    return Err(self.invalid(
                        path,
                        format!("{} is not an integer", show(&value)),
                        shape_name,
                    ));
                };
                self.check_range(shape, number as f64, path)?;
                Ok(Value::Number(number.into()))
            }
            ShapeType::Float | ShapeType::Double => {
                let number = match (&value, source) {
                    (Value::String(text), Source::Text) => text.trim().parse::<f64>().ok(),
                    (Value::Number(number), Source::Json) => number.as_f64(),
                    _ => None,
                };
                let Some(number) = number.and_then(Number::from_f64) else {
                    return Err(self.invalid(
                        path,
                        format!("{} is not a number", show(&value)),
                        shape_name,
                    ));
                };
                self.check_range(shape, number.as_f64().unwrap_or_default(), path)?;
                Ok(Value::Number(number))
            }
            ShapeType::Boolean => match (&value, source) {
                (Value::Bool(_), Source::Json) => Ok(value),
                (Value::String(text), Source::Text) if text.eq_ignore_ascii_case("true") => {
                    Ok(Value::Bool(true))
                }
                (Value::String(text), Source::Text) if text.eq_ignore_ascii_case("false") => {
                    Ok(Value::Bool(false))
                }
                _ => Err(self.invalid(
                    path,
                    format!("{} is not true or false", show(&value)),
                    shape_name,
                )),
            },
            ShapeType::Timestamp => {
                let text = match value {
                    Value::String(text) => text,
                    Value::Number(number) if source == Source::Json => number.to_string(),
                    other => {
                        return Err(self.invalid(
                            path,
                            format!("got {}", describe_json(&other)),
                            shape_name,
                        ))
                    }
                };
                if !is_timestamp(&text) {
                    return Err(self.invalid(
                        path,
                        format!("'{text}' is not a timestamp"),
                        shape_name,
                    ));
                }
                Ok(Value::String(text))
            }
            ShapeType::Blob => {
                let Value::String(text) = value else {
                    return Err(self.invalid(
                        path,
                        format!("got {}", describe_json(&value)),
                        shape_name,
                    ));
                };
                self.check_length(shape, text.len(), "bytes", path)?;
                Ok(Value::String(text))
            }
            ShapeType::BigDecimal | ShapeType::BigInteger => match value {
                Value::Number(_) => Ok(value),
                Value::String(ref text) if text.trim().parse::<f64>().is_ok() => Ok(value),
                other => Err(self.invalid(
                    path,
                    format!("{} is not a number", show(&other)),
                    shape_name,
                )),
            },
        }
    }

    fn check_structure(
        &self,
        shape_name: &str,
        shape: &Shape,
        value: Value,
        source: Source,
        path: &mut String,
    ) -> Result<Value, CommandError> {
        let Value::Object(object) = value else {
            return Err(self.invalid(path, format!("got {}", describe_json(&value)), shape_name));
        };
        let mut checked = Map::new();
        for (key, member_value) in object {
            let Some(member) = shape.members.get(&key) else {
                let known: Vec<&str> = shape.members.keys().map(String::as_str).collect();
                let suggestions = crate::models::suggest(&key, known.iter().copied(), 1);
                let hint = suggestions
                    .first()
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                return Err(self.invalid(
                    path,
                    format!(
                        "unknown key '{key}'{hint}; the keys are {}",
                        known.join(", ")
                    ),
                    shape_name,
                ));
            };
            let mut member_path = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let member_value = if member.json_value {
                member_value
            } else {
                self.check(&member.shape, member_value, source, &mut member_path)?
            };
            checked.insert(key, member_value);
        }
        if let Some(missing) = shape
            .required
            .iter()
            .find(|name| !checked.contains_key(name.as_str()))
        {
            return Err(self.invalid(
                path,
                format!("the required key '{missing}' is missing"),
                shape_name,
            ));
        }
        if shape.union && checked.len() != 1 {
            return Err(self.invalid(
                path,
                format!(
                    "exactly one key must be set, got {}; the keys are {}",
                    checked.len(),
                    shape.members.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
                shape_name,
            ));
        }
        Ok(Value::Object(checked))
    }

    fn check_length(
        &self,
        shape: &Shape,
        length: usize,
        unit: &str,
        path: &str,
    ) -> Result<(), CommandError> {
        // "1 item", "2 items".
        let unit = if length == 1 {
            unit.trim_end_matches('s')
        } else {
            unit
        };
        let length = length as f64;
        // Like botocore's validator, only the minimum is checked: the AWS CLI sends longer
        // values and leaves the maximum to the service (and botocore's handlers shorten some
        // first, such as Route 53's `/hostedzone/ID`).
        let problem = match shape.min {
            Some(min) if length < min => format!("{length} {unit}, at least {min} needed"),
            _ => return Ok(()),
        };
        Err(CommandError::OutOfRange {
            option: self.option.to_owned(),
            path: path.to_owned(),
            problem,
        })
    }

    fn check_range(&self, shape: &Shape, number: f64, path: &str) -> Result<(), CommandError> {
        // botocore checks only the minimum (see `check_length`).
        let problem = match shape.min {
            Some(min) if number < min => format!("{number} is below the minimum {min}"),
            _ => return Ok(()),
        };
        Err(CommandError::OutOfRange {
            option: self.option.to_owned(),
            path: path.to_owned(),
            problem,
        })
    }

    fn invalid(&self, path: &str, problem: String, shape_name: &str) -> CommandError {
        CommandError::InvalidValue {
            option: self.option.to_owned(),
            path: path.to_owned(),
            problem,
            expected: self.expected(shape_name),
        }
    }

    fn broken_model(&self, shape_name: &str) -> CommandError {
        CommandError::InvalidValue {
            option: self.option.to_owned(),
            path: String::new(),
            problem: format!("the service model's shape {shape_name} is incomplete"),
            expected: "a value this bot cannot check".to_owned(),
        }
    }

    fn shape(&self, name: &str) -> Result<&Shape, CommandError> {
        self.model
            .shape(name)
            .ok_or_else(|| self.broken_model(name))
    }

    fn shape_type_of(&self, member: &ShapeRef) -> Option<ShapeType> {
        self.model.shape(&member.shape).map(|s| s.shape_type)
    }

    /// What a value of this shape looks like, with an example, for error messages.
    pub fn expected(&self, shape_name: &str) -> String {
        describe_shape(self.model, shape_name)
    }
}

/// How deep a JSON value nests (a scalar is 1), counted with an explicit stack.
pub(crate) fn json_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((value, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|item| (item, depth + 1))),
            _ => {}
        }
    }
    deepest
}

/// What a value of the shape looks like, with an example (shorthand where the CLI offers it).
pub(crate) fn describe_shape(model: &ServiceModel, shape_name: &str) -> String {
    let Some(shape) = model.shape(shape_name) else {
        return "a value".to_owned();
    };
    if shape.document {
        return "a JSON value".to_owned();
    }
    match shape.shape_type {
        ShapeType::Structure => match shorthand_example(model, shape_name, &mut Vec::new()) {
            Some(example) => format!("a structure, as shorthand like {example} or as JSON"),
            None => "a structure, as JSON".to_owned(),
        },
        ShapeType::Map => match shorthand_example(model, shape_name, &mut Vec::new()) {
            Some(example) => format!("a map, as shorthand like {example} or as JSON"),
            None => "a map, as JSON".to_owned(),
        },
        ShapeType::List => {
            let Some(element) = shape.member.as_ref().and_then(|m| model.shape(&m.shape)) else {
                return "a list".to_owned();
            };
            let element_name = &shape.member.as_ref().map(|m| m.shape.clone()).unwrap_or_default();
            match element.shape_type {
                ShapeType::Structure | ShapeType::Map | ShapeType::List => {
                    match shorthand_example(model, element_name, &mut Vec::new()) {
                        Some(example) => format!(
                            "a list, each item as shorthand separated by spaces like {example} {example}, or a JSON list"
                        ),
                        None => "a JSON list".to_owned(),
                    }
                }
                _ => format!(
                    "a list of {}, separated by spaces",
                    plural(&describe_shape(model, element_name))
                ),
            }
        }
        ShapeType::String if !shape.enum_values.is_empty() => {
            format!("one of {}", shape.enum_values.join(", "))
        }
        ShapeType::String => "a string".to_owned(),
        ShapeType::Integer | ShapeType::Long => "an integer".to_owned(),
        ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal | ShapeType::BigInteger => {
            "a number".to_owned()
        }
        ShapeType::Boolean => "true or false".to_owned(),
        ShapeType::Timestamp => {
            "a timestamp, ISO 8601 like 2024-01-31T12:00:00Z or seconds since the epoch like 1706702400"
                .to_owned()
        }
        ShapeType::Blob => "a string (binary data)".to_owned(),
    }
}

fn plural(description: &str) -> String {
    match description {
        "a string" => "strings".to_owned(),
        "an integer" => "integers".to_owned(),
        "a number" => "numbers".to_owned(),
        other => format!("values ({other})"),
    }
}

/// A shorthand example for a structure or map (`Name=string,Value=string`), or `None` when
/// the shape is too deep or recursive for shorthand to be practical.
pub(crate) fn shorthand_example(
    model: &ServiceModel,
    shape_name: &str,
    stack: &mut Vec<String>,
) -> Option<String> {
    let shape = model.shape(shape_name)?;
    if stack.len() >= 3 || stack.iter().any(|s| s == shape_name) || shape.document {
        return None;
    }
    stack.push(shape_name.to_owned());
    let example = match shape.shape_type {
        ShapeType::Structure => {
            let mut parts = Vec::new();
            for (name, member) in &shape.members {
                parts.push(format!(
                    "{name}={}",
                    value_example(model, &member.shape, stack)?
                ));
            }
            Some(parts.join(","))
        }
        ShapeType::Map => {
            let value = value_example(model, &shape.value.as_ref()?.shape, stack)?;
            Some(format!("KeyName1={value},KeyName2={value}"))
        }
        _ => None,
    };
    stack.pop();
    example
}

fn value_example(
    model: &ServiceModel,
    shape_name: &str,
    stack: &mut Vec<String>,
) -> Option<String> {
    let shape = model.shape(shape_name)?;
    match shape.shape_type {
        ShapeType::Structure | ShapeType::Map => Some(format!(
            "{{{}}}",
            shorthand_example(model, shape_name, stack)?
        )),
        ShapeType::List => {
            let element = &shape.member.as_ref()?.shape;
            let element_shape = model.shape(element)?;
            match element_shape.shape_type {
                ShapeType::Structure | ShapeType::Map => {
                    let item = shorthand_example(model, element, stack)?;
                    Some(format!("[{{{item}}},{{{item}}}]"))
                }
                ShapeType::List => None,
                _ => {
                    let word = scalar_word(element_shape);
                    Some(format!("{word},{word}"))
                }
            }
        }
        _ => Some(scalar_word(shape).to_owned()),
    }
}

fn scalar_word(shape: &Shape) -> &'static str {
    match shape.shape_type {
        ShapeType::Integer | ShapeType::Long => "integer",
        ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal | ShapeType::BigInteger => {
            "double"
        }
        ShapeType::Boolean => "boolean",
        ShapeType::Timestamp => "timestamp",
        ShapeType::Blob => "blob",
        _ => "string",
    }
}

fn describe_json(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(_) => "a boolean".to_owned(),
        Value::Number(_) => "a number".to_owned(),
        Value::String(_) => "a string".to_owned(),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a structure".to_owned(),
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::String(text) => format!("'{text}'"),
        other => other.to_string(),
    }
}

/// Whether `text` is a timestamp the bot accepts: seconds since the epoch (`1706702400`,
/// `1706702400.5`) or ISO 8601 (`2024-01-31`, `2024-01-31T12:00:00Z`, with optional seconds,
/// fraction and offset; a space may replace the `T`; the basic form `20240131T120000Z` too).
pub(crate) fn is_timestamp(text: &str) -> bool {
    static EPOCH: OnceLock<Regex> = OnceLock::new();
    static ISO: OnceLock<Regex> = OnceLock::new();
    static BASIC: OnceLock<Regex> = OnceLock::new();
    let epoch = EPOCH.get_or_init(|| Regex::new(r"^-?\d+(\.\d+)?$").expect("valid regex"));
    if epoch.is_match(text) {
        return true;
    }
    let iso = ISO.get_or_init(|| {
        Regex::new(
            r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$",
        )
        .expect("valid regex")
    });
    let basic = BASIC.get_or_init(|| {
        Regex::new(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?$")
            .expect("valid regex")
    });
    let Some(captures) = iso.captures(text).or_else(|| basic.captures(text)) else {
        return false;
    };
    let field = |index: usize| {
        captures
            .get(index)
            .and_then(|m| m.as_str().parse::<u32>().ok())
    };
    let in_range =
        |index: usize, low: u32, high: u32| field(index).is_none_or(|v| (low..=high).contains(&v));
    in_range(2, 1, 12)
        && in_range(3, 1, 31)
        && in_range(4, 0, 23)
        && in_range(5, 0, 59)
        && in_range(6, 0, 60)
}
