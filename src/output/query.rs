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

use super::python::{json_dumps, JsonStyle};
use super::OutputError;

/// The bounds on a `--query` expression and its evaluation. A query arrives from any chat
/// before access control, and both the `jmespath` crate's Pratt parser and [`eval`] recurse
/// once or more per nesting level, so every limit below is checked before that recursion
/// starts. No real query comes near them: the longest queries in the AWS CLI documentation are
/// a few hundred characters, nest brackets three or four deep and use a few dozen operators.
pub mod limits {
    /// Characters in the expression. Long enough for any hand-written query (the AWS CLI
    /// examples stay under 300), short enough to keep the pre-scan and the parser cheap.
    pub const MAX_QUERY_LENGTH: usize = 4096;

    /// The largest number an expression may hold (an index or slice bound): the jmespath
    /// crate reads numbers as `i32` and panics beyond that.
    pub const MAX_QUERY_NUMBER: i64 = i32::MAX as i64;
    /// Open `(`, `[` (also `[?`, `[*]`, `[]`) and `{` at any one point. Each level costs the
    /// crate's parser several stack frames; 32 is ten times what real queries nest.
    pub const MAX_QUERY_NESTING: usize = 32;
    /// Operator characters outside quotes (`.`, `[`, `(`, `{`, `|`, `&`, `!`, `<`, `>`, `=`,
    /// `*`). Chains such as `.a.a.a…`, `[0][0]…`, `!!!…` and `[?a][?a]…` do not nest
    /// brackets but each operator adds at most two AST levels and a few parser frames, so
    /// this count bounds the parser's recursion and the AST's depth before parsing.
    pub const MAX_QUERY_OPERATORS: usize = 256;
    /// The prefix operators `!` (not) and `&` (expression reference), not counting `!=` and
    /// `&&`. The crate's parser recurses through its largest functions for each one (several
    /// KB of stack per `!` in a debug build), so they get a bound of their own; real queries
    /// use one or two.
    pub const MAX_QUERY_PREFIX_OPERATORS: usize = 32;
    /// Depth of the parsed expression tree, which is the depth of [`super::eval`]'s
    /// recursion. Real queries are under 15 deep.
    pub const MAX_QUERY_DEPTH: usize = 64;
    /// The work an evaluation may do, in JSON values it produces (a string counts one per 64
    /// bytes), on top of [`QUERY_WORK_PER_INPUT_VALUE`] per value of the input. Doubling
    /// chains such as `[@,@]|[@,@]|…` would otherwise allocate without bound.
    pub const QUERY_WORK_BASE: usize = 1_000_000;
    /// The work allowed per value of the response the query runs on: a plain projection
    /// charges a response a few times over (once per level it passes through).
    pub const QUERY_WORK_PER_INPUT_VALUE: usize = 64;
}

use limits::*;

/// A compiled `--query` expression.
#[derive(Debug, Clone)]
pub struct Query {
    ast: Ast,
}

impl Query {
    /// Parses an expression; a syntax error reads like the CLI's `Bad value for --query`.
    /// An expression over one of [`limits`] is refused before the parser sees it.
    pub fn parse(expression: &str) -> Result<Self, OutputError> {
        let refuse = |reason: String| OutputError::InvalidQuery {
            expression: shorten(expression),
            reason,
        };
        prescan(expression).map_err(refuse)?;
        let ast = jmespath::parse(expression).map_err(|e| OutputError::InvalidQuery {
            expression: expression.to_owned(),
            reason: e.to_string(),
        })?;
        let depth = ast_depth(&ast);
        if depth > MAX_QUERY_DEPTH {
            return Err(refuse(format!(
                "the expression nests {depth} levels deep; the limit is {MAX_QUERY_DEPTH}. \
                 Split it, or use fewer chained operators."
            )));
        }
        Ok(Self { ast })
    }

    pub fn search(&self, value: &Value) -> Result<Value, OutputError> {
        let allowed = QUERY_WORK_BASE
            .saturating_add(weight(value).saturating_mul(QUERY_WORK_PER_INPUT_VALUE));
        let budget = Budget {
            left: std::cell::Cell::new(allowed),
            allowed,
        };
        eval(&self.ast, value, &budget)
    }
}

/// The expression as an error message shows it: a refused expression can be 4 KB of brackets.
fn shorten(expression: &str) -> String {
    const SHOWN: usize = 40;
    if expression.chars().count() <= SHOWN {
        return expression.to_owned();
    }
    let head: String = expression.chars().take(SHOWN).collect();
    format!("{head}…")
}

/// Checks the length, the bracket nesting and the operator count without recursing, skipping
/// quoted identifiers (`"…"`), raw strings (`'…'`) and literals (`` `…` ``) the way the
/// crate's lexer does. A malformed expression passes here and fails in the parser.
fn prescan(expression: &str) -> Result<(), String> {
    let length = expression.chars().count();
    if length > MAX_QUERY_LENGTH {
        return Err(format!(
            "the expression is {length} characters long; the limit is {MAX_QUERY_LENGTH}. \
             Query for less, or filter the output in several steps."
        ));
    }
    let mut nesting = 0usize;
    let mut operators = 0usize;
    let mut prefix_operators = 0usize;
    let mut chars = expression.chars().peekable();
    let mut previous: Option<char> = None;
    while let Some(c) = chars.next() {
        match c {
            '!' | '&' => {
                operators += 1;
                let next = chars.peek().copied();
                let binary = (c == '!' && next == Some('=')) || (c == '&' && next == Some('&'));
                if binary {
                    chars.next();
                } else {
                    prefix_operators += 1;
                    if prefix_operators > MAX_QUERY_PREFIX_OPERATORS {
                        return Err(format!(
                            "the expression has more than {MAX_QUERY_PREFIX_OPERATORS} ! and & \
                             operators; the limit is {MAX_QUERY_PREFIX_OPERATORS}. Use a \
                             shorter expression."
                        ));
                    }
                }
            }
            '"' | '\'' | '`' => {
                // Skip to the closing quote; a backslash escapes the next character.
                while let Some(inner) = chars.next() {
                    if inner == '\\' {
                        chars.next();
                    } else if inner == c {
                        break;
                    }
                }
            }
            '(' | '[' | '{' => {
                nesting += 1;
                operators += 1;
                if nesting > MAX_QUERY_NESTING {
                    return Err(format!(
                        "brackets and parentheses nest more than {MAX_QUERY_NESTING} deep; \
                         the limit is {MAX_QUERY_NESTING}. Use fewer nested brackets."
                    ));
                }
            }
            ')' | ']' | '}' => nesting = nesting.saturating_sub(1),
            '.' | '|' | '<' | '>' | '=' | '*' => operators += 1,
            // The crate's lexer panics on a number it cannot parse (it calls `expect`): a
            // Unicode digit after `-` (`-²`), or digits beyond an i32 (`[99999999999]`).
            '-' if chars
                .peek()
                .is_some_and(|next| next.is_numeric() && !next.is_ascii_digit()) =>
            {
                return Err(
                    "'-' must be followed by the digits 0-9 of a number. Write the number \
                     with ASCII digits."
                        .to_owned(),
                );
            }
            '0'..='9' if !previous.is_some_and(|p| p.is_ascii_alphanumeric() || p == '_') => {
                let mut digits = String::from(c);
                while let Some(next) = chars.next_if(char::is_ascii_digit) {
                    digits.push(next);
                }
                if digits.len() > 10 || digits.parse::<i64>().map_or(true, |n| n > MAX_QUERY_NUMBER)
                {
                    return Err(format!(
                        "the number {} is too large; numbers in an expression go up to \
                         {MAX_QUERY_NUMBER}.",
                        shorten(&digits)
                    ));
                }
                previous = digits.chars().last();
                continue;
            }
            _ => {}
        }
        previous = Some(c);
        if operators > MAX_QUERY_OPERATORS {
            return Err(format!(
                "the expression has more than {MAX_QUERY_OPERATORS} operators \
                 (. [ ( {{ | & ! < > = *); the limit is {MAX_QUERY_OPERATORS}. Use a shorter \
                 expression."
            ));
        }
    }
    Ok(())
}

/// The depth of the expression tree, walked with an explicit stack.
fn ast_depth(ast: &Ast) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(ast, 1usize)];
    while let Some((node, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        let children: Vec<&Ast> = match node {
            Ast::Subexpr { lhs, rhs, .. }
            | Ast::Projection { lhs, rhs, .. }
            | Ast::Comparison { lhs, rhs, .. }
            | Ast::And { lhs, rhs, .. }
            | Ast::Or { lhs, rhs, .. } => vec![lhs, rhs],
            Ast::Condition {
                predicate, then, ..
            } => vec![predicate, then],
            Ast::ObjectValues { node, .. } | Ast::Flatten { node, .. } | Ast::Not { node, .. } => {
                vec![node]
            }
            Ast::Expref { ast, .. } => vec![ast],
            Ast::MultiList { elements, .. } => elements.iter().collect(),
            Ast::Function { args, .. } => args.iter().collect(),
            Ast::MultiHash { elements, .. } => elements.iter().map(|pair| &pair.value).collect(),
            Ast::Identity { .. }
            | Ast::Field { .. }
            | Ast::Index { .. }
            | Ast::Slice { .. }
            | Ast::Literal { .. } => Vec::new(),
        };
        stack.extend(children.into_iter().map(|child| (child, depth + 1)));
    }
    deepest
}

/// What an evaluation may still produce, in [`weight`] units.
struct Budget {
    left: std::cell::Cell<usize>,
    allowed: usize,
}

impl Budget {
    /// Charges a value the evaluation just produced; fails once the budget is spent, before
    /// anything bigger can be built from it.
    fn charge(&self, value: &Value) -> Result<(), OutputError> {
        let cost = weight(value);
        match self.left.get().checked_sub(cost) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(OutputError::QueryFailed(format!(
                "The --query result grows past the limit of {} values (a base of \
                 {QUERY_WORK_BASE} plus {QUERY_WORK_PER_INPUT_VALUE} per value of the \
                 response). Select less, or avoid repeating @ in multi-selects.",
                self.allowed
            ))),
        }
    }
}

/// The size of a value in JSON values, strings counting one more per 64 bytes; counted with
/// an explicit stack, since a value can be as deep as the response.
fn weight(value: &Value) -> usize {
    let mut total = 0usize;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        total = total.saturating_add(1);
        match value {
            Value::String(text) => total = total.saturating_add(text.len() / 64),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                total = total.saturating_add(map.keys().map(|k| k.len() / 64).sum::<usize>());
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    total
}

type EvalResult = Result<Value, OutputError>;

/// Evaluates one node and charges its result to the budget. The recursion is as deep as the
/// expression tree, which [`Query::parse`] bounds by [`MAX_QUERY_DEPTH`].
fn eval(ast: &Ast, value: &Value, budget: &Budget) -> EvalResult {
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
            let left = eval(lhs, value, budget)?;
            eval(rhs, &left, budget)
        }
        Ast::Projection { lhs, rhs, .. } => {
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
        Ast::ObjectValues { node, .. } => Ok(match eval(node, value, budget)? {
            Value::Object(map) => Value::Array(map.into_iter().map(|(_, v)| v).collect()),
            _ => Value::Null,
        }),
        Ast::Flatten { node, .. } => Ok(match eval(node, value, budget)? {
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
        Ast::And { lhs, rhs, .. } => {
            let left = eval(lhs, value, budget)?;
            if !is_true(&left) {
                return Ok(left);
            }
            eval(rhs, value, budget)
        }
        Ast::Or { lhs, rhs, .. } => {
            let left = eval(lhs, value, budget)?;
            if is_true(&left) {
                return Ok(left);
            }
            eval(rhs, value, budget)
        }
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
        Ast::MultiList { elements, .. } => {
            if value.is_null() {
                return Ok(Value::Null);
            }
            let collected = elements
                .iter()
                .map(|element| eval(element, value, budget))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(collected))
        }
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

fn call_function(name: &str, arg_asts: &[Ast], current: &Value, budget: &Budget) -> EvalResult {
    let mut args = Vec::with_capacity(arg_asts.len());
    for ast in arg_asts {
        args.push(match ast {
            Ast::Expref { ast, .. } => Arg::Expref(ast),
            other => Arg::Value(eval(other, current, budget)?),
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
                .map(|item| eval(expression, item, budget))
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
                let key = eval(expression, item, budget)?;
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
                let key = eval(expression, item, budget)?;
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
                other => Value::String(json_dumps(other, JsonStyle::COMPACT)),
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
            super::super::python::json_dumps(&result, super::super::python::JsonStyle::COMPACT),
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

/// The bounds in [`limits`]: inputs just under and just over each, the crash inputs from chat,
/// and the worst accepted inputs on a stack as small as a tokio worker's.
#[cfg(test)]
mod limit_tests {
    use super::*;
    use serde_json::json;

    /// Half a tokio worker thread's stack (2 MiB, the smallest any query runs on): the frames
    /// above the query (actix, tokio, the turn handler, the renderer) keep the other half.
    /// Measured: `!` x 256 needed more than 1 MiB before the prefix-operator limit.
    const WORKER_STACK: usize = 1024 * 1024;

    fn refusal(expression: &str) -> Option<String> {
        match Query::parse(expression) {
            Ok(_) => None,
            Err(OutputError::InvalidQuery { reason, .. }) => Some(reason),
            Err(other) => panic!("unexpected error {other}"),
        }
    }

    /// `n` copies of `unit`.
    fn times(unit: &str, n: usize) -> String {
        unit.repeat(n)
    }

    #[test]
    fn limits_are_checked_just_under_and_just_over() {
        let nested = |n: usize| format!("{}a{}", times("(", n), times(")", n));
        let ops = MAX_QUERY_OPERATORS;
        // (expression, the limit named in the refusal, or None when it must parse)
        let cases: Vec<(String, Option<&str>)> = vec![
            // Numbers the crate's lexer would panic on (found by scripts/fuzz-long.sh).
            ("-²".to_owned(), Some("ASCII digits")),
            ("a[-٣]".to_owned(), Some("ASCII digits")),
            ("a[2147483647]".to_owned(), None),
            (
                "a[2147483648]".to_owned(),
                Some("numbers in an expression go up to 2147483647"),
            ),
            ("a[-2147483648]".to_owned(), Some("too large")),
            ("a[99999999999999999999999]".to_owned(), Some("too large")),
            ("a[1:99999999999]".to_owned(), Some("too large")),
            // Digits inside a name or a quoted part are not numbers.
            ("a99999999999".to_owned(), None),
            ("a[?b=='99999999999']".to_owned(), None),
            (format!("a{}", times(" ", MAX_QUERY_LENGTH - 1)), None),
            (
                format!("a{}", times(" ", MAX_QUERY_LENGTH)),
                Some("limit is 4096"),
            ),
            (nested(MAX_QUERY_NESTING), None),
            (nested(MAX_QUERY_NESTING + 1), Some("more than 32 deep")),
            (format!("{}a{}", times("[", 33), times("]", 33)), Some("32")),
            // Operators: `a.a` has one; a flat multi-select keeps the tree shallow.
            (format!("[{}]", vec!["a.b"; ops - 1].join(",")), None),
            (
                format!("[{}]", vec!["a.b"; ops].join(",")),
                Some("more than 256 operators"),
            ),
            // Chains that do not nest brackets but deepen the tree.
            (format!("a{}", times(".a", MAX_QUERY_DEPTH - 1)), None),
            (
                format!("a{}", times(".a", MAX_QUERY_DEPTH)),
                Some("limit is 64"),
            ),
            (format!("{}a", times("!", MAX_QUERY_PREFIX_OPERATORS)), None),
            (
                format!("{}a", times("!", MAX_QUERY_PREFIX_OPERATORS + 1)),
                Some("more than 32 ! and &"),
            ),
            (
                format!("{}a", times("!a != ", MAX_QUERY_PREFIX_OPERATORS)),
                None,
            ),
            (
                format!("a{}", times(" && a", MAX_QUERY_PREFIX_OPERATORS + 8)),
                None,
            ),
            (format!("a{}", times("[?a]", MAX_QUERY_DEPTH / 2 - 1)), None),
            (
                format!("a{}", times("[?a]", MAX_QUERY_DEPTH / 2 + 1)),
                Some("limit is 64"),
            ),
            (format!("a{}", times("[0]", MAX_QUERY_DEPTH - 1)), None),
            (
                format!("a{}", times("[0]", MAX_QUERY_DEPTH)),
                Some("limit is 64"),
            ),
            // Operators inside quotes and literals are text, not structure.
            (format!("'{}'", times("(", 1000)), None),
            (format!("\"{}\"", times("[", 1000)), None),
            (format!("`\"{}\"`", times("!", 1000)), None),
        ];
        for (expression, refused) in cases {
            let got = refusal(&expression);
            match refused {
                None => assert!(got.is_none(), "{expression:.60}: {got:?}"),
                Some(needle) => {
                    let reason = got.unwrap_or_else(|| panic!("{expression:.60} parsed"));
                    assert!(reason.contains(needle), "{expression:.60}: {reason}");
                }
            }
        }
    }

    /// The messages that crashed the bot: each is refused with a message naming a limit.
    #[test]
    fn the_crash_expressions_are_refused() {
        let crashes = [
            format!("{}a", times("!", 3000)),
            times("[", 3000),
            times("(", 3000),
            times("[?", 1500),
            format!("a{}", times(".a", 3000)),
            format!("a{}", times("[0]", 3000)),
            format!("a{}", times("[*].a", 1000)),
            format!("{}a", times("&", 3000)),
            format!("a{}", times("|a", 3000)),
        ];
        for expression in crashes {
            let reason = refusal(&expression).expect("refused");
            assert!(reason.contains("limit"), "{reason}");
        }
    }

    #[test]
    fn the_refusal_does_not_echo_a_long_expression() {
        let error = Query::parse(&times("(", 5000)).expect_err("refused");
        assert!(error.to_string().len() < 300, "{error}");
    }

    /// Doubling chains stop at the work budget instead of allocating 2^n values.
    #[test]
    fn doubling_results_stop_at_the_budget() {
        let input = json!({"a": [1, 2, 3]});
        let doubling = format!("@{}", times("|[@,@]", 60));
        let query = Query::parse(&doubling).expect("parses");
        let error = query.search(&input).expect_err("over budget");
        assert!(error.to_string().contains("limit of"), "{error}");
        // A few doublings stay well inside the budget.
        let small = Query::parse("@|[@,@]|[@,@]").expect("parses");
        let result = small.search(&input).expect("within budget");
        assert_eq!(weight(&result), 1 + 2 + 4 * weight(&input));
    }

    #[test]
    fn the_budget_grows_with_the_response() {
        // A projection over a large response passes; its charges are a small multiple of it.
        let items: Vec<Value> = (0..50_000).map(|i| json!({"Id": i, "Tags": [i]})).collect();
        let input = json!({"Items": items});
        let query = Query::parse("Items[].{I: Id, T: Tags[0]}").expect("parses");
        let result = query.search(&input).expect("within budget");
        assert_eq!(result.as_array().map(Vec::len), Some(50_000));
    }

    /// The worst expressions the limits accept, parsed, evaluated and dropped on a thread with
    /// half a tokio worker's stack. Without the limits the same shapes a few times longer abort the
    /// test binary with a stack overflow.
    #[test]
    fn the_worst_accepted_queries_fit_a_worker_stack() {
        let worst = vec![
            format!("{}a", times("!", MAX_QUERY_PREFIX_OPERATORS)),
            format!("{}a", times("&", MAX_QUERY_PREFIX_OPERATORS)),
            format!("a{}", times("[?!a]", MAX_QUERY_PREFIX_OPERATORS)),
            format!(
                "{}a{}",
                times("(", MAX_QUERY_NESTING),
                times(")", MAX_QUERY_NESTING)
            ),
            format!(
                "{}a{}",
                times("[", MAX_QUERY_NESTING),
                times("]", MAX_QUERY_NESTING)
            ),
            format!(
                "{}@{}",
                times("{a:", MAX_QUERY_NESTING),
                times("}", MAX_QUERY_NESTING)
            ),
            format!("a{}", times("[?a]", MAX_QUERY_DEPTH / 2 - 1)),
            format!("a{}", times("[*].a", MAX_QUERY_DEPTH / 2 - 1)),
            format!("a{}", times(".a", MAX_QUERY_DEPTH - 1)),
            // Refused after parsing: the parser and the drop of the tree still run.
            format!("a{}", times("[?a!=a]", MAX_QUERY_OPERATORS / 3)),
            format!("{}a", times("{a:", MAX_QUERY_NESTING)),
            format!("a{}", times("[?a]", MAX_QUERY_OPERATORS / 2)),
            format!("a{}", times("[*]", MAX_QUERY_OPERATORS / 2)),
            format!("a{}", times("[]", MAX_QUERY_OPERATORS)),
            format!("a{}", times(".a", MAX_QUERY_OPERATORS)),
            format!("a{}", times("|a", MAX_QUERY_OPERATORS)),
            format!("a{}", times("==a", MAX_QUERY_OPERATORS / 2)),
            format!("`{}1{}`", times("[", 127), times("]", 127)),
        ];
        let input = json!({"a": [{"a": [1]}, {"a": [2]}]});
        let outcome = std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn(move || {
                for expression in &worst {
                    if let Ok(query) = Query::parse(expression) {
                        let _ = query.search(&input);
                    }
                }
            })
            .expect("spawn")
            .join();
        assert!(outcome.is_ok());
    }
}
