//! Table tests of `[notifications]`: the example's topic, and every kind of mistake with its
//! message and the line and column it is reported at.

use super::super::{line_column, AccessConfig, ConfigProblem};
use super::*;

const EXAMPLE: &str = include_str!("../../../../config/example.toml");
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// An `[access]` part with three channels (`ops` a team channel, `chat` a group chat,
/// `direct` every personal chat) and one account; `[notifications]` text follows it.
fn with_access(notifications: &str) -> String {
    format!(
        r#"[access.accounts.a]
id = "111111111111"
channel_role = "arn:aws:iam::111111111111:role/r"
[access.channels.ops]
tenant_id = "{TENANT}"
channel_id = "19:abc@thread.tacv2"
accounts = ["a"]
[access.channels.chat]
tenant_id = "{TENANT}"
conversation_id = "19:def@thread.v2"
accounts = ["a"]
[access.channels.direct]
tenant_id = "{TENANT}"
personal_chats = true
accounts = ["a"]
{notifications}"#
    )
}

/// A valid topic `t` posting to `ops`, with `rest` appended inside its table.
fn topic(rest: &str) -> String {
    with_access(&format!(
        "[notifications.topics.t]\narn = \"arn:aws:sns:eu-west-1:123456789012:alarms\"\nchannels = [\"ops\"]\n{rest}"
    ))
}

/// A valid topic with one button whose command is `command`.
fn button_command(command: &str) -> String {
    topic(&format!(
        "[[notifications.topics.t.buttons]]\nlabel = \"Go\"\ncommand = '{command}'\n"
    ))
}

fn load(text: &str) -> Result<AccessConfig, Vec<ConfigProblem>> {
    AccessConfig::from_toml_str(text).map_err(|problems| problems.problems)
}

/// `(line, column)` of each problem with its path and message.
fn located(text: &str, problems: &[ConfigProblem]) -> Vec<(usize, usize, String)> {
    problems
        .iter()
        .map(|problem| {
            let (line, column) = problem
                .span
                .as_ref()
                .map_or((0, 0), |span| line_column(text, span.start));
            (
                line,
                column,
                format!("{}: {}", problem.path, problem.message),
            )
        })
        .collect()
}

/// Line and column of the first occurrence of `needle` in `text`.
fn place_of(text: &str, needle: &str) -> (usize, usize) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in {text}"));
    line_column(text, offset)
}

#[test]
fn the_example_has_its_topic_buttons_and_mapping() {
    let config = AccessConfig::from_toml_str(EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
    let notifications = &config.notifications;
    let topic = &notifications.topics["prod-alarms"];
    assert_eq!(topic.arn, "arn:aws:sns:eu-west-1:123456789012:prod-alarms");
    assert_eq!(topic.channels, ["ops", "oncall"]);
    assert_eq!(
        topic
            .buttons
            .iter()
            .map(|b| b.label.as_str())
            .collect::<Vec<_>>(),
        ["Recent deployments", "Alarm history"]
    );
    assert_eq!(
        notifications
            .topic_for_arn("arn:aws:sns:eu-west-1:123456789012:prod-alarms")
            .map(|t| t.name.as_str()),
        Some("prod-alarms")
    );
    assert_eq!(
        notifications
            .topics_for_channel("oncall")
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["prod-alarms"]
    );
    assert_eq!(notifications.topics_for_channel("direct").count(), 0);
    assert_eq!(notifications.mapped_channels(), ["ops", "oncall"]);
    assert_eq!(
        notifications.log_groups_for_alarm("orders-latency"),
        Some(
            &[
                "/aws/lambda/orders-worker".to_owned(),
                "/aws/lambda/orders-api".to_owned()
            ][..]
        )
    );
    assert_eq!(notifications.log_groups_for_alarm("Orders-latency"), None);
    assert_eq!(notifications.test_signing_cert_url_prefix, None);
    let deployments = &topic.buttons[0];
    assert_eq!(
        deployments.placeholders(),
        [
            Placeholder::Dimension("Application".into()),
            Placeholder::Region
        ]
    );
    let filled = deployments.fill(|placeholder| match placeholder {
        Placeholder::Dimension(name) if name == "Application" => Some("orders app".into()),
        Placeholder::Region => Some("eu-west-1".into()),
        _ => None,
    });
    assert_eq!(
        filled.as_deref(),
        Ok("deploy list-deployments --application-name 'orders app' --region eu-west-1")
    );
}

#[test]
fn a_valid_table_reads_every_key() {
    let text = with_access(
        r#"[notifications]
test_signing_cert_url_prefix = "http://127.0.0.1:8080/"
[notifications.topics.first]
description = "staging alarms"
arn = "arn:aws-cn:sns:cn-north-1:123456789012:a.fifo"
channels = ["chat", "ops"]
buttons = [{ label = "  History ", command = "cloudwatch describe-alarm-history --alarm-name $AlarmName" }]
[notifications.topics.second]
arn = "arn:aws:sns:us-east-1:123456789012:b"
channels = ["ops"]
[[notifications.log_groups]]
alarm_name = "api-?"
log_groups = ["/aws/apigateway/x#1"]
"#,
    );
    let config = load(&text).unwrap_or_else(|p| panic!("{p:#?}"));
    let notifications = &config.notifications;
    assert_eq!(
        notifications.test_signing_cert_url_prefix.as_deref(),
        Some("http://127.0.0.1:8080/")
    );
    assert_eq!(notifications.topics["first"].channels, ["chat", "ops"]);
    assert_eq!(
        notifications.topics["first"].buttons,
        [CustomButton {
            label: "History".into(),
            command: "cloudwatch describe-alarm-history --alarm-name $AlarmName".into()
        }]
    );
    assert_eq!(
        notifications
            .topics_for_channel("ops")
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["first", "second"]
    );
    assert_eq!(
        notifications
            .log_groups_for_alarm("api-1")
            .map(<[String]>::len),
        Some(1)
    );
    assert!(!notifications.is_empty());
    assert!(load(&with_access("")).unwrap().notifications.is_empty());
}

/// `(file text, text the problem's line starts at, words of its message)`: each case has
/// exactly this one problem.
fn cases() -> Vec<(String, &'static str, &'static str)> {
    let forty_one = "x".repeat(41);
    let six_buttons: String = (1..=6)
        .map(|n| format!("[[notifications.topics.t.buttons]]\nlabel = \"B{n}\"\ncommand = \"cloudwatch describe-alarms\"\n"))
        .collect();
    let fifty_one: Vec<String> = (0..51).map(|n| format!("\"/g/{n}\"")).collect();
    vec![
        // Unknown keys, with the closest known one.
        (with_access("[notifications]\ntopic = 1\n"), "topic = 1", "unknown key `topic`. Did you mean `topics`?"),
        (topic("chanels = []\n"), "chanels", "unknown key `chanels`. Did you mean `channels`?"),
        (topic("[[notifications.topics.t.buttons]]\nlable = \"x\"\nlabel = \"Go\"\ncommand = \"cloudwatch describe-alarms\"\n"), "lable", "Did you mean `label`?"),
        (with_access("[[notifications.log_groups]]\nalarm_name = \"a\"\nlog_group = [\"/a\"]\nlog_groups = [\"/a\"]\n"), "log_group =", "unknown key `log_group`. Did you mean `log_groups`? [notifications.log_groups] takes"),
        (format!("notifications = 1\n{}", with_access("")), "1\n[access", "`notifications` must be a table"),
        (with_access("[notifications.topics]\nt = 1\n"), "t = 1", "must be a table with `arn` and `channels`"),
        // Topic ARNs.
        (with_access("[notifications.topics.t]\nchannels = [\"ops\"]\n"), "t]\nchannels", "missing key `arn`"),
        (with_access("[notifications.topics.t]\narn = \"arn:aws:sqs:eu-west-1:123456789012:q\"\nchannels = [\"ops\"]\n"), "\"arn:aws:sqs", "the service is not `sns`; a topic ARN looks like \"arn:aws:sns:eu-west-1:123456789012:prod-alarms\""),
        (with_access("[notifications.topics.t]\narn = \"prod-alarms\"\nchannels = [\"ops\"]\n"), "\"prod-alarms\"", "is not an SNS topic ARN: it does not have six"),
        (with_access("[notifications.topics.t]\narn = \"arn:aws:sns:eu-west-1:1234:x\"\nchannels = [\"ops\"]\n"), "\"arn:aws:sns:eu-west-1:1234", "the account is not 12 digits"),
        (with_access("[notifications.topics.t]\narn = 5\nchannels = [\"ops\"]\n"), "5\n", "expected a string"),
        (
            topic("[notifications.topics.u]\narn = \"arn:aws:sns:eu-west-1:123456789012:alarms\"\nchannels = [\"chat\"]\n"),
            "\"arn:aws:sns:eu-west-1:123456789012:alarms\"\nchannels = [\"chat\"]",
            "topic `u` has the same ARN as topic `t`",
        ),
        // Channels.
        (with_access("[notifications.topics.t]\narn = \"arn:aws:sns:eu-west-1:123456789012:a\"\n"), "t]\narn", "missing key `channels`"),
        (with_access("[notifications.topics.t]\narn = \"arn:aws:sns:eu-west-1:123456789012:a\"\nchannels = []\n"), "[]", "list at least one channel key"),
        (with_access("[notifications.topics.t]\narn = \"arn:aws:sns:eu-west-1:123456789012:a\"\nchannels = [\"opps\"]\n"), "\"opps\"", "unknown channel `opps`. Did you mean `ops`?"),
        (with_access("[notifications.topics.t]\narn = \"arn:aws:sns:eu-west-1:123456789012:a\"\nchannels = [\"direct\"]\n"), "\"direct\"", "cannot be posted to \"every personal chat\""),
        (with_access("[notifications.topics.t]\narn = \"arn:aws:sns:eu-west-1:123456789012:a\"\nchannels = [\"ops\", \"ops\"]\n"), "\"ops\"]", "channel `ops` is listed twice"),
        // Buttons.
        (topic("[[notifications.topics.t.buttons]]\nlabel = \" \"\ncommand = \"cloudwatch describe-alarms\"\n"), "\" \"", "a button needs a label"),
        (topic(&format!("[[notifications.topics.t.buttons]]\nlabel = \"{forty_one}\"\ncommand = \"cloudwatch describe-alarms\"\n")), "\"xxx", "the label has 41 characters; at most 40"),
        (topic("[[notifications.topics.t.buttons]]\ncommand = \"cloudwatch describe-alarms\"\n"), "[[notifications.topics.t.buttons]]", "missing key `label`"),
        (topic(&six_buttons), "buttons]]", "6 buttons: a topic has at most 5"),
        (topic("[notifications.topics.t.buttons]\nlabel = \"x\"\n"), "[notifications.topics.t.buttons]", "must be a list of tables"),
        (topic("[[notifications.topics.t.buttons]]\nlabel = \"Go\"\ncommand = \"cloudwatch describe-alarms\"\n[[notifications.topics.t.buttons]]\nlabel = \"Go \"\ncommand = \"cloudwatch describe-alarms\"\n"), "\"Go \"", "two buttons of this topic are labelled \"Go\""),
        (button_command(" "), "' '", "give the command the button runs"),
        (topic("[[notifications.topics.t.buttons]]\nlabel = \"Go\"\ncommand = \"\"\"\ncloudwatch\ndescribe-alarms\"\"\"\n"), "\"\"\"", "write it on a single line"),
        (button_command("aws cloudwatch describe-alarms"), "aws cloudwatch", "drop the leading `aws`"),
        (button_command("@aws cloudwatch describe-alarms"), "@aws", "drop the leading `@aws`"),
        (button_command("cloudwatch describe-alarms --alarm-names $Alarm"), "$Alarm'", "unknown placeholder `$Alarm`. Did you mean `$AlarmName`? The placeholders are `$AlarmName`, `$Region`, `$AccountId`, `$Namespace`, `$MetricName`, `$Dimension.<Name>`"),
        (button_command("cloudwatch describe-alarms --alarm-names $Dimension"), "$Dimension'", "`$Dimension` needs the dimension's name"),
        (button_command("cloudwatch $MetricName"), "$MetricName", "not in the operation"),
        (button_command("cloudwach describe-alarms"), "cloudwach", "unknown service `cloudwach`. Did you mean `cloudwatch`?"),
        (button_command("deploy list-deployment --application-name $Dimension.App"), "list-deployment ", "`deploy` has no operation `list-deployment`. Did you mean `list-deployments`?"),
        (button_command("cloudwatch"), "'cloudwatch", "name a service and an operation"),
        (button_command("iam list-users"), "iam list", "`iam list-users` is never allowed from chat"),
        (button_command("s3 rm s3://x"), "rm s3", "`s3` has the commands `ls` and `cp`"),
        (button_command("cloudwatch describe-alarms --alarm-names \"$AlarmName"), "'cloudwatch", "unclosed \" quote"),
        // Log group mappings.
        (with_access("[[notifications.log_groups]]\nalarm_name = \"\"\nlog_groups = [\"/a\"]\n"), "\"\"", "give an alarm name or a pattern"),
        (with_access("[[notifications.log_groups]]\nalarm_name = \"a\"\nlog_groups = []\n"), "[]", "list at least one log group"),
        (with_access("[[notifications.log_groups]]\nalarm_name = \"a\"\nlog_groups = [\"/aws/lambda/x y\"]\n"), "\"/aws/lambda/x y\"", "is not a log group name: 1 to 512 letters"),
        (with_access(&format!("[[notifications.log_groups]]\nalarm_name = \"a\"\nlog_groups = [\"{}\"]\n", "a".repeat(513))), "\"aaa", "is not a log group name"),
        (with_access(&format!("[[notifications.log_groups]]\nalarm_name = \"a\"\nlog_groups = [{}]\n", fifty_one.join(", "))), "[\"/g/0\"", "51 log groups: a Logs Insights query reads at most 50"),
        (with_access("[[notifications.log_groups]]\nalarm_name = \"a\"\nlog_groups = [\"/a\", \"/a\"]\n"), "\"/a\"]", "log group \"/a\" is listed twice"),
        (with_access("[[notifications.log_groups]]\nlog_groups = [\"/a\"]\n"), "[[notifications.log_groups]]", "missing key `alarm_name`"),
        (with_access("[notifications.log_groups]\nalarm_name = \"a\"\n"), "[notifications.log_groups]", "must be a list of tables, each written [[notifications.log_groups]]"),
        // The test-only certificate prefix.
        (with_access("[notifications]\ntest_signing_cert_url_prefix = \"http://127.0.0.1:8080\"\n"), "\"http://127.0.0.1:8080\"", "it does not end with `/`"),
        (with_access("[notifications]\ntest_signing_cert_url_prefix = \"127.0.0.1/\"\n"), "\"127.0.0.1/\"", "it is not an absolute URL"),
        (with_access("[notifications]\ntest_signing_cert_url_prefix = \"ftp://127.0.0.1/\"\n"), "\"ftp:", "it is not http or https"),
    ]
}

#[test]
fn every_mistake_is_explained_at_its_line_and_column() {
    // Every case is checked before failing, so one run shows every wrong message or place.
    let mut failures = Vec::new();
    for (text, needle, words) in cases() {
        let problems = match load(&text) {
            Ok(_) => {
                failures.push(format!("{words:?}: the file loaded"));
                continue;
            }
            Err(problems) => problems,
        };
        let found = located(&text, &problems);
        let expected_place = place_of(&text, needle);
        match found.as_slice() {
            [(line, column, message)]
                if message.contains(words) && (*line, *column) == expected_place => {}
            _ => failures.push(format!(
                "{words:?} at {expected_place:?}, found {found:#?}\n{text}"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn several_mistakes_are_all_reported() {
    let text = topic(
        "colour = 1\n[[notifications.topics.t.buttons]]\nlabel = \"\"\ncommand = \"aws ec2\"\n[notifications.topics.u]\narn = \"x\"\nchannels = [\"nope\"]\n",
    );
    let problems = load(&text).unwrap_err();
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    for expected in [
        "unknown key `colour`",
        "a button needs a label",
        "drop the leading `aws`",
        "is not an SNS topic ARN",
        "unknown channel `nope`",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{expected:?} not in {messages:#?}"
        );
    }
    assert_eq!(problems.len(), 5, "{messages:#?}");
}

#[test]
fn a_broken_channel_is_reported_once() {
    // `ops` has a mistake of its own; the topic naming it adds no second problem.
    let text = format!(
        "[access.accounts.a]\nid = \"111111111111\"\nchannel_role = \"arn:aws:iam::111111111111:role/r\"\n[access.channels.ops]\ntenant_id = \"{TENANT}\"\nchannel_id = \"General\"\naccounts = [\"a\"]\n[notifications.topics.t]\narn = \"arn:aws:sns:eu-west-1:123456789012:alarms\"\nchannels = [\"ops\"]\n"
    );
    let problems = load(&text).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].path, "access.channels.ops.channel_id");
}

#[test]
fn without_access_every_channel_is_unknown() {
    let text = "[notifications.topics.t]\narn = \"arn:aws:sns:eu-west-1:123456789012:alarms\"\nchannels = [\"ops\"]\n";
    let problems = load(text).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0]
            .message
            .contains("unknown channel `ops`. (none are defined)"),
        "{problems:#?}"
    );
}

#[test]
fn log_group_names_follow_cloudwatch_logs_rules() {
    for (name, valid) in [
        ("/aws/lambda/orders-api", true),
        ("API-Gateway-Execution-Logs_abc123/prod", true),
        ("a.b#c", true),
        ("", false),
        ("a b", false),
        ("a:b", false),
        ("é", false),
    ] {
        assert_eq!(is_log_group_name(name), valid, "{name:?}");
    }
    assert!(is_log_group_name(&"a".repeat(512)));
    assert!(!is_log_group_name(&"a".repeat(513)));
}
