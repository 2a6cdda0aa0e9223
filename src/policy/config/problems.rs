//! The mistakes of a config file: each with its span and table path, explained with line,
//! column and the offending line (secret values masked), and the list the readers collect
//! them in.

use std::fmt;
use std::ops::Range;

/// One mistake in the file: where, in which table, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Byte range in the file, when the mistake has a place.
    pub span: Option<Range<usize>>,
    /// The dotted path of the table or key (`access.channels.ops.accounts`).
    pub path: String,
    pub message: String,
}

/// Every problem found in a config file. `Display` gives one line per problem without the
/// file's text; [`ConfigProblems::explain`] adds line, column and the offending line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigProblems {
    pub problems: Vec<ConfigProblem>,
}

impl fmt::Display for ConfigProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}: {}", problem.path, problem.message)?;
        }
        Ok(())
    }
}

impl ConfigProblems {
    /// One block per problem: `file:line:col: path: message`, then the line itself with a
    /// caret under the place, the way compilers point at mistakes.
    pub fn explain(&self, file_name: &str, text: &str) -> String {
        let mut out = String::new();
        for problem in &self.problems {
            match &problem.span {
                Some(span) => {
                    let (line, column) = line_column(text, span.start);
                    let source_line = mask_secret_values(text.lines().nth(line - 1).unwrap_or(""));
                    let width = text[span.clone()]
                        .lines()
                        .next()
                        .map(|first| first.chars().count())
                        .unwrap_or(1)
                        .max(1);
                    out.push_str(&format!(
                        "{file_name}:{line}:{column}: {}: {}\n  {line:>4} | {source_line}\n       | {}{}\n",
                        problem.path,
                        problem.message,
                        " ".repeat(column - 1),
                        "^".repeat(width)
                    ));
                }
                None => out.push_str(&format!(
                    "{file_name}: {}: {}\n",
                    problem.path, problem.message
                )),
            }
        }
        out
    }
}

/// `line` with the value of every key that names a secret (`MicrosoftAppPassword`, anything
/// with password, secret, token or credential in its name) replaced by as many `*`, so that a
/// quoted line never shows a secret and the caret under it still points at the same column.
pub(super) fn mask_secret_values(line: &str) -> String {
    static SECRET_VALUE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?i)((?:[A-Za-z0-9_-]*(?:password|secret|token|credential)[A-Za-z0-9_-]*|"[^"]*(?:password|secret|token|credential)[^"]*")\s*=\s*)("(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s,}]+)"#,
        )
        .expect("the secret pattern compiles")
    });
    SECRET_VALUE
        .replace_all(line, |captures: &regex::Captures<'_>| {
            let value = &captures[2];
            let stars = "*".repeat(value.chars().count());
            format!("{}{stars}", &captures[1])
        })
        .into_owned()
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<ConfigProblem>);

impl Problems {
    pub(super) fn push(
        &mut self,
        span: Option<Range<usize>>,
        path: impl Into<String>,
        message: String,
    ) {
        self.0.push(ConfigProblem {
            span,
            path: path.into(),
            message,
        });
    }
}

pub(super) fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn key_span(table: &toml_edit::Table, key: &str) -> Option<Range<usize>> {
    table.key(key).and_then(|key| key.span())
}
