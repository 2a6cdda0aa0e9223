//! The cards notifications post to channels: one per alarm (updated in place as its state
//! changes), EventBridge events, AWS Chatbot custom notifications and plain text, and the
//! digest a busy channel gets instead of a flood. Every card fits [`CARD_BUDGET_BYTES`]
//! whatever the message: it is built with generous limits first and with tighter ones (shorter
//! texts, fewer items, images replaced by their alt text) until it fits, long texts always
//! ending in a visible "…". Times are shown in UTC.

mod alarm;
mod other;
#[cfg(test)]
mod tests;

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::elements::{action, action_set, subtle};
use super::{Verb, CARD_BUDGET_BYTES};
use crate::notify::message::{AlarmState, Notification};
use crate::render::chart::ChartImage;
use crate::render::markdown::escape_markdown;
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

/// How much of a notification a card shows; [`LEVELS`] from generous to tight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Limits {
    /// Characters of a long text (reason, description, message).
    text: usize,
    /// Characters of a fact value, a title or a list item.
    fact: usize,
    /// Items of a list (facts, children, history lines, next steps, charts).
    items: usize,
    /// Whether images are shown (else their alt text).
    images: bool,
}

const LEVELS: [Limits; 5] = [
    Limits {
        text: 3000,
        fact: 300,
        items: 20,
        images: true,
    },
    Limits {
        text: 1500,
        fact: 200,
        items: 12,
        images: true,
    },
    Limits {
        text: 1500,
        fact: 200,
        items: 12,
        images: false,
    },
    Limits {
        text: 500,
        fact: 100,
        items: 6,
        images: false,
    },
    Limits {
        text: 150,
        fact: 60,
        items: 3,
        images: false,
    },
];

/// At most this many buttons; their titles are cut to [`BUTTON_CHARS`].
const MAX_BUTTONS: usize = 10;
const BUTTON_CHARS: usize = 40;
/// Adaptive Card hosts show at most 5 actions in one ActionSet (Teams' host config); rows of 2
/// keep titles like "Show error logs" whole at a phone's width (rows of 3 cut them at 360 px).
const ACTIONS_PER_ROW: usize = 2;
/// At most this many digest entries are listed; the rest are counted in "and M more".
const DIGEST_ENTRIES: usize = 20;

/// The card of one notification.
pub fn notification(view: &NotificationView<'_>) -> Card {
    let build = |limits: &Limits| match view.notification {
        Notification::Alarm(alarm) => alarm::body(alarm, view, limits),
        Notification::Event(event) => other::event_body(event, view, limits),
        Notification::Custom(custom) => other::custom_body(custom, view, limits),
        Notification::Text(text) => other::text_body(text, view, limits),
    };
    for limits in &LEVELS {
        let card = card("notification", build(limits));
        if fits(&card) {
            return card;
        }
    }
    card("notification", too_large_body(view))
}

/// The last resort when even the tightest limits do not fit (hundreds of huge custom button
/// titles, say): the title, a notice and the buttons.
fn too_large_body(view: &NotificationView<'_>) -> Vec<Value> {
    let title = match view.notification {
        Notification::Alarm(alarm) => alarm.name.clone(),
        Notification::Event(event) => event.title.clone(),
        Notification::Custom(custom) => custom.title.clone().unwrap_or_default(),
        Notification::Text(text) => text.subject.clone().unwrap_or_default(),
    };
    let mut body = vec![
        title_block(&cut(&title, 100)),
        subtle("This notification is too large to show here; open it in the AWS console."),
    ];
    body.extend(buttons(view.buttons, None));
    body
}

/// The digest a channel gets when more than 10 notifications arrive in a minute: the most
/// recent `entries` (newest first) and how many more there were.
pub fn notification_digest(entries: &[DigestEntry], more: usize) -> Card {
    let shown = entries.len().min(DIGEST_ENTRIES);
    let more = more + (entries.len() - shown);
    let total = shown + more;
    let noun = if total == 1 {
        "notification"
    } else {
        "notifications"
    };
    let mut body = vec![json!({
        "type": "Container",
        "style": "emphasis",
        "bleed": true,
        "items": [
            title_block(&format!("{total} {noun} in the last minute")),
            subtle("Collected in this card instead of one message each, so the channel stays readable. Newest first."),
        ]
    })];
    for entry in &entries[..shown] {
        body.push(digest_row(entry));
    }
    if more > 0 {
        body.push(subtle(&format!("and {more} more")));
    }
    let card = card("notification-digest", body);
    if fits(&card) {
        return card;
    }
    card_without_rows("notification-digest", total)
}

fn card_without_rows(name: &'static str, total: usize) -> Card {
    card(
        name,
        vec![
            title_block(&format!("{total} notifications in the last minute")),
            subtle("Too many to list here."),
        ],
    )
}

/// One digest line: time, state and title.
fn digest_row(entry: &DigestEntry) -> Value {
    let state = match entry.state {
        Some(state) => json!({
            "type": "TextBlock", "text": state_label(state), "weight": "Bolder",
            "color": state_colour(state), "size": "Small"
        }),
        None => json!({"type": "TextBlock", "text": "EVENT", "isSubtle": true, "size": "Small"}),
    };
    json!({
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {"type": "Column", "width": "auto", "items": [
                {"type": "TextBlock", "text": format!("{} UTC", clock(entry.at_millis, true)), "isSubtle": true, "size": "Small"}
            ]},
            {"type": "Column", "width": "auto", "items": [state]},
            {"type": "Column", "width": "stretch", "items": [
                {"type": "TextBlock", "text": escape_markdown(&cut(&entry.title, 120)), "size": "Small", "wrap": true}
            ]}
        ]
    })
}

/// The short thread reply of a state change: "OK → ALARM at 10:42 UTC".
pub fn state_change_text(old: Option<AlarmState>, new: AlarmState, at_millis: i64) -> String {
    let at = clock(at_millis, false);
    match old {
        Some(old) => format!("{} → {} at {at} UTC", old.as_str(), new.as_str()),
        None => format!("{} at {at} UTC", new.as_str()),
    }
}

fn card(name: &'static str, body: Vec<Value>) -> Card {
    Card {
        name,
        content: json!({
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "body": body,
            "msteams": {"width": "Full"},
        }),
    }
}

fn fits(card: &Card) -> bool {
    card.content.to_string().len() < CARD_BUDGET_BYTES
}

/// `text` cut to `max` characters, ending in "…" when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some(_) => {
            let end = text
                .char_indices()
                .nth(max.saturating_sub(1))
                .map_or(text.len(), |(i, _)| i);
            format!("{}…", text[..end].trim_end())
        }
    }
}

/// User text cut and escaped, for a TextBlock or a fact.
fn shown(text: &str, max: usize) -> String {
    escape_markdown(&cut(text, max))
}

/// AWS's own values (alarm names, ARNs, reasons, metric names, finding types) cut and made safe
/// the way code-like text is: emphasis, code and links cannot start, and the brackets, `>` and
/// underscores CloudWatch writes everywhere show without backslashes.
fn aws_text(text: &str, max: usize) -> String {
    escape_markdown(&cut(text, max))
}

/// The bold, large first line of a card (already safe text expected: it is escaped here).
fn title_block(text: &str) -> Value {
    json!({"type": "TextBlock", "text": escape_markdown(text), "size": "Large", "weight": "Bolder", "wrap": true})
}

/// A plain wrapped TextBlock of text already made safe.
fn text_block(text: String) -> Value {
    json!({"type": "TextBlock", "text": text, "wrap": true})
}

/// A bold small heading over a part of the card.
fn heading(text: &str) -> Value {
    json!({"type": "TextBlock", "text": text, "weight": "Bolder", "size": "Small", "spacing": "Medium", "wrap": true})
}

/// A FactSet of (title, value) pairs, values cut and made safe with `safe` ([`shown`] for
/// people's text, [`aws_text`] for AWS's values); `None` when there are none.
fn fact_set(
    facts: &[(String, String)],
    limits: &Limits,
    safe: fn(&str, usize) -> String,
) -> Option<Value> {
    let facts: Vec<Value> = facts
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .take(limits.items)
        .map(|(title, value)| json!({"title": safe(title, 60), "value": safe(value, limits.fact)}))
        .collect();
    (!facts.is_empty()).then(|| json!({"type": "FactSet", "facts": facts}))
}

/// The button rows: the view's buttons as Action.Execute (with Action.Submit fallbacks) and a
/// console link as Action.OpenUrl, [`ACTIONS_PER_ROW`] to an ActionSet; none when there are no
/// buttons.
fn buttons(buttons: &[NotificationButton], console: Option<(&str, &str)>) -> Vec<Value> {
    let mut actions: Vec<Value> = buttons
        .iter()
        .take(MAX_BUTTONS)
        .map(|button| {
            let mut execute = action(
                &cut(&button.title, BUTTON_CHARS),
                button.verb,
                &button.record,
                None,
                false,
            );
            if let Some(index) = button.index {
                execute["data"]["button"] = json!(index);
                execute["fallback"]["data"]["button"] = json!(index);
            }
            execute
        })
        .collect();
    if let Some((title, url)) = console {
        actions.push(json!({"type": "Action.OpenUrl", "title": title, "url": url}));
    }
    actions
        .chunks(ACTIONS_PER_ROW)
        .map(|row| action_set(row.to_vec()))
        .collect()
}

/// The state as the card says it.
fn state_label(state: AlarmState) -> &'static str {
    match state {
        AlarmState::Ok => "OK",
        AlarmState::Alarm => "ALARM",
        AlarmState::InsufficientData => "INSUFFICIENT DATA",
    }
}

/// The TextBlock colour of a state: ALARM red, OK green, INSUFFICIENT_DATA amber.
fn state_colour(state: AlarmState) -> &'static str {
    match state {
        AlarmState::Ok => "Good",
        AlarmState::Alarm => "Attention",
        AlarmState::InsufficientData => "Warning",
    }
}

/// The container style of a state's header: red, green, or grey for INSUFFICIENT_DATA.
fn state_style(state: AlarmState) -> &'static str {
    match state {
        AlarmState::Ok => "good",
        AlarmState::Alarm => "attention",
        AlarmState::InsufficientData => "emphasis",
    }
}

fn utc(millis: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
}

/// `10:42` (or `10:42:07` with seconds), UTC; `--:--` for a time out of range.
fn clock(millis: i64, seconds: bool) -> String {
    match utc(millis) {
        Some(t) if seconds => format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
        Some(t) => format!("{:02}:{:02}", t.hour(), t.minute()),
        None => "--:--".to_owned(),
    }
}

/// `2026-12-03 10:42:07 UTC`.
fn date_time(millis: i64) -> Option<String> {
    let t = utc(millis)?;
    Some(format!(
        "{}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// A chart as card elements: its label, then the image (or its alt text when images are off
/// or it is a sparkline), or why there is none.
fn chart_elements(chart: &LabeledChart, limits: &Limits) -> Vec<Value> {
    let label = json!({"type": "TextBlock", "text": aws_text(&chart.label, limits.fact), "size": "Small", "weight": "Bolder", "spacing": "Medium", "wrap": true});
    let image = |url: &str, alt: &str| json!({"type": "Image", "url": url, "altText": cut(alt, limits.fact), "size": "Stretch"});
    let shown_instead = |alt: &str| subtle(&format!("Chart: {}", shown(alt, limits.fact)));
    let picture = match &chart.image {
        ChartImage::Url { url, alt } | ChartImage::DataUri { uri: url, alt } if limits.images => {
            image(url, alt)
        }
        ChartImage::Url { alt, .. } | ChartImage::DataUri { alt, .. } => shown_instead(alt),
        ChartImage::Sparkline { text, alt } => {
            let line = json!({
                "type": "TextBlock", "text": escape_markdown(&cut(text, limits.fact)),
                "fontType": "Monospace", "size": "Large", "color": "Accent", "wrap": true
            });
            return vec![label, line, subtle(&shown(alt, limits.fact))];
        }
        ChartImage::Unavailable { reason } => {
            subtle(&format!("No chart: {}", shown(reason, limits.fact)))
        }
    };
    vec![label, picture]
}
