//! Option values typed by the member's shape, and the global options.

use serde_json::json;

use super::*;

// A long function because it is one table of cases, one entry per case.
#[test]
fn values_follow_the_member_types() {
    let cases = [
        // Strings, and the seed page's abbreviated --state (argparse accepts unique prefixes).
        (
            "cloudwatch describe-alarms --state-value ALARM --alarm-names a b",
            call("cloudwatch DescribeAlarms", json!({"StateValue": "ALARM", "AlarmNames": ["a", "b"]})),
        ),
        (
            "cloudwatch describe-alarms --state ALARM",
            call("cloudwatch DescribeAlarms", json!({"StateValue": "ALARM"})),
        ),
        // Integers, negative integers, floats and negative floats.
        (
            "kinesis update-shard-count --stream-name samplestream --scaling-type UNIFORM_SCALING --target-shard-count 6",
            call("kinesis UpdateShardCount", json!({"StreamName": "samplestream", "ScalingType": "UNIFORM_SCALING", "TargetShardCount": 6})),
        ),
        (
            "ec2 authorize-security-group-ingress --group-id sg-1 --from-port -1 --to-port -1",
            call("ec2 AuthorizeSecurityGroupIngress", json!({"GroupId": "sg-1", "FromPort": -1, "ToPort": -1})),
        ),
        (
            "cloudwatch put-metric-alarm --alarm-name high --threshold -2.5 --evaluation-periods 2",
            call("cloudwatch PutMetricAlarm", json!({"AlarmName": "high", "Threshold": -2.5, "EvaluationPeriods": 2})),
        ),
        // Booleans: --flag and --no-flag.
        (
            "ec2 describe-instances --dry-run",
            call("ec2 DescribeInstances", json!({"DryRun": true})),
        ),
        (
            "ec2 describe-instances --no-dry-run",
            call("ec2 DescribeInstances", json!({"DryRun": false})),
        ),
        // Timestamps, ISO 8601 and epoch seconds, kept as written.
        (
            "cloudwatch get-metric-statistics --namespace AWS/EC2 --metric-name CPUUtilization --start-time 2024-01-01T00:00:00Z --end-time 1706702400 --period 300 --statistics Average Maximum",
            call("cloudwatch GetMetricStatistics", json!({"Namespace": "AWS/EC2", "MetricName": "CPUUtilization", "StartTime": "2024-01-01T00:00:00Z", "EndTime": "1706702400", "Period": 300, "Statistics": ["Average", "Maximum"]})),
        ),
        (
            "cloudwatch get-metric-statistics --namespace N --metric-name M --start-time 2024-01-31 --end-time '2024-01-31 12:30:00+01:00' --period 60",
            call("cloudwatch GetMetricStatistics", json!({"Namespace": "N", "MetricName": "M", "StartTime": "2024-01-31", "EndTime": "2024-01-31 12:30:00+01:00", "Period": 60})),
        ),
        // Blobs stay the raw text.
        (
            "kinesis put-record --stream-name s --data 'hello world' --partition-key k",
            call("kinesis PutRecord", json!({"StreamName": "s", "Data": "hello world", "PartitionKey": "k"})),
        ),
        // Lists of strings, quoted.
        (
            "cloudwatch describe-alarms --alarm-names 'my alarm' \"other \\\"big\\\" alarm\" third",
            call("cloudwatch DescribeAlarms", json!({"AlarmNames": ["my alarm", "other \"big\" alarm", "third"]})),
        ),
        // A list of strings given as one JSON list.
        (
            "cloudwatch describe-alarms --alarm-names '[\"a\", \"b\"]'",
            call("cloudwatch DescribeAlarms", json!({"AlarmNames": ["a", "b"]})),
        ),
        // JSON structure (a map of structures), with spaces inside the quotes.
        (
            "dynamodb put-item --table-name t --item '{\"id\": {\"S\": \"1\"}, \"n\": {\"N\": \"2\"}}'",
            call("dynamodb PutItem", json!({"TableName": "t", "Item": {"id": {"S": "1"}, "n": {"N": "2"}}})),
        ),
        // JSON list of structures.
        (
            "cloudwatch put-metric-alarm --alarm-name x --dimensions '[{\"Name\":\"InstanceId\",\"Value\":\"i-1\"}]'",
            call("cloudwatch PutMetricAlarm", json!({"AlarmName": "x", "Dimensions": [{"Name": "InstanceId", "Value": "i-1"}]})),
        ),
        // A list of structures, one JSON structure per word.
        (
            "ec2 describe-instances --filters '{\"Name\":\"a\",\"Values\":[\"b\"]}' '{\"Name\":\"c\",\"Values\":[\"d\"]}'",
            call("ec2 DescribeInstances", json!({"Filters": [{"Name": "a", "Values": ["b"]}, {"Name": "c", "Values": ["d"]}]})),
        ),
        // Shorthand: flat structure in a list.
        (
            "cloudwatch put-metric-alarm --alarm-name x --dimensions Name=InstanceId,Value=i-1",
            call("cloudwatch PutMetricAlarm", json!({"AlarmName": "x", "Dimensions": [{"Name": "InstanceId", "Value": "i-1"}]})),
        ),
        // Shorthand with list values, and a one-value list.
        (
            "ec2 describe-instances --filters Name=instance-state-name,Values=running,stopped Name=tag:env,Values=prod",
            call("ec2 DescribeInstances", json!({"Filters": [{"Name": "instance-state-name", "Values": ["running", "stopped"]}, {"Name": "tag:env", "Values": ["prod"]}]})),
        ),
        (
            "ec2 describe-instances --filters Name=instance-state-name,Values=running",
            call("ec2 DescribeInstances", json!({"Filters": [{"Name": "instance-state-name", "Values": ["running"]}]})),
        ),
        // Shorthand lists of structures separated by spaces.
        (
            "ec2 create-tags --resources i-1 --tags Key=a,Value=b Key=c,Value=d",
            call("ec2 CreateTags", json!({"Resources": ["i-1"], "Tags": [{"Key": "a", "Value": "b"}, {"Key": "c", "Value": "d"}]})),
        ),
        // Shorthand maps.
        (
            "lambda tag-resource --resource arn:aws:lambda:us-east-1:1:function:f --tags k1=v1,k2=v2",
            call("lambda TagResource", json!({"Resource": "arn:aws:lambda:us-east-1:1:function:f", "Tags": {"k1": "v1", "k2": "v2"}})),
        ),
        // Nested shorthand: structures, maps and explicit lists inside.
        (
            "dynamodb put-item --table-name t --item id={S=1}",
            call("dynamodb PutItem", json!({"TableName": "t", "Item": {"id": {"S": "1"}}})),
        ),
        (
            "ecs create-service --service-name s --network-configuration awsvpcConfiguration={subnets=[s1,s2],assignPublicIp=ENABLED}",
            call("ecs CreateService", json!({"serviceName": "s", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s1", "s2"], "assignPublicIp": "ENABLED"}}})),
        ),
        (
            "ec2 describe-instances --filters Name=x,Values=[a,b]",
            call("ec2 DescribeInstances", json!({"Filters": [{"Name": "x", "Values": ["a", "b"]}]})),
        ),
        // Shorthand leaves are typed by the model: an integer inside a structure.
        (
            "logs put-log-events --log-group-name g --log-stream-name s --log-events timestamp=1700000000000,message=hi 'timestamp=1700000000001,message=hello there'",
            call("logs PutLogEvents", json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [{"timestamp": 1700000000000_i64, "message": "hi"}, {"timestamp": 1700000000001_i64, "message": "hello there"}]})),
        ),
        (
            "sns publish --topic-arn t --message hi --message-attributes a={DataType=String,StringValue=x}",
            call("sns Publish", json!({"TopicArn": "t", "Message": "hi", "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"}}})),
        ),
        (
            "sqs send-message --queue-url https://sqs.us-east-1.amazonaws.com/1/q --message-body 'hello world' --delay-seconds 5",
            call("sqs SendMessage", json!({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/q", "MessageBody": "hello world", "DelaySeconds": 5})),
        ),
        // `--option=value`, single dashes and phone dashes.
        (
            "cloudwatch describe-alarms --state-value=ALARM -alarm-names a",
            call("cloudwatch DescribeAlarms", json!({"StateValue": "ALARM", "AlarmNames": ["a"]})),
        ),
        (
            "cloudwatch describe-alarms \u{2014}state-value ALARM \u{2013}alarm-names a",
            call("cloudwatch DescribeAlarms", json!({"StateValue": "ALARM", "AlarmNames": ["a"]})),
        ),
        (
            "sqs send-message --queue-url q --message-body=-leading-dash",
            call("sqs SendMessage", json!({"QueueUrl": "q", "MessageBody": "-leading-dash"})),
        ),
        // A leading `aws` and a capitalised first word are accepted.
        (
            "aws Cloudwatch describe-alarms",
            call("cloudwatch DescribeAlarms", json!({})),
        ),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

#[test]
fn global_options() {
    check(
        "s3api list-objects-v2 --bucket b --max-items 5",
        json!({"call": "s3api ListObjectsV2", "params": {"Bucket": "b"}, "globals": {
            "region": null, "query": null, "output": null, "max_items": 5,
            "starting_token": null, "page_size": null, "no_paginate": false}}),
    );
    check(
        "--region eu-west-1 cloudwatch describe-alarms --query 'MetricAlarms[].AlarmName' --output table --page-size 10 --starting-token abc",
        json!({"call": "cloudwatch DescribeAlarms", "params": {}, "globals": {
            "region": "eu-west-1", "query": "MetricAlarms[].AlarmName", "output": "Table",
            "max_items": null, "starting_token": "abc", "page_size": 10, "no_paginate": false}}),
    );
    check(
        "cloudwatch describe-alarms --no-paginate --output yaml",
        json!({"call": "cloudwatch DescribeAlarms", "params": {}, "globals": {
            "region": null, "query": null, "output": "Yaml", "max_items": null,
            "starting_token": null, "page_size": null, "no_paginate": true}}),
    );
    // The operation's own paging member turns pagination off, as in the CLI.
    check(
        "cloudwatch describe-alarms --next-token t",
        json!({"call": "cloudwatch DescribeAlarms", "params": {"NextToken": "t"}, "globals": {
            "region": null, "query": null, "output": null, "max_items": null,
            "starting_token": null, "page_size": null, "no_paginate": true}}),
    );
}
