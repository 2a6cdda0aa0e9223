//! Card elements shared by several cards: buttons (Action.Execute with an Action.Submit
//! fallback), monospace blocks, notices, facts and the expiry line.

use serde_json::{json, Value};

use super::Verb;
use crate::render::markdown::{escape_markdown, monospace};

/// A small subtle TextBlock: page numbers, "no parameters".
pub(super) fn subtle(text: &str) -> Value {
    json!({"type": "TextBlock", "text": text, "isSubtle": true, "size": "Small", "wrap": true})
}

/// A TextBlock in the Attention colour: what was wrong, with the user's text escaped.
pub(super) fn attention_text(message: &str) -> Value {
    json!({"type": "TextBlock", "text": escape_markdown(message), "color": "Attention", "wrap": true})
}

/// One fact of a FactSet; the value is escaped, the title is ours.
pub(super) fn fact(title: &str, value: &str) -> Value {
    json!({"title": title, "value": escape_markdown(value)})
}

/// The line under a card's buttons: who may use them and when they stop working.
pub(super) fn expiry_text(minutes: u64) -> String {
    match minutes {
        1 => "Only the person who sent the command can use these buttons. This request expires in 1 minute.".to_owned(),
        m => format!("Only the person who sent the command can use these buttons. This request expires in {m} minutes."),
    }
}

/// Text already made monospace-safe (see [`monospace`]) in a shaded container.
pub(super) fn code_block(text: String) -> Value {
    json!({
        "type": "Container",
        "style": "emphasis",
        "items": [{
            "type": "TextBlock",
            "text": text,
            "fontType": "Monospace",
            "size": "Small",
            "wrap": true
        }]
    })
}

/// Command output in a code block, `(no output)` when it is blank.
pub(super) fn monospace_block(text: &str, halve_indent: bool) -> Value {
    let text = if text.trim().is_empty() {
        "(no output)".to_owned()
    } else {
        monospace(text, halve_indent)
    };
    code_block(text)
}

/// An Action.Execute with its Action.Submit fallback. The data carries only the verb and
/// the request id; inputs are merged in by the client when `inputs` is set.
pub(super) fn action(
    title: &str,
    verb: Verb,
    request: &str,
    style: Option<&str>,
    inputs: bool,
) -> Value {
    let verb = verb.as_str();
    let data = json!({"verb": verb, "request": request});
    let associated = if inputs { "auto" } else { "none" };
    let mut fallback = json!({
        "type": "Action.Submit",
        "title": title,
        "data": data,
        "associatedInputs": associated
    });
    let mut execute = json!({
        "type": "Action.Execute",
        "title": title,
        "verb": verb,
        "data": data,
        "associatedInputs": associated,
    });
    if let Some(style) = style {
        execute["style"] = Value::String(style.to_owned());
        fallback["style"] = Value::String(style.to_owned());
    }
    execute["fallback"] = fallback;
    execute
}

/// Actions wrapped in an ActionSet: older Teams clients only honour `fallback` there.
pub(super) fn action_set(actions: Vec<Value>) -> Value {
    json!({"type": "ActionSet", "actions": actions})
}

/// The buttons of a card that asks for one answer: the answering button (`title`, `verb`,
/// sending the card's inputs) next to Cancel, both for the request `request`.
pub(super) fn answer_or_cancel(title: &str, verb: Verb, request: &str) -> Value {
    action_set(vec![
        action(title, verb, request, Some("positive"), true),
        action("Cancel", Verb::Cancel, request, None, false),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_button_carries_only_its_verb_and_request_and_falls_back_to_submit() {
        let button = action("Run", Verb::Submit, "req-1", Some("positive"), true);
        assert_eq!(button["type"], "Action.Execute");
        assert_eq!(button["verb"], "submit");
        assert_eq!(
            button["data"],
            json!({"verb": "submit", "request": "req-1"})
        );
        assert_eq!(button["associatedInputs"], "auto");
        assert_eq!(button["style"], "positive");
        let fallback = &button["fallback"];
        assert_eq!(fallback["type"], "Action.Submit");
        assert_eq!(fallback["title"], "Run");
        assert_eq!(fallback["data"], button["data"]);
        assert_eq!(fallback["associatedInputs"], "auto");
        assert_eq!(fallback["style"], "positive");
    }

    #[test]
    fn a_button_without_inputs_or_style_sends_no_inputs() {
        let button = action("Cancel", Verb::Cancel, "req-1", None, false);
        assert_eq!(button["associatedInputs"], "none");
        assert_eq!(button["fallback"]["associatedInputs"], "none");
        assert!(button.get("style").is_none());
        assert!(button["fallback"].get("style").is_none());
    }

    #[test]
    fn expiry_says_minute_or_minutes() {
        assert!(expiry_text(1).ends_with("expires in 1 minute."));
        assert!(expiry_text(15).ends_with("expires in 15 minutes."));
    }

    #[test]
    fn blank_output_says_so_and_user_text_is_escaped() {
        assert_eq!(
            monospace_block("  \n", false)["items"][0]["text"],
            "(no output)"
        );
        assert_eq!(
            monospace_block("a*b", false)["items"][0]["fontType"],
            "Monospace"
        );
        assert_eq!(
            monospace_block("a*b*", false)["items"][0]["text"],
            r"a\*b\*"
        );
        assert_eq!(attention_text("[x](y)")["text"], r"[x\](y)");
        assert_eq!(fact("Subject", "**now**")["value"], r"\*\*now\*\*");
    }
}
