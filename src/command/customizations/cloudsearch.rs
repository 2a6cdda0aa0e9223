//! `cloudsearch define-expression --name N --expression E` and `cloudsearch define-index-field
//! --name N --type T [--default-value V --source-field F --facet-enabled B ...]` (awscli
//! `flatten.py` with the configuration of `cloudsearch.py`): flattened options that build the
//! `Expression` and `IndexField` structures. The CLI removes `--index-field` and turns
//! `--expression` into the expression's value; `--name` and `--expression`, or `--name` and
//! `--type`, are required. The index field's options go into `<Type>Options` of the `--type`
//! given (`int-array` → `IntArrayOptions`), a default value typed as that type's numbers.

use serde_json::{Map, Value};

use super::super::CommandError;
use crate::models::ServiceModel;

/// One flattened option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::command) enum FlatOption {
    /// `Expression.ExpressionName` or `IndexField.IndexFieldName`.
    Name,
    /// `Expression.ExpressionValue`.
    Expression,
    /// `IndexField.IndexFieldType`.
    Type,
    /// A member of the type's `<Type>Options`: its name, and whether the CLI reads it as a
    /// boolean (anything but `false` is true).
    TypeOption(&'static str, bool),
}

/// `define-expression`'s options, in the CLI's order.
pub(super) const EXPRESSION_OPTIONS: [(&str, FlatOption); 2] = [
    ("name", FlatOption::Name),
    ("expression", FlatOption::Expression),
];

/// `define-index-field`'s options, in the CLI's order (`--type` before the options it places).
pub(super) const INDEX_FIELD_OPTIONS: [(&str, FlatOption); 10] = [
    ("name", FlatOption::Name),
    ("type", FlatOption::Type),
    (
        "default-value",
        FlatOption::TypeOption("DefaultValue", false),
    ),
    (
        "facet-enabled",
        FlatOption::TypeOption("FacetEnabled", true),
    ),
    (
        "search-enabled",
        FlatOption::TypeOption("SearchEnabled", true),
    ),
    (
        "return-enabled",
        FlatOption::TypeOption("ReturnEnabled", true),
    ),
    ("sort-enabled", FlatOption::TypeOption("SortEnabled", true)),
    ("source-field", FlatOption::TypeOption("SourceField", false)),
    (
        "highlight-enabled",
        FlatOption::TypeOption("HighlightEnabled", true),
    ),
    (
        "analysis-scheme",
        FlatOption::TypeOption("AnalysisScheme", false),
    ),
];

/// The model's option the CLI removes from `define-index-field`, and why.
pub(super) const INDEX_FIELD_REMOVED: [(&str, &str); 1] = [(
    "index-field",
    "the AWS CLI's define-index-field takes the field flattened instead: --name, --type and \
     the type's options (--default-value, --facet-enabled, --search-enabled, --return-enabled, \
     --sort-enabled, --source-field, --highlight-enabled, --analysis-scheme)",
)];

/// Which of the two operations is being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flattened {
    Expression,
    IndexField,
}

impl Flattened {
    /// The operation's structure the options build.
    fn container(self) -> &'static str {
        match self {
            Flattened::Expression => "Expression",
            Flattened::IndexField => "IndexField",
        }
    }

    fn options(self) -> &'static [(&'static str, FlatOption)] {
        match self {
            Flattened::Expression => &EXPRESSION_OPTIONS,
            Flattened::IndexField => &INDEX_FIELD_OPTIONS,
        }
    }
}

/// Builds the structure from the options given, after checking the CLI's required ones.
pub(super) fn apply(
    model: &ServiceModel,
    operation: Flattened,
    params: &mut Map<String, Value>,
    mut given: Vec<(String, FlatOption, Vec<String>)>,
    requires_options: bool,
) -> Result<(), CommandError> {
    // `--cli-input-json` may give the whole structure, and an input skeleton needs no option
    // (the CLI's OverrideRequiredArgsArgument).
    if given.is_empty() && (!requires_options || params.contains_key(operation.container())) {
        return Ok(());
    }
    let required: &[(&str, FlatOption)] = match operation {
        Flattened::Expression => &EXPRESSION_OPTIONS,
        Flattened::IndexField => &INDEX_FIELD_OPTIONS[..2],
    };
    let missing: Vec<String> = required
        .iter()
        .filter(|(_, option)| !given.iter().any(|(_, o, _)| o == option))
        .map(|(name, _)| (*name).to_owned())
        .collect();
    if !missing.is_empty() {
        return Err(CommandError::MissingFlattened {
            command: format!(
                "cloudsearch {}",
                match operation {
                    Flattened::Expression => "define-expression",
                    Flattened::IndexField => "define-index-field",
                }
            ),
            options: missing,
        });
    }
    let options = operation.options();
    given.sort_by_key(|(_, option, _)| options.iter().position(|(_, o)| o == option));
    let mut container = Map::new();
    let mut field_type = None;
    for (name, option, words) in given {
        let value = one_word(&name, words)?;
        match option {
            FlatOption::Name => {
                let member = match operation {
                    Flattened::Expression => "ExpressionName",
                    Flattened::IndexField => "IndexFieldName",
                };
                container.insert(member.to_owned(), Value::String(value));
            }
            FlatOption::Expression => {
                container.insert("ExpressionValue".to_owned(), Value::String(value));
            }
            FlatOption::Type => {
                let allowed = model
                    .shape("IndexFieldType")
                    .map(|shape| shape.enum_values.clone())
                    .unwrap_or_default();
                if !allowed.contains(&value) {
                    return Err(CommandError::InvalidEnum {
                        option: name,
                        path: String::new(),
                        value,
                        allowed,
                    });
                }
                container.insert("IndexFieldType".to_owned(), Value::String(value.clone()));
                field_type = Some(value);
            }
            FlatOption::TypeOption(member, boolean) => {
                // `--type` is required and comes first, so it is known here.
                let field_type = field_type.as_deref().unwrap_or_default();
                let options_member = options_member(field_type);
                let fits = model
                    .shape("IndexField")
                    .and_then(|field| field.members.get(&options_member))
                    .and_then(|options| model.shape(&options.shape))
                    .map(|options| {
                        (
                            options.members.contains_key(member),
                            options.members.keys().cloned().collect::<Vec<_>>(),
                        )
                    });
                let Some((true, _)) = fits else {
                    let members = fits.map(|(_, members)| members).unwrap_or_default();
                    return Err(CommandError::InvalidValue {
                        option: name,
                        path: String::new(),
                        problem: format!(
                            "a field of --type {field_type} has no {member} ({options_member} \
                             has {})",
                            members.join(", ")
                        ),
                        expected: "only the options of the field's type".to_owned(),
                    });
                };
                let typed = if boolean {
                    Value::Bool(!value.eq_ignore_ascii_case("false"))
                } else if member == "DefaultValue" {
                    default_value(&name, field_type, value)?
                } else {
                    Value::String(value)
                };
                let entry = container
                    .entry(options_member)
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(type_options) = entry {
                    type_options.insert(member.to_owned(), typed);
                }
            }
        }
    }
    params.insert(operation.container().to_owned(), Value::Object(container));
    Ok(())
}

/// The flattened options that give `member`'s `value` back, for the canonical command line
/// (the model's `--expression` and `--index-field` do not parse here); `None` for any other
/// member, or a structure the flattened options cannot express.
pub(in crate::command) fn flattened_words(
    service: &str,
    operation: &str,
    member: &str,
    value: &Value,
) -> Option<Vec<(&'static str, Value)>> {
    let fields = value.as_object()?;
    let text = |key: &str| fields.get(key).cloned();
    match (service, operation, member) {
        ("cloudsearch", "DefineExpression", "Expression") => {
            if fields.len() != 2 {
                return None;
            }
            Some(vec![
                ("name", text("ExpressionName")?),
                ("expression", text("ExpressionValue")?),
            ])
        }
        ("cloudsearch", "DefineIndexField", "IndexField") => {
            let field_type = fields.get("IndexFieldType")?.as_str()?;
            let mut words = vec![
                ("name", text("IndexFieldName")?),
                ("type", text("IndexFieldType")?),
            ];
            let options_member = options_member(field_type);
            for (key, value) in fields {
                match key.as_str() {
                    "IndexFieldName" | "IndexFieldType" => {}
                    key if key == options_member => {
                        for (option_key, option_value) in value.as_object()? {
                            let (name, _) = INDEX_FIELD_OPTIONS.iter().find(|(_, option)| {
                                matches!(option, FlatOption::TypeOption(m, _) if m == option_key)
                            })?;
                            words.push((name, option_value.clone()));
                        }
                    }
                    _ => return None,
                }
            }
            Some(words)
        }
        _ => None,
    }
}

/// `int-array` → `IntArrayOptions`, `latlon` → `LatLonOptions`, as the CLI's `index_hydrate`.
fn options_member(field_type: &str) -> String {
    let mut name: String = field_type
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect();
    if name == "Latlon" {
        name = "LatLon".to_owned();
    }
    name.push_str("Options");
    name
}

/// The default value as the CLI types it: a whole number for int fields, a number for double
/// fields, the text otherwise.
fn default_value(name: &str, field_type: &str, value: String) -> Result<Value, CommandError> {
    let invalid = |expected: &str| CommandError::InvalidValue {
        option: name.to_owned(),
        path: String::new(),
        problem: format!("'{value}' is not a number"),
        expected: format!("{expected} for a field of --type {field_type}"),
    };
    match field_type {
        "int" | "int-array" => value
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| invalid("a whole number, like 10")),
        "double" | "double-array" => value
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| invalid("a number, like 2.5")),
        _ => Ok(Value::String(value)),
    }
}

/// The single word of an option.
fn one_word(name: &str, words: Vec<String>) -> Result<String, CommandError> {
    super::single_word(name, words, "a value; quote it when it contains spaces")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_name_their_options_member_as_the_cli_does() {
        assert_eq!(options_member("int"), "IntOptions");
        assert_eq!(options_member("int-array"), "IntArrayOptions");
        assert_eq!(options_member("latlon"), "LatLonOptions");
        assert_eq!(options_member("text-array"), "TextArrayOptions");
    }
}
