//! Python `jmespath`'s legacy literal (JEP 12's deprecation period), which the AWS CLI's
//! `--query` still accepts and AWS's own documentation uses everywhere:
//! `` MetricAlarms[?StateValue==`ALARM`] ``. The `jmespath` crate only takes JSON between
//! backticks, so before it parses an expression each literal that is not JSON is rewritten
//! into the JSON string Python makes of it. Pure text in, text out; no recursion.
//!
//! Python's lexer (`jmespath/lexer.py`, `_consume_until` and `_consume_literal`): the text up
//! to the next backtick not escaped by a backslash (a backslash keeps itself and the next
//! character), with `` \` `` turned into `` ` ``, is parsed as JSON; when that fails,
//! `'"' + text.lstrip() + '"'` is parsed as JSON instead (so a literal's leading whitespace
//! goes, its trailing whitespace stays and JSON escapes such as `\n` work); when that fails too
//! the expression is refused. Quoted identifiers (`"…"`) and raw strings (`'…'`) are skipped
//! with the same escape rule, so a backtick inside them is text.
//!
//! Known differences: Python's `json.loads` also reads `NaN`, `Infinity` and `-Infinity`
//! (as floats) and lone UTF-16 surrogates (`"\ud800"`); JSON values cannot hold them, so here
//! those literals are strings (`` `NaN` `` is `"NaN"`) or refused (a lone surrogate).

use std::borrow::Cow;

use serde_json::Value;

/// `expression` with every backtick literal that is not JSON rewritten as the JSON string
/// Python's lexer reads it as; the expression itself (borrowed) when there is none.
pub(super) fn with_legacy_literals(expression: &str) -> Cow<'_, str> {
    if !expression.contains('`') {
        return Cow::Borrowed(expression);
    }
    let mut out = String::with_capacity(expression.len() + 8);
    let mut chars = expression.chars();
    let mut changed = false;
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                out.push(c);
                let (inside, closed) = until_delimiter(&mut chars, c);
                out.push_str(&inside);
                if closed {
                    out.push(c);
                }
            }
            '`' => {
                let (inside, closed) = until_delimiter(&mut chars, '`');
                let rewritten = closed.then(|| legacy_string(&inside)).flatten();
                changed |= rewritten.is_some();
                out.push('`');
                out.push_str(rewritten.as_deref().unwrap_or(&inside));
                if closed {
                    out.push('`');
                }
            }
            other => out.push(other),
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(expression)
    }
}

/// The raw text up to the closing `delimiter` (consumed, not returned) and whether there was
/// one: a backslash keeps itself and the next character, as Python's `_consume_until` does.
fn until_delimiter(chars: &mut std::str::Chars<'_>, delimiter: char) -> (String, bool) {
    let mut inside = String::new();
    while let Some(c) = chars.next() {
        if c == delimiter {
            return (inside, true);
        }
        inside.push(c);
        if c == '\\' {
            match chars.next() {
                Some(escaped) => inside.push(escaped),
                None => break,
            }
        }
    }
    (inside, false)
}

/// For the raw text of a literal that is not JSON, the text of a literal holding the JSON
/// string Python reads it as; `None` when the literal is JSON already (it stays as written),
/// or when Python refuses it too (the parser then reports it).
fn legacy_string(raw: &str) -> Option<String> {
    let lexeme = raw.replace("\\`", "`");
    match serde_json::from_str::<Value>(&lexeme) {
        Ok(_) => return None,
        // Too deep for serde_json but maybe JSON to Python: refused by the parser, never
        // silently turned into a string.
        Err(error) if error.to_string().starts_with("recursion limit exceeded") => return None,
        Err(_) => {}
    }
    let quoted = format!("\"{}\"", lexeme.trim_start_matches(is_python_space));
    let text: String = serde_json::from_str(&quoted).ok()?;
    // Back into a literal: JSON text, with its backticks escaped for the lexer.
    Some(serde_json::to_string(&text).ok()?.replace('`', "\\`"))
}

/// Python's `str.isspace`, which `lstrip()` strips: Unicode whitespace plus the ASCII
/// separators U+001C to U+001F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_that_are_not_json_become_json_strings() {
        let cases = [
            // JSON stays as written, even with whitespace around it.
            ("a[?b==`1`]", "a[?b==`1`]"),
            ("`\"ALARM\"`", "`\"ALARM\"`"),
            ("` {\"a\": [1]} `", "` {\"a\": [1]} `"),
            // The legacy form: a string, leading whitespace dropped, trailing kept.
            (
                "MetricAlarms[?StateValue==`ALARM`]",
                "MetricAlarms[?StateValue==`\"ALARM\"`]",
            ),
            ("` ALARM `", "`\"ALARM \"`"),
            ("`foo bar`", "`\"foo bar\"`"),
            ("`[1, 2`", "`\"[1, 2\"`"),
            ("`tru`", "`\"tru\"`"),
            // JSON escapes inside: `\n` is a newline, `\u00e9` an é, `\\` one backslash.
            ("`x\\ny`", "`\"x\\ny\"`"),
            ("`\\u00e9`", "`\"é\"`"),
            ("`\\\\`", "`\"\\\\\"`"),
            // An escaped backtick is part of the literal, and escaped again in the rewrite.
            ("a[?s==`a\\`b`]", "a[?s==`\"a\\`b\"`]"),
            // Backticks inside quoted identifiers and raw strings are text.
            ("\"a`b\" == 'c`d'", "\"a`b\" == 'c`d'"),
            ("'it\\'s `x`' || `y`", "'it\\'s `x`' || `\"y\"`"),
            // Not JSON as a string either: left for the parser to refuse, as Python does.
            ("`a\"b`", "`a\"b`"),
            ("`\\q`", "`\\q`"),
            // Unclosed: left as written for the parser's error.
            ("a == `ALARM", "a == `ALARM"),
        ];
        for (expression, expected) in cases {
            assert_eq!(with_legacy_literals(expression), expected, "{expression}");
        }
    }

    #[test]
    fn an_expression_without_legacy_literals_is_not_copied() {
        for expression in ["a.b", "a[?b==`1`]", "'`x`'"] {
            assert!(matches!(with_legacy_literals(expression), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn a_literal_too_deep_for_json_is_not_read_as_a_string() {
        let deep = format!("`{}{}`", "[".repeat(200), "]".repeat(200));
        assert_eq!(with_legacy_literals(&deep), deep);
    }
}
