//! Help requests and the `s3 ls`/`s3 cp` aliases.

use super::*;

#[test]
fn s3_aliases() {
    let list = |bucket: Option<&str>, prefix: Option<&str>, recursive: bool| S3Command::List {
        bucket: bucket.map(str::to_owned),
        prefix: prefix.map(str::to_owned),
        recursive,
        options: ListOptions::default(),
        globals: GlobalOptions::default(),
    };
    // (source bucket, source key) to (destination bucket, destination key).
    let copy = |(source_bucket, source_key): (&str, &str),
                (dest_bucket, dest_key): (&str, &str)| {
        S3Command::Copy {
            source: S3Object {
                bucket: source_bucket.into(),
                key: source_key.into(),
            },
            dest: S3Object {
                bucket: dest_bucket.into(),
                key: dest_key.into(),
            },
            globals: GlobalOptions::default(),
        }
    };
    let cases = [
        ("s3 ls", list(None, None, false)),
        ("s3 ls s3://b", list(Some("b"), None, false)),
        (
            "s3 ls s3://b/logs/2024/ --recursive",
            list(Some("b"), Some("logs/2024/"), true),
        ),
        (
            "s3 ls b/p --region eu-west-1",
            S3Command::List {
                bucket: Some("b".into()),
                prefix: Some("p".into()),
                recursive: false,
                options: ListOptions::default(),
                globals: GlobalOptions {
                    region: Some("eu-west-1".into()),
                    ..GlobalOptions::default()
                },
            },
        ),
        (
            "s3 cp s3://a/dir/k.txt s3://b/k2.txt",
            copy(("a", "dir/k.txt"), ("b", "k2.txt")),
        ),
        (
            "s3 cp s3://a/dir/k.txt s3://b/backup/",
            copy(("a", "dir/k.txt"), ("b", "backup/k.txt")),
        ),
        ("s3 cp s3://a/k s3://b", copy(("a", "k"), ("b", "k"))),
        (
            "s3 ls s3://b --recursive --human-readable --summarize --page-size 100 --request-payer",
            S3Command::List {
                bucket: Some("b".into()),
                prefix: None,
                recursive: true,
                options: ListOptions {
                    human_readable: true,
                    summarize: true,
                    request_payer: Some("requester".into()),
                    ..ListOptions::default()
                },
                globals: GlobalOptions {
                    page_size: Some(100),
                    ..GlobalOptions::default()
                },
            },
        ),
        (
            "s3 ls --bucket-name-prefix logs- --bucket-region eu-west-1",
            S3Command::List {
                bucket: None,
                prefix: None,
                recursive: false,
                options: ListOptions {
                    bucket_name_prefix: Some("logs-".into()),
                    bucket_region: Some("eu-west-1".into()),
                    ..ListOptions::default()
                },
                globals: GlobalOptions::default(),
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
        ("s3 mv s3://a/k s3://b/k", "`s3 mv` is not available from chat or exec: it moves local files or many objects; use s3 cp s3://… s3://… for one object."),
        ("s3 mb s3://new", "Unknown s3 command 'mb'. Did you mean one of: cp, ls? From chat, s3 offers `s3 ls` and `s3 cp s3://bucket/key s3://bucket/key`; every other S3 operation is under `s3api`."),
        ("s3 ls --sizes", "Unknown option --sizes for s3 ls. Type `s3 ls help` to list its options."),
        ("s3 ls s3://b --request-payer me", "Invalid value 'me' for --request-payer. Allowed values: requester."),
        ("s3 ls s3://b --page-size 0", "Invalid value for --page-size: '0' is not a whole number above 0. Expected a whole number of items per call, like 100."),
        ("s3 ls s3://b --summarize --summarize", "--summarize is given more than once. Give it once; a list takes several values after one --summarize."),
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
