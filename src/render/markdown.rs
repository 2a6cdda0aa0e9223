//! Text made safe for Adaptive Card markdown: user text escaped so it shows as typed, code-like
//! text (JSON, tables, command lines) kept readable in monospace, long identifiers made to wrap.

/// Escapes the characters Adaptive Card markdown would interpret, so user text shows as typed.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let escape = match c {
            '\\' | '*' | '_' | '`' | '[' | ']' | '~' | '<' | '>' => true,
            // List and heading markers only mean something at the start of a line.
            '-' | '+' | '#' if line_start => chars.peek().is_none_or(|n| n.is_whitespace()),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        line_start = c == '\n' || (line_start && c == ' ');
    }
    out
}

/// Text shown in a monospace TextBlock: markdown characters escaped, leading spaces turned into
/// no-break spaces (which do not collapse) and, when `halve_indent`, every two leading spaces
/// into one so that deep JSON fits a phone.
pub fn monospace(text: &str, halve_indent: bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (index, line) in text.trim_end_matches('\n').split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let shown = if halve_indent {
            indent.div_ceil(2)
        } else {
            indent
        };
        out.extend(std::iter::repeat_n('\u{a0}', shown));
        // Runs of spaces inside a line (text and table output) would collapse too.
        let mut previous_space = false;
        for c in escape_code(trimmed).chars() {
            if c == ' ' && previous_space {
                out.push('\u{a0}');
                previous_space = false;
                continue;
            }
            previous_space = c == ' ';
            out.push(c);
        }
    }
    out
}

/// Escapes what Teams' markdown would interpret in code-like text, and nothing else, so that
/// JSON and tables read as they are: emphasis markers (`*`, and `_` at a word's edge; inside a
/// word, as in `INSUFFICIENT_DATA`, it never starts emphasis), backticks, the `](` of a link,
/// and a backslash before any of them.
pub(super) fn escape_code(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let special = |c: Option<char>| matches!(c, Some('*' | '`' | '_' | ']' | '\\'));
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let escape = match c {
            '*' | '`' => true,
            '\\' => special(after),
            ']' => after == Some('('),
            '_' => {
                !(before.is_some_and(char::is_alphanumeric)
                    && after.is_some_and(char::is_alphanumeric))
            }
            '#' | '-' | '+' => i == 0 && after.is_none_or(|n| n.is_whitespace()),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A fact value that may be long and unbroken (an ARN): a zero-width space after `:` and `/`
/// lets it wrap on a phone instead of being cut off.
pub(super) fn breakable(value: &str) -> String {
    let escaped = escape_markdown(value);
    if value.len() <= 28 {
        return escaped;
    }
    escaped.replace(':', ":\u{200b}").replace('/', "/\u{200b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_code_table() {
        // Code-like text → what the TextBlock gets.
        let cases = [
            ("INSUFFICIENT_DATA", "INSUFFICIENT_DATA"),
            ("_private", r"\_private"),
            ("trailing_", r"trailing\_"),
            ("2 * 3", r"2 \* 3"),
            ("`tick`", r"\`tick\`"),
            ("[a](b)", r"[a\](b)"),
            ("[a] b", "[a] b"),
            (r"a\*b", r"a\\\*b"),
            (r"C:\path", r"C:\path"),
            ("- item", r"\- item"),
            ("a - b", "a - b"),
            ("# heading", r"\# heading"),
            ("#tag", "#tag"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_code(input), expected, "{input}");
        }
    }

    #[test]
    fn monospace_keeps_indentation_and_runs_of_spaces() {
        let nbsp = '\u{a0}';
        assert_eq!(
            monospace("{\n    \"a\": 1\n}\n", false),
            format!("{{\n{nbsp}{nbsp}{nbsp}{nbsp}\"a\": 1\n}}")
        );
        assert_eq!(
            monospace("{\n    \"a\": 1\n}", true),
            format!("{{\n{nbsp}{nbsp}\"a\": 1\n}}")
        );
        assert_eq!(monospace("   x", true), format!("{nbsp}{nbsp}x"));
        assert_eq!(monospace("a   b", false), format!("a {nbsp} b"));
        assert_eq!(monospace("a *b*", false), r"a \*b\*");
    }

    #[test]
    fn long_values_get_break_opportunities_and_short_ones_do_not() {
        let arn = "arn:aws:iam::123456789012:role/ChatOpsOperator";
        let shown = breakable(arn);
        assert_eq!(shown.replace('\u{200b}', ""), arn);
        assert_eq!(shown.matches('\u{200b}').count(), 6);
        assert_eq!(breakable("eu-west-1:a/b"), "eu-west-1:a/b");
        assert_eq!(
            breakable("a_long_name_with_underscores_and:colons"),
            "a\\_long\\_name\\_with\\_underscores\\_and:\u{200b}colons"
        );
    }
}
