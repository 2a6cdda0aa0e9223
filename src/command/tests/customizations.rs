//! The AWS CLI's customizations (`command::customizations`): the options they add, the
//! positional outfile of streamed outputs, and the workstation-only commands refused.

use super::*;

mod calls;
mod commands;
mod options;

fn parsed(input: &str) -> Invocation {
    match run(input) {
        Ok(Command::Run(invocation)) => invocation,
        other => panic!("{input}: expected an invocation, got {other:?}"),
    }
}

#[test]
fn put_metric_data_options_fill_the_first_datum_in_the_cli_order() {
    check(
        "cloudwatch put-metric-data --namespace App --value 3.5 --metric-name Requests \
         --unit Count --dimensions InstanceId=i-1,Stage=prod --timestamp 2026-01-02T10:00:00Z \
         --storage-resolution 1",
        call(
            "cloudwatch PutMetricData",
            json!({"Namespace": "App", "MetricData": [{
                "MetricName": "Requests",
                "Timestamp": "2026-01-02T10:00:00Z",
                "Unit": "Count",
                "Value": 3.5,
                "Dimensions": [{"Name": "InstanceId", "Value": "i-1"}, {"Name": "Stage", "Value": "prod"}],
                "StorageResolution": 1
            }]}),
        ),
    );
    check(
        "cloudwatch put-metric-data --namespace App --metric-name Latency \
         --statistic-values Sum=10,Minimum=1,Maximum=9,SampleCount=2",
        call(
            "cloudwatch PutMetricData",
            json!({"Namespace": "App", "MetricData": [{
                "MetricName": "Latency",
                "StatisticValues": {"Sum": 10.0, "Minimum": 1.0, "Maximum": 9.0, "SampleCount": 2.0}
            }]}),
        ),
    );
    // --storage-resolution beside --metric-data sets its first datum's resolution.
    check(
        "cloudwatch put-metric-data --namespace App --metric-data MetricName=A,Value=1 \
         --storage-resolution 60",
        call(
            "cloudwatch PutMetricData",
            json!({"Namespace": "App", "MetricData": [{
                "MetricName": "A", "Value": 1.0, "StorageResolution": 60
            }]}),
        ),
    );
}

#[test]
fn put_metric_data_options_are_checked() {
    let cases = [
        (
            "cloudwatch put-metric-data --namespace App --metric-data MetricName=A,Value=1 --value 2",
            "--value cannot be combined with --metric-data: give the datapoint either as --metric-data or with --metric-name, --value, --unit, --dimensions, --timestamp and --statistic-values.",
        ),
        (
            "cloudwatch put-metric-data --namespace App --metric-name A --value many",
            "Invalid value for --value: 'many' is not a number. Expected a number.",
        ),
        (
            "cloudwatch put-metric-data --namespace App --metric-name A --value 1 --dimensions InstanceId",
            "Invalid value for --dimensions: 'InstanceId' is not one Name=Value pair. Expected Name=Value pairs separated by commas, like InstanceId=i-1234,InstanceType=m5.large.",
        ),
        (
            "cloudwatch put-metric-data --namespace App --metric-name A --value 1 --unit Apples",
            "Invalid value 'Apples' for --unit. Allowed values: Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None.",
        ),
    ];
    for (input, expected) in cases {
        check_error(input, expected);
    }
    // Without any datapoint the call goes out without MetricData, as from the CLI (this
    // model no longer requires it: EntityMetricData may carry the data instead).
    check(
        "cloudwatch put-metric-data --namespace App",
        call("cloudwatch PutMetricData", json!({"Namespace": "App"})),
    );
}

#[test]
fn run_instances_shortcuts_build_the_network_interface() {
    check(
        "ec2 run-instances --image-id ami-1 --subnet-id subnet-1 --security-group-ids sg-1 sg-2 \
         --associate-public-ip-address --secondary-private-ip-address-count 2",
        call(
            "ec2 RunInstances",
            json!({"MinCount": 1, "MaxCount": 1, "ImageId": "ami-1", "NetworkInterfaces": [{
                "DeviceIndex": 0,
                "AssociatePublicIpAddress": true,
                "SecondaryPrivateIpAddressCount": 2,
                "SubnetId": "subnet-1",
                "Groups": ["sg-1", "sg-2"]
            }]}),
        ),
    );
    check(
        "ec2 run-instances --image-id ami-1 --secondary-private-ip-addresses 10.0.0.6 10.0.0.7",
        call(
            "ec2 RunInstances",
            json!({"MinCount": 1, "MaxCount": 1, "ImageId": "ami-1", "NetworkInterfaces": [{
                "DeviceIndex": 0,
                "PrivateIpAddresses": [
                    {"PrivateIpAddress": "10.0.0.6", "Primary": false},
                    {"PrivateIpAddress": "10.0.0.7", "Primary": false}
                ]
            }]}),
        ),
    );
    // No shortcut: the instance-level settings stay where they are.
    check(
        "ec2 run-instances --image-id ami-1 --subnet-id subnet-1",
        call(
            "ec2 RunInstances",
            json!({"MinCount": 1, "MaxCount": 1, "ImageId": "ami-1", "SubnetId": "subnet-1"}),
        ),
    );
    // `--count` replaces the model's counts, which the CLI removes.
    check(
        "ec2 run-instances --image-id ami-1 --count 2:5",
        call(
            "ec2 RunInstances",
            json!({"ImageId": "ami-1", "MinCount": 2, "MaxCount": 5}),
        ),
    );
    check_error(
        "ec2 run-instances --image-id ami-1 --min-count 2",
        "--min-count is not available here: the AWS CLI's run-instances takes --count instead: `--count 2` launches 2, `--count 1:3` at least 1 and up to 3 (1 when not given)",
    );
    check_error(
        "ec2 run-instances --image-id ami-1 --count many",
        "Invalid value for --count: 'many' is not a count. Expected min[:max], like 1 or 1:10.",
    );
    check_error(
        "ec2 run-instances --image-id ami-1 --network-interfaces DeviceIndex=0 --associate-public-ip-address",
        "--associate-public-ip-address cannot be combined with --network-interfaces: mixing --network-interfaces with the simple, scalar options is not supported; put the setting inside --network-interfaces instead.",
    );
    check_error(
        "ec2 run-instances --image-id ami-1 --associate-public-ip-address yes",
        "--associate-public-ip-address is a flag and takes no value (got 'yes'). Write --associate-public-ip-address for true or --no-associate-public-ip-address for false.",
    );
}

#[test]
fn a_streamed_output_takes_a_positional_outfile_anywhere() {
    let outfile = |path: Option<&str>| {
        Some(Customization::Outfile {
            member: "Payload".to_owned(),
            path: path.map(str::to_owned),
        })
    };
    for (input, path) in [
        ("lambda invoke --function-name f out.json", Some("out.json")),
        ("lambda invoke out.json --function-name f", Some("out.json")),
        (
            "lambda invoke --function-name f --log-type Tail response.json",
            Some("response.json"),
        ),
        ("lambda invoke --function-name f -", Some("-")),
        // Chat has no files: the outfile may be left out there (exec asks for it).
        ("lambda invoke --function-name f", None),
    ] {
        let invocation = parsed(input);
        assert_eq!(invocation.params["FunctionName"], "f", "{input}");
        assert_eq!(invocation.globals.customization, outfile(path), "{input}");
    }
    let invocation = parsed("lambda invoke --function-name f --payload '{\"a\":1}' o.json");
    assert_eq!(invocation.params["Payload"], "{\"a\":1}");
    check_error(
        "lambda invoke --function-name f one.json two.json",
        "Unexpected 'two.json'. Quote a value that contains spaces, and put each value after its --option.",
    );
    // Operations without a streamed output keep refusing stray words.
    check_error(
        "lambda get-function --function-name f extra",
        "Unexpected 'extra' after --function-name. Quote a value that contains spaces, and put each value after its --option.",
    );
    // The customization survives the trip through a pending request.
    let invocation = parsed("lambda invoke --function-name f out.json");
    let json = serde_json::to_string(&invocation).unwrap();
    assert!(
        json.contains(r#""customization":{"kind":"outfile","member":"Payload","path":"out.json"}"#),
        "{json}"
    );
    assert_eq!(
        serde_json::from_str::<Invocation>(&json).unwrap(),
        invocation
    );
}

#[test]
fn workstation_only_commands_are_refused_with_the_reason() {
    let cases = [
        ("configure", "`configure` is not available from chat or exec: it edits the AWS CLI's local configuration files; the bot's settings live in its config file."),
        ("configure set region eu-west-1", "`configure set` is not available from chat or exec: it edits the AWS CLI's local configuration files; the bot's settings live in its config file."),
        ("eks update-kubeconfig --name prod", "`eks update-kubeconfig` is not available from chat or exec: it writes your local kubeconfig file."),
        ("cloudformation package --template-file t.yaml --s3-bucket b", "`cloudformation package` is not available from chat or exec: it uploads local files; upload the artifacts with your CLI and give the bot the template's S3 URL."),
        ("ssm start-session --target i-1", "`ssm start-session` is not available from chat or exec: it opens an interactive session through the Session Manager plugin."),
        ("codeartifact login --tool npm --domain d", "`codeartifact login` is not available from chat or exec: it writes npm, pip or twine settings on your machine."),
    ];
    for (input, expected) in cases {
        check_error(input, expected);
    }
}

#[test]
fn a_waiter_is_its_operation_marked_as_a_wait_in_a_terminal_and_in_chat() {
    let terminal = |input: &str| parse(input, Models::global(), ParseContext::Terminal);
    let Ok(Command::Run(invocation)) = terminal("dynamodb wait table-exists --table-name orders")
    else {
        panic!("a waiter parses in a terminal")
    };
    assert_eq!(invocation.operation, "DescribeTable");
    assert_eq!(invocation.cli_operation, "wait table-exists");
    assert_eq!(invocation.params["TableName"], "orders");
    assert_eq!(
        invocation.globals.customization,
        Some(Customization::Wait {
            waiter: "TableExists".to_owned()
        })
    );
    // The operation's required options are still required.
    assert!(matches!(
        terminal("dynamodb wait table-exists"),
        Err(CommandError::MissingRequired { .. })
    ));
    // In chat too: whether it may run there is the channel's to say (`long_running`).
    let chat = parse(
        "dynamodb wait table-exists --table-name orders",
        Models::global(),
        ParseContext::Chat,
    );
    assert!(
        matches!(&chat, Ok(Command::Run(waiting)) if *waiting == invocation),
        "{chat:?}"
    );
    let unknown = terminal("dynamodb wait table-ready")
        .unwrap_err()
        .to_string();
    assert!(
        unknown.starts_with("Unknown waiter 'table-ready'. dynamodb has these waiters: ")
            && unknown.contains("table-exists, table-not-exists"),
        "{unknown}"
    );
    let none = terminal("dynamodb wait").unwrap_err().to_string();
    assert!(none.starts_with("Name the waiter to wait for."), "{none}");
}
