//! `--cli-input-json` and `--cli-input-yaml`: a whole operation input as one JSON or YAML
//! document, merged under the options given on the command line (those win, as in the AWS
//! CLI's `cliinputjson.py`), each member checked against the model like any JSON value.
//! Pure: the text arrives inline (`exec` reads a `file://` value before parsing). Bounded:
//! at most [`MAX_CLI_INPUT_BYTES`], nesting at most one level over the JSON value limit, and
//! YAML is read from saphyr's event stream without recursion, its aliases refused.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser as YamlParser, ScalarStyle};
use serde_json::{Map, Number, Value};

use super::values::{json_depth, ValueParser, MAX_JSON_VALUE_DEPTH};
use super::{CommandError, Invocation};
use crate::models::{Operation, ServiceModel};

/// The largest `--cli-input-json`/`--cli-input-yaml` document: far above any AWS input, so
/// a file or a message cannot make the parser hold more.
pub const MAX_CLI_INPUT_BYTES: usize = 1024 * 1024;

/// How deep the document may nest: the top-level object plus a member value at the JSON
/// option limit.
const MAX_INPUT_DEPTH: usize = MAX_JSON_VALUE_DEPTH + 1;

/// Which of the two options carried the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CliInputFormat {
    Json,
    Yaml,
}

impl CliInputFormat {
    /// The option's name, without dashes.
    pub fn option(self) -> &'static str {
        match self {
            CliInputFormat::Json => "cli-input-json",
            CliInputFormat::Yaml => "cli-input-yaml",
        }
    }
}

/// The document given to `--cli-input-json` or `--cli-input-yaml`, not yet read.
#[derive(Debug, Clone, PartialEq)]
pub struct CliInput {
    pub format: CliInputFormat,
    pub text: String,
}

/// Adds the document's members to the invocation's parameters, except those the command line
/// gave; every member must be one of the operation's input members and match its shape.
pub(super) fn merge(
    model: &ServiceModel,
    operation: &Operation,
    invocation: &mut Invocation,
    input: CliInput,
) -> Result<(), CommandError> {
    let option = input.format.option();
    let document = read_document(&input)?;
    let Value::Object(members) = document else {
        return Err(invalid(
            option,
            "the document is not an object".to_owned(),
            "an object of the operation's input members, as --generate-cli-skeleton prints it",
        ));
    };
    let input_shape = model.input_shape(operation);
    let checker = ValueParser { model, option };
    for (name, value) in members {
        let Some(member) = input_shape.and_then(|shape| shape.members.get(&name)) else {
            let known: Vec<&str> = input_shape
                .map(|shape| shape.members.keys().map(String::as_str).collect())
                .unwrap_or_default();
            return Err(invalid(
                option,
                format!("Unknown parameter in input: \"{name}\""),
                &if known.is_empty() {
                    "no parameters: this operation takes none".to_owned()
                } else {
                    format!("one of: {}", known.join(", "))
                },
            ));
        };
        if invocation.params.contains_key(&name) {
            continue;
        }
        let checked = checker.check_json(&member.shape, value, &name)?;
        invocation.params.insert(name, checked);
    }
    Ok(())
}

/// The document as a JSON value, within the size and nesting bounds.
fn read_document(input: &CliInput) -> Result<Value, CommandError> {
    let option = input.format.option();
    let expected = match input.format {
        CliInputFormat::Json => "a JSON object, as --generate-cli-skeleton prints it",
        CliInputFormat::Yaml => "a YAML mapping, as --generate-cli-skeleton yaml-input prints it",
    };
    if input.text.len() > MAX_CLI_INPUT_BYTES {
        return Err(invalid(
            option,
            format!(
                "the document is {} bytes, over the limit of {MAX_CLI_INPUT_BYTES}; give large values as options instead",
                input.text.len()
            ),
            expected,
        ));
    }
    let value = match input.format {
        CliInputFormat::Json => serde_json::from_str::<Value>(&input.text)
            .map_err(|error| invalid(option, format!("Invalid JSON: {error}"), expected))?,
        CliInputFormat::Yaml => yaml_to_json(&input.text)
            .map_err(|problem| invalid(option, format!("Invalid YAML: {problem}"), expected))?,
    };
    if json_depth(&value) > MAX_INPUT_DEPTH {
        return Err(invalid(
            option,
            format!(
                "the document nests more than {MAX_INPUT_DEPTH} levels deep, the limit; flatten the value"
            ),
            expected,
        ));
    }
    Ok(value)
}

fn invalid(option: &str, problem: String, expected: &str) -> CommandError {
    CommandError::InvalidValue {
        option: option.to_owned(),
        path: String::new(),
        problem,
        expected: expected.to_owned(),
    }
}

/// A collection being read: its items so far, and for a mapping the key waiting for its value.
enum Open {
    Sequence(Vec<Value>),
    Mapping(Map<String, Value>, Option<String>),
}

/// Reads one YAML document (YAML 1.2, the core schema's scalars, as the AWS CLI v2 reads
/// `--cli-input-yaml`) into JSON, from the parser's events with an explicit stack: no
/// recursion, nesting refused past [`MAX_INPUT_DEPTH`] as soon as it is seen, aliases and
/// non-string keys refused, a second document refused.
pub fn yaml_to_json(text: &str) -> Result<Value, String> {
    let mut stack: Vec<Open> = Vec::new();
    let mut document: Option<Value> = None;
    let mut documents = 0;
    for event in YamlParser::new_from_str(text) {
        let (event, span) = event.map_err(|error| error.to_string())?;
        let at = || format!("line {} column {}", span.start.line(), span.start.col() + 1);
        let complete = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(format!(
                        "a second document starts at {}; give one document",
                        at()
                    ));
                }
                continue;
            }
            Event::Alias(_) => {
                return Err(format!(
                    "an alias (*name) at {}; write the value out instead",
                    at()
                ))
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() + 1 > MAX_INPUT_DEPTH {
                    return Err(format!(
                        "the document nests more than {MAX_INPUT_DEPTH} levels deep at {}, the limit; flatten the value",
                        at()
                    ));
                }
                stack.push(match event {
                    Event::SequenceStart(..) => Open::Sequence(Vec::new()),
                    _ => Open::Mapping(Map::new(), None),
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Sequence(items)) => Value::Array(items),
                Some(Open::Mapping(map, _)) => Value::Object(map),
                None => return Err(format!("an unexpected end of a collection at {}", at())),
            },
            Event::Scalar(value, style, _, tag) => {
                let is_str_tag = tag
                    .as_ref()
                    .is_some_and(|tag| tag.is_yaml_core_schema() && tag.suffix == "str");
                scalar(value, style, is_str_tag)
            }
            _ => continue,
        };
        match stack.last_mut() {
            None => document = Some(complete),
            Some(Open::Sequence(items)) => items.push(complete),
            Some(Open::Mapping(map, pending_key)) => match pending_key.take() {
                Some(key) => {
                    map.insert(key, complete);
                }
                None => match complete {
                    Value::String(key) => *pending_key = Some(key),
                    Value::Number(_) | Value::Bool(_) => *pending_key = Some(complete.to_string()),
                    _ => {
                        return Err(format!(
                            "a mapping key at {} is not a string; keys are member names",
                            at()
                        ))
                    }
                },
            },
        }
    }
    document.ok_or_else(|| "the document is empty".to_owned())
}

/// A scalar's JSON value: quoted and block scalars are strings; plain ones follow the YAML
/// 1.2 core schema (null, booleans, integers, floats), everything else a string.
fn scalar(value: Cow<'_, str>, style: ScalarStyle, is_str_tag: bool) -> Value {
    if style != ScalarStyle::Plain || is_str_tag {
        return Value::String(value.into_owned());
    }
    let text = value.as_ref();
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(number) = core_integer(text) {
        return Value::Number(number);
    }
    if is_core_float(text) {
        if let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(number);
        }
    }
    Value::String(value.into_owned())
}

/// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+` (the core schema's integers).
fn core_integer(text: &str) -> Option<Number> {
    if let Some(octal) = text.strip_prefix("0o") {
        return i64::from_str_radix(octal, 8).ok().map(Number::from);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Number::from);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok().map(Number::from)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (the core schema's finite floats;
/// `.inf` and `.nan` have no JSON value and stay strings).
fn is_core_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(fraction) => {
            digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !whole.is_empty() && digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Reads the invocation's `--cli-input-json`/`--cli-input-yaml` document, if any, into its
/// parameters (called once the command line's options are read).
pub(super) fn apply(
    model: &ServiceModel,
    operation: &Operation,
    invocation: &mut Invocation,
) -> Result<(), CommandError> {
    match invocation.globals.cli_input.take() {
        Some(input) => merge(model, operation, invocation, input),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_reads_as_the_core_schema() {
        let text = "AlarmNames:\n  - cpu-high\n  - 'true'\nMaxRecords: 10\nRatio: 1.5\nFlag: true\nEmpty: ~\nHex: 0x1f\nWord: yes\nQuoted: \"10\"\nInline: {a: 1, b: [x, y]}\n";
        assert_eq!(
            yaml_to_json(text).unwrap(),
            json!({
                "AlarmNames": ["cpu-high", "true"],
                "MaxRecords": 10,
                "Ratio": 1.5,
                "Flag": true,
                "Empty": null,
                "Hex": 31,
                "Word": "yes",
                "Quoted": "10",
                "Inline": {"a": 1, "b": ["x", "y"]}
            })
        );
        assert_eq!(yaml_to_json("!!str 12").unwrap(), json!("12"));
        assert_eq!(
            yaml_to_json("- .5\n- 1e3\n- .inf\n- 1.2.3\n").unwrap(),
            json!([0.5, 1000.0, ".inf", "1.2.3"])
        );
    }

    #[test]
    fn yaml_refuses_what_could_blow_up_or_confuse() {
        let alias = "a: &x [1, 2]\nb: *x\n";
        assert!(yaml_to_json(alias).unwrap_err().contains("alias"));
        let two = "a: 1\n---\nb: 2\n";
        assert!(yaml_to_json(two).unwrap_err().contains("second document"));
        let deepest = format!(
            "{}{}",
            "[".repeat(MAX_INPUT_DEPTH),
            "]".repeat(MAX_INPUT_DEPTH)
        );
        assert!(yaml_to_json(&deepest).is_ok());
        let deeper = format!(
            "{}{}",
            "[".repeat(MAX_INPUT_DEPTH + 1),
            "]".repeat(MAX_INPUT_DEPTH + 1)
        );
        assert!(yaml_to_json(&deeper).unwrap_err().contains("levels deep"));
        // Far deeper than any stack would take: refused as the events stream in.
        let huge = "[".repeat(200_000);
        assert!(yaml_to_json(&huge).is_err());
        assert!(yaml_to_json("a: [1, 2").is_err());
        assert!(yaml_to_json("").unwrap_err().contains("empty"));
        assert!(yaml_to_json("? [a]\n: 1\n")
            .unwrap_err()
            .contains("not a string"));
    }

    fn parse_chat(text: &str) -> Result<Invocation, CommandError> {
        match crate::command::parse(
            text,
            crate::models::Models::global(),
            crate::command::ParseContext::Chat,
        )? {
            crate::command::Command::Run(invocation) => Ok(invocation),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn the_document_fills_what_the_command_line_does_not_give() {
        let invocation = parse_chat(
            r#"cloudwatch describe-alarms --state-value OK --cli-input-json '{"StateValue": "ALARM", "AlarmNames": ["a", "b"], "MaxRecords": 5}'"#,
        )
        .unwrap();
        assert_eq!(
            Value::Object(invocation.params.clone()),
            json!({"StateValue": "OK", "AlarmNames": ["a", "b"], "MaxRecords": 5})
        );
        assert_eq!(invocation.globals.cli_input, None, "read, not kept");
        let yaml =
            parse_chat("cloudwatch describe-alarms --cli-input-yaml 'AlarmNames: [a, b]'").unwrap();
        assert_eq!(
            Value::Object(yaml.params),
            json!({"AlarmNames": ["a", "b"]})
        );
        // Members are checked as JSON option values are: types and enums.
        assert!(matches!(
            parse_chat(r#"cloudwatch describe-alarms --cli-input-json '{"StateValue": "RED"}'"#),
            Err(CommandError::InvalidEnum { .. })
        ));
        assert!(matches!(
            parse_chat(r#"cloudwatch describe-alarms --cli-input-json '{"MaxRecords": "5"}'"#),
            Err(CommandError::InvalidValue { .. })
        ));
        // A required member neither gives is missing, and the form gets the rest.
        match parse_chat(
            r#"logs create-log-group --cli-input-json '{"logGroupClass": "STANDARD"}'"#,
        ) {
            Err(CommandError::MissingRequired {
                invocation,
                missing,
            }) => {
                assert_eq!(missing[0].member, "logGroupName");
                assert_eq!(invocation.params["logGroupClass"], json!("STANDARD"));
            }
            other => panic!("{other:?}"),
        }
        let big = format!(
            "cloudwatch describe-alarms --cli-input-json '{{\"AlarmNamePrefix\": \"{}\"}}'",
            "a".repeat(MAX_CLI_INPUT_BYTES)
        );
        assert!(parse_chat(&big)
            .unwrap_err()
            .to_string()
            .contains("over the limit"));
        let deep = format!(
            "cloudwatch describe-alarms --cli-input-json '{{\"AlarmNames\": {}{}}}'",
            "[".repeat(MAX_INPUT_DEPTH),
            "]".repeat(MAX_INPUT_DEPTH)
        );
        assert!(parse_chat(&deep)
            .unwrap_err()
            .to_string()
            .contains("levels deep"));
    }

    #[test]
    fn core_numbers() {
        assert_eq!(core_integer("-12"), Some(Number::from(-12)));
        assert_eq!(core_integer("0o17"), Some(Number::from(15)));
        assert_eq!(core_integer("1_000"), None);
        assert!(is_core_float("-1.5e-3"));
        assert!(is_core_float("3."));
        assert!(!is_core_float("."));
        assert!(!is_core_float("1e"));
        assert!(!is_core_float("abc"));
    }
}
