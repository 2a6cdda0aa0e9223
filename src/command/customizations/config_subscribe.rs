//! `configservice subscribe --s3-bucket BUCKET[/PREFIX] --sns-topic NAME|ARN --iam-role ARN`
//! (awscli `configservice/subscribe.py`): uses the bucket if `s3api head-bucket` finds it
//! (any answer but 404) and creates it otherwise, creates the topic unless an ARN is given,
//! puts the `default` configuration recorder and delivery channel, starts recording, and
//! prints what it did with the recorders and channels as `json.dumps(..., indent=4)` writes
//! them. The command is a write (PutConfigurationRecorder), confirmed once in chat; access
//! control checks every call it may make, creating the bucket and topic included.

use serde_json::{json, Map, Value};

use super::calls::{list, Call, Finished, Next};
use super::option_group::CommandOptions;
use super::{single_word, CommandError, Invocation};
use crate::output::{json_dumps, JsonStyle};

/// Its options: none of PutConfigurationRecorder's; [`OPTIONS`] are its own.
pub(super) const COMMAND_OPTIONS: CommandOptions = CommandOptions {
    renamed: &[],
    removed: &[],
    offered: Some(&[]),
};

/// Option name → the parameter it is kept under (printed back as the option by name).
pub(super) const OPTIONS: [(&str, &str); 3] = [
    ("s3-bucket", "S3Bucket"),
    ("sns-topic", "SnsTopic"),
    ("iam-role", "IamRole"),
];

/// Every call it may make, with its service when not configservice.
pub(super) const OPERATIONS: [(Option<&str>, &str); 8] = [
    (None, "PutConfigurationRecorder"),
    (Some("s3api"), "HeadBucket"),
    (Some("s3api"), "CreateBucket"),
    (Some("sns"), "CreateTopic"),
    (None, "PutDeliveryChannel"),
    (None, "StartConfigurationRecorder"),
    (None, "DescribeConfigurationRecorders"),
    (None, "DescribeDeliveryChannels"),
];

/// The names the CLI gives the recorder and the channel.
const NAME: &str = "default";

/// Reads the three options (all required, as in the CLI) into the invocation.
pub(super) fn apply(
    invocation: &mut Invocation,
    given: Vec<(String, usize, Vec<String>)>,
    requires_options: bool,
) -> Result<(), CommandError> {
    for (name, index, words) in given {
        let (option, param) = OPTIONS[index];
        let expected = match option {
            "s3-bucket" => "a bucket name, optionally with a key prefix (bucket/prefix)",
            "sns-topic" => "an SNS topic name or ARN",
            _ => "an IAM role ARN",
        };
        let value = single_word(&name, words, expected)?;
        invocation.params.insert(param.into(), Value::String(value));
    }
    let missing: Vec<String> = OPTIONS
        .iter()
        .filter(|(_, param)| !invocation.params.contains_key(*param))
        .map(|(option, _)| (*option).to_owned())
        .collect();
    if requires_options && !missing.is_empty() {
        return Err(CommandError::MissingFlattened {
            command: "configservice subscribe".into(),
            options: missing,
        });
    }
    Ok(())
}

fn text<'a>(invocation: &'a Invocation, param: &str) -> &'a str {
    invocation
        .params
        .get(param)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn call(service: Option<&'static str>, operation: &'static str, params: Value) -> Next {
    Next::Call(Call {
        service,
        operation,
        params: object(params),
        answers_errors: false,
    })
}

/// The next call from the answers so far: each step is taken once its answer is in.
pub(super) fn next(invocation: &Invocation, region: &str, answers: &[Value]) -> Next {
    let path = text(invocation, "S3Bucket");
    // `find_bucket_key`: the bucket up to the first slash, the rest the prefix.
    let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
    let topic = text(invocation, "SnsTopic");
    let mut answers = answers.iter();
    let mut out = String::new();

    let Some(head) = answers.next() else {
        return Next::Call(Call {
            service: Some("s3api"),
            operation: "HeadBucket",
            params: object(json!({"Bucket": bucket})),
            answers_errors: true,
        });
    };
    // `s3_bucket_exists`: only a 404 means there is no such bucket.
    if head.pointer("/Error/Code").and_then(Value::as_str) == Some("404") {
        if answers.next().is_none() {
            let mut params = json!({"Bucket": bucket});
            if region != "us-east-1" {
                params["CreateBucketConfiguration"] = json!({"LocationConstraint": region});
            }
            return call(Some("s3api"), "CreateBucket", params);
        }
        out.push_str(&format!("Using new S3 bucket: {bucket}\n"));
    } else {
        out.push_str(&format!("Using existing S3 bucket: {bucket}\n"));
    }
    // A name has no colon; an ARN has.
    let topic_arn = if topic.contains(':') {
        out.push_str(&format!("Using existing SNS topic: {topic}\n"));
        topic.to_owned()
    } else {
        let Some(created) = answers.next() else {
            return call(Some("sns"), "CreateTopic", json!({"Name": topic}));
        };
        let arn = created
            .get("TopicArn")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        out.push_str(&format!("Using new SNS topic: {arn}\n"));
        arn
    };
    if answers.next().is_none() {
        let recorder = json!({"name": NAME, "roleARN": text(invocation, "IamRole")});
        return call(
            None,
            "PutConfigurationRecorder",
            json!({"ConfigurationRecorder": recorder}),
        );
    }
    if answers.next().is_none() {
        let mut channel = json!({"name": NAME, "s3BucketName": bucket, "snsTopicARN": topic_arn});
        if !prefix.is_empty() {
            channel["s3KeyPrefix"] = json!(prefix);
        }
        return call(
            None,
            "PutDeliveryChannel",
            json!({"DeliveryChannel": channel}),
        );
    }
    if answers.next().is_none() {
        return call(
            None,
            "StartConfigurationRecorder",
            json!({"ConfigurationRecorderName": NAME}),
        );
    }
    let Some(recorders) = answers.next() else {
        return call(None, "DescribeConfigurationRecorders", json!({}));
    };
    let Some(channels) = answers.next() else {
        return call(None, "DescribeDeliveryChannels", json!({}));
    };
    // `json.dumps(..., indent=4)`: ASCII only, unlike the CLI's `--output json`.
    let style = JsonStyle {
        ensure_ascii: true,
        ..JsonStyle::CLI_OUTPUT
    };
    let dump =
        |answer: &Value, key: &str| json_dumps(&Value::Array(list(answer, key).to_vec()), style);
    out.push_str("Subscribe succeeded:\n\n");
    out.push_str(&format!(
        "Configuration Recorders: {}\n\n",
        dump(recorders, "ConfigurationRecorders")
    ));
    out.push_str(&format!(
        "Delivery Channels: {}\n",
        dump(channels, "DeliveryChannels")
    ));
    Next::Done(Finished::Lines(out))
}
