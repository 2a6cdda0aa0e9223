//! The bounds on a `--query` expression and its evaluation, and the checks that apply them
//! before the `jmespath` crate's parser (which recurses) sees an expression.
//!
//! A query arrives from any chat before access control, and both the crate's Pratt parser and
//! the evaluator (`eval.rs`) recurse once or more per nesting level, so every limit below is
//! checked before that recursion starts. No real query comes near them: the longest queries in
//! the AWS CLI documentation are a few hundred characters, nest brackets three or four deep and
//! use a few dozen operators.

use std::iter::Peekable;
use std::str::Chars;

use jmespath::ast::Ast;

use super::shorten;

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
/// Depth of the parsed expression tree, which is the depth of the evaluator's recursion.
/// Real queries are under 15 deep.
pub const MAX_QUERY_DEPTH: usize = 64;
/// The work an evaluation may do, in JSON values it produces (a string counts one per 64
/// bytes), on top of [`QUERY_WORK_PER_INPUT_VALUE`] per value of the input. Doubling
/// chains such as `[@,@]|[@,@]|…` would otherwise allocate without bound.
pub const QUERY_WORK_BASE: usize = 1_000_000;
/// The work allowed per value of the response the query runs on: a plain projection
/// charges a response a few times over (once per level it passes through).
pub const QUERY_WORK_PER_INPUT_VALUE: usize = 64;

/// Checks the length, the bracket nesting and the operator count without recursing, skipping
/// quoted identifiers (`"…"`), raw strings (`'…'`) and literals (`` `…` ``) the way the
/// crate's lexer does. A malformed expression passes here and fails in the parser.
pub(super) fn prescan(expression: &str) -> Result<(), String> {
    let length = expression.chars().count();
    if length > MAX_QUERY_LENGTH {
        return Err(format!(
            "the expression is {length} characters long; the limit is {MAX_QUERY_LENGTH}. \
             Query for less, or filter the output in several steps."
        ));
    }
    let mut counts = StructureCounts::default();
    let mut chars = expression.chars().peekable();
    let mut previous: Option<char> = None;
    while let Some(c) = chars.next() {
        match c {
            '!' | '&' => counts.bang_or_ampersand(c, &mut chars)?,
            '"' | '\'' | '`' => skip_quoted(c, &mut chars),
            '(' | '[' | '{' => counts.open_bracket()?,
            ')' | ']' | '}' => counts.nesting = counts.nesting.saturating_sub(1),
            '.' | '|' | '<' | '>' | '=' | '*' => counts.operators += 1,
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
                previous = Some(check_number(c, &mut chars)?);
                continue;
            }
            _ => {}
        }
        previous = Some(c);
        if counts.operators > MAX_QUERY_OPERATORS {
            return Err(format!(
                "the expression has more than {MAX_QUERY_OPERATORS} operators \
                 (. [ ( {{ | & ! < > = *); the limit is {MAX_QUERY_OPERATORS}. Use a shorter \
                 expression."
            ));
        }
    }
    Ok(())
}

/// What [`prescan`] has counted so far.
#[derive(Default)]
struct StructureCounts {
    /// Brackets open at this point.
    nesting: usize,
    /// Operator characters so far.
    operators: usize,
    /// Prefix `!` and `&` so far.
    prefix_operators: usize,
}

impl StructureCounts {
    /// Counts a `!` or `&`: with a following `=` or `&` (which it consumes) a binary operator,
    /// otherwise a prefix operator, which has its own limit.
    fn bang_or_ampersand(
        &mut self,
        c: char,
        chars: &mut Peekable<Chars<'_>>,
    ) -> Result<(), String> {
        self.operators += 1;
        let next = chars.peek().copied();
        let binary = (c == '!' && next == Some('=')) || (c == '&' && next == Some('&'));
        if binary {
            chars.next();
            return Ok(());
        }
        self.prefix_operators += 1;
        if self.prefix_operators > MAX_QUERY_PREFIX_OPERATORS {
            return Err(format!(
                "the expression has more than {MAX_QUERY_PREFIX_OPERATORS} ! and & \
                 operators; the limit is {MAX_QUERY_PREFIX_OPERATORS}. Use a \
                 shorter expression."
            ));
        }
        Ok(())
    }

    /// Counts an opening `(`, `[` or `{`: one level deeper and one more operator.
    fn open_bracket(&mut self) -> Result<(), String> {
        self.nesting += 1;
        self.operators += 1;
        if self.nesting > MAX_QUERY_NESTING {
            return Err(format!(
                "brackets and parentheses nest more than {MAX_QUERY_NESTING} deep; \
                 the limit is {MAX_QUERY_NESTING}. Use fewer nested brackets."
            ));
        }
        Ok(())
    }
}

/// Skips to the closing `quote`; a backslash escapes the next character.
fn skip_quoted(quote: char, chars: &mut Peekable<Chars<'_>>) {
    while let Some(inner) = chars.next() {
        if inner == '\\' {
            chars.next();
        } else if inner == quote {
            break;
        }
    }
}

/// Reads the rest of a number that starts with `first` and refuses one beyond
/// [`MAX_QUERY_NUMBER`]; returns the number's last digit.
fn check_number(first: char, chars: &mut Peekable<Chars<'_>>) -> Result<char, String> {
    let mut digits = String::from(first);
    while let Some(next) = chars.next_if(char::is_ascii_digit) {
        digits.push(next);
    }
    if digits.len() > 10 || digits.parse::<i64>().map_or(true, |n| n > MAX_QUERY_NUMBER) {
        return Err(format!(
            "the number {} is too large; numbers in an expression go up to \
             {MAX_QUERY_NUMBER}.",
            shorten(&digits)
        ));
    }
    Ok(digits.chars().last().unwrap_or(first))
}

/// The depth of the expression tree, walked with an explicit stack.
pub(super) fn ast_depth(ast: &Ast) -> usize {
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
