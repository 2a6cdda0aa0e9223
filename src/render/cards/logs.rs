//! The logs card of Show logs / Show error logs and of `logs start-query` typed in chat: the
//! entries (time, stream, message cut to fit), the query window, the Logs Insights console
//! link and the equivalent command; and the form that asks for log groups when none could be
//! found for an alarm.

use serde_json::{json, Value};

use super::elements::{action, action_set, code_block, subtle};
use super::{NotificationButton, CARD_BUDGET_BYTES};
use crate::render::markdown::{escape_markdown, monospace};
use crate::render::Card;

/// A message longer than this many characters is cut, with `…`.
pub const LOG_MESSAGE_CHARS: usize = 300;

/// The id of the log-group input of [`log_groups_form`]; its value is the chosen names,
/// comma-separated (as a multi-select ChoiceSet sends them).
pub const LOG_GROUPS_INPUT: &str = "logGroups";

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

/// The form asking which log groups to read for an alarm whose groups could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroupsForm {
    /// "Logs of <alarm>" or "Error logs of <alarm>".
    pub title: String,
    /// Why the form is shown (what was looked for).
    pub reason: String,
    /// Log groups to choose from (DescribeLogGroups); empty: a text input instead.
    pub choices: Vec<String>,
    /// The button that runs the query: [`Verb::ShowLogs`] or [`Verb::ShowErrorLogs`] and
    /// the alarm record's id.
    pub submit: NotificationButton,
}

/// The logs card. Entries that would take it over [`CARD_BUDGET_BYTES`] are left out, with a
/// line saying how many.
pub fn logs(view: &LogsView) -> Card {
    let mut shown = view.rows.len();
    loop {
        let card = logs_card(view, shown);
        if shown == 0 || card.content.to_string().len() < CARD_BUDGET_BYTES {
            return card;
        }
        shown -= 1;
    }
}

fn logs_card(view: &LogsView, shown: usize) -> Card {
    let mut body = vec![
        json!({"type": "TextBlock", "text": escape_markdown(&view.title), "size": "Medium", "weight": "Bolder", "wrap": true}),
        json!({"type": "FactSet", "facts": [
            {"title": "Log groups", "value": escape_markdown(&view.log_groups.join(", "))},
            {"title": "Window", "value": window_text(view.start_millis, view.end_millis)},
            {"title": "Query", "value": status_text(view)},
        ]}),
    ];
    if view.errors_only {
        body.push(subtle(
            "Only entries containing Error, Exception or Fail (any case).",
        ));
    }
    if view.rows.is_empty() {
        body.push(
            json!({"type": "TextBlock", "text": "No log entries in this window.", "wrap": true}),
        );
    }
    body.extend(view.rows.iter().take(shown).map(row));
    if shown < view.rows.len() {
        body.push(subtle(&format!(
            "{} more entries are not shown: the card would be too large. Open the query in the console to see them.",
            view.rows.len() - shown
        )));
    }
    body.push(subtle(
        "The same query as a command: copy it, edit it and send it to me to run it again.",
    ));
    body.push(code_block(monospace(&view.command, false)));
    let mut actions = Vec::new();
    if let Some(refresh) = &view.refresh {
        actions.push(action(
            &refresh.title,
            refresh.verb,
            &refresh.record,
            None,
            false,
        ));
    }
    actions.push(json!({"type": "Action.OpenUrl", "title": "Open in Logs Insights", "url": view.console_url}));
    body.push(action_set(actions));
    Card {
        name: "logs",
        content: card(body),
    }
}

/// The form asking for log groups.
pub fn log_groups_form(form: &LogGroupsForm) -> Card {
    let input = if form.choices.is_empty() {
        json!({
            "type": "Input.Text",
            "id": LOG_GROUPS_INPUT,
            "label": "Log groups (comma-separated)",
            "placeholder": "/aws/lambda/my-function, /ecs/my-service",
            "isRequired": true,
            "errorMessage": "Type at least one log group name."
        })
    } else {
        json!({
            "type": "Input.ChoiceSet",
            "id": LOG_GROUPS_INPUT,
            "label": "Log groups",
            "style": if form.choices.len() > 8 { "filtered" } else { "compact" },
            "isMultiSelect": true,
            "placeholder": "Choose one or more",
            "isRequired": true,
            "errorMessage": "Choose at least one log group.",
            "choices": form.choices.iter().map(|c| json!({"title": c, "value": c})).collect::<Vec<_>>(),
        })
    };
    let body = vec![
        json!({"type": "TextBlock", "text": escape_markdown(&form.title), "size": "Medium", "weight": "Bolder", "wrap": true}),
        json!({"type": "TextBlock", "text": escape_markdown(&form.reason), "wrap": true}),
        input,
        subtle("The query runs as you, with your permissions in this channel."),
        action_set(vec![action(
            &form.submit.title,
            form.submit.verb,
            &form.submit.record,
            Some("positive"),
            true,
        )]),
    ];
    Card {
        name: "logs-form",
        content: card(body),
    }
}

fn card(body: Vec<Value>) -> Value {
    json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    })
}

/// One entry: its time and stream on a small line, the message in monospace under it.
fn row(row: &LogRow) -> Value {
    json!({
        "type": "Container",
        "separator": true,
        "spacing": "Small",
        "items": [
            {
                "type": "TextBlock",
                "text": escape_markdown(&format!("{} · {}", row.timestamp, row.stream)),
                "isSubtle": true,
                "size": "Small",
                "wrap": true
            },
            {
                "type": "TextBlock",
                "text": monospace(&cut_message(&row.message), false),
                "fontType": "Monospace",
                "size": "Small",
                "wrap": true
            }
        ]
    })
}

/// The message without its trailing newline, cut to [`LOG_MESSAGE_CHARS`] characters.
fn cut_message(message: &str) -> String {
    let message = message.trim_end();
    match message.char_indices().nth(LOG_MESSAGE_CHARS) {
        Some((at, _)) => format!("{}…", &message[..at]),
        None => message.to_owned(),
    }
}

fn status_text(view: &LogsView) -> String {
    let entries = match view.rows.len() {
        1 => "1 entry".to_owned(),
        n => format!("{n} entries"),
    };
    if matches!(view.status.as_str(), "Running" | "Scheduled") {
        format!("Still running; {entries} so far")
    } else {
        format!("{}, {entries}", escape_markdown(&view.status))
    }
}

/// `2026-12-03 10:12:00 – 10:42:07 UTC` (the date again when the end is on another day).
pub fn window_text(start_millis: i64, end_millis: i64) -> String {
    let (start_day, start_time) = utc_parts(start_millis);
    let (end_day, end_time) = utc_parts(end_millis);
    if start_day == end_day {
        format!("{start_day} {start_time} – {end_time} UTC")
    } else {
        format!("{start_day} {start_time} – {end_day} {end_time} UTC")
    }
}

/// (`2026-12-03`, `10:42:07`) of a time in milliseconds since the epoch, in UTC.
fn utc_parts(millis: i64) -> (String, String) {
    let at = time::OffsetDateTime::from_unix_timestamp(millis.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    (
        format!(
            "{:04}-{:02}-{:02}",
            at.year(),
            u8::from(at.month()),
            at.day()
        ),
        format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{assert_complete, buttons, elements_of_type};
    use crate::render::Verb;

    fn view(rows: usize, message: &str) -> LogsView {
        LogsView {
            title: "Logs of api-5xx".into(),
            log_groups: vec!["/aws/lambda/orders".into()],
            start_millis: 1_764_756_720_000,
            end_millis: 1_764_758_527_000,
            errors_only: false,
            rows: (0..rows)
                .map(|i| LogRow {
                    timestamp: format!("2025-12-03 10:{:02}:00.000", i % 60),
                    stream: "2025/12/03/[$LATEST]abc".into(),
                    message: message.to_owned(),
                })
                .collect(),
            status: "Complete".into(),
            console_url: "https://us-east-1.console.aws.amazon.com/cloudwatch/home".into(),
            command: "aws logs start-query --log-group-names /aws/lambda/orders".into(),
            refresh: None,
        }
    }

    #[test]
    fn rows_show_time_stream_and_the_message_cut_in_monospace() {
        let long = "x".repeat(400);
        let card = logs(&view(2, &long));
        assert_complete(&card);
        let text = card.content.to_string();
        assert!(text.contains("2025-12-03 10:00:00.000 · 2025/12/03/[$LATEST]abc"));
        let cut = format!("{}…", "x".repeat(LOG_MESSAGE_CHARS));
        assert!(text.contains(&cut), "{text}");
        assert!(!text.contains(&"x".repeat(LOG_MESSAGE_CHARS + 1)));
        assert_eq!(
            card.content["body"][1]["facts"][1]["value"],
            "2025-12-03 10:12:00 – 10:42:07 UTC"
        );
        assert_eq!(
            card.content["body"][1]["facts"][2]["value"],
            "Complete, 2 entries"
        );
        let open = elements_of_type(&card, "Action.OpenUrl");
        assert_eq!(open.len(), 1);
        assert!(buttons(&card).is_empty(), "no refresh when complete");
    }

    #[test]
    fn a_running_query_offers_refresh_with_only_its_record() {
        let mut running = view(0, "");
        running.status = "Running".into();
        running.refresh = Some(NotificationButton {
            title: "Refresh".into(),
            verb: Verb::RefreshLogs,
            record: "q7Vd0mYq3rJ2bN8xK1pL5w".into(),
            index: None,
        });
        let card = logs(&running);
        assert_complete(&card);
        let refresh = buttons(&card);
        assert_eq!(
            refresh[0]["data"],
            json!({"verb": "refresh-logs", "request": "q7Vd0mYq3rJ2bN8xK1pL5w"})
        );
        assert!(card
            .content
            .to_string()
            .contains("No log entries in this window."));
    }

    #[test]
    fn a_card_over_budget_leaves_rows_out_and_says_so() {
        let card = logs(&view(30, &"é".repeat(2000)));
        assert_complete(&card);
        let text = card.content.to_string();
        assert!(text.contains("more entries are not shown"), "{text}");
    }

    #[test]
    fn the_form_offers_choices_or_a_text_input() {
        let submit = NotificationButton {
            title: "Show logs".into(),
            verb: Verb::ShowLogs,
            record: "q7Vd0mYq3rJ2bN8xK1pL5w".into(),
            index: None,
        };
        let mut form = LogGroupsForm {
            title: "Logs of api-5xx".into(),
            reason: "No log group found.".into(),
            choices: vec!["/a".into(), "/b".into()],
            submit,
        };
        let card = log_groups_form(&form);
        assert_complete(&card);
        let choice = elements_of_type(&card, "Input.ChoiceSet")[0];
        assert_eq!(choice["id"], LOG_GROUPS_INPUT);
        assert_eq!(choice["isMultiSelect"], true);
        let button = buttons(&card)[0];
        assert_eq!(button["associatedInputs"], "auto");
        assert_eq!(button["verb"], "show-logs");
        form.choices.clear();
        let typed = log_groups_form(&form);
        assert_eq!(
            elements_of_type(&typed, "Input.Text")[0]["id"],
            LOG_GROUPS_INPUT
        );
    }
}
