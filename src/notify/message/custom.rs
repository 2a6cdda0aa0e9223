//! AWS Chatbot's custom notification format: `{"version": "1.0", "source": "custom", "id"?,
//! "content": {"textType"?, "title"?, "description", "nextSteps"?, "keywords"?}, "metadata"?:
//! {"threadId", "summary", "eventType", "relatedResources", "additionalContext"}}`. Only
//! `textType: "client-markdown"` makes the title and description markdown; lists are bounded.

use serde_json::{Map, Value};

use super::eventbridge::summary;
use super::fields::{array_field, cut_text, object_field, str_field, string_field, strings};
use super::CustomNotification;

/// At most this many next steps, keywords, related resources and context entries are kept.
const MAX_ITEMS: usize = 20;
/// Each is cut to this many characters; the description to [`DESCRIPTION_CHARS`].
const ITEM_CHARS: usize = 500;
const DESCRIPTION_CHARS: usize = 8000;

/// Whether the object is a custom notification: version "1.0", source "custom" and a content
/// object with a description.
pub(super) fn is_custom(map: &Map<String, Value>) -> bool {
    str_field(map, "version") == Some("1.0")
        && str_field(map, "source") == Some("custom")
        && object_field(map, "content").is_some_and(|c| str_field(c, "description").is_some())
}

/// The custom notification (see [`is_custom`]).
pub(super) fn parse(map: &Map<String, Value>) -> Option<CustomNotification> {
    let content = object_field(map, "content")?;
    let description = str_field(content, "description")?;
    let metadata = object_field(map, "metadata");
    let list = |object: Option<&Map<String, Value>>, key: &str| -> Vec<String> {
        object
            .map(|object| strings(array_field(object, key), MAX_ITEMS))
            .unwrap_or_default()
            .iter()
            .map(|item| cut_text(item, ITEM_CHARS))
            .collect()
    };
    let additional_context = metadata
        .and_then(|m| object_field(m, "additionalContext"))
        .map(|context| {
            context
                .iter()
                .filter_map(|(key, value)| Some((key.clone(), summary(value)?)))
                .take(MAX_ITEMS)
                .collect()
        })
        .unwrap_or_default();
    Some(CustomNotification {
        title: str_field(content, "title").map(|t| cut_text(t, ITEM_CHARS)),
        description: cut_text(description, DESCRIPTION_CHARS),
        next_steps: list(Some(content), "nextSteps"),
        keywords: list(Some(content), "keywords"),
        thread_id: metadata.and_then(|m| string_field(m, "threadId")),
        summary: metadata
            .and_then(|m| str_field(m, "summary"))
            .map(|s| cut_text(s, ITEM_CHARS)),
        additional_context,
        markdown: str_field(content, "textType") == Some("client-markdown"),
        event_type: metadata
            .and_then(|m| str_field(m, "eventType"))
            .map(|e| cut_text(e, ITEM_CHARS)),
        related_resources: list(metadata, "relatedResources"),
    })
}
