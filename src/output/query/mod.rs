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
//!
//! Python's legacy literal (`` `ALARM` ``, a backtick literal that is not JSON, read as a
//! string) is rewritten into JSON before the crate parses the expression (`literal`).
//!
//! Where things are: [`limits`] holds the bounds and the checks made before parsing, `eval`
//! walks the tree, `functions` holds the built-ins, `values` Python's value semantics
//! (truthiness, equality, numbers), and `budget` the work bound of one evaluation.

mod budget;
mod eval;
mod functions;
pub mod limits;
mod literal;
mod values;

#[cfg(test)]
mod limit_tests;
#[cfg(test)]
mod tests;

use jmespath::ast::Ast;
use serde_json::Value;

use super::OutputError;
use budget::Budget;
use limits::{ast_depth, prescan, MAX_QUERY_DEPTH};

/// What evaluating a node or calling a function gives.
type EvalResult = Result<Value, OutputError>;

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
        let ast = jmespath::parse(&literal::with_legacy_literals(expression)).map_err(|e| {
            OutputError::InvalidQuery {
                expression: expression.to_owned(),
                reason: e.to_string(),
            }
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

    /// Evaluates the expression over `value`; fails on a type error or past the work budget.
    pub fn search(&self, value: &Value) -> Result<Value, OutputError> {
        eval::eval(&self.ast, value, &Budget::for_input(value))
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
