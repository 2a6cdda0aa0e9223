//! Text made safe for Adaptive Card markdown: user text escaped so it shows as typed, code-like
//! text (JSON, tables, command lines) kept readable in monospace, long identifiers made to wrap.

/// Escapes what Adaptive Card markdown would interpret in user text, and nothing else, so
/// that it shows as typed.
///
/// Teams renders a TextBlock's text as a subset of CommonMark (bold, italic, lists, links;
/// Microsoft's "Format cards in Teams"), and its clients have not always removed backslash
/// escapes: Teams on Android and iOS showed `\_` as typed for years (AdaptiveCards issues
/// 5590 and 7474, Teams-AdaptiveCards-Mobile pull 58). So a backslash is added only where
/// the text would otherwise change: emphasis markers that could pair (`*`, `~`, backticks,
/// and `_` at a word's edge — inside a word, as in `tenant_id`, CommonMark never starts
/// emphasis with it), the `](` of a link, a backslash before punctuation (CommonMark would
/// take it as an escape), an HTML-like `<tag`, and list, heading and quote markers at the
/// start of a line. A lone `*`, a `[section]`, `C:\path` are left as they are.
pub fn escape_markdown(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let word_edge_underscore = |i: usize| {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        !(before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric))
    };
    // Emphasis and code spans need an opening and a closing marker: a marker alone is text.
    let count = |marker: char| chars.iter().filter(|c| **c == marker).count();
    let pairs = |marker: char| count(marker) >= 2;
    let edge_underscores = (0..chars.len())
        .filter(|i| chars[*i] == '_' && word_edge_underscore(*i))
        .count();
    let (stars, tildes, ticks) = (pairs('*'), pairs('~'), pairs('`'));
    let closes_later = |i: usize| chars[i + 1..].contains(&'>');
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    for (i, &c) in chars.iter().enumerate() {
        let after = chars.get(i + 1).copied();
        let marker_follows = after.is_none_or(char::is_whitespace);
        let escape = match c {
            '\\' => after.is_some_and(|n| n.is_ascii_punctuation()),
            '*' => stars || (line_start && marker_follows),
            '~' => tildes,
            '`' => ticks,
            '_' => edge_underscores >= 2 && word_edge_underscore(i),
            ']' => after == Some('('),
            '<' => after.is_some_and(|n| n.is_ascii_alphabetic() || n == '/') && closes_later(i),
            '>' => line_start,
            // List and heading markers only mean something at the start of a line.
            '-' | '+' | '#' => line_start && marker_follows,
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

/// Escapes what Teams' markdown would interpret in code-like text (JSON, tables, command
/// lines): the same minimal escaping as [`escape_markdown`], so that JSON and tables read as
/// they are (`INSUFFICIENT_DATA`, `"tenant_id"`, `[1, 2]`).
pub(super) fn escape_code(text: &str) -> String {
    escape_markdown(text)
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
    fn only_what_markdown_would_change_is_escaped() {
        // User or code-like text → what the TextBlock gets.
        let cases = [
            ("INSUFFICIENT_DATA", "INSUFFICIENT_DATA"),
            ("tenant_id and team_id", "tenant_id and team_id"),
            ("[access.channels.ops]", "[access.channels.ops]"),
            ("_private", "_private"),
            ("_a_ and b_", r"\_a\_ and b\_"),
            ("trailing_", "trailing_"),
            ("ec2:Describe*", "ec2:Describe*"),
            ("2 * 3 * 4", r"2 \* 3 \* 4"),
            ("**bold**", r"\*\*bold\*\*"),
            ("* item", r"\* item"),
            ("`tick`", r"\`tick\`"),
            ("a ` b", "a ` b"),
            ("~~gone~~", r"\~\~gone\~\~"),
            ("~/file", "~/file"),
            ("[a](b)", r"[a\](b)"),
            ("[a] b", "[a] b"),
            (r"a\*b", r"a\\*b"),
            (r"C:\path", r"C:\path"),
            ("- item", r"\- item"),
            ("a - b", "a - b"),
            ("# heading", r"\# heading"),
            ("#tag", "#tag"),
            ("> quote", r"\> quote"),
            ("a > b", "a > b"),
            ("<b>x</b>", r"\<b>x\</b>"),
            ("a < b", "a < b"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_markdown(input), expected, "{input}");
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
            "a_long_name_with_underscores_and:\u{200b}colons"
        );
    }
}
