//! `[notifications]`: which SNS topics the bot accepts and which channels each one posts to,
//! with the topic's own buttons and the log groups of alarms. Checked against the channels of
//! `[access.channels]` read before it.
//!
//! SKELETON (issue 10): the types are the contract other modules build on; the parser is
//! filled in by the config work.

use indexmap::IndexMap;

use super::problems::Problems;
use super::Channel;

/// The validated `[notifications]` table. Empty when the file has none: every SNS delivery is
/// then refused as from an unknown topic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotificationsConfig {
    /// `[notifications.topics.<name>]`, in file order.
    pub topics: IndexMap<String, NotificationTopic>,
    /// `[[notifications.log_groups]]`: alarm-name patterns → log groups, first match wins.
    pub log_groups: Vec<LogGroupMapping>,
    /// Test only: one more allowed prefix for `SigningCertURL` (e.g. `http://127.0.0.1:PORT/`).
    /// Logged as a warning at start-up.
    pub test_signing_cert_url_prefix: Option<String>,
}

/// One SNS topic the bot accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationTopic {
    /// The name of the entry (`[notifications.topics.prod-alarms]` → `prod-alarms`).
    pub name: String,
    /// The topic ARN, validated (`arn:aws:sns:<region>:<account>:<name>`).
    pub arn: String,
    /// Keys of `[access.channels]` that receive its notifications, in file order.
    pub channels: Vec<String>,
    /// The topic's own buttons on every card it posts.
    pub buttons: Vec<CustomButton>,
}

/// A button a topic adds to its cards: a command template run by the clicking user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomButton {
    pub label: String,
    /// A command line with `$AlarmName`, `$Region`, `$AccountId`, `$Namespace`,
    /// `$MetricName` and `$Dimension.<Name>` placeholders.
    pub command: String,
}

/// Alarms whose name matches `alarm_name` (`*` and `?` wildcards) read these log groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroupMapping {
    pub alarm_name: String,
    pub log_groups: Vec<String>,
}

impl NotificationsConfig {
    /// The topic entry with this ARN.
    pub fn topic_for_arn(&self, arn: &str) -> Option<&NotificationTopic> {
        self.topics.values().find(|topic| topic.arn == arn)
    }

    /// The log groups the first mapping matching `alarm_name` names.
    pub fn log_groups_for_alarm(&self, alarm_name: &str) -> Option<&[String]> {
        self.log_groups
            .iter()
            .find(|mapping| {
                crate::policy::guardrail::wildcard_matches(&mapping.alarm_name, alarm_name)
            })
            .map(|mapping| mapping.log_groups.as_slice())
    }
}

/// Reads `[notifications]`; every mistake is pushed to `problems` with its span.
///
/// TEMPORARY (hub worktree only): a minimal reading of `test_signing_cert_url_prefix` and
/// `[notifications.topics.*]` (arn, channels, buttons) so the notification hub's tests can
/// run; the config work's parser replaces it at merge.
pub(super) fn build(
    item: &toml_edit::Item,
    channels: &IndexMap<String, Channel>,
    problems: &mut Problems,
) -> NotificationsConfig {
    let mut config = NotificationsConfig {
        test_signing_cert_url_prefix: item
            .get("test_signing_cert_url_prefix")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        ..NotificationsConfig::default()
    };
    let Some(topics) = item.get("topics").and_then(|t| t.as_table_like()) else {
        return config;
    };
    for (name, topic) in topics.iter() {
        let path = format!("notifications.topics.{name}");
        let arn = topic
            .get("arn")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if let Err(error) = crate::notify::sns::TopicArn::parse(arn) {
            problems.push(None, format!("{path}.arn"), error.to_string());
            continue;
        }
        let strings = |key: &str| -> Vec<String> {
            topic
                .get(key)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let topic_channels = strings("channels");
        for channel in &topic_channels {
            if !channels.contains_key(channel) {
                problems.push(
                    None,
                    format!("{path}.channels"),
                    format!("unknown channel `{channel}`"),
                );
            }
        }
        let buttons = topic
            .get("buttons")
            .and_then(|v| v.as_array_of_tables())
            .map(|tables| {
                tables
                    .iter()
                    .map(|t| CustomButton {
                        label: t
                            .get("label")
                            .and_then(|v| v.as_str())
                            .unwrap_or_default()
                            .to_owned(),
                        command: t
                            .get("command")
                            .and_then(|v| v.as_str())
                            .unwrap_or_default()
                            .to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        config.topics.insert(
            name.to_owned(),
            NotificationTopic {
                name: name.to_owned(),
                arn: arn.to_owned(),
                channels: topic_channels,
                buttons,
            },
        );
    }
    config
}
