//! Types a value by its model shape (text words become numbers, booleans, one-element lists)
//! and checks it against the model: structure keys, required keys, unions, enums, minimums,
//! timestamps.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Number, Value};

use crate::models::{Shape, ShapeType};

use super::{CommandError, Source, ValueParser};

/// The two kinds of numeric shape: integers (`integer`, `long`) and floating-point numbers
/// (`float`, `double`), which the CLI reads and range-checks the same way.
#[derive(Debug, Clone, Copy)]
enum NumberKind {
    Integer,
    Float,
}

impl NumberKind {
    fn parse(self, text: &str) -> Option<Number> {
        match self {
            NumberKind::Integer => text.parse::<i64>().ok().map(Number::from),
            NumberKind::Float => text.parse::<f64>().ok().and_then(Number::from_f64),
        }
    }

    fn read_json(self, number: &Number) -> Option<Number> {
        match self {
            NumberKind::Integer => number.as_i64().map(Number::from),
            NumberKind::Float => number.as_f64().and_then(Number::from_f64),
        }
    }

    /// What a value should have been, for the message.
    fn described(self) -> &'static str {
        match self {
            NumberKind::Integer => "an integer",
            NumberKind::Float => "a number",
        }
    }
}

impl ValueParser<'_> {
    /// Types `value` by the shape (for text) and checks it against the model. `path` names
    /// where inside the option's value we are, for messages.
    pub(super) fn check(
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
            ShapeType::List => self.check_list(shape_name, shape, value, source, path),
            ShapeType::Map => self.check_map(shape_name, shape, value, source, path),
            ShapeType::String => self.check_string(shape_name, shape, value, path),
            ShapeType::Integer | ShapeType::Long => {
                self.check_number(shape_name, shape, value, source, path, NumberKind::Integer)
            }
            ShapeType::Float | ShapeType::Double => {
                self.check_number(shape_name, shape, value, source, path, NumberKind::Float)
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
            ShapeType::Timestamp => self.check_timestamp(shape_name, value, source, path),
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

    fn check_list(
        &self,
        shape_name: &str,
        shape: &Shape,
        value: Value,
        source: Source,
        path: &mut String,
    ) -> Result<Value, CommandError> {
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

    fn check_map(
        &self,
        shape_name: &str,
        shape: &Shape,
        value: Value,
        source: Source,
        path: &mut String,
    ) -> Result<Value, CommandError> {
        let Value::Object(entries) = value else {
            return Err(self.invalid(path, format!("got {}", describe_json(&value)), shape_name));
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

    fn check_string(
        &self,
        shape_name: &str,
        shape: &Shape,
        value: Value,
        path: &str,
    ) -> Result<Value, CommandError> {
        let Value::String(text) = value else {
            return Err(self.invalid(path, format!("got {}", describe_json(&value)), shape_name));
        };
        if !shape.enum_values.is_empty() && !shape.enum_values.contains(&text) {
            return Err(CommandError::InvalidEnum {
                option: self.option.to_owned(),
                path: path.to_owned(),
                value: text,
                allowed: shape.enum_values.clone(),
            });
        }
        self.check_length(shape, text.chars().count(), "characters", path)?;
        Ok(Value::String(text))
    }

    /// An integer or floating-point member: a number in JSON, or text that parses as one.
    fn check_number(
        &self,
        shape_name: &str,
        shape: &Shape,
        value: Value,
        source: Source,
        path: &str,
        kind: NumberKind,
    ) -> Result<Value, CommandError> {
        let number = match (&value, source) {
            (Value::String(text), Source::Text) => kind.parse(text.trim()),
            (Value::Number(number), Source::Json) => kind.read_json(number),
            _ => None,
        };
        let Some(number) = number else {
            return Err(self.invalid(
                path,
                format!("{} is not {}", show(&value), kind.described()),
                shape_name,
            ));
        };
        self.check_range(shape, number.as_f64().unwrap_or_default(), path)?;
        Ok(Value::Number(number))
    }

    fn check_timestamp(
        &self,
        shape_name: &str,
        value: Value,
        source: Source,
        path: &str,
    ) -> Result<Value, CommandError> {
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
            return Err(self.invalid(path, format!("'{text}' is not a timestamp"), shape_name));
        }
        Ok(Value::String(text))
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

    pub(super) fn check_length(
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
