//! How Python's `jmespath` treats JSON values: truthiness, equality (`1 == 1.0`, but never
//! `1 == true`), ordering, type names, and Python's int/float arithmetic.

use jmespath::ast::Comparator;
use serde_json::{Number, Value};

use super::{EvalResult, OutputError};

/// JMESPath truthiness: false, null, "", [] and {} are false; every number is true.
pub(super) fn is_true(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(_) => true,
    }
}

pub(super) fn is_number(value: &Value) -> bool {
    matches!(value, Value::Number(_))
}

pub(super) fn as_f64(value: &Value) -> f64 {
    value.as_f64().unwrap_or(f64::NAN)
}

/// Python `==` between parsed JSON values: numbers compare by value (`1 == 1.0`), and, as in
/// Python, a boolean equals the integer 0 or 1 when nested inside a container.
pub(super) fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Bool(x), Value::Number(n)) | (Value::Number(n), Value::Bool(x)) => {
            n.as_f64() == Some(if *x { 1.0 } else { 0.0 })
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| py_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|other| py_eq(v, other)))
        }
        _ => a == b,
    }
}

fn numbers_equal(x: &Number, y: &Number) -> bool {
    match (x.as_i64(), y.as_i64()) {
        (Some(a), Some(b)) => a == b,
        _ => x.as_f64() == y.as_f64(),
    }
}

/// JMESPath's `==`: Python equality, except that 0 and 1 never equal a boolean.
fn jmespath_equals(a: &Value, b: &Value) -> bool {
    let special = |n: &Value, other: &Value| {
        is_number(n) && (as_f64(n) == 0.0 || as_f64(n) == 1.0) && other.is_boolean()
    };
    if special(a, b) || special(b, a) {
        return false;
    }
    py_eq(a, b)
}

pub(super) fn compare(comparator: &Comparator, left: &Value, right: &Value) -> EvalResult {
    let ordering = |left: &Value,
                    right: &Value|
     -> Result<Option<std::cmp::Ordering>, OutputError> {
        match (left, right) {
            (Value::Number(_), Value::Number(_)) => Ok(as_f64(left).partial_cmp(&as_f64(right))),
            (Value::String(a), Value::String(b)) => Ok(Some(a.cmp(b))),
            (Value::Number(_) | Value::String(_), Value::Number(_) | Value::String(_)) => {
                Err(OutputError::QueryFailed(
                    "'<' not supported between instances of 'str' and 'int'".to_owned(),
                ))
            }
            _ => Ok(None),
        }
    };
    use std::cmp::Ordering::*;
    Ok(match comparator {
        Comparator::Equal => Value::Bool(jmespath_equals(left, right)),
        Comparator::NotEqual => Value::Bool(!jmespath_equals(left, right)),
        other => match ordering(left, right)? {
            None => Value::Null,
            Some(order) => Value::Bool(match other {
                Comparator::LessThan => order == Less,
                Comparator::LessThanEqual => order != Greater,
                Comparator::GreaterThan => order == Greater,
                _ => order != Less,
            }),
        },
    })
}

pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub(super) fn int_or_float(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

pub(super) fn float_value(f: f64) -> Value {
    Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// Python's `sum` over numbers: an int while every term is an int.
pub(super) fn py_sum(items: &[Value]) -> Value {
    let mut int_total: i64 = 0;
    let mut all_ints = true;
    let mut float_total = 0.0;
    for item in items {
        if let (true, Some(i)) = (all_ints, item.as_i64()) {
            match int_total.checked_add(i) {
                Some(total) => int_total = total,
                None => {
                    all_ints = false;
                    float_total = int_total as f64 + i as f64;
                }
            }
        } else {
            if all_ints {
                all_ints = false;
                float_total = int_total as f64;
            }
            float_total += as_f64(item);
        }
    }
    if all_ints {
        Value::from(int_total)
    } else {
        float_value(float_total)
    }
}

pub(super) fn order_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => as_f64(a)
            .partial_cmp(&as_f64(b))
            .unwrap_or(std::cmp::Ordering::Equal),
    }
}

/// Python's `int(s)` then `float(s)`, as JMESPath's `to_number` tries them.
pub(super) fn parse_python_number(s: &str) -> Value {
    let trimmed = s.trim();
    let int_text = trimmed.replace('_', "");
    let well_formed_underscores =
        !trimmed.starts_with('_') && !trimmed.ends_with('_') && !trimmed.contains("__");
    if well_formed_underscores {
        if let Ok(i) = int_text.parse::<i64>() {
            return Value::from(i);
        }
        if let Ok(f) = int_text.parse::<f64>() {
            if f.is_finite() {
                return float_value(f);
            }
        }
    }
    Value::Null
}
