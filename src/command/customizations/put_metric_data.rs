//! `cloudwatch put-metric-data --metric-name X --value 3 --unit Count --dimensions A=b,C=d`
//! (awscli `putmetricdata.py`): options that fill the first element of `MetricData`, so that
//! one datapoint needs no JSON. `--metric-data` is then optional; it cannot be combined with
//! them (except `--storage-resolution`, which sets its first element's resolution).

use serde_json::{Map, Value};

use super::super::values::ValueParser;
use super::super::CommandError;
use crate::models::{Operation, ServiceModel, ShapeRef};

/// One option of the customization, each filling one member of the first datum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::command) enum PutMetricOption {
    MetricName,
    Timestamp,
    Unit,
    Value,
    Dimensions,
    StatisticValues,
    StorageResolution,
}

/// The options in the CLI's order (the order their members are added to the datum).
pub(super) const OPTIONS: [(&str, PutMetricOption); 7] = [
    ("metric-name", PutMetricOption::MetricName),
    ("timestamp", PutMetricOption::Timestamp),
    ("unit", PutMetricOption::Unit),
    ("value", PutMetricOption::Value),
    ("dimensions", PutMetricOption::Dimensions),
    ("statistic-values", PutMetricOption::StatisticValues),
    ("storage-resolution", PutMetricOption::StorageResolution),
];

impl PutMetricOption {
    /// The `MetricDatum` member the option fills.
    fn member(self) -> &'static str {
        match self {
            PutMetricOption::MetricName => "MetricName",
            PutMetricOption::Timestamp => "Timestamp",
            PutMetricOption::Unit => "Unit",
            PutMetricOption::Value => "Value",
            PutMetricOption::Dimensions => "Dimensions",
            PutMetricOption::StatisticValues => "StatisticValues",
            PutMetricOption::StorageResolution => "StorageResolution",
        }
    }
}

/// Fills the first `MetricData` element from the options given (`given` in the order typed).
pub(super) fn apply(
    model: &ServiceModel,
    operation: &Operation,
    params: &mut Map<String, Value>,
    mut given: Vec<(String, PutMetricOption, Vec<String>)>,
) -> Result<(), CommandError> {
    if params.contains_key("MetricData") {
        if let Some((name, _, _)) = given
            .iter()
            .find(|(_, option, _)| *option != PutMetricOption::StorageResolution)
        {
            return Err(CommandError::OptionConflict {
                option: name.clone(),
                other: "metric-data".to_owned(),
                hint: "give the datapoint either as --metric-data or with --metric-name, \
                       --value, --unit, --dimensions, --timestamp and --statistic-values"
                    .to_owned(),
            });
        }
    }
    let datum_members = model
        .input_shape(operation)
        .and_then(|input| input.members.get("MetricData"))
        .and_then(|list| model.shape(&list.shape))
        .and_then(|list| list.member.as_ref())
        .and_then(|datum| model.shape(&datum.shape))
        .map(|datum| &datum.members);
    let Some(datum_members) = datum_members else {
        return Ok(());
    };
    // The CLI adds them in its own order, whatever the order typed.
    given.sort_by_key(|(_, option, _)| OPTIONS.iter().position(|(_, o)| o == option));
    let mut datum = Map::new();
    for (name, option, words) in given {
        let Some(member) = datum_members.get(option.member()) else {
            continue;
        };
        let value = match option {
            PutMetricOption::Dimensions => dimensions(&name, &words)?,
            _ => typed(model, member, &name, &words)?,
        };
        datum.insert(option.member().to_owned(), value);
    }
    match params.get_mut("MetricData") {
        // `--storage-resolution` beside `--metric-data` sets its first datum's resolution.
        Some(Value::Array(data)) => {
            if let Some(Value::Object(first)) = data.first_mut() {
                first.extend(datum);
            }
        }
        _ => {
            params.insert(
                "MetricData".to_owned(),
                Value::Array(vec![Value::Object(datum)]),
            );
        }
    }
    Ok(())
}

/// A value typed and checked by its member's shape, as if given inside `--metric-data`.
fn typed(
    model: &ServiceModel,
    member: &ShapeRef,
    name: &str,
    words: &[String],
) -> Result<Value, CommandError> {
    if words.is_empty() {
        return Err(CommandError::MissingValue {
            option: name.to_owned(),
            expected: super::super::values::describe_shape(model, &member.shape),
        });
    }
    ValueParser {
        model,
        option: name,
    }
    .parse_member(member, words)
}

/// `InstanceId=i-1,InstanceType=m1.small` → `[{Name, Value}, ...]`: the CLI's own format for
/// this option (not the `Name=..,Value=..` shorthand of `--metric-data`'s dimensions).
fn dimensions(name: &str, words: &[String]) -> Result<Value, CommandError> {
    let expected =
        "Name=Value pairs separated by commas, like InstanceId=i-1234,InstanceType=m5.large";
    let [text] = words else {
        return Err(match words.get(1) {
            Some(extra) => CommandError::UnexpectedArgument {
                value: extra.clone(),
                after: Some(name.to_owned()),
            },
            None => CommandError::MissingValue {
                option: name.to_owned(),
                expected: expected.to_owned(),
            },
        });
    };
    let mut dimensions = Vec::new();
    for pair in split_on_commas(text) {
        let mut parts = pair.split('=');
        let (Some(key), Some(value), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CommandError::InvalidValue {
                option: name.to_owned(),
                path: String::new(),
                problem: format!("'{pair}' is not one Name=Value pair"),
                expected: expected.to_owned(),
            });
        };
        let mut dimension = Map::new();
        dimension.insert("Name".to_owned(), Value::String(key.to_owned()));
        dimension.insert("Value".to_owned(), Value::String(value.to_owned()));
        dimensions.push(Value::Object(dimension));
    }
    Ok(Value::Array(dimensions))
}

/// Splits on commas, a backslash keeping the next character (`a\,b` is one part), as the
/// CLI's `split_on_commas` does for values without quotes or brackets.
fn split_on_commas(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            ',' => parts.push(std::mem::take(&mut current)),
            other => current.push(other),
        }
    }
    parts.push(current);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_split_unless_escaped() {
        assert_eq!(split_on_commas("A=b,C=d"), ["A=b", "C=d"]);
        assert_eq!(split_on_commas(r"A=b\,c,D=e"), ["A=b,c", "D=e"]);
        assert_eq!(split_on_commas(""), [""]);
    }
}
