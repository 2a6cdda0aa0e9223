//! The cards of notifications that are not alarms: EventBridge events (title, where, the key
//! facts, description, resources, console link), AWS Chatbot custom notifications (markdown only
//! when `textType` says so; next steps, keywords, context) and text published by hand.

use serde_json::{json, Value};

use super::{
    aws_text, buttons, cut, fact_set, heading, shown, subtle, text_block, Limits, NotificationView,
};
use crate::notify::message::{CustomNotification, EventNotification, TextNotification};
use crate::render::markdown::escape_markdown;

/// A grey header container: a bold title (already safe text) and a subtle line under it.
fn header(title: String, under: &str, limits: &Limits) -> Value {
    let mut items = vec![
        json!({"type": "TextBlock", "text": title, "size": "Large", "weight": "Bolder", "wrap": true}),
    ];
    if !under.is_empty() {
        items.push(json!({"type": "TextBlock", "text": shown(under, limits.fact), "isSubtle": true, "size": "Small", "wrap": true, "spacing": "None"}));
    }
    json!({"type": "Container", "style": "emphasis", "bleed": true, "items": items})
}

fn via(topic: &str) -> String {
    if topic.is_empty() {
        String::new()
    } else {
        format!("topic {topic}")
    }
}

/// An EventBridge event's card.
pub(super) fn event_body(
    event: &EventNotification,
    view: &NotificationView<'_>,
    limits: &Limits,
) -> Vec<Value> {
    let place: Vec<String> = [
        event.source.clone(),
        event.account.clone(),
        event.region.clone(),
        event.time.clone().unwrap_or_default(),
        via(view.topic),
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect();
    let mut body = vec![header(
        aws_text(&event.title, limits.fact),
        &place.join(" · "),
        limits,
    )];
    if event.title != event.detail_type {
        body.push(subtle(&shown(&event.detail_type, limits.fact)));
    }
    body.extend(fact_set(&event.facts, limits, aws_text));
    if let Some(description) = &event.description {
        body.push(text_block(shown(description, limits.text)));
    }
    if !event.resources.is_empty() {
        body.push(heading("Resources"));
        body.extend(list(&event.resources, limits, false));
    }
    let console = event
        .console_url
        .as_deref()
        .map(|url| ("Open in the AWS console", url));
    body.extend(buttons(view.buttons, console));
    body
}

/// Items as small lines, escaped unless they are markdown; "and N more" past the limit.
fn list(items: &[String], limits: &Limits, markdown: bool) -> Vec<Value> {
    let mut elements: Vec<Value> = items
        .iter()
        .take(limits.items)
        .map(|item| {
            let text = if markdown {
                cut(item, limits.fact)
            } else {
                shown(item, limits.fact)
            };
            json!({"type": "TextBlock", "text": text, "size": "Small", "wrap": true, "spacing": "None"})
        })
        .collect();
    if items.len() > limits.items {
        elements.push(subtle(&format!("and {} more", items.len() - limits.items)));
    }
    elements
}

/// An AWS Chatbot custom notification's card.
pub(super) fn custom_body(
    custom: &CustomNotification,
    view: &NotificationView<'_>,
    limits: &Limits,
) -> Vec<Value> {
    // Markdown is the sender's choice (`textType: client-markdown`); otherwise shown as typed.
    let text = |value: &str, max: usize| {
        if custom.markdown {
            cut(value, max)
        } else {
            shown(value, max)
        }
    };
    let title = custom.title.as_deref().map_or_else(
        || "Notification".to_owned(),
        |title| text(title, limits.fact),
    );
    let under: Vec<String> = [
        custom.event_type.clone().unwrap_or_default(),
        via(view.topic),
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect();
    let mut body = vec![header(title, &under.join(" · "), limits)];
    body.push(text_block(text(&custom.description, limits.text)));
    if !custom.next_steps.is_empty() {
        body.push(heading("Next steps"));
        let steps: Vec<String> = custom
            .next_steps
            .iter()
            .take(limits.items)
            .enumerate()
            .map(|(i, step)| format!("{}. {}", i + 1, text(step, limits.fact)))
            .collect();
        body.push(json!({"type": "TextBlock", "text": steps.join("\n"), "wrap": true, "spacing": "Small"}));
    }
    body.extend(fact_set(&custom.additional_context, limits, shown));
    if !custom.related_resources.is_empty() {
        body.push(heading("Related resources"));
        body.extend(list(&custom.related_resources, limits, false));
    }
    if !custom.keywords.is_empty() {
        let keywords: Vec<String> = custom
            .keywords
            .iter()
            .take(limits.items)
            .map(|keyword| cut(keyword, limits.fact))
            .collect();
        body.push(subtle(&escape_markdown(&format!(
            "Keywords: {}",
            keywords.join(" · ")
        ))));
    }
    body.extend(buttons(view.buttons, None));
    body
}

/// A message published by hand: its subject and text, shown as typed.
pub(super) fn text_body(
    text: &TextNotification,
    view: &NotificationView<'_>,
    limits: &Limits,
) -> Vec<Value> {
    let title = text.subject.as_deref().map_or_else(
        || "Message".to_owned(),
        |subject| shown(subject, limits.fact),
    );
    let mut body = vec![header(title, &via(view.topic), limits)];
    body.push(text_block(shown(text.text.trim_end(), limits.text * 2)));
    body.extend(buttons(view.buttons, None));
    body
}
