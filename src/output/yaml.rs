//! `--output yaml`. AWS CLI v1 (1.45.11) has no YAML output (`--output yaml` is an invalid
//! choice there), so this follows AWS CLI v2, which dumps with ruamel.yaml's safe dumper in
//! block style: mapping keys sorted, sequences not indented under their key (`Key:\n- item`),
//! 2-space indentation, strings single-quoted only when plain style would read back as another
//! type (numbers, booleans, null, timestamps) or would not parse, plain scalars folded at
//! spaces past column 80, a top-level plain scalar followed by the `...` document end marker.
//!
//! Simplification: strings with line breaks or control characters are written double-quoted
//! with escapes (ruamel would fold some of them into single-quoted multi-line scalars).

use serde_json::Value;

const BEST_WIDTH: usize = 80;

pub fn format_yaml(value: &Value) -> String {
    let mut writer = Writer {
        out: String::new(),
        column: 0,
    };
    match value {
        Value::Object(map) if !map.is_empty() => writer.mapping(value, 0),
        Value::Array(items) if !items.is_empty() => writer.sequence(value, 0),
        scalar => {
            let open_ended = writer.scalar(scalar, 2);
            writer.newline();
            if open_ended {
                writer.out.push_str("...\n");
            }
        }
    }
    writer.out
}

struct Writer {
    out: String,
    column: usize,
}

impl Writer {
    fn write(&mut self, text: &str) {
        self.out.push_str(text);
        self.column += text.chars().count();
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn indent_to(&mut self, indent: usize) {
        if self.column < indent {
            let pad = " ".repeat(indent - self.column);
            self.write(&pad);
        }
    }

    /// A block mapping whose keys start at column `indent` (the first key may already be
    /// preceded by `- ` on the current line).
    fn mapping(&mut self, value: &Value, indent: usize) {
        let Value::Object(map) = value else { return };
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort();
        for key in keys {
            self.indent_to(indent);
            self.scalar(&Value::String(key.clone()), indent + 2);
            self.write(":");
            self.node_after_key(&map[key.as_str()], indent);
        }
    }

    fn node_after_key(&mut self, value: &Value, indent: usize) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                self.newline();
                self.mapping(value, indent + 2);
            }
            Value::Array(items) if !items.is_empty() => {
                self.newline();
                self.sequence(value, indent);
            }
            scalar => {
                self.write(" ");
                self.scalar(scalar, indent + 2);
                self.newline();
            }
        }
    }

    /// A block sequence whose dashes sit at column `indent`.
    fn sequence(&mut self, value: &Value, indent: usize) {
        let Value::Array(items) = value else { return };
        for item in items {
            self.indent_to(indent);
            self.write("- ");
            match item {
                Value::Object(map) if !map.is_empty() => self.mapping(item, indent + 2),
                Value::Array(inner) if !inner.is_empty() => self.sequence(item, indent + 2),
                scalar => {
                    self.scalar(scalar, indent + 2);
                    self.newline();
                }
            }
        }
    }

    /// Writes a scalar; returns whether it was written in plain style (open-ended).
    fn scalar(&mut self, value: &Value, continuation_indent: usize) -> bool {
        match value {
            Value::Null => self.write("null"),
            Value::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Value::Number(n) => {
                let text = if n.is_f64() {
                    float_text(n.as_f64().unwrap_or(f64::NAN))
                } else {
                    n.to_string()
                };
                self.write(&text);
            }
            Value::Array(_) => self.write("[]"),
            Value::Object(_) => self.write("{}"),
            Value::String(s) => {
                if needs_double_quotes(s) {
                    self.write(&double_quoted(s));
                    return false;
                }
                if plain_allowed(s) {
                    self.folded(s, continuation_indent, false);
                    return true;
                }
                self.write("'");
                self.folded(&s.replace('\'', "''"), continuation_indent, true);
                self.write("'");
                return false;
            }
        }
        true
    }

    /// Writes words separated by single spaces, breaking the line at a space once the column
    /// is past the best width (ruamel's `write_plain` / `write_single_quoted`).
    fn folded(&mut self, text: &str, indent: usize, quoted: bool) {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == ' ' {
                let run_end = chars[i..]
                    .iter()
                    .position(|c| *c != ' ')
                    .map_or(chars.len(), |p| i + p);
                let single = run_end == i + 1;
                let at_edge = quoted && (i == 0 || run_end == chars.len());
                if single && run_end < chars.len() && !at_edge && self.column > BEST_WIDTH {
                    self.newline();
                    self.indent_to(indent);
                } else {
                    let spaces: String = chars[i..run_end].iter().collect();
                    self.write(&spaces);
                }
                i = run_end;
            } else {
                let word_end = chars[i..]
                    .iter()
                    .position(|c| *c == ' ')
                    .map_or(chars.len(), |p| i + p);
                let word: String = chars[i..word_end].iter().collect();
                self.write(&word);
                i = word_end;
            }
        }
    }
}

/// ruamel's float representation: `repr`, with `.0` added before an exponent.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let repr = super::python::float_repr(f);
    if !repr.contains('.') && repr.contains('e') {
        repr.replacen('e', ".0e", 1)
    } else {
        repr
    }
}

fn needs_double_quotes(s: &str) -> bool {
    s.chars()
        .any(|c| (c < ' ' && c != ' ') || c == '\u{7f}' || c == '\u{feff}' || c == '\u{85}')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02X}", c as u32))
            }
            '\u{85}' => out.push_str("\\N"),
            '\u{feff}' => out.push_str("\\uFEFF"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether a string can be written plain: it must parse back as the same string.
fn plain_allowed(s: &str) -> bool {
    if s.is_empty() || s.starts_with(' ') || s.ends_with(' ') {
        return false;
    }
    let first = s.chars().next().expect("not empty");
    if "#,[]{}&*!|>'\"%@`".contains(first) {
        return false;
    }
    if "-?:".contains(first) {
        let second = s.chars().nth(1);
        if second.is_none() || second == Some(' ') {
            return false;
        }
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.contains('\t') {
        return false;
    }
    !resolves_to_other_type(s)
}

/// The implicit resolvers of YAML 1.2 (ruamel's default): bool, null, int, float, timestamp,
/// merge and value keys.
fn resolves_to_other_type(s: &str) -> bool {
    use std::sync::OnceLock;
    static RESOLVERS: OnceLock<regex::Regex> = OnceLock::new();
    let re = RESOLVERS.get_or_init(|| {
        let patterns = [
            r"true|True|TRUE|false|False|FALSE",
            r"~|null|Null|NULL",
            r"[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+",
            r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
            r"[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?",
            r"<<|=",
        ];
        let joined = patterns
            .iter()
            .map(|p| format!("(?:{p})"))
            .collect::<Vec<_>>()
            .join("|");
        regex::Regex::new(&format!("^(?:{joined})$")).expect("the resolver patterns compile")
    });
    re.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn block_style_like_cli_v2() {
        let value = json!({
            "Users": [
                {"UserName": "Admin", "Path": "/", "CreateDate": "2014-10-16T16:03:09+00:00", "Tags": [], "N": 1, "F": 2.0},
                {"UserName": "true", "Path": "a: b", "Nested": {"K": ["x", "y"]}}
            ],
            "Account": "123456789012",
            "Empty": ""
        });
        let expected = "\
Account: '123456789012'
Empty: ''
Users:
- CreateDate: '2014-10-16T16:03:09+00:00'
  F: 2.0
  N: 1
  Path: /
  Tags: []
  UserName: Admin
- Nested:
    K:
    - x
    - y
  Path: 'a: b'
  UserName: 'true'
";
        assert_eq!(format_yaml(&value), expected);
    }

    #[test]
    fn top_level_scalars_end_the_document() {
        assert_eq!(format_yaml(&json!("abc")), "abc\n...\n");
        assert_eq!(format_yaml(&json!("123")), "'123'\n");
        assert_eq!(
            format_yaml(&json!(["a", ["b", "c"]])),
            "- a\n- - b\n  - c\n"
        );
    }
}
