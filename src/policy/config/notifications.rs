//! `[notifications]`: which SNS topics the bot accepts and which channels each one posts to,
//! with the topic's own buttons and the log groups of alarms. Checked against the channels of
//! `[access.channels]` read before it; every mistake is reported with its span.

mod buttons;
mod tables;

use indexmap::IndexMap;
use serde_spanned::Spanned;

use super::channels::unknown_name_message;
use super::items::{entries, read};
use super::problems::Problems;
use super::{Channel, ChannelLocation};
use crate::notify::sns::TopicArn;
use tables::{check_keys, required, sub_tables};

pub use buttons::{Placeholder, TemplateError, PLACEHOLDERS};

/// The keys `[notifications]` takes.
const NOTIFICATIONS_KEYS: &[&str] = &["topics", "log_groups", "test_signing_cert_url_prefix"];
/// The keys of `[notifications.topics.<name>]`.
const TOPIC_KEYS: &[&str] = &["arn", "channels", "buttons", "description"];
/// The keys of `[[notifications.log_groups]]`.
const LOG_GROUP_KEYS: &[&str] = &["alarm_name", "log_groups"];
/// CloudWatch Logs Insights queries at most 50 log groups at once.
pub const MAX_LOG_GROUPS_PER_MAPPING: usize = 50;
/// The longest log group name CloudWatch Logs accepts.
const MAX_LOG_GROUP_NAME: usize = 512;
/// What a valid topic ARN looks like, for messages.
const EXAMPLE_TOPIC_ARN: &str = "arn:aws:sns:eu-west-1:123456789012:prod-alarms";

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

    /// The topics that post to the channel entry `key`, in file order.
    pub fn topics_for_channel<'a>(
        &'a self,
        key: &'a str,
    ) -> impl Iterator<Item = &'a NotificationTopic> + 'a {
        self.topics
            .values()
            .filter(move |topic| topic.channels.iter().any(|channel| channel == key))
    }

    /// Every channel key some topic posts to, each once, in file order: the conversations
    /// the bot must have a reference for before a notification arrives.
    pub fn mapped_channels(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::new();
        for channel in self.topics.values().flat_map(|topic| &topic.channels) {
            if !keys.contains(&channel.as_str()) {
                keys.push(channel);
            }
        }
        keys
    }

    /// Whether no topic is configured (every SNS delivery is refused).
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }
}

impl CustomButton {
    /// The command with every placeholder replaced by `value(placeholder)`, each word quoted
    /// so the command parser reads it back unchanged; the first placeholder without a value
    /// is the error. Templates were checked when the file was read.
    pub fn fill(
        &self,
        value: impl Fn(&Placeholder) -> Option<String>,
    ) -> Result<String, TemplateError> {
        buttons::fill(&self.command, value)
    }

    /// The placeholders the command uses, each once, in order.
    pub fn placeholders(&self) -> Vec<Placeholder> {
        buttons::placeholders(&self.command)
    }
}

/// What a topic entry is checked against.
struct TopicContext<'a> {
    channels: &'a IndexMap<String, Channel>,
    /// Problems reported before `[notifications]` was read: a channel named there is broken,
    /// and naming it here is not a second mistake.
    earlier: &'a [super::ConfigProblem],
    /// ARN → the name of the topic that has it.
    arns: IndexMap<String, String>,
}

/// Reads `[notifications]`; every mistake is pushed to `problems` with its span.
pub(super) fn build(
    item: &toml_edit::Item,
    channels: &IndexMap<String, Channel>,
    problems: &mut Problems,
) -> NotificationsConfig {
    let mut config = NotificationsConfig::default();
    let Some(table) = item.as_table_like() else {
        problems.push(
            item.span(),
            "notifications",
            "`notifications` must be a table ([notifications])".into(),
        );
        return config;
    };
    check_keys(table, NOTIFICATIONS_KEYS, "notifications", problems);
    if let Some(prefix) = table.get("test_signing_cert_url_prefix") {
        let path = "notifications.test_signing_cert_url_prefix";
        config.test_signing_cert_url_prefix = read::<Spanned<String>>(prefix, path, problems)
            .and_then(|prefix| check_test_prefix(&prefix, path, problems));
    }
    let earlier = problems.0.clone();
    let mut context = TopicContext {
        channels,
        earlier: &earlier,
        arns: IndexMap::new(),
    };
    for (name, value, span) in entries(table.get("topics"), "notifications.topics", problems) {
        if let Some(topic) = read_topic(&name, value, span, &mut context, problems) {
            config.topics.insert(name, topic);
        }
    }
    if let Some(mappings) = table.get("log_groups") {
        config.log_groups = read_log_groups(mappings, problems);
    }
    config
}

/// `[notifications.topics.<name>]`, or `None` after its mistakes are reported.
fn read_topic(
    name: &str,
    item: &toml_edit::Item,
    span: Option<std::ops::Range<usize>>,
    context: &mut TopicContext<'_>,
    problems: &mut Problems,
) -> Option<NotificationTopic> {
    let path = format!("notifications.topics.{name}");
    let Some(table) = item.as_table_like() else {
        problems.push(
            span,
            &path,
            format!("`{path}` must be a table with `arn` and `channels`"),
        );
        return None;
    };
    let before = problems.0.len();
    check_keys(table, TOPIC_KEYS, &path, problems);
    if let Some(description) = table.get("description") {
        read::<String>(description, &format!("{path}.description"), problems);
    }
    let arn = required(table, "arn", &path, span.clone(), problems)
        .and_then(|item| read::<Spanned<String>>(item, &format!("{path}.arn"), problems))
        .and_then(|arn| check_arn(&arn, name, &path, context, problems));
    let channels = required(table, "channels", &path, span, problems)
        .and_then(|item| {
            read::<Spanned<Vec<Spanned<String>>>>(item, &format!("{path}.channels"), problems)
        })
        .map(|channels| check_channels(&channels, &path, context, problems))
        .unwrap_or_default();
    let buttons = match table.get_key_value("buttons") {
        Some((key, item)) => buttons::read_buttons(item, key.span(), &path, problems),
        None => Vec::new(),
    };
    if problems.0.len() != before {
        return None;
    }
    Some(NotificationTopic {
        name: name.to_owned(),
        arn: arn?,
        channels,
        buttons,
    })
}

/// The topic's ARN when it is an SNS topic ARN that no other topic has.
fn check_arn(
    arn: &Spanned<String>,
    name: &str,
    path: &str,
    context: &mut TopicContext<'_>,
    problems: &mut Problems,
) -> Option<String> {
    let path = format!("{path}.arn");
    let value = arn.get_ref().trim();
    if let Err(error) = TopicArn::parse(value) {
        problems.push(
            Some(arn.span()),
            path,
            format!(
                "{value:?} is not an SNS topic ARN: {}; a topic ARN looks like {EXAMPLE_TOPIC_ARN:?} (arn:<partition>:sns:<region>:<12-digit account>:<topic name>; the SNS console shows it on the topic's page)",
                error.reason
            ),
        );
        return None;
    }
    if let Some(other) = context.arns.get(value) {
        problems.push(
            Some(arn.span()),
            path,
            format!("topic `{name}` has the same ARN as topic `{other}`; give each topic one entry (list all its channels there)"),
        );
        return None;
    }
    context.arns.insert(value.to_owned(), name.to_owned());
    Some(value.to_owned())
}

/// `channels`: keys of `[access.channels]` that name one conversation, each once.
fn check_channels(
    channels: &Spanned<Vec<Spanned<String>>>,
    path: &str,
    context: &TopicContext<'_>,
    problems: &mut Problems,
) -> Vec<String> {
    let path = format!("{path}.channels");
    if channels.get_ref().is_empty() {
        problems.push(
            Some(channels.span()),
            &path,
            "list at least one channel key from [access.channels]; a topic without channels posts nowhere".into(),
        );
    }
    let mut keys: Vec<String> = Vec::new();
    for key in channels.get_ref() {
        let key_text = key.get_ref().as_str();
        let Some(channel) = context.channels.get(key_text) else {
            if !channel_is_broken(context.earlier, key_text) {
                let known: Vec<&str> = context.channels.keys().map(String::as_str).collect();
                problems.push(
                    Some(key.span()),
                    &path,
                    unknown_name_message("channel", key_text, &known),
                );
            }
            continue;
        };
        if keys.iter().any(|k| k == key_text) {
            problems.push(
                Some(key.span()),
                &path,
                format!("channel `{key_text}` is listed twice"),
            );
        } else if let ChannelLocation::PersonalChats { .. } = channel.location {
            problems.push(
                Some(key.span()),
                &path,
                format!("`{key_text}` is every personal chat of a tenant (personal_chats = true); a notification cannot be posted to \"every personal chat\": name a team channel or a group chat"),
            );
        } else {
            keys.push(key_text.to_owned());
        }
    }
    keys
}

/// Whether `[access.channels.<key>]` (or the whole channels table) had a mistake reported
/// already, so it is missing from the valid channels for that reason.
fn channel_is_broken(earlier: &[super::ConfigProblem], key: &str) -> bool {
    let entry = format!("access.channels.{key}");
    earlier.iter().any(|problem| {
        problem.path == "access.channels"
            || problem.path == entry
            || problem
                .path
                .strip_prefix(&entry)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// `[[notifications.log_groups]]`: the mappings that are valid, in file order.
fn read_log_groups(item: &toml_edit::Item, problems: &mut Problems) -> Vec<LogGroupMapping> {
    let path = "notifications.log_groups";
    let Some(tables) = sub_tables(item, path, "[[notifications.log_groups]]", problems) else {
        return Vec::new();
    };
    let mut mappings = Vec::new();
    for (index, (table, span)) in tables.into_iter().enumerate() {
        let entry_path = format!("{path}[{index}]");
        let before = problems.0.len();
        check_keys(table, LOG_GROUP_KEYS, &entry_path, problems);
        let alarm_name = required(table, "alarm_name", &entry_path, span.clone(), problems)
            .and_then(|item| {
                read::<Spanned<String>>(item, &format!("{entry_path}.alarm_name"), problems)
            });
        if let Some(pattern) = &alarm_name {
            if pattern.get_ref().trim().is_empty() {
                problems.push(
                    Some(pattern.span()),
                    format!("{entry_path}.alarm_name"),
                    "give an alarm name or a pattern such as \"orders-*\" (`*` any run of characters, `?` one; case sensitive)".into(),
                );
            }
        }
        let log_groups = required(table, "log_groups", &entry_path, span, problems)
            .and_then(|item| {
                read::<Spanned<Vec<Spanned<String>>>>(
                    item,
                    &format!("{entry_path}.log_groups"),
                    problems,
                )
            })
            .map(|groups| {
                check_log_group_names(&groups, &format!("{entry_path}.log_groups"), problems)
            })
            .unwrap_or_default();
        if problems.0.len() == before {
            if let Some(alarm_name) = alarm_name {
                mappings.push(LogGroupMapping {
                    alarm_name: alarm_name.get_ref().trim().to_owned(),
                    log_groups,
                });
            }
        }
    }
    mappings
}

/// `log_groups` of a mapping: 1 to 50 valid log group names, each once.
fn check_log_group_names(
    groups: &Spanned<Vec<Spanned<String>>>,
    path: &str,
    problems: &mut Problems,
) -> Vec<String> {
    let count = groups.get_ref().len();
    if count == 0 {
        problems.push(
            Some(groups.span()),
            path,
            "list at least one log group, such as \"/aws/lambda/orders-api\"".into(),
        );
    } else if count > MAX_LOG_GROUPS_PER_MAPPING {
        problems.push(
            Some(groups.span()),
            path,
            format!("{count} log groups: a Logs Insights query reads at most {MAX_LOG_GROUPS_PER_MAPPING}"),
        );
    }
    let mut names: Vec<String> = Vec::new();
    for group in groups.get_ref() {
        let name = group.get_ref().as_str();
        if !is_log_group_name(name) {
            problems.push(
                Some(group.span()),
                path,
                format!("{name:?} is not a log group name: 1 to {MAX_LOG_GROUP_NAME} letters, digits, `.`, `-`, `_`, `/` and `#`, such as \"/aws/lambda/orders-api\""),
            );
        } else if names.iter().any(|n| n == name) {
            problems.push(
                Some(group.span()),
                path,
                format!("log group {name:?} is listed twice"),
            );
        } else {
            names.push(name.to_owned());
        }
    }
    names
}

/// CloudWatch Logs' rule for log group names: `[.\-_/#A-Za-z0-9]{1,512}`.
pub fn is_log_group_name(name: &str) -> bool {
    (1..=MAX_LOG_GROUP_NAME).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_/#".contains(&b))
}

/// The test-only certificate URL prefix: an absolute http(s) URL of a host, ending with `/`
/// so that it cannot be extended into another host name (`http://127.0.0.1:80` would also
/// match `http://127.0.0.1:8000…`).
fn check_test_prefix(
    prefix: &Spanned<String>,
    path: &str,
    problems: &mut Problems,
) -> Option<String> {
    let value = prefix.get_ref().trim();
    let reason = match url::Url::parse(value) {
        Err(_) => Some("it is not an absolute URL"),
        Ok(url) if !matches!(url.scheme(), "http" | "https") => Some("it is not http or https"),
        Ok(url) if url.host_str().is_none_or(str::is_empty) => Some("it has no host"),
        Ok(url) if !url.username().is_empty() || url.password().is_some() => {
            Some("it carries credentials")
        }
        Ok(url) if url.query().is_some() || url.fragment().is_some() => {
            Some("it has a query or a fragment")
        }
        Ok(_) if !value.ends_with('/') => Some("it does not end with `/`"),
        Ok(_) => None,
    };
    match reason {
        Some(reason) => {
            problems.push(
                Some(prefix.span()),
                path,
                format!("{value:?} cannot be the test certificate prefix: {reason}; write an http(s) URL ending with `/`, such as \"http://127.0.0.1:8080/\" (tests only: it lets certificates from that place sign SNS messages)"),
            );
            None
        }
        None => Some(value.to_owned()),
    }
}

#[cfg(test)]
mod tests;
