//! The scalar conversions every protocol shares: a member's value as text, number, boolean,
//! timestamp or base64, read leniently from what the command parser produced and written as
//! botocore writes it.

use base64::Engine as _;
use serde_json::{Map, Value};

use super::Result;
use crate::aws::shape::Resolved;
use crate::aws::timestamp::Timestamp;
use crate::models::ShapeType;

pub(super) fn expect_object<'v>(value: &'v Value, what: &str) -> Result<&'v Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| format!("{what} must be a structure (a JSON object)"))
}

pub(super) fn expect_array<'v>(value: &'v Value, what: &str) -> Result<&'v Vec<Value>> {
    value
        .as_array()
        .ok_or_else(|| format!("{what} must be a list"))
}

pub(super) fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn timestamp_of(value: &Value) -> Result<Timestamp> {
    match value {
        Value::String(text) => Timestamp::parse(text)
            .ok_or_else(|| format!("invalid timestamp '{text}': use ISO 8601 or epoch seconds")),
        Value::Number(number) => number
            .as_f64()
            .and_then(Timestamp::from_epoch)
            .ok_or_else(|| format!("invalid timestamp {number}")),
        other => Err(format!("invalid timestamp {other}")),
    }
}

/// A timestamp in one of botocore's wire formats, as a JSON value (epoch seconds are numbers).
pub(super) fn timestamp_wire(value: &Value, format: &str) -> Result<Value> {
    let timestamp = timestamp_of(value)?;
    Ok(match format.to_ascii_lowercase().as_str() {
        "unixtimestamp" => Value::Number(timestamp.to_epoch_seconds().into()),
        "rfc822" => Value::String(timestamp.to_rfc822()),
        _ => Value::String(timestamp.to_wire_iso8601()),
    })
}

pub(super) fn float_of(value: &Value) -> Result<f64> {
    match value {
        Value::Number(number) => number
            .as_f64()
            .ok_or_else(|| format!("invalid number {number}")),
        Value::String(text) => match text.as_str() {
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            "NaN" => Ok(f64::NAN),
            _ => text.parse().map_err(|_| format!("invalid number '{text}'")),
        },
        other => Err(format!("invalid number {other}")),
    }
}

pub(super) fn integer_of(value: &Value) -> Result<Value> {
    match value {
        Value::Number(number) if number.is_i64() || number.is_u64() => {
            Ok(Value::Number(number.clone()))
        }
        Value::String(text) => text
            .parse::<i64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| format!("invalid integer '{text}'")),
        other => Err(format!("invalid integer {other}")),
    }
}

pub(super) fn boolean_of(value: &Value) -> Result<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(format!("invalid boolean {other}")),
    }
}

pub(super) fn base64_of(value: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(text_of(value).as_bytes())
}

/// Python's `str()` of a float as botocore writes it into query strings and headers.
pub(super) fn float_text(value: f64) -> String {
    crate::output::float_repr(value)
}

/// The text of a scalar in a query string, URI label or form body.
pub(super) fn scalar_text(
    shape: Resolved<'_>,
    value: &Value,
    default_timestamp: &str,
) -> Result<String> {
    Ok(match shape.kind() {
        ShapeType::Boolean => boolean_of(value)?.to_string(),
        ShapeType::Float | ShapeType::Double => float_text(float_of(value)?),
        ShapeType::Integer | ShapeType::Long => text_of(&integer_of(value)?),
        ShapeType::Timestamp => text_of(&timestamp_wire(
            value,
            shape.timestamp_format.unwrap_or(default_timestamp),
        )?),
        ShapeType::Blob => base64_of(value),
        _ => text_of(value),
    })
}
