//! Prints a parsed response exactly as the AWS CLI v1 (1.45.11) prints it: `--query` first,
//! then `--output json|text|table|yaml`. Pure: no IO, no AWS, no chat types.
//!
//! The input is the response as the CLI's formatter sees it: keys in model order, timestamps
//! already ISO 8601 strings, blobs base64, integers as JSON integers and floats as JSON floats
//! (`serde_json` keeps the difference, and Python prints `1.0` for a float).

mod east_asian_width;
mod format;
mod pages;
mod python;
mod query;
pub mod s3;
mod table;
mod text;
mod yaml;

use serde_json::Value;

pub use format::OutputFormat;
pub use pages::{render_text_pages, Pages};
pub use python::{float_repr, json_dumps, JsonStyle};
pub use query::Query;

/// Errors of the output layer.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The `--query` expression does not parse. The CLI reports this while parsing arguments.
    #[error("Bad value for --query {expression}: {reason}")]
    InvalidQuery { expression: String, reason: String },
    /// The query parsed but failed on this data (a function given the wrong type, say).
    #[error("{0}")]
    QueryFailed(String),
    /// The text formatter met a list mixing objects and other values, where the CLI fails.
    #[error("{0}")]
    Text(String),
    /// The table formatter met a shape it cannot lay out (rows of different lengths); the
    /// CLI fails in the same places.
    #[error("{0}")]
    Table(String),
}

/// What a formatter needs besides the data.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
    /// The operation's model name (`DescribeAlarms`): the table's title.
    pub operation_title: &'a str,
    /// Columns available to a table; wider tables turn single-row sections vertical. The CLI
    /// uses the terminal's width, or 80 when stdout is not a terminal.
    pub terminal_width: usize,
}

impl<'a> RenderContext<'a> {
    pub fn new(operation_title: &'a str) -> Self {
        Self {
            operation_title,
            terminal_width: 80,
        }
    }
}

/// Applies `query` to `value` and formats the result as `format`, including the trailing
/// newline the CLI prints. An empty string means the CLI prints nothing.
pub fn render(
    value: &Value,
    format: OutputFormat,
    query: Option<&str>,
    context: &RenderContext<'_>,
) -> Result<String, OutputError> {
    let query = query.map(Query::parse).transpose()?;
    render_with(value, format, query.as_ref(), context)
}

/// [`render`] with an already parsed query.
pub fn render_with(
    value: &Value,
    format: OutputFormat,
    query: Option<&Query>,
    context: &RenderContext<'_>,
) -> Result<String, OutputError> {
    let value = queried(value, query)?;
    let value = value.as_ref();
    Ok(match format {
        OutputFormat::Json => {
            // formatter.py: everything is printed except an empty dict (operations without a
            // response body); `[]`, `null` and `""` are printed.
            if value.as_object().is_some_and(|o| o.is_empty()) {
                String::new()
            } else {
                let mut out = json_dumps(value, JsonStyle::CLI_OUTPUT);
                out.push('\n');
                out
            }
        }
        OutputFormat::Text => {
            let mut out = String::new();
            text::format_text(value, &mut out)?;
            out
        }
        OutputFormat::Table => {
            table::format_table(context.operation_title, value, context.terminal_width)?
        }
        OutputFormat::Yaml => {
            if value.as_object().is_some_and(|o| o.is_empty()) {
                String::new()
            } else {
                yaml::format_yaml(value)
            }
        }
    })
}

/// `value` with `query` applied, or `value` itself when there is no query.
fn queried<'v>(
    value: &'v Value,
    query: Option<&Query>,
) -> Result<std::borrow::Cow<'v, Value>, OutputError> {
    Ok(match query {
        Some(query) => std::borrow::Cow::Owned(query.search(value)?),
        None => std::borrow::Cow::Borrowed(value),
    })
}

#[cfg(test)]
mod tests;
