//! `aws-chatops check-config`: reads the config file and explains every mistake in its
//! `[access]` table (and unknown keys elsewhere) with its line and column, or summarises what
//! the file allows. The only place besides [`crate::config::Config::load`] and [`super::reload`]
//! that reads the file.

use std::path::Path;

use crate::policy::config::{AccessConfig, ChannelLocation, NotificationsConfig};
use crate::policy::guardrail;

/// What `check-config` prints, and whether the file is usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub ok: bool,
    pub text: String,
}

/// Reads and checks the file at `path`.
pub fn check_config_file(path: &Path) -> CheckReport {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => check_config_text(&shown, &text),
        Err(error) => CheckReport {
            ok: false,
            text: format!("{shown}: cannot read the file: {error}\n"),
        },
    }
}

/// Checks a config file's text; `file_name` is how messages name it.
pub fn check_config_text(file_name: &str, text: &str) -> CheckReport {
    match AccessConfig::from_toml_str(text) {
        Ok(config) => CheckReport {
            ok: true,
            text: summary(file_name, &config),
        },
        Err(problems) => {
            let count = problems.problems.len();
            CheckReport {
                ok: false,
                text: format!(
                    "{}\n{file_name}: {count} {} found; nothing from this file is used until {} fixed.\n",
                    problems.explain(file_name, text).trim_end(),
                    if count == 1 { "mistake" } else { "mistakes" },
                    if count == 1 { "it is" } else { "they are" },
                ),
            }
        }
    }
}

fn summary(file_name: &str, config: &AccessConfig) -> String {
    let mut text = format!(
        "{file_name}: the configuration is valid: {} channel entr{}, {} account{}.\n",
        config.channels.len(),
        if config.channels.len() == 1 {
            "y"
        } else {
            "ies"
        },
        config.accounts.len(),
        if config.accounts.len() == 1 { "" } else { "s" },
    );
    if config.channels.is_empty() {
        text.push_str("No channel is configured: every command from Teams is refused.\n");
    }
    for channel in config.channels.values() {
        let place = match &channel.location {
            ChannelLocation::TeamsChannel { channel_id, .. } => format!("channel {channel_id}"),
            ChannelLocation::Chat {
                conversation_id, ..
            } => format!("chat {conversation_id}"),
            ChannelLocation::PersonalChats { tenant_id } => {
                format!("every personal chat in tenant {tenant_id}")
            }
        };
        text.push_str(&format!(
            "  {}: {place}; accounts {}; {}; guardrails {}\n",
            channel.key,
            channel.accounts.join(", "),
            if channel.require_user_roles {
                "user roles required"
            } else {
                "channel role unless a user has their own"
            },
            channel.guardrail.names().join(", "),
        ));
    }
    for channel in config.channels.values() {
        if channel.guardrail.names() == [guardrail::INLINE_POLICY_NAME] {
            text.push_str(&format!(
                "WARNING: channel entry `{}` has inline `guardrail_statement`s and no `guardrails`, so ReadOnly is not added: only what those statements allow runs there, and no describe, get or list command unless they allow it. Add `guardrails = [\"ReadOnly\"]` to the entry to allow reads too.\n",
                channel.key
            ));
        }
    }
    text.push_str(&notifications_summary(&config.notifications));
    text
}

/// What `[notifications]` posts where, and a warning when the test-only prefix is set.
fn notifications_summary(notifications: &NotificationsConfig) -> String {
    let count = notifications.topics.len();
    let mut text = if count == 0 {
        "No notification topic is configured: every SNS delivery is refused.\n".to_owned()
    } else {
        format!(
            "Notifications: {count} topic{}, {} log group mapping{}.\n",
            if count == 1 { "" } else { "s" },
            notifications.log_groups.len(),
            if notifications.log_groups.len() == 1 {
                ""
            } else {
                "s"
            },
        )
    };
    for topic in notifications.topics.values() {
        let buttons: Vec<&str> = topic.buttons.iter().map(|b| b.label.as_str()).collect();
        text.push_str(&format!(
            "  {}: {} → {}; buttons: {}\n",
            topic.name,
            topic.arn,
            topic.channels.join(", "),
            if buttons.is_empty() {
                "none".to_owned()
            } else {
                buttons.join(", ")
            },
        ));
    }
    if let Some(prefix) = &notifications.test_signing_cert_url_prefix {
        text.push_str(&format!(
            "WARNING: test_signing_cert_url_prefix = {prefix:?} lets certificates from there sign SNS messages; set it in tests only.\n"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_is_summarised() {
        let report =
            check_config_text("example.toml", include_str!("../../../config/example.toml"));
        assert!(report.ok, "{}", report.text);
        assert!(
            report.text.contains("4 channel entries, 2 accounts"),
            "{}",
            report.text
        );
        assert!(
            report
                .text
                .contains("ops: channel 19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2; accounts production, staging"),
            "{}",
            report.text
        );
        assert!(
            report.text.contains("Notifications: 1 topic, 1 log group mapping.\n  prod-alarms: arn:aws:sns:eu-west-1:123456789012:prod-alarms → ops, oncall; buttons: Recent deployments, Alarm history\n"),
            "{}",
            report.text
        );
        assert!(!report.text.contains("WARNING"), "{}", report.text);
    }

    #[test]
    fn the_test_only_prefix_is_warned_about() {
        let report = check_config_text(
            "t.toml",
            "[notifications]\ntest_signing_cert_url_prefix = \"http://127.0.0.1:9/\"\n",
        );
        assert!(report.ok, "{}", report.text);
        assert!(
            report.text.contains("No notification topic is configured")
                && report
                    .text
                    .contains("WARNING: test_signing_cert_url_prefix = \"http://127.0.0.1:9/\""),
            "{}",
            report.text
        );
    }

    #[test]
    fn mistakes_are_counted() {
        let report = check_config_text("x.toml", "[access]\nsurprise = 1\n");
        assert!(!report.ok);
        assert!(
            report.text.starts_with("x.toml:2:1: access.surprise:"),
            "{}",
            report.text
        );
        assert!(report.text.contains("1 mistake found"), "{}", report.text);
    }
}
