//! Reading the `[bot]` table of the config file into setting texts, the way the environment
//! gives them; the `[access]` table is `policy::config`'s.

use std::path::Path;

use super::{toml_limits, ConfigError};

/// The `[bot]` table's settings as text, the way the environment gives them.
pub(super) type BotTable = std::collections::HashMap<String, String>;

pub(super) fn read_bot_table(path: &Path) -> Result<BotTable, ConfigError> {
    let shown = path.display().to_string();
    let contents = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
        path: shown.clone(),
        source,
    })?;
    parse_bot_table(&contents, &shown)
}

pub(super) fn parse_bot_table(contents: &str, shown: &str) -> Result<BotTable, ConfigError> {
    toml_limits::check_nesting(contents).map_err(|(_, reason)| ConfigError::ParseFile {
        path: shown.to_owned(),
        reason,
    })?;
    let document =
        toml_edit::ImDocument::parse(contents).map_err(|error| ConfigError::ParseFile {
            path: shown.to_owned(),
            reason: error.message().to_owned(),
        })?;
    let Some(item) = document.get("bot") else {
        return Ok(BotTable::new());
    };
    let Some(table) = item.as_table_like() else {
        return Err(ConfigError::ParseFile {
            path: shown.to_owned(),
            reason: "`bot` must be a table ([bot])".into(),
        });
    };
    Ok(table
        .iter()
        .map(|(name, item)| (name.to_owned(), setting_text(item)))
        .collect())
}

/// A setting's value as text: strings as they are, numbers and booleans written out.
fn setting_text(item: &toml_edit::Item) -> String {
    match item.as_value() {
        Some(toml_edit::Value::String(value)) => value.value().clone(),
        Some(toml_edit::Value::Integer(value)) => value.value().to_string(),
        Some(toml_edit::Value::Boolean(value)) => value.value().to_string(),
        // Other TOML types cannot be a setting; their text makes validation name them.
        Some(other) => other.clone().decorated("", "").to_string(),
        None => item.to_string().trim().to_owned(),
    }
}

pub(super) fn lookup_table(table: &BotTable, name: &str) -> Option<String> {
    table.get(name).cloned()
}
