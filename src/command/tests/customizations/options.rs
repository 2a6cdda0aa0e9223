//! The options AWS CLI customizations add to an operation: `emr list-clusters --active`, `ses
//! send-email --to`, `cloudfront create-distribution --origin-domain-name`,
//! `cloudfront create-invalidation --paths`.

use super::*;

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
fn create_invalidation_paths_build_the_cli_invalidation_batch() {
    let invocation =
        parsed("cloudfront create-invalidation --distribution-id E1 --paths /a '/b/*'");
    assert_eq!(invocation.params["DistributionId"], "E1");
    let batch = &invocation.params["InvalidationBatch"];
    // The reference is the time and a random number, as the CLI's `unique_string`.
    let caller_reference = batch["CallerReference"].as_str().unwrap();
    let unique = regex::Regex::new(r"^cli-[0-9]{10}-[0-9]{1,7}$").unwrap();
    assert!(unique.is_match(caller_reference), "{caller_reference}");
    assert_eq!(
        batch["Paths"],
        json!({"Quantity": 2, "Items": ["/a", "/b/*"]})
    );
    // The command line on cards gives the built batch, and reads back to the same call.
    let line = render_command_line(&invocation, Models::global());
    assert!(line.contains("--invalidation-batch"), "{line}");
    assert_eq!(
        parsed(line.trim_start_matches("aws ")).params,
        invocation.params
    );
    // The paths may come before the distribution id.
    let invocation =
        parsed("cloudfront create-invalidation --paths /index.html --distribution-id E2");
    assert_eq!(
        invocation.params["InvalidationBatch"]["Paths"],
        json!({"Quantity": 1, "Items": ["/index.html"]})
    );

    // The whole batch cannot be combined with the paths that build it.
    check_error(
        &format!("{} --paths /c", line.trim_start_matches("aws ")),
        "--paths cannot be combined with --invalidation-batch: give the whole batch with --invalidation-batch, or only the paths with --paths.",
    );
    let cases = [
        (
            "cloudfront create-invalidation --distribution-id E1 --paths",
            "--paths needs a value: one or more paths separated by spaces, like /index.html '/images/*'.",
        ),
        (
            "cloudfront create-invalidation --paths --distribution-id E1",
            "--paths needs a value: one or more paths separated by spaces, like /index.html '/images/*'.",
        ),
        (
            "cloudfront create-invalidation --distribution-id E1",
            "cloudfront create-invalidation is missing the required option --invalidation-batch.",
        ),
        (
            "cloudfront create-invalidation --distribution-id E1 --paths /a --paths /b",
            "--paths is given more than once. Give it once; a list takes several values after one --paths.",
        ),
    ];
    for (input, expected) in cases {
        check_error(input, expected);
    }
}
