//! Walking the tables of `[notifications]` by hand: unknown keys with a did-you-mean, required
//! keys with the place of their table, and lists of tables written either way TOML allows.
//! Reading by hand (not one serde struct) reports every unknown key, not only the first.

use std::ops::Range;

use toml_edit::TableLike;

use super::super::problems::{quoted_list, Problems};

/// Reports each key of `table` that is not in `known`, at the key, with the closest known one.
pub(super) fn check_keys(
    table: &dyn TableLike,
    known: &[&str],
    path: &str,
    problems: &mut Problems,
) {
    for (key, value) in table.iter() {
        if known.contains(&key) {
            continue;
        }
        let hint = crate::models::suggest(key, known.iter().copied(), 1)
            .first()
            .map(|close| format!(" Did you mean `{close}`?"))
            .unwrap_or_default();
        problems.push(
            table
                .get_key_value(key)
                .and_then(|(k, _)| k.span())
                .or_else(|| value.span()),
            format!("{path}.{key}"),
            format!(
                "unknown key `{key}`.{hint} [{}] takes {}",
                table_name(path),
                quoted_list(known)
            ),
        );
    }
}

/// The value of a key the table must have, or `None` after reporting it missing at the table.
pub(super) fn required<'a>(
    table: &'a dyn TableLike,
    key: &str,
    path: &str,
    table_span: Option<Range<usize>>,
    problems: &mut Problems,
) -> Option<&'a toml_edit::Item> {
    let item = table.get(key);
    if item.is_none() {
        problems.push(
            table_span,
            path,
            format!("missing key `{key}` in [{}]", table_name(path)),
        );
    }
    item
}

/// One table of a list of tables, with its span (the `[[…]]` header or the inline table).
pub(super) type ListedTable<'a> = (&'a dyn TableLike, Option<Range<usize>>);

/// The tables of a list of tables (`[[path]]` or an inline array of inline tables), each with
/// its span, or `None` after reporting that the item is something else.
pub(super) fn sub_tables<'a>(
    item: &'a toml_edit::Item,
    path: &str,
    form: &str,
    problems: &mut Problems,
) -> Option<Vec<ListedTable<'a>>> {
    let not_a_list = |problems: &mut Problems, span| {
        problems.push(
            span,
            path,
            format!("`{path}` must be a list of tables, each written {form}"),
        )
    };
    match item {
        toml_edit::Item::ArrayOfTables(tables) => Some(
            tables
                .iter()
                .map(|table| (table as &dyn TableLike, table.span()))
                .collect(),
        ),
        toml_edit::Item::Value(toml_edit::Value::Array(values)) => {
            let mut tables = Vec::new();
            for value in values.iter() {
                match value.as_inline_table() {
                    Some(table) => tables.push((table as &dyn TableLike, value.span())),
                    None => not_a_list(problems, value.span()),
                }
            }
            Some(tables)
        }
        other => {
            not_a_list(problems, other.span());
            None
        }
    }
}

/// `notifications.log_groups[0]` → `notifications.log_groups`: the table a reader writes.
fn table_name(path: &str) -> &str {
    path.split_once('[').map_or(path, |(name, _)| name)
}
