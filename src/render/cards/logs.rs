//! The logs card of Show logs / Show error logs and of `logs start-query` typed in chat: the
//! entries (time, stream, message cut to fit), the query window, the Logs Insights console
//! link and the equivalent command.
//!
//! SKELETON (issue 10): the signature is the contract; the layout is filled in by the logs
//! work.

use serde_json::json;

use super::NotificationButton;
use crate::render::Card;

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    /// `@timestamp` as Logs Insights gives it (`2026-12-03 10:42:07.123`, UTC).
    pub timestamp: String,
    pub stream: String,
    pub message: String,
}

/// What a logs card shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsView {
    pub title: String,
    pub log_groups: Vec<String>,
    pub start_millis: i64,
    pub end_millis: i64,
    pub errors_only: bool,
    pub rows: Vec<LogRow>,
    /// The query's status (`Complete`, `Running`, ...).
    pub status: String,
    pub console_url: String,
    /// `aws logs start-query --log-group-names … --query-string '…'`.
    pub command: String,
    /// Shown while the query is still running.
    pub refresh: Option<NotificationButton>,
}

/// The logs card.
pub fn logs(view: &LogsView) -> Card {
    let _ = view;
    Card {
        name: "logs",
        content: json!({
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "body": [],
        }),
    }
}
