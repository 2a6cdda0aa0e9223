use serde_json::{json, Map, Value};

use super::*;
use crate::command::{parse, CommandError, ParseContext};

fn missing(text: &str) -> (Invocation, Vec<String>) {
    match parse(text, Models::global(), ParseContext::Chat) {
        Err(CommandError::MissingRequired {
            invocation,
            missing,
        }) => (*invocation, missing.into_iter().map(|m| m.member).collect()),
        other => panic!("expected MissingRequired for {text}, got {other:?}"),
    }
}

fn submitted(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
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
    let (invocation, missing_members) = missing("lambda get-function --qualifier 3");
    let fields = form_fields(Models::global(), &invocation, &missing_members);
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

    let (invocation, missing_members) = missing("cloudwatch set-alarm-state");
    let fields = form_fields(Models::global(), &invocation, &missing_members);
    let state = fields.iter().find(|f| f.member == "StateValue").unwrap();
    assert_eq!(
        state.kind,
        FieldKind::Choice {
            choices: vec!["OK".into(), "ALARM".into(), "INSUFFICIENT_DATA".into()],
            multi: false
        }
    );

    let (invocation, missing_members) = missing("kinesis update-shard-count");
    let fields = form_fields(Models::global(), &invocation, &missing_members);
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
    let models = Models::global();
    let (base, missing_members) = missing("kinesis update-shard-count --stream-name s1");
    let fields = form_fields(models, &base, &missing_members);

    let ok = apply_submission(
        models,
        &base,
        &fields,
        &submitted(
            json!({"TargetShardCount": "2", "ScalingType": "UNIFORM_SCALING", "StreamName": "s1"}),
        ),
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
        let error = apply_submission(models, &base, &fields, &submitted(values.clone()))
            .expect_err(&values.to_string());
        assert!(error.to_string().contains(expected), "{values}: {error}");
    }
}

#[test]
fn free_text_wins_over_the_choice_list() {
    let models = Models::global();
    let (base, missing_members) = missing("lambda get-function");
    let fields = form_fields(models, &base, &missing_members);
    let invocation = apply_submission(
        models,
        &base,
        &fields,
        &submitted(json!({"FunctionName": "from-list", "FunctionName__text": "typed"})),
    )
    .unwrap();
    assert_eq!(invocation.params["FunctionName"], json!("typed"));
    let invocation = apply_submission(
        models,
        &base,
        &fields,
        &submitted(json!({"FunctionName": "from-list", "FunctionName__text": ""})),
    )
    .unwrap();
    assert_eq!(invocation.params["FunctionName"], json!("from-list"));
}
