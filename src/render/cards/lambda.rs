//! The `lambda invoke` card: what the function answered, readable. The payload decoded (pretty
//! JSON, or its text), `StatusCode`, `ExecutedVersion`, `FunctionError` when the function
//! failed, and the log tail of `--log-type Tail` decoded from base64. Chat has no outfile, so
//! the payload the AWS CLI would write to a file is shown here, cut to fit.

use base64::Engine as _;
use serde_json::{json, Value};

use super::elements::{code_block, fact, subtle};
use super::header::{header_elements, CommandHeader};
use crate::render::markdown::monospace;
use crate::render::template::render;
use crate::render::Card;

const RESULT: &str = include_str!("../../../adaptive-cards/result.json");

/// At most this many characters of the payload are shown (the card's budget is 24 KB and a
/// payload may be 6 MB).
const PAYLOAD_CHARS: usize = 10_000;
/// At most this many characters of the log tail (Lambda returns the last 4 KB).
const LOG_CHARS: usize = 4_500;

/// One `lambda invoke` answer, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaInvokeView {
    pub header: CommandHeader,
    /// The response as the engine returns it: `Payload` and `LogResult` in base64.
    pub output: Value,
    /// The outfile typed, which chat does not write.
    pub outfile: Option<String>,
}

/// The card for a `lambda invoke` answer.
pub fn lambda_invoke(view: &LambdaInvokeView) -> Card {
    let output = &view.output;
    let mut content = Vec::new();
    let mut facts = Vec::new();
    if let Some(status) = output.get("StatusCode").filter(|v| !v.is_null()) {
        facts.push(fact("StatusCode", &scalar(status)));
    }
    if let Some(version) = output.get("ExecutedVersion").and_then(Value::as_str) {
        facts.push(fact("ExecutedVersion", version));
    }
    let function_error = output.get("FunctionError").and_then(Value::as_str);
    if let Some(error) = function_error {
        facts.push(fact("FunctionError", error));
    }
    if !facts.is_empty() {
        content.push(json!({"type": "FactSet", "facts": facts}));
    }
    if let Some(error) = function_error {
        content.push(json!({
            "type": "TextBlock",
            "text": format!("The function failed ({}): its error is the payload below.", crate::render::escape_markdown(error)),
            "color": "Attention",
            "wrap": true
        }));
    }
    let mut notices = Vec::new();
    let payload = decoded(output.get("Payload"));
    content.push(label("Payload"));
    let (payload_text, payload_cut) = cut(&payload_text(&payload), PAYLOAD_CHARS);
    content.push(block(&payload_text));
    if let Some(total) = payload_cut {
        notices.push(warning(&format!(
            "Payload cut: the first {PAYLOAD_CHARS} of {total} characters shown. Narrow it with --query or invoke from a terminal with an outfile."
        )));
    }
    if let Some(log) = output.get("LogResult").and_then(Value::as_str) {
        let log = decoded(Some(&Value::String(log.to_owned())));
        let (log_text, _) = cut(&String::from_utf8_lossy(&log), LOG_CHARS);
        content.push(label("Log tail"));
        content.push(block(&log_text));
    }
    if let Some(path) = view.outfile.as_deref().filter(|path| *path != "-") {
        notices.push(subtle(&format!(
            "The bot writes no files: the payload the AWS CLI writes to {path} is shown above."
        )));
    }
    render(
        "lambda-invoke",
        RESULT,
        &[
            ("header", Value::Array(header_elements(&view.header))),
            ("content", Value::Array(content)),
            ("notice", Value::Array(notices)),
            ("actions", Value::Array(Vec::new())),
        ],
    )
}

/// A base64 member decoded; text that is not base64 is kept as it is.
fn decoded(value: Option<&Value>) -> Vec<u8> {
    let Some(Value::String(text)) = value else {
        return Vec::new();
    };
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_else(|_| text.as_bytes().to_vec())
}

/// The payload as shown: pretty JSON when it is JSON, its text otherwise (invalid UTF-8
/// replaced), `(empty payload)` when there is none.
fn payload_text(payload: &[u8]) -> String {
    if payload.is_empty() {
        return "(empty payload)".to_owned();
    }
    // serde_json refuses nesting past 128 levels, so this never recurses deeper.
    match serde_json::from_slice::<Value>(payload) {
        Ok(value) => serde_json::to_string_pretty(&value)
            .unwrap_or_else(|_| String::from_utf8_lossy(payload).into_owned()),
        Err(_) => String::from_utf8_lossy(payload).into_owned(),
    }
}

/// The first `limit` characters, and the total when it was cut.
fn cut(text: &str, limit: usize) -> (String, Option<usize>) {
    let total = text.chars().count();
    if total <= limit {
        return (text.to_owned(), None);
    }
    (text.chars().take(limit).collect(), Some(total))
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn label(text: &str) -> Value {
    json!({"type": "TextBlock", "text": text, "weight": "Bolder", "spacing": "Medium", "wrap": true})
}

fn block(text: &str) -> Value {
    code_block(monospace(text, false))
}

fn warning(text: &str) -> Value {
    json!({"type": "TextBlock", "text": text, "color": "Warning", "size": "Small", "wrap": true})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{assert_complete, full_header, texts};

    fn view(output: Value) -> LambdaInvokeView {
        LambdaInvokeView {
            header: full_header(),
            output,
            outfile: None,
        }
    }

    fn b64(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    #[test]
    fn a_json_payload_is_pretty_and_the_log_tail_decoded() {
        let card = lambda_invoke(&view(json!({
            "StatusCode": 200,
            "ExecutedVersion": "$LATEST",
            "LogResult": b64("START RequestId: 1\nhello from the function\nEND"),
            "Payload": b64(r#"{"ok":true,"items":[1,2]}"#)
        })));
        assert_complete(&card);
        assert_eq!(card.name, "lambda-invoke");
        let texts = texts(&card).join("\n");
        assert!(texts.contains("\"ok\": true"), "{texts}");
        assert!(
            texts.contains("hello\u{a0}from") || texts.contains("hello from"),
            "{texts}"
        );
        assert!(texts.contains("Log tail"), "{texts}");
        let facts = card.content.to_string();
        assert!(
            facts.contains("\"StatusCode\"") && facts.contains("\"200\""),
            "{facts}"
        );
        assert!(facts.contains("$LATEST"), "{facts}");
        assert!(!facts.contains("FunctionError"), "{facts}");
    }

    #[test]
    fn a_failed_function_shows_its_error_and_a_text_payload_stays_text() {
        let card = lambda_invoke(&LambdaInvokeView {
            outfile: Some("response.json".to_owned()),
            ..view(json!({
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": b64("plain words, not JSON")
            }))
        });
        assert_complete(&card);
        let all = card.content.to_string();
        assert!(
            all.contains("FunctionError") && all.contains("Unhandled"),
            "{all}"
        );
        assert!(all.contains("plain words, not JSON"), "{all}");
        assert!(all.contains("writes no files"), "{all}");
        assert!(all.contains("response.json"), "{all}");
    }

    #[test]
    fn a_large_payload_is_cut_with_a_notice() {
        let big = "x".repeat(50_000);
        let card = lambda_invoke(&view(json!({"StatusCode": 200, "Payload": b64(&big)})));
        assert_complete(&card);
        let all = card.content.to_string();
        assert!(
            all.contains("Payload cut: the first 10000 of 50000 characters shown"),
            "{all}"
        );
        assert!(
            all.len() < crate::render::CARD_BUDGET_BYTES,
            "{}",
            all.len()
        );
    }
}
