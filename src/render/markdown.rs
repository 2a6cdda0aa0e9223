//! Text made safe for Adaptive Card markdown: user text escaped so it shows as typed, code-like
//! text (JSON, tables, command lines) kept readable in monospace, long identifiers made to wrap.

/// Escapes what Adaptive Card markdown in Teams would interpret, and nothing else, so that user
/// text shows as typed without stray backslashes (`tenant_id`, `[access.channels.ops]` need
/// none). Teams renders the CommonMark subset the Adaptive Cards spec lists (emphasis with `*`
/// and `_`, links, lists) and its mobile clients show a backslash before other characters as
/// typed, so a backslash goes only where markup would otherwise form:
/// - `*` and `` ` `` only when the text has two of them (one alone opens nothing);
/// - `_` only at a word's edge, and only when two are (inside a word it never starts emphasis);
/// - the `](` of a link, a `<` that could open a tag;
/// - a list, quote or heading marker at the start of a line (`- `, `1. `, `> `, `# `);
/// - a backslash only before punctuation (where markdown would read it as an escape).
pub fn escape_markdown(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let edge_underscore = |i: usize| {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        !(before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric))
    };
    let count = |wanted: char| chars.iter().filter(|&&c| c == wanted).count();
    let paired_stars = count('*') >= 2;
    let paired_ticks = count('`') >= 2;
    let paired_edges = (0..chars.len())
        .filter(|&i| chars[i] == '_' && edge_underscore(i))
        .count()
        >= 2;
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    for (i, &c) in chars.iter().enumerate() {
        let after = chars.get(i + 1).copied();
        let marker_follows = after.is_none_or(char::is_whitespace);
        let escape = match c {
            '*' => paired_stars || (line_start && marker_follows),
            '`' => paired_ticks,
            '_' => paired_edges && edge_underscore(i),
            ']' => after == Some('('),
            '<' => after.is_some_and(|n| n.is_ascii_alphabetic() || n == '/' || n == '!'),
            '\\' => after.is_some_and(|n| n.is_ascii_punctuation()),
            '-' | '+' | '#' | '>' => line_start && marker_follows,
            '.' | ')' => marker_follows && ordered_marker(&chars[..i]),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        line_start = c == '\n' || (line_start && matches!(c, ' ' | '\u{a0}'));
    }
    out
}

/// Whether `before` (the text up to a `.` or `)`) ends in a line's first word made of digits:
/// `1.` starts an ordered list.
fn ordered_marker(before: &[char]) -> bool {
    let line = match before.iter().rposition(|&c| c == '\n') {
        Some(newline) => &before[newline + 1..],
        None => before,
    };
    let word: Vec<char> = line
        .iter()
        .copied()
        .skip_while(|&c| matches!(c, ' ' | '\u{a0}'))
        .collect();
    !word.is_empty() && word.len() <= 9 && word.iter().all(char::is_ascii_digit)
}

/// Text shown in a monospace TextBlock: markdown characters escaped, leading spaces turned into
/// no-break spaces (which do not collapse) and, when `halve_indent`, every two leading spaces
/// into one so that deep JSON fits a phone.
pub fn monospace(text: &str, halve_indent: bool) -> String {
    // Escaped as a whole: emphasis could pair markers across lines of one TextBlock.
    let escaped = escape_markdown(text.trim_end_matches('\n'));
    let mut out = String::with_capacity(escaped.len() + 16);
    for (index, line) in escaped.split('\n').enumerate() {
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
        for c in trimmed.chars() {
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
    fn escapes_only_what_forms_markup() {
        // Code-like text → what the TextBlock gets.
        let cases = [
            ("INSUFFICIENT_DATA", "INSUFFICIENT_DATA"),
            ("tenant_id", "tenant_id"),
            ("[access.channels.ops]", "[access.channels.ops]"),
            ("_private", "_private"),
            ("trailing_", "trailing_"),
            ("_a_ b", r"\_a\_ b"),
            ("rds:Delete*", "rds:Delete*"),
            ("2 * 3", "2 * 3"),
            ("**bold**", r"\*\*bold\*\*"),
            ("`tick`", r"\`tick\`"),
            ("don`t", "don`t"),
            ("[a](b)", r"[a\](b)"),
            ("[a] b", "[a] b"),
            (r"a\*b", r"a\\*b"),
            (r"C:\path", r"C:\path"),
            ("- item", r"\- item"),
            ("* item", r"\* item"),
            ("  - nested", r"  \- nested"),
            ("a - b", "a - b"),
            ("1. first", r"1\. first"),
            ("2) second", r"2\) second"),
            ("v1.2 and 3.", "v1.2 and 3."),
            ("# heading", r"\# heading"),
            ("#tag", "#tag"),
            ("> quote", r"\> quote"),
            ("a < b", "a < b"),
            ("<b>bold</b>", r"\<b>bold\</b>"),
            ("one\n- two", "one\n\\- two"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_markdown(input), expected, "{input}");
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
            "a_long_name_with_underscores_and:\u{200b}colons"
        );
    }
}
