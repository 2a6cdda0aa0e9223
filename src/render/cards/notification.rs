//! The cards notifications post to channels: one per alarm (updated in place as its state
//! changes), EventBridge events, AWS Chatbot custom notifications and plain text, and the
//! digest a busy channel gets instead of a flood.
//!
//! SKELETON (issue 10): signatures are the contract; the layouts are filled in by the
//! notification-cards work.

use serde_json::json;

use super::Verb;
use crate::notify::message::{AlarmState, Notification};
use crate::render::chart::ChartImage;
use crate::render::Card;

/// A chart with what it shows (the alarm, or a child alarm of a composite).
#[derive(Debug, Clone, PartialEq)]
pub struct LabeledChart {
    pub label: String,
    pub image: ChartImage,
}

/// A button on a notification card or an alarm section. Its data carries only the verb, the
/// server-side record id and, for a topic's own button, its index: never the alarm itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationButton {
    pub title: String,
    pub verb: Verb,
    /// The id of the record the server keeps for the notification (or alarm section).
    pub record: String,
    /// For [`Verb::RunButton`]: the index of the topic's button.
    pub index: Option<usize>,
}

/// What a notification card shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationView<'a> {
    pub notification: &'a Notification,
    /// The `[notifications.topics.<name>]` it came through.
    pub topic: &'a str,
    pub charts: &'a [LabeledChart],
    pub buttons: &'a [NotificationButton],
    /// Who acknowledged it and when (`Alice at 10:44 UTC`).
    pub acknowledged_by: Option<&'a str>,
    /// Earlier state changes of this alarm, newest first (lines of [`state_change_text`]).
    pub history: &'a [String],
}

/// One notification counted in a digest.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestEntry {
    pub at_millis: i64,
    pub title: String,
    pub state: Option<AlarmState>,
}

/// The card of one notification.
pub fn notification(view: &NotificationView<'_>) -> Card {
    let _ = view;
    Card {
        name: "notification",
        content: json!({
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "body": [],
        }),
    }
}

/// The digest a channel gets when more than 10 notifications arrive in a minute: the most
/// recent `entries` (newest first) and how many more there were.
pub fn notification_digest(entries: &[DigestEntry], more: usize) -> Card {
    let _ = (entries, more);
    Card {
        name: "notification-digest",
        content: json!({
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "body": [],
        }),
    }
}

/// The short thread reply of a state change: "OK → ALARM at 10:42 UTC".
pub fn state_change_text(old: Option<AlarmState>, new: AlarmState, at_millis: i64) -> String {
    let _ = at_millis;
    match old {
        Some(old) => format!("{} → {}", old.as_str(), new.as_str()),
        None => new.as_str().to_owned(),
    }
}
