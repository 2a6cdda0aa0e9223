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
pub(super) fn build(
    _item: &toml_edit::Item,
    _channels: &IndexMap<String, Channel>,
    _problems: &mut Problems,
) -> NotificationsConfig {
    NotificationsConfig::default()
}
