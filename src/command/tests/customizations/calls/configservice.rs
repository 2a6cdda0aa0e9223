//! AWS Config's and CloudTrail's CLI commands: `get-status`, `subscribe`,
//! `put-configuration-recorder --recording-group`, the refused subscriptions.

use super::*;

#[test]
fn get_status_prints_the_cli_lines() {
    let invocation = parsed("configservice get-status");
    let plan = plan_of(&invocation);
    assert!(plan.prints_lines());
    assert_eq!(
        call_of(plan.next(&invocation, "us-east-1", &[])).0,
        "DescribeConfigurationRecorderStatus"
    );
    let recorders = json!({"ConfigurationRecordersStatus": [
        {"name": "default", "recording": true, "lastStatus": "SUCCESS"},
        {"name": "off", "recording": false, "lastStatus": "FAILURE"},
        {"name": "broken", "recording": true, "lastStatus": "FAILURE",
         "lastErrorCode": "AccessDenied", "lastErrorMessage": "no access"}
    ]});
    assert_eq!(
        call_of(plan.next(&invocation, "us-east-1", std::slice::from_ref(&recorders))).0,
        "DescribeDeliveryChannelStatus"
    );
    let channels = json!({"DeliveryChannelsStatus": [{
        "name": "default",
        "configStreamDeliveryInfo": {"lastStatus": "SUCCESS"},
        "configHistoryDeliveryInfo": {},
        "configSnapshotDeliveryInfo": {"lastStatus": "FAILURE", "lastErrorCode": "NoSuchBucket",
                                        "lastErrorMessage": "gone"}
    }]});
    let Next::Done(Finished::Lines(lines)) =
        plan.next(&invocation, "us-east-1", &[recorders, channels])
    else {
        panic!("get-status prints lines");
    };
    assert_eq!(
        lines,
        "Configuration Recorders:\n\n\
         name: default\nrecorder: ON\nlast status: SUCCESS\n\n\
         name: off\nrecorder: OFF\n\n\
         name: broken\nrecorder: ON\nlast status: FAILURE\nerror code: AccessDenied\nmessage: no access\n\n\
         Delivery Channels:\n\n\
         name: default\nlast stream delivery status: SUCCESS\n\
         last snapshot delivery status: FAILURE\nerror code: NoSuchBucket\nmessage: gone\n\n"
    );
    expect_error(
        "configservice get-status --configuration-recorder-names x",
        "Unknown option",
    );
}

#[test]
fn cloudtrail_subscriptions_are_refused_with_the_reason() {
    for command in ["create-subscription", "update-subscription"] {
        expect_error(
            &format!("cloudtrail {command} --name trail"),
            "sts get-caller-identity",
        );
    }
}

#[test]
fn put_configuration_recorder_takes_the_recording_group_on_its_own() {
    let invocation = parsed(
        "configservice put-configuration-recorder \
         --configuration-recorder name=default,roleARN=arn:aws:iam::123456789012:role/config \
         --recording-group allSupported=true,includeGlobalResourceTypes=true",
    );
    assert_eq!(
        Value::Object(invocation.params.clone()),
        json!({"ConfigurationRecorder": {
            "name": "default",
            "roleARN": "arn:aws:iam::123456789012:role/config",
            "recordingGroup": {"allSupported": true, "includeGlobalResourceTypes": true}
        }})
    );
    let line = render_command_line(&invocation, Models::global());
    assert_eq!(
        parsed(line.trim_start_matches("aws ")),
        invocation,
        "{line}"
    );
    // Typed by the model's RecordingGroup.
    expect_error(
        "configservice put-configuration-recorder --configuration-recorder name=d \
         --recording-group allSupported=maybe",
        "allSupported",
    );
}

#[test]
fn subscribe_creates_what_is_missing_then_records_and_prints_what_it_did() {
    let invocation = parsed(
        "configservice subscribe --s3-bucket config-bucket/audit/logs --sns-topic config-topic \
         --iam-role arn:aws:iam::123456789012:role/config",
    );
    assert_eq!(invocation.operation, "PutConfigurationRecorder");
    assert!(!crate::prompt::is_read_only(
        "configservice",
        &invocation.operation
    ));
    // Access control checks every call, the other services' included.
    let operations = invocation.operations();
    for call in [
        ("s3api", "HeadBucket"),
        ("s3api", "CreateBucket"),
        ("sns", "CreateTopic"),
        ("configservice", "PutDeliveryChannel"),
        ("configservice", "StartConfigurationRecorder"),
    ] {
        assert!(operations.contains(&call), "{call:?} in {operations:?}");
    }
    let plan = plan_of(&invocation);
    let next = |answers: &[Value]| match plan.next(&invocation, "eu-west-1", answers) {
        Next::Call(call) => (
            call.service.unwrap_or("configservice"),
            call.operation,
            Value::Object(call.params),
            call.answers_errors,
        ),
        other => panic!("not a call: {other:?}"),
    };
    // The bucket: its 404 is an answer, not a failure; outside us-east-1 it is created there.
    assert_eq!(
        next(&[]),
        (
            "s3api",
            "HeadBucket",
            json!({"Bucket": "config-bucket"}),
            true
        )
    );
    let missing = json!({"Error": {"Code": "404", "Message": "Not Found"}});
    assert_eq!(
        next(std::slice::from_ref(&missing)),
        (
            "s3api",
            "CreateBucket",
            json!({"Bucket": "config-bucket",
                   "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}),
            false
        )
    );
    let topic = json!({"TopicArn": "arn:aws:sns:eu-west-1:123456789012:config-topic"});
    let mut answers = vec![missing, json!({"Location": "x"})];
    assert_eq!(next(&answers).1, "CreateTopic");
    answers.push(topic);
    assert_eq!(
        next(&answers).2,
        json!({"ConfigurationRecorder": {"name": "default",
                                         "roleARN": "arn:aws:iam::123456789012:role/config"}})
    );
    answers.push(json!({}));
    assert_eq!(
        next(&answers).2,
        json!({"DeliveryChannel": {"name": "default", "s3BucketName": "config-bucket",
               "snsTopicARN": "arn:aws:sns:eu-west-1:123456789012:config-topic",
               "s3KeyPrefix": "audit/logs"}})
    );
    answers.push(json!({}));
    assert_eq!(
        next(&answers).2,
        json!({"ConfigurationRecorderName": "default"})
    );
    answers.push(json!({}));
    assert_eq!(next(&answers).1, "DescribeConfigurationRecorders");
    answers.push(json!({"ConfigurationRecorders": [{"name": "default", "roleARN": "r\u{e9}"}]}));
    assert_eq!(next(&answers).1, "DescribeDeliveryChannels");
    answers.push(json!({"DeliveryChannels": []}));
    let Next::Done(Finished::Lines(lines)) = plan.next(&invocation, "eu-west-1", &answers) else {
        panic!("subscribe prints lines");
    };
    assert_eq!(
        lines,
        "Using new S3 bucket: config-bucket\n\
         Using new SNS topic: arn:aws:sns:eu-west-1:123456789012:config-topic\n\
         Subscribe succeeded:\n\n\
         Configuration Recorders: [\n    {\n        \"name\": \"default\",\n        \"roleARN\": \"r\\u00e9\"\n    }\n]\n\n\
         Delivery Channels: []\n"
    );

    // An existing bucket (any answer but 404) and a topic ARN: nothing created.
    let existing = parsed(
        "configservice subscribe --s3-bucket b --sns-topic arn:aws:sns:us-east-1:1:t \
         --iam-role arn:aws:iam::1:role/c",
    );
    let forbidden = json!({"Error": {"Code": "403", "Message": "Forbidden"}});
    match plan.next(&existing, "us-east-1", &[forbidden]) {
        Next::Call(call) => assert_eq!(call.operation, "PutConfigurationRecorder"),
        other => panic!("{other:?}"),
    }
    expect_error(
        "configservice subscribe --s3-bucket b",
        "configservice subscribe is missing the required options --sns-topic and --iam-role.",
    );
    let line = render_command_line(&invocation, Models::global());
    assert_eq!(
        parsed(line.trim_start_matches("aws ")),
        invocation,
        "{line}"
    );
}
