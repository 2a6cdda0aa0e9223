//! The AWS CLI's customizations (`command::customizations`): the options they add, the
//! positional outfile of streamed outputs, and the workstation-only commands refused.

use super::*;

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

#[test]
fn list_clusters_state_flags_stand_for_the_cli_state_lists() {
    check(
        "emr list-clusters --active",
        call(
            "emr ListClusters",
            json!({"ClusterStates": ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING", "TERMINATING"]}),
        ),
    );
    check(
        "emr list-clusters --terminated --created-after 2026-01-01",
        call(
            "emr ListClusters",
            json!({"CreatedAfter": "2026-01-01", "ClusterStates": ["TERMINATED"]}),
        ),
    );
    check(
        "emr list-clusters --created-before 2026-01-01 --fail",
        call(
            "emr ListClusters",
            json!({"CreatedBefore": "2026-01-01", "ClusterStates": ["TERMINATED_WITH_ERRORS"]}),
        ),
    );
    // `--cluster-states` is the model's own option and stays as it was.
    check(
        "emr list-clusters --cluster-states WAITING RUNNING",
        call(
            "emr ListClusters",
            json!({"ClusterStates": ["WAITING", "RUNNING"]}),
        ),
    );
    let only_one = "you can specify only one of the cluster state filters: --cluster-states, \
                    --active, --terminated, --failed; keep one of them.";
    for (input, option, other) in [
        ("emr list-clusters --active --failed", "failed", "active"),
        ("emr list-clusters --failed --active", "failed", "active"),
        (
            "emr list-clusters --terminated --cluster-states RUNNING",
            "terminated",
            "cluster-states",
        ),
        (
            "emr list-clusters --cluster-states RUNNING --active",
            "active",
            "cluster-states",
        ),
    ] {
        check_error(
            input,
            &format!("--{option} cannot be combined with --{other}: {only_one}"),
        );
    }
    check_error(
        "emr list-clusters --active yes",
        "Unexpected 'yes' after --active. Quote a value that contains spaces, and put each value after its --option.",
    );
}

#[test]
fn send_email_options_build_the_destination_and_the_message() {
    check(
        "ses send-email --from ops@example.com --subject 'Disk full' --to ana@example.com \
         bo@example.com --bcc audit@example.com --text 'db-1 is at 95%' --html '<b>95%</b>' \
         --reply-to ops@example.com --return-path bounce@example.com",
        call(
            "ses SendEmail",
            json!({
                "Source": "ops@example.com",
                "ReplyToAddresses": ["ops@example.com"],
                "ReturnPath": "bounce@example.com",
                "Destination": {
                    "ToAddresses": ["ana@example.com", "bo@example.com"],
                    "BccAddresses": ["audit@example.com"]
                },
                "Message": {
                    "Subject": {"Data": "Disk full"},
                    "Body": {"Text": {"Data": "db-1 is at 95%"}, "Html": {"Data": "<b>95%</b>"}}
                }
            }),
        ),
    );
    // `--subject` beside `--message` replaces its subject; `--cc` alone is a destination.
    check(
        "ses send-email --from a@example.com --cc c@example.com \
         --message Subject={Data=old},Body={Text={Data=hi}} --subject new",
        call(
            "ses SendEmail",
            json!({
                "Source": "a@example.com",
                "Message": {"Subject": {"Data": "new"}, "Body": {"Text": {"Data": "hi"}}},
                "Destination": {"CcAddresses": ["c@example.com"]}
            }),
        ),
    );
    // The model's forms still work, and are still needed when the options are not given.
    check(
        "ses send-email --from a@example.com --destination ToAddresses=b@example.com \
         --message Subject={Data=s},Body={Text={Data=t}}",
        call(
            "ses SendEmail",
            json!({
                "Source": "a@example.com",
                "Destination": {"ToAddresses": ["b@example.com"]},
                "Message": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}
            }),
        ),
    );
}

#[test]
fn send_email_options_are_checked() {
    let cases = [
        (
            "ses send-email --from a@example.com --destination ToAddresses=b@example.com --to c@example.com --subject s --text t",
            "--to cannot be combined with --destination: give the recipients either as --destination or with --to, --cc and --bcc.",
        ),
        (
            "ses send-email --from a@example.com --to b@example.com --message Subject={Data=s},Body={Text={Data=t}} --html '<p>t</p>'",
            "--html cannot be combined with --message: give the message either as --message or with --subject, --text and --html.",
        ),
        (
            "ses send-email --from a@example.com --to b@example.com --text hello",
            "--subject needs a value: a mail with --text needs a subject too (the message's Subject.Data is required); add --subject \"Your subject\".",
        ),
        (
            "ses send-email --from a@example.com --to --subject s --text t",
            "--to needs a value: one or more email addresses separated by spaces, like ana@example.com bo@example.com.",
        ),
        (
            "ses send-email --from a@example.com --to b@example.com --subject Disk full --text t",
            "Unexpected 'full' after --subject. Quote a value that contains spaces, and put each value after its --option.",
        ),
        (
            "ses send-email --from a@example.com --to b@example.com",
            "ses send-email is missing the required option --message.",
        ),
        (
            "ses send-email --from a@example.com --subject s --text t",
            "ses send-email is missing the required option --destination.",
        ),
    ];
    for (input, expected) in cases {
        check_error(input, expected);
    }
}

#[test]
fn create_distribution_options_build_the_cli_distribution_config() {
    let invocation = parsed(
        "cloudfront create-distribution --origin-domain-name example.com \
         --default-root-object index.html",
    );
    let config = &invocation.params["DistributionConfig"];
    // The unique parts are the time and a random number, as the CLI's `unique_string`.
    let caller_reference = config["CallerReference"].as_str().unwrap();
    let unique = regex::Regex::new(r"^cli-[0-9]{10}-[0-9]{1,7}$").unwrap();
    assert!(unique.is_match(caller_reference), "{caller_reference}");
    let origin_id = config["Origins"]["Items"][0]["Id"].as_str().unwrap();
    let origin = regex::Regex::new(r"^example\.com-[0-9]{10}-[0-9]{1,7}$").unwrap();
    assert!(origin.is_match(origin_id), "{origin_id}");
    assert_eq!(config["DefaultCacheBehavior"]["TargetOriginId"], origin_id);
    assert_eq!(
        config["Origins"]["Items"][0],
        json!({
            "Id": origin_id, "DomainName": "example.com", "OriginPath": "",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}
        })
    );
    assert_eq!(config["DefaultRootObject"], "index.html");
    assert_eq!(config["Enabled"], true);
    // The command line on cards gives the built config, and reads back to the same call.
    let line = render_command_line(&invocation, Models::global());
    assert!(line.contains("--distribution-config"), "{line}");
    assert_eq!(
        parsed(line.trim_start_matches("aws ")).params,
        invocation.params
    );

    // The same config given whole cannot be combined with the options that build it.
    check_error(
        &format!("{} --origin-domain-name example.com", line.trim_start_matches("aws ")),
        "--origin-domain-name cannot be combined with --distribution-config: give the whole config with --distribution-config, or let --origin-domain-name and --default-root-object build it.",
    );
    let cases = [
        (
            "cloudfront create-distribution --origin-domain-name",
            "--origin-domain-name needs a value: the origin's domain name, like my-bucket.s3.amazonaws.com or example.com.",
        ),
        (
            "cloudfront create-distribution",
            "cloudfront create-distribution is missing the required option --distribution-config.",
        ),
        (
            "cloudfront update-distribution --id E1 --default-root-object index.html",
            "--default-root-object is not available here: the AWS CLI first reads the distribution's whole config (get-distribution-config) and sends it back with the new root object, a second call the bot does not make for you. Run `cloudfront get-distribution-config --id ID`, then `cloudfront update-distribution --id ID --if-match ETAG --distribution-config '<that config with DefaultRootObject set>'`",
        ),
    ];
    for (input, expected) in cases {
        check_error(input, expected);
    }
}

#[test]
fn option_group_commands_stand_for_modify_option_group_with_their_own_options() {
    let added = parsed(
        "rds add-option-to-option-group --option-group-name og-1 \
         --options OptionName=MEMCACHED,Port=11211 --apply-immediately",
    );
    // Access control and the audit see the real operation, a write.
    assert_eq!(
        (added.operation.as_str(), added.cli_operation.as_str()),
        ("ModifyOptionGroup", "add-option-to-option-group")
    );
    assert!(!crate::prompt::is_read_only("rds", &added.operation));
    assert_eq!(
        Value::Object(added.params.clone()),
        json!({
            "OptionGroupName": "og-1",
            "OptionsToInclude": [{"OptionName": "MEMCACHED", "Port": 11211}],
            "ApplyImmediately": true
        })
    );
    check(
        "rds remove-option-from-option-group --option-group-name og-1 --options MEMCACHED OEM",
        call(
            "rds ModifyOptionGroup",
            json!({"OptionGroupName": "og-1", "OptionsToRemove": ["MEMCACHED", "OEM"]}),
        ),
    );
    // The command line on cards uses each command's own `--options`, and reads back.
    for invocation in [
        added,
        parsed("rds remove-option-from-option-group --option-group-name og-1 --options OEM"),
    ] {
        let line = render_command_line(&invocation, Models::global());
        assert!(line.contains(" --options "), "{line}");
        assert_eq!(parsed(line.trim_start_matches("aws ")), invocation);
    }
    check_error(
        "rds add-option-to-option-group --option-group-name og-1 --options-to-remove OEM",
        "--options-to-remove is not available here: add-option-to-option-group only adds options; remove one with `rds remove-option-from-option-group --option-group-name NAME --options OPTION`",
    );
    check_error(
        "rds remove-option-from-option-group --option-group-name og-1 --options-to-include OptionName=OEM",
        "--options-to-include is not available here: remove-option-from-option-group only removes options; add one with `rds add-option-to-option-group --option-group-name NAME --options OptionName=OPTION`",
    );
    // Help, completion and forms list each command's own options.
    let model = Models::global().service("rds").unwrap();
    let operation = &model.operations["ModifyOptionGroup"];
    let names = |cli_operation: &str| {
        command_option_names(&model, operation, "rds", cli_operation)
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>()
    };
    let pair = |member: &str, option: &str| (member.to_owned(), option.to_owned());
    assert_eq!(
        names("add-option-to-option-group"),
        [
            pair("OptionGroupName", "option-group-name"),
            pair("OptionsToInclude", "options"),
            pair("ApplyImmediately", "apply-immediately")
        ]
    );
    assert_eq!(
        names("remove-option-from-option-group"),
        [
            pair("OptionGroupName", "option-group-name"),
            pair("OptionsToRemove", "options"),
            pair("ApplyImmediately", "apply-immediately")
        ]
    );
    // As in the CLI, there is no modify-option-group command.
    assert!(matches!(
        run("rds modify-option-group --option-group-name og-1"),
        Err(CommandError::UnknownOperation { .. })
    ));
}
