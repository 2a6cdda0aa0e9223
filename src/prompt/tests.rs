use serde_json::{json, Map, Value};

use super::*;
use crate::command::{parse, CommandError, ParseContext};

/// The form the bot shows for `text`, a command missing required parameters.
struct Form {
    base: Invocation,
    fields: Vec<FormField>,
}

fn missing(text: &str) -> (Invocation, Vec<String>) {
    match parse(text, Models::global(), ParseContext::Chat) {
        Err(CommandError::MissingRequired {
            invocation,
            missing,
        }) => (*invocation, missing.into_iter().map(|m| m.member).collect()),
        other => panic!("expected MissingRequired for {text}, got {other:?}"),
    }
}

fn form(text: &str) -> Form {
    let (base, missing_members) = missing(text);
    let fields = form_fields(Models::global(), &base, &missing_members);
    Form { base, fields }
}

impl Form {
    /// Applies the submitted card `values` (a JSON object) to the form.
    fn submit(&self, values: &Value) -> Result<Invocation, SubmissionError> {
        let values: Map<String, Value> = values.as_object().unwrap().clone();
        apply_submission(Models::global(), &self.base, &self.fields, &values)
    }
}

#[test]
fn reads_and_writes_are_classified_by_name_with_overrides() {
    let cases = [
        ("cloudwatch", "DescribeAlarms", true),
        ("lambda", "GetFunction", true),
        ("lambda", "ListFunctions", true),
        ("logs", "FilterLogEvents", true),
        ("dynamodb", "Query", true),
        ("logs", "StartQuery", true),
        ("kinesis", "UpdateShardCount", false),
        ("lambda", "Invoke", false),
        ("support", "CreateCase", false),
        ("ec2", "TerminateInstances", false),
        // A prefix only counts as a whole word: `Getaway` is not a read.
        ("x", "Getaway", false),
        ("ssm", "GetParameter", false),
        ("codeartifact", "GetAuthorizationToken", false),
    ];
    for (service, operation, reads) in cases {
        assert_eq!(
            is_read_only(service, operation),
            reads,
            "{service} {operation}"
        );
    }
}

#[test]
fn form_fields_follow_the_model() {
    let fields = form("lambda get-function --qualifier 3").fields;
    assert_eq!(fields[0].member, "FunctionName");
    assert!(fields[0].required);
    assert!(fields[0].value.is_none());
    assert_eq!(
        fields[0].resource.map(|r| r.operation),
        Some("ListFunctions")
    );
    assert!(matches!(
        &fields[0].kind,
        FieldKind::Text {
            pattern: Some(_),
            max_length: Some(_),
            ..
        }
    ));
    // What was typed comes back pre-filled and editable.
    assert_eq!(fields[1].member, "Qualifier");
    assert_eq!(fields[1].value.as_deref(), Some("3"));

    let fields = form("cloudwatch set-alarm-state").fields;
    let state = fields.iter().find(|f| f.member == "StateValue").unwrap();
    assert_eq!(
        state.kind,
        FieldKind::Choice {
            choices: vec!["OK".into(), "ALARM".into(), "INSUFFICIENT_DATA".into()],
            multi: false
        }
    );

    let fields = form("kinesis update-shard-count").fields;
    let count = fields
        .iter()
        .find(|f| f.member == "TargetShardCount")
        .unwrap();
    assert!(matches!(
        count.kind,
        FieldKind::Number {
            integer: true,
            min: Some(_),
            ..
        }
    ));
}

#[test]
fn submissions_are_validated_again_on_the_server() {
    let form = form("kinesis update-shard-count --stream-name s1");
    let ok = form
        .submit(
            &json!({"TargetShardCount": "2", "ScalingType": "UNIFORM_SCALING", "StreamName": "s1"}),
        )
        .unwrap();
    assert_eq!(ok.params["TargetShardCount"], json!(2));
    assert_eq!(ok.params["StreamName"], json!("s1"));

    let cases = [
        (
            json!({"StreamName": "s1", "ScalingType": "UNIFORM_SCALING"}),
            "--target-shard-count is required",
        ),
        (
            json!({"StreamName": "s1", "TargetShardCount": "two", "ScalingType": "UNIFORM_SCALING"}),
            "--target-shard-count",
        ),
        (
            json!({"StreamName": "s1", "TargetShardCount": "2", "ScalingType": "SIDEWAYS"}),
            "Allowed values",
        ),
        (
            json!({"StreamName": "bad name!", "TargetShardCount": "2", "ScalingType": "UNIFORM_SCALING"}),
            "expected format",
        ),
    ];
    for (values, expected) in cases {
        let error = form.submit(&values).expect_err(&values.to_string());
        assert!(error.to_string().contains(expected), "{values}: {error}");
    }
}

#[test]
fn free_text_wins_over_the_choice_list() {
    let form = form("lambda get-function");
    let cases = [("typed", "typed"), ("", "from-list")];
    for (typed, expected) in cases {
        let values = json!({"FunctionName": "from-list", "FunctionName__text": typed});
        let invocation = form.submit(&values).unwrap();
        assert_eq!(invocation.params["FunctionName"], json!(expected));
    }
}
