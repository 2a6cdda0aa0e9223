//! Reading one TOML item of the `[access]` table into its raw serde form, and the named
//! entries of a table of tables, recording every structural mistake.

use std::ops::Range;

use serde::de::{DeserializeOwned, IntoDeserializer as _};

use super::problems::Problems;

/// Deserializes one table or value on its own, recording its first structural mistake.
pub(super) fn read<T: DeserializeOwned>(
    item: &toml_edit::Item,
    path: &str,
    problems: &mut Problems,
) -> Option<T> {
    let value = match item.clone().into_value() {
        Ok(value) => value,
        Err(_) => {
            problems.push(item.span(), path, "expected a value or a table".into());
            return None;
        }
    };
    match T::deserialize(value.into_deserializer()) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            problems.push(
                error.span().or_else(|| item.span()),
                path,
                explain_serde_message(error.message()),
            );
            None
        }
    }
}

/// serde's messages name Rust types now and then; say it in TOML terms.
pub(super) fn explain_serde_message(message: &str) -> String {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return format!("unknown key {rest}");
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("missing key {rest}");
    }
    message
        .replace("a sequence", "a list")
        .replace("a map", "a table")
}

/// The `(name, item, key span)` entries of a table of tables such as `[access.accounts]`.
pub(super) fn entries<'a>(
    item: Option<&'a toml_edit::Item>,
    path: &str,
    problems: &mut Problems,
) -> Vec<(String, &'a toml_edit::Item, Option<Range<usize>>)> {
    let Some(item) = item else {
        return Vec::new();
    };
    let Some(table) = item.as_table_like() else {
        problems.push(
            item.span(),
            path,
            format!("`{path}` must be a table of named entries ([{path}.<name>])"),
        );
        return Vec::new();
    };
    table
        .iter()
        .map(|(name, value)| {
            let span = table
                .get_key_value(name)
                .and_then(|(key, _)| key.span())
                .or_else(|| value.span());
            (name.to_owned(), value, span)
        })
        .collect()
}
