//! `aws-chatops check-config` as an administrator runs it: the committed example passes, and
//! the deliberately broken copy is explained line by line with a non-zero exit.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs `aws-chatops check-config --config <config>` (with `AWS_CHATOPS_STORE` pointing at
/// `store` when given): the exit code and what it printed.
fn run_check_config(config: &Path, store: Option<&Path>) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aws-chatops"));
    command
        .arg("check-config")
        .arg("--config")
        .arg(config)
        .env_remove("AWS_CHATOPS_CONFIG");
    if let Some(store) = store {
        command.env("AWS_CHATOPS_STORE", store);
    }
    let output = command.output().expect("aws-chatops runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn check_config(path: &str) -> (i32, String) {
    run_check_config(&repo_file(path), None)
}

#[test]
fn the_example_config_is_valid() {
    let (code, text) = check_config("config/example.toml");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("the configuration is valid: 4 channel entries, 2 accounts"),
        "{text}"
    );
}

#[test]
fn the_broken_example_is_explained_line_by_line() {
    let (code, text) = check_config("tests/fixtures/broken-access.toml");
    assert_eq!(code, 1, "{text}");
    let fixture = std::fs::read_to_string(repo_file("tests/fixtures/broken-access.toml")).unwrap();
    let line_of = |needle: &str| {
        fixture[..fixture.find(needle).expect(needle)]
            .matches('\n')
            .count()
            + 1
    };
    let expectations: &[(&str, &str)] = &[
        (
            "MicrosoftAppPasword",
            "Did you mean `MicrosoftAppPassword`?",
        ),
        ("[acess]", "unknown table `acess`"),
        ("\"syslog\"", "unknown audit destination"),
        ("duration_seconds = 60", "900 to 43200"),
        ("\"12345678901\"", "is not an AWS account id"),
        ("\"europe\"", "is not an AWS region name"),
        ("user/not-a-role", "is not an IAM role ARN"),
        ("alice@example.com", "is not an Entra object id"),
        ("\"Permit\"", "neither \"Allow\" nor \"Deny\""),
        ("ec2 StartInstances", "service:Action"),
        (
            "arn:aws:s3:::reports/*",
            "guardrails cap actions, not resources",
        ),
        ("groupId=8d9a3c4e", "no tenantId"),
        ("[\"prod\"]", "Did you mean `production`?"),
        ("[\"Readonly\"]", "Did you mean `ReadOnly`?"),
        (
            "require_user_role = true",
            "unknown key `require_user_role`",
        ),
        ("[access.channels.both]", "use only one of"),
    ];
    for (needle, words) in expectations {
        let prefix = format!("broken-access.toml:{}:", line_of(needle));
        assert!(
            text.lines()
                .any(|line| line.contains(&prefix) && line.contains(words)),
            "no line {prefix} with {words:?}:\n{text}"
        );
    }
    assert!(text.contains("19 mistakes found"), "{text}");
}

/// Runs `check-config` on a file with `text`, written to a temporary directory.
fn check_config_text(text: &str) -> (i32, String) {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("bad-topic.toml");
    std::fs::write(&path, text).unwrap();
    run_check_config(&path, None)
}

#[test]
fn the_example_config_lists_its_notification_topic() {
    let (code, text) = check_config("config/example.toml");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("Notifications: 1 topic, 1 log group mapping.")
            && text.contains(
                "prod-alarms: arn:aws:sns:eu-west-1:123456789012:prod-alarms → ops, oncall"
            ),
        "{text}"
    );
}

#[test]
fn a_bad_notification_topic_is_explained_with_line_and_column() {
    // The example with its topic broken three ways: a malformed ARN, a misspelt channel and a
    // button command starting with `aws`.
    let example = std::fs::read_to_string(repo_file("config/example.toml")).unwrap();
    let broken = example
        .replace(
            "arn = \"arn:aws:sns:eu-west-1:123456789012:prod-alarms\"",
            "arn = \"arn:aws:sns:eu-west-1:prod-alarms\"",
        )
        .replace(
            "channels = [\"ops\", \"oncall\"]",
            "channels = [\"ops\", \"on-call\"]",
        )
        .replace(
            "command = \"cloudwatch describe-alarm-history",
            "command = \"aws cloudwatch describe-alarm-history",
        );
    let place = |needle: &str| {
        let offset = broken.find(needle).expect(needle);
        let line_start = broken[..offset].rfind('\n').map_or(0, |i| i + 1);
        (
            broken[..offset].matches('\n').count() + 1,
            broken[line_start..offset].chars().count() + 1,
        )
    };
    let (code, text) = check_config_text(&broken);
    assert_eq!(code, 1, "{text}");
    for (needle, words) in [
        (
            "\"arn:aws:sns:eu-west-1:prod-alarms\"",
            "notifications.topics.prod-alarms.arn: \"arn:aws:sns:eu-west-1:prod-alarms\" is not an SNS topic ARN: it does not have six `:`-separated parts",
        ),
        (
            "\"on-call\"",
            "notifications.topics.prod-alarms.channels: unknown channel `on-call`. Did you mean `oncall`?",
        ),
        (
            "aws cloudwatch describe-alarm-history",
            "notifications.topics.prod-alarms.buttons[1].command: drop the leading `aws`",
        ),
    ] {
        let (line, column) = place(needle);
        let prefix = format!("bad-topic.toml:{line}:{column}: ");
        assert!(
            text.lines()
                .any(|l| l.contains(&prefix) && l.contains(words)),
            "no line {prefix}… {words:?}:\n{text}"
        );
    }
    assert!(text.contains("3 mistakes found"), "{text}");
}

/// `check-config` run with `AWS_CHATOPS_STORE` pointing at `store`.
fn check_example_with_store(store: &Path) -> (i32, String) {
    run_check_config(&repo_file("config/example.toml"), Some(store))
}

#[test]
fn check_config_names_the_mapped_channels_the_bot_cannot_post_to_yet() {
    use aws_chatops::bot::{ConversationStore, DurableConversationStore};
    let directory = tempfile::tempdir().unwrap();
    let store_path = directory.path().join("store.redb");

    // No store yet: every mapped channel is named, and no store file is created.
    let (code, text) = check_example_with_store(&store_path);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("no channel has a conversation reference: ops, oncall"),
        "{text}"
    );
    assert!(!store_path.exists());

    // The bot was installed where the `ops` channel is: only `oncall` is named.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = aws_chatops::store::open(store_path.to_str().unwrap())
            .await
            .unwrap();
        let reference = serde_json::from_value(serde_json::json!({
            "serviceUrl": "https://smba.trafficmanager.net/emea/",
            "channelId": "msteams",
            "conversation": {"id": "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"},
            "bot": {"id": "28:00000000-0000-0000-0000-000000000000"},
            "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"
        }))
        .unwrap();
        DurableConversationStore::new(store)
            .put(reference)
            .await
            .unwrap();
    });
    drop(runtime);
    let (code, text) = check_example_with_store(&store_path);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("No conversation reference yet for oncall:"),
        "{text}"
    );
}

/// A channel whose only guardrails are inline statements gets no ReadOnly: check-config says
/// so for that entry, and not for one that also names ReadOnly.
#[test]
fn a_channel_with_only_inline_statements_is_warned_about() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("inline-only.toml");
    let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let text = format!(
        r#"
[access]
default_region = "us-east-1"

[access.accounts.production]
id = "123456789012"
channel_role = "arn:aws:iam::123456789012:role/chatops"

[access.channels.narrow]
tenant_id = "{tenant}"
channel_id = "19:narrow@thread.tacv2"
accounts = ["production"]
[[access.channels.narrow.guardrail_statement]]
effect = "Allow"
action = ["cloudwatch:SetAlarmState"]

[access.channels.wide]
tenant_id = "{tenant}"
channel_id = "19:wide@thread.tacv2"
accounts = ["production"]
guardrails = ["ReadOnly"]
[[access.channels.wide.guardrail_statement]]
effect = "Allow"
action = ["cloudwatch:SetAlarmState"]
"#
    );
    std::fs::write(&path, text).unwrap();
    let (code, printed) = run_check_config(&path, None);
    assert_eq!(code, 0, "a warning, not a mistake: {printed}");
    assert!(
        printed.contains("WARNING: channel entry `narrow` has inline `guardrail_statement`s and no `guardrails`, so ReadOnly is not added"),
        "{printed}"
    );
    assert!(
        printed.contains("Add `guardrails = [\"ReadOnly\"]` to the entry to allow reads too."),
        "{printed}"
    );
    assert!(!printed.contains("channel entry `wide`"), "{printed}");
}
