//! `exec`'s scripting features against moto: `--cli-input-yaml` (an AWS CLI v2 option the v1
//! parity reference lacks, so it is checked against its `--cli-input-json` twin),
//! `--generate-cli-skeleton yaml-input`, `file://` documents, and `<service> <operation> help`.
//! The forms the v1 CLI has are in the parity corpus (`# --- CLI features (H4)`).

use std::sync::Arc;

use aws_chatops::command::input::yaml_to_json;
use aws_chatops::exec::{exec_as, ExecEnv, ExecError, ExecIdentity};
use aws_chatops::policy::LocalOperator;

use crate::support::aws::{credentials, engine};

async fn run(args: &[&str]) -> Result<String, ExecError> {
    let engine = Arc::new(engine(None));
    let operator = LocalOperator::with_credentials("us-east-1", credentials());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    exec_as(
        &engine,
        &ExecEnv::default(),
        &args,
        &ExecIdentity::Local(&operator),
    )
    .await
}

#[tokio::test]
async fn a_yaml_document_runs_as_its_json_twin_and_the_command_line_wins() {
    let prefix = format!("/h4-yaml/{}", uuid::Uuid::new_v4());
    let yaml = format!("logGroupName: {prefix}/app\ntags:\n  team: core\n");
    run(&["logs", "create-log-group", "--cli-input-yaml", &yaml])
        .await
        .unwrap();
    run(&[
        "logs",
        "create-log-group",
        "--cli-input-json",
        &format!(r#"{{"logGroupName": "{prefix}/db"}}"#),
    ])
    .await
    .unwrap();

    let from_yaml = run(&[
        "logs",
        "describe-log-groups",
        "--cli-input-yaml",
        &format!("logGroupNamePrefix: '{prefix}'"),
        "--query",
        "logGroups[].logGroupName",
    ])
    .await
    .unwrap();
    let from_json = run(&[
        "logs",
        "describe-log-groups",
        "--cli-input-json",
        &format!(r#"{{"logGroupNamePrefix": "{prefix}"}}"#),
        "--query",
        "logGroups[].logGroupName",
    ])
    .await
    .unwrap();
    assert_eq!(from_yaml, from_json);
    let names: Vec<String> = serde_json::from_str(&from_yaml).unwrap();
    assert_eq!(names, [format!("{prefix}/app"), format!("{prefix}/db")]);

    // The option on the command line wins over the document's member.
    let narrowed = run(&[
        "logs",
        "describe-log-groups",
        "--log-group-name-prefix",
        &format!("{prefix}/db"),
        "--cli-input-yaml",
        &format!("logGroupNamePrefix: '{prefix}'"),
        "--query",
        "logGroups[].logGroupName",
    ])
    .await
    .unwrap();
    let names: Vec<String> = serde_json::from_str(&narrowed).unwrap();
    assert_eq!(names, [format!("{prefix}/db")]);
}

#[tokio::test]
async fn documents_are_checked_like_options() {
    let unknown = run(&[
        "logs",
        "describe-log-groups",
        "--cli-input-json",
        r#"{"logGroupNamePrefx": "/x"}"#,
    ])
    .await
    .unwrap_err();
    let message = unknown.to_string();
    assert!(
        message.contains("Unknown parameter in input: \"logGroupNamePrefx\"")
            && message.contains("logGroupNamePrefix"),
        "{message}"
    );
    assert_eq!(unknown.exit_code(), aws_chatops::exec::EXIT_PARSE_ERROR);

    let wrong_type = run(&[
        "logs",
        "describe-log-groups",
        "--cli-input-yaml",
        "limit: many",
    ])
    .await
    .unwrap_err()
    .to_string();
    assert!(wrong_type.contains("limit"), "{wrong_type}");

    // A required member the document does not give is missing as on the command line.
    let missing = run(&["logs", "create-log-group", "--cli-input-json", "{}"])
        .await
        .unwrap_err()
        .to_string();
    assert!(missing.contains("--log-group-name"), "{missing}");

    let not_an_object = run(&["logs", "describe-log-groups", "--cli-input-json", "[1]"])
        .await
        .unwrap_err()
        .to_string();
    assert!(not_an_object.contains("not an object"), "{not_an_object}");
}

#[tokio::test]
async fn documents_are_read_from_files_by_the_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.json");
    std::fs::write(&path, r#"{"logGroupNamePrefix": "/nothing-here-h4"}"#).unwrap();
    let out = run(&[
        "logs",
        "describe-log-groups",
        "--cli-input-json",
        &format!("file://{}", path.display()),
    ])
    .await
    .unwrap();
    assert_eq!(out, "{\n    \"logGroups\": []\n}\n");

    let missing = run(&[
        "logs",
        "describe-log-groups",
        "--cli-input-json",
        &format!("file://{}/absent.json", dir.path().display()),
    ])
    .await
    .unwrap_err()
    .to_string();
    assert!(missing.contains("Unable to load paramfile"), "{missing}");

    // The grammar itself (what chat runs) never reads the file.
    let chat = aws_chatops::command::parse(
        &format!(
            "logs describe-log-groups --cli-input-json file://{}",
            path.display()
        ),
        aws_chatops::models::Models::global(),
        aws_chatops::command::ParseContext::Chat,
    )
    .unwrap_err()
    .to_string();
    assert!(chat.contains("never reads files"), "{chat}");
}

#[tokio::test]
async fn the_yaml_input_skeleton_reads_back_as_the_json_one() {
    let json = run(&["sns", "create-topic", "--generate-cli-skeleton"])
        .await
        .unwrap();
    let yaml = run(&[
        "sns",
        "create-topic",
        "--generate-cli-skeleton",
        "yaml-input",
    ])
    .await
    .unwrap();
    assert_ne!(json, yaml);
    assert_eq!(
        yaml_to_json(&yaml).unwrap(),
        serde_json::from_str::<serde_json::Value>(&json).unwrap()
    );
    // Chat refuses the option and says where it works.
    let chat = aws_chatops::command::parse(
        "sns create-topic --generate-cli-skeleton",
        aws_chatops::models::Models::global(),
        aws_chatops::command::ParseContext::Chat,
    )
    .unwrap_err()
    .to_string();
    assert!(chat.contains("aws-chatops exec"), "{chat}");
}

#[tokio::test]
async fn operation_help_lists_options_types_and_which_are_required() {
    let help = run(&["cloudwatch", "put-metric-alarm", "help"])
        .await
        .unwrap();
    let required = help
        .split("Optional options:")
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(required.contains("Required options:\n"), "{help}");
    // The model's only required member of PutMetricAlarm (botocore 1.43).
    assert!(
        required.ends_with("Required options:\n  --alarm-name  string\n\n"),
        "{help}"
    );
    assert!(
        help.contains("  --comparison-operator  string, one of: GreaterThanOrEqualToThreshold, "),
        "{help}"
    );
    assert!(!required.contains("--threshold-metric-id"), "{help}");
    assert!(
        help.contains("  --actions-enabled  flag (--actions-enabled or --no-actions-enabled)\n"),
        "{help}"
    );
    assert!(
        help.contains("  --dimensions  list of structure\n"),
        "{help}"
    );
    assert!(help.contains("  --threshold  number\n"), "{help}");
    // describe-alarms pages; put-metric-alarm does not.
    assert!(!help.contains("--max-items"), "{help}");
    let paged = run(&["cloudwatch", "describe-alarms", "help"])
        .await
        .unwrap();
    assert!(paged.contains("--max-items"), "{paged}");
    assert!(!paged.contains("Required options:"), "{paged}");
}
