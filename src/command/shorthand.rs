//! The AWS CLI's shorthand syntax (`Key=a,Value=b`, `Name=x,Values=a,b`, `a={b=c}`,
//! `a=[x,y]`), parsed purely syntactically into JSON strings, arrays and objects, following
//! the rules of the CLI's `shorthand.py`. Typing the values by the model is `values`' job;
//! this module never reads files (a `key@=file://...` value is reported, not read).

use serde_json::{Map, Value};

/// How many `[` and `{` a shorthand value may nest. The parser recurses once per level, and
/// the value is then checked and serialised by recursive code, so the depth is bounded before
/// any of that runs. The deepest AWS input shapes nest about ten levels, and shorthand that
/// deep is already unreadable; 32 leaves room and keeps every recursion a few dozen frames.
pub(crate) const MAX_SHORTHAND_DEPTH: usize = 32;

/// Why a shorthand value did not parse.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ShorthandError {
    /// The text does not follow the grammar at `index` (a character offset).
    Syntax {
        expected: &'static str,
        found: String,
        index: usize,
    },
    /// A key is given twice at the top level (usually a `,` where a space was meant).
    DuplicateKey { key: String },
    /// `key@=file://...`: the CLI would read a file here.
    FileReference { prefix: &'static str },
    /// `[` and `{` nest deeper than [`MAX_SHORTHAND_DEPTH`].
    TooDeep,
}

impl std::fmt::Display for ShorthandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShorthandError::Syntax {
                expected,
                found,
                index,
            } => write!(
                f,
                "shorthand syntax error at character {}: expected {expected}, found {found}",
                index + 1
            ),
            ShorthandError::DuplicateKey { key } => write!(
                f,
                "the key '{key}' appears twice; separate structures with a space, not a comma"
            ),
            ShorthandError::FileReference { prefix } => {
                write!(f, "'{prefix}' values are never read by the bot")
            }
            ShorthandError::TooDeep => write!(
                f,
                "shorthand nests [ and {{ more than {MAX_SHORTHAND_DEPTH} levels deep, the \
                 limit; flatten the value or give it as JSON"
            ),
        }
    }
}

/// The `file://` prefixes the AWS CLI resolves by reading a local file.
pub(crate) const FILE_PREFIXES: [&str; 2] = ["file://", "fileb://"];

/// The file prefix `value` starts with, if any (compared case-insensitively, to fail closed).
pub(crate) fn file_prefix(value: &str) -> Option<&'static str> {
    let lower = value.trim_start().to_ascii_lowercase();
    FILE_PREFIXES
        .into_iter()
        .find(|prefix| lower.starts_with(prefix))
}

/// Parses one shorthand value into a JSON object whose leaves are strings, arrays and objects.
pub(crate) fn parse(text: &str) -> Result<Map<String, Value>, ShorthandError> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        index: 0,
        resolve_files: false,
        depth: 0,
    };
    parser.parameter()
}

struct Parser {
    chars: Vec<char>,
    index: usize,
    /// Set after `key@=`, where the CLI resolves `file://` values.
    resolve_files: bool,
    /// How many `[` and `{` are open, bounded by [`MAX_SHORTHAND_DEPTH`].
    depth: usize,
}

type Parsed<T> = Result<T, ShorthandError>;

fn is_start_char(c: char) -> bool {
    !c.is_whitespace() && c > ' ' && !matches!(c, '"' | '\'' | ',' | '=' | '[' | '{')
}

fn is_first_follow_char(c: char) -> bool {
    c.is_whitespace() || (c > ' ' && !matches!(c, '"' | '\'' | ',' | ']' | '}'))
}

fn is_second_follow_char(c: char) -> bool {
    c.is_whitespace() || (c > ' ' && !matches!(c, '"' | '\'' | ',' | '='))
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '#' | '/' | ':')
}

impl Parser {
    fn parameter(&mut self) -> Parsed<Map<String, Value>> {
        let mut params = Map::new();
        let (key, value) = self.keyval()?;
        params.insert(key, value);
        while !self.at_eof() {
            self.expect(',', true)?;
            let (key, value) = self.keyval()?;
            if params.contains_key(&key) {
                return Err(ShorthandError::DuplicateKey { key });
            }
            params.insert(key, value);
        }
        Ok(params)
    }

    fn keyval(&mut self) -> Parsed<(String, Value)> {
        let key = self.key();
        self.file_marker();
        self.expect('=', true)?;
        let value = self.values()?;
        Ok((key, value))
    }

    /// `key@=value` asks the CLI to read `value` as a file reference.
    fn file_marker(&mut self) {
        self.resolve_files = false;
        let saved = self.index;
        self.consume_whitespace();
        if self.current() == Some('@') {
            self.index += 1;
            self.consume_whitespace();
            self.resolve_files = true;
        } else {
            self.index = saved;
        }
    }

    fn key(&mut self) -> String {
        let start = self.index;
        while self.current().is_some_and(is_key_char) {
            self.index += 1;
        }
        self.chars[start..self.index].iter().collect()
    }

    fn values(&mut self) -> Parsed<Value> {
        match self.current() {
            None => Ok(Value::String(String::new())),
            Some('[') => self.explicit_list(),
            Some('{') => self.hash_literal(),
            Some(_) => self.csv_value(),
        }
    }

    fn csv_value(&mut self) -> Parsed<Value> {
        let first = self.first_value()?;
        self.consume_whitespace();
        if self.current() != Some(',') {
            return Ok(Value::String(first));
        }
        self.expect(',', true)?;
        let mut list = vec![first.clone()];
        loop {
            let attempt = (|| {
                let current = self.second_value()?;
                self.consume_whitespace();
                if self.at_eof() {
                    return Ok((current, true));
                }
                self.expect(',', true)?;
                Ok((current, false))
            })();
            match attempt {
                Ok((current, done)) => {
                    list.push(current);
                    if done {
                        break;
                    }
                }
                Err(error) => {
                    if self.at_eof() {
                        return Err(error);
                    }
                    // The word was the key of the next `key=value`: step back to its comma.
                    self.backtrack_to(',');
                    break;
                }
            }
        }
        if list.len() == 1 {
            return Ok(Value::String(first));
        }
        Ok(Value::Array(list.into_iter().map(Value::String).collect()))
    }

    fn first_value(&mut self) -> Parsed<String> {
        match self.current() {
            Some('\'') => self.quoted('\''),
            Some('"') => self.quoted('"'),
            _ => self.unquoted(is_start_char, is_first_follow_char, false),
        }
    }

    fn second_value(&mut self) -> Parsed<String> {
        match self.current() {
            Some('\'') => self.quoted('\''),
            Some('"') => self.quoted('"'),
            _ => self.unquoted(is_start_char, is_second_follow_char, true),
        }
    }

    /// An unquoted word: a start character then follow characters, where `\,` is a literal
    /// comma; trailing whitespace is dropped.
    fn unquoted(
        &mut self,
        start: fn(char) -> bool,
        follow: fn(char) -> bool,
        must_match: bool,
    ) -> Parsed<String> {
        let begin = self.index;
        let mut raw = String::new();
        let mut first = true;
        loop {
            let allowed = if first { start } else { follow };
            if self.current() == Some('\\') && self.peek(1) == Some(',') {
                raw.push(',');
                self.index += 2;
            } else if let Some(c) = self.current().filter(|c| allowed(*c)) {
                raw.push(c);
                self.index += 1;
            } else {
                break;
            }
            first = false;
        }
        if self.index == begin && must_match {
            return Err(self.syntax_error("a value"));
        }
        let value = raw.trim_end().to_owned();
        self.check_file(&value)?;
        Ok(value)
    }

    fn quoted(&mut self, quote: char) -> Parsed<String> {
        let start = self.index;
        self.index += 1;
        let mut raw = String::new();
        loop {
            match self.current() {
                None => {
                    self.index = start;
                    return Err(self.syntax_error(if quote == '\'' {
                        "a closing single quote"
                    } else {
                        "a closing double quote"
                    }));
                }
                Some('\\') if self.peek(1) == Some(quote) => {
                    raw.push('\\');
                    raw.push(quote);
                    self.index += 2;
                }
                Some(c) if c == quote => {
                    self.index += 1;
                    break;
                }
                Some(c) => {
                    raw.push(c);
                    self.index += 1;
                }
            }
        }
        let value = raw
            .replace(&format!("\\{quote}"), &quote.to_string())
            .replace("\\\\", "\\");
        self.check_file(&value)?;
        Ok(value)
    }

    fn explicit_list(&mut self) -> Parsed<Value> {
        self.expect('[', true)?;
        self.enter()?;
        let mut values = Vec::new();
        while self.current() != Some(']') {
            values.push(self.explicit_value()?);
            self.consume_whitespace();
            if self.current() != Some(']') {
                self.expect(',', false)?;
                self.consume_whitespace();
            }
        }
        self.expect(']', false)?;
        self.depth -= 1;
        Ok(Value::Array(values))
    }

    fn explicit_value(&mut self) -> Parsed<Value> {
        match self.current() {
            Some('[') => self.explicit_list(),
            Some('{') => self.hash_literal(),
            _ => self.first_value().map(Value::String),
        }
    }

    fn hash_literal(&mut self) -> Parsed<Value> {
        self.expect('{', true)?;
        self.enter()?;
        let mut keyvals = Map::new();
        while self.current() != Some('}') {
            let key = self.key();
            self.file_marker();
            self.expect('=', true)?;
            let value = self.explicit_value()?;
            self.consume_whitespace();
            if self.current() != Some('}') {
                self.expect(',', false)?;
                self.consume_whitespace();
            }
            keyvals.insert(key, value);
        }
        self.expect('}', false)?;
        self.depth -= 1;
        Ok(Value::Object(keyvals))
    }

    /// Counts one more open `[` or `{`, refusing past [`MAX_SHORTHAND_DEPTH`].
    fn enter(&mut self) -> Parsed<()> {
        if self.depth >= MAX_SHORTHAND_DEPTH {
            return Err(ShorthandError::TooDeep);
        }
        self.depth += 1;
        Ok(())
    }

    fn check_file(&self, value: &str) -> Parsed<()> {
        if self.resolve_files {
            if let Some(prefix) = file_prefix(value) {
                return Err(ShorthandError::FileReference { prefix });
            }
        }
        Ok(())
    }

    fn expect(&mut self, expected: char, consume_whitespace: bool) -> Parsed<()> {
        if consume_whitespace {
            self.consume_whitespace();
        }
        if self.current() != Some(expected) {
            return Err(self.syntax_error(match expected {
                ',' => "','",
                '=' => "'='",
                '[' => "'['",
                ']' => "']'",
                '{' => "'{'",
                '}' => "'}'",
                _ => "a separator",
            }));
        }
        self.index += 1;
        if consume_whitespace {
            self.consume_whitespace();
        }
        Ok(())
    }

    fn syntax_error(&self, expected: &'static str) -> ShorthandError {
        ShorthandError::Syntax {
            expected,
            found: match self.current() {
                Some(c) => format!("'{c}'"),
                None => "the end of the value".to_owned(),
            },
            index: self.index,
        }
    }

    fn backtrack_to(&mut self, target: char) {
        while self.index > 0 && self.current() != Some(target) {
            self.index -= 1;
        }
    }

    fn consume_whitespace(&mut self) {
        while self.current().is_some_and(char::is_whitespace) {
            self.index += 1;
        }
    }

    fn current(&self) -> Option<char> {
        self.chars.get(self.index).copied()
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.index + ahead).copied()
    }

    fn at_eof(&self) -> bool {
        self.index >= self.chars.len()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Value) {
        let parsed = parse(input).map(Value::Object);
        assert_eq!(parsed, Ok(expected), "{input}");
    }

    #[test]
    fn follows_the_cli_grammar() {
        check("a=b", json!({"a": "b"}));
        check("a=b,c", json!({"a": ["b", "c"]}));
        check("Key=a,Value=b", json!({"Key": "a", "Value": "b"}));
        check(
            "Name=x,Values=a,b",
            json!({"Name": "x", "Values": ["a", "b"]}),
        );
        check(
            "Values=a,b,Name=x",
            json!({"Values": ["a", "b"], "Name": "x"}),
        );
        check("a={b=c,d=e}", json!({"a": {"b": "c", "d": "e"}}));
        check("a=[x,y],b=z", json!({"a": ["x", "y"], "b": "z"}));
        check("a=[{b=c},{b=d}]", json!({"a": [{"b": "c"}, {"b": "d"}]}));
        check("a=", json!({"a": ""}));
        check("a='x,y',b=\"p q\"", json!({"a": "x,y", "b": "p q"}));
        check("a=x\\,y", json!({"a": "x,y"}));
        check("a=b=c", json!({"a": "b=c"}));
        check("a = b , c = d", json!({"a": "b", "c": "d"}));
        check("url=https://x/y?z=1", json!({"url": "https://x/y?z=1"}));
    }

    #[test]
    fn reports_errors() {
        assert!(matches!(
            parse("a=b,a=c"),
            Err(ShorthandError::DuplicateKey { .. })
        ));
        assert!(matches!(parse("abc"), Err(ShorthandError::Syntax { .. })));
        assert!(matches!(
            parse("a=[x,y"),
            Err(ShorthandError::Syntax { .. })
        ));
        assert!(matches!(parse("a='x"), Err(ShorthandError::Syntax { .. })));
        assert_eq!(
            parse("a@=file:///etc/passwd"),
            Err(ShorthandError::FileReference { prefix: "file://" })
        );
        // Without `@=` the CLI takes a file:// inside shorthand literally.
        check("a=file://x", json!({"a": "file://x"}));
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;
    use crate::config::toml_limits::{nesting_cases, Nesting};

    #[test]
    fn nesting_is_bounded() {
        // Hashes, lists, and both in turn (two levels a repetition).
        let nestings =
            [("{a=", "}", 1), ("[", "]", 1), ("[{a=", "}]", 2)].map(|(open, close, levels)| {
                Nesting {
                    prefix: "k=",
                    open,
                    inner: "b",
                    close,
                    levels,
                }
            });
        let mut cases = nesting_cases(MAX_SHORTHAND_DEPTH, &nestings);
        cases.extend([
            // Siblings do not add up: depth is per path.
            (format!("k=[{}]", vec!["[[a]]"; 200].join(",")), true),
            // The crash inputs.
            (format!("k={}", "{a=".repeat(1000)), false),
            (format!("k={}", "[".repeat(3000)), false),
        ]);
        for (text, accepted) in cases {
            let outcome = parse(&text);
            if accepted {
                assert!(outcome.is_ok(), "{text:.60}: {outcome:?}");
            } else {
                assert_eq!(outcome, Err(ShorthandError::TooDeep), "{text:.60}");
            }
        }
    }
}
