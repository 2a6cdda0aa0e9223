//! `--generate-cli-skeleton`: the sample input (`input`, the default; `yaml-input`) and the
//! sample output (`output`) of an operation, generated from its model as botocore's
//! `ArgumentGenerator` does (`awscli/customizations/generatecliskeleton.py`). Pure.
//!
//! One deliberate difference: for an enum string the AWS CLI picks a random allowed value;
//! the bot always writes the first, so the same command prints the same skeleton.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::models::{Operation, ServiceModel, ShapeRef, ShapeType};

/// What `--generate-cli-skeleton` was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SkeletonKind {
    /// `input` (or no value): the input JSON `--cli-input-json` takes.
    Input,
    /// `yaml-input` (AWS CLI v2): the same input as YAML for `--cli-input-yaml`.
    YamlInput,
    /// `output`: the command's options are checked and a sample response is printed as the
    /// command would print it (`--output`, `--query`), without calling AWS.
    Output,
}

impl SkeletonKind {
    /// The kind named by the option's value.
    pub fn from_cli(value: &str) -> Option<SkeletonKind> {
        match value {
            "input" => Some(SkeletonKind::Input),
            "yaml-input" => Some(SkeletonKind::YamlInput),
            "output" => Some(SkeletonKind::Output),
            _ => None,
        }
    }
}

/// The timestamp botocore's generator writes (`datetime(1970, 1, 1)`), as the CLI's JSON
/// encoder prints it (`isoformat()`).
const SKELETON_TIMESTAMP: &str = "1970-01-01T00:00:00";

/// A bound on the walk besides botocore's own (a structure already open twice on the path
/// becomes `{}`): models are trusted, but a walk over them is still kept shallow.
const MAX_SKELETON_DEPTH: usize = 64;

/// The sample input of an operation (`{}` when it takes none).
pub fn input_skeleton(model: &ServiceModel, operation: &Operation) -> Value {
    match &operation.input {
        Some(input) => Generator {
            model,
            use_member_names: false,
        }
        .shape(&input.shape, "", &mut Vec::new()),
        None => Value::Object(Map::new()),
    }
}

/// The sample response of an operation, strings named after their members (`{}` when it
/// returns nothing).
pub fn output_skeleton(model: &ServiceModel, operation: &Operation) -> Value {
    match &operation.output {
        Some(output) => Generator {
            model,
            use_member_names: true,
        }
        .shape(&output.shape, "", &mut Vec::new()),
        None => Value::Object(Map::new()),
    }
}

struct Generator<'a> {
    model: &'a ServiceModel,
    use_member_names: bool,
}

impl Generator<'_> {
    fn shape(&self, shape_name: &str, name: &str, stack: &mut Vec<String>) -> Value {
        let Some(shape) = self.model.shape(shape_name) else {
            return Value::Null;
        };
        if stack.len() >= MAX_SKELETON_DEPTH {
            return Value::Object(Map::new());
        }
        stack.push(shape_name.to_owned());
        let value = match shape.shape_type {
            ShapeType::Structure => {
                if stack.iter().filter(|open| *open == shape_name).count() > 1 {
                    Value::Object(Map::new())
                } else {
                    let mut object = Map::new();
                    for (member_name, member) in &shape.members {
                        object.insert(
                            member_name.clone(),
                            self.shape(&member.shape, member_name, stack),
                        );
                    }
                    Value::Object(object)
                }
            }
            ShapeType::List => match &shape.member {
                Some(element) => {
                    let element_name = if self.use_member_names {
                        element.shape.as_str()
                    } else {
                        ""
                    };
                    Value::Array(vec![self.shape(&element.shape, element_name, stack)])
                }
                None => Value::Array(Vec::new()),
            },
            ShapeType::Map => {
                let mut object = Map::new();
                let value = shape
                    .value
                    .as_ref()
                    .map(|value: &ShapeRef| self.shape(&value.shape, "", stack))
                    .unwrap_or(Value::Null);
                object.insert("KeyName".to_owned(), value);
                Value::Object(object)
            }
            ShapeType::String => {
                if self.use_member_names {
                    Value::String(name.to_owned())
                } else {
                    Value::String(shape.enum_values.first().cloned().unwrap_or_default())
                }
            }
            ShapeType::Integer | ShapeType::Long => Value::Number(Number::from(0)),
            ShapeType::Float | ShapeType::Double => {
                Value::Number(Number::from_f64(0.0).unwrap_or_else(|| Number::from(0)))
            }
            ShapeType::Boolean => Value::Bool(true),
            ShapeType::Timestamp => Value::String(SKELETON_TIMESTAMP.to_owned()),
            // botocore's generator has no case for these and leaves None.
            ShapeType::Blob | ShapeType::BigDecimal | ShapeType::BigInteger => Value::Null,
        };
        stack.pop();
        value
    }
}

/// The input skeleton as `--generate-cli-skeleton` prints it: `json.dumps(skeleton,
/// indent=4)` and a newline.
pub fn input_skeleton_text(model: &ServiceModel, operation: &Operation) -> String {
    let skeleton = input_skeleton(model, operation);
    let style = crate::output::JsonStyle {
        item_separator: ",",
        key_separator: ": ",
        indent: Some(4),
        ensure_ascii: true,
    };
    let mut text = crate::output::json_dumps(&skeleton, style);
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Models;
    use serde_json::json;

    fn operation<'a>(model: &'a ServiceModel, cli_name: &str) -> &'a Operation {
        model.operation_by_cli_name(cli_name).unwrap()
    }

    #[test]
    fn input_skeleton_follows_the_model() {
        let models = Models::global();
        let sns = models.service("sns").unwrap();
        assert_eq!(
            input_skeleton(&sns, operation(&sns, "create-topic")),
            json!({
                "Name": "",
                "Attributes": {"KeyName": ""},
                "Tags": [{"Key": "", "Value": ""}],
                "DataProtectionPolicy": ""
            })
        );
        let cloudwatch = models.service("cloudwatch").unwrap();
        let text = input_skeleton_text(
            &cloudwatch,
            operation(&cloudwatch, "describe-alarm-history"),
        );
        assert!(text.starts_with("{\n    \"AlarmName\": \"\",\n"), "{text}");
        assert!(
            text.contains("\"StartDate\": \"1970-01-01T00:00:00\""),
            "{text}"
        );
        // The first enum value, where the CLI picks one at random.
        assert!(
            text.contains("\"HistoryItemType\": \"ConfigurationUpdate\""),
            "{text}"
        );
        assert!(text.contains("\"MaxRecords\": 0"), "{text}");
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn output_skeleton_names_strings_after_their_members() {
        let models = Models::global();
        let logs = models.service("logs").unwrap();
        let skeleton = output_skeleton(&logs, operation(&logs, "describe-log-groups"));
        assert_eq!(skeleton["nextToken"], json!("nextToken"));
        assert_eq!(
            skeleton["logGroups"][0]["logGroupName"],
            json!("logGroupName")
        );
        assert_eq!(skeleton["logGroups"][0]["retentionInDays"], json!(0));
        // A list of strings names its items after the element shape.
        let cloudwatch = models.service("cloudwatch").unwrap();
        let alarms = output_skeleton(&cloudwatch, operation(&cloudwatch, "describe-alarms"));
        assert_eq!(
            alarms["MetricAlarms"][0]["AlarmActions"],
            json!(["ResourceName"])
        );
    }

    #[test]
    fn recursive_structures_stop_on_their_second_visit() {
        let models = Models::global();
        let dynamodb = models.service("dynamodb").unwrap();
        // AttributeValue contains maps and lists of AttributeValue.
        let skeleton = input_skeleton(&dynamodb, operation(&dynamodb, "put-item"));
        assert_eq!(skeleton["Item"]["KeyName"]["M"]["KeyName"], json!({}));
        assert_eq!(skeleton["Item"]["KeyName"]["L"], json!([{}]));
    }
}
