//! Walks a parsed expression over a `serde_json::Value`, node by node, with Python
//! `jmespath`'s semantics and the key order the AWS CLI keeps.

use jmespath::ast::Ast;
use serde_json::{Map, Value};

use super::budget::Budget;
use super::functions::call_function;
use super::values::{compare, is_true};
use super::{EvalResult, OutputError};

/// Evaluates one node and charges its result to the budget. The recursion is as deep as the
/// expression tree, which [`super::Query::parse`] bounds by
/// [`super::limits::MAX_QUERY_DEPTH`].
pub(super) fn eval(ast: &Ast, value: &Value, budget: &Budget) -> EvalResult {
    let result = eval_node(ast, value, budget)?;
    // These return a child's result unchanged, which is charged already.
    let passes_through = matches!(
        ast,
        Ast::Subexpr { .. } | Ast::Condition { .. } | Ast::And { .. } | Ast::Or { .. }
    );
    if !passes_through {
        budget.charge(&result)?;
    }
    Ok(result)
}

fn eval_node(ast: &Ast, value: &Value, budget: &Budget) -> EvalResult {
    match ast {
        Ast::Identity { .. } => Ok(value.clone()),
        Ast::Field { name, .. } => Ok(match value {
            Value::Object(map) => map.get(name).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        }),
        Ast::Index { idx, .. } => Ok(match value {
            Value::Array(items) => index(items, *idx),
            _ => Value::Null,
        }),
        Ast::Slice {
            start, stop, step, ..
        } => Ok(match value {
            Value::Array(items) => Value::Array(slice(items, *start, *stop, *step)?),
            _ => Value::Null,
        }),
        Ast::Subexpr { lhs, rhs, .. } => {
            let left = eval(lhs, value, budget)?;
            eval(rhs, &left, budget)
        }
        Ast::Projection { lhs, rhs, .. } => project(lhs, rhs, value, budget),
        Ast::ObjectValues { node, .. } => Ok(match eval(node, value, budget)? {
            Value::Object(map) => Value::Array(map.into_iter().map(|(_, v)| v).collect()),
            _ => Value::Null,
        }),
        Ast::Flatten { node, .. } => Ok(flatten(eval(node, value, budget)?)),
        Ast::Condition {
            predicate, then, ..
        } => {
            if is_true(&eval(predicate, value, budget)?) {
                eval(then, value, budget)
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
            let left = eval(lhs, value, budget)?;
            let right = eval(rhs, value, budget)?;
            compare(comparator, &left, &right)
        }
        Ast::And { lhs, rhs, .. } => short_circuit(lhs, rhs, false, value, budget),
        Ast::Or { lhs, rhs, .. } => short_circuit(lhs, rhs, true, value, budget),
        Ast::Not { node, .. } => {
            let result = eval(node, value, budget)?;
            // Python: `!0` is false (0 is truthy in JMESPath), otherwise `not value`.
            Ok(Value::Bool(match &result {
                Value::Number(_) => false,
                other => !is_true(other),
            }))
        }
        Ast::Literal { value: literal, .. } => {
            serde_json::to_value(&**literal).map_err(|e| OutputError::QueryFailed(e.to_string()))
        }
        Ast::MultiList { elements, .. } => multi_list(elements, value, budget),
        Ast::MultiHash { elements, .. } => {
            if value.is_null() {
                return Ok(Value::Null);
            }
            let mut collected = Map::new();
            for pair in elements {
                collected.insert(pair.key.clone(), eval(&pair.value, value, budget)?);
            }
            Ok(Value::Object(collected))
        }
        Ast::Expref { .. } => Err(OutputError::QueryFailed(
            "an expression reference (&) is only valid as a function argument".to_owned(),
        )),
        Ast::Function { name, args, .. } => call_function(name, args, value, budget),
    }
}

/// `[i]`: Python's indexing, negative from the end; null outside the list.
fn index(items: &[Value], idx: i32) -> Value {
    let len = items.len() as i64;
    let i = if idx < 0 {
        len + idx as i64
    } else {
        idx as i64
    };
    if (0..len).contains(&i) {
        items[i as usize].clone()
    } else {
        Value::Null
    }
}

/// `lhs[*].rhs` and friends: `rhs` over each element of `lhs`, nulls dropped.
fn project(lhs: &Ast, rhs: &Ast, value: &Value, budget: &Budget) -> EvalResult {
    let base = eval(lhs, value, budget)?;
    let Value::Array(items) = base else {
        return Ok(Value::Null);
    };
    let mut collected = Vec::with_capacity(items.len());
    for item in &items {
        let current = eval(rhs, item, budget)?;
        if !current.is_null() {
            collected.push(current);
        }
    }
    Ok(Value::Array(collected))
}

/// `[]`: one level of nested lists merged into the list.
fn flatten(value: Value) -> Value {
    match value {
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
    }
}

/// `lhs && rhs` (`stop_when` false) and `lhs || rhs` (`stop_when` true): the left side when
/// its truthiness is `stop_when`, the right side otherwise.
fn short_circuit(
    lhs: &Ast,
    rhs: &Ast,
    stop_when: bool,
    value: &Value,
    budget: &Budget,
) -> EvalResult {
    let left = eval(lhs, value, budget)?;
    if is_true(&left) == stop_when {
        return Ok(left);
    }
    eval(rhs, value, budget)
}

/// `[a, b]`: each element over the same value; null over null.
fn multi_list(elements: &[Ast], value: &Value, budget: &Budget) -> EvalResult {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let collected = elements
        .iter()
        .map(|element| eval(element, value, budget))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::Array(collected))
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
