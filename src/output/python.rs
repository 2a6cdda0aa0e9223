//! How Python writes values: `json.dumps` in every style the code needs (the AWS CLI's `--output
//! json`, JMESPath's `to_string`, botocore's request bodies and pagination tokens), `str()` (the
//! CLI's text and table formatters) and `repr()` of floats. Pure string building.

use serde_json::{Number, Value};

/// How `json.dumps` is called: its `separators`, `indent` and `ensure_ascii` arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonStyle {
    /// Written between array items and between object members (before any newline).
    pub item_separator: &'static str,
    /// Written between an object key and its value.
    pub key_separator: &'static str,
    /// Spaces per nesting level; `None` writes everything on one line.
    pub indent: Option<usize>,
    /// Escape everything outside printable ASCII (space to `~`) as `\uXXXX`.
    pub ensure_ascii: bool,
}

impl JsonStyle {
    /// `json.dumps(value)`: what botocore sends as request bodies and encodes in pagination
    /// tokens.
    pub const PYTHON_DEFAULT: JsonStyle = JsonStyle {
        item_separator: ", ",
        key_separator: ": ",
        indent: None,
        ensure_ascii: true,
    };
    /// `json.dumps(value, indent=4, ensure_ascii=False)`: the AWS CLI's `--output json`.
    pub const CLI_OUTPUT: JsonStyle = JsonStyle {
        item_separator: ",",
        key_separator: ": ",
        indent: Some(4),
        ensure_ascii: false,
    };
    /// `json.dumps(value, separators=(',', ':'))`: JMESPath's `to_string`.
    pub const COMPACT: JsonStyle = JsonStyle {
        item_separator: ",",
        key_separator: ":",
        indent: None,
        ensure_ascii: true,
    };
}

/// Python's `json.dumps(value, ...)` called as `style` says, without a trailing newline.
pub fn json_dumps(value: &Value, style: JsonStyle) -> String {
    let mut out = String::new();
    write_json(value, style, 0, &mut out);
    out
}

/// Python's `str()` of a JSON value as the CLI's text and table formatters print scalars:
/// strings bare, `True`/`False`/`None`, floats as `repr`. Containers fall back to Python's
/// `repr` of dicts and lists.
pub fn py_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Python's `repr()` of a JSON value (used when a container ends up in a text cell).
pub fn py_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => number_repr(n),
        Value::String(s) => string_repr(s),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(py_repr).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", string_repr(k), py_repr(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

fn string_repr(s: &str) -> String {
    // Python prefers single quotes unless the string holds a single quote and no double one.
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// A JSON number as Python prints it: integers as they are, floats as `repr(float)`.
pub fn number_repr(n: &Number) -> String {
    if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
        float_repr(f)
    } else {
        n.to_string()
    }
}

/// Python's `repr(float)`: the shortest round-tripping digits, positional notation for
/// decimal exponents from -4 to 15 (with `.0` for integral values), scientific otherwise
/// (`1e+16`, `1.5e-05`).
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits Python's repr uses.
    let sci = format!("{:e}", f);
    let (sign, sci) = match sci.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", sci.as_str()),
    };
    let (mantissa, exponent) = sci.split_once('e').expect("{:e} always has an exponent");
    let exponent: i32 = exponent.parse().expect("{:e} exponent is an integer");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if !(-4..16).contains(&exponent) {
        let mut out = String::from(sign);
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exponent.abs()));
        return out;
    }
    let point = exponent + 1; // digits before the decimal point
    let mut out = String::from(sign);
    if point <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-point) as usize));
        out.push_str(&digits);
    } else if (point as usize) >= digits.len() {
        out.push_str(&digits);
        out.push_str(&"0".repeat(point as usize - digits.len()));
        out.push_str(".0");
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    out
}

fn write_json(value: &Value, style: JsonStyle, level: usize, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_repr(n)),
        Value::String(s) => write_json_string(s, style.ensure_ascii, out),
        // Python writes empty containers as `[]` and `{}` whatever the indent.
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(style.item_separator);
                }
                newline_indent(style, level + 1, out);
                write_json(item, style, level + 1, out);
            }
            newline_indent(style, level, out);
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(style.item_separator);
                }
                newline_indent(style, level + 1, out);
                write_json_string(key, style.ensure_ascii, out);
                out.push_str(style.key_separator);
                write_json(item, style, level + 1, out);
            }
            newline_indent(style, level, out);
            out.push('}');
        }
    }
}

/// With an indent, a newline and `level` indents; without one, nothing.
fn newline_indent(style: JsonStyle, level: usize, out: &mut String) {
    if let Some(width) = style.indent {
        out.push('\n');
        for _ in 0..level * width {
            out.push(' ');
        }
    }
}

/// A JSON string as Python's `json` module escapes it: `"`, `\`, the short escapes for
/// `\b \f \n \r \t`, `\u00XX` for other control characters, and (with `ensure_ascii`)
/// `\uXXXX` (surrogate pairs beyond the BMP) for everything outside ASCII.
fn write_json_string(s: &str, ensure_ascii: bool, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ensure_ascii && !(' '..='~').contains(&c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", unit));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_print_like_python_repr() {
        let cases = [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (100.0, "100.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e16, "1.5e+16"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (-2.25, "-2.25"),
            (-0.0, "-0.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123456.789, "123456.789"),
            (1e100, "1e+100"),
            (0.1, "0.1"),
            (123456789012345.6, "123456789012345.6"),
            (1234567890123456.7, "1234567890123456.8"),
            (12345678901234567.0, "1.2345678901234568e+16"),
        ];
        for (input, expected) in cases {
            assert_eq!(float_repr(input), expected, "{input:e}");
        }
    }

    #[test]
    fn json_matches_python_json_dumps_indent_4() {
        let value =
            json!({"a": [], "b": {}, "c": [1, 2.5, "é\u{1}\n\"", null, true], "d": {"e": false}});
        // Produced by: python3 -c 'import json;print(json.dumps({...}, indent=4, ensure_ascii=False))'
        let expected = "{\n    \"a\": [],\n    \"b\": {},\n    \"c\": [\n        1,\n        2.5,\n        \"é\\u0001\\n\\\"\",\n        null,\n        true\n    ],\n    \"d\": {\n        \"e\": false\n    }\n}";
        assert_eq!(json_dumps(&value, JsonStyle::CLI_OUTPUT), expected);
    }

    #[test]
    fn compact_json_is_ascii_like_jmespath_to_string() {
        let value = json!({"k": ["é", "😀", 1.0]});
        assert_eq!(
            json_dumps(&value, JsonStyle::COMPACT),
            "{\"k\":[\"\\u00e9\",\"\\ud83d\\ude00\",1.0]}"
        );
    }

    #[test]
    fn default_json_is_what_botocore_sends() {
        let value = json!({"a": 1, "b": [true, null, 2.0], "c": "é\"x\n", "d": {}, "e": []});
        // python3 -c 'import json; print(json.dumps({...}))'
        assert_eq!(
            json_dumps(&value, JsonStyle::PYTHON_DEFAULT),
            r#"{"a": 1, "b": [true, null, 2.0], "c": "\u00e9\"x\n", "d": {}, "e": []}"#
        );
    }

    #[test]
    fn del_is_escaped_only_with_ensure_ascii_as_in_cpython() {
        // python3 -c 'import json; print(json.dumps("\x7f~"), json.dumps("\x7f~", ensure_ascii=False))'
        let value = json!("\u{7f}~");
        assert_eq!(
            json_dumps(&value, JsonStyle::PYTHON_DEFAULT),
            r#""\u007f~""#
        );
        assert_eq!(json_dumps(&value, JsonStyle::COMPACT), r#""\u007f~""#);
        assert_eq!(json_dumps(&value, JsonStyle::CLI_OUTPUT), "\"\u{7f}~\"");
    }

    #[test]
    fn str_of_scalars_and_containers_is_pythons() {
        assert_eq!(py_str(&json!(true)), "True");
        assert_eq!(py_str(&json!(null)), "None");
        assert_eq!(py_str(&json!(2.0)), "2.0");
        assert_eq!(py_str(&json!("x")), "x");
        assert_eq!(py_str(&json!({"a": ["b", 1]})), "{'a': ['b', 1]}");
        assert_eq!(py_str(&json!(["it's"])), "[\"it's\"]");
    }
}
