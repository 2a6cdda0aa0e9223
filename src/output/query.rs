//! `--query`: JMESPath evaluated the way the AWS CLI's Python `jmespath` (1.x) evaluates it.
//!
//! The `jmespath` crate parses the expression; this module walks the parsed AST over
//! `serde_json::Value` itself instead of using the crate's interpreter, because that
//! interpreter keeps objects in a `BTreeMap` (keys come back sorted) whereas the CLI keeps
//! insertion order: multi-select hashes in expression order, projected and `merge`d objects in
//! source order, `keys()`/`values()` in source order. Integers stay integers (`sum`, `abs`,
//! `ceil`, `floor`, `to_number` follow Python's int/float rules).
//!
//! Known differences from Python, all outside what a response produces:
//! - an object literal in backticks (`` `{"b":1,"a":2}` ``) has sorted keys, because the crate's
//!   parser stores literals in a `BTreeMap`;
//! - integers beyond 64 bits become floats.

use jmespath::ast::{Ast, Comparator};
use serde_json::{Map, Number, Value};

use super::python::json_dumps_compact;
use super::OutputError;

/// A compiled `--query` expression.
#[derive(Debug, Clone)]
pub struct Query {
    ast: Ast,
}

impl Query {
    /// Parses an expression; a syntax error reads like the CLI's `Bad value for --query`.
    pub fn parse(expression: &str) -> Result<Self, OutputError> {
        let ast = jmespath::parse(expression).map_err(|e| OutputError::InvalidQuery {
            expression: expression.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self { ast })
    }

    pub fn search(&self, value: &Value) -> Result<Value, OutputError> {
        eval(&self.ast, value)
    }
}

type EvalResult = Result<Value, OutputError>;

fn eval(ast: &Ast, value: &Value) -> EvalResult {
    match ast {
        Ast::Identity { .. } => Ok(value.clone()),
        Ast::Field { name, .. } => Ok(match value {
            Value::Object(map) => map.get(name).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        }),
        Ast::Index { idx, .. } => Ok(match value {
            Value::Array(items) => {
                let len = items.len() as i64;
                let i = if *idx < 0 {
                    len + *idx as i64
                } else {
                    *idx as i64
                };
                if (0..len).contains(&i) {
                    items[i as usize].clone()
                } else {
                    Value::Null
                }
            }
            _ => Value::Null,
        }),
        Ast::Slice {
            start, stop, step, ..
        } => Ok(match value {
            Value::Array(items) => Value::Array(slice(items, *start, *stop, *step)?),
            _ => Value::Null,
        }),
        Ast::Subexpr { lhs, rhs, .. } => {
            let left = eval(lhs, value)?;
            eval(rhs, &left)
        }
        Ast::Projection { lhs, rhs, .. } => {
            let base = eval(lhs, value)?;
            let Value::Array(items) = base else {
                return Ok(Value::Null);
            };
            let mut collected = Vec::with_capacity(items.len());
            for item in &items {
                let current = eval(rhs, item)?;
                if !current.is_null() {
                    collected.push(current);
                }
            }
            Ok(Value::Array(collected))
        }
        Ast::ObjectValues { node, .. } => Ok(match eval(node, value)? {
            Value::Object(map) => Value::Array(map.into_iter().map(|(_, v)| v).collect()),
            _ => Value::Null,
        }),
        Ast::Flatten { node, .. } => Ok(match eval(node, value)? {
            Value::Array(items) => {
                let mut merged = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::Array(inner) => merged.extend(inner),
                        other => merged.push(other),
                    }
                }
                Value::Array(merged)
            }
            _ => Value::Null,
        }),
        Ast::Condition {
            predicate, then, ..
        } => {
            if is_true(&eval(predicate, value)?) {
                eval(then, value)
            } else {
                Ok(Value::Null)
            }
        }
        Ast::Comparison {
            comparator,
            lhs,
            rhs,
            ..
        } => {
            let left = eval(lhs, value)?;
            let right = eval(rhs, value)?;
            compare(comparator, &left, &right)
        }
        Ast::And { lhs, rhs, .. } => {
            let left = eval(lhs, value)?;
            if !is_true(&left) {
                return Ok(left);
            }
            eval(rhs, value)
        }
        Ast::Or { lhs, rhs, .. } => {
            let left = eval(lhs, value)?;
            if is_true(&left) {
                return Ok(left);
            }
            eval(rhs, value)
        }
        Ast::Not { node, .. } => {
            let result = eval(node, value)?;
            // Python: `!0` is false (0 is truthy in JMESPath), otherwise `not value`.
            Ok(Value::Bool(match &result {
                Value::Number(_) => false,
                other => !is_true(other),
            }))
        }
        Ast::Literal { value: literal, .. } => {
            serde_json::to_value(&**literal).map_err(|e| OutputError::QueryFailed(e.to_string()))
        }
        Ast::MultiList { elements, .. } => {
            if value.is_null() {
                return Ok(Value::Null);
            }
            let collected = elements
                .iter()
                .map(|element| eval(element, value))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(collected))
        }
        Ast::MultiHash { elements, .. } => {
            if value.is_null() {
                return Ok(Value::Null);
            }
            let mut collected = Map::new();
            for pair in elements {
                collected.insert(pair.key.clone(), eval(&pair.value, value)?);
            }
            Ok(Value::Object(collected))
        }
        Ast::Expref { .. } => Err(OutputError::QueryFailed(
            "an expression reference (&) is only valid as a function argument".to_owned(),
        )),
        Ast::Function { name, args, .. } => call_function(name, args, value),
    }
}

/// JMESPath truthiness: false, null, "", [] and {} are false; every number is true.
fn is_true(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(_) => true,
    }
}

/// Python's `list[start:stop:step]`.
fn slice(
    items: &[Value],
    start: Option<i32>,
    stop: Option<i32>,
    step: i32,
) -> Result<Vec<Value>, OutputError> {
    if step == 0 {
        return Err(OutputError::QueryFailed(
            "slice step cannot be zero".to_owned(),
        ));
    }
    let len = items.len() as i64;
    let step = step as i64;
    let (lower, upper) = if step > 0 { (0, len) } else { (-1, len - 1) };
    let clamp = |bound: Option<i32>, default: i64| match bound {
        None => default,
        Some(b) => {
            let mut b = b as i64;
            if b < 0 {
                b += len;
                if b < lower {
                    b = lower;
                }
            } else if b > upper {
                b = upper;
            }
            b
        }
    };
    let start = clamp(start, if step < 0 { upper } else { lower });
    let stop = clamp(stop, if step < 0 { lower } else { upper });
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(items[i as usize].clone());
        i += step;
    }
    Ok(out)
}

fn is_number(value: &Value) -> bool {
    matches!(value, Value::Number(_))
}

fn as_f64(value: &Value) -> f64 {
    value.as_f64().unwrap_or(f64::NAN)
}

/// Python `==` between parsed JSON values: numbers compare by value (`1 == 1.0`), and, as in
/// Python, a boolean equals the integer 0 or 1 when nested inside a container.
fn py_eq(a: &Value, b: &Value) -> bool {
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

fn compare(comparator: &Comparator, left: &Value, right: &Value) -> EvalResult {
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

/// A function argument: a value, or an expression reference (`&expr`).
enum Arg<'a> {
    Value(Value),
    Expref(&'a Ast),
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_error(function: &str, value: &Value, expected: &str) -> OutputError {
    OutputError::QueryFailed(format!(
        "In function {function}(), invalid type for value: {}, expected one of: {expected}, received: \"{}\"",
        super::python::py_repr(value),
        type_name(value)
    ))
}

fn int_or_float(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

fn float_value(f: f64) -> Value {
    Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// Python's `sum` over numbers: an int while every term is an int.
fn py_sum(items: &[Value]) -> Value {
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

fn call_function(name: &str, arg_asts: &[Ast], current: &Value) -> EvalResult {
    let mut args = Vec::with_capacity(arg_asts.len());
    for ast in arg_asts {
        args.push(match ast {
            Ast::Expref { ast, .. } => Arg::Expref(ast),
            other => Arg::Value(eval(other, current)?),
        });
    }
    let arity = |expected: usize| -> Result<(), OutputError> {
        if args.len() != expected {
            return Err(OutputError::QueryFailed(format!(
                "Expected {expected} arguments for function {name}(), received {}",
                args.len()
            )));
        }
        Ok(())
    };
    let value_arg = |i: usize| -> Result<&Value, OutputError> {
        match &args[i] {
            Arg::Value(v) => Ok(v),
            Arg::Expref(_) => Err(OutputError::QueryFailed(format!(
                "In function {name}(), invalid type for value: expref"
            ))),
        }
    };
    let expref_arg = |i: usize| -> Result<&Ast, OutputError> {
        match &args[i] {
            Arg::Expref(ast) => Ok(ast),
            Arg::Value(v) => Err(type_error(name, v, "['expref']")),
        }
    };
    let array_of =
        |v: &Value, allowed: &[&str], expected: &str| -> Result<Vec<Value>, OutputError> {
            let Value::Array(items) = v else {
                return Err(type_error(name, v, expected));
            };
            // Python checks the elements against the first element's type.
            if let Some(first) = items.first() {
                let kind = type_name(first);
                if !allowed.contains(&kind) {
                    return Err(type_error(name, first, expected));
                }
                if let Some(bad) = items.iter().find(|item| type_name(item) != kind) {
                    return Err(type_error(name, bad, expected));
                }
            }
            Ok(items.clone())
        };
    match name {
        "abs" => {
            arity(1)?;
            match value_arg(0)? {
                Value::Number(n) => Ok(match n.as_i64() {
                    Some(i) => Value::from(i.unsigned_abs()),
                    None => float_value(as_f64(&Value::Number(n.clone())).abs()),
                }),
                other => Err(type_error(name, other, "['number']")),
            }
        }
        "avg" => {
            arity(1)?;
            let items = array_of(value_arg(0)?, &["number"], "['array-number']")?;
            if items.is_empty() {
                return Ok(Value::Null);
            }
            Ok(float_value(as_f64(&py_sum(&items)) / items.len() as f64))
        }
        "ceil" | "floor" => {
            arity(1)?;
            match value_arg(0)? {
                Value::Number(n) if n.is_f64() => {
                    let f = n.as_f64().unwrap_or(f64::NAN);
                    Ok(int_or_float(if name == "ceil" {
                        f.ceil()
                    } else {
                        f.floor()
                    }))
                }
                Value::Number(n) => Ok(Value::Number(n.clone())),
                other => Err(type_error(name, other, "['number']")),
            }
        }
        "contains" => {
            arity(2)?;
            let search = value_arg(1)?;
            match value_arg(0)? {
                Value::Array(items) => Ok(Value::Bool(items.iter().any(|i| py_eq(i, search)))),
                Value::String(s) => match search {
                    Value::String(needle) => Ok(Value::Bool(s.contains(needle.as_str()))),
                    other => Err(OutputError::QueryFailed(format!(
                        "'in <string>' requires string as left operand, not {}",
                        type_name(other)
                    ))),
                },
                other => Err(type_error(name, other, "['array', 'string']")),
            }
        }
        "ends_with" | "starts_with" => {
            arity(2)?;
            let (Value::String(subject), Value::String(affix)) = (value_arg(0)?, value_arg(1)?)
            else {
                let bad = if value_arg(0)?.is_string() {
                    value_arg(1)?
                } else {
                    value_arg(0)?
                };
                return Err(type_error(name, bad, "['string']"));
            };
            Ok(Value::Bool(if name == "ends_with" {
                subject.ends_with(affix.as_str())
            } else {
                subject.starts_with(affix.as_str())
            }))
        }
        "join" => {
            arity(2)?;
            let Value::String(separator) = value_arg(0)? else {
                return Err(type_error(name, value_arg(0)?, "['string']"));
            };
            let items = array_of(value_arg(1)?, &["string"], "['array-string']")?;
            let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            Ok(Value::String(parts.join(separator)))
        }
        "keys" | "values" => {
            arity(1)?;
            match value_arg(0)? {
                Value::Object(map) => Ok(Value::Array(if name == "keys" {
                    map.keys().cloned().map(Value::String).collect()
                } else {
                    map.values().cloned().collect()
                })),
                other => Err(type_error(name, other, "['object']")),
            }
        }
        "length" => {
            arity(1)?;
            match value_arg(0)? {
                Value::String(s) => Ok(Value::from(s.chars().count())),
                Value::Array(a) => Ok(Value::from(a.len())),
                Value::Object(o) => Ok(Value::from(o.len())),
                other => Err(type_error(name, other, "['string', 'array', 'object']")),
            }
        }
        "map" => {
            arity(2)?;
            let expression = expref_arg(0)?;
            let Value::Array(items) = value_arg(1)? else {
                return Err(type_error(name, value_arg(1)?, "['array']"));
            };
            let mapped = items
                .iter()
                .map(|item| eval(expression, item))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(mapped))
        }
        "max" | "min" => {
            arity(1)?;
            let expected = "['array-number', 'array-string']";
            let items = array_of(value_arg(0)?, &["number", "string"], expected)?;
            Ok(extreme(&items, name == "max", |v| Ok(v.clone()))?.unwrap_or(Value::Null))
        }
        "max_by" | "min_by" => {
            arity(2)?;
            let Value::Array(items) = value_arg(0)? else {
                return Err(type_error(name, value_arg(0)?, "['array']"));
            };
            let expression = expref_arg(1)?;
            let key = |item: &Value| -> EvalResult {
                let key = eval(expression, item)?;
                if is_number(&key) || key.is_string() {
                    Ok(key)
                } else {
                    Err(type_error(name, &key, "['number', 'string']"))
                }
            };
            Ok(extreme(items, name == "max_by", key)?.unwrap_or(Value::Null))
        }
        "merge" => {
            if args.is_empty() {
                return Err(OutputError::QueryFailed(format!(
                    "Expected at least 1 arguments for function {name}(), received 0"
                )));
            }
            let mut merged = Map::new();
            for i in 0..args.len() {
                match value_arg(i)? {
                    Value::Object(map) => {
                        for (k, v) in map {
                            merged.insert(k.clone(), v.clone());
                        }
                    }
                    other => return Err(type_error(name, other, "['object']")),
                }
            }
            Ok(Value::Object(merged))
        }
        "not_null" => {
            if args.is_empty() {
                return Err(OutputError::QueryFailed(format!(
                    "Expected at least 1 arguments for function {name}(), received 0"
                )));
            }
            for i in 0..args.len() {
                let v = value_arg(i)?;
                if !v.is_null() {
                    return Ok(v.clone());
                }
            }
            Ok(Value::Null)
        }
        "reverse" => {
            arity(1)?;
            match value_arg(0)? {
                Value::String(s) => Ok(Value::String(s.chars().rev().collect())),
                Value::Array(a) => Ok(Value::Array(a.iter().rev().cloned().collect())),
                other => Err(type_error(name, other, "['array', 'string']")),
            }
        }
        "sort" => {
            arity(1)?;
            let expected = "['array-string', 'array-number']";
            let mut items = array_of(value_arg(0)?, &["number", "string"], expected)?;
            items.sort_by(order_values);
            Ok(Value::Array(items))
        }
        "sort_by" => {
            arity(2)?;
            let Value::Array(items) = value_arg(0)? else {
                return Err(type_error(name, value_arg(0)?, "['array']"));
            };
            let expression = expref_arg(1)?;
            if items.is_empty() {
                return Ok(Value::Array(Vec::new()));
            }
            let mut keyed = Vec::with_capacity(items.len());
            let mut required = None;
            for item in items {
                let key = eval(expression, item)?;
                let kind = type_name(&key);
                let required = *required.get_or_insert(kind);
                if !matches!(required, "number" | "string") || kind != required {
                    return Err(type_error(name, &key, "['string', 'number']"));
                }
                keyed.push((key, item.clone()));
            }
            // A stable sort, like Python's `sorted`.
            keyed.sort_by(|a, b| order_values(&a.0, &b.0));
            Ok(Value::Array(keyed.into_iter().map(|(_, v)| v).collect()))
        }
        "sum" => {
            arity(1)?;
            let items = array_of(value_arg(0)?, &["number"], "['array-number']")?;
            Ok(py_sum(&items))
        }
        "to_array" => {
            arity(1)?;
            Ok(match value_arg(0)? {
                Value::Array(a) => Value::Array(a.clone()),
                other => Value::Array(vec![other.clone()]),
            })
        }
        "to_number" => {
            arity(1)?;
            Ok(match value_arg(0)? {
                Value::Number(n) => Value::Number(n.clone()),
                Value::String(s) => parse_python_number(s),
                _ => Value::Null,
            })
        }
        "to_string" => {
            arity(1)?;
            Ok(match value_arg(0)? {
                Value::String(s) => Value::String(s.clone()),
                other => Value::String(json_dumps_compact(other)),
            })
        }
        "type" => {
            arity(1)?;
            Ok(Value::String(type_name(value_arg(0)?).to_owned()))
        }
        unknown => Err(OutputError::QueryFailed(format!(
            "Unknown function: {unknown}()"
        ))),
    }
}

fn order_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => as_f64(a)
            .partial_cmp(&as_f64(b))
            .unwrap_or(std::cmp::Ordering::Equal),
    }
}

/// Python's `max`/`min` with a key: the FIRST extreme element wins on ties.
fn extreme(
    items: &[Value],
    want_max: bool,
    key: impl Fn(&Value) -> EvalResult,
) -> Result<Option<Value>, OutputError> {
    let mut best: Option<(Value, &Value)> = None;
    for item in items {
        let k = key(item)?;
        let better = match &best {
            None => true,
            Some((best_key, _)) => {
                let order = order_values(&k, best_key);
                if want_max {
                    order == std::cmp::Ordering::Greater
                } else {
                    order == std::cmp::Ordering::Less
                }
            }
        };
        if better {
            best = Some((k, item));
        }
    }
    Ok(best.map(|(_, item)| item.clone()))
}

/// Python's `int(s)` then `float(s)`, as JMESPath's `to_number` tries them.
fn parse_python_number(s: &str) -> Value {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(expression: &str, input: Value, expected: &str) {
        let result = Query::parse(expression)
            .and_then(|q| q.search(&input))
            .unwrap_or_else(|e| panic!("{expression}: {e}"));
        assert_eq!(
            super::super::python::json_dumps_compact(&result),
            expected,
            "{expression}"
        );
    }

    /// Expected values come from Python: `jmespath.search(expression, input)` dumped with
    /// `json.dumps(separators=(',', ':'))`, which keeps Python's key order.
    #[test]
    fn evaluates_like_python_jmespath() {
        let alarms = json!({"MetricAlarms": [
            {"AlarmName": "b", "StateValue": "ALARM", "Threshold": 1.0, "Period": 60, "Dims": [{"Name": "x"}]},
            {"AlarmName": "a", "StateValue": "OK", "Threshold": 2.5, "Period": 300, "Dims": []}
        ]});
        check("MetricAlarms[].AlarmName", alarms.clone(), r#"["b","a"]"#);
        check(
            "MetricAlarms[].{Z: AlarmName, A: StateValue}",
            alarms.clone(),
            r#"[{"Z":"b","A":"ALARM"},{"Z":"a","A":"OK"}]"#,
        );
        check(
            "MetricAlarms[?StateValue=='ALARM']",
            alarms.clone(),
            r#"[{"AlarmName":"b","StateValue":"ALARM","Threshold":1.0,"Period":60,"Dims":[{"Name":"x"}]}]"#,
        );
        check("sum(MetricAlarms[].Period)", alarms.clone(), "360");
        check("avg(MetricAlarms[].Period)", alarms.clone(), "180.0");
        check(
            "max_by(MetricAlarms, &Period).AlarmName",
            alarms.clone(),
            r#""a""#,
        );
        check(
            "sort_by(MetricAlarms, &AlarmName)[].AlarmName",
            alarms.clone(),
            r#"["a","b"]"#,
        );
        check("length(MetricAlarms)", alarms.clone(), "2");
        check(
            "MetricAlarms[0].keys(@)",
            alarms.clone(),
            r#"["AlarmName","StateValue","Threshold","Period","Dims"]"#,
        );
        check("MetricAlarms[].Dims[]", alarms.clone(), r#"[{"Name":"x"}]"#);
        check("MetricAlarms[].Dims[].Name | [0]", alarms.clone(), r#""x""#);
        check("MetricAlarms[-1].Threshold", alarms.clone(), "2.5");
        check(
            "MetricAlarms[::-1].AlarmName",
            alarms.clone(),
            r#"["a","b"]"#,
        );
        check("ceil(MetricAlarms[1].Threshold)", alarms.clone(), "3");
        check(
            "MetricAlarms[?Period > `100`].AlarmName",
            alarms.clone(),
            r#"["a"]"#,
        );
        check("!MetricAlarms[0].Period", alarms.clone(), "null");
        check("!(MetricAlarms[0].Period)", alarms.clone(), "false");
        check("missing || 'x'", alarms.clone(), r#""x""#);
        check(
            "to_string(MetricAlarms[0].Dims)",
            alarms.clone(),
            r#""[{\"Name\":\"x\"}]""#,
        );
        check(
            "merge(MetricAlarms[0], `{\"AlarmName\": \"z\"}`).AlarmName",
            alarms.clone(),
            r#""z""#,
        );
        check(
            "MetricAlarms[0].*",
            alarms.clone(),
            r#"["b","ALARM",1.0,60,[{"Name":"x"}]]"#,
        );
        check("to_number('12')", alarms.clone(), "12");
        check("to_number('1.5')", alarms.clone(), "1.5");
        check("`1` == `true`", alarms.clone(), "false");
        check("nothing.{a: b}", alarms, "null");
    }
}
