//! The JMESPath built-in functions (`length`, `sort_by`, `join`, …), with Python `jmespath`'s
//! argument checks and error messages.

use jmespath::ast::Ast;
use serde_json::{Map, Value};

use super::budget::Budget;
use super::eval::eval;
use super::values::{
    as_f64, float_value, int_or_float, is_number, order_values, parse_python_number, py_eq, py_sum,
    type_name,
};
use super::{EvalResult, OutputError};
use crate::output::python::{json_dumps, py_repr, JsonStyle};

/// A function argument: a value, or an expression reference (`&expr`).
enum Arg<'a> {
    Value(Value),
    Expref(&'a Ast),
}

/// One call of a built-in: its name, its arguments (values already evaluated) and the budget
/// that expression references are evaluated under.
struct Call<'a> {
    name: &'a str,
    args: Vec<Arg<'a>>,
    budget: &'a Budget,
}

/// Evaluates the arguments (expression references stay unevaluated), then runs the function.
pub(super) fn call_function(
    name: &str,
    arg_asts: &[Ast],
    current: &Value,
    budget: &Budget,
) -> EvalResult {
    let mut args = Vec::with_capacity(arg_asts.len());
    for ast in arg_asts {
        args.push(match ast {
            Ast::Expref { ast, .. } => Arg::Expref(ast),
            other => Arg::Value(eval(other, current, budget)?),
        });
    }
    let call = Call { name, args, budget };
    match name {
        "abs" => call.abs(),
        "avg" => call.avg(),
        "ceil" | "floor" => call.ceil_or_floor(),
        "contains" => call.contains(),
        "ends_with" | "starts_with" => call.ends_or_starts_with(),
        "join" => call.join(),
        "keys" | "values" => call.keys_or_values(),
        "length" => call.length(),
        "map" => call.map(),
        "max" | "min" => call.max_or_min(),
        "max_by" | "min_by" => call.max_or_min_by(),
        "merge" => call.merge(),
        "not_null" => call.not_null(),
        "reverse" => call.reverse(),
        "sort" => call.sort(),
        "sort_by" => call.sort_by(),
        "sum" => call.sum(),
        "to_array" => call.to_array(),
        "to_number" => call.to_number(),
        "to_string" => call.to_json_string(),
        "type" => call.type_of(),
        unknown => Err(OutputError::QueryFailed(format!(
            "Unknown function: {unknown}()"
        ))),
    }
}

fn type_error(function: &str, value: &Value, expected: &str) -> OutputError {
    OutputError::QueryFailed(format!(
        "In function {function}(), invalid type for value: {}, expected one of: {expected}, received: \"{}\"",
        py_repr(value),
        type_name(value)
    ))
}

// === Argument checks ===

impl Call<'_> {
    fn arity(&self, expected: usize) -> Result<(), OutputError> {
        if self.args.len() != expected {
            return Err(OutputError::QueryFailed(format!(
                "Expected {expected} arguments for function {}(), received {}",
                self.name,
                self.args.len()
            )));
        }
        Ok(())
    }

    fn at_least_one(&self) -> Result<(), OutputError> {
        if self.args.is_empty() {
            return Err(OutputError::QueryFailed(format!(
                "Expected at least 1 arguments for function {}(), received 0",
                self.name
            )));
        }
        Ok(())
    }

    fn value(&self, i: usize) -> Result<&Value, OutputError> {
        match &self.args[i] {
            Arg::Value(v) => Ok(v),
            Arg::Expref(_) => Err(OutputError::QueryFailed(format!(
                "In function {}(), invalid type for value: expref",
                self.name
            ))),
        }
    }

    fn expref(&self, i: usize) -> Result<&Ast, OutputError> {
        match &self.args[i] {
            Arg::Expref(ast) => Ok(ast),
            Arg::Value(v) => Err(self.type_error(v, "['expref']")),
        }
    }

    fn type_error(&self, value: &Value, expected: &str) -> OutputError {
        type_error(self.name, value, expected)
    }

    /// The argument as an array whose elements all have one of the `allowed` types.
    fn array_of(
        &self,
        v: &Value,
        allowed: &[&str],
        expected: &str,
    ) -> Result<Vec<Value>, OutputError> {
        let Value::Array(items) = v else {
            return Err(self.type_error(v, expected));
        };
        // Python checks the elements against the first element's type.
        if let Some(first) = items.first() {
            let kind = type_name(first);
            if !allowed.contains(&kind) {
                return Err(self.type_error(first, expected));
            }
            if let Some(bad) = items.iter().find(|item| type_name(item) != kind) {
                return Err(self.type_error(bad, expected));
            }
        }
        Ok(items.clone())
    }

    /// The argument as an array of any values.
    fn array(&self, i: usize) -> Result<&Vec<Value>, OutputError> {
        match self.value(i)? {
            Value::Array(items) => Ok(items),
            other => Err(self.type_error(other, "['array']")),
        }
    }
}

// === Numbers ===

impl Call<'_> {
    fn abs(&self) -> EvalResult {
        self.arity(1)?;
        match self.value(0)? {
            Value::Number(n) => Ok(match n.as_i64() {
                Some(i) => Value::from(i.unsigned_abs()),
                None => float_value(as_f64(&Value::Number(n.clone())).abs()),
            }),
            other => Err(self.type_error(other, "['number']")),
        }
    }

    fn avg(&self) -> EvalResult {
        self.arity(1)?;
        let items = self.array_of(self.value(0)?, &["number"], "['array-number']")?;
        if items.is_empty() {
            return Ok(Value::Null);
        }
        Ok(float_value(as_f64(&py_sum(&items)) / items.len() as f64))
    }

    fn ceil_or_floor(&self) -> EvalResult {
        self.arity(1)?;
        match self.value(0)? {
            Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Ok(int_or_float(if self.name == "ceil" {
                    f.ceil()
                } else {
                    f.floor()
                }))
            }
            Value::Number(n) => Ok(Value::Number(n.clone())),
            other => Err(self.type_error(other, "['number']")),
        }
    }

    fn sum(&self) -> EvalResult {
        self.arity(1)?;
        let items = self.array_of(self.value(0)?, &["number"], "['array-number']")?;
        Ok(py_sum(&items))
    }

    fn to_number(&self) -> EvalResult {
        self.arity(1)?;
        Ok(match self.value(0)? {
            Value::Number(n) => Value::Number(n.clone()),
            Value::String(s) => parse_python_number(s),
            _ => Value::Null,
        })
    }
}

// === Strings, arrays and objects ===

impl Call<'_> {
    fn contains(&self) -> EvalResult {
        self.arity(2)?;
        let search = self.value(1)?;
        match self.value(0)? {
            Value::Array(items) => Ok(Value::Bool(items.iter().any(|i| py_eq(i, search)))),
            Value::String(s) => match search {
                Value::String(needle) => Ok(Value::Bool(s.contains(needle.as_str()))),
                other => Err(OutputError::QueryFailed(format!(
                    "'in <string>' requires string as left operand, not {}",
                    type_name(other)
                ))),
            },
            other => Err(self.type_error(other, "['array', 'string']")),
        }
    }

    fn ends_or_starts_with(&self) -> EvalResult {
        self.arity(2)?;
        let (Value::String(subject), Value::String(affix)) = (self.value(0)?, self.value(1)?)
        else {
            let bad = if self.value(0)?.is_string() {
                self.value(1)?
            } else {
                self.value(0)?
            };
            return Err(self.type_error(bad, "['string']"));
        };
        Ok(Value::Bool(if self.name == "ends_with" {
            subject.ends_with(affix.as_str())
        } else {
            subject.starts_with(affix.as_str())
        }))
    }

    fn join(&self) -> EvalResult {
        self.arity(2)?;
        let Value::String(separator) = self.value(0)? else {
            return Err(self.type_error(self.value(0)?, "['string']"));
        };
        let items = self.array_of(self.value(1)?, &["string"], "['array-string']")?;
        let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
        Ok(Value::String(parts.join(separator)))
    }

    fn keys_or_values(&self) -> EvalResult {
        self.arity(1)?;
        match self.value(0)? {
            Value::Object(map) => Ok(Value::Array(if self.name == "keys" {
                map.keys().cloned().map(Value::String).collect()
            } else {
                map.values().cloned().collect()
            })),
            other => Err(self.type_error(other, "['object']")),
        }
    }

    fn length(&self) -> EvalResult {
        self.arity(1)?;
        match self.value(0)? {
            Value::String(s) => Ok(Value::from(s.chars().count())),
            Value::Array(a) => Ok(Value::from(a.len())),
            Value::Object(o) => Ok(Value::from(o.len())),
            other => Err(self.type_error(other, "['string', 'array', 'object']")),
        }
    }

    fn map(&self) -> EvalResult {
        self.arity(2)?;
        let expression = self.expref(0)?;
        let items = self.array(1)?;
        let mapped = items
            .iter()
            .map(|item| eval(expression, item, self.budget))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Value::Array(mapped))
    }

    fn merge(&self) -> EvalResult {
        self.at_least_one()?;
        let mut merged = Map::new();
        for i in 0..self.args.len() {
            match self.value(i)? {
                Value::Object(map) => {
                    for (k, v) in map {
                        merged.insert(k.clone(), v.clone());
                    }
                }
                other => return Err(self.type_error(other, "['object']")),
            }
        }
        Ok(Value::Object(merged))
    }

    fn not_null(&self) -> EvalResult {
        self.at_least_one()?;
        for i in 0..self.args.len() {
            let v = self.value(i)?;
            if !v.is_null() {
                return Ok(v.clone());
            }
        }
        Ok(Value::Null)
    }

    fn reverse(&self) -> EvalResult {
        self.arity(1)?;
        match self.value(0)? {
            Value::String(s) => Ok(Value::String(s.chars().rev().collect())),
            Value::Array(a) => Ok(Value::Array(a.iter().rev().cloned().collect())),
            other => Err(self.type_error(other, "['array', 'string']")),
        }
    }

    fn to_array(&self) -> EvalResult {
        self.arity(1)?;
        Ok(match self.value(0)? {
            Value::Array(a) => Value::Array(a.clone()),
            other => Value::Array(vec![other.clone()]),
        })
    }

    fn to_json_string(&self) -> EvalResult {
        self.arity(1)?;
        Ok(match self.value(0)? {
            Value::String(s) => Value::String(s.clone()),
            other => Value::String(json_dumps(other, JsonStyle::COMPACT)),
        })
    }

    fn type_of(&self) -> EvalResult {
        self.arity(1)?;
        Ok(Value::String(type_name(self.value(0)?).to_owned()))
    }
}

// === Ordering: max, min, sort ===

impl Call<'_> {
    fn max_or_min(&self) -> EvalResult {
        self.arity(1)?;
        let expected = "['array-number', 'array-string']";
        let items = self.array_of(self.value(0)?, &["number", "string"], expected)?;
        Ok(extreme(&items, self.name == "max", |v| Ok(v.clone()))?.unwrap_or(Value::Null))
    }

    fn max_or_min_by(&self) -> EvalResult {
        self.arity(2)?;
        let items = self.array(0)?;
        let expression = self.expref(1)?;
        let key = |item: &Value| -> EvalResult {
            let key = eval(expression, item, self.budget)?;
            if is_number(&key) || key.is_string() {
                Ok(key)
            } else {
                Err(self.type_error(&key, "['number', 'string']"))
            }
        };
        Ok(extreme(items, self.name == "max_by", key)?.unwrap_or(Value::Null))
    }

    fn sort(&self) -> EvalResult {
        self.arity(1)?;
        let expected = "['array-string', 'array-number']";
        let mut items = self.array_of(self.value(0)?, &["number", "string"], expected)?;
        items.sort_by(order_values);
        Ok(Value::Array(items))
    }

    fn sort_by(&self) -> EvalResult {
        self.arity(2)?;
        let items = self.array(0)?;
        let expression = self.expref(1)?;
        if items.is_empty() {
            return Ok(Value::Array(Vec::new()));
        }
        let mut keyed = Vec::with_capacity(items.len());
        let mut required = None;
        for item in items {
            let key = eval(expression, item, self.budget)?;
            let kind = type_name(&key);
            let required = *required.get_or_insert(kind);
            if !matches!(required, "number" | "string") || kind != required {
                return Err(self.type_error(&key, "['string', 'number']"));
            }
            keyed.push((key, item.clone()));
        }
        // A stable sort, like Python's `sorted`.
        keyed.sort_by(|a, b| order_values(&a.0, &b.0));
        Ok(Value::Array(keyed.into_iter().map(|(_, v)| v).collect()))
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
