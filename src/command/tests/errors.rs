//! Error messages that say what is wrong and how to fix it: bad values, missing required
//! options, refused options and file references.

use serde_json::json;

use super::*;

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
        // lambda invoke takes a positional outfile (see tests/customizations.rs); a second one is too many.
        ("lambda invoke --function-name f --payload '{\"a\": 1}' out.json extra.json",
         "Unexpected 'extra.json'. Quote a value that contains spaces, and put each value after its --option."),
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
    // The skeleton is the terminal's: chat refuses it (before or after the operation).
    for input in [
        "cloudwatch describe-alarms --generate-cli-skeleton",
        "--generate-cli-skeleton cloudwatch describe-alarms",
    ] {
        match parse(input, Models::global(), ParseContext::Chat) {
            Err(CommandError::RefusedOption { option, .. }) => {
                assert_eq!(option, "generate-cli-skeleton", "{input}")
            }
            other => panic!("{input}: expected RefusedOption, got {other:?}"),
        }
        match parse(input, Models::global(), ParseContext::Terminal) {
            Ok(Command::Run(invocation)) => assert_eq!(
                invocation.globals.generate_cli_skeleton,
                Some(crate::command::skeleton::SkeletonKind::Input),
                "{input}"
            ),
            other => panic!("{input}: expected a skeleton request, got {other:?}"),
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
        (
            "cloudwatch describe-alarms --cli-input-json file://input.json",
            "file://",
        ),
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
