//! Feature tests of the grammar: command text in, invocation JSON or error text out.

use serde_json::{json, Value};

use super::*;

fn run(input: &str) -> Result<Command, CommandError> {
    parse(input, Models::global(), ParseContext::Chat)
}

/// The parts of an invocation a table compares: the call, its params, and the globals that
/// were set.
fn summary(invocation: &Invocation) -> Value {
    let mut summary = json!({
        "call": format!("{} {}", invocation.service, invocation.operation),
        "params": invocation.params,
    });
    let globals = &invocation.globals;
    if *globals != GlobalOptions::default() {
        summary["globals"] = json!({
            "region": globals.region,
            "query": globals.query,
            "output": globals.output.map(|o| format!("{o:?}")),
            "max_items": globals.max_items,
            "starting_token": globals.starting_token,
            "page_size": globals.page_size,
            "no_paginate": globals.no_paginate,
        });
    }
    summary
}

#[track_caller]
fn check(input: &str, expected: Value) {
    match run(input) {
        Ok(Command::Run(invocation)) => assert_eq!(summary(&invocation), expected, "{input}"),
        other => panic!("{input}: expected an invocation, got {other:?}"),
    }
}

#[track_caller]
fn check_error(input: &str, expected: &str) {
    match run(input) {
        Err(error) => assert_eq!(error.to_string(), expected, "{input}"),
        other => panic!("{input}: expected an error, got {other:?}"),
    }
}

fn call(name: &str, params: Value) -> Value {
    json!({"call": name, "params": params})
}

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

#[test]
fn errors_say_what_is_wrong_and_how_to_fix_it() {
    let cases = [
        ("cloudwatch describe-alarms --stat-value ALARM",
         "Unknown option --stat-value for cloudwatch describe-alarms. Did you mean --state-value? Type `cloudwatch describe-alarms help` to list its options."),
        ("cloudwatch describe-alarms --a x",
         "--a is ambiguous: it could be --alarm-names, --alarm-name-prefix, --alarm-types and --action-prefix. Write the option name in full."),
        ("cloudwach describe-alarms",
         "Unknown service 'cloudwach'. Did you mean one of: cloudwatch, cloudsearch?"),
        ("cloudwatch describe-alarm",
         "Unknown operation 'describe-alarm' for cloudwatch. Did you mean one of: describe-alarms, describe-alarm-contributors, describe-alarm-history? Type `cloudwatch help` to list its operations."),
        ("cloudwatch describe-alarms --state-value alarm",
         "Invalid value 'alarm' for --state-value. Allowed values: OK, ALARM, INSUFFICIENT_DATA."),
        ("kinesis update-shard-count --stream-name s --scaling-type FAST --target-shard-count 1",
         "Invalid value 'FAST' for --scaling-type. Allowed values: UNIFORM_SCALING."),
        ("cloudwatch describe-alarms --alarm-names",
         "--alarm-names needs a value: a list of strings, separated by spaces."),
        ("cloudwatch describe-alarms --state-value ALARM --state-value OK",
         "--state-value is given more than once. Give it once; a list takes several values after one --state-value."),
        ("ec2 describe-instances --dry-run --no-dry-run",
         "--no-dry-run is given more than once. Give it once; a list takes several values after one --no-dry-run."),
        ("ec2 describe-instances --dry-run yes",
         "--dry-run is a flag and takes no value (got 'yes'). Write --dry-run for true or --no-dry-run for false."),
        ("lambda invoke --function-name f --payload '{\"a\": 1}' out.json",
         "Unexpected 'out.json' after --payload. Quote a value that contains spaces, and put each value after its --option."),
        ("cloudwatch describe-alarms ALARM",
         "Unexpected 'ALARM'. Quote a value that contains spaces, and put each value after its --option."),
        ("kinesis update-shard-count --stream-name s --scaling-type UNIFORM_SCALING --target-shard-count six",
         "Invalid value for --target-shard-count: 'six' is not an integer. Expected an integer."),
        ("cloudwatch put-metric-alarm --alarm-name x --threshold abc",
         "Invalid value for --threshold: 'abc' is not a number. Expected a number."),
        ("cloudwatch get-metric-statistics --namespace N --metric-name M --start-time yesterday --end-time 1706702400 --period 300",
         "Invalid value for --start-time: 'yesterday' is not a timestamp. Expected a timestamp, ISO 8601 like 2024-01-31T12:00:00Z or seconds since the epoch like 1706702400."),
        ("cloudwatch get-metric-statistics --namespace N --metric-name M --start-time 2024-13-01 --end-time 1706702400 --period 300",
         "Invalid value for --start-time: '2024-13-01' is not a timestamp. Expected a timestamp, ISO 8601 like 2024-01-31T12:00:00Z or seconds since the epoch like 1706702400."),
        ("cloudwatch describe-alarms --max-records 0",
         "Invalid value for --max-records: 0 is below the minimum 1."),
        ("lambda get-function --function-name ''",
         "Invalid value for --function-name: 0 characters, at least 1 needed."),
        ("cloudwatch put-metric-alarm --alarm-name x --dimensions Name=InstanceId",
         "Invalid value for --dimensions (at [0]): the required key 'Value' is missing. Expected a structure, as shorthand like Name=string,Value=string or as JSON."),
        ("cloudwatch put-metric-alarm --alarm-name x --dimensions Name=InstanceId,Value=i-1,Foo=1",
         "Invalid value for --dimensions (at [0]): unknown key 'Foo'; the keys are Name, Value. Expected a structure, as shorthand like Name=string,Value=string or as JSON."),
        ("cloudwatch put-metric-alarm --alarm-name x --dimensions Name",
         "Invalid value for --dimensions: shorthand syntax error at character 5: expected '=', found the end of the value. Expected a structure, as shorthand like Name=string,Value=string or as JSON."),
        ("ec2 create-tags --resources i-1 --tags Key=a,Value=b,Key=c",
         "Invalid value for --tags: the key 'Key' appears twice; separate structures with a space, not a comma. Expected a structure, as shorthand like Key=string,Value=string or as JSON."),
        ("dynamodb put-item --table-name t --item '{\"id\": }'",
         "Invalid value for --item: invalid JSON (expected value at line 1 column 8). Expected a map, as JSON."),
        ("cloudwatch put-metric-alarm --alarm-name x --dimensions '[{\"Name\": \"a\", \"Value\": 5}]'",
         "Invalid value for --dimensions (at [0].Value): got a number. Expected a string."),
        ("lambda get-function --function-name f --max-items 3",
         "--max-items only applies to operations that return pages, and lambda get-function does not. Remove it."),
        ("lambda get-function --function-name f --no-paginate",
         "--no-paginate only applies to operations that return pages, and lambda get-function does not. Remove it."),
        ("cloudwatch describe-alarms --max-records 5 --max-items 3",
         "--max-items cannot be combined with --max-records: giving --max-records turns automatic pagination off. Use one or the other."),
        ("cloudwatch describe-alarms --max-items none",
         "Invalid value for --max-items: 'none' is not a whole number above 0. Expected a whole number of items, at least 1."),
        ("cloudwatch describe-alarms --query '[[['",
         "--query is not a valid JMESPath expression: Parse error: Unexpected nud token -- found Eof (line 0, column 3)"),
        ("cloudwatch describe-alarms --output xml",
         "Invalid --output 'xml'. Allowed values: json, text, table, yaml."),
        ("cloudwatch describe-alarms --region 'us east'",
         "Invalid --region 'us east'. Use a region name like us-east-1."),
        ("cloudwatch describe-alarms --alarm-names 'unclosed",
         "The command has an unclosed ' quote. Close it, or escape it with a backslash."),
    ];
    for (input, expected) in cases {
        check_error(input, expected);
    }
}

#[test]
fn missing_required_options_come_back_as_data_with_the_partial_invocation() {
    match run("kinesis update-shard-count --stream-name s --region eu-west-1") {
        Err(CommandError::MissingRequired {
            invocation,
            missing,
        }) => {
            assert_eq!(invocation.operation, "UpdateShardCount");
            assert_eq!(
                invocation.params,
                *json!({"StreamName": "s"}).as_object().unwrap()
            );
            assert_eq!(invocation.globals.region.as_deref(), Some("eu-west-1"));
            let missing: Vec<(&str, &str, &str, ShapeType)> = missing
                .iter()
                .map(|m| {
                    (
                        m.member.as_str(),
                        m.option.as_str(),
                        m.shape.as_str(),
                        m.shape_type,
                    )
                })
                .collect();
            assert_eq!(
                missing,
                [
                    (
                        "TargetShardCount",
                        "target-shard-count",
                        "PositiveIntegerObject",
                        ShapeType::Integer
                    ),
                    (
                        "ScalingType",
                        "scaling-type",
                        "ScalingType",
                        ShapeType::String
                    ),
                ]
            );
        }
        other => panic!("expected MissingRequired, got {other:?}"),
    }
    check_error(
        "lambda get-function",
        "lambda get-function is missing the required option --function-name.",
    );
    check_error(
        "kinesis update-shard-count",
        "kinesis update-shard-count is missing the required options --target-shard-count and --scaling-type.",
    );
    // Other errors come before missing options.
    check_error(
        "lambda get-function --qualifier",
        "--qualifier needs a value: a string.",
    );
}

#[test]
fn refused_options_and_file_references() {
    let refused = [
        ("--endpoint-url http://evil", "endpoint-url"),
        ("--profile admin", "profile"),
        ("--debug", "debug"),
        ("--no-verify-ssl", "no-verify-ssl"),
        ("--ca-bundle /tmp/ca.pem", "ca-bundle"),
        ("--cli-input-json '{}'", "cli-input-json"),
        ("--cli-input-yaml x", "cli-input-yaml"),
        ("--generate-cli-skeleton", "generate-cli-skeleton"),
        ("--no-sign-request", "no-sign-request"),
        // An abbreviation of a refused option is refused too.
        ("--endpoint http://evil", "endpoint-url"),
    ];
    for context in [ParseContext::Chat, ParseContext::Terminal] {
        for (option, name) in refused {
            for input in [
                format!("cloudwatch describe-alarms {option}"),
                format!("{option} cloudwatch describe-alarms"),
            ] {
                match parse(&input, Models::global(), context) {
                    Err(CommandError::RefusedOption { option, .. }) => {
                        assert_eq!(option, name, "{input}")
                    }
                    other => panic!("{input}: expected RefusedOption, got {other:?}"),
                }
            }
        }
    }
    check_error(
        "cloudwatch describe-alarms --profile admin",
        "--profile is not available here: commands run as the role mapped to this channel or to you, never as a local profile.",
    );
    for (input, prefix) in [
        (
            "cloudwatch describe-alarms --alarm-names file:///etc/passwd",
            "file://",
        ),
        (
            "kinesis put-record --stream-name s --partition-key k --data fileb://secret.bin",
            "fileb://",
        ),
        (
            "dynamodb put-item --table-name t --item FILE://item.json",
            "file://",
        ),
        (
            "ec2 create-tags --resources i-1 --tags Key@=file:///etc/hostname,Value=b",
            "file://",
        ),
        ("cloudwatch describe-alarms --query file://q.txt", "file://"),
    ] {
        for context in [ParseContext::Chat, ParseContext::Terminal] {
            match parse(input, Models::global(), context) {
                Err(CommandError::FileReference { prefix: found, .. }) => {
                    assert_eq!(found, prefix, "{input}")
                }
                other => panic!("{input}: expected FileReference, got {other:?}"),
            }
        }
    }
    check_error(
        "cloudwatch describe-alarms --alarm-names file:///etc/passwd",
        "The value of --alarm-names starts with 'file://', but the bot never reads files. Paste the content itself instead (JSON or shorthand).",
    );
}

/// Every line of the seed's list is refused, and a neighbour of it is not.
#[test]
fn the_never_allowed_list_is_enforced() {
    let models = Models::global();
    // Whole services: every CLI service of the line, with an operation it has; and a
    // neighbouring service that stays allowed.
    let whole_services = [
        (
            "Chatbot",
            &["chatbot"][..],
            "describe-slack-channel-configurations",
            "sns list-topics",
        ),
        (
            "Amazon Cognito user pools",
            &["cognito-idp"][..],
            "list-user-pools",
            "cognito-identity list-identity-pools --max-results 5",
        ),
        (
            "IAM",
            &["iam"][..],
            "list-users",
            "rolesanywhere list-profiles",
        ),
        (
            "AWS Key Management Service",
            &["kms"][..],
            "list-keys",
            "acm list-certificates",
        ),
        (
            "Amazon SimpleDB",
            &["sdb"][..],
            "list-domains",
            "dynamodb list-tables",
        ),
        (
            "Secrets Manager",
            &["secretsmanager"][..],
            "list-secrets",
            "ssm describe-parameters",
        ),
        (
            "AWS IAM Identity Center (successor to AWS Single Sign-On)",
            &["sso", "sso-admin", "sso-oidc", "identitystore"][..],
            "help",
            "organizations list-accounts",
        ),
        (
            "AWS Security Token Service",
            &["sts"][..],
            "get-caller-identity",
            "sns list-topics",
        ),
    ];
    let mut entries_checked = 0;
    for (seed_service, services, operation, neighbour) in whole_services {
        let entry = NEVER_ALLOWED
            .iter()
            .find(|e| e.seed_service == seed_service)
            .unwrap_or_else(|| panic!("{seed_service} is on the list"));
        assert_eq!(entry.cli_services, services);
        assert_eq!(entry.seed_operation, "All Operations");
        entries_checked += 1;
        for service in services {
            assert!(models.contains(service), "{service} is a CLI service");
            for input in [
                format!("{service} {operation}"),
                format!("{service} --help"),
                service.to_string(),
            ] {
                match run(&input) {
                    Err(CommandError::NeverAllowed {
                        operation: None, ..
                    }) => {}
                    other => panic!("{input}: expected NeverAllowed, got {other:?}"),
                }
            }
            assert!(is_never_allowed(service, "AnyOperation").is_some());
        }
        assert!(
            !matches!(run(neighbour), Err(CommandError::NeverAllowed { .. })),
            "{neighbour} stays allowed"
        );
    }
    // Single operations: (seed service, seed operation, refused command, allowed neighbour).
    let single_operations = [
        ("AWS AppSync", "ListApiKeys", "appsync list-api-keys --api-id a", "appsync list-graphql-apis"),
        ("AWS CodeCommit", "GetFile", "codecommit get-file --repository-name r --file-path p", "codecommit get-folder --repository-name r --folder-path p"),
        ("AWS CodeCommit", "GetCommit", "codecommit get-commit --repository-name r --commit-id c", "codecommit get-branch --repository-name r --branch-name b"),
        ("AWS CodeCommit", "GetDifferences", "codecommit get-differences --repository-name r --after-commit-specifier c", "codecommit list-repositories"),
        ("Amazon Connect", "GetFederationToken", "connect get-federation-token --instance-id i", "connect list-instances"),
        ("Amazon DynamoDB", "BatchGetItem", "dynamodb batch-get-item --request-items '{}'", r#"dynamodb batch-write-item --request-items '{"t":[{"PutRequest":{"Item":{"id":{"S":"1"}}}}]}'"#),
        ("Amazon DynamoDB", "GetItem", "dynamodb get-item --table-name t --key id={S=1}", "dynamodb put-item --table-name t --item id={S=1}"),
        ("Amazon EC2", "GetPasswordData", "ec2 get-password-data --instance-id i-1", "ec2 get-console-output --instance-id i-1"),
        ("Amazon ECR", "GetAuthorizationToken", "ecr get-authorization-token", "ecr describe-repositories"),
        ("Amazon ECR", "GetLogin", "ecr get-login --no-include-email", "ecr list-images --repository-name repo"),
        ("Amazon GameLift", "RequestUploadCredentials", "gamelift request-upload-credentials --build-id b", "gamelift list-builds"),
        ("Amazon GameLift", "GetInstanceAccess", "gamelift get-instance-access --fleet-id f --instance-id i", "gamelift describe-instances --fleet-id f"),
        ("Lightsail", "DownloadDefaultKeyPair", "lightsail download-default-key-pair", "lightsail get-instances"),
        ("Lightsail", "GetInstanceAccessDetail", "lightsail get-instance-access-details --instance-name i", "lightsail get-instance --instance-name i"),
        ("Lightsail", "GetKeyPair", "lightsail get-key-pair --key-pair-name k", "lightsail get-instance-state --instance-name i"),
        ("Lightsail", "GetKeyPairs", "lightsail get-key-pairs", "lightsail get-regions"),
        ("Lightsail", "UpdateRelationalDatabase", "lightsail update-relational-database --relational-database-name d", "lightsail update-relational-database-parameters --relational-database-name d --parameters parameterName=p"),
        ("Amazon Redshift", "GetClusterCredentials", "redshift get-cluster-credentials --db-user u --cluster-identifier c", "redshift describe-clusters"),
        ("StorageGateway", "DescribeChapCredentials", "storagegateway describe-chap-credentials --target-arn t", "storagegateway list-gateways"),
        ("Amazon S3", "GetBucketPolicy", "s3api get-bucket-policy --bucket b", "s3api get-bucket-policy-status --bucket b"),
        ("Amazon S3", "GetObject", "s3api get-object --bucket b --key k out", "s3api get-object-tagging --bucket b --key k"),
        ("Amazon S3", "HeadObject", "s3api head-object --bucket b --key k", "s3api head-bucket --bucket b"),
        ("Snowball", "GetJobUnlockCode", "snowball get-job-unlock-code --job-id j", "snowball list-jobs"),
    ];
    for (seed_service, seed_operation, refused, neighbour) in single_operations {
        let entry = NEVER_ALLOWED
            .iter()
            .find(|e| e.seed_service == seed_service && e.seed_operation == seed_operation)
            .unwrap_or_else(|| panic!("{seed_service} {seed_operation} is on the list"));
        entries_checked += 1;
        let service = entry.cli_services[0];
        let key = entry.operation.expect("a single operation");
        assert!(is_never_allowed(service, key).is_some(), "{service} {key}");
        // The key and the CLI names are real, except the CLI v1 customisation `ecr get-login`.
        let model = models.service(service).unwrap();
        if key != "GetLogin" {
            assert!(model.operations.contains_key(key), "{service} has {key}");
            assert_eq!(model.cli_operation_name(key), Some(entry.cli_operations[0]));
        }
        for input in [refused.to_owned(), format!("{refused} --help")] {
            match run(&input) {
                Err(error @ CommandError::NeverAllowed { .. }) => assert!(
                    error.to_string().contains("is never available from chat")
                        && error.to_string().contains(seed_operation),
                    "{error}"
                ),
                other => panic!("{input}: expected NeverAllowed, got {other:?}"),
            }
        }
        let neighbour_result = run(neighbour);
        assert!(
            matches!(neighbour_result, Ok(Command::Run(_))),
            "{neighbour} stays allowed: {neighbour_result:?}"
        );
    }
    assert_eq!(
        entries_checked,
        NEVER_ALLOWED.len(),
        "every entry is covered"
    );
    check_error(
        "s3api get-object --bucket b --key k out",
        "s3api get-object is never available from chat: AWS Chatbot's list of non-supported operations includes Amazon S3 GetObject.",
    );
    check_error(
        "iam list-users",
        "Every iam operation is never available from chat: AWS Chatbot's list of non-supported operations includes all operations of IAM.",
    );
    check_error(
        "ecr get-login-password",
        "ecr get-login-password is never available from chat: AWS Chatbot's list of non-supported operations includes Amazon ECR GetAuthorizationToken.",
    );
    assert_eq!(is_never_allowed("s3api", "GetObjectTagging"), None);
}

#[test]
fn s3_aliases() {
    let globals = GlobalOptions::default();
    let cases = [
        (
            "s3 ls",
            S3Command::List {
                bucket: None,
                prefix: None,
                recursive: false,
                globals: globals.clone(),
            },
        ),
        (
            "s3 ls s3://b",
            S3Command::List {
                bucket: Some("b".into()),
                prefix: None,
                recursive: false,
                globals: globals.clone(),
            },
        ),
        (
            "s3 ls s3://b/logs/2024/ --recursive",
            S3Command::List {
                bucket: Some("b".into()),
                prefix: Some("logs/2024/".into()),
                recursive: true,
                globals: globals.clone(),
            },
        ),
        (
            "s3 ls b/p --region eu-west-1",
            S3Command::List {
                bucket: Some("b".into()),
                prefix: Some("p".into()),
                recursive: false,
                globals: GlobalOptions {
                    region: Some("eu-west-1".into()),
                    ..GlobalOptions::default()
                },
            },
        ),
        (
            "s3 cp s3://a/dir/k.txt s3://b/k2.txt",
            S3Command::Copy {
                source_bucket: "a".into(),
                source_key: "dir/k.txt".into(),
                dest_bucket: "b".into(),
                dest_key: "k2.txt".into(),
                globals: globals.clone(),
            },
        ),
        (
            "s3 cp s3://a/dir/k.txt s3://b/backup/",
            S3Command::Copy {
                source_bucket: "a".into(),
                source_key: "dir/k.txt".into(),
                dest_bucket: "b".into(),
                dest_key: "backup/k.txt".into(),
                globals: globals.clone(),
            },
        ),
        (
            "s3 cp s3://a/k s3://b",
            S3Command::Copy {
                source_bucket: "a".into(),
                source_key: "k".into(),
                dest_bucket: "b".into(),
                dest_key: "k".into(),
                globals,
            },
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(run(input), Ok(Command::S3(expected)), "{input}");
    }
    let errors = [
        ("s3 cp ./report.csv s3://b/", "'./report.csv' is not an s3:// path. From chat, s3 cp copies from one S3 object to another: s3 cp s3://bucket/key s3://other-bucket/key."),
        ("s3 cp s3://a/k -", "'-' is not an s3:// path. From chat, s3 cp copies from one S3 object to another: s3 cp s3://bucket/key s3://other-bucket/key."),
        ("s3 cp s3://a/k", "s3 cp takes two S3 paths (got 1): s3 cp s3://bucket/key s3://other-bucket/key."),
        ("s3 cp s3://a/ s3://b/ --recursive", "s3 cp --recursive is not available from chat: copy one object at a time, s3 cp s3://bucket/key s3://other-bucket/key."),
        ("s3 mv s3://a/k s3://b/k", "Unknown s3 command 'mv'. Did you mean one of: cp, ls? From chat, s3 offers `s3 ls` and `s3 cp s3://bucket/key s3://bucket/key`; every other S3 operation is under `s3api`."),
        ("s3 ls --human-readable", "Unknown option --human-readable for s3 ls. Type `s3 ls help` to list its options."),
        ("s3 ls s3://b --endpoint-url http://x", "--endpoint-url is not available here: the bot only calls the AWS endpoints of the chosen region."),
    ];
    for (input, expected) in errors {
        check_error(input, expected);
    }
}

#[test]
fn help_requests() {
    let operation = |service: &str, operation: &str, cli: &str| {
        Command::Help(HelpRequest::Operation {
            service: service.into(),
            operation: operation.into(),
            cli_operation: cli.into(),
        })
    };
    let service = |service: &str| {
        Command::Help(HelpRequest::Service {
            service: service.into(),
        })
    };
    let cases = [
        ("", Command::Help(HelpRequest::General)),
        ("help", Command::Help(HelpRequest::General)),
        ("--help", Command::Help(HelpRequest::General)),
        ("cloudwatch", service("cloudwatch")),
        ("cloudwatch help", service("cloudwatch")),
        ("cloudwatch --help", service("cloudwatch")),
        ("help ec2", service("ec2")),
        (
            "cloudwatch describe-alarms --help",
            operation("cloudwatch", "DescribeAlarms", "describe-alarms"),
        ),
        (
            "cloudwatch describe-alarms help",
            operation("cloudwatch", "DescribeAlarms", "describe-alarms"),
        ),
        (
            "cloudwatch describe-alarms --state-value ALARM -help",
            operation("cloudwatch", "DescribeAlarms", "describe-alarms"),
        ),
        (
            "help cloudwatch describe-alarms",
            operation("cloudwatch", "DescribeAlarms", "describe-alarms"),
        ),
        ("s3", service("s3")),
        ("s3 help", service("s3")),
        (
            "s3 ls --help",
            Command::Help(HelpRequest::S3Alias {
                command: "ls".into(),
            }),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(run(input), Ok(expected), "{input}");
    }
    // Help names are checked too.
    check_error(
        "cloudwach --help",
        "Unknown service 'cloudwach'. Did you mean one of: cloudwatch, cloudsearch?",
    );
    check_error(
        "help cloudwatch describe-alarm",
        "Unknown operation 'describe-alarm' for cloudwatch. Did you mean one of: describe-alarms, describe-alarm-contributors, describe-alarm-history? Type `cloudwatch help` to list its operations.",
    );
}

#[test]
fn tokenizer_reads_quotes_like_a_shell() {
    let cases: [(&str, &[&str]); 8] = [
        ("a b  c", &["a", "b", "c"]),
        ("'a b' \"c d\"", &["a b", "c d"]),
        ("Key='a b',Value=c", &["Key=a b,Value=c"]),
        (r#""say \"hi\" \\ \n""#, &[r#"say "hi" \ \n"#]),
        (r"a\ b", &["a b"]),
        ("'' x", &["", "x"]),
        ("'{\"a\": \"b c\"}'", &["{\"a\": \"b c\"}"]),
        ("a\u{a0}b\nc", &["a", "b", "c"]),
    ];
    for (input, expected) in cases {
        assert_eq!(tokenize(input).unwrap(), expected, "{input}");
    }
    assert_eq!(
        tokenize("\"abc"),
        Err(CommandError::UnclosedQuote { quote: '"' })
    );
}

#[test]
fn rendered_command_lines_parse_back_to_the_same_invocation() {
    let cases = [
        ("cloudwatch describe-alarms --state-value ALARM", "aws cloudwatch describe-alarms --state-value ALARM"),
        (
            "cloudwatch describe-alarms --alarm-names 'my alarm' b --region eu-west-1 --output text --max-items 3",
            "aws cloudwatch describe-alarms --alarm-names 'my alarm' b --region eu-west-1 --output text --max-items 3",
        ),
        (
            "ec2 create-tags --resources i-1 --tags Key=a,Value=b Key=c,Value=d --dry-run",
            r#"aws ec2 create-tags --resources i-1 --tags '[{"Key":"a","Value":"b"},{"Key":"c","Value":"d"}]' --dry-run"#,
        ),
        ("ec2 describe-instances --no-dry-run", "aws ec2 describe-instances --no-dry-run"),
        (
            r#"dynamodb put-item --table-name t --item '{"id":{"S":"it'\''s"}}'"#,
            r#"aws dynamodb put-item --table-name t --item '{"id":{"S":"it'\''s"}}'"#,
        ),
        (
            "cloudwatch put-metric-alarm --alarm-name x --threshold 80 --evaluation-periods 2 --query 'a[?b==`1`]'",
            "aws cloudwatch put-metric-alarm --alarm-name x --threshold 80.0 --evaluation-periods 2 --query 'a[?b==`1`]'",
        ),
        ("sqs send-message --queue-url q --message-body=-x", "aws sqs send-message --queue-url q --message-body=-x"),
        ("ec2 authorize-security-group-ingress --from-port -1", "aws ec2 authorize-security-group-ingress --from-port -1"),
    ];
    for (input, expected) in cases {
        let Ok(Command::Run(invocation)) = run(input) else {
            panic!("{input} parses");
        };
        let line = render_command_line(&invocation, Models::global());
        assert_eq!(line, expected, "{input}");
        assert_eq!(run(&line), Ok(Command::Run(invocation)), "{line}");
    }
}

/// The nesting bounds on option values (shorthand and JSON) and on `--query`: inputs just
/// under and just over each, and the messages that crashed the bot before the bounds.
#[test]
fn nesting_limits_refuse_with_the_limit_named() {
    use super::shorthand::MAX_SHORTHAND_DEPTH;
    use super::values::MAX_JSON_VALUE_DEPTH;
    let hashes = |n: usize| format!("Name={}b{}", "{a=".repeat(n), "}".repeat(n));
    let lists = |n: usize| format!("Name={}b{}", "[".repeat(n), "]".repeat(n));
    let json = |n: usize| format!("'{}1{}'", "[".repeat(n), "]".repeat(n));
    let shorthand_limit = "more than 32 levels deep, the limit";
    let json_limit = "more than 32 levels deep, the limit; flatten the value";
    let query_limit = "the limit is";
    let cases: Vec<(String, Option<&str>)> = vec![
        (
            format!("--dimensions {}", hashes(MAX_SHORTHAND_DEPTH)),
            None,
        ),
        (
            format!("--dimensions {}", hashes(MAX_SHORTHAND_DEPTH + 1)),
            Some(shorthand_limit),
        ),
        (format!("--dimensions {}", lists(MAX_SHORTHAND_DEPTH)), None),
        (
            format!("--dimensions {}", lists(MAX_SHORTHAND_DEPTH + 1)),
            Some(shorthand_limit),
        ),
        // The JSON list of dimensions is one level itself.
        (
            format!("--dimensions {}", json(MAX_JSON_VALUE_DEPTH - 1)),
            None,
        ),
        (
            format!("--dimensions {}", json(MAX_JSON_VALUE_DEPTH)),
            Some(json_limit),
        ),
        // The messages that aborted the process.
        (
            format!("--dimensions Name={}", "{a=".repeat(1000)),
            Some(shorthand_limit),
        ),
        (
            format!("--dimensions Name={}", "[".repeat(3000)),
            Some(shorthand_limit),
        ),
        (format!("--dimensions {}", json(3000)), Some("invalid JSON")),
        (
            format!("--query '{}a'", "!".repeat(3000)),
            Some(query_limit),
        ),
        (format!("--query '{}'", "[".repeat(3000)), Some(query_limit)),
        (format!("--query '{}'", "(".repeat(3000)), Some(query_limit)),
        (
            format!("--query '{}'", "[?".repeat(1500)),
            Some(query_limit),
        ),
        (
            format!("--query 'a{}'", ".a".repeat(3000)),
            Some(query_limit),
        ),
        (
            format!("--query 'a{}'", "[0]".repeat(3000)),
            Some(query_limit),
        ),
    ];
    for (options, refused) in cases {
        let input = format!("cloudwatch list-metrics {options}");
        let outcome = run(&input).err().map(|e| e.to_string());
        let shown = &input[..input.len().min(80)];
        match refused {
            // Under the limit the value may still be wrong for the model, but not too deep.
            None => assert!(
                outcome.as_deref().is_none_or(|e| !e.contains("limit")),
                "{shown}: {outcome:?}"
            ),
            Some(needle) => {
                let message = outcome.unwrap_or_else(|| panic!("{shown}: accepted"));
                assert!(message.contains(needle), "{shown}: {message}");
            }
        }
    }
}

/// The deepest values the bounds accept go through the whole grammar on half a tokio worker's
/// stack (a debug build's frames are the largest).
#[test]
fn the_deepest_accepted_values_fit_a_worker_stack() {
    use super::shorthand::MAX_SHORTHAND_DEPTH;
    use super::values::MAX_JSON_VALUE_DEPTH;
    let n = MAX_SHORTHAND_DEPTH;
    let inputs = vec![
        format!(
            "cloudwatch list-metrics --dimensions Name={}b{}",
            "{a=".repeat(n),
            "}".repeat(n)
        ),
        format!(
            "cloudwatch list-metrics --dimensions Name={}b{}",
            "[".repeat(n),
            "]".repeat(n)
        ),
        format!(
            "cloudwatch list-metrics --dimensions '{}1{}'",
            "[".repeat(MAX_JSON_VALUE_DEPTH - 1),
            "]".repeat(MAX_JSON_VALUE_DEPTH - 1)
        ),
        // serde_json's own limit: parsed (and dropped) before the bot's depth check.
        format!(
            "cloudwatch list-metrics --dimensions '{}1{}'",
            "[".repeat(127),
            "]".repeat(127)
        ),
        format!(
            "cloudwatch list-metrics --dimensions '[{}\"a\":1{}]'",
            "{\"a\":".repeat(MAX_JSON_VALUE_DEPTH - 2),
            "}".repeat(MAX_JSON_VALUE_DEPTH - 1)
        ),
    ];
    let outcome = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            for input in &inputs {
                let _ = run(input);
            }
        })
        .expect("spawn")
        .join();
    assert!(outcome.is_ok());
}
